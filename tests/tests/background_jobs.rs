//! Several servers on one PostgreSQL database run the same background jobs (#21): the deadline closer and the
//! programmes pass with its mail sender run on every server, and together they do each piece of work once.
//! Two real servers start at the same moment on a database where reminders are due to hundreds of people
//! and dozens of attempts are past their deadline, so that their first passes race; a real SMTP server
//! (aiosmtpd) counts what arrives. Needs PostgreSQL and aiosmtpd (`tests/README.md`).

use std::collections::HashMap;
use std::sync::Barrier;

use chrono::{DateTime, Utc};
use daotao_content::quiz::Kind;
use daotao_content::quiz::grade::{Answer, Answers, grade_all};
use daotao_core::assessment::attempts;
use daotao_core::entities::{quiz_attempt, quiz_attempt_item, user};
use daotao_tests::admin_cli::Admin;
use daotao_tests::smtp::SmtpServer;
use daotao_tests::{Server, copy_dir, free_port, fresh_postgres_database};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

const TOKEN: &str = "metrics-token-cua-bai-kiem-tra";
const FROM: &str = "Đào tạo số <daotao@tinhmau.example>";
const COURSE: &str = "an-toan-thong-tin-co-ban";
const QUIZ: &str = "cuoi-khoa";
/// People the programme assigns (each is due the reminder of a new programme today), and of them, how many
/// have an attempt past its deadline: more messages than one server's senders claim at once (32 workers
/// of 10), and enough attempts that both servers' first passes are still closing them when the other starts.
const PEOPLE: usize = 1000;
const OVERDUE: usize = 120;

fn person(i: usize) -> String {
    format!("cv{i:04}")
}

/// The demo province, `PEOPLE` more people with addresses in one commune, and a programme for that commune
/// assigned today (by `daotao-admin`, as a training officer would): its reminders are due, not yet queued.
fn province(url: &str) -> Admin {
    let mut admin = Admin::new();
    admin.use_database(url);
    admin.run(&["demo"]).ok();
    let mut csv = String::from("username,full_name,email,unit_code,position,role\n");
    for i in 0..PEOPLE {
        let who = person(i);
        csv.push_str(&format!(
            "{who},Chuyên viên số {i},{who}@tinhmau.example,X-TANLAP,Chuyên viên,learner\n"
        ));
    }
    let file = admin.file("people.csv", &csv);
    admin.run(&["users", "import", file.to_str().unwrap()]).ok();
    admin.file(
        "courses/programmes.toml",
        &format!(
            "[[programme]]\nid = \"attt-tan-lap\"\ntitle = \"Bồi dưỡng an toàn thông tin hằng năm\"\n\
             courses = [\"{COURSE}\"]\nunits = [\"X-TANLAP\"]\ndue_days = 60\nvalid_months = 12\nrenew_days = 30\n"
        ),
    );
    admin.run(&["programmes", "assign"]).ok();
    admin
}

/// The first `OVERDUE` people start the course's final quiz and save answers (a different option for each,
/// so the grades differ), then their attempts are moved an hour back: their time ran out 40 minutes ago.
/// Returns each attempt's id, deadline and the score its saved answers earn.
async fn overdue_attempts(admin: &Admin) -> HashMap<i64, (DateTime<Utc>, f64)> {
    let db = daotao_core::platform::db::connect(&admin.url).await.unwrap();
    let library = daotao_content::course::load_library(&admin.dir.path().join("courses"));
    let course = &library.courses[COURSE];
    let quiz = course.quizzes.iter().find(|q| q.id == QUIZ).unwrap();
    let now = Utc::now();
    let mut expected = HashMap::new();
    for i in 0..OVERDUE {
        let user = user::Entity::find()
            .filter(user::Column::Username.eq(person(i)))
            .one(&db)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{} was imported", person(i)));
        let (attempt, new) = attempts::start(&db, &library, &user, course, quiz, now).await.unwrap();
        assert!(new);
        let answers: Answers = attempt
            .questions
            .iter()
            .enumerate()
            .filter_map(|(q, question)| match &question.kind {
                Kind::Single { options } | Kind::Multiple { options, .. } => Some((
                    question.id.clone(),
                    Answer::Options(vec![options[(i + q) % options.len()].id.clone()]),
                )),
                _ => None,
            })
            .collect();
        let saved =
            attempts::save_answers(&db, &library, user.id, attempt.row.id, answers, now).await.unwrap();
        let (_, score) = grade_all(&saved.questions, &saved.answers);
        let deadline = attempt.row.deadline.expect("the quiz has a time limit") - chrono::Duration::hours(1);
        expected.insert(attempt.row.id, (deadline, score.score));
    }
    let ids: Vec<String> = expected.keys().map(i64::to_string).collect();
    db.execute_unprepared(&format!(
        "UPDATE quiz_attempts SET started_at = started_at - INTERVAL '1 hour', \
         deadline = deadline - INTERVAL '1 hour' WHERE id IN ({})",
        ids.join(",")
    ))
    .await
    .unwrap();
    db.close().await.unwrap();
    expected
}

/// Two servers on `admin`'s database, each on its own copy of its courses, started at the same moment.
fn two_servers_at_once(admin: &Admin, smtp: &SmtpServer) -> (Vec<Server>, Vec<tempfile::TempDir>) {
    let smtp_url = smtp.url();
    let env = [
        ("DAOTAO_DATABASE_URL", admin.url.as_str()),
        ("DAOTAO_SMTP_URL", smtp_url.as_str()),
        ("DAOTAO_MAIL_FROM", FROM),
        ("DAOTAO_PUBLIC_URL", "https://daotao.tinhmau.example"),
        ("DAOTAO_PROGRAMMES_EVERY_MINUTES", "60"),
        ("DAOTAO_METRICS_TOKEN", TOKEN),
        // The end of each pass of the two jobs, to know when both servers' first passes are over.
        ("DAOTAO_LOG", "info,daotao_server::attempt_closer=debug,daotao_server::programme_jobs=debug"),
    ];
    let dirs = vec![tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let first = free_port();
    let ports = [first, std::iter::repeat_with(free_port).find(|p| *p != first).unwrap()];
    for dir in &dirs {
        copy_dir(&admin.dir.path().join("courses"), &dir.path().join("courses"));
    }
    let go = Barrier::new(dirs.len());
    let servers = std::thread::scope(|s| {
        let starting: Vec<_> = dirs
            .iter()
            .zip(ports)
            .map(|(dir, port)| {
                let (go, env) = (&go, &env);
                s.spawn(move || {
                    go.wait();
                    Server::start_on(port, dir.path(), env)
                })
            })
            .collect();
        starting.into_iter().map(|h| h.join().unwrap()).collect()
    });
    (servers, dirs)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_deadline_closer_and_the_mail_sender_of_two_servers_do_each_piece_of_work_once() {
    let Some(smtp) = SmtpServer::start().await else { return };
    let Some(url) = fresh_postgres_database().await else { return };
    let admin = tokio::task::block_in_place(|| province(&url));
    let overdue = overdue_attempts(&admin).await;
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM mail_outbox"), 0, "nothing queued before the servers");

    let (servers, _dirs) = tokio::task::block_in_place(|| two_servers_at_once(&admin, &smtp));
    tokio::task::block_in_place(|| {
        for server in &servers {
            server.wait_for("the first deadline pass", |s| s.log().contains("deadline pass done"));
            server.wait_for("the first programmes pass", |s| {
                let log = s.log();
                log.contains("programmes pass done") || log.contains("programmes pass:")
            });
        }
    });
    let logs: Vec<String> = servers.iter().map(Server::log).collect();
    for log in &logs {
        assert!(!log.contains("programmes pass:"), "a programmes pass failed:\n{log}");
    }

    // Every reminder queued once, sent once, arrived once.
    let queued = admin.scalar("SELECT COUNT(*) FROM mail_outbox") as usize;
    assert!(queued >= PEOPLE, "{queued} reminders queued for {PEOPLE} people and the commune's own");
    let received = smtp.wait_for(queued).await;
    let mut count: HashMap<(String, String), usize> = HashMap::new();
    for m in &received {
        let to = m.rcpt_tos.join(",");
        *count.entry((to, m.subject.clone())).or_default() += 1;
    }
    let twice: Vec<_> = count.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent twice: {twice:#?}");
    assert_eq!(received.len(), queued, "each message queued arrived once");
    assert_eq!(count.len(), queued);
    for i in 0..PEOPLE {
        let to = format!("{}@tinhmau.example", person(i));
        assert_eq!(count.keys().filter(|(t, _)| *t == to).count(), 1, "{to} got the new programme's letter");
    }
    assert_eq!(admin.scalar("SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL"), 0);
    assert_eq!(
        admin.scalar("SELECT COUNT(*) FROM mail_outbox WHERE attempts > 0 OR failed_at IS NOT NULL"),
        0
    );

    check_the_closed_attempts(&url, &overdue).await;
    tokio::task::block_in_place(|| check_the_counters(&servers, queued));
}

/// The two servers' counters add up to exactly the work, each piece counted by the server that did it; the
/// database pool as each server sees it.
fn check_the_counters(servers: &[Server], queued: usize) {
    let per_server = |series: &str| servers.iter().map(|s| s.metric(TOKEN, series)).collect::<Vec<f64>>();
    let sent = per_server("daotao_mail_total{state=\"sent\"}");
    let queued_by = per_server("daotao_mail_total{state=\"queued\"}");
    let closed = per_server("daotao_quiz_attempts_closed_by_server_total");
    println!(
        "{queued} reminders and {OVERDUE} overdue attempts; queued by each server {queued_by:?}, sent {sent:?}, \
         attempts closed {closed:?}"
    );
    assert_eq!(sent.iter().sum::<f64>(), queued as f64, "sent: {sent:?}");
    assert_eq!(queued_by.iter().sum::<f64>(), queued as f64, "queued: {queued_by:?}");
    assert_eq!(per_server("daotao_mail_total{state=\"failed\"}").iter().sum::<f64>(), 0.0);
    assert_eq!(closed.iter().sum::<f64>(), OVERDUE as f64, "closed: {closed:?}");

    // PostgreSQL's pool of 20, some of it open.
    for server in servers {
        let in_use = server.metric(TOKEN, "daotao_db_pool_connections{state=\"in_use\"}");
        let idle = server.metric(TOKEN, "daotao_db_pool_connections{state=\"idle\"}");
        let max = server.metric(TOKEN, "daotao_db_pool_max_connections");
        assert_eq!(max, 20.0, "{}", server.base_url);
        assert!(in_use >= 0.0 && idle >= 0.0, "{in_use} in use, {idle} idle");
        assert!(
            in_use + idle >= 1.0,
            "the server has worked: its pool holds a connection ({in_use} + {idle})"
        );
        assert!(in_use + idle <= max, "{in_use} in use + {idle} idle of {max}");
    }
}

/// Each overdue attempt closed once: submitted at its deadline by the server, graded on the answers saved,
/// one item record; nothing else graded.
async fn check_the_closed_attempts(url: &str, overdue: &HashMap<i64, (DateTime<Utc>, f64)>) {
    let db = sea_orm::Database::connect(url).await.unwrap();
    let rows = quiz_attempt::Entity::find().all(&db).await.unwrap();
    let items = quiz_attempt_item::Entity::find().all(&db).await.unwrap();
    db.close().await.unwrap();
    assert_eq!(rows.len(), OVERDUE);
    assert_eq!(items.len(), OVERDUE, "one item record per attempt graded");
    for row in rows {
        let (deadline, score) = overdue[&row.id];
        assert!(row.closed_by_server, "{row:?}");
        assert_eq!(row.submitted_at, Some(deadline), "closed at its deadline: {row:?}");
        assert_eq!(row.score, Some(score), "graded on the answers saved: {row:?}");
        assert!(row.marks.is_some() && row.percent.is_some() && row.passed.is_some(), "{row:?}");
        assert_eq!(items.iter().filter(|i| i.attempt_id == row.id).count(), 1, "{row:?}");
    }
}
