//! Several servers on one PostgreSQL database behind a real nginx, round robin (#21): one site to a learner,
//! whichever server each request reaches; and an exam rush that goes on when one of them is killed with
//! SIGKILL, losing nothing it acknowledged. Needs PostgreSQL and nginx (`tests/README.md`); without either
//! the test says it was skipped.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use daotao_core::entities::user::Role;
use daotao_core::entities::{enrollment, quiz_attempt, quiz_attempt_item, user};
use daotao_core::people::accounts::{NewUser, add_user};
use daotao_tests::api::{call, client, send};
use daotao_tests::{
    PATIENCE, Server, bundled_courses, copy_dir, free_port, fresh_postgres_database, outside,
};
use sea_orm::EntityTrait;
use serde_json::{Value, json};

const PASSWORD: &str = "mat-khau-du-dai-2026";
const TOKEN: &str = "metrics-token-cua-bai-kiem-tra";
const COURSE: &str = "an-toan-thong-tin-co-ban";
const QUIZ: &str = "cuoi-khoa";
const LEARNERS: usize = 6;

/// nginx in front of `backends`, round robin (nginx's default), as `docs/operations.md` configures it; killed
/// when dropped.
struct Nginx {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Nginx {
    fn start(dir: &Path, backends: &[u16]) -> Option<Nginx> {
        let Some(binary) = nginx_binary() else {
            outside::NGINX.missing("no `nginx` in PATH nor /usr/sbin");
            return None;
        };
        let port = free_port();
        let servers: String = backends.iter().map(|p| format!("    server 127.0.0.1:{p};\n")).collect();
        let d = dir.display();
        let conf = format!(
            "daemon off;\nuser root;\npid {d}/nginx.pid;\nerror_log {d}/error.log info;\nworker_processes 1;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n  access_log {d}/access.log;\n\
             client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n\
             upstream daotao {{\n{servers}    keepalive 16;\n  }}\n\
             server {{\n    listen 127.0.0.1:{port};\n    location / {{\n\
             proxy_pass http://daotao;\n      proxy_http_version 1.1;\n      proxy_set_header Connection \"\";\n\
             proxy_set_header Host $host;\n      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n\
             proxy_set_header X-Forwarded-Proto $scheme;\n    }}\n  }}\n}}\n"
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let child = Command::new(binary)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let nginx = Nginx { child, port, dir: dir.to_path_buf() };
        let started = Instant::now();
        let answers = |url: &str| reqwest::blocking::get(url).is_ok_and(|r| r.status().is_success());
        while !answers(&nginx.url("/healthz")) {
            assert!(started.elapsed() < PATIENCE, "nginx does not answer:\n{}", nginx.log());
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(nginx)
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("error.log")).unwrap_or_default()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nginx_binary() -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain([PathBuf::from("/usr/sbin")])
        .map(|dir| dir.join("nginx"))
        .find(|candidate| candidate.is_file())
}

/// Two servers on the database `url`, each on its own copy of the bundled courses (as on two machines), and
/// nginx in front of them (`None` when nginx is missing: the test is skipped).
struct Site {
    servers: Vec<Server>,
    nginx: Option<Nginx>,
    _dirs: Vec<tempfile::TempDir>,
}

impl Site {
    fn start(url: &str, env: &[(&str, &str)]) -> Site {
        let mut all = vec![
            ("DAOTAO_DATABASE_URL", url),
            ("DAOTAO_TRUSTED_PROXIES", "127.0.0.1"),
            ("DAOTAO_METRICS_TOKEN", TOKEN),
        ];
        all.extend_from_slice(env);
        let dirs =
            vec![tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
        let first = free_port();
        let ports = [first, std::iter::repeat_with(free_port).find(|p| *p != first).unwrap()];
        let servers = dirs
            .iter()
            .zip(ports)
            .map(|(dir, port)| {
                copy_dir(&bundled_courses(), &dir.path().join("courses"));
                Server::start_on(port, dir.path(), &all)
            })
            .collect();
        let nginx = Nginx::start(dirs[2].path(), &ports);
        Site { servers, nginx, _dirs: dirs }
    }
}

/// The first option of every choice question of a started attempt, as answers to save.
fn first_options(attempt: &Value) -> serde_json::Map<String, Value> {
    let answers: serde_json::Map<String, Value> = attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|q| Some((q["id"].as_str()?.to_string(), json!([q["options"].get(0)?["id"].as_str()?]))))
        .collect();
    assert!(!answers.is_empty(), "{attempt}");
    answers
}

fn learner(n: usize) -> String {
    format!("hoc.vien{n}")
}

#[test]
fn an_exam_through_nginx_over_two_servers_is_one_site_and_the_login_limit_counts_on_both() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(url) = rt.block_on(fresh_postgres_database()) else { return };
    rt.block_on(async {
        let db = daotao_core::platform::db::connect(&url).await.unwrap();
        for n in 0..LEARNERS {
            let new = NewUser {
                username: learner(n),
                full_name: format!("Học viên {n}"),
                email: None,
                unit_code: None,
                position: "Chuyên viên".into(),
                role: Role::Learner,
                password: Some(PASSWORD.into()),
            };
            add_user(&db, new).await.unwrap();
        }
    });
    let site = Site::start(&url, &[("DAOTAO_IP_FAILURE_LIMIT", "3")]);
    let Some(nginx) = &site.nginx else { return };
    let servers = &site.servers;

    // Every learner logs in, enrols, starts, saves, reads back and submits, each request wherever nginx sends it.
    for n in 0..LEARNERS {
        let (status, session) = call(
            reqwest::Method::POST,
            &nginx.url("/api/v1/session"),
            None,
            Some(json!({"username": learner(n), "password": PASSWORD})),
        );
        assert_eq!(status, 201, "{session}");
        let token = session["token"].as_str().unwrap().to_string();
        let enrol = nginx.url(&format!("/api/v1/courses/{COURSE}/enrollment"));
        assert_eq!(call(reqwest::Method::POST, &enrol, Some(&token), None).0, 201);
        let start = nginx.url(&format!("/api/v1/courses/{COURSE}/quizzes/{QUIZ}/attempts"));
        let (status, attempt) = call(reqwest::Method::POST, &start, Some(&token), None);
        assert_eq!(status, 201, "{attempt}");
        let id = attempt["id"].as_i64().unwrap();
        // The first option of every choice question: what was saved on one server is read on the other.
        let answers = first_options(&attempt);
        let save = nginx.url(&format!("/api/v1/attempts/{id}/answers"));
        let (status, saved) =
            call(reqwest::Method::PUT, &save, Some(&token), Some(Value::Object(answers.clone())));
        assert_eq!(status, 200, "{saved}");
        for _ in 0..2 {
            let (status, read) =
                call(reqwest::Method::GET, &nginx.url(&format!("/api/v1/attempts/{id}")), Some(&token), None);
            assert_eq!(status, 200, "{read}");
            assert_eq!(
                read["answers"],
                Value::Object(answers.clone()),
                "both servers read the saved answers"
            );
        }
        let submit = nginx.url(&format!("/api/v1/attempts/{id}/submit"));
        let (status, graded) = call(reqwest::Method::POST, &submit, Some(&token), None);
        assert_eq!(status, 200, "{graded}");
        assert!(graded["percent"].is_number() && graded["submitted_at"].is_string(), "{graded}");
        // Submitting again, on the other server, returns the same result and grades nothing again.
        let (status, again) = call(reqwest::Method::POST, &submit, Some(&token), None);
        assert_eq!((status, &again), (200, &graded));
    }

    // Failed logins from one address, alternately on each server, are counted together: the fourth is refused.
    let session = nginx.url("/api/v1/session");
    let statuses: Vec<u16> = (0..4)
        .map(|_| {
            let wrong = json!({"username": learner(0), "password": "sai-mat-khau"});
            call(reqwest::Method::POST, &session, None, Some(wrong)).0
        })
        .collect();
    assert_eq!(statuses, [401, 401, 401, 429]);

    // Both servers served: each started, graded and refused some of it; together, once per learner.
    let total = |series: &str| servers.iter().map(|s| s.metric(TOKEN, series)).sum::<f64>();
    for server in servers {
        assert!(
            server.metric(TOKEN, "daotao_http_requests_total") > 0.0,
            "a server got nothing:\n{}",
            server.log()
        );
        assert!(server.metric(TOKEN, "daotao_logins_total{outcome=\"failed\"}") >= 1.0, "{}", server.log());
    }
    assert_eq!(total("daotao_quiz_attempts_started_total"), LEARNERS as f64);
    assert_eq!(total("daotao_quiz_attempts_submitted_total"), LEARNERS as f64, "each attempt graded once");
    assert_eq!(total("daotao_logins_total{outcome=\"throttled\"}"), 1.0);
    assert_eq!(total("daotao_logins_total{outcome=\"succeeded\"}"), LEARNERS as f64);
    // Two servers started together on one database run the same start-up and background work: none of it
    // may fail because the other runs it too (the programmes pass did, on the unique key, until each pass
    // waited for the other's).
    for server in servers {
        let log = server.log();
        assert!(!log.lines().any(|l| l.contains(" ERROR ")), "a server logged an error:\n{log}");
    }
}

/// Learners in the rush, clients sending at once, and acknowledged submits after which one server is killed.
const RUSH: usize = 40;
const RUSH_CLIENTS: usize = 10;
const KILL_AFTER: usize = 12;

fn candidate(n: usize) -> String {
    format!("thi.sinh{n:02}")
}

/// `RUSH` learners with one known password (one argon2 hash shared by all, to keep the set-up short).
async fn seed_candidates(url: &str) {
    let db = daotao_core::platform::db::connect(url).await.unwrap();
    let hash = daotao_core::people::auth::password::hash(PASSWORD);
    let now = Utc::now();
    let rows = (0..RUSH).map(|n| {
        daotao_core::people::accounts::AccountRow {
            username: candidate(n),
            full_name: format!("Thí sinh {n}"),
            email: None,
            unit_id: None,
            position: "Chuyên viên".into(),
            role: Role::Learner,
            must_change_password: false,
        }
        .into_active_model(hash.clone(), now)
    });
    user::Entity::insert_many(rows).exec_without_returning(&db).await.unwrap();
    db.close().await.unwrap();
}

/// What a learner was told when their submit answered 200.
#[derive(Debug, Clone, PartialEq)]
struct Ack {
    attempt: i64,
    submitted_at: DateTime<Utc>,
    score: f64,
    percent: f64,
    passed: bool,
}

impl Ack {
    fn of(body: &Value) -> Ack {
        let at = body["submitted_at"].as_str().unwrap_or_else(|| panic!("no submitted_at in {body}"));
        Ack {
            attempt: body["id"].as_i64().unwrap_or_else(|| panic!("no id in {body}")),
            submitted_at: DateTime::parse_from_rfc3339(at).unwrap().with_timezone(&Utc),
            score: body["score"].as_f64().unwrap_or_else(|| panic!("no score in {body}")),
            percent: body["percent"].as_f64().unwrap_or_else(|| panic!("no percent in {body}")),
            passed: body["passed"].as_bool().unwrap_or_else(|| panic!("no passed in {body}")),
        }
    }
}

/// One learner's exam as they saw it: their session, and the result they were told.
#[derive(Debug)]
struct Finished {
    token: String,
    ack: Ack,
    /// The kill had been ordered when the result came.
    after_kill: bool,
}

/// The rush as its clients see it, shared by their threads.
struct Rush {
    base: String,
    killed: AtomicBool,
    finished: Mutex<HashMap<usize, Finished>>,
    /// Requests sent again, by step and by what came back instead of an answer (no answer, or nginx's 502).
    failures: Mutex<BTreeMap<String, usize>>,
    acknowledged: mpsc::Sender<()>,
}

impl Rush {
    /// Sends one step until it is answered with one of `ok`. After the kill, no answer (the server died while
    /// answering) and nginx's 502, 503 or 504 are sent again, as a learner presses the button again; before
    /// it, or any other answer, fails the test.
    #[allow(clippy::too_many_arguments)]
    fn step(
        &self,
        http: &reqwest::blocking::Client,
        name: &str,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        ok: &[u16],
    ) -> Value {
        let url = format!("{}{path}", self.base);
        let started = Instant::now();
        loop {
            let failure = match send(http, method.clone(), &url, token, body) {
                Ok((status, answer)) if ok.contains(&status) => return answer,
                Ok((status @ (502..=504), answer)) => format!("{status} {}", answer.as_str().unwrap_or("")),
                Ok((status, answer)) => panic!("{name} {path} answered {status}: {answer}"),
                Err(e) => format!("no answer ({})", if e.is_timeout() { "timeout" } else { "connection" }),
            };
            assert!(self.killed.load(Ordering::SeqCst), "{name} {path} failed before the kill: {failure}");
            let status = failure.split_whitespace().next().unwrap_or_default().to_string();
            *self.failures.lock().unwrap().entry(format!("{name}: {status}")).or_default() += 1;
            assert!(started.elapsed() < PATIENCE, "{name} {path} kept failing: {failure}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Learner `n` logs in, enrols, starts, saves answers and submits through nginx.
    fn sit_the_exam(&self, n: usize) {
        use reqwest::Method;
        let http = client();
        let login = json!({"username": candidate(n), "password": PASSWORD});
        let session = self.step(&http, "login", Method::POST, "/api/v1/session", None, Some(&login), &[201]);
        let token = session["token"].as_str().unwrap().to_string();
        let bearer = Some(token.as_str());
        let enrol = format!("/api/v1/courses/{COURSE}/enrollment");
        self.step(&http, "enrol", Method::POST, &enrol, bearer, None, &[200, 201]);
        let start = format!("/api/v1/courses/{COURSE}/quizzes/{QUIZ}/attempts");
        let attempt = self.step(&http, "start", Method::POST, &start, bearer, None, &[200, 201]);
        let id = attempt["id"].as_i64().unwrap();
        let answers = Value::Object(first_options(&attempt));
        let save = format!("/api/v1/attempts/{id}/answers");
        self.step(&http, "save", Method::PUT, &save, bearer, Some(&answers), &[200]);
        let submit = format!("/api/v1/attempts/{id}/submit");
        let graded = self.step(&http, "submit", Method::POST, &submit, bearer, None, &[200]);
        let after_kill = self.killed.load(Ordering::SeqCst);
        let ack = Ack::of(&graded);
        assert_eq!(ack.attempt, id, "{graded}");
        self.finished.lock().unwrap().insert(n, Finished { token, ack, after_kill });
        let _ = self.acknowledged.send(());
    }
}

/// What the killed server had done, read from its `/metrics` just before the kill, and when it was dead.
#[derive(Debug)]
struct Victim {
    logins: f64,
    started: f64,
    submitted: f64,
    /// Taken once the process had ended: whatever was graded after it was graded by the other server.
    dead_at: DateTime<Utc>,
}

fn kill_mid_rush(rush: &Rush, victim: &mut Server) -> Victim {
    let logins = victim.metric(TOKEN, "daotao_logins_total{outcome=\"succeeded\"}");
    let started = victim.metric(TOKEN, "daotao_quiz_attempts_started_total");
    let submitted = victim.metric(TOKEN, "daotao_quiz_attempts_submitted_total");
    rush.killed.store(true, Ordering::SeqCst);
    assert_eq!(victim.kill_hard(), Some(9), "the server was ended by SIGKILL");
    Victim { logins, started, submitted, dead_at: Utc::now() }
}

#[test]
fn an_exam_rush_goes_on_when_one_server_is_killed_and_every_acknowledged_submit_is_kept() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let Some(url) = rt.block_on(fresh_postgres_database()) else { return };
    rt.block_on(seed_candidates(&url));
    let mut site = Site::start(&url, &[]);
    let Some(nginx) = site.nginx.take() else { return };
    let victim_address = site.servers[0].base_url.trim_start_matches("http://").to_string();
    let (acknowledged, acks) = mpsc::channel();
    let rush = Rush {
        base: nginx.url(""),
        killed: AtomicBool::new(false),
        finished: Mutex::default(),
        failures: Mutex::default(),
        acknowledged,
    };

    // RUSH_CLIENTS clients take the learners one after another; once KILL_AFTER submits are acknowledged,
    // the first server is killed with SIGKILL, and the rush goes on through nginx.
    let next = AtomicUsize::new(0);
    let victim = std::thread::scope(|s| {
        for _ in 0..RUSH_CLIENTS {
            s.spawn(|| {
                loop {
                    let n = next.fetch_add(1, Ordering::SeqCst);
                    if n >= RUSH {
                        break;
                    }
                    rush.sit_the_exam(n);
                }
            });
        }
        for k in 0..KILL_AFTER {
            acks.recv_timeout(PATIENCE).unwrap_or_else(|e| panic!("only {k} submits acknowledged: {e}"));
        }
        kill_mid_rush(&rush, &mut site.servers[0])
    });
    let finished = rush.finished.into_inner().unwrap();
    let failures = rush.failures.into_inner().unwrap();
    let before = finished.values().filter(|f| !f.after_kill).count();
    println!(
        "rush of {RUSH} learners by {RUSH_CLIENTS} clients through nginx, SIGKILL after {KILL_AFTER} \
         acknowledged submits: {before} acknowledged before the kill, {} after; requests sent again: \
         {failures:?}; the killed server had logged in {}, started {} and graded {} before",
        finished.len() - before,
        victim.logins,
        victim.started,
        victim.submitted
    );
    assert_eq!(finished.len(), RUSH, "every learner finished");
    assert!(before >= KILL_AFTER, "{before} acknowledged before the kill");
    assert!(before < RUSH, "every learner had finished before the kill landed: the test proved nothing");
    assert!(
        victim.logins >= 1.0 && victim.submitted >= 1.0,
        "the killed server had served learners before the kill: {victim:?}"
    );
    let log = nginx.log();
    assert!(
        log.lines().any(|l| l.contains("upstream") && l.contains(&victim_address)),
        "nginx found the killed server gone:\n{log}"
    );

    let graded_after_kill = rt.block_on(check_the_database(&url, &finished, victim.dead_at));
    let survivor = &site.servers[1];
    let survivor_submitted = survivor.metric(TOKEN, "daotao_quiz_attempts_submitted_total");
    assert!(
        survivor_submitted >= graded_after_kill as f64,
        "{graded_after_kill} attempts were graded after the kill, by the other server: it counted {survivor_submitted}"
    );
    assert!(
        survivor_submitted + victim.submitted <= RUSH as f64,
        "no attempt graded twice: {survivor_submitted} + {} graded",
        victim.submitted
    );
    let started = survivor.metric(TOKEN, "daotao_quiz_attempts_started_total");
    assert!(
        started + victim.started <= RUSH as f64,
        "one attempt each: {started} + {} started",
        victim.started
    );

    // Submitting again, through nginx, returns what each learner was told, and grades nothing again.
    for (n, f) in &finished {
        let submit = nginx.url(&format!("/api/v1/attempts/{}/submit", f.ack.attempt));
        let (status, again) = call(reqwest::Method::POST, &submit, Some(&f.token), None);
        assert_eq!(status, 200, "{}: {again}", candidate(*n));
        assert_eq!(Ack::of(&again), f.ack, "{}", candidate(*n));
    }
    assert_eq!(survivor.metric(TOKEN, "daotao_quiz_attempts_submitted_total"), survivor_submitted);
}

/// The database after the rush: one whole, submitted attempt per learner, stored as acknowledged, with its
/// one item record and one enrolment. Returns how many attempts were graded after `dead_at`.
async fn check_the_database(url: &str, finished: &HashMap<usize, Finished>, dead_at: DateTime<Utc>) -> usize {
    let db = sea_orm::Database::connect(url).await.unwrap();
    let users: HashMap<String, i64> =
        user::Entity::find().all(&db).await.unwrap().into_iter().map(|u| (u.username, u.id)).collect();
    let attempts = quiz_attempt::Entity::find().all(&db).await.unwrap();
    let items = quiz_attempt_item::Entity::find().all(&db).await.unwrap();
    let enrolments = enrollment::Entity::find().all(&db).await.unwrap();
    db.close().await.unwrap();
    assert_eq!(attempts.len(), RUSH, "one attempt per learner, none lost, none added");
    assert_eq!(items.len(), RUSH, "one item record per graded attempt");
    assert_eq!(enrolments.len(), RUSH, "one enrolment per learner");
    let mut graded_after_kill = 0;
    for (n, f) in finished {
        let who = candidate(*n);
        let user_id = users[&who];
        let mine: Vec<_> = attempts.iter().filter(|a| a.user_id == user_id).collect();
        assert_eq!(mine.len(), 1, "{who} has one attempt: {mine:?}");
        let row = mine[0];
        assert_eq!(row.id, f.ack.attempt, "{who}");
        assert!(!row.closed_by_server, "{who}: {row:?}");
        assert!(row.marks.is_some(), "{who}'s attempt is whole: {row:?}");
        let stored = Ack {
            attempt: row.id,
            submitted_at: row.submitted_at.unwrap_or_else(|| panic!("{who}'s attempt is not submitted")),
            score: row.score.unwrap_or_else(|| panic!("{who}'s attempt has no score")),
            percent: row.percent.unwrap_or_else(|| panic!("{who}'s attempt has no percent")),
            passed: row.passed.unwrap_or_else(|| panic!("{who}'s attempt has no pass or fail")),
        };
        assert_eq!(stored, f.ack, "{who} was told what is stored");
        let record: Vec<_> = items.iter().filter(|i| i.attempt_id == row.id).collect();
        assert_eq!(record.len(), 1, "{who}");
        assert_eq!((record[0].user_id, record[0].submitted_at), (user_id, stored.submitted_at), "{who}");
        assert_eq!(enrolments.iter().filter(|e| e.user_id == user_id && e.course_id == COURSE).count(), 1);
        if stored.submitted_at > dead_at {
            graded_after_kill += 1;
        }
    }
    graded_after_kill
}
