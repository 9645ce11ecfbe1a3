//! `daotao-server`: serve the courses (default) or check a course library.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use daotao_core::platform::config::{Config, LogFormat};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "daotao-server", version, about = "Đào tạo số: the training platform's web server")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the course library (the default).
    Serve,
    /// Check a course library and list every problem with file and line.
    Check {
        /// The library folder (default: the configured courses_dir).
        dir: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = Config::load()?;
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let log = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match config.log_format {
        LogFormat::Text => log.init(),
        // One JSON object a line, the event's fields at the top level (`route`, `status`, ...) where a log
        // collector finds them; a line written while a request is served has `span.request_id`.
        LogFormat::Json => {
            log.json().flatten_event(true).with_current_span(true).with_span_list(false).init()
        }
    }
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            tokio::runtime::Runtime::new()?.block_on(daotao_server::serve::run(config))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { dir } => {
            let dir = dir.unwrap_or(config.courses_dir);
            let clean = daotao_server::check::run(&dir, &mut std::io::stdout().lock())?;
            Ok(if clean { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
    }
}
