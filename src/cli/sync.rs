//! `postern sync [<account>]`: one or every account into the local store, through the
//! backend the engine's workers use. A failing account is reported and the others
//! still sync; so is a folder the server refuses.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use crate::backend::{BackendError, SyncObserver, SyncTotals};
use crate::config::{Account, Config};
use crate::paths::Paths;
use crate::store::FolderRow;

use super::remote;
use crate::engine::explain::backend_error;

pub async fn sync(paths: &Paths, config: &Config, only: Option<&Account>) -> ExitCode {
    let accounts: Vec<&Account> = match only {
        Some(account) => vec![account],
        None => config.accounts.iter().collect(),
    };
    let mut all_ok = true;
    for account in accounts {
        let started = Instant::now();
        let mut failures = Failures {
            account,
            lines: Vec::new(),
        };
        match sync_account(paths, account, &mut failures).await {
            Ok(totals) => {
                println!(
                    "{}: {} new, {} flag changes, {} removed ({:.1} s)",
                    account.name,
                    totals.new,
                    totals.flags_changed,
                    totals.removed,
                    started.elapsed().as_secs_f64()
                );
                for note in totals.notes {
                    say!("{}: {note}", account.name);
                }
                for failure in &failures.lines {
                    say!("postern: {}: {failure}", account.name);
                }
                all_ok &= failures.lines.is_empty();
            }
            Err(error) => {
                all_ok = false;
                say!("postern: {}: sync failed: {error:#}", account.name);
            }
        }
    }
    if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Folders that failed while the others synced (the exit code says so).
struct Failures<'a> {
    account: &'a Account,
    lines: Vec<String>,
}

impl SyncObserver for Failures<'_> {
    fn failed(&mut self, folder: &FolderRow, error: BackendError) {
        let problem = backend_error(&error, self.account);
        self.lines
            .push(format!("syncing folder {}: {problem}", folder.name));
    }
}

async fn sync_account(
    paths: &Paths,
    account: &Account,
    failures: &mut Failures<'_>,
) -> anyhow::Result<SyncTotals> {
    let (mut store, id) = remote::open_store(paths, account)?;
    let mut backend = remote::backend(paths, account, id).await?;
    if let Some(download) = backend.pop3_download() {
        let credentials = remote::credentials(paths, account).await?;
        download.set_credentials(Some(Arc::new(credentials)));
    }
    let totals = backend
        .sync(&mut store, failures)
        .await
        .map_err(|error| backend_error(&error, account))?;
    backend.logout().await;
    Ok(totals)
}
