//! Indexing a local Maildir++ tree into the store.
//!
//! The root directory is the inbox; `.Name` and `.Parent.Child` directories
//! beside its `cur/ new/ tmp/` are subfolders ("Parent/Child"). Message files
//! stay where they are: the store keeps their envelope and path. A file is
//! identified by the unique part of its name (before ':'), so a rename that
//! only changes the flags is an update, not a new message.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::{
    AccountId, Flags, FolderId, FolderRole, MessageId, MessageSource, NewEnvelope, Store,
    StoreError,
};
use crate::mime::parse_envelope;

/// What a scan changed. Files that could not be indexed are listed in
/// `errors` and skipped; the rest of the tree is still indexed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexReport {
    pub added: usize,
    pub removed: usize,
    /// Messages whose file was renamed (flags changed, or moved new/ -> cur/).
    pub updated: usize,
    pub errors: Vec<(PathBuf, String)>,
}

/// Index (or re-index) the Maildir++ tree at `root` as the folders of `account`.
/// Unchanged files are not read again. Folders that vanished from disk are
/// removed from the store. Fails only when the root itself cannot be read or
/// the database fails.
pub fn index_maildir(
    store: &mut Store,
    account: AccountId,
    root: &Path,
) -> Result<IndexReport, StoreError> {
    let mut report = IndexReport::default();
    let folders = discover_folders(root)?;
    let mut kept = HashSet::new();
    for (name, dir) in &folders {
        let folder = store.upsert_folder(account, name, role_for(name))?;
        kept.insert(folder);
        index_folder(store, folder, dir, &mut report)?;
    }
    for row in store.folders(account)? {
        if !kept.contains(&row.id) {
            report.removed += row.total as usize;
            store.delete_folder(row.id)?;
        }
    }
    Ok(report)
}

/// Rename the Maildir file at `path` so its name carries `flags`, moving it
/// from new/ to cur/ (a file with an info part belongs in cur/). Flags this
/// program does not model (P, keywords a-z) are kept. Returns the new path.
pub fn set_maildir_flags(path: &Path, flags: Flags) -> Result<PathBuf, StoreError> {
    let io_error = |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file_name = path
        .file_name()
        .ok_or_else(|| io_error(io::Error::new(io::ErrorKind::InvalidInput, "not a file")))?
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
        fs::rename(path, &new_path).map_err(io_error)?;
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

/// The folders of the tree: (display name, directory), the inbox first.
fn discover_folders(root: &Path) -> Result<Vec<(String, PathBuf)>, StoreError> {
    let entries = fs::read_dir(root).map_err(|source| StoreError::Io {
        path: root.to_path_buf(),
        source,
    })?;
    let mut folders = vec![("INBOX".to_owned(), root.to_path_buf())];
    let mut subfolders = Vec::new();
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let file_name = file_name.to_string_lossy();
        let Some(encoded) = file_name.strip_prefix('.') else {
            continue;
        };
        // A Maildir++ folder has cur/ (or at least new/); skip `..` and other dot-dirs.
        let dir = entry.path();
        if encoded.is_empty()
            || encoded == "."
            || !(dir.join("cur").is_dir() || dir.join("new").is_dir())
        {
            continue;
        }
        let name: Vec<String> = encoded
            .split('.')
            .filter(|part| !part.is_empty())
            .map(decode_modified_utf7)
            .collect();
        if !name.is_empty() {
            subfolders.push((name.join("/"), dir));
        }
    }
    subfolders.sort();
    folders.extend(subfolders);
    Ok(folders)
}

/// Decode an IMAP modified UTF-7 name (RFC 3501 5.1.3), as Dovecot and
/// Courier write non-ASCII folder names ("Entw&APw-rfe" -> "Entwürfe").
/// A name that is not valid modified UTF-7 is returned as it is.
fn decode_modified_utf7(name: &str) -> String {
    try_decode_modified_utf7(name).unwrap_or_else(|| name.to_owned())
}

fn try_decode_modified_utf7(name: &str) -> Option<String> {
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let end = after.find('-')?;
        let encoded = &after[..end];
        if encoded.is_empty() {
            out.push('&');
        } else {
            let units = decode_base64_utf16(encoded)?;
            out.push_str(&String::from_utf16(&units).ok()?);
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// Modified base64 ('/' written as ',', no padding) of UTF-16BE code units.
fn decode_base64_utf16(encoded: &str) -> Option<Vec<u16>> {
    let mut bits: u32 = 0;
    let mut nbits = 0;
    let mut bytes = Vec::new();
    for c in encoded.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b',' => 63,
            _ => return None,
        };
        bits = (bits << 6) | u32::from(value);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            bytes.push((bits >> nbits) as u8);
            bits &= (1 << nbits) - 1;
        }
    }
    if bytes.len() % 2 != 0 {
        return None;
    }
    Some(
        bytes
            .chunks_exact(2)
            .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
            .collect(),
    )
}

/// Special-use role from a top-level folder name, as common servers and
/// clients spell them.
fn role_for(name: &str) -> Option<FolderRole> {
    if name == "INBOX" {
        return Some(FolderRole::Inbox);
    }
    if name.contains('/') {
        return None;
    }
    match name.to_lowercase().as_str() {
        "sent" | "sent items" | "sent mail" | "sent messages" => Some(FolderRole::Sent),
        "drafts" | "draft" => Some(FolderRole::Drafts),
        "trash" | "deleted items" | "deleted messages" | "deleted" | "bin" => {
            Some(FolderRole::Trash)
        }
        "archive" | "archives" | "all mail" => Some(FolderRole::Archive),
        "junk" | "spam" | "junk e-mail" | "junk email" | "bulk mail" => Some(FolderRole::Junk),
        _ => None,
    }
}

/// One file found in cur/ or new/.
struct Found {
    key: String,
    path: PathBuf,
    flags: Flags,
}

fn index_folder(
    store: &mut Store,
    folder: FolderId,
    dir: &Path,
    report: &mut IndexReport,
) -> Result<(), StoreError> {
    let mut known: HashMap<String, (MessageId, PathBuf)> = store
        .maildir_entries(folder)?
        .into_iter()
        .map(|(key, id, path)| (key, (id, path)))
        .collect();
    let mut seen_keys = HashSet::new();
    let mut renamed = Vec::new();
    let mut added = Vec::new();
    for found in list_files(dir, report) {
        // The same message in new/ and cur/ mid-rename: keep the first.
        if !seen_keys.insert(found.key.clone()) {
            continue;
        }
        match known.remove(&found.key) {
            Some((id, old_path)) => {
                if old_path != found.path {
                    renamed.push((id, found.path, found.flags));
                }
            }
            None => match read_envelope(&found) {
                Ok(envelope) => added.push(envelope),
                Err(message) => report.errors.push((found.path, message)),
            },
        }
    }
    let vanished: Vec<MessageId> = known.into_values().map(|(id, _)| id).collect();
    report.removed += store.delete_messages(&vanished)?;
    store.update_maildir_files(&renamed)?;
    report.updated += renamed.len();
    report.added += store.insert_envelopes(folder, &added)?.len();
    Ok(())
}

/// The message files of one Maildir folder (cur/ then new/). Entries that
/// cannot be listed go to the report.
fn list_files(dir: &Path, report: &mut IndexReport) -> Vec<Found> {
    let mut found = Vec::new();
    for (sub, in_new) in [("cur", false), ("new", true)] {
        let sub_dir = dir.join(sub);
        let entries = match fs::read_dir(&sub_dir) {
            Ok(entries) => entries,
            // A folder without new/ (or cur/) simply has no messages there.
            Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
            Err(err) => {
                report.errors.push((sub_dir, err.to_string()));
                continue;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    report.errors.push((sub_dir.clone(), err.to_string()));
                    continue;
                }
            };
            let file_name = entry.file_name();
            let file_name = file_name.to_string_lossy();
            if file_name.starts_with('.') {
                continue;
            }
            let (key, info) = split_name(&file_name);
            let mut flags = flags_from_info(info);
            if in_new {
                flags.seen = false;
            }
            found.push(Found {
                key: key.to_owned(),
                path: entry.path(),
                flags,
            });
        }
    }
    found
}

/// Split a Maildir file name into its unique part and its flag letters
/// ("1700000000.M1P2.host:2,RS" -> ("1700000000.M1P2.host", "RS")).
fn split_name(file_name: &str) -> (&str, &str) {
    match file_name.split_once(':') {
        Some((key, info)) => (key, info.strip_prefix("2,").unwrap_or("")),
        None => (file_name, ""),
    }
}

fn flags_from_info(info: &str) -> Flags {
    Flags {
        seen: info.contains('S'),
        flagged: info.contains('F'),
        answered: info.contains('R'),
        deleted: info.contains('T'),
        draft: info.contains('D'),
    }
}

/// Headers larger than this are cut: enough for any real envelope.
const MAX_HEADER: u64 = 1 << 20;

/// Read and parse one file's envelope. Only the header is read, unless the
/// message is multipart (then whether it has attachments needs the body).
fn read_envelope(found: &Found) -> Result<NewEnvelope, String> {
    let mut file = File::open(&found.path).map_err(|err| err.to_string())?;
    let meta = file.metadata().map_err(|err| err.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".to_owned());
    }
    if meta.len() == 0 {
        return Err("empty file, not a message".to_owned());
    }
    let mut raw = read_header(&mut file).map_err(|err| err.to_string())?;
    if is_multipart(&raw) {
        file.read_to_end(&mut raw).map_err(|err| err.to_string())?;
    }
    let envelope = parse_envelope(&raw);
    let arrived = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_secs() as i64)
        .unwrap_or_else(super::now);
    Ok(NewEnvelope {
        maildir_key: Some(found.key.clone()),
        maildir_path: Some(found.path.clone()),
        ..NewEnvelope::from_envelope(envelope, found.flags, meta.len(), arrived)
    })
}

/// Read up to and including the blank line that ends the header.
fn read_header(file: &mut File) -> io::Result<Vec<u8>> {
    let mut head = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    let mut limited = file.take(MAX_HEADER);
    loop {
        let n = limited.read(&mut chunk)?;
        if n == 0 {
            return Ok(head);
        }
        // Look for the end a little before the new chunk, in case "\n\n" spans two reads.
        let from = head.len().saturating_sub(3);
        head.extend_from_slice(&chunk[..n]);
        if let Some(end) = header_end(&head[from..]) {
            head.truncate(from + end);
            // Put the reader back where the header ended, for a full read.
            let consumed = head.len() as u64;
            let file = limited.into_inner();
            io::Seek::seek(file, io::SeekFrom::Start(consumed))?;
            return Ok(head);
        }
    }
}

/// Offset just past the first empty line, if any.
fn header_end(bytes: &[u8]) -> Option<usize> {
    bytes.windows(2).enumerate().find_map(|(i, w)| match w {
        b"\n\n" => Some(i + 2),
        b"\n\r" if bytes.get(i + 2) == Some(&b'\n') => Some(i + 3),
        _ => None,
    })
}

/// Whether the top-level Content-Type is multipart/*.
fn is_multipart(header: &[u8]) -> bool {
    let text = String::from_utf8_lossy(header).to_ascii_lowercase();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(value) = line.strip_prefix("content-type:") {
            let mut value = value.to_owned();
            while let Some(next) = lines.next_if(|l| l.starts_with([' ', '\t'])) {
                value.push_str(next);
            }
            return value.trim_start().starts_with("multipart/");
        }
    }
    false
}
