//! What a learner sees after submitting: per question, what they answered, what was right, the marks and the
//! explanation. Built only from a submitted attempt.

use serde::Serialize;

use super::grade::{Answer, normalise_text, parse_number, typed_matches};
use super::{Kind, Question, asked::kind_name};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewedQuestion {
    pub id: String,
    pub kind: &'static str,
    pub stem_html: String,
    /// Choice and true/false options (for true/false, ids `true` and `false`), and matching left items.
    pub options: Vec<ReviewedOption>,
    /// Short and numerical: what the learner typed.
    pub typed: Option<String>,
    /// Short and numerical: the accepted answers, as the trainer wrote them.
    pub accepted: Vec<String>,
    /// Whether the learner gave any answer.
    pub answered: bool,
    /// Marks earned, 0..=1.
    pub marks: f64,
    pub correct: bool,
    pub explanation_html: Option<String>,
    /// Feedback the file attached to the answer given (GIFT `#...`).
    pub feedback_html: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewedOption {
    pub id: String,
    pub html: String,
    /// Whether this option is (part of) the right answer; for matching, the right text.
    pub right: bool,
    pub picked: bool,
    /// Matching: the right text of this left item, and what the learner picked for it.
    pub right_text: Option<String>,
    pub picked_text: Option<String>,
}

/// Reviews one question of a submitted attempt with the `marks` it was given when graded (stored with the
/// attempt, never graded again here: a later change of the grading rules, such as #19's punctuation rule, must
/// not change a past result).
pub fn review(
    question: &Question,
    answer: Option<&Answer>,
    marks: f64,
    true_label: &str,
    false_label: &str,
) -> ReviewedQuestion {
    let picked_ids: Vec<&str> = match answer {
        Some(Answer::Options(ids)) => ids.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    };
    let typed = match answer {
        Some(Answer::Text(t)) => Some(t.clone()),
        Some(Answer::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let mut feedback_html = Vec::new();
    let mut options = Vec::new();
    let mut accepted = Vec::new();
    let option = |id: &str, html: &str, right: bool, picked: bool| ReviewedOption {
        id: id.to_owned(),
        html: html.to_owned(),
        right,
        picked,
        right_text: None,
        picked_text: None,
    };
    match &question.kind {
        Kind::Single { options: choices } | Kind::Multiple { options: choices, .. } => {
            for c in choices {
                let picked = picked_ids.contains(&c.id.as_str());
                if picked && let Some(f) = &c.feedback_html {
                    feedback_html.push(f.clone());
                }
                options.push(option(&c.id, &c.html, c.weight > 0.0, picked));
            }
        }
        Kind::TrueFalse { answer: key, wrong_feedback_html, right_feedback_html } => {
            options.push(option("true", true_label, *key, picked_ids == ["true"]));
            options.push(option("false", false_label, !*key, picked_ids == ["false"]));
            let f = if marks >= 1.0 { right_feedback_html } else { wrong_feedback_html };
            if !picked_ids.is_empty()
                && let Some(f) = f
            {
                feedback_html.push(f.clone());
            }
        }
        Kind::Short { answers } => {
            accepted.extend(answers.iter().filter(|a| a.weight > 0.0).map(|a| a.text.clone()));
            let matching = answers
                .iter()
                .filter(|a| typed.as_deref().is_some_and(|t| typed_matches(a, t)))
                .map(|a| (a.weight, &a.feedback_html));
            feedback_html.extend(best_feedback(matching));
        }
        Kind::Numerical { answers } => {
            let value = match answer {
                Some(Answer::Number(n)) => Some(*n),
                Some(Answer::Text(t)) => parse_number(t),
                _ => None,
            };
            for a in answers.iter().filter(|a| a.weight > 0.0) {
                accepted.push(if a.min == a.max {
                    format_number(a.min)
                } else {
                    format!("{} – {}", format_number(a.min), format_number(a.max))
                });
            }
            let matching = answers
                .iter()
                .filter(|a| value.is_some_and(|v| a.min <= v && v <= a.max))
                .map(|a| (a.weight, &a.feedback_html));
            feedback_html.extend(best_feedback(matching));
        }
        Kind::Matching { pairs, .. } => {
            let picked = match answer {
                Some(Answer::Matching(m)) => Some(m),
                _ => None,
            };
            for p in pairs {
                let picked_text = picked.and_then(|m| m.get(&p.id)).cloned();
                let right =
                    picked_text.as_deref().is_some_and(|t| normalise_text(t) == normalise_text(&p.right));
                options.push(ReviewedOption {
                    id: p.id.clone(),
                    html: p.left_html.clone(),
                    right,
                    picked: picked_text.is_some(),
                    right_text: Some(p.right.clone()),
                    picked_text,
                });
            }
        }
    }
    ReviewedQuestion {
        id: question.id.clone(),
        kind: kind_name(&question.kind),
        stem_html: question.stem_html.clone(),
        options,
        typed,
        accepted,
        answered: answer.is_some(),
        marks,
        correct: marks >= 1.0 - 1e-9,
        explanation_html: question.explanation_html.clone(),
        feedback_html,
    }
}

/// The feedback of the answer a typed answer is graded by, as Moodle picks it: the matching answer worth the
/// most, the first in the file among equals, so "any other answer" (`*`, `~#...`) speaks only when no other does.
fn best_feedback<'a>(matching: impl Iterator<Item = (f64, &'a Option<String>)>) -> Option<String> {
    matching
        .fold(None, |best: Option<(f64, &Option<String>)>, (weight, feedback)| match best {
            Some((w, _)) if w >= weight => best,
            _ => Some((weight, feedback)),
        })?
        .1
        .clone()
}

/// A number as Vietnamese writes it: decimal comma, no trailing zeros.
pub fn format_number(n: f64) -> String {
    let s = format!("{}", (n * 1e6).round() / 1e6);
    s.replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::TextAnswer;

    #[test]
    fn the_review_shows_the_stored_marks_not_a_new_grade() {
        let q = Question {
            id: "q1".into(),
            line: 1,
            stem_html: "Số hiệu luật?".into(),
            kind: Kind::Short {
                answers: vec![TextAnswer {
                    text: "60/2024/QH15".into(),
                    weight: 1.0,
                    feedback_html: None,
                    ignore_diacritics: false,
                }],
            },
            explanation_html: None,
            origin: None,
            group: None,
        };
        let typed = Answer::Text("60/2024/QH15.".into());
        // Graded 0 under the rule of its day; today's rule would give 1.
        assert_eq!(crate::quiz::grade::grade(&q, Some(&typed)), 1.0);
        let old = review(&q, Some(&typed), 0.0, "Đúng", "Sai");
        assert_eq!((old.marks, old.correct), (0.0, false));
        let new = review(&q, Some(&typed), 1.0, "Đúng", "Sai");
        assert_eq!((new.marks, new.correct), (1.0, true));
        assert_eq!(new.accepted, ["60/2024/QH15"]);
    }
}
