//! The Người dùng screen's jobs: the paged list, a person's detail, and the account changes, each audited.
//! A new account or a reset password comes back once as a one-time password.

use chrono::NaiveDate;
use daotao_core::admin_views::user_detail;
use daotao_core::admin_views::user_search;
use daotao_core::entities::user;
use daotao_core::learning::progress;
use daotao_core::people::accounts::{self, AccountDetails, NewUser};
use daotao_core::platform::db::Db;
use sea_orm::EntityTrait;

use super::{DETAIL_PER_PAGE, NewUserRequest, PER_PAGE, Response, UserDetail};
use crate::accounts::explain;
use crate::report::Settings;

pub(super) async fn page(db: &Db, filter: String, page: u64) -> anyhow::Result<Response> {
    let page = user_search::page(db, &filter, page, PER_PAGE).await?;
    Ok(Response::Users { filter, page })
}

/// The account, its unit, its courses and the first page of its attempts and of its competencies.
pub(super) async fn detail(
    db: &Db,
    id: i64,
    today: NaiveDate,
    settings: &Settings,
) -> anyhow::Result<Response> {
    let Some(user) = user::Entity::find_by_id(id).one(db).await? else {
        anyhow::bail!("Tài khoản không còn nữa");
    };
    let unit = match user.unit_id {
        Some(unit_id) => {
            daotao_core::entities::unit::Entity::find_by_id(unit_id).one(db).await?.map(|u| (u.code, u.name))
        }
        None => None,
    };
    let courses = progress::my_courses(db, user.id, today).await?;
    let attempts = user_detail::attempts(db, user.id, 0, DETAIL_PER_PAGE).await?;
    // Without the framework file the codes still show, without names.
    let framework = settings.framework().unwrap_or_default();
    let competencies = user_detail::competencies(db, user.id, &framework, 0, DETAIL_PER_PAGE).await?;
    Ok(Response::UserDetail(Box::new(UserDetail { user, unit, courses, attempts, competencies })))
}

pub(super) async fn attempts(db: &Db, user_id: i64, page: u64) -> anyhow::Result<Response> {
    let page = user_detail::attempts(db, user_id, page, DETAIL_PER_PAGE).await?;
    Ok(Response::UserAttempts { user_id, page })
}

pub(super) async fn competencies(
    db: &Db,
    user_id: i64,
    page: u64,
    settings: &Settings,
) -> anyhow::Result<Response> {
    let framework = settings.framework().unwrap_or_default();
    let page = user_detail::competencies(db, user_id, &framework, page, DETAIL_PER_PAGE).await?;
    Ok(Response::UserCompetencies { user_id, page })
}

pub(super) async fn add(db: &Db, new: NewUserRequest) -> anyhow::Result<Response> {
    let account = NewUser {
        username: new.username,
        full_name: new.full_name,
        email: new.email,
        unit_code: Some(new.unit_code.clone()),
        position: new.position,
        role: new.role,
        password: None,
    };
    let (user, password) = accounts::add_user(db, account).await.map_err(explain)?;
    let details = format!("role {}, unit {}", user.role.as_str(), new.unit_code);
    crate::audit(db, "user.create", &user.username, &details).await?;
    Ok(Response::Password { username: user.username, password: password.unwrap_or_default(), created: true })
}

pub(super) async fn edit(db: &Db, username: &str, details: AccountDetails) -> anyhow::Result<Response> {
    let user = accounts::update_user(db, username, details).await.map_err(explain)?;
    crate::audit(db, "user.update", &user.username, "").await?;
    Ok(Response::Done(format!("Đã lưu thông tin của {}", user.username)))
}

/// Reactivates an account, or deactivates it and ends its sessions.
pub(super) async fn set_active(db: &Db, username: &str, active: bool) -> anyhow::Result<Response> {
    let (user, ended) = accounts::set_active(db, username, active).await.map_err(explain)?;
    if active {
        crate::audit(db, "user.activate", &user.username, "").await?;
        return Ok(Response::Done(format!("Tài khoản {} đã hoạt động lại", user.username)));
    }
    crate::audit(db, "user.deactivate", &user.username, &format!("{ended} sessions ended")).await?;
    Ok(Response::Done(format!("Đã ngừng hoạt động {}, {ended} phiên đăng nhập đã kết thúc", user.username)))
}

pub(super) async fn reset_password(db: &Db, username: String) -> anyhow::Result<Response> {
    let password = accounts::set_password(db, &username, None).await.map_err(explain)?;
    crate::audit(db, "user.set_password", &username, "one-time password").await?;
    Ok(Response::Password { username, password: password.unwrap_or_default(), created: false })
}

/// Unlocks an account; one that was not locked has its failed logins reset all the same.
pub(super) async fn unlock(db: &Db, username: &str) -> anyhow::Result<Response> {
    let (user, was_locked) = accounts::unlock(db, username).await.map_err(explain)?;
    let note = if was_locked { "was locked" } else { "was not locked" };
    crate::audit(db, "user.unlock", &user.username, note).await?;
    Ok(Response::Done(if was_locked {
        format!("Đã mở khoá {}", user.username)
    } else {
        format!("{} không bị khoá; đã đặt lại số lần đăng nhập sai", user.username)
    }))
}

/// Grants extra time on timed quizzes (0 takes it away); core records the change in the audit log.
pub(super) async fn set_extra_time(db: &Db, username: &str, percent: u32) -> anyhow::Result<Response> {
    let (user, before) =
        accounts::set_extra_time(db, username, percent, &crate::actor(), "tui").await.map_err(explain)?;
    Ok(Response::Done(match percent {
        p if p == before => format!("{} đã có {p}% thời gian thêm", user.username),
        0 => format!("Đã bỏ thời gian thêm của {}", user.username),
        p => format!("{} có thêm {p}% thời gian cho mỗi bài kiểm tra có giới hạn thời gian", user.username),
    }))
}
