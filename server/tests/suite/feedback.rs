//! Course feedback (#19) through the app: the prompt on the course page and on "Khoá học của tôi", the
//! questionnaire (CSRF, every item required, answered once, only by learners who completed the course), and
//! the results for the course's trainers and admins, never for fewer than five answers.

use daotao_core::entities::user::Role;
use daotao_core::entities::{enrollment, feedback_answered, unit, user};
use poem::http::StatusCode;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};

use crate::helpers::*;

const QUESTIONNAIRE: &str = "comment = \"Anh/chị có góp ý gì để khoá học tốt hơn?\"\n\n[[item]]\nid = \"phu-hop\"\ntext = \"Nội dung sát với công việc của tôi.\"\n\n[[item]]\nid = \"de-hieu\"\ntext = \"Bài học rõ ràng, dễ hiểu.\"\n";

/// The `catalog` fixture with the library-wide questionnaire.
async fn app() -> TestApp {
    TestApp::with_edit(Fixture::Catalog, |courses| {
        std::fs::write(courses.join("feedback.toml"), QUESTIONNAIRE).unwrap();
    })
    .await
}

/// A learner enrolled in [`C1`] who completed it; their session cookie and CSRF token.
async fn completed(app: &TestApp, username: &str) -> (user::Model, String, String) {
    let learner = app.learner(username).await;
    app.enrol(C1, learner.id).await;
    enrollment::Entity::update_many()
        .col_expr(enrollment::Column::CompletedAt, sea_orm::sea_query::Expr::value(chrono::Utc::now()))
        .filter(enrollment::Column::UserId.eq(learner.id))
        .exec(&app.db)
        .await
        .unwrap();
    let token = app.login(username).await;
    let csrf = app.csrf(&token).await;
    (learner, token, csrf)
}

async fn answered(app: &TestApp) -> u64 {
    feedback_answered::Entity::find().count(&app.db).await.unwrap()
}

/// Posts a full answer: `phu-hop` = `a`, `de-hieu` = `b`.
async fn answer(app: &TestApp, token: &str, csrf: &str, a: &str, b: &str, comment: &str) -> StatusCode {
    let fields = [("csrf", csrf), ("score.phu-hop", a), ("score.de-hieu", b), ("comment", comment)];
    let resp = app.post_as(token, &format!("/courses/{C1}/feedback"), &fields).await;
    resp.0.status()
}

#[tokio::test]
async fn a_learner_who_completed_the_course_is_asked_once_and_answers_once() {
    let app = app().await;
    let (_, token, csrf) = completed(&app, "hv.lan").await;
    let form_path = format!("/courses/{C1}/feedback");

    // Asked on the course page and on "Khoá học của tôi".
    let course = text(app.get_as(&token, &format!("/courses/{C1}")).await).await;
    assert_contains(&course, &format!("<a class=\"button\" href=\"{form_path}\">Góp ý về khoá học</a>"));
    let me = text(app.get_as(&token, "/me").await).await;
    assert_contains(&me, "Khoá học đang chờ ý kiến của anh/chị");
    assert_contains(&me, &format!("<a href=\"{form_path}\">Góp ý về khoá học: {C1_TITLE}</a>"));

    // The form: a labelled radio group per statement, the comment with its limit.
    let resp = app.get_as(&token, &form_path).await;
    resp.assert_status_is_ok();
    let form = text(resp).await;
    insta::assert_snapshot!("feedback_form", main_of(&form));

    // Without the CSRF token: refused, nothing stored.
    let fields = [("score.phu-hop", "5"), ("score.de-hieu", "5"), ("comment", "")];
    app.post_as(&token, &form_path, &fields).await.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(answer(&app, &token, "sai-token", "5", "5", "").await, StatusCode::FORBIDDEN);
    // A statement left without a level, or a level out of the scale: the form again, with what was picked.
    let fields =
        [("csrf", csrf.as_str()), ("score.phu-hop", "4"), ("score.de-hieu", "9"), ("comment", "Hay")];
    let resp = app.post_as(&token, &form_path, &fields).await;
    resp.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let again = text(resp).await;
    assert_contains(&again, "<p class=\"alert\" role=\"alert\">Vui lòng chọn một mức cho mỗi nhận định.</p>");
    assert_contains(&again, "name=\"score.phu-hop\" value=\"4\" required checked>");
    assert_contains(&again, ">Hay</textarea>");
    let long = "a".repeat(2001);
    assert_eq!(answer(&app, &token, &csrf, "4", "4", &long).await, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answered(&app).await, 0);

    // Answered: the thank-you, and never asked again.
    assert_eq!(answer(&app, &token, &csrf, "4", "5", "Cần thêm ví dụ thực tế.").await, StatusCode::SEE_OTHER);
    let thanks = text(app.get_as(&token, &form_path).await).await;
    insta::assert_snapshot!("feedback_thanks", main_of(&thanks));
    let course = text(app.get_as(&token, &format!("/courses/{C1}")).await).await;
    assert!(!course.contains(&form_path), "{course}");
    let me = text(app.get_as(&token, "/me").await).await;
    assert!(!me.contains(&form_path), "{me}");
    assert_eq!(answer(&app, &token, &csrf, "1", "1", "lần hai").await, StatusCode::SEE_OTHER);
    assert_eq!(answered(&app).await, 1);
    assert_eq!(daotao_core::learning::feedback::pending_count(&app.db, C1).await.unwrap(), 1, "one answer");
}

#[tokio::test]
async fn only_learners_who_completed_the_course_may_answer() {
    let app = app().await;
    // Not enrolled.
    app.learner("hv.ngoai").await;
    let outsider = app.login("hv.ngoai").await;
    let outsider_csrf = app.csrf(&outsider).await;
    app.get_as(&outsider, &format!("/courses/{C1}/feedback")).await.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(answer(&app, &outsider, &outsider_csrf, "5", "5", "").await, StatusCode::FORBIDDEN);
    // Enrolled, not completed: not asked either.
    let learner = app.learner("hv.dang.hoc").await;
    app.enrol(C1, learner.id).await;
    let token = app.login("hv.dang.hoc").await;
    let csrf = app.csrf(&token).await;
    let course = text(app.get_as(&token, &format!("/courses/{C1}")).await).await;
    assert!(!course.contains("/feedback"), "{course}");
    app.get_as(&token, &format!("/courses/{C1}/feedback")).await.assert_status(StatusCode::FORBIDDEN);
    assert_eq!(answer(&app, &token, &csrf, "5", "5", "").await, StatusCode::FORBIDDEN);
    assert_eq!(answered(&app).await, 0);
    // Anonymous: to the login page.
    let resp = app.cli.get(format!("/courses/{C1}/feedback")).send().await;
    resp.assert_status(StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn a_library_without_a_questionnaire_asks_nothing() {
    let app = TestApp::spawn(Fixture::Catalog).await;
    let (_, token, _) = completed(&app, "hv.binh").await;
    app.get_as(&token, &format!("/courses/{C1}/feedback")).await.assert_status(StatusCode::NOT_FOUND);
    let me = text(app.get_as(&token, "/me").await).await;
    assert!(!me.contains("/feedback"), "{me}");
}

#[tokio::test]
async fn results_are_for_the_course_trainers_and_admins_and_never_for_fewer_than_five() {
    let app = app().await;
    let results = format!("/courses/{C1}/feedback/results");
    let so = unit::ActiveModel {
        id: Default::default(),
        code: Set("SO-TTTT".into()),
        name: Set("Sở Thông tin và Truyền thông".into()),
        parent_id: Set(None),
    }
    .insert(&app.db)
    .await
    .unwrap();

    // Who may see: the course's trainers and admins; not a learner, not another course's trainer.
    let (_, learner, learner_csrf) = completed(&app, "hv.00").await;
    app.get_as(&learner, &results).await.assert_status(StatusCode::FORBIDDEN);
    app.person("gv.khac", Role::Trainer).await;
    let other = app.login("gv.khac").await;
    app.get_as(&other, &results).await.assert_status(StatusCode::FORBIDDEN);
    app.person("gv.an", Role::Trainer).await;
    daotao_core::people::trainers::assign(&app.db, C1, "gv.an").await.unwrap();
    let trainer = app.login("gv.an").await;
    app.person("qtv", Role::Admin).await;
    let admin = app.login("qtv").await;

    // Four answers: hidden, said plainly.
    answer(&app, &learner, &learner_csrf, "5", "5", "").await;
    for i in 1..4 {
        let (_, token, csrf) = completed(&app, &format!("hv.{i:02}")).await;
        assert_eq!(answer(&app, &token, &csrf, "4", "3", "").await, StatusCode::SEE_OTHER);
    }
    let hidden = text(app.get_as(&trainer, &results).await).await;
    assert_contains(&hidden, "Nhóm này có ít hơn 5 câu trả lời nên kết quả không được hiển thị");
    assert!(!hidden.contains("Tỷ lệ hài lòng:"), "{hidden}");

    // The fifth: shown. Satisfied (average ≥ 4): 5+5 and 4+4; not 4+3 (three of them).
    let (_, token, csrf) = completed(&app, "hv.04").await;
    let comment = "Nên có thêm bài tập tình huống <b>thực tế</b>.";
    assert_eq!(answer(&app, &token, &csrf, "4", "4", comment).await, StatusCode::SEE_OTHER);
    let resp = app.get_as(&trainer, &results).await;
    resp.assert_status_is_ok();
    let shown = text(resp).await;
    assert_contains(&shown, "Tỷ lệ hài lòng: 40,0%");
    assert_contains(&shown, "5 người trả lời");
    // phu-hop: 4 × 3 + 4 + 5 → counts 0,0,0,4,1, mean 4,20; de-hieu: 3 × 3 + 4 + 5 → 0,0,3,1,1, mean 3,60.
    assert_contains(&shown, "<td>0</td><td>0</td><td>0</td><td>4</td><td>1</td><td>5</td><td>4,20</td>");
    assert_contains(&shown, "<td>0</td><td>0</td><td>3</td><td>1</td><td>1</td><td>5</td><td>3,60</td>");
    assert_contains(&shown, "&#60;b&#62;thực tế&#60;/b&#62;");
    insta::assert_snapshot!("feedback_results", main_of(&shown));
    let as_admin = app.get_as(&admin, &results).await;
    as_admin.assert_status_is_ok();

    // By unit (nobody here has one) and by a period without answers: hidden again.
    let by_unit = text(app.get_as(&admin, &format!("{results}?unit=SO-TTTT")).await).await;
    assert_contains(&by_unit, "Nhóm này có ít hơn 5 câu trả lời");
    assert_contains(&by_unit, &format!("<option value=\"SO-TTTT\" selected>{} (SO-TTTT)</option>", so.name));
    let later = text(app.get_as(&admin, &format!("{results}?from=2099-01&to=")).await).await;
    assert_contains(&later, "Nhóm này có ít hơn 5 câu trả lời");
    let all_time = text(app.get_as(&admin, &format!("{results}?from=2000-01&to=2099-12&unit=")).await).await;
    assert_contains(&all_time, "Tỷ lệ hài lòng: 40,0%");

    // The course page links trainers to the results.
    let course = text(app.get_as(&trainer, &format!("/courses/{C1}")).await).await;
    assert_contains(&course, &format!("<a href=\"{results}\">Kết quả lấy ý kiến học viên</a>"));
}
