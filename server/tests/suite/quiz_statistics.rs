//! The quiz statistics of #19 through the app: who may see them (the course's trainers and admins, as for
//! the learners page), the page's `<main>` after learners submitted, the same figures as JSON (an undefined
//! figure `null`), the filters of the query, and the link to a flagged question's file and line.

use daotao_core::entities::user::{self, Role};
use daotao_core::people::units::{self, NewUnit};
use daotao_core::platform::config::Config;
use poem::http::{Method, StatusCode, header};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};

use crate::helpers::*;

const COURSE: &str = "kiem-tra";
const PAGE: &str = "/courses/kiem-tra/quizzes/cuoi-khoa/statistics";
const SOURCE_URL: &str = "https://git.example.vn/daotao/courses/-/blob/main/courses";

/// The option ids of an attempt's question whose stem contains `stem`, for the options whose text is in
/// `texts`; and the question's id.
fn pick(attempt: &Value, stem: &str, texts: &[&str]) -> (String, Vec<String>) {
    let q = attempt["questions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|q| q["stem_html"].as_str().unwrap().contains(stem))
        .unwrap_or_else(|| panic!("no question {stem} in {attempt}"));
    let ids = q["options"]
        .as_array()
        .map(|options| {
            options
                .iter()
                .filter(|o| texts.contains(&o["html"].as_str().unwrap()))
                .map(|o| o["id"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    (q["id"].as_str().unwrap().to_string(), ids)
}

/// What one learner answers: the option texts of "Chọn một" and "Chọn nhiều", the typed address, true/false.
struct Answers(&'static str, &'static [&'static str], &'static str, Option<&'static str>);

async fn submit(app: &TestApp, token: &str, answers: &Answers) {
    let (status, attempt) =
        app.api(Method::POST, &format!("/courses/{COURSE}/quizzes/cuoi-khoa/attempts"), token, None).await;
    assert_eq!(status, StatusCode::CREATED, "{attempt}");
    let (q1, one) = pick(&attempt, "Chọn một", &[answers.0]);
    let (q2, many) = pick(&attempt, "Chọn nhiều", answers.1);
    let (q3, _) = pick(&attempt, "Địa chỉ cổng?", &[]);
    let (q4, _) = pick(&attempt, "Dùng chung", &[]);
    let mut body = json!({ q1: one, q2: many, q3: answers.2 });
    if let Some(tf) = answers.3 {
        body[q4] = json!([tf]);
    }
    let id = attempt["id"].as_i64().unwrap();
    let (status, graded) = app.api(Method::POST, &format!("/attempts/{id}/submit"), token, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{graded}");
}

/// Six learners (two of them in unit `SO-B`) submit once; the weakest tries again and gets all right. The two
/// strongest both pick "Sai hai" in the first question: a likely wrong key. Returns the tokens of the
/// course's trainer, another course's trainer, an admin and a learner.
async fn seeded(app: &TestApp) -> [String; 4] {
    let created = units::insert_units(
        &app.db,
        &[NewUnit { code: "SO-B".into(), name: "Sở B".into(), parent_code: None }],
    )
    .await
    .unwrap();
    let plans: [Answers; 6] = [
        Answers("Sai hai", &["Đúng A", "Đúng B"], "cong-dich-vu-bi-mat.gov.vn", Some("false")),
        Answers("Sai hai", &["Đúng A", "Đúng B"], "cong-dich-vu-bi-mat.gov.vn", Some("false")),
        Answers("Đúng một", &["Đúng A"], "không nhớ", Some("false")),
        Answers("Đúng một", &["Đúng A"], "không nhớ", Some("true")),
        Answers("Đúng một", &[], "", None),
        Answers("Sai một", &[], "", None),
    ];
    let mut last = String::new();
    for (n, plan) in plans.iter().enumerate() {
        let learner = app.person(&format!("hoc.vien{n}"), Role::Learner).await;
        if n < 2 {
            let mut moved: user::ActiveModel = learner.clone().into();
            moved.unit_id = Set(Some(created[0].id));
            moved.update(&app.db).await.unwrap();
        }
        app.enrol(COURSE, learner.id).await;
        last = app.session(learner.id).await.token;
        submit(app, &last, plan).await;
    }
    let all_right = Answers("Đúng một", &["Đúng A", "Đúng B"], "cong-dich-vu-bi-mat.gov.vn", Some("false"));
    submit(app, &last, &all_right).await;

    let trainer = app.person("giang.vien", Role::Trainer).await;
    assert!(daotao_core::people::trainers::assign(&app.db, COURSE, "giang.vien").await.unwrap());
    let other = app.person("giang.vien2", Role::Trainer).await;
    let admin = app.person("quan.tri", Role::Admin).await;
    let mut tokens = Vec::new();
    for id in [trainer.id, other.id, admin.id] {
        tokens.push(app.session(id).await.token);
    }
    [tokens[0].clone(), tokens[1].clone(), tokens[2].clone(), last]
}

#[tokio::test]
async fn only_the_courses_trainers_and_admins_see_the_statistics() {
    let app = TestApp::spawn(Fixture::Quiz).await;
    let [trainer, other, admin, learner] = seeded(&app).await;
    let api = format!("/courses/{COURSE}/quizzes/cuoi-khoa/statistics");
    for (who, token) in [("a learner", &learner), ("another course's trainer", &other)] {
        assert_status(&app.get_as(token, PAGE).await, StatusCode::FORBIDDEN, who);
        let (status, body) = app.api(Method::GET, &api, token, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {body}");
        assert!(!body.to_string().contains("Sai hai"), "{who} learns nothing: {body}");
    }
    for (who, token) in [("the course's trainer", &trainer), ("an admin", &admin)] {
        let resp = app.get_as(token, PAGE).await;
        assert_status(&resp, StatusCode::OK, who);
        assert_eq!(header(&resp, header::CACHE_CONTROL), "no-store");
        assert_contains(&text(resp).await, "Có thể sai đáp án: phương án «Sai hai»");
        let (status, _) = app.api(Method::GET, &api, token, None).await;
        assert_eq!(status, StatusCode::OK, "{who}");
    }
    let resp = app.cli.get(PAGE).send().await;
    assert_status(&resp, StatusCode::SEE_OTHER, "anonymous");
    assert!(location(&resp).starts_with("/login?"), "{}", location(&resp));
    let resp = app.cli.get(format!("/api/v1{api}")).send().await;
    assert_status(&resp, StatusCode::UNAUTHORIZED, "anonymous API call");
    // Unknown quiz or course: 404 for whoever may look.
    let (status, _) =
        app.api(Method::GET, "/courses/kiem-tra/quizzes/khong-co/statistics", &trainer, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_status(
        &app.get_as(&admin, "/courses/khong-co/quizzes/x/statistics").await,
        StatusCode::NOT_FOUND,
        "no course",
    );
    // The course's learners page links to it.
    let learners = text(app.get_as(&trainer, &format!("/courses/{COURSE}/learners")).await).await;
    assert_contains(&learners, &format!("href=\"{PAGE}\""));
}

#[tokio::test]
async fn the_page_shows_the_figures_in_words_with_the_file_and_line() {
    let app = TestApp::spawn(Fixture::Quiz).await;
    let [trainer, ..] = seeded(&app).await;
    let body = text(app.get_as(&trainer, PAGE).await).await;
    insta::assert_snapshot!("quiz_statistics", main_of(&body));
    assert_contains(&body, "<code>courses/kiem-tra/quiz/cuoi-khoa.md:8</code>");
    assert_lacks(&body, "GIAI-THICH-BI-MAT");

    // All attempts: the second attempt counts too.
    let all = text(app.get_as(&trainer, &format!("{PAGE}?attempts=all&unit=&from=&to=")).await).await;
    assert_contains(&all, "<th scope=\"row\">Số lượt làm được tính</th><td>7</td>");
    // One unit: its two learners.
    let unit = text(app.get_as(&trainer, &format!("{PAGE}?unit=SO-B")).await).await;
    assert_contains(&unit, "<th scope=\"row\">Số lượt làm được tính</th><td>2</td>");
    // A period with nothing in it, and wrong input said beside the form.
    let none = text(app.get_as(&trainer, &format!("{PAGE}?from=2001-01-01&to=2001-12-31")).await).await;
    assert_contains(&none, "Chưa có lượt làm bài nào đã nộp khớp với lựa chọn này.");
    let resp = app.get_as(&trainer, &format!("{PAGE}?unit=KHONG-CO")).await;
    assert_status(&resp, StatusCode::UNPROCESSABLE_ENTITY, "unknown unit");
    assert_contains(&text(resp).await, "Không có đơn vị mã «KHONG-CO».");
    let resp = app.get_as(&trainer, &format!("{PAGE}?from=31/12/2026")).await;
    assert_status(&resp, StatusCode::UNPROCESSABLE_ENTITY, "a date not in ISO form");
}

#[tokio::test]
async fn the_json_has_every_figure_and_null_where_undefined() {
    let config = Config { course_source_url: format!("{SOURCE_URL}/"), ..Config::default() };
    let app = TestApp::with_config(Fixture::Quiz, config).await;
    let [trainer, ..] = seeded(&app).await;
    let api = format!("/courses/{COURSE}/quizzes/cuoi-khoa/statistics");
    let (status, body) = app.api(Method::GET, &api, &trainer, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Totals of the six first attempts, in percent: 75, 75, 50, 25, 25, 0.
    assert_eq!(body["summary"]["attempts"], 6);
    assert_eq!(body["summary"]["mean"], 41.666666666666664);
    assert_eq!(body["summary"]["median"], 37.5);
    assert_eq!(body["filter"], json!({ "all_attempts": false }));
    let questions = body["questions"].as_array().unwrap();
    let ids: Vec<&str> = questions.iter().map(|q| q["kind"].as_str().unwrap()).collect();
    assert_eq!(ids, ["single", "multiple", "short", "true_false"], "in the file's order");
    let one = &questions[0];
    assert_eq!(one["line"], 8);
    assert_eq!(one["file"], "kiem-tra/quiz/cuoi-khoa.md");
    assert_eq!(one["link"], format!("{SOURCE_URL}/kiem-tra/quiz/cuoi-khoa.md#L8"));
    assert_eq!(one["facility"], 50.0);
    let options: Vec<(String, u64, bool)> = one["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| (o["text"].as_str().unwrap().to_string(), o["picked"].as_u64().unwrap(), o["right"] == true))
        .collect();
    let expected = [("Sai một", 1, false), ("Đúng một", 3, true), ("Sai hai", 2, false)];
    assert_eq!(options, expected.map(|(t, n, r)| (t.to_string(), n, r)));
    assert_eq!(one["flags"], json!([{ "reason": "likely_wrong_key", "option": "c" }]));
    // The true/false question: both answers listed, the right one marked.
    let tf = &questions[3];
    assert_eq!(
        tf["options"],
        json!([
            { "id": "true", "picked": 1, "right": false },
            { "id": "false", "picked": 3, "right": true },
        ])
    );
    // Three attempts of one unit's two learners: alpha needs three, so it is null, not absent.
    let (_, unit) = app.api(Method::GET, &format!("{api}?unit=SO-B"), &trainer, None).await;
    assert_eq!(unit["summary"]["attempts"], 2);
    assert!(unit["summary"].as_object().unwrap().contains_key("cronbach_alpha"));
    assert_eq!(unit["summary"]["cronbach_alpha"], Value::Null);
    assert_eq!(unit["summary"]["sd"], 0.0);
    let (status, refused) = app.api(Method::GET, &format!("{api}?unit=KHONG-CO"), &trainer, None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert_eq!(refused["error"], "no unit with code `KHONG-CO`");
    let (_, all) = app.api(Method::GET, &format!("{api}?attempts=all"), &trainer, None).await;
    assert_eq!(
        (all["summary"]["attempts"].clone(), all["filter"]["all_attempts"].clone()),
        (json!(7), json!(true))
    );
}
