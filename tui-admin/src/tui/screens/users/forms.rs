//! The users screen's forms and confirmations: what each action key opens.

use daotao_core::people::accounts::{AccountDetails, MAX_EXTRA_TIME_PERCENT};

use crate::tui::widgets::{Confirm, Form};
use crate::tui::worker::{NewUserRequest, Request};
use crate::tui::{parse_role, role_name};

/// A new account; its one-time password shows once it is saved.
pub(super) fn add_form() -> Form {
    Form::new(
        "Thêm tài khoản",
        &[
            ("Tên đăng nhập", ""),
            ("Họ tên", ""),
            ("Mã đơn vị", ""),
            ("Chức vụ", ""),
            ("Vai trò", "học viên"),
            ("Email", ""),
        ],
        "Vai trò: học viên, giảng viên hoặc quản trị. Mật khẩu dùng một lần sẽ hiện sau khi lưu.",
        Box::new(|v: &[String]| {
            let role = parse_role(&v[4]).ok_or("Vai trò phải là học viên, giảng viên hoặc quản trị")?;
            if v[0].is_empty() || v[1].is_empty() || v[2].is_empty() {
                return Err("Cần tên đăng nhập, họ tên và mã đơn vị".to_string());
            }
            Ok(Request::AddUser(NewUserRequest {
                username: v[0].clone(),
                full_name: v[1].clone(),
                unit_code: v[2].clone(),
                position: v[3].clone(),
                role,
                email: Some(v[5].clone()).filter(|e| !e.is_empty()),
            }))
        }),
    )
}

/// An account's details, from what they are now; the username cannot change.
pub(super) fn edit_form(username: String, d: AccountDetails) -> Form {
    Form::new(
        format!("Sửa {username}"),
        &[
            ("Họ tên", &d.full_name),
            ("Mã đơn vị", &d.unit_code),
            ("Chức vụ", &d.position),
            ("Vai trò", role_name(d.role)),
            ("Email", d.email.as_deref().unwrap_or("")),
        ],
        "Tên đăng nhập không đổi được.",
        Box::new(move |v: &[String]| {
            let role = parse_role(&v[3]).ok_or("Vai trò phải là học viên, giảng viên hoặc quản trị")?;
            if v[0].is_empty() || v[1].is_empty() {
                return Err("Cần họ tên và mã đơn vị".to_string());
            }
            Ok(Request::EditUser {
                username: username.clone(),
                details: AccountDetails {
                    full_name: v[0].clone(),
                    unit_code: v[1].clone(),
                    position: v[2].clone(),
                    role,
                    email: Some(v[4].clone()).filter(|e| !e.is_empty()),
                },
            })
        }),
    )
}

/// Deactivating (which ends every session) or reactivating `username`, as `active` says it is now.
pub(super) fn toggle_active(username: String, active: bool) -> Confirm {
    if active {
        Confirm {
            question: format!("Ngừng hoạt động {username}? Mọi phiên đăng nhập của họ sẽ kết thúc."),
            request: Request::SetActive { username, active: false },
        }
    } else {
        Confirm {
            question: format!("Cho {username} hoạt động lại?"),
            request: Request::SetActive { username, active: true },
        }
    }
}

/// Resetting a password, which ends every session.
pub(super) fn reset_password(username: String) -> Confirm {
    Confirm {
        question: format!(
            "Đặt lại mật khẩu của {username}? Mật khẩu cũ hết hiệu lực, mọi phiên đăng nhập kết thúc."
        ),
        request: Request::ResetPassword(username),
    }
}

/// Extra time on every timed quiz, from what it is now (#19): a percentage of the limit, 0 for none.
pub(super) fn extra_time(username: String, percent: i32) -> Form {
    Form::new(
        format!("Thời gian thêm cho {username}"),
        &[("Phần trăm", &percent.to_string())],
        "Ví dụ 50: bài 20 phút thành 30 phút. 0 là không có. Áp dụng từ lần làm bài tới.",
        Box::new(move |v: &[String]| {
            let percent = v[0]
                .trim()
                .parse::<u32>()
                .ok()
                .filter(|p| *p <= MAX_EXTRA_TIME_PERCENT)
                .ok_or(format!("Phần trăm là một số từ 0 đến {MAX_EXTRA_TIME_PERCENT}"))?;
            Ok(Request::SetExtraTime { username: username.clone(), percent })
        }),
    )
}
