//! The config file as written: every key optional and spanned, unknown keys refused.
//! `resolve` turns these into the public types and reports what is missing or wrong.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAccount {
    pub email: Option<Spanned<String>>,
    pub display_name: Option<Spanned<String>>,
    pub provider: Option<Spanned<String>>,
    pub receive: Option<Spanned<String>>,
    pub maildir: Option<Spanned<String>>,
    pub pop3_delete: Option<Spanned<String>>,
    pub pop3_delete_days: Option<Spanned<i64>>,
    pub imap: Option<Spanned<RawEndpoint>>,
    pub pop3: Option<Spanned<RawEndpoint>>,
    pub smtp: Option<Spanned<RawEndpoint>>,
    pub ca_file: Option<Spanned<String>>,
    pub auth: Option<Spanned<RawAuth>>,
    pub archive_folder: Option<Spanned<String>>,
    pub new_mail_command: Option<Spanned<String>>,
    pub aliases: Option<Spanned<Vec<Spanned<String>>>>,
    pub identities: Option<Spanned<Vec<Spanned<RawIdentity>>>>,
    pub signature_file: Option<Spanned<String>>,
    pub signature_command: Option<Spanned<String>>,
    pub save_sent: Option<Spanned<String>>,
    pub default: Option<Spanned<bool>>,
}

/// One entry of an account's `identities` list.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawIdentity {
    pub name: Option<Spanned<String>>,
    pub email: Option<Spanned<String>>,
}

/// The top-level `[compose]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCompose {
    pub editor: Option<Spanned<String>>,
    /// Wide on purpose: range errors are ours to word, not serde's.
    pub send_delay: Option<Spanned<i64>>,
    pub attribution: Option<Spanned<String>>,
    pub address_book_command: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEndpoint {
    pub host: Option<Spanned<String>>,
    /// Wide on purpose: range errors are ours to word, not serde's.
    pub port: Option<Spanned<i64>>,
    pub tls: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAuth {
    pub method: Option<Spanned<String>>,
    pub flow: Option<Spanned<String>>,
    pub client_id: Option<Spanned<String>>,
    pub tenant: Option<Spanned<String>>,
    pub device_authorization_url: Option<Spanned<String>>,
    pub authorization_url: Option<Spanned<String>>,
    pub token_url: Option<Spanned<String>>,
    pub scopes: Option<Spanned<Vec<Spanned<String>>>>,
    pub client_secret_command: Option<Spanned<String>>,
    pub sasl_mechanism: Option<Spanned<String>>,
    pub password_command: Option<Spanned<String>>,
}

impl RawAuth {
    /// The keys that only mean something with `method = "oauth2"`, with their spans.
    pub fn oauth_only_keys(&self) -> Vec<(&'static str, std::ops::Range<usize>)> {
        let mut keys = Vec::new();
        let mut push = |name: &'static str, span: Option<std::ops::Range<usize>>| {
            if let Some(span) = span {
                keys.push((name, span));
            }
        };
        push("flow", self.flow.as_ref().map(Spanned::span));
        push("client_id", self.client_id.as_ref().map(Spanned::span));
        push("tenant", self.tenant.as_ref().map(Spanned::span));
        push(
            "device_authorization_url",
            self.device_authorization_url.as_ref().map(Spanned::span),
        );
        push(
            "authorization_url",
            self.authorization_url.as_ref().map(Spanned::span),
        );
        push("token_url", self.token_url.as_ref().map(Spanned::span));
        push("scopes", self.scopes.as_ref().map(Spanned::span));
        push(
            "client_secret_command",
            self.client_secret_command.as_ref().map(Spanned::span),
        );
        push(
            "sasl_mechanism",
            self.sasl_mechanism.as_ref().map(Spanned::span),
        );
        keys
    }
}
