//! The test identity provider speaks the real OAuth2 wire protocol (plain HTTP on
//! loopback): device flow, PKCE auth code, refresh rotation, client credentials, faults.

use std::time::Duration;

use postern_test_stack::{ClientSpec, Endpoint, Fault, Stack};
use serde_json::Value;

fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn post(url: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = http().post(url).form(form).send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

fn s<'a>(body: &'a Value, key: &str) -> &'a str {
    body[key]
        .as_str()
        .unwrap_or_else(|| panic!("no string {key:?} in {body}"))
}

const MS_SCOPE: &str = "offline_access https://outlook.office.com/IMAP.AccessAsUser.All";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

async fn introspect(stack: &Stack, token: &str) -> Value {
    post(&stack.idp().introspection_url(), &[("token", token)])
        .await
        .1
}

#[tokio::test]
async fn device_flow_pending_slow_down_approve_token() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client = idp.register_client(ClientSpec {
        device_interval: Duration::from_millis(200),
        slow_down_step: Duration::from_millis(200),
        ..ClientSpec::microsoft()
    });
    let (status, device) = post(
        &idp.device_code_url("common"),
        &[("client_id", &client), ("scope", MS_SCOPE)],
    )
    .await;
    assert_eq!(status, 200, "{device}");
    assert!(s(&device, "verification_uri").ends_with("/devicelogin"));
    assert!(device.get("verification_url").is_none());
    assert_eq!(device["interval"], 1);
    assert!(s(&device, "message").contains(s(&device, "user_code")));
    let device_code = s(&device, "device_code").to_owned();
    let poll = [
        ("grant_type", DEVICE_GRANT),
        ("client_id", &client),
        ("device_code", &device_code),
    ];
    let token_url = idp.token_url("common");

    let (status, body) = post(&token_url, &poll).await;
    assert_eq!((status, s(&body, "error")), (400, "authorization_pending"));
    assert_eq!(body["error_codes"][0], 70016);
    let (_, body) = post(&token_url, &poll).await;
    assert_eq!(s(&body, "error"), "slow_down", "polled at once: {body}");

    assert!(idp.approve_device(s(&device, "user_code"), "dana@example.test"));
    // The required interval is now 200 ms + 200 ms.
    tokio::time::sleep(Duration::from_millis(450)).await;
    let (status, tokens) = post(&token_url, &poll).await;
    assert_eq!(status, 200, "{tokens}");
    let access = s(&tokens, "access_token");
    assert_eq!(access.len(), 1500);
    assert!(access.contains('+') && access.contains('/'));
    assert!(
        tokens["refresh_token"].is_string(),
        "offline_access gives a refresh token"
    );
    assert_eq!(s(&tokens, "token_type"), "Bearer");
    assert_eq!(
        s(&introspect(stack, access).await, "username"),
        "dana@example.test"
    );

    // The code is single-use.
    tokio::time::sleep(Duration::from_millis(450)).await;
    let (status, body) = post(&token_url, &poll).await;
    assert_eq!((status, s(&body, "error")), (400, "invalid_grant"));

    assert_eq!(idp.token_calls(&client), 4);
    let log = idp.requests_of(&client);
    let redacted = log[1].field("device_code").unwrap();
    assert_eq!(redacted, format!("<redacted: {} chars>", device_code.len()));
    assert_eq!(log[1].grant_type.as_deref(), Some(DEVICE_GRANT));
    assert_eq!(log[1].error.as_deref(), Some("authorization_pending"));
}

#[tokio::test]
async fn device_flow_declined_and_expired() {
    let idp = Stack::shared().idp();
    let client = idp.register_client(ClientSpec {
        device_interval: Duration::ZERO,
        device_expires_in: Duration::from_millis(300),
        ..ClientSpec::microsoft()
    });
    let url = idp.device_code_url("consumers");
    let (_, first) = post(&url, &[("client_id", &client), ("scope", MS_SCOPE)]).await;
    let (_, second) = post(&url, &[("client_id", &client), ("scope", MS_SCOPE)]).await;
    assert!(idp.decline_device(s(&first, "user_code")));
    let token_url = idp.token_url("consumers");
    let (_, body) = post(
        &token_url,
        &[
            ("grant_type", DEVICE_GRANT),
            ("client_id", &client),
            ("device_code", s(&first, "device_code")),
        ],
    )
    .await;
    assert_eq!(s(&body, "error"), "authorization_declined");

    tokio::time::sleep(Duration::from_millis(400)).await;
    let (_, body) = post(
        &token_url,
        &[
            ("grant_type", DEVICE_GRANT),
            ("client_id", &client),
            ("device_code", s(&second, "device_code")),
        ],
    )
    .await;
    assert_eq!(s(&body, "error"), "expired_token");
    assert!(s(&body, "error_description").starts_with("AADSTS70019: "));
}

#[tokio::test]
async fn google_device_shape_and_refusal_of_the_gmail_scope() {
    let idp = Stack::shared().idp();
    let client = idp.register_client(ClientSpec::google());
    let secret = "google-installed-app-secret";
    let (status, body) = post(
        &idp.google_device_code_url(),
        &[
            ("client_id", &client),
            ("client_secret", secret),
            ("scope", "https://mail.google.com/"),
        ],
    )
    .await;
    assert_eq!((status, s(&body, "error")), (400, "invalid_scope"));
    assert!(s(&body, "error_description").starts_with("Invalid device flow scope"));
    assert!(
        body.get("error_codes").is_none(),
        "Google bodies have no AADSTS fields"
    );

    let (status, body) = post(
        &idp.google_device_code_url(),
        &[
            ("client_id", &client),
            ("client_secret", secret),
            ("scope", "email"),
        ],
    )
    .await;
    assert_eq!(status, 200);
    assert!(body["verification_url"].is_string() && body.get("verification_uri").is_none());
}

fn pkce_pair() -> (String, String) {
    use base64::Engine;
    let verifier = "pKcE-verifier.with~allowed_chars-0123456789abcdefghijklmnop".to_owned();
    let challenge =
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha256(verifier.as_bytes()));
    (verifier, challenge)
}

/// The S256 digest, computed here independently of the IdP (via the `sha256sum` tool).
fn sha256(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut child = std::process::Command::new("sha256sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(data).unwrap();
    let out = child.wait_with_output().unwrap();
    let hex = String::from_utf8(out.stdout).unwrap();
    (0..32)
        .map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

async fn authorize(
    idp: &postern_test_stack::Idp,
    client: &str,
    redirect: &str,
    challenge: &str,
) -> reqwest::Response {
    http()
        .get(idp.authorize_url("organizations"))
        .query(&[
            ("client_id", client),
            ("response_type", "code"),
            ("redirect_uri", redirect),
            ("scope", MS_SCOPE),
            ("state", "st4te"),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
            ("login_hint", "erin@example.test"),
        ])
        .send()
        .await
        .unwrap()
}

fn query_param(location: &str, name: &str) -> Option<String> {
    let query = location.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| {
            value
                .replace("%2F", "/")
                .replace("%3A", ":")
                .replace('+', " ")
        })
    })
}

#[tokio::test]
async fn pkce_auth_code_round_trip_single_use_and_mismatch() {
    let idp = Stack::shared().idp();
    let client = idp.register_client(ClientSpec::microsoft());
    let (verifier, challenge) = pkce_pair();
    let redirect = "http://127.0.0.1:49152/callback";

    let response = authorize(idp, &client, redirect, &challenge).await;
    assert_eq!(response.status().as_u16(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(redirect), "{location}");
    assert_eq!(query_param(&location, "state").as_deref(), Some("st4te"));
    let code = query_param(&location, "code").unwrap();

    let redeem = |code: String, verifier: String| {
        let token_url = idp.token_url("organizations");
        let client = client.clone();
        async move {
            post(
                &token_url,
                &[
                    ("grant_type", "authorization_code"),
                    ("client_id", &client),
                    ("code", &code),
                    ("redirect_uri", redirect),
                    ("code_verifier", &verifier),
                ],
            )
            .await
        }
    };
    let (status, tokens) = redeem(code.clone(), verifier.clone()).await;
    assert_eq!(status, 200, "{tokens}");
    let stack = Stack::shared();
    assert_eq!(
        s(
            &introspect(stack, s(&tokens, "access_token")).await,
            "username"
        ),
        "erin@example.test"
    );
    let (_, again) = redeem(code, verifier.clone()).await;
    assert_eq!(again["error_codes"][0], 54005, "a code works once: {again}");

    let response = authorize(idp, &client, redirect, &challenge).await;
    let code = query_param(response.headers()["location"].to_str().unwrap(), "code").unwrap();
    let wrong = format!("{}x", &verifier[..verifier.len() - 1]);
    let (status, body) = redeem(code, wrong).await;
    assert_eq!((status, s(&body, "error")), (400, "invalid_grant"));
    assert!(s(&body, "error_description").starts_with("AADSTS50148: "));

    let response = authorize(idp, &client, "https://attacker.example/cb", &challenge).await;
    assert_eq!(response.status().as_u16(), 400, "only loopback redirects");
}

#[tokio::test]
async fn authorization_waits_for_the_user_when_asked_to() {
    let idp = Stack::shared().idp().clone();
    let client = idp.register_client(ClientSpec {
        auto_approve: false,
        ..ClientSpec::microsoft()
    });
    let (_, challenge) = pkce_pair();
    let browser = {
        let (idp, client, challenge) = (idp.clone(), client.clone(), challenge.clone());
        tokio::spawn(
            async move { authorize(&idp, &client, "http://localhost:5000/", &challenge).await },
        )
    };
    idp.decline_authorization(&client, Duration::from_secs(10))
        .await
        .unwrap();
    let location = browser.await.unwrap().headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        query_param(&location, "error").as_deref(),
        Some("access_denied")
    );

    let browser = {
        let (idp, client) = (idp.clone(), client.clone());
        tokio::spawn(
            async move { authorize(&idp, &client, "http://localhost:5000/", &challenge).await },
        )
    };
    idp.approve_authorization(&client, "frank@example.test", Duration::from_secs(10))
        .await
        .unwrap();
    let location = browser.await.unwrap().headers()["location"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(query_param(&location, "code").is_some(), "{location}");
}

async fn device_tokens(idp: &postern_test_stack::Idp, client: &str, tenant: &str) -> Value {
    let (_, device) = post(
        &idp.device_code_url(tenant),
        &[("client_id", client), ("scope", MS_SCOPE)],
    )
    .await;
    assert!(idp.approve_device(s(&device, "user_code"), "gina@example.test"));
    let (status, tokens) = post(
        &idp.token_url(tenant),
        &[
            ("grant_type", DEVICE_GRANT),
            ("client_id", client),
            ("device_code", s(&device, "device_code")),
        ],
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    tokens
}

#[tokio::test]
async fn refresh_rotates_and_the_old_token_lasts_the_grace_period() {
    let idp = Stack::shared().idp();
    let client = idp.register_client(ClientSpec {
        refresh_grace: Some(Duration::from_millis(300)),
        ..ClientSpec::microsoft()
    });
    let tokens = device_tokens(idp, &client, "common").await;
    let first = s(&tokens, "refresh_token").to_owned();
    let refresh = |token: String| {
        let url = idp.token_url("common");
        let client = client.clone();
        async move {
            post(
                &url,
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", &client),
                    ("refresh_token", &token),
                ],
            )
            .await
        }
    };
    let (status, second) = refresh(first.clone()).await;
    assert_eq!(status, 200);
    let second = s(&second, "refresh_token").to_owned();
    assert_ne!(first, second, "rotated");
    let (status, _) = refresh(first.clone()).await;
    assert_eq!(
        status, 200,
        "the old token still works inside the grace period"
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (status, body) = refresh(first).await;
    assert_eq!((status, s(&body, "error")), (400, "invalid_grant"));
    let (status, _) = refresh(second).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn google_refresh_keeps_the_refresh_token() {
    let idp = Stack::shared().idp();
    let client = idp.register_client(ClientSpec::google());
    let secret = "google-installed-app-secret";
    let (_, device) = post(
        &idp.google_device_code_url(),
        &[
            ("client_id", &client),
            ("client_secret", secret),
            ("scope", "email"),
        ],
    )
    .await;
    idp.approve_device(s(&device, "user_code"), "hank@example.test");
    let (_, tokens) = post(
        &idp.google_token_url(),
        &[
            ("grant_type", DEVICE_GRANT),
            ("client_id", &client),
            ("client_secret", secret),
            ("device_code", s(&device, "device_code")),
        ],
    )
    .await;
    let refresh_token = s(&tokens, "refresh_token").to_owned();
    for _ in 0..2 {
        let (status, body) = post(
            &idp.google_token_url(),
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &client),
                ("client_secret", secret),
                ("refresh_token", &refresh_token),
            ],
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert!(
            body.get("refresh_token").is_none(),
            "Google omits it: {body}"
        );
    }
}

#[tokio::test]
async fn client_credentials_need_a_tenant_and_the_secret() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let client = idp.register_client(ClientSpec {
        client_secret: Some("s3cret+/value".into()),
        app_mailbox: Some("shared@example.test".into()),
        ..ClientSpec::microsoft()
    });
    let scope = "https://outlook.office365.com/.default";
    let form = |secret: &'static str| {
        let client = client.clone();
        move || {
            vec![
                ("grant_type", "client_credentials".to_owned()),
                ("client_id", client.clone()),
                ("client_secret", secret.to_owned()),
                ("scope", scope.to_owned()),
            ]
        }
    };
    for tenant in ["common", "consumers", "organizations"] {
        let fields = form("s3cret+/value")();
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (_, body) = post(&idp.token_url(tenant), &pairs).await;
        assert_eq!(body["error_codes"][0], 9001023, "{tenant}: {body}");
    }
    let fields = form("wrong")();
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = post(&idp.token_url("contoso.example"), &pairs).await;
    assert_eq!((status, s(&body, "error")), (401, "invalid_client"));

    let fields = form("s3cret+/value")();
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = post(&idp.token_url("contoso.example"), &pairs).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("refresh_token").is_none());
    assert_eq!(
        s(
            &introspect(stack, s(&body, "access_token")).await,
            "username"
        ),
        "shared@example.test"
    );
    let logged = idp.requests_of(&client);
    let token_calls: Vec<_> = logged
        .iter()
        .filter(|r| r.endpoint == Endpoint::Token)
        .collect();
    assert_eq!(token_calls.len(), 5);
    let secrets: Vec<&str> = token_calls
        .iter()
        .filter_map(|r| r.field("client_secret"))
        .collect();
    assert_eq!(
        secrets
            .iter()
            .filter(|v| **v == "<redacted: 13 chars>")
            .count(),
        4,
        "{secrets:?}"
    );
    assert_eq!(
        secrets
            .iter()
            .filter(|v| **v == "<redacted: 5 chars>")
            .count(),
        1,
        "{secrets:?}"
    );
}

#[tokio::test]
async fn every_fault_switch_answers_its_real_body() {
    let idp = Stack::shared().idp();
    let cases = [
        (
            Fault::PublicClientDisabled,
            401,
            "invalid_client",
            Some(7000218),
        ),
        (Fault::ConsentRequired, 400, "invalid_grant", Some(65001)),
        (Fault::InvalidScope, 400, "invalid_scope", Some(70011)),
        (Fault::AppNotFound, 400, "unauthorized_client", Some(700016)),
        (
            Fault::RefreshTokenInactive,
            400,
            "invalid_grant",
            Some(700082),
        ),
        (
            Fault::AccountNotInTenant,
            400,
            "invalid_request",
            Some(50020),
        ),
        (
            Fault::TenantEndpointRequired,
            400,
            "invalid_request",
            Some(9001023),
        ),
        (Fault::InvalidGrant, 400, "invalid_grant", Some(70000)),
    ];
    for (fault, status, error, code) in cases {
        let client = idp.register_client(ClientSpec::microsoft());
        idp.set_fault(&client, Endpoint::Token, fault).unwrap();
        let (got_status, body) = post(
            &idp.token_url("common"),
            &[
                ("grant_type", "refresh_token"),
                ("client_id", &client),
                ("refresh_token", "x"),
            ],
        )
        .await;
        assert_eq!(
            (got_status, s(&body, "error")),
            (status, error),
            "{fault:?}: {body}"
        );
        let code = code.unwrap();
        assert_eq!(body["error_codes"][0], code);
        assert!(s(&body, "error_description").starts_with(&format!("AADSTS{code}: ")));
        for key in ["timestamp", "trace_id", "correlation_id"] {
            assert!(!s(&body, key).is_empty(), "{fault:?} lacks {key}");
        }
    }

    let google = idp.register_client(ClientSpec::google());
    idp.set_fault(
        &google,
        Endpoint::DeviceCode,
        Fault::GoogleInvalidDeviceScope,
    )
    .unwrap();
    let (_, body) = post(
        &idp.google_device_code_url(),
        &[("client_id", &google), ("scope", "email")],
    )
    .await;
    assert_eq!(s(&body, "error"), "invalid_scope");
    assert!(s(&body, "error_description").starts_with("Invalid device flow scope"));

    let client = idp.register_client(ClientSpec::microsoft());
    idp.set_fault(&client, Endpoint::DeviceCode, Fault::ServerError)
        .unwrap();
    let (status, body) = post(
        &idp.device_code_url("common"),
        &[("client_id", &client), ("scope", MS_SCOPE)],
    )
    .await;
    assert_eq!(status, 500);
    assert!(body.is_string(), "not JSON: {body}");
    idp.clear_faults(&client);
    let (status, _) = post(
        &idp.device_code_url("common"),
        &[("client_id", &client), ("scope", MS_SCOPE)],
    )
    .await;
    assert_eq!(status, 200, "cleared");

    idp.set_fault(
        &client,
        Endpoint::DeviceCode,
        Fault::Delay(Duration::from_secs(3)),
    )
    .unwrap();
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let result = impatient
        .post(idp.device_code_url("common"))
        .form(&[("client_id", client.as_str()), ("scope", MS_SCOPE)])
        .send()
        .await;
    assert!(
        result.unwrap_err().is_timeout(),
        "the delay holds the answer back"
    );
}

#[tokio::test]
async fn unknown_clients_get_700016_and_revoked_tokens_go_inactive() {
    let stack = Stack::shared();
    let idp = stack.idp();
    let (status, body) = post(
        &idp.device_code_url("common"),
        &[("client_id", "nobody"), ("scope", MS_SCOPE)],
    )
    .await;
    assert_eq!(
        (status, body["error_codes"][0].as_u64()),
        (400, Some(700016))
    );

    let client = idp.register_client(ClientSpec::microsoft());
    let kept = idp.mint_token(&client, "ivy@example.test").unwrap();
    let revoked = idp.mint_token(&client, "ivy@example.test").unwrap();
    let expired = idp.mint_token(&client, "ivy@example.test").unwrap();
    idp.revoke_token(&revoked.access_token);
    idp.expire_token(&expired.access_token);
    assert_eq!(introspect(stack, &kept.access_token).await["active"], true);
    assert_eq!(
        introspect(stack, &revoked.access_token).await["active"],
        false
    );
    assert_eq!(
        introspect(stack, &expired.access_token).await["active"],
        false
    );
    idp.revoke_user("ivy@example.test");
    assert_eq!(introspect(stack, &kept.access_token).await["active"], false);
}
