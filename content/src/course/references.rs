//! The library's shared footnotes (`courses/references.md`, #20): the laws and decrees many lessons cite, each
//! written once with the official address of its text, so a correction is made in one place. A lesson's
//! `[^label]` with no definition of its own takes the shared one (see `render::render_lesson`).

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{Event, Parser, Tag};

use super::problem::{Problem, line_of};
use super::render::{footnote_key, markdown_options};
use crate::text::nfc;

/// The shared footnotes' file at the root of the library.
pub const REFERENCES_FILE: &str = "references.md";

/// The shared footnote definitions of a library, by case-folded label.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct References {
    entries: BTreeMap<String, Reference>,
}

/// One shared footnote definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The label as written (`nd-45-2020`).
    pub label: String,
    /// The definition's markdown as written in the file, from `[^label]:` to its end, without trailing blank
    /// lines: appended to a lesson that cites it, so it renders exactly like a definition of the lesson's own.
    pub source: String,
    /// 1-based line of `references.md` where it starts.
    pub line: usize,
}

impl References {
    /// The definition for `label` (case-insensitive, as footnote labels match).
    pub fn get(&self, label: &str) -> Option<&Reference> {
        self.entries.get(&footnote_key(label))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The library's `references.md` with its problems; no file: no shared footnotes. Problems leave out the
    /// entries they are about and keep every other one, so one typo does not break every lesson.
    pub fn load(root: &Path) -> (Self, Vec<Problem>) {
        let path = root.join(REFERENCES_FILE);
        if !path.exists() {
            return (Self::default(), Vec::new());
        }
        match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(source) => parse(&path, &source),
                Err(_) => (
                    Self::default(),
                    vec![Problem::file(&path, "the file is not UTF-8 text: save it as UTF-8")],
                ),
            },
            Err(e) => (Self::default(), vec![Problem::file(&path, format!("cannot read: {e}"))]),
        }
    }
}

/// Reads a references file: footnote definitions, and headings or HTML comments for the trainers who keep it.
/// Anything else (a paragraph, a link definition `[x]: ...` missing its `^`, a footnote citing another, a link
/// into a course's `assets/`) is a problem at its line.
pub fn parse(path: &Path, source: &str) -> (References, Vec<Problem>) {
    let source = nfc(source);
    let mut references = References::default();
    let mut problems = Vec::new();
    let mut events = Parser::new_ext(&source, markdown_options()).into_offset_iter();
    // Depth inside the top-level block being read (0: between blocks), and the definition it is, if one.
    let mut depth = 0usize;
    let mut open: Option<(String, Range<usize>)> = None;
    for (event, range) in events.by_ref() {
        let line = line_of(&source, range.start);
        match &event {
            Event::FootnoteReference(label) => problems.push(Problem::at(
                path,
                line,
                format!("[^{label}]: a shared footnote cannot cite another footnote: write its text out"),
            )),
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. })
                if is_asset_link(dest_url) =>
            {
                problems.push(Problem::at(
                    path,
                    line,
                    format!(
                        "links to {dest_url}: a shared footnote cannot link into a course's assets folder"
                    ),
                ));
            }
            _ => {}
        }
        match event {
            Event::Start(tag) if depth == 0 => {
                depth = 1;
                match tag {
                    Tag::FootnoteDefinition(label) => open = Some((label.to_string(), range)),
                    Tag::Heading { .. } => {}
                    Tag::HtmlBlock if source[range].trim_start().starts_with("<!--") => {}
                    _ => problems.push(Problem::at(
                        path,
                        line,
                        "not a footnote definition: each entry starts with `[^label]: ` at the start of a line \
                         (headings and <!-- comments --> may sit between entries)",
                    )),
                }
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0
                    && let Some((label, range)) = open.take()
                {
                    add(&mut references, &mut problems, path, &source, label, range);
                }
            }
            Event::Rule => {}
            _ if depth == 0 => problems.push(Problem::at(
                path,
                line,
                "not a footnote definition: each entry starts with `[^label]: ` at the start of a line",
            )),
            _ => {}
        }
    }
    for (label, definition) in events.reference_definitions().iter() {
        problems.push(Problem::at(
            path,
            line_of(&source, definition.span.start),
            format!("[{label}]: is a link definition; a shared footnote is written `[^{label}]: ...`"),
        ));
    }
    problems.sort_by_key(|p| p.line);
    (references, problems)
}

fn add(
    references: &mut References,
    problems: &mut Vec<Problem>,
    path: &Path,
    source: &str,
    label: String,
    range: Range<usize>,
) {
    let line = line_of(source, range.start);
    let text = source[range].trim_end().to_string();
    let key = footnote_key(&label);
    if let Some(first) = references.entries.get(&key) {
        problems.push(Problem::at(
            path,
            line,
            format!("[^{label}] is defined twice: the first is on line {}", first.line),
        ));
        return;
    }
    let body = text.split_once("]:").map_or("", |(_, body)| body.trim());
    if body.is_empty() {
        problems.push(Problem::at(path, line, format!("[^{label}] has no text")));
        return;
    }
    references.entries.insert(key, Reference { label, source: text, line });
}

fn is_asset_link(dest: &str) -> bool {
    let rest = dest.strip_prefix("./").unwrap_or(dest);
    rest.starts_with("assets/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(source: &str) -> (References, Vec<String>) {
        let (references, problems) = parse(Path::new("references.md"), source);
        (references, problems.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn definitions_with_headings_comments_and_continuations() {
        let (references, problems) = parsed(
            "# Văn bản dùng chung\n\n<!-- Giữ theo thứ tự số hiệu. -->\n\n\
             [^ND-45-2020]: Nghị định số 45/2020/NĐ-CP, [toàn văn](https://vanban.chinhphu.vn/).\n\
             [^luat-91]: Luật số 91/2025/QH15,\n    có hiệu lực từ ngày 1/1/2026.\n\n---\n\n## Khác\n",
        );
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(references.len(), 2);
        let nd = references.get("nd-45-2020").unwrap();
        assert_eq!(nd.label, "ND-45-2020");
        assert_eq!(nd.line, 5);
        assert_eq!(
            nd.source,
            "[^ND-45-2020]: Nghị định số 45/2020/NĐ-CP, [toàn văn](https://vanban.chinhphu.vn/)."
        );
        let luat = references.get("LUAT-91").unwrap();
        assert_eq!(luat.source, "[^luat-91]: Luật số 91/2025/QH15,\n    có hiệu lực từ ngày 1/1/2026.");
        assert_eq!(luat.line, 6);
    }

    #[test]
    fn problems_have_their_lines_and_good_entries_are_kept() {
        let (references, problems) = parsed(
            "[^a]: Một.\n\n\
             Đoạn văn lạc.\n\n\
             [b]: https://vbpl.vn/\n\n\
             [^A]: Lặp lại.\n\n\
             [^c]: Xem [^a].\n\n\
             [^d]: ![hình](assets/x.svg)\n\n\
             - danh sách\n",
        );
        assert_eq!(
            problems,
            [
                "references.md:3: not a footnote definition: each entry starts with `[^label]: ` at the start of a \
                 line (headings and <!-- comments --> may sit between entries)",
                "references.md:5: [b]: is a link definition; a shared footnote is written `[^b]: ...`",
                "references.md:7: [^A] is defined twice: the first is on line 1",
                "references.md:9: [^a]: a shared footnote cannot cite another footnote: write its text out",
                "references.md:11: links to assets/x.svg: a shared footnote cannot link into a course's assets folder",
                "references.md:13: not a footnote definition: each entry starts with `[^label]: ` at the start of a \
                 line (headings and <!-- comments --> may sit between entries)",
            ]
        );
        assert_eq!(references.get("a").unwrap().source, "[^a]: Một.");
    }

    #[test]
    fn a_missing_file_is_an_empty_list() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(References::load(dir.path()), (References::default(), Vec::new()));
        std::fs::write(dir.path().join(REFERENCES_FILE), b"[^a]: \xff\n").unwrap();
        let (references, problems) = References::load(dir.path());
        assert!(references.is_empty());
        assert!(
            problems[0].to_string().ends_with("references.md: the file is not UTF-8 text: save it as UTF-8")
        );
    }
}
