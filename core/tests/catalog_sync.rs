//! The catalog sync story, run on SQLite and on a real PostgreSQL server
//! (`DAOTAO_TEST_POSTGRES_URL`, default postgres://postgres@127.0.0.1:5432/test).

use std::path::Path;

use daotao_content::course::load_library;
use daotao_core::entities::{course, lesson, quiz};
use daotao_core::learning::catalog::{deactivate_course, sync_library};
use daotao_core::platform::db;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};

mod support;
use support::fresh_postgres_database;

fn write(root: &Path, path: &str, content: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

fn course_files(root: &Path) {
    write(root, "khoa/course.toml", "title = \"Khoá thử\"\nhours = 3\nself_enrol = true\n");
    write(root, "khoa/01-bai-mot.md", "# Bài một\n\nA\n");
    write(root, "khoa/02-bai-hai.md", "# Bài hai\n\nB\n");
    write(root, "khoa/quiz/cuoi-khoa.md", "+++\ntitle = \"Kiểm tra\"\n+++\n\n## Câu hỏi?\n\n= đáp án\n");
}

async fn lessons(db: &DatabaseConnection) -> Vec<(i64, String, i32, String, bool)> {
    lesson::Entity::find()
        .order_by_asc(lesson::Column::Slug)
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|l| (l.id, l.slug, l.position, l.title, l.active))
        .collect()
}

async fn story(db: DatabaseConnection) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    course_files(root);

    // First sync: everything on disk becomes an active row.
    let library = load_library(root);
    assert!(library.problems.is_empty(), "{:?}", library.problems);
    sync_library(&db, &library).await.unwrap();
    let c = course::Entity::find_by_id("khoa").one(&db).await.unwrap().unwrap();
    assert_eq!((c.title.as_str(), c.hours, c.self_enrol, c.active), ("Khoá thử", 3, true, true));
    assert_eq!(c.content_hash, library.courses["khoa"].content_hash);
    let first = lessons(&db).await;
    assert_eq!(first.len(), 2);
    assert_eq!((first[1].1.as_str(), first[1].2, first[1].4), ("bai-mot", 1, true));
    assert_eq!(quiz::Entity::find().all(&db).await.unwrap().len(), 1);

    // Syncing the same library again changes nothing.
    sync_library(&db, &library).await.unwrap();
    assert_eq!(lessons(&db).await, first);

    // A trainer renames a lesson, deletes one and adds another.
    write(root, "khoa/01-bai-mot.md", "# Bài một (sửa)\n\nA\n");
    std::fs::remove_file(root.join("khoa/02-bai-hai.md")).unwrap();
    write(root, "khoa/02-bai-ba.md", "# Bài ba\n\nC\n");
    sync_library(&db, &load_library(root)).await.unwrap();
    let after = lessons(&db).await;
    let by_slug = |slug: &str| after.iter().find(|l| l.1 == slug).unwrap().clone();
    let (id, _, position, title, active) = by_slug("bai-mot");
    assert_eq!(
        (id, position, title.as_str(), active),
        (first[1].0, 1, "Bài một (sửa)", true),
        "same row survives edits"
    );
    assert!(!by_slug("bai-hai").4, "a deleted lesson is kept, inactive");
    assert_eq!((by_slug("bai-ba").2, by_slug("bai-ba").4), (2, true));

    // The course folder disappears: the course is kept, inactive.
    let empty = tempfile::tempdir().unwrap();
    sync_library(&db, &load_library(empty.path())).await.unwrap();
    let c = course::Entity::find_by_id("khoa").one(&db).await.unwrap().unwrap();
    assert!(!c.active);

    // It comes back, then is removed by the watcher's path.
    sync_library(&db, &load_library(root)).await.unwrap();
    assert!(course::Entity::find_by_id("khoa").one(&db).await.unwrap().unwrap().active);
    deactivate_course(&db, "khoa").await.unwrap();
    let active = lesson::Entity::find().filter(lesson::Column::Active.eq(true)).all(&db).await.unwrap();
    assert!(active.is_empty());
    assert!(!course::Entity::find_by_id("khoa").one(&db).await.unwrap().unwrap().active);
}

#[tokio::test]
async fn catalog_sync_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display())).await.unwrap();
    story(db).await;
}

#[tokio::test]
async fn catalog_sync_on_postgres() {
    let Some(db) = fresh_postgres_database().await else { return };
    story(db).await;
}
