//! The "longest option is right" cue: in a bank where the right option of a single-choice question is most
//! often the longest one, a test-wise learner passes by picking the longest option without knowing the
//! answer. `check` warns about such a bank (#20) so trainers make the wrong options as specific as the key.

use super::{Kind, Question};

/// Above this share of single-choice questions with the right option longest, the bank is said to cue it.
/// With four options a longest-is-right share near 25% is chance; 40% leaves room for keys that must be long.
pub const MAX_PERCENT: usize = 40;

/// How many single-choice questions of `questions` have a right option longer than every other option, and
/// how many single-choice questions there are.
pub fn longest_right(questions: &[Question]) -> (usize, usize) {
    let mut cued = 0;
    let mut singles = 0;
    for question in questions {
        let Kind::Single { options } = &question.kind else { continue };
        singles += 1;
        let best = options.iter().map(|o| o.weight).fold(f64::MIN, f64::max);
        let lengths: Vec<usize> = options.iter().map(|o| visible_chars(&o.html)).collect();
        let Some(longest) = lengths.iter().copied().max() else { continue };
        let mut at_longest = options.iter().zip(&lengths).filter(|(_, len)| **len == longest);
        if let (Some((option, _)), None) = (at_longest.next(), at_longest.next())
            && option.weight == best
            && best > 0.0
        {
            cued += 1;
        }
    }
    (cued, singles)
}

/// The warning for a bank whose right option is the longest in more than [`MAX_PERCENT`] of its
/// single-choice questions, or `None`.
pub fn warning(questions: &[Question]) -> Option<String> {
    let (cued, singles) = longest_right(questions);
    (singles > 0 && cued * 100 > MAX_PERCENT * singles).then(|| {
        format!(
            "the right option is the longest in {cued} of {singles} single-choice questions ({}%, more than \
             {MAX_PERCENT}%): a learner who always picks the longest option passes; make the wrong options as \
             long and specific as the right one",
            cued * 100 / singles
        )
    })
}

/// The number of characters a learner sees in an option's HTML: tags left out, an entity counted as one.
fn visible_chars(html: &str) -> usize {
    let mut count = 0;
    let mut chars = html.chars();
    while let Some(c) = chars.next() {
        match c {
            '<' => {
                for c in chars.by_ref() {
                    if c == '>' {
                        break;
                    }
                }
            }
            '&' => {
                count += 1;
                let rest = chars.as_str();
                if let Some(end) = rest.find(';').filter(|&end| end <= 10) {
                    chars = rest[end + 1..].chars();
                }
            }
            _ => count += 1,
        }
    }
    count
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::Choice;

    fn single(options: &[(&str, f64)]) -> Question {
        Question {
            id: "q".into(),
            line: 1,
            stem_html: "<p>?</p>".into(),
            kind: Kind::Single {
                options: options
                    .iter()
                    .enumerate()
                    .map(|(i, (html, weight))| Choice {
                        id: i.to_string(),
                        html: (*html).into(),
                        weight: *weight,
                        feedback_html: None,
                    })
                    .collect(),
            },
            explanation_html: None,
            origin: None,
            group: None,
        }
    }

    #[test]
    fn tags_and_entities_are_not_counted() {
        assert_eq!(visible_chars("<p>Bộ KH&amp;CN</p>"), 8);
        assert_eq!(visible_chars("<code>a&lt;b</code>"), 3);
        assert_eq!(visible_chars("a & b"), 5);
    }

    #[test]
    fn only_a_right_option_strictly_longest_counts() {
        let questions = [
            single(&[("dài hơn hẳn", 1.0), ("ngắn", 0.0)]),
            single(&[("bằng", 1.0), ("nhau", 0.0)]),
            single(&[("ngắn", 1.0), ("dài hơn hẳn", 0.0)]),
            single(&[("<em>x</em>", 1.0), ("yy", 0.0)]),
        ];
        assert_eq!(longest_right(&questions), (1, 4));
        assert_eq!(warning(&questions), None, "1 of 4 is 25%");
    }

    #[test]
    fn more_than_forty_percent_is_a_warning_and_forty_is_not() {
        let cued = single(&[("phương án đúng và dài", 1.0), ("sai", 0.0)]);
        let fair = single(&[("đúng", 1.0), ("phương án sai nhưng dài", 0.0)]);
        let two_of_five = [cued.clone(), cued.clone(), fair.clone(), fair.clone(), fair.clone()];
        assert_eq!(warning(&two_of_five), None);
        let three_of_five = [cued.clone(), cued.clone(), cued, fair.clone(), fair];
        assert_eq!(
            warning(&three_of_five).as_deref(),
            Some(
                "the right option is the longest in 3 of 5 single-choice questions (60%, more than 40%): a \
                 learner who always picks the longest option passes; make the wrong options as long and specific \
                 as the right one"
            )
        );
    }

    #[test]
    fn other_kinds_are_not_counted() {
        let multiple = Question {
            kind: Kind::Multiple {
                options: vec![Choice {
                    id: "a".into(),
                    html: "dài dài dài".into(),
                    weight: 1.0,
                    feedback_html: None,
                }],
                all_or_nothing: true,
            },
            ..single(&[])
        };
        assert_eq!(longest_right(&[multiple]), (0, 0));
        assert_eq!(warning(&[]), None);
    }
}
