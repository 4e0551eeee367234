//! The terminal side of a login: what `postern login` prints and reads.

use std::io::{IsTerminal, Write};
use std::time::{Duration, SystemTime};

use tokio::io::AsyncBufReadExt;

use crate::auth::oauth::{DeviceCodePrompt, LoginPrompt, PastedRedirect, osc52_copy};
use crate::mime::sanitize;

/// Prints to stderr (stdout stays clean for scripts) and reads a pasted redirect
/// from stdin.
pub struct TerminalPrompt {
    account: String,
    /// Put the device code on the clipboard with OSC 52 (asked for with --copy-code).
    copy_code: bool,
    /// Whether stderr is a terminal: the countdown rewrites one line only there.
    interactive: bool,
}

impl TerminalPrompt {
    pub fn new(account: &str, copy_code: bool) -> TerminalPrompt {
        TerminalPrompt {
            account: account.to_owned(),
            copy_code,
            interactive: std::io::stderr().is_terminal(),
        }
    }
}

impl LoginPrompt for TerminalPrompt {
    fn device_code(&self, prompt: &DeviceCodePrompt) {
        // The provider's strings are untrusted text: sanitize before they reach the terminal.
        let uri = sanitize::line(&prompt.verification_uri);
        let code = sanitize::line(&prompt.user_code);
        let mut err = std::io::stderr().lock();
        let _ = writeln!(
            err,
            "To sign in to {}, open this page on any device:",
            self.account
        );
        let _ = writeln!(err, "\n    {uri}\n");
        let _ = writeln!(err, "and enter the code:\n\n    {code}\n");
        if let Some(complete) = &prompt.verification_uri_complete {
            let _ = writeln!(
                err,
                "(or open {} with the code filled in)",
                sanitize::line(complete)
            );
        }
        let _ = writeln!(
            err,
            "The code expires in {}.",
            minutes(remaining(prompt.expires_at))
        );
        if self.copy_code {
            // OSC 52 travels through SSH to the user's own terminal and its clipboard.
            let _ = write!(err, "{}", osc52_copy(&prompt.user_code));
            let _ = writeln!(
                err,
                "The code is on your clipboard (if your terminal allows OSC 52)."
            );
        } else if self.interactive {
            let _ = writeln!(
                err,
                "(postern login --copy-code puts the code on your clipboard, even over SSH)"
            );
        }
    }

    fn browser_url(&self, url: &str, can_open_browser: bool) {
        let url = sanitize::line(url);
        let mut err = std::io::stderr().lock();
        if can_open_browser {
            let _ = writeln!(
                err,
                "Opening your browser to sign in to {}. If it does not open, visit:\n\n    {url}\n",
                self.account
            );
        } else {
            let _ = writeln!(
                err,
                "To sign in to {}, open this address in a browser on your own machine:\n\n    {url}\n\n\
                 After you sign in, the browser goes to a http://localhost page that will not load\n\
                 (postern runs on another machine). Copy that page's full address from the address bar\n\
                 and paste it here, then press Enter:",
                self.account
            );
        }
    }

    fn poll_tick(&self, remaining: Duration) {
        if self.interactive {
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\r  waiting for you to sign in… {} left ",
                clock(remaining)
            );
            let _ = err.flush();
        }
    }

    fn pasted_redirect(&self) -> Option<PastedRedirect<'_>> {
        Some(Box::pin(async {
            let mut line = String::new();
            let mut stdin = tokio::io::BufReader::new(tokio::io::stdin());
            loop {
                line.clear();
                match stdin.read_line(&mut line).await {
                    // End of input: no paste will come; the listener may still answer.
                    Ok(0) | Err(_) => return None,
                    Ok(_) if line.trim().is_empty() => continue,
                    Ok(_) => return Some(line.trim().to_owned()),
                }
            }
        }))
    }
}

fn remaining(at: SystemTime) -> Duration {
    at.duration_since(SystemTime::now()).unwrap_or_default()
}

fn minutes(d: Duration) -> String {
    let m = d.as_secs().div_ceil(60);
    if m == 1 {
        "1 minute".into()
    } else {
        format!("{m} minutes")
    }
}

fn clock(d: Duration) -> String {
    format!("{}:{:02}", d.as_secs() / 60, d.as_secs() % 60)
}
