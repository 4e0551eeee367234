//! Reading the authorization answer out of a redirect (RFC 6749 section 4.1.2): from the
//! loopback listener's request, or from the address the user pasted back.

use oauth2::url::{Url, form_urlencoded};

use super::error::{OAuthError, ProviderError};
use super::http::aadsts_code;
use crate::auth::Secret;

/// A successful redirect: the authorization code, its `state` already checked.
#[derive(Debug)]
pub struct RedirectAnswer {
    pub code: Secret,
}

/// The answer in a query string, or None if it carries neither `code` nor `error`
/// (not a redirect at all).
pub(super) fn parse_query(query: &str, state: &str) -> Option<Result<RedirectAnswer, OAuthError>> {
    let mut code = None;
    let mut error = None;
    let mut description = None;
    let mut sent_state = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        match key.as_ref() {
            "code" => code = Some(value.into_owned()),
            "error" => error = Some(value.into_owned()),
            "error_description" => description = Some(value.into_owned()),
            "state" => sent_state = Some(value.into_owned()),
            _ => {}
        }
    }
    if let Some(error) = error {
        // An error without state is still the provider's answer; one with a wrong state
        // belongs to another login.
        if sent_state.as_deref().is_some_and(|sent| sent != state) {
            return Some(Err(OAuthError::StateMismatch));
        }
        return Some(Err(redirect_error(error, description)));
    }
    let code = code?;
    if sent_state.as_deref() != Some(state) {
        return Some(Err(OAuthError::StateMismatch));
    }
    if code.is_empty() {
        return Some(Err(OAuthError::InvalidRedirect {
            message: "its `code` is empty".into(),
        }));
    }
    Some(Ok(RedirectAnswer {
        code: Secret::new(code),
    }))
}

/// The address a user pasted: the whole `http://localhost:PORT/?code=...&state=...`
/// (quotes, angle brackets and spaces around it are forgiven), or just its query.
pub fn parse_pasted(text: &str, state: &str) -> Result<RedirectAnswer, OAuthError> {
    let trimmed = text
        .trim()
        .trim_matches(|c| matches!(c, '"' | '\'' | '<' | '>'))
        .trim();
    if trimmed.is_empty() {
        return Err(OAuthError::InvalidRedirect {
            message: "nothing was pasted".into(),
        });
    }
    let query = if trimmed.contains("://") {
        let url = Url::parse(trimmed).map_err(|e| OAuthError::InvalidRedirect {
            message: format!(
                "not a URL ({e}); paste the whole address from the browser's address bar"
            ),
        })?;
        url.query().unwrap_or_default().to_string()
    } else {
        trimmed.trim_start_matches(['/', '?']).to_string()
    };
    parse_query(&query, state).unwrap_or_else(|| {
        Err(OAuthError::InvalidRedirect {
            message: "it has no `code=` (or `error=`); paste the address the browser ended \
                      on after you signed in, starting with http://localhost or \
                      http://127.0.0.1"
                .into(),
        })
    })
}

fn redirect_error(error: String, description: Option<String>) -> OAuthError {
    if error == "access_denied" {
        return OAuthError::Declined;
    }
    let codes = description
        .as_deref()
        .and_then(aadsts_code)
        .into_iter()
        .collect();
    OAuthError::from(ProviderError {
        // The authorize endpoint answers with a redirect, not an HTTP error.
        status: 302,
        error,
        description,
        codes,
        ..ProviderError::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_redirect_gives_the_code() {
        let answer = parse_pasted(
            " 'http://localhost:8400/?code=a%2Bb%2Fc&state=s1&session_state=x' ",
            "s1",
        )
        .unwrap();
        assert_eq!(answer.code.expose(), "a+b/c");
        let answer = parse_pasted("?code=abc&state=s1", "s1").unwrap();
        assert_eq!(answer.code.expose(), "abc");
    }

    #[test]
    fn wrong_or_missing_state_is_refused() {
        for text in [
            "http://127.0.0.1:1/?code=abc&state=other",
            "http://127.0.0.1:1/?code=abc",
            "http://127.0.0.1:1/?error=access_denied&state=other",
        ] {
            assert!(
                matches!(parse_pasted(text, "s1"), Err(OAuthError::StateMismatch)),
                "{text}"
            );
        }
    }

    #[test]
    fn errors_in_the_redirect_are_typed() {
        assert!(matches!(
            parse_pasted("http://localhost:1/?error=access_denied&state=s1", "s1"),
            Err(OAuthError::Declined)
        ));
        let Err(OAuthError::Provider(error)) = parse_pasted(
            "http://localhost:1/?error=invalid_client&error_description=AADSTS7000218%3A+body+must+contain&state=s1",
            "s1",
        ) else {
            panic!("not a provider error");
        };
        assert_eq!(error.codes, vec![7000218]);
        assert_eq!(error.error, "invalid_client");
    }

    #[test]
    fn garbage_is_an_invalid_redirect() {
        for text in ["", "hello", "http://localhost:1/", "http://[bad"] {
            assert!(
                matches!(
                    parse_pasted(text, "s1"),
                    Err(OAuthError::InvalidRedirect { .. })
                ),
                "{text:?}"
            );
        }
    }
}
