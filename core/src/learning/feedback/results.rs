//! A course's feedback results for its trainers and admins, and the satisfaction rate the reports show: read
//! only from published answers, and never for a group of fewer than [`MIN_GROUP`] answers.

use std::collections::{BTreeMap, HashMap, HashSet};

use daotao_content::course::Questionnaire;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

use super::Scores;
use crate::entities::feedback_response;

/// The smallest group whose answers are shown: the pool publishes no fewer at once, and results, by-unit and
/// by-period views and reports hide a smaller group. The one place this number lives.
pub const MIN_GROUP: usize = 5;

/// Whether a group of `answers` answers may be shown.
pub fn shown(answers: usize) -> bool {
    answers >= MIN_GROUP
}

/// Which answers to count: months `from` to `to` (`YYYY-MM`, both included, either open) and a unit with all
/// its sub-units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub from: Option<String>,
    pub to: Option<String>,
    /// The unit and every unit below it (see `learning::enrollment::subtree`).
    pub units: Option<Vec<i64>>,
}

/// The results of a group, or why they are hidden.
#[derive(Debug, Clone, PartialEq)]
pub enum Results {
    /// Fewer than [`MIN_GROUP`] answers (their number is not given either).
    TooFew,
    Shown(Summary),
}

/// The figures of a group of at least [`MIN_GROUP`] answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub respondents: usize,
    /// Respondents whose average over the items is 4 or more.
    pub satisfied: usize,
    /// The questionnaire's items in its order, then items only older answers have (by id).
    pub items: Vec<ItemResult>,
    /// Non-empty comments, in the published table's (random) order.
    pub comments: Vec<String>,
}

impl Summary {
    /// The share of satisfied respondents, in percent.
    pub fn satisfaction_percent(&self) -> f64 {
        percent(self.satisfied, self.respondents)
    }
}

/// One item's answers.
#[derive(Debug, Clone, PartialEq)]
pub struct ItemResult {
    pub id: String,
    /// The statement in the current questionnaire; `None` for an item it no longer has.
    pub text: Option<String>,
    /// How many chose 1, 2, 3, 4, 5.
    pub counts: [usize; 5],
}

impl ItemResult {
    pub fn answers(&self) -> usize {
        self.counts.iter().sum()
    }

    pub fn mean(&self) -> f64 {
        let sum: usize = self.counts.iter().enumerate().map(|(i, n)| (i + 1) * n).sum();
        if self.answers() == 0 { 0.0 } else { sum as f64 / self.answers() as f64 }
    }
}

fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 { 0.0 } else { 100.0 * part as f64 / whole as f64 }
}

/// A course's results over the answers `filter` keeps.
pub async fn results(
    db: &impl ConnectionTrait,
    course_id: &str,
    questionnaire: Option<&Questionnaire>,
    filter: &Filter,
) -> Result<Results, DbErr> {
    let mut query = feedback_response::Entity::find()
        .select_only()
        .column(feedback_response::Column::Scores)
        .column(feedback_response::Column::Comment)
        .column(feedback_response::Column::UnitId)
        .filter(feedback_response::Column::CourseId.eq(course_id))
        .order_by_asc(feedback_response::Column::Id);
    if let Some(from) = &filter.from {
        query = query.filter(feedback_response::Column::Month.gte(from.as_str()));
    }
    if let Some(to) = &filter.to {
        query = query.filter(feedback_response::Column::Month.lte(to.as_str()));
    }
    let units: Option<HashSet<i64>> = filter.units.as_ref().map(|u| u.iter().copied().collect());
    let rows: Vec<(String, String)> = query
        .into_tuple::<(String, String, Option<i64>)>()
        .all(db)
        .await?
        .into_iter()
        .filter(|(_, _, unit)| match &units {
            None => true,
            Some(units) => unit.is_some_and(|u| units.contains(&u)),
        })
        .map(|(scores, comment, _)| (scores, comment))
        .collect();
    if !shown(rows.len()) {
        return Ok(Results::TooFew);
    }
    Ok(Results::Shown(summarise(questionnaire, rows.iter().map(|(s, c)| (Scores::decode(s), c.as_str())))))
}

/// The figures over answers already read and kept (at least [`MIN_GROUP`]: the caller checks).
pub fn summarise<'a>(
    questionnaire: Option<&Questionnaire>,
    answers: impl Iterator<Item = (Scores, &'a str)>,
) -> Summary {
    let mut items: Vec<ItemResult> = questionnaire
        .map(|q| {
            q.items
                .iter()
                .map(|i| ItemResult { id: i.id.clone(), text: Some(i.text.clone()), counts: [0; 5] })
                .collect()
        })
        .unwrap_or_default();
    let mut older: BTreeMap<String, [usize; 5]> = BTreeMap::new();
    let mut summary = Summary { respondents: 0, satisfied: 0, items: Vec::new(), comments: Vec::new() };
    for (scores, comment) in answers {
        summary.respondents += 1;
        if scores.satisfied() {
            summary.satisfied += 1;
        }
        for (id, score) in &scores.0 {
            let slot = usize::from(*score - 1);
            match items.iter_mut().find(|i| i.id == *id) {
                Some(item) => item.counts[slot] += 1,
                None => older.entry(id.clone()).or_default()[slot] += 1,
            }
        }
        if !comment.trim().is_empty() {
            summary.comments.push(comment.to_string());
        }
    }
    items.extend(older.into_iter().map(|(id, counts)| ItemResult { id, text: None, counts }));
    summary.items = items;
    summary
}

/// A course's satisfaction over all its published answers, as the reports show it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Satisfaction {
    pub respondents: usize,
    pub satisfied: usize,
}

impl Satisfaction {
    /// The rate in percent, or `None` for fewer than [`MIN_GROUP`] answers (a report leaves it blank).
    pub fn percent(&self) -> Option<f64> {
        shown(self.respondents).then(|| percent(self.satisfied, self.respondents))
    }
}

/// Every course's satisfaction, by course id (courses without answers are absent).
pub async fn satisfaction_by_course(
    db: &impl ConnectionTrait,
) -> Result<HashMap<String, Satisfaction>, DbErr> {
    let rows: Vec<(String, String)> = feedback_response::Entity::find()
        .select_only()
        .column(feedback_response::Column::CourseId)
        .column(feedback_response::Column::Scores)
        .into_tuple()
        .all(db)
        .await?;
    let mut by_course: HashMap<String, Satisfaction> = HashMap::new();
    for (course, scores) in rows {
        let entry = by_course.entry(course).or_default();
        entry.respondents += 1;
        if Scores::decode(&scores).satisfied() {
            entry.satisfied += 1;
        }
    }
    Ok(by_course)
}

/// A unit the results can be filtered by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitChoice {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// Every unit, by name, for the results' unit filter.
pub async fn unit_choices(db: &impl ConnectionTrait) -> Result<Vec<UnitChoice>, DbErr> {
    let rows: Vec<(i64, String, String)> = crate::entities::unit::Entity::find()
        .select_only()
        .column(crate::entities::unit::Column::Id)
        .column(crate::entities::unit::Column::Code)
        .column(crate::entities::unit::Column::Name)
        .order_by_asc(crate::entities::unit::Column::Name)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|(id, code, name)| UnitChoice { id, code, name }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(list: &[u8]) -> Scores {
        Scores(list.iter().enumerate().map(|(i, s)| (format!("i{i}"), *s)).collect())
    }

    #[test]
    fn satisfied_means_an_average_of_four_or_more() {
        assert!(scores(&[4, 4, 4]).satisfied());
        assert!(scores(&[5, 3]).satisfied());
        assert!(!scores(&[5, 3, 3]).satisfied(), "11/3 < 4");
        assert!(!scores(&[]).satisfied());
    }

    #[test]
    fn scores_round_trip_and_skip_what_is_not_a_score() {
        let s = Scores(vec![("phu-hop".into(), 5), ("ro-rang".into(), 1)]);
        assert_eq!(Scores::decode(&s.encode()), s);
        assert_eq!(Scores::decode("a=6,b=x,c,d=3").0, vec![("d".to_string(), 3)]);
    }

    #[test]
    fn the_group_rule() {
        assert!(!shown(4));
        assert!(shown(5));
        assert_eq!(Satisfaction { respondents: 4, satisfied: 4 }.percent(), None);
        assert_eq!(Satisfaction { respondents: 5, satisfied: 4 }.percent(), Some(80.0));
    }

    #[test]
    fn summary_counts_means_and_older_items() {
        let answers = [(scores(&[5, 4]), "Tốt"), (scores(&[3, 2]), " "), (scores(&[4, 4]), "")];
        let summary = summarise(None, answers.into_iter());
        assert_eq!((summary.respondents, summary.satisfied), (3, 2));
        assert_eq!(summary.items[0].counts, [0, 0, 1, 1, 1]);
        assert!((summary.items[0].mean() - 4.0).abs() < 1e-9);
        assert!((summary.items[1].mean() - 10.0 / 3.0).abs() < 1e-9);
        assert_eq!(summary.items[1].text, None);
        assert_eq!(summary.comments, ["Tốt"]);
    }
}
