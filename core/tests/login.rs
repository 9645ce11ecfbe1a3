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
