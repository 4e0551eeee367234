//! A mail server refused an OAuth2 login: what it means and how to fix it, in the
//! words of the provider's admin tools.

use crate::auth::sasl::{Protocol, SaslFailure};
use crate::config::{Account, Auth, Endpoint, OAuthFlow, Provider};

use super::Explanation;

/// Explains `failure` for `account` (its provider, flow and servers pick the advice).
pub fn explain_sasl(failure: &SaslFailure, account: &Account) -> Explanation {
    let host = host_label(account, failure.protocol);
    let what = match &failure.challenge {
        Some(challenge) => format!(
            "{host} ({}) refused the {} login: {} (challenge: {challenge})",
            failure.protocol, failure.mechanism, failure.server_response
        ),
        None => format!(
            "{host} ({}) refused the {} login: {}",
            failure.protocol, failure.mechanism, failure.server_response
        ),
    };
    let (cause, fix) = advice(failure, account);
    Explanation { what, cause, fix }
}

/// Explains a refused password login (`server_response` is the server's own words).
pub fn explain_password(
    protocol: Protocol,
    server_response: &str,
    account: &Account,
) -> Explanation {
    let host = host_label(account, protocol);
    let section = format!("[accounts.{}.auth]", account.name);
    Explanation {
        what: format!(
            "{host} ({protocol}) refused the password for {}: {server_response}",
            account.email
        ),
        cause: "the password that `password_command` printed is not the one the server expects, \
                or the server wants a different user name"
            .to_owned(),
        fix: format!(
            "run the `password_command` of {section} yourself and check it prints only the \
             password (one trailing newline is removed); postern logs in as `{}` (the account's \
             `email`). If the server uses another login name, tell your administrator: postern \
             logs in with the address",
            account.email
        ),
    }
}

/// `host:port` of the account's server for `protocol`, for messages.
fn host_label(account: &Account, protocol: Protocol) -> String {
    endpoint(account, protocol)
        .map(|e| format!("{}:{}", e.host, e.port))
        .unwrap_or_else(|| "the server".to_owned())
}

fn endpoint(account: &Account, protocol: Protocol) -> Option<&Endpoint> {
    match protocol {
        Protocol::Imap => account.imap.as_ref(),
        Protocol::Pop3 => account.pop3.as_ref(),
        Protocol::Smtp => account.smtp.as_ref(),
    }
}

fn is_microsoft(account: &Account, protocol: Protocol) -> bool {
    matches!(
        account.provider,
        Provider::Microsoft | Provider::MicrosoftPersonal
    ) || endpoint(account, protocol).is_some_and(|e| {
        let host = e.host.to_ascii_lowercase();
        ["office365.com", "outlook.com", "office.com"]
            .iter()
            .any(|domain| host.ends_with(domain))
    })
}

fn is_google(account: &Account, protocol: Protocol) -> bool {
    account.provider == Provider::Google
        || endpoint(account, protocol).is_some_and(|e| {
            let host = e.host.to_ascii_lowercase();
            host.ends_with("gmail.com") || host.ends_with("googlemail.com")
        })
}

fn app_only_client(account: &Account) -> Option<&str> {
    match &account.auth {
        Auth::OAuth2(oauth) if oauth.flow == OAuthFlow::AppOnly => Some(&oauth.client_id),
        _ => None,
    }
}

fn login_again(account: &Account) -> String {
    format!("run `postern login {}`", account.name)
}

fn advice(failure: &SaslFailure, account: &Account) -> (String, String) {
    let response = failure.server_response.to_ascii_uppercase();
    let mbx = &account.email;
    let status = failure.challenge.as_ref().and_then(|c| c.status());
    let scope = failure.challenge.as_ref().and_then(|c| c.scope());

    if failure.temporary() {
        return (
            "a temporary failure on the server's side (its token check or back end is \
             unavailable); your token was not judged"
                .into(),
            "nothing to change in postern: retry in a few minutes; if it persists, tell \
             the server's administrator"
                .into(),
        );
    }
    if response.contains("[PRIVACYREQUIRED]") || response.contains("PLAINTEXT AUTHENTICATION") {
        return (
            "the server refuses logins over an unencrypted connection".into(),
            "use `tls = \"implicit\"` or `tls = \"starttls\"` for this server".into(),
        );
    }

    if failure.protocol == Protocol::Smtp && is_microsoft(account, Protocol::Smtp) {
        if response.contains("5.7.139") {
            return (
                "SMTP AUTH (client submission) is disabled for the whole Microsoft 365 \
                 tenant; security defaults also turn it off"
                    .into(),
                format!(
                    "an Exchange admin runs `Set-TransportConfig \
                     -SmtpClientAuthenticationDisabled $false` (Exchange Online PowerShell), \
                     or enables it for this mailbox only with `Set-CASMailbox -Identity {mbx} \
                     -SmtpClientAuthenticationDisabled $false`; with security defaults on, \
                     SMTP AUTH stays off until they are replaced by Conditional Access"
                ),
            );
        }
        if response.contains("5.7.3") {
            if account.provider == Provider::MicrosoftPersonal {
                return (
                    "Outlook.com rejected the token for SMTP; with personal accounts this is \
                     usually an app registration that does not allow public client flows"
                        .into(),
                    format!(
                        "in the Azure portal, App registrations -> your app -> Authentication \
                         -> set \"Allow public client flows\" to Yes; then {}",
                        login_again(account)
                    ),
                );
            }
            return (
                "SMTP AUTH is disabled for this mailbox or for the tenant (or security \
                 defaults are on, which disable it), or the token lacks SMTP.Send"
                    .into(),
                format!(
                    "an Exchange admin enables it for the mailbox: `Set-CASMailbox -Identity \
                     {mbx} -SmtpClientAuthenticationDisabled $false`, or tenant-wide: \
                     `Set-TransportConfig -SmtpClientAuthenticationDisabled $false` (not \
                     possible while security defaults are on); the token must carry \
                     https://outlook.office.com/SMTP.Send - {} after changing scopes",
                    login_again(account)
                ),
            );
        }
    }

    if failure.protocol != Protocol::Smtp
        && failure.challenge.is_none()
        && is_microsoft(account, failure.protocol)
    {
        let (service, cmdlet) = match failure.protocol {
            Protocol::Pop3 => ("POP", "-PopEnabled $true"),
            _ => ("IMAP", "-ImapEnabled $true"),
        };
        if let Some(client_id) = app_only_client(account) {
            return (
                format!(
                    "Microsoft refused the app-only token for {mbx}: the app's service \
                     principal is not registered in Exchange or has no access to the mailbox, \
                     or {service} is disabled for the mailbox"
                ),
                format!(
                    "an Exchange admin runs `New-ServicePrincipal -AppId {client_id} -ObjectId \
                     <object id of the Enterprise Application>`, then `Add-MailboxPermission \
                     -Identity {mbx} -User <service principal id> -AccessRights FullAccess`; \
                     the app needs the {service}.AccessAsApp permission with admin consent; \
                     and `Set-CASMailbox -Identity {mbx} {cmdlet}`"
                ),
            );
        }
        if account.provider == Provider::MicrosoftPersonal {
            return (
                format!(
                    "Outlook.com refused the login: {service} access is off for this \
                     account (the default), or the token expired"
                ),
                format!(
                    "in Outlook.com, Settings -> Mail -> Forwarding and IMAP: turn on \
                     {service} access; if it is on, {}",
                    login_again(account)
                ),
            );
        }
        return (
            format!(
                "Microsoft refused the login: {service} is disabled for this mailbox, the \
                 token lacks the {service} scope, or it expired"
            ),
            format!(
                "an Exchange admin runs `Set-CASMailbox -Identity {mbx} {cmdlet}`; if \
                 {service} is enabled, {} (the token must carry \
                 https://outlook.office.com/{service}.AccessAsUser.All)",
                login_again(account)
            ),
        );
    }

    match status.as_deref() {
        Some("400") if is_google(account, failure.protocol) => (
            format!(
                "Google rejected the request (status 400): the token was issued to another \
                 Google account than {mbx}, or for the wrong scope{}",
                scope_note(scope.as_deref())
            ),
            format!(
                "make `email` the address you sign in with and request the scope \
                 https://mail.google.com/; then {}",
                login_again(account)
            ),
        ),
        Some("403") | Some("insufficient_scope") => (
            format!(
                "the token does not carry the scope the server requires{}",
                scope_note(scope.as_deref())
            ),
            format!(
                "add that scope to `scopes` in the account's auth section, then {}",
                login_again(account)
            ),
        ),
        Some(_) if failure.token_invalid => (
            format!(
                "the server found the token invalid: expired, revoked, or issued for another \
                 user than {mbx} (the SASL `user=` is the account's `email` and must be the \
                 mailbox the token belongs to){}",
                scope_note(scope.as_deref())
            ),
            format!(
                "check that `email` is the address you sign in with; then {} to get a new \
                 token (postern already renewed it once automatically)",
                login_again(account)
            ),
        ),
        _ => (
            if failure.token_invalid {
                "the server rejected the token (postern renewed it once and it was rejected \
                 again), or logins are not allowed for this mailbox"
                    .into()
            } else {
                "the server refused the login for a reason it did not detail".into()
            },
            format!(
                "{}; if it keeps failing, ask the server's administrator with the server's \
                 answer above",
                login_again(account)
            ),
        ),
    }
}

fn scope_note(scope: Option<&str>) -> String {
    match scope {
        Some(scope) if !scope.is_empty() => format!(" (the server wants scope `{scope}`)"),
        _ => String::new(),
    }
}
