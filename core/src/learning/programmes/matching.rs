//! Who a programme's rule matches: active accounts by role, unit subtree and words of their position.

use std::collections::{HashMap, HashSet};

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QuerySelect};

use super::Rule;
use crate::entities::unit;
use crate::entities::user::{self, Role};
use crate::learning::enrollment;
use daotao_content::programme::{has_phrase, position_words};

/// An active account as read.
#[derive(Debug, FromQueryResult)]
struct Account {
    id: i64,
    username: String,
    unit_id: Option<i64>,
    position: String,
    role: Role,
}

/// A person a rule may match.
pub(super) struct Person {
    pub id: i64,
    pub username: String,
    unit_id: Option<i64>,
    /// Its words as programmes compare them ([`position_words`]).
    position: Vec<String>,
    role: Role,
}

/// Everything matching needs, read once per pass: the active accounts and the unit tree.
pub(super) struct World {
    pub people: Vec<Person>,
    children: HashMap<i64, Vec<i64>>,
    unit_ids: HashMap<String, i64>,
}

impl World {
    pub async fn load(db: &impl ConnectionTrait) -> Result<Self, DbErr> {
        let accounts = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .column(user::Column::Username)
            .column(user::Column::UnitId)
            .column(user::Column::Position)
            .column(user::Column::Role)
            .filter(user::Column::Active.eq(true))
            .into_model::<Account>()
            .all(db)
            .await?;
        let people = accounts
            .into_iter()
            .map(|a| Person {
                id: a.id,
                username: a.username,
                unit_id: a.unit_id,
                position: position_words(&a.position),
                role: a.role,
            })
            .collect();
        let unit_ids: Vec<(String, i64)> = unit::Entity::find()
            .select_only()
            .column(unit::Column::Code)
            .column(unit::Column::Id)
            .into_tuple()
            .all(db)
            .await?;
        Ok(World {
            people,
            children: enrollment::children(db).await?,
            unit_ids: unit_ids.into_iter().collect(),
        })
    }

    /// The people `rule` matches.
    pub fn matching<'a>(&'a self, rule: &'a Rule) -> impl Iterator<Item = &'a Person> + 'a {
        let units = self.units(&rule.units);
        // The same rule as `Programme::matches_position`, with each phrase folded once per pass.
        let phrases: Vec<Vec<String>> =
            rule.positions.iter().map(|w| position_words(w)).filter(|w| !w.is_empty()).collect();
        self.people.iter().filter(move |p| {
            (rule.roles.is_empty() || rule.roles.contains(&p.role))
                && units.as_ref().is_none_or(|set| p.unit_id.is_some_and(|u| set.contains(&u)))
                && (phrases.is_empty() || phrases.iter().any(|phrase| has_phrase(&p.position, phrase)))
        })
    }

    /// The units of `codes` with all their sub-units; `None` when `codes` is empty (every unit). A code of
    /// no unit adds none.
    fn units(&self, codes: &[String]) -> Option<HashSet<i64>> {
        if codes.is_empty() {
            return None;
        }
        let mut all = HashSet::new();
        for code in codes {
            if let Some(&root) = self.unit_ids.get(code.trim()) {
                all.extend(enrollment::descendants(&self.children, root));
            }
        }
        Some(all)
    }
}
