//! HTTP to the identity provider: one reqwest client with timeouts (and an optional
//! extra CA), the error body that keeps Microsoft's extra fields, and the mapping of
//! every failure into [`OAuthError`].

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use oauth2::reqwest;
use oauth2::{AsyncHttpClient, HttpClientError, HttpRequest, HttpResponse, RequestTokenError};
use serde::{Deserialize, Deserializer, Serialize};

use super::error::{OAuthError, ProviderError};

/// An error answer as the provider sends it. oauth2's `StandardErrorResponse` keeps only
/// `error`, `error_description` and `error_uri`; Microsoft's `error_codes`, `trace_id`
/// and `correlation_id` are what an admin needs, so they are kept here.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ErrorBody {
    pub error: String,
    #[serde(default, deserialize_with = "lenient_string")]
    pub error_description: Option<String>,
    #[serde(default, deserialize_with = "lenient_codes")]
    pub error_codes: Vec<u32>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub trace_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub correlation_id: Option<String>,
}

impl std::fmt::Display for ErrorBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.error)?;
        if let Some(description) = &self.error_description {
            write!(f, ": {}", description.lines().next().unwrap_or_default())?;
        }
        Ok(())
    }
}

impl oauth2::ErrorResponse for ErrorBody {}

impl ErrorBody {
    pub fn into_provider_error(self, status: u16) -> ProviderError {
        let codes = if self.error_codes.is_empty() {
            // Some answers (redirects, old endpoints) carry the code only in the text.
            self.error_description
                .as_deref()
                .and_then(aadsts_code)
                .into_iter()
                .collect()
        } else {
            self.error_codes
        };
        ProviderError {
            status,
            error: self.error,
            description: self.error_description,
            codes,
            trace_id: self.trace_id,
            correlation_id: self.correlation_id,
        }
    }
}

/// The number in "AADSTS70011: ..." at the start of a description.
pub(crate) fn aadsts_code(description: &str) -> Option<u32> {
    let rest = description.trim_start().strip_prefix("AADSTS")?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// A field of a weird type must not make the whole error unreadable.
fn lenient_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(match value {
        serde_json::Value::String(text) => Some(text),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    })
}

fn lenient_codes<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<u32>, D::Error> {
    let value = serde_json::Value::deserialize(deserializer)?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        single => vec![single],
    };
    Ok(items
        .iter()
        .filter_map(|item| {
            item.as_u64()
                .or_else(|| item.as_str().and_then(|s| s.parse().ok()))
        })
        .filter_map(|code| u32::try_from(code).ok())
        .collect())
}

/// The HTTP client for one account's identity provider.
#[derive(Debug, Clone)]
pub(crate) struct Http {
    client: reqwest::Client,
    timeout: Duration,
}

impl Http {
    /// Every request (connect, send, answer) ends within `timeout`. Redirects are not
    /// followed: a token endpoint that redirects is misconfigured, and following would
    /// send the form (with codes and secrets) somewhere else.
    pub fn new(extra_ca: Option<&Path>, timeout: Duration) -> Result<Http, OAuthError> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(timeout)
            .connect_timeout(timeout)
            .user_agent(concat!("postern/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = extra_ca {
            let pem = std::fs::read(path).map_err(|e| OAuthError::Misconfigured {
                message: format!(
                    "cannot read the CA file {} for the identity provider: {e}",
                    path.display()
                ),
            })?;
            let certificates = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                OAuthError::Misconfigured {
                    message: format!(
                        "the CA file {} holds no usable PEM certificate: {e}",
                        path.display()
                    ),
                }
            })?;
            if certificates.is_empty() {
                return Err(OAuthError::Misconfigured {
                    message: format!("the CA file {} holds no certificate", path.display()),
                });
            }
            for certificate in certificates {
                builder = builder.add_root_certificate(certificate);
            }
        }
        let client = builder.build().map_err(|e| OAuthError::Misconfigured {
            message: format!("cannot set up HTTPS: {}", error_chain(&e)),
        })?;
        Ok(Http { client, timeout })
    }

    /// A client for one oauth2 request that remembers the answer's HTTP status
    /// (oauth2 does not pass it on with the error).
    pub fn exchange(&self) -> Exchange<'_> {
        Exchange {
            http: self,
            status: Mutex::new(None),
        }
    }

    /// POSTs a form and returns the status and body (for requests oauth2 cannot make
    /// the way postern needs, such as one device-flow poll).
    pub async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
    ) -> Result<(u16, Vec<u8>), OAuthError> {
        let response = self
            .client
            .post(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .form(form)
            .send()
            .await
            .map_err(|e| self.transport(url, &e))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| self.transport(url, &e))?;
        Ok((status, body.to_vec()))
    }

    fn transport(&self, url: &str, error: &reqwest::Error) -> OAuthError {
        let message = if error.is_timeout() {
            format!(
                "no answer within {} (check the network, or whether the server is down)",
                human_duration(self.timeout)
            )
        } else {
            error_chain(error)
        };
        OAuthError::Transport {
            url: url.to_string(),
            message,
        }
    }

    /// Turns oauth2's request error into postern's, using the status `exchange` saw.
    pub fn request_error(
        &self,
        url: &str,
        exchange: &Exchange<'_>,
        error: RequestTokenError<HttpClientError<reqwest::Error>, ErrorBody>,
    ) -> OAuthError {
        let status = exchange.status();
        match error {
            RequestTokenError::ServerResponse(body) => {
                OAuthError::from(body.into_provider_error(status.unwrap_or(400)))
            }
            RequestTokenError::Request(HttpClientError::Reqwest(error)) => {
                self.transport(url, &error)
            }
            RequestTokenError::Request(other) => OAuthError::Transport {
                url: url.to_string(),
                message: error_chain(&other),
            },
            RequestTokenError::Parse(error, body) => {
                unreadable_answer(url, status.unwrap_or(200), &body, &error.to_string())
            }
            RequestTokenError::Other(message) => {
                unreadable_answer(url, status.unwrap_or(200), &[], &message)
            }
        }
    }
}

/// An answer that is not OAuth2: a server error (kept as a [`ProviderError`] so it can
/// be explained), or nonsense from something that is not a token endpoint.
pub(crate) fn unreadable_answer(url: &str, status: u16, body: &[u8], problem: &str) -> OAuthError {
    let text = String::from_utf8_lossy(body);
    let excerpt: String = text.trim().chars().take(200).collect();
    if status >= 500 {
        return OAuthError::from(ProviderError {
            status,
            error: "server_error".into(),
            description: (!excerpt.is_empty()).then_some(excerpt),
            ..ProviderError::default()
        });
    }
    let shown = if excerpt.is_empty() {
        String::new()
    } else {
        format!("; it began: {excerpt}")
    };
    OAuthError::InvalidResponse {
        url: url.to_string(),
        message: format!("HTTP {status}, {problem}{shown}"),
    }
}

/// The body of a failed answer (status not 200) as an OAuth2 error, if it is one.
pub(crate) fn error_answer(url: &str, status: u16, body: &[u8]) -> OAuthError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(error) => OAuthError::from(error.into_provider_error(status)),
        Err(e) => unreadable_answer(url, status, body, &format!("not an OAuth2 error ({e})")),
    }
}

/// An oauth2 HTTP client for one request that records the answer's status.
pub(crate) struct Exchange<'a> {
    http: &'a Http,
    status: Mutex<Option<u16>>,
}

impl Exchange<'_> {
    fn status(&self) -> Option<u16> {
        match self.status.lock() {
            Ok(status) => *status,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }

    fn record(&self, status: u16) {
        match self.status.lock() {
            Ok(mut slot) => *slot = Some(status),
            Err(poisoned) => *poisoned.into_inner() = Some(status),
        }
    }
}

type ExchangeFuture<'c> = Pin<
    Box<dyn Future<Output = Result<HttpResponse, HttpClientError<reqwest::Error>>> + Send + 'c>,
>;

impl<'c> AsyncHttpClient<'c> for Exchange<'_> {
    type Error = HttpClientError<reqwest::Error>;
    type Future = ExchangeFuture<'c>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(async move {
            let response = self.http.client.call(request).await?;
            self.record(response.status().as_u16());
            Ok(response)
        })
    }
}

/// An error with its causes, e.g. "error sending request: connection refused".
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

/// "30 s", "0.5 s", "2 min".
pub(crate) fn human_duration(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis < 1000 {
        format!("{:.1} s", duration.as_secs_f64())
    } else if millis.is_multiple_of(60_000) {
        format!("{} min", millis / 60_000)
    } else {
        format!("{} s", duration.as_secs())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn microsoft_error_body_keeps_codes_and_ids() {
        let body = br#"{"error":"invalid_grant","error_description":"AADSTS700082: The refresh token has expired.\r\nTrace ID: x","error_codes":[700082],"timestamp":"2024-01-01 00:00:00Z","trace_id":"t-1","correlation_id":"c-1","error_uri":"https://login.microsoftonline.com/error"}"#;
        let OAuthError::Provider(error) = error_answer("u", 400, body) else {
            panic!("not a provider error");
        };
        assert_eq!(error.status, 400);
        assert_eq!(error.error, "invalid_grant");
        assert_eq!(error.codes, vec![700082]);
        assert_eq!(error.trace_id.as_deref(), Some("t-1"));
        assert_eq!(error.correlation_id.as_deref(), Some("c-1"));
        assert_eq!(
            error.to_string(),
            "invalid_grant (HTTP 400): AADSTS700082: The refresh token has expired."
        );
    }

    #[test]
    fn code_is_taken_from_the_description_when_the_list_is_missing() {
        let body = br#"{"error":"access_denied","error_description":"AADSTS65004: User declined.","error_codes":"nonsense"}"#;
        let OAuthError::Provider(error) = error_answer("u", 400, body) else {
            panic!("not a provider error");
        };
        assert_eq!(error.codes, vec![65004]);
    }

    #[test]
    fn server_errors_without_json_stay_explainable() {
        let OAuthError::Provider(error) = error_answer("u", 502, b"<html>Bad gateway</html>")
        else {
            panic!("not a provider error");
        };
        assert_eq!(error.status, 502);
        assert_eq!(error.error, "server_error");
        assert!(matches!(
            error_answer("u", 404, b"not found"),
            OAuthError::InvalidResponse { .. }
        ));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(Duration::from_millis(500)), "0.5 s");
        assert_eq!(human_duration(Duration::from_secs(30)), "30 s");
        assert_eq!(human_duration(Duration::from_secs(600)), "10 min");
    }
}
