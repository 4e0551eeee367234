//! The composition root: logging, the tokio runtime, the engine and the TUI.

use std::fs::OpenOptions;
use std::sync::Mutex;

use anyhow::Context;
use tracing_subscriber::EnvFilter;

use crate::config::Config;
use crate::engine::Engine;
use crate::paths::Paths;

/// Open the terminal UI on `config`'s accounts. Returns when the user quits.
pub fn run_tui(paths: &Paths, config: &Config) -> anyhow::Result<()> {
    init_logging(paths);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let (engine, events) = Engine::start(&paths.store_db(), &config.accounts)?;
        tracing::info!(accounts = config.accounts.len(), "postern started");
        crate::tui::run(engine.commands(), events)
            .await
            .context("terminal UI")?;
        engine.shutdown().await;
        Ok(())
    })
}

/// Log to `$XDG_STATE_HOME/postern/postern.log` (never to the terminal the UI owns).
/// The level comes from `POSTERN_LOG` (default `info`). A log that cannot be opened is
/// reported once on stderr and otherwise ignored: logging must never stop mail.
fn init_logging(paths: &Paths) {
    let dir = paths.log_dir();
    if let Err(err) = crate::paths::ensure_private_dir(&dir) {
        eprintln!("postern: not logging: {err}");
        return;
    }
    let log = dir.join("postern.log");
    let file = match OpenOptions::new().create(true).append(true).open(&log) {
        Ok(file) => file,
        Err(err) => {
            eprintln!("postern: not logging: {}: {err}", log.display());
            return;
        }
    };
    let filter = EnvFilter::try_from_env("POSTERN_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    // A second initialisation (tests, demo after a run) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init();
}
