//! App-only access (client credentials, RFC 6749 section 4.4) for service mailboxes:
//! the app's own secret, the tenant-specific token endpoint, the `.default` scope (all
//! three come from the config and its Microsoft preset). No user, no refresh token:
//! renewing is asking again.

use super::client::OAuthClient;
use super::error::OAuthError;
use crate::auth::TokenSet;

pub(super) async fn token(client: &OAuthClient) -> Result<TokenSet, OAuthError> {
    let Some(secret) = client.client_secret().await? else {
        return Err(OAuthError::Misconfigured {
            message: format!(
                "account \"{}\" uses flow = \"app-only\" but has no `client_secret_command`; \
                 add a command that prints the app's client secret",
                client.account
            ),
        });
    };
    let oauth = client.oauth(Some(&secret))?;
    let request = oauth
        .exchange_client_credentials()
        .map_err(|e| client.configuration(&e))?
        .add_scopes(client.scopes());
    let exchange = client.http.exchange();
    let answer = request
        .request_async(&exchange)
        .await
        .map_err(|e| client.http.request_error(client.token_url(), &exchange, e))?;
    Ok(client.token_set(&answer, None))
}
