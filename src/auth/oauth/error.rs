//! Errors from talking to an identity provider.

use std::fmt;

/// An error answer from the identity provider (RFC 6749 section 5.2), with Microsoft's
/// extra fields when present. Kept whole: `auth::diagnose` turns it into cause and fix.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProviderError {
    /// HTTP status of the answer.
    pub status: u16,
    /// `error`: `invalid_grant`, `authorization_pending`, ...
    pub error: String,
    /// `error_description`, e.g. "AADSTS70011: The provided value for scope ...".
    pub description: Option<String>,
    /// Microsoft's `error_codes` (the AADSTS numbers).
    pub codes: Vec<u32>,
    pub trace_id: Option<String>,
    pub correlation_id: Option<String>,
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {})", self.error, self.status)?;
        if let Some(description) = &self.description {
            // Microsoft appends trace lines to the description; the first line says it all.
            let first = description.lines().next().unwrap_or_default();
            write!(f, ": {first}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum OAuthError {
    /// The provider answered with an OAuth2 error.
    #[error("the identity provider refused: {0}")]
    Provider(Box<ProviderError>),
    /// The provider could not be reached, or the connection failed.
    #[error("could not reach the identity provider at {url}: {message}")]
    Transport { url: String, message: String },
    /// The provider answered something that is not an OAuth2 response.
    #[error("unexpected answer from the identity provider at {url}: {message}")]
    InvalidResponse { url: String, message: String },
    /// The user declined the sign-in (device flow `authorization_declined`, or the
    /// browser redirect carried `error=access_denied`).
    #[error("the sign-in was declined")]
    Declined,
    /// The device code or the browser login expired before the user finished.
    #[error("the sign-in expired before it was completed; run the login again")]
    Expired,
    /// The redirect's `state` did not match ours (a stale or forged redirect).
    #[error(
        "the redirect's state does not match this login (a stale or forged redirect); run the login again"
    )]
    StateMismatch,
    /// The account has no refresh token (or no credentials) to renew with.
    #[error("not logged in; run `postern login {account}`")]
    NotLoggedIn { account: String },
    /// A `client_secret_command` or `password_command` failed.
    #[error("`{key}` failed: {message}")]
    Command { key: &'static str, message: String },
    /// The login was cancelled by the user.
    #[error("the login was cancelled")]
    Cancelled,
    /// The account's settings cannot work for this request (e.g. Google with the device
    /// flow, or an OAuth2 login for a password account). Says what to change.
    #[error("{message}")]
    Misconfigured { message: String },
    /// A redirect pasted back by the user (or received by the loopback listener) is not
    /// an authorization answer: no `code`, or not a URL.
    #[error("that is not the redirected sign-in address: {message}")]
    InvalidRedirect { message: String },
    /// The loopback listener for the browser's redirect could not be set up.
    #[error("could not listen for the browser's redirect on 127.0.0.1: {message}")]
    Loopback { message: String },
}

impl From<ProviderError> for OAuthError {
    fn from(error: ProviderError) -> OAuthError {
        OAuthError::Provider(Box::new(error))
    }
}
