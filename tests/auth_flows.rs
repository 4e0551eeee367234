//! postern's OAuth2 flows against the test identity provider: device code, browser with
//! PKCE (listener and paste-back), app-only, refresh. Every test registers its own client.

mod auth_support;

use std::time::Duration;

use auth_support::*;
use postern::auth::oauth::{OAuthClient, OAuthError};
use postern::auth::{TokenEndpoint, TokenSet};
use postern::config::{Auth, OAuthFlow};
use postern_test_stack::{ClientSpec, Endpoint, Idp, Stack};

/// Fast device codes: the IdP wants 200 ms between polls (it says "1" on the wire).
fn fast_device(spec: ClientSpec) -> ClientSpec {
    ClientSpec {
        device_interval: Duration::from_millis(200),
        slow_down_step: Duration::from_millis(200),
        ..spec
    }
}

async fn introspect_active(idp: &Idp, token: &str) -> (bool, String) {
    let response = browser(false)
        .post(idp.introspection_url())
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = response.json().await.unwrap();
    (
        body["active"].as_bool().unwrap_or(false),
        body["username"].as_str().unwrap_or_default().to_string(),
    )
}

fn token_errors(idp: &Idp, client: &str) -> Vec<Option<String>> {
    idp.requests_of(client)
        .iter()
        .filter(|record| record.endpoint == Endpoint::Token)
        .map(|record| record.error.clone())
        .collect()
}

/// Waits until the client's token endpoint has answered `error` at least once.
async fn wait_for_token_error(idp: &Idp, client: &str, error: &str) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !token_errors(idp, client).contains(&Some(error.into())) {
        assert!(tokio::time::Instant::now() < deadline, "no {error} seen");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

// ---- device flow --------------------------------------------------------------------

#[tokio::test]
async fn device_flow_waits_slows_down_and_signs_in() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(fast_device(ClientSpec::microsoft()));
    let account = microsoft(idp, &client_id, "device", "organizations", "");
    let sleeps = Sleeps::default();
    let client = OAuthClient::with_options(&account, None, sleeps.options()).unwrap();
    let (prompt, _handles) = TestPrompt::new();

    let user = async {
        let code = idp.wait_device_code(&client_id, WAIT).await.unwrap();
        // Let postern poll too fast at least once before "the user" signs in.
        wait_for_token_error(idp, &client_id, "slow_down").await;
        assert!(idp.approve_device(&code, USER));
        code
    };
    let (tokens, code) = tokio::join!(client.login(&prompt), user);
    let tokens = tokens.unwrap();

    let shown = prompt.device();
    assert_eq!(shown.user_code, code);
    assert!(
        shown.verification_uri.ends_with("/devicelogin"),
        "{shown:?}"
    );
    assert!(shown.message.as_deref().unwrap_or_default().contains(&code));
    assert_eq!(shown.verification_uri_complete, None);

    let errors = token_errors(idp, &client_id);
    assert_eq!(errors.first(), Some(&Some("authorization_pending".into())));
    assert!(errors.contains(&Some("slow_down".into())), "{errors:?}");
    assert_eq!(errors.last(), Some(&None), "the last poll succeeded");
    // RFC 8628: the interval starts at what the server said and grows by 5 s for good.
    let asked = sleeps.asked();
    assert_eq!(asked[0], Duration::from_secs(1), "{asked:?}");
    assert!(asked.contains(&Duration::from_secs(6)), "{asked:?}");
    assert!(asked.windows(2).all(|w| w[0] <= w[1]), "{asked:?}");
    // The countdown counts down.
    let ticks = prompt.ticks.lock().unwrap().clone();
    assert!(ticks.len() >= 2 && ticks.windows(2).all(|w| w[0] >= w[1]));

    let device_request = &idp.requests_of(&client_id)[0];
    assert_eq!(device_request.endpoint, Endpoint::DeviceCode);
    assert_eq!(device_request.tenant.as_deref(), Some("organizations"));
    assert!(
        device_request
            .field("scope")
            .unwrap()
            .contains("https://outlook.office.com/IMAP.AccessAsUser.All")
    );
    assert!(tokens.refresh_token.is_some(), "offline_access gives one");
    assert!(tokens.expires_at.is_some_and(|at| at > tokens.obtained_at));
    let (active, username) = introspect_active(idp, tokens.access_token.expose()).await;
    assert!(active);
    assert_eq!(username, USER);
}

#[tokio::test]
async fn device_flow_stops_when_the_user_declines() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(fast_device(ClientSpec::microsoft()));
    let account = microsoft(idp, &client_id, "device", "organizations", "");
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let (prompt, _handles) = TestPrompt::new();
    let user = async {
        let code = idp.wait_device_code(&client_id, WAIT).await.unwrap();
        assert!(idp.decline_device(&code));
    };
    let (result, ()) = tokio::join!(client.login(&prompt), user);
    assert!(matches!(result, Err(OAuthError::Declined)), "{result:?}");
    assert_eq!(
        token_errors(idp, &client_id).last(),
        Some(&Some("authorization_declined".into()))
    );
}

#[tokio::test]
async fn device_flow_stops_when_the_code_expires() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(ClientSpec {
        device_expires_in: Duration::from_secs(1),
        ..fast_device(ClientSpec::microsoft())
    });
    let account = microsoft(idp, &client_id, "device", "organizations", "");
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let (prompt, _handles) = TestPrompt::new();
    let result = client.login(&prompt).await;
    assert!(matches!(result, Err(OAuthError::Expired)), "{result:?}");
    let shown = prompt.device();
    let lifetime = shown
        .expires_at
        .duration_since(std::time::SystemTime::now() - Duration::from_secs(5))
        .unwrap();
    assert!(
        lifetime <= Duration::from_secs(6),
        "expiry shown: {lifetime:?}"
    );
}

#[tokio::test]
async fn device_flow_accepts_google_shapes() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(fast_device(ClientSpec::google()));
    let account = generic(
        &client_id,
        "device",
        &google_urls(idp),
        "scopes = [\"email\"]\nclient_secret_command = \"echo google-installed-app-secret\"",
    );
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let (prompt, _handles) = TestPrompt::new();
    let user = async {
        let code = idp.wait_device_code(&client_id, WAIT).await.unwrap();
        wait_for_token_error(idp, &client_id, "authorization_pending").await;
        assert!(idp.approve_device(&code, USER));
    };
    let (tokens, ()) = tokio::join!(client.login(&prompt), user);
    let tokens = tokens.unwrap();
    let shown = prompt.device();
    // Google spells it verification_url and sends no message.
    assert!(shown.verification_uri.ends_with("/device"), "{shown:?}");
    assert_eq!(shown.message, None);
    assert!(tokens.refresh_token.is_some());
    // Google's pending answer is HTTP 428; it was still understood as "keep polling".
    let records = idp.requests_of(&client_id);
    assert!(
        records
            .iter()
            .any(|r| r.status == 428 && r.error.as_deref() == Some("authorization_pending"))
    );
    // An installed app sends its (non-secret) secret in the form body.
    assert!(
        records
            .iter()
            .filter(|r| r.endpoint == Endpoint::Token)
            .all(|r| r.field("client_secret").is_some())
    );
}

#[tokio::test]
async fn google_accounts_never_try_the_device_flow() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(ClientSpec::google());
    let mut account = account(&format!(
        r#"
[accounts.gmail]
email = "{USER}"
provider = "google"
[accounts.gmail.auth]
method = "oauth2"
client_id = "{client_id}"
"#
    ));
    // The config refuses flow = "device" for Google; a hand-built account must too.
    let Auth::OAuth2(settings) = &mut account.auth else {
        panic!("oauth2 account")
    };
    settings.flow = OAuthFlow::Device;
    settings.device_authorization_url = Some(idp.google_device_code_url());
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let (prompt, _handles) = TestPrompt::new();
    let error = client.login(&prompt).await.unwrap_err();
    assert!(
        matches!(error, OAuthError::Misconfigured { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("flow = \"browser\""), "{error}");
    assert!(idp.requests_of(&client_id).is_empty());
}

// ---- browser flow ---------------------------------------------------------------------

#[tokio::test]
async fn browser_flow_with_pkce_and_the_loopback_listener() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(ClientSpec::microsoft());
    let account = microsoft(idp, &client_id, "browser", "organizations", "");
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let (prompt, mut handles) = TestPrompt::new();
    let user = async {
        let url = handles.urls.recv().await.unwrap();
        let page = sign_in_following(&url).await;
        (url, page)
    };
    let (tokens, (url, (status, page))) = tokio::join!(client.login(&prompt), user);
    let tokens = tokens.unwrap();
    assert_eq!(status, 200);
    assert!(page.contains("close this tab"), "{page}");
    assert!(!prompt.browser.lock().unwrap()[0].1, "open_browser off");

    // Microsoft's redirect form, PKCE S256, a random state, the login hint.
    let redirect = query_param(&url, "redirect_uri").unwrap();
    assert!(redirect.starts_with("http://localhost:"), "{redirect}");
    assert_eq!(
        query_param(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert_eq!(query_param(&url, "code_challenge").unwrap().len(), 43);
    assert!(query_param(&url, "state").unwrap().len() >= 16);
    assert_eq!(query_param(&url, "login_hint").as_deref(), Some(USER));

    let redeem = idp
        .requests_of(&client_id)
        .into_iter()
        .find(|r| r.grant_type.as_deref() == Some("authorization_code"))
        .unwrap();
    assert_eq!(redeem.status, 200);
    assert_eq!(redeem.field("redirect_uri"), Some(redirect.as_str()));
    assert!(redeem.field("code_verifier").is_some());
    let (active, username) = introspect_active(idp, tokens.access_token.expose()).await;
    assert!(active);
    assert_eq!(username, USER);
}

#[tokio::test]
async fn browser_flow_takes_a_pasted_redirect() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(ClientSpec::google());
    let account = generic(
        &client_id,
        "browser",
        &google_urls(idp),
        "scopes = [\"https://mail.google.com/\"]\nclient_secret_command = \"echo google-installed-app-secret\"",
    );
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let (prompt, mut handles) = TestPrompt::with_paste();
    let paste = handles.paste.take().unwrap();
    let user = async {
        let url = handles.urls.recv().await.unwrap();
        // Over SSH the redirect cannot load; the user copies it from the address bar.
        let location = sign_in_location(&url).await;
        assert!(location.starts_with("http://127.0.0.1:"), "{location}");
        paste.send(format!("  {location}\n")).unwrap();
    };
    let (tokens, ()) = tokio::join!(client.login(&prompt), user);
    let tokens = tokens.unwrap();
    assert!(tokens.refresh_token.is_some());
    assert_eq!(tokens.scopes, vec!["https://mail.google.com/".to_string()]);
}

#[tokio::test]
async fn browser_flow_refuses_a_redirect_with_another_state() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(ClientSpec::microsoft());
    let account = microsoft(idp, &client_id, "browser", "organizations", "");
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let (prompt, mut handles) = TestPrompt::new();
    let user = async {
        let url = handles.urls.recv().await.unwrap();
        let location = sign_in_location(&url).await;
        let state = query_param(&location, "state").unwrap();
        let forged = location.replace(&format!("state={state}"), "state=forged");
        assert_ne!(forged, location);
        // The forged redirect reaches postern's listener.
        sign_in_following(&forged).await
    };
    let (result, (status, page)) = tokio::join!(client.login(&prompt), user);
    assert!(
        matches!(result, Err(OAuthError::StateMismatch)),
        "{result:?}"
    );
    assert_eq!(status, 200);
    assert!(page.contains("did not complete"), "{page}");
    // The code was never redeemed.
    assert_eq!(idp.token_calls(&client_id), 0);
}

#[tokio::test]
async fn browser_flow_stops_when_the_user_declines() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(ClientSpec {
        auto_approve: false,
        ..ClientSpec::microsoft()
    });
    let account = microsoft(idp, &client_id, "browser", "organizations", "");
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let (prompt, mut handles) = TestPrompt::new();
    let user = async {
        let url = handles.urls.recv().await.unwrap();
        let decide = idp.decline_authorization(&client_id, WAIT);
        let (page, decided) = tokio::join!(sign_in_following(&url), decide);
        decided.unwrap();
        page
    };
    let (result, _page) = tokio::join!(client.login(&prompt), user);
    assert!(matches!(result, Err(OAuthError::Declined)), "{result:?}");
}

#[tokio::test]
async fn browser_flow_gives_up_when_nobody_signs_in() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(ClientSpec::microsoft());
    let account = microsoft(idp, &client_id, "browser", "organizations", "");
    let options = postern::auth::oauth::ClientOptions {
        login_timeout: Duration::from_millis(300),
        ..Sleeps::default().options()
    };
    let client = OAuthClient::with_options(&account, None, options).unwrap();
    let (prompt, _handles) = TestPrompt::new();
    let result = client.login(&prompt).await;
    assert!(matches!(result, Err(OAuthError::Expired)), "{result:?}");
}

#[tokio::test]
async fn a_wrong_pkce_verifier_is_rejected_by_the_provider() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(ClientSpec::microsoft());
    let account = microsoft(idp, &client_id, "browser", "organizations", "");
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let redirect = client.redirect_uri(9);
    let start = client.authorization_request(&redirect).unwrap();
    let location = sign_in_location(&start.url).await;
    let answer = postern::auth::oauth::parse_pasted(&location, &start.state).unwrap();

    let other = client.authorization_request(&redirect).unwrap();
    assert_ne!(other.verifier, start.verifier);
    let error = client
        .redeem_code(&answer.code, &redirect, &other.verifier)
        .await
        .unwrap_err();
    let OAuthError::Provider(provider) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(provider.error, "invalid_grant");
    assert_eq!(provider.codes, vec![50148]);
    assert!(provider.correlation_id.is_some() && provider.trace_id.is_some());

    // The same code with the right verifier works: only the verifier was wrong.
    let tokens = client
        .redeem_code(&answer.code, &redirect, &start.verifier)
        .await
        .unwrap();
    assert!(!tokens.access_token.is_empty());
}

// ---- app-only -------------------------------------------------------------------------

#[tokio::test]
async fn app_only_uses_the_secret_command_and_the_tenant_endpoint() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(ClientSpec {
        client_secret: Some("s3cr+t/with=odd&chars".into()),
        app_mailbox: Some("shared@example.test".into()),
        ..ClientSpec::microsoft()
    });
    let account = microsoft(
        idp,
        &client_id,
        "app-only",
        "contoso.onmicrosoft.com",
        "client_secret_command = \"printf '%s\\\\n' 's3cr+t/with=odd&chars'\"",
    );
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let (prompt, _handles) = TestPrompt::new();
    let tokens = client.login(&prompt).await.unwrap();
    assert_eq!(tokens.refresh_token, None);
    let (active, username) = introspect_active(idp, tokens.access_token.expose()).await;
    assert!(active);
    assert_eq!(username, "shared@example.test");

    // Renewing is asking again.
    let renewed = client.renew(Some(&tokens)).await.unwrap();
    assert_ne!(renewed.access_token, tokens.access_token);
    let calls: Vec<_> = idp
        .requests_of(&client_id)
        .into_iter()
        .filter(|r| r.endpoint == Endpoint::Token)
        .collect();
    assert_eq!(calls.len(), 2);
    for call in &calls {
        assert_eq!(call.grant_type.as_deref(), Some("client_credentials"));
        assert_eq!(call.tenant.as_deref(), Some("contoso.onmicrosoft.com"));
        assert_eq!(
            call.field("scope"),
            Some("https://outlook.office365.com/.default")
        );
    }
}

#[tokio::test]
async fn a_failing_secret_command_stops_before_any_request() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(ClientSpec {
        client_secret: Some("x".into()),
        ..ClientSpec::microsoft()
    });
    let account = microsoft(
        idp,
        &client_id,
        "app-only",
        "contoso.onmicrosoft.com",
        "client_secret_command = \"echo leaked-if-shown; echo 'vault: permission denied' >&2; exit 7\"",
    );
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let (prompt, _handles) = TestPrompt::new();
    let error = client.login(&prompt).await.unwrap_err();
    let OAuthError::Command { key, message } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(*key, "client_secret_command");
    assert!(message.contains("status 7"), "{message}");
    assert!(message.contains("vault: permission denied"), "{message}");
    assert!(!format!("{error} {error:?}").contains("leaked-if-shown"));
    assert_eq!(idp.token_calls(&client_id), 0);
}

// ---- refresh --------------------------------------------------------------------------

async fn device_login(idp: &Idp, client: &OAuthClient, client_id: &str) -> TokenSet {
    let (prompt, _handles) = TestPrompt::new();
    let user = async {
        let code = idp.wait_device_code(client_id, WAIT).await.unwrap();
        assert!(idp.approve_device(&code, USER));
    };
    let (tokens, ()) = tokio::join!(client.login(&prompt), user);
    tokens.unwrap()
}

#[tokio::test]
async fn refresh_rotates_and_form_encodes_the_refresh_token() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(ClientSpec {
        refresh_grace: Some(Duration::ZERO),
        ..fast_device(ClientSpec::microsoft())
    });
    let account = microsoft(idp, &client_id, "device", "organizations", "");
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let first = device_login(idp, &client, &client_id).await;
    let first_refresh = first.refresh_token.clone().unwrap();
    // The IdP's tokens contain '+' and '/': sent unencoded they would not match.
    assert!(first_refresh.expose().contains('+') && first_refresh.expose().contains('/'));

    let second = client.renew(Some(&first)).await.unwrap();
    let second_refresh = second.refresh_token.clone().unwrap();
    assert_ne!(second_refresh, first_refresh, "Microsoft rotates");
    assert_ne!(second.access_token, first.access_token);
    assert!(second.refresh_obtained_at >= first.refresh_obtained_at);
    // And the rotated one works in turn (the old one is dead: grace zero).
    let third = client.refresh(&second).await.unwrap();
    assert_ne!(third.refresh_token, second.refresh_token);
    let stale = client.refresh(&first).await.unwrap_err();
    let OAuthError::Provider(stale) = stale else {
        panic!("{stale:?}")
    };
    assert_eq!(stale.error, "invalid_grant");

    let refreshes: Vec<_> = idp
        .requests_of(&client_id)
        .into_iter()
        .filter(|r| r.grant_type.as_deref() == Some("refresh_token"))
        .collect();
    assert_eq!(refreshes.len(), 3);
    assert!(
        refreshes[0]
            .field("scope")
            .unwrap()
            .contains("offline_access")
    );
}

#[tokio::test]
async fn google_refresh_keeps_the_refresh_token() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(fast_device(ClientSpec::google()));
    let account = generic(
        &client_id,
        "device",
        &google_urls(idp),
        "scopes = [\"email\"]\nclient_secret_command = \"echo google-installed-app-secret\"",
    );
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let first = device_login(idp, &client, &client_id).await;
    let mut older = first.clone();
    older.refresh_obtained_at = Some(first.obtained_at - 3600);

    let second = client.refresh(&older).await.unwrap();
    assert_ne!(second.access_token, first.access_token);
    assert_eq!(second.refresh_token, first.refresh_token, "kept");
    assert_eq!(second.refresh_obtained_at, older.refresh_obtained_at);
    let (active, _) = introspect_active(idp, second.access_token.expose()).await;
    assert!(active);
}

#[tokio::test]
async fn renewing_without_a_refresh_token_asks_for_a_login() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(ClientSpec::microsoft());
    let account = microsoft(idp, &client_id, "device", "organizations", "");
    let client = OAuthClient::new(&account, None).unwrap();
    let error = client.renew(None).await.unwrap_err();
    assert!(
        matches!(&error, OAuthError::NotLoggedIn { account } if account == "work"),
        "{error:?}"
    );
    assert!(error.to_string().contains("postern login work"));
    assert_eq!(idp.token_calls(&client_id), 0);
}

// ---- failures on the wire ------------------------------------------------------------

#[tokio::test]
async fn http_500_and_slow_answers_end_in_clear_errors() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(fast_device(ClientSpec::microsoft()));
    let account = microsoft(idp, &client_id, "device", "organizations", "");
    let fake = TokenSet {
        access_token: postern::auth::Secret::new("a"),
        refresh_token: Some(postern::auth::Secret::new("r+/")),
        expires_at: None,
        scopes: vec![],
        obtained_at: 0,
        refresh_obtained_at: None,
    };

    idp.set_fault(
        &client_id,
        Endpoint::Token,
        postern_test_stack::Fault::ServerError,
    )
    .unwrap();
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let error = client.refresh(&fake).await.unwrap_err();
    let OAuthError::Provider(provider) = &error else {
        panic!("{error:?}")
    };
    assert_eq!(provider.status, 500);
    assert_eq!(provider.error, "server_error");

    idp.clear_faults(&client_id);
    idp.set_fault(
        &client_id,
        Endpoint::Token,
        postern_test_stack::Fault::Delay(Duration::from_secs(3)),
    )
    .unwrap();
    let options = postern::auth::oauth::ClientOptions {
        http_timeout: Duration::from_millis(300),
        ..Sleeps::default().options()
    };
    let impatient = OAuthClient::with_options(&account, None, options).unwrap();
    let error = impatient.refresh(&fake).await.unwrap_err();
    let OAuthError::Transport { url, message } = &error else {
        panic!("{error:?}")
    };
    assert!(url.ends_with("/organizations/oauth2/v2.0/token"), "{url}");
    assert!(message.contains("no answer within 0.3 s"), "{message}");
}

#[tokio::test]
async fn dropping_a_login_stops_polling() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client_id = idp.register_client(fast_device(ClientSpec::microsoft()));
    let account = microsoft(idp, &client_id, "device", "organizations", "");
    let client = OAuthClient::with_options(&account, None, Sleeps::default().options()).unwrap();
    let (prompt, _handles) = TestPrompt::new();
    let login = client.login(&prompt);
    let cancelled = tokio::time::timeout(Duration::from_millis(400), login).await;
    assert!(
        cancelled.is_err(),
        "nobody approved, so only the caller can stop it"
    );
    // A request already on the wire at the drop may still reach the IdP's log.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let polls = idp.token_calls(&client_id);
    assert!(polls >= 1, "it was polling");
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(idp.token_calls(&client_id), polls, "no poll after the drop");
}

#[tokio::test]
async fn password_accounts_read_their_password_command() {
    let account = account(
        r#"
[accounts.local]
email = "ada@localhost"
provider = "generic"
receive = "imap"
imap = { host = "127.0.0.1", port = 1143, tls = "none" }
smtp = { host = "127.0.0.1", port = 1025, tls = "none" }
auth = { method = "password", password_command = "printf 'pa ss+/\\n'" }
"#,
    );
    let password = postern::auth::password::password(&account, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(password.expose(), "pa ss+/");
    assert_eq!(format!("{password:?}"), "<secret: 7 chars>");
    // An OAuth2 client cannot be made for it.
    let error = OAuthClient::new(&account, None).unwrap_err();
    assert!(
        matches!(error, OAuthError::Misconfigured { .. }),
        "{error:?}"
    );
}
