//! The IdP's state and the OAuth2 grant rules, free of HTTP.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::errors::{self, OAuthError};
use super::{
    ClientMap, ClientSpec, DeviceCodeInfo, DeviceState, Endpoint, Fault, Fields, Flavor,
    PendingDecision, RequestRecord, tokens,
};

const AUTH_CODE_LIFETIME: Duration = Duration::from_secs(600);
const REFRESH_TOKEN_LEN: usize = 420;
/// Form fields whose values never reach the request log, only their lengths.
const SECRET_FIELDS: &[&str] = &[
    "client_secret",
    "client_assertion",
    "refresh_token",
    "access_token",
    "code",
    "code_verifier",
    "device_code",
    "token",
    "password",
];
/// Microsoft's tenant aliases that do not name one tenant.
const SHARED_TENANTS: &[&str] = &["common", "consumers", "organizations"];

/// What an endpoint answers.
#[derive(Debug)]
pub(crate) enum Reply {
    Json(u16, Value),
    Text(u16, String),
    Html(u16, String),
    Redirect(String),
}

impl Reply {
    fn error(error: &OAuthError, flavor: Flavor) -> Reply {
        Reply::Json(error.status, error.body(flavor))
    }

    pub fn status(&self) -> u16 {
        match self {
            Reply::Json(status, _) | Reply::Text(status, _) | Reply::Html(status, _) => *status,
            Reply::Redirect(_) => 302,
        }
    }

    fn error_name(&self) -> Option<String> {
        match self {
            Reply::Json(status, body) if *status >= 400 => {
                body.get("error").and_then(Value::as_str).map(str::to_owned)
            }
            Reply::Text(status, _) | Reply::Html(status, _) if *status >= 400 => {
                Some(format!("http_{status}"))
            }
            Reply::Redirect(location) => location
                .split(['?', '&'])
                .find_map(|pair| pair.strip_prefix("error="))
                .map(str::to_owned),
            _ => None,
        }
    }
}

pub(crate) struct Client {
    pub spec: ClientSpec,
    pub faults: Vec<(Endpoint, Fault)>,
}

struct DeviceGrant {
    device_code: String,
    user_code: String,
    client_id: String,
    scope: String,
    state: DeviceState,
    expires_at: Instant,
    interval: Duration,
    last_poll: Option<Instant>,
    redeemed: bool,
}

struct AuthCode {
    client_id: String,
    redirect_uri: String,
    challenge: Option<String>,
    scope: String,
    user: String,
    used: bool,
    expires_at: Instant,
}

pub(crate) struct AccessToken {
    pub user: String,
    pub client_id: String,
    pub scope: String,
    pub expires_at: Instant,
    pub revoked: bool,
}

struct RefreshToken {
    user: String,
    client_id: String,
    scope: String,
    superseded_at: Option<Instant>,
    revoked: bool,
}

/// An authorize request that passed validation.
pub(crate) struct AuthorizeRequest {
    pub client_id: String,
    pub flavor: Flavor,
    pub redirect_uri: String,
    pub state: Option<String>,
    pub scope: String,
    pub challenge: Option<String>,
    pub user: String,
    pub auto_approve: bool,
}

#[derive(Default)]
pub(crate) struct Inner {
    pub clients: ClientMap,
    devices: Vec<DeviceGrant>,
    codes: HashMap<String, AuthCode>,
    pending_authorizations: Vec<(String, PendingDecision)>,
    pub access: HashMap<String, AccessToken>,
    refresh: HashMap<String, RefreshToken>,
    pub log: Vec<RequestRecord>,
    seq: u64,
}

fn field<'a>(fields: &'a Fields, name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
        .filter(|value| !value.is_empty())
}

fn wire_seconds(duration: Duration) -> u64 {
    duration.as_millis().div_ceil(1000) as u64
}

fn missing(name: &str) -> OAuthError {
    OAuthError::new(
        400,
        "invalid_request",
        Some(900144),
        format!("The request body must contain the following parameter: '{name}'."),
    )
}

fn revoked_grant() -> OAuthError {
    OAuthError::new(
        400,
        "invalid_grant",
        Some(50173),
        "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password.",
    )
}

/// RFC 8252 loopback redirect: http on 127.0.0.1 or localhost, any port.
pub(crate) fn is_loopback_redirect(uri: &str) -> bool {
    let Some(rest) = uri.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    let port_ok = port.is_none_or(|port| port.parse::<u16>().is_ok());
    port_ok && (host == "127.0.0.1" || host == "localhost")
}

pub(crate) fn with_query(uri: &str, params: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in params {
        query.append_pair(key, value);
    }
    let separator = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{separator}{}", query.finish())
}

impl Inner {
    pub fn register_client(&mut self, spec: ClientSpec) -> String {
        let client_id = tokens::client_id();
        self.clients.insert(
            client_id.clone(),
            Client {
                spec,
                faults: Vec::new(),
            },
        );
        client_id
    }

    /// The delay and the first error fault switched on for this client and endpoint.
    pub fn faults_for(
        &self,
        client_id: Option<&str>,
        endpoint: Endpoint,
    ) -> (Option<Duration>, Option<Fault>) {
        let Some(client) = client_id.and_then(|id| self.clients.get(id)) else {
            return (None, None);
        };
        let mut delay = None;
        let mut error = None;
        for (at, fault) in &client.faults {
            if *at != endpoint {
                continue;
            }
            match fault {
                Fault::Delay(duration) => delay = Some(*duration),
                other => {
                    error.get_or_insert(*other);
                }
            }
        }
        (delay, error)
    }

    pub fn flavor_of(&self, client_id: Option<&str>, tenant: &str) -> Flavor {
        match client_id.and_then(|id| self.clients.get(id)) {
            Some(client) => client.spec.flavor,
            None if tenant == "google" => Flavor::Google,
            None => Flavor::Microsoft,
        }
    }

    fn fault_reply(&self, fault: Fault, client_id: &str, tenant: &str, fields: &Fields) -> Reply {
        let flavor = self.flavor_of(Some(client_id), tenant);
        let user = field(fields, "login_hint").unwrap_or("user@example.test");
        match errors::fault_error(&fault, client_id, tenant, user) {
            Some(error) => Reply::error(&error, flavor),
            None => Reply::Text(500, "Internal Server Error".into()),
        }
    }

    pub fn log(
        &mut self,
        endpoint: Endpoint,
        tenant: Option<&str>,
        fields: &Fields,
        reply: &Reply,
    ) {
        self.seq += 1;
        let redacted = fields
            .iter()
            .map(|(key, value)| {
                let shown = if SECRET_FIELDS.contains(&key.as_str()) {
                    format!("<redacted: {} chars>", value.len())
                } else {
                    value.clone()
                };
                (key.clone(), shown)
            })
            .collect();
        self.log.push(RequestRecord {
            seq: self.seq,
            at: SystemTime::now(),
            endpoint,
            tenant: tenant.map(str::to_owned),
            client_id: field(fields, "client_id").map(str::to_owned),
            grant_type: field(fields, "grant_type").map(str::to_owned),
            fields: redacted,
            status: reply.status(),
            error: reply.error_name(),
        });
    }

    // ---- device authorization (RFC 8628) ------------------------------------------

    pub fn device_authorization(
        &mut self,
        base_url: &str,
        tenant: &str,
        fields: &Fields,
        fault: Option<Fault>,
    ) -> Reply {
        let client_id = field(fields, "client_id").unwrap_or("");
        if let Some(fault) = fault {
            return self.fault_reply(fault, client_id, tenant, fields);
        }
        let Some(client) = self.clients.get(client_id) else {
            return self.unknown_client(client_id, tenant);
        };
        let spec = client.spec.clone();
        let scope = field(fields, "scope").unwrap_or("");
        if scope.is_empty() {
            return Reply::error(&missing("scope"), spec.flavor);
        }
        if spec.flavor == Flavor::Google
            && scope
                .split_whitespace()
                .any(|s| s == "https://mail.google.com/")
        {
            return Reply::error(&errors::google_invalid_device_scope(scope), spec.flavor);
        }
        if !spec.allow_public_client {
            let fault = Fault::PublicClientDisabled;
            return self.fault_reply(fault, client_id, tenant, fields);
        }
        let grant = DeviceGrant {
            device_code: tokens::device_code(),
            user_code: tokens::user_code(),
            client_id: client_id.into(),
            scope: scope.into(),
            state: DeviceState::Pending,
            expires_at: Instant::now() + spec.device_expires_in,
            interval: spec.device_interval,
            last_poll: None,
            redeemed: false,
        };
        let expires_in = wire_seconds(spec.device_expires_in);
        let interval = wire_seconds(spec.device_interval);
        let body = match spec.flavor {
            Flavor::Microsoft => {
                let uri = format!("{base_url}/devicelogin");
                json!({
                    "user_code": grant.user_code,
                    "device_code": grant.device_code,
                    "verification_uri": uri,
                    "expires_in": expires_in,
                    "interval": interval,
                    "message": format!(
                        "To sign in, use a web browser to open the page {uri} and enter the code {} to authenticate.",
                        grant.user_code
                    ),
                })
            }
            Flavor::Google => json!({
                "device_code": grant.device_code,
                "user_code": grant.user_code,
                "verification_url": format!("{base_url}/device"),
                "expires_in": expires_in,
                "interval": interval,
            }),
        };
        self.devices.push(grant);
        Reply::Json(200, body)
    }

    pub fn device_codes(&self, client_id: &str) -> Vec<DeviceCodeInfo> {
        self.devices
            .iter()
            .filter(|grant| grant.client_id == client_id)
            .map(|grant| DeviceCodeInfo {
                user_code: grant.user_code.clone(),
                client_id: grant.client_id.clone(),
                scope: grant.scope.clone(),
                state: grant.state.clone(),
            })
            .collect()
    }

    pub fn decide_device(&mut self, user_code: &str, decision: DeviceState) -> bool {
        let user_code = user_code.trim().to_ascii_uppercase();
        match self
            .devices
            .iter_mut()
            .find(|grant| grant.user_code == user_code && grant.state == DeviceState::Pending)
        {
            Some(grant) => {
                grant.state = decision;
                true
            }
            None => false,
        }
    }

    fn poll_device(
        &mut self,
        client_id: &str,
        spec: &ClientSpec,
        fields: &Fields,
    ) -> Result<(String, String), OAuthError> {
        let google = spec.flavor == Flavor::Google;
        let code = field(fields, "device_code").ok_or_else(|| missing("device_code"))?;
        let grant = self
            .devices
            .iter_mut()
            .find(|grant| grant.device_code == code && grant.client_id == client_id)
            .ok_or_else(|| {
                errors::invalid_grant(
                    "The provided value for the 'device_code' parameter is not valid.",
                )
            })?;
        let now = Instant::now();
        if now >= grant.expires_at {
            return Err(OAuthError::new(
                400,
                "expired_token",
                Some(70019),
                "Verification code expired.",
            ));
        }
        if let Some(last) = grant.last_poll
            && now.duration_since(last) < grant.interval
        {
            grant.last_poll = Some(now);
            grant.interval += spec.slow_down_step;
            let status = if google { 403 } else { 400 };
            return Err(OAuthError::new(
                status,
                "slow_down",
                None,
                "Polling too fast: wait the interval between requests.",
            ));
        }
        grant.last_poll = Some(now);
        match &grant.state {
            DeviceState::Pending => Err(if google {
                OAuthError::new(428, "authorization_pending", None, "Precondition Required")
            } else {
                OAuthError::new(
                    400,
                    "authorization_pending",
                    Some(70016),
                    "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
                )
            }),
            DeviceState::Declined => Err(if google {
                OAuthError::new(403, "access_denied", None, "Forbidden")
            } else {
                OAuthError::new(
                    400,
                    "authorization_declined",
                    Some(70000),
                    "The end user denied the authorization request.",
                )
            }),
            DeviceState::Approved(_) if grant.redeemed => Err(errors::invalid_grant(
                "The provided value for the 'device_code' parameter has already been redeemed.",
            )),
            DeviceState::Approved(user) => {
                grant.redeemed = true;
                Ok((user.clone(), grant.scope.clone()))
            }
        }
    }

    // ---- authorization code + PKCE (RFC 6749, 7636) ------------------------------

    pub fn authorize_check(
        &mut self,
        tenant: &str,
        query: &Fields,
        fault: Option<Fault>,
    ) -> Result<AuthorizeRequest, Reply> {
        let client_id = field(query, "client_id").unwrap_or("");
        let Some(client) = self.clients.get(client_id) else {
            return Err(Reply::Html(
                400,
                format!(
                    "<html><body><h1>Sign in</h1><p>{}</p></body></html>",
                    errors::app_not_found(client_id, tenant).message
                ),
            ));
        };
        let spec = client.spec.clone();
        let redirect_uri = field(query, "redirect_uri").unwrap_or("");
        if !is_loopback_redirect(redirect_uri) {
            return Err(Reply::Html(
                400,
                format!(
                    "<html><body><p>AADSTS50011: The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for the application '{client_id}'.</p></body></html>"
                ),
            ));
        }
        let state = field(query, "state").map(str::to_owned);
        let redirect_error = |error: &OAuthError| {
            let description = match (spec.flavor, error.code) {
                (Flavor::Microsoft, Some(code)) => format!("AADSTS{code}: {}", error.message),
                _ => error.message.clone(),
            };
            let mut params = vec![
                ("error", error.error),
                ("error_description", description.as_str()),
            ];
            if let Some(state) = &state {
                params.push(("state", state));
            }
            Reply::Redirect(with_query(redirect_uri, &params))
        };
        if let Some(fault) = fault {
            let user = field(query, "login_hint").unwrap_or(&spec.default_user);
            return Err(match errors::fault_error(&fault, client_id, tenant, user) {
                Some(error) => redirect_error(&error),
                None => Reply::Text(500, "Internal Server Error".into()),
            });
        }
        if field(query, "response_type") != Some("code") {
            return Err(redirect_error(&OAuthError::new(
                400,
                "unsupported_response_type",
                None,
                "The response type must be 'code'.",
            )));
        }
        let scope = field(query, "scope").unwrap_or("");
        if scope.is_empty() {
            return Err(redirect_error(&missing("scope")));
        }
        let challenge = field(query, "code_challenge").map(str::to_owned);
        if challenge.is_some() && field(query, "code_challenge_method") != Some("S256") {
            return Err(redirect_error(&OAuthError::new(
                400,
                "invalid_request",
                None,
                "code_challenge_method must be S256.",
            )));
        }
        Ok(AuthorizeRequest {
            client_id: client_id.into(),
            flavor: spec.flavor,
            redirect_uri: redirect_uri.into(),
            state,
            scope: scope.into(),
            challenge,
            user: field(query, "login_hint")
                .unwrap_or(&spec.default_user)
                .into(),
            auto_approve: spec.auto_approve,
        })
    }

    pub fn add_pending_authorization(&mut self, client_id: &str, decide: PendingDecision) {
        self.pending_authorizations.push((client_id.into(), decide));
    }

    pub fn take_pending_authorization(&mut self, client_id: &str) -> Option<PendingDecision> {
        let index = self
            .pending_authorizations
            .iter()
            .position(|(id, sender)| id == client_id && !sender.is_closed())?;
        Some(self.pending_authorizations.remove(index).1)
    }

    /// The user approved (Some(user)) or declined (None): the browser is redirected.
    pub fn authorize_finish(&mut self, request: &AuthorizeRequest, user: Option<String>) -> Reply {
        let mut params: Vec<(&str, &str)> = Vec::new();
        let code;
        match &user {
            Some(user) => {
                code = tokens::auth_code();
                self.codes.insert(
                    code.clone(),
                    AuthCode {
                        client_id: request.client_id.clone(),
                        redirect_uri: request.redirect_uri.clone(),
                        challenge: request.challenge.clone(),
                        scope: request.scope.clone(),
                        user: user.clone(),
                        used: false,
                        expires_at: Instant::now() + AUTH_CODE_LIFETIME,
                    },
                );
                params.push(("code", &code));
                if request.flavor == Flavor::Google {
                    params.push(("scope", &request.scope));
                }
            }
            None => {
                params.push(("error", "access_denied"));
                params.push((
                    "error_description",
                    match request.flavor {
                        Flavor::Microsoft => {
                            "AADSTS65004: User declined to consent to access the app."
                        }
                        Flavor::Google => "The user denied access.",
                    },
                ));
            }
        }
        if let Some(state) = &request.state {
            params.push(("state", state));
        }
        Reply::Redirect(with_query(&request.redirect_uri, &params))
    }

    fn redeem_code(
        &mut self,
        client_id: &str,
        fields: &Fields,
    ) -> Result<(String, String), OAuthError> {
        let code = field(fields, "code").ok_or_else(|| missing("code"))?;
        let entry = self
            .codes
            .get_mut(code)
            .filter(|entry| entry.client_id == client_id)
            .ok_or_else(|| {
                errors::invalid_grant("The provided value for the 'code' parameter is not valid.")
            })?;
        if entry.used {
            return Err(OAuthError::new(
                400,
                "invalid_grant",
                Some(54005),
                "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
            ));
        }
        if Instant::now() >= entry.expires_at {
            return Err(OAuthError::new(
                400,
                "invalid_grant",
                Some(70008),
                "The provided authorization code or refresh token has expired due to inactivity.",
            ));
        }
        if field(fields, "redirect_uri") != Some(entry.redirect_uri.as_str()) {
            return Err(errors::invalid_grant(
                "The provided 'redirect_uri' does not match the one used in the authorization request.",
            ));
        }
        if let Some(challenge) = &entry.challenge {
            let verifier =
                field(fields, "code_verifier").ok_or_else(|| missing("code_verifier"))?;
            let well_formed = (43..=128).contains(&verifier.len())
                && verifier
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
            if !well_formed {
                return Err(OAuthError::new(
                    400,
                    "invalid_request",
                    None,
                    "code_verifier must be 43-128 characters of [A-Za-z0-9-._~] (RFC 7636).",
                ));
            }
            let computed = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(Sha256::digest(verifier.as_bytes()));
            if &computed != challenge {
                return Err(OAuthError::new(
                    400,
                    "invalid_grant",
                    Some(50148),
                    "The code_verifier does not match the code_challenge supplied in the authorization request for PKCE.",
                ));
            }
        }
        entry.used = true;
        Ok((entry.user.clone(), entry.scope.clone()))
    }

    // ---- token endpoint -----------------------------------------------------------

    pub fn token(&mut self, tenant: &str, fields: &Fields, fault: Option<Fault>) -> Reply {
        let client_id = field(fields, "client_id").unwrap_or("");
        if let Some(fault) = fault {
            return self.fault_reply(fault, client_id, tenant, fields);
        }
        let Some(client) = self.clients.get(client_id) else {
            return self.unknown_client(client_id, tenant);
        };
        let spec = client.spec.clone();
        let grant_type = field(fields, "grant_type").unwrap_or("");
        let result = self
            .check_client_auth(client_id, &spec, grant_type, fields)
            .and_then(|()| match grant_type {
                "urn:ietf:params:oauth:grant-type:device_code" => self
                    .poll_device(client_id, &spec, fields)
                    .map(|(user, scope)| self.issue_tokens(client_id, &spec, &user, &scope, true)),
                "authorization_code" => self
                    .redeem_code(client_id, fields)
                    .map(|(user, scope)| self.issue_tokens(client_id, &spec, &user, &scope, true)),
                "refresh_token" => self.refresh(client_id, &spec, fields),
                "client_credentials" => self.client_credentials(client_id, &spec, tenant, fields),
                "" => Err(missing("grant_type")),
                other => Err(OAuthError::new(
                    400,
                    "unsupported_grant_type",
                    Some(70003),
                    format!("The app requested an unsupported grant type '{other}'."),
                )),
            });
        match result {
            Ok(body) => Reply::Json(200, body),
            Err(error) => Reply::error(&error, spec.flavor),
        }
    }

    fn unknown_client(&self, client_id: &str, tenant: &str) -> Reply {
        match self.flavor_of(None, tenant) {
            Flavor::Google => Reply::Json(
                401,
                json!({"error": "invalid_client", "error_description": "The OAuth client was not found."}),
            ),
            Flavor::Microsoft => {
                Reply::error(&errors::app_not_found(client_id, tenant), Flavor::Microsoft)
            }
        }
    }

    fn check_client_auth(
        &self,
        client_id: &str,
        spec: &ClientSpec,
        grant_type: &str,
        fields: &Fields,
    ) -> Result<(), OAuthError> {
        let sent = field(fields, "client_secret");
        let wrong_secret = || {
            OAuthError::new(
                401,
                "invalid_client",
                Some(7000215),
                format!(
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{client_id}'."
                ),
            )
        };
        let public_disabled =
            || errors::fault_error(&Fault::PublicClientDisabled, client_id, "", "");
        match (&spec.client_secret, sent) {
            (Some(expected), Some(sent)) if expected != sent => Err(wrong_secret()),
            (None, Some(_)) if grant_type == "client_credentials" => Err(wrong_secret()),
            (None, Some(_)) if spec.flavor == Flavor::Microsoft => Err(OAuthError::new(
                400,
                "invalid_client",
                Some(700025),
                "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
            )),
            (_, None) if grant_type == "client_credentials" || !spec.allow_public_client => {
                Err(public_disabled().unwrap_or_else(wrong_secret))
            }
            (Some(_), None) if spec.flavor == Flavor::Google => Err(OAuthError::new(
                400,
                "invalid_request",
                None,
                "client_secret is missing.",
            )),
            _ => Ok(()),
        }
    }

    fn refresh(
        &mut self,
        client_id: &str,
        spec: &ClientSpec,
        fields: &Fields,
    ) -> Result<Value, OAuthError> {
        let token = field(fields, "refresh_token").ok_or_else(|| missing("refresh_token"))?;
        let entry = self.refresh.get_mut(token).ok_or_else(|| {
            OAuthError::new(
                400,
                "invalid_grant",
                Some(9002313),
                "Invalid request. Request is malformed or invalid.",
            )
        })?;
        if entry.client_id != client_id {
            return Err(errors::invalid_grant(
                "The refresh token was issued to a different client.",
            ));
        }
        let grace_over = match (entry.superseded_at, spec.refresh_grace) {
            (Some(at), Some(grace)) => at.elapsed() > grace,
            _ => false,
        };
        if entry.revoked || grace_over {
            return Err(revoked_grant());
        }
        let (user, scope) = (entry.user.clone(), entry.scope.clone());
        match spec.flavor {
            Flavor::Microsoft => {
                entry.superseded_at.get_or_insert_with(Instant::now);
                Ok(self.issue_tokens(client_id, spec, &user, &scope, true))
            }
            // Google keeps the refresh token and leaves it out of the response.
            Flavor::Google => Ok(self.issue_tokens(client_id, spec, &user, &scope, false)),
        }
    }

    fn client_credentials(
        &mut self,
        client_id: &str,
        spec: &ClientSpec,
        tenant: &str,
        fields: &Fields,
    ) -> Result<Value, OAuthError> {
        if spec.flavor == Flavor::Microsoft && SHARED_TENANTS.contains(&tenant) {
            return Err(errors::tenant_endpoint_required());
        }
        let scope = field(fields, "scope").ok_or_else(|| missing("scope"))?;
        if !scope.ends_with("/.default") {
            return Err(OAuthError::new(
                400,
                "invalid_scope",
                Some(1002012),
                format!(
                    "The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
                ),
            ));
        }
        let mailbox = spec.app_mailbox.clone().unwrap_or_default();
        Ok(self.issue_tokens(client_id, spec, &mailbox, scope, false))
    }

    // ---- issuing, introspection, revocation -------------------------------------------

    pub fn issue_access(
        &mut self,
        client_id: &str,
        spec: &ClientSpec,
        user: &str,
        scope: &str,
    ) -> String {
        let token = tokens::opaque_token(spec.access_token_len);
        self.access.insert(
            token.clone(),
            AccessToken {
                user: user.into(),
                client_id: client_id.into(),
                scope: scope.into(),
                expires_at: Instant::now() + spec.access_token_lifetime,
                revoked: false,
            },
        );
        token
    }

    fn issue_tokens(
        &mut self,
        client_id: &str,
        spec: &ClientSpec,
        user: &str,
        scope: &str,
        may_refresh: bool,
    ) -> Value {
        let access_token = self.issue_access(client_id, spec, user, scope);
        let expires_in = wire_seconds(spec.access_token_lifetime);
        let scopes: Vec<&str> = scope.split_whitespace().collect();
        let shown_scope = scopes
            .iter()
            .filter(|s| !["offline_access", "openid", "profile", "email"].contains(s))
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let mut body = json!({
            "token_type": "Bearer",
            "scope": shown_scope,
            "expires_in": expires_in,
            "access_token": access_token,
        });
        if spec.flavor == Flavor::Microsoft {
            body["ext_expires_in"] = json!(expires_in);
        }
        // Microsoft issues a refresh token only for offline_access; Google always.
        let wants_refresh = match spec.flavor {
            Flavor::Microsoft => scopes.contains(&"offline_access"),
            Flavor::Google => true,
        };
        if may_refresh && wants_refresh {
            let refresh_token = tokens::opaque_token(REFRESH_TOKEN_LEN);
            self.refresh.insert(
                refresh_token.clone(),
                RefreshToken {
                    user: user.into(),
                    client_id: client_id.into(),
                    scope: scope.into(),
                    superseded_at: None,
                    revoked: false,
                },
            );
            body["refresh_token"] = json!(refresh_token);
        }
        body
    }

    /// The client a token belongs to (for introspection fault switches).
    pub fn token_client(&self, token: &str) -> Option<String> {
        self.find_access(token)
            .map(|(_, access)| access.client_id.clone())
    }

    fn find_access(&self, token: &str) -> Option<(String, &AccessToken)> {
        // A '+' sent unencoded arrives as ' ': accept that too, Dovecot is not the client under test.
        [token.to_owned(), token.replace(' ', "+")]
            .into_iter()
            .find_map(|candidate| {
                self.access
                    .get(&candidate)
                    .map(|access| (candidate, access))
            })
    }

    pub fn introspect(&self, fields: &Fields) -> Reply {
        let token = field(fields, "token").unwrap_or("");
        let active = self
            .find_access(token)
            .filter(|(_, access)| !access.revoked && Instant::now() < access.expires_at);
        match active {
            Some((_, access)) => {
                let remaining = access.expires_at.saturating_duration_since(Instant::now());
                let exp = (SystemTime::now() + remaining)
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.as_secs())
                    .unwrap_or(0);
                Reply::Json(
                    200,
                    json!({
                        "active": true,
                        "username": access.user,
                        "client_id": access.client_id,
                        "scope": access.scope,
                        "token_type": "Bearer",
                        "exp": exp,
                    }),
                )
            }
            None => Reply::Json(200, json!({"active": false})),
        }
    }

    pub fn revoke_token(&mut self, token: &str) {
        if let Some(access) = self.access.get_mut(token) {
            access.revoked = true;
        }
        if let Some(refresh) = self.refresh.get_mut(token) {
            refresh.revoked = true;
        }
    }

    pub fn revoke_user(&mut self, user: &str) {
        for access in self
            .access
            .values_mut()
            .filter(|access| access.user == user)
        {
            access.revoked = true;
        }
        for refresh in self
            .refresh
            .values_mut()
            .filter(|refresh| refresh.user == user)
        {
            refresh.revoked = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_are_recognised() {
        assert!(is_loopback_redirect("http://127.0.0.1:8400/callback"));
        assert!(is_loopback_redirect("http://localhost:1/"));
        assert!(is_loopback_redirect("http://localhost"));
        assert!(!is_loopback_redirect("https://127.0.0.1:8400/"));
        assert!(!is_loopback_redirect("http://[::1]:8400/"));
        assert!(!is_loopback_redirect("http://evil.example:80/"));
        assert!(!is_loopback_redirect("http://127.0.0.1.evil.example/"));
        assert!(!is_loopback_redirect("http://127.0.0.1:99999/"));
    }

    #[test]
    fn query_is_appended_with_the_right_separator() {
        assert_eq!(
            with_query("http://localhost/cb", &[("a", "b c")]),
            "http://localhost/cb?a=b+c"
        );
        assert_eq!(
            with_query("http://localhost/cb?x=1", &[("a", "/")]),
            "http://localhost/cb?x=1&a=%2F"
        );
    }
}
