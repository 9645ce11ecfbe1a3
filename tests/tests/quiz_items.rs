//! End-to-end: `daotao-admin report items`, the quiz statistics of #19 exported by the real binary from a
//! real SQLite file, read back as Excel would (CSV with its BOM, and the XLSX sheets).

use daotao_content::quiz::grade::{Answer, Answers, grade_all};
use daotao_content::quiz::{Kind, draw};
use daotao_core::entities::{quiz, quiz_attempt};
use daotao_tests::admin_cli::Admin;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

const COURSE: &str = "an-toan-thong-tin-co-ban";
const QUIZ: &str = "cuoi-khoa";

/// The right answer of a choice or true/false question; nothing for the others (a wrong answer).
fn right(kind: &Kind) -> Option<Answer> {
    match kind {
        Kind::Single { options } | Kind::Multiple { options, .. } => {
            Some(Answer::Options(options.iter().filter(|o| o.weight > 0.0).map(|o| o.id.clone()).collect()))
        }
        Kind::TrueFalse { answer, .. } => Some(Answer::Options(vec![answer.to_string()])),
        _ => None,
    }
}

/// Three attempts at the quiz, every question asked: `lan.nguyen` answers every choice question right
/// (twice), `hung.tran` answers nothing.
async fn seed(admin: &Admin) -> (f64, usize) {
    let db = daotao_core::platform::db::connect(&admin.url).await.unwrap();
    let library = daotao_content::course::load_library(&admin.dir.path().join("courses"));
    let bank = &library.courses[COURSE].quizzes.iter().find(|q| q.id == QUIZ).unwrap();
    let quiz_id = quiz::Entity::find()
        .filter(quiz::Column::CourseId.eq(COURSE))
        .filter(quiz::Column::Slug.eq(QUIZ))
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .id;
    let mut best = 0.0;
    for (username, number, answering) in
        [("lan.nguyen", 1, true), ("hung.tran", 1, false), ("lan.nguyen", 2, true)]
    {
        let user = daotao_core::people::accounts::find_user(&db, username).await.unwrap().unwrap();
        let settings =
            daotao_content::course::QuizSettings { draw: 0, draw_per_group: None, ..bank.settings.clone() };
        let questions = draw::questions_for_attempt(&bank.questions, &settings, &mut rand::rng());
        let answers: Answers = questions
            .iter()
            .filter(|_| answering)
            .filter_map(|q| right(&q.kind).map(|a| (q.id.clone(), a)))
            .collect();
        let (marks, score) = grade_all(&questions, &answers);
        best = f64::max(best, 100.0 * marks.iter().sum::<f64>() / marks.len() as f64);
        let now = chrono::Utc::now();
        quiz_attempt::Entity::insert(quiz_attempt::ActiveModel {
            id: NotSet,
            user_id: Set(user.id),
            quiz_id: Set(quiz_id),
            course_id: Set(COURSE.into()),
            number: Set(number),
            questions: Set(serde_json::to_string(&questions).unwrap()),
            answers: Set(serde_json::to_string(&answers).unwrap()),
            pass_percent: Set(80),
            started_at: Set(now),
            deadline: Set(None),
            submitted_at: Set(Some(now)),
            closed_by_server: Set(false),
            marks: Set(Some(serde_json::to_string(&marks).unwrap())),
            score: Set(Some(score.score)),
            max_score: Set(score.max_score),
            percent: Set(Some(score.percent)),
            passed: Set(Some(false)),
        })
        .exec_without_returning(&db)
        .await
        .unwrap();
    }
    (best, bank.questions.len())
}

/// The CSV as Excel reads it: the BOM, then rows of cells.
fn read_csv(path: &std::path::Path) -> Vec<Vec<String>> {
    let bytes = std::fs::read(path).unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(&bytes[3..]);
    reader.records().map(|r| r.unwrap().iter().map(str::to_string).collect()).collect()
}

#[tokio::test]
async fn report_items_exports_the_quiz_figures_and_one_row_per_question() {
    let admin = Admin::new();
    admin.run(&["demo"]).ok();
    let (lan, questions) = seed(&admin).await;
    let out = admin.dir.path().join("cau-hoi.csv");
    let args = ["report", "items", "--course", COURSE, "--quiz", QUIZ, "--format", "csv", "--output"];
    let run = admin.run(&[&args[..], &[out.to_str().unwrap()]].concat()).ok();
    assert!(run.stderr.contains("Đã ghi"), "{run:#?}");
    let rows = read_csv(&out);
    let figure = |name: &str| {
        rows.iter().find(|r| r[0] == name).unwrap_or_else(|| panic!("{name}: {rows:?}"))[1].clone()
    };
    assert_eq!(figure("Số lượt làm được tính"), "2", "first attempts only by default");
    assert_eq!(figure("Điểm trung bình (%)"), format!("{}", (lan / 2.0 * 100.0).round() / 100.0));
    assert_eq!(figure("Trung vị (%)"), format!("{}", (lan / 2.0 * 100.0).round() / 100.0));
    let header = rows.iter().position(|r| r[0] == "STT").expect("the questions' header");
    assert_eq!(rows[header - 1], [""], "a blank line between the two tables");
    let question_rows = &rows[header + 1..];
    assert_eq!(question_rows.len(), questions, "one row per question of the bank");
    let first = &question_rows[0];
    assert_eq!(&first[0], "1");
    assert_eq!(&first[4], "courses/an-toan-thong-tin-co-ban/quiz/cuoi-khoa.md");
    // The bank's first question, its right option and a wrong one, read from the bundled quiz (not hard-coded,
    // so rewriting the questions does not break the test).
    let library = daotao_content::course::load_library(&admin.dir.path().join("courses"));
    let bank = &library.courses[COURSE].quizzes.iter().find(|q| q.id == QUIZ).unwrap().questions[0];
    let Kind::Single { options } = &bank.kind else {
        panic!("the first question is single-choice: {bank:?}")
    };
    let text = |weight_right: bool| {
        let option = options.iter().find(|o| (o.weight > 0.0) == weight_right).unwrap();
        daotao_core::admin_views::quiz_statistics::plain_text(&option.html)
    };
    assert_eq!(first[5], bank.line.to_string(), "the line of the first question");
    assert_eq!(&first[6], "2", "asked in both first attempts");
    assert!(first[12].contains(&format!("(đúng) {}: 1", text(true))), "{first:?}");
    assert!(
        first[12].contains(&format!("{}: 0", text(false))),
        "an option nobody picked counts 0: {first:?}"
    );

    let all = admin.dir.path().join("tat-ca.xlsx");
    let mut with_all = args.to_vec();
    with_all[7] = "xlsx";
    admin.run(&[&with_all[..], &[all.to_str().unwrap(), "--all-attempts", "--unit", "TINH"]].concat()).ok();
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&all).unwrap();
    use calamine::Reader;
    let summary = workbook.worksheet_range("Toàn bài").unwrap();
    let attempts = summary.rows().find(|r| r[0] == "Số lượt làm được tính").unwrap();
    assert_eq!(attempts[1].to_string(), "3", "every attempt");
    assert_eq!(workbook.worksheet_range("Từng câu hỏi").unwrap().height(), questions + 1);

    let no_quiz = [&args[..7], &["csv", "--output", "x.csv"]].concat();
    let mut wrong = no_quiz.clone();
    wrong[5] = "khong-co";
    let run = admin.run(&wrong).failed();
    assert!(run.stderr.contains("khong-co"), "{run:#?}");
    let run = admin.run(&[&no_quiz[..], &["--unit", "KHONG-CO"]].concat()).failed();
    assert!(run.stderr.contains("KHONG-CO"), "{run:#?}");
    assert!(!admin.dir.path().join("x.csv").exists(), "nothing written on a refusal");
}
