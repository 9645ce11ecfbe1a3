//! The competency framework (`courses/competencies.toml`) that courses award.

use std::path::Path;

use serde::Deserialize;

use super::problem::Problem;

/// One competency with its ordered level names (level 1 is the first name).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Competency {
    pub code: String,
    pub name: String,
    pub area: String,
    pub levels: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    competency: Vec<toml::Spanned<Competency>>,
}

/// Parses the framework; every duplicate code or empty level list is a problem.
pub fn parse(path: &Path, source: &str) -> Result<Vec<Competency>, Vec<Problem>> {
    let file: File = toml::from_str(source).map_err(|e| vec![Problem::toml(path, source, 1, &e)])?;
    let mut problems = Vec::new();
    let mut list: Vec<Competency> = Vec::new();
    for spanned in file.competency {
        let line = super::problem::line_of(source, spanned.span().start);
        let competency = spanned.into_inner();
        if list.iter().any(|c| c.code == competency.code) {
            problems.push(Problem::at(
                path,
                line,
                format!("competency `{}` is defined twice", competency.code),
            ));
        }
        if competency.levels.is_empty() {
            problems.push(Problem::at(path, line, format!("competency `{}` has no levels", competency.code)));
        }
        list.push(competency);
    }
    if problems.is_empty() { Ok(list) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects_duplicates() {
        let ok = "[[competency]]\ncode = \"A.1\"\nname = \"n\"\narea = \"a\"\nlevels = [\"x\", \"y\"]\n";
        let list = parse(Path::new("c.toml"), ok).unwrap();
        assert_eq!(list[0].levels.len(), 2);
        let dup = format!("{ok}\n{ok}");
        let problems = parse(Path::new("c.toml"), &dup).unwrap_err();
        assert_eq!(problems[0].to_string(), "c.toml:7: competency `A.1` is defined twice");
    }

    #[test]
    fn unknown_key_has_a_line() {
        let bad = "[[competency]]\ncode = \"A.1\"\nname = \"n\"\narea = \"a\"\nlevels = [\"x\"]\nlevel = 2\n";
        let problems = parse(Path::new("c.toml"), bad).unwrap_err();
        assert_eq!(problems[0].line, Some(6), "{}", problems[0]);
    }
}
