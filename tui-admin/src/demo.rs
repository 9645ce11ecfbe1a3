//! `daotao-admin demo`: syncs the course library and seeds the demo province
//! into an empty database, then prints who can log in with which password.

use crate::output::{errln, outln};
use anyhow::{Context, bail};
use daotao_content::course::load_library;
use daotao_core::demo;
use daotao_core::platform::config::Config;

pub async fn run(config: &Config) -> anyhow::Result<()> {
    let db = crate::connect(config).await?;
    demo::ensure_empty(&db).await?;
    let library = load_library(&config.courses_dir);
    if library.courses.is_empty() {
        bail!(
            "không có khoá học nào trong thư mục {} / no course in {}: run from the repository folder or set DAOTAO_COURSES_DIR",
            config.courses_dir.display(),
            config.courses_dir.display()
        );
    }
    if !library.problems.is_empty() {
        errln!(
            "Cảnh báo / warning: {} lỗi trong thư viện khoá học {}, các khoá học có lỗi bị bỏ qua (xem `daotao-server check`) / problems in the course library, broken courses are left out (see `daotao-server check`)",
            library.problems.len(),
            config.courses_dir.display()
        )?;
    }
    let today = daotao_core::platform::local_time::today();
    let seeded = demo::seed(&db, &library, today).await.context("dữ liệu mẫu / demo")?;
    crate::audit(&db, "demo.seed", demo::ROOT_UNIT, &format!("{} accounts", seeded.accounts.len())).await?;

    outln!(
        "Đã tạo dữ liệu mẫu / demo data created: {} đơn vị / units, {} tài khoản / accounts, {} khoá học / courses",
        seeded.units.len(),
        seeded.accounts.len(),
        seeded.enrollments.len()
    )?;
    outln!()?;
    let header = ["Tên đăng nhập", "Mật khẩu một lần", "Vai trò", "Đơn vị", "Họ tên, chức vụ"];
    let header_en = ["username", "one-time password", "role", "unit", "name, position"];
    let rows: Vec<[String; 5]> = seeded
        .accounts
        .iter()
        .map(|a| {
            [
                a.username.clone(),
                a.one_time_password.clone().unwrap_or_default(),
                a.role.as_str().to_string(),
                a.unit_code.clone(),
                format!("{}, {}", a.full_name, a.position),
            ]
        })
        .collect();
    let mut widths = [0usize; 5];
    for row in rows.iter().map(|r| r.each_ref().map(String::as_str)).chain([header, header_en]) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 5]| {
        let mut out = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            out.push_str(cell);
            if i + 1 < cells.len() {
                out.push_str(&" ".repeat(w - cell.chars().count() + 2));
            }
        }
        outln!("{out}")
    };
    line(header)?;
    line(header_en)?;
    line(widths.map(|w| "-".repeat(w)).each_ref().map(String::as_str))?;
    for row in &rows {
        line(row.each_ref().map(String::as_str))?;
    }
    outln!()?;
    outln!("Ghi danh / enrollments (hạn / due {}):", seeded.due_date)?;
    for (id, title, learners) in &seeded.enrollments {
        outln!("  {id:<32} {learners:>2} học viên / learners  {title}")?;
    }
    if let Some((username, course, due)) = &seeded.overdue {
        outln!("Quá hạn để thử / overdue on purpose: {username} → {course} (hạn / due {due})")?;
    }
    outln!()?;
    outln!(
        "Chạy `daotao-server` rồi đăng nhập tại / run `daotao-server`, then log in at http://{}/login — mật khẩu một lần phải đổi ở lần đăng nhập đầu / one-time passwords must be changed at first login.",
        config.bind
    )?;
    Ok(())
}
