//! The view of a question a learner gets before submitting: its text and options, never weights, accepted
//! answers or feedback. This is the only shape of a question that reaches a page or the API before grading.

use serde::Serialize;

use super::{Kind, Question};

/// A question as asked (DESIGN.md: `{id, kind, stem_html, options: [{id, html}]}`), plus the right-hand texts
/// a matching question offers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AskedQuestion {
    pub id: String,
    pub kind: &'static str,
    pub stem_html: String,
    /// Choice options; the left items of a matching question; `true`/`false` for true/false.
    pub options: Vec<AskedOption>,
    /// Matching only: every right-hand text, sorted, each offered for every left item.
    pub choices: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AskedOption {
    pub id: String,
    pub html: String,
}

/// The name of a question's kind in the API.
pub fn kind_name(kind: &Kind) -> &'static str {
    match kind {
        Kind::Single { .. } => "single",
        Kind::Multiple { .. } => "multiple",
        Kind::TrueFalse { .. } => "true_false",
        Kind::Short { .. } => "short",
        Kind::Numerical { .. } => "numerical",
        Kind::Matching { .. } => "matching",
    }
}

/// Strips the key off a question. `true_label`/`false_label` name the two options of a true/false question in
/// the learner's language.
pub fn ask(question: &Question, true_label: &str, false_label: &str) -> AskedQuestion {
    let option = |id: &str, html: &str| AskedOption { id: id.to_owned(), html: html.to_owned() };
    let (options, choices) = match &question.kind {
        Kind::Single { options } | Kind::Multiple { options, .. } => {
            (options.iter().map(|o| option(&o.id, &o.html)).collect(), Vec::new())
        }
        Kind::TrueFalse { .. } => {
            (vec![option("true", true_label), option("false", false_label)], Vec::new())
        }
        Kind::Short { .. } | Kind::Numerical { .. } => (Vec::new(), Vec::new()),
        Kind::Matching { pairs, distractors } => {
            let mut rights: Vec<String> =
                pairs.iter().map(|p| p.right.clone()).chain(distractors.iter().cloned()).collect();
            rights.sort();
            rights.dedup();
            (pairs.iter().map(|p| option(&p.id, &p.left_html)).collect(), rights)
        }
    };
    AskedQuestion {
        id: question.id.clone(),
        kind: kind_name(&question.kind),
        stem_html: question.stem_html.clone(),
        options,
        choices,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::{Choice, NumericAnswer, Pair, TextAnswer};

    fn question(kind: Kind) -> Question {
        Question {
            id: "q1".into(),
            line: 3,
            stem_html: "Câu hỏi".into(),
            kind,
            explanation_html: Some("GIẢI-THÍCH".into()),
            origin: None,
            group: None,
        }
    }

    /// Serialises every kind of question as asked and checks no key, weight or feedback is in it.
    #[test]
    fn nothing_of_the_key_is_in_an_asked_question() {
        let kinds = vec![
            Kind::Single {
                options: vec![
                    Choice {
                        id: "o1".into(),
                        html: "A".into(),
                        weight: 1.0,
                        feedback_html: Some("PHẢN-HỒI".into()),
                    },
                    Choice { id: "o2".into(), html: "B".into(), weight: 0.0, feedback_html: None },
                ],
            },
            Kind::TrueFalse {
                answer: true,
                wrong_feedback_html: Some("PHẢN-HỒI".into()),
                right_feedback_html: Some("PHẢN-HỒI".into()),
            },
            Kind::Short {
                answers: vec![TextAnswer {
                    text: "ĐÁP-ÁN".into(),
                    weight: 1.0,
                    feedback_html: Some("PHẢN-HỒI".into()),
                    ignore_diacritics: false,
                }],
            },
            Kind::Numerical {
                answers: vec![NumericAnswer { min: 1234.5, max: 1234.5, weight: 1.0, feedback_html: None }],
            },
            Kind::Matching {
                pairs: vec![
                    Pair { id: "p1".into(), left_html: "L1".into(), right: "R1".into() },
                    Pair { id: "p2".into(), left_html: "L2".into(), right: "R2".into() },
                ],
                distractors: vec![],
            },
        ];
        for kind in kinds {
            let json = serde_json::to_string(&ask(&question(kind), "Đúng", "Sai")).unwrap();
            for secret in ["weight", "GIẢI-THÍCH", "PHẢN-HỒI", "ĐÁP-ÁN", "1234.5", "answer", "\"right\""]
            {
                assert!(!json.contains(secret), "{secret} leaked in {json}");
            }
        }
    }

    #[test]
    fn matching_offers_every_right_text_sorted() {
        let q = question(Kind::Matching {
            pairs: vec![
                Pair { id: "p1".into(), left_html: "Sở Nội vụ".into(), right: "nhân sự".into() },
                Pair { id: "p2".into(), left_html: "Sở Tài chính".into(), right: "ngân sách".into() },
            ],
            distractors: vec![],
        });
        let asked = ask(&q, "Đúng", "Sai");
        assert_eq!(asked.choices, ["ngân sách", "nhân sự"]);
        assert_eq!(asked.options.len(), 2);
        assert_eq!(asked.kind, "matching");
    }
}
