//! Human-readable lines about one account, for `postern config check`. Commands are
//! mentioned but never shown or run: their text may hold a secret.

use super::{
    Account, Auth, ComposeSettings, EditorSetting, Endpoint, Identity, OAuthFlow, Pop3Delete,
    Provider, Receive, SaveSent, Signature, TlsMode,
};

/// What postern will do for `account`, one fact per line.
pub fn describe(account: &Account) -> Vec<String> {
    let mut lines = Vec::new();
    let who = match &account.display_name {
        Some(name) => format!("{name} <{}>", account.email),
        None => account.email.clone(),
    };
    lines.push(format!("account {}: {who}", account.name));
    if account.default {
        lines.push("default: used when no account is named (default = true)".into());
    }
    lines.push(format!(
        "provider: {} ({})",
        account.provider.as_str(),
        provider_label(account.provider)
    ));
    match account.receive {
        Receive::Maildir => {
            let dir = account
                .maildir
                .as_ref()
                .map_or_else(|| "(not set)".to_string(), |d| d.display().to_string());
            lines.push(format!("receive: maildir at {dir}"));
        }
        Receive::Imap => lines.push(format!("receive: IMAP {}", endpoint(account.imap.as_ref()))),
        Receive::Pop3 => {
            lines.push(format!("receive: POP3 {}", endpoint(account.pop3.as_ref())));
            lines.push(match account.pop3_delete {
                Pop3Delete::Never => "  downloaded mail stays on the server".into(),
                Pop3Delete::AfterDownload => "  downloaded mail is deleted from the server".into(),
                Pop3Delete::AfterDays(days) => {
                    format!("  downloaded mail is deleted from the server after {days} days")
                }
            });
        }
    }
    // A second receive server the user wrote but does not use is still worth seeing.
    if account.receive != Receive::Imap && account.imap.is_some() {
        lines.push(format!(
            "imap (unused): {}",
            endpoint(account.imap.as_ref())
        ));
    }
    if account.receive != Receive::Pop3 && account.pop3.is_some() {
        lines.push(format!(
            "pop3 (unused): {}",
            endpoint(account.pop3.as_ref())
        ));
    }
    match &account.smtp {
        Some(smtp) => lines.push(format!("send: SMTP {}", endpoint(Some(smtp)))),
        None => lines.push("send: no SMTP server configured (sending disabled)".to_string()),
    }
    if let Some(ca) = &account.ca_file {
        lines.push(format!("extra CA certificates: {}", ca.display()));
    }
    if let Some(folder) = &account.archive_folder {
        lines.push(format!(
            "archive: to {folder:?} when the server marks no folder as \\Archive"
        ));
    }
    if account.new_mail_command.is_some() {
        lines.push("new mail: runs new_mail_command (not run by this check)".into());
    }
    sender_side(account, &mut lines);
    match &account.auth {
        Auth::None => lines.push("auth: none (local Maildir only)".to_string()),
        Auth::Password { .. } => {
            lines.push("auth: password, from password_command (not run by this check)".into());
        }
        Auth::OAuth2(oauth) => {
            let tenant = oauth
                .tenant
                .as_ref()
                .map(|t| format!(", tenant {t}"))
                .unwrap_or_default();
            lines.push(format!(
                "auth: OAuth2, {} flow{tenant}",
                flow_label(oauth.flow)
            ));
            lines.push(format!("  client_id: {}", oauth.client_id));
            if let Some(url) = &oauth.device_authorization_url {
                lines.push(format!("  device authorization: {url}"));
            }
            if let Some(url) = &oauth.authorization_url {
                lines.push(format!("  authorization: {url}"));
            }
            if let Some(url) = &oauth.token_url {
                lines.push(format!("  token: {url}"));
            }
            lines.push(format!("  scopes: {}", oauth.scopes.join(" ")));
            let mechanism = match oauth.sasl_mechanism {
                Some(forced) => forced.as_str(),
                None => "oauthbearer when offered, else xoauth2",
            };
            lines.push(format!("  sasl mechanism: {mechanism}"));
            if oauth.client_secret_command.is_some() {
                lines.push(
                    "  client secret: from client_secret_command (not run by this check)".into(),
                );
            }
        }
    }
    lines
}

/// Identities, aliases, signature and copies of sent mail.
fn sender_side(account: &Account, lines: &mut Vec<String>) {
    if account.identities.len() > 1 {
        let all: Vec<String> = account.identities.iter().map(identity).collect();
        lines.push(format!("send as: {}", all.join(", ")));
    }
    if !account.aliases.is_empty() {
        lines.push(format!("also yours: {}", account.aliases.join(", ")));
    }
    match &account.signature {
        Some(Signature::File(path)) => lines.push(format!("signature: from {}", path.display())),
        Some(Signature::Command(_)) => {
            lines.push("signature: from signature_command (not run by this check)".into());
        }
        None => {}
    }
    let setting = account.save_sent.as_str();
    let mut sent = match (account.save_sent, account.keeps_sent_copy()) {
        (SaveSent::Auto, false) => format!(
            "sent mail: no copy saved by postern, {}'s SMTP server files it in Sent itself \
             (save_sent = \"{setting}\")",
            account.provider.as_str()
        ),
        (_, true) => format!("sent mail: a copy is saved in Sent (save_sent = \"{setting}\")"),
        (_, false) => format!("sent mail: no copy is saved (save_sent = \"{setting}\")"),
    };
    if account.keeps_sent_copy() && account.receive != Receive::Imap {
        sent.push_str(&format!(
            "; only IMAP accounts have a Sent folder to save it in, and this one uses {}",
            account.receive.as_str()
        ));
    }
    lines.push(sent);
}

/// `Name <address>`, or the address alone.
fn identity(identity: &Identity) -> String {
    match &identity.name {
        Some(name) => format!("{name} <{}>", identity.email),
        None => identity.email.clone(),
    }
}

/// What the `[compose]` settings make postern do, one fact per line.
pub fn describe_compose(settings: &ComposeSettings) -> Vec<String> {
    let mut lines = Vec::new();
    lines.push(match &settings.editor {
        None => "editor: $VISUAL, else $EDITOR, else the builtin editor".to_owned(),
        Some(EditorSetting::Builtin) => "editor: the builtin editor".to_owned(),
        Some(EditorSetting::Command(_)) => {
            "editor: the command in `editor` (not run by this check)".to_owned()
        }
    });
    let delay = settings.send_delay.as_secs();
    lines.push(if delay == 0 {
        "send delay: none, mail goes at once".to_owned()
    } else {
        format!("send delay: {delay} s in the outbox, when it can be taken back")
    });
    lines.push(if settings.attribution.is_empty() {
        "attribution: none".to_owned()
    } else {
        format!("attribution: {:?}", settings.attribution)
    });
    if settings.address_book_command.is_some() {
        lines.push("address book: address_book_command (not run by this check)".to_owned());
    }
    lines
}

fn provider_label(provider: Provider) -> &'static str {
    match provider {
        Provider::Microsoft => "Microsoft 365 work or school",
        Provider::MicrosoftPersonal => "Outlook.com / personal Microsoft account",
        Provider::Google => "Gmail / Google Workspace",
        Provider::Generic => "no preset",
    }
}

fn flow_label(flow: OAuthFlow) -> &'static str {
    match flow {
        OAuthFlow::Device => "device-code",
        OAuthFlow::Browser => "browser (authorization code + PKCE)",
        OAuthFlow::AppOnly => "app-only (client credentials)",
    }
}

fn endpoint(endpoint: Option<&Endpoint>) -> String {
    let Some(endpoint) = endpoint else {
        return "(not set)".to_string();
    };
    let tls = match endpoint.tls {
        TlsMode::Implicit => "TLS",
        TlsMode::Starttls => "STARTTLS",
        TlsMode::None => "PLAINTEXT (loopback only)",
    };
    format!("{}:{} ({tls})", endpoint.host, endpoint.port)
}
