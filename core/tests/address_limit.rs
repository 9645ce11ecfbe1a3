//! The per-address login limit kept in the database (#21): only failures count, they expire after the window,
//! other addresses are not affected, and two servers on one database (two connections here) count together.

mod support;

use std::time::Duration;

use chrono::{TimeZone, Utc};
use daotao_core::people::auth::address_limit::AddressLimit;
use daotao_core::platform::db;
use sea_orm::DatabaseConnection;

async fn failures_count_expire_and_are_shared(one: DatabaseConnection, other: DatabaseConnection) {
    let limit = AddressLimit::new(3, Duration::from_secs(60));
    let (ip, neighbour) = ("10.0.0.1", "10.0.0.2");
    let now = Utc.with_ymd_and_hms(2026, 12, 4, 8, 0, 0).unwrap();
    let at = |seconds: i64| now + chrono::Duration::seconds(seconds);
    assert_eq!(limit.retry_after(&one, ip, now).await.unwrap(), None);
    // Failures seen by two servers: one, then the other, then the first again.
    limit.record_failure(&one, ip, at(0)).await.unwrap();
    limit.record_failure(&other, ip, at(0)).await.unwrap();
    assert_eq!(limit.retry_after(&other, ip, at(0)).await.unwrap(), None, "two of three");
    limit.record_failure(&one, ip, at(10)).await.unwrap();
    for db in [&one, &other] {
        let wait = limit.retry_after(db, ip, at(10)).await.unwrap().expect("over the limit on either server");
        assert_eq!(wait, Duration::from_secs(50), "until the oldest of the last three is a minute old");
    }
    assert_eq!(limit.retry_after(&one, neighbour, at(10)).await.unwrap(), None, "other addresses are free");
    // The two first failures leave the window at 60 s: one more try is allowed, the third still counts.
    assert_eq!(limit.retry_after(&one, ip, at(61)).await.unwrap(), None, "failures expire");
    limit.record_failure(&other, ip, at(61)).await.unwrap();
    limit.record_failure(&one, ip, at(62)).await.unwrap();
    let wait = limit.retry_after(&other, ip, at(62)).await.unwrap().expect("three within the minute again");
    assert_eq!(wait, Duration::from_secs(8));
    // Expired failures are deleted as new ones come: the table never keeps more than the window's.
    limit.record_failure(&one, neighbour, at(200)).await.unwrap();
    assert_eq!(limit.retry_after(&one, ip, at(200)).await.unwrap(), None);
    let left: Vec<String> = {
        use daotao_core::entities::login_failure;
        use sea_orm::{EntityTrait, QuerySelect};
        login_failure::Entity::find()
            .select_only()
            .column(login_failure::Column::Address)
            .into_tuple()
            .all(&one)
            .await
            .unwrap()
    };
    assert_eq!(left, [neighbour]);
}

#[tokio::test]
async fn address_limit_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/t.sqlite", dir.path().display());
    let one = db::connect(&url).await.unwrap();
    let other = db::connect(&url).await.unwrap();
    failures_count_expire_and_are_shared(one, other).await;
}

#[tokio::test]
async fn address_limit_on_postgres() {
    let Some(one) = support::fresh_postgres_database().await else { return };
    let other = one.clone();
    failures_count_expire_and_are_shared(one, other).await;
}
