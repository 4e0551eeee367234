//! Rendering a message into terminal-safe text.

/// An attachment as listed under a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub name: String,
    pub mime_type: String,
    /// Decoded size in bytes.
    pub size: usize,
}

/// A message ready to draw. Every string here is already sanitized.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rendered {
    /// The short header block: From, To, Cc, Date, Subject (those present).
    pub headers: Vec<(String, String)>,
    /// Every header in order, for the "full headers" toggle.
    pub all_headers: Vec<(String, String)>,
    /// Body lines, wrapped for HTML at the requested width, plain text as sent.
    pub body: Vec<String>,
    pub attachments: Vec<Attachment>,
}

/// Render a raw message. `width` is the column budget for HTML-to-text.
pub fn render(raw: &[u8], width: usize) -> Rendered {
    let _ = (raw, width);
    todo!("mime helper")
}
