//! Every authentication failure, explained: what happened, the likely cause and
//! the exact fix (portal setting, admin cmdlet, config key).

pub mod server;

use std::fmt;

/// Identity-provider failures: AADSTS codes, Google's quirks, every `OAuthError`.
pub mod oauth;

// Server-side authentication failures (SASL: Dovecot's JSON, 535 5.7.3, ...) go in a
// sibling module written with the SASL authenticator:
// pub mod server;

/// A failure explained for a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// What happened, in one sentence ("Microsoft refused the sign-in: AADSTS7000218").
    pub what: String,
    /// The likely cause.
    pub cause: String,
    /// The exact fix: steps, a portal setting, an admin cmdlet or a config key.
    pub fix: String,
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.what)?;
        writeln!(f, "  likely cause: {}", self.cause)?;
        write!(f, "  fix: {}", self.fix)
    }
}
