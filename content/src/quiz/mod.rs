//! Quizzes: the question bank parsed from a trainer's file (markdown or Moodle GIFT), the questions one attempt
//! asks, and grading. The bank holds the answer keys; what reaches a browser before submission is only
//! [`asked::AskedQuestion`], built without them. Attempts kept in the database, with their rules (who may
//! start, how often, by when), are `daotao_core::assessment`'s.

pub mod asked;
pub mod draw;
pub mod gift;
pub mod grade;
pub mod length_cue;
pub mod markdown;
pub mod review;

use serde::{Deserialize, Serialize};

/// A question with its answer key, as parsed from a quiz file or as stored in an attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Unique within its quiz. In a bank: derived from the question's text, so it survives reordering. In an
    /// attempt: `q1`, `q2`, ... in the order asked.
    pub id: String,
    /// 1-based line of the quiz file where the question starts.
    pub line: usize,
    /// Sanitised HTML of the question text. A GIFT missing-word question has its blank as `_____`.
    pub stem_html: String,
    pub kind: Kind,
    /// Sanitised HTML shown after submission, whatever the answer (GIFT's `####` general feedback, the block
    /// quote after a markdown question's answers).
    pub explanation_html: Option<String>,
    /// In an attempt: which bank question this is and which bank option each option is, so the quiz
    /// statistics (#19) count one question across shuffles and draws. `None` in a bank, and in attempts
    /// started before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<Origin>,
    /// The group the question belongs to (a markdown quiz's `# ` heading above it, a GIFT file's `$CATEGORY:`),
    /// so a quiz can draw so many questions from each group (`draw_per_group`) and leave no lesson out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

/// The option comment that makes a short-answer question accept answers typed without diacritics.
pub const IGNORE_DIACRITICS: &str = "ignore_diacritics";

/// Where a question of an attempt came from in the bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The bank question's id.
    pub id: String,
    /// The bank ids of the options (choice) or pairs (matching), in the order the attempt shows them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
}

/// What kind of answer a question takes, with its key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Kind {
    /// Pick one option. The right option has weight 1; GIFT may give others partial weights.
    Single { options: Vec<Choice> },
    /// Pick any number of options. When `all_or_nothing`, full marks only for exactly the options with a
    /// positive weight, else nothing; otherwise the weights of the picked options are summed and clamped to
    /// 0..=1 (GIFT's `~%50%` weights, a markdown quiz with `partial_credit = true`).
    Multiple { options: Vec<Choice>, all_or_nothing: bool },
    /// True or false, answered with the option id `"true"` or `"false"`.
    TrueFalse {
        answer: bool,
        /// Shown after submission to a learner who answered wrongly (GIFT's first `#feedback`).
        wrong_feedback_html: Option<String>,
        /// Shown after submission to a learner who answered rightly (GIFT's second `#feedback`).
        right_feedback_html: Option<String>,
    },
    /// Type a short text; compared by [`grade::normalise_typed`]: NFC, case folding, whitespace and
    /// surrounding punctuation trimmed, and diacritics too for an answer that opts in.
    Short { answers: Vec<TextAnswer> },
    /// Type a number; "3,5" and "3.5" are the same number.
    Numerical { answers: Vec<NumericAnswer> },
    /// Match every left item to one of the right texts; each pair right earns its share of the mark.
    Matching {
        pairs: Vec<Pair>,
        /// Right texts that match no left item, offered among the choices as wrong ones (GIFT's `= -> Chat`).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        distractors: Vec<String>,
    },
}

/// One option of a choice question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    /// Unique within the question. In a bank: `a`, `b`, ... in file order; in an attempt: `o1`, `o2`, ... in
    /// the order shown (so ids never hint at which option the file listed first).
    pub id: String,
    pub html: String,
    /// Fraction of the question's mark, -1..=1. Right: 1 (single) or a positive share (multiple); wrong: 0 or
    /// negative.
    pub weight: f64,
    /// Shown after submission when this option was picked.
    pub feedback_html: Option<String>,
}

/// An accepted text of a short-answer question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextAnswer {
    /// As the trainer wrote it (shown after submission); compared through [`grade::normalise_typed`].
    pub text: String,
    /// Fraction of the mark, 0..=1 (GIFT `=%50%text`); 1 when not given.
    pub weight: f64,
    pub feedback_html: Option<String>,
    /// Also accepted typed without diacritics ("Ha Noi" for "Hà Nội"): set on every answer of a question that
    /// opts in (`<!-- daotao: ignore_diacritics -->` in markdown, `// daotao: ignore_diacritics` in GIFT), for
    /// learners on keyboards without Vietnamese input.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ignore_diacritics: bool,
}

/// An accepted range of a numerical question: `value:tolerance` is `value - tolerance ..= value + tolerance`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericAnswer {
    pub min: f64,
    pub max: f64,
    /// Fraction of the mark, 0..=1; 1 when not given.
    pub weight: f64,
    pub feedback_html: Option<String>,
}

/// One pair of a matching question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pair {
    /// Unique within the question (`a`, `b`, ... in a bank; `p1`, `p2`, ... in an attempt).
    pub id: String,
    pub left_html: String,
    /// Plain text of the right side; the learner picks it from all right sides of the question.
    pub right: String,
}

/// A problem in a quiz file, at a 1-based line of that file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl ParseError {
    pub fn new(line: usize, message: impl Into<String>) -> Self {
        Self { line, message: message.into() }
    }
}

/// Largest quiz file parsed, as for lessons (pulldown-cmark has quadratic cases).
pub const MAX_SOURCE_BYTES: usize = 1024 * 1024;

/// Checks that hold for a bank whatever its format: at least one question, unique ids, and every question
/// answerable with full marks. Returns one error per problem.
pub fn validate_bank(questions: &[Question]) -> Vec<ParseError> {
    let mut errors = Vec::new();
    if questions.is_empty() {
        errors.push(ParseError::new(1, "the quiz has no questions"));
    }
    let mut seen = std::collections::HashMap::new();
    for q in questions {
        if let Some(first) = seen.insert(q.id.as_str(), q.line) {
            errors.push(ParseError::new(q.line, format!("the same question as on line {first}")));
        }
        if let Some(problem) = key_problem(&q.kind) {
            errors.push(ParseError::new(q.line, problem));
        }
    }
    errors
}

fn key_problem(kind: &Kind) -> Option<String> {
    match kind {
        Kind::Single { options } => {
            if options.len() < 2 {
                Some("a choice question needs at least two options".into())
            } else if !options.iter().any(|o| o.weight >= 1.0) {
                Some("no option is marked right: mark one with `[x]` (markdown) or `=` (GIFT)".into())
            } else {
                None
            }
        }
        Kind::Multiple { options, all_or_nothing } => {
            let best: f64 = options.iter().filter(|o| o.weight > 0.0).map(|o| o.weight).sum();
            if options.len() < 2 {
                Some("a choice question needs at least two options".into())
            } else if best <= 0.0 {
                Some("no option is marked right".into())
            } else if !all_or_nothing && (best - 1.0).abs() > 0.01 {
                Some(format!("the positive weights add up to {:.0}%, not 100%", best * 100.0))
            } else {
                None
            }
        }
        Kind::TrueFalse { .. } => None,
        Kind::Short { answers } => {
            if !answers.iter().any(|a| a.weight >= 1.0) {
                Some("no accepted answer gives full marks".into())
            } else if answers.iter().any(|a| grade::normalise_text(&a.text).is_empty()) {
                Some("an accepted answer is empty".into())
            } else {
                None
            }
        }
        Kind::Numerical { answers } => {
            if !answers.iter().any(|a| a.weight >= 1.0) {
                Some("no accepted number gives full marks".into())
            } else if answers.iter().any(|a| !a.min.is_finite() || !a.max.is_finite() || a.min > a.max) {
                Some("a numeric range is empty or not a number".into())
            } else {
                None
            }
        }
        Kind::Matching { pairs, .. } => {
            if pairs.len() < 2 {
                Some("a matching question needs at least two pairs".into())
            } else {
                None
            }
        }
    }
}

/// A bank question id derived from the question's text (NFC, whitespace runs collapsed), so reordering or
/// re-wrapping a file keeps every id: 12 hex digits.
pub fn question_id(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let collapsed = crate::text::nfc(text).split_whitespace().collect::<Vec<_>>().join(" ");
    let digest = Sha256::digest(collapsed.as_bytes());
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// `a`, `b`, ..., `z`, `aa`, `ab`, ...: the id of the `n`th (0-based) option or pair in a bank, by file order.
pub fn letter_id(mut n: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'a' + (n % 26) as u8);
        if n < 26 {
            break;
        }
        n = n / 26 - 1;
    }
    letters.iter().rev().map(|&b| char::from(b)).collect()
}
