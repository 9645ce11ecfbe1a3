//! The markdown quiz format of DESIGN.md: `## ` starts a question, the markdown under it up to the answers is
//! its stem, task-list items are options (`[x]` right), `= ` lines are accepted short answers, and a block quote
//! after the answers is the explanation.
//!
//! The file is read line by line (not rendered: a rendered task list would put the key in the page); the pieces
//! are then rendered one by one with the lessons' renderer and sanitiser.

use super::{Choice, Kind, ParseError, Question, TextAnswer, question_id};
use crate::course::render::render_fragment;
use crate::text::nfc;

/// The options of a two-option question that make it a true/false question: (true text, false text).
const TRUE_FALSE: &[(&str, &str)] = &[("đúng", "sai"), ("true", "false")];

/// Parses a quiz body (the file after its front matter). `first_line` is the file line the body starts on, so
/// every error names a line of the file. `partial_credit` is the quiz's setting for multiple-answer questions.
pub fn parse(body: &str, first_line: usize, partial_credit: bool) -> Result<Vec<Question>, Vec<ParseError>> {
    if body.len() > super::MAX_SOURCE_BYTES {
        return Err(vec![ParseError::new(first_line, "the quiz file is larger than 1 MiB")]);
    }
    let body = nfc(body);
    let mut errors = Vec::new();
    let mut questions = Vec::new();
    for block in split_questions(&body, first_line, &mut errors) {
        match parse_question(&block, partial_credit) {
            Ok(q) => questions.push(q),
            Err(mut e) => errors.append(&mut e),
        }
    }
    // Every problem at once, as for GIFT: a broken question does not hide another with no right answer.
    // A file whose every question is broken has its errors; "no questions" would only add noise.
    if !questions.is_empty() || errors.is_empty() {
        errors.extend(super::validate_bank(&questions));
    }
    if errors.is_empty() {
        Ok(questions)
    } else {
        errors.sort_by_key(|e| e.line);
        Err(errors)
    }
}

/// The lines of one question: its `## ` heading line and what follows up to the next question.
struct Block<'a> {
    line: usize,
    heading: &'a str,
    lines: Vec<(usize, &'a str)>,
    /// The `# ` heading above the question, if any: its group for `draw_per_group`.
    group: Option<String>,
}

fn split_questions<'a>(body: &'a str, first_line: usize, errors: &mut Vec<ParseError>) -> Vec<Block<'a>> {
    let mut blocks: Vec<Block<'a>> = Vec::new();
    let mut fence: Option<&str> = None;
    let mut stray_reported = false;
    let mut group: Option<String> = None;
    for (index, line) in body.lines().enumerate() {
        let number = first_line + index;
        let trimmed = line.trim_start();
        if let Some(open) = fence {
            if trimmed.starts_with(open) {
                fence = None;
            }
        } else if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
        } else if let Some(heading) = line.strip_prefix("## ") {
            blocks.push(Block {
                line: number,
                heading: heading.trim(),
                lines: Vec::new(),
                group: group.clone(),
            });
            continue;
        } else if let Some(heading) = line.strip_prefix("# ") {
            let name = heading.trim();
            if name.is_empty() {
                errors.push(ParseError::new(number, "a group heading `# ` needs a name"));
            }
            group = Some(name.to_owned()).filter(|n| !n.is_empty());
            continue;
        }
        match blocks.last_mut() {
            Some(block) => block.lines.push((number, line)),
            None if line.trim().is_empty() || is_comment(line) => {}
            None if stray_reported => {}
            None => {
                // Reported once, not for every line of the stray text.
                errors.push(ParseError::new(
                    number,
                    "text before the first question: a question starts with `## `",
                ));
                stray_reported = true;
            }
        }
    }
    blocks
}

fn is_comment(line: &str) -> bool {
    let t = line.trim();
    t.starts_with("<!--") && t.ends_with("-->")
}

/// The words of an option comment `<!-- daotao: ignore_diacritics -->`: an option of one question written as a
/// comment, so the file still reads as plain markdown anywhere else.
fn directive(line: &str) -> Option<&str> {
    let inner = line.trim().strip_prefix("<!--")?.strip_suffix("-->")?.trim();
    inner.strip_prefix("daotao:").map(str::trim)
}

/// The line of a question's `<!-- daotao: ignore_diacritics -->`, if it has one; any other option is an error.
fn option_comments(block: &Block<'_>, errors: &mut Vec<ParseError>) -> Option<usize> {
    let mut found = None;
    for &(number, line) in &block.lines {
        match directive(line) {
            Some(super::IGNORE_DIACRITICS) => found = Some(number),
            Some(words) => errors.push(ParseError::new(
                number,
                format!(
                    "unknown option `{words}`: the one a question may have is `{}`",
                    super::IGNORE_DIACRITICS
                ),
            )),
            None => {}
        }
    }
    found
}

/// What a line of a question is.
enum Line<'a> {
    Option {
        right: bool,
        text: &'a str,
    },
    Accepted(&'a str),
    Quote(&'a str),
    Blank,
    /// Indented text continuing the previous option.
    Continuation(&'a str),
    Other,
}

fn classify(line: &str) -> Line<'_> {
    let trimmed = line.trim_start();
    let indented = line.len() - trimmed.len() >= 2;
    if trimmed.is_empty() {
        return Line::Blank;
    }
    if !indented && let Some(rest) = trimmed.strip_prefix("- ").or_else(|| trimmed.strip_prefix("* ")) {
        let rest = rest.trim_start();
        for (mark, right) in [("[ ]", false), ("[x]", true), ("[X]", true)] {
            if let Some(text) = rest.strip_prefix(mark) {
                return Line::Option { right, text: text.trim() };
            }
        }
    }
    if !indented && let Some(text) = trimmed.strip_prefix("= ").or_else(|| (trimmed == "=").then_some("")) {
        return Line::Accepted(text.trim());
    }
    if !indented && let Some(text) = trimmed.strip_prefix('>') {
        return Line::Quote(text.strip_prefix(' ').unwrap_or(text));
    }
    if indented { Line::Continuation(trimmed) } else { Line::Other }
}

fn parse_question(block: &Block<'_>, partial_credit: bool) -> Result<Question, Vec<ParseError>> {
    let mut errors = Vec::new();
    if block.heading.is_empty() {
        errors
            .push(ParseError::new(block.line, "a question's `## ` heading is its text: it cannot be empty"));
    }
    let mut stem = vec![block.heading.to_string(), String::new()];
    let mut options: Vec<(usize, bool, String)> = Vec::new();
    let mut accepted: Vec<(usize, String)> = Vec::new();
    let mut explanation: Vec<&str> = Vec::new();
    let mut fence = false;
    #[derive(PartialEq)]
    enum Part {
        Stem,
        Answers,
        Explanation,
        After,
    }
    let mut part = Part::Stem;
    let ignore_diacritics = option_comments(block, &mut errors);
    for &(number, line) in &block.lines {
        if directive(line).is_some() {
            continue;
        }
        if part == Part::Stem {
            let trimmed = line.trim_start();
            if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
                fence = !fence;
            }
            if fence || matches!(classify(line), Line::Blank | Line::Other | Line::Continuation(_)) {
                stem.push(line.to_string());
                continue;
            }
            if let Line::Quote(_) = classify(line) {
                stem.push(line.to_string());
                continue;
            }
            part = Part::Answers;
        }
        match (&part, classify(line)) {
            (Part::Answers, Line::Option { right, text }) => options.push((number, right, text.to_string())),
            (Part::Answers, Line::Accepted(text)) => accepted.push((number, text.to_string())),
            (Part::Answers, Line::Continuation(text)) => match options.last_mut() {
                Some(last) => {
                    last.2.push('\n');
                    last.2.push_str(text);
                }
                None => errors.push(ParseError::new(number, "indented text after an accepted answer")),
            },
            (Part::Answers | Part::Explanation, Line::Quote(text)) => {
                part = Part::Explanation;
                explanation.push(text);
            }
            (_, Line::Blank) => {
                if part == Part::Explanation {
                    part = Part::After;
                }
            }
            (Part::Explanation, Line::Continuation(text)) => explanation.push(text),
            (Part::Explanation | Part::After, Line::Option { .. } | Line::Accepted(_)) => {
                errors.push(ParseError::new(
                    number,
                    "an answer after the explanation: the answers come first, then the `>` quote",
                ))
            }
            (Part::After, Line::Quote(_)) => errors.push(ParseError::new(
                number,
                "a second explanation: write one block quote after the answers (no blank line inside it)",
            )),
            (_, _) => errors.push(ParseError::new(
                number,
                "text after the answers: only an explanation as a `> ` block quote may follow them",
            )),
        }
    }
    answers_problems(block.line, &options, &accepted, ignore_diacritics, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let ignore_diacritics = ignore_diacritics.is_some();

    let stem_source = stem.join("\n");
    let kind = if accepted.is_empty() {
        choice_kind(&options, partial_credit)
    } else {
        Kind::Short {
            answers: accepted
                .into_iter()
                .map(|(_, text)| TextAnswer { text, weight: 1.0, feedback_html: None, ignore_diacritics })
                .collect(),
        }
    };
    let explanation = explanation.join("\n");
    Ok(Question {
        id: question_id(&stem_source),
        line: block.line,
        stem_html: render_fragment(&stem_source),
        kind,
        explanation_html: (!explanation.trim().is_empty()).then(|| render_fragment(&explanation)),
        origin: None,
        group: block.group.clone(),
    })
}

/// What is wrong with a question's answers as a whole: options and accepted answers mixed, none at all, an
/// empty one, or the diacritics option on a question not answered by typing.
fn answers_problems(
    line: usize,
    options: &[(usize, bool, String)],
    accepted: &[(usize, String)],
    ignore_diacritics: Option<usize>,
    errors: &mut Vec<ParseError>,
) {
    if !options.is_empty() && !accepted.is_empty() {
        errors.push(ParseError::new(
            accepted[0].0,
            "a question has options (`- [ ]`) or accepted answers (`= `), not both",
        ));
    }
    if options.is_empty() && accepted.is_empty() {
        errors.push(ParseError::new(
            line,
            "the question has no answers: list options as `- [ ]` / `- [x]` or accepted answers as `= text`",
        ));
    }
    if let Some((number, _)) = accepted.iter().find(|(_, text)| text.is_empty()) {
        errors.push(ParseError::new(*number, "an accepted answer `=` with no text"));
    }
    if let Some((number, _, _)) = options.iter().find(|(_, _, text)| text.is_empty()) {
        errors.push(ParseError::new(*number, "an option with no text"));
    }
    if let Some(number) = ignore_diacritics
        && accepted.is_empty()
    {
        errors.push(ParseError::new(
            number,
            format!("`{}` is for questions answered by typing (`= ` lines)", super::IGNORE_DIACRITICS),
        ));
    }
}

fn choice_kind(options: &[(usize, bool, String)], partial_credit: bool) -> Kind {
    if let [(_, first_right, first), (_, second_right, second)] = options
        && first_right != second_right
    {
        let (a, b) = (first.trim().to_lowercase(), second.trim().to_lowercase());
        for (yes, no) in TRUE_FALSE {
            if a == *yes && b == *no {
                return Kind::TrueFalse {
                    answer: *first_right,
                    wrong_feedback_html: None,
                    right_feedback_html: None,
                };
            }
        }
    }
    let rights = options.iter().filter(|(_, right, _)| *right).count();
    let choices = |right_weight: f64, wrong_weight: f64| -> Vec<Choice> {
        options
            .iter()
            .enumerate()
            .map(|(i, (_, right, text))| Choice {
                id: super::letter_id(i),
                html: render_fragment(text),
                weight: if *right { right_weight } else { wrong_weight },
                feedback_html: None,
            })
            .collect()
    };
    if rights <= 1 {
        Kind::Single { options: choices(1.0, 0.0) }
    } else {
        let share = 1.0 / rights as f64;
        if partial_credit {
            Kind::Multiple { options: choices(share, -share), all_or_nothing: false }
        } else {
            Kind::Multiple { options: choices(share, 0.0), all_or_nothing: true }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(body: &str) -> Vec<Question> {
        parse(body, 1, false).unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn errors(body: &str) -> Vec<(usize, String)> {
        parse(body, 1, false).unwrap_err().into_iter().map(|e| (e.line, e.message)).collect()
    }

    const DESIGN_EXAMPLE: &str = "## Mật khẩu nào sau đây an toàn nhất?

- [ ] `123456`
- [ ] `quangnam2025`
- [x] `T4i-khoan!Cong-vu#7`

> Mật khẩu mạnh thì dài và khó đoán.

## Những dấu hiệu nào cho thấy một thư điện tử là lừa đảo?

- [x] Tên miền người gửi giả mạo tên miền cơ quan
- [x] Thúc giục cung cấp mật khẩu ngay
- [ ] Có chữ ký số hợp lệ của cơ quan

## Địa chỉ Cổng Dịch vụ công quốc gia là gì?

= dichvucong.gov.vn
= https://dichvucong.gov.vn

## Cán bộ được dùng chung một tài khoản.

- [ ] Đúng
- [x] Sai
";

    #[test]
    fn the_design_example_parses_into_four_kinds() {
        let qs = ok(DESIGN_EXAMPLE);
        assert_eq!(qs.len(), 4);
        assert_eq!(qs[0].line, 1);
        assert_eq!(qs[0].stem_html, "Mật khẩu nào sau đây an toàn nhất?");
        let Kind::Single { options } = &qs[0].kind else { panic!("{:?}", qs[0].kind) };
        assert_eq!(options.iter().map(|o| o.weight).collect::<Vec<_>>(), [0.0, 0.0, 1.0]);
        assert_eq!(options[2].html, "<code>T4i-khoan!Cong-vu#7</code>");
        assert_eq!(qs[0].explanation_html.as_deref(), Some("Mật khẩu mạnh thì dài và khó đoán."));
        let Kind::Multiple { options, all_or_nothing } = &qs[1].kind else { panic!() };
        assert!(*all_or_nothing);
        assert_eq!(options.iter().filter(|o| o.weight > 0.0).count(), 2);
        assert_eq!(qs[1].line, 9);
        let Kind::Short { answers } = &qs[2].kind else { panic!() };
        assert_eq!(answers.len(), 2);
        assert_eq!(answers[1].text, "https://dichvucong.gov.vn");
        assert!(matches!(qs[3].kind, Kind::TrueFalse { answer: false, .. }));
        assert_eq!(qs[2].explanation_html, None);
    }

    #[test]
    fn partial_credit_gives_shares_and_penalties() {
        let qs = parse(DESIGN_EXAMPLE, 1, true).unwrap();
        let Kind::Multiple { options, all_or_nothing } = &qs[1].kind else { panic!() };
        assert!(!*all_or_nothing);
        assert_eq!(options.iter().map(|o| o.weight).collect::<Vec<_>>(), [0.5, 0.5, -0.5]);
    }

    #[test]
    fn a_stem_may_hold_markdown_under_the_heading_and_ids_follow_the_text() {
        let body = "## Đọc đoạn mã sau\n\n```\n- [x] không phải đáp án\n## không phải câu hỏi\n```\n\nRồi chọn:\n\n- [x] A\n- [ ] B\n";
        let qs = ok(body);
        assert_eq!(qs.len(), 1);
        assert!(
            qs[0]
                .stem_html
                .contains("<pre tabindex=\"0\"><code>- [x] không phải đáp án\n## không phải câu hỏi")
        );
        assert!(qs[0].stem_html.contains("Rồi chọn:"));
        let moved = ok(&format!("## Câu khác\n\n= x\n\n{body}"));
        assert_eq!(moved[1].id, qs[0].id, "the id does not depend on the position");
        assert_ne!(moved[0].id, qs[0].id);
    }

    #[test]
    fn nfd_input_gives_nfc_html_and_the_same_ids() {
        use unicode_normalization::UnicodeNormalization;
        let nfd: String = DESIGN_EXAMPLE.nfd().collect();
        assert_eq!(ok(&nfd), ok(DESIGN_EXAMPLE));
    }

    #[test]
    fn options_continue_on_indented_lines() {
        let qs = ok("## Chọn\n\n- [x] Dòng một\n  dòng hai\n- [ ] Khác\n");
        let Kind::Single { options } = &qs[0].kind else { panic!() };
        assert_eq!(options[0].html, "Dòng một\ndòng hai");
    }

    #[test]
    fn broken_quizzes_name_their_lines() {
        assert_eq!(
            errors("## Không có đáp án đúng\n\n- [ ] A\n- [ ] B\n"),
            [(1, "no option is marked right: mark one with `[x]` (markdown) or `=` (GIFT)".to_string())]
        );
        assert_eq!(errors("## Trống\n\nChỉ có lời dẫn.\n")[0].0, 1);
        assert_eq!(
            errors("Lời giới thiệu\nthêm\n\n## A\n\n= a\n"),
            [(1, "text before the first question: a question starts with `## `".to_string())]
        );
        let e = errors("## A\n\n- [x] có\n= không\n");
        assert_eq!(e[0].0, 4);
        let e = errors("## A\n\n- [x] có\n- [ ] không\n\n> giải thích\n\nĐoạn lạc\n");
        assert_eq!(
            e,
            [(
                8,
                "text after the answers: only an explanation as a `> ` block quote may follow them"
                    .to_string()
            )]
        );
        let e = errors("## A\n\n= a\n\n## A\n\n= b\n");
        assert_eq!(e, [(5, "the same question as on line 1".to_string())]);
        assert_eq!(errors(""), [(1, "the quiz has no questions".to_string())]);
        assert_eq!(errors("## \n\n= a\n")[0].0, 1);
        let e = errors("## Một lựa chọn\n\n- [x] A\n");
        assert_eq!(e[0].1, "a choice question needs at least two options");
    }

    #[test]
    fn every_problem_of_a_file_at_once_in_line_order() {
        let e = errors(
            "## Không đáp án\n\n- [ ] A\n- [ ] B\n\n## Hỏng\n\n- [x] có\n= không\n\n## Không đáp án\n\n= x\n",
        );
        assert_eq!(
            e,
            [
                (1, "no option is marked right: mark one with `[x]` (markdown) or `=` (GIFT)".to_string()),
                (9, e[1].1.clone()),
                (11, "the same question as on line 1".to_string()),
            ],
            "a broken question does not hide the others' problems"
        );
    }

    #[test]
    fn errors_count_lines_from_where_the_body_starts() {
        let e = parse("## A\n\n- [ ] x\n- [ ] y\n", 9, false).unwrap_err();
        assert_eq!(e[0].line, 9);
    }

    #[test]
    fn raw_html_in_a_question_is_sanitised() {
        let qs = ok(
            "## <script>alert(1)</script>Chọn <b>một</b>\n\n- [x] <img src=x onerror=alert(1)>A\n- [ ] B\n",
        );
        assert!(!qs[0].stem_html.contains("<script"));
        let Kind::Single { options } = &qs[0].kind else { panic!() };
        assert!(!options[0].html.contains("onerror"));
    }

    #[test]
    fn a_short_answer_question_opts_in_to_ignoring_diacritics_with_a_comment() {
        let qs = ok(
            "## Thủ đô?\n<!-- daotao: ignore_diacritics -->\n\n= Hà Nội\n= Thủ đô Hà Nội\n\n## Tỉnh?\n\n= Quảng Nam\n",
        );
        let Kind::Short { answers } = &qs[0].kind else { panic!() };
        assert!(answers.iter().all(|a| a.ignore_diacritics));
        assert_eq!(qs[0].stem_html, "Thủ đô?", "the comment is not part of the question");
        let Kind::Short { answers } = &qs[1].kind else { panic!() };
        assert!(!answers[0].ignore_diacritics, "only the question that opts in");
        // After the answers works too.
        let qs = ok("## Thủ đô?\n\n= Hà Nội\n<!-- daotao: ignore_diacritics -->\n");
        assert!(matches!(&qs[0].kind, Kind::Short { answers } if answers[0].ignore_diacritics));
        assert_eq!(
            errors("## Chọn\n\n<!-- daotao: ignore_diacritics -->\n- [x] A\n- [ ] B\n"),
            [(3, "`ignore_diacritics` is for questions answered by typing (`= ` lines)".to_string())]
        );
        assert_eq!(
            errors("## Thủ đô?\n\n= Hà Nội\n<!-- daotao: bo_dau -->\n"),
            [(4, "unknown option `bo_dau`: the one a question may have is `ignore_diacritics`".to_string())]
        );
    }

    #[test]
    fn level_one_headings_group_the_questions_below_them() {
        let qs = ok(
            "## Trước mọi nhóm\n\n= a\n\n# Bài 1: Mật khẩu\n\n## Câu 1\n\n= b\n\n## Câu 2\n\n= c\n\n#  Bài 2 \n## Câu 3\n\n= d\n",
        );
        let groups: Vec<Option<&str>> = qs.iter().map(|q| q.group.as_deref()).collect();
        assert_eq!(groups, [None, Some("Bài 1: Mật khẩu"), Some("Bài 1: Mật khẩu"), Some("Bài 2")]);
        assert!(!qs[2].stem_html.contains("Bài 2"), "a group heading is no part of a question");
        assert_eq!(errors("# \n\n## A\n\n= a\n"), [(1, "a group heading `# ` needs a name".to_string())]);
        // Inside a code block it is text.
        let qs = ok("## Mã\n\n```\n# không phải nhóm\n```\n\n= a\n");
        assert_eq!(qs[0].group, None);
    }

    #[test]
    fn option_ids_are_letters() {
        assert_eq!(crate::quiz::letter_id(0), "a");
        assert_eq!(crate::quiz::letter_id(25), "z");
        assert_eq!(crate::quiz::letter_id(26), "aa");
        assert_eq!(crate::quiz::letter_id(27), "ab");
        assert_eq!(crate::quiz::letter_id(26 * 27), "aaa");
    }

    mod never_panics {
        use super::*;
        use proptest::prelude::*;

        const FRAGMENTS: &[&str] = &[
            "## ",
            "# ",
            "- [ ] ",
            "- [x] ",
            "* [X] ",
            "= ",
            "> ",
            "\n",
            "\n\n",
            "  ",
            "```",
            "~~~",
            "<!-- -->",
            "Câu hỏi",
            "đáp án",
            "ẫ",
            "e\u{0301}",
            "<script>",
            "[x]",
            "|a|b|",
            "[^1]",
            "{#id}",
            "\\",
            "\r\n",
        ];

        fn check(source: &str) {
            match parse(source, 3, true) {
                Ok(questions) => assert!(!questions.is_empty()),
                Err(errors) => {
                    let last = 3 + source.lines().count().max(1);
                    assert!(
                        errors.iter().all(|e| e.line >= 1 && e.line <= last),
                        "{errors:?} for {source:?}"
                    );
                }
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn arbitrary_text(chars in prop::collection::vec(any::<char>(), 0..400)) {
                check(&chars.into_iter().collect::<String>());
            }

            #[test]
            fn quiz_like_fragments(parts in prop::collection::vec(prop::sample::select(FRAGMENTS), 0..80)) {
                check(&parts.concat());
            }
        }
    }
}
