//! From a provider's identity to an account: found by subject, else linked by username, else created; then
//! refreshed from what the provider says. Decided first by reading alone ([`plan`]); only when something is to
//! be written does a transaction take the write lock, decide again inside it and write ([`apply`]).

use daotao_content::text::nfc;
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    DbErr, EntityTrait, QueryFilter, QuerySelect, SqlErr,
};

use super::{Identity, Provider, Refusal, Rules};
use crate::entities::user::{self, Role};
use crate::people::accounts::{AccountRow, is_valid_username};
use crate::people::auth::login::normalize_username;
use crate::people::{search_key, units};
use crate::platform::audit::{self, Event};
use crate::platform::db::begin_write;

/// Finds or creates the account for `identity` and refreshes it from the identity; every change, link,
/// creation and refusal is audited (actor and target: the username; never a token). Writes happen in one
/// transaction; a sign-in that changes nothing writes nothing.
pub async fn sign_in(
    db: &DatabaseConnection,
    identity: &Identity,
    rules: &Rules,
    ip: &str,
) -> Result<user::Model, Refusal> {
    if let Plan::Existing(existing) = plan(db, identity, rules, false).await?
        && existing.is_unchanged()
    {
        return Ok(existing.account);
    }
    // A second try only after losing a race on PostgreSQL (the same person signing in twice at once, or two
    // subjects claiming one username): the second plan then sees the winner's row.
    let mut tries = 0;
    loop {
        tries += 1;
        let txn = begin_write(db).await?;
        let plan = plan(&txn, identity, rules, true).await?;
        match apply(&txn, plan, identity, ip).await {
            Ok(outcome) => {
                txn.commit().await?;
                return outcome;
            }
            Err(Lost::Race) if tries < 2 => txn.rollback().await?,
            Err(Lost::Race) => return Err(Refusal::Db(DbErr::Custom("sign-in lost a race twice".into()))),
            Err(Lost::Db(e)) if tries < 2 && is_unique_violation(&e) => txn.rollback().await?,
            Err(Lost::Db(e)) => return Err(Refusal::Db(e)),
        }
    }
}

fn is_unique_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// What a sign-in will do.
enum Plan {
    Existing(Existing),
    Create(Create),
    Refuse(Refused),
}

/// An account the identity already has, or is about to be linked to, and what changes in it.
struct Existing {
    account: user::Model,
    /// Found by username, not yet linked to the subject.
    link: bool,
    changes: Vec<Change>,
    /// A unit code the provider sent that names no unit: the account keeps its unit.
    unknown_unit: Option<String>,
}

impl Existing {
    fn is_unchanged(&self) -> bool {
        !self.link && self.changes.is_empty() && self.unknown_unit.is_none()
    }
}

/// One field refreshed from the identity, with the audit's description of it.
struct Change {
    field: Field,
    detail: String,
}

enum Field {
    FullName(String),
    Email(String),
    Unit(i64),
    Position(String),
}

/// A new account's row and the note on its unit.
struct Create {
    row: AccountRow,
    unit_note: String,
}

/// A refusal and the audit row that records it.
struct Refused {
    refusal: Refusal,
    user_id: Option<i64>,
    username: String,
    action: &'static str,
    result: &'static str,
    detail: String,
}

/// Why a transaction's writes were abandoned.
enum Lost {
    /// Another sign-in changed the row between the plan and the write.
    Race,
    Db(DbErr),
}

impl From<DbErr> for Lost {
    fn from(e: DbErr) -> Self {
        Lost::Db(e)
    }
}

/// The identity's text fields as they would be stored: trimmed, NFC; empty means not sent.
fn given(value: Option<&str>) -> Option<String> {
    value.map(|v| nfc(v.trim())).filter(|v| !v.is_empty())
}

/// Decides what signing in `identity` does, by reading only. With `lock`, inside the transaction, the account
/// read is locked (PostgreSQL's `FOR UPDATE`; SQLite's transaction holds the whole database already), so two
/// sign-ins of one person at once refresh it one after the other, each seeing the other's changes.
async fn plan(
    db: &impl ConnectionTrait,
    identity: &Identity,
    rules: &Rules,
    lock: bool,
) -> Result<Plan, DbErr> {
    let find = |filter: Condition| {
        let query = user::Entity::find().filter(filter);
        if lock { query.lock_exclusive() } else { query }
    };
    let by_subject = find(
        Condition::all()
            .add(user::Column::SsoProvider.eq(identity.provider))
            .add(user::Column::SsoSubject.eq(identity.subject.as_str())),
    )
    .one(db)
    .await?;
    let username = normalize_username(&identity.username);
    let (account, link) = match by_subject {
        Some(account) => (account, false),
        None => {
            if !is_valid_username(&username) {
                return Ok(Plan::Refuse(Refused {
                    refusal: Refusal::BadUsername(identity.username.clone()),
                    user_id: None,
                    username,
                    action: "sso.create",
                    result: "bad_username",
                    detail: format!("{}: {:?}", identity.provider, identity.subject),
                }));
            }
            match find(Condition::all().add(user::Column::Username.eq(&username))).one(db).await? {
                // Linked to this very subject between the two reads (another sign-in of the same person
                // committed meanwhile): found, as if by subject.
                Some(account)
                    if account.sso_provider == Some(identity.provider)
                        && account.sso_subject.as_deref() == Some(identity.subject.as_str()) =>
                {
                    (account, false)
                }
                Some(account) => (account, true),
                None => return plan_create(db, identity, rules, username).await,
            }
        }
    };
    if link && let (Some(provider), Some(subject)) = (account.sso_provider, &account.sso_subject) {
        return Ok(Plan::Refuse(Refused {
            refusal: Refusal::LinkedElsewhere,
            user_id: Some(account.id),
            username: account.username,
            action: "sso.link",
            result: "linked_elsewhere",
            detail: format!(
                "linked to {provider}: {subject:?}; refused {}: {:?}",
                identity.provider, identity.subject
            ),
        }));
    }
    if !account.active {
        return Ok(Plan::Refuse(Refused {
            refusal: Refusal::Deactivated,
            user_id: Some(account.id),
            username: account.username,
            action: "sso.sign_in",
            result: "deactivated",
            detail: "account deactivated".into(),
        }));
    }
    let (changes, unknown_unit) = refresh(db, &account, identity).await?;
    Ok(Plan::Existing(Existing { account, link, changes, unknown_unit }))
}

/// What the identity changes in an existing account: only the fields it sends, only where they differ.
async fn refresh(
    db: &impl ConnectionTrait,
    account: &user::Model,
    identity: &Identity,
) -> Result<(Vec<Change>, Option<String>), DbErr> {
    let mut changes = Vec::new();
    if let Some(name) = given(identity.full_name.as_deref())
        && name != account.full_name
    {
        let detail = format!("full_name: {:?} → {name:?}", account.full_name);
        changes.push(Change { field: Field::FullName(name), detail });
    }
    if let Some(email) = given(identity.email.as_deref())
        && account.email.as_deref() != Some(email.as_str())
    {
        let detail = format!("email: {:?} → {email:?}", account.email.as_deref().unwrap_or_default());
        changes.push(Change { field: Field::Email(email), detail });
    }
    let mut unknown_unit = None;
    if let Some(code) = given(identity.unit_code.as_deref()) {
        match units::find_by_code(db, &code).await? {
            Some(unit) if Some(unit.id) != account.unit_id => {
                let old = match account.unit_id {
                    Some(id) => crate::entities::unit::Entity::find_by_id(id).one(db).await?.map(|u| u.code),
                    None => None,
                };
                let detail = format!("unit: {:?} → {:?}", old.unwrap_or_default(), unit.code);
                changes.push(Change { field: Field::Unit(unit.id), detail });
            }
            Some(_) => {}
            None => unknown_unit = Some(code),
        }
    }
    if let Some(position) = given(identity.position.as_deref())
        && position != account.position
    {
        let detail = format!("position: {:?} → {position:?}", account.position);
        changes.push(Change { field: Field::Position(position), detail });
    }
    Ok((changes, unknown_unit))
}

/// The account to create for an identity the database does not know, or why not.
async fn plan_create(
    db: &impl ConnectionTrait,
    identity: &Identity,
    rules: &Rules,
    username: String,
) -> Result<Plan, DbErr> {
    let subject = format!("{}: {:?}", identity.provider, identity.subject);
    let refuse = |refusal, username, result, detail| {
        Plan::Refuse(Refused { refusal, user_id: None, username, action: "sso.create", result, detail })
    };
    if !rules.create_accounts {
        return Ok(refuse(Refusal::NotRegistered, username, "not_registered", subject));
    }
    let sent = given(identity.unit_code.as_deref());
    let found = match &sent {
        Some(code) => units::find_by_code(db, code).await?,
        None => None,
    };
    let (unit, unit_note) = match (found, rules.default_unit.as_deref().map(str::trim)) {
        (Some(unit), _) => {
            let note = format!("unit {:?}", unit.code);
            (unit, note)
        }
        (None, Some(default)) => {
            let Some(unit) = units::find_by_code(db, default).await? else {
                let detail = format!("{subject}; default unit {default:?} does not exist");
                let refusal = Refusal::UnknownUnit(Some(default.to_string()));
                return Ok(refuse(refusal, username, "unknown_unit", detail));
            };
            let note = match &sent {
                Some(code) => format!("unit {code:?} unknown: default unit {:?}", unit.code),
                None => format!("no unit sent: default unit {:?}", unit.code),
            };
            (unit, note)
        }
        (None, None) => {
            let detail = match &sent {
                Some(code) => format!("{subject}; unit {code:?} unknown, no default unit"),
                None => format!("{subject}; no unit sent, no default unit"),
            };
            return Ok(refuse(Refusal::UnknownUnit(sent), username, "unknown_unit", detail));
        }
    };
    let row = AccountRow {
        full_name: given(identity.full_name.as_deref()).unwrap_or_else(|| username.clone()),
        username,
        email: given(identity.email.as_deref()),
        unit_id: Some(unit.id),
        position: given(identity.position.as_deref()).unwrap_or_default(),
        role: Role::Learner,
        must_change_password: false,
    };
    Ok(Plan::Create(Create { row, unit_note }))
}

/// Writes what `plan` decided, with its audit rows. The inner result is the sign-in's answer, committed
/// either way (a refusal's audit row is kept); the outer error abandons the transaction.
async fn apply(
    txn: &DatabaseTransaction,
    plan: Plan,
    identity: &Identity,
    ip: &str,
) -> Result<Result<user::Model, Refusal>, Lost> {
    let record = |user_id, username: String, action, result, detail: String| async move {
        audit::record(
            txn,
            Event { user_id, actor: &username, action, target: &username, ip, result, detail: &detail },
        )
        .await
    };
    match plan {
        Plan::Refuse(r) => {
            record(r.user_id, r.username.clone(), r.action, r.result, r.detail).await?;
            tracing::warn!(username = r.username, ip, result = r.result, "single sign-on refused");
            Ok(Err(r.refusal))
        }
        Plan::Create(create) => {
            let username = create.row.username.clone();
            let model = create
                .row
                .into_signed_on_model(identity.provider, &identity.subject, chrono::Utc::now())
                .insert(txn)
                .await?;
            let detail = format!("{}: {:?}; {}", identity.provider, identity.subject, create.unit_note);
            record(Some(model.id), username, "sso.create", "success", detail).await?;
            Ok(Ok(model))
        }
        Plan::Existing(existing) => Ok(Ok(update(txn, existing, identity, ip).await?)),
    }
}

/// Links and refreshes an existing account, one audit row per change.
async fn update(
    txn: &DatabaseTransaction,
    existing: Existing,
    identity: &Identity,
    ip: &str,
) -> Result<user::Model, Lost> {
    let Existing { mut account, link, changes, unknown_unit } = existing;
    let (id, username) = (account.id, account.username.clone());
    let record = |action, result, detail: String| {
        let username = username.clone();
        async move {
            audit::record(
                txn,
                Event {
                    user_id: Some(id),
                    actor: &username,
                    action,
                    target: &username,
                    ip,
                    result,
                    detail: &detail,
                },
            )
            .await
        }
    };
    if link {
        link_account(txn, id, identity.provider, &identity.subject).await?;
        account.sso_provider = Some(identity.provider);
        account.sso_subject = Some(identity.subject.clone());
        record("sso.link", "success", format!("{}: {:?}", identity.provider, identity.subject)).await?;
    }
    if let Some(code) = unknown_unit {
        record("sso.update", "unknown_unit", format!("unit {code:?} unknown: unit kept")).await?;
    }
    if changes.is_empty() {
        return Ok(account);
    }
    let mut model: user::ActiveModel = account.clone().into();
    for change in &changes {
        match &change.field {
            Field::FullName(name) => {
                model.search_key = Set(search_key::search_key(name, &account.username));
                model.full_name = Set(name.clone());
            }
            Field::Email(email) => model.email = Set(Some(email.clone())),
            Field::Unit(id) => model.unit_id = Set(Some(*id)),
            Field::Position(position) => model.position = Set(position.clone()),
        }
    }
    let account = model.update(txn).await?;
    for change in changes {
        record("sso.update", "success", change.detail).await?;
    }
    Ok(account)
}

/// Links an account to a subject, unless another sign-in linked it meanwhile (then the sign-in plans again).
async fn link_account(
    txn: &DatabaseTransaction,
    id: i64,
    provider: Provider,
    subject: &str,
) -> Result<(), Lost> {
    let linked = user::Entity::update_many()
        .col_expr(user::Column::SsoProvider, Expr::value(Some(provider.as_str())))
        .col_expr(user::Column::SsoSubject, Expr::value(Some(subject)))
        .filter(user::Column::Id.eq(id))
        .filter(user::Column::SsoSubject.is_null())
        .exec(txn)
        .await?
        .rows_affected;
    if linked == 1 { Ok(()) } else { Err(Lost::Race) }
}
