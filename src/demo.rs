//! `postern demo`: a throwaway profile with two Maildir accounts built from the
//! sample messages in `samples/demo/`, opened with the same code as real accounts.
//!
//! The samples are compiled into the binary, so the demo works wherever postern is
//! installed. Layout: `samples/demo/<account>/<Folder>/<name>.eml`, plus
//! `samples/demo/flags.toml` mapping `"<account>/<Folder>/<name>.eml"` to Maildir
//! flag letters; INBOX messages not listed there arrive unread, others seen.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

static SAMPLES: Dir<'_> = include_dir!("$CARGO_MANIFEST_DIR/samples/demo");

/// The demo's accounts: (key, address, display name).
const ACCOUNTS: [(&str, &str, &str); 2] = [
    ("work", "ada@contoso.com", "Ada Lovelace"),
    ("personal", "ada@outlook.com", "Ada Lovelace"),
];

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("writing the demo profile at {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("samples/demo/flags.toml is not valid: {0}")]
    Flags(#[from] toml::de::Error),
    #[error("the bundled samples have no `{0}` account")]
    MissingAccount(&'static str),
}

/// Write the demo profile below `root`: Maildir trees under `root/mail/<account>` and
/// a `root/config.toml` describing them. Returns the config file's path.
pub fn build(root: &Path) -> Result<PathBuf, DemoError> {
    let flags: BTreeMap<String, String> = match SAMPLES.get_file("flags.toml") {
        Some(file) => toml::from_str(file.contents_utf8().unwrap_or_default())?,
        None => BTreeMap::new(),
    };
    let mut config = String::from("# Written by `postern demo`.\n");
    for (key, email, display_name) in ACCOUNTS {
        let samples = SAMPLES.get_dir(key).ok_or(DemoError::MissingAccount(key))?;
        let maildir = root.join("mail").join(key);
        write_account(samples, &maildir, &flags)?;
        config.push_str(&format!(
            "\n[accounts.{key}]\nemail = \"{email}\"\ndisplay_name = \"{display_name}\"\n\
             receive = \"maildir\"\nmaildir = {maildir:?}\n",
            maildir = maildir.display().to_string(),
        ));
    }
    let config_path = root.join("config.toml");
    write(&config_path, config.as_bytes())?;
    Ok(config_path)
}

/// Copy one account's folders into a Maildir++ tree: INBOX at the root, other
/// folders as `.Name` subdirectories.
fn write_account(
    samples: &Dir<'_>,
    maildir: &Path,
    flags: &BTreeMap<String, String>,
) -> Result<(), DemoError> {
    for folder in samples.dirs() {
        let name = folder
            .path()
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let dir = if name.eq_ignore_ascii_case("INBOX") {
            maildir.to_path_buf()
        } else {
            maildir.join(format!(".{name}"))
        };
        for sub in ["cur", "new", "tmp"] {
            create_dir(&dir.join(sub))?;
        }
        for (n, file) in folder.files().enumerate() {
            let sample = file.path().to_string_lossy().replace('\\', "/");
            let letters = match flags.get(&sample) {
                Some(letters) => Some(letters.as_str()),
                None if name.eq_ignore_ascii_case("INBOX") => None,
                None => Some("S"),
            };
            let unique = format!("1700000000.demo{n:04}.postern");
            let path = match letters {
                None => dir.join("new").join(unique),
                Some(letters) => dir
                    .join("cur")
                    .join(format!("{unique}:2,{}", sorted(letters))),
            };
            write(&path, file.contents())?;
        }
    }
    Ok(())
}

/// Maildir wants info flags in ASCII order.
fn sorted(letters: &str) -> String {
    let mut chars: Vec<char> = letters.chars().filter(char::is_ascii_uppercase).collect();
    chars.sort_unstable();
    chars.dedup();
    chars.into_iter().collect()
}

fn create_dir(path: &Path) -> Result<(), DemoError> {
    std::fs::create_dir_all(path).map_err(|source| DemoError::Write {
        path: path.to_path_buf(),
        source,
    })
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), DemoError> {
    std::fs::write(path, bytes).map_err(|source| DemoError::Write {
        path: path.to_path_buf(),
        source,
    })
}
