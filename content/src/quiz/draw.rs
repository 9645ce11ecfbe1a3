//! Choosing and shuffling the questions of one attempt. The attempt stores what this returns, so later edits
//! of the quiz file never change what a past attempt asked or how it was graded.

use rand::Rng;
use rand::seq::SliceRandom;

use super::{Kind, Origin, Question};
use crate::course::QuizSettings;

/// The questions of a new attempt: `draw` of them (all when 0 or more than the bank), in file order or, with
/// `shuffle`, in random order with their options shuffled too. Ids are renumbered in the order shown (`q1`,
/// `o1`, `p1`, ...) so they hint at nothing in the file; each question's [`Origin`] keeps the bank's ids for
/// the quiz statistics (it never reaches a learner: [`super::asked::ask`] leaves it out).
pub fn questions_for_attempt(
    bank: &[Question],
    settings: &QuizSettings,
    rng: &mut impl Rng,
) -> Vec<Question> {
    let count = match settings.draw as usize {
        0 => bank.len(),
        n => n.min(bank.len()),
    };
    let mut picked: Vec<usize> = rand::seq::index::sample(rng, bank.len(), count).into_vec();
    if settings.shuffle {
        picked.shuffle(rng);
    } else {
        picked.sort_unstable();
    }
    picked
        .into_iter()
        .enumerate()
        .map(|(n, index)| {
            let mut q = bank[index].clone();
            let mut parts = Vec::new();
            match &mut q.kind {
                Kind::Single { options } | Kind::Multiple { options, .. } => {
                    if settings.shuffle {
                        options.shuffle(rng);
                    }
                    for (i, o) in options.iter_mut().enumerate() {
                        parts.push(std::mem::replace(&mut o.id, format!("o{}", i + 1)));
                    }
                }
                Kind::Matching { pairs, .. } => {
                    if settings.shuffle {
                        pairs.shuffle(rng);
                    }
                    for (i, p) in pairs.iter_mut().enumerate() {
                        parts.push(std::mem::replace(&mut p.id, format!("p{}", i + 1)));
                    }
                }
                Kind::TrueFalse { .. } | Kind::Short { .. } | Kind::Numerical { .. } => {}
            }
            let bank_id = std::mem::replace(&mut q.id, format!("q{}", n + 1));
            q.origin = Some(Origin { id: bank_id, parts });
            q
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quiz::Choice;
    use rand::SeedableRng;
    use rand::rngs::StdRng;

    fn bank(n: usize) -> Vec<Question> {
        (0..n)
            .map(|i| Question {
                id: format!("bank{i}"),
                line: i + 1,
                stem_html: format!("Câu {i}"),
                kind: Kind::Single {
                    options: ["a", "b", "c", "d"]
                        .iter()
                        .map(|id| Choice {
                            id: id.to_string(),
                            html: format!("{i}{id}"),
                            weight: if *id == "a" { 1.0 } else { 0.0 },
                            feedback_html: None,
                        })
                        .collect(),
                },
                explanation_html: None,
                origin: None,
                group: None,
            })
            .collect()
    }

    fn settings(draw: u32, shuffle: bool) -> QuizSettings {
        QuizSettings { draw, shuffle, ..QuizSettings::default() }
    }

    #[test]
    fn without_draw_or_shuffle_the_file_order_is_kept_and_ids_renumbered() {
        let asked = questions_for_attempt(&bank(3), &settings(0, false), &mut StdRng::seed_from_u64(1));
        let stems: Vec<_> = asked.iter().map(|q| q.stem_html.as_str()).collect();
        assert_eq!(stems, ["Câu 0", "Câu 1", "Câu 2"]);
        assert_eq!(asked[2].id, "q3");
        let Kind::Single { options } = &asked[0].kind else { panic!() };
        let ids: Vec<_> = options.iter().map(|o| (o.id.as_str(), o.html.as_str())).collect();
        assert_eq!(ids, [("o1", "0a"), ("o2", "0b"), ("o3", "0c"), ("o4", "0d")]);
    }

    #[test]
    fn draw_picks_distinct_questions_and_never_more_than_the_bank() {
        let b = bank(20);
        for seed in 0..50 {
            let asked = questions_for_attempt(&b, &settings(7, true), &mut StdRng::seed_from_u64(seed));
            let mut stems: Vec<_> = asked.iter().map(|q| q.stem_html.clone()).collect();
            assert_eq!(stems.len(), 7);
            stems.sort();
            stems.dedup();
            assert_eq!(stems.len(), 7, "no question twice");
        }
        assert_eq!(
            questions_for_attempt(&bank(3), &settings(10, false), &mut StdRng::seed_from_u64(0)).len(),
            3
        );
    }

    #[test]
    fn shuffle_changes_orders_and_keeps_the_key_with_its_option() {
        let b = bank(10);
        let mut orders = std::collections::HashSet::new();
        let mut first_option_positions = std::collections::HashSet::new();
        for seed in 0..30 {
            let asked = questions_for_attempt(&b, &settings(0, true), &mut StdRng::seed_from_u64(seed));
            orders.insert(asked.iter().map(|q| q.stem_html.clone()).collect::<Vec<_>>());
            for q in &asked {
                let Kind::Single { options } = &q.kind else { panic!() };
                let right = options.iter().position(|o| o.weight == 1.0).unwrap();
                assert!(options[right].html.ends_with('a'), "the weight travels with its option");
                first_option_positions.insert(right);
            }
        }
        assert!(orders.len() > 20, "question orders vary between attempts");
        assert_eq!(first_option_positions.len(), 4, "the right option shows in every position");
    }

    #[test]
    fn each_question_keeps_its_bank_id_and_its_options_bank_ids_in_the_order_shown() {
        let b = bank(10);
        for seed in 0..20 {
            let asked = questions_for_attempt(&b, &settings(4, true), &mut StdRng::seed_from_u64(seed));
            for q in &asked {
                let origin = q.origin.as_ref().expect("an attempt's question knows its bank question");
                let source = b.iter().find(|s| s.id == origin.id).expect("a bank id");
                assert_eq!(source.stem_html, q.stem_html);
                let Kind::Single { options } = &q.kind else { panic!() };
                for (option, bank_id) in options.iter().zip(&origin.parts) {
                    assert_eq!(
                        option.html,
                        format!("{}{bank_id}", source.stem_html.trim_start_matches("Câu "))
                    );
                }
                assert_eq!(origin.parts.len(), options.len());
            }
        }
    }
}
