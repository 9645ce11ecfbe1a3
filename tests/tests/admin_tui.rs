//! End-to-end: the real `daotao-admin` terminal UI in tmux, driven by keys
//! like an admin over SSH, on a fresh SQLite database seeded with the plain
//! subcommands; the database (and an exported report) is checked afterwards.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Instant;

use daotao_tests::{PATIENCE, binary, bundled_courses, copy_dir, outside};

/// A private tmux server (its own socket, in a folder removed with it) holding one session,
/// killed when dropped.
struct Tmux {
    socket: std::path::PathBuf,
    session: &'static str,
    _dir: tempfile::TempDir,
}

impl Tmux {
    /// `None` (the test reported as skipped) when tmux is not installed.
    fn start(dir: &Path, url: &str, width: u16, height: u16) -> Option<Tmux> {
        if !outside::runs("tmux", "-V") {
            outside::TMUX.missing("`tmux -V` does not run");
            return None;
        }
        let socket_dir = tempfile::tempdir().unwrap();
        let socket = socket_dir.path().join("tmux.sock");
        let tmux = Tmux { socket, session: "admin", _dir: socket_dir };
        // The shell around the program writes its exit status to a file: tmux 3.3 sometimes leaves the exited
        // program unreaped, with an empty `pane_dead_status`.
        let command = format!(
            "env -u DAOTAO_CONFIG DAOTAO_DATABASE_URL='{url}' TERM=xterm-256color '{}'; echo $? > '{}'",
            binary("daotao-admin").display(),
            tmux.socket.with_file_name("exit-status").display()
        );
        let (w, h) = (width.to_string(), height.to_string());
        let started = tmux.run(&[
            "new-session",
            "-d",
            "-s",
            tmux.session,
            "-x",
            &w,
            "-y",
            &h,
            "-c",
            dir.to_str().unwrap(),
            &command,
        ]);
        assert!(started.status.success(), "{started:?}");
        // Keep the pane after the program ends, so its exit can be seen.
        tmux.run(&["set-option", "-t", tmux.session, "remain-on-exit", "on"]);
        Some(tmux)
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux").arg("-S").arg(&self.socket).args(args).output().expect("run tmux")
    }

    fn pane(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", self.session]).stdout).into_owned()
    }

    /// Types text literally.
    fn type_text(&self, text: &str) {
        assert!(self.run(&["send-keys", "-t", self.session, "-l", text]).status.success());
    }

    /// Sends named keys (Enter, Tab, C-c...).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session];
        args.extend(keys);
        assert!(self.run(&args).status.success());
    }

    /// Waits until the pane shows every one of `texts`.
    #[track_caller]
    fn wait_for(&self, texts: &[&str]) -> String {
        let started = Instant::now();
        loop {
            let pane = self.pane();
            if texts.iter().all(|t| pane.contains(t)) {
                return pane;
            }
            assert!(started.elapsed() < PATIENCE, "timed out waiting for {texts:?}; the pane shows:\n{pane}");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Waits until the program in the pane has ended; returns its exit status.
    #[track_caller]
    fn wait_for_exit(&self) -> String {
        let started = Instant::now();
        let file = self.socket.with_file_name("exit-status");
        loop {
            if let Ok(status) = std::fs::read_to_string(&file)
                && status.ends_with('\n')
            {
                return status.trim().to_string();
            }
            assert!(
                started.elapsed() < 4 * PATIENCE,
                "the admin tool did not quit; the pane shows:\n{}",
                self.pane()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn scalar(url: &str, sql: &str) -> i64 {
    use sea_orm::ConnectionTrait;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let db = sea_orm::Database::connect(url).await.unwrap();
        let row = db.query_one_raw(sea_orm::Statement::from_string(db.get_database_backend(), sql)).await;
        row.unwrap().unwrap().try_get_by_index::<i64>(0).unwrap()
    })
}

/// A scratch folder with the bundled courses and a database seeded by `daotao-admin demo`.
fn seeded() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&bundled_courses(), &dir.path().join("courses"));
    let url = format!("sqlite://{}/data/daotao.sqlite", dir.path().display());
    let demo = Command::new(binary("daotao-admin"))
        .arg("demo")
        .current_dir(dir.path())
        .env_remove("DAOTAO_CONFIG")
        .env("DAOTAO_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(demo.status.success(), "{demo:?}");
    (dir, url)
}

#[test]
fn an_admin_enrols_a_person_through_the_terminal_ui() {
    let (dir, url) = seeded();
    const COURSE: &str = "an-toan-thong-tin-cntt";
    let enrolled = |who: &str| {
        scalar(
            &url,
            &format!(
                "SELECT COUNT(*) FROM enrollments e JOIN users u ON u.id = e.user_id \
                 WHERE e.course_id = '{COURSE}' AND u.username = '{who}' AND e.due_date = '2027-01-31'"
            ),
        )
    };
    assert_eq!(enrolled("lan.nguyen"), 0);

    let Some(tmux) = Tmux::start(dir.path(), &url, 100, 30) else { return };
    tmux.wait_for(&["1 Tổng quan", "5 Ghi danh", "Tài khoản 12 hoạt động", "? trợ giúp"]);
    tmux.keys(&["5"]);
    // The catalog opens on its first course (`ai-trong-cong-vu`); the next one is the IT course, where the
    // demo enrolled its two IT learners.
    tmux.wait_for(&["▸ai-trong-cong-vu"]);
    tmux.keys(&["Down"]);
    tmux.wait_for(&[&format!("▸{COURSE}"), "2 người đã ghi danh"]);
    tmux.keys(&["a"]);
    tmux.wait_for(&["Ghi danh một người · an-toan-thong-tin-cntt"]);
    tmux.type_text("lan.nguyen");
    tmux.keys(&["Tab"]);
    tmux.type_text("2027-01-31");
    tmux.keys(&["Enter"]);
    let pane = tmux.wait_for(&["Đã ghi danh lan.nguyen vào an-toan-thong-tin-cntt", "3 người đã ghi danh"]);
    assert!(pane.contains("31/01/2027"), "the new row shows its due date:\n{pane}");
    // Enrolling again changes nothing, and says so.
    tmux.keys(&["a"]);
    tmux.wait_for(&["Ghi danh một người"]);
    tmux.type_text("lan.nguyen");
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["lan.nguyen đã ghi danh vào an-toan-thong-tin-cntt từ trước, không thay đổi gì"]);
    // Báo cáo: every unit's competency summary, previewed, then exported as CSV under the name offered.
    tmux.keys(&["6"]);
    tmux.wait_for(&["Tất cả đơn vị", "Sở Nội vụ"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["Năng lực theo đơn vị · Tất cả đơn vị", "Tỉnh Mẫu", "Dòng 1–8/8"]);
    tmux.keys(&["c"]);
    tmux.wait_for(&["Xuất CSV · Năng lực theo đơn vị · tất cả đơn vị"]);
    tmux.keys(&["Enter"]);
    tmux.wait_for(&["Đã ghi "]);
    let exported: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name().unwrap().to_string_lossy().starts_with("bao-cao-nang-luc-theo-don-vi-tat-ca-")
        })
        .collect();
    assert_eq!(exported.len(), 1, "{exported:?}");
    let csv = std::fs::read_to_string(&exported[0]).unwrap();
    assert!(csv.starts_with("\u{feff}Mã đơn vị,Đơn vị,"), "{csv}");
    assert_eq!(csv.lines().count(), 9, "a header and the 8 demo units:\n{csv}");
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_for_exit(), "0");
    assert_eq!(enrolled("lan.nguyen"), 1);
    assert_eq!(scalar(&url, &format!("SELECT COUNT(*) FROM enrollments WHERE course_id = '{COURSE}'")), 3);
    assert_eq!(
        scalar(&url, "SELECT COUNT(*) FROM audit_log WHERE action = 'enroll' AND target LIKE '%lan.nguyen'"),
        2
    );
    assert_eq!(scalar(&url, "SELECT COUNT(*) FROM audit_log WHERE action = 'report.export'"), 1);
}

#[test]
fn the_programmes_screen_shows_a_real_count_and_the_people_behind_it() {
    let (dir, url) = seeded();
    let assign = Command::new(binary("daotao-admin"))
        .args(["programmes", "assign"])
        .current_dir(dir.path())
        .env_remove("DAOTAO_CONFIG")
        .env("DAOTAO_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(assign.status.success(), "{assign:?}");
    // The first programme by id; everyone assigned it, none completed yet on the day it is assigned.
    const PROGRAMME: &str = "attt-can-bo-cntt";
    let assigned = scalar(
        &url,
        &format!(
            "SELECT COUNT(DISTINCT user_id) FROM programme_assignments \
             WHERE programme_id = '{PROGRAMME}' AND withdrawn_on IS NULL"
        ),
    );
    assert!(assigned > 0, "the demo has people the programme applies to");

    let Some(tmux) = Tmux::start(dir.path(), &url, 100, 30) else { return };
    tmux.wait_for(&["1 Tổng quan", "7 Chương trình"]);
    tmux.keys(&["7"]);
    let pane = tmux.wait_for(&[&format!("({PROGRAMME})"), "Tất cả (cả người chưa có đơn vị)", "Thư:"]);
    let everyone = pane.lines().find(|l| l.contains("Tất cả (cả người")).unwrap();
    let first = everyone.split(')').nth(1).and_then(|rest| rest.split_whitespace().next());
    assert_eq!(first, Some(assigned.to_string().as_str()), "the assigned count of everyone:\n{pane}");
    // Enter on "Giao" lists them.
    tmux.keys(&["Enter"]);
    tmux.wait_for(&[&format!("Trang 1/1 · {assigned} người")]);
    tmux.keys(&["Escape"]);
    tmux.wait_for(&["Enter xem danh sách"]);
    tmux.keys(&["q"]);
    assert_eq!(tmux.wait_for_exit(), "0");
}

#[test]
fn ctrl_c_quits_and_a_small_terminal_works() {
    let (dir, url) = seeded();
    let Some(tmux) = Tmux::start(dir.path(), &url, 80, 24) else { return };
    tmux.wait_for(&["1 Tổng quan", "Tài khoản 12 hoạt động"]);
    tmux.keys(&["3"]);
    tmux.wait_for(&["Trang 1/1 · 12 tài khoản"]);
    tmux.keys(&["/"]);
    tmux.type_text("nguyen");
    tmux.wait_for(&["Nguyễn Thị Lan", "1 tài khoản khớp"]);
    tmux.keys(&["C-c"]);
    assert_eq!(tmux.wait_for_exit(), "0");
}
