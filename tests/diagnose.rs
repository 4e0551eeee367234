//! Every identity-provider failure the test IdP can produce becomes a typed
//! `ProviderError` (AADSTS code, trace and correlation ids, HTTP status) and an
//! explanation naming the right fix for the account.

mod auth_support;

use std::time::Duration;

use auth_support::*;
use postern::auth::diagnose::oauth::{explain, explain_provider};
use postern::auth::oauth::{OAuthClient, OAuthError, ProviderError};
use postern::auth::{Secret, TokenSet};
use postern_test_stack::{ClientSpec, Endpoint, Fault, Stack};

fn stale_tokens() -> TokenSet {
    TokenSet {
        access_token: Secret::new("expired"),
        refresh_token: Some(Secret::new("0.AXo+old/refresh")),
        expires_at: Some(0),
        scopes: vec![],
        obtained_at: 0,
        refresh_obtained_at: Some(0),
    }
}

fn provider_error(error: OAuthError) -> ProviderError {
    match error {
        OAuthError::Provider(provider) => *provider,
        other => panic!("not a provider error: {other:?}"),
    }
}

#[tokio::test]
async fn each_microsoft_fault_is_typed_and_explained() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let cases = [
        (
            Fault::PublicClientDisabled,
            7000218,
            "invalid_client",
            "\"Allow public client flows\" = Yes",
        ),
        (
            Fault::ConsentRequired,
            65001,
            "invalid_grant",
            "\"Grant admin consent\"",
        ),
        (
            Fault::InvalidScope,
            70011,
            "invalid_scope",
            "remove `scopes` from [accounts.work.auth]",
        ),
        (
            Fault::AppNotFound,
            700016,
            "unauthorized_client",
            "\"Application (client) ID\"",
        ),
        (
            Fault::RefreshTokenInactive,
            700082,
            "invalid_grant",
            "run `postern login work` again",
        ),
        (
            Fault::AccountNotInTenant,
            50020,
            "invalid_request",
            "provider = \"microsoft-personal\" in [accounts.work]",
        ),
        (
            Fault::TenantEndpointRequired,
            9001023,
            "invalid_request",
            "set tenant = \"<tenant id>\" in [accounts.work.auth]",
        ),
        (
            Fault::InvalidGrant,
            70000,
            "invalid_grant",
            "run `postern login work` again",
        ),
    ];
    for (fault, code, error, fix) in cases {
        let client_id = idp.register_client(ClientSpec::microsoft());
        idp.set_fault(&client_id, Endpoint::Token, fault).unwrap();
        let account = microsoft(idp, &client_id, "device", "organizations", "");
        let client =
            OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
        let provider = provider_error(client.refresh(&stale_tokens()).await.unwrap_err());

        assert_eq!(provider.codes, vec![code], "{fault:?}");
        assert_eq!(provider.error, error, "{fault:?}");
        assert!(
            matches!(provider.status, 400 | 401),
            "{fault:?}: {provider:?}"
        );
        let correlation = provider.correlation_id.clone().expect("correlation id");
        assert!(provider.trace_id.is_some(), "{fault:?}");
        assert!(
            provider.to_string().contains(&format!("AADSTS{code}:")),
            "{provider}"
        );
        // The description's trace lines stay out of the one-line message.
        assert!(!provider.to_string().contains("Trace ID"), "{provider}");

        let explained = explain_provider(&provider, &account);
        assert!(
            explained.what.contains(&format!("AADSTS{code}")),
            "{fault:?}: {explained}"
        );
        assert!(explained.what.contains("Microsoft"), "{explained}");
        assert!(explained.fix.contains(fix), "{fault:?}: {explained}");
        assert!(
            explained.fix.contains(&correlation),
            "{fault:?}: {explained}"
        );
        assert_eq!(
            explain(&OAuthError::from(provider.clone()), &account),
            explained
        );
    }
}

#[tokio::test]
async fn secret_mistakes_are_explained() {
    let stack = Stack::shared();
    let idp = stack.idp();
    // A public client that is sent a secret: AADSTS700025 (a real rule of the IdP).
    let public = idp.register_client(ClientSpec::microsoft());
    let account = microsoft(
        idp,
        &public,
        "device",
        "organizations",
        "client_secret_command = \"echo not-needed\"",
    );
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let provider = provider_error(client.refresh(&stale_tokens()).await.unwrap_err());
    assert_eq!(provider.codes, vec![700025]);
    let explained = explain_provider(&provider, &account);
    assert!(
        explained
            .fix
            .contains("remove `client_secret_command` from [accounts.work.auth]"),
        "{explained}"
    );

    // A confidential client given the wrong secret: AADSTS7000215.
    let confidential = idp.register_client(ClientSpec {
        client_secret: Some("right".into()),
        app_mailbox: Some("shared@example.test".into()),
        ..ClientSpec::microsoft()
    });
    let account = microsoft(
        idp,
        &confidential,
        "app-only",
        "contoso.onmicrosoft.com",
        "client_secret_command = \"echo wrong\"",
    );
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let (prompt, _handles) = TestPrompt::new();
    let provider = provider_error(client.login(&prompt).await.unwrap_err());
    assert_eq!(provider.codes, vec![7000215]);
    assert_eq!(provider.status, 401);
    let explained = explain_provider(&provider, &account);
    assert!(
        explained.fix.contains("Certificates & secrets"),
        "{explained}"
    );
    assert!(explained.fix.contains("Value"), "{explained}");
}

#[test]
fn policy_and_tenant_codes_name_the_admin_setting() {
    let account = account(
        r#"
[accounts.work]
email = "ada@contoso.com"
provider = "microsoft"
[accounts.work.auth]
method = "oauth2"
client_id = "11111111-2222-3333-4444-555555555555"
tenant = "contoso.com"
"#,
    );
    let cases = [
        (50076, "multi-factor"),
        (50079, "multi-factor"),
        (90002, "Tenant ID"),
        (530035, "security defaults"),
        (53003, "Conditional Access"),
        (700022, "https://outlook.office.com/SMTP.Send"),
    ];
    for (code, needle) in cases {
        let provider = ProviderError {
            status: 400,
            error: "invalid_request".into(),
            description: Some(format!("AADSTS{code}: text")),
            codes: vec![code],
            trace_id: Some("trace-1".into()),
            correlation_id: Some("corr-1".into()),
        };
        let explained = explain_provider(&provider, &account);
        let text = format!("{} {}", explained.cause, explained.fix);
        assert!(text.contains(needle), "{code}: {explained}");
        assert!(
            explained.fix.contains("correlation id corr-1"),
            "{explained}"
        );
    }
    // The tenant in the explanation is the account's.
    let provider = ProviderError {
        status: 400,
        error: "invalid_request".into(),
        codes: vec![90002],
        ..ProviderError::default()
    };
    assert!(
        explain_provider(&provider, &account)
            .cause
            .contains("\"contoso.com\"")
    );
}

#[tokio::test]
async fn consent_fix_names_this_apps_admin_consent_url() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(ClientSpec::microsoft());
    idp.set_fault(&client_id, Endpoint::DeviceCode, Fault::ConsentRequired)
        .unwrap();
    let account = microsoft(idp, &client_id, "device", "contoso.onmicrosoft.com", "");
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let (prompt, _handles) = TestPrompt::new();
    let provider = provider_error(client.login(&prompt).await.unwrap_err());
    assert_eq!(provider.codes, vec![65001]);
    let explained = explain_provider(&provider, &account);
    let url = format!(
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/adminconsent?client_id={client_id}"
    );
    assert!(explained.fix.contains(&url), "{explained}");
    assert!(explained.fix.contains("postern login work"), "{explained}");
}

#[tokio::test]
async fn client_credentials_on_a_shared_tenant_is_explained() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(ClientSpec {
        client_secret: Some("app-secret".into()),
        ..ClientSpec::microsoft()
    });
    // The real rule, not a fault switch: client credentials on /common.
    let account = generic(
        &client_id,
        "app-only",
        &[("token_url", idp.token_url("common"))],
        "scopes = [\"https://outlook.office365.com/.default\"]\n\
         client_secret_command = \"echo app-secret\"",
    );
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let (prompt, _handles) = TestPrompt::new();
    let provider = provider_error(client.login(&prompt).await.unwrap_err());
    assert_eq!(provider.codes, vec![9001023]);
    let explained = explain_provider(&provider, &account);
    // A generic account names its token_url, with a tenant-specific example.
    assert!(
        explained.fix.contains(
            "set `token_url` to https://login.microsoftonline.com/<tenant id>/oauth2/v2.0/token"
        ),
        "{explained}"
    );
    assert!(explained.fix.contains("[accounts.dev.auth]"), "{explained}");
}

#[tokio::test]
async fn gmail_scope_in_the_device_flow_says_use_the_browser() {
    let stack = Stack::shared();
    let idp = stack.idp();
    // The real rule: Google's device endpoint refuses https://mail.google.com/ ...
    let real = idp.register_client(ClientSpec::google());
    // ... and the same answer from the fault switch, for a harmless scope.
    let switched = idp.register_client(ClientSpec::google());
    idp.set_fault(
        &switched,
        Endpoint::DeviceCode,
        Fault::GoogleInvalidDeviceScope,
    )
    .unwrap();
    for (client_id, scope) in [(&real, "https://mail.google.com/"), (&switched, "email")] {
        let account = generic(
            client_id,
            "device",
            &google_urls(idp),
            &format!(
                "scopes = [\"{scope}\"]\nclient_secret_command = \"echo google-installed-app-secret\""
            ),
        );
        let client =
            OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
        let (prompt, _handles) = TestPrompt::new();
        let provider = provider_error(client.login(&prompt).await.unwrap_err());
        assert_eq!(provider.error, "invalid_scope");
        assert!(provider.codes.is_empty(), "Google sends no AADSTS codes");
        assert_eq!(provider.trace_id, None);
        let explained = explain_provider(&provider, &account);
        assert!(
            explained
                .fix
                .contains("set flow = \"browser\" in [accounts.dev.auth]"),
            "{explained}"
        );
        assert!(explained.cause.contains("device flow"), "{explained}");
        assert!(prompt.devices.lock().unwrap().is_empty());
    }
}

#[tokio::test]
async fn google_refresh_token_expiry_points_at_the_testing_status() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(ClientSpec::google());
    let account = account(&format!(
        r#"
[accounts.gmail]
email = "{USER}"
provider = "google"
[accounts.gmail.auth]
method = "oauth2"
client_id = "{client_id}"
authorization_url = "{}"
token_url = "{}"
client_secret_command = "echo google-installed-app-secret"
"#,
        idp.google_authorize_url(),
        idp.google_token_url()
    ));
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let provider = provider_error(client.refresh(&stale_tokens()).await.unwrap_err());
    assert_eq!(provider.error, "invalid_grant");
    let explained = explain_provider(&provider, &account);
    assert!(explained.what.starts_with("Google refused"), "{explained}");
    assert!(explained.cause.contains("\"Testing\""), "{explained}");
    assert!(explained.cause.contains("7 days"), "{explained}");
    assert!(explained.fix.contains("\"Publish app\""), "{explained}");
    assert!(explained.fix.contains("postern login gmail"), "{explained}");
}

#[tokio::test]
async fn server_errors_and_timeouts_are_explained() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(ClientSpec::microsoft());
    idp.set_fault(&client_id, Endpoint::DeviceCode, Fault::ServerError)
        .unwrap();
    let account = microsoft(idp, &client_id, "device", "organizations", "");
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let (prompt, _handles) = TestPrompt::new();
    let error = client.login(&prompt).await.unwrap_err();
    let explained = explain(&error, &account);
    assert!(explained.what.contains("HTTP 500"), "{explained}");
    assert!(
        explained.cause.contains("not in your settings"),
        "{explained}"
    );
    assert!(explained.fix.contains("try again"), "{explained}");

    idp.clear_faults(&client_id);
    idp.set_fault(
        &client_id,
        Endpoint::DeviceCode,
        Fault::Delay(Duration::from_secs(3)),
    )
    .unwrap();
    let options = postern::auth::oauth::ClientOptions {
        http_timeout: Duration::from_millis(300),
        ..Sleeps::default().options()
    };
    let client = OAuthClient::with_options(&account, None, options).unwrap();
    let error = client.login(&prompt).await.unwrap_err();
    assert!(matches!(error, OAuthError::Transport { .. }), "{error:?}");
    let explained = explain(&error, &account);
    assert!(explained.what.contains("Could not reach"), "{explained}");
    assert!(
        explained.cause.contains("no answer within 0.3 s"),
        "{explained}"
    );
    assert!(explained.fix.contains("network"), "{explained}");
}

#[test]
fn every_oauth_error_gets_an_actionable_explanation() {
    let account = generic(
        "client",
        "browser",
        &[
            ("authorization_url", "http://127.0.0.1:1/authorize".into()),
            ("token_url", "http://127.0.0.1:1/token".into()),
        ],
        "scopes = [\"mail\"]",
    );
    let login = "postern login dev";
    let section = "[accounts.dev.auth]";
    let cases: Vec<(OAuthError, &str)> = vec![
        (
            OAuthError::Transport {
                url: "http://127.0.0.1:1/token".into(),
                message: "connection refused".into(),
            },
            section,
        ),
        (
            OAuthError::InvalidResponse {
                url: "http://127.0.0.1:1/token".into(),
                message: "HTTP 404".into(),
            },
            "`token_url`",
        ),
        (OAuthError::Declined, login),
        (OAuthError::Expired, login),
        (OAuthError::StateMismatch, login),
        (
            OAuthError::NotLoggedIn {
                account: "dev".into(),
            },
            login,
        ),
        (
            OAuthError::Command {
                key: "client_secret_command",
                message: "it exited with status 1".into(),
            },
            "`client_secret_command` in [accounts.dev.auth]",
        ),
        (OAuthError::Cancelled, login),
        (
            OAuthError::Misconfigured {
                message: "no device_authorization_url".into(),
            },
            section,
        ),
        (
            OAuthError::InvalidRedirect {
                message: "it has no `code=`".into(),
            },
            "code=",
        ),
        (
            OAuthError::Loopback {
                message: "address in use".into(),
            },
            "127.0.0.1",
        ),
        (
            OAuthError::from(ProviderError {
                status: 400,
                error: "strange_error".into(),
                description: Some("AADSTS123456: Something new.\r\nTrace ID: x".into()),
                codes: vec![123456],
                ..ProviderError::default()
            }),
            "https://login.microsoftonline.com/error?code=123456",
        ),
    ];
    for (error, needle) in cases {
        let explained = explain(&error, &account);
        assert!(explained.what.contains("\"dev\""), "{error:?}: {explained}");
        assert!(!explained.cause.is_empty(), "{error:?}");
        assert!(explained.fix.contains(needle), "{error:?}: {explained}");
        let shown = explained.to_string();
        assert!(shown.contains("likely cause: ") && shown.contains("fix: "));
    }
}
