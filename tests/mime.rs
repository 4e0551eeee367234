//! The message layer against the demo samples and hostile input.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use postern::mime::{
    RenderOptions, Rendered, parse_envelope, parse_header_envelope, render, render_with, sanitize,
};

const SAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/demo");

/// Width 80, dates in UTC: snapshots must not depend on the machine's TZ.
const OPTS: RenderOptions = RenderOptions {
    width: 80,
    tz_offset: Some(0),
};

fn sample_paths() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("samples dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "eml") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(Path::new(SAMPLES), &mut out);
    out.sort();
    out
}

fn sample(rel: &str) -> Vec<u8> {
    std::fs::read(Path::new(SAMPLES).join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn rendered(rel: &str) -> Rendered {
    render_with(&sample(rel), &OPTS)
}

/// The rendered message as the reader would show it, for snapshots.
fn as_text(r: &Rendered) -> String {
    let mut out = String::new();
    for (name, value) in &r.headers {
        out.push_str(&format!("{name}: {value}\n"));
    }
    out.push('\n');
    for line in &r.body {
        out.push_str(line);
        out.push('\n');
    }
    for a in &r.attachments {
        out.push_str(&format!(
            "[attachment] {} ({}, {} bytes)\n",
            a.name, a.mime_type, a.size
        ));
    }
    out
}

fn is_unsafe(c: char) -> bool {
    c < ' '
        || ('\u{7f}'..='\u{9f}').contains(&c)
        || ('\u{202a}'..='\u{202e}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// Every string in a Rendered is terminal-safe.
fn assert_all_safe(r: &Rendered, what: &str) {
    let strings = r
        .headers
        .iter()
        .chain(&r.all_headers)
        .flat_map(|(k, v)| [k, v])
        .chain(&r.body)
        .chain(r.attachments.iter().flat_map(|a| [&a.name, &a.mime_type]));
    for s in strings {
        assert!(!s.chars().any(is_unsafe), "{what}: unsafe text {s:?}");
    }
}

fn header<'a>(r: &'a Rendered, name: &str) -> &'a str {
    r.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {name} header in {:?}", r.headers))
}

fn body(r: &Rendered) -> String {
    r.body.join("\n")
}

// ------------------------------------------------------------------ samples

#[test]
fn sample_layout_matches_what_demo_expects() {
    let paths = sample_paths();
    assert!((25..=40).contains(&paths.len()), "{} samples", paths.len());
    for folder in [
        "work/INBOX",
        "work/Sent",
        "work/Archive",
        "personal/INBOX",
        "personal/Sent",
    ] {
        assert!(
            paths
                .iter()
                .any(|p| p.starts_with(Path::new(SAMPLES).join(folder))),
            "no sample in {folder}"
        );
    }
    for path in &paths {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let (nn, slug) = name.split_at(2);
        assert!(
            nn.chars().all(|c| c.is_ascii_digit()) && slug.starts_with('-'),
            "{name}"
        );
        // LF line endings throughout, consistently.
        let raw = std::fs::read(path).unwrap();
        assert!(!raw.contains(&b'\r'), "{} has CR", path.display());
    }
}

#[test]
fn every_sample_parses_and_renders_safely() {
    for path in sample_paths() {
        let what = path.display().to_string();
        let raw = std::fs::read(&path).unwrap();
        let env = parse_envelope(&raw);
        assert!(env.message_id.is_some(), "{what}: no message id");
        assert!(!env.subject.is_empty(), "{what}: no subject");
        assert!(!env.from.is_empty(), "{what}: no sender");
        assert!(!env.to.is_empty(), "{what}: no recipient");
        let date = env.date.unwrap_or_else(|| panic!("{what}: no date"));
        // 2026-10-01 .. 2026-12-01
        assert!(
            (1_790_812_800..1_795_996_800).contains(&date),
            "{what}: date {date}"
        );

        let r = render_with(&raw, &OPTS);
        assert_all_safe(&r, &what);
        assert!(!r.body.is_empty(), "{what}: empty body");
        assert_eq!(
            header(&r, "Subject"),
            sanitize::line(&env.subject),
            "{what}"
        );
        assert_eq!(env.has_attachments, !r.attachments.is_empty(), "{what}");
        assert!(r.all_headers.len() >= 6, "{what}: {:?}", r.all_headers);
    }
}

/// The header block of a message, as an IMAP `BODY[HEADER.FIELDS (...)]` returns it.
fn header_block(raw: &[u8]) -> &[u8] {
    let end = [&b"\r\n\r\n"[..], b"\n\n"]
        .iter()
        .filter_map(|sep| {
            raw.windows(sep.len())
                .position(|w| w == *sep)
                .map(|at| at + sep.len())
        })
        .min()
        .unwrap_or(raw.len());
    &raw[..end]
}

#[test]
fn the_header_alone_gives_the_same_envelope() {
    for path in sample_paths() {
        let what = path.display().to_string();
        let raw = std::fs::read(&path).unwrap();
        let full = parse_envelope(&raw);
        let from_header = parse_header_envelope(header_block(&raw));
        // Without the body, attachments are what the Content-Type announces.
        let mixed = String::from_utf8_lossy(header_block(&raw))
            .to_ascii_lowercase()
            .contains("content-type: multipart/mixed");
        assert_eq!(from_header.has_attachments, mixed, "{what}");
        assert_eq!(
            from_header,
            postern::mime::Envelope {
                has_attachments: mixed,
                ..full
            },
            "{what}"
        );
    }
}

#[test]
fn only_the_content_type_announces_attachments() {
    let mixed = b"Subject: x\r\nContent-Type: Multipart/Mixed; boundary=b\r\n\r\n";
    assert!(parse_header_envelope(mixed).has_attachments);
    let alternative = b"Subject: x\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n";
    assert!(!parse_header_envelope(alternative).has_attachments);
    // Words in other fields are not a Content-Type.
    let mention = b"Subject: why multipart/mixed?\r\nContent-Type: text/plain\r\n\r\n";
    let envelope = parse_header_envelope(mention);
    assert!(!envelope.has_attachments);
    assert_eq!(envelope.subject, "why multipart/mixed?");
    assert_eq!(
        parse_header_envelope(b""),
        postern::mime::Envelope::default()
    );
}

#[test]
fn sample_dates_are_spread_over_weeks() {
    let mut dates: Vec<i64> = sample_paths()
        .iter()
        .filter_map(|p| parse_envelope(&std::fs::read(p).unwrap()).date)
        .collect();
    dates.sort();
    let span_days = (dates[dates.len() - 1] - dates[0]) / 86_400;
    assert!(span_days >= 14, "dates span only {span_days} days");
}

#[test]
fn thread_headers_link_replies() {
    let root = parse_envelope(&sample("work/INBOX/02-q4-roadmap.eml"));
    let first = parse_envelope(&sample("work/INBOX/03-re-q4-roadmap.eml"));
    let ada = parse_envelope(&sample("work/Sent/01-re-q4-roadmap.eml"));
    let last = parse_envelope(&sample("work/INBOX/04-re-q4-roadmap.eml"));
    assert_eq!(first.in_reply_to, root.message_id);
    assert_eq!(ada.in_reply_to, first.message_id);
    assert_eq!(last.in_reply_to, ada.message_id);
    // Folded References is unfolded into one line in the full headers.
    let r = rendered("work/INBOX/04-re-q4-roadmap.eml");
    let refs = r
        .all_headers
        .iter()
        .find(|(k, _)| k == "References")
        .unwrap();
    for id in [&root, &first, &ada] {
        assert!(
            refs.1.contains(id.message_id.as_deref().unwrap()),
            "{refs:?}"
        );
    }
}

#[test]
fn envelope_decodes_names_and_flattens_groups() {
    let env = parse_envelope(&sample("work/INBOX/03-re-q4-roadmap.eml"));
    assert_eq!(env.from[0].name.as_deref(), Some("Ferreira, Tomás"));
    assert_eq!(env.from[0].email, "tomas.ferreira@contoso.com");
    assert_eq!(env.cc.len(), 2);
    let r = rendered("work/INBOX/03-re-q4-roadmap.eml");
    assert_eq!(
        header(&r, "From"),
        "\"Ferreira, Tomás\" <tomas.ferreira@contoso.com>"
    );

    let group = parse_envelope(&sample("work/INBOX/13-cc-group-announcement.eml"));
    let emails: Vec<_> = group.to.iter().map(|a| a.email.as_str()).collect();
    assert_eq!(
        emails,
        [
            "priya.raman@contoso.com",
            "ada@contoso.com",
            "mei.chen@contoso.com"
        ]
    );
    assert!(
        group.cc.is_empty(),
        "empty group yields no address: {:?}",
        group.cc
    );
    assert_eq!(group.subject, "Project Falcon — kick-off moved to Thursday");
}

// ------------------------------------------------------------------ charsets

#[test]
fn charsets_in_samples_decode() {
    let cases = [
        (
            "personal/INBOX/01-utf8-b-subject.eml",
            "Café am Samstag? ☕ Wir treffen uns um 10 Uhr",
            "Café Größenwahn",
        ),
        (
            "personal/INBOX/02-iso-8859-1-q-subject.eml",
            "Réservation confirmée – 4–6 décembre (n° 55812)",
            "Chère Madame Lindqvist",
        ),
        (
            "personal/INBOX/03-koi8-r.eml",
            "Привет из Москвы!",
            "Как дела?",
        ),
        (
            "personal/INBOX/04-shift-jis.eml",
            "京都旅行のお礼",
            "先日は京都のご案内をありがとうございました。",
        ),
        (
            "personal/INBOX/05-iso-2022-jp.eml",
            "勉強会の資料について",
            "１２月の勉強会の資料を共有いたします。",
        ),
        (
            "personal/INBOX/09-gb2312.eml",
            "周末一起去爬山吗？",
            "这个周末天气很好",
        ),
        (
            "personal/INBOX/10-iso-8859-15-euro.eml",
            "Ihre Bestellung 2026-4471 – Versandbestätigung",
            "24,00 €",
        ),
        (
            "work/Archive/02-expense-approved.eml",
            "Expense report \"Berlin conference\" approved",
            "“Berlin conference” (812,40 €)",
        ),
        (
            "work/INBOX/09-rfc2231-attachment-name.eml",
            "Protokoll der Budgetrunde",
            "Grüße",
        ),
    ];
    for (path, subject, in_body) in cases {
        let r = rendered(path);
        assert_eq!(header(&r, "Subject"), subject, "{path}");
        assert!(body(&r).contains(in_body), "{path}: {:?}", r.body);
        assert!(!body(&r).contains('\u{fffd}'), "{path}: replacement char");
    }
    let r = rendered("personal/INBOX/03-koi8-r.eml");
    assert_eq!(
        header(&r, "From"),
        "Дмитрий Соколов <dmitry.sokolov@yandex.example>"
    );
    let r = rendered("personal/INBOX/05-iso-2022-jp.eml");
    assert_eq!(
        header(&r, "From"),
        "田中 一郎 <ichiro.tanaka@sample.example.jp>"
    );
}

fn plain(charset: &str, cte: &str, body: &[u8]) -> Vec<u8> {
    let mut raw = format!(
        "From: a@example.com\nTo: b@example.com\nSubject: t\nDate: Sat, 21 Nov 2026 14:03:00 +0000\n\
         MIME-Version: 1.0\nContent-Type: text/plain; charset={charset}\nContent-Transfer-Encoding: {cte}\n\n"
    )
    .into_bytes();
    raw.extend_from_slice(body);
    raw
}

#[test]
fn single_byte_and_utf7_charsets() {
    let cases: [(&str, &[u8], &str); 5] = [
        ("iso-8859-1", b"caf\xe9 na\xefve", "café naïve"),
        ("iso-8859-15", b"\xa4 100, \xbd", "€ 100, œ"),
        (
            "windows-1252",
            b"\x93quoted\x94 \x80 \x96 dash",
            "“quoted” € – dash",
        ),
        ("koi8-r", b"\xf0\xd2\xc9\xd7\xc5\xd4", "Привет"),
        ("utf-7", b"Hi Mom -+Jjo--!", "Hi Mom -☺-!"),
    ];
    for (charset, bytes, expected) in cases {
        let r = render_with(&plain(charset, "8bit", bytes), &OPTS);
        assert_eq!(r.body, [expected], "{charset}");
    }
}

#[test]
fn unknown_charset_is_decoded_lossily_with_a_note() {
    let r = rendered("personal/INBOX/11-unknown-charset.eml");
    assert!(
        r.body[0].contains("unknown charset \"x-mac-klingon\""),
        "{:?}",
        r.body
    );
    assert!(body(&r).contains("caf\u{fffd} break"), "{:?}", r.body);
    // A known charset gets no note.
    let r = render_with(&plain("utf-8", "8bit", "ok ✓".as_bytes()), &OPTS);
    assert_eq!(r.body, ["ok ✓"]);
}

// ------------------------------------------------------------------ structure

#[test]
fn alternative_prefers_plain_text_even_when_html_comes_first() {
    let raw = b"From: a@example.com\nSubject: alt\nMIME-Version: 1.0\n\
Content-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/html\n\n<p><b>rich</b> version</p>\n\
--b\nContent-Type: text/plain\n\nplain version\n--b--\n";
    let r = render_with(raw, &OPTS);
    assert_eq!(r.body, ["plain version"]);
    // The invite: multipart/mixed > alternative (plain + html) + calendar.
    let r = rendered("work/INBOX/01-weekly-sync-invite.eml");
    assert!(body(&r).contains("Moving our weekly sync to Tuesdays"));
    assert!(
        !body(&r).contains("**Tuesdays**"),
        "HTML alternative was rendered"
    );
    assert_eq!(r.attachments.len(), 1);
    assert_eq!(r.attachments[0].name, "invite.ics");
    assert_eq!(r.attachments[0].mime_type, "text/calendar");
}

#[test]
fn related_html_uses_plain_and_lists_inline_image() {
    let r = rendered("work/INBOX/12-html-inline-logo.eml");
    assert!(body(&r).starts_with("Hello Ada,"), "{:?}", r.body);
    assert_eq!(r.attachments.len(), 1);
    let logo = &r.attachments[0];
    assert_eq!(
        (logo.name.as_str(), logo.mime_type.as_str()),
        ("contoso-it.png", "image/png")
    );
    assert!(logo.size > 60, "decoded PNG size {}", logo.size);
}

#[test]
fn attachments_have_names_types_and_decoded_sizes() {
    let raw = sample("work/INBOX/07-invoice-attachments.eml");
    let r = render_with(&raw, &OPTS);
    let pdf = &r.attachments[0];
    assert_eq!(pdf.name, "INV-2026-1187.pdf");
    assert_eq!(pdf.mime_type, "application/pdf");
    // The sample declares the real size in the disposition's size= parameter.
    let text = String::from_utf8_lossy(&raw);
    let declared: usize = text
        .split("size=")
        .nth(1)
        .and_then(|s| s.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|s| s.parse().ok())
        .expect("size= parameter");
    assert_eq!(pdf.size, declared);
    let xlsx = &r.attachments[1];
    assert_eq!(xlsx.name, "cost-breakdown-2026-10.xlsx");
    assert_eq!(
        xlsx.mime_type,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    // base64 expands 3 bytes to 4 characters: the decoded size is about 3/4 of the encoded one.
    let b64_start = text.find("UEsDB").expect("zip magic in base64");
    let b64_len = text[b64_start..]
        .split("\n--")
        .next()
        .unwrap()
        .replace('\n', "")
        .len();
    assert!(
        xlsx.size <= b64_len * 3 / 4 && xlsx.size + 3 > b64_len * 3 / 4,
        "{} vs {b64_len}",
        xlsx.size
    );
}

#[test]
fn rfc2231_and_rfc2047_attachment_names() {
    let r = rendered("work/INBOX/09-rfc2231-attachment-name.eml");
    assert_eq!(
        r.attachments[0].name,
        "Protokoll Überprüfung Q3–Budget (2026).txt"
    );
    assert_eq!(r.attachments[0].mime_type, "text/plain");
    assert!(
        !body(&r).contains("Teilnehmer"),
        "attachment text leaked into body"
    );
    let r = rendered("personal/Sent/02-photo-attachment.eml");
    assert_eq!(r.attachments[0].name, "Gipfel–Panorama.png");
}

#[test]
fn forwarded_message_is_shown_inline_with_its_headers() {
    let r = rendered("personal/INBOX/08-forwarded-rfc822.eml");
    let text = body(&r);
    let start = text
        .find("---------- Forwarded message ----------")
        .expect("marker");
    let inner = &text[start..];
    assert!(inner.contains("From: Lena Hoffmann <lena.hoffmann@posteo.example>"));
    assert!(inner.contains("Subject: Wohnungsbesichtigung am Samstag"));
    assert!(inner.contains("Lychener Straße 12"));
    assert!(text.find("Ada, kannst du mitkommen?").unwrap() < start);
    assert_eq!(r.attachments[0].mime_type, "message/rfc822");
}

#[test]
fn no_text_part_says_so() {
    let raw = b"From: a@example.com\nSubject: scans\nMIME-Version: 1.0\n\
Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: image/png; name=a.png\n\
Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n--x\nContent-Type: application/pdf; name=b.pdf\n\
Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--x--\n";
    let r = render_with(raw, &OPTS);
    assert_eq!(r.body, ["(no text part; 2 attachments)"]);
    assert_eq!(
        r.attachments.iter().map(|a| a.size).collect::<Vec<_>>(),
        [8, 9]
    );
    assert!(parse_envelope(raw).has_attachments);
}

// ------------------------------------------------------------------ HTML

#[test]
fn html_only_message_is_converted_with_link_footnotes() {
    let r = rendered("personal/INBOX/06-html-table-links.eml");
    let text = body(&r);
    assert!(text.contains("ICE 1009"), "{text}");
    assert!(text.contains("[Manage your booking][1]"), "{text}");
    assert!(
        text.contains("[1]: https://www.bahn.example/buchung/Q7XK2M"),
        "{text}"
    );
    assert!(!text.contains("<td>") && !text.contains("&euro;"), "{text}");
}

#[test]
fn html_is_wrapped_at_the_requested_width() {
    let raw = sample("work/INBOX/05-engineering-weekly.eml");
    for width in [40, 60, 100] {
        let r = render_with(
            &raw,
            &RenderOptions {
                width,
                tz_offset: Some(0),
            },
        );
        for line in &r.body {
            // Footnote URLs are not breakable; everything else fits.
            if !line.starts_with('[') {
                let w = unicode_width::UnicodeWidthStr::width(line.as_str());
                assert!(w <= width, "width {width}: {w} columns: {line:?}");
            }
        }
    }
    // Absurdly narrow requests still render something.
    let r = render(&raw, 1);
    assert!(body(&r).contains("Rust at Contoso"));
}

// ------------------------------------------------------------------ dates

#[test]
fn dates_render_in_the_requested_zone() {
    let raw = plain("utf-8", "8bit", b"x");
    let utc = render_with(&raw, &OPTS);
    assert_eq!(header(&utc, "Date"), "Sat, 21 Nov 2026 14:03");
    let cet = render_with(
        &raw,
        &RenderOptions {
            width: 80,
            tz_offset: Some(3600),
        },
    );
    assert_eq!(header(&cet, "Date"), "Sat, 21 Nov 2026 15:03");
    let tokyo = render_with(
        &raw,
        &RenderOptions {
            width: 80,
            tz_offset: Some(9 * 3600),
        },
    );
    assert_eq!(header(&tokyo, "Date"), "Sat, 21 Nov 2026 23:03");
    assert_eq!(parse_envelope(&raw).date, Some(1_795_269_780));
}

#[test]
fn garbage_or_missing_date_is_none() {
    let raw = b"From: a@example.com\nDate: sometime next week\nSubject: x\n\nbody\n";
    assert_eq!(parse_envelope(raw).date, None);
    let r = render_with(raw, &OPTS);
    assert_eq!(header(&r, "Date"), "sometime next week");
    let raw = b"From: a@example.com\nSubject: x\n\nbody\n";
    assert_eq!(parse_envelope(raw).date, None);
    assert!(
        render_with(raw, &OPTS)
            .headers
            .iter()
            .all(|(k, _)| k != "Date")
    );
}

// ------------------------------------------------------------------ escapes

#[test]
fn escape_sequence_sample_is_neutralised() {
    let raw = sample("personal/INBOX/07-escape-sequences.eml");
    assert!(raw.contains(&0x1b), "the sample must really carry ESC");
    let env = parse_envelope(&raw);
    // The envelope keeps the decoded text; drawing it goes through the gate.
    assert!(env.subject.contains('\u{1b}'));
    assert_eq!(sanitize::line(&env.subject), "URGENT mailbox full  act now");

    let r = render_with(&raw, &OPTS);
    assert_all_safe(&r, "escape sample");
    assert_eq!(header(&r, "Subject"), "URGENT mailbox full  act now");
    assert_eq!(
        header(&r, "From"),
        "Mail Admin (verified) <admin@mailbox-quota.example>"
    );
    let text = body(&r);
    assert!(
        text.contains("Your mailbox is FULL and will be deleted today."),
        "{text}"
    );
    assert!(text.contains("Click here to keep your mail."), "{text}");
    assert!(text.contains("This line used an 8-bit CSI."), "{text}");
    assert!(text.contains("invoice_gpj.exe"), "{text}");
    assert!(!text.contains("postern: all mail deleted") && !text.contains("phish.example"));
}

#[test]
fn html_entities_cannot_smuggle_escapes() {
    let raw = b"From: a@example.com\nSubject: x\nContent-Type: text/html\n\n\
<p>a&#27;[2Jb &#x9b;31mc&#155;d &#8238;e</p>\n";
    let r = render_with(raw, &OPTS);
    assert_all_safe(&r, "html entities");
    assert!(body(&r).contains('a') && body(&r).contains('e'));
}

#[test]
fn sanitizer_is_a_no_op_on_rendered_output() {
    for path in sample_paths() {
        let r = render_with(&std::fs::read(&path).unwrap(), &OPTS);
        for line in &r.body {
            assert!(matches!(sanitize::line(line), Cow::Borrowed(_)), "{line:?}");
        }
    }
}

// ------------------------------------------------------------------ garbage

/// Deterministic pseudo-random numbers (xorshift64).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn exercise(raw: &[u8]) {
    let env = parse_envelope(raw);
    let r = render_with(raw, &OPTS);
    assert_all_safe(&r, "garbage");
    let _ = (env, r);
}

#[test]
fn prefixes_of_every_sample_never_panic() {
    for path in sample_paths() {
        let raw = std::fs::read(&path).unwrap();
        // Every prefix of the first 2 KiB (headers, boundaries), then a stride.
        let mut cut = 0;
        while cut <= raw.len() {
            exercise(&raw[..cut]);
            cut += if cut < 2048 { 1 } else { 61 };
        }
    }
}

#[test]
fn random_bytes_and_mutated_samples_never_panic() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..300 {
        let len = (rng.next() % 2000) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        exercise(&bytes);
    }
    const TOKENS: &[&[u8]] = &[
        b"\n--",
        b"=?utf-8?B?",
        b"?=",
        b"Content-Type: multipart/mixed; boundary=",
        b"Content-Type: message/rfc822\n\n",
        b"charset=\"",
        b"\x1b]0;",
        b"\xc2\x9b",
        b"<table><tr><td>",
        b"=\n",
        b"\r",
        b"\0",
        b"filename*0*=",
    ];
    for path in sample_paths() {
        let raw = std::fs::read(&path).unwrap();
        for _ in 0..20 {
            let mut m = raw.clone();
            for _ in 0..(1 + rng.next() % 8) {
                let at = (rng.next() as usize) % (m.len() + 1);
                match rng.next() % 3 {
                    0 if at < m.len() => m[at] = rng.next() as u8,
                    1 => {
                        let tok = TOKENS[(rng.next() as usize) % TOKENS.len()];
                        m.splice(at..at, tok.iter().copied());
                    }
                    _ => m.truncate(at.max(1)),
                }
            }
            exercise(&m);
        }
    }
}

#[test]
fn deeply_nested_multiparts_do_not_overflow() {
    let mut raw = String::from("From: a@example.com\nSubject: deep\nMIME-Version: 1.0\n");
    for i in 0..200 {
        raw.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=b{i}\n\n--b{i}\n"
        ));
    }
    raw.push_str("Content-Type: text/plain\n\nbottom\n");
    exercise(raw.as_bytes());
    exercise(b"");
    exercise(b"\n\n\n");
    exercise(b"Subject: =?utf-8?B?////?=\n\n");
}

// ------------------------------------------------------------------ snapshots

#[test]
fn snapshot_html_table_links() {
    insta::assert_snapshot!(as_text(&rendered("personal/INBOX/06-html-table-links.eml")));
}

#[test]
fn snapshot_escape_sequences() {
    insta::assert_snapshot!(as_text(&rendered("personal/INBOX/07-escape-sequences.eml")));
}

#[test]
fn snapshot_forwarded() {
    insta::assert_snapshot!(as_text(&rendered("personal/INBOX/08-forwarded-rfc822.eml")));
}

#[test]
fn snapshot_newsletter() {
    insta::assert_snapshot!(as_text(&rendered("work/INBOX/05-engineering-weekly.eml")));
}

#[test]
fn snapshot_invoice_attachments() {
    insta::assert_snapshot!(as_text(&rendered("work/INBOX/07-invoice-attachments.eml")));
}

#[test]
fn snapshot_shift_jis() {
    insta::assert_snapshot!(as_text(&rendered("personal/INBOX/04-shift-jis.eml")));
}

#[test]
fn snapshot_full_headers() {
    let r = rendered("personal/INBOX/02-iso-8859-1-q-subject.eml");
    let text: String = r
        .all_headers
        .iter()
        .map(|(k, v)| format!("{k}: {v}\n"))
        .collect();
    insta::assert_snapshot!(text);
}

#[test]
fn crlf_and_lf_render_the_same() {
    for rel in [
        "work/INBOX/07-invoice-attachments.eml",
        "personal/INBOX/06-html-table-links.eml",
        "personal/INBOX/08-forwarded-rfc822.eml",
    ] {
        let lf = sample(rel);
        let mut crlf = Vec::with_capacity(lf.len() * 2);
        for &b in &lf {
            if b == b'\n' {
                crlf.push(b'\r');
            }
            crlf.push(b);
        }
        let (a, b) = (render_with(&lf, &OPTS), render_with(&crlf, &OPTS));
        assert_eq!(a.headers, b.headers, "{rel}");
        assert_eq!(a.body, b.body, "{rel}");
        assert_eq!(a.attachments.len(), b.attachments.len(), "{rel}");
        assert_eq!(parse_envelope(&lf), parse_envelope(&crlf), "{rel}");
    }
}

#[test]
fn deeply_nested_html_does_not_overflow() {
    for tag in ["div", "table><tr><td", "blockquote", "ul><li"] {
        let open = format!("<{tag}>").repeat(3000);
        let raw =
            format!("From: a@example.com\nSubject: x\nContent-Type: text/html\n\n{open}deep\n");
        exercise(raw.as_bytes());
    }
}

/// Figures, not assertions: `cargo test --release --test mime -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_render_samples() {
    let raws: Vec<Vec<u8>> = sample_paths()
        .iter()
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    let bytes: usize = raws.iter().map(Vec::len).sum();
    let rounds = 50;
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        for raw in &raws {
            std::hint::black_box(parse_envelope(raw));
        }
    }
    let env = start.elapsed();
    let start = std::time::Instant::now();
    for _ in 0..rounds {
        for raw in &raws {
            std::hint::black_box(render_with(raw, &OPTS));
        }
    }
    let ren = start.elapsed();
    let n = (rounds * raws.len()) as f64;
    println!(
        "{} samples, {bytes} bytes: parse_envelope {:.1} us/msg, render {:.1} us/msg",
        raws.len(),
        env.as_secs_f64() * 1e6 / n,
        ren.as_secs_f64() * 1e6 / n
    );
}

#[test]
fn named_text_parts_are_attachments_unless_marked_inline() {
    let raw = b"From: a@example.com\nSubject: logs\nMIME-Version: 1.0\n\
Content-Type: multipart/mixed; boundary=x\n\n--x\nContent-Type: text/plain\n\nsee the log\n\
--x\nContent-Type: text/plain; name=\"build.log\"\n\nline 1\nline 2\n\
--x\nContent-Type: text/plain; name=\"footer.txt\"\nContent-Disposition: inline\n\n-- list footer\n\
--x\nContent-Type: text/html; name=\"report.html\"\n\n<p>report</p>\n--x--\n";
    let r = render_with(raw, &OPTS);
    assert_eq!(r.body, ["see the log", "-- list footer"]);
    let names: Vec<_> = r.attachments.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["build.log", "report.html"]);
    // The line break before a boundary belongs to the boundary (RFC 2046).
    assert_eq!(r.attachments[0].size, "line 1\nline 2".len());
}
