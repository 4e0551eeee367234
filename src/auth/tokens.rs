//! What a successful OAuth2 login leaves behind.

use serde::{Deserialize, Serialize};

use super::Secret;

/// Tokens for one account, as kept in its cache file. Times are Unix seconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSet {
    pub access_token: Secret,
    /// Absent for app-only (client credentials) accounts.
    pub refresh_token: Option<Secret>,
    /// When the access token expires, if the provider said.
    pub expires_at: Option<i64>,
    /// Scopes granted (may differ from those asked for).
    pub scopes: Vec<String>,
    /// When the access token was issued to us.
    pub obtained_at: i64,
    /// When the current refresh token was issued (rotation resets it); for its age.
    pub refresh_obtained_at: Option<i64>,
}

impl TokenSet {
    /// Whether the access token is expired or will be within `margin` seconds.
    pub fn expires_within(&self, now: i64, margin: i64) -> bool {
        match self.expires_at {
            Some(at) => at - margin <= now,
            // No expiry given: trust it until a server rejects it.
            None => false,
        }
    }
}
