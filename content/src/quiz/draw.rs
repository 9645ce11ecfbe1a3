//! Choosing and shuffling the questions of one attempt. The attempt stores what this returns, so later edits
//! of the quiz file never change what a past attempt asked or how it was graded.

use rand::Rng;
use rand::seq::SliceRandom;

use super::{Kind, Origin, Question};
use crate::course::{DrawPerGroup, QuizSettings};

/// The questions of a new attempt, in file order or, with `shuffle`, in random order with their options shuffled
/// too. Which questions: with `draw_per_group`, so many of each group, then (when `draw` is larger than their
/// sum) the rest from all the others; else `draw` of the bank (all when 0 or more than the bank). Ids are
/// renumbered in the order shown (`q1`, `o1`, `p1`, ...) so they hint at nothing in the file; each question's
/// [`Origin`] keeps the bank's ids for the quiz statistics (it never reaches a learner: [`super::asked::ask`]
/// leaves it out).
pub fn questions_for_attempt(
    bank: &[Question],
    settings: &QuizSettings,
    rng: &mut impl Rng,
) -> Vec<Question> {
    let mut picked = pick(bank, settings, rng);
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

/// How many questions an attempt asks.
pub fn count(bank: &[Question], settings: &QuizSettings) -> usize {
    let per_group: usize = match &settings.draw_per_group {
        Some(per) => {
            group_counts(bank, per.get_ref()).iter().map(|(_, members, n)| (*n).min(members.len())).sum()
        }
        None => 0,
    };
    match settings.draw as usize {
        0 if settings.draw_per_group.is_some() => per_group,
        0 => bank.len(),
        n => n.max(per_group).min(bank.len()),
    }
}

/// The bank indices an attempt asks, in no particular order.
fn pick(bank: &[Question], settings: &QuizSettings, rng: &mut impl Rng) -> Vec<usize> {
    let total = count(bank, settings);
    let Some(per) = &settings.draw_per_group else {
        return rand::seq::index::sample(rng, bank.len(), total).into_vec();
    };
    let mut picked = Vec::with_capacity(total);
    for (_, members, n) in group_counts(bank, per.get_ref()) {
        let n = n.min(members.len());
        picked.extend(rand::seq::index::sample(rng, members.len(), n).into_iter().map(|i| members[i]));
    }
    let rest: Vec<usize> = (0..bank.len()).filter(|i| !picked.contains(i)).collect();
    let more = total.saturating_sub(picked.len()).min(rest.len());
    picked.extend(rand::seq::index::sample(rng, rest.len(), more).into_iter().map(|i| rest[i]));
    picked
}

/// The groups of a bank in the order their first question comes, with the bank indices of their questions.
pub fn groups(bank: &[Question]) -> Vec<(&str, Vec<usize>)> {
    let mut out: Vec<(&str, Vec<usize>)> = Vec::new();
    for (i, q) in bank.iter().enumerate() {
        let Some(name) = q.group.as_deref() else { continue };
        match out.iter_mut().find(|(n, _)| *n == name) {
            Some((_, members)) => members.push(i),
            None => out.push((name, vec![i])),
        }
    }
    out
}

/// Each group with its questions and how many of them an attempt asks (0 for a group a table leaves out).
fn group_counts<'b>(bank: &'b [Question], per: &DrawPerGroup) -> Vec<(&'b str, Vec<usize>, usize)> {
    groups(bank)
        .into_iter()
        .map(|(name, members)| {
            let n = match per {
                DrawPerGroup::Each(n) => *n as usize,
                DrawPerGroup::Counts(counts) => counts.get(name).copied().unwrap_or(0) as usize,
            };
            (name, members, n)
        })
        .collect()
}

/// Where a problem of `draw_per_group` is, for the loader to give it a file and a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The `draw_per_group` setting.
    Setting,
    /// A group's entry in the `draw_per_group` table.
    Entry(String),
    /// The `draw` setting.
    Draw,
    /// A question of the quiz file, by its line.
    Question(usize),
}

/// Every reason `draw_per_group` cannot be met by the bank: no groups at all, a group the table names but no
/// question is in, a group the table forgets, a group with fewer questions than asked, a `draw` smaller than
/// the groups' sum, a question no attempt could ever ask.
pub fn check_per_group(bank: &[Question], settings: &QuizSettings) -> Vec<(Place, String)> {
    let Some(per) = &settings.draw_per_group else { return Vec::new() };
    let per = per.get_ref();
    let groups = groups(bank);
    let mut problems = Vec::new();
    if groups.is_empty() {
        problems.push((
            Place::Setting,
            "draw_per_group needs groups: put a `# ` heading above each group of questions (markdown) or a \
             `$CATEGORY:` line (GIFT)"
                .to_owned(),
        ));
        return problems;
    }
    let names = || groups.iter().map(|(n, _)| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    if let DrawPerGroup::Counts(counts) = per {
        for name in counts.keys().filter(|k| !groups.iter().any(|(n, _)| n == k)) {
            problems.push((
                Place::Entry(name.clone()),
                format!(
                    "draw_per_group names the group `{name}`, which has no questions (the groups: {})",
                    names()
                ),
            ));
        }
        for (name, members) in groups.iter().filter(|(n, _)| !counts.contains_key(*n)) {
            problems.push((
                Place::Setting,
                format!(
                    "the group `{name}` (line {}) has no count in draw_per_group: add `\"{name}\" = 1`, or `= 0` to \
                     leave it out on purpose",
                    bank[members[0]].line
                ),
            ));
        }
    }
    let mut sum = 0;
    for (name, members, n) in group_counts(bank, per) {
        sum += n;
        if n > members.len() {
            let place = match per {
                DrawPerGroup::Each(_) => Place::Setting,
                DrawPerGroup::Counts(_) => Place::Entry(name.to_owned()),
            };
            problems.push((
                place,
                format!(
                    "draw_per_group asks {n} questions of the group `{name}`, which has {}",
                    members.len()
                ),
            ));
        }
    }
    let draw = settings.draw as usize;
    if draw > 0 && draw < sum {
        problems.push((
            Place::Draw,
            format!(
                "draw = {draw} but draw_per_group asks {sum} questions: make draw at least {sum} (the rest comes from \
                 any group), or leave it out"
            ),
        ));
    } else if draw <= sum
        && let Some(q) = bank.iter().find(|q| q.group.is_none())
    {
        problems.push((
            Place::Question(q.line),
            format!(
                "this question is in no group, so draw_per_group never asks it: put it under a group heading, or set \
                 draw above {sum} so the rest is drawn from every question"
            ),
        ));
    }
    problems
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

    /// 24 questions in four lessons of 2, 6, 8 and 8 questions.
    fn lessons() -> Vec<Question> {
        let mut b = bank(24);
        for (i, q) in b.iter_mut().enumerate() {
            let lesson = match i {
                0..2 => "Bài 1",
                2..8 => "Bài 2",
                8..16 => "Bài 3",
                _ => "Bài 4",
            };
            q.group = Some(lesson.to_owned());
        }
        b
    }

    fn toml_settings(source: &str) -> QuizSettings {
        toml::from_str(source).unwrap_or_else(|e| panic!("{e}"))
    }

    /// How many questions of each lesson an attempt asked.
    fn per_lesson(bank: &[Question], asked: &[Question]) -> [usize; 4] {
        let mut counts = [0; 4];
        for q in asked {
            let source = bank.iter().find(|b| Some(&b.id) == q.origin.as_ref().map(|o| &o.id)).unwrap();
            let lesson: usize = source.group.as_deref().unwrap()["Bài ".len()..].parse().unwrap();
            counts[lesson - 1] += 1;
        }
        counts
    }

    #[test]
    fn a_plain_draw_leaves_a_lesson_out_and_a_draw_per_group_never_does() {
        let b = lessons();
        let plain = settings(10, true);
        let missed = (0..1000)
            .filter(|&seed| {
                let asked = questions_for_attempt(&b, &plain, &mut StdRng::seed_from_u64(seed));
                per_lesson(&b, &asked).contains(&0)
            })
            .count();
        // C(22,10)/C(24,10) = 33% of draws miss the two-question lesson alone.
        assert!(
            missed > 250,
            "a plain draw of 10 of 24 misses a lesson in about a third of attempts: {missed}"
        );

        let fair = toml_settings("draw = 10\nshuffle = true\ndraw_per_group = 2\n");
        assert_eq!(count(&b, &fair), 10);
        let mut seen = std::collections::HashSet::new();
        for seed in 0..2000 {
            let asked = questions_for_attempt(&b, &fair, &mut StdRng::seed_from_u64(seed));
            assert_eq!(asked.len(), 10);
            let counts = per_lesson(&b, &asked);
            assert!(counts.iter().all(|&n| n >= 2), "seed {seed}: {counts:?}");
            let mut ids: Vec<_> = asked.iter().map(|q| q.origin.as_ref().unwrap().id.clone()).collect();
            ids.sort();
            ids.dedup();
            assert_eq!(ids.len(), 10, "no question twice");
            seen.extend(ids);
        }
        assert_eq!(seen.len(), 24, "every question is asked some time");
    }

    #[test]
    fn a_table_of_counts_asks_exactly_so_many_of_each_group() {
        let b = lessons();
        let s =
            toml_settings("[draw_per_group]\n\"Bài 1\" = 1\n\"Bài 2\" = 2\n\"Bài 3\" = 3\n\"Bài 4\" = 0\n");
        assert!(check_per_group(&b, &s).is_empty(), "{:?}", check_per_group(&b, &s));
        assert_eq!(count(&b, &s), 6);
        for seed in 0..500 {
            let asked = questions_for_attempt(&b, &s, &mut StdRng::seed_from_u64(seed));
            assert_eq!(per_lesson(&b, &asked), [1, 2, 3, 0], "seed {seed}");
        }
        // Without shuffle, the file order is kept.
        let asked = questions_for_attempt(&b, &s, &mut StdRng::seed_from_u64(7));
        let lines: Vec<usize> = asked.iter().map(|q| q.line).collect();
        assert!(lines.is_sorted(), "{lines:?}");
    }

    #[test]
    fn draw_per_group_problems_name_their_place() {
        let b = lessons();
        let problems = |source: &str, bank: &[Question]| check_per_group(bank, &toml_settings(source));
        assert_eq!(
            problems("draw_per_group = 3\n", &b),
            [(
                Place::Setting,
                "draw_per_group asks 3 questions of the group `Bài 1`, which has 2".to_owned()
            )]
        );
        let p =
            problems("draw_per_group = { \"Bài 1\" = 1, \"Bai 2\" = 1, \"Bài 3\" = 1, \"Bài 4\" = 1 }\n", &b);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].0, Place::Entry("Bai 2".into()));
        assert!(
            p[0].1
                .contains("`Bai 2`, which has no questions (the groups: `Bài 1`, `Bài 2`, `Bài 3`, `Bài 4`)"),
            "{p:?}"
        );
        assert!(p[1].1.starts_with("the group `Bài 2` (line 3) has no count in draw_per_group"), "{p:?}");
        assert_eq!(
            problems("draw = 5\ndraw_per_group = 2\n", &b),
            [(Place::Draw, "draw = 5 but draw_per_group asks 8 questions: make draw at least 8 (the rest comes from any group), or leave it out".to_owned())]
        );
        let mut some_ungrouped = b.clone();
        some_ungrouped[20].group = None;
        let p = problems("draw_per_group = 1\n", &some_ungrouped);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].0, Place::Question(21));
        assert!(
            problems("draw = 5\ndraw_per_group = 1\n", &some_ungrouped).is_empty(),
            "the rest may ask it"
        );
        assert_eq!(problems("draw_per_group = 1\n", &bank(5))[0].0, Place::Setting, "no groups at all");
        assert!(problems("draw = 3\n", &bank(5)).is_empty(), "without draw_per_group nothing to check");
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
