//! `postern login` and `postern logout`.

use std::process::ExitCode;

use crate::auth::account::token_manager;
use crate::auth::diagnose::oauth::explain;
use crate::auth::password::{DEFAULT_COMMAND_TIMEOUT, password};
use crate::config::{Account, Auth};
use crate::paths::Paths;

use super::prompt::TerminalPrompt;

/// Run the account's configured login and cache its tokens.
pub async fn login(paths: &Paths, account: &Account, copy_code: bool) -> anyhow::Result<ExitCode> {
    match &account.auth {
        Auth::OAuth2(_) => {}
        Auth::Password { .. } => {
            // Nothing to cache: check the command works, so the user learns now.
            return Ok(match password(account, DEFAULT_COMMAND_TIMEOUT).await {
                Ok(_) => {
                    say!(
                        "{}: uses password login; password_command works. Nothing to cache.",
                        account.name
                    );
                    ExitCode::SUCCESS
                }
                Err(err) => {
                    say!("{}: {}", account.name, explain(&err, account));
                    ExitCode::FAILURE
                }
            });
        }
        Auth::None => {
            say!(
                "{}: a local Maildir account; there is nothing to log in to.",
                account.name
            );
            return Ok(ExitCode::SUCCESS);
        }
    }
    let manager = token_manager(&paths.token_dir(), account)?;
    let prompt = TerminalPrompt::new(&account.name, copy_code);
    match manager.endpoint().login(&prompt).await {
        Ok(tokens) => {
            manager.store_login(tokens).await?;
            say!(
                "\nLogged in {} ({}). Tokens cached in {} (readable only by you).",
                account.name,
                account.email,
                manager.cache_path().display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(err) => {
            say!(
                "\n{}: login failed: {}",
                account.name,
                explain(&err, account)
            );
            Ok(ExitCode::FAILURE)
        }
    }
}

/// Forget the account's cached tokens (the next use needs `postern login`).
pub async fn logout(paths: &Paths, account: &Account) -> anyhow::Result<ExitCode> {
    if !matches!(account.auth, Auth::OAuth2(_)) {
        say!(
            "{}: does not use OAuth2; no tokens are cached.",
            account.name
        );
        return Ok(ExitCode::SUCCESS);
    }
    let manager = token_manager(&paths.token_dir(), account)?;
    if manager.logout().await? {
        say!(
            "{}: removed the cached tokens ({}).",
            account.name,
            manager.cache_path().display()
        );
    } else {
        say!("{}: no tokens were cached.", account.name);
    }
    Ok(ExitCode::SUCCESS)
}
