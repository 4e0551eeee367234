//! The parts of a message the writer edits, in the order focus moves through them:
//! the headers top to bottom as they are drawn, then the body.

/// One input of the writer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    From,
    To,
    Cc,
    Bcc,
    Subject,
    Body,
}

impl Field {
    /// Focus order (Tab goes down this list, and from the body back to the top).
    pub const ALL: [Field; 6] = [
        Field::From,
        Field::To,
        Field::Cc,
        Field::Bcc,
        Field::Subject,
        Field::Body,
    ];

    /// The single-line fields, as drawn above the body.
    pub const HEADERS: [Field; 5] = [
        Field::From,
        Field::To,
        Field::Cc,
        Field::Bcc,
        Field::Subject,
    ];

    /// Position in [`Field::ALL`]; the writer keeps one text area per field in
    /// that order.
    pub(super) fn index(self) -> usize {
        match self {
            Field::From => 0,
            Field::To => 1,
            Field::Cc => 2,
            Field::Bcc => 3,
            Field::Subject => 4,
            Field::Body => 5,
        }
    }

    /// The field after this one; the body wraps round to From.
    pub fn next(self) -> Field {
        Field::ALL[(self.index() + 1) % Field::ALL.len()]
    }

    /// The field before this one; From wraps round to the body.
    pub fn previous(self) -> Field {
        Field::ALL[(self.index() + Field::ALL.len() - 1) % Field::ALL.len()]
    }

    pub fn is_header(self) -> bool {
        self != Field::Body
    }

    /// The header's name as written in mail ("Subject"); "Body" for the body.
    pub fn name(self) -> &'static str {
        match self {
            Field::From => "From",
            Field::To => "To",
            Field::Cc => "Cc",
            Field::Bcc => "Bcc",
            Field::Subject => "Subject",
            Field::Body => "Body",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn focus_cycles_both_ways() {
        let mut field = Field::From;
        let mut seen = Vec::new();
        for _ in 0..6 {
            seen.push(field);
            field = field.next();
        }
        assert_eq!(seen, Field::ALL);
        assert_eq!(field, Field::From);
        assert_eq!(Field::From.previous(), Field::Body);
        assert_eq!(Field::Body.previous(), Field::Subject);
        for field in Field::ALL {
            assert_eq!(field.next().previous(), field);
            assert_eq!(Field::ALL[field.index()], field);
        }
    }
}
