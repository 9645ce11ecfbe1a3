//! `daotao-server serve`: load, migrate, sync, watch, listen, and shut down
//! gracefully on Ctrl-C or SIGTERM.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use daotao_content::course::load_library;
use daotao_core::learning::catalog;
use daotao_core::platform::config::Config;
use daotao_core::platform::db;
use poem::Server;
use poem::listener::TcpListener;

use crate::app::app;
use crate::state::AppState;
use crate::{attempt_closer, library_fingerprint, metrics, programme_jobs, reload};

/// Requests in flight get this long to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

pub async fn run(config: Config) -> anyhow::Result<()> {
    let root = config.courses_dir.clone();
    if !root.is_dir() {
        bail!(
            "course folder `{}` not found: run from the repository root or set DAOTAO_COURSES_DIR",
            root.display()
        );
    }
    let db = db::connect(&config.database_url).await?;
    let library = tokio::task::spawn_blocking(move || load_library(&root)).await?;
    for problem in &library.problems {
        tracing::warn!("{problem}");
    }
    tracing::info!(
        courses = library.courses.len(),
        problems = library.problems.len(),
        "course library loaded from {}",
        library.root.display()
    );
    // The state starts indexing for search in the background: meanwhile the catalog is synced.
    let state = Arc::new(AppState::with_config(library, db, &config));
    catalog::sync_library(&state.db, &state.library()).await.context("cannot sync the course catalog")?;
    // Its first round starts now, beside the start-up: hashing a large library must not delay listening.
    tokio::spawn(library_fingerprint::run(state.clone()));
    tokio::spawn(attempt_closer::run(state.clone()));
    if config.programmes_every_minutes > 0 {
        let mailer = daotao_core::mail::Mailer::from_config(&config).map_err(anyhow::Error::msg)?;
        if mailer.is_none() {
            tracing::info!("no mail server configured (DAOTAO_SMTP_URL): reminders are not sent");
        }
        let every = Duration::from_secs(config.programmes_every_minutes * 60);
        tokio::spawn(programme_jobs::run(state.clone(), every, mailer, config.site_url()));
    }
    let _watcher = reload::watch(state.clone(), tokio::runtime::Handle::current())
        .context("cannot watch the course folder for changes")?;

    let metrics_listener = match &state.metrics_exposure.bind {
        Some(bind) => Some(serve_metrics(bind, state.clone()).await?),
        None => None,
    };
    if state.metrics_exposure.on_main_address() {
        tracing::info!("metrics at http://{}{} behind the bearer token", config.bind, metrics::scrape::PATH);
    }
    let listener = TcpListener::bind(config.bind.clone());
    tracing::info!("listening on http://{}", config.bind);
    Server::new(listener)
        .run_with_graceful_shutdown(app(state), shutdown_signal(), Some(SHUTDOWN_GRACE))
        .await
        .with_context(|| format!("cannot serve on {}", config.bind))?;
    if let Some(task) = metrics_listener {
        task.abort();
    }
    tracing::info!("stopped");
    Ok(())
}

/// Serves `/metrics` alone on `bind` (`metrics_bind`) until the server stops. The address is bound before
/// this returns, so a wrong one stops the start-up with its reason instead of a server without metrics.
async fn serve_metrics(bind: &str, state: Arc<AppState>) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    use poem::listener::Listener;
    let acceptor = TcpListener::bind(bind.to_string())
        .into_acceptor()
        .await
        .with_context(|| format!("cannot listen for metrics on {bind} (metrics_bind)"))?;
    let guarded = if state.metrics_exposure.token.is_some() { " behind the bearer token" } else { "" };
    tracing::info!("metrics at http://{}{}{guarded}", bind, metrics::scrape::PATH);
    let app = metrics::scrape::second_listener(state);
    Ok(tokio::spawn(async move {
        if let Err(e) = Server::new_with_acceptor(acceptor).run(app).await {
            tracing::error!("the metrics listener stopped: {e}");
        }
    }))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
