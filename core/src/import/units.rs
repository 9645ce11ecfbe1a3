//! `units import`: `code,name,parent_code`. A parent may be a unit already in
//! the database or one defined anywhere in the file (before or after its
//! children); units are inserted parents first. Existing codes are an error:
//! an import never changes a unit that is already there.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, DatabaseConnection};

use super::csv_file::{self, Row};
use super::{ImportError, Problems, RowError, begin_write, both};
use crate::people::units::{self, MAX_CODE_LEN, MAX_NAME_CHARS, NewUnit};

/// The header of a units file.
pub const COLUMNS: [&str; 3] = ["code", "name", "parent_code"];
const CODE: usize = 0;
const NAME: usize = 1;
const PARENT: usize = 2;

/// What an import created (or, in a dry run, would create), parents first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitsImport {
    pub units: Vec<NewUnit>,
    pub dry_run: bool,
}

/// Checks the whole file and, unless `dry_run`, creates every unit in one transaction.
pub async fn import_units(
    db: &DatabaseConnection,
    source: &[u8],
    dry_run: bool,
) -> Result<UnitsImport, ImportError> {
    let table = csv_file::read(source, &COLUMNS).map_err(ImportError::Invalid)?;
    if dry_run {
        let units = plan(db, &table.rows, table.problems).await?;
        return Ok(UnitsImport { units, dry_run });
    }
    let txn = begin_write(db).await?;
    let units = plan(&txn, &table.rows, table.problems).await?;
    units::insert_units(&txn, &units).await.map_err(|e| match e {
        units::UnitError::Db(e) => ImportError::Db(e),
        other => ImportError::Db(sea_orm::DbErr::Custom(other.to_string())),
    })?;
    txn.commit().await?;
    Ok(UnitsImport { units, dry_run })
}

/// Every check, against the database as `db` sees it: the units to insert,
/// parents first, or every problem.
async fn plan(
    db: &impl ConnectionTrait,
    rows: &[Row],
    read_problems: Vec<RowError>,
) -> Result<Vec<NewUnit>, ImportError> {
    let mut problems = Problems(read_problems);
    let existing = units::ids_by_code(db).await?;
    // The first line defining each code: parents resolve to it.
    let mut defined: HashMap<&str, u64> = HashMap::new();
    for row in rows {
        let code = row.get(CODE);
        if code.is_empty() {
            continue;
        }
        if let Some(first) = defined.get(code) {
            problems.add(
                row.line,
                Some("code"),
                both(
                    &format!("mã `{code}` đã có ở dòng {first}"),
                    &format!("code `{code}` is already on line {first}"),
                ),
            );
        } else {
            defined.insert(code, row.line);
        }
    }

    let mut batch: Vec<NewUnit> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    for row in rows {
        let (code, name, parent) = (row.get(CODE), row.get(NAME), row.get(PARENT));
        let line = row.line;
        if code.is_empty() {
            problems.add(line, Some("code"), both("bắt buộc", "required"));
        } else if !units::is_valid_code(code) {
            problems.add(line, Some("code"), bad_code(code));
        } else if existing.contains_key(code) {
            problems.add(
                line,
                Some("code"),
                both(
                    &format!("đơn vị `{code}` đã có trong cơ sở dữ liệu"),
                    &format!("unit `{code}` already exists in the database (an import never changes a unit)"),
                ),
            );
        }
        if name.is_empty() {
            problems.add(line, Some("name"), both("bắt buộc", "required"));
        } else if name.chars().count() > MAX_NAME_CHARS {
            problems.add(
                line,
                Some("name"),
                both(
                    &format!("dài quá {MAX_NAME_CHARS} ký tự"),
                    &format!("longer than {MAX_NAME_CHARS} characters"),
                ),
            );
        }
        if !parent.is_empty() && !defined.contains_key(parent) && !existing.contains_key(parent) {
            problems.add(
                line,
                Some("parent_code"),
                both(
                    &format!("không có đơn vị mã `{parent}` trong tệp hay trong cơ sở dữ liệu"),
                    &format!("no unit with code `{parent}` in the file or the database"),
                ),
            );
        }
        // Only the first definition of a code takes part in the tree.
        if !code.is_empty() && defined.get(code) == Some(&line) {
            batch.push(NewUnit {
                code: code.to_string(),
                name: name.to_string(),
                parent_code: Some(parent.to_string()).filter(|p| !p.is_empty()),
            });
            lines.push(line);
        }
    }

    let order = match units::parents_first(&batch, |code| existing.contains_key(code)) {
        Ok(order) => order,
        Err(cycles) => {
            for cycle in cycles {
                let mut path: Vec<&str> = cycle.iter().map(|&i| batch[i].code.as_str()).collect();
                path.push(path[0]);
                let path = path.join(" → ");
                for &i in &cycle {
                    problems.add(
                        lines[i],
                        Some("parent_code"),
                        both(
                            &format!("cấp trên tạo thành vòng lặp {path}"),
                            &format!("the parents form a cycle {path}"),
                        ),
                    );
                }
            }
            Vec::new()
        }
    };
    problems.finish()?;
    Ok(order.into_iter().map(|i| batch[i].clone()).collect())
}

fn bad_code(code: &str) -> String {
    both(
        &format!(
            "mã `{code}` không hợp lệ: dùng 1 đến {MAX_CODE_LEN} chữ cái không dấu, chữ số, dấu chấm, gạch ngang hoặc gạch dưới"
        ),
        &format!(
            "code `{code}` is not valid: use 1 to {MAX_CODE_LEN} ASCII letters, digits, dots, hyphens or underscores"
        ),
    )
}
