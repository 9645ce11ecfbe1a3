//! The unit tree as an admin reads it: every unit in tree order (parents
//! before children, siblings by name), with its depth and how many active
//! accounts it and its sub-units hold. Two queries, whatever the size: the
//! units (hundreds) and one grouped count of accounts per unit.

use std::collections::HashMap;

use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::entities::{unit, user};

/// One unit in tree order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeUnit {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
    /// 0 for a top unit.
    pub depth: usize,
    /// Active accounts of this unit itself.
    pub members: u64,
    /// Active accounts of this unit and all below it.
    pub members_below: u64,
    pub children: usize,
}

/// Every unit, depth first.
pub async fn tree(db: &impl ConnectionTrait) -> Result<Vec<TreeUnit>, DbErr> {
    let units = unit::Entity::find().all(db).await?;
    let counts: Vec<(Option<i64>, i64)> = user::Entity::find()
        .select_only()
        .column(user::Column::UnitId)
        .column_as(user::Column::Id.count(), "n")
        .filter(user::Column::Active.eq(true))
        .group_by(user::Column::UnitId)
        .into_tuple()
        .all(db)
        .await?;
    let counts: HashMap<i64, u64> =
        counts.into_iter().filter_map(|(unit, n)| unit.map(|u| (u, n as u64))).collect();
    Ok(arrange(units, &counts))
}

/// Orders `units` depth first with siblings by name and sums the counts up the tree.
/// Units whose parent is missing (cannot happen with the foreign key) are shown at the top.
pub fn arrange(mut units: Vec<unit::Model>, members: &HashMap<i64, u64>) -> Vec<TreeUnit> {
    units.sort_by(|a, b| {
        daotao_content::text::fold_diacritics(&a.name)
            .to_lowercase()
            .cmp(&daotao_content::text::fold_diacritics(&b.name).to_lowercase())
            .then(a.code.cmp(&b.code))
    });
    let ids: std::collections::HashSet<i64> = units.iter().map(|u| u.id).collect();
    let code_of: HashMap<i64, String> = units.iter().map(|u| (u.id, u.code.clone())).collect();
    let mut children: HashMap<Option<i64>, Vec<&unit::Model>> = HashMap::new();
    for u in &units {
        let parent = u.parent_id.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(u);
    }
    let mut out = Vec::with_capacity(units.len());
    // (unit, depth), reversed so the first sibling is popped first.
    let mut stack: Vec<(&unit::Model, usize)> =
        children.get(&None).into_iter().flatten().rev().map(|u| (*u, 0)).collect();
    while let Some((u, depth)) = stack.pop() {
        let kids = children.get(&Some(u.id)).map_or(&[][..], Vec::as_slice);
        out.push(TreeUnit {
            id: u.id,
            code: u.code.clone(),
            name: u.name.clone(),
            parent_code: u.parent_id.and_then(|p| code_of.get(&p).cloned()),
            depth,
            members: members.get(&u.id).copied().unwrap_or(0),
            members_below: 0,
            children: kids.len(),
        });
        stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
    }
    // Sum from the deepest up: a unit's total is its own plus its children's totals.
    let index: HashMap<i64, usize> = out.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    let parent_of: HashMap<i64, i64> =
        units.iter().filter_map(|u| u.parent_id.filter(|p| ids.contains(p)).map(|p| (u.id, p))).collect();
    for i in (0..out.len()).rev() {
        out[i].members_below += out[i].members;
        if let Some(parent) = parent_of.get(&out[i].id) {
            let below = out[i].members_below;
            out[index[parent]].members_below += below;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(id: i64, code: &str, name: &str, parent: Option<i64>) -> unit::Model {
        unit::Model { id, code: code.into(), name: name.into(), parent_id: parent }
    }

    #[test]
    fn depth_first_siblings_by_folded_name_with_totals() {
        let units = vec![
            unit(1, "TINH", "Tỉnh Mẫu", None),
            unit(2, "SO-NV", "Sở Nội vụ", Some(1)),
            unit(3, "X-AN", "Xã An Phú", Some(1)),
            unit(4, "SO-NV.TC", "Phòng Tổ chức", Some(2)),
            unit(5, "BAN", "Ban Quản lý", Some(1)),
        ];
        let members = HashMap::from([(1, 1), (2, 2), (3, 4), (4, 8)]);
        let tree = arrange(units, &members);
        let order: Vec<(&str, usize, u64)> =
            tree.iter().map(|u| (u.code.as_str(), u.depth, u.members_below)).collect();
        assert_eq!(
            order,
            [("TINH", 0, 15), ("BAN", 1, 0), ("SO-NV", 1, 10), ("SO-NV.TC", 2, 8), ("X-AN", 1, 4)]
        );
        assert_eq!(tree[2].parent_code.as_deref(), Some("TINH"));
        assert_eq!(tree[0].children, 3);
    }
}
