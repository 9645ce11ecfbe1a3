//! Several servers on one PostgreSQL database behind a real nginx, round robin (#21): one site to a learner,
//! whichever server each request reaches. Needs PostgreSQL and nginx (`tests/README.md`); without either the
//! test says it was skipped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use daotao_core::entities::user::Role;
use daotao_core::people::accounts::{NewUser, add_user};
use daotao_tests::api::{call, get};
use daotao_tests::{
    PATIENCE, Server, bundled_courses, copy_dir, free_port, fresh_postgres_database, outside,
};
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

/// The sum of the samples of one series in a server's `/metrics` (scraped from that server, not through nginx).
fn metric(server: &Server, series: &str) -> f64 {
    let (status, text) = get(&server.url("/metrics"), Some(TOKEN));
    assert_eq!(status, 200, "{text}");
    text.lines()
        .filter(|line| line.starts_with(series))
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
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
    // Each server reads its own copy of the courses, as on two machines.
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let env = [
        ("DAOTAO_DATABASE_URL", url.as_str()),
        ("DAOTAO_TRUSTED_PROXIES", "127.0.0.1"),
        ("DAOTAO_IP_FAILURE_LIMIT", "3"),
        ("DAOTAO_METRICS_TOKEN", TOKEN),
    ];
    let first = free_port();
    let ports = [first, std::iter::repeat_with(free_port).find(|p| *p != first).unwrap()];
    let servers: Vec<Server> = dirs
        .iter()
        .zip(ports)
        .map(|(dir, port)| {
            copy_dir(&bundled_courses(), &dir.path().join("courses"));
            Server::start_on(port, dir.path(), &env)
        })
        .collect();
    let nginx_dir = tempfile::tempdir().unwrap();
    let Some(nginx) = Nginx::start(nginx_dir.path(), &ports) else { return };

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
        let answers: serde_json::Map<String, Value> = attempt["questions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|q| {
                Some((q["id"].as_str()?.to_string(), json!([q["options"].get(0)?["id"].as_str()?])))
            })
            .collect();
        assert!(!answers.is_empty(), "{attempt}");
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
    let total = |series: &str| servers.iter().map(|s| metric(s, series)).sum::<f64>();
    for server in &servers {
        assert!(
            metric(server, "daotao_http_requests_total") > 0.0,
            "a server got nothing:\n{}",
            server.log()
        );
        assert!(metric(server, "daotao_logins_total{outcome=\"failed\"}") >= 1.0, "{}", server.log());
    }
    assert_eq!(total("daotao_quiz_attempts_started_total"), LEARNERS as f64);
    assert_eq!(total("daotao_quiz_attempts_submitted_total"), LEARNERS as f64, "each attempt graded once");
    assert_eq!(total("daotao_logins_total{outcome=\"throttled\"}"), 1.0);
    assert_eq!(total("daotao_logins_total{outcome=\"succeeded\"}"), LEARNERS as f64);
}
