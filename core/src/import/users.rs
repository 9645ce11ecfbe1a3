//! `users import`: `username,full_name,email,unit_code,position,role`.
//!
//! Every account created gets a generated one-time password that must be
//! changed at first login. Existing usernames are an error (an import never
//! changes an account). The units must exist already (import them first).
//!
//! Passwords are hashed (argon2, tens of milliseconds each) on every CPU core
//! before the transaction starts, so the write lock is held only for the
//! inserts, not for the hashing.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use daotao_content::text::fold_diacritics;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QuerySelect,
};

use super::csv_file::{self, Row};
use super::{ImportError, Problems, RowError, begin_write, both};
use crate::entities::user::{self, Role};
use crate::people::accounts::is_valid_username;
use crate::people::auth::login::normalize_username;
use crate::people::auth::{password, token};

/// The header of a users file.
pub const COLUMNS: [&str; 6] = ["username", "full_name", "email", "unit_code", "position", "role"];
const USERNAME: usize = 0;
const FULL_NAME: usize = 1;
const EMAIL: usize = 2;
const UNIT_CODE: usize = 3;
const POSITION: usize = 4;
const ROLE: usize = 5;

/// Longest full name or position, a bound against pasted garbage.
pub const MAX_TEXT_CHARS: usize = 200;

/// An account an import created (or, in a dry run, would create).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    /// The line of the file it came from (0 when it did not come from a file).
    pub line: u64,
    /// Lowercase.
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub unit_code: String,
    pub position: String,
    pub role: Role,
    /// The generated password to hand out; `None` in a dry run.
    pub one_time_password: Option<String>,
}

/// What an import created (or would create), in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsersImport {
    pub users: Vec<NewAccount>,
    pub dry_run: bool,
}

/// Checks the whole file and, unless `dry_run`, creates every account in one transaction.
pub async fn import_users(
    db: &DatabaseConnection,
    source: &[u8],
    dry_run: bool,
) -> Result<UsersImport, ImportError> {
    let table = csv_file::read(source, &COLUMNS).map_err(ImportError::Invalid)?;
    let users = plan(db, &table.rows, table.problems.clone()).await?;
    if dry_run {
        return Ok(UsersImport { users, dry_run });
    }
    let accounts = with_one_time_passwords(users).await;
    let txn = begin_write(db).await?;
    // Checked again under the write lock: someone may have added an account meanwhile.
    plan(&txn, &table.rows, table.problems).await?;
    insert_accounts(&txn, &accounts).await?;
    txn.commit().await?;
    Ok(UsersImport { users: accounts.into_iter().map(|(account, _)| account).collect(), dry_run })
}

/// Gives each account a one-time password and hashes them all, spread over the CPU cores.
pub async fn with_one_time_passwords(mut accounts: Vec<NewAccount>) -> Vec<(NewAccount, String)> {
    let passwords: Vec<String> = accounts.iter().map(|_| token::one_time_password()).collect();
    let hashes = tokio::task::spawn_blocking({
        let passwords = passwords.clone();
        move || hash_all(&passwords)
    })
    .await
    .expect("hashing threads");
    for (account, password) in accounts.iter_mut().zip(passwords) {
        account.one_time_password = Some(password);
    }
    accounts.into_iter().zip(hashes).collect()
}

/// Hashes passwords on as many threads as there are CPU cores (blocking).
pub fn hash_all(passwords: &[String]) -> Vec<String> {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).min(passwords.len().max(1));
    let next = AtomicUsize::new(0);
    let mut hashes: Vec<(usize, String)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(p) = passwords.get(i) else { break done };
                        done.push((i, password::hash(p)));
                    }
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().expect("hashing thread")).collect()
    });
    hashes.sort_by_key(|(i, _)| *i);
    hashes.into_iter().map(|(_, h)| h).collect()
}

/// Inserts checked accounts with their password hashes; each must change its
/// password at first login. The units must exist.
pub async fn insert_accounts(
    db: &impl ConnectionTrait,
    accounts: &[(NewAccount, String)],
) -> Result<(), DbErr> {
    let units = crate::people::units::ids_by_code(db).await?;
    let now = chrono::Utc::now();
    let mut rows = Vec::with_capacity(accounts.len());
    for (a, hash) in accounts {
        let unit_id = *units
            .get(&a.unit_code)
            .ok_or_else(|| DbErr::Custom(format!("no unit with code `{}`", a.unit_code)))?;
        let row = crate::people::accounts::AccountRow {
            username: a.username.clone(),
            full_name: a.full_name.clone(),
            email: a.email.clone(),
            unit_id: Some(unit_id),
            position: a.position.clone(),
            role: a.role,
            must_change_password: true,
        };
        rows.push(row.into_active_model(hash.clone(), now));
    }
    // 13 columns: 500 rows stay far below SQLite's and PostgreSQL's parameter limits.
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(500));
        user::Entity::insert_many(std::mem::replace(&mut rows, rest)).exec_without_returning(db).await?;
    }
    Ok(())
}

/// Every check, against the database as `db` sees it.
async fn plan(
    db: &impl ConnectionTrait,
    rows: &[Row],
    read_problems: Vec<RowError>,
) -> Result<Vec<NewAccount>, ImportError> {
    let mut problems = Problems(read_problems);
    let units = crate::people::units::ids_by_code(db).await?;
    let usernames: Vec<String> = rows.iter().map(|r| normalize_username(r.get(USERNAME))).collect();
    let taken = existing_usernames(db, &usernames).await?;
    let mut first_line: HashMap<&str, u64> = HashMap::new();
    let mut accounts = Vec::with_capacity(rows.len());
    for (row, username) in rows.iter().zip(&usernames) {
        let line = row.line;
        if username.is_empty() {
            problems.add(line, Some("username"), both("bắt buộc", "required"));
        } else if !is_valid_username(username) {
            problems.add(line, Some("username"), bad_username(row.get(USERNAME)));
        } else if let Some(first) = first_line.get(username.as_str()) {
            problems.add(
                line,
                Some("username"),
                both(
                    &format!("tên đăng nhập `{username}` đã có ở dòng {first}"),
                    &format!("username `{username}` is already on line {first}"),
                ),
            );
        } else {
            first_line.insert(username, line);
            if taken.contains(username) {
                problems.add(
                    line,
                    Some("username"),
                    both(
                        &format!("tài khoản `{username}` đã có trong cơ sở dữ liệu"),
                        &format!("account `{username}` already exists (an import never changes an account)"),
                    ),
                );
            }
        }
        let full_name = row.get(FULL_NAME);
        if full_name.is_empty() {
            problems.add(line, Some("full_name"), both("bắt buộc", "required"));
        }
        for (column, value) in [("full_name", full_name), ("position", row.get(POSITION))] {
            if value.chars().count() > MAX_TEXT_CHARS {
                problems.add(
                    line,
                    Some(column),
                    both(
                        &format!("dài quá {MAX_TEXT_CHARS} ký tự"),
                        &format!("longer than {MAX_TEXT_CHARS} characters"),
                    ),
                );
            }
        }
        let email = row.get(EMAIL);
        if !email.is_empty() && !is_email(email) {
            problems.add(
                line,
                Some("email"),
                both(
                    &format!("`{email}` không phải địa chỉ thư điện tử"),
                    &format!("`{email}` is not an email address"),
                ),
            );
        }
        let unit_code = row.get(UNIT_CODE);
        if unit_code.is_empty() {
            problems.add(line, Some("unit_code"), both("bắt buộc", "required"));
        } else if !units.contains_key(unit_code) {
            problems.add(
                line,
                Some("unit_code"),
                both(
                    &format!("không có đơn vị mã `{unit_code}` (hãy nhập đơn vị trước)"),
                    &format!("no unit with code `{unit_code}` (import the units first)"),
                ),
            );
        }
        let role = match row.get(ROLE) {
            "" => Some(Role::Learner),
            text => Role::parse(text),
        };
        if role.is_none() {
            let text = row.get(ROLE);
            problems.add(
                line,
                Some("role"),
                both(
                    &format!("vai trò `{text}` không hợp lệ: dùng learner, trainer hoặc admin"),
                    &format!("`{text}` is not a role: use learner, trainer or admin"),
                ),
            );
        }
        if problems.is_empty() {
            accounts.push(NewAccount {
                line,
                username: username.clone(),
                full_name: full_name.to_string(),
                email: Some(email.to_string()).filter(|e| !e.is_empty()),
                unit_code: unit_code.to_string(),
                position: row.get(POSITION).to_string(),
                role: role.unwrap_or(Role::Learner),
                one_time_password: None,
            });
        }
    }
    problems.finish()?;
    Ok(accounts)
}

/// Which of `usernames` already have an account.
async fn existing_usernames(
    db: &impl ConnectionTrait,
    usernames: &[String],
) -> Result<std::collections::HashSet<String>, DbErr> {
    let mut found = std::collections::HashSet::new();
    for chunk in usernames.chunks(500) {
        let names: Vec<String> = user::Entity::find()
            .select_only()
            .column(user::Column::Username)
            .filter(user::Column::Username.is_in(chunk.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(names);
    }
    Ok(found)
}

/// The message for a username that breaks the rules, with the nearest valid one when there is one.
pub fn bad_username(given: &str) -> String {
    let rules = both(
        "3 đến 100 chữ thường không dấu, chữ số, dấu chấm, gạch ngang hoặc gạch dưới",
        "3 to 100 lowercase ASCII letters, digits, dots, hyphens or underscores",
    );
    let folded = fold_diacritics(&normalize_username(given)).replace(' ', ".");
    let hint = if is_valid_username(&folded) { format!(" (`{folded}`?)") } else { String::new() };
    format!("tên đăng nhập `{given}` không hợp lệ / username `{given}` is not valid{hint}: {rules}")
}

/// A plausible address: one `@`, something before it, a dotted domain after it, no spaces.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else { return false };
    s.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !s.chars().any(char::is_whitespace)
        && !domain.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_shapes() {
        for good in ["lan.nguyen@tinhmau.gov.vn", "a+b@x.vn", "x@sở.vn"] {
            assert!(is_email(good), "{good}");
        }
        for bad in
            ["lan", "lan@", "@x.vn", "lan@localhost", "a b@x.vn", "a@b@x.vn", "a@x..vn", "a@-x.vn", "a@x.vn."]
        {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn bad_usernames_suggest_a_folded_one() {
        let message = bad_username("Lan Nguyễn");
        assert!(message.contains("(`lan.nguyen`?)"), "{message}");
        assert!(!bad_username("ab").contains('?'));
    }

    #[test]
    fn hashes_are_computed_in_order_on_several_threads() {
        let passwords: Vec<String> = (0..5).map(|i| format!("mật khẩu {i}")).collect();
        let hashes = hash_all(&passwords);
        assert_eq!(hashes.len(), 5);
        for (p, h) in passwords.iter().zip(&hashes) {
            assert!(password::verify(p, h));
        }
        assert!(hash_all(&[]).is_empty());
    }
}
