//! [`OAuthClient`]: one account's OAuth2 settings, its HTTP client and the grants
//! every flow shares (code redemption, refresh, the token answer).

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use oauth2::basic::{BasicRevocationErrorResponse, BasicTokenIntrospectionResponse};
use oauth2::{
    AuthType, AuthUrl, ClientId, ClientSecret, DeviceAuthorizationUrl, EndpointMaybeSet,
    EndpointNotSet, RefreshToken, Scope, StandardRevocableToken, TokenResponse, TokenUrl,
};

use super::error::OAuthError;
use super::http::{ErrorBody, Http};
use super::prompt::LoginPrompt;
use super::{app_only, browser, device};
use crate::auth::password::{DEFAULT_COMMAND_TIMEOUT, run_secret_command};
use crate::auth::{Secret, TokenEndpoint, TokenSet};
use crate::config::{Account, Auth, OAuth2, OAuthFlow, Provider};

/// A token answer as oauth2 parses it (unknown fields such as Microsoft's
/// `ext_expires_in` are ignored).
pub(crate) type TokenAnswer = oauth2::basic::BasicTokenResponse;

/// oauth2's client with postern's error body, endpoints set from the config.
pub(crate) type ProviderClient = oauth2::Client<
    ErrorBody,
    TokenAnswer,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointMaybeSet,
    EndpointMaybeSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
>;

/// How the device flow waits between polls. Tests inject a faster one; the real one is
/// `tokio::time::sleep`.
pub type SleepFn = Arc<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// Timeouts and behaviour of the flows. `ClientOptions::default()` is what postern uses.
#[derive(Clone)]
pub struct ClientOptions {
    /// Each HTTP request to the identity provider (connect, send, answer).
    pub http_timeout: Duration,
    /// `client_secret_command` (it may wait for a pinentry or a hardware key).
    pub command_timeout: Duration,
    /// How long the browser flow waits for the redirect.
    pub login_timeout: Duration,
    /// Whether the browser flow may start a browser itself (it still does so only when
    /// a display is available and the session is not over SSH).
    pub open_browser: bool,
    /// The device flow's wait between polls.
    pub sleep: SleepFn,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            http_timeout: Duration::from_secs(30),
            command_timeout: DEFAULT_COMMAND_TIMEOUT,
            login_timeout: Duration::from_secs(600),
            open_browser: true,
            sleep: Arc::new(|duration| Box::pin(tokio::time::sleep(duration))),
        }
    }
}

impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("http_timeout", &self.http_timeout)
            .field("command_timeout", &self.command_timeout)
            .field("login_timeout", &self.login_timeout)
            .field("open_browser", &self.open_browser)
            .finish_non_exhaustive()
    }
}

/// One account's way to its identity provider: runs the configured login flow and
/// renews tokens (as a [`TokenEndpoint`]).
#[derive(Debug)]
pub struct OAuthClient {
    pub(crate) account: String,
    pub(crate) email: String,
    pub(crate) provider: Provider,
    pub(crate) settings: OAuth2,
    pub(crate) http: Http,
    pub(crate) options: ClientOptions,
    secret: tokio::sync::OnceCell<Secret>,
}

impl OAuthClient {
    /// For an account with `method = "oauth2"`. `extra_ca` is a PEM file of CA
    /// certificates trusted (besides the usual roots) for HTTPS to the identity
    /// provider, for self-hosted ones.
    pub fn new(account: &Account, extra_ca: Option<&Path>) -> Result<OAuthClient, OAuthError> {
        Self::with_options(account, extra_ca, ClientOptions::default())
    }

    pub fn with_options(
        account: &Account,
        extra_ca: Option<&Path>,
        options: ClientOptions,
    ) -> Result<OAuthClient, OAuthError> {
        let Auth::OAuth2(settings) = &account.auth else {
            return Err(OAuthError::Misconfigured {
                message: format!(
                    "account \"{}\" does not use method = \"oauth2\"; there is nothing to log in to",
                    account.name
                ),
            });
        };
        Ok(OAuthClient {
            account: account.name.clone(),
            email: account.email.clone(),
            provider: account.provider,
            settings: settings.clone(),
            http: Http::new(extra_ca, options.http_timeout)?,
            options,
            secret: tokio::sync::OnceCell::new(),
        })
    }

    /// The flow the account is configured for.
    pub fn flow(&self) -> OAuthFlow {
        self.settings.flow
    }

    /// Runs the configured flow: device code, browser, or app-only (which needs no
    /// user and ignores `prompt`).
    pub async fn login(&self, prompt: &dyn LoginPrompt) -> Result<TokenSet, OAuthError> {
        match self.settings.flow {
            OAuthFlow::Device => device::login(self, prompt).await,
            OAuthFlow::Browser => browser::login(self, prompt).await,
            OAuthFlow::AppOnly => app_only::token(self).await,
        }
    }

    /// The refresh-token grant. A new refresh token in the answer replaces the old one
    /// (Microsoft rotates on every use); an answer without one keeps the old (Google).
    pub async fn refresh(&self, current: &TokenSet) -> Result<TokenSet, OAuthError> {
        let Some(refresh_token) = &current.refresh_token else {
            return Err(self.not_logged_in());
        };
        let secret = self.client_secret().await?;
        let oauth = self.oauth(secret.as_ref())?;
        let token = RefreshToken::new(refresh_token.expose().to_string());
        let mut request = oauth
            .exchange_refresh_token(&token)
            .map_err(|e| self.configuration(&e))?;
        if self.is_microsoft() {
            // Microsoft wants the scopes again; Google rejects unknown ones, so only here.
            request = request.add_scopes(self.scopes());
        }
        let exchange = self.http.exchange();
        let answer = request
            .request_async(&exchange)
            .await
            .map_err(|e| self.http.request_error(self.token_url(), &exchange, e))?;
        Ok(self.token_set(&answer, Some(current)))
    }

    /// The client secret from `client_secret_command`, run once per client.
    pub(crate) async fn client_secret(&self) -> Result<Option<Secret>, OAuthError> {
        let Some(command) = &self.settings.client_secret_command else {
            return Ok(None);
        };
        let secret = self
            .secret
            .get_or_try_init(|| {
                run_secret_command(
                    "client_secret_command",
                    command,
                    self.options.command_timeout,
                )
            })
            .await?;
        Ok(Some(secret.clone()))
    }

    /// oauth2's client for this account. Secrets go in the form body (`client_secret`),
    /// as Microsoft and Google document, not in a Basic header.
    pub(crate) fn oauth(&self, secret: Option<&Secret>) -> Result<ProviderClient, OAuthError> {
        let bad_url =
            |key: &str, url: &str, e: oauth2::url::ParseError| OAuthError::Misconfigured {
                message: format!("`{key}` \"{url}\" is not a valid URL: {e}"),
            };
        let auth_url = match &self.settings.authorization_url {
            Some(url) => {
                Some(AuthUrl::new(url.clone()).map_err(|e| bad_url("authorization_url", url, e))?)
            }
            None => None,
        };
        let device_url = match &self.settings.device_authorization_url {
            Some(url) => Some(
                DeviceAuthorizationUrl::new(url.clone())
                    .map_err(|e| bad_url("device_authorization_url", url, e))?,
            ),
            None => None,
        };
        let token_url = match &self.settings.token_url {
            Some(url) => {
                Some(TokenUrl::new(url.clone()).map_err(|e| bad_url("token_url", url, e))?)
            }
            None => None,
        };
        let mut client = oauth2::Client::new(ClientId::new(self.settings.client_id.clone()))
            .set_auth_type(AuthType::RequestBody)
            .set_auth_uri_option(auth_url)
            .set_device_authorization_url_option(device_url)
            .set_token_uri_option(token_url);
        if let Some(secret) = secret {
            client = client.set_client_secret(ClientSecret::new(secret.expose().to_string()));
        }
        Ok(client)
    }

    pub(crate) fn scopes(&self) -> Vec<Scope> {
        self.settings
            .scopes
            .iter()
            .map(|scope| Scope::new(scope.clone()))
            .collect()
    }

    pub(crate) fn token_url(&self) -> &str {
        self.settings
            .token_url
            .as_deref()
            .unwrap_or("(no token_url)")
    }

    pub(crate) fn is_microsoft(&self) -> bool {
        matches!(
            self.provider,
            Provider::Microsoft | Provider::MicrosoftPersonal
        )
    }

    pub(crate) fn not_logged_in(&self) -> OAuthError {
        OAuthError::NotLoggedIn {
            account: self.account.clone(),
        }
    }

    pub(crate) fn configuration(&self, error: &oauth2::ConfigurationError) -> OAuthError {
        OAuthError::Misconfigured {
            message: format!(
                "account \"{}\": {error} (set it under [accounts.{}.auth])",
                self.account, self.account
            ),
        }
    }

    /// The tokens of a successful answer. `previous` supplies the refresh token (and
    /// its age) when the answer carries none.
    pub(crate) fn token_set(&self, answer: &TokenAnswer, previous: Option<&TokenSet>) -> TokenSet {
        let now = unix_now();
        let expires_at = answer.expires_in().map(|lifetime| {
            now.saturating_add(i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX))
        });
        let (refresh_token, refresh_obtained_at) = match answer.refresh_token() {
            Some(fresh) => (Some(Secret::new(fresh.secret().clone())), Some(now)),
            None => (
                previous.and_then(|p| p.refresh_token.clone()),
                previous.and_then(|p| p.refresh_obtained_at),
            ),
        };
        let scopes = match answer.scopes() {
            Some(granted) => granted.iter().map(|scope| scope.to_string()).collect(),
            None => self.settings.scopes.clone(),
        };
        TokenSet {
            access_token: Secret::new(answer.access_token().secret().clone()),
            refresh_token,
            expires_at,
            scopes,
            obtained_at: now,
            refresh_obtained_at,
        }
    }
}

impl TokenEndpoint for OAuthClient {
    async fn renew(&self, current: Option<&TokenSet>) -> Result<TokenSet, OAuthError> {
        match (self.settings.flow, current) {
            (OAuthFlow::AppOnly, _) => app_only::token(self).await,
            (_, Some(current)) if current.refresh_token.is_some() => self.refresh(current).await,
            _ => Err(self.not_logged_in()),
        }
    }
}

pub(crate) fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| i64::try_from(since.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
