//! Finding accounts among tens of thousands: a page at a time, in name order,
//! filtered by name, username or unit without regard to diacritics
//! ("nguyen" finds "Nguyễn"). The filter runs in SQL on `users.search_key`
//! (see [`crate::people::search_key`]), so a keystroke never loads every account into memory.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::LikeExpr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, JoinType, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, RelationTrait,
};

use crate::entities::unit;
use crate::entities::user::{self, Provider, Role};
use crate::people::search_key::fold;
use crate::platform::paging::{Page, Paging};

/// One account in a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserLine {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub unit_code: Option<String>,
    pub unit_name: Option<String>,
    pub position: String,
    pub role: Role,
    pub active: bool,
    pub locked_until: Option<DateTime<Utc>>,
    /// The provider the person signs on through; `None`: a local password.
    pub sso_provider: Option<Provider>,
}

impl UserLine {
    /// Locked out by failed logins right now.
    pub fn locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }
}

/// A page of accounts and how many match in all.
pub type UserPage = Page<UserLine>;

/// The condition for a filter text: every word must appear in the account's
/// name or username, or in the code or name of its unit. Empty: everything.
pub(crate) async fn matching(db: &impl ConnectionTrait, filter: &str) -> Result<Condition, DbErr> {
    let words: Vec<String> = fold(filter).split(' ').filter(|w| !w.is_empty()).map(str::to_string).collect();
    let mut all = Condition::all();
    if words.is_empty() {
        return Ok(all);
    }
    // Units are a few hundred rows: their names are folded here, not stored.
    let units: Vec<(i64, String, String)> = unit::Entity::find()
        .select_only()
        .column(unit::Column::Id)
        .column(unit::Column::Code)
        .column(unit::Column::Name)
        .into_tuple()
        .all(db)
        .await?;
    let units: Vec<(i64, String)> = units
        .into_iter()
        .map(|(id, code, name)| (id, format!("{} {}", code.to_lowercase(), fold(&name))))
        .collect();
    for word in words {
        let escaped = word.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let mut any = Condition::any()
            .add(user::Column::SearchKey.like(LikeExpr::new(format!("%{escaped}%")).escape('\\')));
        let unit_ids: Vec<i64> =
            units.iter().filter(|(_, text)| text.contains(&word)).map(|(id, _)| *id).collect();
        if !unit_ids.is_empty() {
            any = any.add(user::Column::UnitId.is_in(unit_ids));
        }
        all = all.add(any);
    }
    Ok(all)
}

/// Page `page` (from 0) of the accounts matching `filter`, `per_page` at a time, in name order.
pub async fn page(
    db: &impl ConnectionTrait,
    filter: &str,
    page: u64,
    per_page: u64,
) -> Result<UserPage, DbErr> {
    let condition = matching(db, filter).await?;
    let total = user::Entity::find().filter(condition.clone()).count(db).await?;
    let paging = Paging::clamped(page, per_page, total);
    // The page's ids first, from the (search_key, id) index alone, then their rows:
    // deep pages skip index entries, not whole rows with their unit.
    let ids: Vec<i64> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(condition)
        .order_by_asc(user::Column::SearchKey)
        .order_by_asc(user::Column::Id)
        .offset(paging.offset())
        .limit(paging.limit())
        .into_tuple()
        .all(db)
        .await?;
    type Row = (
        i64,
        String,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        String,
        Role,
        bool,
        Option<DateTime<Utc>>,
        Option<Provider>,
    );
    let rows: Vec<Row> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .column(user::Column::Username)
        .column(user::Column::FullName)
        .column(user::Column::Email)
        .column(unit::Column::Code)
        .column(unit::Column::Name)
        .column(user::Column::Position)
        .column(user::Column::Role)
        .column(user::Column::Active)
        .column(user::Column::LockedUntil)
        .column(user::Column::SsoProvider)
        .join(JoinType::LeftJoin, user::Relation::Unit.def())
        .filter(user::Column::Id.is_in(ids.clone()))
        .into_tuple()
        .all(db)
        .await?;
    let mut by_id: std::collections::HashMap<i64, UserLine> = rows
        .into_iter()
        .map(
            |(
                id,
                username,
                full_name,
                email,
                unit_code,
                unit_name,
                position,
                role,
                active,
                locked_until,
                sso_provider,
            )| {
                (
                    id,
                    UserLine {
                        id,
                        username,
                        full_name,
                        email,
                        unit_code,
                        unit_name,
                        position,
                        role,
                        active,
                        locked_until,
                        sso_provider,
                    },
                )
            },
        )
        .collect();
    let lines = ids.iter().filter_map(|id| by_id.remove(id)).collect();
    Ok(paging.page_of(lines, total))
}
