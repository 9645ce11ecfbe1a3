//! `users.search_key`: a folded copy of an account's name and username (no diacritics, lowercase), written by
//! every write of an account, so the admin's user search ([`crate::admin_views::user_search`]) filters in SQL.

use daotao_content::text::fold_diacritics;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};

use crate::entities::user;

/// The folded text the filter matches: lowercase ASCII name, then the username.
pub fn search_key(full_name: &str, username: &str) -> String {
    format!("{} {}", fold(full_name), username.to_lowercase())
}

/// Lowercase without diacritics, whitespace runs as one space: how both the key and a filter are folded.
pub(crate) fn fold(text: &str) -> String {
    fold_diacritics(text).to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Fills the key of accounts created before the column existed (see the
/// migration `m20261126_000004_admin_queries`); on an up-to-date database this
/// is one indexed query that finds nothing.
pub async fn fill_missing_keys(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let mut filled = 0;
    loop {
        let rows: Vec<(i64, String, String)> = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .column(user::Column::FullName)
            .column(user::Column::Username)
            .filter(user::Column::SearchKey.eq(""))
            .limit(1000)
            .into_tuple()
            .all(db)
            .await?;
        if rows.is_empty() {
            return Ok(filled);
        }
        for (id, full_name, username) in rows {
            user::Entity::update_many()
                .col_expr(user::Column::SearchKey, Expr::value(search_key(&full_name, &username)))
                .filter(user::Column::Id.eq(id))
                .exec(db)
                .await?;
            filled += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_folded_lowercase_ascii() {
        assert_eq!(search_key("  Nguyễn   Thị LAN ", "lan.nguyen"), "nguyen thi lan lan.nguyen");
        assert_eq!(search_key("Đỗ Văn Sơn", "son.do"), "do van son son.do");
    }
}
