//! The shared SASL authenticator without a network: exact bytes for XOAUTH2 and
//! OAUTHBEARER, mechanism choice, failure-challenge answers, the kept JSON, the
//! token-invalid classification, Debug redaction, and the server-failure explanations
//! for Microsoft's real answers.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use postern::auth::Secret;
use postern::auth::diagnose::server::explain_sasl;
use postern::auth::sasl::{
    Challenge, ImapAuthenticator, Mechanism, OAuthSasl, Protocol, SaslFailure, plain_response,
};
use postern::config::{Account, Config};

const TOKEN: &str = "eyJ0eXAi+abc/def==";

fn sasl(mechanism: Mechanism) -> OAuthSasl {
    OAuthSasl::new(
        "alice@example.test",
        Secret::new(TOKEN),
        "imap.example.test",
        993,
        mechanism,
    )
}

#[test]
fn xoauth2_initial_response_bytes() {
    let sasl = sasl(Mechanism::XOAuth2);
    let expected = format!("user=alice@example.test\x01auth=Bearer {TOKEN}\x01\x01");
    assert_eq!(sasl.initial_response().as_slice(), expected.as_bytes());
    let wire = sasl.initial_response_base64();
    assert_eq!(B64.decode(wire.expose()).unwrap(), expected.as_bytes());
}

#[test]
fn xoauth2_matches_the_transcript_bytes() {
    // From the test stack's server transcripts (a real Dovecot exchange).
    let sasl = OAuthSasl::new(
        "alice@example.test",
        Secret::new("alice-good-token"),
        "localhost",
        10993,
        Mechanism::XOAuth2,
    );
    assert_eq!(
        sasl.initial_response_base64().expose(),
        "dXNlcj1hbGljZUBleGFtcGxlLnRlc3QBYXV0aD1CZWFyZXIgYWxpY2UtZ29vZC10b2tlbgEB"
    );
    let bearer = OAuthSasl {
        mechanism: Mechanism::OAuthBearer,
        ..sasl
    };
    assert_eq!(
        bearer.initial_response_base64().expose(),
        "bixhPWFsaWNlQGV4YW1wbGUudGVzdCwBaG9zdD1sb2NhbGhvc3QBcG9ydD0xMDk5MwFhdXRoPUJlYXJlciBhbGljZS1nb29kLXRva2VuAQE="
    );
}

#[test]
fn oauthbearer_initial_response_bytes() {
    let sasl = sasl(Mechanism::OAuthBearer);
    let expected = format!(
        "n,a=alice@example.test,\x01host=imap.example.test\x01port=993\x01auth=Bearer {TOKEN}\x01\x01"
    );
    assert_eq!(sasl.initial_response().as_slice(), expected.as_bytes());
    assert_eq!(
        B64.decode(sasl.initial_response_base64().expose()).unwrap(),
        expected.as_bytes()
    );
}

#[test]
fn oauthbearer_escapes_comma_and_equals_in_the_user() {
    let sasl = OAuthSasl::new("a,b=c", Secret::new("t"), "h", 1, Mechanism::OAuthBearer);
    let text = String::from_utf8(sasl.initial_response().to_vec()).unwrap();
    assert!(text.starts_with("n,a=a=2Cb=3Dc,\x01"), "{text:?}");
}

#[test]
fn mechanism_choice() {
    let dovecot = ["PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER"];
    assert_eq!(Mechanism::choose(dovecot, None), Mechanism::OAuthBearer);
    let outlook = ["PLAIN", "XOAUTH2"];
    assert_eq!(Mechanism::choose(outlook, None), Mechanism::XOAuth2);
    assert_eq!(
        Mechanism::choose(["oauthbearer"], None),
        Mechanism::OAuthBearer,
        "case does not matter"
    );
    assert_eq!(Mechanism::choose([], None), Mechanism::XOAuth2);
    assert_eq!(
        Mechanism::choose(dovecot, Some(Mechanism::XOAuth2)),
        Mechanism::XOAuth2,
        "a forced mechanism wins"
    );
    assert_eq!(
        Mechanism::choose(outlook, Some(Mechanism::OAuthBearer)),
        Mechanism::OAuthBearer
    );
    assert_eq!(Mechanism::from_name("xoauth2"), Some(Mechanism::XOAuth2));
    assert_eq!(Mechanism::from_name("PLAIN"), None);
}

const DOVECOT_401: &str = "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJtYWlsIn0=";
const DOVECOT_INVALID: &str = "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=";

#[test]
fn xoauth2_exchange_answers_the_failure_challenge_with_an_empty_line() {
    let sasl = sasl(Mechanism::XOAuth2);
    let mut exchange = sasl.exchange(Protocol::Imap);
    // `+ ` (empty): the initial response.
    let first = exchange.answer_base64("");
    assert_eq!(first.expose(), sasl.initial_response_base64().expose());
    // `+ <json>`: the failure answer, an empty line.
    let second = exchange.answer_base64(DOVECOT_401);
    assert_eq!(second.expose(), "");
    let challenge = exchange.challenge().unwrap().clone();
    assert_eq!(
        challenge,
        Challenge::Json(serde_json::json!({"status":"401","schemes":"bearer","scope":"mail"}))
    );
    assert_eq!(challenge.status().as_deref(), Some("401"));
    assert_eq!(challenge.scope().as_deref(), Some("mail"));

    let failure = exchange.fail("NO [AUTHENTICATIONFAILED] Authentication failed.");
    assert_eq!(failure.mechanism, Mechanism::XOAuth2);
    assert_eq!(failure.protocol, Protocol::Imap);
    assert_eq!(failure.challenge, Some(challenge));
    assert_eq!(
        failure.server_response,
        "NO [AUTHENTICATIONFAILED] Authentication failed."
    );
    assert!(failure.token_invalid);
}

#[test]
fn oauthbearer_exchange_answers_aq_after_an_inline_initial_response() {
    let sasl = sasl(Mechanism::OAuthBearer);
    let mut exchange = sasl.exchange(Protocol::Smtp);
    let inline = exchange.inline_initial_response();
    assert_eq!(inline.expose(), sasl.initial_response_base64().expose());
    // The next continuation is the failure challenge: answer a single 0x01.
    let answer = exchange.answer_base64(DOVECOT_INVALID);
    assert_eq!(answer.expose(), "AQ==");
    let failure = exchange.fail("535 5.7.8 Authentication failed.");
    assert_eq!(
        failure
            .challenge
            .as_ref()
            .and_then(Challenge::status)
            .as_deref(),
        Some("invalid_token")
    );
    assert!(failure.token_invalid);
}

#[test]
fn imap_adapter_answers_token_then_failure() {
    use async_imap::Authenticator;
    let sasl = sasl(Mechanism::OAuthBearer);
    let mut exchange = sasl.exchange(Protocol::Imap);
    {
        let mut adapter = ImapAuthenticator::new(&mut exchange);
        assert_eq!(
            adapter.process(b"").as_slice(),
            sasl.initial_response().as_slice()
        );
        assert_eq!(
            adapter.process(br#"{"status":"invalid_token"}"#).as_slice(),
            b"\x01"
        );
    }
    assert_eq!(
        exchange.challenge().and_then(Challenge::status).as_deref(),
        Some("invalid_token")
    );
}

#[test]
fn non_json_and_non_base64_challenges_are_kept_as_text() {
    let sasl = sasl(Mechanism::XOAuth2);
    let mut exchange = sasl.exchange(Protocol::Pop3);
    exchange.answer_base64("");
    exchange.answer_base64(&B64.encode("try again later"));
    assert_eq!(
        exchange.challenge(),
        Some(&Challenge::Text("try again later".into()))
    );
    exchange.answer_base64("%%% not base64 %%%");
    assert_eq!(
        exchange.challenge(),
        Some(&Challenge::Text("%%% not base64 %%%".into()))
    );
}

#[test]
fn too_many_continuations_is_noticed() {
    let sasl = sasl(Mechanism::XOAuth2);
    let mut exchange = sasl.exchange(Protocol::Pop3);
    for _ in 0..3 {
        exchange.answer_base64(DOVECOT_401);
        assert!(!exchange.too_many_continuations());
    }
    exchange.answer_base64(DOVECOT_401);
    assert!(exchange.too_many_continuations());
}

fn failure(protocol: Protocol, challenge: Option<&str>, response: &str) -> SaslFailure {
    SaslFailure::new(
        Mechanism::XOAuth2,
        protocol,
        challenge.map(|json| Challenge::from_decoded(json.as_bytes())),
        response.to_owned(),
    )
}

#[test]
fn token_invalid_classification() {
    use Protocol::*;
    let cases = [
        (
            Imap,
            Some(r#"{"status":"401"}"#),
            "NO [AUTHENTICATIONFAILED] x",
            true,
        ),
        (Imap, Some(r#"{"status":"invalid_token"}"#), "NO x", true),
        // Gmail's 400 (wrong user/bad request) and 403 (scope): a new token won't help.
        (
            Imap,
            Some(r#"{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}"#),
            "NO x",
            false,
        ),
        (Smtp, Some(r#"{"status":"403"}"#), "535 5.7.8 x", false),
        // Microsoft answers at once.
        (Imap, None, "NO AUTHENTICATE failed.", true),
        (Smtp, None, "535 5.7.3 Authentication unsuccessful", true),
        (
            Pop3,
            None,
            "-ERR Authentication failure: unknown user name or bad password.",
            true,
        ),
        // Temporary and TLS refusals.
        (
            Imap,
            None,
            "NO [UNAVAILABLE] Temporary authentication failure. [vm:2026-11-21 04:48:07]",
            false,
        ),
        (
            Smtp,
            None,
            "454 4.7.0 Temporary authentication failure.",
            false,
        ),
        (
            Pop3,
            None,
            "-ERR [SYS/TEMP] Temporary authentication failure.",
            false,
        ),
        (
            Imap,
            None,
            "NO [PRIVACYREQUIRED] Plaintext authentication disabled.",
            false,
        ),
        (
            Smtp,
            None,
            "523 5.7.10 Plaintext authentication disabled.",
            false,
        ),
    ];
    for (protocol, challenge, response, invalid) in cases {
        let failure = failure(protocol, challenge, response);
        assert_eq!(
            failure.token_invalid, invalid,
            "{protocol} {challenge:?} {response}"
        );
    }
    assert!(
        failure(
            Imap,
            None,
            "NO [UNAVAILABLE] Temporary authentication failure."
        )
        .temporary()
    );
    assert!(!failure(Imap, None, "NO [AUTHENTICATIONFAILED] x").temporary());
}

#[test]
fn debug_and_display_never_show_the_token() {
    let sasl = sasl(Mechanism::XOAuth2);
    let shown = format!("{sasl:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains("<secret: 18 chars>"), "{shown}");
    let mut exchange = sasl.exchange(Protocol::Imap);
    let inline = exchange.inline_initial_response();
    assert!(!format!("{exchange:?}").contains(TOKEN));
    assert!(!format!("{inline:?}").contains(inline.expose()));
    exchange.answer_base64(DOVECOT_401);
    let failure = exchange.fail("NO [AUTHENTICATIONFAILED] Authentication failed.");
    for text in [format!("{failure:?}"), failure.to_string()] {
        assert!(!text.contains(TOKEN), "{text}");
        assert!(!text.contains(inline.expose()), "{text}");
    }
    assert!(failure.to_string().contains(r#""status":"401""#));
}

#[test]
fn plain_response_bytes() {
    let bytes = plain_response("bob@example.test", &Secret::new("bob-password"));
    assert_eq!(bytes.as_slice(), b"\0bob@example.test\0bob-password");
}

// ---------------------------------------------------------------------------------
// explain_sasl with the real server strings (providers.md, server transcripts)

fn account(text: &str) -> Account {
    Config::parse_str(text, Path::new("t.toml"))
        .unwrap_or_else(|e| panic!("{e}"))
        .accounts
        .remove(0)
}

fn work() -> Account {
    account(
        "[accounts.work]\nemail = \"ada@contoso.com\"\nprovider = \"microsoft\"\n\
         auth = { method = \"oauth2\", client_id = \"00000000-0000-0000-0000-000000000000\" }\n",
    )
}

fn personal() -> Account {
    account(
        "[accounts.home]\nemail = \"ada@outlook.com\"\nprovider = \"microsoft-personal\"\n\
         auth = { method = \"oauth2\", client_id = \"00000000-0000-0000-0000-000000000000\" }\n",
    )
}

fn helpdesk() -> Account {
    account(
        "[accounts.helpdesk]\nemail = \"helpdesk@contoso.com\"\nprovider = \"microsoft\"\n\
         [accounts.helpdesk.auth]\nmethod = \"oauth2\"\nflow = \"app-only\"\n\
         client_id = \"11111111-1111-1111-1111-111111111111\"\n\
         tenant = \"contoso.onmicrosoft.com\"\nclient_secret_command = \"cat secret\"\n",
    )
}

fn gmail() -> Account {
    account(
        "[accounts.gmail]\nemail = \"ada@gmail.com\"\nprovider = \"google\"\n\
         auth = { method = \"oauth2\", flow = \"browser\", client_id = \"x.apps.googleusercontent.com\" }\n",
    )
}

fn generic() -> Account {
    account(
        "[accounts.dev]\nemail = \"alice@example.test\"\nimap = { host = \"127.0.0.1\", port = 10993 }\n\
         [accounts.dev.auth]\nmethod = \"oauth2\"\nflow = \"device\"\nclient_id = \"test\"\n\
         device_authorization_url = \"http://127.0.0.1:8080/device\"\n\
         token_url = \"http://127.0.0.1:8080/token\"\nscopes = [\"mail\"]\n",
    )
}

#[test]
fn microsoft_535_5_7_3_names_both_cmdlets() {
    let failure = failure(
        Protocol::Smtp,
        None,
        "535 5.7.3 Authentication unsuccessful",
    );
    let explained = explain_sasl(&failure, &work());
    assert!(
        explained.what.contains("smtp.office365.com:587"),
        "{explained}"
    );
    assert!(
        explained
            .what
            .contains("535 5.7.3 Authentication unsuccessful")
    );
    assert!(explained.cause.contains("security defaults"), "{explained}");
    assert!(
        explained.fix.contains(
            "Set-CASMailbox -Identity ada@contoso.com -SmtpClientAuthenticationDisabled $false"
        ),
        "{explained}"
    );
    assert!(
        explained
            .fix
            .contains("Set-TransportConfig -SmtpClientAuthenticationDisabled $false")
    );
}

#[test]
fn microsoft_535_5_7_3_for_a_personal_account_points_at_public_client_flows() {
    let failure = failure(
        Protocol::Smtp,
        None,
        "535 5.7.3 Authentication unsuccessful",
    );
    let explained = explain_sasl(&failure, &personal());
    assert!(
        explained.what.contains("smtp-mail.outlook.com"),
        "{explained}"
    );
    assert!(
        explained.fix.contains("Allow public client flows"),
        "{explained}"
    );
    assert!(explained.fix.contains("postern login home"));
}

#[test]
fn microsoft_535_5_7_139_is_tenant_wide() {
    let failure = failure(
        Protocol::Smtp,
        None,
        "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant",
    );
    let explained = explain_sasl(&failure, &work());
    assert!(
        explained.cause.contains("whole Microsoft 365 tenant"),
        "{explained}"
    );
    assert!(
        explained
            .fix
            .contains("Set-TransportConfig -SmtpClientAuthenticationDisabled $false")
    );
}

#[test]
fn outlook_imap_authenticate_failed() {
    let failure = failure(Protocol::Imap, None, "NO AUTHENTICATE failed.");
    let explained = explain_sasl(&failure, &work());
    assert!(
        explained.what.contains("outlook.office365.com:993"),
        "{explained}"
    );
    assert!(explained.cause.contains("IMAP is disabled"), "{explained}");
    assert!(
        explained
            .fix
            .contains("Set-CASMailbox -Identity ada@contoso.com -ImapEnabled $true")
    );

    let explained = explain_sasl(&failure, &helpdesk());
    assert!(
        explained
            .fix
            .contains("New-ServicePrincipal -AppId 11111111-1111-1111-1111-111111111111"),
        "{explained}"
    );
    assert!(
        explained
            .fix
            .contains("Add-MailboxPermission -Identity helpdesk@contoso.com -User <service principal id> -AccessRights FullAccess")
    );

    let explained = explain_sasl(&failure, &personal());
    assert!(explained.fix.contains("turn on IMAP access"), "{explained}");
}

#[test]
fn gmail_400_with_scope() {
    let failure = failure(
        Protocol::Imap,
        Some(r#"{"status":"400","schemes":"Bearer","scope":"https://mail.google.com/"}"#),
        "NO [AUTHENTICATIONFAILED] Invalid credentials (Failure)",
    );
    let explained = explain_sasl(&failure, &gmail());
    assert!(explained.what.contains("imap.gmail.com"), "{explained}");
    assert!(explained.what.contains(r#""status":"400""#), "{explained}");
    assert!(explained.cause.contains("another"), "{explained}");
    assert!(explained.fix.contains("https://mail.google.com/"));
}

#[test]
fn dovecot_401_says_user_must_match() {
    let failure = failure(
        Protocol::Imap,
        Some(r#"{"status":"401","schemes":"bearer","scope":"mail"}"#),
        "NO [AUTHENTICATIONFAILED] Authentication failed.",
    );
    let explained = explain_sasl(&failure, &generic());
    assert!(explained.what.contains("127.0.0.1:10993"), "{explained}");
    assert!(explained.cause.contains("user="), "{explained}");
    assert!(explained.cause.contains("alice@example.test"));
    assert!(explained.fix.contains("postern login dev"));
}

#[test]
fn unavailable_is_temporary_server_side() {
    let failure = failure(
        Protocol::Imap,
        None,
        "NO [UNAVAILABLE] Temporary authentication failure. [vm:2026-11-21 04:48:07]",
    );
    let explained = explain_sasl(&failure, &generic());
    assert!(explained.cause.contains("temporary"), "{explained}");
    assert!(explained.fix.contains("retry"), "{explained}");
}
