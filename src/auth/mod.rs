//! Authentication: OAuth2 flows, token caches and the shared SASL authenticator.
//!
//! No UI here: flows report what the user must do through a prompt trait that
//! front ends implement.

pub mod account;
pub mod credentials;
pub mod diagnose;
pub mod manager;
pub mod oauth;
pub mod password;
pub mod sasl;
pub mod secret;
pub mod token_cache;
pub mod tokens;

pub use oauth::{OAuthError, ProviderError};
pub use secret::Secret;
pub use tokens::TokenSet;

use std::future::Future;

/// Something that can produce fresh tokens without the user: a refresh-token grant,
/// or client credentials for app-only accounts. The token manager calls it when the
/// cached access token is about to expire or was rejected by a server.
pub trait TokenEndpoint: Send + Sync {
    /// `current` is what the cache holds (its refresh token, if any, is the one to use).
    fn renew(
        &self,
        current: Option<&TokenSet>,
    ) -> impl Future<Output = Result<TokenSet, OAuthError>> + Send;
}

/// A source of access tokens for protocol code: the token manager implements it;
/// IMAP, POP3 and SMTP authentication consume it.
pub trait AccessTokens: Send + Sync {
    type Error: std::error::Error + Send + Sync + 'static;

    /// A token believed valid now (refreshed first if it is about to expire).
    fn access_token(&self) -> impl Future<Output = Result<Secret, Self::Error>> + Send;

    /// A server rejected `token`: renew it (once, however many connections report
    /// the same token at the same time) and return the new one.
    fn token_rejected(
        &self,
        token: &Secret,
    ) -> impl Future<Output = Result<Secret, Self::Error>> + Send;
}
