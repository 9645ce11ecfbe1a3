//! Training programmes (`courses/programmes.toml`, issue #18): which courses which people must complete, by
//! when, and how often again. A training officer writes them in git beside the courses, so they are checked
//! like the courses (`daotao-server check`, every problem with its line) and assigned by the database side.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use toml::Spanned;

use crate::course::Course;
use crate::course::ids::is_valid_id;
use crate::course::problem::{Problem, line_of};
use crate::text::fold_diacritics;

/// The file at the root of the library; a library without one has no programmes.
pub const PROGRAMMES_FILE: &str = "programmes.toml";

/// Days to complete when a programme does not say.
pub const DEFAULT_DUE_DAYS: u32 = 30;

/// A month of validity counts as 28 days when renewal is checked against it, so a renewal window that fits
/// in the shortest month fits in every month.
const DAYS_PER_MONTH: u64 = 28;

/// Whom a programme assigns by their account's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    Learner,
    Trainer,
    Admin,
}

impl Role {
    /// The spelling in `programmes.toml` (and in the database's `users.role`).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::Trainer => "trainer",
            Role::Admin => "admin",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "learner" => Some(Role::Learner),
            "trainer" => Some(Role::Trainer),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A programme that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Programme {
    /// Permanent: assignments in the database are attached to it.
    pub id: String,
    pub title: String,
    /// Every one must be completed, in any order; ids of courses in the library.
    pub courses: Vec<String>,
    /// Words or phrases looked for in a person's position; empty: everyone. See [`Programme::matches_position`].
    pub positions: Vec<String>,
    /// Unit codes, each with all its sub-units; empty: every unit. Not checked here: units live in the database.
    pub units: Vec<String>,
    /// Never empty, no role twice.
    pub roles: Vec<Role>,
    /// Days to complete, counted from the day it is assigned; at least 1.
    pub due_days: u32,
    /// 0: a completion never expires.
    pub valid_months: u32,
    /// The next cycle opens this many days before a completion expires; 0 when `valid_months` is 0.
    pub renew_days: u32,
    /// The line of its `[[programme]]`, for messages.
    pub line: usize,
}

impl Programme {
    /// Whether a position matches: any of `positions` found in it as whole words (a phrase as consecutive
    /// words), without case and diacritics, because positions are typed by hand in every spelling
    /// ("Chuyên viên CNTT", "chuyen vien cong nghe thong tin"). Empty `positions`: everyone.
    pub fn matches_position(&self, position: &str) -> bool {
        if self.positions.is_empty() {
            return true;
        }
        let haystack = position_words(position);
        self.positions.iter().any(|wanted| has_phrase(&haystack, &position_words(wanted)))
    }
}

/// A position as the programmes compare it: lowercase words without diacritics (runs of letters and
/// digits). Callers matching many people fold each position once with this, then use [`has_phrase`].
pub fn position_words(s: &str) -> Vec<String> {
    fold_diacritics(s)
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether `phrase` (from [`position_words`]) stands in `words` as consecutive whole words; an empty
/// phrase never does.
pub fn has_phrase(words: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && words.windows(phrase.len()).any(|w| w == phrase)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    programme: Vec<Spanned<Raw>>,
}

/// A `[[programme]]` as written, every key optional so that one missing key does not hide the other problems.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    id: Option<Spanned<String>>,
    title: Option<Spanned<String>>,
    courses: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    positions: Vec<Spanned<String>>,
    #[serde(default)]
    units: Vec<Spanned<String>>,
    roles: Option<Spanned<Vec<Spanned<String>>>>,
    due_days: Option<Spanned<u32>>,
    #[serde(default)]
    valid_months: u32,
    renew_days: Option<Spanned<u32>>,
}

/// Parses `programmes.toml`: every programme, or every problem of the file, each with its line.
pub fn parse(path: &Path, source: &str) -> Result<Vec<Programme>, Vec<Problem>> {
    let (programmes, problems) = parse_each(path, source);
    if problems.is_empty() { Ok(programmes) } else { Err(problems) }
}

/// The programmes without problems, and the problems of the others: one broken programme leaves the rest
/// assigned, as one broken course leaves the rest served. A TOML syntax error keeps none.
pub fn parse_each(path: &Path, source: &str) -> (Vec<Programme>, Vec<Problem>) {
    let (programmes, problems) = parse_with_lines(path, source);
    (programmes.into_iter().map(|(p, _)| p).collect(), problems)
}

/// [`parse_each`], with the line of each of a programme's courses, for the library's check of the courses.
fn parse_with_lines(path: &Path, source: &str) -> (Vec<(Programme, Vec<usize>)>, Vec<Problem>) {
    let file: File = match toml::from_str(source) {
        Ok(file) => file,
        Err(e) => return (Vec::new(), vec![Problem::toml(path, source, 1, &e)]),
    };
    let mut problems = Vec::new();
    let mut programmes = Vec::new();
    let mut first_lines: BTreeMap<String, usize> = BTreeMap::new();
    for spanned in file.programme {
        let line = line_of(source, spanned.span().start);
        let mut check = Check { path, source, problems: Vec::new() };
        let raw = spanned.into_inner();
        let course_lines: Vec<usize> =
            raw.courses.iter().flatten().map(|c| line_of(source, c.span().start)).collect();
        let programme = check.programme(raw, line, &mut first_lines);
        match programme {
            Some(programme) if check.problems.is_empty() => programmes.push((programme, course_lines)),
            _ => problems.extend(check.problems),
        }
    }
    (programmes, problems)
}

/// The problems of one programme.
struct Check<'a> {
    path: &'a Path,
    source: &'a str,
    problems: Vec<Problem>,
}

impl Check<'_> {
    fn line<T>(&self, value: &Spanned<T>) -> usize {
        line_of(self.source, value.span().start)
    }

    fn report(&mut self, line: usize, message: impl Into<String>) {
        self.problems.push(Problem::at(self.path, line, message));
    }

    /// The programme, or `None` when a required key is missing (the problems say which).
    fn programme(
        &mut self,
        raw: Raw,
        line: usize,
        first_lines: &mut BTreeMap<String, usize>,
    ) -> Option<Programme> {
        let id = self.id(raw.id.as_ref(), line, first_lines);
        let name = id.clone().unwrap_or_else(|| "?".to_string());
        let title = match raw.title {
            Some(t) if t.get_ref().trim().is_empty() => {
                self.report(self.line(&t), format!("programme `{name}`: title is empty"));
                None
            }
            Some(t) => Some(t.into_inner().trim().to_string()),
            None => {
                self.report(line, format!("programme `{name}` has no title: add `title = \"...\"`"));
                None
            }
        };
        let courses = self.courses(raw.courses, &name, line);
        let positions = self.non_empty(raw.positions, &name, "positions");
        let units = self.non_empty(raw.units, &name, "units");
        let roles = self.roles(raw.roles, &name);
        let due_days = match raw.due_days {
            Some(d) if *d.get_ref() == 0 => {
                self.report(self.line(&d), format!("programme `{name}`: due_days must be at least 1"));
                0
            }
            Some(d) => d.into_inner(),
            None => DEFAULT_DUE_DAYS,
        };
        let renew_days = self.renew_days(raw.renew_days, raw.valid_months, &name);
        Some(Programme {
            id: id?,
            title: title?,
            courses: courses?,
            positions,
            units,
            roles,
            due_days,
            valid_months: raw.valid_months,
            renew_days,
            line,
        })
    }

    fn id(
        &mut self,
        id: Option<&Spanned<String>>,
        line: usize,
        first_lines: &mut BTreeMap<String, usize>,
    ) -> Option<String> {
        let Some(id) = id else {
            self.report(
                line,
                "the programme has no id: add `id = \"...\"`, a permanent name such as `attt-hang-nam`",
            );
            return None;
        };
        let value = id.get_ref();
        if !is_valid_id(value) {
            self.report(
                self.line(id),
                format!("`{value}` is not a valid programme id: use lowercase ASCII letters, digits and hyphens, e.g. `attt-hang-nam`"),
            );
            return None;
        }
        if let Some(first) = first_lines.get(value) {
            self.report(
                self.line(id),
                format!("programme id `{value}` is used twice: the first is on line {first}"),
            );
        } else {
            first_lines.insert(value.clone(), line);
        }
        Some(value.clone())
    }

    fn courses(
        &mut self,
        courses: Option<Vec<Spanned<String>>>,
        name: &str,
        line: usize,
    ) -> Option<Vec<String>> {
        let Some(courses) = courses else {
            self.report(line, format!("programme `{name}` has no courses: add `courses = [\"course-id\"]`"));
            return None;
        };
        if courses.is_empty() {
            self.report(line, format!("programme `{name}`: the course list is empty"));
        }
        let mut ids: Vec<String> = Vec::new();
        for course in courses {
            if ids.contains(course.get_ref()) {
                self.report(
                    self.line(&course),
                    format!("programme `{name}` lists course `{}` twice", course.get_ref()),
                );
            } else {
                ids.push(course.into_inner());
            }
        }
        Some(ids)
    }

    fn non_empty(&mut self, values: Vec<Spanned<String>>, name: &str, key: &str) -> Vec<String> {
        let mut kept = Vec::new();
        for value in values {
            if value.get_ref().trim().is_empty() {
                self.report(self.line(&value), format!("programme `{name}`: an empty string in {key}"));
            } else {
                kept.push(value.into_inner().trim().to_string());
            }
        }
        kept
    }

    fn roles(&mut self, roles: Option<Spanned<Vec<Spanned<String>>>>, name: &str) -> Vec<Role> {
        let Some(roles) = roles else { return vec![Role::Learner] };
        if roles.get_ref().is_empty() {
            self.report(
                self.line(&roles),
                format!(
                    "programme `{name}`: roles is empty, so it assigns nobody (leave it out for learners)"
                ),
            );
        }
        let mut kept: Vec<Role> = Vec::new();
        for role in roles.into_inner() {
            match Role::parse(role.get_ref()) {
                Some(r) if !kept.contains(&r) => kept.push(r),
                Some(_) => {}
                None => self.report(
                    self.line(&role),
                    format!(
                        "programme `{name}`: unknown role `{}` (allowed: learner, trainer, admin)",
                        role.get_ref()
                    ),
                ),
            }
        }
        kept
    }

    fn renew_days(&mut self, renew: Option<Spanned<u32>>, valid_months: u32, name: &str) -> u32 {
        let Some(renew) = renew else { return 0 };
        let days = *renew.get_ref();
        if days > 0 && valid_months == 0 {
            self.report(
                self.line(&renew),
                format!("programme `{name}`: renew_days = {days} but valid_months = 0, so it never expires and is never renewed"),
            );
        } else if u64::from(days) > u64::from(valid_months) * DAYS_PER_MONTH {
            self.report(
                self.line(&renew),
                format!(
                    "programme `{name}`: renew_days = {days} is longer than the validity of {valid_months} months ({} days)",
                    u64::from(valid_months) * DAYS_PER_MONTH
                ),
            );
        }
        days
    }
}

/// Reads `<root>/programmes.toml` (absent: no programmes) and checks that every course a programme lists is
/// served: a programme naming a missing or broken course is left out with a problem on that course's line.
pub fn load(root: &Path, courses: &BTreeMap<String, Arc<Course>>) -> (Vec<Programme>, Vec<Problem>) {
    let path = root.join(PROGRAMMES_FILE);
    if !path.exists() {
        return (Vec::new(), Vec::new());
    }
    let source = match std::fs::read_to_string(&path) {
        Ok(source) => source,
        Err(e) => return (Vec::new(), vec![Problem::file(&path, format!("cannot read: {e}"))]),
    };
    let (parsed, mut problems) = parse_with_lines(&path, &source);
    let mut kept = Vec::new();
    for (programme, lines) in parsed {
        let before = problems.len();
        // A programme with problems is left out, so its courses were never listed twice: one line each.
        for (course, &line) in programme.courses.iter().zip(&lines) {
            if courses.contains_key(course) {
                continue;
            }
            let why = if is_valid_id(course) && root.join(course).is_dir() {
                "which has problems and is left out"
            } else {
                "which does not exist"
            };
            problems.push(Problem::at(
                &path,
                line,
                format!("programme `{}` lists course `{course}`, {why}", programme.id),
            ));
        }
        if problems.len() == before {
            kept.push(programme);
        }
    }
    (kept, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"# Chương trình của tỉnh
[[programme]]
id = "attt-hang-nam"
title = "Bồi dưỡng an toàn thông tin hằng năm"
courses = ["an-toan-thong-tin-co-ban"]
positions = []
units = []
roles = ["learner", "trainer"]
due_days = 60
valid_months = 12
renew_days = 30

[[programme]]
id = "cntt"
title = "Cán bộ CNTT"
courses = ["a", "b"]
positions = ["CNTT", "công nghệ thông tin"]
units = ["SO-KHCN"]
"#;

    fn programme(positions: &[&str]) -> Programme {
        Programme {
            id: "p".into(),
            title: "P".into(),
            courses: vec!["c".into()],
            positions: positions.iter().map(|p| (*p).to_string()).collect(),
            units: vec![],
            roles: vec![Role::Learner],
            due_days: 30,
            valid_months: 0,
            renew_days: 0,
            line: 1,
        }
    }

    /// The problems of `source` as `check` prints them.
    fn problems(source: &str) -> Vec<String> {
        parse(Path::new("programmes.toml"), source).unwrap_err().iter().map(ToString::to_string).collect()
    }

    /// One programme with `extra` lines after its id, title and courses.
    fn one(extra: &str) -> String {
        format!("[[programme]]\nid = \"p\"\ntitle = \"P\"\ncourses = [\"a\"]\n{extra}")
    }

    #[test]
    fn a_good_file_parses_with_defaults() {
        let list = parse(Path::new("programmes.toml"), GOOD).unwrap();
        assert_eq!(list.len(), 2);
        let yearly = &list[0];
        assert_eq!(yearly.id, "attt-hang-nam");
        assert_eq!(yearly.title, "Bồi dưỡng an toàn thông tin hằng năm");
        assert_eq!(yearly.courses, ["an-toan-thong-tin-co-ban"]);
        assert_eq!(yearly.roles, [Role::Learner, Role::Trainer]);
        assert_eq!((yearly.due_days, yearly.valid_months, yearly.renew_days, yearly.line), (60, 12, 30, 2));
        let it = &list[1];
        assert_eq!(it.courses, ["a", "b"]);
        assert_eq!(it.positions, ["CNTT", "công nghệ thông tin"]);
        assert_eq!(it.units, ["SO-KHCN"]);
        assert_eq!(it.roles, [Role::Learner], "learners when roles is left out");
        assert_eq!((it.due_days, it.valid_months, it.renew_days, it.line), (DEFAULT_DUE_DAYS, 0, 0, 13));
        assert_eq!(parse(Path::new("programmes.toml"), "# nothing yet\n").unwrap(), vec![]);
    }

    #[test]
    fn unknown_keys_and_syntax_errors_have_their_line() {
        let found = problems(&one("due_day = 30\n"));
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].starts_with("programmes.toml:5: unknown field `due_day`"), "{found:#?}");
        let found = problems(&one("due_days = \"sáu mươi\"\n"));
        assert!(found[0].starts_with("programmes.toml:5:"), "{found:#?}");
        let found = problems("[[programme]]\nid = \"p\"\ntitle = \n");
        assert!(found[0].starts_with("programmes.toml:3:"), "{found:#?}");
    }

    #[test]
    fn missing_keys_are_reported_at_the_programme() {
        assert_eq!(
            problems("\n[[programme]]\nunits = []\n"),
            [
                "programmes.toml:2: the programme has no id: add `id = \"...\"`, a permanent name such as `attt-hang-nam`",
                "programmes.toml:2: programme `?` has no title: add `title = \"...\"`",
                "programmes.toml:2: programme `?` has no courses: add `courses = [\"course-id\"]`",
            ]
        );
    }

    #[test]
    fn ids_are_slugs_and_unique() {
        let found = problems("[[programme]]\nid = \"ATTT Hằng năm\"\ntitle = \"P\"\ncourses = [\"a\"]\n");
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].starts_with("programmes.toml:2: `ATTT Hằng năm` is not a valid programme id"));
        let twice = format!("{}\n{}", one(""), one(""));
        assert_eq!(
            problems(&twice),
            ["programmes.toml:7: programme id `p` is used twice: the first is on line 1"]
        );
        // The first keeps being assigned; the copy is left out.
        let (kept, _) = parse_each(Path::new("programmes.toml"), &twice);
        assert_eq!(kept.len(), 1);
    }

    #[test]
    fn course_lists_are_checked() {
        assert_eq!(
            problems("[[programme]]\nid = \"p\"\ntitle = \"P\"\ncourses = []\n"),
            ["programmes.toml:1: programme `p`: the course list is empty"]
        );
        assert_eq!(
            problems(
                "[[programme]]\nid = \"p\"\ntitle = \"P\"\ncourses = [\n  \"a\",\n  \"b\",\n  \"a\",\n]\n"
            ),
            ["programmes.toml:7: programme `p` lists course `a` twice"]
        );
        assert_eq!(
            problems("[[programme]]\nid = \"p\"\ntitle = \"  \"\ncourses = [\"a\"]\n"),
            ["programmes.toml:3: programme `p`: title is empty"]
        );
    }

    #[test]
    fn roles_are_checked() {
        assert_eq!(
            problems(&one("roles = [\"learner\",\n  \"giang-vien\"]\n")),
            [
                "programmes.toml:6: programme `p`: unknown role `giang-vien` (allowed: learner, trainer, admin)"
            ]
        );
        assert_eq!(
            problems(&one("roles = []\n")),
            [
                "programmes.toml:5: programme `p`: roles is empty, so it assigns nobody (leave it out for learners)"
            ]
        );
        let list = parse(Path::new("p.toml"), &one("roles = [\"admin\", \"admin\"]\n")).unwrap();
        assert_eq!(list[0].roles, [Role::Admin]);
        assert_eq!(Role::Trainer.as_str(), "trainer");
    }

    #[test]
    fn days_and_months_are_checked() {
        assert_eq!(
            problems(&one("due_days = 0\n")),
            ["programmes.toml:5: programme `p`: due_days must be at least 1"]
        );
        assert_eq!(
            problems(&one("renew_days = 30\n")),
            [
                "programmes.toml:5: programme `p`: renew_days = 30 but valid_months = 0, so it never expires and is never renewed"
            ]
        );
        assert_eq!(
            problems(&one("valid_months = 1\nrenew_days = 29\n")),
            [
                "programmes.toml:6: programme `p`: renew_days = 29 is longer than the validity of 1 months (28 days)"
            ]
        );
        assert!(parse(Path::new("p.toml"), &one("valid_months = 1\nrenew_days = 28\n")).is_ok());
        assert!(parse(Path::new("p.toml"), &one("valid_months = 0\nrenew_days = 0\n")).is_ok());
    }

    #[test]
    fn empty_positions_and_units_are_refused() {
        assert_eq!(
            problems(&one("positions = [\"CNTT\",\n  \" \"]\nunits = [\"\"]\n")),
            [
                "programmes.toml:6: programme `p`: an empty string in positions",
                "programmes.toml:7: programme `p`: an empty string in units",
            ]
        );
    }

    #[test]
    fn every_problem_of_a_file_at_once_and_good_programmes_kept() {
        let source = format!("{}due_days = 0\nroles = [\"x\"]\n\n{}", one(""), GOOD);
        let (kept, problems) = parse_each(Path::new("programmes.toml"), &source);
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert_eq!(kept.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(), ["attt-hang-nam", "cntt"]);
        assert_eq!(kept[0].line, 9, "lines count in the whole file");
    }

    #[test]
    fn positions_match_words_without_case_or_diacritics() {
        let it = programme(&["công nghệ thông tin", "CNTT"]);
        for position in [
            "Chuyên viên CNTT",
            "chuyen vien cong nghe thong tin",
            "Phó phòng Công nghệ thông tin",
            "Chuyên viên công nghệ thông tin",
            // Decomposed (NFD), as some editors and macOS save it.
            "Chuye\u{302}n vie\u{302}n co\u{302}ng nghe\u{323}\u{302} tho\u{302}ng tin",
            "Trưởng phòng CNTT-Viễn thông",
        ] {
            assert!(it.matches_position(position), "{position}");
        }
        for position in ["Kế toán", "", "Kỹ sư an toàn thông tin", "Chuyên viên CNTTx", "công nghệ"]
        {
            assert!(!it.matches_position(position), "{position}");
        }
        assert!(programme(&[]).matches_position("Kế toán"), "no positions: everyone");
        assert!(programme(&["Công Nghệ Thông Tin"]).matches_position("chuyên viên công nghệ thông tin"));
    }
}
