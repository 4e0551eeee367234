//! OAuth2 error bodies in the shapes Microsoft and Google send.

use rand::Rng;
use serde_json::{Value, json};

use super::{Fault, Flavor};

/// One protocol error: HTTP status, the `error` value, the AADSTS code (Microsoft).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthError {
    pub status: u16,
    pub error: &'static str,
    pub code: Option<u32>,
    pub message: String,
}

impl OAuthError {
    pub fn new(
        status: u16,
        error: &'static str,
        code: Option<u32>,
        message: impl Into<String>,
    ) -> Self {
        OAuthError {
            status,
            error,
            code,
            message: message.into(),
        }
    }

    /// Microsoft: `error_description` starts with "AADSTSnnnn: " and ends with the trace
    /// lines, and the body carries `error_codes`, `timestamp`, `trace_id`,
    /// `correlation_id`. Google: only `error` and `error_description`.
    pub fn body(&self, flavor: Flavor) -> Value {
        match flavor {
            Flavor::Google => json!({
                "error": self.error,
                "error_description": self.message,
            }),
            Flavor::Microsoft => {
                let trace_id = uuid_like();
                let correlation_id = uuid_like();
                let timestamp = chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string();
                let prefix = self
                    .code
                    .map(|code| format!("AADSTS{code}: "))
                    .unwrap_or_default();
                json!({
                    "error": self.error,
                    "error_description": format!(
                        "{prefix}{}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {timestamp}",
                        self.message
                    ),
                    "error_codes": self.code.map(|code| vec![code]).unwrap_or_default(),
                    "timestamp": timestamp,
                    "trace_id": trace_id,
                    "correlation_id": correlation_id,
                    "error_uri": "https://login.microsoftonline.com/error",
                })
            }
        }
    }
}

/// What a fault switch answers (None for `Delay` and `ServerError`, handled by the caller).
pub(crate) fn fault_error(
    fault: &Fault,
    client_id: &str,
    tenant: &str,
    user: &str,
) -> Option<OAuthError> {
    let error = match fault {
        Fault::PublicClientDisabled => OAuthError::new(
            401,
            "invalid_client",
            Some(7000218),
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
        ),
        Fault::ConsentRequired => OAuthError::new(
            400,
            "invalid_grant",
            Some(65001),
            format!(
                "The user or administrator has not consented to use the application with ID '{client_id}' named 'postern'. Send an interactive authorization request for this user and resource."
            ),
        ),
        Fault::InvalidScope => OAuthError::new(
            400,
            "invalid_scope",
            Some(70011),
            "The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid.",
        ),
        Fault::AppNotFound => app_not_found(client_id, tenant),
        Fault::RefreshTokenInactive => OAuthError::new(
            400,
            "invalid_grant",
            Some(700082),
            "The refresh token has expired due to inactivity. The token was issued on 2024-01-01T00:00:00.0000000Z and was inactive for 90.00:00:00.",
        ),
        Fault::AccountNotInTenant => OAuthError::new(
            400,
            "invalid_request",
            Some(50020),
            format!(
                "User account '{user}' from identity provider 'live.com' does not exist in tenant '{tenant}' and cannot access the application '{client_id}'(postern) in that tenant. The account needs to be added as an external user in the tenant first."
            ),
        ),
        Fault::TenantEndpointRequired => tenant_endpoint_required(),
        Fault::InvalidGrant => invalid_grant("Provided grant is invalid or malformed."),
        Fault::GoogleInvalidDeviceScope => google_invalid_device_scope("https://mail.google.com/"),
        Fault::ServerError | Fault::Delay(_) => return None,
    };
    Some(error)
}

pub(crate) fn app_not_found(client_id: &str, tenant: &str) -> OAuthError {
    OAuthError::new(
        400,
        "unauthorized_client",
        Some(700016),
        format!(
            "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
        ),
    )
}

pub(crate) fn tenant_endpoint_required() -> OAuthError {
    OAuthError::new(
        400,
        "invalid_request",
        Some(9001023),
        "The grant type is not supported over the /common or /consumers endpoints. Please use the /organizations or tenant-specific endpoint.",
    )
}

pub(crate) fn invalid_grant(message: &str) -> OAuthError {
    OAuthError::new(400, "invalid_grant", Some(70000), message)
}

pub(crate) fn google_invalid_device_scope(scope: &str) -> OAuthError {
    OAuthError::new(
        400,
        "invalid_scope",
        None,
        format!("Invalid device flow scope: {scope}"),
    )
}

fn uuid_like() -> String {
    let mut rng = rand::thread_rng();
    let bytes: [u8; 16] = rng.r#gen();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}
