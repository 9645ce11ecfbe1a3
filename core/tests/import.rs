//! CSV imports of units and users on real databases: SQLite files, and a
//! PostgreSQL server (`DAOTAO_TEST_POSTGRES_URL`, default
//! postgres://postgres@127.0.0.1:5432/test) for the good imports.

use std::collections::BTreeSet;

use daotao_core::entities::user::Role;
use daotao_core::entities::{unit, user};
use daotao_core::import::{ImportError, import_units, import_users};
use daotao_core::people::auth::password;
use daotao_core::platform::db;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use unicode_normalization::UnicodeNormalization;

mod support;
use support::fresh_postgres_database;

const UNITS: &str = "\
code,name,parent_code
P-BM.VP,Văn phòng HĐND và UBND phường,P-BM
P-BM,UBND phường Bình Minh,TINH
TINH,Tỉnh Mẫu,
SO-NV,Sở Nội vụ,TINH
";

const USERS: &str = "\
username,full_name,email,unit_code,position,role
lan.nguyen,Nguyễn Thị Lan,lan.nguyen@tinhmau.gov.vn,SO-NV,Chuyên viên,learner
Hung.Tran,  Trần Văn Hùng ,,P-BM.VP,Công chức,
giangvien,Phạm Thu Hà,,TINH,Giảng viên,Trainer
";

async fn sqlite() -> (DatabaseConnection, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = db::connect(&format!("sqlite://{}/t.sqlite", dir.path().display())).await.unwrap();
    (db, dir)
}

async fn counts(db: &DatabaseConnection) -> (u64, u64) {
    (unit::Entity::find().count(db).await.unwrap(), user::Entity::find().count(db).await.unwrap())
}

async fn unit_by_code(db: &DatabaseConnection, code: &str) -> unit::Model {
    unit::Entity::find().filter(unit::Column::Code.eq(code)).one(db).await.unwrap().unwrap()
}

async fn user_by_name(db: &DatabaseConnection, username: &str) -> user::Model {
    user::Entity::find().filter(user::Column::Username.eq(username)).one(db).await.unwrap().unwrap()
}

/// "line N, column C" of each problem of a refused import.
fn places(result: Result<impl std::fmt::Debug, ImportError>) -> BTreeSet<String> {
    let err = result.expect_err("the file should be refused");
    assert!(!err.problems().is_empty(), "{err}");
    err.problems().iter().map(|p| p.to_string().split(": ").next().unwrap().to_string()).collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

async fn good_imports(db: DatabaseConnection) {
    // Units: a child listed before its parent, a grandchild before both.
    let done = import_units(&db, UNITS.as_bytes(), false).await.unwrap();
    let order: Vec<&str> = done.units.iter().map(|u| u.code.as_str()).collect();
    let pos = |code: &str| order.iter().position(|c| *c == code).unwrap();
    assert_eq!(order.len(), 4);
    assert!(pos("TINH") < pos("P-BM") && pos("P-BM") < pos("P-BM.VP"), "{order:?}");
    let tinh = unit_by_code(&db, "TINH").await;
    assert_eq!((tinh.name.as_str(), tinh.parent_id), ("Tỉnh Mẫu", None));
    let ward = unit_by_code(&db, "P-BM").await;
    assert_eq!(ward.parent_id, Some(tinh.id));
    assert_eq!(unit_by_code(&db, "P-BM.VP").await.parent_id, Some(ward.id));
    assert_eq!(unit_by_code(&db, "SO-NV").await.parent_id, Some(tinh.id));

    // A second file hangs new units under existing ones.
    let more = "code,name,parent_code\nSO-NV.TCBM,Phòng Tổ chức bộ máy,SO-NV\n";
    import_units(&db, more.as_bytes(), false).await.unwrap();
    let so_nv = unit_by_code(&db, "SO-NV").await;
    assert_eq!(unit_by_code(&db, "SO-NV.TCBM").await.parent_id, Some(so_nv.id));
    assert_eq!(counts(&db).await, (5, 0));

    // Users: every one gets a one-time password that must be changed.
    let done = import_users(&db, USERS.as_bytes(), false).await.unwrap();
    assert!(!done.dry_run);
    let names: Vec<&str> = done.users.iter().map(|u| u.username.as_str()).collect();
    assert_eq!(names, ["lan.nguyen", "hung.tran", "giangvien"]);
    for created in &done.users {
        let otp = created.one_time_password.as_deref().expect("a one-time password");
        let row = user_by_name(&db, &created.username).await;
        assert!(row.must_change_password && row.active, "{row:?}");
        assert!(password::verify(otp, &row.password_hash), "the printed password opens {}", row.username);
    }
    let lan = user_by_name(&db, "lan.nguyen").await;
    assert_eq!(
        (lan.full_name.as_str(), lan.email.as_deref(), lan.unit_id, lan.position.as_str(), lan.role),
        ("Nguyễn Thị Lan", Some("lan.nguyen@tinhmau.gov.vn"), Some(so_nv.id), "Chuyên viên", Role::Learner)
    );
    let hung = user_by_name(&db, "hung.tran").await;
    assert_eq!((hung.full_name.as_str(), hung.email, hung.role), ("Trần Văn Hùng", None, Role::Learner));
    assert_eq!(user_by_name(&db, "giangvien").await.role, Role::Trainer);
    assert_eq!(counts(&db).await, (5, 3));

    // Importing the same file again is refused (no silent update), and changes nothing.
    let again = places(import_users(&db, USERS.as_bytes(), false).await);
    assert_eq!(
        again,
        set(&["line 2, column username", "line 3, column username", "line 4, column username"])
    );
    let units_again = places(import_units(&db, UNITS.as_bytes(), false).await);
    assert_eq!(units_again.len(), 4, "{units_again:?}");
    assert_eq!(counts(&db).await, (5, 3));
    assert_eq!(user_by_name(&db, "lan.nguyen").await.password_hash, lan.password_hash);
}

async fn one_bad_row_changes_nothing(db: DatabaseConnection) {
    import_units(&db, "code,name,parent_code\nTINH,Tỉnh Mẫu,\n".as_bytes(), false).await.unwrap();
    let before = counts(&db).await;
    let units = "code,name,parent_code\nA,Một,TINH\nB,Hai,A\nC,Ba,A\nD,Bốn,KHONG-CO\nE,Năm,TINH\n";
    assert_eq!(
        places(import_units(&db, units.as_bytes(), false).await),
        set(&["line 5, column parent_code"])
    );
    assert_eq!(counts(&db).await, before);

    let users = "username,full_name,email,unit_code,position,role\n\
        a.nguyen,Nguyễn Văn A,,TINH,,\n\
        b.tran,Trần Thị B,,TINH,,\n\
        c.le,Lê Văn C,,TINH,,giam-doc\n\
        d.pham,Phạm Thị D,,TINH,,\n";
    assert_eq!(places(import_users(&db, users.as_bytes(), false).await), set(&["line 4, column role"]));
    assert_eq!(counts(&db).await, before);
}

#[tokio::test]
async fn good_files_import_on_sqlite() {
    let (db, _dir) = sqlite().await;
    good_imports(db).await;
}

#[tokio::test]
async fn good_files_import_on_postgres() {
    let Some(db) = fresh_postgres_database().await else { return };
    good_imports(db).await;
}

#[tokio::test]
async fn one_bad_row_among_good_ones_changes_nothing_on_sqlite() {
    let (db, _dir) = sqlite().await;
    one_bad_row_changes_nothing(db).await;
}

#[tokio::test]
async fn one_bad_row_among_good_ones_changes_nothing_on_postgres() {
    let Some(db) = fresh_postgres_database().await else { return };
    one_bad_row_changes_nothing(db).await;
}

#[tokio::test]
async fn every_bad_unit_row_is_reported_with_its_line_and_column() {
    let (db, _dir) = sqlite().await;
    import_units(&db, "code,name,parent_code\nTINH,Tỉnh Mẫu,\n".as_bytes(), false).await.unwrap();
    let file = "\
code,name,parent_code
,Không mã,TINH
SỞ NV,Mã có dấu,TINH
SO-NV,Sở Nội vụ,TINH
SO-NV,Sở Nội vụ lần hai,TINH
TINH,Tỉnh trùng,
SO-TC,,TINH
SO-YT,Sở Y tế,SO-Y-TE
A,Vòng một,B
B,Vòng hai,A
C,Tự làm cấp trên,C
D,Dưới vòng lặp,A
E,Thiếu cột
";
    let err = import_units(&db, file.as_bytes(), false).await.unwrap_err();
    let text: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    let at = |place: &str| {
        text.iter().find(|t| t.starts_with(place)).unwrap_or_else(|| panic!("{place}: {text:#?}"))
    };
    assert!(at("line 2, column code:").contains("bắt buộc / required"));
    assert!(at("line 3, column code:").contains("`SỞ NV` is not valid"));
    assert!(at("line 5, column code:").contains("`SO-NV` is already on line 4"));
    assert!(at("line 6, column code:").contains("`TINH` already exists in the database"));
    assert!(at("line 7, column name:").contains("required"));
    assert!(at("line 8, column parent_code:").contains("no unit with code `SO-Y-TE`"));
    assert!(at("line 9, column parent_code:").contains("cycle A → B → A"), "{text:#?}");
    assert!(at("line 10, column parent_code:").contains("cycle"));
    assert!(at("line 11, column parent_code:").contains("cycle C → C"));
    assert!(at("line 13:").contains("2 values, expected 3"));
    assert_eq!(text.len(), 10, "one problem each, and none for D below the cycle: {text:#?}");
    assert_eq!(counts(&db).await, (1, 0));

    let header = places(import_units(&db, "Code,name\nX,Y\n".as_bytes(), false).await);
    assert_eq!(header, set(&["line 1, column Code", "line 1, column code", "line 1, column parent_code"]));
}

#[tokio::test]
async fn every_bad_user_row_is_reported_with_its_line_and_column() {
    let (db, _dir) = sqlite().await;
    import_units(&db, UNITS.as_bytes(), false).await.unwrap();
    import_users(
        &db,
        "username,full_name,email,unit_code,position,role\nco.roi,Có Rồi,,TINH,,\n".as_bytes(),
        false,
    )
    .await
    .unwrap();
    let file = "\
username,full_name,email,unit_code,position,role
,Không tên đăng nhập,,TINH,,
lan nguyễn,Nguyễn Thị Lan,,TINH,,
ab,Quá ngắn,,TINH,,
lan.nguyen,Nguyễn Thị Lan,,TINH,,
LAN.NGUYEN,Nguyễn Thị Lan lần hai,,TINH,,
co.roi,Có Rồi,,TINH,,
khong.ten,,,TINH,,
thu.sai,Thư Sai,thu.sai@,TINH,,
don.vi.la,Đơn Vị Lạ,,SO-LA,,
khong.don.vi,Không Đơn Vị,,,,
vai.tro,Vai Trò,,TINH,,boss
thieu.cot,Thiếu Cột,,TINH
";
    let err = import_users(&db, file.as_bytes(), false).await.unwrap_err();
    let text: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    let at = |place: &str| {
        text.iter().find(|t| t.starts_with(place)).unwrap_or_else(|| panic!("{place}: {text:#?}"))
    };
    assert!(at("line 2, column username:").contains("required"));
    assert!(at("line 3, column username:").contains("(`lan.nguyen`?)"), "{text:#?}");
    assert!(at("line 4, column username:").contains("username `ab` is not valid"));
    assert!(at("line 6, column username:").contains("`lan.nguyen` is already on line 5"));
    assert!(at("line 7, column username:").contains("account `co.roi` already exists"));
    assert!(at("line 8, column full_name:").contains("required"));
    assert!(at("line 9, column email:").contains("`thu.sai@` is not an email address"));
    assert!(at("line 10, column unit_code:").contains("no unit with code `SO-LA`"));
    assert!(at("line 11, column unit_code:").contains("required"));
    assert_eq!(
        at("line 12, column role:"),
        "line 12, column role: vai trò `boss` không hợp lệ: dùng learner, trainer hoặc admin / `boss` is not a role: use learner, trainer or admin"
    );
    assert!(at("line 13:").contains("4 values, expected 6"));
    assert_eq!(text.len(), 11, "{text:#?}");
    assert_eq!(counts(&db).await, (4, 1));
}

#[tokio::test]
async fn bom_crlf_semicolons_any_column_order_and_nfd_text() {
    let (db, _dir) = sqlite().await;
    let nfd = |s: &str| s.nfd().collect::<String>();
    let units = format!(
        "\u{FEFF}name,code,parent_code\r\n{},TINH,\r\n{},SO-KHCN,TINH\r\n",
        nfd("Tỉnh Mẫu"),
        nfd("Sở Khoa học và Công nghệ")
    );
    assert_ne!(units, units.nfc().collect::<String>(), "the file really is decomposed");
    import_units(&db, units.as_bytes(), false).await.unwrap();
    assert_eq!(unit_by_code(&db, "SO-KHCN").await.name, "Sở Khoa học và Công nghệ");

    let users = format!(
        "\u{FEFF}role;unit_code;username;full_name;email;position\r\n;SO-KHCN;minh.le;{};;{}\r\n\r\n;;;;;\r\nadmin;TINH;quan.tri;{};;\r\n",
        nfd("Lê Quang Minh"),
        nfd("Chuyên viên công nghệ thông tin"),
        nfd("Quản trị hệ thống")
    );
    let done = import_users(&db, users.as_bytes(), false).await.unwrap();
    assert_eq!(
        done.users.iter().map(|u| u.line).collect::<Vec<_>>(),
        [2, 5],
        "blank rows skipped, lines kept"
    );
    let minh = user_by_name(&db, "minh.le").await;
    assert_eq!(
        (minh.full_name.as_str(), minh.position.as_str()),
        ("Lê Quang Minh", "Chuyên viên công nghệ thông tin")
    );
    assert_eq!(user_by_name(&db, "quan.tri").await.role, Role::Admin);

    // A file saved in a legacy encoding is refused as a whole, with the line of the first bad byte.
    let legacy = b"username,full_name,email,unit_code,position,role\nx.y,Nguy\xEAn,,TINH,,\n";
    assert_eq!(places(import_users(&db, legacy, false).await), set(&["line 2"]));
}

#[tokio::test]
async fn dry_runs_check_everything_and_change_nothing() {
    let (db, _dir) = sqlite().await;
    let done = import_units(&db, UNITS.as_bytes(), true).await.unwrap();
    assert!(done.dry_run);
    assert_eq!(done.units.first().map(|u| u.code.as_str()), Some("TINH"), "listed parents first");
    assert_eq!(done.units.len(), 4);
    assert_eq!(counts(&db).await, (0, 0));
    // Problems are still reported in a dry run.
    let bad = "code,name,parent_code\nX,Một,KHONG-CO\n";
    assert_eq!(places(import_units(&db, bad.as_bytes(), true).await), set(&["line 2, column parent_code"]));

    import_units(&db, UNITS.as_bytes(), false).await.unwrap();
    let done = import_users(&db, USERS.as_bytes(), true).await.unwrap();
    assert_eq!(done.users.len(), 3);
    assert!(done.users.iter().all(|u| u.one_time_password.is_none()), "no password is made in a dry run");
    assert_eq!(counts(&db).await, (4, 0));
}
