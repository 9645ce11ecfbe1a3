//! Lines for people and scripts on stdout and stderr. `println!` panics when the reader has gone away
//! (`daotao-admin status | head -n 1`); these return an error instead, and `main` ends the command
//! quietly and successfully when that error is [`ReaderGone`], as `cat` or `grep` would.

use std::io;

/// The other end of stdout or stderr was closed: nobody is reading any more.
#[derive(Debug, thiserror::Error)]
#[error("the reader of the output went away")]
pub struct ReaderGone;

/// Turns a failed write into [`ReaderGone`] when the pipe was closed, or keeps the error as it is.
pub fn written(result: io::Result<()>) -> anyhow::Result<()> {
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(ReaderGone.into()),
        other => Ok(other?),
    }
}

/// `println!` that returns [`ReaderGone`] instead of panicking (use with `?`).
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::written({
            use std::io::Write as _;
            writeln!(std::io::stdout(), $($arg)*)
        })
    };
}

/// `eprintln!` that returns [`ReaderGone`] instead of panicking (use with `?`).
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::output::written({
            use std::io::Write as _;
            writeln!(std::io::stderr(), $($arg)*)
        })
    };
}

pub(crate) use {errln, outln};
