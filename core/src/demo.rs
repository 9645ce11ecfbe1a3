//! Seeds a small demo province into an empty database, so a newcomer can log
//! in and look around: the units of the fictitious "Tỉnh Mẫu" (departments,
//! the provincial public service centre, one ward and one commune: no
//! district level since the two-level local government of 1 July 2025), an
//! admin, a trainer and ten learners enrolled in the bundled courses.

use chrono::{Days, NaiveDate};
use daotao_content::course::Library;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait};

use crate::entities::user::Role;
use crate::entities::{course_trainer, unit, user};
use crate::import::users::{NewAccount, insert_accounts, with_one_time_passwords};
use crate::learning::enrollment::{self, EnrollError};
use crate::people::units::{self, NewUnit, UnitError};

/// The root unit of the demo province.
pub const ROOT_UNIT: &str = "TINH";

/// Days from today to the due date of the demo enrollments.
pub const DUE_IN_DAYS: u64 = 30;

/// (code, name, parent code), parents first.
const UNITS: &[(&str, &str, Option<&str>)] = &[
    (ROOT_UNIT, "Tỉnh Mẫu", None),
    ("VP-UBND", "Văn phòng UBND tỉnh", Some(ROOT_UNIT)),
    ("SO-NV", "Sở Nội vụ", Some(ROOT_UNIT)),
    ("SO-KHCN", "Sở Khoa học và Công nghệ", Some(ROOT_UNIT)),
    ("SO-KHCN.CDS", "Trung tâm Chuyển đổi số", Some("SO-KHCN")),
    ("TT-PVHCC", "Trung tâm Phục vụ hành chính công tỉnh", Some(ROOT_UNIT)),
    ("P-BINHMINH", "UBND phường Bình Minh", Some(ROOT_UNIT)),
    ("X-TANLAP", "UBND xã Tân Lập", Some(ROOT_UNIT)),
];

/// A demo person: username, full name, unit, position, role, and the course
/// audiences (besides `all-staff`) whose courses they are enrolled in.
struct Person {
    username: &'static str,
    full_name: &'static str,
    unit: &'static str,
    position: &'static str,
    role: Role,
    audiences: &'static [&'static str],
}

const fn person(
    username: &'static str,
    full_name: &'static str,
    unit: &'static str,
    position: &'static str,
    role: Role,
    audiences: &'static [&'static str],
) -> Person {
    Person { username, full_name, unit, position, role, audiences }
}

const IT: &[&str] = &["it-staff"];
const ONE_STOP: &[&str] = &["one-stop-shop"];

const PEOPLE: &[Person] = &[
    person("admin", "Quản trị hệ thống", "SO-KHCN.CDS", "Quản trị viên", Role::Admin, &[]),
    person("giangvien", "Phạm Thu Hà", "SO-KHCN", "Giảng viên kiêm chức", Role::Trainer, &[]),
    person("lan.nguyen", "Nguyễn Thị Lan", "SO-NV", "Chuyên viên", Role::Learner, &[]),
    person("hung.tran", "Trần Văn Hùng", "VP-UBND", "Phó Chánh Văn phòng", Role::Learner, &[]),
    person("thao.pham", "Phạm Phương Thảo", "SO-KHCN", "Chuyên viên", Role::Learner, &[]),
    person("minh.le", "Lê Quang Minh", "SO-KHCN.CDS", "Chuyên viên công nghệ thông tin", Role::Learner, IT),
    person("duc.hoang", "Hoàng Anh Đức", "SO-KHCN.CDS", "Kỹ sư an toàn thông tin", Role::Learner, IT),
    person("hoa.vu", "Vũ Thị Hoa", "TT-PVHCC", "Công chức tiếp nhận hồ sơ", Role::Learner, ONE_STOP),
    person("nam.dang", "Đặng Hoài Nam", "TT-PVHCC", "Phó Giám đốc Trung tâm", Role::Learner, ONE_STOP),
    person(
        "mai.bui",
        "Bùi Thị Mai",
        "P-BINHMINH",
        "Công chức Văn phòng HĐND và UBND",
        Role::Learner,
        ONE_STOP,
    ),
    person("son.do", "Đỗ Văn Sơn", "X-TANLAP", "Chủ tịch UBND xã", Role::Learner, &[]),
    person("yen.ngo", "Ngô Hải Yến", "X-TANLAP", "Công chức Văn hóa - Xã hội", Role::Learner, ONE_STOP),
];

/// The learner whose enrollment in the first all-staff course is overdue, to show how that looks.
pub const OVERDUE_LEARNER: &str = "hung.tran";

/// What was seeded.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub units: Vec<unit::Model>,
    /// With their one-time passwords.
    pub accounts: Vec<NewAccount>,
    /// (course id, title, learners enrolled), in course id order.
    pub enrollments: Vec<(String, String, u64)>,
    pub due_date: NaiveDate,
    /// (username, course id, due date in the past).
    pub overdue: Option<(String, String, NaiveDate)>,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error(
        "cơ sở dữ liệu đã có dữ liệu ({users} tài khoản, {units} đơn vị): chỉ tạo dữ liệu mẫu trong cơ sở dữ liệu trống / the database is not empty ({users} accounts, {units} units): demo data only goes into an empty database"
    )]
    NotEmpty { users: u64, units: u64 },
    #[error(transparent)]
    Unit(#[from] UnitError),
    #[error(transparent)]
    Enroll(#[from] EnrollError),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Syncs `library` into the catalog (unless it has no course at all: a wrong
/// folder must not deactivate the catalog), then seeds the demo province in
/// one transaction. Refuses a database that holds any account or unit.
pub async fn seed(db: &DatabaseConnection, library: &Library, today: NaiveDate) -> Result<Seeded, DemoError> {
    ensure_empty(db).await?;
    if !library.courses.is_empty() {
        crate::learning::catalog::sync_library(db, library).await?;
    }
    let accounts: Vec<NewAccount> = PEOPLE
        .iter()
        .map(|p| NewAccount {
            line: 0,
            username: p.username.to_string(),
            full_name: p.full_name.to_string(),
            email: Some(format!("{}@tinhmau.example", p.username)),
            unit_code: p.unit.to_string(),
            position: p.position.to_string(),
            role: p.role,
            one_time_password: None,
        })
        .collect();
    let accounts = with_one_time_passwords(accounts).await;
    let due_date = today + Days::new(DUE_IN_DAYS);

    let txn = crate::import::begin_write(db).await?;
    ensure_empty(&txn).await?;
    let new_units: Vec<NewUnit> = UNITS
        .iter()
        .map(|(code, name, parent)| NewUnit {
            code: code.to_string(),
            name: name.to_string(),
            parent_code: parent.map(str::to_string),
        })
        .collect();
    let units = units::insert_units(&txn, &new_units).await?;
    insert_accounts(&txn, &accounts).await?;
    let ids: std::collections::HashMap<String, i64> =
        user::Entity::find().all(&txn).await?.into_iter().map(|u| (u.username, u.id)).collect();
    let admin = ids.get("admin").copied();

    let mut overdue = None;
    let first_all_staff = library.courses.values().find(|c| for_everyone(&c.meta.audience));
    if let (Some(course), Some(&learner)) = (first_all_staff, ids.get(OVERDUE_LEARNER)) {
        let past = today - Days::new(7);
        enrollment::enroll_users(&txn, &course.id, &[learner], Some(past), admin).await?;
        overdue = Some((OVERDUE_LEARNER.to_string(), course.id.clone(), past));
    }
    let mut enrollments = Vec::new();
    for course in library.courses.values() {
        let learners: Vec<i64> = PEOPLE
            .iter()
            .filter(|p| p.role == Role::Learner)
            .filter(|p| {
                for_everyone(&course.meta.audience)
                    || course.meta.audience.iter().any(|a| p.audiences.contains(&a.as_str()))
            })
            .filter_map(|p| ids.get(p.username).copied())
            .collect();
        enrollment::enroll_users(&txn, &course.id, &learners, Some(due_date), admin).await?;
        if let Some(&trainer) = ids.get("giangvien") {
            course_trainer::Entity::insert(course_trainer::ActiveModel {
                course_id: sea_orm::Set(course.id.clone()),
                user_id: sea_orm::Set(trainer),
            })
            .exec_without_returning(&txn)
            .await?;
        }
        enrollments.push((course.id.clone(), course.meta.title.clone(), learners.len() as u64));
    }
    txn.commit().await?;
    Ok(Seeded {
        units,
        accounts: accounts.into_iter().map(|(account, _)| account).collect(),
        enrollments,
        due_date,
        overdue,
    })
}

/// A course for all staff: tagged `all-staff`, or with no audience at all.
fn for_everyone(audience: &[String]) -> bool {
    audience.is_empty() || audience.iter().any(|a| a == "all-staff")
}

/// Fails unless the database holds no account and no unit.
pub async fn ensure_empty(db: &impl ConnectionTrait) -> Result<(), DemoError> {
    let users = user::Entity::find().count(db).await?;
    let units = unit::Entity::find().count(db).await?;
    if users > 0 || units > 0 {
        return Err(DemoError::NotEmpty { users, units });
    }
    Ok(())
}
