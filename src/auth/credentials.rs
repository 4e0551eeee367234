//! What an account logs in with, resolved once and shared by all its connections.

use std::path::Path;
use std::time::Duration;

use super::Secret;
use super::account::token_manager;
use super::manager::{TokenError, TokenManager};
use super::oauth::{OAuthClient, OAuthError};
use super::password::password;
use crate::config::{Account, Auth};

/// An account's credentials: a token manager (OAuth2) or a password from its command.
pub enum Credentials {
    Tokens(Box<TokenManager<OAuthClient>>),
    Password(Secret),
}

#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    #[error(transparent)]
    Tokens(#[from] TokenError),
    #[error(transparent)]
    Password(#[from] OAuthError),
    #[error("account \"{0}\" is a local Maildir account; it has no server credentials")]
    Local(String),
}

impl Credentials {
    /// For `account`: its token manager (cache under `token_dir`), or its password
    /// (running `password_command`, killed after `command_timeout`).
    pub async fn of(
        token_dir: &Path,
        account: &Account,
        command_timeout: Duration,
    ) -> Result<Credentials, CredentialsError> {
        match &account.auth {
            Auth::OAuth2(_) => Ok(Credentials::Tokens(Box::new(token_manager(
                token_dir, account,
            )?))),
            Auth::Password { .. } => Ok(Credentials::Password(
                password(account, command_timeout).await?,
            )),
            Auth::None => Err(CredentialsError::Local(account.name.clone())),
        }
    }
}
