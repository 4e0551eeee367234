//! Building outgoing messages: headers, encodings, attachments and Bcc, read back
//! through mail-parser and postern's own renderer; address lists as typed; .eml input.

use mail_parser::{MessageParser, MimeHeaders};
use postern::mime::compose::{
    Attachment, ComposeError, Draft, guess_mime_type, message_from_eml, parse_address_list,
    prepare_for_sending,
};
use postern::mime::{Address, RenderOptions, parse_envelope, render_with};

fn addr(name: Option<&str>, email: &str) -> Address {
    Address {
        name: name.map(str::to_owned),
        email: email.to_owned(),
    }
}

fn draft() -> Draft {
    Draft {
        to: vec![addr(Some("Bob"), "bob@example.test")],
        subject: "Hello".into(),
        body: "Hi Bob,\nsee you.\n".into(),
        ..Draft::new(addr(Some("Alice Liddell"), "alice@example.test"))
    }
}

fn header_block(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    text.split("\r\n\r\n").next().unwrap().to_owned()
}

// ---------------------------------------------------------------------------------
// Headers

#[test]
fn plain_message_has_the_expected_headers() {
    let raw = draft().to_message().unwrap();
    let header = header_block(&raw);
    assert!(
        header.contains("From: \"Alice Liddell\" <alice@example.test>")
            || header.contains("From: Alice Liddell <alice@example.test>"),
        "{header}"
    );
    assert!(
        header.contains("To: Bob <bob@example.test>")
            || header.contains("To: \"Bob\" <bob@example.test>"),
        "{header}"
    );
    assert!(header.contains("Subject: Hello"), "{header}");
    assert!(header.contains("MIME-Version: 1.0"), "{header}");
    assert!(raw.is_ascii(), "a composed message is 7-bit clean");
    assert!(!String::from_utf8_lossy(&raw).contains("\n\n"), "CRLF only");
    assert!(
        raw.windows(2).all(|w| w[1] != b'\n' || w[0] == b'\r') && raw[0] != b'\n',
        "every LF is preceded by CR"
    );

    let parsed = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(parsed.subject(), Some("Hello"));
    let id = parsed.message_id().unwrap();
    assert!(id.ends_with("@example.test"), "{id}");
    let date = parsed.date().unwrap();
    assert!(date.is_valid());
    let age = chrono::Utc::now().timestamp() - date.to_timestamp();
    assert!((0..300).contains(&age), "Date is now: {date}");
    // Local time: the offset in the header is the machine's current one.
    let offset = chrono::Local::now().offset().local_minus_utc();
    let sign = if offset < 0 { '-' } else { '+' };
    let expected = format!(
        "{sign}{:02}{:02}",
        offset.abs() / 3600,
        offset.abs() % 3600 / 60
    );
    assert!(header.contains(&expected), "{expected} in {header}");
    assert_eq!(
        parsed.body_text(0).unwrap().replace("\r\n", "\n"),
        "Hi Bob,\nsee you.\n"
    );
    assert!(header.contains("User-Agent: postern/"));
}

#[test]
fn message_ids_are_fresh_and_at_the_sender_domain() {
    let first = parse_envelope(&draft().to_message().unwrap())
        .message_id
        .unwrap();
    let second = parse_envelope(&draft().to_message().unwrap())
        .message_id
        .unwrap();
    assert_ne!(first, second);
    let (local, domain) = first.split_once('@').unwrap();
    assert_eq!(domain, "example.test");
    assert!(local.len() >= 32, "random part: {local}");
}

#[test]
fn non_ascii_subject_and_names_are_rfc2047_encoded_and_round_trip() {
    let draft = Draft {
        subject: "Grüße aus Köln — 東京 ✓".into(),
        to: vec![addr(Some("Zoë Ünal"), "zoe@example.test")],
        ..Draft::new(addr(Some("Ådne Ørsted"), "adne@example.test"))
    };
    let raw = draft.to_message().unwrap();
    assert!(raw.is_ascii(), "headers are encoded, not 8-bit");
    let header = header_block(&raw);
    assert!(header.contains("=?utf-8?"), "{header}");
    let envelope = parse_envelope(&raw);
    assert_eq!(envelope.subject, "Grüße aus Köln — 東京 ✓");
    assert_eq!(
        envelope.from,
        vec![addr(Some("Ådne Ørsted"), "adne@example.test")]
    );
    assert_eq!(
        envelope.to,
        vec![addr(Some("Zoë Ünal"), "zoe@example.test")]
    );
}

#[test]
fn long_subject_is_folded_and_unfolds_to_the_same_text() {
    let subject = "word ".repeat(40).trim().to_owned();
    let raw = Draft {
        subject: subject.clone(),
        ..draft()
    }
    .to_message()
    .unwrap();
    let header = header_block(&raw);
    assert!(header.lines().all(|line| line.len() <= 998));
    assert!(
        header.lines().any(|line| line.starts_with(' ')),
        "folded: {header}"
    );
    assert_eq!(parse_envelope(&raw).subject, subject);
}

#[test]
fn newlines_in_a_subject_cannot_inject_headers() {
    let raw = Draft {
        subject: "hi\r\nBcc: evil@example.test\nX-Evil: 1".into(),
        ..draft()
    }
    .to_message()
    .unwrap();
    let parsed = MessageParser::default().parse(&raw).unwrap();
    assert!(parsed.bcc().is_none());
    assert!(parsed.header("X-Evil").is_none());
    assert_eq!(
        parsed.subject(),
        Some("hi Bcc: evil@example.test X-Evil: 1")
    );
}

#[test]
fn reply_headers_are_written_with_angle_brackets() {
    let raw = Draft {
        in_reply_to: Some("<parent@example.org>".into()),
        references: vec!["root@example.org".into(), "<parent@example.org>".into()],
        ..draft()
    }
    .to_message()
    .unwrap();
    let header = header_block(&raw);
    assert!(
        header.contains("In-Reply-To: <parent@example.org>"),
        "{header}"
    );
    assert!(
        header.contains("References: <root@example.org> <parent@example.org>"),
        "{header}"
    );
    assert_eq!(
        parse_envelope(&raw).in_reply_to.as_deref(),
        Some("parent@example.org")
    );
}

// ---------------------------------------------------------------------------------
// Body encodings

#[test]
fn ascii_body_is_7bit() {
    let raw = draft().to_message().unwrap();
    assert!(header_block(&raw).contains("Content-Transfer-Encoding: 7bit"));
}

#[test]
fn mostly_ascii_utf8_body_is_quoted_printable_and_decodes_back() {
    let body = "Café at noon?\nThe crème brûlée is on me.\n.\n.leading dot line\n";
    let raw = Draft {
        body: body.into(),
        ..draft()
    }
    .to_message()
    .unwrap();
    let text = String::from_utf8_lossy(&raw);
    assert!(
        text.contains("Content-Transfer-Encoding: quoted-printable"),
        "{text}"
    );
    assert!(
        text.to_lowercase().contains("charset=utf-8")
            || text.to_lowercase().contains("charset=\"utf-8\""),
        "{text}"
    );
    let parsed = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(parsed.body_text(0).unwrap().replace("\r\n", "\n"), body);
}

#[test]
fn mostly_non_ascii_body_is_base64_and_decodes_back() {
    let body = "日本語のテキストです。\nこれは本文です。\n";
    let raw = Draft {
        body: body.into(),
        ..draft()
    }
    .to_message()
    .unwrap();
    assert!(String::from_utf8_lossy(&raw).contains("Content-Transfer-Encoding: base64"));
    let parsed = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(parsed.body_text(0).unwrap().replace("\r\n", "\n"), body);
}

#[test]
fn long_lines_are_wrapped_on_the_wire_but_not_in_the_text() {
    let body = format!("{}é\n", "x".repeat(2000));
    let raw = Draft {
        body: body.clone(),
        ..draft()
    }
    .to_message()
    .unwrap();
    assert!(
        String::from_utf8_lossy(&raw)
            .split("\r\n")
            .all(|line| line.len() <= 998),
        "no line over the SMTP limit"
    );
    let parsed = MessageParser::default().parse(&raw).unwrap();
    assert_eq!(parsed.body_text(0).unwrap().replace("\r\n", "\n"), body);
}

// ---------------------------------------------------------------------------------
// Attachments

fn binary(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

#[test]
fn attachments_make_multipart_mixed_and_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let pdf_path = dir.path().join("report.pdf");
    let pdf = binary(70_000);
    std::fs::write(&pdf_path, &pdf).unwrap();
    let png = binary(1234);
    let raw = Draft {
        attachments: vec![
            Attachment::from_path(&pdf_path),
            Attachment::from_bytes("Schöne Grüße – Übersicht.png", png.clone()),
            Attachment::from_bytes("notes.txt", b"plain notes\r\nline 2\r\n".to_vec()),
        ],
        ..draft()
    }
    .to_message()
    .unwrap();
    assert!(raw.is_ascii());
    let parsed = MessageParser::default().parse(&raw).unwrap();
    let content_type = parsed.content_type().unwrap();
    assert_eq!(content_type.ctype(), "multipart");
    assert_eq!(content_type.subtype(), Some("mixed"));
    assert_eq!(
        parsed.body_text(0).unwrap().replace("\r\n", "\n"),
        "Hi Bob,\nsee you.\n"
    );
    assert_eq!(parsed.attachment_count(), 3);

    let first = parsed.attachment(0).unwrap();
    assert_eq!(first.attachment_name(), Some("report.pdf"));
    assert_eq!(first.content_type().unwrap().subtype(), Some("pdf"));
    assert_eq!(first.contents(), &pdf[..]);

    let second = parsed.attachment(1).unwrap();
    assert_eq!(
        second.attachment_name(),
        Some("Schöne Grüße – Übersicht.png")
    );
    assert_eq!(second.content_type().unwrap().ctype(), "image");
    assert_eq!(second.contents(), &png[..]);
    // The name is RFC 2231 encoded, not raw UTF-8.
    assert!(
        String::from_utf8_lossy(&raw).contains("filename*"),
        "RFC 2231 name"
    );

    let third = parsed.attachment(2).unwrap();
    assert_eq!(third.content_type().unwrap().subtype(), Some("plain"));
    assert_eq!(third.contents(), b"plain notes\r\nline 2\r\n");

    // postern's own renderer lists them.
    let rendered = render_with(
        &raw,
        &RenderOptions {
            width: 80,
            tz_offset: Some(0),
        },
    );
    let names: Vec<&str> = rendered
        .attachments
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(
        names,
        ["report.pdf", "Schöne Grüße – Übersicht.png", "notes.txt"]
    );
    assert_eq!(rendered.attachments[0].size, pdf.len());
    assert!(parse_envelope(&raw).has_attachments);
}

#[test]
fn missing_attachment_file_is_a_clear_error() {
    let error = Draft {
        attachments: vec![Attachment::from_path("/nonexistent/plan.odt")],
        ..draft()
    }
    .to_message()
    .unwrap_err();
    assert!(matches!(error, ComposeError::AttachmentRead { .. }));
    assert!(
        error.to_string().contains("/nonexistent/plan.odt"),
        "{error}"
    );
}

#[test]
fn mime_types_are_guessed_from_the_extension() {
    assert_eq!(guess_mime_type("a.pdf"), "application/pdf");
    assert_eq!(guess_mime_type("photo.JPG"), "image/jpeg");
    assert_eq!(guess_mime_type("notes.txt"), "text/plain");
    assert_eq!(guess_mime_type("archive.tar.gz"), "application/gzip");
    assert_eq!(guess_mime_type("no-extension"), "application/octet-stream");
    assert_eq!(guess_mime_type("weird.zzqx"), "application/octet-stream");
}

// ---------------------------------------------------------------------------------
// Bcc and the envelope

#[test]
fn bcc_is_in_the_envelope_but_not_in_the_sent_headers() {
    let draft = Draft {
        cc: vec![addr(None, "carol@example.test")],
        bcc: vec![addr(Some("Dave"), "dave@example.test")],
        ..draft()
    };
    let queued = draft.to_message().unwrap();
    assert!(
        header_block(&queued).contains("Bcc: "),
        "the outbox copy keeps Bcc"
    );
    let outgoing = prepare_for_sending(&queued).unwrap();
    assert_eq!(draft.compose().unwrap().recipients, outgoing.recipients);
    assert_eq!(outgoing.envelope_from, "alice@example.test");
    assert_eq!(
        outgoing.recipients,
        [
            "bob@example.test",
            "carol@example.test",
            "dave@example.test"
        ]
    );
    let sent = MessageParser::default().parse(&outgoing.message).unwrap();
    assert!(sent.bcc().is_none(), "no Bcc header on the wire");
    assert!(!String::from_utf8_lossy(&outgoing.message).contains("dave@"));
    // Everything else is byte for byte the same.
    let expected = String::from_utf8_lossy(&queued)
        .lines()
        .filter(|line| !line.starts_with("Bcc: "))
        .collect::<Vec<_>>()
        .join("\n");
    let got = String::from_utf8_lossy(&outgoing.message)
        .lines()
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(got, expected);
}

#[test]
fn bcc_only_message_is_allowed_and_duplicates_are_sent_once() {
    let outgoing = Draft {
        to: vec![],
        bcc: vec![addr(None, "x@example.test"), addr(None, "X@Example.test")],
        ..draft()
    }
    .compose()
    .unwrap();
    assert_eq!(outgoing.recipients, ["x@example.test"]);
}

#[test]
fn no_recipient_or_bad_sender_is_refused() {
    let error = Draft {
        to: vec![],
        ..draft()
    }
    .to_message()
    .unwrap_err();
    assert!(matches!(error, ComposeError::NoRecipients), "{error}");
    let error = Draft::new(addr(None, "not-an-address"))
        .to_message()
        .unwrap_err();
    assert!(
        matches!(error, ComposeError::InvalidSender { .. }),
        "{error}"
    );
    let error = Draft {
        cc: vec![addr(None, "bad address@x")],
        ..draft()
    }
    .to_message()
    .unwrap_err();
    assert!(error.to_string().contains("Cc"), "{error}");
}

// ---------------------------------------------------------------------------------
// Address lists as typed

#[test]
fn address_lists_in_the_usual_shapes() {
    let list = parse_address_list("Ada <a@b>, c@d").unwrap();
    assert_eq!(list, vec![addr(Some("Ada"), "a@b"), addr(None, "c@d")]);

    let list = parse_address_list(
        r#""Lovelace, Ada" <ada@example.org>; <bob@example.org>, Zoë Ünal <zoe@example.org>,"#,
    )
    .unwrap();
    assert_eq!(
        list,
        vec![
            addr(Some("Lovelace, Ada"), "ada@example.org"),
            addr(None, "bob@example.org"),
            addr(Some("Zoë Ünal"), "zoe@example.org"),
        ]
    );
    let list = parse_address_list(r#""Quote \"Q\" Person" <q@example.org>"#).unwrap();
    assert_eq!(list[0].name.as_deref(), Some(r#"Quote "Q" Person"#));
    assert_eq!(parse_address_list("  ").unwrap(), vec![]);
    assert_eq!(parse_address_list("a@b.c,, ,d@e.f").unwrap().len(), 2);
}

#[test]
fn address_list_errors_name_the_item_and_the_problem() {
    let cases = [
        ("Ada <a@b.org", "not closed"),
        ("bob", "no `@`"),
        ("@example.org", "nothing before"),
        ("bob@", "nothing after"),
        ("Bob Smith bob@example.org", "space"),
        ("Ada <a@b.org> extra", "after the closing"),
        ("a@b.org, \"Unclosed <c@d.org>", "quote"),
        ("x@exa mple.org", "space"),
        ("x@example..org", "domain"),
        ("x@-example.org", "domain"),
        ("a@b@c.org", "more than one"),
        ("Ada > a@b.org", "without a `<`"),
    ];
    for (input, expected) in cases {
        let error = parse_address_list(input).expect_err(input);
        let message = error.to_string();
        assert!(
            message.contains(expected),
            "{input:?}: expected {expected:?} in {message:?}"
        );
        assert!(message.contains("is not a valid address"), "{message}");
    }
    // The item is named as typed, not the whole list.
    let error = parse_address_list("ok@example.org, broken").unwrap_err();
    assert_eq!(error.item, "broken");
}

// ---------------------------------------------------------------------------------
// .eml input

#[test]
fn eml_file_gets_its_envelope_from_the_headers_and_loses_bcc() {
    let eml = b"From: Ada <ada@example.org>\nTo: bob@example.org, \"Carol\" <carol@example.org>\nCc: dan@example.org\nBcc: eve@example.org,\n  fay@example.org\nSubject: Report\nDate: Tue, 1 Jul 2025 10:00:00 +0000\nMessage-ID: <fixed@example.org>\n\nBody line\n.dot line\n";
    let queued = message_from_eml(eml).unwrap();
    assert!(
        !queued.windows(2).any(|w| w[1] == b'\n' && w[0] != b'\r'),
        "CRLF"
    );
    assert_eq!(
        parse_envelope(&queued).message_id.as_deref(),
        Some("fixed@example.org"),
        "an existing Message-ID is kept"
    );
    let outgoing = prepare_for_sending(&queued).unwrap();
    assert_eq!(outgoing.envelope_from, "ada@example.org");
    assert_eq!(
        outgoing.recipients,
        [
            "bob@example.org",
            "carol@example.org",
            "dan@example.org",
            "eve@example.org",
            "fay@example.org"
        ]
    );
    let text = String::from_utf8(outgoing.message.clone()).unwrap();
    assert!(!text.to_ascii_lowercase().contains("bcc"), "{text}");
    assert!(
        !text.contains("fay@"),
        "the folded continuation went too: {text}"
    );
    assert!(
        text.ends_with("\r\n\r\nBody line\r\n.dot line\r\n"),
        "{text:?}"
    );
}

#[test]
fn eml_without_date_or_message_id_gets_them() {
    let queued =
        message_from_eml(b"From: ada@example.org\r\nTo: bob@example.org\r\n\r\nhi\r\n").unwrap();
    let envelope = parse_envelope(&queued);
    assert!(envelope.message_id.unwrap().ends_with("@example.org"));
    assert!(envelope.date.is_some());
}

#[test]
fn sender_header_wins_for_the_envelope() {
    let outgoing = prepare_for_sending(
        b"From: boss@example.org\r\nSender: assistant@example.org\r\nTo: x@example.org\r\n\r\n",
    )
    .unwrap();
    assert_eq!(outgoing.envelope_from, "assistant@example.org");
}

#[test]
fn bad_eml_input_is_a_clear_error() {
    let cases: [(&[u8], &str); 5] = [
        (b"", "not a mail message"),
        (b"just some text\nwith lines\n", "not a mail message"),
        (b"To: bob@example.org\n\nno from\n", "no sender"),
        (
            b"From: ada@example.org\nSubject: x\n\nno recipients\n",
            "no recipient",
        ),
        (
            b"From: ada@example.org\nTo: bob at example\n\n",
            "To address",
        ),
    ];
    for (input, expected) in cases {
        let error = message_from_eml(input).expect_err(&String::from_utf8_lossy(input));
        assert!(
            error.to_string().contains(expected),
            "{:?}: expected {expected:?} in {error}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn garbage_never_panics() {
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    for len in 0..400 {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                // Mostly header-ish bytes so the parser gets past the first line.
                b"From:To:Bcc: <>@,;\"\r\n \tab.x"[(seed % 27) as usize]
            })
            .collect();
        let _ = message_from_eml(&bytes);
        let _ = parse_address_list(&String::from_utf8_lossy(&bytes));
    }
}
