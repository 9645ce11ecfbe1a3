//! Moodle's GIFT format, so trainers can bring the question banks they already keep in Moodle.
//!
//! A file is a list of questions separated by blank lines. A question is an optional `::title::`, its text and
//! one answer block `{...}`; text after the block makes it a missing-word question. Whole lines starting with
//! `//` are comments and `$CATEGORY:` lines are ignored (a course's quiz is one category). `\~ \= \# \{ \} \:`
//! write those characters literally, `\n` a newline and `\\` a backslash. The kind of question follows from
//! the block, as in Moodle: `{T}`/`{F}` true/false, `{#3:0.5}` numerical, `{=a ~b}` choice, `{=a =b}` short
//! answer, `{=a -> b =c -> d}` matching. Essay and description questions cannot be graded and are errors.

use super::grade::{normalise_text, parse_number};
use super::{
    Choice, Kind, MAX_SOURCE_BYTES, NumericAnswer, Pair, ParseError, Question, TextAnswer, validate_bank,
};
use crate::course::render::{render_fragment, sanitize_html};
use crate::html::escape_into;
use crate::text::nfc;

/// What a missing-word question shows where its answer block was (as Moodle does).
const BLANK: &str = "_____";

/// A question's kind and answers as text, to tell apart questions that share their text.
fn signature(kind: &Kind) -> String {
    let mut out = super::asked::kind_name(kind).to_owned();
    let mut add = |part: String| {
        out.push('\u{0}');
        out.push_str(&part);
    };
    match kind {
        Kind::Single { options } | Kind::Multiple { options, .. } => {
            options.iter().for_each(|o| add(format!("{}\u{1}{}", o.html, o.weight)))
        }
        Kind::TrueFalse { answer, .. } => add(answer.to_string()),
        Kind::Short { answers } => answers.iter().for_each(|a| add(format!("{}\u{1}{}", a.text, a.weight))),
        Kind::Numerical { answers } => {
            answers.iter().for_each(|a| add(format!("{}\u{1}{}\u{1}{}", a.min, a.max, a.weight)))
        }
        Kind::Matching { pairs, distractors } => {
            pairs.iter().for_each(|p| add(format!("{}\u{1}{}", p.left_html, p.right)));
            distractors.iter().for_each(|d| add(d.clone()));
        }
    }
    out
}

/// What is said of an essay question: a warning, and the rest of the bank is served (as Moodle imports it,
/// less the question no one could grade).
const ESSAY: &str = "an essay question cannot be graded: it is left out, the other questions are served";

/// A parsed GIFT file: its questions, and what was left out of it with the reason (each a warning for `check`,
/// not an error: the rest of the bank is served).
#[derive(Debug, Clone, PartialEq)]
pub struct Bank {
    pub questions: Vec<Question>,
    pub warnings: Vec<ParseError>,
}

/// Parses a GIFT file into questions (bank ids, see below), or every error found, each with its 1-based line.
/// Warnings are dropped: see [`parse_bank`].
pub fn parse(source: &str) -> Result<Vec<Question>, Vec<ParseError>> {
    parse_bank(source).map(|bank| bank.questions)
}

/// Parses a GIFT file into its questions and warnings, or every error found, each with its 1-based line.
///
/// A question's id is the first 12 hex digits of the SHA-256 of its title and text (whitespace runs made one
/// space), so reordering or re-wrapping questions keeps their ids. Two different questions with the same title
/// and text (Moodle's examples ask "Who's buried in Grant's tomb?" as a choice and as a short answer) both take
/// an id that also hashes their kind and answers; a question written twice, answers and all, is kept once and
/// the copy reported. Choice and pair ids are `a`, `b`, ... in file order.
pub fn parse_bank(source: &str) -> Result<Bank, Vec<ParseError>> {
    if source.len() > MAX_SOURCE_BYTES {
        return Err(vec![ParseError::new(
            1,
            format!("the file is {} bytes; a quiz file may have at most {MAX_SOURCE_BYTES}", source.len()),
        )]);
    }
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let mut questions = Vec::new();
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for chunk in chunks(source, &mut errors) {
        match question(&chunk.lines) {
            Ok(mut q) => {
                q.group = chunk.group;
                if chunk.ignore_diacritics {
                    match &mut q.kind {
                        Kind::Short { answers } => {
                            answers.iter_mut().for_each(|a| a.ignore_diacritics = true)
                        }
                        _ => errors.push(ParseError::new(
                            q.line,
                            format!(
                                "`{}` is for questions answered by typing (`{{=answer}}`)",
                                super::IGNORE_DIACRITICS
                            ),
                        )),
                    }
                }
                questions.push(q)
            }
            Err(e) if matches!(e.as_slice(), [only] if only.message == ESSAY) => warnings.extend(e),
            Err(mut e) => errors.append(&mut e),
        }
    }
    distinct_ids(&mut questions, &mut warnings);
    // A file whose every question is broken has its errors; "no questions" would only add noise.
    if !questions.is_empty() || errors.is_empty() {
        errors.extend(validate_bank(&questions));
    }
    if errors.is_empty() {
        warnings.sort_by_key(|e| e.line);
        Ok(Bank { questions, warnings })
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

/// Gives questions that share a title and text ids that also hash their kind and answers; leaves out (with a
/// warning) a later copy of a question identical to an earlier one. Questions whose id is theirs alone keep it.
fn distinct_ids(questions: &mut Vec<Question>, warnings: &mut Vec<ParseError>) {
    let mut count = std::collections::HashMap::<String, usize>::new();
    for q in questions.iter() {
        *count.entry(q.id.clone()).or_default() += 1;
    }
    for q in questions.iter_mut().filter(|q| count[&q.id] > 1) {
        q.id = super::question_id(&format!("{}\u{0}{}", q.id, signature(&q.kind)));
    }
    let mut first = std::collections::HashMap::<String, usize>::new();
    questions.retain(|q| match first.get(&q.id) {
        Some(line) => {
            warnings.push(ParseError::new(
                q.line,
                format!("the same question, answers and all, as on line {line}: this copy is left out"),
            ));
            false
        }
        None => {
            first.insert(q.id.clone(), q.line);
            true
        }
    });
}

/// One question's lines (1-based line number, text), comment and category lines left out, with the group
/// and the option comments that apply to it.
struct Chunk<'a> {
    lines: Vec<(usize, &'a str)>,
    /// The path of the last `$CATEGORY:` line above it.
    group: Option<String>,
    /// `// daotao: ignore_diacritics`, on a comment line among the question's lines or just above them.
    ignore_diacritics: bool,
}

/// The questions of a file. Blank lines separate questions; a comment line does not (as in Moodle).
fn chunks<'a>(source: &'a str, errors: &mut Vec<ParseError>) -> Vec<Chunk<'a>> {
    let mut out = Vec::new();
    let mut group = None;
    let mut current = Vec::new();
    let mut ignore_diacritics = None;
    let end = |out: &mut Vec<Chunk<'a>>,
               errors: &mut Vec<ParseError>,
               current: &mut Vec<(usize, &'a str)>,
               ignore: &mut Option<usize>,
               group: &Option<String>| {
        if !current.is_empty() {
            out.push(Chunk {
                lines: std::mem::take(current),
                group: group.clone(),
                ignore_diacritics: ignore.take().is_some(),
            });
        } else if let Some(line) = ignore.take() {
            errors.push(ParseError::new(
                line,
                "an option comment applies to the question it is written in: no question follows it",
            ));
        }
    };
    for (i, line) in source.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let trimmed = line.trim();
        if trimmed.is_empty() {
            end(&mut out, errors, &mut current, &mut ignore_diacritics, &group);
        } else if let Some(comment) = trimmed.strip_prefix("//") {
            if let Some(words) = comment.trim().strip_prefix("daotao:").map(str::trim) {
                if words == super::IGNORE_DIACRITICS {
                    ignore_diacritics = Some(i + 1);
                } else {
                    errors.push(ParseError::new(
                        i + 1,
                        format!(
                            "unknown option `{words}`: the one a question may have is `{}`",
                            super::IGNORE_DIACRITICS
                        ),
                    ));
                }
            }
        } else if let Some(path) = trimmed.strip_prefix("$CATEGORY:") {
            end(&mut out, errors, &mut current, &mut ignore_diacritics, &group);
            group = category(path);
        } else {
            current.push((i + 1, line));
        }
    }
    end(&mut out, errors, &mut current, &mut ignore_diacritics, &group);
    out
}

/// The group of a `$CATEGORY:` path: Moodle's context (`$course$/`, `$system$/`, ...) and its `top/` left out,
/// so `$course$/top/Bài 1` is `Bài 1`; none when nothing is left.
fn category(path: &str) -> Option<String> {
    let mut path = path.trim();
    if path.starts_with('$')
        && let Some(end) = path[1..].find('$')
    {
        path = path[end + 2..].trim_start_matches('/');
    }
    let path = path.strip_prefix("top/").unwrap_or(if path == "top" { "" } else { path });
    Some(nfc(path.trim())).filter(|p| !p.is_empty())
}

/// One character of a question with escapes resolved: an escaped character is text, never syntax.
#[derive(Debug, Clone, Copy)]
struct Tok {
    c: char,
    escaped: bool,
    line: usize,
}

/// The characters of a question's lines, joined with newlines, escapes resolved. A backslash before any other
/// character stays a backslash, as in Moodle.
fn tokens(lines: &[(usize, &str)]) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut previous = None;
    for &(line, text) in lines {
        if let Some(previous) = previous {
            out.push(Tok { c: '\n', escaped: false, line: previous });
        }
        previous = Some(line);
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(Tok { c, escaped: false, line });
                continue;
            }
            let literal = match chars.peek() {
                Some(&n @ ('~' | '=' | '#' | '{' | '}' | ':' | '\\')) => Some(n),
                Some('n') => Some('\n'),
                _ => None,
            };
            if let Some(n) = literal {
                chars.next();
                out.push(Tok { c: n, escaped: true, line });
            } else {
                out.push(Tok { c: '\\', escaped: true, line });
            }
        }
    }
    out
}

/// Whether a token is the syntax character `c` (not escaped).
fn is(t: &Tok, c: char) -> bool {
    !t.escaped && t.c == c
}

fn find(toks: &[Tok], c: char) -> Option<usize> {
    toks.iter().position(|t| is(t, c))
}

fn text(toks: &[Tok]) -> String {
    toks.iter().map(|t| t.c).collect()
}

fn is_blank(toks: &[Tok]) -> bool {
    toks.iter().all(|t| t.c.is_whitespace())
}

fn trim_start(toks: &[Tok]) -> &[Tok] {
    let start = toks.iter().position(|t| !t.c.is_whitespace()).unwrap_or(toks.len());
    &toks[start..]
}

/// The line of the first visible character, else `fallback`.
fn first_line(toks: &[Tok], fallback: usize) -> usize {
    toks.iter().find(|t| !t.c.is_whitespace()).map_or(fallback, |t| t.line)
}

/// Where an unescaped `->` starts.
fn arrow(toks: &[Tok]) -> Option<usize> {
    toks.windows(2).position(|w| is(&w[0], '-') && is(&w[1], '>'))
}

/// How a piece of text is written: Moodle's `[moodle]`, `[html]`, `[plain]` and `[markdown]` tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    /// No tag or `[moodle]`: HTML, as Moodle takes it.
    Moodle,
    Html,
    /// Shown as typed: `<` is a character, not a tag.
    Plain,
    Markdown,
}

/// A leading format tag and the text after it; an unknown tag is text, as in Moodle.
fn split_format(text: &str, default: Format) -> (Format, &str) {
    let trimmed = text.trim_start();
    if let Some(rest) = trimmed.strip_prefix('[')
        && let Some(end) = rest.find(']')
    {
        let format = match rest[..end].to_ascii_lowercase().as_str() {
            "moodle" => Some(Format::Moodle),
            "html" => Some(Format::Html),
            "plain" => Some(Format::Plain),
            "markdown" => Some(Format::Markdown),
            _ => None,
        };
        if let Some(format) = format {
            return (format, &rest[end + 1..]);
        }
    }
    (default, text)
}

/// Sanitised HTML of a piece of text in its format.
fn render(format: Format, source: &str) -> String {
    let source = nfc(source.trim());
    match format {
        Format::Markdown => render_fragment(&source),
        Format::Moodle | Format::Html => sanitize_html(&source).trim().to_owned(),
        Format::Plain => {
            let mut html = String::with_capacity(source.len());
            escape_into(&mut html, &source);
            html
        }
    }
}

/// Rendered feedback (after a `#`), in its own format tag or the question's; none when blank.
fn feedback(toks: Option<&[Tok]>, default: Format) -> Option<String> {
    let source = text(toks?);
    let (format, source) = split_format(&source, default);
    if source.trim().is_empty() {
        return None;
    }
    Some(render(format, source)).filter(|html| !html.is_empty())
}

/// A question's id from its title and text, so it survives reordering and re-wrapping.
fn question_id(title: Option<&str>, stem: &str) -> String {
    match title {
        Some(title) => super::question_id(&format!("{title}\u{0}{stem}")),
        None => super::question_id(stem),
    }
}

/// Parses one question's lines; every error found in it, or the question.
fn question(lines: &[(usize, &str)]) -> Result<Question, Vec<ParseError>> {
    let line = lines[0].0;
    let toks = tokens(lines);
    let mut body = trim_start(&toks);

    let mut title = None;
    if body.len() >= 2 && is(&body[0], ':') && is(&body[1], ':') {
        let rest = &body[2..];
        let Some(end) = rest.windows(2).position(|w| is(&w[0], ':') && is(&w[1], ':')) else {
            return Err(vec![ParseError::new(
                line,
                "the title is not closed by `::` (write a literal colon as `\\:`)",
            )]);
        };
        title = Some(nfc(text(&rest[..end]).trim())).filter(|t| !t.is_empty());
        body = &rest[end + 2..];
    }

    let Some(open) = find(body, '{') else {
        return Err(vec![match find(body, '}') {
            Some(i) => ParseError::new(
                body[i].line,
                "`}` without its `{`: a blank line ends a question, so an answer block cannot contain one \
                 (write a literal brace as `\\}`)",
            ),
            None => ParseError::new(line, "a question needs an answer block `{...}`"),
        }]);
    };
    let mut errors = Vec::new();
    if let Some(i) = find(&body[..open], '}') {
        errors.push(ParseError::new(body[i].line, "`}` without its `{` (write a literal brace as `\\}`)"));
    }
    let close = match body[open + 1..].iter().position(|t| is(t, '{') || is(t, '}')).map(|i| open + 1 + i) {
        Some(i) if is(&body[i], '}') => i,
        Some(_) => {
            errors.push(ParseError::new(
                body[open].line,
                "the answer block `{` is not closed before the next `{` (write a literal brace as `\\{`)",
            ));
            return Err(errors);
        }
        None => {
            errors.push(ParseError::new(
                body[open].line,
                "the answer block `{` is not closed by `}` (a blank line ends a question)",
            ));
            return Err(errors);
        }
    };
    let after = &body[close + 1..];
    if let Some(i) = after.iter().position(|t| is(t, '{') || is(t, '}')) {
        errors.push(ParseError::new(
            after[i].line,
            "a question has one answer block (write a literal brace as `\\{` or `\\}`)",
        ));
    }

    let before = text(&body[..open]);
    let after = text(after);
    let stem = if after.trim().is_empty() { before } else { format!("{before}{BLANK}{after}") };
    let stem = nfc(&stem);
    let (format, stem) = split_format(&stem, Format::Moodle);
    let stem = stem.trim();
    if stem.is_empty() {
        errors.push(ParseError::new(line, "the question has no text"));
    }

    let block = &body[open + 1..close];
    let block_line = body[open].line;
    // Moodle takes the last `####` as the start of the general feedback.
    let general =
        (0..block.len().saturating_sub(3)).rev().find(|&i| block[i..i + 4].iter().all(|t| is(t, '#')));
    let (answers, explanation) = match general {
        Some(i) => (&block[..i], feedback(Some(&block[i + 4..]), format)),
        None => (block, None),
    };
    let kind = answer_block(answers, block_line, format, &mut errors);

    match kind {
        Some(kind) if errors.is_empty() => Ok(Question {
            id: question_id(title.as_deref(), stem),
            line,
            stem_html: render(format, stem),
            kind,
            explanation_html: explanation,
            origin: None,
            group: None,
        }),
        _ => Err(errors),
    }
}

/// The kind of question an answer block makes, decided as Moodle decides it.
fn answer_block(block: &[Tok], line: usize, format: Format, errors: &mut Vec<ParseError>) -> Option<Kind> {
    let block = trim_start(block);
    if is_blank(block) {
        errors.push(ParseError::new(line, ESSAY));
        return None;
    }
    if is(&block[0], '#') {
        return numerical(&block[1..], line, format, errors);
    }
    if find(block, '~').is_some() {
        return choice(block, format, errors);
    }
    if find(block, '=').is_some() && arrow(block).is_some() {
        return matching(block, format, errors);
    }
    let word = text(&block[..find(block, '#').unwrap_or(block.len())]).trim().to_lowercase();
    if matches!(word.as_str(), "t" | "true" | "f" | "false") {
        return true_false(block, word.starts_with('t'), format, errors);
    }
    if is(&block[0], '=') {
        return short(block, format, errors);
    }
    errors.push(ParseError::new(
        block[0].line,
        "an answer starts with `=` (right) or `~` (wrong); a true/false answer is `{T}` or `{F}`, a number `{#3}`",
    ));
    None
}

/// One answer of a block: its marker's line, its `%n%` weight if given, its text and its feedback.
struct Answer<'t> {
    marker: char,
    line: usize,
    weight: Option<f64>,
    text: String,
    feedback: Option<&'t [Tok]>,
}

/// An answer's marker (`=`, `~`), the marker's line and the tokens after it, up to the next marker.
#[derive(Clone, Copy)]
struct Marked<'t> {
    marker: char,
    line: usize,
    body: &'t [Tok],
}

/// Splits a block at every unescaped marker character; returns the text before the first marker and each
/// answer.
fn split_answers<'t>(block: &'t [Tok], markers: &[char]) -> (&'t [Tok], Vec<Marked<'t>>) {
    let starts: Vec<usize> = block
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.escaped && markers.contains(&t.c))
        .map(|(i, _)| i)
        .collect();
    let prefix = &block[..starts.first().copied().unwrap_or(block.len())];
    let answers = starts
        .iter()
        .enumerate()
        .map(|(k, &s)| {
            let end = starts.get(k + 1).copied().unwrap_or(block.len());
            Marked { marker: block[s].c, line: block[s].line, body: &block[s + 1..end] }
        })
        .collect();
    (prefix, answers)
}

/// An error when there is text before the first answer marker.
fn check_prefix(prefix: &[Tok], errors: &mut Vec<ParseError>) {
    if !is_blank(prefix) {
        errors.push(ParseError::new(
            first_line(prefix, 1),
            format!(
                "`{}` comes before the first answer: every answer starts with `=` or `~`",
                excerpt(&text(prefix))
            ),
        ));
    }
}

/// Splits an answer into weight, text and feedback.
fn answer<'t>(Marked { marker, line: marker_line, body }: Marked<'t>) -> Result<Answer<'t>, ParseError> {
    let (main, feedback) = match find(body, '#') {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let line = first_line(main, marker_line);
    let source = text(main);
    let source = source.trim();
    let (weight, text) = match source.strip_prefix('%') {
        Some(rest) => {
            let Some(end) = rest.find('%') else {
                return Err(ParseError::new(
                    line,
                    "a weight opened with `%` is not closed: write it as `%50%`",
                ));
            };
            let raw = &rest[..end];
            let Some(weight) = parse_number(raw) else {
                return Err(ParseError::new(
                    line,
                    format!(
                        "`%{}%` is not a weight: write a percentage such as `%50%` or `%-100%`",
                        excerpt(raw)
                    ),
                ));
            };
            (Some(weight / 100.0), rest[end + 1..].trim())
        }
        None => (None, source),
    };
    Ok(Answer { marker, line, weight, text: nfc(text), feedback })
}

/// The start of a piece of source for an error message.
fn excerpt(source: &str) -> String {
    const MAX_CHARS: usize = 40;
    let source = source.trim();
    match source.char_indices().nth(MAX_CHARS) {
        Some((end, _)) => format!("{}…", source[..end].trim_end()),
        None => source.to_owned(),
    }
}

/// `%50%` for an error message.
fn percent(weight: f64) -> String {
    format!("%{}%", weight * 100.0)
}

/// `{=right ~wrong}`: any `=` makes a single-choice question (several `=`: each one fully right, as Moodle
/// grades them, so a bank imported from Moodle grades the same here); none, with weights `~%50%`, a
/// multiple-choice one with partial credit.
fn choice(block: &[Tok], format: Format, errors: &mut Vec<ParseError>) -> Option<Kind> {
    let (prefix, parts) = split_answers(block, &['=', '~']);
    check_prefix(prefix, errors);
    let mut options = Vec::new();
    let mut right = Vec::new();
    for (i, &part) in parts.iter().enumerate() {
        let a = match answer(part) {
            Ok(a) => a,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let weight = a.weight.unwrap_or(if a.marker == '=' { 1.0 } else { 0.0 });
        if !(-1.0..=1.0).contains(&weight) {
            errors.push(ParseError::new(
                a.line,
                format!("the weight {} is outside -100%..100%", percent(weight)),
            ));
        }
        let (option_format, source) = split_format(&a.text, format);
        if source.trim().is_empty() {
            errors.push(ParseError::new(a.line, "an option is empty"));
        }
        if a.marker == '=' && a.weight.is_none() {
            right.push(options.len());
        }
        options.push(Choice {
            id: super::letter_id(i),
            html: render(option_format, source),
            weight,
            feedback_html: feedback(a.feedback, format),
        });
    }
    // Nothing right at all is single choice too, whose "no option is marked right" error suggests `=`.
    Some(if right.is_empty() && options.iter().any(|o| o.weight > 0.0) {
        Kind::Multiple { options, all_or_nothing: false }
    } else {
        Kind::Single { options }
    })
}

/// `{T}`, `{FALSE#wrong feedback#right feedback}`.
fn true_false(block: &[Tok], answer: bool, format: Format, errors: &mut Vec<ParseError>) -> Option<Kind> {
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, t) in block.iter().enumerate() {
        if is(t, '#') {
            parts.push(&block[start..i]);
            start = i + 1;
        }
    }
    parts.push(&block[start..]);
    if parts.len() > 3 {
        errors.push(ParseError::new(
            first_line(parts[3], block[0].line),
            "a true/false answer has at most two feedbacks, `#wrong#right` (write a literal # as `\\#`)",
        ));
        return None;
    }
    Some(Kind::TrueFalse {
        answer,
        wrong_feedback_html: feedback(parts.get(1).copied(), format),
        right_feedback_html: feedback(parts.get(2).copied(), format),
    })
}

/// `{=answer =%50%partly right}`: typed answers.
fn short(block: &[Tok], format: Format, errors: &mut Vec<ParseError>) -> Option<Kind> {
    let (prefix, parts) = split_answers(block, &['=']);
    check_prefix(prefix, errors);
    let mut answers = Vec::new();
    for &part in &parts {
        let a = match answer(part) {
            Ok(a) => a,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let weight = a.weight.unwrap_or(1.0);
        if !(0.0..=1.0).contains(&weight) {
            errors
                .push(ParseError::new(a.line, format!("the weight {} is outside 0%..100%", percent(weight))));
        }
        if normalise_text(&a.text).is_empty() {
            errors.push(ParseError::new(a.line, "an accepted answer is empty"));
        }
        answers.push(TextAnswer {
            text: a.text,
            weight,
            feedback_html: feedback(a.feedback, format),
            ignore_diacritics: false,
        });
    }
    Some(Kind::Short { answers })
}

/// `{#3:0.5}`, `{#2..5}`, `{#3}`, `{#=2010:0 =%50%2009:1}`; `~` marks a wrong number with its feedback, and
/// `~#feedback` with no number the feedback for any other number (`{#3:2~#Completely wrong}`, as Moodle).
fn numerical(block: &[Tok], line: usize, format: Format, errors: &mut Vec<ParseError>) -> Option<Kind> {
    let (prefix, mut parts) = split_answers(block, &['=', '~']);
    if !is_blank(prefix) {
        parts.insert(0, Marked { marker: '#', line: first_line(prefix, line), body: prefix });
    }
    if !parts.iter().any(|p| p.marker != '~') {
        errors.push(ParseError::new(line, "a numerical answer needs a number after `#`, such as `{#3:0.5}`"));
        return None;
    }
    let mut answers = Vec::new();
    for &part in &parts {
        let a = match answer(part) {
            Ok(a) => a,
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        let wrong = a.marker == '~';
        let weight = a.weight.unwrap_or(if wrong { 0.0 } else { 1.0 });
        if !(0.0..=1.0).contains(&weight) {
            errors
                .push(ParseError::new(a.line, format!("the weight {} is outside 0%..100%", percent(weight))));
        }
        let range = if wrong && a.text.trim().is_empty() { Ok(ANY_NUMBER) } else { number_range(&a.text) };
        match range {
            Ok((min, max)) => {
                answers.push(NumericAnswer { min, max, weight, feedback_html: feedback(a.feedback, format) })
            }
            Err(message) => errors.push(ParseError::new(a.line, message)),
        }
    }
    Some(Kind::Numerical { answers })
}

/// The range of "any other number" (`~#feedback`): finite, so it is stored as JSON like any other range.
pub const ANY_NUMBER: (f64, f64) = (f64::MIN, f64::MAX);

/// `3`, `3:0.5` (value and tolerance) or `2..5` (min and max), as an inclusive range.
fn number_range(source: &str) -> Result<(f64, f64), String> {
    let number = |s: &str| {
        parse_number(s).ok_or_else(|| {
            if s.trim().is_empty() {
                "a number is missing: write `3`, `3:0.5` or `2..5`".to_owned()
            } else {
                format!("`{}` is not a number", excerpt(s))
            }
        })
    };
    if let Some(i) = source.find("..").filter(|&i| i > 0) {
        let (min, max) = (number(&source[..i])?, number(&source[i + 2..])?);
        if min > max {
            return Err(format!("the range `{}` is empty: write the smaller number first", excerpt(source)));
        }
        Ok((min, max))
    } else if let Some(i) = source.find(':') {
        let (value, tolerance) = (number(&source[..i])?, number(&source[i + 1..])?);
        if tolerance < 0.0 {
            return Err(format!("the tolerance in `{}` is negative", excerpt(source)));
        }
        Ok((value - tolerance, value + tolerance))
    } else {
        let value = number(source)?;
        Ok((value, value))
    }
}

/// `{=left -> right =left -> right}`; `= -> right` (nothing left) offers `right` as one more wrong choice, as
/// Moodle does.
fn matching(block: &[Tok], format: Format, errors: &mut Vec<ParseError>) -> Option<Kind> {
    let (prefix, parts) = split_answers(block, &['=']);
    check_prefix(prefix, errors);
    let mut pairs = Vec::new();
    let mut distractors = Vec::new();
    for &Marked { line, body, .. } in &parts {
        let line = first_line(body, line);
        if let Some(h) = find(body, '#') {
            errors.push(ParseError::new(
                body[h].line,
                "a matching pair has no feedback (write a literal # as `\\#`)",
            ));
            continue;
        }
        let Some(at) = arrow(body) else {
            errors.push(ParseError::new(line, "a matching pair is written `=left -> right`"));
            continue;
        };
        let left = text(&body[..at]);
        let (left_format, left) = split_format(&left, format);
        let right = nfc(text(&body[at + 2..]).trim());
        if right.is_empty() {
            errors.push(ParseError::new(line, "a matching pair has nothing right of `->`"));
        } else if left.trim().is_empty() {
            distractors.push(right);
        } else {
            pairs.push(Pair {
                id: super::letter_id(pairs.len()),
                left_html: render(left_format, left),
                right,
            });
        }
    }
    Some(Kind::Matching { pairs, distractors })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn parse_ok(source: &str) -> Vec<Question> {
        parse(source).unwrap_or_else(|errors| panic!("unexpected errors: {errors:?}"))
    }

    fn one(source: &str) -> Question {
        let mut questions = parse_ok(source);
        assert_eq!(questions.len(), 1, "{questions:?}");
        questions.remove(0)
    }

    fn kind(source: &str) -> Kind {
        one(source).kind
    }

    /// Every error as (line, message).
    fn errors(source: &str) -> Vec<(usize, String)> {
        match parse(source) {
            Ok(questions) => panic!("expected errors, got {questions:?}"),
            Err(errors) => errors.into_iter().map(|e| (e.line, e.message)).collect(),
        }
    }

    /// Error lines, and a check that each message mentions `needle`.
    fn error_lines(source: &str, needle: &str) -> Vec<usize> {
        let errors = errors(source);
        for (_, message) in &errors {
            assert!(message.contains(needle), "{message:?} does not mention {needle:?} (all: {errors:?})");
        }
        errors.into_iter().map(|(line, _)| line).collect()
    }

    fn options(kind: &Kind) -> &[Choice] {
        match kind {
            Kind::Single { options } | Kind::Multiple { options, .. } => options,
            other => panic!("not a choice question: {other:?}"),
        }
    }

    fn weights(kind: &Kind) -> Vec<f64> {
        options(kind).iter().map(|o| o.weight).collect()
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    // ----- multiple choice -----

    #[test]
    fn one_right_option_is_single_choice_with_ids_in_file_order() {
        let q = one("Ai được chôn trong lăng Grant?{~Grant ~Jefferson =không ai}");
        let Kind::Single { options } = &q.kind else { panic!("{:?}", q.kind) };
        let ids: Vec<&str> = options.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
        let html: Vec<&str> = options.iter().map(|o| o.html.as_str()).collect();
        assert_eq!(html, ["Grant", "Jefferson", "không ai"]);
        assert_eq!(weights(&q.kind), [0.0, 0.0, 1.0]);
        assert_eq!(q.stem_html, "Ai được chôn trong lăng Grant?");
        assert_eq!(q.line, 1);
        assert_eq!(q.explanation_html, None);
        assert!(options.iter().all(|o| o.feedback_html.is_none()));
    }

    #[test]
    fn partial_weight_beside_one_right_option_stays_single() {
        let k = kind("Thủ đô của Việt Nam?{=Hà Nội ~%50%Thăng Long ~Huế}");
        assert!(matches!(k, Kind::Single { .. }), "{k:?}");
        assert_eq!(weights(&k), [1.0, 0.5, 0.0]);
    }

    #[test]
    fn positive_weights_without_equals_make_multiple_choice() {
        let k = kind("Chọn các luật bị thay thế.{~%50%Luật A ~%50%Luật B ~%-100%Luật C ~Luật D}");
        assert!(matches!(k, Kind::Multiple { all_or_nothing: false, .. }), "{k:?}");
        assert_eq!(weights(&k), [0.5, 0.5, -1.0, 0.0]);
    }

    #[test]
    fn fractional_percentages_are_weights() {
        let k = kind("Chọn ba.{~%33.33333%a ~%33.33333%b ~%33.33334%c ~%-50%d}");
        let w = weights(&k);
        assert!(close(w[0], 0.3333333) && close(w[2], 0.3333334) && close(w[3], -0.5), "{w:?}");
        // A decimal comma is read as Vietnamese writers write it.
        let k = kind("Chọn hai.{~%50,0%a ~%50%b ~c}");
        assert_eq!(weights(&k), [0.5, 0.5, 0.0]);
    }

    #[test]
    fn several_equals_are_each_fully_right_as_in_moodle() {
        let k = kind("Một số chẵn?{=2 =4 ~3 ~%-100%5}");
        assert!(matches!(k, Kind::Single { .. }), "one pick, as Moodle asks it: {k:?}");
        assert_eq!(weights(&k), [1.0, 1.0, 0.0, -1.0]);
        let k = kind("Chọn hai.{~%50%a ~%50%b ~c}");
        assert!(matches!(k, Kind::Multiple { all_or_nothing: false, .. }), "weights without `=`: {k:?}");
    }

    #[test]
    fn option_feedback_is_rendered_in_the_question_format() {
        let k = kind("Câu?{=Đúng#Chính xác. ~Sai#Chưa đúng: xem lại bài 2.}");
        let o = options(&k);
        assert_eq!(o[0].feedback_html.as_deref(), Some("Chính xác."));
        assert_eq!(o[1].feedback_html.as_deref(), Some("Chưa đúng: xem lại bài 2."));
        // An empty feedback is none.
        let k = kind("Câu?{=Đúng# ~Sai}");
        assert_eq!(options(&k)[0].feedback_html, None);
    }

    #[test]
    fn more_than_26_options_get_two_letter_ids() {
        let block: String =
            (0..30).map(|i| if i == 0 { "=r ".to_owned() } else { format!("~o{i} ") }).collect();
        let k = kind(&format!("Nhiều phương án?{{{block}}}"));
        let ids: Vec<&str> = options(&k).iter().map(|o| o.id.as_str()).collect();
        assert_eq!(ids[25..], ["z", "aa", "ab", "ac", "ad"]);
        assert_eq!(crate::quiz::letter_id(0), "a");
        assert_eq!(crate::quiz::letter_id(701), "zz");
        assert_eq!(crate::quiz::letter_id(702), "aaa");
    }

    #[test]
    fn choice_weight_errors_have_their_lines() {
        let source = "Câu?{\n=a\n~%abc%b\n~%150%c\n~%-50 d\n}";
        let errors = errors(source);
        assert_eq!(errors.iter().map(|e| e.0).collect::<Vec<_>>(), [3, 4, 5], "{errors:?}");
        assert!(errors[0].1.contains("`%abc%` is not a weight"), "{errors:?}");
        assert!(errors[1].1.contains("%150%") && errors[1].1.contains("outside"), "{errors:?}");
        assert!(errors[2].1.contains("not closed"), "{errors:?}");
    }

    #[test]
    fn choice_without_a_right_option_is_an_error_at_the_question() {
        let source = "// đầu tệp\n\nCâu một?{=a ~b}\n\nCâu hai?\n{~a ~b}";
        assert_eq!(error_lines(source, "no option is marked right: mark one with"), [5]);
        assert_eq!(error_lines("Câu?{~%-50%a ~b}", "no option is marked right"), [1]);
        // One `~%n%` weight alone is a multiple-choice question whose weights must add to 100%.
        assert_eq!(error_lines("Câu?{~%50%a ~b}", "add up to 50%"), [1]);
        assert_eq!(error_lines("Câu?{~a}", "at least two options"), [1]);
    }

    #[test]
    fn long_source_in_error_messages_is_cut() {
        let long = "dài ".repeat(50);
        let errors = errors(&format!("Câu?{{#{long}}}"));
        assert!(errors[0].1.ends_with("dài dài dài…` is not a number"), "{errors:?}");
        assert!(errors[0].1.chars().count() < 80, "{errors:?}");
    }

    #[test]
    fn empty_option_and_text_before_the_first_answer_are_errors() {
        assert_eq!(error_lines("Câu?{=a ~ ~b}", "empty"), [1]);
        assert_eq!(error_lines("Câu?{\nlạc đề\n=a ~b}", "before the first answer"), [2]);
    }

    // ----- true/false -----

    #[test]
    fn true_false_in_every_spelling() {
        for (block, answer) in [
            ("T", true),
            ("F", false),
            ("TRUE", true),
            ("FALSE", false),
            ("true", true),
            ("f", false),
            (" T ", true),
        ] {
            let k = kind(&format!("Mặt trời mọc ở hướng đông.{{{block}}}"));
            assert_eq!(
                k,
                Kind::TrueFalse { answer, wrong_feedback_html: None, right_feedback_html: None },
                "{block}"
            );
        }
    }

    #[test]
    fn true_false_feedback_is_wrong_then_right() {
        let k = kind("Câu?{FALSE#Chưa đúng, vì luật đã hết hiệu lực.#Đúng.}");
        assert_eq!(
            k,
            Kind::TrueFalse {
                answer: false,
                wrong_feedback_html: Some("Chưa đúng, vì luật đã hết hiệu lực.".into()),
                right_feedback_html: Some("Đúng.".into()),
            }
        );
        let k = kind("Câu?{T#Sai rồi}");
        assert_eq!(
            k,
            Kind::TrueFalse {
                answer: true,
                wrong_feedback_html: Some("Sai rồi".into()),
                right_feedback_html: None
            }
        );
        assert_eq!(error_lines("Câu?{T#a#b\n#c}", "at most two feedbacks"), [2]);
    }

    // ----- short answer -----

    #[test]
    fn equals_only_is_short_answer_with_weights() {
        let k = kind("Giao thức thay Telnet?{=SSH =Secure Shell =%50%SSHv1#Cũ, còn lỗ hổng.}");
        assert_eq!(
            k,
            Kind::Short {
                answers: vec![
                    TextAnswer {
                        text: "SSH".into(),
                        weight: 1.0,
                        feedback_html: None,
                        ignore_diacritics: false
                    },
                    TextAnswer {
                        text: "Secure Shell".into(),
                        weight: 1.0,
                        feedback_html: None,
                        ignore_diacritics: false
                    },
                    TextAnswer {
                        text: "SSHv1".into(),
                        weight: 0.5,
                        feedback_html: Some("Cũ, còn lỗ hổng.".into()),
                        ignore_diacritics: false
                    },
                ]
            }
        );
    }

    #[test]
    fn a_comment_opts_a_short_answer_question_in_to_ignoring_diacritics() {
        let qs = parse_ok(
            "// daotao: ignore_diacritics\n::Thủ đô::Thủ đô?{=Hà Nội =Thủ đô Hà Nội}\n\nTỉnh?{\n=Quảng Nam\n// daotao: ignore_diacritics\n}\n\nSông?{=Sông Hồng}",
        );
        let flags: Vec<bool> = qs
            .iter()
            .map(|q| match &q.kind {
                Kind::Short { answers } => answers.iter().all(|a| a.ignore_diacritics),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(flags, [true, true, false]);
        assert_eq!(error_lines("// daotao: ignore_diacritics\nCâu?{=a ~b}", "answered by typing"), [2]);
        assert_eq!(error_lines("Câu?{=a}\n// daotao: bo_dau", "unknown option `bo_dau`"), [2]);
        assert_eq!(
            error_lines("Câu?{=a}\n\n// daotao: ignore_diacritics\n\nCâu 2?{=b}", "no question follows"),
            [3]
        );
    }

    #[test]
    fn short_answer_errors() {
        assert_eq!(error_lines("Câu?{=a =%-50%b}", "outside 0%..100%"), [1]);
        assert_eq!(error_lines("Câu?{=a\n=   }", "empty"), [2]);
        assert_eq!(error_lines("Câu?{=%50%a}", "full marks"), [1]);
        assert_eq!(error_lines("Câu?\n{Paris}", "starts with `=`"), [2]);
    }

    // ----- numerical -----

    fn ranges(k: &Kind) -> Vec<(f64, f64, f64)> {
        match k {
            Kind::Numerical { answers } => answers.iter().map(|a| (a.min, a.max, a.weight)).collect(),
            other => panic!("not numerical: {other:?}"),
        }
    }

    #[test]
    fn numerical_tolerance_range_and_exact() {
        assert_eq!(ranges(&kind("Bao nhiêu?{#3:0.5}")), [(2.5, 3.5, 1.0)]);
        assert_eq!(ranges(&kind("Bao nhiêu?{#2..5}")), [(2.0, 5.0, 1.0)]);
        assert_eq!(ranges(&kind("Bao nhiêu?{#3}")), [(3.0, 3.0, 1.0)]);
        assert_eq!(ranges(&kind("Bao nhiêu?{#-5..-2}")), [(-5.0, -2.0, 1.0)]);
        assert_eq!(ranges(&kind("Bao nhiêu?{#1.5..2.5}")), [(1.5, 2.5, 1.0)]);
        assert_eq!(ranges(&kind("Bao nhiêu?{#3,5}")), [(3.5, 3.5, 1.0)]);
        assert_eq!(ranges(&kind("Bao nhiêu?{# 1e3 }")), [(1000.0, 1000.0, 1.0)]);
    }

    #[test]
    fn numerical_with_several_weighted_answers_and_feedback() {
        let k = kind("Năm nào?{#\n=2010:0#Chính xác.\n=%50%2009:1#Gần đúng.\n}");
        assert_eq!(
            k,
            Kind::Numerical {
                answers: vec![
                    NumericAnswer {
                        min: 2010.0,
                        max: 2010.0,
                        weight: 1.0,
                        feedback_html: Some("Chính xác.".into())
                    },
                    NumericAnswer {
                        min: 2008.0,
                        max: 2010.0,
                        weight: 0.5,
                        feedback_html: Some("Gần đúng.".into())
                    },
                ]
            }
        );
        let k = kind("Lệch mấy giây?{#3:0.5#Đúng. Nhanh 3 giây.}");
        let Kind::Numerical { answers } = &k else { panic!() };
        assert_eq!(answers[0].feedback_html.as_deref(), Some("Đúng. Nhanh 3 giây."));
    }

    #[test]
    fn numerical_errors_have_their_lines() {
        assert_eq!(errors("Bao nhiêu?{#abc}"), [(1, "`abc` is not a number".to_owned())]);
        assert_eq!(error_lines("Bao nhiêu?{#\n=1\n=%50%x:1\n}", "`x` is not a number"), [3]);
        assert_eq!(error_lines("Bao nhiêu?{#2..x}", "`x` is not a number"), [1]);
        assert_eq!(error_lines("Bao nhiêu?{#5..2}", "empty"), [1]);
        assert_eq!(error_lines("Bao nhiêu?{#3:-1}", "negative"), [1]);
        assert_eq!(error_lines("Bao nhiêu?{#:1}", "missing"), [1]);
        assert_eq!(error_lines("Bao nhiêu?{#}", "needs a number"), [1]);
        assert_eq!(error_lines("Bao nhiêu?{#~#Sai hẳn}", "needs a number"), [1]);
        assert_eq!(error_lines("Bao nhiêu?{#=1 ~x#Sai}", "`x` is not a number"), [1]);
        assert_eq!(error_lines("Bao nhiêu?{#=1 =%150%2}", "outside"), [1]);
        assert_eq!(error_lines("Bao nhiêu?{#=%50%1}", "full marks"), [1]);
    }

    // ----- matching -----

    #[test]
    fn matching_pairs_have_letter_ids_and_plain_right_sides() {
        let k = kind(
            "Ghép mã sự kiện.{\n=4625 -> Đăng nhập thất bại\n=1102->Nhật ký bị xóa\n=**7045** -> <b>Dịch vụ</b>\n}",
        );
        assert_eq!(
            k,
            Kind::Matching {
                pairs: vec![
                    Pair {
                        id: "a".into(), left_html: "4625".into(), right: "Đăng nhập thất bại".into()
                    },
                    Pair { id: "b".into(), left_html: "1102".into(), right: "Nhật ký bị xóa".into() },
                    Pair { id: "c".into(), left_html: "**7045**".into(), right: "<b>Dịch vụ</b>".into() },
                ],
                distractors: vec![],
            }
        );
        // Two pairs are enough.
        assert!(matches!(kind("Ghép.{=a -> 1 =b -> 2}"), Kind::Matching { pairs, .. } if pairs.len() == 2));
        // The left side follows the question's format.
        let k = kind("[markdown]Ghép.{=**a** -> 1 =b -> 2}");
        let Kind::Matching { pairs, .. } = &k else { panic!() };
        assert_eq!(pairs[0].left_html, "<strong>a</strong>");
    }

    #[test]
    fn matching_errors_have_their_lines() {
        assert_eq!(error_lines("Ghép.{\n=a -> 1\n=b 2\n=c -> 3\n}", "`=left -> right`"), [3]);
        assert_eq!(error_lines("Ghép.{=a -> 1}", "at least two pairs"), [1]);
        assert_eq!(
            error_lines("Ghép.{\n=a -> 1\n= -> 2\n}", "at least two pairs"),
            [1],
            "a distractor is no pair"
        );
        assert_eq!(error_lines("Ghép.{\n=a -> 1\n=b ->\n}", "nothing right"), [3]);
        assert_eq!(error_lines("Ghép.{\n=a -> 1\n=b -> 2#giỏi\n}", "no feedback"), [3]);
    }

    // ----- missing word -----

    #[test]
    fn text_after_the_block_makes_a_missing_word_question() {
        let q = one("Trong tệp sshd_config, đặt {=PermitRootLogin ~X11Forwarding} no để cấm root.");
        assert_eq!(q.stem_html, "Trong tệp sshd_config, đặt _____ no để cấm root.");
        assert!(matches!(q.kind, Kind::Single { .. }));
        let q = one("RTO viết tắt là {=Recovery Time Objective =RTO}\ntrong kế hoạch.");
        assert_eq!(q.stem_html, "RTO viết tắt là _____\ntrong kế hoạch.");
        assert!(matches!(q.kind, Kind::Short { .. }));
        let q = one("{=Hà Nội ~Huế} là thủ đô.");
        assert_eq!(q.stem_html, "_____ là thủ đô.");
        let q = one("[markdown]Đặt **{=no ~yes}** cho PermitRootLogin.");
        assert_eq!(q.stem_html, "Đặt <strong>_____</strong> cho PermitRootLogin.");
        // Only blanks after the block: an ordinary question.
        let q = one("Thủ đô?{=Hà Nội ~Huế}   ");
        assert_eq!(q.stem_html, "Thủ đô?");
    }

    // ----- titles, comments, categories, general feedback -----

    #[test]
    fn title_is_not_part_of_the_stem_but_of_the_id() {
        let q = one("::Thủ đô::Thủ đô của Việt Nam?{=Hà Nội ~Huế}");
        assert_eq!(q.stem_html, "Thủ đô của Việt Nam?");
        let untitled = one("Thủ đô của Việt Nam?{=Hà Nội ~Huế}");
        assert_ne!(q.id, untitled.id);
        // The same text under two titles: two questions; without titles: the same question twice.
        let two = parse_ok("::A::Câu?{T}\n\n::B::Câu?{F}");
        assert_ne!(two[0].id, two[1].id);
        let twice = parse_bank("Câu?{T}\n\n\nCâu?{T}").unwrap();
        assert_eq!(twice.questions.len(), 1);
        assert_eq!(
            twice.warnings,
            [ParseError::new(4, "the same question, answers and all, as on line 1: this copy is left out")]
        );
        // A title with escaped colons.
        let q = one("::Giờ 02\\:00:: Lúc 02\\:00 ?{T}");
        assert_eq!(q.stem_html, "Lúc 02:00 ?");
        assert_eq!(error_lines("::Không đóng: Câu?{T}", "title"), [1]);
    }

    #[test]
    fn ids_are_12_hex_digits_and_survive_reordering_and_rewrapping() {
        let a = "::A::Câu một?{=x ~y}";
        let b = "Câu hai\nnằm trên hai dòng?{=x ~y}";
        let forward = parse_ok(&format!("{a}\n\n{b}"));
        let backward = parse_ok(&format!("{b}\n\n// chú thích\n{a}"));
        assert_eq!(forward[0].id, backward[1].id);
        assert_eq!(forward[1].id, backward[0].id);
        assert_eq!((forward[1].line, backward[1].line), (3, 5));
        let rewrapped = one("Câu hai nằm   trên\n  hai dòng?{\n=x\n~y\n}");
        assert_eq!(rewrapped.id, forward[1].id);
        for q in &forward {
            assert!(q.id.len() == 12 && q.id.chars().all(|c| c.is_ascii_hexdigit()), "{}", q.id);
        }
    }

    #[test]
    fn comment_lines_and_categories_are_skipped_but_urls_are_text() {
        let source = "// Ngân hàng câu hỏi\n$CATEGORY: $course$/top/Ôn tập\n\n  // chú thích thụt lề\n\
                      Xem https://dichvucong.gov.vn // không phải chú thích\n{\n// chú thích trong khối\n=Đúng\n~Sai\n}\n";
        let q = one(source);
        assert_eq!(q.line, 5);
        assert_eq!(q.stem_html, "Xem https://dichvucong.gov.vn // không phải chú thích");
        assert_eq!(options(&q.kind).len(), 2);
        let q = one("Trang nào?{=https://dichvucong.gov.vn ~http://x.vn}");
        assert_eq!(options(&q.kind)[0].html, "https://dichvucong.gov.vn");
        // Only comments: no questions.
        assert_eq!(error_lines("// chỉ có chú thích\n\n// nữa\n", "no questions"), [1]);
        assert_eq!(error_lines("", "no questions"), [1]);
    }

    #[test]
    fn general_feedback_is_the_explanation() {
        let q = one(
            "Ưu tiên vá gì?{\n=VPN#Đúng.\n~Máy in\n####Kết hợp ba yếu tố\\: khai thác, Internet, cấp độ.\n}",
        );
        assert_eq!(q.explanation_html.as_deref(), Some("Kết hợp ba yếu tố: khai thác, Internet, cấp độ."));
        assert_eq!(options(&q.kind)[0].feedback_html.as_deref(), Some("Đúng."));
        let q = one("[markdown]Câu?{T####Xem **Điều 5**.}");
        assert_eq!(q.explanation_html.as_deref(), Some("Xem <strong>Điều 5</strong>."));
        assert!(matches!(q.kind, Kind::TrueFalse { answer: true, .. }));
        let q = one("Bao nhiêu?{#3####Ba.}");
        assert_eq!(q.explanation_html.as_deref(), Some("Ba."));
        assert_eq!(ranges(&q.kind), [(3.0, 3.0, 1.0)]);
    }

    // ----- formats and escapes -----

    #[test]
    fn format_tags() {
        let q = one("[markdown]Chọn **một**:\\n\\n- ý a\\n- ý b{=`ls -l` ~*dir*#Đó là lệnh **Windows**.}");
        assert!(q.stem_html.starts_with("<p>Chọn <strong>một</strong>:</p>"), "{}", q.stem_html);
        assert!(q.stem_html.contains("<li>ý a</li>"), "{}", q.stem_html);
        let o = options(&q.kind);
        assert_eq!(o[0].html, "<code>ls -l</code>");
        assert_eq!(o[1].html, "<em>dir</em>");
        assert_eq!(o[1].feedback_html.as_deref(), Some("Đó là lệnh <strong>Windows</strong>."));

        let q = one("[html]<b>Đậm</b><script>alert(1)</script>?{=<i>a</i> ~[plain]<i>b</i>}");
        assert_eq!(q.stem_html, "<b>Đậm</b>?");
        assert_eq!(options(&q.kind)[0].html, "<i>a</i>");
        assert_eq!(options(&q.kind)[1].html, "&lt;i&gt;b&lt;/i&gt;");

        // No tag and [moodle]: HTML, sanitised.
        let q = one("Thẻ <b>nào</b> <img src=x onerror=alert(1)>?{=a ~b}");
        assert!(q.stem_html.starts_with("Thẻ <b>nào</b> <img src=\"x\""), "{}", q.stem_html);
        assert!(!q.stem_html.contains("onerror"), "{}", q.stem_html);
        let q = one("[moodle]**không** phải markdown{T}");
        assert_eq!(q.stem_html, "**không** phải markdown");
        let q = one("[plain]a < b & c?{T}");
        assert_eq!(q.stem_html, "a &lt; b &amp; c?");
        // An unknown tag is text; a tag is case-insensitive.
        assert_eq!(one("[ghi chú] Câu?{T}").stem_html, "[ghi chú] Câu?");
        assert_eq!(one("[Markdown]**x**{T}").stem_html, "<strong>x</strong>");
    }

    #[test]
    fn escapes_are_literal_characters_anywhere() {
        let q = one("Lúc 02\\:00 ở thư mục \\~ (tức $\\{HOME\\}), dòng \\#x\\=y có hiệu lực?{\n\
             =Có, vì \\# chỉ là chú thích\\; a\\=b#Đúng \\~ \\{ok\\}\n\
             ~Không\n}");
        assert_eq!(q.stem_html, "Lúc 02:00 ở thư mục ~ (tức ${HOME}), dòng #x=y có hiệu lực?");
        let o = options(&q.kind);
        assert_eq!(o[0].html, "Có, vì # chỉ là chú thích\\; a=b");
        assert_eq!(o[0].feedback_html.as_deref(), Some("Đúng ~ {ok}"));
        let k = kind("Đường dẫn?{=C\\\\Windows =a\\nb}");
        let Kind::Short { answers } = &k else { panic!("{k:?}") };
        assert_eq!(answers[0].text, "C\\Windows");
        assert_eq!(answers[1].text, "a\nb");
    }

    // ----- structure: blocks, lines, errors -----

    #[test]
    fn questions_and_blocks_span_lines_and_blank_lines_separate_them() {
        let source = "\n\n::Một::Câu\nmột?\n{\n  =a\n  ~b\n}\n\n\n\nCâu hai?{T}\n   \nCâu ba {\n=x\n} tiếp.";
        let qs = parse_ok(source);
        assert_eq!(qs.iter().map(|q| q.line).collect::<Vec<_>>(), [3, 12, 14]);
        assert_eq!(qs[0].stem_html, "Câu\nmột?");
        assert_eq!(qs[2].stem_html, "Câu ba _____ tiếp.");
    }

    #[test]
    fn crlf_and_byte_order_mark() {
        let qs = parse_ok("\u{feff}// bom\r\nCâu một?{=a ~b}\r\n\r\nCâu hai?{\r\n=x\r\n}\r\n");
        assert_eq!(qs.len(), 2);
        assert_eq!(qs[0].line, 2);
        assert_eq!(qs[1].line, 4);
        assert_eq!(options(&qs[0].kind)[1].html, "b");
        assert!(matches!(&qs[1].kind, Kind::Short { answers } if answers[0].text == "x"));
    }

    #[test]
    fn decomposed_vietnamese_is_normalised() {
        use unicode_normalization::UnicodeNormalization;
        let composed = "::Tiêu đề::Mật khẩu nào mạnh?{=Dài, có ký tự đặc biệt#Đúng ~Tên của mình}";
        let decomposed: String = composed.nfd().collect();
        assert_ne!(composed, decomposed);
        assert_eq!(parse_ok(&decomposed), parse_ok(composed));
        let k = kind(&"Viết tắt?{=Cơ sở dữ liệu}".nfd().collect::<String>());
        assert!(matches!(&k, Kind::Short { answers } if answers[0].text == "Cơ sở dữ liệu"));
    }

    #[test]
    fn essays_are_left_out_with_a_warning_and_descriptions_are_errors() {
        let bank = parse_bank("Câu?{T}\n\nViết về an toàn thông tin.\n{\n}\n\nCâu hai?{F}").unwrap();
        assert_eq!(bank.questions.len(), 2, "the rest of the bank is served");
        assert_eq!(bank.warnings, [ParseError::new(4, ESSAY)]);
        let bank = parse_bank("Câu?{T}\n\nCâu?{####Chỉ có phản hồi chung}").unwrap();
        assert_eq!(bank.warnings, [ParseError::new(3, ESSAY)]);
        // A bank of essays only has no questions: an error.
        assert_eq!(error_lines("Viết luận.{}", "no questions"), [1]);
        assert_eq!(
            errors("Câu?{T}\n\nĐây chỉ là một đoạn mô tả."),
            [(3, "a question needs an answer block `{...}`".to_owned())]
        );
        assert_eq!(error_lines("::Chỉ có tiêu đề::", "answer block"), [1]);
    }

    #[test]
    fn brace_errors_have_their_lines() {
        // An unclosed block; the next question is still read.
        assert_eq!(error_lines("Câu một?\n{=a\n~b\n\nCâu hai?{T}", "not closed"), [2]);
        // A blank line inside a block splits it: both halves are reported.
        assert_eq!(
            errors("Câu?{\n=a\n\n~b\n}"),
            [
                (1, "the answer block `{` is not closed by `}` (a blank line ends a question)".to_owned()),
                (
                    5,
                    "`}` without its `{`: a blank line ends a question, so an answer block cannot contain one \
                     (write a literal brace as `\\}`)"
                        .to_owned()
                ),
            ]
        );
        assert_eq!(error_lines("Câu {=a ~b\n{T}", "before the next `{`"), [1]);
        assert_eq!(error_lines("Câu } lạ?\n{T}", "without its `{`"), [1]);
        assert_eq!(error_lines("Câu?{T}\nvà {F}", "one answer block"), [2]);
        assert_eq!(error_lines("::Tiêu đề::{T}", "no text"), [1]);
    }

    #[test]
    fn every_error_of_a_file_is_reported_in_line_order() {
        let source = "\
// Tệp có nhiều lỗi
::Đúng::Câu tốt?{=a ~b}

Câu chưa đóng? {
=a

Bao nhiêu?{#abc}

Ghép.{
=a -> 1
=b 2
}

Viết luận.{}

Không đáp án.{~a ~b}

Trọng số lạ.{
~%abc%a
=b
}
";
        let errors = errors(source);
        let lines: Vec<usize> = errors.iter().map(|e| e.0).collect();
        assert_eq!(lines, [4, 7, 11, 16, 19], "an essay is no error: {errors:?}");
        assert!(errors[0].1.contains("not closed"));
        assert!(errors[1].1.contains("`abc` is not a number"));
        assert!(errors[2].1.contains("`=left -> right`"));
        assert!(errors[3].1.contains("no option is marked right"));
        assert!(errors[4].1.contains("`%abc%` is not a weight"));
    }

    #[test]
    fn too_large_a_source_is_refused_at_line_1() {
        let source = "Câu?{T}\n\n".repeat(MAX_SOURCE_BYTES / 10 + 1);
        assert!(source.len() > MAX_SOURCE_BYTES);
        let errors = errors(&source);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].0, 1);
        assert!(errors[0].1.contains("at most"), "{errors:?}");
    }

    // ----- banks as Moodle imports them -----

    /// Our own bank with what Moodle's fixtures hold and `check` once refused: a matching distractor, feedback
    /// for any other number, two questions with one text, an essay.
    const MOODLE_LIKE: &str = "\
// Ngân hàng theo kiểu Moodle
$CATEGORY: $course$/top/Ôn tập

::Ghép::Ghép cơ quan với lĩnh vực.{
    =Sở Nội vụ -> nhân sự
    =Sở Tài chính -> ngân sách
    = -> giao thông
}

::Số::Một số từ 1 đến 5?{#3:2~#Sai hoàn toàn}

Ai ký Luật số 60/2024/QH15?{~Thủ tướng =Chủ tịch Quốc hội ~Bộ trưởng}

Ai ký Luật số 60/2024/QH15?{=Chủ tịch Quốc hội =Chủ tịch QH}

::Luận::Viết về chính quyền số.{}

Con vật nào tốt nhất?{
    =Ếch#Đúng!
    =%50%Mèo#Nửa điểm.
    =%0%*#Sai hoàn toàn
}
";

    #[test]
    fn a_bank_moodle_imports_is_served() {
        let bank = parse_bank(MOODLE_LIKE).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(bank.warnings, [ParseError::new(16, ESSAY)], "the essay is said, with its line");
        let qs = bank.questions;
        assert_eq!(qs.len(), 5);
        assert!(qs.iter().all(|q| q.group.as_deref() == Some("Ôn tập")), "{qs:?}");

        let Kind::Matching { pairs, distractors } = &qs[0].kind else { panic!("{:?}", qs[0].kind) };
        assert_eq!(pairs.len(), 2);
        assert_eq!(distractors, &["giao thông"]);
        let asked = crate::quiz::asked::ask(&qs[0], "Đúng", "Sai");
        assert_eq!(asked.options.len(), 2, "a distractor is no item to match");
        assert_eq!(asked.choices, ["giao thông", "ngân sách", "nhân sự"], "but it is one more choice");

        let Kind::Numerical { answers } = &qs[1].kind else { panic!() };
        assert_eq!((answers[0].min, answers[0].max, answers[0].weight), (1.0, 5.0, 1.0));
        assert_eq!((answers[1].min, answers[1].max, answers[1].weight), (ANY_NUMBER.0, ANY_NUMBER.1, 0.0));
        use crate::quiz::grade::{Answer, grade};
        use crate::quiz::review::review;
        let typed = |t: &str| Answer::Text(t.into());
        assert_eq!(grade(&qs[1], Some(&typed("4"))), 1.0);
        assert_eq!(grade(&qs[1], Some(&typed("9"))), 0.0);
        let feedback = |q: &Question, t: &str| {
            review(q, Some(&typed(t)), grade(q, Some(&typed(t))), "Đ", "S").feedback_html
        };
        assert_eq!(feedback(&qs[1], "9"), ["Sai hoàn toàn"]);
        assert!(feedback(&qs[1], "4").is_empty(), "the catch-all speaks only when nothing else matches");
        let json = serde_json::to_string(&qs[1]).unwrap();
        assert_eq!(
            serde_json::from_str::<Question>(&json).unwrap(),
            qs[1],
            "stored in an attempt and read back"
        );

        // One text, two questions: two ids, both different from the text's own.
        assert!(matches!(qs[2].kind, Kind::Single { .. }) && matches!(qs[3].kind, Kind::Short { .. }));
        assert_ne!(qs[2].id, qs[3].id);
        let plain = super::super::question_id("Ai ký Luật số 60/2024/QH15?");
        assert!(qs[2].id != plain && qs[3].id != plain);
        // Stable: reordering keeps them; the questions whose text is their own keep the id they always had.
        let reordered = parse_ok(&MOODLE_LIKE.replace(
            "Ai ký Luật số 60/2024/QH15?{~Thủ tướng =Chủ tịch Quốc hội ~Bộ trưởng}\n\nAi ký Luật số 60/2024/QH15?{=Chủ tịch Quốc hội =Chủ tịch QH}",
            "Ai ký Luật số 60/2024/QH15?{=Chủ tịch Quốc hội =Chủ tịch QH}\n\nAi ký Luật số 60/2024/QH15?{~Thủ tướng =Chủ tịch Quốc hội ~Bộ trưởng}",
        ));
        assert_eq!(
            (reordered[2].id.as_str(), reordered[3].id.as_str()),
            (qs[3].id.as_str(), qs[2].id.as_str())
        );
        assert_eq!(qs[0].id, question_id(Some("Ghép"), "Ghép cơ quan với lĩnh vực."));
        assert_eq!(qs[1].id, question_id(Some("Số"), "Một số từ 1 đến 5?"));

        // Moodle's `*`: any other answer, with its feedback only when nothing better matches.
        assert_eq!(grade(&qs[4], Some(&typed("ếch."))), 1.0);
        assert_eq!(grade(&qs[4], Some(&typed("chó"))), 0.0);
        assert_eq!(feedback(&qs[4], "Ếch"), ["Đúng!"]);
        assert_eq!(feedback(&qs[4], "mèo"), ["Nửa điểm."]);
        assert_eq!(feedback(&qs[4], "chó"), ["Sai hoàn toàn"]);
    }

    #[test]
    fn categories_are_groups() {
        let qs = parse_ok(
            "Câu 0?{T}\n\n$CATEGORY: $course$/top/Bài 1\n\nCâu 1?{T}\n// chú thích\n\nCâu 1b?{F}\n\n$CATEGORY: Bài 2/Mục a\nCâu 2?{T}\n\n$CATEGORY: $system$/top\n\nCâu 3?{T}",
        );
        let groups: Vec<Option<&str>> = qs.iter().map(|q| q.group.as_deref()).collect();
        assert_eq!(groups, [None, Some("Bài 1"), Some("Bài 1"), Some("Bài 2/Mục a"), None]);
    }

    // ----- the bundled bank -----

    #[test]
    fn bundled_gift_bank_parses() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../courses/an-toan-thong-tin-cntt/quiz/on-tap.gift");
        let source = std::fs::read_to_string(path).expect("the bundled GIFT bank");
        let qs = parse_ok(&source);
        assert_eq!(qs.len(), 17);
        let by_start = |text: &str| {
            qs.iter()
                .find(|q| q.stem_html.starts_with(text))
                .unwrap_or_else(|| panic!("no question {text:?}"))
        };

        let q = by_start("Luật An ninh mạng số 116/2025/QH15 có hiệu lực");
        assert_eq!(q.line, 10);
        assert_eq!(q.group.as_deref(), Some("Bài 1: Khung pháp lý"), "each lesson is a category");
        assert!(
            matches!(&q.kind, Kind::Single { options } if options.len() == 4 && options[0].weight == 1.0)
        );
        assert!(options(&q.kind)[1].feedback_html.as_deref().unwrap().contains("91/2025/QH15"));

        let q = by_start("Luật An ninh mạng số 116/2025/QH15 hợp nhất");
        assert!(matches!(q.kind, Kind::Multiple { all_or_nothing: false, .. }));
        assert_eq!(weights(&q.kind), [0.5, 0.5, -1.0, -1.0]);

        let q = by_start("Hồ sơ đề xuất cấp độ");
        assert!(
            matches!(&q.kind, Kind::TrueFalse { answer: false, wrong_feedback_html: Some(w), right_feedback_html: Some(r) }
            if w.starts_with("Chưa đúng") && r.starts_with("Đúng"))
        );

        let q = by_start("Trong tệp sshd_config, đặt _____ no");
        assert!(matches!(q.kind, Kind::Single { .. }));

        let q = by_start("Trong tệp /etc/ssh/sshd_config của một máy chủ");
        assert!(matches!(&q.kind, Kind::Single { options } if options.len() == 4));
        assert_eq!(q.group.as_deref(), Some("Bài 2: Tăng cường cấu hình"));

        let q = by_start("Lỗ hổng nào nên được xử lý trước tiên?");
        assert!(q.explanation_html.as_deref().unwrap().starts_with("Khi ưu tiên, kết hợp ba yếu tố:"));

        let q = by_start("Ghép mỗi mã sự kiện");
        assert!(
            matches!(&q.kind, Kind::Matching { pairs, .. } if pairs.len() == 4 && pairs[0].right == "Đăng nhập thất bại")
        );

        assert_eq!(ranges(&by_start("Cùng một thời điểm").kind), [(2.5, 3.5, 1.0)]);
        assert_eq!(ranges(&by_start("Theo quy chế minh họa").kind), [(2.0, 5.0, 1.0)]);

        let q = by_start("<p>Trong quy tắc sao lưu <strong>3-2-1</strong>:</p>");
        assert!(q.stem_html.contains("<li><strong>3</strong> là số bản dữ liệu,</li>"), "{}", q.stem_html);

        let q = by_start("Mục tiêu thời gian khôi phục");
        assert!(q.stem_html.contains("được viết tắt là _____ trong kế hoạch sao lưu."));
        assert!(matches!(&q.kind, Kind::Short { answers } if answers.len() == 2));

        let q = by_start("Giao thức nào nên dùng thay cho Telnet");
        assert!(
            matches!(&q.kind, Kind::Short { answers } if answers.len() == 4 && answers[3].text == "Secure Shell")
        );

        let trues = qs.iter().filter(|q| matches!(q.kind, Kind::TrueFalse { answer: true, .. })).count();
        assert_eq!(trues, 2);
    }

    /// The escaping example that was once a learner's question in the bundled bank (#20).
    #[test]
    fn escaped_example_fixture_parses() {
        let qs = parse_ok(include_str!("testdata/escapes.gift"));
        let [q] = qs.as_slice() else { panic!("one question: {qs:?}") };
        assert!(q.stem_html.starts_with("Lúc 02:00, quản trị viên đứng ở thư mục nhà (~, tức ${HOME})"));
        assert!(q.stem_html.contains("\"#PasswordAuthentication no\" và \"PasswordAuthentication=yes\""));
        assert!(options(&q.kind)[0].html.contains("dòng PasswordAuthentication=yes đang có hiệu lực"));
        assert!(
            options(&q.kind)[0].feedback_html.as_deref().unwrap().contains("chấp nhận dấu = giữa từ khóa")
        );
        assert!(q.explanation_html.as_deref().unwrap().contains("(không có dấu # ở đầu dòng)"));
    }

    // ----- properties -----

    /// Writes text so that GIFT reads it back literally.
    fn escape(text: &str) -> String {
        let mut out = String::new();
        for c in text.chars() {
            match c {
                '~' | '=' | '#' | '{' | '}' | ':' | '\\' => {
                    out.push('\\');
                    out.push(c);
                }
                '\n' => out.push_str("\\n"),
                c => out.push(c),
            }
        }
        out
    }

    const FRAGMENTS: &[&str] = &[
        "{",
        "}",
        "=",
        "~",
        "#",
        "####",
        "->",
        "-",
        ">",
        "%",
        "%50%",
        "%-100%",
        "%abc%",
        "::",
        ":",
        "\\",
        "\\n",
        "\\{",
        "\\:",
        "\n",
        "\n\n",
        "\r\n",
        " ",
        "\t",
        "//",
        "$CATEGORY:",
        "[markdown]",
        "[html]",
        "[plain]",
        "[",
        "]",
        "T",
        "FALSE",
        "..",
        "3",
        "0.5",
        "-2",
        "1e308",
        "Câu hỏi",
        "đúng",
        "sai",
        "Mật khẩu",
        "ữ",
        "ở",
        "\u{301}",
        "\u{338}",
        "_____",
        "**",
        "<b>",
        "<script>",
        "&",
        "\u{feff}",
        "ệ\u{323}",
        "🙂",
    ];

    fn check_lines(source: &str) {
        let last = source.split('\n').count().max(1);
        match parse(source) {
            Ok(questions) => {
                for q in &questions {
                    assert!((1..=last).contains(&q.line), "{q:?} in {source:?}");
                }
            }
            Err(errors) => {
                assert!(!errors.is_empty());
                for e in &errors {
                    assert!((1..=last).contains(&e.line), "{e:?} in {source:?}");
                }
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn arbitrary_text_never_panics(chars in prop::collection::vec(any::<char>(), 0..400)) {
            let source: String = chars.into_iter().collect();
            check_lines(&source);
        }

        #[test]
        fn gift_like_fragments_never_panic(parts in prop::collection::vec(prop::sample::select(FRAGMENTS), 0..80)) {
            check_lines(&parts.concat());
        }

        #[test]
        fn escaped_short_answers_read_back_literally(
            texts in prop::collection::vec("[a-zA-Z0-9 àáạảãâầấậẩẫăằắđèéêếệìíòóôồốơờớùúưừứỳýỵ~=#{}:\\\\%.,?!\n\t]{1,16}", 1..5)
        ) {
            let texts: Vec<String> = texts
                .into_iter()
                .filter(|t| !t.trim().is_empty() && !t.trim_start().starts_with('%'))
                .collect();
            prop_assume!(!texts.is_empty());
            let block: String = texts.iter().map(|t| format!("={} ", escape(t))).collect();
            let source = format!("::{}::Câu hỏi {}?{{{block}}}", escape(&texts[0]), escape(&texts[0]));
            let q = one(&source);
            let Kind::Short { answers } = q.kind else { panic!("{source:?}: {:?}", q.kind) };
            let read: Vec<&str> = answers.iter().map(|a| a.text.as_str()).collect();
            let written: Vec<&str> = texts.iter().map(|t| t.trim()).collect();
            prop_assert_eq!(read, written);
        }
    }
}
