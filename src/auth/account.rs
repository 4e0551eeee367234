//! One account's OAuth2 machinery, assembled from its configuration: the client
//! that talks to its identity provider and the token manager that caches and
//! renews its tokens.

use std::path::Path;

use super::manager::{TokenError, TokenManager};
use super::oauth::{OAuthClient, OAuthError};
use super::token_cache::{TokenCache, TokenOwner};
use crate::config::{Account, Auth};

/// The token manager for an OAuth2 account, its cache under `token_dir`.
///
/// The account's `ca_file` is trusted for HTTPS to the identity provider too: a
/// self-hosted setup usually signs its mail and identity servers with one CA.
pub fn token_manager(
    token_dir: &Path,
    account: &Account,
) -> Result<TokenManager<OAuthClient>, TokenError> {
    let Auth::OAuth2(settings) = &account.auth else {
        return Err(OAuthError::Misconfigured {
            message: format!(
                "account \"{}\" does not use method = \"oauth2\"; it has no tokens",
                account.name
            ),
        }
        .into());
    };
    let owner = TokenOwner {
        provider: account.provider.as_str().to_owned(),
        client_id: settings.client_id.clone(),
        token_url: settings.token_url.clone().unwrap_or_default(),
    };
    let cache = TokenCache::new(token_dir, &account.name, owner)?;
    let client = OAuthClient::new(account, account.ca_file.as_deref())?;
    Ok(TokenManager::new(cache, client))
}
