//! The token manager against the test identity provider: no call while the token is
//! fresh, exactly one refresh however many tasks or processes ask, rotation persisted,
//! stale rejections answered without a call, provider errors kept, no token in logs.
//!
//! The `TokenEndpoint` here is a small reqwest client doing the real refresh-token grant;
//! the first tokens come from the device flow, run by hand and approved through the IdP.

use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use postern::auth::manager::{Clock, TokenError, TokenManager};
use postern::auth::token_cache::{TokenCache, TokenOwner};
use postern::auth::{AccessTokens, OAuthError, ProviderError, Secret, TokenEndpoint, TokenSet};
use postern_test_stack::{ClientSpec, Endpoint, Fault, Flavor, Stack};
use serde_json::Value;

const MS_SCOPE: &str = "offline_access https://outlook.office.com/IMAP.AccessAsUser.All";
const GOOGLE_SCOPE: &str = "email";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const CHILD_ENV: &str = "POSTERN_AUTH_MANAGER_CHILD";

// ---- a real refresh-token grant over HTTP ---------------------------------------------

struct HttpRefresh {
    http: reqwest::Client,
    token_url: String,
    client_id: String,
    client_secret: Option<String>,
}

impl HttpRefresh {
    fn new(token_url: &str, client_id: &str, client_secret: Option<&str>) -> HttpRefresh {
        HttpRefresh {
            http: reqwest::Client::new(),
            token_url: token_url.into(),
            client_id: client_id.into(),
            client_secret: client_secret.map(str::to_owned),
        }
    }

    async fn post(&self, form: &[(&str, &str)]) -> Result<TokenSet, OAuthError> {
        let mut form: Vec<(&str, &str)> = form.to_vec();
        form.push(("client_id", &self.client_id));
        if let Some(secret) = &self.client_secret {
            form.push(("client_secret", secret));
        }
        let transport = |e: reqwest::Error| OAuthError::Transport {
            url: self.token_url.clone(),
            message: e.to_string(),
        };
        let response = self
            .http
            .post(&self.token_url)
            .form(&form)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(transport)?;
        let invalid = |message: &str| OAuthError::InvalidResponse {
            url: self.token_url.clone(),
            message: message.into(),
        };
        let body: Value = serde_json::from_str(&text).map_err(|_| invalid("not JSON"))?;
        if status != 200 {
            return Err(OAuthError::from(ProviderError {
                status,
                error: body["error"].as_str().unwrap_or("unknown").into(),
                description: body["error_description"].as_str().map(str::to_owned),
                codes: body["error_codes"]
                    .as_array()
                    .map(|codes| {
                        codes
                            .iter()
                            .filter_map(|c| c.as_u64())
                            .map(|c| c as u32)
                            .collect()
                    })
                    .unwrap_or_default(),
                ..ProviderError::default()
            }));
        }
        let now = unix_now();
        Ok(TokenSet {
            access_token: Secret::new(
                body["access_token"]
                    .as_str()
                    .ok_or_else(|| invalid("no access_token"))?,
            ),
            refresh_token: body["refresh_token"].as_str().map(Secret::new),
            expires_at: body["expires_in"].as_i64().map(|s| now + s),
            scopes: body["scope"]
                .as_str()
                .unwrap_or("")
                .split_whitespace()
                .map(str::to_owned)
                .collect(),
            obtained_at: now,
            refresh_obtained_at: body["refresh_token"].as_str().map(|_| now),
        })
    }
}

impl TokenEndpoint for HttpRefresh {
    async fn renew(&self, current: Option<&TokenSet>) -> Result<TokenSet, OAuthError> {
        let refresh = current
            .and_then(|tokens| tokens.refresh_token.as_ref())
            .ok_or_else(|| OAuthError::NotLoggedIn {
                account: "test".into(),
            })?;
        self.post(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh.expose()),
        ])
        .await
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

// ---- setting up an account ------------------------------------------------------------

struct Account {
    client: String,
    token_url: String,
    secret: Option<String>,
    dir: tempfile::TempDir,
}

impl Account {
    fn owner(&self) -> TokenOwner {
        TokenOwner {
            provider: "microsoft".into(),
            client_id: self.client.clone(),
            token_url: self.token_url.clone(),
        }
    }

    fn manager(&self) -> TokenManager<HttpRefresh> {
        manager_at(
            self.dir.path(),
            &self.token_url,
            &self.client,
            self.secret.as_deref(),
        )
    }

    fn cached(&self) -> TokenSet {
        TokenCache::new(self.dir.path(), "work", self.owner())
            .unwrap()
            .load()
            .unwrap()
            .expect("tokens cached")
            .tokens
    }

    fn refresh_calls(&self) -> usize {
        Stack::shared()
            .idp()
            .requests_of(&self.client)
            .iter()
            .filter(|r| {
                r.endpoint == Endpoint::Token && r.grant_type.as_deref() == Some("refresh_token")
            })
            .count()
    }
}

fn manager_at(
    dir: &Path,
    token_url: &str,
    client: &str,
    secret: Option<&str>,
) -> TokenManager<HttpRefresh> {
    let owner = TokenOwner {
        provider: "microsoft".into(),
        client_id: client.into(),
        token_url: token_url.into(),
    };
    let cache = TokenCache::new(dir, "work", owner).unwrap();
    TokenManager::new(cache, HttpRefresh::new(token_url, client, secret))
}

/// Registers a client and signs "the user" in through the device flow; returns the
/// account and the tokens the login produced (not yet stored).
async fn device_login(spec: ClientSpec) -> (Account, TokenSet) {
    let stack = Stack::shared();
    let idp = stack.idp();
    let google = spec.flavor == Flavor::Google;
    let secret = spec.client_secret.clone();
    let client = idp.register_client(spec);
    let (device_url, token_url, scope) = if google {
        (
            idp.google_device_code_url(),
            idp.google_token_url(),
            GOOGLE_SCOPE,
        )
    } else {
        (
            idp.device_code_url("common"),
            idp.token_url("common"),
            MS_SCOPE,
        )
    };
    let user = stack.new_user("tok").unwrap();
    let mut form = vec![("client_id", client.as_str()), ("scope", scope)];
    if let Some(secret) = &secret {
        form.push(("client_secret", secret));
    }
    let device: Value = reqwest::Client::new()
        .post(&device_url)
        .form(&form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(idp.approve_device(device["user_code"].as_str().unwrap(), &user.name));
    let endpoint = HttpRefresh::new(&token_url, &client, secret.as_deref());
    let tokens = endpoint
        .post(&[
            ("grant_type", DEVICE_GRANT),
            ("device_code", device["device_code"].as_str().unwrap()),
        ])
        .await
        .unwrap();
    assert!(tokens.refresh_token.is_some());
    let account = Account {
        client,
        token_url,
        secret,
        dir: tempfile::tempdir().unwrap(),
    };
    (account, tokens)
}

/// Microsoft-shaped client whose rotated-out refresh tokens stop working at once, so
/// using a stale one fails loudly.
fn strict_rotation() -> ClientSpec {
    ClientSpec {
        refresh_grace: Some(Duration::ZERO),
        access_token_len: 600,
        ..ClientSpec::microsoft()
    }
}

fn expired(mut tokens: TokenSet) -> TokenSet {
    tokens.expires_at = Some(unix_now() - 10);
    tokens
}

// ---- captured logs --------------------------------------------------------------------

#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every tracing event of this test binary, at TRACE, from every thread.
fn captured_logs() -> &'static LogBuffer {
    static LOGS: OnceLock<LogBuffer> = OnceLock::new();
    LOGS.get_or_init(|| {
        let buffer = LogBuffer::default();
        let writer = buffer.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .init();
        buffer
    })
}

fn log_text() -> String {
    String::from_utf8_lossy(&captured_logs().0.lock().unwrap()).into_owned()
}

// ---- tests ----------------------------------------------------------------------------

#[tokio::test]
async fn a_fresh_token_is_served_without_any_call() {
    let (account, tokens) = device_login(ClientSpec::microsoft()).await;
    let manager = account.manager();
    manager.store_login(tokens.clone()).await.unwrap();
    let calls = Stack::shared().idp().token_calls(&account.client);
    for _ in 0..5 {
        assert_eq!(manager.access_token().await.unwrap(), tokens.access_token);
    }
    // A new process (a new manager) reads the file and makes no call either.
    assert_eq!(
        account.manager().access_token().await.unwrap(),
        tokens.access_token
    );
    assert_eq!(Stack::shared().idp().token_calls(&account.client), calls);
}

#[tokio::test]
async fn not_logged_in_is_a_typed_error_offering_login() {
    let (account, _) = device_login(ClientSpec::microsoft()).await;
    let error = account.manager().access_token().await.unwrap_err();
    assert!(matches!(error, TokenError::NotLoggedIn { .. }), "{error:?}");
    assert!(error.to_string().contains("postern login work"), "{error}");
    assert!(!account.manager().status().await.unwrap().logged_in);
}

#[tokio::test]
async fn an_expired_token_without_refresh_token_asks_for_login() {
    let (account, mut tokens) = device_login(ClientSpec::microsoft()).await;
    tokens.refresh_token = None;
    let manager = account.manager();
    manager.store_login(expired(tokens)).await.unwrap();
    let error = manager.access_token().await.unwrap_err();
    assert!(matches!(error, TokenError::NotLoggedIn { .. }), "{error:?}");
    assert!(error.to_string().contains("postern login work"), "{error}");
    assert_eq!(account.refresh_calls(), 0);
}

#[tokio::test]
async fn refresh_persists_the_rotated_refresh_token() {
    let (account, tokens) = device_login(strict_rotation()).await;
    let manager = account.manager();
    manager.store_login(expired(tokens.clone())).await.unwrap();

    let renewed = manager.access_token().await.unwrap();
    assert_ne!(renewed, tokens.access_token);
    assert_eq!(account.refresh_calls(), 1);
    let cached = account.cached();
    assert_eq!(cached.access_token, renewed);
    let rotated = cached.refresh_token.clone().unwrap();
    assert_ne!(rotated, tokens.refresh_token.clone().unwrap());

    // The old refresh token is dead (grace zero): only the saved one can renew.
    let endpoint = HttpRefresh::new(&account.token_url, &account.client, None);
    let stale = endpoint.renew(Some(&tokens)).await.unwrap_err();
    assert!(stale.to_string().contains("invalid_grant"), "{stale}");
    let again = manager.token_rejected(&renewed).await.unwrap();
    assert_ne!(again, renewed);
    assert_ne!(account.cached().refresh_token.unwrap(), rotated);
}

#[tokio::test]
async fn google_refresh_keeps_the_old_refresh_token() {
    let (account, tokens) = device_login(ClientSpec::google()).await;
    let manager = account.manager();
    manager.store_login(expired(tokens.clone())).await.unwrap();
    let renewed = manager.access_token().await.unwrap();
    assert_ne!(renewed, tokens.access_token);
    let cached = account.cached();
    assert_eq!(cached.refresh_token, tokens.refresh_token);
    assert_eq!(cached.refresh_obtained_at, tokens.refresh_obtained_at);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn eight_concurrent_callers_make_exactly_one_refresh() {
    let (account, tokens) = device_login(strict_rotation()).await;
    let manager = Arc::new(account.manager());
    manager.store_login(expired(tokens)).await.unwrap();
    // A slow IdP keeps the renewal in flight while the others arrive.
    let idp = Stack::shared().idp();
    idp.set_fault(
        &account.client,
        Endpoint::Token,
        Fault::Delay(Duration::from_millis(300)),
    )
    .unwrap();
    let barrier = Arc::new(tokio::sync::Barrier::new(8));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (manager, barrier) = (Arc::clone(&manager), Arc::clone(&barrier));
            tokio::spawn(async move {
                barrier.wait().await;
                manager.access_token().await
            })
        })
        .collect();
    let mut got = Vec::new();
    for task in tasks {
        got.push(task.await.unwrap().unwrap());
    }
    assert_eq!(
        account.refresh_calls(),
        1,
        "{:#?}",
        idp.requests_of(&account.client)
    );
    assert!(got.iter().all(|token| *token == got[0]));
    assert_eq!(account.cached().access_token, got[0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn callers_queued_behind_a_failed_refresh_share_its_error() {
    let (account, tokens) = device_login(strict_rotation()).await;
    let manager = Arc::new(account.manager());
    manager.store_login(expired(tokens)).await.unwrap();
    let idp = Stack::shared().idp();
    idp.set_fault(
        &account.client,
        Endpoint::Token,
        Fault::Delay(Duration::from_millis(300)),
    )
    .unwrap();
    idp.set_fault(&account.client, Endpoint::Token, Fault::InvalidGrant)
        .unwrap();
    let barrier = Arc::new(tokio::sync::Barrier::new(8));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (manager, barrier) = (Arc::clone(&manager), Arc::clone(&barrier));
            tokio::spawn(async move {
                barrier.wait().await;
                manager.access_token().await
            })
        })
        .collect();
    for task in tasks {
        let error = task.await.unwrap().unwrap_err();
        assert!(error.to_string().contains("invalid_grant"), "{error}");
    }
    assert_eq!(
        account.refresh_calls(),
        1,
        "{:#?}",
        idp.requests_of(&account.client)
    );
    // The failure is not cached for ever: a later caller tries again.
    idp.clear_faults(&account.client);
    manager.access_token().await.unwrap();
    assert_eq!(account.refresh_calls(), 2);
}

#[tokio::test]
async fn token_rejected_with_a_stale_token_makes_no_call() {
    let (account, tokens) = device_login(strict_rotation()).await;
    let manager = account.manager();
    manager.store_login(tokens.clone()).await.unwrap();

    // The current token is rejected: one renewal.
    let second = manager.token_rejected(&tokens.access_token).await.unwrap();
    assert_ne!(second, tokens.access_token);
    assert_eq!(account.refresh_calls(), 1);
    // A connection that still had the first token reports it late: no new call.
    assert_eq!(
        manager.token_rejected(&tokens.access_token).await.unwrap(),
        second
    );
    // Same from another process, which learns of the renewal from the file.
    let other = account.manager();
    assert_eq!(
        other.token_rejected(&tokens.access_token).await.unwrap(),
        second
    );
    assert_eq!(account.refresh_calls(), 1);
}

#[tokio::test]
async fn a_provider_error_is_kept_as_last_error_then_cleared() {
    let (account, tokens) = device_login(strict_rotation()).await;
    let manager = account.manager();
    manager.store_login(expired(tokens.clone())).await.unwrap();
    let idp = Stack::shared().idp();
    idp.set_fault(
        &account.client,
        Endpoint::Token,
        Fault::RefreshTokenInactive,
    )
    .unwrap();

    let error = manager.access_token().await.unwrap_err();
    assert!(
        matches!(error, TokenError::OAuth(OAuthError::Provider(_))),
        "{error:?}"
    );
    let status = manager.status().await.unwrap();
    assert!(status.logged_in);
    let last = status.last_error.expect("last error kept");
    assert!(last.message.contains("700082"), "{}", last.message);
    // The tokens survive a failed renewal, so a later one can still succeed.
    assert_eq!(account.cached().refresh_token, tokens.refresh_token);

    idp.clear_faults(&account.client);
    manager.access_token().await.unwrap();
    assert_eq!(manager.status().await.unwrap().last_error, None);
}

#[tokio::test]
async fn status_reports_expiry_and_refresh_token_age() {
    struct Later(AtomicI64);
    impl Clock for Later {
        fn now(&self) -> i64 {
            self.0.load(Ordering::Relaxed)
        }
    }
    let (account, tokens) = device_login(ClientSpec::microsoft()).await;
    let cache = TokenCache::new(account.dir.path(), "work", account.owner()).unwrap();
    let endpoint = HttpRefresh::new(&account.token_url, &account.client, None);
    let issued = tokens.refresh_obtained_at.unwrap();
    let clock = Later(AtomicI64::new(issued + 600));
    let manager = TokenManager::with_clock(cache, endpoint, clock);
    manager.store_login(tokens.clone()).await.unwrap();
    let status = manager.status().await.unwrap();
    assert!(status.logged_in && status.has_refresh_token);
    assert_eq!(status.access_expires_at, tokens.expires_at);
    assert_eq!(status.refresh_token_age, Some(600));
}

#[tokio::test]
async fn the_refresh_margin_renews_shortly_before_expiry() {
    let (account, mut tokens) = device_login(strict_rotation()).await;
    // Four minutes left: inside the default five-minute margin.
    tokens.expires_at = Some(unix_now() + 240);
    let lenient = account
        .manager()
        .with_refresh_margin(Duration::from_secs(60));
    lenient.store_login(tokens.clone()).await.unwrap();
    assert_eq!(lenient.access_token().await.unwrap(), tokens.access_token);
    assert_eq!(account.refresh_calls(), 0);
    let default = account.manager();
    assert_ne!(default.access_token().await.unwrap(), tokens.access_token);
    assert_eq!(account.refresh_calls(), 1);
}

#[tokio::test]
async fn no_token_appears_in_logs_errors_or_debug_output() {
    captured_logs();
    let (account, tokens) = device_login(strict_rotation()).await;
    let manager = account.manager();
    manager.store_login(expired(tokens.clone())).await.unwrap();
    let renewed = manager.access_token().await.unwrap();
    Stack::shared()
        .idp()
        .set_fault(&account.client, Endpoint::Token, Fault::InvalidGrant)
        .unwrap();
    let error = manager.token_rejected(&renewed).await.unwrap_err();
    let status = manager.status().await.unwrap();
    let cached = account.cached();

    let logs = log_text();
    assert!(
        logs.contains("refreshing access token for work"),
        "the log capture works"
    );
    let secrets = [
        tokens.access_token.expose().to_owned(),
        tokens.refresh_token.unwrap().expose().to_owned(),
        renewed.expose().to_owned(),
        cached.refresh_token.clone().unwrap().expose().to_owned(),
    ];
    let shown = format!("{error} {error:?} {status:?} {manager:?} {cached:?}");
    for secret in &secrets {
        // Any 24-character piece would give a token away.
        let piece = &secret[..24];
        assert!(!logs.contains(piece), "a token is in the logs");
        assert!(!shown.contains(piece), "a token is in: {shown}");
    }
}

// ---- two processes --------------------------------------------------------------------

/// Runs in a child process: renew the expired token of the account the parent set up.
#[test]
#[ignore = "run as a child process by two_processes_refresh_once"]
fn child_refresher() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let parts: Vec<&str> = spec.split('|').collect();
    let [dir, token_url, client, start_ms] = parts[..] else {
        panic!("bad {CHILD_ENV}: {spec}");
    };
    let start_ms: u128 = start_ms.parse().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let manager = manager_at(Path::new(dir), token_url, client, None);
    // Both children start together, so their renewals overlap.
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis();
    std::thread::sleep(Duration::from_millis(start_ms.saturating_sub(now_ms) as u64));
    let token = runtime.block_on(manager.access_token()).unwrap();
    println!("CHILD_TOKEN_LEN {}", token.expose().len());
}

#[test]
fn two_processes_refresh_once_and_leave_a_valid_cache() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (account, tokens) = runtime.block_on(device_login(strict_rotation()));
    let manager = account.manager();
    runtime
        .block_on(manager.store_login(expired(tokens.clone())))
        .unwrap();
    let idp = Stack::shared().idp();
    idp.set_fault(
        &account.client,
        Endpoint::Token,
        Fault::Delay(Duration::from_millis(500)),
    )
    .unwrap();

    let start = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis()
        + 1500;
    let spec = format!(
        "{}|{}|{}|{start}",
        account.dir.path().display(),
        account.token_url,
        account.client
    );
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args(["child_refresher", "--exact", "--ignored", "--nocapture"])
                .env(CHILD_ENV, &spec)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        // wait_with_output reads both pipes to the end (a closed pipe kills the child).
        let output = child.wait_with_output().unwrap();
        let reported = output
            .stdout
            .lines()
            .map_while(Result::ok)
            .any(|line| line.starts_with("CHILD_TOKEN_LEN 600"));
        assert!(
            reported && output.status.success(),
            "child failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    assert_eq!(
        account.refresh_calls(),
        1,
        "{:#?}",
        idp.requests_of(&account.client)
    );
    idp.clear_faults(&account.client);

    // The cache is whole, fresh, and its refresh token is the live one.
    let cached = account.cached();
    assert_ne!(cached.access_token, tokens.access_token);
    let fresh = account.manager();
    assert_eq!(
        runtime.block_on(fresh.access_token()).unwrap(),
        cached.access_token
    );
    runtime
        .block_on(fresh.token_rejected(&cached.access_token))
        .expect("the cached refresh token still works");
}
