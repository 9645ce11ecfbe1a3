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
    /// Where it sits in the reference frameworks the file declares (#20: the national basic digital skills
    /// framework, DigComp), so a province can show how its training covers them.
    #[serde(default)]
    pub maps_to: Vec<FrameworkLink>,
}

/// A competency's place in a reference framework (`maps_to = [ { framework = "digcomp-3", areas = [4] } ]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrameworkLink {
    /// The `id` of a `[[framework]]` of the file.
    pub framework: String,
    /// Area numbers of that framework (1 = the first of its `areas`); none when the framework lists no areas.
    #[serde(default)]
    pub areas: Vec<u32>,
    /// What of the framework the competency covers, in the authors' words.
    #[serde(default)]
    pub note: String,
    /// The framework's `name`, filled in from its `[[framework]]`.
    #[serde(skip)]
    pub framework_name: String,
    /// The framework's `short_name` (its `name` when it has none), filled in from its `[[framework]]`: the
    /// learner's page repeats it under every competency, where a full title would fill a phone's screen.
    #[serde(skip)]
    pub framework_short_name: String,
    /// The names of `areas`, filled in from its `[[framework]]`.
    #[serde(skip)]
    pub area_names: Vec<String>,
}

/// A reference framework the competencies map to (`[[framework]]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct Framework {
    id: String,
    name: String,
    /// A short name for pages that repeat it once per competency; the full `name` is used when absent.
    #[serde(default)]
    short_name: Option<String>,
    /// The official page of the framework, where one was checked.
    #[serde(default)]
    url: Option<String>,
    /// Its areas or domains, in its own order and words; empty when only the framework as a whole is mapped.
    #[serde(default)]
    areas: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    framework: Vec<toml::Spanned<Framework>>,
    #[serde(default)]
    competency: Vec<toml::Spanned<Competency>>,
}

/// Parses the framework; every duplicate code or empty level list is a problem, and so is a `maps_to` naming a
/// framework the file does not declare or an area it does not have.
pub fn parse(path: &Path, source: &str) -> Result<Vec<Competency>, Vec<Problem>> {
    let file: File = toml::from_str(source).map_err(|e| vec![Problem::toml(path, source, 1, &e)])?;
    let mut problems = Vec::new();
    let frameworks = frameworks(path, source, file.framework, &mut problems);
    let mut list: Vec<Competency> = Vec::new();
    for spanned in file.competency {
        let line = super::problem::line_of(source, spanned.span().start);
        let mut competency = spanned.into_inner();
        link(path, line, &mut competency, &frameworks, &mut problems);
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

/// The declared frameworks, each id once, with the problems of each.
fn frameworks(
    path: &Path,
    source: &str,
    declared: Vec<toml::Spanned<Framework>>,
    problems: &mut Vec<Problem>,
) -> Vec<Framework> {
    let mut frameworks: Vec<(Framework, usize)> = Vec::new();
    for spanned in declared {
        let line = super::problem::line_of(source, spanned.span().start);
        let framework = spanned.into_inner();
        if let Some((_, first)) = frameworks.iter().find(|(f, _)| f.id == framework.id) {
            problems.push(Problem::at(
                path,
                line,
                format!("framework `{}` is declared twice: the first is on line {first}", framework.id),
            ));
            continue;
        }
        if framework.id.trim().is_empty() || framework.name.trim().is_empty() {
            problems.push(Problem::at(path, line, "a framework needs an `id` and a `name`"));
        }
        if framework.url.as_deref().is_some_and(|url| !url.starts_with("https://")) {
            problems.push(Problem::at(
                path,
                line,
                format!("framework `{}`: url must start with https://", framework.id),
            ));
        }
        frameworks.push((framework, line));
    }
    frameworks.into_iter().map(|(f, _)| f).collect()
}

/// Checks a competency's `maps_to` against the frameworks and fills in their names.
fn link(
    path: &Path,
    line: usize,
    competency: &mut Competency,
    frameworks: &[Framework],
    problems: &mut Vec<Problem>,
) {
    let code = competency.code.clone();
    let mut seen: Vec<String> = Vec::new();
    for link in &mut competency.maps_to {
        if seen.contains(&link.framework) {
            problems.push(Problem::at(
                path,
                line,
                format!(
                    "competency `{code}` maps to framework `{}` twice: list its areas once",
                    link.framework
                ),
            ));
        }
        seen.push(link.framework.clone());
        let Some(framework) = frameworks.iter().find(|f| f.id == link.framework) else {
            let known: Vec<&str> = frameworks.iter().map(|f| f.id.as_str()).collect();
            problems.push(Problem::at(
                path,
                line,
                format!(
                    "competency `{code}` maps to framework `{}`, which no [[framework]] declares (declared: {})",
                    link.framework,
                    if known.is_empty() { "none".to_string() } else { known.join(", ") }
                ),
            ));
            continue;
        };
        link.framework_name = framework.name.clone();
        link.framework_short_name = framework
            .short_name
            .clone()
            .filter(|short| !short.trim().is_empty())
            .unwrap_or_else(|| framework.name.clone());
        for &area in &link.areas {
            match framework.areas.get((area as usize).wrapping_sub(1)) {
                Some(name) => link.area_names.push(name.clone()),
                None if framework.areas.is_empty() => problems.push(Problem::at(
                    path,
                    line,
                    format!(
                        "competency `{code}` names area {area} of framework `{}`, which lists no areas",
                        framework.id
                    ),
                )),
                None => problems.push(Problem::at(
                    path,
                    line,
                    format!(
                        "competency `{code}`: framework `{}` has areas 1 to {}, not {area}",
                        framework.id,
                        framework.areas.len()
                    ),
                )),
            }
        }
    }
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
    fn maps_to_names_declared_frameworks_and_their_areas() {
        let frameworks = "[[framework]]\nid = \"digcomp-3\"\nname = \"DigComp 3.0\"\n\
                          url = \"https://joint-research-centre.ec.europa.eu/digcomp/digcomp-framework_en\"\n\
                          areas = [\"Information\", \"Communication\", \"Content\", \"Safety\", \"Problems\"]\n\
                          short_name = \"DigComp\"\n\n\
                          [[framework]]\nid = \"kns-757\"\nname = \"757/QĐ-BKHCN\"\n\n";
        let ok = format!(
            "{frameworks}[[competency]]\ncode = \"A.1\"\nname = \"n\"\narea = \"a\"\nlevels = [\"x\"]\n\
             maps_to = [ {{ framework = \"digcomp-3\", areas = [4, 2] }}, {{ framework = \"kns-757\", note = \"an toàn\" }} ]\n"
        );
        let list = parse(Path::new("c.toml"), &ok).unwrap();
        let links = &list[0].maps_to;
        assert_eq!(links[0].framework_name, "DigComp 3.0");
        assert_eq!(links[0].framework_short_name, "DigComp", "the short name where one is given");
        assert_eq!(links[1].framework_short_name, "757/QĐ-BKHCN", "else the full name");
        assert_eq!(links[0].area_names, ["Safety", "Communication"]);
        assert_eq!((links[1].framework_name.as_str(), links[1].note.as_str()), ("757/QĐ-BKHCN", "an toàn"));

        let bad = format!(
            "{frameworks}[[framework]]\nid = \"kns-757\"\nname = \"lặp\"\nurl = \"http://x\"\n\n\
             [[competency]]\ncode = \"B.1\"\nname = \"n\"\narea = \"a\"\nlevels = [\"x\"]\n\
             maps_to = [ {{ framework = \"digcomp\" }}, {{ framework = \"digcomp-3\", areas = [0, 6] }}, \
             {{ framework = \"kns-757\", areas = [1] }}, {{ framework = \"kns-757\" }} ]\n"
        );
        let problems: Vec<String> =
            parse(Path::new("c.toml"), &bad).unwrap_err().iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            [
                "c.toml:12: framework `kns-757` is declared twice: the first is on line 8",
                "c.toml:17: competency `B.1` maps to framework `digcomp`, which no [[framework]] declares \
                 (declared: digcomp-3, kns-757)",
                "c.toml:17: competency `B.1`: framework `digcomp-3` has areas 1 to 5, not 0",
                "c.toml:17: competency `B.1`: framework `digcomp-3` has areas 1 to 5, not 6",
                "c.toml:17: competency `B.1` names area 1 of framework `kns-757`, which lists no areas",
                "c.toml:17: competency `B.1` maps to framework `kns-757` twice: list its areas once",
            ]
        );
    }

    #[test]
    fn unknown_key_has_a_line() {
        let bad = "[[competency]]\ncode = \"A.1\"\nname = \"n\"\narea = \"a\"\nlevels = [\"x\"]\nlevel = 2\n";
        let problems = parse(Path::new("c.toml"), bad).unwrap_err();
        assert_eq!(problems[0].line, Some(6), "{}", problems[0]);
    }
}
