//! The loopback redirect listener (RFC 8252 section 7.3): a tiny HTTP server on
//! 127.0.0.1 that waits for the browser's `GET /?code=...&state=...`, answers with a
//! short page, and hands the query to the flow.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use super::error::OAuthError;
use super::redirect::{RedirectAnswer, parse_query};

/// A browser gets this long to send its request line and headers.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Requests are a line and a few headers; anything longer is not a browser's redirect.
const MAX_REQUEST: usize = 16 * 1024;

const SIGNED_IN_PAGE: &str = "<!doctype html><html><head><meta charset=utf-8>\
<title>postern: signed in</title></head><body style=\"font-family:sans-serif\">\
<h1>Signed in</h1><p>postern has what it needs. You can close this tab and return to \
the terminal.</p></body></html>";

const FAILED_PAGE: &str = "<!doctype html><html><head><meta charset=utf-8>\
<title>postern: sign-in failed</title></head><body style=\"font-family:sans-serif\">\
<h1>Sign-in did not complete</h1><p>You can close this tab; postern explains what \
happened in the terminal.</p></body></html>";

const NOT_HERE_PAGE: &str = "<!doctype html><html><body>postern is waiting for the \
sign-in redirect.</body></html>";

/// Accepts connections until one carries an authorization answer (a `code` or an
/// `error`), then returns it checked against `state`. Stray requests (favicon,
/// pre-connects, scanners) get a 404 and are otherwise ignored.
pub(super) async fn wait_for_redirect(
    listener: TcpListener,
    state: &str,
) -> Result<RedirectAnswer, OAuthError> {
    let state: Arc<str> = Arc::from(state);
    let (sender, mut answers) = mpsc::channel(4);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _) = accepted.map_err(|e| OAuthError::Loopback {
                    message: format!("accepting the browser's connection failed: {e}"),
                })?;
                // Each connection on its own task: a browser's idle pre-connect must not
                // hold up the real request.
                let sender = sender.clone();
                let state = Arc::clone(&state);
                tokio::spawn(async move {
                    if let Some(answer) = serve(stream, &state).await {
                        let _ = sender.send(answer).await;
                    }
                });
            }
            Some(answer) = answers.recv() => return answer,
        }
    }
}

/// Serves one connection; `Some` when it carried an authorization answer.
async fn serve(mut stream: TcpStream, state: &str) -> Option<Result<RedirectAnswer, OAuthError>> {
    let head = tokio::time::timeout(REQUEST_TIMEOUT, read_head(&mut stream))
        .await
        .ok()??;
    let target = request_target(&head);
    let query = target.and_then(|target| target.split_once('?').map(|(_, query)| query));
    let answer = query.and_then(|query| parse_query(query, state));
    let (status, page) = match &answer {
        Some(Ok(_)) => ("200 OK", SIGNED_IN_PAGE),
        Some(Err(_)) => ("200 OK", FAILED_PAGE),
        None => ("404 Not Found", NOT_HERE_PAGE),
    };
    let response = format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/html; charset=utf-8\r\n\
         Content-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n{page}",
        page.len()
    );
    // The browser may already be gone; the answer counts anyway.
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
    answer
}

/// The request up to the blank line, or None if it is not one.
async fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut buffer = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    loop {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..read]);
        if buffer.windows(4).any(|w| w == b"\r\n\r\n") || buffer.windows(2).any(|w| w == b"\n\n") {
            return String::from_utf8(buffer).ok();
        }
        if buffer.len() > MAX_REQUEST {
            return None;
        }
    }
}

/// `/?code=...` from `GET /?code=... HTTP/1.1`.
fn request_target(head: &str) -> Option<&str> {
    let line = head.lines().next()?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?;
    let target = parts.next()?;
    let version = parts.next()?;
    (method == "GET" && version.starts_with("HTTP/")).then_some(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_targets_of_gets_only() {
        assert_eq!(
            request_target("GET /?code=a&state=b HTTP/1.1\r\nHost: x\r\n\r\n"),
            Some("/?code=a&state=b")
        );
        assert_eq!(request_target("POST / HTTP/1.1\r\n\r\n"), None);
        assert_eq!(request_target("GET /\r\n\r\n"), None);
        assert_eq!(request_target(""), None);
    }
}
