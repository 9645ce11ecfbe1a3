//! End-to-end (#21): what an operator watches, on the real `daotao-server` binary. `/metrics` counts what
//! happened and passes the real `promtool check metrics`, and is served only where configured; the JSON log
//! has one parseable line per request and no secret; `/readyz` says 503 within two seconds when PostgreSQL
//! hangs (behind a TCP relay the test freezes) while `/healthz` stays 200; and a server whose course files
//! differ from another's says so in `/readyz` and in its log.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use daotao_core::entities::user::Role;
use daotao_core::people::accounts::{NewUser, add_user};
use daotao_tests::api::{call, get};
use daotao_tests::outside::{self, PROMTOOL};
use daotao_tests::{Server, bundled_courses, copy_dir, free_port};
use serde_json::{Value, json};

const COURSE: &str = "an-toan-thong-tin-co-ban";
const QUIZ: &str = "cuoi-khoa";
const LESSON: &str = "/courses/an-toan-thong-tin-co-ban/mat-khau-va-xac-thuc";
const LESSON_FILE: &str = "courses/an-toan-thong-tin-co-ban/01-mat-khau-va-xac-thuc.md";
const PASSWORD: &str = "Mat-khau-dung-2026!";
const TOKEN: &str = "ma-bi-mat-cua-prometheus-0123456789";

fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&bundled_courses(), &dir.path().join("courses"));
    dir
}

/// An account with a known password in the database at `url` (migrated first, as the server would); its id.
fn create_user(url: &str, username: &str) -> i64 {
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = daotao_core::platform::db::connect(url).await.unwrap();
        let new = NewUser {
            username: username.into(),
            full_name: format!("Nguyễn Văn {username}"),
            email: None,
            unit_code: None,
            position: "Chuyên viên".into(),
            role: Role::Learner,
            password: Some(PASSWORD.into()),
        };
        add_user(&db, new).await.unwrap().0.id
    })
}

/// Every sample of a Prometheus text body: `name{labels}` as written, to its value.
fn samples(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (series, value) = l.rsplit_once(' ').unwrap_or_else(|| panic!("not a sample line: {l}"));
            (series.to_string(), value.parse().unwrap_or_else(|_| panic!("not a number: {l}")))
        })
        .collect()
}

/// How much `series` grew between two scrapes (a series not there yet counts as 0).
fn grew(before: &HashMap<String, f64>, after: &HashMap<String, f64>, series: &str) -> f64 {
    after.get(series).copied().unwrap_or(0.0) - before.get(series).copied().unwrap_or(0.0)
}

/// Runs the real `promtool check metrics` on `text`; false (after reporting the skip) when it is missing.
fn promtool_accepts(text: &str) -> bool {
    if !outside::runs("promtool", "--version") {
        PROMTOOL.missing("`promtool` not found on PATH");
        return false;
    }
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "promtool check metrics refused the body:\n{}{}\n--- body ---\n{text}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    true
}

#[test]
fn metrics_count_logins_pages_and_attempts_and_promtool_accepts_them_and_the_json_log_is_clean() {
    let dir = scratch();
    let url = format!("sqlite://{}/db.sqlite", dir.path().display());
    let user_id = create_user(&url, "lan.nguyen");
    let server = Server::start(
        dir.path(),
        &[
            ("DAOTAO_DATABASE_URL", &url),
            ("DAOTAO_METRICS_TOKEN", TOKEN),
            ("DAOTAO_LOG_FORMAT", "json"),
            // Two failures from one address, then 429: the third failed login is throttled.
            ("DAOTAO_IP_FAILURE_LIMIT", "2"),
        ],
    );
    let metrics = server.url("/metrics");
    assert_eq!(get(&metrics, None).0, 401, "no token");
    assert_eq!(get(&metrics, Some("ma-sai")).0, 401, "a wrong token");
    let (status, text) = get(&metrics, Some(TOKEN));
    assert_eq!(status, 200, "{text}");
    let before = samples(&text);

    // A login that succeeds, two that fail, one throttled; a page; an attempt started and submitted twice.
    let session = server.url("/api/v1/session");
    let (status, body) = call(
        reqwest::Method::POST,
        &session,
        None,
        Some(json!({"username": "lan.nguyen", "password": PASSWORD})),
    );
    assert_eq!(status, 201, "{body}");
    let session_token = body["token"].as_str().unwrap().to_string();
    for expected in [401, 401, 429] {
        let wrong = json!({"username": "lan.nguyen", "password": "sai-mat-khau"});
        assert_eq!(call(reqwest::Method::POST, &session, None, Some(wrong)).0, expected);
    }
    assert_eq!(server.get(LESSON).0, 200);
    let enrol = server.url(&format!("/api/v1/courses/{COURSE}/enrollment"));
    assert_eq!(call(reqwest::Method::POST, &enrol, Some(&session_token), None).0, 201);
    let start = server.url(&format!("/api/v1/courses/{COURSE}/quizzes/{QUIZ}/attempts"));
    let (status, attempt) = call(reqwest::Method::POST, &start, Some(&session_token), None);
    assert_eq!(status, 201, "{attempt}");
    let submit = server.url(&format!("/api/v1/attempts/{}/submit", attempt["id"]));
    for _ in 0..2 {
        let (status, body) = call(reqwest::Method::POST, &submit, Some(&session_token), None);
        assert_eq!(status, 200, "{body}");
    }

    server.wait_for("the search index", |s| s.get("/readyz").0 == 200);
    let (status, text) = get(&metrics, Some(TOKEN));
    assert_eq!(status, 200, "{text}");
    let after = samples(&text);
    let moved = |series: &str| grew(&before, &after, series);
    assert_eq!(moved("daotao_logins_total{outcome=\"succeeded\"}"), 1.0, "{text}");
    assert_eq!(moved("daotao_logins_total{outcome=\"failed\"}"), 2.0, "{text}");
    assert_eq!(moved("daotao_logins_total{outcome=\"throttled\"}"), 1.0, "{text}");
    assert_eq!(moved("daotao_quiz_attempts_started_total"), 1.0, "{text}");
    assert_eq!(moved("daotao_quiz_attempts_submitted_total"), 1.0, "submitting again grades nothing: {text}");
    let lesson = "{method=\"GET\",route=\"/courses/:course/:lesson\",status=\"200\"}";
    assert_eq!(moved(&format!("daotao_http_requests_total{lesson}")), 1.0, "{text}");
    assert!(
        moved("daotao_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"}") >= 1.0,
        "{text}"
    );
    assert_eq!(moved(&format!("daotao_http_request_duration_seconds_count{lesson}")), 1.0, "{text}");
    let inf = "{method=\"GET\",route=\"/courses/:course/:lesson\",status=\"200\",le=\"+Inf\"}";
    assert_eq!(moved(&format!("daotao_http_request_duration_seconds_bucket{inf}")), 1.0, "{text}");
    let login_route = |status: u16| {
        format!("daotao_http_requests_total{{method=\"POST\",route=\"/api/v1/session\",status=\"{status}\"}}")
    };
    assert_eq!(moved(&login_route(201)), 1.0, "{text}");
    assert_eq!(moved(&login_route(401)), 2.0, "{text}");
    assert_eq!(moved(&login_route(429)), 1.0, "{text}");
    assert!(
        !text.contains("mat-khau-va-xac-thuc"),
        "routes are templates, never raw paths (bounded cardinality): {text}"
    );
    assert!(after["daotao_search_index_documents"] > 0.0, "{text}");
    assert_eq!(after["daotao_search_index_ready"], 1.0, "{text}");
    assert!(after["daotao_db_pool_max_connections"] >= 1.0, "{text}");
    assert!(after.contains_key("daotao_db_pool_connections{state=\"in_use\"}"), "{text}");
    assert_eq!(after["daotao_mail_outbox_messages{state=\"queued\"}"], 0.0, "{text}");
    assert_eq!(after["daotao_library_differing_servers"], 0.0, "{text}");
    promtool_accepts(&text);

    // The log: every line JSON; one line per request with its id, route, status, latency and user id.
    let log = server.log();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let requests: Vec<&Value> = lines.iter().filter(|l| l["message"] == "request").collect();
    let logins: Vec<&&Value> = requests.iter().filter(|l| l["route"] == "/api/v1/session").collect();
    let statuses: Vec<u64> = logins.iter().map(|l| l["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [201, 401, 401, 429], "{log}");
    for line in &requests {
        assert!(line["request_id"].as_str().is_some_and(|id| id.len() == 16), "{line}");
        assert!(line["latency_ms"].as_f64().is_some_and(|ms| ms >= 0.0), "{line}");
        assert!(line["method"].is_string() && line["timestamp"].is_string(), "{line}");
    }
    let ids: std::collections::HashSet<&str> =
        requests.iter().map(|l| l["request_id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), requests.len(), "one id per request");
    let throttled =
        lines.iter().find(|l| l["message"] == "API login throttled").expect("the throttle's warning");
    let throttled_request = logins.iter().find(|l| l["status"] == 429).unwrap();
    assert_eq!(throttled["span"]["request_id"], throttled_request["request_id"], "{throttled}");
    let enrolled = requests
        .iter()
        .find(|l| l["route"] == "/api/v1/courses/:param0/enrollment")
        .unwrap_or_else(|| panic!("no enrolment line: {log}"));
    assert_eq!(enrolled["user_id"], user_id, "{enrolled}");
    assert_eq!(enrolled["status"], 201, "{enrolled}");
    for secret in [PASSWORD, "sai-mat-khau", session_token.as_str(), TOKEN] {
        assert!(!log.contains(secret), "the log must never hold a password or a token: {secret}\n{log}");
    }
}

#[test]
fn metrics_are_served_only_where_configured() {
    // Neither setting: not served at all (the site's 404).
    let dir = scratch();
    let server = Server::start(dir.path(), &[]);
    assert_eq!(get(&server.url("/metrics"), None).0, 404);
    assert_eq!(get(&server.url("/metrics"), Some(TOKEN)).0, 404);
    drop(server);

    // A second listener alone: served there without a token, never on the main address.
    let port = free_port();
    let bind = format!("127.0.0.1:{port}");
    let server = Server::start(dir.path(), &[("DAOTAO_METRICS_BIND", &bind)]);
    let (status, text) = get(&format!("http://{bind}/metrics"), None);
    assert_eq!(status, 200, "{text}");
    assert!(text.contains("# TYPE daotao_http_requests_total counter"), "{text}");
    assert_eq!(
        get(&format!("http://{bind}/healthz"), None).0,
        404,
        "the second listener serves metrics only"
    );
    assert_eq!(get(&server.url("/metrics"), None).0, 404);
    drop(server);

    // Both: the second listener asks for the token; the main address still does not serve it.
    let server =
        Server::start(dir.path(), &[("DAOTAO_METRICS_BIND", &bind), ("DAOTAO_METRICS_TOKEN", TOKEN)]);
    assert_eq!(get(&format!("http://{bind}/metrics"), None).0, 401);
    assert_eq!(get(&format!("http://{bind}/metrics"), Some("ma-sai")).0, 401);
    assert_eq!(get(&format!("http://{bind}/metrics"), Some(TOKEN)).0, 200);
    assert_eq!(get(&server.url("/metrics"), Some(TOKEN)).0, 404);
}

/// A TCP relay between the server and PostgreSQL that the test can freeze: frozen, it keeps every
/// connection open and accepts new ones but passes no byte either way, as a database host that hangs does.
struct Relay {
    port: u16,
    frozen: Arc<AtomicBool>,
}

impl Relay {
    fn start(target: (String, u16)) -> Relay {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let frozen = Arc::new(AtomicBool::new(false));
        let flag = frozen.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                let Ok(upstream) = TcpStream::connect((target.0.as_str(), target.1)) else { continue };
                for (from, to) in
                    [(client.try_clone().unwrap(), upstream.try_clone().unwrap()), (upstream, client)]
                {
                    let flag = flag.clone();
                    std::thread::spawn(move || pump(from, to, &flag));
                }
            }
        });
        Relay { port, frozen }
    }

    fn freeze(&self, frozen: bool) {
        self.frozen.store(frozen, Ordering::SeqCst);
    }
}

/// Copies `from` to `to`, holding each chunk while the relay is frozen.
fn pump(mut from: TcpStream, mut to: TcpStream, frozen: &AtomicBool) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        while frozen.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        while frozen.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(20));
        }
        if to.write_all(&buf[..n]).is_err() {
            break;
        }
    }
    let _ = to.shutdown(std::net::Shutdown::Write);
}

/// The host and port a PostgreSQL URL names.
fn target_of(url: &str) -> (String, u16) {
    let parsed = reqwest::Url::parse(url).unwrap();
    (parsed.host_str().unwrap_or("127.0.0.1").to_string(), parsed.port().unwrap_or(5432))
}

/// The same database URL through 127.0.0.1:`port`.
fn via(url: &str, port: u16) -> String {
    let mut relayed = reqwest::Url::parse(url).unwrap();
    relayed.set_host(Some("127.0.0.1")).unwrap();
    relayed.set_port(Some(port)).unwrap();
    relayed.to_string()
}

fn readyz(server: &Server) -> (u16, Value, Duration) {
    let started = Instant::now();
    let (status, body) = get(&server.url("/readyz"), None);
    (
        status,
        serde_json::from_str(&body).unwrap_or_else(|_| panic!("/readyz is not JSON: {body}")),
        started.elapsed(),
    )
}

#[test]
fn readyz_says_503_within_two_seconds_when_postgres_hangs_while_healthz_stays_200() {
    let Some(url) = tokio::runtime::Runtime::new().unwrap().block_on(daotao_tests::fresh_postgres_database())
    else {
        return;
    };
    let dir = scratch();
    let relay = Relay::start(target_of(&url));
    let relayed = via(&url, relay.port);
    let server = Server::start(dir.path(), &[("DAOTAO_DATABASE_URL", &relayed)]);
    server.wait_for("/readyz to say ready", |s| readyz(s).0 == 200);
    let (_, body, _) = readyz(&server);
    assert_eq!(body["database"], true, "{body}");

    relay.freeze(true);
    let (status, body, took) = readyz(&server);
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["ready"], false, "{body}");
    assert_eq!(body["not_ready"], json!(["database: no answer within 2 s"]), "{body}");
    // The check's own bound, not the pool's 30 s: far from a performance limit, it tells the two apart.
    assert!(took < Duration::from_secs(10), "/readyz took {took:?} with the database hanging");
    eprintln!("/readyz answered 503 in {took:?} with PostgreSQL hanging");
    let started = Instant::now();
    let (status, body) = get(&server.url("/healthz"), None);
    assert_eq!(status, 200, "the process lives: {body}");
    assert!(started.elapsed() < Duration::from_secs(1), "/healthz never waits for the database");

    relay.freeze(false);
    let waited = server.wait_for("/readyz to be ready again", |s| readyz(s).0 == 200);
    eprintln!("ready again {waited:?} after the database came back");
}

/// Starts a server on `url` over the course folder of `dir`.
fn start_on(dir: &Path, url: &str) -> Server {
    Server::start(dir, &[("DAOTAO_DATABASE_URL", url)])
}

#[test]
fn a_server_whose_course_files_differ_says_so_in_readyz_and_its_log() {
    let Some(url) = tokio::runtime::Runtime::new().unwrap().block_on(daotao_tests::fresh_postgres_database())
    else {
        return;
    };
    let (first_dir, same_dir, other_dir) = (scratch(), scratch(), scratch());
    let edited = other_dir.path().join(LESSON_FILE);
    let mut content = std::fs::read_to_string(&edited).unwrap();
    content.push_str("\nMột đoạn chỉ có ở bản sao này.\n");
    std::fs::write(&edited, content).unwrap();

    // Ready, and its files hashed and compared (the first round runs beside the start-up).
    let compared = |s: &Server| {
        let (status, body, _) = readyz(s);
        status == 200 && body["library_fingerprint"].as_str().is_some_and(|f| !f.is_empty())
    };
    let first = start_on(first_dir.path(), &url);
    first.wait_for("/readyz to say ready with the fingerprint", compared);
    // The same files in another folder: the same library.
    let same = start_on(same_dir.path(), &url);
    same.wait_for("/readyz to say ready with the fingerprint", compared);
    let (status, body, _) = readyz(&same);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["warnings"], json!([]), "{body}");
    let fingerprint = body["library_fingerprint"].as_str().unwrap().to_string();
    assert_eq!(fingerprint.len(), 64, "{body}");
    assert_eq!(readyz(&first).1["library_fingerprint"], fingerprint.as_str());

    // One lesson differs: the server says so, naming both others, and still serves (a warning).
    let other = start_on(other_dir.path(), &url);
    other.wait_for("/readyz to say ready with the fingerprint", compared);
    let (status, body, _) = readyz(&other);
    assert_eq!(status, 200, "a difference is a warning, not a reason to stop serving: {body}");
    assert_ne!(body["library_fingerprint"], fingerprint.as_str(), "{body}");
    let differs: Vec<&str> = body["library_differs_from"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["server"].as_str().unwrap())
        .collect();
    assert_eq!(differs.len(), 2, "{body}");
    for server in [&first, &same] {
        let address = server.base_url.trim_start_matches("http://");
        assert!(differs.iter().any(|d| d.contains(address)), "{address} not in {body}");
    }
    let warnings = body["warnings"].to_string();
    assert!(warnings.contains("the course files differ from those of"), "{body}");
    other.wait_for("the warning in the log", |s| {
        s.log().lines().any(|l| l.contains("WARN") && l.contains("differ from other servers'"))
    });
    let log = other.log();
    for server in [&first, &same] {
        let address = server.base_url.trim_start_matches("http://");
        let warning = log.lines().find(|l| l.contains("differ from other servers'")).unwrap();
        assert!(warning.contains(address), "the warning names {address}: {warning}");
    }
    // The first server sees the newcomer too.
    let (_, body, _) = readyz(&first);
    let differs = body["library_differs_from"].to_string();
    assert!(differs.contains(other.base_url.trim_start_matches("http://")), "{body}");
    assert!(!differs.contains(same.base_url.trim_start_matches("http://")), "{body}");
}

#[test]
fn the_server_counts_the_attempts_it_closes_past_their_deadline() {
    let dir = scratch();
    let url = format!("sqlite://{}/db.sqlite", dir.path().display());
    let user_id = create_user(&url, "binh.tran");
    // An attempt of the 20-minute quiz started an hour ago, before the server starts: its first pass of the
    // deadline closer (at start-up) finds it past its deadline.
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let db = daotao_core::platform::db::connect(&url).await.unwrap();
        let library = daotao_content::course::load_library(&dir.path().join("courses"));
        daotao_core::learning::catalog::sync_library(&db, &library).await.unwrap();
        daotao_core::learning::enrollment::enroll_users(&db, COURSE, &[user_id], None, None).await.unwrap();
        let course = library.courses.get(COURSE).unwrap();
        let quiz = course.quizzes.iter().find(|q| q.id == QUIZ).unwrap();
        let an_hour_ago = chrono::Utc::now() - chrono::Duration::hours(1);
        let learner = {
            use sea_orm::EntityTrait;
            daotao_core::entities::user::Entity::find_by_id(user_id).one(&db).await.unwrap().unwrap()
        };
        let (_, created) =
            daotao_core::assessment::attempts::start(&db, &library, &learner, course, quiz, an_hour_ago)
                .await
                .unwrap();
        assert!(created);
    });
    let server = Server::start(dir.path(), &[("DAOTAO_DATABASE_URL", &url), ("DAOTAO_METRICS_TOKEN", TOKEN)]);
    let closed = |s: &Server| {
        let (_, text) = get(&s.url("/metrics"), Some(TOKEN));
        samples(&text).get("daotao_quiz_attempts_closed_by_server_total").copied()
    };
    server.wait_for("the closer's first pass", |s| {
        s.log().contains("closed quiz attempts past their deadline")
    });
    let (_, text) = get(&server.url("/metrics"), Some(TOKEN));
    assert_eq!(closed(&server), Some(1.0), "{text}");
    assert_eq!(
        samples(&text)["daotao_quiz_attempts_submitted_total"],
        0.0,
        "the learner submitted nothing: {text}"
    );
}
