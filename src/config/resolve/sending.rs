//! An account's sender side: `identities`, `aliases`, `signature_file` or
//! `signature_command`, `save_sent`; and `default`, which is checked across accounts.

use toml::Spanned;
use toml::de::DeTable;

use super::super::raw::{RawAccount, RawIdentity};
use super::super::{Identity, SaveSent, Signature};
use super::{AccountResolver, Problems, get, join, line_col, parse_choice};
use crate::mime::compose::{check_email, parse_address};

const SAVE_SENTS: [(&str, SaveSent); 3] = [
    ("auto", SaveSent::Auto),
    ("always", SaveSent::Always),
    ("never", SaveSent::Never),
];

impl AccountResolver<'_, '_, '_> {
    /// The `identities` list, without the account's own (the caller puts it first).
    pub(super) fn identities(
        &mut self,
        raw: Option<&Spanned<Vec<Spanned<RawIdentity>>>>,
    ) -> Option<Vec<Identity>> {
        let Some(raw) = raw else {
            return Some(Vec::new());
        };
        let path = self.key("identities");
        let mut identities = Some(Vec::new());
        for item in raw.get_ref() {
            let identity = self.identity(item, &path);
            match (&mut identities, identity) {
                (Some(list), Some(identity)) => list.push(identity),
                _ => identities = None,
            }
        }
        identities
    }

    fn identity(&mut self, raw: &Spanned<RawIdentity>, path: &str) -> Option<Identity> {
        let identity = raw.get_ref();
        let name = match &identity.name {
            Some(name) if name.get_ref().trim().is_empty() => {
                self.problems.at(
                    name.span(),
                    &join(path, "name"),
                    "the name is empty; write the name for From:, or remove `name` to send \
                     with the address alone",
                );
                return None;
            }
            Some(name) => Some(Some(name.get_ref().clone())),
            None => Some(None),
        };
        let email = match &identity.email {
            Some(email) => address(self.problems, email, &join(path, "email"), true),
            None => {
                self.problems.at(
                    raw.span(),
                    path,
                    "missing key `email`: each identity needs an address, e.g. \
                     { name = \"Ada Lovelace\", email = \"ada@example.org\" }",
                );
                None
            }
        };
        Some(Identity {
            name: name?,
            email: email?,
        })
    }

    pub(super) fn aliases(
        &mut self,
        raw: Option<&Spanned<Vec<Spanned<String>>>>,
    ) -> Option<Vec<String>> {
        let Some(raw) = raw else {
            return Some(Vec::new());
        };
        let path = self.key("aliases");
        let mut aliases = Some(Vec::new());
        for alias in raw.get_ref() {
            match (&mut aliases, address(self.problems, alias, &path, false)) {
                (Some(list), Some(alias)) => list.push(alias),
                _ => aliases = None,
            }
        }
        aliases
    }

    /// `signature_file` or `signature_command`; `Some(None)` when neither is written.
    pub(super) fn signature(&mut self, raw: &RawAccount) -> Option<Option<Signature>> {
        match (&raw.signature_file, &raw.signature_command) {
            (Some(file), Some(command)) => {
                // The problem is the second one written.
                let (second, key, other) = if command.span().start > file.span().start {
                    (command.span(), "signature_command", "signature_file")
                } else {
                    (file.span(), "signature_file", "signature_command")
                };
                self.problems.at(
                    second,
                    &self.key(key),
                    format!(
                        "`signature_file` and `signature_command` are both set, but an \
                         account has one signature; remove `{key}` (or `{other}`)"
                    ),
                );
                None
            }
            (Some(file), None) => {
                if file.get_ref().trim().is_empty() {
                    self.problems.at(
                        file.span(),
                        &self.key("signature_file"),
                        "the path is empty; write the signature file's path, e.g. \
                         signature_file = \"~/.signature\"",
                    );
                    return None;
                }
                let path = self.path_value(file, "signature_file")?;
                Some(Some(Signature::File(path)))
            }
            (None, Some(command)) => {
                let command = self.command(command, &self.key("signature_command"))?;
                Some(Some(Signature::Command(command)))
            }
            (None, None) => Some(None),
        }
    }

    pub(super) fn save_sent(&mut self, raw: Option<&Spanned<String>>) -> Option<SaveSent> {
        match raw {
            Some(value) => parse_choice(self.problems, value, &self.key("save_sent"), &SAVE_SENTS),
            None => Some(SaveSent::default()),
        }
    }
}

/// An address as `aliases` and identities' `email` take it: an addr-spec alone.
/// `in_identity`: say that the name goes in `name`.
fn address(
    problems: &mut Problems<'_>,
    raw: &Spanned<String>,
    path: &str,
    in_identity: bool,
) -> Option<String> {
    let written = raw.get_ref();
    let Err(reason) = check_email(written) else {
        return Some(written.clone());
    };
    let hint = match parse_address(written) {
        // `Ada <ada@example.org>`: an address is in there.
        Ok(parsed) if in_identity => format!(
            "; write only the address, email = \"{}\", and the name in `name`",
            parsed.email
        ),
        Ok(parsed) => format!("; write only the address, \"{}\"", parsed.email),
        Err(_) => "; write it as name@domain".to_owned(),
    };
    problems.at(
        raw.span(),
        path,
        format!("\"{written}\" is not an email address: {reason}{hint}"),
    );
    None
}

/// At most one account may say `default = true`; the second is refused, naming the
/// first. Read from the tree, so it works even for accounts with other problems.
pub(super) fn check_one_default(problems: &mut Problems<'_>, accounts: &DeTable<'_>) {
    let mut first: Option<(String, usize)> = None;
    for (name, account) in accounts.iter() {
        let Some(value) = account
            .get_ref()
            .as_table()
            .and_then(|table| get(table, "default"))
        else {
            continue;
        };
        if value.get_ref().as_bool() != Some(true) {
            continue;
        }
        let path = join("accounts", name.get_ref());
        match &first {
            None => {
                let (line, _) = line_col(problems.text, value.span().start);
                first = Some((path, line));
            }
            Some((first_path, line)) => problems.at(
                value.span(),
                &join(&path, "default"),
                format!(
                    "{first_path} is already the default (default = true on line {line}), and \
                     only one account can be; remove one of them"
                ),
            ),
        }
    }
}
