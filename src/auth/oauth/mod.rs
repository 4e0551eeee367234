//! OAuth2 with identity providers: the flows (device code, browser with PKCE,
//! app-only), the refresh grant, and the errors they can end in.
//!
//! [`OAuthClient`] is built from a resolved account; [`OAuthClient::login`] runs the
//! configured flow, talking to the user through a [`LoginPrompt`]; as a
//! [`crate::auth::TokenEndpoint`] it renews tokens for the token manager.

mod app_only;
mod browser;
mod client;
mod device;
mod error;
mod http;
mod loopback;
pub mod prompt;
mod redirect;

pub use browser::{AuthorizationStart, display_available};
pub use client::{ClientOptions, OAuthClient, SleepFn};
pub use error::{OAuthError, ProviderError};
pub use prompt::{DeviceCodePrompt, LoginPrompt, PastedRedirect, osc52_copy};
pub use redirect::{RedirectAnswer, parse_pasted};
