//! `postern drafts`: the messages being written, from the store. Edits left behind
//! by a postern that stopped while an editor was open are saved into their drafts
//! first (`compose::recover_edits`), so what was typed is listed too.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use chrono::{TimeZone, Utc};
use serde::Serialize;

use crate::compose::{Recovery, recover_edits};
use crate::config::{Account, Config};
use crate::mime::sanitize;
use crate::paths::Paths;
use crate::store::{DraftRow, Store};

use super::output::local_time;

/// One draft of `postern drafts --json`. Field names are part of the interface.
#[derive(Debug, Serialize)]
pub struct DraftJson {
    pub id: i64,
    /// The account's name (`[accounts.<name>]`).
    pub account: String,
    /// Last saved, RFC 3339, UTC.
    pub updated: String,
    /// Last saved, Unix seconds.
    pub timestamp: i64,
    /// `"writing"`, or `"queued"` while it waits in the outbox to be sent.
    pub state: &'static str,
    /// The outbox id while queued, else null.
    pub outbox: Option<i64>,
    pub from: String,
    pub to: String,
    pub cc: String,
    pub bcc: String,
    pub subject: String,
    /// The names of the files that go with it.
    pub attachments: Vec<String>,
}

impl DraftJson {
    pub fn new(account: &Account, row: &DraftRow) -> DraftJson {
        let written = &row.draft.written;
        let clean = |text: &str| sanitize::line(text).into_owned();
        DraftJson {
            id: row.id.0,
            account: clean(&account.name),
            updated: Utc
                .timestamp_opt(row.updated_at, 0)
                .single()
                .map(|d| d.to_rfc3339())
                .unwrap_or_default(),
            timestamp: row.updated_at,
            state: state(row),
            outbox: row.outbox.map(|o| o.0),
            from: clean(&written.from),
            to: clean(&written.to),
            cc: clean(&written.cc),
            bcc: clean(&written.bcc),
            subject: clean(&written.subject),
            attachments: row
                .draft
                .files
                .iter()
                .map(|file| clean(&file.filename))
                .collect(),
        }
    }
}

fn state(row: &DraftRow) -> &'static str {
    if row.outbox.is_some() {
        "queued"
    } else {
        "writing"
    }
}

/// `id  account  updated  to  subject  state`, tab-separated; `-` for nothing.
pub fn draft_line(account: &Account, row: &DraftRow) -> String {
    let written = &row.draft.written;
    let or_dash = |text: &str| {
        let text = sanitize::line(text.trim()).into_owned();
        if text.is_empty() {
            "-".to_owned()
        } else {
            text
        }
    };
    format!(
        "{}\t{}\t{}\t{}\t{}\t{}",
        row.id.0,
        sanitize::line(&account.name),
        local_time(row.updated_at),
        or_dash(&written.to),
        or_dash(&written.subject),
        state(row)
    )
}

/// `postern drafts [<account>] [--json]`.
pub fn drafts(
    paths: &Paths,
    config: &Config,
    only: Option<&Account>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let path = paths.store_db();
    let mut store =
        Store::open(&path).with_context(|| format!("opening the store {}", path.display()))?;
    recover(paths, &mut store);
    let accounts: Vec<&Account> = match only {
        Some(account) => vec![account],
        None => config.accounts.iter().collect(),
    };
    let mut rows = Vec::new();
    for account in accounts {
        let id = store.upsert_account(&account.name, &account.email)?;
        for row in store.drafts(id)? {
            rows.push((account, row));
        }
    }
    let mut out = std::io::stdout().lock();
    if json {
        let items: Vec<DraftJson> = rows
            .iter()
            .map(|(account, row)| DraftJson::new(account, row))
            .collect();
        serde_json::to_writer_pretty(&mut out, &items).context("writing JSON")?;
        writeln!(out)?;
    } else {
        for (account, row) in &rows {
            writeln!(out, "{}", draft_line(account, row))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Saves edits left behind into their drafts, saying so on stderr. A failure is
/// reported and does not stop the command: the files stay for the next run.
pub(super) fn recover(paths: &Paths, store: &mut Store) {
    match recover_edits(&paths.drafts_dir(), store) {
        Ok(recovery) => report(&recovery),
        Err(error) => say!("postern: {error}\n  the files stay; the next postern tries again"),
    }
}

fn report(recovery: &Recovery) {
    for recovered in &recovery.recovered {
        let subject = if recovered.subject.trim().is_empty() {
            "no subject".to_owned()
        } else {
            format!("\"{}\"", recovered.subject)
        };
        say!(
            "postern: draft {} ({subject}) was being edited when postern stopped; what the editor left is saved in it",
            recovered.id.0
        );
        for problem in &recovered.problems {
            say!("  line {}: {}", problem.line, problem.message);
        }
    }
    for kept in &recovery.kept {
        say!("postern: {kept}");
    }
}
