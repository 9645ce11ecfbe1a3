//! Who is enrolled in a course, a page at a time, with each person's due date
//! and lessons read: what the admin tool shows before enrolling more people,
//! changing a due date or withdrawing someone. The filter is the one of
//! [`crate::admin_views::user_search`]; lessons read are counted for the page's people only.

use chrono::NaiveDate;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, JoinType, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, RelationTrait,
};

use crate::entities::{enrollment, unit, user};
use crate::platform::paging::{Paging, page_count};

/// One enrolled person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolledLine {
    pub user_id: i64,
    pub username: String,
    pub full_name: String,
    pub unit_code: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub lessons_read: u32,
    pub lessons_total: u32,
}

impl EnrolledLine {
    /// Due date passed and not every lesson read.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.due_date.is_some_and(|d| d < today) && self.lessons_read < self.lessons_total
    }
}

/// A page of a course's enrollments and how many match in all.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EnrolledPage {
    pub course_id: String,
    pub lines: Vec<EnrolledLine>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
}

impl EnrolledPage {
    /// How many pages the matches fill (at least one).
    pub fn pages(&self) -> u64 {
        page_count(self.total, self.per_page)
    }
}

/// Page `page` (from 0) of the people enrolled in `course_id` matching `filter`, in name order.
pub async fn page(
    db: &impl ConnectionTrait,
    course_id: &str,
    filter: &str,
    page: u64,
    per_page: u64,
) -> Result<EnrolledPage, DbErr> {
    let condition = crate::admin_views::user_search::matching(db, filter).await?;
    let base = || {
        enrollment::Entity::find()
            .join(JoinType::InnerJoin, enrollment::Relation::User.def())
            .filter(enrollment::Column::CourseId.eq(course_id))
            .filter(condition.clone())
    };
    let total = base().count(db).await?;
    let paging = Paging::clamped(page, per_page, total);
    type Row = (i64, String, String, Option<String>, Option<NaiveDate>);
    let rows: Vec<Row> = base()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::Username)
        .column(user::Column::FullName)
        .column(unit::Column::Code)
        .column(enrollment::Column::DueDate)
        .join(JoinType::LeftJoin, user::Relation::Unit.def())
        .order_by_asc(user::Column::SearchKey)
        .order_by_asc(user::Column::Id)
        .offset(paging.offset())
        .limit(paging.limit())
        .into_tuple()
        .all(db)
        .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let read = crate::learning::progress::lessons_read_per_person(db, course_id, Some(ids)).await?;
    let total_lessons = read.total as u32;
    let lines = rows
        .into_iter()
        .map(|(user_id, username, full_name, unit_code, due_date)| EnrolledLine {
            lessons_read: read.of(user_id) as u32,
            lessons_total: total_lessons,
            user_id,
            username,
            full_name,
            unit_code,
            due_date,
        })
        .collect();
    Ok(EnrolledPage {
        course_id: course_id.to_string(),
        lines,
        total,
        page: paging.page,
        per_page: paging.per_page,
    })
}
