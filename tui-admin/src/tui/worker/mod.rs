//! The database work of the terminal UI, off the UI thread: the UI sends a
//! [`Request`] and keeps drawing and reading keys; each request runs as its
//! own task on the tokio runtime and its [`Response`] comes back on a channel
//! that the UI drains between frames. Writes are audited like the plain
//! subcommands. Long jobs (imports, report previews and exports) report each
//! stage they reach as a [`Response::Progress`], so the status line says what
//! is happening rather than only that something is.
//!
//! This module holds what the UI and the worker exchange and the dispatch;
//! the jobs themselves are grouped by the screen area they serve, one small
//! function each: `overview`, `units`, `users`, `enrollments` (with the
//! catalog), `reports`, `programmes` (with the mail queue).

mod enrollments;
mod overview;
mod programmes;
mod reports;
mod units;
mod users;

use std::path::{Path, PathBuf};
use std::sync::{Arc, mpsc};

use chrono::NaiveDate;
use daotao_core::admin_views::course_enrollments::EnrolledPage;
use daotao_core::admin_views::course_stats::CourseStats;
use daotao_core::admin_views::overview::{Overview, UnitProgress};
use daotao_core::admin_views::programmes::{Grid, Number, PersonLine};
use daotao_core::admin_views::unit_tree::TreeUnit;
use daotao_core::admin_views::user_detail::{AttemptLine, CompetencyLine};
use daotao_core::admin_views::user_search::UserPage;
use daotao_core::entities::user;
use daotao_core::import::ImportError;
use daotao_core::learning::progress::MyCourse;
use daotao_core::people::accounts::AccountDetails;
use daotao_core::people::units::NewUnit;
use daotao_core::platform::db::Db;
use daotao_core::platform::paging::Page;
use daotao_core::report::Table;

use crate::report::Settings;

/// Rows per page of the users and enrollments tables.
pub const PER_PAGE: u64 = 100;

/// Rows per page of a person's attempts and competencies (the detail view scrolls within a page).
pub const DETAIL_PER_PAGE: u64 = 50;

pub use crate::report::ExportFormat;
pub use programmes::{MailQueue, Unavailable};
pub use reports::ReportKind;

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
    /// Extra time on timed quizzes, percent of the limit (#19).
    SetExtraTime {
        username: String,
        percent: u32,
    },
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
    /// Every programme's numbers by unit.
    ProgrammeGrid,
    /// A page of the people behind one number of the programmes' grid.
    ProgrammePeople {
        number: Number,
        page: u64,
    },
    /// The mail queue's numbers and latest failures.
    MailQueue,
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
                | Request::ProgrammeGrid
                | Request::ProgrammePeople { .. }
                | Request::MailQueue
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
    /// The programmes' numbers, or why there are none.
    ProgrammeGrid(Result<Arc<Grid>, Unavailable>),
    /// A page of the people behind `number`, or why it could not be read.
    ProgrammePeople {
        number: Number,
        page: Result<Page<PersonLine>, String>,
    },
    MailQueue(MailQueue),
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

/// What a job may need besides its request.
struct Job<'a> {
    db: &'a Db,
    today: NaiveDate,
    settings: &'a Settings,
    progress: &'a Progress,
}

/// Does one request: each area's job is in its module. Public so tests run a request the screens sent against
/// a real database.
pub async fn handle(
    db: &Db,
    request: Request,
    today: NaiveDate,
    settings: &Settings,
    progress: &Progress,
) -> anyhow::Result<Response> {
    let job = Job { db, today, settings, progress };
    match request {
        Request::Overview => overview::totals(db, today).await,
        Request::OverviewByUnit => overview::by_unit(db).await,
        Request::Units => units::tree(db).await,
        Request::AddUnit(new) => units::add(db, new).await,
        Request::RenameUnit { code, name } => units::rename(db, &code, &name).await,
        Request::MoveUnit { code, parent } => units::move_to(db, &code, parent).await,
        Request::ImportUnits(path) => units::import(db, &path, progress).await,
        Request::Users { filter, page } => users::page(db, filter, page).await,
        Request::UserDetail(id) => users::detail(db, id, today, settings).await,
        Request::UserAttempts { user_id, page } => users::attempts(db, user_id, page).await,
        Request::UserCompetencies { user_id, page } => users::competencies(db, user_id, page, settings).await,
        Request::AddUser(new) => users::add(db, new).await,
        Request::EditUser { username, details } => users::edit(db, &username, details).await,
        Request::SetActive { username, active } => users::set_active(db, &username, active).await,
        Request::ResetPassword(username) => users::reset_password(db, username).await,
        Request::Unlock(username) => users::unlock(db, &username).await,
        Request::SetExtraTime { username, percent } => users::set_extra_time(db, &username, percent).await,
        Request::Courses => enrollments::catalog(db).await,
        Request::Enrolled { course, filter, page } => enrollments::page(db, &course, filter, page).await,
        Request::EnrolUser { course, username, due } => {
            enrollments::enrol_user(db, &course, &username, due).await
        }
        Request::EnrolUnit { course, unit, due } => {
            enrollments::enrol_unit(db, &course, &unit, due, progress).await
        }
        Request::EnrolFile { course, path, due } => {
            enrollments::enrol_file(db, &course, &path, due, progress).await
        }
        Request::SetDue { course, user_id, username, due } => {
            enrollments::set_due(db, &course, user_id, &username, due).await
        }
        Request::Withdraw { course, user_id, username } => {
            enrollments::withdraw(db, &course, user_id, &username).await
        }
        Request::ReportPreview { unit, kind } => reports::preview(&job, unit, kind).await,
        Request::ExportReport { unit, kind, format, path } => {
            reports::export(&job, unit, kind, format, path).await
        }
        Request::ProgrammeGrid => programmes::grid(&job).await,
        Request::ProgrammePeople { number, page } => programmes::people(&job, number, page).await,
        Request::MailQueue => programmes::mail(&job).await,
    }
}

/// Reads a file about to be imported, saying so.
fn read_file(path: &Path, progress: &Progress) -> anyhow::Result<Vec<u8>> {
    progress.stage("đọc tệp");
    std::fs::read(path).map_err(|e| anyhow::anyhow!("Không đọc được {}: {e}", path.display()))
}

/// Lines in a file about to be imported (what the progress says it is checking).
fn count_lines(source: &[u8]) -> usize {
    source.split(|b| *b == b'\n').filter(|l| !l.iter().all(u8::is_ascii_whitespace)).count().saturating_sub(1)
}

/// The problems of a refused file, for a popup.
fn refused(path: &Path, e: ImportError) -> anyhow::Result<Response> {
    match e {
        ImportError::Invalid(problems) => Ok(Response::Problems {
            title: format!("{} lỗi trong {}, không thay đổi gì", problems.len(), path.display()),
            lines: problems.iter().map(ToString::to_string).collect(),
        }),
        ImportError::Db(e) => Err(e.into()),
    }
}
