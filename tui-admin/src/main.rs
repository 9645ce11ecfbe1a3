//! `daotao-admin`: the admin tool. For now it reports what the database holds
//! (the terminal UI and the management subcommands arrive with issues #3 and #6).

use clap::{Parser, Subcommand};
use daotao_core::config::Config;
use daotao_core::db;
use daotao_core::entities::{course, lesson, quiz};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

#[derive(Parser)]
#[command(name = "daotao-admin", version, about = "Đào tạo số: admin tool")]
struct Cli {
    /// Override the configured database URL (DAOTAO_DATABASE_URL).
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Show the database in use and the synced course catalog (the default).
    Status,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut config = Config::load()?;
    if let Some(url) = cli.database_url {
        config.database_url = url;
    }
    match cli.command.unwrap_or(Command::Status) {
        Command::Status => status(&config).await,
    }
}

async fn status(config: &Config) -> anyhow::Result<()> {
    let db = db::connect(&config.database_url).await?;
    let courses = course::Entity::find().filter(course::Column::Active.eq(true)).all(&db).await?;
    println!("Cơ sở dữ liệu / database: {}", config.database_url);
    println!("Khoá học đang phục vụ / active courses: {}", courses.len());
    for c in courses {
        let lessons = lesson::Entity::find()
            .filter(lesson::Column::CourseId.eq(c.id.as_str()))
            .filter(lesson::Column::Active.eq(true))
            .count(&db)
            .await?;
        let quizzes = quiz::Entity::find()
            .filter(quiz::Column::CourseId.eq(c.id.as_str()))
            .filter(quiz::Column::Active.eq(true))
            .count(&db)
            .await?;
        println!("  {:<40} {lessons:>3} bài học, {quizzes} bài kiểm tra  {}", c.id, c.title);
    }
    Ok(())
}
