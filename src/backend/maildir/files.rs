//! Maildir message files: flags in their names, moves and copies between folders,
//! new folders. Every change is a rename or a new file written to `tmp/` first, so a
//! crash leaves either the old file or the new one, never half of one; the next index
//! settles the store.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::store::{Flags, MessageId, MessageSource, Store, StoreError};

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Split a Maildir file name into its unique part and its flag letters
/// ("1700000000.M1P2.host:2,RS" -> ("1700000000.M1P2.host", "RS")).
pub(super) fn split_name(file_name: &str) -> (&str, &str) {
    match file_name.split_once(':') {
        Some((key, info)) => (key, info.strip_prefix("2,").unwrap_or("")),
        None => (file_name, ""),
    }
}

pub(super) fn flags_from_info(info: &str) -> Flags {
    Flags {
        seen: info.contains('S'),
        flagged: info.contains('F'),
        answered: info.contains('R'),
        deleted: info.contains('T'),
        draft: info.contains('D'),
    }
}

/// Rename the Maildir file at `path` so its name carries `flags`, moving it
/// from new/ to cur/ (a file with an info part belongs in cur/). Flags this
/// program does not model (P, keywords a-z) are kept. Returns the new path.
pub fn set_maildir_flags(path: &Path, flags: Flags) -> Result<PathBuf, StoreError> {
    let file_name = path
        .file_name()
        .ok_or_else(|| io_error(path)(io::Error::new(io::ErrorKind::InvalidInput, "not a file")))?
        .to_string_lossy();
    let (key, info) = split_name(&file_name);
    let mut letters: Vec<char> = info
        .chars()
        .filter(|c| !matches!(c, 'D' | 'F' | 'R' | 'S' | 'T'))
        .collect();
    for (on, letter) in [
        (flags.draft, 'D'),
        (flags.flagged, 'F'),
        (flags.answered, 'R'),
        (flags.seen, 'S'),
        (flags.deleted, 'T'),
    ] {
        if on {
            letters.push(letter);
        }
    }
    letters.sort_unstable();
    letters.dedup();
    let dir = path.parent().unwrap_or(Path::new("."));
    let target_dir = match (dir.file_name(), dir.parent()) {
        (Some(sub), Some(maildir)) if sub == "new" => maildir.join("cur"),
        _ => dir.to_path_buf(),
    };
    let new_path = target_dir.join(format!("{key}:2,{}", String::from_iter(letters)));
    if new_path != path {
        fs::rename(path, &new_path).map_err(io_error(path))?;
    }
    Ok(new_path)
}

/// Applies a flag change to a message whose flags are postern's to keep (a Maildir
/// file, renamed to match; a downloaded POP3 message); true when anything changed.
/// IMAP messages change on the server first (`sync::imap`).
pub fn change_local_flags(
    store: &mut Store,
    id: MessageId,
    add: Flags,
    remove: Flags,
) -> Result<bool, StoreError> {
    let old = store.envelope(id)?.flags;
    let new = old.changed(add, remove);
    if new == old {
        return Ok(false);
    }
    match store.message_source(id)? {
        MessageSource::File(_) => {
            set_message_flags(store, id, new)?;
        }
        MessageSource::Cached(_) | MessageSource::NotFetched => store.set_flags(id, new)?,
    }
    Ok(true)
}

/// Change a Maildir message's flags: rename its file, then record the new
/// path and flags in the store. Returns the new path.
pub fn set_message_flags(
    store: &mut Store,
    id: MessageId,
    flags: Flags,
) -> Result<PathBuf, StoreError> {
    let path = store.maildir_path(id)?.ok_or(StoreError::NotMaildir(id))?;
    let new_path = set_maildir_flags(&path, flags)?;
    store.update_maildir_files(&[(id, new_path.clone(), flags)])?;
    Ok(new_path)
}

/// Moves a message file into the folder at `dir`, keeping its name (and so its key
/// and flags) and whether it sits in `new/` or `cur/`. Returns the new path.
pub(crate) fn move_file(path: &Path, dir: &Path) -> Result<PathBuf, StoreError> {
    let sub = match path.parent().and_then(Path::file_name) {
        Some(sub) if sub == "new" => "new",
        _ => "cur",
    };
    let name = path
        .file_name()
        .ok_or_else(|| io_error(path)(io::Error::new(io::ErrorKind::InvalidInput, "not a file")))?;
    let target = dir.join(sub).join(name);
    if target.exists() {
        return Err(io_error(&target)(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "a message with the same name is already in that folder",
        )));
    }
    fs::rename(path, &target).map_err(io_error(path))?;
    Ok(target)
}

/// Writes a copy of the message file at `path` into the folder at `dir` under a new
/// unique name with the same flags (written in `tmp/`, then renamed into `cur/`).
/// Returns the copy's key and path.
pub(crate) fn copy_file(path: &Path, dir: &Path) -> Result<(String, PathBuf), StoreError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (_, info) = split_name(&name);
    let key = unique_key();
    let tmp = dir.join("tmp").join(&key);
    fs::copy(path, &tmp).map_err(io_error(path))?;
    let target = dir.join("cur").join(format!("{key}:2,{info}"));
    if let Err(source) = fs::rename(&tmp, &target) {
        let _ = fs::remove_file(&tmp);
        return Err(io_error(&target)(source));
    }
    Ok((key, target))
}

/// Writes a new message into the folder at `dir` with `flags` (in `tmp/`, then
/// renamed into `cur/`). Returns its key and path.
pub(crate) fn deliver(
    dir: &Path,
    raw: &[u8],
    flags: Flags,
) -> Result<(String, PathBuf), StoreError> {
    let key = unique_key();
    let tmp = dir.join("tmp").join(&key);
    fs::write(&tmp, raw).map_err(io_error(&tmp))?;
    let target = set_maildir_flags(&tmp, flags)?;
    // set_maildir_flags renames within tmp/; cur/ is where a file with flags lives.
    let name = target.file_name().map(|n| n.to_owned()).unwrap_or_default();
    let in_cur = dir.join("cur").join(name);
    if let Err(source) = fs::rename(&target, &in_cur) {
        let _ = fs::remove_file(&target);
        return Err(io_error(&in_cur)(source));
    }
    Ok((key, in_cur))
}

/// Removes a message file; one already gone is not an error (another program removed
/// it, and the store is about to forget it anyway).
pub(crate) fn remove_file(path: &Path) -> Result<(), StoreError> {
    match fs::remove_file(path) {
        Err(error) if error.kind() != io::ErrorKind::NotFound => Err(io_error(path)(error)),
        _ => Ok(()),
    }
}

/// Where the message file recorded at `path` is now: there, or, when another
/// program renamed it since (its flags changed, or it moved between `new/` and
/// `cur/`), the file of the same folder with the same unique key. `None`: it is gone.
pub(crate) fn current_file(path: &Path) -> Option<PathBuf> {
    if path.exists() {
        return Some(path.to_path_buf());
    }
    let name = path.file_name()?.to_string_lossy().into_owned();
    let (key, _) = split_name(&name);
    let folder = path.parent()?.parent()?;
    ["cur", "new"].iter().find_map(|sub| {
        fs::read_dir(folder.join(sub))
            .ok()?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .find(|candidate| {
                candidate
                    .file_name()
                    .is_some_and(|n| split_name(&n.to_string_lossy()).0 == key)
            })
    })
}

/// Creates the Maildir++ folder `name` ('/'-separated) under `root`: `.Parent.Child`
/// with `cur/ new/ tmp/`, its name in modified UTF-7 as Dovecot and mbsync write it.
/// Returns its directory.
pub(crate) fn create_folder_dir(root: &Path, name: &str) -> Result<PathBuf, StoreError> {
    let encoded: Vec<String> = name
        .split('/')
        .filter(|part| !part.is_empty())
        .map(encode_modified_utf7)
        .collect();
    let dir = root.join(format!(".{}", encoded.join(".")));
    for sub in ["cur", "new", "tmp"] {
        let sub = dir.join(sub);
        fs::create_dir_all(&sub).map_err(io_error(&sub))?;
    }
    Ok(dir)
}

/// A name no other delivery uses: time, process and a counter (the Maildir spec's
/// recipe, with the host left out: postern only writes to its own user's tree).
fn unique_key() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{}.M{}P{}Q{}.postern",
        now.as_secs(),
        now.subsec_micros(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// IMAP modified UTF-7 (RFC 3501 5.1.3): ASCII as itself ('&' as "&-"), other text
/// as UTF-16 in modified base64 between '&' and '-'. '.' is the hierarchy separator
/// of Maildir++, so it is encoded too.
fn encode_modified_utf7(name: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";
    let mut out = String::with_capacity(name.len());
    let mut pending: Vec<u16> = Vec::new();
    let flush = |pending: &mut Vec<u16>, out: &mut String| {
        if pending.is_empty() {
            return;
        }
        let bytes: Vec<u8> = pending.iter().flat_map(|u| u.to_be_bytes()).collect();
        out.push('&');
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            }
        }
        out.push('-');
        pending.clear();
    };
    for c in name.chars() {
        if (' '..='~').contains(&c) && c != '.' {
            flush(&mut pending, &mut out);
            out.push(c);
            if c == '&' {
                out.push('-');
            }
        } else {
            let mut units = [0u16; 2];
            pending.extend_from_slice(c.encode_utf16(&mut units));
        }
    }
    flush(&mut pending, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_names_are_encoded_as_dovecot_writes_them() {
        assert_eq!(encode_modified_utf7("Entwürfe"), "Entw&APw-rfe");
        assert_eq!(encode_modified_utf7("A&B"), "A&-B");
        assert_eq!(encode_modified_utf7("日本語"), "&ZeVnLIqe-");
        assert_eq!(encode_modified_utf7("Trash"), "Trash");
    }

    #[test]
    fn copies_and_moves_keep_flags_and_never_clash() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let inbox = root.to_path_buf();
        let archive = create_folder_dir(root, "Archive").unwrap();
        std::fs::create_dir_all(inbox.join("cur")).unwrap();
        let original = inbox.join("cur/1.M1.host:2,FS");
        std::fs::write(&original, "Subject: x\n\nbody\n").unwrap();
        let (key, copy) = copy_file(&original, &archive).unwrap();
        assert!(
            copy.ends_with(format!("cur/{key}:2,FS")),
            "{}",
            copy.display()
        );
        let (again, _) = copy_file(&original, &archive).unwrap();
        assert_ne!(key, again);
        let moved = move_file(&original, &archive).unwrap();
        assert_eq!(moved, archive.join("cur/1.M1.host:2,FS"));
        assert!(!original.exists());
        assert_eq!(std::fs::read_dir(archive.join("tmp")).unwrap().count(), 0);
        remove_file(&moved).unwrap();
        remove_file(&moved).unwrap();
    }

    #[test]
    fn a_file_renamed_by_another_program_is_found_by_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let drafts = create_folder_dir(dir.path(), "Drafts").unwrap();
        let (_, path) = deliver(&drafts, b"Subject: x\r\n\r\nbody\r\n", Flags::default()).unwrap();
        assert_eq!(current_file(&path), Some(path.clone()));
        let renamed = set_maildir_flags(
            &path,
            Flags {
                seen: true,
                draft: true,
                ..Flags::default()
            },
        )
        .unwrap();
        assert_ne!(renamed, path);
        assert_eq!(current_file(&path), Some(renamed.clone()));
        remove_file(&renamed).unwrap();
        assert_eq!(current_file(&path), None);
    }
}
