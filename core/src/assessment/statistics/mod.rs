//! Item analysis of a quiz (#19): how the attempts went as a whole, and which questions deserve a second
//! look.
//!
//! Pure functions over attempts already read and graded: no database, no I/O, so every figure can be checked
//! against hand computations. The definitions are Moodle's, so that a trainer who knows Moodle's quiz
//! statistics report reads the same numbers here:
//! - the description: <https://docs.moodle.org/dev/Quiz_statistics_calculations>;
//! - what Moodle actually computes, where the description is loose:
//!   `mod/quiz/report/statistics/classes/calculator.php` (quiz figures) and
//!   `question/classes/statistics/questions/calculator.php` (question figures) in
//!   <https://github.com/moodle/moodle>.
//!
//! Every attempt is an independent sample (Moodle's rule, even for several attempts by one learner).
//! Scores are put in percent of the attempt's maximum before anything is computed, so quizzes whose maximum
//! changed over time still compare; when every attempt has the same maximum (the usual case) each figure
//! equals Moodle's.
//! A figure that is undefined on the data (one attempt, no spread) is `None`, never `NaN`.
//!
//! Speed (100,000 attempts of a 10-question quiz in under 2 s) is not checked here, as tests read no clock:
//! `benches/quiz-statistics` measures it. The attempts come from the database through [`read`].

pub mod read;

use std::sync::Arc;

use rustc_hash::FxHashMap;

/// A question whose facility is above this (percent) is flagged [`Flag::TooEasy`].
pub const TOO_EASY_ABOVE: f64 = 90.0;
/// A question whose facility is below this (percent) is flagged [`Flag::TooHard`].
pub const TOO_HARD_BELOW: f64 = 20.0;
/// A discrimination index below this is flagged [`Flag::LowDiscrimination`] ...
pub const LOW_DISCRIMINATION_BELOW: f64 = 10.0;
/// ... once the question was asked at least this often: on fewer attempts the index is mostly noise.
pub const MIN_ASKED_FOR_DISCRIMINATION: usize = 30;

/// A question's or an option's id. Shared, not copied: 100,000 attempts name the same few dozen ids millions of
/// times, and [`read`] hands out one allocation per distinct id.
pub type Id = Arc<str>;

/// A list of ids, shared as [`Id`]s are: the same few orders of a question's options recur in every attempt.
pub type IdList = Arc<[Id]>;

/// One graded attempt: the input of the analysis. Scores and maximums are finite numbers (graded marks).
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    /// Marks obtained; expected to be the sum of the answers' scores (Moodle's `sumgrades`).
    pub total: f64,
    /// Marks possible. An attempt whose maximum is not positive has no percent score and is left out.
    pub max: f64,
    /// The questions asked in this attempt, each at most once.
    pub answers: Vec<Answer>,
}

/// The score of one question asked in an attempt.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The question's id, the same in every attempt that asked it.
    pub question: Id,
    /// Marks obtained (may be negative under negative marking).
    pub score: f64,
    /// Marks possible for this question.
    pub max: f64,
    /// For choice questions, what was picked, to find distractors nobody picks and keys set wrong.
    pub choice: Option<Choice>,
}

/// The options of a choice question as one attempt saw them.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// Option ids picked, each once.
    pub picked: IdList,
    /// Option ids keyed as right.
    pub right: IdList,
    /// Every option id shown, so an option nobody picks is still counted (with 0): a distractor nobody
    /// picks is one to rewrite or drop.
    pub offered: IdList,
}

/// The whole analysis: the quiz, then its questions in the order they first appear in the attempts.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub quiz: QuizStatistics,
    pub questions: Vec<QuestionStatistics>,
}

/// Figures on the attempts' scores, in percent of the maximum, as Moodle shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct QuizStatistics {
    /// Attempts counted (those with a positive maximum).
    pub attempts: usize,
    /// Mean percent score; `None` without attempts.
    pub mean: Option<f64>,
    /// Median percent score (mean of the two middle ones for an even count); `None` without attempts.
    pub median: Option<f64>,
    /// Sample standard deviation (n − 1) of the percent score; `None` below two attempts.
    pub sd: Option<f64>,
    /// Cronbach's alpha in percent (Moodle's "coefficient of internal consistency"):
    /// `100 · p/(p−1) · (1 − Σ V(question) / V(total))`; `None` below 3 attempts or 2 questions, or
    /// without spread.
    pub cronbach_alpha: Option<f64>,
    /// `100·√(1 − α/100)`: the share of the spread that is measurement error, in percent.
    pub error_ratio: Option<f64>,
    /// `error_ratio/100 · sd`: the error on one learner's percent score.
    pub standard_error: Option<f64>,
}

/// Figures on one question, each over the attempts that were asked it.
#[derive(Debug, Clone, PartialEq)]
pub struct QuestionStatistics {
    pub id: String,
    /// Attempts that were asked the question.
    pub asked: usize,
    /// Mean score in percent of the question's maximum; `None` if its maximum is never positive.
    pub facility: Option<f64>,
    /// Sample standard deviation (n − 1) of the score in percent of the question's maximum.
    pub sd: Option<f64>,
    /// `100 · r(question score, rest of the attempt)`: does the question follow the rest of the quiz?
    pub discrimination_index: Option<f64>,
    /// `100 · C(question, rest) / C_max`, `C_max` the covariance of both sorted: the index relative to the
    /// best these marginals allow.
    pub discriminative_efficiency: Option<f64>,
    /// For choice questions, every option shown, picked or keyed right, by id.
    pub options: Vec<OptionCount>,
    /// Why the question deserves review, if it does.
    pub flags: Vec<Flag>,
}

/// How often one option of a choice question was picked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionCount {
    pub id: String,
    pub picked: usize,
    /// Keyed as right.
    pub right: bool,
}

/// A reason to review a question (issue #19's rules).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flag {
    /// Facility above [`TOO_EASY_ABOVE`]: it tells nearly nobody apart.
    TooEasy,
    /// Facility below [`TOO_HARD_BELOW`]: too hard, or badly worded, or keyed wrong.
    TooHard,
    /// Asked at least [`MIN_ASKED_FOR_DISCRIMINATION`] times, and its discrimination index is below
    /// [`LOW_DISCRIMINATION_BELOW`] or everyone scored the same on it: it does not follow ability.
    LowDiscrimination,
    /// The strongest third of learners picked this wrong option more often than any right one.
    LikelyWrongKey { option: String },
}

/// Analyses graded attempts (see the module documentation for the definitions).
#[must_use]
pub fn analyse(attempts: &[Attempt]) -> Analysis {
    let counted: Vec<&Attempt> = attempts.iter().filter(|attempt| attempt.max > 0.0).collect();
    let totals: Vec<f64> = counted.iter().map(|attempt| 100.0 * attempt.total / attempt.max).collect();
    let columns = columns(&counted);
    let sum_of_question_variances =
        columns.iter().filter_map(|column| variance(&column.points())).sum::<f64>();
    Analysis {
        quiz: quiz_statistics(&totals, columns.len(), sum_of_question_variances),
        questions: columns.iter().map(question_statistics).collect(),
    }
}

/// One question asked in one attempt, on the scales the statistics need.
struct Row<'a> {
    /// Score in percent of the question's maximum (`None` if that maximum is not positive).
    of_question: Option<f64>,
    /// Score in percent of the attempt's maximum: the scale of the quiz figures.
    points: f64,
    /// The rest of the attempt (total − this question), same scale.
    rest: f64,
    choice: Option<&'a Choice>,
}

/// All the rows of one question.
struct Column<'a> {
    id: &'a str,
    rows: Vec<Row<'a>>,
}

impl Column<'_> {
    fn points(&self) -> Vec<f64> {
        self.rows.iter().map(|row| row.points).collect()
    }
}

/// Regroups the attempts by question, keeping the order in which questions first appear.
fn columns<'a>(attempts: &[&'a Attempt]) -> Vec<Column<'a>> {
    let mut index: FxHashMap<&str, usize> = FxHashMap::default();
    let mut columns: Vec<Column> = Vec::new();
    for attempt in attempts {
        let scale = 100.0 / attempt.max;
        let total = scale * attempt.total;
        for answer in &attempt.answers {
            let at = *index.entry(&answer.question).or_insert_with(|| {
                columns.push(Column { id: &answer.question, rows: Vec::new() });
                columns.len() - 1
            });
            let points = scale * answer.score;
            columns[at].rows.push(Row {
                of_question: (answer.max > 0.0).then(|| 100.0 * answer.score / answer.max),
                points,
                rest: total - points,
                choice: answer.choice.as_ref(),
            });
        }
    }
    columns
}

fn quiz_statistics(totals: &[f64], questions: usize, sum_of_question_variances: f64) -> QuizStatistics {
    let total_variance = variance(totals);
    let sd = total_variance.map(f64::sqrt);
    let alpha = cronbach_alpha(totals.len(), questions, sum_of_question_variances, total_variance);
    let error_ratio = alpha.and_then(error_ratio);
    QuizStatistics {
        attempts: totals.len(),
        mean: mean(totals),
        median: median(totals),
        sd,
        cronbach_alpha: alpha,
        error_ratio,
        standard_error: error_ratio.zip(sd).map(|(ratio, sd)| ratio / 100.0 * sd),
    }
}

/// Cronbach's alpha in percent: `α = 100 · p/(p−1) · (1 − Σ V(question) / V(total))`, p the number of
/// questions, V the sample variances (n − 1), each question's over the attempts that were asked it.
///
/// Moodle's formula (`cic` in `mod/quiz/report/statistics/classes/calculator.php`), with its conditions:
/// undefined for fewer than 3 attempts (Moodle computes it only where it computes the skewness), fewer than
/// 2 questions, or no spread in the totals.
fn cronbach_alpha(
    attempts: usize,
    questions: usize,
    sum_of_question_variances: f64,
    total_variance: Option<f64>,
) -> Option<f64> {
    if attempts < 3 || questions < 2 {
        return None;
    }
    let total_variance = total_variance.filter(|variance| *variance > 0.0)?;
    let p = questions as f64;
    Some(100.0 * p / (p - 1.0) * (1.0 - sum_of_question_variances / total_variance))
}

/// Error ratio `ER = 100 · √(1 − α/100)` (Moodle's `errorratio`). α cannot exceed 100 when every attempt
/// has every question (Cauchy–Schwarz); with questions drawn at random it can, and then ER is undefined.
fn error_ratio(alpha: f64) -> Option<f64> {
    let unreliable = 1.0 - alpha / 100.0;
    // A perfectly consistent quiz may land an ulp above 100 %.
    (unreliable >= -1e-12).then(|| 100.0 * unreliable.max(0.0).sqrt())
}

fn question_statistics(column: &Column) -> QuestionStatistics {
    let of_question: Vec<f64> = column.rows.iter().filter_map(|row| row.of_question).collect();
    let rests: Vec<f64> = column.rows.iter().map(|row| row.rest).collect();
    let discrimination = discrimination(&column.points(), &rests);
    let facility = mean(&of_question);
    let options = option_counts(column.rows.iter().filter_map(|row| row.choice));
    let wrong_keys = likely_wrong_keys(&column.rows);
    QuestionStatistics {
        id: column.id.to_owned(),
        asked: column.rows.len(),
        facility,
        sd: variance(&of_question).map(f64::sqrt),
        discrimination_index: discrimination.index,
        discriminative_efficiency: discrimination.efficiency,
        options,
        flags: flags(facility, column.rows.len(), &discrimination, wrong_keys),
    }
}

/// How well a question follows the rest of the attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Discrimination {
    index: Option<f64>,
    efficiency: Option<f64>,
    /// Everyone asked scored the same on it.
    constant: bool,
}

/// Moodle's two discrimination figures for a question, x its scores and y the rest of each attempt (the
/// total minus x, so that the question is not correlated with itself), over the attempts asked it:
/// - discrimination index `DI = 100 · C(x,y) / √(V(x)·V(y))`, the Pearson correlation in percent; undefined
///   when either side has no spread;
/// - discriminative efficiency `DE = 100 · C(x,y) / C_max`, where `C_max` is the covariance of x and y each
///   sorted ascending: the largest covariance these two sets of scores can have, whichever learner had which
///   (rearrangement inequality); undefined when `C_max` is 0.
///
/// C and V are sample (co)variances with n − 1 (`secondary_question_walker` in
/// `question/classes/statistics/questions/calculator.php`).
fn discrimination(x: &[f64], y: &[f64]) -> Discrimination {
    let (variance_x, variance_y) = (variance(x), variance(y));
    let covariance_xy = covariance(x, y);
    let index = match (covariance_xy, variance_x, variance_y) {
        (Some(c), Some(vx), Some(vy)) if vx * vy > 0.0 => Some(100.0 * c / (vx * vy).sqrt()),
        _ => None,
    };
    let efficiency =
        covariance_xy.zip(max_covariance(x, y)).filter(|(_, max)| *max > 0.0).map(|(c, max)| 100.0 * c / max);
    Discrimination { index, efficiency, constant: variance_x.is_some_and(|v| v <= 0.0) }
}

/// Covariance of the two samples each sorted ascending (Moodle's `covariancemax`).
fn max_covariance(x: &[f64], y: &[f64]) -> Option<f64> {
    let (mut x, mut y) = (x.to_vec(), y.to_vec());
    x.sort_unstable_by(f64::total_cmp);
    y.sort_unstable_by(f64::total_cmp);
    covariance(&x, &y)
}

/// Counts the picks of every option shown, picked or keyed right, by option id (in id order). A question
/// has a handful of options: a short list searched in order beats hashing each id of a million rows.
fn option_counts<'a>(choices: impl Iterator<Item = &'a Choice>) -> Vec<OptionCount> {
    let mut counts: Vec<(&Id, usize, bool)> = Vec::new();
    fn at<'a>(counts: &mut Vec<(&'a Id, usize, bool)>, id: &'a Id) -> usize {
        match counts.iter().position(|(seen, _, _)| Arc::ptr_eq(seen, id) || *seen == id) {
            Some(at) => at,
            None => {
                counts.push((id, 0, false));
                counts.len() - 1
            }
        }
    }
    for choice in choices {
        for id in choice.offered.iter() {
            at(&mut counts, id);
        }
        for id in choice.right.iter() {
            let i = at(&mut counts, id);
            counts[i].2 = true;
        }
        for id in choice.picked.iter() {
            let i = at(&mut counts, id);
            counts[i].1 += 1;
        }
    }
    let mut counts: Vec<OptionCount> = counts
        .into_iter()
        .map(|(id, picked, right)| OptionCount { id: id.to_string(), picked, right })
        .collect();
    counts.sort_unstable_by(|a, b| a.id.cmp(&b.id));
    counts
}

/// Wrong options the strongest third picked more often than any right option: the key is likely wrong.
///
/// Strength is the rest of the attempt (not the total, which would reward whoever picked the possibly wrong
/// key). The strongest third is the ⌈n/3⌉ highest rests, and everyone tied with the last of them, so that
/// the result does not depend on the order of the attempts.
fn likely_wrong_keys(rows: &[Row]) -> Vec<String> {
    let mut rests: Vec<f64> = rows.iter().filter(|row| row.choice.is_some()).map(|row| row.rest).collect();
    if rests.is_empty() {
        return Vec::new();
    }
    let third = rests.len().div_ceil(3) - 1;
    let (_, &mut cut, _) = rests.select_nth_unstable_by(third, |a, b| b.total_cmp(a));
    let strongest = rows.iter().filter(|row| row.rest >= cut).filter_map(|row| row.choice);
    let counts = option_counts(strongest);
    let most_picked_right = counts.iter().filter(|option| option.right).map(|option| option.picked).max();
    counts
        .into_iter()
        .filter(|option| !option.right && option.picked > most_picked_right.unwrap_or(0))
        .map(|option| option.id)
        .collect()
}

/// Issue #19's review rules; the thresholds are strict (a facility of exactly 90 is not too easy).
fn flags(
    facility: Option<f64>,
    asked: usize,
    discrimination: &Discrimination,
    wrong_keys: Vec<String>,
) -> Vec<Flag> {
    let mut flags = Vec::new();
    match facility {
        Some(facility) if facility > TOO_EASY_ABOVE => flags.push(Flag::TooEasy),
        Some(facility) if facility < TOO_HARD_BELOW => flags.push(Flag::TooHard),
        _ => {}
    }
    let weak = discrimination.index.is_some_and(|index| index < LOW_DISCRIMINATION_BELOW);
    if asked >= MIN_ASKED_FOR_DISCRIMINATION && (weak || discrimination.constant) {
        flags.push(Flag::LowDiscrimination);
    }
    flags.extend(wrong_keys.into_iter().map(|option| Flag::LikelyWrongKey { option }));
    flags
}

fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let middle = sorted.len() / 2;
    match sorted.len() {
        0 => None,
        n if n % 2 == 0 => Some(f64::midpoint(sorted[middle - 1], sorted[middle])),
        _ => Some(sorted[middle]),
    }
}

/// Sample variance (n − 1); `None` below two values.
fn variance(values: &[f64]) -> Option<f64> {
    covariance(values, values)
}

/// Sample covariance `Σ(x−x̄)(y−ȳ) / (n−1)`, two-pass for accuracy; `None` below two pairs. Exactly 0 when
/// either side is constant, so that "no spread" is never mistaken for rounding noise.
fn covariance(x: &[f64], y: &[f64]) -> Option<f64> {
    debug_assert_eq!(x.len(), y.len());
    if x.len() < 2 {
        return None;
    }
    if is_constant(x) || is_constant(y) {
        return Some(0.0);
    }
    let (mean_x, mean_y) = (mean(x)?, mean(y)?);
    let sum: f64 = x.iter().zip(y).map(|(a, b)| (a - mean_x) * (b - mean_y)).sum();
    Some(sum / (x.len() - 1) as f64)
}

fn is_constant(values: &[f64]) -> bool {
    values.iter().all(|value| value.total_cmp(&values[0]).is_eq())
}

#[cfg(test)]
mod tests {
    use super::*;

    const EPS: f64 = 1e-9;

    fn answer(question: &str, score: f64, max: f64) -> Answer {
        Answer { question: question.into(), score, max, choice: None }
    }

    fn chosen(question: &str, score: f64, max: f64, picked: &[&str], right: &[&str]) -> Answer {
        let ids = |ids: &[&str]| ids.iter().map(|id| Id::from(*id)).collect();
        Answer {
            choice: Some(Choice { picked: ids(picked), right: ids(right), offered: ids(&[]) }),
            ..answer(question, score, max)
        }
    }

    /// An attempt whose total is the sum of its answers' scores, as graded attempts are.
    fn attempt(max: f64, answers: Vec<Answer>) -> Attempt {
        Attempt { total: answers.iter().map(|answer| answer.score).sum(), max, answers }
    }

    #[track_caller]
    fn close(actual: Option<f64>, expected: f64) {
        let actual = actual.unwrap_or_else(|| panic!("expected {expected}, got None"));
        assert!((actual - expected).abs() < EPS, "expected {expected}, got {actual}");
    }

    #[track_caller]
    fn assert_no_nan(analysis: &Analysis) {
        let quiz = &analysis.quiz;
        let figures =
            [quiz.mean, quiz.median, quiz.sd, quiz.cronbach_alpha, quiz.error_ratio, quiz.standard_error];
        let questions = analysis.questions.iter().flat_map(|question| {
            [
                question.facility,
                question.sd,
                question.discrimination_index,
                question.discriminative_efficiency,
            ]
        });
        for figure in figures.into_iter().chain(questions).flatten() {
            assert!(figure.is_finite(), "{analysis:?}");
        }
    }

    /// Five attempts, three questions: q1 (1 mark), q2 (2 marks, partial credit), q3 (1 mark, choice with
    /// a right, b and c wrong). Quiz max 4, so a mark is 25 %.
    ///
    /// | attempt | q1 | q2 | q3 (picked) | total | %   |
    /// |---------|----|----|-------------|-------|-----|
    /// | A1      | 1  | 2  | 1 (a)       | 4     | 100 |
    /// | A2      | 1  | 1  | 0 (b)       | 2     | 50  |
    /// | A3      | 1  | 2  | 0 (b)       | 3     | 75  |
    /// | A4      | 0  | 1  | 1 (a)       | 2     | 50  |
    /// | A5      | 0  | 0  | 0 (c)       | 0     | 0   |
    fn hand_set() -> Vec<Attempt> {
        let rows = [
            (1.0, 2.0, 1.0, "a"),
            (1.0, 1.0, 0.0, "b"),
            (1.0, 2.0, 0.0, "b"),
            (0.0, 1.0, 1.0, "a"),
            (0.0, 0.0, 0.0, "c"),
        ];
        rows.iter()
            .map(|&(q1, q2, q3, picked)| {
                let answers = vec![
                    answer("q1", q1, 1.0),
                    answer("q2", q2, 2.0),
                    chosen("q3", q3, 1.0, &[picked], &["a"]),
                ];
                attempt(4.0, answers)
            })
            .collect()
    }

    #[test]
    fn quiz_figures_match_the_hand_computation() {
        let quiz = analyse(&hand_set()).quiz;
        assert_eq!(quiz.attempts, 5);
        // Mean (100 + 50 + 75 + 50 + 0) / 5 = 55; median of 0 50 50 75 100 = 50.
        close(quiz.mean, 55.0);
        close(quiz.median, 50.0);
        // Deviations 45 −5 20 −5 −55, squares 2025 25 400 25 3025 = 5500; V = 5500/4 = 1375.
        close(quiz.sd, 1375f64.sqrt());
        // Question variances in % of the quiz (a mark = 25):
        // q1 25 25 25 0 0, mean 15, squares 3·100 + 2·225 = 750, V = 187.5;
        // q2 50 25 50 25 0, mean 30, squares 400 + 25 + 400 + 25 + 900 = 1750, V = 437.5;
        // q3 25 0 0 25 0, mean 10, squares 2·225 + 3·100 = 750, V = 187.5. Sum 812.5.
        // α = 3/2 · (1 − 812.5/1375) = 1.5 · 562.5/1375 = 843.75/1375 = 27/44.
        // Cross-check by inter-item covariances (marks):
        // C(q1,q2) = 1.4/4, C(q1,q3) = −0.2/4, C(q2,q3) = 0.6/4;
        // α = 3/2 · 2·(0.35 − 0.05 + 0.15) / V(total marks) = 1.5 · 0.9/2.2 = 27/44.
        close(quiz.cronbach_alpha, 100.0 * 27.0 / 44.0);
        // ER = 100·√(1 − 27/44) = 100·√(17/44); SE = √(17/44) · √1375.
        close(quiz.error_ratio, 100.0 * (17.0f64 / 44.0).sqrt());
        close(quiz.standard_error, (17.0f64 / 44.0).sqrt() * 1375f64.sqrt());
    }

    #[test]
    fn question_figures_match_the_hand_computation() {
        // In marks (DI and DE do not depend on the unit). y = the rest of the attempt.
        let analysis = analyse(&hand_set());
        assert_no_nan(&analysis);
        let [q1, q2, q3] = &analysis.questions[..] else { panic!("three questions") };
        assert_eq!((q1.id.as_str(), q2.id.as_str(), q3.id.as_str()), ("q1", "q2", "q3"));
        assert!([q1, q2, q3].iter().all(|question| question.asked == 5 && question.flags.is_empty()));

        // q1: x 1 1 1 0 0, mean 0.6, deviations .4 .4 .4 −.6 −.6, V = (3·.16 + 2·.36)/4 = 0.3.
        // y 3 1 2 2 0, mean 1.6, deviations 1.4 −.6 .4 .4 −1.6, V = (1.96+.36+.16+.16+2.56)/4 = 1.3.
        // C = (.56 − .24 + .16 − .24 + .96)/4 = 0.3. DI = 100·0.3/√(0.3·1.3).
        // Sorted: x 0 0 1 1 1, y 0 1 2 2 3: (.96 + .36 + .16 + .16 + .56)/4 = 0.55;
        // DE = 100·0.3/0.55 = 600/11.
        close(q1.facility, 60.0);
        close(q1.sd, 100.0 * 0.3f64.sqrt());
        close(q1.discrimination_index, 100.0 * 0.3 / 0.39f64.sqrt());
        close(q1.discriminative_efficiency, 600.0 / 11.0);
        assert!(q1.options.is_empty());

        // q2 (max 2): x 2 1 2 1 0, mean 1.2 (facility 60), deviations .8 −.2 .8 −.2 −1.2, V = 2.8/4 = 0.7,
        // sd in % of 2 marks = 50·√0.7. y 2 1 1 1 0, mean 1, deviations 1 0 0 0 −1, V = 0.5.
        // C = (.8 + 1.2)/4 = 0.5; DI = 100·0.5/√(0.7·0.5) = 50/√0.35.
        // Sorted: x 0 1 1 2 2, y 0 1 1 1 2: (1.2 + 0 + 0 + 0 + .8)/4 = 0.5 = C, so DE = 100.
        close(q2.facility, 60.0);
        close(q2.sd, 50.0 * 0.7f64.sqrt());
        close(q2.discrimination_index, 50.0 / 0.35f64.sqrt());
        close(q2.discriminative_efficiency, 100.0);

        // q3: x 1 0 0 1 0, mean 0.4, deviations .6 −.4 −.4 .6 −.4, V = 1.2/4 = 0.3.
        // y 3 2 3 1 0, mean 1.8, deviations 1.2 .2 1.2 −.8 −1.8, V = 6.8/4 = 1.7.
        // C = (.72 − .08 − .48 − .48 + .72)/4 = 0.1; DI = 100·0.1/√(0.3·1.7) = 10/√0.51.
        // Sorted: x 0 0 0 1 1, y 0 1 2 3 3: (.72 + .32 − .08 + .72 + .72)/4 = 0.6; DE = 100·0.1/0.6 = 50/3.
        close(q3.facility, 40.0);
        close(q3.sd, 100.0 * 0.3f64.sqrt());
        close(q3.discrimination_index, 10.0 / 0.51f64.sqrt());
        close(q3.discriminative_efficiency, 50.0 / 3.0);
        // Picks: a twice (right), b twice, c once. The strongest third: ⌈5/3⌉ = 2 highest rests, 3 and 3
        // (A1 and A3, tied), who picked a and b once each: b is not picked more than a, no flag.
        let count = |id: &str, picked, right| OptionCount { id: id.to_owned(), picked, right };
        assert_eq!(q3.options, vec![count("a", 2, true), count("b", 2, false), count("c", 1, false)]);
    }

    /// splitmix64: a seeded generator, so the set below is the same on every run.
    struct Seeded(u64);

    impl Seeded {
        fn next(&mut self) -> f64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        }
    }

    const MAXES: [f64; 6] = [1.0, 2.0, 1.0, 3.0, 1.0, 2.0];

    /// 500 attempts of 6 questions (10 marks); scores follow a hidden ability plus noise. Question 2 is a
    /// choice question: "b" is right, and the others are picked at random by those who miss it.
    fn seeded_set() -> Vec<Attempt> {
        let mut random = Seeded(19);
        (0..500)
            .map(|_| {
                let ability = random.next();
                let answers = MAXES
                    .iter()
                    .enumerate()
                    .map(|(q, &max)| {
                        let raw = 0.7 * ability + 0.5 * random.next() - 0.1;
                        let score = (raw * max).round().clamp(0.0, max);
                        if q != 2 {
                            return answer(&format!("q{q}"), score, max);
                        }
                        let wrong = ["a", "c", "d"][(random.next() * 3.0) as usize];
                        chosen("q2", score, max, &[if score > 0.0 { "b" } else { wrong }], &["b"])
                    })
                    .collect();
                attempt(10.0, answers)
            })
            .collect()
    }

    /// Covariance by its pairwise definition `Σ_{i<j} (xᵢ−xⱼ)(yᵢ−yⱼ) / (n(n−1))`: no means, no two passes.
    fn naive_covariance(x: &[f64], y: &[f64]) -> f64 {
        let n = x.len();
        let mut sum = 0.0;
        for i in 0..n {
            for j in i + 1..n {
                sum += (x[i] - x[j]) * (y[i] - y[j]);
            }
        }
        sum / (n * (n - 1)) as f64
    }

    /// Sorts by counting each value's rank (the values below it, and its equals before it): no sort call.
    fn naive_sorted(values: &[f64]) -> Vec<f64> {
        let mut sorted = vec![0.0; values.len()];
        for (i, value) in values.iter().enumerate() {
            let below = values.iter().filter(|other| *other < value).count();
            let equal_before = values[..i].iter().filter(|other| *other == value).count();
            sorted[below + equal_before] = *value;
        }
        sorted
    }

    #[test]
    fn quiz_figures_match_a_naive_computation_on_500_seeded_attempts() {
        let attempts = seeded_set();
        let quiz = analyse(&attempts).quiz;
        let totals: Vec<f64> = attempts.iter().map(|attempt| attempt.total).collect();
        let column = |q: usize| attempts.iter().map(|attempt| attempt.answers[q].score).collect::<Vec<f64>>();
        let n = totals.len() as f64;
        assert_eq!(quiz.attempts, 500);
        close(quiz.mean, 10.0 * totals.iter().sum::<f64>() / n);
        let sorted = naive_sorted(&totals);
        close(quiz.median, 10.0 * (sorted[249] + sorted[250]) / 2.0);
        let total_variance = naive_covariance(&totals, &totals);
        close(quiz.sd, 10.0 * total_variance.sqrt());
        // α by the inter-item covariances: p/(p−1) · Σ_{i≠j} C(qᵢ,qⱼ) / V(total), independent of the
        // "sum of item variances" form the code uses (they agree because V(total) = Σᵢⱼ C(qᵢ,qⱼ)).
        let mut between = 0.0;
        for i in 0..6 {
            for j in (0..6).filter(|j| *j != i) {
                between += naive_covariance(&column(i), &column(j));
            }
        }
        let alpha = 100.0 * 6.0 / 5.0 * between / total_variance;
        close(quiz.cronbach_alpha, alpha);
        close(quiz.error_ratio, 100.0 * (1.0 - alpha / 100.0).sqrt());
        close(quiz.standard_error, (1.0 - alpha / 100.0).sqrt() * 10.0 * total_variance.sqrt());
        assert!(alpha > 50.0, "the ability makes the questions consistent: {alpha}");
    }

    #[test]
    fn question_figures_match_a_naive_computation_on_500_seeded_attempts() {
        let attempts = seeded_set();
        let analysis = analyse(&attempts);
        assert_no_nan(&analysis);
        for (q, question) in analysis.questions.iter().enumerate() {
            let x: Vec<f64> = attempts.iter().map(|attempt| attempt.answers[q].score).collect();
            let y: Vec<f64> = attempts.iter().zip(&x).map(|(attempt, x)| attempt.total - x).collect();
            let (max, n) = (MAXES[q], x.len() as f64);
            assert_eq!((question.id.clone(), question.asked), (format!("q{q}"), 500));
            close(question.facility, 100.0 * x.iter().sum::<f64>() / (n * max));
            close(question.sd, 100.0 * naive_covariance(&x, &x).sqrt() / max);
            let c = naive_covariance(&x, &y);
            let index = 100.0 * c / (naive_covariance(&x, &x) * naive_covariance(&y, &y)).sqrt();
            close(question.discrimination_index, index);
            let max_c = naive_covariance(&naive_sorted(&x), &naive_sorted(&y));
            close(question.discriminative_efficiency, 100.0 * c / max_c);
        }
        let picks = |id: &str| {
            attempts
                .iter()
                .filter(|a| a.answers[2].choice.as_ref().is_some_and(|c| *c.picked[0] == *id))
                .count()
        };
        let options = &analysis.questions[2].options;
        let expected: Vec<(&str, usize, bool)> =
            ["a", "b", "c", "d"].iter().map(|id| (*id, picks(id), *id == "b")).collect();
        let actual: Vec<(&str, usize, bool)> =
            options.iter().map(|o| (o.id.as_str(), o.picked, o.right)).collect();
        assert_eq!(actual, expected);
        assert!(!analysis.questions[2].flags.iter().any(|flag| matches!(flag, Flag::LikelyWrongKey { .. })));
    }

    /// Every pairing of the two sets of scores: none has a larger covariance than the sorted one (what makes
    /// discriminative efficiency at most 100).
    #[test]
    fn the_sorted_pairing_has_the_largest_covariance() {
        fn permutations(items: &mut Vec<f64>, k: usize, each: &mut dyn FnMut(&[f64])) {
            if k == items.len() {
                return each(items);
            }
            for i in k..items.len() {
                items.swap(k, i);
                permutations(items, k + 1, each);
                items.swap(k, i);
            }
        }
        let x = [0.0, 1.0, 1.0, 0.5, 0.0, 1.0];
        let mut y = vec![3.0, 1.5, 2.0, 0.0, 2.5, 1.0];
        let mut largest = f64::MIN;
        permutations(&mut y, 0, &mut |pairing| largest = largest.max(naive_covariance(&x, pairing)));
        close(max_covariance(&x, &y), largest);
    }

    fn one_question(score: f64) -> Vec<Flag> {
        analyse(&[attempt(100.0, vec![answer("q", score, 100.0)])]).questions[0].flags.clone()
    }

    #[test]
    fn facility_flags_are_strict_at_90_and_20() {
        assert_eq!(one_question(90.0), vec![]);
        assert_eq!(one_question(90.5), vec![Flag::TooEasy]);
        assert_eq!(one_question(20.0), vec![]);
        assert_eq!(one_question(19.5), vec![Flag::TooHard]);
        assert_eq!(one_question(50.0), vec![]);
    }

    #[test]
    fn low_discrimination_needs_an_index_below_10_and_30_attempts() {
        let with = |index: Option<f64>, constant: bool, asked: usize| {
            flags(Some(50.0), asked, &Discrimination { index, efficiency: None, constant }, Vec::new())
        };
        assert_eq!(with(Some(10.0), false, 30), vec![]);
        assert_eq!(with(Some(9.999), false, 30), vec![Flag::LowDiscrimination]);
        assert_eq!(with(Some(9.999), false, 29), vec![]);
        assert_eq!(with(Some(-40.0), false, 500), vec![Flag::LowDiscrimination]);
        // Everyone scored the same: the question cannot tell anyone apart.
        assert_eq!(with(None, true, 30), vec![Flag::LowDiscrimination]);
        assert_eq!(with(None, true, 29), vec![]);
        // The rest of the attempt has no spread: nothing to say about the question.
        assert_eq!(with(None, false, 30), vec![]);
    }

    /// Two questions that ignore each other: q1 = i mod 2, q2 = ⌊i/2⌋ mod 2, so each pattern of the four
    /// comes equally often and the covariance is exactly 0.
    fn unrelated(attempts: usize) -> Analysis {
        let attempts: Vec<Attempt> = (0..attempts)
            .map(|i| {
                attempt(2.0, vec![answer("q1", (i % 2) as f64, 1.0), answer("q2", (i / 2 % 2) as f64, 1.0)])
            })
            .collect();
        analyse(&attempts)
    }

    #[test]
    fn unrelated_questions_are_flagged_once_asked_30_times() {
        let flagged = unrelated(32);
        assert_no_nan(&flagged);
        for question in &flagged.questions {
            close(question.discrimination_index, 0.0);
            assert_eq!(question.flags, vec![Flag::LowDiscrimination]);
        }
        // V(total) = V(q1) + V(q2): α = 2·(1 − 1) = 0, and all the spread is error.
        close(flagged.quiz.cronbach_alpha, 0.0);
        close(flagged.quiz.error_ratio, 100.0);
        let few = unrelated(28);
        assert!(few.questions.iter().all(|question| question.flags.is_empty()));
    }

    /// Six attempts of a choice question k (a right) and a 5-mark question o that ranks them: the attempt at
    /// index i scored 5 − i on o. The strongest third is the first two.
    fn key_flags(picks: [&str; 6]) -> Vec<Flag> {
        let attempts: Vec<Attempt> = picks
            .iter()
            .enumerate()
            .map(|(i, picked)| {
                let score = if *picked == "a" { 1.0 } else { 0.0 };
                let o = answer("o", (5 - i) as f64, 5.0);
                attempt(6.0, vec![chosen("k", score, 1.0, &[picked], &["a"]), o])
            })
            .collect();
        analyse(&attempts).questions[0].flags.clone()
    }

    #[test]
    fn a_wrong_option_the_strongest_third_prefers_is_a_likely_wrong_key() {
        let wrong_key = |option: &str| vec![Flag::LikelyWrongKey { option: option.to_owned() }];
        assert_eq!(key_flags(["b", "b", "a", "a", "a", "a"]), wrong_key("b"));
        // None of the strongest picked a: both wrong options beat it.
        let both = [wrong_key("b"), wrong_key("c")].concat();
        assert_eq!(key_flags(["b", "c", "a", "a", "a", "a"]), both);
        assert_eq!(
            key_flags(["a", "b", "a", "a", "a", "a"]),
            vec![],
            "as often as the right one is not more"
        );
        assert_eq!(key_flags(["a", "a", "b", "b", "b", "b"]), vec![], "weak learners' picks do not count");
        // Nobody picked a: too hard, and the strongest agree on c.
        assert_eq!(key_flags(["c", "c", "b", "b", "b", "b"]), [vec![Flag::TooHard], wrong_key("c")].concat());
    }

    #[test]
    fn an_option_shown_but_never_picked_counts_zero() {
        let shown = |picked: &str| {
            let mut answer = chosen("k", if picked == "a" { 1.0 } else { 0.0 }, 1.0, &[picked], &["a"]);
            answer.choice.as_mut().unwrap().offered = ["a", "b", "c"].map(Id::from).into_iter().collect();
            attempt(1.0, vec![answer])
        };
        let analysis = analyse(&[shown("a"), shown("b")]);
        let count = |id: &str, picked, right| OptionCount { id: id.to_owned(), picked, right };
        assert_eq!(
            analysis.questions[0].options,
            vec![count("a", 1, true), count("b", 1, false), count("c", 0, false)]
        );
    }

    #[test]
    fn no_attempts_give_no_figures() {
        let analysis = analyse(&[]);
        let quiz = &analysis.quiz;
        assert_eq!(quiz.attempts, 0);
        assert_eq!([quiz.mean, quiz.median, quiz.sd, quiz.cronbach_alpha, quiz.error_ratio], [None; 5]);
        assert_eq!(quiz.standard_error, None);
        assert!(analysis.questions.is_empty());
    }

    #[test]
    fn one_attempt_has_a_mean_but_no_spread() {
        let analysis = analyse(&[attempt(2.0, vec![answer("q1", 1.0, 1.0), answer("q2", 0.0, 1.0)])]);
        assert_no_nan(&analysis);
        close(analysis.quiz.mean, 50.0);
        close(analysis.quiz.median, 50.0);
        assert_eq!(
            (analysis.quiz.sd, analysis.quiz.cronbach_alpha, analysis.quiz.standard_error),
            (None, None, None)
        );
        let q1 = &analysis.questions[0];
        close(q1.facility, 100.0);
        assert_eq!((q1.sd, q1.discrimination_index, q1.discriminative_efficiency), (None, None, None));
        assert_eq!(q1.flags, vec![Flag::TooEasy]);
    }

    #[test]
    fn identical_attempts_have_no_alpha_nor_discrimination() {
        let same = attempt(2.0, vec![answer("q1", 1.0, 1.0), answer("q2", 0.0, 1.0)]);
        let analysis = analyse(&vec![same; 40]);
        assert_no_nan(&analysis);
        close(analysis.quiz.sd, 0.0);
        assert_eq!((analysis.quiz.cronbach_alpha, analysis.quiz.error_ratio), (None, None));
        for question in &analysis.questions {
            close(question.sd, 0.0);
            assert_eq!((question.discrimination_index, question.discriminative_efficiency), (None, None));
            assert!(question.flags.contains(&Flag::LowDiscrimination));
        }
    }

    #[test]
    fn alpha_needs_three_attempts_and_two_questions() {
        let two = [1.0, 0.0].map(|s| attempt(2.0, vec![answer("q1", s, 1.0), answer("q2", s, 1.0)]));
        let analysis = analyse(&two);
        close(analysis.quiz.sd, 50f64.sqrt() * 10.0);
        assert_eq!(analysis.quiz.cronbach_alpha, None, "Moodle computes it from 3 attempts on");
        let three = [1.0, 0.0, 1.0].map(|s| attempt(2.0, vec![answer("q1", s, 1.0), answer("q2", s, 1.0)]));
        // Both questions always agree: V(total) = 4·V(q), α = 2·(1 − 2V/4V) = 1 = 100 %, no error.
        close(analyse(&three).quiz.cronbach_alpha, 100.0);
        close(analyse(&three).quiz.error_ratio, 0.0);
        close(analyse(&three).quiz.standard_error, 0.0);
        let alone = [1.0, 0.0, 1.0].map(|s| attempt(1.0, vec![answer("q1", s, 1.0)]));
        assert_eq!(analyse(&alone).quiz.cronbach_alpha, None, "one question");
    }

    #[test]
    fn zero_maximums_are_left_out_not_divided_by() {
        let attempts = [
            attempt(0.0, vec![answer("q1", 0.0, 0.0)]),
            attempt(1.0, vec![answer("q1", 0.0, 0.0), answer("q2", 1.0, 1.0)]),
        ];
        let analysis = analyse(&attempts);
        assert_no_nan(&analysis);
        assert_eq!(analysis.quiz.attempts, 1);
        close(analysis.quiz.mean, 100.0);
        let q1 = &analysis.questions[0];
        assert_eq!((q1.asked, q1.facility, q1.sd), (1, None, None));
    }

    #[test]
    fn questions_asked_to_some_attempts_only_count_those() {
        // A question drawn at random: asked in two attempts of three.
        let attempts = [
            attempt(2.0, vec![answer("q1", 1.0, 1.0), answer("r", 1.0, 1.0)]),
            attempt(2.0, vec![answer("q1", 0.0, 1.0), answer("r", 0.0, 1.0)]),
            attempt(1.0, vec![answer("q1", 1.0, 1.0)]),
        ];
        let analysis = analyse(&attempts);
        assert_no_nan(&analysis);
        let r = &analysis.questions[1];
        assert_eq!((r.id.as_str(), r.asked), ("r", 2));
        close(r.facility, 50.0);
        close(r.sd, 50f64.sqrt() * 10.0);
    }
}
