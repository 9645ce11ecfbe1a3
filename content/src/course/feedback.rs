//! Course feedback questionnaires (issue #19): `courses/feedback.toml` for the whole library, and a course's own
//! `feedback.toml` that replaces it for that course. Trainers write them in git, so `check` reports every problem
//! with its line, as for the other course files. The five-point scale's labels belong to the interface, not the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use super::ids::is_valid_id;
use super::problem::{Problem, line_of};
use crate::text::nfc;

/// The file name, at the root of the library and in a course folder.
pub const FEEDBACK_FILE: &str = "feedback.toml";

/// The most five-point items a questionnaire may have: a long form is answered carelessly or not at all.
pub const MAX_ITEMS: usize = 15;

/// The longest statement or question, in characters; longer is a paragraph, not a questionnaire item.
pub const MAX_TEXT_CHARS: usize = 300;

/// A questionnaire that passed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Questionnaire {
    pub file: PathBuf,
    /// In file order; between 1 and [`MAX_ITEMS`], ids unique.
    pub items: Vec<Item>,
    /// The one free-text question.
    pub comment: String,
}

/// A statement the learner rates from 1 ("Rất không đồng ý") to 5 ("Rất đồng ý").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// Stored with each score, so results stay readable when the file changes later.
    pub id: String,
    pub text: String,
}

impl Questionnaire {
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.id == id)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    comment: Option<Spanned<String>>,
    #[serde(default)]
    item: Vec<Spanned<RawItem>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawItem {
    id: Option<Spanned<String>>,
    text: Option<Spanned<String>>,
}

/// Reads a questionnaire file; `Ok(None)` when there is none.
pub fn load(path: &Path) -> Result<Option<Questionnaire>, Vec<Problem>> {
    if !path.exists() {
        return Ok(None);
    }
    let source = std::fs::read_to_string(path)
        .map_err(|e| vec![Problem::file(path, format!("cannot read: {e} (save it as UTF-8 text)"))])?;
    parse(path, &source).map(Some)
}

/// Parses a questionnaire: the questionnaire, or every problem of the file, each with its line.
pub fn parse(path: &Path, source: &str) -> Result<Questionnaire, Vec<Problem>> {
    let file: File = toml::from_str(source).map_err(|e| vec![Problem::toml(path, source, 1, &e)])?;
    let mut problems = Vec::new();
    let at = |span: std::ops::Range<usize>| line_of(source, span.start);
    let mut items = Vec::new();
    let mut first_lines: BTreeMap<String, usize> = BTreeMap::new();
    for spanned in &file.item {
        let line = at(spanned.span());
        let raw = spanned.get_ref();
        let id = match &raw.id {
            None => {
                problems.push(Problem::at(path, line, "[[item]] has no id: add e.g. id = \"phu-hop\""));
                None
            }
            Some(id) if !is_valid_id(id.get_ref()) => {
                problems.push(Problem::at(
                    path,
                    at(id.span()),
                    format!(
                        "`{}` is not a valid item id: use lowercase ASCII letters, digits and hyphens, e.g. `phu-hop`",
                        id.get_ref()
                    ),
                ));
                None
            }
            Some(id) => match first_lines.get(id.get_ref()) {
                Some(first) => {
                    problems.push(Problem::at(
                        path,
                        at(id.span()),
                        format!("item id `{}` is used twice (first on line {first})", id.get_ref()),
                    ));
                    None
                }
                None => {
                    first_lines.insert(id.get_ref().clone(), at(id.span()));
                    Some(id.get_ref().clone())
                }
            },
        };
        let text = text(path, source, raw.text.as_ref(), line, "[[item]] has no text", &mut problems);
        if let (Some(id), Some(text)) = (id, text) {
            items.push(Item { id, text });
        }
    }
    if file.item.is_empty() {
        problems.push(Problem::at(
            path,
            1,
            "the questionnaire has no [[item]]: add at least one statement to rate",
        ));
    }
    if file.item.len() > MAX_ITEMS {
        problems.push(Problem::at(
            path,
            at(file.item[MAX_ITEMS].span()),
            format!("the questionnaire has {} items; the limit is {MAX_ITEMS}", file.item.len()),
        ));
    }
    let comment = text(
        path,
        source,
        file.comment.as_ref(),
        1,
        "the questionnaire has no free-text question: add exactly one, e.g. comment = \"Anh/chị có góp ý gì?\"",
        &mut problems,
    );
    match comment {
        Some(comment) if problems.is_empty() => {
            Ok(Questionnaire { file: path.to_path_buf(), items, comment })
        }
        _ => Err(problems),
    }
}

/// A statement or question: present, not blank, not too long; in NFC.
fn text(
    path: &Path,
    source: &str,
    value: Option<&Spanned<String>>,
    missing_line: usize,
    missing: &str,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    let Some(value) = value else {
        problems.push(Problem::at(path, missing_line, missing));
        return None;
    };
    let line = line_of(source, value.span().start);
    let text = nfc(value.get_ref().trim());
    if text.is_empty() {
        problems.push(Problem::at(path, line, "the text is empty"));
        return None;
    }
    let chars = text.chars().count();
    if chars > MAX_TEXT_CHARS {
        problems.push(Problem::at(
            path,
            line,
            format!(
                "the text has {chars} characters; the limit is {MAX_TEXT_CHARS}: keep each statement short"
            ),
        ));
        return None;
    }
    Some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(source: &str) -> Vec<String> {
        parse(Path::new("f.toml"), source).unwrap_err().iter().map(ToString::to_string).collect()
    }

    const GOOD: &str = "comment = \"Anh/chị có góp ý gì?\"\n\n[[item]]\nid = \"phu-hop\"\ntext = \"Nội dung sát với công việc.\"\n\n[[item]]\nid = \"ro-rang\"\ntext = \"Bài giảng rõ ràng.\"\n";

    #[test]
    fn parses_items_in_order_and_the_comment() {
        let q = parse(Path::new("f.toml"), GOOD).unwrap();
        assert_eq!(q.items.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["phu-hop", "ro-rang"]);
        assert_eq!(q.items[1].text, "Bài giảng rõ ràng.");
        assert_eq!(q.comment, "Anh/chị có góp ý gì?");
        assert_eq!(q.item("ro-rang").map(|i| i.text.as_str()), Some("Bài giảng rõ ràng."));
    }

    #[test]
    fn texts_are_nfc() {
        // "ý" written as y + combining acute.
        let source = "comment = \"Gó\u{70}y\u{301}\"\n[[item]]\nid = \"a\"\ntext = \"y\u{301}\"\n";
        let q = parse(Path::new("f.toml"), source).unwrap();
        assert_eq!(q.items[0].text, "ý");
    }

    #[test]
    fn unknown_key_has_its_line() {
        let source = format!("{GOOD}scale = 7\n");
        let p = problems(&source);
        assert_eq!(p.len(), 1);
        assert!(p[0].starts_with("f.toml:10: unknown field `scale`"), "{p:?}");
        let source = GOOD.replace("text = \"Bài", "label = \"x\"\ntext = \"Bài");
        assert!(problems(&source)[0].starts_with("f.toml:9:"), "{:?}", problems(&source));
    }

    #[test]
    fn empty_texts_and_missing_keys_are_reported_with_lines() {
        let source = GOOD.replace("Bài giảng rõ ràng.", "  ");
        assert_eq!(problems(&source), ["f.toml:9: the text is empty"]);
        let source = GOOD.replace("id = \"phu-hop\"\n", "");
        assert_eq!(problems(&source), ["f.toml:3: [[item]] has no id: add e.g. id = \"phu-hop\""]);
        let source = GOOD.replace("comment = \"Anh/chị có góp ý gì?\"\n", "");
        assert!(problems(&source)[0].contains("no free-text question"), "{:?}", problems(&source));
    }

    #[test]
    fn duplicate_and_invalid_ids_are_reported() {
        let source = GOOD.replace("ro-rang", "phu-hop");
        assert_eq!(problems(&source), ["f.toml:8: item id `phu-hop` is used twice (first on line 4)"]);
        let source = GOOD.replace("ro-rang", "Rõ Ràng");
        assert!(problems(&source)[0].starts_with("f.toml:8: `Rõ Ràng` is not a valid item id"));
    }

    #[test]
    fn at_least_one_and_at_most_fifteen_items() {
        assert_eq!(
            problems("comment = \"x\"\n"),
            ["f.toml:1: the questionnaire has no [[item]]: add at least one statement to rate"]
        );
        let mut source = "comment = \"x\"\n".to_string();
        for i in 0..=MAX_ITEMS {
            source.push_str(&format!("[[item]]\nid = \"i{i}\"\ntext = \"t\"\n"));
        }
        // The 16th item starts on line 2 + 15 × 3.
        assert_eq!(problems(&source), ["f.toml:47: the questionnaire has 16 items; the limit is 15"]);
    }

    #[test]
    fn two_free_text_questions_are_refused() {
        let source = format!("comment = \"again\"\n{GOOD}");
        let p = problems(&source);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].starts_with("f.toml:"), "{p:?}");
    }

    #[test]
    fn too_long_text_is_refused() {
        let long = "a".repeat(MAX_TEXT_CHARS + 1);
        let source = GOOD.replace("Bài giảng rõ ràng.", &long);
        assert!(problems(&source)[0].starts_with("f.toml:9: the text has 301 characters"));
    }
}
