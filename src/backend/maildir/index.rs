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

use super::files::{flags_from_info, split_name};
use crate::mime::parse_envelope;
use crate::store::{
    AccountId, Flags, FolderId, FolderRole, MessageId, NewEnvelope, Store, StoreError,
};

/// What a scan changed. Files that could not be indexed are listed in
/// `errors` and skipped; the rest of the tree is still indexed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexReport {
    pub added: usize,
    pub removed: usize,
    /// Messages whose file was renamed (flags changed, or moved new/ -> cur/).
    pub updated: usize,
    pub errors: Vec<(PathBuf, String)>,
    /// Folders whose messages changed (added, removed or renamed).
    pub changed: Vec<FolderId>,
    /// New unread messages per folder, in folders indexed before (a first index of a
    /// folder is not "new mail").
    pub arrived: Vec<(FolderId, usize)>,
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
    let known: HashSet<String> = store
        .folders(account)?
        .into_iter()
        .map(|f| f.name)
        .collect();
    let mut kept = HashSet::new();
    for (name, dir) in &folders {
        let folder = store.upsert_folder(account, name, role_for(name))?;
        if store.local_dir(folder)?.as_deref() != Some(dir.as_path()) {
            store.set_local_dir(folder, dir)?;
        }
        kept.insert(folder);
        let before = (report.added, report.removed, report.updated);
        let unread = index_folder(store, folder, dir, &mut report)?;
        if (report.added, report.removed, report.updated) != before {
            report.changed.push(folder);
        }
        if unread > 0 && known.contains(name) {
            report.arrived.push((folder, unread));
        }
    }
    for row in store.folders(account)? {
        if !kept.contains(&row.id) {
            report.removed += row.total as usize;
            store.delete_folder(row.id)?;
        }
    }
    Ok(report)
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
pub(super) fn role_for(name: &str) -> Option<FolderRole> {
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

/// Indexes one folder's files; returns how many unread messages were added.
fn index_folder(
    store: &mut Store,
    folder: FolderId,
    dir: &Path,
    report: &mut IndexReport,
) -> Result<usize, StoreError> {
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
    Ok(added.iter().filter(|e| !e.flags.seen).count())
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
        .unwrap_or_else(|| chrono::Utc::now().timestamp());
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
