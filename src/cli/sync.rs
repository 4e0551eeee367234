//! `postern sync [<account>]`: one or every account into the local store. A failing
//! account is reported and the others still sync.

use std::process::ExitCode;
use std::time::Instant;

use crate::config::{Account, Config, Receive};
use crate::paths::Paths;
use crate::store::maildir::index_maildir;
use crate::sync::pop3::{DownloadRequest, download};

use super::remote;
use crate::engine::explain::{Problem, download_error, sync_error};

/// What one account's sync changed.
#[derive(Debug, Default)]
struct Summary {
    new: usize,
    flags_changed: usize,
    removed: usize,
    /// Lines worth a note (files a Maildir scan skipped, ...).
    notes: Vec<String>,
    /// Folders that failed while the others synced (the exit code says so).
    failures: Vec<String>,
}

pub async fn sync(paths: &Paths, config: &Config, only: Option<&Account>) -> ExitCode {
    let accounts: Vec<&Account> = match only {
        Some(account) => vec![account],
        None => config.accounts.iter().collect(),
    };
    let mut all_ok = true;
    for account in accounts {
        let started = Instant::now();
        match sync_account(paths, account).await {
            Ok(summary) => {
                println!(
                    "{}: {} new, {} flag changes, {} removed ({:.1} s)",
                    account.name,
                    summary.new,
                    summary.flags_changed,
                    summary.removed,
                    started.elapsed().as_secs_f64()
                );
                for note in summary.notes {
                    say!("{}: {note}", account.name);
                }
                for failure in &summary.failures {
                    say!("postern: {}: {failure}", account.name);
                }
                all_ok &= summary.failures.is_empty();
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

async fn sync_account(paths: &Paths, account: &Account) -> anyhow::Result<Summary> {
    let (mut store, id) = remote::open_store(paths, account)?;
    match account.receive {
        Receive::Maildir => {
            let Some(root) = account.maildir.as_deref() else {
                anyhow::bail!("the account has no `maildir` path configured");
            };
            let report = index_maildir(&mut store, id, root)?;
            Ok(Summary {
                new: report.added,
                flags_changed: report.updated,
                removed: report.removed,
                notes: report
                    .errors
                    .iter()
                    .map(|(path, why)| format!("skipped {}: {why}", path.display()))
                    .collect(),
                ..Summary::default()
            })
        }
        Receive::Imap => {
            let credentials = remote::credentials(paths, account).await?;
            let mut imap = remote::imap(account, &credentials, id).await?;
            let explain = |error| -> Problem { sync_error(&error, account) };
            let folders = imap.sync_folders(&mut store).await.map_err(explain)?;
            let mut summary = Summary::default();
            for folder in folders {
                // A folder the server refuses does not stop the others (as in the
                // UI); a broken connection does.
                let report = match imap.sync_folder(&mut store, folder.id, &mut |_| {}).await {
                    Ok(report) => report,
                    Err(error) if !error.is_connection_failure() => {
                        let problem = explain(error);
                        summary
                            .failures
                            .push(format!("syncing folder {}: {problem}", folder.name));
                        continue;
                    }
                    Err(error) => {
                        return Err(anyhow::Error::new(explain(error))
                            .context(format!("syncing folder {}", folder.name)));
                    }
                };
                summary.new += report.fetched;
                summary.flags_changed += report.flags_changed;
                summary.removed += report.removed;
            }
            imap.logout().await;
            Ok(summary)
        }
        Receive::Pop3 => {
            let credentials = remote::credentials(paths, account).await?;
            let session = remote::pop3(account, &credentials).await?;
            let request = DownloadRequest::new(id, account.pop3_delete.into());
            let downloaded = download(session, store, &request, |_| {}).await;
            let report = downloaded
                .result
                .map_err(|error| download_error(&error, account))?;
            Ok(Summary {
                new: report.stored,
                flags_changed: 0,
                removed: 0,
                notes: (report.deleted > 0)
                    .then(|| format!("{} deleted from the server", report.deleted))
                    .into_iter()
                    .collect(),
                ..Summary::default()
            })
        }
    }
}
