//! End-to-end: reminders by e-mail (#18), from the real `daotao-admin` to a real SMTP server (aiosmtpd, started
//! by the tests), the days played forward with `--as-of`.

use std::collections::HashMap;

use daotao_tests::admin_cli::Admin;
use daotao_tests::smtp::{Received, SmtpServer};

const PROGRAMMES: &str = r#"
[[programme]]
id = "attt-cntt"
title = "An toàn thông tin cho cán bộ công nghệ thông tin"
courses = ["an-toan-thong-tin-cntt"]
units = ["SO-KHCN"]
positions = ["cong nghe thong tin", "An toàn thông tin"]
due_days = 60
valid_months = 12
renew_days = 30
"#;

const FROM: &str = "Đào tạo số <daotao@tinhmau.example>";

/// The demo province with the programme above, mail going to `smtp`.
fn province(smtp: &SmtpServer) -> Admin {
    let mut admin = Admin::new();
    admin.run(&["demo"]).ok();
    admin.file("courses/programmes.toml", PROGRAMMES);
    admin.set_env("DAOTAO_SMTP_URL", &smtp.url());
    admin.set_env("DAOTAO_MAIL_FROM", FROM);
    admin.set_env("DAOTAO_PUBLIC_URL", "https://daotao.tinhmau.example/");
    admin
}

fn to(message: &Received) -> &str {
    message.rcpt_tos.first().map(String::as_str).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn reminders_are_queued_once_and_sent_as_the_days_go_by() {
    let Some(smtp) = SmtpServer::start().await else { return };
    let admin = province(&smtp);
    admin.run(&["programmes", "assign", "--as-of", "2027-01-05"]).ok();

    let queued = admin.run(&["reminders", "queue", "--as-of", "2027-01-05"]).ok();
    assert!(queued.stdout.starts_with("assigned\t2\n"), "{queued:#?}");
    assert!(queued.stdout.contains("2 messages queued on 2027-01-05"), "{queued:#?}");
    let again = admin.run(&["reminders", "queue", "--as-of", "2027-01-05"]).ok();
    assert!(
        again.stdout.contains("0 messages queued"),
        "the same reminder is never queued twice: {again:#?}"
    );

    let sent = admin.run(&["mail", "send"]).ok();
    assert!(sent.stdout.contains("2 sent, 0 failed attempts; 0 waiting"), "{sent:#?}");
    let received = smtp.wait_for(2).await;
    let minh = received.iter().find(|m| to(m) == "minh.le@tinhmau.example").expect("minh.le's reminder");
    assert_eq!(minh.from, FROM);
    assert_eq!(minh.to, "Lê Quang Minh <minh.le@tinhmau.example>");
    assert_eq!(
        minh.subject,
        "Chương trình bồi dưỡng mới: An toàn thông tin cho cán bộ công nghệ thông tin, hạn hoàn thành 06/03/2027"
    );
    let text = minh.text.as_deref().unwrap();
    assert!(
        text.starts_with("Kính gửi Lê Quang Minh,\n\nAnh/Chị được giao chương trình bồi dưỡng"),
        "{text}"
    );
    assert!(text.contains("trước hết ngày 06/03/2027"), "{text}");
    assert!(
        text.contains("- An toàn thông tin cho cán bộ chuyên trách CNTT: https://daotao.tinhmau.example/courses/an-toan-thong-tin-cntt\n"),
        "{text}"
    );
    let html = minh.html.as_deref().unwrap();
    assert!(
        html.contains("<a href=\"https://daotao.tinhmau.example/courses/an-toan-thong-tin-cntt\">"),
        "{html}"
    );
    assert!(!minh.message_id.is_empty());
    let nothing = admin.run(&["mail", "send"]).ok();
    assert!(nothing.stdout.contains("0 sent, 0 failed attempts; 0 waiting"), "sent once only: {nothing:#?}");

    // Six days before the due date, then overdue, then a week later again; not in between.
    let soon = admin.run(&["reminders", "queue", "--as-of", "2027-02-28"]).ok();
    assert!(soon.stdout.starts_with("due_soon\t2\n"), "{soon:#?}");
    let late = admin.run(&["reminders", "queue", "--as-of", "2027-03-07"]).ok();
    assert!(late.stdout.starts_with("overdue\t2\n"), "{late:#?}");
    let quiet = admin.run(&["reminders", "queue", "--as-of", "2027-03-13"]).ok();
    assert!(quiet.stdout.contains("0 messages queued"), "{quiet:#?}");
    // duc.hoang completes the course: the next week's reminder goes to minh.le only.
    admin.exec(
        "UPDATE enrollments SET completed_at = '2027-03-10T03:00:00+00:00' WHERE course_id = 'an-toan-thong-tin-cntt' \
         AND user_id = (SELECT id FROM users WHERE username = 'duc.hoang')",
    );
    admin.run(&["programmes", "assign", "--as-of", "2027-03-14"]).ok();
    let week = admin.run(&["reminders", "queue", "--as-of", "2027-03-14"]).ok();
    assert!(week.stdout.starts_with("overdue\t1\n"), "{week:#?}");
    admin.run(&["mail", "send"]).ok();
    let received = smtp.wait_for(7).await;
    let subjects: Vec<(&str, &str)> = received.iter().map(|m| (to(m), m.subject.as_str())).collect();
    let minh: Vec<&str> =
        subjects.iter().filter(|(t, _)| t.starts_with("minh.le")).map(|(_, s)| *s).collect();
    assert_eq!(minh.len(), 4, "{subjects:#?}");
    assert!(minh[1].starts_with("Sắp đến hạn: An toàn thông tin"), "{minh:#?}");
    assert!(minh[2].starts_with("Quá hạn: An toàn thông tin") && minh[3] == minh[2], "{minh:#?}");
    let last = received.iter().rev().find(|m| to(m).starts_with("minh.le")).unwrap();
    assert!(last.text.as_deref().unwrap().contains("đã quá hạn 8 ngày (hạn 06/03/2027)"), "{last:#?}");

    // The unit's contact gets the weekly digest of its overdue people (sub-units included), once a week.
    admin.run(&["units", "set-contact", "SO-KHCN", "thao.pham"]).ok();
    let unknown = admin.run(&["units", "set-contact", "SO-KHCN", "nobody"]).failed();
    assert!(unknown.stderr.contains("no active account `nobody`"), "{unknown:#?}");
    let digest = admin.run(&["reminders", "queue", "--as-of", "2027-03-15"]).ok();
    assert!(digest.stdout.starts_with("digest\t1\n"), "{digest:#?}");
    let same_week = admin.run(&["reminders", "queue", "--as-of", "2027-03-17"]).ok();
    assert!(same_week.stdout.contains("0 messages queued"), "{same_week:#?}");
    admin.run(&["mail", "send"]).ok();
    let received = smtp.wait_for(8).await;
    let digest = received.iter().find(|m| to(m).starts_with("thao.pham")).expect("the digest");
    assert_eq!(digest.subject, "Tổng hợp tuần: 1 người quá hạn bồi dưỡng tại Sở Khoa học và Công nghệ");
    let text = digest.text.as_deref().unwrap();
    assert!(
        text.contains("- Lê Quang Minh (minh.le), Trung tâm Chuyển đổi số: An toàn thông tin cho cán bộ công nghệ thông tin, hạn 06/03/2027, quá 9 ngày"),
        "{text}"
    );
    assert!(!text.contains("duc.hoang"), "{text}");
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL"), 0);
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'reminders.queue'"), 8);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_recipient_and_a_server_down_are_retried_and_nothing_is_lost() {
    let Some(mut smtp) = SmtpServer::start().await else { return };
    let admin = province(&smtp);
    admin.exec("UPDATE users SET email = 'refuse.duc@tinhmau.example' WHERE username = 'duc.hoang'");
    admin.run(&["programmes", "assign", "--as-of", "2027-01-05"]).ok();
    admin.run(&["reminders", "queue", "--as-of", "2027-01-05"]).ok();

    let refused = admin.run(&["mail", "send"]).failed();
    assert!(refused.stdout.contains("1 sent, 1 failed attempts; 1 waiting"), "{refused:#?}");
    assert!(refused.stderr.contains("550"), "the server's answer is shown: {refused:#?}");
    assert_eq!(smtp.wait_for(1).await.len(), 1);
    let error =
        admin.scalar("SELECT COUNT(*) FROM mail_outbox WHERE attempts = 1 AND last_error LIKE '%550%'");
    assert_eq!(error, 1, "the failure is kept for the admin");

    // The mail server goes down: the next reminders wait in the outbox, the command says why it failed.
    smtp.stop();
    admin.run(&["reminders", "queue", "--as-of", "2027-02-28"]).ok();
    let down = admin.run(&["mail", "send"]).failed();
    assert!(down.stdout.contains("0 sent") && down.stdout.contains("; 3 waiting"), "{down:#?}");
    assert!(down.stderr.contains("Connection refused"), "{down:#?}");
    // Nothing is lost: the messages tried wait for their back-off, the others for the next run.
    assert_eq!(
        admin.scalar("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL"),
        3
    );

    smtp.restart().await;
    let retried = admin.run(&["mail", "send", "--retry-now"]).failed();
    // minh.le's second reminder goes; duc.hoang's two are refused again and wait for their next attempt.
    assert!(retried.stdout.contains("1 sent, 2 failed attempts; 2 waiting"), "{retried:#?}");
    let received = smtp.wait_for(2).await;
    let mut count: HashMap<(String, String), u32> = HashMap::new();
    for m in &received {
        *count.entry((to(m).to_string(), m.subject.clone())).or_default() += 1;
    }
    assert!(count.values().all(|&n| n == 1), "nothing twice: {count:#?}");
    assert_eq!(count.len(), 2, "{count:#?}");
    let refused = "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND last_error LIKE '%550%'";
    assert_eq!(admin.scalar(refused), 2, "duc.hoang's two, refused again, kept with the server's answer");
}

#[test]
fn without_a_mail_server_nothing_is_queued_and_nothing_fails() {
    let admin = Admin::new();
    admin.run(&["demo"]).ok();
    admin.file("courses/programmes.toml", PROGRAMMES);
    admin.run(&["programmes", "assign", "--as-of", "2027-01-05"]).ok();
    let queue = admin.run(&["reminders", "queue", "--as-of", "2027-01-05"]).ok();
    assert!(queue.stdout.contains("no mail server configured"), "{queue:#?}");
    let send = admin.run(&["mail", "send"]).ok();
    assert!(send.stdout.contains("nothing sent"), "{send:#?}");
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM mail_outbox"), 0);
}

#[test]
fn a_mail_setting_that_cannot_work_stops_the_command_before_anything_is_done() {
    let mut admin = Admin::new();
    admin.set_env("DAOTAO_SMTP_URL", "smtp://user:s3cret-pw@127.0.0.1:2525");
    let run = admin.run(&["status"]).failed();
    assert!(run.stderr.contains("mail_from (DAOTAO_MAIL_FROM) is needed"), "{run:#?}");
    assert!(!run.stderr.contains("s3cret-pw") && !run.stdout.contains("s3cret-pw"), "{run:#?}");
    admin.set_env("DAOTAO_SMTP_URL", "imap://127.0.0.1");
    admin.set_env("DAOTAO_MAIL_FROM", FROM);
    let run = admin.run(&["status"]).failed();
    assert!(run.stderr.contains("`imap://` is not smtp://"), "{run:#?}");
}

/// `n` people with addresses, all matched by one programme for everyone: a queue long enough to be
/// interrupted.
fn crowd(smtp: &SmtpServer, n: usize, database: Option<&str>) -> Admin {
    let mut admin = Admin::new();
    if let Some(url) = database {
        admin.use_database(url);
    }
    admin.run(&["demo"]).ok();
    let mut csv = String::from("username,full_name,email,unit_code,position,role\n");
    for i in 0..n {
        csv.push_str(&format!(
            "cv{i:04},Chuyên viên số {i},cv{i:04}@tinhmau.example,X-TANLAP,Chuyên viên,learner\n"
        ));
    }
    let file = admin.file("people.csv", &csv);
    admin.run(&["users", "import", file.to_str().unwrap()]).ok();
    admin.file(
        "courses/programmes.toml",
        "[[programme]]\nid = \"attt-hang-nam\"\ntitle = \"Bồi dưỡng an toàn thông tin hằng năm\"\n\
         courses = [\"an-toan-thong-tin-co-ban\"]\ndue_days = 60\nvalid_months = 12\nrenew_days = 30\n",
    );
    admin.set_env("DAOTAO_SMTP_URL", &smtp.url());
    admin.set_env("DAOTAO_MAIL_FROM", FROM);
    admin.run(&["programmes", "assign", "--as-of", "2027-01-05"]).ok();
    admin.run(&["reminders", "queue", "--as-of", "2027-01-05"]).ok();
    admin
}

/// How many times each recipient got a message.
fn per_recipient(received: &[Received]) -> HashMap<String, u32> {
    let mut count = HashMap::new();
    for m in received {
        *count.entry(to(m).to_string()).or_default() += 1;
    }
    count
}

#[tokio::test(flavor = "multi_thread")]
async fn a_sender_killed_while_sending_loses_nothing_and_repeats_at_most_the_messages_in_flight() {
    let Some(smtp) = SmtpServer::start().await else { return };
    let admin = crowd(&smtp, 400, None);
    let queued = admin.scalar("SELECT COUNT(*) FROM mail_outbox") as usize;
    assert!(queued > 400, "{queued}");

    let mut sender = admin.command(&["mail", "send"]).stdout(std::process::Stdio::null()).spawn().unwrap();
    smtp.wait_for(queued / 4).await;
    sender.kill().unwrap(); // SIGKILL
    sender.wait().unwrap();
    let before = smtp.received().len();
    assert!(before < queued, "killed while sending: {before} of {queued} had arrived");

    // Restarted on the same machine: the dead sender's claims are given back at once.
    let rest = admin.run(&["mail", "send"]).ok();
    assert!(rest.stdout.contains("0 waiting, 0 given up"), "{rest:#?}");
    let received = smtp.wait_for(queued).await;
    let count = per_recipient(&received);
    assert_eq!(count.len(), queued, "every message queued arrived");
    let repeated: u32 = count.values().map(|n| n - 1).sum();
    // At most one message in flight per sending worker (thirty-two) when the process died.
    assert!(
        repeated <= 32,
        "{repeated} repeated: {:?}",
        count.iter().filter(|(_, n)| **n > 1).collect::<Vec<_>>()
    );
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL"), 0);
}

async fn two_senders_at_once(database: Option<&str>) {
    let Some(smtp) = SmtpServer::start().await else { return };
    let admin = crowd(&smtp, 300, database);
    let queued = admin.scalar("SELECT COUNT(*) FROM mail_outbox") as usize;
    let mut senders: Vec<_> = (0..2)
        .map(|_| admin.command(&["mail", "send"]).stdout(std::process::Stdio::piped()).spawn().unwrap())
        .collect();
    let outputs: Vec<String> = senders
        .drain(..)
        .map(|s| {
            let out = s.wait_with_output().unwrap();
            assert!(out.status.success(), "{out:?}");
            String::from_utf8(out.stdout).unwrap()
        })
        .collect();
    let received = smtp.wait_for(queued).await;
    let count = per_recipient(&received);
    assert_eq!(count.len(), queued);
    assert!(count.values().all(|&n| n == 1), "never twice: {outputs:#?}");
    assert_eq!(received.len(), queued, "{outputs:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn two_senders_on_one_sqlite_file_never_send_a_message_twice() {
    two_senders_at_once(None).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn two_senders_on_one_postgres_database_never_send_a_message_twice() {
    let Some(url) = daotao_tests::fresh_postgres_database().await else { return };
    two_senders_at_once(Some(&url)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_server_applies_the_programmes_and_sends_the_reminders_by_itself() {
    let Some(smtp) = SmtpServer::start().await else { return };
    let admin = Admin::new();
    admin.run(&["demo"]).ok();
    let env = [
        ("DAOTAO_DATABASE_URL", admin.url.as_str()),
        ("DAOTAO_SMTP_URL", &smtp.url()),
        ("DAOTAO_MAIL_FROM", FROM),
        ("DAOTAO_PUBLIC_URL", "https://daotao.tinhmau.example"),
        ("DAOTAO_PROGRAMMES_EVERY_MINUTES", "60"),
    ];
    // The bundled programmes: applied at start, each person told once.
    let server = tokio::task::block_in_place(|| daotao_tests::Server::start(admin.dir.path(), &env));
    let assigned = || admin.scalar("SELECT COUNT(*) FROM programme_assignments");
    tokio::task::block_in_place(|| server.wait_for("the first pass", |_| assigned() > 0));
    let people = admin.scalar("SELECT COUNT(DISTINCT user_id) FROM programme_assignments") as usize;
    let cycles = assigned() as usize;
    let received = smtp.wait_for(cycles).await;
    assert_eq!(per_recipient(&received).len(), people);
    assert!(received.iter().all(|m| m.subject.starts_with("Chương trình bồi dưỡng mới: ")), "{received:#?}");

    // A training officer adds a programme: the server applies it at once, not at the next hour.
    let programmes = admin.dir.path().join("courses/programmes.toml");
    let mut text = std::fs::read_to_string(&programmes).unwrap();
    text.push_str(
        "\n[[programme]]\nid = \"chinh-quyen-so-xa\"\ntitle = \"Chính quyền số cho cấp xã\"\n\
         courses = [\"chinh-quyen-so\"]\nunits = [\"X-TANLAP\"]\ndue_days = 30\nvalid_months = 0\n",
    );
    std::fs::write(&programmes, text).unwrap();
    let tan_lap = admin.scalar(
        "SELECT COUNT(*) FROM users u JOIN units n ON n.id = u.unit_id WHERE n.code = 'X-TANLAP' AND u.role = 'learner' AND u.active",
    ) as usize;
    assert!(tan_lap > 0);
    let received = smtp.wait_for(cycles + tan_lap).await;
    let new: Vec<&Received> =
        received.iter().filter(|m| m.subject.contains("Chính quyền số cho cấp xã")).collect();
    assert_eq!(new.len(), tan_lap, "{received:#?}");

    // A broken file is not applied (nobody is withdrawn), and the log says why.
    std::fs::write(&programmes, "[[programme]]\nid = \"x\"\ncourses = [\"khong-co\"]\ndue_days = 30\n")
        .unwrap();
    tokio::task::block_in_place(|| {
        server.wait_for("the refusal in the log", |s| {
            s.log().contains("programmes not applied until the programmes file is fixed")
        })
    });
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM programme_assignments WHERE withdrawn_on IS NOT NULL"), 0);
}
