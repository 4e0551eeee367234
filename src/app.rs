//! The composition root: logging, the tokio runtime, the engine and the TUI.

use std::fs::OpenOptions;
use std::sync::Mutex;

use anyhow::Context;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::prelude::*;

use crate::compose::{Editor, choose_editor};
use crate::config::Config;
use crate::engine::{Engine, EngineOptions};
use crate::paths::Paths;

/// Open the terminal UI on `config`'s accounts. Returns when the user quits.
pub fn run_tui(paths: &Paths, config: &Config) -> anyhow::Result<()> {
    init_logging(paths);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    recover_edits(paths);
    runtime.block_on(async {
        let options = EngineOptions {
            compose: config.compose.clone(),
            ..EngineOptions::default()
        };
        let (engine, events) = Engine::start_with(
            &paths.store_db(),
            &paths.token_dir(),
            &config.accounts,
            options,
        )?;
        tracing::info!(accounts = config.accounts.len(), "postern started");
        let settings = crate::tui::Settings {
            keys: config.keys.clone(),
            theme: crate::tui::theme::Theme::new(
                &config.theme,
                crate::tui::theme::no_color_from_env(),
            ),
            writing: writing(paths, config),
        };
        crate::tui::run(engine.commands(), events, settings)
            .await
            .context("terminal UI")?;
        engine.shutdown().await;
        Ok(())
    })
}

/// How mail is written in this run: the editor (the config's, `$VISUAL`, `$EDITOR`,
/// else postern's own), where its files go, each account's identities.
fn writing(paths: &Paths, config: &Config) -> crate::tui::Writing {
    let editor = match choose_editor(config.compose.editor.as_ref(), |name| {
        std::env::var_os(name)
    }) {
        Editor::Command(command) => Some(command),
        Editor::Builtin => None,
    };
    crate::tui::Writing::new(&config.accounts, editor, paths.drafts_dir())
}

/// Edits left behind by a postern that was killed while its editor was open are
/// read into their drafts before anything else, so the drafts offered back at start
/// have them. A failure is logged: the files stay for the next start.
fn recover_edits(paths: &Paths) {
    let recovered = crate::store::Store::open(&paths.store_db())
        .map_err(|e| e.to_string())
        .and_then(|mut store| {
            crate::compose::recover_edits(&paths.drafts_dir(), &mut store)
                .map_err(|e| e.to_string())
        });
    match recovered {
        Ok(recovery) => {
            for draft in &recovery.recovered {
                tracing::info!(
                    draft = draft.id.0,
                    "an edit left behind was read into its draft"
                );
            }
            for kept in &recovery.kept {
                tracing::warn!("{kept}");
            }
        }
        Err(error) => tracing::warn!("recovering edits: {error}"),
    }
}

/// Log to `$XDG_STATE_HOME/postern/postern.log` (never to the terminal the UI owns).
/// The level comes from `POSTERN_LOG` (default `info`). A log that cannot be opened is
/// reported once on stderr and otherwise ignored: logging must never stop mail.
pub fn init_logging(paths: &Paths) {
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
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .with_filter(filter)
        .with_filter(filter_fn(|meta| !is_wire_trace(meta)));
    // A second initialisation (tests, demo after a run) keeps the first subscriber.
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// Protocol crates log every line they send at trace level, SASL responses included,
/// and a SASL response is the token in base64. Those events never reach the log,
/// whatever `POSTERN_LOG` asks for.
fn is_wire_trace(meta: &tracing::Metadata<'_>) -> bool {
    const WIRE_CRATES: [&str; 2] = ["async_imap", "lettre"];
    *meta.level() == tracing::Level::TRACE
        && WIRE_CRATES
            .iter()
            .any(|name| meta.target() == *name || meta.target().starts_with(&format!("{name}::")))
}
