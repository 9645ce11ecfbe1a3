//! Creating an index the same way in every migration: named `ux_<table>_<cols>` (unique) or `ix_...`.

use sea_orm_migration::prelude::*;

pub async fn index(
    manager: &SchemaManager<'_>,
    table: &str,
    cols: &[&str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut index = Index::create();
    index
        .name(format!("{}_{}_{}", if unique { "ux" } else { "ix" }, table, cols.join("_")))
        .table(String::from(table));
    for col in cols {
        index.col(String::from(*col));
    }
    if unique {
        index.unique();
    }
    manager.create_index(index.to_owned()).await
}
