//! `users add`, `users set-password`, `users deactivate`, `users activate`, `users unlock` and
//! `users set-extra-time`.

use crate::output::{errln, outln};
use std::io::{BufRead, IsTerminal};

use anyhow::bail;
use daotao_core::import::users::{bad_username, is_email};
use daotao_core::people::accounts::{self, AccountError, NewUser};
use daotao_core::platform::config::Config;

use crate::AddArgs;

/// One account error as one bilingual line.
pub fn explain(e: AccountError) -> anyhow::Error {
    match e {
        AccountError::BadUsername(u) => anyhow::anyhow!(bad_username(&u)),
        AccountError::Taken(u) => anyhow::anyhow!("tài khoản `{u}` đã có / account `{u}` already exists"),
        AccountError::UnknownUnit(c) => anyhow::anyhow!("không có đơn vị mã `{c}` / no unit with code `{c}`"),
        AccountError::UnknownUser(u) => anyhow::anyhow!("không có tài khoản `{u}` / no account `{u}`"),
        AccountError::WrongPassword => anyhow::anyhow!("sai mật khẩu / wrong password"),
        AccountError::Weak(w) => anyhow::anyhow!(w),
        AccountError::ExtraTimeTooLarge(p) => anyhow::anyhow!(
            "thời gian thêm {p}% quá lớn: tối đa {max}% / extra time of {p}% is too much: at most {max}%",
            max = accounts::MAX_EXTRA_TIME_PERCENT
        ),
        AccountError::Db(e) => anyhow::Error::new(e).context("cơ sở dữ liệu / database"),
    }
}

/// One line of standard input, without its line break: a password given by a script.
fn password_from_stdin() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        errln!("Nhập mật khẩu rồi Enter / type the password, then Enter:")?;
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let password = line.strip_suffix('\n').map_or(line.as_str(), |l| l.strip_suffix('\r').unwrap_or(l));
    if password.is_empty() {
        bail!("không có mật khẩu ở đầu vào chuẩn / no password on standard input");
    }
    Ok(password.to_string())
}

pub async fn add(config: &Config, args: AddArgs) -> anyhow::Result<()> {
    if args.name.trim().is_empty() {
        bail!("họ tên không được để trống / --name must not be empty");
    }
    let email = args.email.map(|e| e.trim().to_string()).filter(|e| !e.is_empty());
    if let Some(email) = &email
        && !is_email(email)
    {
        bail!("`{email}` không phải địa chỉ thư điện tử / `{email}` is not an email address");
    }
    let password = if args.password_stdin { Some(password_from_stdin()?) } else { None };
    let db = crate::connect(config).await?;
    let (user, one_time) = accounts::add_user(
        &db,
        NewUser {
            username: args.username,
            full_name: args.name,
            email,
            unit_code: Some(args.unit.trim().to_string()),
            position: args.position,
            role: args.role,
            password,
        },
    )
    .await
    .map_err(explain)?;
    let unit = args.unit.trim();
    crate::audit(&db, "user.create", &user.username, &format!("role {}, unit {unit}", user.role.as_str()))
        .await?;
    let who = format!("{} ({}, {}, {unit})", user.username, user.full_name, user.role.as_str());
    match one_time {
        Some(password) => {
            outln!("{}\t{password}", user.username)?;
            errln!(
                "Đã tạo tài khoản {who}; mật khẩu dùng một lần ở trên phải đổi khi đăng nhập lần đầu / created account {who}; the one-time password above must be changed at first login"
            )?;
        }
        None => errln!(
            "Đã tạo tài khoản {who} với mật khẩu đã nhập / created account {who} with the password given"
        )?,
    }
    Ok(())
}

pub async fn set_password(config: &Config, username: &str, password_stdin: bool) -> anyhow::Result<()> {
    let password = if password_stdin { Some(password_from_stdin()?) } else { None };
    let db = crate::connect(config).await?;
    let one_time = accounts::set_password(&db, username, password).await.map_err(explain)?;
    let username = daotao_core::people::auth::login::normalize_username(username);
    let kind = if one_time.is_some() { "one-time password" } else { "password given" };
    crate::audit(&db, "user.set_password", &username, kind).await?;
    match one_time {
        Some(password) => {
            outln!("{username}\t{password}")?;
            errln!(
                "Đã đặt lại mật khẩu của {username}, mọi phiên đăng nhập đã kết thúc; mật khẩu dùng một lần ở trên phải đổi khi đăng nhập lần đầu / reset the password of {username}, every session ended; the one-time password above must be changed at first login"
            )?;
        }
        None => errln!(
            "Đã đặt mật khẩu mới cho {username}, mọi phiên đăng nhập đã kết thúc / set the new password of {username}, every session ended"
        )?,
    }
    Ok(())
}

pub async fn set_active(config: &Config, username: &str, active: bool) -> anyhow::Result<()> {
    let db = crate::connect(config).await?;
    let (account, ended) = accounts::set_active(&db, username, active).await.map_err(explain)?;
    let who = &account.username;
    if active {
        crate::audit(&db, "user.activate", who, "").await?;
        errln!("Tài khoản {who} đã hoạt động lại / account {who} is active again")?;
    } else {
        crate::audit(&db, "user.deactivate", who, &format!("{ended} sessions ended")).await?;
        errln!(
            "Đã ngừng hoạt động tài khoản {who}, {ended} phiên đăng nhập đã kết thúc / deactivated account {who}, {ended} sessions ended"
        )?;
    }
    Ok(())
}

pub async fn unlock(config: &Config, username: &str) -> anyhow::Result<()> {
    let db = crate::connect(config).await?;
    let (account, was_locked) = accounts::unlock(&db, username).await.map_err(explain)?;
    let who = &account.username;
    crate::audit(&db, "user.unlock", who, if was_locked { "was locked" } else { "was not locked" }).await?;
    if was_locked {
        errln!("Đã mở khoá tài khoản {who} / unlocked account {who}")?;
    } else {
        errln!(
            "Tài khoản {who} không bị khoá; đã đặt lại số lần đăng nhập sai / account {who} was not locked; its failed logins were reset"
        )?;
    }
    Ok(())
}

pub async fn set_extra_time(config: &Config, username: &str, percent: u32) -> anyhow::Result<()> {
    let db = crate::connect(config).await?;
    let (account, before) =
        accounts::set_extra_time(&db, username, percent, &crate::actor(), "cli").await.map_err(explain)?;
    let who = &account.username;
    match (before, percent) {
        (b, p) if b == p => {
            errln!("{who} đã có {p}% thời gian thêm, không đổi / {who} already has {p}% extra time")?
        }
        (_, 0) => errln!("Đã bỏ thời gian thêm của {who} / removed the extra time of {who}")?,
        (_, p) => errln!(
            "{who} có thêm {p}% thời gian cho mỗi bài kiểm tra có giới hạn thời gian, từ lần làm bài tới / {who} has {p}% extra time on every timed quiz, from the next attempt"
        )?,
    }
    Ok(())
}
