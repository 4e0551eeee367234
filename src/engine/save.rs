//! `save-message`: messages' sources written to `.eml` files, readable by you alone,
//! never over an existing file, and never outside the directory chosen: names made
//! from subjects lose every character that could lead elsewhere.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

use super::explain::Problem;
use crate::store::MessageId;

/// A message to save.
pub(super) struct Source {
    pub id: MessageId,
    pub subject: String,
    pub raw: Vec<u8>,
}

/// Longest file name made from a subject, in bytes, before the id and extension
/// (file systems allow 255 bytes; 4-byte characters must still fit).
const NAME_MAX: usize = 120;

/// Saves `sources` at `path` (see [`crate::engine::Operation::Save`]); returns what
/// to tell the user.
pub(super) fn save(path: &str, sources: &[Source]) -> Result<String, Problem> {
    let home = directories::BaseDirs::new().map(|dirs| dirs.home_dir().to_path_buf());
    let path = crate::config::expand_tilde(path.trim(), home.as_deref())
        .map_err(|error| Problem::plain(format!("cannot save to \"{path}\": {error}")))?;
    let into_dir =
        sources.len() > 1 || path.is_dir() || path.as_os_str().to_string_lossy().ends_with('/');
    if into_dir {
        std::fs::create_dir_all(&path).map_err(|error| cannot(&path, &error))?;
    }
    let mut written = Vec::with_capacity(sources.len());
    for source in sources {
        let file = if into_dir {
            path.join(file_name(&source.subject, source.id))
        } else {
            path.clone()
        };
        write_new(&file, &source.raw)?;
        written.push(file);
    }
    Ok(match written.as_slice() {
        [one] => format!("saved to {}", one.display()),
        _ => format!("saved {} messages in {}", written.len(), path.display()),
    })
}

fn write_new(file: &Path, raw: &[u8]) -> Result<(), Problem> {
    let mut out = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(file)
        .map_err(|error| cannot(file, &error))?;
    out.write_all(raw)
        .and_then(|()| out.sync_all())
        .map_err(|error| cannot(file, &error))
}

fn cannot(path: &Path, error: &std::io::Error) -> Problem {
    let fix = match error.kind() {
        std::io::ErrorKind::AlreadyExists => {
            Some("postern never overwrites a file: choose another name, or remove that file first")
        }
        std::io::ErrorKind::NotFound => {
            Some("the directory does not exist: create it, or give one that does")
        }
        std::io::ErrorKind::PermissionDenied => Some("choose a directory you may write to"),
        _ => None,
    };
    Problem {
        fix: fix.map(str::to_owned),
        ..Problem::plain(format!("cannot write {}: {error}", path.display()))
    }
}

/// `<subject>-<id>.eml` with only letters, digits and `-_.,()` kept, so that no
/// subject can name another directory, a hidden file or a device.
pub(super) fn file_name(subject: &str, id: MessageId) -> String {
    let mut name = String::new();
    for c in subject.chars() {
        let keep = c.is_alphanumeric() || "-_.,()".contains(c);
        let c = if keep { c } else { '-' };
        if name.len() + c.len_utf8() > NAME_MAX {
            break;
        }
        if !(c == '-' && name.ends_with('-')) {
            name.push(c);
        }
    }
    let name = name.trim_matches(|c| c == '-' || c == '.');
    let name = if name.is_empty() { "message" } else { name };
    format!("{name}-{}.eml", id.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_cannot_lead_out_of_the_directory() {
        assert_eq!(
            file_name("../../etc/passwd", MessageId(7)),
            "etc-passwd-7.eml"
        );
        assert_eq!(
            file_name("Re: Hello, World!", MessageId(1)),
            "Re-Hello,-World-1.eml"
        );
        assert_eq!(file_name("...", MessageId(2)), "message-2.eml");
        assert_eq!(file_name("\u{1b}]0;x\u{7}", MessageId(3)), "0-x-3.eml");
        assert_eq!(
            file_name("Grüße aus Köln", MessageId(4)),
            "Grüße-aus-Köln-4.eml"
        );
        assert!(file_name(&"x".repeat(500), MessageId(5)).len() < 150);
        assert!(file_name(&"😀".repeat(200), MessageId(i64::MAX)).len() <= 255);
    }

    #[test]
    fn one_message_to_a_file_several_into_a_directory_never_overwriting() {
        let dir = tempfile::tempdir().unwrap();
        let source = |id, subject: &str| Source {
            id: MessageId(id),
            subject: subject.into(),
            raw: format!("Subject: {subject}\n\nhi\n").into_bytes(),
        };
        let file = dir.path().join("one.eml");
        let said = save(file.to_str().unwrap(), &[source(1, "One")]).unwrap();
        assert!(said.contains("one.eml"), "{said}");
        let again = save(file.to_str().unwrap(), &[source(1, "One")]).unwrap_err();
        assert!(again.fix.unwrap().contains("never overwrites"));
        let many = dir.path().join("many");
        let said = save(
            many.to_str().unwrap(),
            &[source(1, "One"), source(2, "Two")],
        )
        .unwrap();
        assert!(said.contains("saved 2 messages"), "{said}");
        assert!(many.join("One-1.eml").is_file());
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(many.join("Two-2.eml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let into_existing_dir = save(dir.path().to_str().unwrap(), &[source(3, "Three")]).unwrap();
        assert!(
            dir.path().join("Three-3.eml").is_file(),
            "{into_existing_dir}"
        );
    }
}
