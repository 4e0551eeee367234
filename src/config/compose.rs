//! The settings for writing mail: the top-level `[compose]` table ([`ComposeSettings`])
//! and what each account says about its sender side (identities, aliases, signature,
//! copies of sent mail). Commands are kept out of `Debug`, like the others.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::attribution::DEFAULT_ATTRIBUTION;
use super::{Account, Provider, REDACTED_COMMAND};

/// How long a sent message waits in the outbox, so that it can be taken back, when
/// `[compose]` does not say.
pub const DEFAULT_SEND_DELAY: Duration = Duration::from_secs(10);
/// The longest `send_delay` accepted.
pub const MAX_SEND_DELAY: Duration = Duration::from_secs(300);

/// The `[compose]` table, defaults filled in.
#[derive(Clone, PartialEq, Eq)]
pub struct ComposeSettings {
    /// The editor the config names. `None`: not set, so the front end looks at
    /// `$VISUAL`, then `$EDITOR`, then uses the builtin editor (config reads no
    /// environment).
    pub editor: Option<EditorSetting>,
    /// How long a sent message waits in the outbox before it goes, so that it can be
    /// taken back; zero sends at once. At most [`MAX_SEND_DELAY`].
    pub send_delay: Duration,
    /// The line above a quoted reply; see [`super::fill_attribution`]. Checked, so every
    /// placeholder in it is known. Empty: no attribution line.
    pub attribution: String,
    /// A shell command that completes addresses: `%s` replaced by the text typed so
    /// far, shell-quoted (or that appended), it prints one address per line in mutt's
    /// query format (`compose::address_book`).
    pub address_book_command: Option<String>,
}

impl Default for ComposeSettings {
    fn default() -> Self {
        ComposeSettings {
            editor: None,
            send_delay: DEFAULT_SEND_DELAY,
            attribution: DEFAULT_ATTRIBUTION.to_owned(),
            address_book_command: None,
        }
    }
}

/// `[compose] editor`.
#[derive(Clone, PartialEq, Eq)]
pub enum EditorSetting {
    /// `editor = "builtin"`: postern's own editor.
    Builtin,
    /// A shell command; the message file's path is given to it as one more argument.
    Command(String),
}

/// Someone an account can send as: a `From:` name and address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub name: Option<String>,
    pub email: String,
}

/// Where an account's signature comes from.
#[derive(Clone, PartialEq, Eq)]
pub enum Signature {
    /// `signature_file`, `~` expanded; read when a message is started.
    File(PathBuf),
    /// `signature_command`: a shell command whose standard output is the signature.
    Command(String),
}

/// `save_sent`: whether postern keeps a copy of the mail an account sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SaveSent {
    /// Keep one unless the provider's SMTP server files sent mail itself.
    #[default]
    Auto,
    Always,
    Never,
}

impl SaveSent {
    /// The value written in the config file.
    pub fn as_str(self) -> &'static str {
        match self {
            SaveSent::Auto => "auto",
            SaveSent::Always => "always",
            SaveSent::Never => "never",
        }
    }
}

impl Account {
    /// Whether `email` is one of this account's addresses: its own `email`, an alias, or
    /// an identity's. Compared without regard to case, surrounding spaces ignored.
    pub fn is_own(&self, email: &str) -> bool {
        let email = email.trim();
        std::iter::once(&self.email)
            .chain(&self.aliases)
            .chain(self.identities.iter().map(|identity| &identity.email))
            .any(|own| own.to_lowercase() == email.to_lowercase())
    }

    /// Whether postern should keep a copy of a message this account sends: `always` and
    /// `never` say so; `auto` keeps one except for the `microsoft`, `microsoft-personal`
    /// and `google` presets, whose SMTP servers put submitted mail in Sent themselves (a
    /// second copy would be a duplicate).
    pub fn keeps_sent_copy(&self) -> bool {
        match self.save_sent {
            SaveSent::Always => true,
            SaveSent::Never => false,
            SaveSent::Auto => !provider_files_sent_mail(self.provider),
        }
    }
}

/// The providers whose SMTP servers save what they are given in the Sent folder.
pub(crate) fn provider_files_sent_mail(provider: Provider) -> bool {
    match provider {
        Provider::Microsoft | Provider::MicrosoftPersonal | Provider::Google => true,
        Provider::Generic => false,
    }
}

impl fmt::Debug for ComposeSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Destructured so that a new field cannot be forgotten here.
        let ComposeSettings {
            editor,
            send_delay,
            attribution,
            address_book_command,
        } = self;
        f.debug_struct("ComposeSettings")
            .field("editor", editor)
            .field("send_delay", send_delay)
            .field("attribution", attribution)
            .field(
                "address_book_command",
                &address_book_command.as_ref().map(|_| REDACTED_COMMAND),
            )
            .finish()
    }
}

impl fmt::Debug for EditorSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditorSetting::Builtin => f.write_str("Builtin"),
            EditorSetting::Command(_) => f.debug_tuple("Command").field(&REDACTED_COMMAND).finish(),
        }
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Signature::File(path) => f.debug_tuple("File").field(path).finish(),
            Signature::Command(_) => f.debug_tuple("Command").field(&REDACTED_COMMAND).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::Config;

    fn account(lines: &str) -> Account {
        let text = format!(
            "[accounts.a]\nemail = \"Ada@Example.org\"\nreceive = \"maildir\"\nmaildir = \"/m\"\n{lines}"
        );
        match Config::parse_str_with_home(&text, Path::new("test.toml"), None) {
            Ok(config) => config.accounts.into_iter().next().expect("one account"),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn own_addresses_are_compared_without_case() {
        let account = account(
            "aliases = [\"ada.l@example.org\"]\nidentities = [{ email = \"Support@Example.ORG\" }]\n",
        );
        for own in [
            "ada@example.org",
            "ADA@EXAMPLE.ORG",
            " Ada@Example.org ",
            "Ada.L@example.org",
            "support@example.org",
        ] {
            assert!(account.is_own(own), "{own}");
        }
        for other in ["bob@example.org", "ada@example.com", "", "ada"] {
            assert!(!account.is_own(other), "{other}");
        }
    }

    #[test]
    fn sent_copies_per_provider_and_setting() {
        let with = |provider: &str, save_sent: &str| {
            let mut account = account(save_sent);
            account.provider = match provider {
                "microsoft" => Provider::Microsoft,
                "microsoft-personal" => Provider::MicrosoftPersonal,
                "google" => Provider::Google,
                _ => Provider::Generic,
            };
            account.keeps_sent_copy()
        };
        for provider in ["microsoft", "microsoft-personal", "google"] {
            assert!(!with(provider, ""), "{provider}: the server files it");
            assert!(!with(provider, "save_sent = \"auto\""), "{provider}");
            assert!(with(provider, "save_sent = \"always\""), "{provider}");
            assert!(!with(provider, "save_sent = \"never\""), "{provider}");
        }
        assert!(with("generic", ""));
        assert!(with("generic", "save_sent = \"always\""));
        assert!(!with("generic", "save_sent = \"never\""));
    }

    #[test]
    fn commands_stay_out_of_debug() {
        let settings = ComposeSettings {
            editor: Some(EditorSetting::Command("vim --secret hunter2".into())),
            address_book_command: Some("abook hunter2".into()),
            ..ComposeSettings::default()
        };
        let debug = format!("{settings:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(debug.contains("On {date}, {from} wrote:"), "{debug}");
        let debug = format!("{:?}", Signature::Command("echo hunter2".into()));
        assert!(!debug.contains("hunter2"), "{debug}");
        assert_eq!(format!("{:?}", EditorSetting::Builtin), "Builtin");
    }
}
