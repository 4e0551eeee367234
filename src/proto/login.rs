//! OAuth2 login with one renewal, the same for IMAP, POP3 and SMTP: log in with the
//! current token; if the server says the token is invalid, renew it once and try once
//! more before reporting the server's refusal.

use std::future::Future;

use super::ProtoError;
use crate::auth::AccessTokens;
use crate::auth::sasl::{Mechanism, OAuthSasl, SaslFailure};

/// A connection that can try one OAuth2 AUTHENTICATE exchange. A refusal hands the
/// connection back, still usable, so the login can be tried again.
pub(crate) trait OAuthAttempt: Sized {
    type Session;

    fn attempt(
        self,
        sasl: &OAuthSasl,
    ) -> impl Future<Output = Result<Result<Self::Session, (SaslFailure, Self)>, ProtoError>>;
}

/// Who is logging in where, for the SASL response.
pub(crate) struct LoginTarget<'a> {
    pub user: &'a str,
    pub host: &'a str,
    pub port: u16,
    pub mechanism: Mechanism,
}

pub(crate) async fn login<C: OAuthAttempt, T: AccessTokens>(
    conn: C,
    tokens: &T,
    target: LoginTarget<'_>,
) -> Result<C::Session, ProtoError> {
    let token = tokens.access_token().await.map_err(token_error)?;
    let sasl = OAuthSasl::new(
        target.user,
        token,
        target.host,
        target.port,
        target.mechanism,
    );
    let conn = match conn.attempt(&sasl).await? {
        Ok(session) => return Ok(session),
        Err((failure, _)) if !failure.token_invalid => return Err(failure.into()),
        Err((_, conn)) => conn,
    };
    let renewed = tokens
        .token_rejected(&sasl.token)
        .await
        .map_err(token_error)?;
    let sasl = OAuthSasl {
        token: renewed,
        ..sasl
    };
    match conn.attempt(&sasl).await? {
        Ok(session) => Ok(session),
        Err((failure, _)) => Err(failure.into()),
    }
}

fn token_error<E: std::error::Error + Send + Sync + 'static>(error: E) -> ProtoError {
    ProtoError::Tokens(Box::new(error))
}
