//! The device authorization grant (RFC 8628): ask for a code, show it, poll the token
//! endpoint until the user has signed in elsewhere, declined, or the code expired.
//!
//! oauth2 makes the device authorization request; the polling is done here because
//! oauth2's loop hard-codes the wait and drops Microsoft's error fields.

use std::time::{Duration, Instant, SystemTime};

use oauth2::{DeviceAuthorizationResponse, ExtraDeviceAuthorizationFields};
use serde::{Deserialize, Serialize};

use super::client::{OAuthClient, TokenAnswer};
use super::error::OAuthError;
use super::http::error_answer;
use super::prompt::{DeviceCodePrompt, LoginPrompt};
use crate::auth::TokenSet;
use crate::config::Provider;

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// RFC 8628 section 3.5: `slow_down` adds 5 seconds to the interval, for good.
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// Network failures while polling are retried (a login takes minutes; Wi-Fi drops).
const TRANSPORT_RETRIES: u32 = 3;

/// Microsoft's `message`: one sentence of instructions.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct DeviceExtra {
    #[serde(default)]
    message: Option<String>,
}

impl ExtraDeviceAuthorizationFields for DeviceExtra {}

/// What one poll of the token endpoint found.
enum Poll {
    Done(Box<TokenSet>),
    Pending,
    SlowDown,
}

pub(super) async fn login(
    client: &OAuthClient,
    prompt: &dyn LoginPrompt,
) -> Result<TokenSet, OAuthError> {
    if client.provider == Provider::Google {
        // The config refuses this too; a hand-built Account must not reach Google.
        return Err(OAuthError::Misconfigured {
            message: format!(
                "account \"{}\": Google refuses the Gmail scope in the device flow (\"Invalid \
                 device flow scope\"); set flow = \"browser\" under [accounts.{}.auth] (it \
                 works over SSH too: paste the redirected address back)",
                client.account, client.account
            ),
        });
    }
    let device_url = client
        .settings
        .device_authorization_url
        .clone()
        .unwrap_or_default();
    let secret = client.client_secret().await?;
    let oauth = client.oauth(secret.as_ref())?;
    let request = oauth
        .exchange_device_code()
        .map_err(|e| client.configuration(&e))?
        .add_scopes(client.scopes());
    let exchange = client.http.exchange();
    let started = Instant::now();
    let authorization: DeviceAuthorizationResponse<DeviceExtra> = request
        .request_async(&exchange)
        .await
        .map_err(|e| client.http.request_error(&device_url, &exchange, e))?;

    let lifetime = authorization.expires_in();
    let deadline = started + lifetime;
    prompt.device_code(&DeviceCodePrompt {
        verification_uri: authorization.verification_uri().to_string(),
        verification_uri_complete: authorization
            .verification_uri_complete()
            .map(|uri| uri.secret().clone()),
        user_code: authorization.user_code().secret().clone(),
        expires_at: SystemTime::now() + lifetime,
        message: authorization.extra_fields().message.clone(),
    });

    let device_code = authorization.device_code().secret().as_str();
    let client_secret = secret.as_ref().map(|s| s.expose());
    // A zero interval would hammer the server; RFC 8628 says 5 s when none is sent.
    let mut interval = authorization.interval().max(Duration::from_secs(1));
    let mut transport_failures = 0;
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(OAuthError::Expired);
        }
        prompt.poll_tick(remaining);
        (client.options.sleep)(interval.min(remaining)).await;
        if Instant::now() >= deadline {
            return Err(OAuthError::Expired);
        }
        match poll(client, device_code, client_secret).await {
            Ok(Poll::Done(tokens)) => return Ok(*tokens),
            Ok(Poll::Pending) => transport_failures = 0,
            Ok(Poll::SlowDown) => {
                transport_failures = 0;
                interval += SLOW_DOWN_STEP;
                tracing::debug!(
                    account = %client.account,
                    interval_s = interval.as_secs(),
                    "device flow: slow_down, polling less often"
                );
            }
            Err(OAuthError::Transport { url, message }) => {
                transport_failures += 1;
                if transport_failures > TRANSPORT_RETRIES {
                    return Err(OAuthError::Transport { url, message });
                }
                tracing::debug!(account = %client.account, %message, "device flow: poll failed, retrying");
            }
            Err(other) => return Err(other),
        }
    }
}

async fn poll(
    client: &OAuthClient,
    device_code: &str,
    client_secret: Option<&str>,
) -> Result<Poll, OAuthError> {
    let token_url = client.token_url();
    let mut form = vec![
        ("grant_type", DEVICE_GRANT),
        ("client_id", client.settings.client_id.as_str()),
        ("device_code", device_code),
    ];
    if let Some(secret) = client_secret {
        form.push(("client_secret", secret));
    }
    let (status, body) = client.http.post_form(token_url, &form).await?;
    if status == 200 {
        let answer: TokenAnswer =
            serde_json::from_slice(&body).map_err(|e| OAuthError::InvalidResponse {
                url: token_url.to_string(),
                message: format!("a token answer that is not valid: {e}"),
            })?;
        return Ok(Poll::Done(Box::new(client.token_set(&answer, None))));
    }
    match error_answer(token_url, status, &body) {
        OAuthError::Provider(error) => match error.error.as_str() {
            "authorization_pending" => Ok(Poll::Pending),
            "slow_down" => Ok(Poll::SlowDown),
            // Google says access_denied where RFC 8628 says authorization_declined.
            "authorization_declined" | "access_denied" => Err(OAuthError::Declined),
            "expired_token" => Err(OAuthError::Expired),
            _ => Err(OAuthError::Provider(error)),
        },
        other => Err(other),
    }
}
