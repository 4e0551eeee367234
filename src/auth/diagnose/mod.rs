//! Every authentication failure, explained: what happened, the likely cause and
//! the exact fix (portal setting, admin cmdlet, config key).

pub mod server;

use std::fmt;

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
