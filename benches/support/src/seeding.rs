//! Seeding a province fast: a deterministic generator, SQL literals, and rows sent 1,000 at a time.

use anyhow::Context;
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::ConnectionTrait;

/// A small deterministic generator (SplitMix64), so every run seeds the same province.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// SQL text of a value.
pub fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The text sqlx writes for a `DateTime<Utc>` into SQLite; PostgreSQL reads it as a timestamptz.
pub fn ts(t: DateTime<Utc>) -> String {
    q(&t.to_rfc3339_opts(SecondsFormat::AutoSi, false))
}

/// Rows of one table, sent 1,000 at a time as one `INSERT`.
pub struct Batch {
    head: String,
    sql: String,
    rows: usize,
    /// Rows pushed since the start.
    pub total: u64,
}

impl Batch {
    pub fn new(table: &str, columns: &str) -> Self {
        Self {
            head: format!("INSERT INTO {table} ({columns}) VALUES "),
            sql: String::new(),
            rows: 0,
            total: 0,
        }
    }

    /// Adds a row; the caller flushes when [`Batch::full`] (or uses [`Batch::add`]).
    pub fn push(&mut self, values: String) {
        self.sql.push_str(if self.rows == 0 { &self.head } else { "," });
        self.sql.push('(');
        self.sql.push_str(&values);
        self.sql.push(')');
        self.rows += 1;
        self.total += 1;
    }

    /// Adds a row and sends the batch once it is full.
    pub async fn add(&mut self, db: &impl ConnectionTrait, values: String) -> anyhow::Result<()> {
        self.push(values);
        if self.full() {
            self.flush(db).await?;
        }
        Ok(())
    }

    pub fn full(&self) -> bool {
        self.rows >= 1000
    }

    pub async fn flush(&mut self, db: &impl ConnectionTrait) -> anyhow::Result<()> {
        if self.rows > 0 {
            db.execute_unprepared(&self.sql).await.with_context(|| self.head.clone())?;
            self.sql.clear();
            self.rows = 0;
        }
        Ok(())
    }
}

/// Unit `code` and `count` learners in it (`username(i)`, "Học viên i", all with `password_hash`), inserted
/// through `daotao-core`'s own account rows 500 at a time: what the exam-rush and feedback benchmarks start
/// from. Returns the unit.
pub async fn unit_of_learners(
    txn: &impl ConnectionTrait,
    code: &str,
    name: &str,
    count: usize,
    username: impl Fn(usize) -> String,
    password_hash: &str,
) -> anyhow::Result<daotao_core::entities::unit::Model> {
    use daotao_core::entities::user::{self, Role};
    use daotao_core::people::accounts::AccountRow;
    use daotao_core::people::units::{NewUnit, insert_units};
    use sea_orm::EntityTrait;

    let unit = NewUnit { code: code.into(), name: name.into(), parent_code: None };
    let unit = insert_units(txn, &[unit]).await?.remove(0);
    let now = Utc::now();
    let mut rows: Vec<user::ActiveModel> = (0..count)
        .map(|i| {
            AccountRow {
                username: username(i),
                full_name: format!("Học viên {i}"),
                email: None,
                unit_id: Some(unit.id),
                position: "Chuyên viên".into(),
                role: Role::Learner,
                must_change_password: false,
            }
            .into_active_model(password_hash.to_string(), now)
        })
        .collect();
    while !rows.is_empty() {
        let rest = rows.split_off(rows.len().min(500));
        user::Entity::insert_many(std::mem::replace(&mut rows, rest)).exec_without_returning(txn).await?;
    }
    Ok(unit)
}
