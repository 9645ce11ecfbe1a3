//! The quiz statistics of #19 as the trainers' page, the JSON API and the export show them: the analysis of
//! `assessment::statistics` joined with the current bank, so that each question has its text, its kind, its
//! options' texts and the file and line where the trainer fixes it. Questions in the bank's order (the
//! file's), then those no longer in it; options in the bank's order, every one counted (0 when nobody
//! picked it).

use daotao_content::course::{Course, Quiz};
use daotao_content::quiz::{Kind, Question};
use sea_orm::ConnectionTrait;

use crate::assessment::statistics::read::{self, Filter, ReadError};
use crate::assessment::statistics::{self, Flag, OptionCount, QuestionStatistics, QuizStatistics};

/// Longest question text shown, in characters (the whole text is in the file the row links to).
pub const STEM_CHARS: usize = 160;

/// The page, the JSON and the export of one quiz's statistics.
#[derive(Debug, Clone, PartialEq)]
pub struct QuizStatisticsView {
    pub quiz: QuizStatistics,
    pub questions: Vec<QuestionView>,
}

/// One question's figures with what the trainer needs to find and fix it.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionView {
    /// The bank id (or `~` and a hash of its text for a question no longer in the bank).
    pub id: String,
    /// Plain text, at most [`STEM_CHARS`] characters; empty when the question is no longer in the bank.
    pub stem: String,
    /// `single`, `multiple`, `true_false`, `short`, `numerical`, `matching`; `None` when no longer in the bank.
    pub kind: Option<&'static str>,
    pub source: Option<Source>,
    pub figures: QuestionStatistics,
    /// Choice questions: every option with its count, in the bank's order.
    pub options: Vec<OptionView>,
    pub flags: Vec<FlagView>,
}

/// Where a question is written: the file relative to the courses folder, and its 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// `{course}/quiz/{file}`, with `/` separators.
    pub file: String,
    pub line: usize,
}

impl Source {
    /// The question in the courses' repository, when its web address (`course_source_url`) is configured.
    pub fn link(&self, base: Option<&str>) -> Option<String> {
        base.map(|base| format!("{}/{}#L{}", base.trim_end_matches('/'), self.file, self.line))
    }

    /// The path and line as a trainer types them in an editor: `courses/{course}/quiz/{file}:{line}`.
    pub fn text(&self) -> String {
        format!("courses/{}:{}", self.file, self.line)
    }
}

/// An option of a choice question and how often it was picked.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionView {
    pub id: String,
    /// Plain text; `None` for a true/false question's two answers (`true`, `false`), which a page words in
    /// its language, and for an option no longer in the bank.
    pub text: Option<String>,
    pub picked: usize,
    pub right: bool,
}

/// A reason for review, with the text of the option a likely wrong key names.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagView {
    pub flag: Flag,
    pub option: Option<OptionView>,
}

/// Reads and analyses the attempts of `quiz` in `course` that `filter` keeps, and joins the result with
/// the current bank.
pub async fn load(
    db: &impl ConnectionTrait,
    course: &Course,
    quiz: &Quiz,
    filter: &Filter,
) -> Result<QuizStatisticsView, ReadError> {
    let attempts = read::attempts(db, &course.id, quiz, filter).await?;
    Ok(view(course, quiz, statistics::analyse(&attempts)))
}

/// Joins an analysis with the bank of `quiz`.
pub fn view(course: &Course, quiz: &Quiz, analysis: statistics::Analysis) -> QuizStatisticsView {
    let file = quiz.file.strip_prefix(&course.dir).unwrap_or(&quiz.file);
    let file = format!(
        "{}/{}",
        course.id,
        file.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
    );
    let position = |id: &str| quiz.questions.iter().position(|q| q.id == id).unwrap_or(usize::MAX);
    let mut figures = analysis.questions;
    figures.sort_by_key(|q| position(&q.id));
    let questions = figures
        .into_iter()
        .map(|figures| {
            let bank = quiz.questions.iter().find(|q| q.id == figures.id);
            question_view(bank, &file, figures)
        })
        .collect();
    QuizStatisticsView { quiz: analysis.quiz, questions }
}

fn question_view(bank: Option<&Question>, file: &str, figures: QuestionStatistics) -> QuestionView {
    let options = options(bank, &figures.options);
    let flags = figures
        .flags
        .iter()
        .map(|flag| FlagView {
            option: match flag {
                Flag::LikelyWrongKey { option } => options.iter().find(|o| &o.id == option).cloned(),
                _ => None,
            },
            flag: flag.clone(),
        })
        .collect();
    QuestionView {
        id: figures.id.clone(),
        stem: bank.map(|q| short(&plain_text(&q.stem_html))).unwrap_or_default(),
        kind: bank.map(|q| kind_name(&q.kind)),
        source: bank.map(|q| Source { file: file.to_owned(), line: q.line }),
        options,
        flags,
        figures,
    }
}

/// The bank's options in its order, each with its count; then options counted that the bank no longer has.
fn options(bank: Option<&Question>, counts: &[OptionCount]) -> Vec<OptionView> {
    let count = |id: &str| counts.iter().find(|c| c.id == id);
    let single = matches!(bank.map(|q| &q.kind), Some(Kind::Single { .. }));
    let mut shown: Vec<OptionView> = match bank.map(|q| &q.kind) {
        Some(Kind::Single { options } | Kind::Multiple { options, .. }) => options
            .iter()
            .map(|o| OptionView {
                id: o.id.clone(),
                text: Some(short(&plain_text(&o.html))),
                picked: count(&o.id).map_or(0, |c| c.picked),
                // As the attempts keyed it; an option never shown is keyed as the bank keys it now.
                right: count(&o.id)
                    .map_or(if single { o.weight >= 1.0 } else { o.weight > 0.0 }, |c| c.right),
            })
            .collect(),
        Some(Kind::TrueFalse { answer, .. }) => ["true", "false"]
            .iter()
            .map(|id| OptionView {
                id: (*id).to_owned(),
                text: None,
                picked: count(id).map_or(0, |c| c.picked),
                right: (*id == "true") == *answer,
            })
            .collect(),
        _ => Vec::new(),
    };
    for c in counts {
        if !shown.iter().any(|o| o.id == c.id) {
            shown.push(OptionView { id: c.id.clone(), text: None, picked: c.picked, right: c.right });
        }
    }
    shown
}

fn kind_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::Single { .. } => "single",
        Kind::Multiple { .. } => "multiple",
        Kind::TrueFalse { .. } => "true_false",
        Kind::Short { .. } => "short",
        Kind::Numerical { .. } => "numerical",
        Kind::Matching { .. } => "matching",
    }
}

/// The text of sanitised HTML: tags dropped, the entities the sanitiser writes decoded, spaces collapsed.
pub fn plain_text(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    let decoded = text
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&");
    decoded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most [`STEM_CHARS`] characters, cut at a word with `…` when longer.
fn short(text: &str) -> String {
    if text.chars().count() <= STEM_CHARS {
        return text.to_owned();
    }
    let cut: String = text.chars().take(STEM_CHARS - 1).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_short_plain_text() {
        assert_eq!(
            plain_text("<p>Mật khẩu <code>P@ss</code> &amp; mã &lt;OTP&gt;</p>\n"),
            "Mật khẩu P@ss & mã <OTP>"
        );
        let long = "từ ".repeat(100);
        let cut = short(long.trim());
        assert!(cut.chars().count() <= STEM_CHARS && cut.ends_with("từ…"), "{cut}");
    }

    #[test]
    fn a_source_links_to_its_line_or_reads_as_a_path() {
        let source = Source { file: "kiem-tra/quiz/cuoi-khoa.md".into(), line: 12 };
        assert_eq!(source.text(), "courses/kiem-tra/quiz/cuoi-khoa.md:12");
        assert_eq!(
            source.link(Some("https://git.example.vn/daotao/courses/-/blob/main/courses/")).as_deref(),
            Some("https://git.example.vn/daotao/courses/-/blob/main/courses/kiem-tra/quiz/cuoi-khoa.md#L12")
        );
        assert_eq!(source.link(None), None);
    }
}
