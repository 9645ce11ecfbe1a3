//! The figures of the admin tool's first screen: totals, the share of
//! enrollments completed in each top unit, the most overdue enrollments and
//! the latest audited actions. Each figure is one SQL query (grouped or
//! limited), so the screen opens as fast with 100,000 accounts as with ten.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Statement,
};

use crate::entities::{audit_log, course, enrollment, unit, user};

/// How many overdue enrollments and audit lines the overview lists.
pub const LIST_LEN: u64 = 8;

/// Totals across the platform.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Totals {
    pub units: u64,
    pub active_users: u64,
    pub inactive_users: u64,
    pub locked_users: u64,
    pub courses: u64,
    pub enrollments: u64,
    /// Due date passed and some lesson of the course still unread.
    pub overdue: u64,
}

/// Course completion for a top unit and everything below it: enrollments of its active people, and how many of
/// them are completed (every lesson read and the completion quiz passed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitProgress {
    pub code: String,
    pub name: String,
    pub enrolled: u64,
    pub completed: u64,
}

impl UnitProgress {
    /// Completed enrollments out of all, in whole percent (0 when nobody is enrolled).
    pub fn percent(&self) -> u64 {
        (self.completed * 100).checked_div(self.enrolled).unwrap_or(0)
    }
}

/// One overdue enrollment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overdue {
    pub username: String,
    pub full_name: String,
    pub course_id: String,
    pub due_date: NaiveDate,
    pub lessons_read: u64,
    pub lessons_total: u64,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Activity {
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub result: String,
}

/// What the overview shows at once; the figures by unit ([`progress_by_unit`]) read
/// every enrollment and lesson read, so they come separately.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Overview {
    pub totals: Totals,
    /// The oldest due dates first.
    pub overdue: Vec<Overdue>,
    /// The newest first.
    pub activity: Vec<Activity>,
}

/// Lessons read (active lessons of courses the reader is enrolled in) by an active account.
const READ_IN_ENROLLED: &str = "SELECT COUNT(*) FROM lesson_progress p JOIN lessons l ON l.id = p.lesson_id \
     WHERE p.user_id = e.user_id AND l.course_id = e.course_id AND l.active";
const LESSONS_OF_COURSE: &str = "SELECT COUNT(*) FROM lessons l WHERE l.course_id = e.course_id AND l.active";

/// Computes the overview as of `today` and `now`.
pub async fn overview(
    db: &impl ConnectionTrait,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Overview, DbErr> {
    let backend = db.get_database_backend();
    let raw = |sql: String| Statement::from_string(backend, sql);
    // A date formatted by chrono: safe to inline, compared as a date on PostgreSQL and as text on SQLite.
    let today_sql = today.format("'%Y-%m-%d'").to_string();
    let overdue_where = format!("e.due_date < {today_sql} AND ({READ_IN_ENROLLED}) < ({LESSONS_OF_COURSE})");

    let overdue_count = db
        .query_one_raw(raw(format!("SELECT COUNT(*) FROM enrollments e WHERE {overdue_where}")))
        .await?
        .map(|r| r.try_get_by_index::<i64>(0))
        .transpose()?
        .unwrap_or(0);
    let totals = Totals {
        units: unit::Entity::find().count(db).await?,
        active_users: user::Entity::find().filter(user::Column::Active.eq(true)).count(db).await?,
        inactive_users: user::Entity::find().filter(user::Column::Active.eq(false)).count(db).await?,
        locked_users: user::Entity::find().filter(user::Column::LockedUntil.gt(now)).count(db).await?,
        courses: course::Entity::find().filter(course::Column::Active.eq(true)).count(db).await?,
        enrollments: enrollment::Entity::find().count(db).await?,
        overdue: overdue_count as u64,
    };

    let mut overdue = Vec::new();
    for row in db
        .query_all_raw(raw(format!(
            "SELECT u.username, u.full_name, e.course_id, e.due_date, ({READ_IN_ENROLLED}), ({LESSONS_OF_COURSE}) \
             FROM enrollments e JOIN users u ON u.id = e.user_id WHERE {overdue_where} \
             ORDER BY e.due_date, u.search_key LIMIT {LIST_LEN}"
        )))
        .await?
    {
        overdue.push(Overdue {
            username: row.try_get_by_index(0)?,
            full_name: row.try_get_by_index(1)?,
            course_id: row.try_get_by_index(2)?,
            due_date: row.try_get_by_index(3)?,
            lessons_read: row.try_get_by_index::<i64>(4)? as u64,
            lessons_total: row.try_get_by_index::<i64>(5)? as u64,
        });
    }

    let activity = audit_log::Entity::find()
        .order_by_desc(audit_log::Column::At)
        .order_by_desc(audit_log::Column::Id)
        .limit(LIST_LEN)
        .all(db)
        .await?
        .into_iter()
        .map(|a| Activity { at: a.at, actor: a.actor, action: a.action, target: a.target, result: a.result })
        .collect();
    Ok(Overview { totals, overdue, activity })
}

/// The share of enrollments completed in each top unit (see [`roll_up`]): one grouped query over the
/// enrollments of active people.
pub async fn progress_by_unit(db: &impl ConnectionTrait) -> Result<Vec<UnitProgress>, DbErr> {
    let statement = Statement::from_string(
        db.get_database_backend(),
        "SELECT u.unit_id, COUNT(*), COUNT(e.completed_at) FROM enrollments e \
         JOIN users u ON u.id = e.user_id WHERE u.active GROUP BY u.unit_id",
    );
    let mut by_unit: HashMap<i64, (u64, u64)> = HashMap::new();
    for row in db.query_all_raw(statement).await? {
        if let Some(unit) = row.try_get_by_index::<Option<i64>>(0)? {
            let count = |i| row.try_get_by_index::<i64>(i).map(|n| n as u64);
            by_unit.insert(unit, (count(1)?, count(2)?));
        }
    }
    Ok(roll_up(
        crate::admin_views::unit_tree::arrange(unit::Entity::find().all(db).await?, &HashMap::new()),
        &by_unit,
    ))
}

/// Sums per-unit figures into the top units: the units below the root when
/// there is one root (a province), else the roots themselves. People of the
/// root itself count under the root's own line.
pub fn roll_up(
    tree: Vec<crate::admin_views::unit_tree::TreeUnit>,
    by_unit: &HashMap<i64, (u64, u64)>,
) -> Vec<UnitProgress> {
    let roots = tree.iter().filter(|u| u.depth == 0).count();
    let group_depth = if roots == 1 { 1 } else { 0 };
    let mut groups: Vec<UnitProgress> = Vec::new();
    let mut current: Option<usize> = None;
    for u in &tree {
        if u.depth <= group_depth {
            groups.push(UnitProgress {
                code: u.code.clone(),
                name: u.name.clone(),
                enrolled: 0,
                completed: 0,
            });
            current = Some(groups.len() - 1);
        }
        if let (Some(g), Some((enrolled, completed))) = (current, by_unit.get(&u.id)) {
            groups[g].enrolled += enrolled;
            groups[g].completed += completed;
        }
    }
    groups.retain(|g| g.enrolled > 0);
    groups
}
