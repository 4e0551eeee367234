//! OAuth2 login with one renewal, the same for IMAP, POP3 and SMTP: log in with the
//! current token; if the server says the token is invalid, renew it once and try once
//! more before reporting the server's refusal.

use std::future::Future;

use super::{Peer, ProtoError};
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

/// A POP3 or SMTP session: it stays the same value through AUTH, so
/// [`login_session`] logs either in. (IMAP's client turns into another type when it
/// logs in, and has its own [`OAuthAttempt`].)
pub(crate) trait SaslSession: Sized {
    fn peer(&self) -> &Peer;

    /// The SASL mechanisms the server offers.
    fn offered_mechanisms(&self) -> impl Iterator<Item = &str>;

    /// One OAuth2 AUTH exchange; `Ok(Err(..))` is a refusal, the session stays usable.
    fn try_oauth(
        &mut self,
        sasl: &OAuthSasl,
    ) -> impl Future<Output = Result<Result<(), SaslFailure>, ProtoError>>;
}

/// Logs a just-opened POP3 or SMTP session in as `user` (see [`login`]); the
/// mechanism is `preferred`, else the best the server offers.
pub(crate) async fn login_session<S: SaslSession, T: AccessTokens>(
    session: S,
    tokens: &T,
    user: &str,
    preferred: Option<Mechanism>,
) -> Result<S, ProtoError> {
    let mechanism = Mechanism::choose(session.offered_mechanisms(), preferred);
    let peer = session.peer().clone();
    let target = LoginTarget {
        user,
        host: &peer.host,
        port: peer.port,
        mechanism,
    };
    login(SameSession(session), tokens, target).await
}

/// [`OAuthAttempt`] for a [`SaslSession`].
struct SameSession<S>(S);

impl<S: SaslSession> OAuthAttempt for SameSession<S> {
    type Session = S;

    async fn attempt(
        mut self,
        sasl: &OAuthSasl,
    ) -> Result<Result<S, (SaslFailure, Self)>, ProtoError> {
        Ok(match self.0.try_oauth(sasl).await? {
            Ok(()) => Ok(self.0),
            Err(failure) => Err((failure, self)),
        })
    }
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
