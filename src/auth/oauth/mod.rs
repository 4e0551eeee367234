//! OAuth2 with identity providers: the flows and the errors they can end in.

mod error;

pub use error::{OAuthError, ProviderError};
