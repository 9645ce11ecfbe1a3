//! Organisational units (`units`): a tree of any depth (province > department
//! or commune/ward > office), identified by a short code such as `SO-NV`.
//!
//! New units are inserted parents first; [`parents_first`] orders a batch and
//! finds the ones that would form a cycle.

use std::collections::{HashMap, HashSet};

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::entities::{unit, unit_contact, user};

/// Longest unit code (the column is `varchar(50)`).
pub const MAX_CODE_LEN: usize = 50;

/// Longest unit name, a bound against pasted garbage rather than a real limit.
pub const MAX_NAME_CHARS: usize = 200;

/// A unit to create. `parent_code` names a unit already in the database or
/// one earlier in the same batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUnit {
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum UnitError {
    #[error(
        "mã đơn vị `{0}` không hợp lệ / unit code `{0}` is not valid: use 1 to {MAX_CODE_LEN} letters, digits, dots, hyphens or underscores"
    )]
    BadCode(String),
    #[error("đơn vị `{0}` đã có / unit `{0}` already exists")]
    Taken(String),
    #[error("không có đơn vị mã `{0}` / no unit with code `{0}`")]
    UnknownUnit(String),
    #[error(
        "tên đơn vị phải có từ 1 đến {MAX_NAME_CHARS} ký tự / a unit name has 1 to {MAX_NAME_CHARS} characters"
    )]
    BadName,
    #[error(
        "không thể chuyển `{unit}` vào `{parent}`, là chính nó hoặc đơn vị trực thuộc nó / cannot move `{unit}` under `{parent}`: that is itself or one of its sub-units"
    )]
    Cycle { unit: String, parent: String },
    #[error("không có tài khoản `{0}` đang hoạt động / no active account `{0}`")]
    UnknownPerson(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Unit codes are ASCII (typed in commands and spreadsheets), compared exactly.
pub fn is_valid_code(code: &str) -> bool {
    (1..=MAX_CODE_LEN).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// The unit with this code.
pub async fn find_by_code(db: &impl ConnectionTrait, code: &str) -> Result<Option<unit::Model>, DbErr> {
    unit::Entity::find().filter(unit::Column::Code.eq(code.trim())).one(db).await
}

/// Every unit's id by code.
pub async fn ids_by_code(db: &impl ConnectionTrait) -> Result<HashMap<String, i64>, DbErr> {
    let pairs: Vec<(String, i64)> = unit::Entity::find()
        .select_only()
        .column(unit::Column::Code)
        .column(unit::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    Ok(pairs.into_iter().collect())
}

/// How many active accounts belong to a unit and the units below it.
pub async fn active_members(db: &impl ConnectionTrait, unit_id: i64) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    let units = crate::learning::enrollment::subtree(db, unit_id).await?;
    user::Entity::find()
        .filter(user::Column::UnitId.is_in(units))
        .filter(user::Column::Active.eq(true))
        .count(db)
        .await
}

/// The order in which to insert `units` so every parent comes before its
/// children: `Ok(indexes)`, or `Err(cycles)`, each cycle the indexes of the
/// units that are their own ancestors, in parent order.
///
/// A parent is either another unit of the batch or one for which `exists` is
/// true. Codes must be unique within the batch; a unit whose parent is
/// neither is left out of the order (the caller reports it as unknown).
pub fn parents_first(
    units: &[NewUnit],
    exists: impl Fn(&str) -> bool,
) -> Result<Vec<usize>, Vec<Vec<usize>>> {
    let index: HashMap<&str, usize> = units.iter().enumerate().map(|(i, u)| (u.code.as_str(), i)).collect();
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut order = Vec::with_capacity(units.len());
    for (i, u) in units.iter().enumerate() {
        match u.parent_code.as_deref() {
            Some(parent) => match index.get(parent) {
                Some(&p) => children.entry(p).or_default().push(i),
                None if exists(parent) => order.push(i),
                None => {}
            },
            None => order.push(i),
        }
    }
    let mut next = 0;
    while next < order.len() {
        order.extend(children.get(&order[next]).into_iter().flatten().copied());
        next += 1;
    }
    if order.len() == units.len() {
        return Ok(order);
    }
    // Whatever was not reached hangs below a cycle (or below a unit with an
    // unknown parent). Walk up from each one to find the cycles themselves.
    let placed: HashSet<usize> = order.iter().copied().collect();
    let mut in_cycle: HashSet<usize> = HashSet::new();
    let mut cycles = Vec::new();
    for start in (0..units.len()).filter(|i| !placed.contains(i)) {
        let mut path = Vec::new();
        let mut seen = HashSet::new();
        let mut at = start;
        loop {
            if in_cycle.contains(&at) {
                break;
            }
            if !seen.insert(at) {
                let from = path.iter().position(|&i| i == at).expect("seen on this path");
                let cycle: Vec<usize> = path[from..].to_vec();
                in_cycle.extend(cycle.iter().copied());
                cycles.push(cycle);
                break;
            }
            path.push(at);
            match units[at].parent_code.as_deref().and_then(|p| index.get(p)) {
                Some(&parent) => at = parent,
                None => break,
            }
        }
    }
    if cycles.is_empty() { Ok(order) } else { Err(cycles) }
}

/// Inserts units in the given order: each parent must already exist (in the
/// database or earlier in `units`). Returns the rows created.
pub async fn insert_units(
    db: &impl ConnectionTrait,
    units: &[NewUnit],
) -> Result<Vec<unit::Model>, UnitError> {
    let mut ids = ids_by_code(db).await?;
    let mut created = Vec::with_capacity(units.len());
    for u in units {
        if !is_valid_code(&u.code) {
            return Err(UnitError::BadCode(u.code.clone()));
        }
        if u.name.trim().is_empty() || u.name.trim().chars().count() > MAX_NAME_CHARS {
            return Err(UnitError::BadName);
        }
        if ids.contains_key(&u.code) {
            return Err(UnitError::Taken(u.code.clone()));
        }
        let parent_id = match &u.parent_code {
            Some(code) => Some(*ids.get(code).ok_or_else(|| UnitError::UnknownUnit(code.clone()))?),
            None => None,
        };
        let model = unit::ActiveModel {
            id: NotSet,
            code: Set(u.code.clone()),
            name: Set(daotao_content::text::nfc(u.name.trim())),
            parent_id: Set(parent_id),
        }
        .insert(db)
        .await?;
        ids.insert(model.code.clone(), model.id);
        created.push(model);
    }
    Ok(created)
}

/// Renames a unit (its code, used by scripts and imports, stays).
pub async fn rename(db: &impl ConnectionTrait, code: &str, name: &str) -> Result<unit::Model, UnitError> {
    let found =
        find_by_code(db, code).await?.ok_or_else(|| UnitError::UnknownUnit(code.trim().to_string()))?;
    let name = daotao_content::text::nfc(name.trim());
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(UnitError::BadName);
    }
    let mut model: unit::ActiveModel = found.into();
    model.name = Set(name);
    Ok(model.update(db).await?)
}

/// Moves a unit (with everything below it) under another unit, or to the top
/// with `None`. A unit cannot move below itself or one of its own sub-units.
pub async fn move_to(
    db: &impl ConnectionTrait,
    code: &str,
    new_parent: Option<&str>,
) -> Result<unit::Model, UnitError> {
    let found =
        find_by_code(db, code).await?.ok_or_else(|| UnitError::UnknownUnit(code.trim().to_string()))?;
    let parent_id = match new_parent.map(str::trim).filter(|p| !p.is_empty()) {
        None => None,
        Some(parent) => {
            let parent =
                find_by_code(db, parent).await?.ok_or_else(|| UnitError::UnknownUnit(parent.to_string()))?;
            if crate::learning::enrollment::subtree(db, found.id).await?.contains(&parent.id) {
                return Err(UnitError::Cycle { unit: found.code.clone(), parent: parent.code });
            }
            Some(parent.id)
        }
    };
    let mut model: unit::ActiveModel = found.into();
    model.parent_id = Set(parent_id);
    Ok(model.update(db).await?)
}

/// Makes `username` the contact person of unit `code`, who gets the weekly digest of the unit's (and its
/// sub-units') overdue training (#18); replaces the previous contact. Returns the previous one's id.
pub async fn set_contact(
    db: &impl ConnectionTrait,
    code: &str,
    username: &str,
) -> Result<Option<i64>, UnitError> {
    let found =
        find_by_code(db, code).await?.ok_or_else(|| UnitError::UnknownUnit(code.trim().to_string()))?;
    let person = user::Entity::find()
        .filter(user::Column::Username.eq(username.trim()))
        .filter(user::Column::Active.eq(true))
        .one(db)
        .await?
        .ok_or_else(|| UnitError::UnknownPerson(username.trim().to_string()))?;
    let before = unit_contact::Entity::find_by_id(found.id).one(db).await?;
    let row = unit_contact::ActiveModel { unit_id: Set(found.id), user_id: Set(person.id) };
    match &before {
        Some(_) => row.update(db).await?,
        None => row.insert(db).await?,
    };
    Ok(before.map(|b| b.user_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(code: &str, parent: Option<&str>) -> NewUnit {
        NewUnit { code: code.into(), name: code.into(), parent_code: parent.map(Into::into) }
    }

    #[test]
    fn codes() {
        for good in ["TINH", "SO-NV", "so_khcn.ttcds", "X1"] {
            assert!(is_valid_code(good), "{good}");
        }
        for bad in ["", "SỞ-NV", "SO NV", "A/B", &"X".repeat(51)] {
            assert!(!is_valid_code(bad), "{bad}");
        }
    }

    #[test]
    fn children_listed_before_parents_are_ordered_after_them() {
        let units = [
            unit("PHONG", Some("SO")),
            unit("SO", Some("TINH")),
            unit("TINH", None),
            unit("XA", Some("OLD")),
        ];
        let order = parents_first(&units, |c| c == "OLD").unwrap();
        let pos = |code: &str| order.iter().position(|&i| units[i].code == code).unwrap();
        assert_eq!(order.len(), 4);
        assert!(pos("TINH") < pos("SO") && pos("SO") < pos("PHONG"));
    }

    #[test]
    fn cycles_are_found_once_and_their_descendants_are_not_blamed() {
        let units = [
            unit("A", Some("B")),
            unit("B", Some("C")),
            unit("C", Some("A")),
            unit("D", Some("A")),
            unit("E", Some("E")),
            unit("F", None),
        ];
        let mut cycles = parents_first(&units, |_| false).unwrap_err();
        cycles.iter_mut().for_each(|c| c.sort());
        cycles.sort();
        assert_eq!(cycles, vec![vec![0, 1, 2], vec![4]]);
    }
}
