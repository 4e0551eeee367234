//! The browser flow: authorization code with PKCE S256 (RFC 7636) and a loopback
//! redirect (RFC 8252). Over SSH the user pastes the redirected address back instead.

use std::ffi::OsString;
use std::process::Stdio;

use oauth2::{AuthorizationCode, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl};
use tokio::net::TcpListener;

use super::client::OAuthClient;
use super::error::OAuthError;
use super::loopback::wait_for_redirect;
use super::prompt::LoginPrompt;
use super::redirect::{RedirectAnswer, parse_pasted};
use crate::auth::{Secret, TokenSet};
use crate::config::Provider;

/// One authorization request in flight: the URL for the browser and what checking and
/// redeeming its answer needs.
#[derive(Debug)]
pub struct AuthorizationStart {
    /// Open this in a browser.
    pub url: String,
    /// Where the provider sends the browser back (also sent when redeeming the code).
    pub redirect_uri: String,
    /// The `state` the redirect must carry.
    pub state: String,
    /// The PKCE verifier whose S256 challenge is in `url`.
    pub verifier: Secret,
}

pub(super) async fn login(
    client: &OAuthClient,
    prompt: &dyn LoginPrompt,
) -> Result<TokenSet, OAuthError> {
    let listener = TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| OAuthError::Loopback {
            message: e.to_string(),
        })?;
    let port = listener
        .local_addr()
        .map_err(|e| OAuthError::Loopback {
            message: e.to_string(),
        })?
        .port();
    let start = client.authorization_request(&client.redirect_uri(port))?;
    let can_open = client.options.open_browser && display_available(|key| std::env::var_os(key));
    prompt.browser_url(&start.url, can_open);
    if can_open {
        open_browser(&start.url);
    }
    let answer = first_answer(client, prompt, listener, &start.state).await?;
    client
        .redeem_code(&answer.code, &start.redirect_uri, &start.verifier)
        .await
}

/// Whichever comes first: the listener's redirect or the pasted one; the login expires
/// after `login_timeout`.
async fn first_answer(
    client: &OAuthClient,
    prompt: &dyn LoginPrompt,
    listener: TcpListener,
    state: &str,
) -> Result<RedirectAnswer, OAuthError> {
    let listen = wait_for_redirect(listener, state);
    let pasted = async {
        match prompt.pasted_redirect() {
            Some(paste) => match paste.await {
                Some(text) => parse_pasted(&text, state),
                // No paste coming (input closed): the listener may still answer.
                None => std::future::pending().await,
            },
            None => std::future::pending().await,
        }
    };
    let waiting = async {
        tokio::select! {
            answer = listen => answer,
            answer = pasted => answer,
        }
    };
    tokio::time::timeout(client.options.login_timeout, waiting)
        .await
        .unwrap_or(Err(OAuthError::Expired))
}

impl OAuthClient {
    /// The redirect URI for a listener on `port`: Microsoft registers
    /// `http://localhost` (any port); Google and RFC 8252 prefer the literal address.
    /// Either way the listener is on 127.0.0.1.
    pub fn redirect_uri(&self, port: u16) -> String {
        if self.is_microsoft() {
            format!("http://localhost:{port}/")
        } else {
            format!("http://127.0.0.1:{port}/")
        }
    }

    /// A fresh authorization URL with a random `state` and a PKCE S256 challenge.
    /// [`OAuthClient::login`] uses it; a front end with its own redirect handling can too.
    pub fn authorization_request(
        &self,
        redirect_uri: &str,
    ) -> Result<AuthorizationStart, OAuthError> {
        let redirect =
            RedirectUrl::new(redirect_uri.to_string()).map_err(|e| OAuthError::Misconfigured {
                message: format!("redirect URI \"{redirect_uri}\" is not valid: {e}"),
            })?;
        let oauth = self.oauth(None)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = oauth
            .authorize_url(CsrfToken::new_random)
            .map_err(|e| self.configuration(&e))?
            .add_scopes(self.scopes())
            .set_pkce_challenge(challenge)
            .set_redirect_uri(std::borrow::Cow::Owned(redirect));
        if !self.email.is_empty() {
            // Preselects the account at Microsoft and Google (and skips a chooser).
            request = request.add_extra_param("login_hint", self.email.clone());
        }
        if self.provider == Provider::Google {
            request = request.add_extra_param("access_type", "offline");
        }
        let (url, state) = request.url();
        Ok(AuthorizationStart {
            url: url.to_string(),
            redirect_uri: redirect_uri.to_string(),
            state: state.secret().clone(),
            verifier: Secret::new(verifier.secret().clone()),
        })
    }

    /// Redeems an authorization code (with the PKCE verifier and the same redirect URI
    /// as the authorization request) for tokens.
    pub async fn redeem_code(
        &self,
        code: &Secret,
        redirect_uri: &str,
        verifier: &Secret,
    ) -> Result<TokenSet, OAuthError> {
        let redirect =
            RedirectUrl::new(redirect_uri.to_string()).map_err(|e| OAuthError::Misconfigured {
                message: format!("redirect URI \"{redirect_uri}\" is not valid: {e}"),
            })?;
        let secret = self.client_secret().await?;
        let oauth = self.oauth(secret.as_ref())?;
        let request = oauth
            .exchange_code(AuthorizationCode::new(code.expose().to_string()))
            .map_err(|e| self.configuration(&e))?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier.expose().to_string()))
            .set_redirect_uri(std::borrow::Cow::Owned(redirect));
        let exchange = self.http.exchange();
        let answer = request
            .request_async(&exchange)
            .await
            .map_err(|e| self.http.request_error(self.token_url(), &exchange, e))?;
        Ok(self.token_set(&answer, None))
    }
}

/// Whether a browser can be started here: a graphical session, and not over SSH (a
/// browser started on the remote machine would be useless or invisible).
pub fn display_available(env: impl Fn(&str) -> Option<OsString>) -> bool {
    let set = |key: &str| env(key).is_some_and(|value| !value.is_empty());
    let over_ssh = set("SSH_CONNECTION") || set("SSH_CLIENT") || set("SSH_TTY");
    (set("DISPLAY") || set("WAYLAND_DISPLAY")) && !over_ssh
}

/// Starts `$BROWSER` (its first entry) or `xdg-open` on `url`, without waiting. A
/// failure is not an error: the URL was shown to the user.
fn open_browser(url: &str) {
    let browser = std::env::var("BROWSER")
        .ok()
        .and_then(|list| list.split(':').next().map(str::to_string))
        .filter(|program| !program.trim().is_empty())
        .unwrap_or_else(|| "xdg-open".to_string());
    let (program, args) = if browser.contains("%s") {
        // The old $BROWSER convention: "%s" is where the URL goes.
        let line = browser.replace("%s", url);
        let mut words = line.split_whitespace().map(str::to_string);
        match words.next() {
            Some(program) => (program, words.collect()),
            None => return,
        }
    } else {
        (browser, vec![url.to_string()])
    };
    let spawned = tokio::process::Command::new(&program)
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    match spawned {
        Ok(mut child) => {
            // Reap it so no zombie is left behind.
            tokio::spawn(async move {
                let _ = child.wait().await;
            });
        }
        Err(e) => tracing::debug!(%program, error = %e, "could not start a browser"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |key| {
            pairs
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn a_browser_is_opened_only_on_a_local_display() {
        assert!(display_available(env(&[("DISPLAY", ":0")])));
        assert!(display_available(env(&[("WAYLAND_DISPLAY", "wayland-0")])));
        assert!(!display_available(env(&[])));
        assert!(!display_available(env(&[("DISPLAY", "")])));
        assert!(!display_available(env(&[
            ("DISPLAY", "localhost:10.0"),
            ("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22"),
        ])));
        assert!(!display_available(env(&[
            ("WAYLAND_DISPLAY", "w"),
            ("SSH_TTY", "/dev/pts/1")
        ])));
    }
}
