//! `postern addresses`: the real binary on a Maildir account synced into its
//! store, with and without an address book command, as vim or a script runs it.

mod cli_support;

use cli_support::{Profile, text};

/// A Maildir account with mail from Grace (twice) and Greta, and `[compose]`.
fn profile(compose: &str) -> Profile {
    let profile = Profile::new();
    let root = profile.dir.path().join("Mail");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    for (file, from) in [
        ("1.a", "Grace Okafor <grace@contoso.com>"),
        ("2.a", "Grace Okafor <grace@contoso.com>"),
        ("3.a", "Greta Olsen <greta@fabrikam.com>"),
    ] {
        std::fs::write(
            root.join("new").join(file),
            format!(
                "From: {from}\nTo: Ada <ada@contoso.com>\nSubject: hi\n\
                 Date: Fri, 20 Nov 2026 09:30:00 +0000\nMessage-ID: <{file}@x>\n\nHi.\n"
            ),
        )
        .unwrap();
    }
    profile.write_config(&[format!(
        "[accounts.work]\nemail = \"ada@contoso.com\"\nprovider = \"generic\"\n\
         receive = \"maildir\"\nmaildir = \"{}\"\n{compose}",
        root.display()
    )]);
    profile
}

#[tokio::test]
async fn known_addresses_in_mutt_query_format_and_json() {
    let profile = profile("");
    profile.ok(&["sync"]).await;
    let out = profile.ok(&["addresses", "gr"]).await;
    assert_eq!(
        out,
        "grace@contoso.com\tGrace Okafor\ngreta@fabrikam.com\tGreta Olsen\n"
    );
    let out = profile
        .ok(&["addresses", "--account", "work", "olsen", "--json"])
        .await;
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json,
        serde_json::json!([{"email": "greta@fabrikam.com", "name": "Greta Olsen"}])
    );
    // The account's own address is never offered; nothing found is no error.
    assert_eq!(profile.ok(&["addresses", "ada"]).await, "");
    let out = profile.run(&["addresses", "--account", "home", "gr"]).await;
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("no account named `home`"));
}

#[tokio::test]
async fn the_address_book_comes_first_and_its_failure_is_explained() {
    let book =
        "[compose]\naddress_book_command = \"printf 'zed@example.net\\\\tZed\\\\n'; echo\"\n";
    let profile = profile(book);
    profile.ok(&["sync"]).await;
    let out = profile.ok(&["addresses", "gre"]).await;
    assert_eq!(
        out,
        "zed@example.net\tZed\ngreta@fabrikam.com\tGreta Olsen\n"
    );

    let profile = self::profile(
        "[compose]\naddress_book_command = \"echo 'khard: no address book' >&2; exit 2\"\n",
    );
    profile.ok(&["sync"]).await;
    let out = profile.run(&["addresses", "gre"]).await;
    assert!(!out.status.success());
    assert_eq!(text(&out.stdout), "greta@fabrikam.com\tGreta Olsen\n");
    let said = text(&out.stderr);
    assert!(said.contains("the address book command"), "{said}");
    assert!(said.contains("status 2: khard: no address book"), "{said}");
    assert!(said.contains("fix:"), "{said}");
}
