//! Turning FETCH responses into store envelopes.
//!
//! The envelope comes from the message's own header fields (parsed by
//! [`crate::mime::parse_header_envelope`], which decodes RFC 2047 words and dates the same way
//! for every account kind) rather than from IMAP's ENVELOPE structure.

use std::borrow::Cow;

use async_imap::imap_proto::AttributeValue;

use crate::mime::parse_header_envelope;
use crate::store::{Flags, NewEnvelope};

/// The FETCH items an envelope sync asks for. No INTERNALDATE: the Date header
/// dates almost every message, and Dovecot on Maildir answers INTERNALDATE with a
/// `stat()` of every message file (0.3 s of its CPU per 100,000 messages, a third of
/// its work for this FETCH). Messages without a usable Date header get it from
/// [`DATE_ITEMS`] afterwards.
pub const ENVELOPE_ITEMS: &str = "(UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS \
     (DATE FROM TO CC SUBJECT MESSAGE-ID IN-REPLY-TO CONTENT-TYPE)])";

/// The FETCH items that date a message the Date header could not.
pub const DATE_ITEMS: &str = "(UID INTERNALDATE)";

/// One message of a FETCH answer, before it goes to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedEnvelope {
    pub uid: u32,
    pub envelope: NewEnvelope,
}

impl FetchedEnvelope {
    /// Builds from a FETCH response's attributes. `None` when the UID or the header
    /// is missing (an unsolicited flag update, not an answer to our FETCH).
    /// `stored_at` (Unix seconds) is when it reaches the store; see
    /// [`RawFetch::into_envelope`].
    pub fn from_attributes(
        attributes: &[AttributeValue<'_>],
        stored_at: i64,
    ) -> Option<FetchedEnvelope> {
        RawFetch::from_attributes(attributes).map(|raw| raw.into_envelope(stored_at))
    }
}

/// A FETCH answer copied out of the response, header not parsed yet: the parsing
/// can then happen on another thread than the network reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFetch {
    pub uid: u32,
    pub flags: Flags,
    pub size: u64,
    /// INTERNALDATE, Unix seconds, when the server sent a readable one.
    pub internal_date: Option<i64>,
    pub header: Vec<u8>,
}

impl RawFetch {
    /// See [`FetchedEnvelope::from_attributes`].
    pub fn from_attributes(attributes: &[AttributeValue<'_>]) -> Option<RawFetch> {
        let mut uid = None;
        let mut flags = Flags::default();
        let mut size = 0u64;
        let mut internal_date = None;
        let mut header: Option<&[u8]> = None;
        for attribute in attributes {
            match attribute {
                AttributeValue::Uid(value) => uid = Some(*value),
                AttributeValue::Flags(list) => flags = parse_flags(list),
                AttributeValue::Rfc822Size(value) => size = u64::from(*value),
                AttributeValue::InternalDate(date) => internal_date = parse_internal_date(date),
                AttributeValue::BodySection {
                    data: Some(data), ..
                } => header = Some(data),
                _ => {}
            }
        }
        Some(RawFetch {
            uid: uid?,
            flags,
            size,
            internal_date,
            header: header?.to_vec(),
        })
    }

    /// Parses the header into the store's envelope. It arrived at INTERNALDATE if
    /// the server sent one, else at `stored_at`. Without a usable Date header it is
    /// dated by its arrival, and marked [`NewEnvelope::needs_date`] when that is only
    /// `stored_at`.
    pub fn into_envelope(self, stored_at: i64) -> FetchedEnvelope {
        let parsed = parse_header_envelope(&self.header);
        let needs_date = parsed.date.is_none() && self.internal_date.is_none();
        let arrived = self.internal_date.unwrap_or(stored_at);
        let mut envelope = NewEnvelope::from_envelope(parsed, self.flags, self.size, arrived);
        envelope.uid = Some(self.uid);
        envelope.needs_date = needs_date;
        FetchedEnvelope {
            uid: self.uid,
            envelope,
        }
    }
}

/// The store's flags from IMAP system flags; keywords are ignored.
pub fn parse_flags(list: &[Cow<'_, str>]) -> Flags {
    let mut flags = Flags::default();
    for flag in list {
        let flag: &str = flag;
        if flag.eq_ignore_ascii_case("\\Seen") {
            flags.seen = true;
        } else if flag.eq_ignore_ascii_case("\\Flagged") {
            flags.flagged = true;
        } else if flag.eq_ignore_ascii_case("\\Answered") {
            flags.answered = true;
        } else if flag.eq_ignore_ascii_case("\\Deleted") {
            flags.deleted = true;
        } else if flag.eq_ignore_ascii_case("\\Draft") {
            flags.draft = true;
        }
    }
    flags
}

/// The (UID, INTERNALDATE) of a FETCH answer to [`DATE_ITEMS`]; `None` for anything
/// else, or a date that cannot be read.
pub fn uid_and_internal_date(attributes: &[AttributeValue<'_>]) -> Option<(u32, i64)> {
    let mut uid = None;
    let mut date = None;
    for attribute in attributes {
        match attribute {
            AttributeValue::Uid(value) => uid = Some(*value),
            AttributeValue::InternalDate(text) => date = parse_internal_date(text),
            _ => {}
        }
    }
    Some((uid?, date?))
}

/// IMAP's INTERNALDATE (`17-Jul-1996 02:44:25 -0700`, the day maybe space-padded)
/// as Unix seconds; `None` when unparsable. Read by hand: chrono's format-string
/// parser cost more than the rest of a FETCH answer's handling.
pub fn parse_internal_date(text: &str) -> Option<i64> {
    internal_date(text.trim().as_bytes())
}

fn internal_date(text: &[u8]) -> Option<i64> {
    let (day, rest) = split_at_byte(text, b'-')?;
    let (month, rest) = split_at_byte(rest, b'-')?;
    let (year, rest) = split_at_byte(rest, b' ')?;
    let (time, zone) = split_at_byte(rest, b' ')?;
    let month = MONTHS
        .iter()
        .position(|m| m.as_bytes().eq_ignore_ascii_case(month))?;
    let date = chrono::NaiveDate::from_ymd_opt(
        i32::try_from(number(year)?).ok()?,
        u32::try_from(month + 1).ok()?,
        u32::try_from(number(day.trim_ascii_start())?).ok()?,
    )?;
    let [h1, h2, b':', m1, m2, b':', s1, s2] = time else {
        return None;
    };
    let time = chrono::NaiveTime::from_hms_opt(
        u32::try_from(number(&[*h1, *h2])?).ok()?,
        u32::try_from(number(&[*m1, *m2])?).ok()?,
        u32::try_from(number(&[*s1, *s2])?).ok()?,
    )?;
    let [sign @ (b'+' | b'-'), zone @ ..] = zone else {
        return None;
    };
    let [zh1, zh2, zm1, zm2] = zone else {
        return None;
    };
    let offset = number(&[*zh1, *zh2])? * 3600 + number(&[*zm1, *zm2])? * 60;
    let offset = if *sign == b'-' { -offset } else { offset };
    Some(date.and_time(time).and_utc().timestamp() - offset)
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

fn split_at_byte(text: &[u8], byte: u8) -> Option<(&[u8], &[u8])> {
    let at = text.iter().position(|b| *b == byte)?;
    Some((&text[..at], &text[at + 1..]))
}

/// A short run of ASCII digits.
fn number(digits: &[u8]) -> Option<i64> {
    if digits.is_empty() || digits.len() > 4 {
        return None;
    }
    digits.iter().try_fold(0i64, |n, d| {
        d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_an_envelope_from_fetch_attributes() {
        let header = b"From: Ann <ann@example.test>\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\n\
            Date: Tue, 1 Jul 2025 10:00:00 +0000\r\n\
            Content-Type: multipart/mixed; boundary=x\r\n\r\n";
        let attributes = vec![
            AttributeValue::Uid(42),
            AttributeValue::Flags(vec![Cow::Borrowed("\\Seen"), Cow::Borrowed("$Junk")]),
            AttributeValue::Rfc822Size(1234),
            AttributeValue::InternalDate(Cow::Borrowed("02-Jul-2025 10:00:00 +0000")),
            AttributeValue::BodySection {
                section: None,
                index: None,
                data: Some(Cow::Borrowed(&header[..])),
            },
        ];
        let fetched = FetchedEnvelope::from_attributes(&attributes, 1_800_000_000).unwrap();
        assert_eq!(fetched.uid, 42);
        let e = fetched.envelope;
        assert_eq!(e.uid, Some(42));
        assert_eq!(e.subject, "café");
        assert_eq!(e.from_display, "Ann <ann@example.test>");
        assert_eq!(e.date, 1_751_364_000);
        assert_eq!(e.arrived, 1_751_450_400);
        assert!(!e.needs_date);
        assert_eq!(e.size, 1234);
        assert!(e.flags.seen && !e.flags.flagged);
        assert!(e.has_attachments);
    }

    fn answer(
        header: &'static [u8],
        internal_date: Option<&'static str>,
    ) -> Vec<AttributeValue<'static>> {
        let mut attributes = vec![
            AttributeValue::Uid(9),
            AttributeValue::Flags(Vec::new()),
            AttributeValue::Rfc822Size(10),
            AttributeValue::BodySection {
                section: None,
                index: None,
                data: Some(Cow::Borrowed(header)),
            },
        ];
        if let Some(date) = internal_date {
            attributes.push(AttributeValue::InternalDate(Cow::Borrowed(date)));
        }
        attributes
    }

    #[test]
    fn without_a_date_header_the_arrival_dates_the_message() {
        let stored_at = 1_800_000_000;
        let undated = b"From: a@example.test\r\nDate: someday\r\n\r\n";
        // No INTERNALDATE either (an envelope sync does not ask for it): dated by
        // when it is stored, until the server's date is fetched.
        let e = FetchedEnvelope::from_attributes(&answer(undated, None), stored_at)
            .unwrap()
            .envelope;
        assert_eq!(
            (e.date, e.arrived, e.needs_date),
            (stored_at, stored_at, true)
        );
        // With an INTERNALDATE, that is the date.
        let sent = answer(undated, Some("02-Jul-2025 10:00:00 +0000"));
        let e = FetchedEnvelope::from_attributes(&sent, stored_at)
            .unwrap()
            .envelope;
        assert_eq!(
            (e.date, e.arrived, e.needs_date),
            (1_751_450_400, 1_751_450_400, false)
        );
        // A Date header dates it; it arrived when it was stored.
        let dated = b"Date: Tue, 1 Jul 2025 10:00:00 +0000\r\n\r\n";
        let e = FetchedEnvelope::from_attributes(&answer(dated, None), stored_at)
            .unwrap()
            .envelope;
        assert_eq!(
            (e.date, e.arrived, e.needs_date),
            (1_751_364_000, stored_at, false)
        );
    }

    #[test]
    fn reads_the_answer_to_a_date_fetch() {
        let date = |text| AttributeValue::InternalDate(Cow::Borrowed(text));
        let good = [AttributeValue::Uid(3), date("02-Jul-2025 10:00:00 +0000")];
        assert_eq!(uid_and_internal_date(&good), Some((3, 1_751_450_400)));
        assert_eq!(uid_and_internal_date(&[AttributeValue::Uid(3)]), None);
        assert_eq!(
            uid_and_internal_date(&[AttributeValue::Uid(3), date("soon")]),
            None
        );
        let flags_only = [AttributeValue::Flags(vec![Cow::Borrowed("\\Seen")])];
        assert_eq!(uid_and_internal_date(&flags_only), None);
    }

    #[test]
    fn a_fetch_without_uid_is_not_an_envelope() {
        let attributes = vec![AttributeValue::Flags(vec![Cow::Borrowed("\\Seen")])];
        assert!(FetchedEnvelope::from_attributes(&attributes, 0).is_none());
        let attributes = vec![
            AttributeValue::Uid(7),
            AttributeValue::Flags(vec![Cow::Borrowed("\\Seen")]),
        ];
        assert!(FetchedEnvelope::from_attributes(&attributes, 0).is_none());
    }

    #[test]
    fn internal_dates_are_read_with_their_zone() {
        assert_eq!(
            parse_internal_date("02-Jul-2025 10:00:00 +0000"),
            Some(1_751_450_400)
        );
        assert_eq!(
            parse_internal_date("17-Jul-1996 02:44:25 -0700"),
            Some(837_596_665)
        );
        // Space-padded day, lower-case month, positive zone with minutes.
        assert_eq!(
            parse_internal_date(" 2-jul-2025 15:30:00 +0530"),
            Some(1_751_450_400)
        );
        // Agrees with chrono's reading of the same format.
        for text in ["29-Feb-2024 23:59:59 +1400", "01-Jan-1970 00:00:00 +0000"] {
            let chrono = chrono::DateTime::parse_from_str(text, "%d-%b-%Y %H:%M:%S %z")
                .unwrap()
                .timestamp();
            assert_eq!(parse_internal_date(text), Some(chrono), "{text}");
        }
    }

    #[test]
    fn bad_internal_date_is_none() {
        for text in [
            "yesterday",
            "",
            "31-Feb-2025 10:00:00 +0000",
            "02-Jux-2025 10:00:00 +0000",
            "02-Jul-2025 25:00:00 +0000",
            "02-Jul-2025 10:00:00 0000",
            "02-Jul-2025 10:00 +0000",
            "02-Jul-2025 10:00:00 +00000",
            "02-Jul-99999 10:00:00 +0000",
            "02-Jul-2025 1a:00:00 +0000",
        ] {
            assert_eq!(parse_internal_date(text), None, "{text}");
        }
    }
}
