//! Single sign-on's domain part: accounts from a provider's identity (found, linked, created, refreshed,
//! refused, each audited), sessions tied to the provider's session, and single-use records; on a SQLite file
//! and on PostgreSQL (`DAOTAO_TEST_POSTGRES_URL`).

use daotao_core::admin_views::user_detail::SignInSource;
use daotao_core::admin_views::user_search;
use daotao_core::entities::user::Role;
use daotao_core::entities::{audit_log, session, user};
use daotao_core::people::accounts::{self, NewUser};
use daotao_core::people::auth::Policy;
use daotao_core::people::auth::session as sessions;
use daotao_core::people::sso::{self, Identity, Provider, Refusal, Rules, pending};
use daotao_core::people::units::{self, NewUnit};
use daotao_core::platform::db;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder};

mod support;

const IP: &str = "10.0.0.9";

async fn sqlite() -> (tempfile::TempDir, DatabaseConnection) {
    let dir = tempfile::tempdir().unwrap();
    let db = db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display())).await.unwrap();
    (dir, db)
}

/// The province's units: the department of home affairs and a catch-all for people without one.
async fn units(db: &DatabaseConnection) {
    let unit = |code: &str, name: &str| NewUnit { code: code.into(), name: name.into(), parent_code: None };
    units::insert_units(
        db,
        &[unit("SO-NV", "Sở Nội vụ"), unit("SO-TC", "Sở Tài chính"), unit("CHUA-XEP", "Chưa xếp đơn vị")],
    )
    .await
    .unwrap();
}

fn identity(provider: Provider, subject: &str, username: &str) -> Identity {
    Identity {
        provider,
        subject: subject.into(),
        username: username.into(),
        full_name: None,
        email: None,
        unit_code: None,
        position: None,
    }
}

fn rules() -> Rules {
    Rules { create_accounts: true, default_unit: None }
}

/// The audit rows about `username`, oldest first: action, result, detail.
async fn audit(db: &DatabaseConnection, username: &str) -> Vec<(String, String, String)> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Target.eq(username))
        .order_by_asc(audit_log::Column::Id)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| {
            assert_eq!((row.actor.as_str(), row.ip.as_str()), (username, IP));
            (row.action, row.result, row.detail)
        })
        .collect()
}

fn row(action: &str, result: &str, detail: &str) -> (String, String, String) {
    (action.into(), result.into(), detail.into())
}

async fn unit_code(db: &DatabaseConnection, account: &user::Model) -> String {
    daotao_core::entities::unit::Entity::find_by_id(account.unit_id.unwrap())
        .one(db)
        .await
        .unwrap()
        .unwrap()
        .code
}

/// A new person is created from the identity, then refreshed field by field on later sign-ins.
async fn create_and_refresh(db: &DatabaseConnection) {
    units(db).await;
    let mut lan = identity(Provider::Oidc, "8f2c-41d7", " Lan.Nguyen ");
    // Decomposed, as some directories send it: stored composed (NFC).
    lan.full_name = Some("Nguye\u{302}\u{303}n Thi\u{323} Lan".into());
    lan.email = Some("lan.nguyen@tinhmau.gov.vn".into());
    lan.unit_code = Some("SO-NV".into());
    lan.position = Some("Chuyên viên".into());
    let created = sso::sign_in(db, &lan, &rules(), IP).await.unwrap();
    assert_eq!(created.username, "lan.nguyen");
    assert_eq!(created.full_name, "Nguyễn Thị Lan");
    assert_eq!(created.search_key, "nguyen thi lan lan.nguyen");
    assert_eq!(created.email.as_deref(), Some("lan.nguyen@tinhmau.gov.vn"));
    assert_eq!(unit_code(db, &created).await, "SO-NV");
    assert_eq!((created.position.as_str(), created.role), ("Chuyên viên", Role::Learner));
    assert_eq!((created.password_hash.as_str(), created.must_change_password), ("", false));
    assert_eq!(created.sso_provider, Some(Provider::Oidc));
    assert_eq!(created.sso_subject.as_deref(), Some("8f2c-41d7"));
    assert_eq!(
        audit(db, "lan.nguyen").await,
        [row("sso.create", "success", r#"oidc: "8f2c-41d7"; unit "SO-NV""#)]
    );

    // The same again changes nothing and writes nothing.
    let again = sso::sign_in(db, &lan, &rules(), IP).await.unwrap();
    assert_eq!(again, created);
    assert_eq!(audit(db, "lan.nguyen").await.len(), 1);

    // The provider renames her, moves her, and no longer sends her e-mail (kept); found by subject though
    // the username it sends changed.
    let mut moved = identity(Provider::Oidc, "8f2c-41d7", "lan.nguyen2");
    moved.full_name = Some("Nguyễn Thị Lan Anh".into());
    moved.unit_code = Some("SO-TC".into());
    moved.position = Some("Phó Trưởng phòng".into());
    let refreshed = sso::sign_in(db, &moved, &rules(), IP).await.unwrap();
    assert_eq!((refreshed.id, refreshed.username.as_str()), (created.id, "lan.nguyen"));
    assert_eq!(refreshed.full_name, "Nguyễn Thị Lan Anh");
    assert_eq!(refreshed.search_key, "nguyen thi lan anh lan.nguyen");
    assert_eq!(refreshed.email, created.email, "not sent: kept");
    assert_eq!(unit_code(db, &refreshed).await, "SO-TC");
    assert_eq!(refreshed.position, "Phó Trưởng phòng");
    let stored = user::Entity::find_by_id(created.id).one(db).await.unwrap().unwrap();
    assert_eq!(stored, refreshed, "what sign_in returns is what is stored");
    assert_eq!(
        audit(db, "lan.nguyen").await[1..],
        [
            row("sso.update", "success", r#"full_name: "Nguyễn Thị Lan" → "Nguyễn Thị Lan Anh""#),
            row("sso.update", "success", r#"unit: "SO-NV" → "SO-TC""#),
            row("sso.update", "success", r#"position: "Chuyên viên" → "Phó Trưởng phòng""#),
        ]
    );

    // A unit code that names no unit: the account keeps its unit, and the admin can see why.
    let mut lost = identity(Provider::Oidc, "8f2c-41d7", "lan.nguyen");
    lost.unit_code = Some("SO-CU".into());
    lost.email = Some("lan.anh@tinhmau.gov.vn".into());
    let kept = sso::sign_in(db, &lost, &rules(), IP).await.unwrap();
    assert_eq!(unit_code(db, &kept).await, "SO-TC");
    assert_eq!(kept.email.as_deref(), Some("lan.anh@tinhmau.gov.vn"));
    assert_eq!(
        audit(db, "lan.nguyen").await[4..],
        [
            row("sso.update", "unknown_unit", r#"unit "SO-CU" unknown: unit kept"#),
            row("sso.update", "success", r#"email: "lan.nguyen@tinhmau.gov.vn" → "lan.anh@tinhmau.gov.vn""#),
        ]
    );

    // The same subject at the other provider is another person.
    let mut cas = identity(Provider::Cas, "8f2c-41d7", "lan.cas");
    cas.unit_code = Some("SO-NV".into());
    let other = sso::sign_in(db, &cas, &rules(), IP).await.unwrap();
    assert_ne!(other.id, created.id);
    assert_eq!(other.full_name, "lan.cas", "no name sent: the username");
}

/// An account the admin created earlier is the same person: linked, and its password stays.
async fn link_by_username(db: &DatabaseConnection) {
    units(db).await;
    let new = NewUser {
        username: "hung.tran".into(),
        full_name: "Trần Văn Hùng".into(),
        email: None,
        unit_code: Some("SO-NV".into()),
        position: "Chánh Văn phòng".into(),
        role: Role::Trainer,
        password: Some("mật khẩu dài".into()),
    };
    let (admin_made, _) = accounts::add_user(db, new).await.unwrap();
    let mut hung = identity(Provider::Cas, "HUNG.TRAN", "HUNG.TRAN");
    hung.full_name = Some("Trần Văn Hùng".into());
    let linked = sso::sign_in(db, &hung, &rules(), IP).await.unwrap();
    assert_eq!(linked.id, admin_made.id);
    assert_eq!(
        (linked.sso_provider, linked.sso_subject.as_deref()),
        (Some(Provider::Cas), Some("HUNG.TRAN"))
    );
    assert_eq!(linked.role, Role::Trainer, "the admin's role stays");
    assert_eq!(linked.password_hash, admin_made.password_hash, "and the local password");
    assert_eq!(audit(db, "hung.tran").await, [row("sso.link", "success", r#"cas: "HUNG.TRAN""#)]);
    // The admin's screens show it.
    assert_eq!(
        SignInSource::of(&linked),
        SignInSource::SingleSignOn { provider: Provider::Cas, subject: "HUNG.TRAN".into() }
    );
    assert_eq!(SignInSource::of(&admin_made), SignInSource::Password);
    let listed = user_search::page(db, "hung", 0, 10).await.unwrap();
    assert_eq!(listed.lines[0].sso_provider, Some(Provider::Cas));

    // Someone else at the provider (or another provider) with that username is refused, and it is audited.
    for provider in [Provider::Cas, Provider::Oidc] {
        let impostor = identity(provider, "someone-else", "hung.tran");
        let refused = sso::sign_in(db, &impostor, &rules(), IP).await;
        assert!(matches!(refused, Err(Refusal::LinkedElsewhere)), "{refused:?}");
    }
    let rows = audit(db, "hung.tran").await;
    assert_eq!(rows.len(), 3);
    assert_eq!(
        rows[1],
        row("sso.link", "linked_elsewhere", r#"linked to cas: "HUNG.TRAN"; refused cas: "someone-else""#)
    );
    let stored = user::Entity::find_by_id(admin_made.id).one(db).await.unwrap().unwrap();
    assert_eq!(stored.sso_subject.as_deref(), Some("HUNG.TRAN"), "the link is unchanged");
}

/// Deactivated accounts, unknown people when accounts are not created, bad usernames and missing units.
async fn refusals(db: &DatabaseConnection) {
    units(db).await;
    // Deactivated, by subject and by username alike; nothing is linked or refreshed.
    let mai = identity(Provider::Oidc, "mai-1", "mai.bui");
    let created = sso::sign_in(db, &mai, &Rules { default_unit: Some("CHUA-XEP".into()), ..rules() }, IP)
        .await
        .unwrap();
    accounts::set_active(db, "mai.bui", false).await.unwrap();
    let mut renamed = mai.clone();
    renamed.full_name = Some("Bùi Thị Mai".into());
    assert!(matches!(sso::sign_in(db, &renamed, &rules(), IP).await, Err(Refusal::Deactivated)));
    let stored = user::Entity::find_by_id(created.id).one(db).await.unwrap().unwrap();
    assert_eq!(stored.full_name, "mai.bui", "nothing refreshed");
    assert_eq!(audit(db, "mai.bui").await[1], row("sso.sign_in", "deactivated", "account deactivated"));
    let new = NewUser {
        username: "son.do".into(),
        full_name: "Đỗ Văn Sơn".into(),
        email: None,
        unit_code: None,
        position: String::new(),
        role: Role::Learner,
        password: None,
    };
    accounts::add_user(db, new).await.unwrap();
    accounts::set_active(db, "son.do", false).await.unwrap();
    let son = identity(Provider::Oidc, "son-1", "son.do");
    assert!(matches!(sso::sign_in(db, &son, &rules(), IP).await, Err(Refusal::Deactivated)));
    let stored = accounts::find_user(db, "son.do").await.unwrap().unwrap();
    assert_eq!(stored.sso_subject, None, "not linked");
    assert_eq!(audit(db, "son.do").await, [row("sso.sign_in", "deactivated", "account deactivated")]);

    // Unknown people when the province creates no accounts.
    let closed = Rules { create_accounts: false, default_unit: Some("SO-NV".into()) };
    let ha = identity(Provider::Cas, "ha.pham", "ha.pham");
    assert!(matches!(sso::sign_in(db, &ha, &closed, IP).await, Err(Refusal::NotRegistered)));
    assert_eq!(audit(db, "ha.pham").await, [row("sso.create", "not_registered", r#"cas: "ha.pham""#)]);

    // A username the platform cannot store.
    let bad = identity(Provider::Cas, "x", "Phạm Hà");
    match sso::sign_in(db, &bad, &rules(), IP).await {
        Err(Refusal::BadUsername(name)) => assert_eq!(name, "Phạm Hà"),
        other => panic!("{other:?}"),
    }

    // Units: none sent and no default; an unknown one and no default; a default that does not exist.
    let mut tam = identity(Provider::Cas, "tam", "tam.le");
    let none = sso::sign_in(db, &tam, &rules(), IP).await;
    assert!(matches!(none, Err(Refusal::UnknownUnit(None))), "{none:?}");
    tam.unit_code = Some("SO-CU".into());
    match sso::sign_in(db, &tam, &rules(), IP).await {
        Err(Refusal::UnknownUnit(Some(code))) => assert_eq!(code, "SO-CU"),
        other => panic!("{other:?}"),
    }
    let missing_default = Rules { default_unit: Some("KHONG-CO".into()), ..rules() };
    match sso::sign_in(db, &tam, &missing_default, IP).await {
        Err(Refusal::UnknownUnit(Some(code))) => assert_eq!(code, "KHONG-CO"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        audit(db, "tam.le").await,
        [
            row("sso.create", "unknown_unit", r#"cas: "tam"; no unit sent, no default unit"#),
            row("sso.create", "unknown_unit", r#"cas: "tam"; unit "SO-CU" unknown, no default unit"#),
            row("sso.create", "unknown_unit", r#"cas: "tam"; default unit "KHONG-CO" does not exist"#),
        ]
    );
    assert!(accounts::find_user(db, "tam.le").await.unwrap().is_none());
    // With a default unit that exists, the unknown code lands there.
    let landed = sso::sign_in(db, &tam, &Rules { default_unit: Some("CHUA-XEP".into()), ..rules() }, IP)
        .await
        .unwrap();
    assert_eq!(unit_code(db, &landed).await, "CHUA-XEP");
    assert_eq!(
        audit(db, "tam.le").await[3],
        row("sso.create", "success", r#"cas: "tam"; unit "SO-CU" unknown: default unit "CHUA-XEP""#)
    );
}

/// Signs `identity` in three times at once; the account ids.
async fn three_at_once(db: &DatabaseConnection, identity: &Identity) -> Vec<i64> {
    let tasks: Vec<_> = (0..3)
        .map(|_| {
            let (db, identity) = (db.clone(), identity.clone());
            tokio::spawn(async move { sso::sign_in(&db, &identity, &rules(), IP).await.unwrap().id })
        })
        .collect();
    let mut ids = Vec::new();
    for task in tasks {
        ids.push(task.await.unwrap());
    }
    ids
}

/// The same person signing in several times at once (tabs, servers): one account, created once, and a change
/// from the provider written and audited once.
async fn concurrent_sign_ins(db: &DatabaseConnection) {
    units(db).await;
    for round in 0..4 {
        let mut thu = identity(Provider::Oidc, &format!("thu-{round}"), &format!("thu.vo{round}"));
        thu.unit_code = Some("SO-NV".into());
        let ids = three_at_once(db, &thu).await;
        assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
        let username = format!("thu.vo{round}");
        let accounts = user::Entity::find().filter(user::Column::Username.eq(&username)).count(db).await;
        assert_eq!(accounts.unwrap(), 1);
        thu.full_name = Some("Võ Thị Thu".into());
        three_at_once(db, &thu).await;
        let rows = audit(db, &username).await;
        let count = |action: &str| rows.iter().filter(|(a, ..)| a == action).count();
        assert_eq!((count("sso.create"), count("sso.update")), (1, 1), "{rows:?}");

        // Two people at the provider claiming one admin-made account at once: one is linked, one refused.
        let username = format!("ha.pham{round}");
        let new = NewUser {
            username: username.clone(),
            full_name: "Phạm Thu Hà".into(),
            email: None,
            unit_code: Some("SO-NV".into()),
            position: String::new(),
            role: Role::Learner,
            password: Some("mật khẩu dài".into()),
        };
        accounts::add_user(db, new).await.unwrap();
        let claims: Vec<_> = ["a", "b"]
            .map(|subject| {
                let claim = identity(Provider::Cas, &format!("{subject}{round}"), &username);
                let db = db.clone();
                tokio::spawn(async move { sso::sign_in(&db, &claim, &rules(), IP).await })
            })
            .into_iter()
            .collect();
        let mut outcomes = Vec::new();
        for claim in claims {
            outcomes.push(claim.await.unwrap());
        }
        let linked = outcomes.iter().filter(|o| o.is_ok()).count();
        let refused = outcomes.iter().filter(|o| matches!(o, Err(Refusal::LinkedElsewhere))).count();
        assert_eq!((linked, refused), (1, 1), "{outcomes:?}");
    }
}

/// Tickets, codes and states are used once, on any server, even when two arrive at once.
async fn single_use(db: &DatabaseConnection) {
    assert!(sso::spend_once(db, "cas-ticket", "ST-1-abc").await.unwrap());
    assert!(!sso::spend_once(db, "cas-ticket", "ST-1-abc").await.unwrap(), "a replay");
    assert!(sso::spend_once(db, "oidc-code", "ST-1-abc").await.unwrap(), "another kind is another value");
    let (a, b) =
        tokio::join!(sso::spend_once(db, "oidc-code", "c-2"), sso::spend_once(db, "oidc-code", "c-2"));
    assert!(a.unwrap() ^ b.unwrap(), "exactly one of two at once");
    let stored: Vec<String> = daotao_core::entities::sso_spent::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.hash)
        .collect();
    assert!(stored.iter().all(|h| h.len() == 64 && !h.contains("ST-1")), "hashes only: {stored:?}");

    let sign_in = |state: &str| pending::Pending {
        state: state.into(),
        nonce: format!("nonce-{state}"),
        code_verifier: format!("verifier-{state}"),
        next_path: "/courses/an-toan-thong-tin-co-ban".into(),
    };
    pending::save(db, &sign_in("s-1")).await.unwrap();
    assert_eq!(pending::take(db, "s-1").await.unwrap(), Some(sign_in("s-1")));
    assert_eq!(pending::take(db, "s-1").await.unwrap(), None, "taken once");
    assert_eq!(pending::take(db, "never").await.unwrap(), None);
    pending::save(db, &sign_in("s-2")).await.unwrap();
    let (a, b) = tokio::join!(pending::take(db, "s-2"), pending::take(db, "s-2"));
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a.is_some() ^ b.is_some(), "one of two takes at once: {a:?} {b:?}");
    // Older than ten minutes: gone, and not given.
    pending::save(db, &sign_in("s-3")).await.unwrap();
    daotao_core::entities::sso_pending::Entity::update_many()
        .col_expr(
            daotao_core::entities::sso_pending::Column::CreatedAt,
            Expr::value(chrono::Utc::now() - chrono::Duration::minutes(11)),
        )
        .exec(db)
        .await
        .unwrap();
    assert_eq!(pending::take(db, "s-3").await.unwrap(), None);
    assert_eq!(daotao_core::entities::sso_pending::Entity::find().count(db).await.unwrap(), 0);
}

/// A provider's single logout ends the sessions it opened: by its session handle, or all of a subject's.
async fn single_logout(db: &DatabaseConnection) {
    units(db).await;
    let policy = Policy::default();
    let rules = Rules { default_unit: Some("SO-NV".into()), ..rules() };
    let lan = sso::sign_in(db, &identity(Provider::Cas, "lan", "lan"), &rules, IP).await.unwrap();
    let mai = sso::sign_in(db, &identity(Provider::Oidc, "sub-mai", "mai"), &rules, IP).await.unwrap();
    let lan_1 = sessions::create_signed_on(db, lan.id, IP, &policy, Some("ST-1-lan")).await.unwrap();
    let lan_2 = sessions::create_signed_on(db, lan.id, IP, &policy, Some("ST-2-lan")).await.unwrap();
    let mai_1 = sessions::create_signed_on(db, mai.id, IP, &policy, Some("sid-mai")).await.unwrap();
    let mai_2 = sessions::create_signed_on(db, mai.id, IP, &policy, None).await.unwrap();
    let mai_local = sessions::create(db, mai.id, IP, &policy).await.unwrap();
    let handles: Vec<Option<String>> =
        session::Entity::find().all(db).await.unwrap().into_iter().map(|s| s.sso_session).collect();
    assert!(
        handles.iter().flatten().all(|h| h.len() == 64 && !h.contains("ST-")),
        "hashes only: {handles:?}"
    );
    let live = |token: String| async move { sessions::lookup(db, &token, &policy).await.unwrap().is_some() };

    assert_eq!(sessions::end_for_sso_session(db, "ST-1-lan").await.unwrap(), 1);
    assert!(!live(lan_1.token).await);
    assert!(live(lan_2.token.clone()).await, "another sign-on of the same person stays");
    assert_eq!(sessions::end_for_sso_session(db, "ST-unknown").await.unwrap(), 0);

    assert_eq!(sessions::end_for_subject(db, Provider::Cas, "sub-mai").await.unwrap(), 0, "other provider");
    assert_eq!(sessions::end_for_subject(db, Provider::Oidc, "sub-mai").await.unwrap(), 3);
    for token in [mai_1.token, mai_2.token, mai_local.token] {
        assert!(!live(token).await);
    }
    assert!(live(lan_2.token).await);
}

#[tokio::test]
async fn create_and_refresh_on_sqlite() {
    let (_dir, db) = sqlite().await;
    create_and_refresh(&db).await;
}

#[tokio::test]
async fn create_and_refresh_on_postgres() {
    let Some(db) = support::fresh_postgres_database().await else { return };
    create_and_refresh(&db).await;
}

#[tokio::test]
async fn link_by_username_on_sqlite() {
    let (_dir, db) = sqlite().await;
    link_by_username(&db).await;
}

#[tokio::test]
async fn link_by_username_on_postgres() {
    let Some(db) = support::fresh_postgres_database().await else { return };
    link_by_username(&db).await;
}

#[tokio::test]
async fn refusals_on_sqlite() {
    let (_dir, db) = sqlite().await;
    refusals(&db).await;
}

#[tokio::test]
async fn refusals_on_postgres() {
    let Some(db) = support::fresh_postgres_database().await else { return };
    refusals(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sign_ins_on_sqlite() {
    let (_dir, db) = sqlite().await;
    concurrent_sign_ins(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sign_ins_on_postgres() {
    let Some(db) = support::fresh_postgres_database().await else { return };
    concurrent_sign_ins(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_use_on_sqlite() {
    let (_dir, db) = sqlite().await;
    single_use(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_use_on_postgres() {
    let Some(db) = support::fresh_postgres_database().await else { return };
    single_use(&db).await;
}

#[tokio::test]
async fn single_logout_on_sqlite() {
    let (_dir, db) = sqlite().await;
    single_logout(&db).await;
}

#[tokio::test]
async fn single_logout_on_postgres() {
    let Some(db) = support::fresh_postgres_database().await else { return };
    single_logout(&db).await;
}

/// The migration undoes cleanly and applies again (an operator rolling back a release).
async fn migration_down_and_up(db: &DatabaseConnection) {
    use daotao_migrations::{Migrator, MigratorTrait};
    // Down to before the single sign-on's migration, however many came after it.
    let steps =
        Migrator::migrations().iter().rev().position(|m| m.name() == "m20261203_000006_single_sign_on");
    Migrator::down(db, Some(steps.unwrap() as u32 + 1)).await.unwrap();
    assert!(session::Entity::find().all(db).await.is_err(), "the entity's new column is gone");
    Migrator::up(db, None).await.unwrap();
    single_logout(db).await;
}

#[tokio::test]
async fn migration_down_and_up_on_sqlite() {
    let (_dir, db) = sqlite().await;
    migration_down_and_up(&db).await;
}

#[tokio::test]
async fn migration_down_and_up_on_postgres() {
    let Some(db) = support::fresh_postgres_database().await else { return };
    migration_down_and_up(&db).await;
}
