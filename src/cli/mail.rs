//! Reading the store: `postern folders`, `postern list` and `postern read`.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;

use crate::config::{Account, Receive};
use crate::mime::{self, Rendered};
use crate::paths::Paths;
use crate::store::{AccountId, MessageId, MessageSource, Store};

use super::output::{MessageJson, folder_line, message_line};
use super::{lookup, remote};
use crate::engine::explain::sync_error;

/// Width when stdout is not a terminal (a pipe, a file).
const DEFAULT_WIDTH: usize = 80;

pub fn folders(paths: &Paths, account: &Account) -> anyhow::Result<ExitCode> {
    let (store, id) = remote::open_store(paths, account)?;
    let folders = store.folders(id)?;
    if folders.is_empty() {
        say!(
            "{}: no folders in the store yet; run `postern sync {}` first",
            account.name,
            account.name
        );
    }
    let mut out = std::io::stdout().lock();
    for folder in &folders {
        writeln!(out, "{}", folder_line(folder))?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn list(
    paths: &Paths,
    account: &Account,
    folder: Option<&str>,
    limit: usize,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let (store, id) = remote::open_store(paths, account)?;
    let folder = lookup::folder(&store, id, account, folder)?;
    let rows = store.envelopes(folder.id, 0, limit)?;
    let mut out = std::io::stdout().lock();
    if json {
        let items: Vec<MessageJson> = rows
            .iter()
            .map(|row| MessageJson::new(row, &folder.name))
            .collect();
        serde_json::to_writer_pretty(&mut out, &items).context("writing JSON")?;
        writeln!(out)?;
    } else {
        for row in &rows {
            writeln!(out, "{}", message_line(row))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn read(
    paths: &Paths,
    account: &Account,
    message: i64,
    raw: bool,
) -> anyhow::Result<ExitCode> {
    let (mut store, id) = remote::open_store(paths, account)?;
    let row = lookup::message(&store, id, account, message)?;
    let source = source(paths, account, (&mut store, id), row.id).await?;
    let mut out = std::io::stdout().lock();
    if raw {
        out.write_all(&source)?;
    } else {
        print_rendered(&mut out, &mime::render(&source, width()))?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// The message's full source: cached, its Maildir file, or fetched from the IMAP
/// server now (and cached for next time).
async fn source(
    paths: &Paths,
    account: &Account,
    (store, id): (&mut Store, AccountId),
    message: MessageId,
) -> anyhow::Result<Vec<u8>> {
    match store.message_source(message)? {
        MessageSource::Cached(raw) => Ok(raw),
        MessageSource::File(path) => std::fs::read(&path).with_context(|| {
            format!(
                "reading {}\n  hint: the file may have moved; run `postern sync {}`",
                path.display(),
                account.name
            )
        }),
        MessageSource::NotFetched if account.receive == Receive::Imap => {
            let credentials = remote::credentials(paths, account).await?;
            let mut imap = remote::imap(account, &credentials, id).await?;
            let body = imap
                .fetch_body(store, message)
                .await
                .map_err(|error| sync_error(&error, account))?;
            imap.logout().await;
            Ok(body)
        }
        MessageSource::NotFetched => anyhow::bail!(
            "message {} has no body in the store\n  hint: run `postern sync {}`",
            message.0,
            account.name
        ),
    }
}

fn print_rendered(out: &mut impl Write, rendered: &Rendered) -> std::io::Result<()> {
    for (name, value) in &rendered.headers {
        writeln!(out, "{name}: {value}")?;
    }
    writeln!(out)?;
    for line in &rendered.body {
        writeln!(out, "{line}")?;
    }
    if !rendered.attachments.is_empty() {
        writeln!(out)?;
        for attachment in &rendered.attachments {
            writeln!(
                out,
                "[attachment: {} ({}, {} bytes)]",
                attachment.name, attachment.mime_type, attachment.size
            )?;
        }
    }
    Ok(())
}

/// The terminal's width when stdout is one, else [`DEFAULT_WIDTH`].
fn width() -> usize {
    if !std::io::stdout().is_terminal() {
        return DEFAULT_WIDTH;
    }
    crossterm::terminal::size()
        .map(|(columns, _)| usize::from(columns))
        .unwrap_or(DEFAULT_WIDTH)
}
