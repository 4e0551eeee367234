//! Pure message handling: parsing, rendering to terminal text, sanitizing.

pub mod compose;
pub mod parse;
pub mod render;
pub mod reply;
pub mod sanitize;
mod structure;

pub use parse::{Address, Envelope, parse_envelope, parse_header_envelope};
pub use render::{Attachment, RenderOptions, Rendered, render, render_with};
