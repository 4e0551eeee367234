//! Configuration: `config.toml`, provider presets, validation with file:line:key errors.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Microsoft,
    MicrosoftPersonal,
    Google,
    Generic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Receive {
    Imap,
    Pop3,
    Maildir,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    Implicit,
    Starttls,
    /// Plaintext; accepted only when the user wrote it explicitly.
    None,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthFlow {
    Device,
    Browser,
    AppOnly,
}

/// OAuth2 settings after presets are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuth2 {
    pub flow: OAuthFlow,
    pub client_id: String,
    pub tenant: Option<String>,
    pub device_authorization_url: Option<String>,
    pub authorization_url: Option<String>,
    pub token_url: Option<String>,
    pub scopes: Vec<String>,
    /// A shell command whose stdout is the client secret (never the secret itself).
    pub client_secret_command: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Auth {
    OAuth2(OAuth2),
    /// `password_command` prints the password on stdout.
    Password {
        password_command: String,
    },
    /// No network auth needed (Maildir accounts).
    None,
}

/// One account, with provider presets applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The key in `[accounts.<name>]`.
    pub name: String,
    pub email: String,
    pub display_name: Option<String>,
    pub provider: Provider,
    pub receive: Receive,
    /// Root of the Maildir++ tree, `~` expanded (receive = "maildir").
    pub maildir: Option<PathBuf>,
    pub imap: Option<Endpoint>,
    pub pop3: Option<Endpoint>,
    pub smtp: Option<Endpoint>,
    pub ca_file: Option<PathBuf>,
    pub auth: Auth,
}

/// A whole configuration: accounts in the order the file lists them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Config {
    pub accounts: Vec<Account>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("placeholder")]
    Placeholder,
}

pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let _ = path;
    todo!("config helper")
}
