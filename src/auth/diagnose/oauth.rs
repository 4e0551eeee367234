//! Identity-provider failures explained: the AADSTS codes users of other mail clients
//! meet (table in docs: shared/design/providers.md), Google's quirks, and every
//! [`OAuthError`], each with the exact portal setting, admin step or config key to fix,
//! tailored to the account (provider, tenant, flow, client id).

use super::Explanation;
use crate::auth::oauth::{OAuthError, ProviderError};
use crate::config::{Account, Auth, OAuthFlow, Provider};

/// What the explanations need to know about the account.
struct Context<'a> {
    name: &'a str,
    provider: Provider,
    flow: Option<OAuthFlow>,
    tenant: &'a str,
    client_id: &'a str,
}

impl<'a> Context<'a> {
    fn of(account: &'a Account) -> Context<'a> {
        let (flow, tenant, client_id) = match &account.auth {
            Auth::OAuth2(settings) => (
                Some(settings.flow),
                settings.tenant.as_deref().unwrap_or("common"),
                settings.client_id.as_str(),
            ),
            _ => (None, "common", ""),
        };
        Context {
            name: &account.name,
            provider: account.provider,
            flow,
            tenant,
            client_id,
        }
    }

    /// Where the account's auth keys live in config.toml.
    fn section(&self) -> String {
        format!("[accounts.{}.auth]", self.name)
    }

    fn login(&self) -> String {
        format!("`postern login {}`", self.name)
    }

    fn app_only(&self) -> bool {
        self.flow == Some(OAuthFlow::AppOnly)
    }

    fn client(&self) -> &str {
        if self.client_id.is_empty() {
            "<client id>"
        } else {
            self.client_id
        }
    }

    /// "Microsoft", "Google" or "The identity provider"; AADSTS codes are Microsoft's
    /// whatever the preset (a generic account may point at Microsoft).
    fn who(&self, error: &ProviderError) -> &'static str {
        match self.provider {
            Provider::Microsoft | Provider::MicrosoftPersonal => "Microsoft",
            Provider::Google => "Google",
            Provider::Generic if !error.codes.is_empty() => "Microsoft",
            Provider::Generic => "The identity provider",
        }
    }
}

fn explanation(what: String, cause: impl Into<String>, fix: impl Into<String>) -> Explanation {
    Explanation {
        what,
        cause: cause.into(),
        fix: fix.into(),
    }
}

/// Explains an error answer from the identity provider.
pub fn explain_provider(error: &ProviderError, account: &Account) -> Explanation {
    let cx = Context::of(account);
    let who = cx.who(error);
    let label = match error.codes.first() {
        Some(code) => format!("AADSTS{code} ({})", error.error),
        None => error.error.clone(),
    };
    let what = if error.status >= 500 {
        format!(
            "{who} failed to answer for account \"{}\": HTTP {}",
            cx.name, error.status
        )
    } else {
        format!(
            "{who} refused the request for account \"{}\": {label}",
            cx.name
        )
    };
    let (cause, mut fix) = error
        .codes
        .iter()
        .find_map(|code| by_code(*code, &cx))
        .or_else(|| by_error(error, &cx))
        .unwrap_or_else(|| fallback(error, &cx));
    if let Some(ids) = ids_for_admin(error) {
        fix.push_str(&ids);
    }
    explanation(what, cause, fix)
}

/// Causes and fixes for the AADSTS codes worth knowing.
fn by_code(code: u32, cx: &Context<'_>) -> Option<(String, String)> {
    let section = cx.section();
    let login = cx.login();
    let client = cx.client();
    let tenant = cx.tenant;
    let found = match code {
        7000218 => (
            "the app registration does not allow public client flows, so Microsoft wants a \
             client secret that a desktop app like postern does not have"
                .to_string(),
            format!(
                "Microsoft Entra admin center → App registrations → the app {client} → \
                 Authentication → Advanced settings → \"Allow public client flows\" = Yes → \
                 Save; then run {login} again"
            ),
        ),
        700025 if cx.app_only() => (
            "the app is registered as a public client, but flow = \"app-only\" needs a \
             confidential client with a secret"
                .to_string(),
            format!(
                "App registrations → the app {client} → Authentication → \"Allow public client \
                 flows\" = No, and Certificates & secrets → New client secret; make \
                 `client_secret_command` in {section} print that secret"
            ),
        ),
        700025 => (
            "the app is a public client, and public clients must not send a client secret, \
             but postern sent one from `client_secret_command`"
                .to_string(),
            format!("remove `client_secret_command` from {section}, then run {login} again"),
        ),
        65001 if cx.app_only() => (
            "no admin has consented to the app's application permissions in this tenant"
                .to_string(),
            format!(
                "an admin must grant consent: App registrations → the app {client} → API \
                 permissions → add Office 365 Exchange Online → Application permissions → \
                 IMAP.AccessAsApp / POP.AccessAsApp / SMTP.SendAsApp → \"Grant admin consent \
                 for <your tenant>\""
            ),
        ),
        65001 => (
            "nobody has consented to postern's app reading and sending your mail (IMAP, POP, \
             SMTP permissions) in this tenant"
                .to_string(),
            format!(
                "sign in interactively once with {login} and accept the consent screen; if \
                 your organisation does not let users consent, ask an admin to grant it: \
                 Enterprise applications → the app {client} → Permissions → \"Grant admin \
                 consent\" (or open https://login.microsoftonline.com/{tenant}/adminconsent?client_id={client})"
            ),
        ),
        50076 | 50079 => (
            if code == 50076 {
                "your organisation requires multi-factor authentication for this sign-in, \
                 which a saved refresh token cannot provide"
            } else {
                "your organisation requires you to enrol in multi-factor authentication first"
            }
            .to_string(),
            format!(
                "run {login} again and complete the multi-factor prompt in the browser \
                 (flow = \"device\" or \"browser\" both show it)"
            ),
        ),
        700016 => (
            format!(
                "Microsoft found no app with client id {client} in tenant \"{tenant}\": a \
                 mistyped client id, the wrong tenant, or a single-tenant app used from \
                 another organisation"
            ),
            format!(
                "compare `client_id` in {section} with App registrations → Overview → \
                 \"Application (client) ID\", and `tenant` with its \"Directory (tenant) ID\"; \
                 to use the app from other organisations set App registrations → \
                 Authentication → Supported account types → \"Accounts in any organizational \
                 directory\""
            ),
        ),
        70011 | 700022 | 1002012 if cx.app_only() => (
            "the scope is not valid for app-only access: client credentials take one \
             resource's `/.default` scope"
                .to_string(),
            format!(
                "in {section} remove `scopes` (postern then asks for \
                 https://outlook.office365.com/.default) or set scopes = \
                 [\"https://outlook.office365.com/.default\"]"
            ),
        ),
        70011 | 700022 => (
            "the scopes asked for are not valid here: misspelt, short names instead of full \
             URLs, or scopes of two resources (such as Microsoft Graph mixed with Outlook) in \
             one request"
                .to_string(),
            format!(
                "remove `scopes` from {section} to use postern's \
                 (https://outlook.office.com/IMAP.AccessAsUser.All, \
                 https://outlook.office.com/POP.AccessAsUser.All, \
                 https://outlook.office.com/SMTP.Send, offline_access), or list only full \
                 https://outlook.office.com/... scopes"
            ),
        ),
        50020 => (
            format!(
                "the account you signed in with is not a member of tenant \"{tenant}\"; \
                 usually a personal Microsoft account (outlook.com, hotmail.com, live.com) \
                 signing in to a work or school tenant"
            ),
            format!(
                "for a personal account set provider = \"microsoft-personal\" in \
                 [accounts.{}] (it uses tenant \"consumers\") and run {login}; for a guest of \
                 another organisation set tenant = \"<that organisation's tenant id>\" in \
                 {section}",
                cx.name
            ),
        ),
        90002 => (
            format!("there is no Microsoft tenant \"{tenant}\""),
            format!(
                "set `tenant` in {section} to your directory (tenant) ID (Microsoft Entra \
                 admin center → Overview → Tenant ID) or your domain, e.g. \
                 \"contoso.onmicrosoft.com\""
            ),
        ),
        700082 => (
            "the refresh token expired: it was not used for 90 days (or an admin revoked the \
             sessions)"
                .to_string(),
            format!("run {login} again"),
        ),
        9001023 => (
            format!(
                "app-only access (client credentials) only works on your own tenant's \
                 endpoint, not on \"{tenant}\""
            ),
            match cx.provider {
                Provider::Generic => format!(
                    "in {section} set `token_url` to \
                     https://login.microsoftonline.com/<tenant id>/oauth2/v2.0/token (your \
                     directory (tenant) ID from Microsoft Entra admin center → Overview)"
                ),
                _ => format!(
                    "set tenant = \"<tenant id>\" in {section}: your directory (tenant) ID from \
                     Microsoft Entra admin center → Overview, or your domain such as \
                     \"contoso.onmicrosoft.com\""
                ),
            },
        ),
        530035 => (
            "the sign-in was blocked by the tenant's security defaults".to_string(),
            "an admin must allow it: Microsoft Entra admin center → Overview → Properties → \
             Manage security defaults (security defaults also turn off SMTP AUTH); or replace \
             them with a Conditional Access policy that allows this app"
                .to_string(),
        ),
        53003 => (
            "the sign-in was blocked by a Conditional Access policy".to_string(),
            "an admin must allow it: Microsoft Entra admin center → Monitoring → Sign-in logs \
             → this sign-in (search its correlation id) → Conditional Access tab names the \
             policy that blocked it; exclude the app or adjust that policy"
                .to_string(),
        ),
        7000215 => (
            "the client secret is wrong: expired, or the secret's ID was used instead of its \
             value"
                .to_string(),
            format!(
                "App registrations → the app {client} → Certificates & secrets → New client \
                 secret; make `client_secret_command` in {section} print its Value (shown \
                 once), not its Secret ID"
            ),
        ),
        50148 => (
            "the PKCE code verifier did not match the login's challenge (a stale or mixed-up \
             browser login)"
                .to_string(),
            format!("run {login} again and finish it in the browser tab it opens"),
        ),
        54005 | 70008 => (
            "the authorization code was already used or had expired".to_string(),
            format!("run {login} again"),
        ),
        50173 | 50133 => (
            "the grant was revoked, for instance after a password change".to_string(),
            format!("run {login} again"),
        ),
        _ => return None,
    };
    Some(found)
}

/// Causes and fixes by the `error` value, for answers without a known code.
fn by_error(error: &ProviderError, cx: &Context<'_>) -> Option<(String, String)> {
    let section = cx.section();
    let login = cx.login();
    let description = error.description.as_deref().unwrap_or_default();
    let found = match error.error.as_str() {
        _ if error.status >= 500 || error.error == "temporarily_unavailable" => (
            "a failure on the identity provider's side (an outage or overload), not in your \
             settings"
                .to_string(),
            match cx.provider {
                Provider::Google => "wait a few minutes and try again; if it goes on, check \
                                     https://www.google.com/appsstatus/dashboard/"
                    .to_string(),
                Provider::Microsoft | Provider::MicrosoftPersonal => {
                    "wait a few minutes and try again; if it goes on, check \
                     https://status.cloud.microsoft/"
                        .to_string()
                }
                Provider::Generic => {
                    "wait a few minutes and try again; if it goes on, tell whoever runs the \
                     identity provider"
                        .to_string()
                }
            },
        ),
        "invalid_scope" if description.contains("Invalid device flow scope") => (
            "Google does not allow the Gmail scope (https://mail.google.com/) in the device \
             flow"
                .to_string(),
            format!(
                "set flow = \"browser\" in {section} and run {login} (over SSH, open the URL \
                 on your own machine and paste the redirected address back)"
            ),
        ),
        "invalid_grant" if cx.provider == Provider::Google => (
            "Google expired or revoked the refresh token: apps whose OAuth consent screen is \
             in \"Testing\" status get refresh tokens that last only 7 days; a password change \
             or removing the app's access also revokes them"
                .to_string(),
            format!(
                "run {login} again; to stop the weekly expiry, publish the app: Google Cloud \
                 console → APIs & Services → OAuth consent screen → Publishing status → \
                 \"Publish app\""
            ),
        ),
        "invalid_grant" => (
            "the code or refresh token is invalid, expired or revoked".to_string(),
            format!("run {login} again"),
        ),
        "invalid_client" if cx.provider == Provider::Google => (
            "Google does not accept the client id or secret".to_string(),
            format!(
                "Google Cloud console → APIs & Services → Credentials → OAuth 2.0 Client IDs: \
                 use a \"Desktop app\" client; put its id in `client_id` in {section} and make \
                 `client_secret_command` print its secret"
            ),
        ),
        "invalid_client" => (
            "the identity provider does not accept the client id or secret".to_string(),
            format!(
                "check `client_id` and `client_secret_command` in {section} against the app \
                 registration"
            ),
        ),
        "invalid_scope" => (
            "the scopes asked for are unknown or not allowed for this app".to_string(),
            format!("check `scopes` in {section}, or remove it to use the provider's preset"),
        ),
        "unauthorized_client" | "unsupported_grant_type" => (
            format!(
                "the app is not allowed to use this kind of login (flow = \"{}\")",
                cx.flow.map_or("?", OAuthFlow::as_str)
            ),
            format!(
                "allow the grant in the app registration, or choose another `flow` in {section}"
            ),
        ),
        "access_denied" | "authorization_declined" => (
            "the sign-in was declined (by you, or by a policy of your organisation)".to_string(),
            format!("run {login} again and accept; if an admin must approve the app, ask them"),
        ),
        "expired_token" => (
            "the code expired before the sign-in was finished".to_string(),
            format!("run {login} again and finish before the countdown ends"),
        ),
        _ => return None,
    };
    Some(found)
}

fn fallback(error: &ProviderError, cx: &Context<'_>) -> (String, String) {
    let description = error
        .description
        .as_deref()
        .and_then(|text| text.lines().next())
        .unwrap_or("no description given");
    let lookup = match error.codes.first() {
        Some(code) => format!(
            "; Microsoft describes the code at https://login.microsoftonline.com/error?code={code}"
        ),
        None => String::new(),
    };
    (
        format!("the provider says: {description}"),
        format!(
            "check the settings in {} against the app registration, then run {} again{lookup}",
            cx.section(),
            cx.login()
        ),
    )
}

/// Microsoft's ids, which an admin needs to find the sign-in in the logs.
fn ids_for_admin(error: &ProviderError) -> Option<String> {
    match (&error.correlation_id, &error.trace_id) {
        (Some(correlation), Some(trace)) => Some(format!(
            " (if you ask an admin: correlation id {correlation}, trace id {trace})"
        )),
        (Some(correlation), None) => Some(format!(
            " (if you ask an admin: correlation id {correlation})"
        )),
        _ => None,
    }
}

/// Explains any login or renewal failure.
pub fn explain(error: &OAuthError, account: &Account) -> Explanation {
    let cx = Context::of(account);
    let section = cx.section();
    let login = cx.login();
    let name = cx.name;
    match error {
        OAuthError::Provider(provider) => explain_provider(provider, account),
        OAuthError::Transport { url, message } => {
            let fix = if message.contains("certificate") || message.contains("Certificate") {
                format!(
                    "the server's certificate is not trusted: if it uses a private CA, give \
                     postern that CA file; otherwise check `token_url` and the other endpoints \
                     in {section}"
                )
            } else if message.contains("no answer within") {
                "check the network (and any proxy); if the provider is down, try again later"
                    .to_string()
            } else {
                format!(
                    "check the network connection, and the endpoint URLs in {section} if you \
                     set them"
                )
            };
            explanation(
                format!("Could not reach the identity provider for account \"{name}\" at {url}"),
                message.clone(),
                fix,
            )
        }
        OAuthError::InvalidResponse { url, message } => explanation(
            format!("The identity provider for account \"{name}\" answered something unexpected"),
            format!("{url} did not answer like an OAuth2 endpoint: {message}"),
            format!(
                "check `token_url`, `authorization_url` and `device_authorization_url` in \
                 {section} (or remove them to use the provider's preset)"
            ),
        ),
        OAuthError::Declined => explanation(
            format!("The sign-in for account \"{name}\" was declined"),
            "you (or a policy of your organisation) declined the request in the browser",
            format!(
                "run {login} again and accept; if the page said an admin must approve the app, \
                 ask them to grant consent"
            ),
        ),
        OAuthError::Expired => explanation(
            format!("The sign-in for account \"{name}\" expired"),
            "it was not finished in time (device codes last about 15 minutes)",
            format!("run {login} again and finish the sign-in before the countdown ends"),
        ),
        OAuthError::StateMismatch => explanation(
            format!("The sign-in redirect for account \"{name}\" was refused"),
            "its `state` belongs to another login attempt (an old browser tab, or a forged \
             redirect)",
            format!("run {login} again and use only the newest URL it shows"),
        ),
        OAuthError::NotLoggedIn { .. } => explanation(
            format!("Account \"{name}\" is not logged in"),
            "there are no saved tokens for it (never logged in, logged out, or the cache was \
             removed)",
            format!("run {login}"),
        ),
        OAuthError::Command { key, message } => explanation(
            format!("`{key}` of account \"{name}\" failed"),
            message.clone(),
            format!(
                "run the command from `{key}` in {section} in a shell: it must print only the \
                 secret and exit with status 0"
            ),
        ),
        OAuthError::Cancelled => explanation(
            format!("The login for account \"{name}\" was cancelled"),
            "it was stopped before it finished",
            format!("run {login} again when ready"),
        ),
        OAuthError::Misconfigured { message } => explanation(
            format!("Account \"{name}\" cannot log in as configured"),
            message.clone(),
            format!("change the settings in {section} as described, then run {login}"),
        ),
        OAuthError::InvalidRedirect { message } => explanation(
            format!("The pasted address for account \"{name}\" is not the sign-in redirect"),
            message.clone(),
            format!(
                "run {login} again; after signing in, copy the whole address from the browser's \
                 address bar: it starts with http://localhost: or http://127.0.0.1: and contains \
                 code="
            ),
        ),
        OAuthError::Loopback { message } => explanation(
            format!("The browser login for account \"{name}\" could not start"),
            format!("postern cannot listen on 127.0.0.1 for the browser's redirect: {message}"),
            match cx.provider {
                Provider::Google => "check that the loopback interface (127.0.0.1) is up and \
                                     that local listening is allowed"
                    .to_string(),
                _ => format!(
                    "check that the loopback interface (127.0.0.1) is up, or set flow = \
                     \"device\" in {section}"
                ),
            },
        ),
    }
}
