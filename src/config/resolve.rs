//! From config text to `Config`: key checks, deserialization per account, presets, and
//! the checks that need more than one key. Every problem is collected, none is fatal
//! except TOML syntax errors (after which the tree cannot be trusted).

use std::net::IpAddr;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;
use toml::de::{DeTable, DeValue, ValueDeserializer};

use super::fields::field_names;
use super::locate::{get, join, key_path_at, line_col, quote_key};
use super::presets::{self, Protocol};
use super::raw::{RawAccount, RawAuth, RawEndpoint, RawIdentity};

mod auth;
mod compose;
mod keys;
mod sending;
use super::{
    Account, Auth, Config, Endpoint, Identity, OAuthFlow, Pop3Delete, Problem, Provider, Receive,
    SaslMechanism, TlsMode, expand_tilde, theme,
};

const TOP_LEVEL_KEYS: [&str; 4] = ["accounts", "compose", "keys", "theme"];

const PROVIDERS: [(&str, Provider); 4] = [
    ("microsoft", Provider::Microsoft),
    ("microsoft-personal", Provider::MicrosoftPersonal),
    ("google", Provider::Google),
    ("generic", Provider::Generic),
];
const RECEIVES: [(&str, Receive); 3] = [
    ("imap", Receive::Imap),
    ("pop3", Receive::Pop3),
    ("maildir", Receive::Maildir),
];
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pop3DeleteChoice {
    Never,
    AfterDownload,
    AfterDays,
}
const POP3_DELETES: [(&str, Pop3DeleteChoice); 3] = [
    ("never", Pop3DeleteChoice::Never),
    ("after-download", Pop3DeleteChoice::AfterDownload),
    ("after-days", Pop3DeleteChoice::AfterDays),
];
const TLS_MODES: [(&str, TlsMode); 3] = [
    ("implicit", TlsMode::Implicit),
    ("starttls", TlsMode::Starttls),
    ("none", TlsMode::None),
];
const SASL_MECHANISMS: [(&str, SaslMechanism); 2] = [
    ("xoauth2", SaslMechanism::XOAuth2),
    ("oauthbearer", SaslMechanism::OAuthBearer),
];
const FLOWS: [(&str, OAuthFlow); 3] = [
    ("device", OAuthFlow::Device),
    ("browser", OAuthFlow::Browser),
    ("app-only", OAuthFlow::AppOnly),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Method {
    OAuth2,
    Password,
}
const METHODS: [(&str, Method); 2] = [("oauth2", Method::OAuth2), ("password", Method::Password)];

/// Problems found so far, located in `text`.
pub(super) struct Problems<'t> {
    text: &'t str,
    list: Vec<Problem>,
}

impl Problems<'_> {
    pub(super) fn at(&mut self, span: Range<usize>, key_path: &str, message: impl Into<String>) {
        let (line, column) = line_col(self.text, span.start);
        let problem = Problem {
            line,
            column,
            key_path: key_path.to_string(),
            message: message.into(),
        };
        if !self.list.contains(&problem) {
            self.list.push(problem);
        }
    }

    fn count(&self) -> usize {
        self.list.len()
    }
}

pub(crate) fn parse_document(text: &str, home: Option<&Path>) -> Result<Config, Vec<Problem>> {
    let mut problems = Problems {
        text,
        list: Vec::new(),
    };
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        for error in errors {
            let span = error.span().unwrap_or(0..0);
            problems.at(span, "", format!("TOML syntax error: {}", error.message()));
        }
        return Err(problems.list);
    }
    let root = root.into_inner();
    check_keys(&mut problems, &root, "", &TOP_LEVEL_KEYS);

    let mut accounts = Vec::new();
    match get(&root, "accounts") {
        None => problems.at(
            0..0,
            "accounts",
            "no accounts defined; add an [accounts.<name>] table (see config.example.toml)",
        ),
        Some(value) => match value.get_ref() {
            DeValue::Table(table) if table.is_empty() => problems.at(
                value.span(),
                "accounts",
                "no accounts defined; add an [accounts.<name>] table (see config.example.toml)",
            ),
            DeValue::Table(table) => {
                for (name, account) in table.iter() {
                    if let Some(account) = resolve_account(&mut problems, name, account, home) {
                        accounts.push(account);
                    }
                }
                sending::check_one_default(&mut problems, table);
            }
            other => problems.at(
                value.span(),
                "accounts",
                format!(
                    "expected a table of accounts like [accounts.work], found {}",
                    other.type_str()
                ),
            ),
        },
    }
    let keys = get(&root, "keys").map(|value| keys::keymap(&mut problems, value));
    let theme = get(&root, "theme").map(|value| theme::resolve(&mut problems, value));
    let compose = get(&root, "compose").map(|value| compose::resolve(&mut problems, value));
    if problems.list.is_empty() {
        Ok(Config {
            accounts,
            keys: keys.unwrap_or_default(),
            theme: theme.unwrap_or_default(),
            compose: compose.unwrap_or_default(),
        })
    } else {
        // Read top to bottom, like the file.
        problems.list.sort_by_key(|p| (p.line, p.column));
        Err(problems.list)
    }
}

/// Report every key of `table` that is not in `valid`, with a suggestion.
fn check_keys(problems: &mut Problems<'_>, table: &DeTable<'_>, path: &str, valid: &[&str]) {
    for (key, _) in table.iter() {
        let key_name = key.get_ref().as_ref();
        if valid.contains(&key_name) {
            continue;
        }
        let shown = quote_key(key_name);
        let message = match suggest(key_name, valid) {
            Some(best) => format!("unknown key `{shown}`, did you mean `{best}`?"),
            None => format!(
                "unknown key `{shown}`; valid keys here: {}",
                valid.join(", ")
            ),
        };
        let where_ = if path.is_empty() { "(top level)" } else { path };
        problems.at(key.span(), where_, message);
    }
}

/// The candidate closest to `word`, if it is close enough to be a likely typo.
pub(super) fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    let (best, distance) = candidates
        .iter()
        .map(|c| (*c, strsim::damerau_levenshtein(&word, c)))
        .min_by_key(|(_, d)| *d)?;
    let limit = (word.chars().count() / 3).max(2);
    (distance <= limit && distance < word.chars().count()).then_some(best)
}

/// `expected` listed for a message: `a`, `b` or `c`.
fn one_of<T>(choices: &[(&str, T)]) -> String {
    let names: Vec<String> = choices.iter().map(|(n, _)| format!("\"{n}\"")).collect();
    names.join(", ")
}

fn parse_choice<T: Copy>(
    problems: &mut Problems<'_>,
    value: &Spanned<String>,
    path: &str,
    choices: &[(&str, T)],
) -> Option<T> {
    let written = value.get_ref().as_str();
    if let Some((_, v)) = choices.iter().find(|(name, _)| *name == written) {
        return Some(*v);
    }
    let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
    let hint = suggest(written, &names)
        .map(|best| format!(", did you mean \"{best}\"?"))
        .unwrap_or_default();
    problems.at(
        value.span(),
        path,
        format!(
            "invalid value \"{written}\"{hint} (valid values: {})",
            one_of(choices)
        ),
    );
    None
}

/// A command as written: anything but empty (what it runs is the user's business).
fn command(problems: &mut Problems<'_>, raw: &Spanned<String>, path: &str) -> Option<String> {
    if raw.get_ref().trim().is_empty() {
        problems.at(
            raw.span(),
            path,
            "the command is empty; write the command to run",
        );
        return None;
    }
    Some(raw.get_ref().clone())
}

fn resolve_account(
    problems: &mut Problems<'_>,
    name: &Spanned<std::borrow::Cow<'_, str>>,
    value: &Spanned<DeValue<'_>>,
    home: Option<&Path>,
) -> Option<Account> {
    let path = join("accounts", name.get_ref());
    let before = problems.count();
    let name_ok = !name.get_ref().is_empty()
        && name
            .get_ref()
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !name_ok {
        problems.at(
            name.span(),
            &path,
            "account names may use only letters, digits, `-` and `_` (the name is used in \
             file names); rename the table, e.g. [accounts.work]",
        );
    }
    let Some(table) = value.get_ref().as_table() else {
        problems.at(
            value.span(),
            &path,
            format!(
                "expected a table like [accounts.{}], found {}",
                quote_key(name.get_ref()),
                value.get_ref().type_str()
            ),
        );
        return None;
    };

    check_keys(problems, table, &path, field_names::<RawAccount>());
    for sub in ["imap", "pop3", "smtp"] {
        if let Some(inner) = get(table, sub).and_then(|v| v.get_ref().as_table()) {
            check_keys(
                problems,
                inner,
                &join(&path, sub),
                field_names::<RawEndpoint>(),
            );
        }
    }
    if let Some(inner) = get(table, "auth").and_then(|v| v.get_ref().as_table()) {
        check_keys(
            problems,
            inner,
            &join(&path, "auth"),
            field_names::<RawAuth>(),
        );
    }
    if let Some(list) = get(table, "identities").and_then(|v| v.get_ref().as_array()) {
        for inner in list.iter().filter_map(|item| item.get_ref().as_table()) {
            check_keys(
                problems,
                inner,
                &join(&path, "identities"),
                field_names::<RawIdentity>(),
            );
        }
    }
    let mut known = value.clone();
    recover_unknown_keys(known.get_mut());

    let raw = match RawAccount::deserialize(ValueDeserializer::from(known)) {
        Ok(raw) => raw,
        Err(error) => {
            let span = error.span().unwrap_or_else(|| value.span());
            let key_path = key_path_at(table, &path, &span);
            problems.at(span, &key_path, friendly_type_error(error.message()));
            return None;
        }
    };
    let mut resolver = AccountResolver {
        problems,
        path,
        header: value.span(),
        home,
    };
    let account = resolver.account(name.get_ref().to_string(), raw);
    (problems.count() == before).then_some(account).flatten()
}

/// Recover from the unknown keys `check_keys` reported, as a compiler recovers from a
/// typo: a key with a suggestion is read as the suggested key (unless that one is also
/// written), any other is dropped. serde would stop at the first unknown key; this way
/// the account's other problems are found too, without follow-on noise from the typo.
fn recover_unknown_keys(account: &mut DeValue<'_>) {
    if let DeValue::Table(table) = account {
        recover_table(table, field_names::<RawAccount>());
        for (key, value) in table.iter_mut() {
            let valid = match key.get_ref().as_ref() {
                "imap" | "pop3" | "smtp" => field_names::<RawEndpoint>(),
                "auth" => field_names::<RawAuth>(),
                "identities" => {
                    if let DeValue::Array(items) = value.get_mut() {
                        for item in items.iter_mut() {
                            if let DeValue::Table(inner) = item.get_mut() {
                                recover_table(inner, field_names::<RawIdentity>());
                            }
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            if let DeValue::Table(inner) = value.get_mut() {
                recover_table(inner, valid);
            }
        }
    }
}

fn recover_table(table: &mut DeTable<'_>, valid: &'static [&'static str]) {
    let entries = std::mem::replace(table, DeTable::new());
    let written: Vec<String> = entries.keys().map(|k| k.get_ref().to_string()).collect();
    for (key, value) in entries {
        let name = key.get_ref().as_ref();
        if valid.contains(&name) {
            table.insert(key, value);
        } else if let Some(best) = suggest(name, valid)
            && !written.iter().any(|w| w == best)
        {
            let span = key.span();
            table.insert(Spanned::new(span, std::borrow::Cow::Borrowed(best)), value);
        }
    }
}

struct AccountResolver<'p, 't, 'h> {
    problems: &'p mut Problems<'t>,
    /// `accounts.<name>`.
    path: String,
    /// Span of the account's table header: where "missing key" problems point.
    header: Range<usize>,
    home: Option<&'h Path>,
}

impl AccountResolver<'_, '_, '_> {
    fn key(&self, key: &str) -> String {
        join(&self.path, key)
    }

    fn account(&mut self, name: String, raw: RawAccount) -> Option<Account> {
        let email = self.email(raw.email.as_ref());
        let display_name = raw.display_name.as_ref().map(|n| n.get_ref().clone());
        let provider = match &raw.provider {
            Some(value) => parse_choice(self.problems, value, &self.key("provider"), &PROVIDERS),
            None => Some(Provider::Generic),
        };
        let receive = match &raw.receive {
            Some(value) => parse_choice(self.problems, value, &self.key("receive"), &RECEIVES),
            None => Some(Receive::Imap),
        };
        let maildir = self.maildir(receive, &raw);
        let pop3_delete = self.pop3_delete(receive, &raw);
        let ca_file = raw
            .ca_file
            .as_ref()
            .and_then(|raw| self.path_value(raw, "ca_file"));
        let archive_folder = raw
            .archive_folder
            .as_ref()
            .and_then(|raw| self.folder_name(raw, "archive_folder"));
        let new_mail_command = raw
            .new_mail_command
            .as_ref()
            .and_then(|raw| self.command(raw, &self.key("new_mail_command")));
        let more_identities = self.identities(raw.identities.as_ref());
        let aliases = self.aliases(raw.aliases.as_ref());
        let signature = self.signature(&raw);
        let save_sent = self.save_sent(raw.save_sent.as_ref());
        let default = raw.default.as_ref().is_some_and(|d| *d.get_ref());

        // Without a valid provider the presets are unknown: stop before guessing.
        let (provider, receive) = (provider?, receive?);
        let imap = self.endpoint(
            Protocol::Imap,
            provider,
            raw.imap.as_ref(),
            receive == Receive::Imap,
        );
        let pop3 = self.endpoint(
            Protocol::Pop3,
            provider,
            raw.pop3.as_ref(),
            receive == Receive::Pop3,
        );
        let smtp = self.endpoint(
            Protocol::Smtp,
            provider,
            raw.smtp.as_ref(),
            provider != Provider::Generic,
        );
        let needs_auth = receive != Receive::Maildir || smtp.is_some();
        let auth = match raw.auth.as_ref() {
            Some(auth) => self.auth(provider, auth),
            None if needs_auth => {
                self.problems.at(
                    self.header.clone(),
                    &self.path,
                    format!(
                        "missing [{}] table: say how to log in, e.g. method = \"oauth2\" \
                         with client_id, or method = \"password\" with password_command",
                        self.key("auth")
                    ),
                );
                None
            }
            None => Some(Auth::None),
        };
        let email = email?;
        let mut identities = vec![Identity {
            name: display_name.clone(),
            email: email.clone(),
        }];
        identities.extend(more_identities?);
        Some(Account {
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
            auth: auth?,
            pop3_delete: pop3_delete?,
            archive_folder,
            new_mail_command,
            identities,
            aliases: aliases?,
            signature: signature?,
            save_sent: save_sent?,
            default,
        })
    }

    fn folder_name(&mut self, raw: &Spanned<String>, key: &str) -> Option<String> {
        if raw.get_ref().trim().is_empty() {
            self.problems.at(
                raw.span(),
                &self.key(key),
                format!(
                    "the folder name is empty; write it as the folder list shows it, e.g. \
                     {key} = \"Archive\""
                ),
            );
            return None;
        }
        Some(raw.get_ref().clone())
    }

    fn email(&mut self, raw: Option<&Spanned<String>>) -> Option<String> {
        let Some(raw) = raw else {
            self.problems.at(
                self.header.clone(),
                &self.path,
                "missing key `email`: the account's address, e.g. email = \"ada@example.com\"",
            );
            return None;
        };
        let email = raw.get_ref();
        let valid = match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !email.chars().any(|c| c.is_whitespace() || c.is_control())
            }
            None => false,
        };
        if !valid {
            self.problems.at(
                raw.span(),
                &self.key("email"),
                format!("\"{email}\" is not an email address; write it as name@domain"),
            );
            return None;
        }
        Some(email.clone())
    }

    fn maildir(&mut self, receive: Option<Receive>, raw: &RawAccount) -> Option<PathBuf> {
        match (&raw.maildir, receive) {
            (Some(dir), Some(Receive::Maildir)) => self.path_value(dir, "maildir"),
            (None, Some(Receive::Maildir)) => {
                let span = raw
                    .receive
                    .as_ref()
                    .map_or_else(|| self.header.clone(), Spanned::span);
                self.problems.at(
                    span,
                    &self.path,
                    "missing key `maildir`: receive = \"maildir\" reads a local Maildir++ \
                     tree; add maildir = \"~/Mail/<name>\"",
                );
                None
            }
            (Some(dir), Some(other)) => {
                self.problems.at(
                    dir.span(),
                    &self.key("maildir"),
                    format!(
                        "`maildir` is only read with receive = \"maildir\", but this account \
                         has receive = \"{}\"; set receive = \"maildir\" or remove `maildir`",
                        other.as_str()
                    ),
                );
                None
            }
            _ => None,
        }
    }

    /// `pop3_delete` (+ `pop3_delete_days` for "after-days"); only for POP3 accounts.
    fn pop3_delete(&mut self, receive: Option<Receive>, raw: &RawAccount) -> Option<Pop3Delete> {
        let days = raw.pop3_delete_days.as_ref();
        let Some(value) = raw.pop3_delete.as_ref() else {
            if let Some(days) = days {
                self.problems.at(
                    days.span(),
                    &self.key("pop3_delete_days"),
                    "`pop3_delete_days` is only read with pop3_delete = \"after-days\"; add that \
                     or remove `pop3_delete_days`",
                );
                return None;
            }
            return Some(Pop3Delete::Never);
        };
        if let Some(other) = receive.filter(|r| *r != Receive::Pop3) {
            self.problems.at(
                value.span(),
                &self.key("pop3_delete"),
                format!(
                    "`pop3_delete` is only read with receive = \"pop3\", but this account has \
                     receive = \"{}\"; remove it",
                    other.as_str()
                ),
            );
            return None;
        }
        let choice = parse_choice(
            self.problems,
            value,
            &self.key("pop3_delete"),
            &POP3_DELETES,
        )?;
        match (choice, days) {
            (Pop3DeleteChoice::AfterDays, Some(days)) => match u32::try_from(*days.get_ref()) {
                Ok(n @ 1..=3650) => Some(Pop3Delete::AfterDays(n)),
                _ => {
                    self.problems.at(
                        days.span(),
                        &self.key("pop3_delete_days"),
                        format!("{} days is out of range; use 1 to 3650", days.get_ref()),
                    );
                    None
                }
            },
            (Pop3DeleteChoice::AfterDays, None) => {
                self.problems.at(
                    value.span(),
                    &self.path,
                    "missing key `pop3_delete_days`: pop3_delete = \"after-days\" needs the \
                     number of days, e.g. pop3_delete_days = 30",
                );
                None
            }
            (_, Some(days)) => {
                self.problems.at(
                    days.span(),
                    &self.key("pop3_delete_days"),
                    "`pop3_delete_days` is only read with pop3_delete = \"after-days\"",
                );
                None
            }
            (Pop3DeleteChoice::Never, None) => Some(Pop3Delete::Never),
            (Pop3DeleteChoice::AfterDownload, None) => Some(Pop3Delete::AfterDownload),
        }
    }

    fn path_value(&mut self, raw: &Spanned<String>, key: &str) -> Option<PathBuf> {
        match expand_tilde(raw.get_ref(), self.home) {
            Ok(path) => Some(path),
            Err(error) => {
                self.problems
                    .at(raw.span(), &self.key(key), error.to_string());
                None
            }
        }
    }

    /// Resolve one server: explicit keys, then the preset, then the protocol's standard
    /// port for the TLS mode. `wanted`: the account uses this protocol even if unwritten.
    fn endpoint(
        &mut self,
        protocol: Protocol,
        provider: Provider,
        raw: Option<&Spanned<RawEndpoint>>,
        wanted: bool,
    ) -> Option<Endpoint> {
        if raw.is_none() && !wanted {
            return None;
        }
        let path = self.key(protocol.key());
        let preset = presets::endpoint(provider, protocol);
        let raw_ref = raw.map(Spanned::get_ref);
        let host = match raw_ref.and_then(|r| r.host.as_ref()) {
            Some(host) => self.host(host, &join(&path, "host")),
            None => match preset {
                Some(preset) => Some(preset.host.to_string()),
                None => {
                    let span = raw.map_or_else(|| self.header.clone(), Spanned::span);
                    let message = if raw.is_some() {
                        format!(
                            "missing key `host`: provider \"generic\" has no preset; write \
                             {} = {{ host = \"{}.example.com\" }}",
                            protocol.key(),
                            protocol.key()
                        )
                    } else {
                        format!(
                            "missing `{}` server: provider \"generic\" has no preset; write \
                             {} = {{ host = \"{}.example.com\" }} or set `provider`",
                            protocol.key(),
                            protocol.key(),
                            protocol.key()
                        )
                    };
                    self.problems.at(span, &path, message);
                    None
                }
            },
        };
        let tls_path = join(&path, "tls");
        let raw_tls = match raw_ref.and_then(|r| r.tls.as_ref()) {
            Some(tls) => Some(parse_choice(self.problems, tls, &tls_path, &TLS_MODES)?),
            None => None,
        };
        let raw_port = match raw_ref.and_then(|r| r.port.as_ref()) {
            Some(port) => Some(self.port(port, &join(&path, "port"))?),
            None => None,
        };
        let tls = raw_tls
            .or_else(|| raw_port.and_then(|port| protocol.tls_for_port(port)))
            .or(preset.map(|p| p.tls))
            .unwrap_or(TlsMode::Implicit);
        let port = match (raw_port, raw_tls, preset) {
            (Some(port), _, _) => port,
            (None, None, Some(preset)) => preset.port,
            _ => protocol.default_port(tls),
        };
        let host = host?;
        if tls == TlsMode::None && !is_loopback(&host) {
            let span = raw_ref
                .and_then(|r| r.tls.as_ref())
                .map_or_else(|| self.header.clone(), Spanned::span);
            self.problems.at(
                span,
                &tls_path,
                format!(
                    "refused: tls = \"none\" sends your password or token in plaintext, which \
                     postern allows only to a loopback host (localhost, 127.0.0.1, ::1), not \
                     \"{host}\"; use tls = \"implicit\" or \"starttls\""
                ),
            );
            return None;
        }
        Some(Endpoint { host, port, tls })
    }

    fn host(&mut self, raw: &Spanned<String>, path: &str) -> Option<String> {
        let host = raw.get_ref().trim();
        let problem = if host.is_empty() {
            Some("the host name is empty".to_string())
        } else if host.contains("://") {
            Some(format!(
                "write only the host name, without a scheme (e.g. host = \"{}\")",
                host.split("://")
                    .nth(1)
                    .unwrap_or_default()
                    .trim_end_matches('/')
            ))
        } else if host.chars().any(|c| c.is_whitespace() || c == '/') {
            Some(format!("\"{host}\" is not a host name"))
        } else if host.contains(':') && host.parse::<IpAddr>().is_err() && !is_bracketed_v6(host) {
            Some(format!(
                "\"{host}\" looks like host:port; put the port in `port` and only the name in \
                 `host`"
            ))
        } else {
            None
        };
        match problem {
            Some(message) => {
                self.problems.at(raw.span(), path, message);
                None
            }
            None => Some(host.to_string()),
        }
    }

    fn port(&mut self, raw: &Spanned<i64>, path: &str) -> Option<u16> {
        match u16::try_from(*raw.get_ref()) {
            Ok(port) if port != 0 => Some(port),
            _ => {
                self.problems.at(
                    raw.span(),
                    path,
                    format!("port {} is out of range; use 1 to 65535", raw.get_ref()),
                );
                None
            }
        }
    }
}

/// serde's type errors with our internal names replaced by what the user writes.
fn friendly_type_error(message: &str) -> String {
    message
        .replace(
            "expected struct RawEndpoint",
            "expected a table like { host = \"mail.example.org\", port = 993, tls = \"implicit\" }",
        )
        .replace(
            "expected struct RawAuth",
            "expected a table like { method = \"oauth2\", client_id = \"...\" }",
        )
        .replace(
            "expected struct RawIdentity",
            "expected a table like { name = \"Ada Lovelace\", email = \"ada@example.org\" }",
        )
        .replace("expected struct RawAccount", "expected a table")
        .replace("expected struct RawCompose", "expected a table")
        .replace(
            "expected a sequence",
            "expected a list like [\"...\", \"...\"]",
        )
        .replace("expected a boolean", "expected true or false")
        .replace(
            " as i128, expected i64",
            ", expected a port number (1 to 65535)",
        )
        .replace("expected i64", "expected a number")
}

fn is_bracketed_v6(host: &str) -> bool {
    host.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .is_some_and(|h| h.parse::<std::net::Ipv6Addr>().is_ok())
}

/// Plaintext is tolerable only where nothing but this machine can listen.
fn is_loopback(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_catch_typos_but_not_noise() {
        let keys = field_names::<RawAuth>();
        assert_eq!(suggest("tennant", keys), Some("tenant"));
        assert_eq!(suggest("clientid", keys), Some("client_id"));
        assert_eq!(suggest("zzz", keys), None);
    }

    #[test]
    fn loopback_hosts() {
        for host in ["localhost", "127.0.0.1", "127.1.2.3", "::1", "[::1]"] {
            assert!(is_loopback(host), "{host}");
        }
        for host in ["example.com", "10.0.0.1", "localhost.example.com"] {
            assert!(!is_loopback(host), "{host}");
        }
    }
}
