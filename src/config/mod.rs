//! Configuration: `config.toml`, provider presets, validation with file:line:key errors.
//!
//! Reading goes in three steps: parse the TOML into a spanned tree (syntax errors with
//! line:col), check every key against the raw structs' fields ("did you mean"), then
//! deserialize each account into `raw` structs and resolve them into the public types,
//! collecting every problem in the file rather than stopping at the first. The `[keys]`
//! and `[theme]` tables are read from the tree itself: their keys are action and element
//! names, checked against `crate::keys` and [`theme`]. `[compose]` holds the settings
//! for writing mail ([`ComposeSettings`]).

mod attribution;
mod compose;
mod describe;
mod fields;
mod locate;
pub mod presets;
mod raw;
mod resolve;
pub mod theme;

use std::fmt;
use std::path::{Path, PathBuf};

pub use attribution::{
    AttributionError, AttributionValues, DEFAULT_ATTRIBUTION, PLACEHOLDERS, check_attribution,
    fill_attribution,
};
pub use compose::{
    ComposeSettings, DEFAULT_SEND_DELAY, EditorSetting, Identity, MAX_SEND_DELAY, SaveSent,
    Signature,
};
pub use describe::{describe, describe_compose};

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
#[derive(Clone, PartialEq, Eq)]
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
    /// Force a SASL mechanism; by default OAUTHBEARER when the server offers it, else
    /// XOAUTH2.
    pub sasl_mechanism: Option<SaslMechanism>,
}

/// The SASL mechanisms that carry an OAuth2 token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaslMechanism {
    XOAuth2,
    OAuthBearer,
}

impl SaslMechanism {
    pub fn as_str(self) -> &'static str {
        match self {
            SaslMechanism::XOAuth2 => "xoauth2",
            SaslMechanism::OAuthBearer => "oauthbearer",
        }
    }
}

#[derive(Clone, PartialEq, Eq)]
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
#[derive(Clone, PartialEq, Eq)]
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
    /// POP3 accounts: when downloaded messages are deleted from the server.
    pub pop3_delete: Pop3Delete,
    /// Where archiving moves mail when the server marks no folder as \Archive.
    pub archive_folder: Option<String>,
    /// A shell command run when new mail arrives, with `POSTERN_ACCOUNT`,
    /// `POSTERN_FOLDER` and `POSTERN_NEW` (the count) in its environment.
    pub new_mail_command: Option<String>,
    /// Who this account can send as: always first the account's own (`display_name`,
    /// `email`), then the `identities` the file lists, in its order. Never empty.
    pub identities: Vec<Identity>,
    /// Other addresses that are also this account's owner (`aliases`), as written.
    pub aliases: Vec<String>,
    /// `signature_file` or `signature_command`; `None` when neither is set.
    pub signature: Option<Signature>,
    /// Whether a copy of sent mail is kept; see [`Account::keeps_sent_copy`].
    pub save_sent: SaveSent,
    /// `default = true`: the account new mail is written from when none is named (the
    /// compose screen, a `postern compose`). At most one account of a config has it; see
    /// [`Config::default_account`].
    pub default: bool,
}

/// When a POP3 account deletes downloaded messages from the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pop3Delete {
    /// Leave them on the server (the default).
    #[default]
    Never,
    /// Delete each message once it is safely in the local store.
    AfterDownload,
    /// Delete messages downloaded more than this many days ago.
    AfterDays(u32),
}

/// A whole configuration: accounts in the order the file lists them, the key bindings
/// (the defaults with the `[keys]` tables applied), the `[theme]` and the `[compose]`
/// settings (defaults for what the file leaves out).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Config {
    pub accounts: Vec<Account>,
    pub keys: crate::keys::Keymap,
    pub theme: theme::Theme,
    pub compose: ComposeSettings,
}

// Commands are not secrets, but users do write `echo hunter2`: keep them out of Debug.
const REDACTED_COMMAND: &str = "<command not shown>";

impl fmt::Debug for OAuth2 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuth2")
            .field("flow", &self.flow)
            .field("client_id", &self.client_id)
            .field("tenant", &self.tenant)
            .field("device_authorization_url", &self.device_authorization_url)
            .field("authorization_url", &self.authorization_url)
            .field("token_url", &self.token_url)
            .field("scopes", &self.scopes)
            .field(
                "client_secret_command",
                &self
                    .client_secret_command
                    .as_ref()
                    .map(|_| REDACTED_COMMAND),
            )
            .field("sasl_mechanism", &self.sasl_mechanism)
            .finish()
    }
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Destructured so that a new field cannot be forgotten here.
        let Account {
            name,
            email,
            display_name,
            provider,
            receive,
            maildir,
            imap,
            pop3,
            smtp,
            ca_file,
            auth,
            pop3_delete,
            archive_folder,
            new_mail_command,
            identities,
            aliases,
            signature,
            save_sent,
            default,
        } = self;
        f.debug_struct("Account")
            .field("name", name)
            .field("email", email)
            .field("display_name", display_name)
            .field("provider", provider)
            .field("receive", receive)
            .field("maildir", maildir)
            .field("imap", imap)
            .field("pop3", pop3)
            .field("smtp", smtp)
            .field("ca_file", ca_file)
            .field("auth", auth)
            .field("pop3_delete", pop3_delete)
            .field("archive_folder", archive_folder)
            .field(
                "new_mail_command",
                &new_mail_command.as_ref().map(|_| REDACTED_COMMAND),
            )
            .field("identities", identities)
            .field("aliases", aliases)
            .field("signature", signature)
            .field("save_sent", save_sent)
            .field("default", default)
            .finish()
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::OAuth2(oauth) => f.debug_tuple("OAuth2").field(oauth).finish(),
            Auth::Password { .. } => f
                .debug_struct("Password")
                .field("password_command", &REDACTED_COMMAND)
                .finish(),
            Auth::None => f.write_str("None"),
        }
    }
}

impl Provider {
    /// The value written in the config file.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Microsoft => "microsoft",
            Provider::MicrosoftPersonal => "microsoft-personal",
            Provider::Google => "google",
            Provider::Generic => "generic",
        }
    }
}

impl Receive {
    pub fn as_str(self) -> &'static str {
        match self {
            Receive::Imap => "imap",
            Receive::Pop3 => "pop3",
            Receive::Maildir => "maildir",
        }
    }
}

impl TlsMode {
    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Implicit => "implicit",
            TlsMode::Starttls => "starttls",
            TlsMode::None => "none",
        }
    }
}

impl OAuthFlow {
    pub fn as_str(self) -> &'static str {
        match self {
            OAuthFlow::Device => "device",
            OAuthFlow::Browser => "browser",
            OAuthFlow::AppOnly => "app-only",
        }
    }
}

impl Config {
    /// Parse config text; `origin` names the file in error messages. `~` in paths expands
    /// to the current user's home directory.
    pub fn parse_str(text: &str, origin: &Path) -> Result<Self, ConfigError> {
        let home = directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_path_buf());
        Self::parse_str_with_home(text, origin, home.as_deref())
    }

    /// `parse_str` with an explicit home directory for `~` (tests; `None`: no home known).
    pub fn parse_str_with_home(
        text: &str,
        origin: &Path,
        home: Option<&Path>,
    ) -> Result<Self, ConfigError> {
        resolve::parse_document(text, home).map_err(|problems| ConfigError::Invalid {
            path: origin.to_path_buf(),
            problems,
        })
    }

    /// The account called `name`.
    pub fn account(&self, name: &str) -> Option<&Account> {
        self.accounts.iter().find(|account| account.name == name)
    }

    /// The account to write from when none is named: the one with `default = true`,
    /// else the first in the file (`None` only for a config without accounts).
    pub fn default_account(&self) -> Option<&Account> {
        self.accounts
            .iter()
            .find(|account| account.default)
            .or_else(|| self.accounts.first())
    }
}

/// One thing wrong in a config file, located by line, column and key path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// Dotted path such as `accounts.work.auth`; empty for TOML syntax errors.
    pub key_path: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "{}: no config file here\n  hint: copy config.example.toml (shipped with postern, \
         explained in docs/configuration.md) to {} and edit it, or point --config or \
         POSTERN_CONFIG at your file",
        shown(path),
        shown(path)
    )]
    NotFound { path: PathBuf },
    #[error("{}: cannot read the config file: {source}", shown(path))]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", render_problems(path, problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
}

impl ConfigError {
    /// The problems found in the file (empty unless the file was read and was wrong).
    pub fn problems(&self) -> &[Problem] {
        match self {
            ConfigError::Invalid { problems, .. } => problems,
            _ => &[],
        }
    }
}

fn render_problems(path: &Path, problems: &[Problem]) -> String {
    let file = shown(path);
    let lines: Vec<String> = problems
        .iter()
        .map(|p| {
            if p.key_path.is_empty() {
                format!("{file}:{}:{}: {}", p.line, p.column, p.message)
            } else {
                format!(
                    "{file}:{}:{}: {}: {}",
                    p.line, p.column, p.key_path, p.message
                )
            }
        })
        .collect();
    lines.join("\n")
}

/// `path` with the home directory written as `~`, as users see it in their shell.
fn shown(path: &Path) -> String {
    let home = directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_path_buf());
    shown_with_home(path, home.as_deref())
}

pub(crate) fn shown_with_home(path: &Path, home: Option<&Path>) -> String {
    match home.and_then(|home| path.strip_prefix(home).ok()) {
        Some(rest) if !rest.as_os_str().is_empty() => format!("~/{}", rest.display()),
        _ => path.display().to_string(),
    }
}

/// Read and check the config file at `path`.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ConfigError::NotFound {
                path: path.to_path_buf(),
            });
        }
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    Config::parse_str(&text, path)
}

/// Why a path could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TildeError {
    #[error("`~` needs a home directory and none is known; write the full path")]
    NoHome,
    #[error("`~user` paths are not supported; write the full path")]
    OtherUser,
    #[error("the path is empty")]
    Empty,
}

/// Expand a leading `~` or `~/` to `home`. Other paths come back unchanged.
pub fn expand_tilde(raw: &str, home: Option<&Path>) -> Result<PathBuf, TildeError> {
    if raw.is_empty() {
        return Err(TildeError::Empty);
    }
    let Some(rest) = raw.strip_prefix('~') else {
        return Ok(PathBuf::from(raw));
    };
    if !(rest.is_empty() || rest.starts_with('/')) {
        return Err(TildeError::OtherUser);
    }
    let home = home.ok_or(TildeError::NoHome)?;
    let rest = rest.trim_start_matches('/');
    Ok(if rest.is_empty() {
        home.to_path_buf()
    } else {
        home.join(rest)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_below_home_are_shown_with_tilde() {
        let home = Some(Path::new("/home/ada"));
        assert_eq!(
            shown_with_home(Path::new("/home/ada/.config/postern/config.toml"), home),
            "~/.config/postern/config.toml"
        );
        assert_eq!(
            shown_with_home(Path::new("/etc/c.toml"), home),
            "/etc/c.toml"
        );
        assert_eq!(
            shown_with_home(Path::new("/home/adam/c.toml"), home),
            "/home/adam/c.toml"
        );
        assert_eq!(
            shown_with_home(Path::new("/home/ada/c.toml"), None),
            "/home/ada/c.toml"
        );
    }
}
