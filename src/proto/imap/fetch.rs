//! Turning FETCH responses into store envelopes.
//!
//! The envelope comes from the message's own header fields (parsed by
//! [`crate::mime::parse_header_envelope`], which decodes RFC 2047 words and dates the same way
//! for every account kind) rather than from IMAP's ENVELOPE structure.

use std::borrow::Cow;

use async_imap::imap_proto::AttributeValue;

use crate::mime::parse_header_envelope;
use crate::store::{Flags, NewEnvelope};

/// The FETCH items an envelope sync asks for.
pub const ENVELOPE_ITEMS: &str = "(UID FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[HEADER.FIELDS \
     (DATE FROM TO CC SUBJECT MESSAGE-ID IN-REPLY-TO CONTENT-TYPE)])";

/// One message of a FETCH answer, before it goes to the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedEnvelope {
    pub uid: u32,
    pub envelope: NewEnvelope,
}

impl FetchedEnvelope {
    /// Builds from a FETCH response's attributes. `None` when the UID or the header
    /// is missing (an unsolicited flag update, not an answer to our FETCH).
    pub fn from_attributes(attributes: &[AttributeValue<'_>]) -> Option<FetchedEnvelope> {
        RawFetch::from_attributes(attributes).map(RawFetch::into_envelope)
    }
}

/// A FETCH answer copied out of the response, header not parsed yet: the parsing
/// can then happen on another thread than the network reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFetch {
    pub uid: u32,
    pub flags: Flags,
    pub size: u64,
    /// INTERNALDATE, Unix seconds.
    pub arrived: i64,
    pub header: Vec<u8>,
}

impl RawFetch {
    /// See [`FetchedEnvelope::from_attributes`].
    pub fn from_attributes(attributes: &[AttributeValue<'_>]) -> Option<RawFetch> {
        let mut uid = None;
        let mut flags = Flags::default();
        let mut size = 0u64;
        let mut arrived = 0i64;
        let mut header: Option<&[u8]> = None;
        for attribute in attributes {
            match attribute {
                AttributeValue::Uid(value) => uid = Some(*value),
                AttributeValue::Flags(list) => flags = parse_flags(list),
                AttributeValue::Rfc822Size(value) => size = u64::from(*value),
                AttributeValue::InternalDate(date) => arrived = parse_internal_date(date),
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
            arrived,
            header: header?.to_vec(),
        })
    }

    /// Parses the header into the store's envelope.
    pub fn into_envelope(self) -> FetchedEnvelope {
        let parsed = parse_header_envelope(&self.header);
        let mut envelope = NewEnvelope::from_envelope(parsed, self.flags, self.size, self.arrived);
        envelope.uid = Some(self.uid);
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

/// IMAP's INTERNALDATE (`17-Jul-1996 02:44:25 -0700`, the day maybe space-padded)
/// as Unix seconds; 0 when unparsable (the Date header usually wins anyway). Read by
/// hand: it is parsed once per message of a sync, and chrono's format-string parser
/// cost more than the rest of the FETCH answer's handling.
pub fn parse_internal_date(text: &str) -> i64 {
    internal_date(text.trim().as_bytes()).unwrap_or(0)
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
        let fetched = FetchedEnvelope::from_attributes(&attributes).unwrap();
        assert_eq!(fetched.uid, 42);
        let e = fetched.envelope;
        assert_eq!(e.uid, Some(42));
        assert_eq!(e.subject, "café");
        assert_eq!(e.from_display, "Ann <ann@example.test>");
        assert_eq!(e.date, 1_751_364_000);
        assert_eq!(e.arrived, 1_751_450_400);
        assert_eq!(e.size, 1234);
        assert!(e.flags.seen && !e.flags.flagged);
        assert!(e.has_attachments);
    }

    #[test]
    fn a_fetch_without_uid_is_not_an_envelope() {
        let attributes = vec![AttributeValue::Flags(vec![Cow::Borrowed("\\Seen")])];
        assert!(FetchedEnvelope::from_attributes(&attributes).is_none());
        let attributes = vec![
            AttributeValue::Uid(7),
            AttributeValue::Flags(vec![Cow::Borrowed("\\Seen")]),
        ];
        assert!(FetchedEnvelope::from_attributes(&attributes).is_none());
    }

    #[test]
    fn internal_dates_are_read_with_their_zone() {
        assert_eq!(
            parse_internal_date("02-Jul-2025 10:00:00 +0000"),
            1_751_450_400
        );
        assert_eq!(
            parse_internal_date("17-Jul-1996 02:44:25 -0700"),
            837_596_665
        );
        // Space-padded day, lower-case month, positive zone with minutes.
        assert_eq!(
            parse_internal_date(" 2-jul-2025 15:30:00 +0530"),
            1_751_450_400
        );
        // Agrees with chrono's reading of the same format.
        for text in ["29-Feb-2024 23:59:59 +1400", "01-Jan-1970 00:00:00 +0000"] {
            let chrono = chrono::DateTime::parse_from_str(text, "%d-%b-%Y %H:%M:%S %z")
                .unwrap()
                .timestamp();
            assert_eq!(parse_internal_date(text), chrono, "{text}");
        }
    }

    #[test]
    fn bad_internal_date_is_zero() {
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
            assert_eq!(parse_internal_date(text), 0, "{text}");
        }
    }
}
