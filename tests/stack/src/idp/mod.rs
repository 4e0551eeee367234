//! A test OAuth2 identity provider on loopback HTTP, speaking the real wire protocol in
//! Microsoft v2.0 shapes (or Google's, per client).
//!
//! Everything a test configures is scoped to a client it registered itself
//! ([`Idp::register_client`] returns a fresh `client_id`), so tests sharing one stack can
//! switch faults, flavors and timings without seeing each other.

mod errors;
mod grants;
mod http;
mod tokens;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

pub(crate) use http::serve;

use crate::error::StackError;

/// Which provider's response shapes a client gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// Microsoft identity platform v2.0: `verification_uri`, AADSTS error bodies,
    /// refresh tokens rotated on every use, refresh token only with `offline_access`.
    Microsoft,
    /// Google: `verification_url`, plain error bodies, refresh responses omit
    /// `refresh_token` (no rotation), device flow refuses `https://mail.google.com/`.
    Google,
}

/// An endpoint a fault switch applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endpoint {
    DeviceCode,
    Token,
    Authorize,
    Introspect,
}

/// A fault switch: the endpoint answers with this real error body instead of working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// AADSTS7000218, `invalid_client`: "Allow public client flows" is off.
    PublicClientDisabled,
    /// AADSTS65001, `invalid_grant`: no consent.
    ConsentRequired,
    /// AADSTS70011, `invalid_scope`.
    InvalidScope,
    /// AADSTS700016, `unauthorized_client`: app not found in the tenant.
    AppNotFound,
    /// AADSTS700082, `invalid_grant`: refresh token expired by inactivity.
    RefreshTokenInactive,
    /// AADSTS50020, `invalid_request`: account not in this tenant.
    AccountNotInTenant,
    /// AADSTS9001023, `invalid_request`: client credentials on common/consumers.
    TenantEndpointRequired,
    /// `invalid_grant` (AADSTS70000).
    InvalidGrant,
    /// Google's `invalid_scope` "Invalid device flow scope".
    GoogleInvalidDeviceScope,
    /// HTTP 500 with a non-JSON body.
    ServerError,
    /// Answer normally (or with the other faults), but only after this delay.
    Delay(Duration),
}

/// How a registered client behaves. Start from [`ClientSpec::microsoft`] or
/// [`ClientSpec::google`] and change fields.
#[derive(Debug, Clone)]
pub struct ClientSpec {
    pub flavor: Flavor,
    /// Required for client credentials; for Google it is sent by installed apps too.
    pub client_secret: Option<String>,
    /// false: device/refresh/auth-code requests without a secret get AADSTS7000218.
    pub allow_public_client: bool,
    /// Device flow polling interval (sent rounded up to whole seconds).
    pub device_interval: Duration,
    /// Device code lifetime (sent rounded up to whole seconds).
    pub device_expires_in: Duration,
    /// Added to the required interval after each `slow_down` (RFC 8628: 5 s).
    pub slow_down_step: Duration,
    /// Length of issued access tokens (Microsoft's are 1-2.5k characters).
    pub access_token_len: usize,
    pub access_token_lifetime: Duration,
    /// How long a rotated-out refresh token keeps working; None: for ever.
    pub refresh_grace: Option<Duration>,
    /// false: the authorize endpoint waits for [`Idp::approve_authorization`].
    pub auto_approve: bool,
    /// Who signs in at the authorize endpoint when the request has no `login_hint`.
    pub default_user: String,
    /// The mailbox client-credentials tokens are good for (the XOAUTH2 `user=`).
    pub app_mailbox: Option<String>,
}

impl ClientSpec {
    pub fn microsoft() -> ClientSpec {
        ClientSpec {
            flavor: Flavor::Microsoft,
            client_secret: None,
            allow_public_client: true,
            device_interval: Duration::from_secs(5),
            device_expires_in: Duration::from_secs(900),
            slow_down_step: Duration::from_secs(5),
            access_token_len: 1500,
            access_token_lifetime: Duration::from_secs(3600),
            refresh_grace: None,
            auto_approve: true,
            default_user: "user@example.test".into(),
            app_mailbox: None,
        }
    }

    pub fn google() -> ClientSpec {
        ClientSpec {
            flavor: Flavor::Google,
            client_secret: Some("google-installed-app-secret".into()),
            access_token_len: 220,
            ..ClientSpec::microsoft()
        }
    }
}

/// One request the IdP saw. Secrets and tokens are replaced by their lengths.
#[derive(Debug, Clone)]
pub struct RequestRecord {
    pub seq: u64,
    pub at: SystemTime,
    pub endpoint: Endpoint,
    pub tenant: Option<String>,
    pub client_id: Option<String>,
    pub grant_type: Option<String>,
    pub fields: Vec<(String, String)>,
    pub status: u16,
    /// The `error` value of an error answer.
    pub error: Option<String>,
}

impl RequestRecord {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// State of a device code as the user sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeviceState {
    Pending,
    Approved(String),
    Declined,
}

/// A device authorization a test can act on "as the user".
#[derive(Debug, Clone)]
pub struct DeviceCodeInfo {
    pub user_code: String,
    pub client_id: String,
    pub scope: String,
    pub state: DeviceState,
}

/// A token issued directly by a test (no flow).
#[derive(Clone)]
pub struct MintedToken {
    pub access_token: String,
    pub user: String,
    pub client_id: String,
}

impl std::fmt::Debug for MintedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MintedToken")
            .field(
                "access_token",
                &format_args!("<{} chars>", self.access_token.len()),
            )
            .field("user", &self.user)
            .field("client_id", &self.client_id)
            .finish()
    }
}

/// Handle to the identity provider of a running stack. Cheap to clone.
#[derive(Clone)]
pub struct Idp {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for Idp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Idp")
            .field("base_url", &self.shared.base_url)
            .finish()
    }
}

pub(crate) struct Shared {
    pub base_url: String,
    pub inner: Mutex<grants::Inner>,
}

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, grants::Inner> {
        // A test that panicked while holding the lock must not take the others down.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Idp {
    pub(crate) fn new(base_url: String) -> Idp {
        Idp {
            shared: Arc::new(Shared {
                base_url,
                inner: Mutex::new(grants::Inner::default()),
            }),
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }
    /// `http://127.0.0.1:PORT/{tenant}` (an "authority" in MSAL terms).
    pub fn authority(&self, tenant: &str) -> String {
        format!("{}/{tenant}", self.shared.base_url)
    }
    pub fn device_code_url(&self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/devicecode", self.shared.base_url)
    }
    pub fn token_url(&self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/token", self.shared.base_url)
    }
    pub fn authorize_url(&self, tenant: &str) -> String {
        format!("{}/{tenant}/oauth2/v2.0/authorize", self.shared.base_url)
    }
    /// Google-shaped paths (same behaviour, chosen by the client's flavor).
    pub fn google_device_code_url(&self) -> String {
        format!("{}/device/code", self.shared.base_url)
    }
    pub fn google_token_url(&self) -> String {
        format!("{}/token", self.shared.base_url)
    }
    pub fn google_authorize_url(&self) -> String {
        format!("{}/o/oauth2/v2/auth", self.shared.base_url)
    }
    pub fn introspection_url(&self) -> String {
        format!("{}/introspect", self.shared.base_url)
    }

    /// Registers a client with its own behaviour; returns its fresh `client_id`.
    pub fn register_client(&self, spec: ClientSpec) -> String {
        self.shared.lock().register_client(spec)
    }

    /// Changes a registered client's behaviour (e.g. token length) mid-test.
    pub fn update_client(
        &self,
        client_id: &str,
        change: impl FnOnce(&mut ClientSpec),
    ) -> Result<(), StackError> {
        let mut inner = self.shared.lock();
        let client = inner
            .clients
            .get_mut(client_id)
            .ok_or_else(|| StackError::UnknownClient(client_id.into()))?;
        change(&mut client.spec);
        Ok(())
    }

    /// Turns a fault switch on for one client and endpoint (until cleared).
    pub fn set_fault(
        &self,
        client_id: &str,
        endpoint: Endpoint,
        fault: Fault,
    ) -> Result<(), StackError> {
        let mut inner = self.shared.lock();
        let client = inner
            .clients
            .get_mut(client_id)
            .ok_or_else(|| StackError::UnknownClient(client_id.into()))?;
        client.faults.push((endpoint, fault));
        Ok(())
    }

    pub fn clear_faults(&self, client_id: &str) {
        if let Some(client) = self.shared.lock().clients.get_mut(client_id) {
            client.faults.clear();
        }
    }

    /// Issues an access token for `user` without any flow, with the client's length and
    /// lifetime. For tests that need a token Dovecot accepts.
    pub fn mint_token(&self, client_id: &str, user: &str) -> Result<MintedToken, StackError> {
        let mut inner = self.shared.lock();
        let spec = inner
            .clients
            .get(client_id)
            .map(|client| client.spec.clone())
            .ok_or_else(|| StackError::UnknownClient(client_id.into()))?;
        let access_token = inner.issue_access(client_id, &spec, user, "mail");
        Ok(MintedToken {
            access_token,
            user: user.into(),
            client_id: client_id.into(),
        })
    }

    /// Makes one access or refresh token invalid at once.
    pub fn revoke_token(&self, token: &str) {
        self.shared.lock().revoke_token(token);
    }

    /// Revokes every access and refresh token of `user`.
    pub fn revoke_user(&self, user: &str) {
        self.shared.lock().revoke_user(user);
    }

    /// Makes an access token expire now (introspection reports it inactive).
    pub fn expire_token(&self, token: &str) {
        if let Some(access) = self.shared.lock().access.get_mut(token) {
            access.expires_at = Instant::now();
        }
    }

    /// Device authorizations of a client, oldest first.
    pub fn device_codes(&self, client_id: &str) -> Vec<DeviceCodeInfo> {
        self.shared.lock().device_codes(client_id)
    }

    /// Waits (polling) until the client has a pending device code; returns its user code.
    pub async fn wait_device_code(
        &self,
        client_id: &str,
        timeout: Duration,
    ) -> Result<String, StackError> {
        let deadline = Instant::now() + timeout;
        loop {
            let pending = self
                .device_codes(client_id)
                .into_iter()
                .find(|info| info.state == DeviceState::Pending);
            if let Some(info) = pending {
                return Ok(info.user_code);
            }
            if Instant::now() > deadline {
                return Err(StackError::Timeout(timeout, "a device code request"));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// "The user" enters the code and signs in as `user`. False if no such code.
    pub fn approve_device(&self, user_code: &str, user: &str) -> bool {
        self.shared
            .lock()
            .decide_device(user_code, DeviceState::Approved(user.into()))
    }

    /// "The user" declines the request. False if no such code.
    pub fn decline_device(&self, user_code: &str) -> bool {
        self.shared
            .lock()
            .decide_device(user_code, DeviceState::Declined)
    }

    /// For clients with `auto_approve = false`: waits until the client's browser request
    /// is at the authorize endpoint, then lets `user` approve it.
    pub async fn approve_authorization(
        &self,
        client_id: &str,
        user: &str,
        timeout: Duration,
    ) -> Result<(), StackError> {
        self.decide_authorization(client_id, Some(user.into()), timeout)
            .await
    }

    /// Like [`Idp::approve_authorization`], but the user declines (access_denied).
    pub async fn decline_authorization(
        &self,
        client_id: &str,
        timeout: Duration,
    ) -> Result<(), StackError> {
        self.decide_authorization(client_id, None, timeout).await
    }

    async fn decide_authorization(
        &self,
        client_id: &str,
        user: Option<String>,
        timeout: Duration,
    ) -> Result<(), StackError> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(sender) = self.shared.lock().take_pending_authorization(client_id) {
                // The browser may have given up meanwhile; then there is nobody to answer.
                let _ = sender.send(user);
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(StackError::Timeout(timeout, "an authorize request"));
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Every request so far, oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.lock().log.clone()
    }

    /// The requests one client made.
    pub fn requests_of(&self, client_id: &str) -> Vec<RequestRecord> {
        self.shared
            .lock()
            .log
            .iter()
            .filter(|record| record.client_id.as_deref() == Some(client_id))
            .cloned()
            .collect()
    }

    /// How many token-endpoint calls one client made.
    pub fn token_calls(&self, client_id: &str) -> usize {
        self.requests_of(client_id)
            .iter()
            .filter(|record| record.endpoint == Endpoint::Token)
            .count()
    }
}

pub(crate) type PendingDecision = tokio::sync::oneshot::Sender<Option<String>>;
pub(crate) type Fields = Vec<(String, String)>;
pub(crate) type ClientMap = HashMap<String, grants::Client>;
