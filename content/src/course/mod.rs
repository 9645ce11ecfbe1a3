//! The course library: trainers' markdown + TOML files turned into courses
//! (see DESIGN.md, "Course format"). Lessons are rendered once, at load time.
//! Files only: the database's catalog is synced from a [`Library`] by `daotao_core::learning::catalog`.

pub mod competency;
pub mod feedback;
pub mod frontmatter;
pub mod ids;
pub mod loader;
pub mod problem;
pub mod references;
pub mod render;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;

pub use competency::Competency;
pub use feedback::Questionnaire;
pub use loader::{load_course, load_library};
pub use problem::Problem;
pub use render::TocEntry;

/// Every course and programme that loaded without errors, and the problems of those that did not.
#[derive(Debug, Clone, Default)]
pub struct Library {
    pub root: PathBuf,
    pub competencies: Vec<Competency>,
    /// By course id, in id order.
    pub courses: BTreeMap<String, Arc<Course>>,
    /// From `programmes.toml`, in file order; each lists only courses in `courses`.
    pub programmes: Vec<crate::programme::Programme>,
    /// The library-wide `feedback.toml` (#19), asked of every course without its own.
    pub feedback: Option<Arc<Questionnaire>>,
    pub problems: Vec<Problem>,
}

impl Library {
    /// The programme `id` of `programmes.toml`, if the library has it.
    pub fn programme(&self, id: &str) -> Option<&crate::programme::Programme> {
        self.programmes.iter().find(|p| p.id == id)
    }

    /// The questionnaire a course asks after completion: its own, else the library's; `None`: no feedback.
    pub fn questionnaire<'a>(&'a self, course: &'a Course) -> Option<&'a Arc<Questionnaire>> {
        course.feedback.as_ref().or(self.feedback.as_ref())
    }
}

/// A course that passed validation.
#[derive(Debug, Clone)]
pub struct Course {
    pub id: String,
    pub dir: PathBuf,
    pub meta: CourseMeta,
    /// In file-name order.
    pub lessons: Vec<Lesson>,
    pub quizzes: Vec<Quiz>,
    /// Paths under `assets/`, with `/` separators.
    pub assets: BTreeSet<String>,
    /// The course's own `feedback.toml`, replacing the library's (see [`Library::questionnaire`]).
    pub feedback: Option<Arc<Questionnaire>>,
    /// SHA-256 over every file of the course, so the catalog sees any change.
    pub content_hash: String,
}

impl Course {
    pub fn lesson(&self, id: &str) -> Option<(usize, &Lesson)> {
        self.lessons.iter().enumerate().find(|(_, l)| l.id == id)
    }
}

/// `course.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseMeta {
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub audience: Vec<String>,
    #[serde(default)]
    pub hours: u32,
    #[serde(default)]
    pub self_enrol: bool,
    #[serde(default)]
    pub competencies: Vec<toml::Spanned<CompetencyAward>>,
    #[serde(default)]
    pub completion: Completion,
}

/// A competency a course awards on completion.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompetencyAward {
    pub code: String,
    pub level: u32,
}

/// What completing the course means.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Completion {
    #[serde(default = "all")]
    pub lessons: toml::Spanned<String>,
    #[serde(default)]
    pub quiz: Option<toml::Spanned<String>>,
}

impl Default for Completion {
    fn default() -> Self {
        Self { lessons: all(), quiz: None }
    }
}

fn all() -> toml::Spanned<String> {
    toml::Spanned::new(0..0, "all".to_string())
}

/// A lesson, already rendered to sanitised HTML.
#[derive(Debug, Clone)]
pub struct Lesson {
    pub id: String,
    pub file: PathBuf,
    pub title: String,
    /// Estimated reading time, from front matter.
    pub minutes: Option<u32>,
    /// True when the title is the body's first `# heading` (so pages do not print it twice).
    pub title_in_body: bool,
    pub html: String,
    pub toc: Vec<TocEntry>,
    /// Plain text, for search.
    pub text: String,
    pub content_hash: String,
}

/// A quiz that parsed without errors.
#[derive(Debug, Clone)]
pub struct Quiz {
    pub id: String,
    pub file: PathBuf,
    pub title: String,
    pub format: QuizFormat,
    pub settings: QuizSettings,
    /// The bank, with answer keys: never sent to a browser as-is (see `quiz::asked`).
    pub questions: Arc<Vec<crate::quiz::Question>>,
    pub content_hash: String,
    /// What the quiz file holds that is left out but does not stop the quiz (a GIFT essay question, a question
    /// written twice), and a bank whose right option is most often the longest (`quiz::length_cue`): `check`
    /// prints them, the quiz is served.
    pub warnings: Vec<Problem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuizFormat {
    Markdown,
    Gift,
}

/// A quiz's settings (markdown front matter, or `quiz/<slug>.toml` beside a `.gift`), with DESIGN.md's defaults.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QuizSettings {
    pub title: Option<String>,
    pub pass_percent: u32,
    pub attempts: u32,
    pub time_limit_minutes: u32,
    pub shuffle: bool,
    pub draw: u32,
    pub partial_credit: bool,
    /// How many questions each group gives an attempt (#19), so a draw covers every lesson: one number for
    /// every group, or a count per group name. With `draw` too, the rest up to `draw` comes from any group.
    pub draw_per_group: Option<toml::Spanned<DrawPerGroup>>,
}

/// `draw_per_group = 2`, or `draw_per_group = { "Mật khẩu" = 3, "Lừa đảo" = 2 }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum DrawPerGroup {
    Each(u32),
    /// By group name (a markdown quiz's `# ` heading, a GIFT `$CATEGORY:`); every group is listed.
    Counts(BTreeMap<String, u32>),
}

impl Default for QuizSettings {
    fn default() -> Self {
        Self {
            title: None,
            pass_percent: 80,
            attempts: 0,
            time_limit_minutes: 0,
            shuffle: false,
            draw: 0,
            partial_credit: false,
            draw_per_group: None,
        }
    }
}
