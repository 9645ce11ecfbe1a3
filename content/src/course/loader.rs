//! Reads a course library from disk and validates it, collecting every
//! problem (with file and line) instead of stopping at the first.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::competency::{self, Competency};
use super::feedback::{self, FEEDBACK_FILE};
use super::frontmatter;
use super::ids::{is_valid_id, lesson_id};
use super::problem::{Problem, line_of};
use super::references::{REFERENCES_FILE, References};
use super::render::{MAX_SOURCE_BYTES, render_lesson};
use super::{Course, CourseMeta, Lesson, Library, Quiz, QuizFormat, QuizSettings};
use crate::quiz;
use crate::text::nfc;

/// Lesson ids the site uses for a course's own pages (`/courses/{course}/learners`, ...).
pub const RESERVED_LESSON_IDS: &[&str] =
    &["assets", "enrol", "learners", "quizzes", "attempts", "certificate", "feedback"];

/// The framework file at the root of the library.
pub const COMPETENCIES_FILE: &str = "competencies.toml";

/// Loads every course under `root`, then the programmes that list them. Broken courses and programmes are
/// left out and their problems listed; every other one is loaded.
pub fn load_library(root: &Path) -> Library {
    let mut library = Library { root: root.to_path_buf(), ..Library::default() };
    let competencies = match load_competencies(root) {
        Ok(list) => list,
        Err(problems) => {
            library.problems.extend(problems);
            Vec::new()
        }
    };
    let (references, problems) = References::load(root);
    library.problems.extend(problems);
    let entries = match std::fs::read_dir(root) {
        Ok(entries) => entries,
        Err(e) => {
            library.problems.push(Problem::file(root, format!("cannot read the course folder: {e}")));
            return library;
        }
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .filter(|p| !is_hidden(p))
        .collect();
    dirs.sort();
    for dir in dirs {
        let id = file_name(&dir);
        match load_course_with(&dir, &id, &competencies, &references) {
            Ok(course) => {
                library.courses.insert(id, Arc::new(course));
            }
            Err(problems) => library.problems.extend(problems),
        }
    }
    library.competencies = competencies;
    let (programmes, problems) = crate::programme::load(root, &library.courses);
    library.programmes = programmes;
    library.problems.extend(problems);
    match feedback::load(&root.join(FEEDBACK_FILE)) {
        Ok(questionnaire) => library.feedback = questionnaire.map(Arc::new),
        Err(problems) => library.problems.extend(problems),
    }
    library
}

/// Reads `competencies.toml`; a library without one has an empty framework.
pub fn load_competencies(root: &Path) -> Result<Vec<Competency>, Vec<Problem>> {
    let path = root.join(COMPETENCIES_FILE);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let source = read_text(&path).map_err(|p| vec![p])?;
    competency::parse(&path, &source)
}

/// Loads and validates one course folder whose id is `id`, with the shared footnotes of the library it is in
/// (`references.md` beside it; its problems are the library's, reported by [`load_library`]).
pub fn load_course(dir: &Path, id: &str, competencies: &[Competency]) -> Result<Course, Vec<Problem>> {
    let references = dir.parent().map(|root| References::load(root).0).unwrap_or_default();
    load_course_with(dir, id, competencies, &references)
}

fn load_course_with(
    dir: &Path,
    id: &str,
    competencies: &[Competency],
    references: &References,
) -> Result<Course, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut hasher = Sha256::new();
    if !is_valid_id(id) {
        problems.push(Problem::file(
            dir,
            format!("`{id}` is not a valid course id: use lowercase ASCII letters, digits and hyphens, e.g. `an-toan-thong-tin`"),
        ));
        return Err(problems);
    }
    let meta_path = dir.join("course.toml");
    let meta = match read_text(&meta_path) {
        Ok(source) => {
            hash_file(&mut hasher, "course.toml", source.as_bytes());
            parse_meta(&meta_path, &source, competencies, &mut problems)
        }
        Err(_) if !meta_path.exists() => {
            problems.push(Problem::file(
                dir,
                "no course.toml: every course folder needs one (see docs/authoring.md)",
            ));
            None
        }
        Err(problem) => {
            problems.push(problem);
            None
        }
    };
    let assets = load_assets(dir, &mut hasher, &mut problems);
    let lessons = load_lessons(dir, &assets, references, &mut hasher, &mut problems);
    let quizzes = load_quizzes(dir, &mut hasher, &mut problems);
    let feedback_path = dir.join(FEEDBACK_FILE);
    let feedback = match feedback::load(&feedback_path) {
        Ok(questionnaire) => {
            if questionnaire.is_some() {
                hash_file(&mut hasher, FEEDBACK_FILE, &std::fs::read(&feedback_path).unwrap_or_default());
            }
            questionnaire.map(Arc::new)
        }
        Err(found) => {
            problems.extend(found);
            None
        }
    };

    if let Some(meta) = &meta
        && let Some(quiz) = &meta.completion.quiz
        && !quizzes.iter().any(|q| q.id == *quiz.get_ref())
    {
        let source = std::fs::read_to_string(&meta_path).unwrap_or_default();
        problems.push(Problem::at(
            &meta_path,
            line_of(&source, quiz.span().start),
            format!(
                "completion.quiz names `{0}`, but there is no quiz/{0}.md or quiz/{0}.gift",
                quiz.get_ref()
            ),
        ));
    }
    if lessons.is_empty() && problems.is_empty() {
        problems.push(Problem::file(dir, "the course has no lessons: add a file such as 01-gioi-thieu.md"));
    }
    match meta {
        Some(meta) if problems.is_empty() => Ok(Course {
            id: id.to_string(),
            dir: dir.to_path_buf(),
            meta,
            lessons,
            quizzes,
            assets,
            feedback,
            content_hash: hex(hasher.finalize()),
        }),
        _ => Err(problems),
    }
}

fn parse_meta(
    path: &Path,
    source: &str,
    competencies: &[Competency],
    problems: &mut Vec<Problem>,
) -> Option<CourseMeta> {
    let meta: CourseMeta = match toml::from_str(source) {
        Ok(meta) => meta,
        Err(e) => {
            problems.push(Problem::toml(path, source, 1, &e));
            return None;
        }
    };
    let before = problems.len();
    if meta.title.trim().is_empty() {
        problems.push(Problem::at(path, 1, "title is empty"));
    }
    if meta.completion.lessons.get_ref() != "all" {
        problems.push(Problem::at(
            path,
            line_of(source, meta.completion.lessons.span().start),
            format!("completion.lessons must be \"all\", not \"{}\"", meta.completion.lessons.get_ref()),
        ));
    }
    for award in &meta.competencies {
        let line = line_of(source, award.span().start);
        let award = award.get_ref();
        match competencies.iter().find(|c| c.code == award.code) {
            None => problems.push(Problem::at(
                path,
                line,
                format!("unknown competency `{}`: it is not defined in {COMPETENCIES_FILE}", award.code),
            )),
            Some(c) if award.level == 0 || award.level as usize > c.levels.len() => {
                problems.push(Problem::at(
                    path,
                    line,
                    format!(
                        "competency `{}` has levels 1 to {}, not {}",
                        award.code,
                        c.levels.len(),
                        award.level
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    (problems.len() == before).then_some(meta)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LessonFrontMatter {
    title: Option<String>,
    minutes: Option<u32>,
}

fn load_lessons(
    dir: &Path,
    assets: &BTreeSet<String>,
    references: &References,
    hasher: &mut Sha256,
    problems: &mut Vec<Problem>,
) -> Vec<Lesson> {
    let mut lessons: Vec<Lesson> = Vec::new();
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    for path in sorted_files(dir, problems) {
        let name = file_name(&path);
        if !name.ends_with(".md") || name.eq_ignore_ascii_case("readme.md") {
            continue;
        }
        let Some((_, id)) = lesson_id(&name) else {
            problems.push(Problem::file(
                &path,
                "a lesson file name starts with its order number, e.g. 01-gioi-thieu.md",
            ));
            continue;
        };
        if !is_valid_id(id) {
            problems.push(Problem::file(
                &path,
                format!("`{id}` is not a valid lesson id: use lowercase ASCII letters, digits and hyphens"),
            ));
            continue;
        }
        if RESERVED_LESSON_IDS.contains(&id) {
            problems.push(Problem::file(
                &path,
                format!("`{id}` is reserved for the course's own pages: choose another lesson file name"),
            ));
            continue;
        }
        if let Some(other) = seen.insert(id.to_string(), path.clone()) {
            problems.push(Problem::file(
                &path,
                format!("duplicate lesson id `{id}`: {} has the same id", other.display()),
            ));
            continue;
        }
        let source = match read_text(&path) {
            Ok(s) => s,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        hash_file(hasher, &name, source.as_bytes());
        if let Some(lesson) = load_lesson(&path, id, &source, assets, references, problems) {
            // The shared footnotes it cites are part of what the course shows.
            if !lesson.shared_footnotes.is_empty() {
                hash_file(hasher, REFERENCES_FILE, lesson.shared_footnotes.as_bytes());
            }
            lessons.push(lesson.lesson);
        }
    }
    lessons
}

/// A lesson and the text of the shared footnotes it cites.
struct LoadedLesson {
    lesson: Lesson,
    shared_footnotes: String,
}

fn load_lesson(
    path: &Path,
    id: &str,
    source: &str,
    assets: &BTreeSet<String>,
    references: &References,
    problems: &mut Vec<Problem>,
) -> Option<LoadedLesson> {
    let source = nfc(source);
    let Ok(split) = frontmatter::split(&source) else {
        problems.push(Problem::at(path, 1, "front matter opened with +++ is never closed by a +++ line"));
        return None;
    };
    let front: LessonFrontMatter = match toml::from_str(split.front_matter) {
        Ok(f) => f,
        Err(e) => {
            problems.push(Problem::toml(path, split.front_matter, split.front_matter_line, &e));
            return None;
        }
    };
    let lesson = render_lesson(split.body, split.body_line, references);
    let before = problems.len();
    for (label, line) in &lesson.unknown {
        problems.push(Problem::at(
            path,
            *line,
            format!(
                "footnote [^{label}] is defined neither in this lesson nor in {REFERENCES_FILE}: add `[^{label}]: ...` \
                 at the end of the lesson or to courses/{REFERENCES_FILE}, or correct the label"
            ),
        ));
    }
    let shared_footnotes = lesson.shared.join("\n\n");
    let rendered = lesson.rendered;
    for link in &rendered.links {
        if !assets.contains(&link.target) {
            problems.push(Problem::at(
                path,
                link.line,
                format!(
                    "links to assets/{}, which does not exist in the course's assets folder",
                    link.target
                ),
            ));
        }
    }
    let (title, title_in_body) = match (front.title, rendered.first_h1) {
        (Some(t), _) if !t.trim().is_empty() => (t.trim().to_string(), false),
        (_, Some(h1)) => (h1, true),
        _ => {
            problems.push(Problem::at(
                path,
                1,
                "the lesson has no title: add `title = \"...\"` in a +++ front matter block, or a `# heading`",
            ));
            return None;
        }
    };
    (problems.len() == before).then(|| LoadedLesson {
        lesson: Lesson {
            id: id.to_string(),
            file: path.to_path_buf(),
            title,
            minutes: front.minutes,
            title_in_body,
            html: rendered.html,
            toc: rendered.toc,
            text: rendered.text,
            content_hash: hex(Sha256::digest(format!("{source}{shared_footnotes}").as_bytes())),
        },
        shared_footnotes,
    })
}

fn load_quizzes(dir: &Path, hasher: &mut Sha256, problems: &mut Vec<Problem>) -> Vec<Quiz> {
    let quiz_dir = dir.join("quiz");
    if !quiz_dir.is_dir() {
        return Vec::new();
    }
    let files = sorted_files(&quiz_dir, problems);
    let mut quizzes: Vec<Quiz> = Vec::new();
    for path in &files {
        let name = file_name(path);
        let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, ""));
        let Some(format) = quiz_format(&quiz_dir, path, stem, ext, problems) else { continue };
        if !is_valid_id(stem) {
            problems.push(Problem::file(
                path,
                format!("`{stem}` is not a valid quiz id: use lowercase ASCII letters, digits and hyphens"),
            ));
            continue;
        }
        if quizzes.iter().any(|q| q.id == stem) {
            problems.push(Problem::file(path, format!("duplicate quiz id `{stem}`")));
            continue;
        }
        let source = match read_text(path) {
            Ok(s) => s,
            Err(p) => {
                problems.push(p);
                continue;
            }
        };
        hash_file(hasher, &format!("quiz/{name}"), source.as_bytes());
        let Some(parts) = quiz_parts(format, &quiz_dir, path, stem, &source, hasher, problems) else {
            continue;
        };
        quizzes.extend(parse_quiz(stem, path, format, &source, &parts, problems));
    }
    quizzes
}

/// The format of a file under `quiz/`, by its extension; `None` for a `.toml` (the settings of a `.gift`, read
/// with it) and for anything else, reported as a problem.
fn quiz_format(
    quiz_dir: &Path,
    path: &Path,
    stem: &str,
    ext: &str,
    problems: &mut Vec<Problem>,
) -> Option<QuizFormat> {
    match ext {
        "md" => Some(QuizFormat::Markdown),
        "gift" => Some(QuizFormat::Gift),
        "toml" => {
            if !quiz_dir.join(format!("{stem}.gift")).exists() {
                problems.push(Problem::file(
                    path,
                    format!("settings file without a quiz: there is no quiz/{stem}.gift beside it"),
                ));
            }
            None
        }
        _ => {
            problems.push(Problem::file(path, "a quiz file is quiz/<id>.md or quiz/<id>.gift"));
            None
        }
    }
}

/// A quiz file split into its settings (wherever they are written) and its questions.
struct QuizParts<'a> {
    /// The markdown quiz itself, or the `.toml` beside a `.gift`: where settings problems are reported.
    settings_path: PathBuf,
    settings: String,
    /// 1-based line of `settings_path` where the settings start.
    settings_line: usize,
    body: &'a str,
    /// 1-based line of the quiz file where `body` starts.
    body_line: usize,
}

/// Splits a markdown quiz at its front matter, or reads the settings beside a GIFT quiz (none: the defaults).
fn quiz_parts<'a>(
    format: QuizFormat,
    quiz_dir: &Path,
    path: &Path,
    stem: &str,
    source: &'a str,
    hasher: &mut Sha256,
    problems: &mut Vec<Problem>,
) -> Option<QuizParts<'a>> {
    match format {
        QuizFormat::Markdown => match frontmatter::split(source) {
            Ok(split) => Some(QuizParts {
                settings_path: path.to_path_buf(),
                settings: split.front_matter.to_string(),
                settings_line: split.front_matter_line,
                body: split.body,
                body_line: split.body_line,
            }),
            Err(_) => {
                problems.push(Problem::at(
                    path,
                    1,
                    "front matter opened with +++ is never closed by a +++ line",
                ));
                None
            }
        },
        QuizFormat::Gift => {
            let toml_path = quiz_dir.join(format!("{stem}.toml"));
            let settings = if toml_path.exists() {
                match read_text(&toml_path) {
                    Ok(s) => {
                        hash_file(hasher, &format!("quiz/{stem}.toml"), s.as_bytes());
                        s
                    }
                    Err(p) => {
                        problems.push(p);
                        return None;
                    }
                }
            } else {
                String::new()
            };
            Some(QuizParts {
                settings_path: toml_path,
                settings,
                settings_line: 1,
                body: source,
                body_line: 1,
            })
        }
    }
}

/// The quiz of `parts`, or `None` with every problem of its settings and questions reported (broken settings
/// do not stop the questions from being checked: `check` lists every problem at once).
fn parse_quiz(
    stem: &str,
    path: &Path,
    format: QuizFormat,
    source: &str,
    parts: &QuizParts,
    problems: &mut Vec<Problem>,
) -> Option<Quiz> {
    let settings = quiz_settings(parts, problems);
    let partial_credit = settings.as_ref().is_some_and(|s| s.partial_credit);
    let parsed = match format {
        QuizFormat::Markdown => quiz::markdown::parse(parts.body, parts.body_line, partial_credit)
            .map(|questions| quiz::gift::Bank { questions, warnings: Vec::new() }),
        QuizFormat::Gift => quiz::gift::parse_bank(parts.body),
    };
    let (questions, warnings) = match parsed {
        Ok(bank) => (bank.questions, bank.warnings),
        Err(errors) => {
            problems.extend(errors.into_iter().map(|e| Problem::at(path, e.line, e.message)));
            return None;
        }
    };
    let settings = settings?;
    if settings.draw as usize > questions.len() {
        problems.push(Problem::at(
            &parts.settings_path,
            parts.settings_line,
            format!("draw = {} but the quiz has only {} questions", settings.draw, questions.len()),
        ));
        return None;
    }
    let per_group = quiz::draw::check_per_group(&questions, &settings);
    if !per_group.is_empty() {
        problems.extend(
            per_group
                .into_iter()
                .map(|(place, message)| draw_problem(path, parts, &settings, place, message)),
        );
        return None;
    }
    let mut warnings: Vec<Problem> =
        warnings.into_iter().map(|w| Problem::at(path, w.line, w.message)).collect();
    warnings.extend(quiz::length_cue::warning(&questions).map(|message| Problem::file(path, message)));
    Some(Quiz {
        id: stem.to_string(),
        questions: Arc::new(questions),
        file: path.to_path_buf(),
        title: nfc(settings.title.as_deref().unwrap_or(stem)),
        format,
        settings,
        content_hash: hex(Sha256::digest(source.as_bytes())),
        warnings,
    })
}

/// A `draw_per_group` problem at its place: the setting's line, a table entry's line, `draw`'s line (in the
/// settings), or a question's line (in the quiz file).
fn draw_problem(
    path: &Path,
    parts: &QuizParts,
    settings: &QuizSettings,
    place: quiz::draw::Place,
    message: String,
) -> Problem {
    let text = parts.settings.as_str();
    let setting = settings.draw_per_group.as_ref().map_or(0, |s| s.span().start);
    let line = |offset: usize| line_of(text, offset) + parts.settings_line - 1;
    // The offset of the line that sets `key` (`draw = 10`), not one that only starts with it (`draw_per_group`).
    let key_line = |key: &str| {
        let mut offset = 0;
        for l in text.split_inclusive('\n') {
            if l.trim_start().strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('=')) {
                return Some(offset);
            }
            offset += l.len();
        }
        None
    };
    match place {
        quiz::draw::Place::Question(at) => Problem::at(path, at, message),
        quiz::draw::Place::Setting => Problem::at(&parts.settings_path, line(setting), message),
        quiz::draw::Place::Draw => {
            Problem::at(&parts.settings_path, line(key_line("draw").unwrap_or(0)), message)
        }
        quiz::draw::Place::Entry(name) => {
            let offset = text[setting..]
                .find(&format!("\"{name}\""))
                .or_else(|| text[setting..].find(&name))
                .map_or(setting, |i| setting + i);
            Problem::at(&parts.settings_path, line(offset), message)
        }
    }
}

/// A quiz's settings, or `None` with the problem reported.
fn quiz_settings(parts: &QuizParts, problems: &mut Vec<Problem>) -> Option<QuizSettings> {
    match toml::from_str::<QuizSettings>(&parts.settings) {
        Ok(s) if s.pass_percent > 100 => {
            problems.push(Problem::at(
                &parts.settings_path,
                parts.settings_line,
                format!("pass_percent is {}: it must be between 0 and 100", s.pass_percent),
            ));
            None
        }
        Ok(s) => Some(s),
        Err(e) => {
            problems.push(Problem::toml(&parts.settings_path, &parts.settings, parts.settings_line, &e));
            None
        }
    }
}

fn load_assets(dir: &Path, hasher: &mut Sha256, problems: &mut Vec<Problem>) -> BTreeSet<String> {
    let mut assets = BTreeSet::new();
    let mut stack = vec![dir.join("assets")];
    while let Some(folder) = stack.pop() {
        if !folder.is_dir() {
            continue;
        }
        for path in sorted_entries(&folder, problems) {
            // Symlinks are never followed, so nothing outside the course can be served.
            let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                let Ok(relative) = path.strip_prefix(dir.join("assets")) else { continue };
                let relative = relative.to_string_lossy().replace('\\', "/");
                match std::fs::read(&path) {
                    Ok(bytes) => hash_file(hasher, &format!("assets/{relative}"), &bytes),
                    Err(e) => {
                        problems.push(Problem::file(&path, format!("cannot read: {e}")));
                        continue;
                    }
                }
                assets.insert(relative);
            }
        }
    }
    assets
}

/// Reads a UTF-8 text file, refusing files too large to render safely.
fn read_text(path: &Path) -> Result<String, Problem> {
    let bytes = std::fs::read(path).map_err(|e| Problem::file(path, format!("cannot read: {e}")))?;
    if bytes.len() > MAX_SOURCE_BYTES {
        return Err(Problem::file(
            path,
            format!(
                "the file is {} KiB; the limit is {} KiB: split it into several lessons",
                bytes.len() / 1024,
                MAX_SOURCE_BYTES / 1024
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let line =
            line_of(&String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]), usize::MAX);
        Problem::at(path, line, "the file is not UTF-8 text: save it as UTF-8")
    })
}

fn sorted_entries(dir: &Path, problems: &mut Vec<Problem>) -> Vec<PathBuf> {
    match std::fs::read_dir(dir) {
        Ok(entries) => {
            let mut paths: Vec<PathBuf> =
                entries.filter_map(Result::ok).map(|e| e.path()).filter(|p| !is_hidden(p)).collect();
            paths.sort();
            paths
        }
        Err(e) => {
            problems.push(Problem::file(dir, format!("cannot read the folder: {e}")));
            Vec::new()
        }
    }
}

fn sorted_files(dir: &Path, problems: &mut Vec<Problem>) -> Vec<PathBuf> {
    sorted_entries(dir, problems).into_iter().filter(|p| p.is_file()).collect()
}

fn hash_file(hasher: &mut Sha256, name: &str, bytes: &[u8]) {
    hasher.update(name.as_bytes());
    hasher.update([0]);
    hasher.update((bytes.len() as u64).to_le_bytes());
    hasher.update(bytes);
}

fn hex(bytes: impl AsRef<[u8]>) -> String {
    bytes.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

fn is_hidden(path: &Path) -> bool {
    file_name(path).starts_with('.') || file_name(path).ends_with('~')
}
