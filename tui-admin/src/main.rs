//! `daotao-admin`: the admin tool. Without a subcommand, the terminal UI
//! ([`tui`]); with one, plain commands for people and scripts: status, CSV
//! imports of units and users, accounts and passwords, enrollments, trainers'
//! courses, training programmes, reports, a demo province, and backups of the database.
//!
//! Output is Vietnamese first, with English after a `/`. Commands that hand
//! out passwords print only `username<TAB>password` lines on stdout (so they
//! can be redirected to a file) and their messages on stderr. An error is a
//! one-line message on stderr and a non-zero exit code; a refused file (an
//! import, an enrollment list) first prints one line per problem, and
//! arguments that do not parse get clap's usage message (exit code 2).

mod accounts;
mod backup;
mod database_url;
mod demo;
mod enroll;
mod import;
mod output;
mod programmes;
mod reminders;
mod report;
mod status;
mod trainers;
mod tui;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{ArgGroup, Args, Parser, Subcommand};
use daotao_core::entities::user::Role;
use daotao_core::platform::config::Config;

#[derive(Parser)]
#[command(name = "daotao-admin", version, about = "Đào tạo số: công cụ quản trị / admin tool")]
struct Cli {
    /// Override the configured database URL (DAOTAO_DATABASE_URL).
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Show the database in use, the synced course catalog and the totals
    /// (also what no subcommand does when not run in a terminal).
    Status,
    /// Đơn vị / units.
    Units {
        #[command(subcommand)]
        command: UnitsCommand,
    },
    /// Tài khoản / accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Ghi danh một người hoặc cả đơn vị (gồm đơn vị trực thuộc) vào khoá học / enrol a person or a whole unit (with its sub-units) in a course.
    Enroll(EnrollArgs),
    /// Phân công giảng viên theo dõi khoá học / assign trainers to courses (they see its learners' progress and scores).
    Trainers {
        #[command(subcommand)]
        command: TrainersCommand,
    },
    /// Chương trình đào tạo theo vị trí việc làm / training programmes by position (`<courses>/programmes.toml`).
    Programmes {
        #[command(subcommand)]
        command: ProgrammesCommand,
    },
    /// Nhắc việc qua thư điện tử / e-mail reminders of the training programmes.
    Reminders {
        #[command(subcommand)]
        command: RemindersCommand,
    },
    /// Thư điện tử đang chờ gửi / the mail queue.
    Mail {
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Tạo dữ liệu mẫu trong cơ sở dữ liệu trống / seed a demo province into an empty database.
    Demo,
    /// Xuất báo cáo / export a report (CSV or XLSX).
    Report {
        #[command(subcommand)]
        command: ReportCommand,
    },
    /// Sao lưu cơ sở dữ liệu khi máy chủ đang chạy / back up the database while the server runs (SQLite:
    /// `VACUUM INTO`; PostgreSQL: `pg_dump --format=custom`).
    Backup {
        /// Tệp sao lưu / the backup file to write.
        #[arg(long, value_name = "FILE")]
        output: PathBuf,
        /// Ghi đè tệp đã có / replace FILE if it exists.
        #[arg(long)]
        overwrite: bool,
    },
    /// Khôi phục bản sao lưu vào cơ sở dữ liệu trống, rồi nâng cấp lược đồ / restore a backup into an empty
    /// database, then migrate it. Dừng máy chủ trước / stop the servers first.
    Restore {
        /// Tệp sao lưu / the backup file (SQLite or pg_dump custom format, told by its first bytes).
        file: PathBuf,
        /// Thay toàn bộ nội dung cơ sở dữ liệu đang có / replace the contents of a database that is not empty.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand)]
enum RemindersCommand {
    /// Xếp vào hàng đợi các thư nhắc đến hạn / queue the reminders due on the day (each one only once).
    Queue(AsOfArg),
}

#[derive(Subcommand)]
enum MailCommand {
    /// Gửi thư đang chờ / send what is queued; exits non-zero when the mail server refuses.
    Send {
        /// Gửi lại ngay thư đang chờ gửi lại hoặc đã bỏ / retry now the messages waiting for a retry or given
        /// up (after the mail server was fixed).
        #[arg(long)]
        retry_now: bool,
    },
}

#[derive(Args)]
struct AsOfArg {
    /// Ngày / the day (default: today in Viet Nam).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<NaiveDate>,
}

#[derive(Subcommand)]
enum ProgrammesCommand {
    /// Áp dụng chương trình: giao, ghi danh, rút, ghi nhận hoàn thành / apply the programmes now: assign (and
    /// enrol), withdraw those no longer concerned, record completions; one line per change.
    Assign(ProgrammesAssignArgs),
}

#[derive(Args)]
struct ProgrammesAssignArgs {
    /// Chỉ cho biết sẽ thay đổi gì, không thay đổi gì / say what would change, change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Ngày áp dụng / the day to apply them on (default: today in Viet Nam).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    as_of: Option<NaiveDate>,
}

#[derive(Subcommand)]
enum ReportCommand {
    /// Năng lực theo người và theo đơn vị, so với mục tiêu / competencies per learner and per unit, against targets.
    Competency(ReportArgs),
    /// Tiến độ học theo người và khoá học / progress per learner and course.
    Progress {
        /// Chỉ một khoá học / one course only.
        #[arg(long)]
        course: Option<String>,
        #[command(flatten)]
        args: ReportArgs,
    },
    /// Tình trạng hoàn thành chương trình đào tạo theo người và theo đơn vị / compliance with the training
    /// programmes, per person and per unit rolled up its sub-units.
    ///
    /// Tình trạng / status: còn hiệu lực (current), sắp hết hạn trong 30 ngày (expiring within 30 days),
    /// đã hết hạn (expired), quá hạn (overdue), chưa đến hạn (not yet due). CSV: `--by learner` (default)
    /// writes one row per person and programme, `--by unit` one row per unit and programme with the number
    /// of people in each status; XLSX writes both sheets.
    Compliance {
        /// Chỉ một chương trình / one programme only (its id in `<courses>/programmes.toml`).
        #[arg(long)]
        programme: Option<String>,
        /// Ngày xét / the day to report on (default: today in Viet Nam).
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        as_of: Option<NaiveDate>,
        #[command(flatten)]
        args: ReportArgs,
    },
    /// Thống kê câu hỏi của một bài kiểm tra / a quiz's item analysis (#19): the quiz figures and one row per
    /// question (facility, discrimination, option counts, the review flags with the file and line).
    ///
    /// Mặc định chỉ tính lần làm đầu tiên của mỗi học viên / by default each learner's first attempt only
    /// (later attempts are by people who have seen the questions). CSV holds both tables, the quiz figures
    /// first; XLSX one sheet each.
    Items {
        /// Mã khoá học / course id (its folder name).
        #[arg(long)]
        course: String,
        /// Mã bài kiểm tra / quiz id (its file name without extension).
        #[arg(long)]
        quiz: String,
        /// Tính mọi lần làm / count every attempt, not only first ones.
        #[arg(long)]
        all_attempts: bool,
        /// Đơn vị (gồm đơn vị trực thuộc) / a unit with its sub-units (default: everyone).
        #[arg(long)]
        unit: Option<String>,
        /// Nộp từ ngày / submitted on this day (Viet Nam) or later.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        from: Option<NaiveDate>,
        /// Đến ngày / submitted on this day (Viet Nam) or earlier.
        #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
        to: Option<NaiveDate>,
        /// csv or xlsx (checked before anything is read).
        #[arg(long, value_enum)]
        format: report::ExportFormat,
        #[arg(long)]
        output: PathBuf,
    },
}

#[derive(Args)]
struct ReportArgs {
    /// Đơn vị (gồm đơn vị trực thuộc) / a unit with its sub-units (default: every unit).
    #[arg(long)]
    unit: Option<String>,
    /// csv or xlsx (checked before anything is read).
    #[arg(long, value_enum)]
    format: report::ExportFormat,
    /// CSV: `learner` (one row per person, default) or `unit` (the summary per unit).
    #[arg(long, value_enum, default_value_t = report::By::Learner)]
    by: report::By,
    #[arg(long)]
    output: PathBuf,
}

#[derive(Subcommand)]
enum TrainersCommand {
    /// Phân công / assign a trainer to a course (assigning twice changes nothing).
    Add(TrainerArgs),
    /// Thôi phân công / end a trainer's assignment to a course.
    Remove(TrainerArgs),
    /// Liệt kê phân công / list assignments: course, username, full name, tab-separated.
    List {
        /// Chỉ một khoá học / one course only.
        #[arg(long)]
        course: Option<String>,
    },
}

#[derive(Args)]
struct TrainerArgs {
    /// Mã khoá học / course id (its folder name).
    #[arg(long)]
    course: String,
    /// Tài khoản giảng viên / the trainer's username.
    #[arg(long)]
    user: String,
}

#[derive(Subcommand)]
enum UnitsCommand {
    /// Nhập đơn vị từ tệp CSV / import units from a CSV file: code,name,parent_code.
    Import(ImportArgs),
    /// Đặt đầu mối nhận tổng hợp hằng tuần / make a person the unit's contact, who gets the weekly digest of
    /// who in the unit and its sub-units is overdue.
    SetContact {
        /// Mã đơn vị / unit code.
        unit: String,
        /// Tài khoản / username.
        username: String,
    },
}

#[derive(Subcommand)]
enum UsersCommand {
    /// Nhập tài khoản từ tệp CSV / import accounts from a CSV file: username,full_name,email,unit_code,position,role.
    /// Prints `username<TAB>one-time password` for each account created.
    Import(ImportArgs),
    /// Tạo một tài khoản / create one account.
    Add(AddArgs),
    /// Đặt lại mật khẩu (mọi phiên đăng nhập kết thúc) / reset a password (every session ends).
    SetPassword(SetPasswordArgs),
    /// Ngừng hoạt động một tài khoản, mọi phiên đăng nhập kết thúc / deactivate an account: it cannot log in, every session ends.
    Deactivate(UsernameArg),
    /// Cho một tài khoản hoạt động lại / reactivate an account.
    Activate(UsernameArg),
    /// Mở khoá một tài khoản bị khoá do đăng nhập sai / unlock an account locked after failed logins.
    Unlock(UsernameArg),
    /// Cho thêm thời gian làm bài kiểm tra có giới hạn thời gian / grant extra time on every timed quiz, as a
    /// percentage of its limit (an accommodation; 0 removes it; at most 200).
    SetExtraTime {
        username: String,
        /// Phần trăm thời gian thêm / extra time, percent of the limit.
        #[arg(long)]
        percent: u32,
    },
}

#[derive(Args)]
struct UsernameArg {
    username: String,
}

#[derive(Args)]
struct ImportArgs {
    /// The CSV file (UTF-8, header row required).
    file: PathBuf,
    /// Chỉ kiểm tra, không thay đổi gì / check only, change nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Args)]
struct AddArgs {
    username: String,
    /// Họ tên / full name.
    #[arg(long)]
    name: String,
    /// Mã đơn vị / unit code.
    #[arg(long)]
    unit: String,
    /// learner, trainer or admin.
    #[arg(long, default_value = "learner", value_parser = parse_role)]
    role: Role,
    /// Chức vụ / position.
    #[arg(long, default_value = "")]
    position: String,
    #[arg(long)]
    email: Option<String>,
    /// Đọc mật khẩu từ một dòng của đầu vào chuẩn / read the password from one line of stdin
    /// (otherwise a one-time password is generated and printed).
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Args)]
struct SetPasswordArgs {
    username: String,
    /// Đọc mật khẩu từ một dòng của đầu vào chuẩn / read the password from one line of stdin
    /// (otherwise a one-time password is generated and printed).
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Args)]
#[command(group = ArgGroup::new("who").required(true).multiple(false))]
struct EnrollArgs {
    /// Mã khoá học / course id (its folder name).
    #[arg(long)]
    course: String,
    /// Một tài khoản / one account.
    #[arg(long, group = "who")]
    user: Option<String>,
    /// Cả đơn vị và các đơn vị trực thuộc / a whole unit and its sub-units.
    #[arg(long, group = "who")]
    unit: Option<String>,
    /// Danh sách CSV, cột `username` / a CSV list with the column `username` (checked whole first).
    #[arg(long, group = "who", value_name = "FILE.csv", conflicts_with_all = ["withdraw", "set_due"])]
    file: Option<PathBuf>,
    /// Hạn hoàn thành của người mới ghi danh / due date of those newly enrolled, YYYY-MM-DD.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    due: Option<NaiveDate>,
    /// Đổi hạn của người đã ghi danh, không ghi danh thêm ai / change the due date of those already enrolled
    /// (enrols nobody); `none` removes it.
    #[arg(long, value_name = "YYYY-MM-DD|none", value_parser = parse_new_due, conflicts_with_all = ["due", "withdraw"])]
    set_due: Option<NewDue>,
    /// Rút khỏi khoá học (bài đã đọc vẫn được giữ) / withdraw from the course (lessons read stay recorded).
    #[arg(long, conflicts_with = "due")]
    withdraw: bool,
    /// Với --file: chỉ kiểm tra, không thay đổi gì / with --file: check only, change nothing.
    #[arg(long)]
    dry_run: bool,
}

fn parse_role(text: &str) -> Result<Role, String> {
    Role::parse(text).ok_or_else(|| {
        format!("vai trò `{text}` không hợp lệ / `{text}` is not a role: use learner, trainer or admin")
    })
}

/// A due date to set on existing enrollments; `None` removes it.
#[derive(Debug, Clone, Copy)]
struct NewDue(Option<NaiveDate>);

fn parse_new_due(text: &str) -> Result<NewDue, String> {
    if text.trim().eq_ignore_ascii_case("none") {
        Ok(NewDue(None))
    } else {
        parse_date(text).map(|d| NewDue(Some(d)))
    }
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        format!("ngày `{text}` không hợp lệ / `{text}` is not a date: use YYYY-MM-DD, e.g. 2026-12-31")
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is::<output::ReaderGone>() => ExitCode::SUCCESS,
        Err(e) => {
            let _ = output::errln!("Lỗi / error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = Config::load().context("cấu hình / configuration")?;
    if let Some(url) = cli.database_url {
        config.database_url = url;
    }
    let Some(command) = cli.command else {
        // In a terminal, the terminal UI; from a script or cron (no terminal), the status as before.
        use std::io::IsTerminal;
        if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
            return tui::run(&config).await;
        }
        return status::run(&config).await;
    };
    match command {
        Command::Status => status::run(&config).await,
        Command::Units { command: UnitsCommand::Import(args) } => {
            import::units(&config, &args.file, args.dry_run).await
        }
        Command::Units { command: UnitsCommand::SetContact { unit, username } } => {
            reminders::set_contact(&config, &unit, &username).await
        }
        Command::Reminders { command: RemindersCommand::Queue(args) } => {
            reminders::queue(&config, args.as_of).await
        }
        Command::Mail { command: MailCommand::Send { retry_now } } => {
            reminders::send(&config, retry_now).await
        }
        Command::Users { command } => match command {
            UsersCommand::Import(args) => import::users(&config, &args.file, args.dry_run).await,
            UsersCommand::Add(args) => accounts::add(&config, args).await,
            UsersCommand::SetPassword(args) => {
                accounts::set_password(&config, &args.username, args.password_stdin).await
            }
            UsersCommand::Deactivate(args) => accounts::set_active(&config, &args.username, false).await,
            UsersCommand::Activate(args) => accounts::set_active(&config, &args.username, true).await,
            UsersCommand::Unlock(args) => accounts::unlock(&config, &args.username).await,
            UsersCommand::SetExtraTime { username, percent } => {
                accounts::set_extra_time(&config, &username, percent).await
            }
        },
        Command::Enroll(args) => enroll::run(&config, args).await,
        Command::Trainers { command } => match command {
            TrainersCommand::Add(args) => trainers::set(&config, &args.course, &args.user, true).await,
            TrainersCommand::Remove(args) => trainers::set(&config, &args.course, &args.user, false).await,
            TrainersCommand::List { course } => trainers::list(&config, course.as_deref()).await,
        },
        Command::Programmes { command: ProgrammesCommand::Assign(args) } => {
            programmes::assign(&config, args.dry_run, args.as_of).await
        }
        Command::Demo => demo::run(&config).await,
        Command::Backup { output, overwrite } => backup::backup(&config, &output, overwrite).await,
        Command::Restore { file, force } => backup::restore(&config, &file, force).await,
        Command::Report { command } => {
            let (competency, course, args) = match command {
                ReportCommand::Competency(args) => (true, None, args),
                ReportCommand::Progress { course, args } => (false, course, args),
                ReportCommand::Compliance { programme, as_of, args } => {
                    let request = report::ComplianceRequest {
                        unit: args.unit,
                        programme,
                        as_of,
                        format: args.format,
                        by: args.by,
                        output: args.output,
                    };
                    return report::compliance(&config, request).await;
                }
                ReportCommand::Items { course, quiz, all_attempts, unit, from, to, format, output } => {
                    let request =
                        report::ItemsRequest { course, quiz, all_attempts, unit, from, to, format, output };
                    return report::items(&config, request).await;
                }
            };
            let request = report::ReportRequest {
                competency,
                course,
                unit: args.unit,
                format: args.format,
                by: args.by,
                output: args.output,
            };
            report::run(&config, request).await
        }
    }
}

/// Opens (and migrates) the configured database. Errors name it without its password
/// (core's messages may quote the whole URL).
async fn connect(config: &Config) -> anyhow::Result<daotao_core::platform::db::Db> {
    let url = &config.database_url;
    daotao_core::platform::db::connect(url).await.map_err(|e| {
        anyhow::anyhow!(
            "cơ sở dữ liệu / database {}: {}",
            database_url::redacted(url),
            database_url::redact_in(&e.to_string(), url)
        )
    })
}

/// Who the audit log names for what this tool does: the tool and the system account running it.
pub(crate) fn actor() -> String {
    let who = std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_default();
    if who.is_empty() { "daotao-admin".to_string() } else { format!("daotao-admin ({who})") }
}

/// Appends a successful admin action to the audit log.
async fn audit(
    db: &daotao_core::platform::db::Db,
    action: &str,
    target: &str,
    detail: &str,
) -> anyhow::Result<()> {
    let actor = actor();
    daotao_core::platform::audit::record(
        db,
        daotao_core::platform::audit::Event {
            user_id: None,
            actor: &actor,
            action,
            target,
            ip: "cli",
            result: "success",
            detail,
        },
    )
    .await
    .context("nhật ký kiểm toán / audit log")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_database_that_cannot_be_opened_is_named_without_its_password() {
        // A typo in the scheme: core refuses it, and the context names the URL.
        let config =
            Config { database_url: "postgress://daotao:Mat-khau!2026@db/daotao".into(), ..Config::default() };
        let message = format!("{:#}", connect(&config).await.expect_err("an unsupported scheme"));
        assert!(!message.contains("Mat-khau"), "{message}");
        assert!(message.contains("postgress://daotao:***@db/daotao"), "{message}");
    }
}
