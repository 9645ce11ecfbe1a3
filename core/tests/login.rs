//! Logging in, against a real SQLite file: the same work and the same answer
//! whether the account exists or not, and the lock-out.

use daotao_core::entities::user::Role;
use daotao_core::people::accounts::{NewUser, add_user};
use daotao_core::people::auth::Policy;
use daotao_core::people::auth::login::{LoginError, login};
use daotao_core::people::auth::password::verifications;

#[tokio::test]
async fn unknown_accounts_cost_one_verification_like_real_ones() {
    let dir = tempfile::tempdir().unwrap();
    let db = daotao_core::platform::db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display()))
        .await
        .unwrap();
    let new = NewUser {
        username: "lan".into(),
        full_name: "Lan".into(),
        email: None,
        unit_code: None,
        position: String::new(),
        role: Role::Learner,
        password: Some("mật khẩu đúng".into()),
    };
    add_user(&db, new).await.unwrap();
    let policy = Policy::default();

    let before = verifications();
    let unknown = login(&db, "khong-co", "mật khẩu đúng", "10.0.0.1", &policy).await;
    let after_unknown = verifications();
    let wrong = login(&db, "lan", "sai", "10.0.0.1", &policy).await;
    let after_wrong = verifications();
    assert!(matches!(unknown, Err(LoginError::Invalid)));
    assert!(matches!(wrong, Err(LoginError::Invalid)));
    // Other tests in this binary may verify concurrently, so count at least one each.
    assert!(after_unknown > before, "an unknown account must still run an argon2 verification");
    assert!(after_wrong > after_unknown);
    assert_eq!(unknown.unwrap_err().to_string(), wrong.unwrap_err().to_string(), "one generic error");

    // Locked accounts also spend a verification, and say nothing more.
    for _ in 0..4 {
        let _ = login(&db, "lan", "sai", "10.0.0.1", &policy).await;
    }
    let before_locked = verifications();
    let locked = login(&db, "lan", "mật khẩu đúng", "10.0.0.1", &policy).await;
    assert!(matches!(locked, Err(LoginError::Invalid)), "locked after 5 failures");
    assert!(verifications() > before_locked);
}

/// An account that signs on through a provider has no local password: a password login on it is a wrong
/// password like any other (the same answer, the same verification, counted towards the lock-out), never a
/// panic on its empty hash.
#[tokio::test]
async fn single_sign_on_accounts_refuse_every_password() {
    use daotao_core::people::sso::{self, Identity, Provider, Rules};
    use daotao_core::people::units::{NewUnit, insert_units};

    let dir = tempfile::tempdir().unwrap();
    let db = daotao_core::platform::db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display()))
        .await
        .unwrap();
    insert_units(&db, &[NewUnit { code: "SO-NV".into(), name: "Sở Nội vụ".into(), parent_code: None }])
        .await
        .unwrap();
    let identity = Identity {
        provider: Provider::Cas,
        subject: "mai.bui".into(),
        username: "mai.bui".into(),
        full_name: Some("Bùi Thị Mai".into()),
        email: None,
        unit_code: Some("SO-NV".into()),
        position: None,
    };
    let rules = Rules { create_accounts: true, default_unit: None };
    let account = sso::sign_in(&db, &identity, &rules, "10.0.0.1").await.unwrap();
    assert_eq!(account.password_hash, "");
    let policy = Policy::default();
    for password in ["", "mật khẩu bất kỳ"] {
        let before = verifications();
        let refused = login(&db, "mai.bui", password, "10.0.0.1", &policy).await;
        assert!(matches!(refused, Err(LoginError::Invalid)), "{refused:?}");
        assert!(verifications() > before, "the dummy verification runs, for equal timing");
    }
    let account = daotao_core::people::accounts::find_user(&db, "mai.bui").await.unwrap().unwrap();
    assert_eq!(account.failed_logins, 2, "counted like wrong passwords");
}

/// Where the city turned local passwords off, a learner's right password opens no session (and is
/// audited as refused); an admin's still does; a wrong password stays the one generic answer.
#[tokio::test]
async fn with_passwords_for_admins_only_a_learner_gets_no_session() {
    use daotao_core::entities::session;
    use sea_orm::{EntityTrait, PaginatorTrait};

    let dir = tempfile::tempdir().unwrap();
    let db = daotao_core::platform::db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display()))
        .await
        .unwrap();
    for (username, role) in [("lan", Role::Learner), ("quantri", Role::Admin)] {
        let new = NewUser {
            username: username.into(),
            full_name: username.into(),
            email: None,
            unit_code: None,
            position: String::new(),
            role,
            password: Some("mật khẩu đúng".into()),
        };
        add_user(&db, new).await.unwrap();
    }
    let policy = Policy { passwords_for_admins_only: true, ..Policy::default() };
    let learner = login(&db, "lan", "mật khẩu đúng", "10.0.0.1", &policy).await;
    assert!(matches!(learner, Err(LoginError::LocalPasswordsOff)), "{learner:?}");
    assert_eq!(session::Entity::find().count(&db).await.unwrap(), 0, "no session was opened");
    let wrong = login(&db, "lan", "sai", "10.0.0.1", &policy).await;
    assert!(matches!(wrong, Err(LoginError::Invalid)));
    assert!(login(&db, "quantri", "mật khẩu đúng", "10.0.0.1", &policy).await.is_ok());
    assert_eq!(session::Entity::find().count(&db).await.unwrap(), 1);
}

/// Sessions unused for over a minute are touched when used (`last_seen_at`), many at once as an exam's first
/// requests do: on SQLite the touches are committed together (the group commit), each one still stored.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_used_after_a_minute_are_touched_even_many_at_once() {
    use daotao_core::entities::session;
    use daotao_core::people::auth::session::{create, lookup};
    use sea_orm::sea_query::Expr;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

    let dir = tempfile::tempdir().unwrap();
    let db = daotao_core::platform::db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display()))
        .await
        .unwrap();
    let new = NewUser {
        username: "lan".into(),
        full_name: "Lan".into(),
        email: None,
        unit_code: None,
        position: String::new(),
        role: Role::Learner,
        password: Some("mật khẩu đúng".into()),
    };
    let (user, _) = add_user(&db, new).await.unwrap();
    let policy = Policy::default();
    let mut tokens = Vec::new();
    for _ in 0..40 {
        tokens.push(create(&db, user.id, "10.0.0.1", &policy).await.unwrap().token);
    }
    let long_ago = chrono::Utc::now() - chrono::Duration::minutes(5);
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(long_ago))
        .exec(&db)
        .await
        .unwrap();
    let before = chrono::Utc::now();
    let mut lookups = tokio::task::JoinSet::new();
    for token in tokens {
        let db = db.clone();
        lookups.spawn(async move { lookup(&db, &token, &policy).await });
    }
    while let Some(found) = lookups.join_next().await {
        let current = found.unwrap().unwrap().expect("a live session");
        assert!(current.session.last_seen_at >= before);
    }
    let stale =
        session::Entity::find().filter(session::Column::LastSeenAt.lt(before)).all(&db).await.unwrap();
    assert!(stale.is_empty(), "every touch is stored: {stale:?}");
}
