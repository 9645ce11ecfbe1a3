//! Grading: how many marks an answer earns. Every question is worth one mark; the quiz's percentage is the
//! marks earned over the questions asked.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Kind, Question, TextAnswer};
use crate::text::{fold_diacritics, nfc};

/// A learner's answer to one question, as the API and the forms carry it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Answer {
    /// Option ids (choice and true/false questions).
    Options(Vec<String>),
    /// A typed answer (short answer; numerical answers typed into a form).
    Text(String),
    Number(f64),
    /// Left pair id -> the right text picked for it.
    Matching(BTreeMap<String, String>),
}

/// Every answer of an attempt, by question id.
pub type Answers = BTreeMap<String, Answer>;

/// The marks (0..=1) an answer earns; no answer earns 0.
pub fn grade(question: &Question, answer: Option<&Answer>) -> f64 {
    let Some(answer) = answer else { return 0.0 };
    let marks = match (&question.kind, answer) {
        (Kind::Single { options }, Answer::Options(picked)) => match picked.as_slice() {
            [one] => options.iter().find(|o| &o.id == one).map_or(0.0, |o| o.weight),
            _ => 0.0,
        },
        (Kind::Multiple { options, all_or_nothing }, Answer::Options(picked)) => {
            let chosen = |id: &str| picked.iter().any(|p| p == id);
            if *all_or_nothing {
                let exact = options.iter().all(|o| chosen(&o.id) == (o.weight > 0.0));
                if exact { 1.0 } else { 0.0 }
            } else {
                options.iter().filter(|o| chosen(&o.id)).map(|o| o.weight).sum()
            }
        }
        (Kind::TrueFalse { answer, .. }, Answer::Options(picked)) => match picked.as_slice() {
            [one] if one == if *answer { "true" } else { "false" } => 1.0,
            _ => 0.0,
        },
        (Kind::Short { answers }, Answer::Text(text)) => {
            answers.iter().filter(|a| typed_matches(a, text)).map(|a| a.weight).fold(0.0, f64::max)
        }
        (Kind::Numerical { answers }, answer) => {
            let value = match answer {
                Answer::Number(n) => Some(*n),
                Answer::Text(text) => parse_number(text),
                _ => None,
            };
            value.map_or(0.0, |v| {
                answers.iter().filter(|a| a.min <= v && v <= a.max).map(|a| a.weight).fold(0.0, f64::max)
            })
        }
        (Kind::Matching { pairs, .. }, Answer::Matching(picked)) => {
            let right = pairs
                .iter()
                .filter(|p| picked.get(&p.id).is_some_and(|r| normalise_text(r) == normalise_text(&p.right)))
                .count();
            right as f64 / pairs.len().max(1) as f64
        }
        _ => 0.0,
    };
    if marks.is_finite() { marks.clamp(0.0, 1.0) } else { 0.0 }
}

/// NFC, lower case, surrounding whitespace trimmed and inner runs of whitespace made one space. Diacritics
/// matter: "má" is not "mã". How a matching question's picked text is compared (it is chosen from a list, not
/// typed), and the test of an empty accepted answer.
pub fn normalise_text(text: &str) -> String {
    nfc(text).to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Punctuation a learner may type around an answer without meaning anything by it: the full stop of a sentence,
/// a trailing slash of an address, quotes. Not `+ # - * % $ @ _ ( )`, which are part of answers such as
/// "C++", "C#", "-5", "(a)".
fn is_surrounding_punctuation(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '…'
            | '"'
            | '\''
            | '`'
            | '/'
            | '\\'
            | '“'
            | '”'
            | '‘'
            | '’'
            | '«'
            | '»'
    )
}

/// What a typed (short) answer is compared as: [`normalise_text`], then punctuation around it trimmed
/// ("60/2024/QH15." is "60/2024/qh15", "dichvucong.gov.vn/" is "dichvucong.gov.vn"), then, when the question
/// opts in, diacritics folded ("Ha Noi" is "Hà Nội"). An answer that is only punctuation keeps it, so "?" never
/// equals "/".
pub fn normalise_typed(text: &str, ignore_diacritics: bool) -> String {
    let spaced = normalise_text(text);
    let trimmed = spaced.trim_matches(|c: char| c.is_whitespace() || is_surrounding_punctuation(c));
    let kept = if trimmed.is_empty() { spaced.as_str() } else { trimmed };
    if ignore_diacritics { fold_diacritics(kept) } else { kept.to_owned() }
}

/// Whether `typed` is the accepted answer `accepted`, by [`normalise_typed`] and the answer's diacritics opt-in.
/// An accepted answer `*` is Moodle's "any other answer" (`=%0%*#Completely wrong`): it matches anything typed.
pub fn typed_matches(accepted: &TextAnswer, typed: &str) -> bool {
    if accepted.text.trim() == ANY_ANSWER {
        return !typed.trim().is_empty();
    }
    normalise_typed(typed, accepted.ignore_diacritics)
        == normalise_typed(&accepted.text, accepted.ignore_diacritics)
}

/// Moodle's short answer that matches anything typed.
pub const ANY_ANSWER: &str = "*";

/// A number as a Vietnamese or English speaker types it: `3,5` or `3.5`, optional spaces or dots/commas as
/// thousands separators are not accepted (ambiguous); `-2`, `1e3` are.
pub fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    let t = if t.contains(',') && !t.contains('.') { t.replacen(',', ".", 1) } else { t.to_owned() };
    if t.contains(',') {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// An attempt's score: marks earned over questions asked, and the percentage (0..=100) rounded to 2 places.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Score {
    pub score: f64,
    pub max_score: f64,
    pub percent: f64,
}

/// Grades every question of an attempt; returns the marks per question (in order) and the total.
pub fn grade_all(questions: &[Question], answers: &Answers) -> (Vec<f64>, Score) {
    let marks: Vec<f64> = questions.iter().map(|q| grade(q, answers.get(&q.id))).collect();
    let score: f64 = marks.iter().sum();
    let max_score = questions.len() as f64;
    let percent = if max_score > 0.0 { (score / max_score * 10_000.0).round() / 100.0 } else { 0.0 };
    (marks, Score { score: (score * 1000.0).round() / 1000.0, max_score, percent })
}

/// Whether a percentage passes a quiz's `pass_percent`.
pub fn passes(percent: f64, pass_percent: u32) -> bool {
    percent + 1e-9 >= f64::from(pass_percent)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::{Choice, NumericAnswer, Pair, TextAnswer};

    fn q(kind: Kind) -> Question {
        Question {
            id: "q1".into(),
            line: 1,
            stem_html: String::new(),
            kind,
            explanation_html: None,
            origin: None,
            group: None,
        }
    }

    fn accepted(text: &str, weight: f64, ignore_diacritics: bool) -> TextAnswer {
        TextAnswer { text: text.into(), weight, feedback_html: None, ignore_diacritics }
    }

    fn choices(weights: &[f64]) -> Vec<Choice> {
        weights
            .iter()
            .enumerate()
            .map(|(i, w)| Choice {
                id: format!("o{}", i + 1),
                html: String::new(),
                weight: *w,
                feedback_html: None,
            })
            .collect()
    }

    fn picks(ids: &[&str]) -> Answer {
        Answer::Options(ids.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn single_choice() {
        let single = q(Kind::Single { options: choices(&[0.0, 1.0, 0.5]) });
        assert_eq!(grade(&single, Some(&picks(&["o2"]))), 1.0);
        assert_eq!(grade(&single, Some(&picks(&["o1"]))), 0.0);
        assert_eq!(grade(&single, Some(&picks(&["o3"]))), 0.5, "a GIFT partial weight");
        assert_eq!(
            grade(&single, Some(&picks(&["o2", "o1"]))),
            0.0,
            "two picks for a single choice earn nothing"
        );
        assert_eq!(grade(&single, Some(&picks(&["o9"]))), 0.0);
        assert_eq!(grade(&single, None), 0.0);
        assert_eq!(grade(&single, Some(&Answer::Text("o2".into()))), 0.0, "wrong answer shape");
    }

    #[test]
    fn multiple_all_or_nothing() {
        let m = q(Kind::Multiple { options: choices(&[0.5, 0.5, 0.0]), all_or_nothing: true });
        assert_eq!(grade(&m, Some(&picks(&["o1", "o2"]))), 1.0);
        assert_eq!(grade(&m, Some(&picks(&["o2", "o1"]))), 1.0);
        assert_eq!(grade(&m, Some(&picks(&["o1"]))), 0.0);
        assert_eq!(grade(&m, Some(&picks(&["o1", "o2", "o3"]))), 0.0);
    }

    #[test]
    fn multiple_partial_credit_sums_and_clamps() {
        let m = q(Kind::Multiple { options: choices(&[0.5, 0.5, -1.0, -1.0]), all_or_nothing: false });
        assert_eq!(grade(&m, Some(&picks(&["o1"]))), 0.5);
        assert_eq!(grade(&m, Some(&picks(&["o1", "o2"]))), 1.0);
        assert_eq!(grade(&m, Some(&picks(&["o1", "o2", "o3"]))), 0.0);
        assert_eq!(grade(&m, Some(&picks(&["o3", "o4"]))), 0.0, "never below zero");
        assert_eq!(grade(&m, Some(&picks(&["o1", "o1", "o1"]))), 0.5, "a repeated id counts once");
    }

    #[test]
    fn true_false() {
        let t = q(Kind::TrueFalse { answer: false, wrong_feedback_html: None, right_feedback_html: None });
        assert_eq!(grade(&t, Some(&picks(&["false"]))), 1.0);
        assert_eq!(grade(&t, Some(&picks(&["true"]))), 0.0);
        assert_eq!(grade(&t, Some(&picks(&["true", "false"]))), 0.0);
    }

    #[test]
    fn vietnamese_short_answers_after_nfc_case_folding_and_trimming() {
        let s = q(Kind::Short {
            answers: vec![
                accepted("Cổng Dịch vụ công quốc gia", 1.0, false),
                accepted("dịch vụ công", 0.5, false),
            ],
        });
        let text = |t: &str| Some(Answer::Text(t.to_string()));
        assert_eq!(grade(&s, text("  CỔNG DỊCH VỤ CÔNG   QUỐC GIA ").as_ref()), 1.0);
        let nfd = "cổng dịch vụ công quốc gia".chars().flat_map(|c| {
            let mut v = Vec::new();
            unicode_normalization::char::decompose_canonical(c, |p| v.push(p));
            v
        });
        assert_eq!(grade(&s, text(&nfd.collect::<String>()).as_ref()), 1.0, "NFD typed text");
        assert_eq!(grade(&s, text("Dịch Vụ Công").as_ref()), 0.5);
        assert_eq!(grade(&s, text("cong dich vu cong quoc gia").as_ref()), 0.0, "diacritics matter");
        assert_eq!(grade(&s, text("").as_ref()), 0.0);
    }

    #[test]
    fn punctuation_around_a_typed_answer_does_not_count() {
        let s = q(Kind::Short {
            answers: vec![accepted("60/2024/QH15", 1.0, false), accepted("dichvucong.gov.vn", 1.0, false)],
        });
        let text = |t: &str| Some(Answer::Text(t.to_string()));
        for right in [
            "60/2024/QH15.",
            "60/2024/qh15",
            "\"60/2024/QH15\"",
            "“60/2024/QH15”;",
            "dichvucong.gov.vn/",
            " Dichvucong.gov.vn. ",
            "dichvucong.gov.vn!?",
        ] {
            assert_eq!(grade(&s, text(right).as_ref()), 1.0, "{right:?}");
        }
        for wrong in ["60/2024/QH1", "60 2024 QH15", "dichvucong.gov", "dichvucong gov vn"] {
            assert_eq!(grade(&s, text(wrong).as_ref()), 0.0, "{wrong:?}");
        }
        // Inside the answer, punctuation still counts; around it, only the listed marks are trimmed.
        let c = q(Kind::Short { answers: vec![accepted("C++", 1.0, false), accepted("-5", 1.0, false)] });
        assert_eq!(grade(&c, text("c++.").as_ref()), 1.0);
        assert_eq!(grade(&c, text("C").as_ref()), 0.0, "`+` is part of the answer");
        assert_eq!(grade(&c, text("5").as_ref()), 0.0, "`-` is part of the answer");
        // An accepted answer made only of punctuation is compared whole.
        let p = q(Kind::Short { answers: vec![accepted("/", 1.0, false)] });
        assert_eq!(grade(&p, text(" / ").as_ref()), 1.0);
        assert_eq!(grade(&p, text("?").as_ref()), 0.0);
        assert_eq!(normalise_typed("  Luật   số 60 . ", false), "luật số 60");
    }

    #[test]
    fn a_question_may_accept_answers_without_diacritics() {
        let strict = q(Kind::Short { answers: vec![accepted("Hà Nội", 1.0, false)] });
        let relaxed = q(Kind::Short { answers: vec![accepted("Hà Nội", 1.0, true)] });
        let text = |t: &str| Some(Answer::Text(t.to_string()));
        assert_eq!(grade(&strict, text("Ha Noi").as_ref()), 0.0, "diacritics matter unless opted in");
        for typed in ["Ha Noi", "ha noi.", "HÀ NỘI", "Hà Noi", "Hả Nồi"] {
            assert_eq!(grade(&relaxed, text(typed).as_ref()), 1.0, "{typed:?}");
        }
        assert_eq!(grade(&relaxed, text("Hanoi").as_ref()), 0.0, "spaces still count");
        let d = q(Kind::Short { answers: vec![accepted("Đà Nẵng", 1.0, true)] });
        assert_eq!(grade(&d, text("da nang").as_ref()), 1.0, "đ is d");
    }

    #[test]
    fn numerical_tolerance_ranges_and_decimal_commas() {
        let n = q(Kind::Numerical {
            answers: vec![
                NumericAnswer { min: 2.5, max: 3.5, weight: 1.0, feedback_html: None },
                NumericAnswer { min: 2.0, max: 5.0, weight: 0.5, feedback_html: None },
            ],
        });
        let text = |t: &str| Some(Answer::Text(t.to_string()));
        assert_eq!(grade(&n, Some(&Answer::Number(3.0))), 1.0);
        assert_eq!(grade(&n, text("3,5").as_ref()), 1.0);
        assert_eq!(grade(&n, text(" 2.5 ").as_ref()), 1.0);
        assert_eq!(grade(&n, text("4").as_ref()), 0.5);
        assert_eq!(grade(&n, text("5.01").as_ref()), 0.0);
        assert_eq!(grade(&n, text("ba").as_ref()), 0.0);
        assert_eq!(grade(&n, text("1,000.5").as_ref()), 0.0, "ambiguous separators are refused");
        assert_eq!(grade(&n, text("NaN").as_ref()), 0.0);
    }

    #[test]
    fn matching_earns_a_share_per_pair() {
        let m = q(Kind::Matching {
            pairs: vec![
                Pair { id: "p1".into(), left_html: "A".into(), right: "một".into() },
                Pair { id: "p2".into(), left_html: "B".into(), right: "hai".into() },
                Pair { id: "p3".into(), left_html: "C".into(), right: "ba".into() },
                Pair { id: "p4".into(), left_html: "D".into(), right: "bốn".into() },
            ],
            distractors: vec![],
        });
        let answer = |pairs: &[(&str, &str)]| {
            Answer::Matching(pairs.iter().map(|(l, r)| (l.to_string(), r.to_string())).collect())
        };
        assert_eq!(
            grade(&m, Some(&answer(&[("p1", "một"), ("p2", "hai"), ("p3", "ba"), ("p4", "bốn")]))),
            1.0
        );
        assert_eq!(grade(&m, Some(&answer(&[("p1", "một"), ("p2", "ba")]))), 0.25);
    }

    #[test]
    fn an_attempt_scores_over_the_questions_asked() {
        let questions = vec![
            Question { id: "q1".into(), ..q(Kind::Single { options: choices(&[1.0, 0.0]) }) },
            Question { id: "q2".into(), ..q(Kind::Single { options: choices(&[1.0, 0.0]) }) },
            Question { id: "q3".into(), ..q(Kind::Single { options: choices(&[1.0, 0.0]) }) },
        ];
        let answers: Answers =
            [("q1".to_string(), picks(&["o1"])), ("q2".to_string(), picks(&["o1"]))].into();
        let (marks, score) = grade_all(&questions, &answers);
        assert_eq!(marks, [1.0, 1.0, 0.0]);
        assert_eq!(score, Score { score: 2.0, max_score: 3.0, percent: 66.67 });
        assert!(!passes(score.percent, 80));
        assert!(passes(80.0, 80));
        assert!(passes(0.0, 0));
    }

    #[test]
    fn answers_deserialise_from_the_api_shapes() {
        let answers: Answers =
            serde_json::from_str(r#"{"q1":["o1","o2"],"q2":"chữ","q3":3.5,"q4":{"p1":"một"}}"#).unwrap();
        assert_eq!(answers["q1"], picks(&["o1", "o2"]));
        assert_eq!(answers["q2"], Answer::Text("chữ".into()));
        assert_eq!(answers["q3"], Answer::Number(3.5));
        assert!(matches!(answers["q4"], Answer::Matching(_)));
    }
}
