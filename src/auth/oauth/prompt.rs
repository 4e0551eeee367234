//! What a login flow needs from the person at the keyboard. Front ends (the
//! `postern login` CLI, the TUI) implement [`LoginPrompt`]; the flows call it and never
//! print anything themselves.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use base64::Engine;

/// What the user must do to finish a device-code login (RFC 8628 section 3.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceCodePrompt {
    /// The page to open on any device (`verification_uri`; Google says `verification_url`).
    pub verification_uri: String,
    /// The page with the code already filled in, when the provider sends one: worth
    /// showing as a QR code or a clickable link.
    pub verification_uri_complete: Option<String>,
    /// The code to type there. Always show it.
    pub user_code: String,
    /// When the code stops working.
    pub expires_at: SystemTime,
    /// The provider's own instructions (Microsoft sends one sentence), if any.
    pub message: Option<String>,
}

/// A future yielding the redirected URL the user pasted, or `None` if they will not
/// paste one (input closed): the flow then waits for the loopback listener alone.
pub type PastedRedirect<'a> = Pin<Box<dyn Future<Output = Option<String>> + Send + 'a>>;

/// The user's side of a login. Calls come from the flow's task; keep them quick
/// (print and return): the flow is polling or listening meanwhile.
pub trait LoginPrompt: Send + Sync {
    /// Device flow: show the URI and the code (and the countdown to `expires_at`).
    /// Called once, before polling starts.
    fn device_code(&self, prompt: &DeviceCodePrompt);

    /// Browser flow: the URL to open. `can_open_browser` says whether postern is also
    /// trying to open it itself (a display is available and this is not an SSH session);
    /// when false, tell the user to open it in a browser on their own machine and to
    /// paste back the address the browser ends on (see [`LoginPrompt::pasted_redirect`]).
    fn browser_url(&self, url: &str, can_open_browser: bool);

    /// Device flow: called before each wait between polls with the time left before the
    /// code expires, for a countdown. The default does nothing.
    fn poll_tick(&self, remaining: Duration) {
        let _ = remaining;
    }

    /// Browser flow: over SSH the browser cannot reach postern's listener, so its
    /// redirect to `http://localhost:PORT/?code=...&state=...` fails to load; the user
    /// copies that address from the address bar. Return a future that reads it (called
    /// once, after [`LoginPrompt::browser_url`]); the flow takes whichever arrives first,
    /// the listener's redirect or the pasted one. The default: no paste-back.
    fn pasted_redirect(&self) -> Option<PastedRedirect<'_>> {
        None
    }
}

/// The OSC 52 escape sequence that asks the terminal to put `text` on the clipboard.
/// It travels through SSH to the user's own terminal, so printing it copies the device
/// code on the machine where the browser is. Terminals that do not support it ignore it.
/// (Inside tmux, `set -g set-clipboard on` lets it through.)
pub fn osc52_copy(text: &str) -> String {
    let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{encoded}\x07")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_carries_the_text_in_base64() {
        assert_eq!(osc52_copy("ABCD-1234"), "\x1b]52;c;QUJDRC0xMjM0\x07");
        let sequence = osc52_copy("\x07 bell inside");
        // The payload is base64, so a BEL in the text cannot end the sequence early.
        assert_eq!(sequence.matches('\x07').count(), 1);
    }
}
