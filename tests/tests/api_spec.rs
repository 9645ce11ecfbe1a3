//! End-to-end: every operation of the JSON API, called on the real server, answers as its own OpenAPI
//! spec (`/api/openapi.json`) says: each status is one the operation declares, and each JSON body is
//! valid against the schema declared for it (JSON Schema draft 4, which OpenAPI 3.0's schemas follow; a
//! `null` where the spec says `integer` is an error, as schemathesis finds it, unless the schema says
//! `nullable: true`, which is read as draft 4's `"type": [..., "null"]`).
//! The test fails if the spec gains an operation this test does not call.

use std::collections::BTreeSet;
use std::io::Write;
use std::process::{Command, Stdio};

use daotao_tests::{Server, binary, bundled_courses, copy_dir};
use reqwest::Method;
use serde_json::{Value, json};

const COURSE: &str = "an-toan-thong-tin-co-ban";
const PASSWORD: &str = "Mật khẩu đủ dài 2026";

/// The spec, and the operations (`METHOD /path/{template}`) called so far.
struct Spec {
    document: Value,
    called: BTreeSet<String>,
}

impl Spec {
    /// Calls `method` on `path` (an instance of `template`, under `/api/v1`) and checks the answer
    /// against the spec; returns the status and the JSON body (`Null` when there is none).
    fn call(
        &mut self,
        server: &Server,
        method: Method,
        template: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let operation = format!("{method} {template}");
        let spec = self.document["paths"][template][method.as_str().to_lowercase()].clone();
        assert!(spec.is_object(), "the spec has no operation `{operation}`");
        self.called.insert(operation.clone());

        let mut request = server.http.request(method, server.url(&format!("/api/v1{path}")));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().unwrap();
        let status = response.status().as_u16();
        let text = response.text().unwrap();

        let declared = &spec["responses"];
        let answer =
            declared.get(status.to_string()).or_else(|| declared.get("default")).unwrap_or_else(|| {
                panic!("`{operation}` answered {status}, which its spec does not declare: {text}")
            });
        let schema =
            answer["content"].as_object().and_then(|c| c.values().next()).map(|c| c["schema"].clone());
        let body = match schema {
            None => {
                assert!(text.is_empty(), "`{operation}` {status} declares no body but sent: {text}");
                Value::Null
            }
            Some(schema) => {
                let body: Value = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("`{operation}` {status} sent no JSON ({e}): {text}"));
                self.check(&operation, status, &schema, &body);
                body
            }
        };
        (status, body)
    }

    /// Validates `body` against `schema`, whose `$ref`s point into the spec's components.
    fn check(&self, operation: &str, status: u16, schema: &Value, body: &Value) {
        let mut root = json!({ "allOf": [schema], "components": self.document["components"] });
        nullable_as_draft4(&mut root);
        let validator = jsonschema::draft4::new(&root).expect("the spec's schemas compile");
        let problems: Vec<String> =
            validator.iter_errors(body).map(|e| format!("  at `{}`: {e}", e.instance_path())).collect();
        assert!(
            problems.is_empty(),
            "`{operation}` {status}: the body does not match the spec:\n{}\nbody: {body:#}",
            problems.join("\n")
        );
    }

    /// Every operation of the spec, as `METHOD /path`.
    fn operations(&self) -> BTreeSet<String> {
        let paths = self.document["paths"].as_object().unwrap();
        paths
            .iter()
            .flat_map(|(path, ops)| {
                ops.as_object().unwrap().keys().map(move |method| format!("{} {path}", method.to_uppercase()))
            })
            .collect()
    }
}

/// OpenAPI 3.0's `nullable: true` beside a `type` says what draft 4 writes as a list of types with `null`.
fn nullable_as_draft4(schema: &mut Value) {
    match schema {
        Value::Object(fields) => {
            if fields.get("nullable") == Some(&Value::Bool(true))
                && let Some(Value::String(ty)) = fields.get("type")
            {
                let types = json!([ty, "null"]);
                fields.insert("type".into(), types);
            }
            fields.values_mut().for_each(nullable_as_draft4);
        }
        Value::Array(items) => items.iter_mut().for_each(nullable_as_draft4),
        _ => {}
    }
}

/// A server on the bundled courses, with the demo province and one learner whose password is known.
fn server() -> (tempfile::TempDir, Server) {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&bundled_courses(), &dir.path().join("courses"));
    let url = format!("sqlite://{}/data/daotao.sqlite", dir.path().display());
    let admin = |args: &[&str], stdin: &str| {
        let mut child = Command::new(binary("daotao-admin"))
            .args(args)
            .current_dir(dir.path())
            .env_remove("DAOTAO_CONFIG")
            .env("DAOTAO_DATABASE_URL", &url)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        assert!(child.wait().unwrap().success(), "daotao-admin {args:?}");
    };
    admin(&["demo"], "");
    admin(
        &["users", "add", "kiem.thu", "--name", "Kiểm Thử", "--unit", "TINH", "--password-stdin"],
        PASSWORD,
    );
    admin(
        &[
            "users",
            "add",
            "quan.tri.thu",
            "--name",
            "Quản Trị Thử",
            "--unit",
            "TINH",
            "--role",
            "admin",
            "--password-stdin",
        ],
        PASSWORD,
    );
    let server = Server::start(dir.path(), &[("DAOTAO_DATABASE_URL", &url)]);
    (dir, server)
}

#[test]
fn every_operation_answers_as_the_spec_says() {
    let (_dir, server) = server();
    let (status, document) = server.get("/api/openapi.json");
    assert_eq!(status, 200);
    let mut spec = Spec { document: serde_json::from_str(&document).unwrap(), called: BTreeSet::new() };
    let s = &server;
    use Method as M;

    // Anonymous reading, and what is not there.
    spec.call(s, M::GET, "/courses", "/courses", None, None);
    let (_, course) = spec.call(s, M::GET, "/courses/{course}", &format!("/courses/{COURSE}"), None, None);
    assert_eq!(spec.call(s, M::GET, "/courses/{course}", "/courses/khong-co", None, None).0, 404);
    let lesson = course["lessons"][0]["id"].as_str().unwrap().to_string();
    let quiz = course["quizzes"][0]["id"].as_str().unwrap().to_string();
    let lesson_path = format!("/courses/{COURSE}/lessons/{lesson}");
    spec.call(s, M::GET, "/courses/{course}/lessons/{lesson}", &lesson_path, None, None);
    spec.call(s, M::GET, "/search", "/search?q=chinh%20quyen%20so", None, None);
    assert_eq!(spec.call(s, M::GET, "/me", "/me", None, None).0, 401);

    // Logging in: refused, then accepted.
    let wrong = json!({ "username": "kiem.thu", "password": "sai mật khẩu" });
    assert_eq!(spec.call(s, M::POST, "/session", "/session", None, Some(wrong)).0, 401);
    let login = json!({ "username": "kiem.thu", "password": PASSWORD });
    let (status, session) = spec.call(s, M::POST, "/session", "/session", None, Some(login));
    assert_eq!(status, 201);
    let token = Some(session["token"].as_str().unwrap().to_string());
    let token = token.as_deref();

    // A learner's course: enrol (then again), read, with and without progress.
    let enrol = format!("/courses/{COURSE}/enrollment");
    assert_eq!(spec.call(s, M::POST, "/courses/{course}/enrollment", &enrol, token, None).0, 201);
    assert_eq!(spec.call(s, M::POST, "/courses/{course}/enrollment", &enrol, token, None).0, 200);
    let progress = format!("{lesson_path}/progress");
    let template = "/courses/{course}/lessons/{lesson}/progress";
    assert_eq!(spec.call(s, M::PUT, template, &progress, token, None).0, 204);
    spec.call(s, M::GET, "/courses/{course}", &format!("/courses/{COURSE}"), token, None);
    spec.call(s, M::GET, "/courses/{course}/lessons/{lesson}", &lesson_path, token, None);

    // An attempt: started (then resumed), read, answered, submitted, read again; someone else's is not there.
    let start = format!("/courses/{COURSE}/quizzes/{quiz}/attempts");
    let template = "/courses/{course}/quizzes/{quiz}/attempts";
    let (status, attempt) = spec.call(s, M::POST, template, &start, token, None);
    assert_eq!(status, 201);
    assert_eq!(spec.call(s, M::POST, template, &start, token, None).0, 200);
    let id = attempt["id"].as_i64().unwrap();
    spec.call(s, M::GET, "/attempts/{id}", &format!("/attempts/{id}"), token, None);
    assert_eq!(spec.call(s, M::GET, "/attempts/{id}", "/attempts/987654", token, None).0, 404);
    let first = &attempt["questions"][0];
    let answer = match first["options"].as_array().and_then(|o| o.first()) {
        Some(option) => json!([option["id"]]),
        None => json!("một câu trả lời"),
    };
    let answers = json!({ first["id"].as_str().unwrap(): answer });
    let (status, _) = spec.call(
        s,
        M::PUT,
        "/attempts/{id}/answers",
        &format!("/attempts/{id}/answers"),
        token,
        Some(answers),
    );
    assert_eq!(status, 200);
    let (status, _) =
        spec.call(s, M::POST, "/attempts/{id}/submit", &format!("/attempts/{id}/submit"), token, None);
    assert_eq!(status, 200);
    spec.call(s, M::GET, "/attempts/{id}", &format!("/attempts/{id}"), token, None);
    let late = json!({ first["id"].as_str().unwrap(): answer });
    let (status, _) =
        spec.call(s, M::PUT, "/attempts/{id}/answers", &format!("/attempts/{id}/answers"), token, Some(late));
    assert_eq!(status, 409, "answers after submitting are refused");

    spec.call(s, M::GET, "/me", "/me", token, None);
    spec.call(s, M::GET, "/search", &format!("/search?q=mat%20khau&course={COURSE}"), token, None);

    // The quiz's statistics: not for a learner; for an admin, with the one attempt just submitted (a
    // standard deviation of one attempt is `null`), and a filter that names no unit.
    let template = "/courses/{course}/quizzes/{quiz}/statistics";
    let statistics = format!("/courses/{COURSE}/quizzes/{quiz}/statistics");
    assert_eq!(spec.call(s, M::GET, template, &statistics, token, None).0, 403);
    let login = json!({ "username": "quan.tri.thu", "password": PASSWORD });
    let (_, admin_session) = spec.call(s, M::POST, "/session", "/session", None, Some(login));
    let admin_token = admin_session["token"].as_str().map(str::to_string);
    let (status, figures) = spec.call(s, M::GET, template, &statistics, admin_token.as_deref(), None);
    assert_eq!(status, 200);
    assert_eq!(
        (figures["summary"]["attempts"].clone(), figures["summary"]["sd"].clone()),
        (json!(1), Value::Null)
    );
    let unknown = format!("{statistics}?attempts=all&unit=KHONG-CO");
    assert_eq!(spec.call(s, M::GET, template, &unknown, admin_token.as_deref(), None).0, 422);
    assert_eq!(spec.call(s, M::DELETE, "/session", "/session", admin_token.as_deref(), None).0, 204);
    assert_eq!(spec.call(s, M::DELETE, "/session", "/session", token, None).0, 204);
    assert_eq!(spec.call(s, M::GET, "/me", "/me", token, None).0, 401, "the token ended with the session");

    let missed: Vec<String> = spec.operations().difference(&spec.called).cloned().collect();
    assert!(missed.is_empty(), "operations of the spec this test does not call: {missed:?}");
}
