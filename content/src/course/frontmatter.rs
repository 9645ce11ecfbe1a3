//! Splits a `+++` TOML front matter block off a markdown file, once, for
//! lessons and quizzes alike.

/// A file split into its front matter and its markdown body.
#[derive(Debug, PartialEq, Eq)]
pub struct Split<'a> {
    /// The TOML between the `+++` lines (empty if there is none).
    pub front_matter: &'a str,
    /// The file line where the front matter starts (2, after the opening `+++`).
    pub front_matter_line: usize,
    /// The markdown after the closing `+++`.
    pub body: &'a str,
    /// The file line where `body` starts.
    pub body_line: usize,
}

/// The opening `+++` has no closing `+++` line.
#[derive(Debug, PartialEq, Eq)]
pub struct Unclosed;

/// Splits `source`; a file that does not start with a `+++` line has no front matter.
pub fn split(source: &str) -> Result<Split<'_>, Unclosed> {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let Some(rest) = strip_fence_line(source) else {
        return Ok(Split { front_matter: "", front_matter_line: 1, body: source, body_line: 1 });
    };
    let mut offset = 0;
    for (index, line) in rest.split_inclusive('\n').enumerate() {
        if line.trim_end() == "+++" {
            return Ok(Split {
                front_matter: &rest[..offset],
                front_matter_line: 2,
                body: &rest[offset + line.len()..],
                body_line: index + 3,
            });
        }
        offset += line.len();
    }
    Err(Unclosed)
}

fn strip_fence_line(source: &str) -> Option<&str> {
    let (first, rest) = source.split_once('\n').unwrap_or((source, ""));
    (first.trim_end() == "+++").then_some(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_front_matter() {
        let s = split("# Tiêu đề\n\nNội dung").unwrap();
        assert_eq!(s.front_matter, "");
        assert_eq!(s.body, "# Tiêu đề\n\nNội dung");
        assert_eq!(s.body_line, 1);
    }

    #[test]
    fn front_matter_and_body_lines() {
        let s = split("+++\ntitle = \"A\"\nminutes = 5\n+++\n\nThân bài\n").unwrap();
        assert_eq!(s.front_matter, "title = \"A\"\nminutes = 5\n");
        assert_eq!(s.front_matter_line, 2);
        assert_eq!(s.body, "\nThân bài\n");
        assert_eq!(s.body_line, 5);
    }

    #[test]
    fn crlf_and_bom_are_accepted() {
        let s = split("\u{feff}+++\r\ntitle = \"A\"\r\n+++\r\nX").unwrap();
        assert_eq!(s.front_matter, "title = \"A\"\r\n");
        assert_eq!(s.body, "X");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn unclosed_is_an_error() {
        assert_eq!(split("+++\ntitle = \"A\"\n\n# X\n"), Err(Unclosed));
    }
}
