//! Training programmes (#18): the daily pass assigns by role, unit subtree and position (with or without
//! diacritics), enrols with the due date, completes from course completions still valid, withdraws open
//! cycles of people who no longer match and keeps completed ones; a dry run writes nothing; a pass while
//! others write waits for them instead of failing. On a SQLite file and on PostgreSQL.

use std::collections::HashMap;

use chrono::{NaiveDate, TimeZone, Utc};
use daotao_core::entities::user::Role;
use daotao_core::entities::{
    audit_log, enrollment, lesson, lesson_progress, programme_assignment, quiz, quiz_attempt,
};
use daotao_core::learning::programmes::{self, Changes, Rule, assign};
use daotao_core::learning::{catalog, enrollment as enrol};
use daotao_core::people::accounts::{self, AccountDetails, NewUser};
use daotao_core::people::units::{self, NewUnit};
use daotao_core::platform::db;
use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
};

mod support;

const BASIC: &str = "an-toan-thong-tin-co-ban";
const IT: &str = "an-toan-thong-tin-cntt";
const ONLINE: &str = "dich-vu-cong-truc-tuyen";

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn rule(
    id: &str,
    course: &str,
    positions: &[&str],
    units: &[&str],
    roles: &[Role],
    due: u32,
    valid: u32,
) -> Rule {
    Rule {
        id: id.into(),
        title: id.into(),
        courses: vec![course.into()],
        positions: positions.iter().map(|s| s.to_string()).collect(),
        units: units.iter().map(|s| s.to_string()).collect(),
        roles: roles.to_vec(),
        due_days: due,
        valid_months: valid,
        renew_days: 30,
    }
}

fn rules() -> Vec<Rule> {
    vec![
        rule("attt-hang-nam", BASIC, &[], &[], &[Role::Learner, Role::Trainer], 60, 12),
        rule("attt-cntt", IT, &[], &["SO-TTTT"], &[Role::Learner, Role::Trainer], 90, 12),
        rule("dvc-mot-cua", ONLINE, &["Một cửa"], &[], &[Role::Learner], 60, 0),
    ]
}

/// `programme username cycle on` for each change of one kind, as a string per change.
fn lines(changes: &[daotao_core::learning::programmes::Change]) -> Vec<String> {
    changes.iter().map(|c| format!("{} {} {} {}", c.programme_id, c.username, c.cycle, c.on)).collect()
}

/// Syncs the bundled library and creates the people; returns the courses' completion quizzes.
async fn seed(db: &DatabaseConnection) -> HashMap<String, String> {
    let library = daotao_content::course::load_library(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../courses"),
    );
    catalog::sync_library(db, &library).await.unwrap();
    let unit = |code: &str, parent: Option<&str>| NewUnit {
        code: code.into(),
        name: code.into(),
        parent_code: parent.map(str::to_string),
    };
    units::insert_units(
        db,
        &[
            unit("TINH", None),
            unit("SO-TTTT", Some("TINH")),
            unit("SO-TTTT.CNTT", Some("SO-TTTT")),
            unit("XA-A", Some("TINH")),
        ],
    )
    .await
    .unwrap();
    for (username, unit, position, role) in [
        ("an.le", Some("SO-TTTT.CNTT"), "Chuyên viên công nghệ thông tin", Role::Learner),
        ("binh", Some("SO-TTTT"), "Trưởng phòng", Role::Trainer),
        ("chi", Some("XA-A"), "Công chức Bộ phận Một cửa", Role::Learner),
        ("dung", Some("XA-A"), "CONG CHUC MOT CUA", Role::Learner),
        ("em.vu", Some("XA-A"), "Chuyên viên một cửa", Role::Admin),
        ("giang", None, "Chuyên viên", Role::Learner),
    ] {
        let new = NewUser {
            username: username.into(),
            full_name: username.into(),
            email: None,
            unit_code: unit.map(str::to_string),
            position: position.into(),
            role,
            password: Some("Mat-khau-thu-2026!".into()),
        };
        accounts::add_user(db, new).await.unwrap();
    }
    programmes::completion_quizzes(&library)
}

async fn id(db: &DatabaseConnection, username: &str) -> i64 {
    accounts::find_user(db, username).await.unwrap().unwrap().id
}

/// Marks `username`'s enrolment in `course` completed at 10:00 in Viet Nam on `on`.
async fn complete(db: &DatabaseConnection, username: &str, course: &str, on: &str) {
    let user_id = id(db, username).await;
    enrol::enroll_users(db, course, &[user_id], None, None).await.unwrap();
    let at = Utc.from_utc_datetime(&day(on).and_hms_opt(3, 0, 0).unwrap());
    enrollment::Entity::update_many()
        .col_expr(enrollment::Column::CompletedAt, Expr::value(at))
        .filter(enrollment::Column::UserId.eq(user_id))
        .filter(enrollment::Column::CourseId.eq(course))
        .exec(db)
        .await
        .unwrap();
}

async fn enrolled(db: &DatabaseConnection, username: &str, course: &str) -> Option<enrollment::Model> {
    enrol::find(db, id(db, username).await, course).await.unwrap()
}

async fn cycles(db: &impl ConnectionTrait) -> u64 {
    programme_assignment::Entity::find().count(db).await.unwrap()
}

async fn audited(db: &DatabaseConnection, action: &str) -> u64 {
    audit_log::Entity::find().filter(audit_log::Column::Action.eq(action)).count(db).await.unwrap()
}

async fn run(
    db: &DatabaseConnection,
    rules: &[Rule],
    quizzes: &HashMap<String, String>,
    as_of: &str,
) -> Changes {
    assign(db, rules, quizzes, day(as_of), "daotao-admin", false).await.unwrap()
}

async fn story(db: DatabaseConnection) {
    let db = &db;
    let q = &seed(db).await;
    assert_eq!(q.get(BASIC).map(String::as_str), Some("cuoi-khoa"));
    // giang is enrolled already without a due date; binh completed the basic course within the last year,
    // an more than a year before.
    enrol::enroll_users(db, BASIC, &[id(db, "giang").await], None, None).await.unwrap();
    complete(db, "binh", BASIC, "2026-06-01").await;
    complete(db, "an.le", BASIC, "2025-11-01").await;

    // A dry run says what would change and writes nothing.
    let dry = assign(db, &rules(), q, day("2027-01-05"), "daotao-admin", true).await.unwrap();
    assert_eq!((cycles(db).await, audited(db, "programme.assign").await), (0, 0));
    assert!(enrolled(db, "chi", ONLINE).await.is_none());

    let first = run(db, &rules(), q, "2027-01-05").await;
    assert_eq!(first, dry, "the dry run said what the pass did");
    assert_eq!(
        lines(&first.assigned),
        [
            // Everyone but the admin, with or without a unit.
            "attt-hang-nam an.le 1 2027-03-06",
            "attt-hang-nam binh 1 2027-03-06",
            "attt-hang-nam chi 1 2027-03-06",
            "attt-hang-nam dung 1 2027-03-06",
            "attt-hang-nam giang 1 2027-03-06",
            // The unit SO-TTTT with its sub-unit.
            "attt-cntt an.le 1 2027-04-05",
            "attt-cntt binh 1 2027-04-05",
            // "Một cửa" with and without diacritics, in any case; not the admin.
            "dvc-mot-cua chi 1 2027-03-06",
            "dvc-mot-cua dung 1 2027-03-06",
        ]
    );
    // binh's completion is still valid at the start; an's is older than twelve months.
    assert_eq!(lines(&first.completed), ["attt-hang-nam binh 1 2026-06-01"]);
    assert_eq!(first.completed[0].valid_until, Some(day("2027-06-01")));
    assert!(first.withdrawn.is_empty() && first.missing_courses.is_empty());
    assert_eq!((cycles(db).await, audited(db, "programme.assign").await), (9, 9));
    assert_eq!(audited(db, "programme.complete").await, 1);

    // What each person sees of their programmes, on a day and later.
    let chi = standings(db, "chi", "2027-01-05").await;
    assert_eq!(chi, ["attt-hang-nam due 2027-03-06 -", "dvc-mot-cua due 2027-03-06 -"]);
    let late = standings(db, "chi", "2027-03-07").await;
    assert_eq!(late, ["attt-hang-nam overdue 2027-03-06 -", "dvc-mot-cua overdue 2027-03-06 -"]);
    let binh = standings(db, "binh", "2027-01-05").await;
    assert_eq!(binh, ["attt-cntt due 2027-04-05 -", "attt-hang-nam valid 2027-03-06 2027-06-01"]);
    assert_eq!(standings(db, "binh", "2027-06-02").await[1], "attt-hang-nam expired 2027-03-06 2027-06-01");

    // Assigning enrols with the due date; an unfinished enrolment gets it too; a completed one is kept.
    assert_eq!(enrolled(db, "chi", ONLINE).await.unwrap().due_date, Some(day("2027-03-06")));
    assert_eq!(enrolled(db, "an.le", IT).await.unwrap().due_date, Some(day("2027-04-05")));
    assert_eq!(enrolled(db, "giang", BASIC).await.unwrap().due_date, Some(day("2027-03-06")));
    assert_eq!(enrolled(db, "binh", BASIC).await.unwrap().due_date, None);
    assert!(enrolled(db, "em.vu", BASIC).await.is_none() && enrolled(db, "giang", IT).await.is_none());

    // Twice changes nothing.
    assert!(run(db, &rules(), q, "2027-01-05").await.is_empty());
    assert_eq!(cycles(db).await, 9);

    // Completing the course completes the open cycle (valid_months 0: forever).
    complete(db, "dung", ONLINE, "2027-01-08").await;
    let done = run(db, &rules(), q, "2027-01-09").await;
    assert_eq!(lines(&done.completed), ["dvc-mot-cua dung 1 2027-01-08"]);
    assert_eq!(done.completed[0].valid_until, None);
    assert!(done.assigned.is_empty() && done.withdrawn.is_empty());

    // A position change withdraws the open cycle and keeps the completed one; deactivation withdraws all.
    for who in ["chi", "dung"] {
        let account = accounts::find_user(db, who).await.unwrap().unwrap();
        let details = AccountDetails {
            full_name: account.full_name,
            email: None,
            unit_code: "XA-A".into(),
            position: "Chuyên viên".into(),
            role: Role::Learner,
        };
        accounts::update_user(db, who, details).await.unwrap();
    }
    accounts::set_active(db, "an.le", false).await.unwrap();
    let moved = run(db, &rules(), q, "2027-01-10").await;
    assert_eq!(
        lines(&moved.withdrawn),
        ["attt-hang-nam an.le 1 2027-01-10", "attt-cntt an.le 1 2027-01-10", "dvc-mot-cua chi 1 2027-01-10"]
    );
    assert!(moved.assigned.is_empty() && moved.completed.is_empty());
    let kept = programme_assignment::Entity::find()
        .filter(programme_assignment::Column::ProgrammeId.eq("dvc-mot-cua"))
        .filter(programme_assignment::Column::UserId.eq(id(db, "dung").await))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((kept.completed_on, kept.withdrawn_on), (Some(day("2027-01-08")), None));
    assert_eq!(audited(db, "programme.withdraw").await, 3);
    assert!(enrolled(db, "chi", ONLINE).await.is_some(), "the enrolment and what was read stay");

    // Matching again opens a new cycle; a programme gone from the rules withdraws its open cycles.
    let account = accounts::find_user(db, "chi").await.unwrap().unwrap();
    let details = AccountDetails {
        full_name: account.full_name,
        email: None,
        unit_code: "XA-A".into(),
        position: "Một cửa".into(),
        role: Role::Learner,
    };
    accounts::update_user(db, "chi", details).await.unwrap();
    let without_it: Vec<Rule> = rules().into_iter().filter(|r| r.id != "attt-cntt").collect();
    let back = run(db, &without_it, q, "2027-01-12").await;
    assert_eq!(lines(&back.assigned), ["dvc-mot-cua chi 2 2027-03-13"]);
    assert_eq!(lines(&back.withdrawn), ["attt-cntt binh 1 2027-01-12"]);
    assert!(run(db, &without_it, q, "2027-01-12").await.is_empty());

    // A course missing from the catalog is reported, and nobody is enrolled in it.
    let missing = vec![rule("moi", "khong-co", &[], &["XA-A"], &[Role::Learner], 30, 0)];
    let dry = assign(db, &missing, q, day("2027-01-12"), "daotao-admin", true).await.unwrap();
    assert_eq!(dry.missing_courses, [("moi".to_string(), "khong-co".to_string())]);
    assert_eq!(lines(&dry.assigned), ["moi chi 1 2027-02-11", "moi dung 1 2027-02-11"]);

    renewal(db, q, &without_it).await;
}

/// binh's basic course, completed 2026-06-01 and valid twelve months, opens again 30 days before it
/// expires, due when it does, and is completed again by passing the quiz again with every lesson read.
async fn renewal(db: &DatabaseConnection, q: &HashMap<String, String>, rules: &[Rule]) {
    assert!(run(db, rules, q, "2027-05-01").await.is_empty(), "31 days before: not yet");
    let renewed = run(db, rules, q, "2027-05-02").await;
    assert_eq!(lines(&renewed.renewed), ["attt-hang-nam binh 2 2027-06-01"]);
    assert!(renewed.assigned.is_empty() && renewed.completed.is_empty() && renewed.withdrawn.is_empty());
    assert_eq!(audited(db, "programme.renew").await, 1);
    assert!(run(db, rules, q, "2027-05-03").await.is_empty(), "once");
    // While the renewal is open, the first completion still holds.
    let open = standings(db, "binh", "2027-05-03").await;
    assert!(open.contains(&"attt-hang-nam renewal_open 2027-06-01 2027-06-01".to_string()), "{open:?}");

    let binh = id(db, "binh").await;
    let lessons = lesson::Entity::find()
        .filter(lesson::Column::CourseId.eq(BASIC))
        .filter(lesson::Column::Active.eq(true))
        .all(db)
        .await
        .unwrap();
    for l in &lessons {
        lesson_progress::Entity::insert(lesson_progress::ActiveModel {
            id: NotSet,
            user_id: Set(binh),
            lesson_id: Set(l.id),
            read_at: Set(Utc.with_ymd_and_hms(2026, 5, 20, 3, 0, 0).unwrap()),
        })
        .exec_without_returning(db)
        .await
        .unwrap();
    }
    let quiz = quiz::Entity::find()
        .filter(quiz::Column::CourseId.eq(BASIC))
        .filter(quiz::Column::Slug.eq("cuoi-khoa"))
        .one(db)
        .await
        .unwrap()
        .unwrap();
    // A pass before the cycle opened does not count; lessons read last year do.
    pass(db, binh, quiz.id, 1, "2026-05-31").await;
    assert!(run(db, rules, q, "2027-05-09").await.is_empty());
    pass(db, binh, quiz.id, 2, "2027-05-10").await;
    let again = run(db, rules, q, "2027-05-11").await;
    assert_eq!(lines(&again.completed), ["attt-hang-nam binh 2 2027-05-10"]);
    assert_eq!(again.completed[0].valid_until, Some(day("2028-05-10")));
    let renewed = standings(db, "binh", "2027-05-11").await;
    assert!(renewed.contains(&"attt-hang-nam valid 2027-06-01 2028-05-10".to_string()), "{renewed:?}");
    let history = programme_assignment::Entity::find()
        .filter(programme_assignment::Column::UserId.eq(binh))
        .filter(programme_assignment::Column::ProgrammeId.eq("attt-hang-nam"))
        .all(db)
        .await
        .unwrap();
    let mut cycles: Vec<_> = history.iter().map(|c| (c.cycle, c.completed_on, c.valid_until)).collect();
    cycles.sort();
    assert_eq!(
        cycles,
        [
            (1, Some(day("2026-06-01")), Some(day("2027-06-01"))),
            (2, Some(day("2027-05-10")), Some(day("2028-05-10")))
        ],
        "the first completion stays in history"
    );
}

/// `programme standing due valid_until` for each of `username`'s programmes on `on`.
async fn standings(db: &DatabaseConnection, username: &str, on: &str) -> Vec<String> {
    let mine =
        daotao_core::learning::programmes::my_programmes(db, id(db, username).await, day(on)).await.unwrap();
    mine.iter()
        .map(|p| {
            let until = p.valid_until.map_or("-".to_string(), |d| d.to_string());
            format!("{} {} {} {until}", p.programme_id, p.standing.as_str(), p.due_on)
        })
        .collect()
}

/// A passed attempt at `quiz_id` submitted at 10:00 in Viet Nam on `on`.
async fn pass(db: &DatabaseConnection, user_id: i64, quiz_id: i64, number: i32, on: &str) {
    let at = Utc.from_utc_datetime(&day(on).and_hms_opt(3, 0, 0).unwrap());
    quiz_attempt::Entity::insert(quiz_attempt::ActiveModel {
        id: NotSet,
        user_id: Set(user_id),
        quiz_id: Set(quiz_id),
        course_id: Set(BASIC.into()),
        number: Set(number),
        questions: Set("[]".into()),
        answers: Set("{}".into()),
        pass_percent: Set(80),
        started_at: Set(at),
        deadline: Set(None),
        submitted_at: Set(Some(at)),
        closed_by_server: Set(false),
        marks: Set(None),
        score: Set(Some(9.0)),
        max_score: Set(10.0),
        percent: Set(Some(90.0)),
        passed: Set(Some(true)),
    })
    .exec_without_returning(db)
    .await
    .unwrap();
}

#[tokio::test]
async fn programmes_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display())).await.unwrap();
    story(db).await;
}

#[tokio::test]
async fn programmes_on_postgres() {
    let Some(db) = support::fresh_postgres_database().await else { return };
    story(db).await;
}

/// The server's pass while other connections write (an exam rush: every answer saved is a commit). Another
/// connection holds a write transaction open while the pass runs, and commits once the pass has had time to
/// read everything. A pass begun as a reader (SQLite's default, `DEFERRED`) fails at its first write with
/// "database is locked" (5 while the other holds the lock, 517 once it has committed: its snapshot is
/// stale, and no busy timeout waits that out); begun as a writer it waits for the lock and then runs.
async fn pass_while_others_write(db: DatabaseConnection) {
    let db = &db;
    let q = seed(db).await;
    if db.get_database_backend() == DbBackend::Sqlite {
        // The failure this guards against, shown on the same database: read, someone commits, write.
        let reader = db.begin().await.unwrap();
        assert_eq!(cycles(&reader).await, 0);
        units::insert_units(db, &[new_unit("XA-B")]).await.unwrap();
        let late = units::insert_units(&reader, &[new_unit("XA-C")]).await;
        let error = format!("{:?}", late.expect_err("a stale reader cannot write"));
        assert!(error.contains("database is locked") && error.contains("517"), "{error}");
        reader.rollback().await.unwrap();
    }
    let other = db::begin_write(db).await.unwrap();
    units::insert_units(&other, &[new_unit("XA-D")]).await.unwrap();
    let pass = tokio::spawn({
        let (db, q) = (db.clone(), q.clone());
        async move { assign(&db, &rules(), &q, day("2026-12-04"), "daotao-server (programmes)", false).await }
    });
    // Ample time for a pass begun as a reader to read everything and reach its first write.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    other.commit().await.unwrap();
    let changes = pass.await.unwrap().expect("the pass waits for the other writer instead of failing");
    assert!(!changes.assigned.is_empty());
    assert_eq!(cycles(db).await, changes.assigned.len() as u64);
    assert!(run(db, &rules(), &q, "2026-12-04").await.is_empty(), "a second pass has nothing left to do");
}

/// Several servers (or a server and an admin) applying the programmes at the same moment, as two servers
/// starting together do: each pass waits for the one before, the later ones find nothing left to do, and none
/// fails (on PostgreSQL, two passes planned the same assignments and all but one failed on the unique key).
async fn passes_at_once(db: DatabaseConnection) {
    let q = seed(&db).await;
    let passes: Vec<_> = (0..4)
        .map(|_| {
            let (db, q) = (db.clone(), q.clone());
            tokio::spawn(async move {
                assign(&db, &rules(), &q, day("2026-12-04"), "daotao-server (programmes)", false).await
            })
        })
        .collect();
    let mut assigned = Vec::new();
    for pass in passes {
        let changes = pass.await.unwrap().expect("a pass waits for the others instead of failing");
        assigned.push(changes.assigned.len());
    }
    assert_eq!(
        assigned.iter().filter(|n| **n > 0).count(),
        1,
        "{assigned:?}: one pass assigns, the others find it done"
    );
    assert_eq!(cycles(&db).await, assigned.iter().sum::<usize>() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passes_at_once_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display())).await.unwrap();
    passes_at_once(db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passes_at_once_on_postgres() {
    let Some(db) = support::fresh_postgres_database().await else { return };
    passes_at_once(db).await;
}

fn new_unit(code: &str) -> NewUnit {
    NewUnit { code: code.into(), name: code.into(), parent_code: None }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pass_while_others_write_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display())).await.unwrap();
    pass_while_others_write(db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pass_while_others_write_on_postgres() {
    let Some(db) = support::fresh_postgres_database().await else { return };
    pass_while_others_write(db).await;
}

/// The migration undoes cleanly and applies again (an operator rolling back a release).
#[tokio::test]
async fn migration_down_and_up_on_sqlite() {
    use daotao_migrations::{Migrator, MigratorTrait};
    let dir = tempfile::tempdir().unwrap();
    let db = db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display())).await.unwrap();
    // Down to before this migration, however many came after it.
    let steps = Migrator::migrations().iter().rev().position(|m| m.name() == "m20261203_000007_programmes");
    Migrator::down(&db, Some(steps.unwrap() as u32 + 1)).await.unwrap();
    assert!(programme_assignment::Entity::find().all(&db).await.is_err(), "the table is gone");
    Migrator::up(&db, None).await.unwrap();
    assert_eq!(cycles(&db).await, 0);
}
