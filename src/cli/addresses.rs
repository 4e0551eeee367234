//! `postern addresses`: address completion for editors and scripts, in mutt's query
//! format (`email<TAB>name`), so vim, emacs or anything that reads
//! `query_command` output completes from the same addresses as postern's own
//! editor: the address book command's first, then the ones known from mail.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use serde::Serialize;

use crate::config::{Account, Config};
use crate::engine::complete::{TIMEOUT, complete};
use crate::mime::sanitize;
use crate::paths::Paths;
use crate::store::Store;

/// One address of `postern addresses --json`. Field names are part of the interface.
#[derive(Debug, Serialize)]
pub struct AddressJson {
    pub email: String,
    /// Null when no name is known.
    pub name: Option<String>,
}

/// `postern addresses [--account NAME] <prefix> [--json]`.
pub fn addresses(
    paths: &Paths,
    config: &Config,
    account: &Account,
    prefix: &str,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let path = paths.store_db();
    let mut store =
        Store::open(&path).with_context(|| format!("opening the store {}", path.display()))?;
    let id = store.upsert_account(&account.name, &account.email)?;
    // Mail stored since the last count (by `postern sync`, or a postern that stopped
    // before its counter got to it): counted first, so the answer knows it.
    store
        .catch_up_addresses(usize::MAX)
        .context("counting the addresses of new mail")?;
    let (found, problems) = super::runtime()?.block_on(complete(
        &store,
        id,
        Some(account),
        prefix,
        &config.compose,
        TIMEOUT,
    ));
    let mut out = std::io::stdout().lock();
    if json {
        let items: Vec<AddressJson> = found
            .iter()
            .map(|a| AddressJson {
                email: sanitize::line(&a.email).into_owned(),
                name: a.name.as_deref().map(|n| sanitize::line(n).into_owned()),
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &items).context("writing JSON")?;
        writeln!(out)?;
    } else {
        for address in &found {
            // A tab or line break in a name would break the format.
            let name = address.name.as_deref().unwrap_or("");
            writeln!(
                out,
                "{}\t{}",
                sanitize::line(&address.email),
                sanitize::line(name)
            )?;
        }
    }
    for problem in &problems {
        say!("postern: {problem}");
    }
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
