//! The database work of the terminal UI, off the UI thread: the UI sends a
//! [`Request`] and keeps drawing and reading keys; each request runs as its
//! own task on the tokio runtime and its [`Response`] comes back on a channel
//! that the UI drains between frames. Writes are audited like the plain
//! subcommands. Long jobs (imports, report previews and exports) report each
//! stage they reach as a [`Response::Progress`], so the status line says what
//! is happening rather than only that something is.

use std::path::PathBuf;
use std::sync::{Arc, mpsc};

use chrono::NaiveDate;
use daotao_core::admin_views::course_enrollments::{self, EnrolledPage};
use daotao_core::admin_views::course_stats::{self, CourseStats};
use daotao_core::admin_views::overview::{self, Overview, UnitProgress};
use daotao_core::admin_views::unit_tree::{self, TreeUnit};
use daotao_core::admin_views::user_detail::{self, AttemptLine, CompetencyLine};
use daotao_core::admin_views::user_search::{self, UserPage};
use daotao_core::entities::user;
use daotao_core::import::enrollments::{EnrollFileError, import_enrollments};
use daotao_core::import::{self, ImportError};
use daotao_core::learning::enrollment;
use daotao_core::learning::progress::{self, MyCourse};
use daotao_core::people::accounts::{self, AccountDetails, NewUser};
use daotao_core::people::units::{self, NewUnit};
use daotao_core::platform::db::Db;
use daotao_core::platform::paging::Page;
use daotao_core::report::Table;

use crate::report::Settings;

/// Rows per page of the users and enrollments tables.
pub const PER_PAGE: u64 = 100;

/// Rows per page of a person's attempts and competencies (the detail view scrolls within a page).
pub const DETAIL_PER_PAGE: u64 = 50;

/// The reports of the Báo cáo screen: each is one table of `core::report`'s competency or progress report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReportKind {
    /// The competency report's summary: per unit, rolled up its sub-units, against the targets.
    #[default]
    CompetencyByUnit,
    /// The competency report's detail: one row per person.
    CompetencyByLearner,
    /// The progress report's detail: one row per person and course.
    Progress,
}

impl ReportKind {
    /// Every report, in the order `r` goes through them.
    pub const ALL: [ReportKind; 3] =
        [ReportKind::CompetencyByUnit, ReportKind::CompetencyByLearner, ReportKind::Progress];

    /// Its name on the screen.
    pub fn title(self) -> &'static str {
        match self {
            ReportKind::CompetencyByUnit => "Năng lực theo đơn vị",
            ReportKind::CompetencyByLearner => "Năng lực theo người",
            ReportKind::Progress => "Tiến độ học",
        }
    }

    /// Its name in a file name (ASCII, no spaces).
    pub fn slug(self) -> &'static str {
        match self {
            ReportKind::CompetencyByUnit => "nang-luc-theo-don-vi",
            ReportKind::CompetencyByLearner => "nang-luc-theo-nguoi",
            ReportKind::Progress => "tien-do",
        }
    }

    /// Whether it is a table of the competency report (else of the progress report).
    pub fn competency(self) -> bool {
        !matches!(self, ReportKind::Progress)
    }

    /// The table of `report` this kind shows and writes as CSV, borrowed.
    pub fn table_of(self, report: &daotao_core::report::Report) -> &Table {
        match self {
            ReportKind::CompetencyByUnit => &report.summary,
            ReportKind::CompetencyByLearner | ReportKind::Progress => &report.detail,
        }
    }

    /// The table of `report` this kind shows and writes as CSV.
    pub fn table(self, report: daotao_core::report::Report) -> Table {
        match self {
            ReportKind::CompetencyByUnit => report.summary,
            ReportKind::CompetencyByLearner | ReportKind::Progress => report.detail,
        }
    }
}

pub use crate::report::ExportFormat;

/// Something for the worker to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Overview,
    OverviewByUnit,
    Units,
    AddUnit(NewUnit),
    RenameUnit {
        code: String,
        name: String,
    },
    MoveUnit {
        code: String,
        parent: Option<String>,
    },
    ImportUnits(PathBuf),
    Users {
        filter: String,
        page: u64,
    },
    UserDetail(i64),
    UserAttempts {
        user_id: i64,
        page: u64,
    },
    UserCompetencies {
        user_id: i64,
        page: u64,
    },
    AddUser(NewUserRequest),
    EditUser {
        username: String,
        details: AccountDetails,
    },
    SetActive {
        username: String,
        active: bool,
    },
    ResetPassword(String),
    Unlock(String),
    Courses,
    Enrolled {
        course: String,
        filter: String,
        page: u64,
    },
    EnrolUser {
        course: String,
        username: String,
        due: Option<NaiveDate>,
    },
    EnrolUnit {
        course: String,
        unit: String,
        due: Option<NaiveDate>,
    },
    EnrolFile {
        course: String,
        path: PathBuf,
        due: Option<NaiveDate>,
    },
    SetDue {
        course: String,
        user_id: i64,
        username: String,
        due: Option<NaiveDate>,
    },
    Withdraw {
        course: String,
        user_id: i64,
        username: String,
    },
    /// Compute a report for the screen: `unit` with its sub-units, or every unit.
    ReportPreview {
        unit: Option<String>,
        kind: ReportKind,
    },
    ExportReport {
        unit: Option<String>,
        kind: ReportKind,
        format: ExportFormat,
        path: PathBuf,
    },
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
                | Request::UserAttempts { .. }
                | Request::UserCompetencies { .. }
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
            Request::ReportPreview { unit, kind } => preview_job(unit.as_deref(), *kind),
            Request::ExportReport { path, .. } => export_job(path),
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

/// What the status line says while a report is computed for the screen.
pub fn preview_job(unit: Option<&str>, kind: ReportKind) -> String {
    format!("Đang tính báo cáo {} ({})", kind.title().to_lowercase(), unit_text(unit))
}

/// What the status line says while a report is exported to `path`.
pub fn export_job(path: &std::path::Path) -> String {
    format!("Đang xuất báo cáo ra {}", path.display())
}

/// "tất cả đơn vị" or the unit's code.
pub fn unit_text(unit: Option<&str>) -> String {
    unit.map_or_else(|| "tất cả đơn vị".to_string(), str::to_string)
}

/// A user's detail: the account, its unit, its enrollments with progress, a page of its quiz attempts and a
/// page of its competencies.
#[derive(Debug, Clone, PartialEq)]
pub struct UserDetail {
    pub user: user::Model,
    pub unit: Option<(String, String)>,
    pub courses: Vec<MyCourse>,
    pub attempts: Page<AttemptLine>,
    pub competencies: Page<CompetencyLine>,
}

/// What came back.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    Overview(Box<Overview>),
    OverviewByUnit(Vec<UnitProgress>),
    Units(Vec<TreeUnit>),
    Users {
        filter: String,
        page: UserPage,
    },
    UserDetail(Box<UserDetail>),
    UserAttempts {
        user_id: i64,
        page: Page<AttemptLine>,
    },
    UserCompetencies {
        user_id: i64,
        page: Page<CompetencyLine>,
    },
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
    /// A long job reached a stage: `job` is its [`Request::describe`], `stage` what it is doing now.
    Progress {
        job: String,
        stage: String,
    },
    /// A report computed for the screen, or why it could not be.
    ReportPreview {
        unit: Option<String>,
        kind: ReportKind,
        table: Result<Arc<Table>, String>,
    },
    /// An export finished: the file written and its rows, or the precise error.
    Exported {
        path: PathBuf,
        result: Result<usize, String>,
    },
}

/// What the worker sends the UI: a response, and the job it ends (the [`Request::describe`] of a long
/// request, whose progress entry goes; `None` for a screen's read and for a stage of a job).
#[derive(Debug, Clone)]
pub struct Reply {
    pub ends: Option<String>,
    pub response: Response,
}

impl Reply {
    /// The reply to `request`: `response`, ending the request's job if it is one the status line shows.
    pub fn to(request: &Request, response: Response) -> Reply {
        Reply { ends: request.is_work().then(|| request.describe()), response }
    }
}

/// Tells the UI which stage a long job has reached.
pub struct Progress {
    pub(super) job: String,
    pub(super) send: mpsc::Sender<Reply>,
}

impl Progress {
    /// Reports `stage` (shown after the job's description in the status line).
    pub fn stage(&self, stage: impl Into<String>) {
        let response = Response::Progress { job: self.job.clone(), stage: stage.into() };
        let _ = self.send.send(Reply { ends: None, response });
    }
}

/// The UI's end of the worker.
pub struct Worker {
    requests: tokio::sync::mpsc::UnboundedSender<Request>,
    pub responses: mpsc::Receiver<Reply>,
}

impl Worker {
    /// Starts the worker on `runtime` with its own handle on the database.
    pub fn spawn(runtime: &tokio::runtime::Handle, db: Db, today: NaiveDate, settings: Settings) -> Worker {
        let (requests, mut incoming) = tokio::sync::mpsc::unbounded_channel::<Request>();
        let (send, responses) = mpsc::channel();
        let settings = Arc::new(settings);
        runtime.spawn(async move {
            while let Some(request) = incoming.recv().await {
                let db = db.clone();
                let send = send.clone();
                let settings = settings.clone();
                tokio::spawn(async move {
                    let progress = Progress { job: request.describe(), send: send.clone() };
                    let response = handle(&db, request.clone(), today, &settings, &progress)
                        .await
                        .unwrap_or_else(|e| Response::Failed(format!("{e:#}")));
                    let _ = send.send(Reply::to(&request, response));
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

/// Does one request. Public so tests run a request the screens sent against a real database.
pub async fn handle(
    db: &Db,
    request: Request,
    today: NaiveDate,
    settings: &Settings,
    progress: &Progress,
) -> anyhow::Result<Response> {
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
            progress.stage("đọc tệp");
            let source = std::fs::read(&path)
                .map_err(|e| anyhow::anyhow!("Không đọc được {}: {e}", path.display()))?;
            progress.stage(format!("kiểm tra và ghi {} dòng", count_lines(&source)));
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
            let attempts = user_detail::attempts(db, user.id, 0, DETAIL_PER_PAGE).await?;
            // Without the framework file the codes still show, without names.
            let framework = settings.framework().unwrap_or_default();
            let competencies = user_detail::competencies(db, user.id, &framework, 0, DETAIL_PER_PAGE).await?;
            Response::UserDetail(Box::new(UserDetail { user, unit, courses, attempts, competencies }))
        }
        Request::UserAttempts { user_id, page } => Response::UserAttempts {
            user_id,
            page: user_detail::attempts(db, user_id, page, DETAIL_PER_PAGE).await?,
        },
        Request::UserCompetencies { user_id, page } => {
            let framework = settings.framework().unwrap_or_default();
            Response::UserCompetencies {
                user_id,
                page: user_detail::competencies(db, user_id, &framework, page, DETAIL_PER_PAGE).await?,
            }
        }
        Request::ReportPreview { unit, kind } => {
            let table = report_table(db, settings, kind, unit.as_deref(), today, progress)
                .await
                .map(Arc::new)
                .map_err(|e| format!("{e:#}"));
            Response::ReportPreview { unit, kind, table }
        }
        Request::ExportReport { unit, kind, format, path } => {
            let result = export(db, settings, kind, unit.as_deref(), format, &path, today, progress)
                .await
                .map_err(|e| format!("{e:#}"));
            if let Ok(rows) = &result {
                crate::audit(
                    db,
                    "report.export",
                    &path.display().to_string(),
                    &format!("{} ({}), {rows} rows", kind.slug(), unit_text(unit.as_deref())),
                )
                .await?;
            }
            Response::Exported { path, result }
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
            progress.stage("tìm người của đơn vị");
            let ids = enrollment::unit_members(db, &unit).await.map_err(crate::enroll::explain)?;
            progress.stage(format!("ghi danh {} người", crate::tui::count(ids.len() as u64)));
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
            progress.stage("đọc tệp");
            let source = std::fs::read(&path)
                .map_err(|e| anyhow::anyhow!("Không đọc được {}: {e}", path.display()))?;
            progress.stage(format!("kiểm tra và ghi danh {} dòng", count_lines(&source)));
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

/// Lines in a file about to be imported (what the progress says it is checking).
fn count_lines(source: &[u8]) -> usize {
    source.split(|b| *b == b'\n').filter(|l| !l.iter().all(u8::is_ascii_whitespace)).count().saturating_sub(1)
}

/// Loads and computes one report (through `crate::report::build`, as the subcommand does) and keeps the
/// table `kind` shows.
async fn report_table(
    db: &Db,
    settings: &Settings,
    kind: ReportKind,
    unit: Option<&str>,
    today: NaiveDate,
    progress: &Progress,
) -> anyhow::Result<Table> {
    progress.stage("tải dữ liệu và tính");
    let report = crate::report::build(db, settings, kind.competency(), None, unit, today).await?;
    Ok(kind.table(report))
}

/// Computes a report and writes it to `path`; the rows written (of the table, or of both sheets for XLSX).
#[allow(clippy::too_many_arguments)]
async fn export(
    db: &Db,
    settings: &Settings,
    kind: ReportKind,
    unit: Option<&str>,
    format: ExportFormat,
    path: &std::path::Path,
    today: NaiveDate,
    progress: &Progress,
) -> anyhow::Result<usize> {
    progress.stage("tải dữ liệu và tính");
    let report = crate::report::build(db, settings, kind.competency(), None, unit, today).await?;
    let rows = match format {
        ExportFormat::Csv => kind.table_of(&report).rows.len(),
        ExportFormat::Xlsx => report.summary.rows.len() + report.detail.rows.len(),
    };
    progress.stage(format!("ghi {} dòng vào tệp", crate::tui::count(rows as u64)));
    let path = path.to_path_buf();
    // Writing 100,000 rows is blocking file work: off the async runtime's threads.
    tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
        let cannot = |e: &dyn std::fmt::Display| anyhow::anyhow!("Không ghi được {}: {e}", path.display());
        match format {
            ExportFormat::Csv => {
                let table = kind.table(report);
                let file = std::fs::File::create(&path).map_err(|e| cannot(&e))?;
                daotao_core::report::csv::write(&table, std::io::BufWriter::new(file))
                    .map_err(|e| cannot(&e))?;
            }
            ExportFormat::Xlsx => daotao_core::report::xlsx::write(&report, &path).map_err(|e| cannot(&e))?,
        }
        Ok(rows)
    })
    .await?
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
