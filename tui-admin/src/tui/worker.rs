//! The database work of the terminal UI, off the UI thread: the UI sends a
//! [`Request`] and keeps drawing and reading keys; each request runs as its
//! own task on the tokio runtime and its [`Response`] comes back on a channel
//! that the UI drains between frames. Writes are audited like the plain
//! subcommands.

use std::path::PathBuf;
use std::sync::mpsc;

use chrono::NaiveDate;
use daotao_core::accounts::{self, AccountDetails, NewUser};
use daotao_core::course_enrollments::{self, EnrolledPage};
use daotao_core::course_stats::{self, CourseStats};
use daotao_core::db::Db;
use daotao_core::enrollment;
use daotao_core::entities::user;
use daotao_core::import::enrollments::{EnrollFileError, import_enrollments};
use daotao_core::import::{self, ImportError};
use daotao_core::overview::{self, Overview, UnitProgress};
use daotao_core::progress::{self, MyCourse};
use daotao_core::unit_tree::{self, TreeUnit};
use daotao_core::units::{self, NewUnit};
use daotao_core::user_search::{self, UserPage};

/// Rows per page of the users and enrollments tables.
pub const PER_PAGE: u64 = 100;

/// Something for the worker to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Overview,
    OverviewByUnit,
    Units,
    AddUnit(NewUnit),
    RenameUnit { code: String, name: String },
    MoveUnit { code: String, parent: Option<String> },
    ImportUnits(PathBuf),
    Users { filter: String, page: u64 },
    UserDetail(i64),
    AddUser(NewUserRequest),
    EditUser { username: String, details: AccountDetails },
    SetActive { username: String, active: bool },
    ResetPassword(String),
    Unlock(String),
    Courses,
    Enrolled { course: String, filter: String, page: u64 },
    EnrolUser { course: String, username: String, due: Option<NaiveDate> },
    EnrolUnit { course: String, unit: String, due: Option<NaiveDate> },
    EnrolFile { course: String, path: PathBuf, due: Option<NaiveDate> },
    SetDue { course: String, user_id: i64, username: String, due: Option<NaiveDate> },
    Withdraw { course: String, user_id: i64, username: String },
}

impl Request {
    /// Whether this is slow or changes something: the status line shows it as work in progress.
    pub fn is_work(&self) -> bool {
        !matches!(
            self,
            Request::Overview
                | Request::OverviewByUnit
                | Request::Units
                | Request::Users { .. }
                | Request::UserDetail(_)
                | Request::Courses
                | Request::Enrolled { .. }
        )
    }

    /// What the status line says while it runs.
    pub fn describe(&self) -> String {
        match self {
            Request::ImportUnits(path) => format!("Đang nhập đơn vị từ {}", path.display()),
            Request::EnrolFile { path, .. } => format!("Đang ghi danh theo danh sách {}", path.display()),
            Request::EnrolUnit { unit, .. } => format!("Đang ghi danh đơn vị {unit}"),
            Request::ResetPassword(u) => format!("Đang đặt lại mật khẩu của {u}"),
            Request::AddUser(u) => format!("Đang tạo tài khoản {}", u.username),
            _ => "Đang xử lý".to_string(),
        }
    }
}

/// An account to create from the form (the password is always a generated one-time password).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUserRequest {
    pub username: String,
    pub full_name: String,
    pub unit_code: String,
    pub position: String,
    pub role: user::Role,
    pub email: Option<String>,
}

/// A user's detail: the account, its unit and its enrollments with progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserDetail {
    pub user: user::Model,
    pub unit: Option<(String, String)>,
    pub courses: Vec<MyCourse>,
}

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    Overview(Box<Overview>),
    OverviewByUnit(Vec<UnitProgress>),
    Units(Vec<TreeUnit>),
    Users {
        filter: String,
        page: UserPage,
    },
    UserDetail(Box<UserDetail>),
    Courses(Vec<CourseStats>),
    Enrolled {
        filter: String,
        page: EnrolledPage,
    },
    /// A change was made: what to say; the screens reload what they show.
    Done(String),
    /// A one-time password to show once.
    Password {
        username: String,
        password: String,
        created: bool,
    },
    /// A refused file: every problem, by line and column.
    Problems {
        title: String,
        lines: Vec<String>,
    },
    Failed(String),
}

/// The UI's end of the worker.
pub struct Worker {
    requests: tokio::sync::mpsc::UnboundedSender<Request>,
    pub responses: mpsc::Receiver<Response>,
}

impl Worker {
    /// Starts the worker on `runtime` with its own handle on the database.
    pub fn spawn(runtime: &tokio::runtime::Handle, db: Db, today: NaiveDate) -> Worker {
        let (requests, mut incoming) = tokio::sync::mpsc::unbounded_channel::<Request>();
        let (send, responses) = mpsc::channel();
        runtime.spawn(async move {
            while let Some(request) = incoming.recv().await {
                let db = db.clone();
                let send = send.clone();
                tokio::spawn(async move {
                    let response = handle(&db, request, today)
                        .await
                        .unwrap_or_else(|e| Response::Failed(format!("{e:#}")));
                    let _ = send.send(response);
                });
            }
        });
        Worker { requests, responses }
    }

    /// Queues a request (never blocks the UI).
    pub fn send(&self, request: Request) {
        let _ = self.requests.send(request);
    }
}

async fn handle(db: &Db, request: Request, today: NaiveDate) -> anyhow::Result<Response> {
    Ok(match request {
        Request::Overview => {
            Response::Overview(Box::new(overview::overview(db, today, chrono::Utc::now()).await?))
        }
        Request::OverviewByUnit => Response::OverviewByUnit(overview::progress_by_unit(db).await?),
        Request::Units => Response::Units(unit_tree::tree(db).await?),
        Request::AddUnit(new) => {
            units::insert_units(db, std::slice::from_ref(&new)).await?;
            crate::audit(db, "unit.create", &new.code, &new.name).await?;
            Response::Done(format!("Đã thêm đơn vị {} ({})", new.code, new.name))
        }
        Request::RenameUnit { code, name } => {
            let unit = units::rename(db, &code, &name).await?;
            crate::audit(db, "unit.rename", &unit.code, &unit.name).await?;
            Response::Done(format!("Đã đổi tên {} thành “{}”", unit.code, unit.name))
        }
        Request::MoveUnit { code, parent } => {
            let unit = units::move_to(db, &code, parent.as_deref()).await?;
            let to = parent.unwrap_or_else(|| "cấp cao nhất".to_string());
            crate::audit(db, "unit.move", &unit.code, &to).await?;
            Response::Done(format!("Đã chuyển {} vào {to}", unit.code))
        }
        Request::ImportUnits(path) => {
            let source = std::fs::read(&path)
                .map_err(|e| anyhow::anyhow!("Không đọc được {}: {e}", path.display()))?;
            match import::import_units(db, &source, false).await {
                Ok(done) => {
                    let n = done.units.len();
                    crate::audit(db, "units.import", &path.display().to_string(), &format!("{n} units"))
                        .await?;
                    Response::Done(format!("Đã nhập {n} đơn vị từ {}", path.display()))
                }
                Err(e) => refused(&path, e)?,
            }
        }
        Request::Users { filter, page } => {
            let page = user_search::page(db, &filter, page, PER_PAGE).await?;
            Response::Users { filter, page }
        }
        Request::UserDetail(id) => {
            use sea_orm::EntityTrait;
            let Some(user) = user::Entity::find_by_id(id).one(db).await? else {
                anyhow::bail!("Tài khoản không còn nữa");
            };
            let unit = match user.unit_id {
                Some(unit_id) => daotao_core::entities::unit::Entity::find_by_id(unit_id)
                    .one(db)
                    .await?
                    .map(|u| (u.code, u.name)),
                None => None,
            };
            let courses = progress::my_courses(db, user.id, today).await?;
            Response::UserDetail(Box::new(UserDetail { user, unit, courses }))
        }
        Request::AddUser(new) => {
            let (user, password) = accounts::add_user(
                db,
                NewUser {
                    username: new.username,
                    full_name: new.full_name,
                    email: new.email,
                    unit_code: Some(new.unit_code.clone()),
                    position: new.position,
                    role: new.role,
                    password: None,
                },
            )
            .await
            .map_err(crate::accounts::explain)?;
            crate::audit(
                db,
                "user.create",
                &user.username,
                &format!("role {}, unit {}", user.role.as_str(), new.unit_code),
            )
            .await?;
            Response::Password {
                username: user.username,
                password: password.unwrap_or_default(),
                created: true,
            }
        }
        Request::EditUser { username, details } => {
            let user =
                accounts::update_user(db, &username, details).await.map_err(crate::accounts::explain)?;
            crate::audit(db, "user.update", &user.username, "").await?;
            Response::Done(format!("Đã lưu thông tin của {}", user.username))
        }
        Request::SetActive { username, active } => {
            let (user, ended) =
                accounts::set_active(db, &username, active).await.map_err(crate::accounts::explain)?;
            if active {
                crate::audit(db, "user.activate", &user.username, "").await?;
                Response::Done(format!("Tài khoản {} đã hoạt động lại", user.username))
            } else {
                crate::audit(db, "user.deactivate", &user.username, &format!("{ended} sessions ended"))
                    .await?;
                Response::Done(format!(
                    "Đã ngừng hoạt động {}, {ended} phiên đăng nhập đã kết thúc",
                    user.username
                ))
            }
        }
        Request::ResetPassword(username) => {
            let password =
                accounts::set_password(db, &username, None).await.map_err(crate::accounts::explain)?;
            crate::audit(db, "user.set_password", &username, "one-time password").await?;
            Response::Password { username, password: password.unwrap_or_default(), created: false }
        }
        Request::Unlock(username) => {
            let (user, was_locked) =
                accounts::unlock(db, &username).await.map_err(crate::accounts::explain)?;
            crate::audit(
                db,
                "user.unlock",
                &user.username,
                if was_locked { "was locked" } else { "was not locked" },
            )
            .await?;
            Response::Done(if was_locked {
                format!("Đã mở khoá {}", user.username)
            } else {
                format!("{} không bị khoá; đã đặt lại số lần đăng nhập sai", user.username)
            })
        }
        Request::Courses => Response::Courses(course_stats::catalog(db).await?),
        Request::Enrolled { course, filter, page } => {
            let page = course_enrollments::page(db, &course, &filter, page, PER_PAGE).await?;
            Response::Enrolled { filter, page }
        }
        Request::EnrolUser { course, username, due } => {
            let Some(user) = accounts::find_user(db, &username).await? else {
                anyhow::bail!("Không có tài khoản `{username}`");
            };
            let added = enrollment::enroll_users(db, &course, &[user.id], due, None)
                .await
                .map_err(crate::enroll::explain)?;
            crate::audit(db, "enroll", &format!("{course} {}", user.username), &format!("{added} new"))
                .await?;
            Response::Done(if added == 1 {
                format!("Đã ghi danh {} vào {course}{}", user.username, due_text(due))
            } else {
                format!("{} đã ghi danh vào {course} từ trước, không thay đổi gì", user.username)
            })
        }
        Request::EnrolUnit { course, unit, due } => {
            let ids = enrollment::unit_members(db, &unit).await.map_err(crate::enroll::explain)?;
            let added = enrollment::enroll_users(db, &course, &ids, due, None)
                .await
                .map_err(crate::enroll::explain)?;
            crate::audit(db, "enroll", &format!("{course} {unit}"), &format!("{added} new")).await?;
            Response::Done(format!(
                "Đã ghi danh mới {added} trong số {} người của {unit} và đơn vị trực thuộc vào {course}{}",
                ids.len(),
                due_text(due)
            ))
        }
        Request::EnrolFile { course, path, due } => {
            let source = std::fs::read(&path)
                .map_err(|e| anyhow::anyhow!("Không đọc được {}: {e}", path.display()))?;
            match import_enrollments(db, &source, &course, due, None, false).await {
                Ok(done) => {
                    crate::audit(
                        db,
                        "enroll",
                        &format!("{course} {}", path.display()),
                        &format!("{} new", done.added),
                    )
                    .await?;
                    Response::Done(format!(
                        "Đã ghi danh mới {} trong số {} người của danh sách vào {course}{}",
                        done.added,
                        done.listed,
                        due_text(due)
                    ))
                }
                Err(EnrollFileError::File(e)) => refused(&path, e)?,
                Err(EnrollFileError::Enroll(e)) => return Err(crate::enroll::explain(e)),
            }
        }
        Request::SetDue { course, user_id, username, due } => {
            enrollment::set_due_date(db, &course, &[user_id], due).await?;
            let shown = due.map_or("không hạn".to_string(), |d| d.to_string());
            crate::audit(db, "enroll.due", &format!("{course} {username}"), &shown).await?;
            Response::Done(format!("Đã đổi hạn của {username} trong {course}: {shown}"))
        }
        Request::Withdraw { course, user_id, username } => {
            let removed = enrollment::withdraw(db, &course, &[user_id]).await?;
            crate::audit(
                db,
                "enroll.withdraw",
                &format!("{course} {username}"),
                &format!("{removed} withdrawn"),
            )
            .await?;
            Response::Done(format!("Đã rút {username} khỏi {course}"))
        }
    })
}

fn due_text(due: Option<NaiveDate>) -> String {
    due.map_or(String::new(), |d| format!(", hạn {d}"))
}

/// The problems of a refused file, for a popup.
fn refused(path: &std::path::Path, e: ImportError) -> anyhow::Result<Response> {
    match e {
        ImportError::Invalid(problems) => Ok(Response::Problems {
            title: format!("{} lỗi trong {}, không thay đổi gì", problems.len(), path.display()),
            lines: problems.iter().map(ToString::to_string).collect(),
        }),
        ImportError::Db(e) => Err(e.into()),
    }
}
