//! A problem found in a course file, with the place a trainer must look.

use std::fmt;
use std::path::{Path, PathBuf};

/// One error in the course library: printed as `file:line: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub file: PathBuf,
    /// 1-based; `None` when the problem is the file or folder as a whole.
    pub line: Option<usize>,
    pub message: String,
}

impl Problem {
    pub fn at(file: &Path, line: usize, message: impl Into<String>) -> Self {
        Self { file: file.to_path_buf(), line: Some(line), message: message.into() }
    }

    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        Self { file: file.to_path_buf(), line: None, message: message.into() }
    }

    /// A TOML syntax or type error, placed on the line its span starts at.
    /// `first_line` is the file line where `source` begins (front matter starts on line 2).
    pub fn toml(file: &Path, source: &str, first_line: usize, err: &toml::de::Error) -> Self {
        let line = err.span().map(|span| line_of(source, span.start) + first_line - 1).unwrap_or(first_line);
        Self::at(file, line, err.message().trim_end().to_string())
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file.display(), line, self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

/// The 1-based line of byte `offset` in `source`.
pub fn line_of(source: &str, offset: usize) -> usize {
    let end = offset.min(source.len());
    source.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_from_one() {
        let s = "a\nbb\nccc";
        assert_eq!(line_of(s, 0), 1);
        assert_eq!(line_of(s, 2), 2);
        assert_eq!(line_of(s, 5), 3);
        assert_eq!(line_of(s, 999), 3);
    }

    #[test]
    fn displays_file_and_line() {
        let p = Problem::at(Path::new("courses/a/course.toml"), 3, "bad");
        assert_eq!(p.to_string(), "courses/a/course.toml:3: bad");
        let p = Problem::file(Path::new("courses/A"), "bad id");
        assert_eq!(p.to_string(), "courses/A: bad id");
    }
}
