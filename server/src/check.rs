//! `daotao-server check [DIR]`: every problem in a course library at once,
//! each as `file:line: explanation`; exit code 1 if there is any.

use std::collections::BTreeSet;
use std::path::Path;

use daotao_content::course::feedback::FEEDBACK_FILE;
use daotao_content::course::load_library;
use daotao_content::course::loader::COMPETENCIES_FILE;
use daotao_content::course::references::REFERENCES_FILE;
use daotao_content::programme::PROGRAMMES_FILE;

/// Prints the report to stdout and returns whether the library is clean.
pub fn run(dir: &Path, out: &mut impl std::io::Write) -> anyhow::Result<bool> {
    if !dir.is_dir() {
        anyhow::bail!("`{}` is not a folder", dir.display());
    }
    let library = load_library(dir);
    for problem in &library.problems {
        writeln!(out, "{problem}")?;
    }
    // Left out of a quiz that is served: said, but not a failure.
    for warning in library.courses.values().flat_map(|c| &c.quizzes).flat_map(|q| &q.warnings) {
        match warning.line {
            Some(line) => writeln!(out, "{}:{line}: warning: {}", warning.file.display(), warning.message)?,
            None => writeln!(out, "{}: warning: {}", warning.file.display(), warning.message)?,
        }
    }
    // The files at the top of the library are not courses.
    let broken: BTreeSet<_> = library
        .problems
        .iter()
        .filter_map(|p| p.file.strip_prefix(dir).ok()?.components().next())
        .filter(|c| {
            ![COMPETENCIES_FILE, PROGRAMMES_FILE, FEEDBACK_FILE, REFERENCES_FILE]
                .iter()
                .any(|f| Path::new(c.as_os_str()) == Path::new(f))
        })
        .collect();
    let lessons: usize = library.courses.values().map(|c| c.lessons.len()).sum();
    let quizzes: usize = library.courses.values().map(|c| c.quizzes.len()).sum();
    if library.problems.is_empty() {
        writeln!(
            out,
            "OK: {} courses, {lessons} lessons, {quizzes} quizzes, {} competencies, {} programmes",
            library.courses.len(),
            library.competencies.len(),
            library.programmes.len()
        )?;
    } else {
        writeln!(
            out,
            "{} problems in {} courses; {} courses OK, {} programmes OK",
            library.problems.len(),
            broken.len(),
            library.courses.len(),
            library.programmes.len()
        )?;
    }
    Ok(library.problems.is_empty())
}
