//! Shared by tests/auth_flows.rs and tests/diagnose.rs: accounts pointing at the test
//! IdP, a recording prompt, fast device-flow sleeps, and a "browser".

#![allow(dead_code)]

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use postern::auth::oauth::{ClientOptions, DeviceCodePrompt, LoginPrompt, PastedRedirect};
use postern::config::{Account, Config};
use postern_test_stack::Idp;
use tokio::sync::{mpsc, oneshot};

pub const USER: &str = "ada@example.test";
pub const WAIT: Duration = Duration::from_secs(10);

pub fn account(toml: &str) -> Account {
    let config = Config::parse_str(toml, Path::new("test.toml"))
        .unwrap_or_else(|e| panic!("test config does not parse:\n{e}\n{toml}"));
    config.accounts.into_iter().next().expect("one account")
}

/// A `provider = "microsoft"` account whose endpoints are the IdP's, `{tenant}` kept.
pub fn microsoft(idp: &Idp, client_id: &str, flow: &str, tenant: &str, extra: &str) -> Account {
    let base = idp.base_url();
    account(&format!(
        r#"
[accounts.work]
email = "{USER}"
provider = "microsoft"
[accounts.work.auth]
method = "oauth2"
flow = "{flow}"
client_id = "{client_id}"
tenant = "{tenant}"
device_authorization_url = "{base}/{{tenant}}/oauth2/v2.0/devicecode"
authorization_url = "{base}/{{tenant}}/oauth2/v2.0/authorize"
token_url = "{base}/{{tenant}}/oauth2/v2.0/token"
{extra}
"#
    ))
}

/// A `provider = "generic"` account with explicit endpoints and scopes.
pub fn generic(client_id: &str, flow: &str, urls: &[(&str, String)], extra: &str) -> Account {
    let urls: String = urls
        .iter()
        .map(|(key, url)| format!("{key} = \"{url}\"\n"))
        .collect();
    account(&format!(
        r#"
[accounts.dev]
email = "{USER}"
provider = "generic"
imap = {{ host = "127.0.0.1", port = 993 }}
smtp = {{ host = "127.0.0.1", port = 465 }}
[accounts.dev.auth]
method = "oauth2"
flow = "{flow}"
client_id = "{client_id}"
{urls}{extra}
"#
    ))
}

/// Google-flavoured endpoints of the IdP.
pub fn google_urls(idp: &Idp) -> Vec<(&'static str, String)> {
    vec![
        ("device_authorization_url", idp.google_device_code_url()),
        ("authorization_url", idp.google_authorize_url()),
        ("token_url", idp.google_token_url()),
    ]
}

/// Every wait the device flow asked for, and a sleep that takes a tenth of it: the
/// IdP's whole-second intervals then cost 100 ms, and polling faster than the IdP's
/// own interval provokes real `slow_down` answers.
#[derive(Clone, Default)]
pub struct Sleeps(Arc<Mutex<Vec<Duration>>>);

impl Sleeps {
    pub fn options(&self) -> ClientOptions {
        let record = Arc::clone(&self.0);
        ClientOptions {
            http_timeout: Duration::from_secs(5),
            login_timeout: Duration::from_secs(20),
            open_browser: false,
            sleep: Arc::new(move |wanted| {
                record.lock().unwrap().push(wanted);
                Box::pin(tokio::time::sleep(wanted / 10))
            }),
            ..ClientOptions::default()
        }
    }

    pub fn asked(&self) -> Vec<Duration> {
        self.0.lock().unwrap().clone()
    }
}

/// Records what the flows show, hands browser URLs to the test, and can "paste".
pub struct TestPrompt {
    pub devices: Mutex<Vec<DeviceCodePrompt>>,
    pub ticks: Mutex<Vec<Duration>>,
    pub browser: Mutex<Vec<(String, bool)>>,
    urls: mpsc::UnboundedSender<String>,
    paste: Mutex<Option<oneshot::Receiver<String>>>,
}

pub struct PromptHandles {
    /// Browser URLs, as the flow shows them.
    pub urls: mpsc::UnboundedReceiver<String>,
    /// Send the "pasted" redirect address (only if made with `with_paste`).
    pub paste: Option<oneshot::Sender<String>>,
}

impl TestPrompt {
    pub fn new() -> (TestPrompt, PromptHandles) {
        Self::make(false)
    }

    pub fn with_paste() -> (TestPrompt, PromptHandles) {
        Self::make(true)
    }

    fn make(paste: bool) -> (TestPrompt, PromptHandles) {
        let (url_tx, url_rx) = mpsc::unbounded_channel();
        let (paste_tx, paste_rx) = if paste {
            let (tx, rx) = oneshot::channel();
            (Some(tx), Some(rx))
        } else {
            (None, None)
        };
        (
            TestPrompt {
                devices: Mutex::default(),
                ticks: Mutex::default(),
                browser: Mutex::default(),
                urls: url_tx,
                paste: Mutex::new(paste_rx),
            },
            PromptHandles {
                urls: url_rx,
                paste: paste_tx,
            },
        )
    }

    pub fn device(&self) -> DeviceCodePrompt {
        self.devices
            .lock()
            .unwrap()
            .first()
            .cloned()
            .expect("the flow showed a device code")
    }
}

impl LoginPrompt for TestPrompt {
    fn device_code(&self, prompt: &DeviceCodePrompt) {
        self.devices.lock().unwrap().push(prompt.clone());
    }

    fn browser_url(&self, url: &str, can_open_browser: bool) {
        self.browser
            .lock()
            .unwrap()
            .push((url.to_string(), can_open_browser));
        let _ = self.urls.send(url.to_string());
    }

    fn poll_tick(&self, remaining: Duration) {
        self.ticks.lock().unwrap().push(remaining);
    }

    fn pasted_redirect(&self) -> Option<PastedRedirect<'_>> {
        let receiver = self.paste.lock().unwrap().take()?;
        Some(Box::pin(async move { receiver.await.ok() }))
    }
}

/// A plain HTTP client for playing the browser (no TLS needed on loopback).
pub fn browser(follow_redirects: bool) -> reqwest::Client {
    let policy = if follow_redirects {
        reqwest::redirect::Policy::limited(5)
    } else {
        reqwest::redirect::Policy::none()
    };
    reqwest::Client::builder().redirect(policy).build().unwrap()
}

/// "The user" opens the URL and signs in; the browser follows the IdP's redirect to
/// postern's listener. Returns the listener's page.
pub async fn sign_in_following(url: &str) -> (u16, String) {
    let response = browser(true).get(url).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// "The user" signs in but the redirect cannot be followed (SSH): returns the address
/// the browser would show.
pub async fn sign_in_location(url: &str) -> String {
    let response = browser(false).get(url).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 302, "the IdP did not redirect");
    response
        .headers()
        .get("location")
        .expect("a Location header")
        .to_str()
        .unwrap()
        .to_string()
}

/// The value of one query parameter of a URL.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    let parsed = oauth2::url::Url::parse(url).unwrap();
    parsed
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}
