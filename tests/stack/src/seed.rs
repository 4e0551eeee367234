//! Fast mailbox fixtures: realistic generated messages written straight into a Maildir's
//! `cur/` as vmail. Dovecot gives them UIDs in file-name order; mtime becomes INTERNALDATE.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::error::StackError;
use crate::system::Vmail;

/// What to put into a folder.
#[derive(Debug, Clone)]
pub struct SeedSpec {
    /// "INBOX" or a folder path with '/' separators ("Archive/2024"); created if missing.
    pub folder: String,
    pub count: usize,
    /// Share of messages marked \Seen, \Flagged, \Answered (0-100 each).
    pub seen_percent: u8,
    pub flagged_percent: u8,
    pub answered_percent: u8,
    /// Date of the newest message; older ones are `spacing` apart.
    pub newest: SystemTime,
    pub spacing: Duration,
    /// Same seed, same messages.
    pub rng_seed: u64,
}

impl SeedSpec {
    pub fn inbox(count: usize) -> SeedSpec {
        SeedSpec::folder("INBOX", count)
    }

    pub fn folder(folder: &str, count: usize) -> SeedSpec {
        SeedSpec {
            folder: folder.into(),
            count,
            seen_percent: 70,
            flagged_percent: 5,
            answered_percent: 10,
            newest: SystemTime::now(),
            spacing: Duration::from_secs(37 * 60),
            rng_seed: 1,
        }
    }
}

/// What `seed` wrote.
#[derive(Debug, Clone)]
pub struct SeedReport {
    pub count: usize,
    pub seen: usize,
    pub flagged: usize,
    pub answered: usize,
    pub bytes: u64,
    pub elapsed: Duration,
    pub folder_dir: PathBuf,
}

impl SeedReport {
    pub fn messages_per_second(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Keeps file names of later seeds after earlier ones (UIDs follow name order).
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// The Maildir++ directory of a folder: INBOX is the Maildir itself.
pub fn folder_dir(maildir: &Path, folder: &str) -> Result<PathBuf, StackError> {
    if folder.eq_ignore_ascii_case("INBOX") {
        return Ok(maildir.to_path_buf());
    }
    let bad = folder.is_empty()
        || folder.starts_with('/')
        || folder.contains("..")
        || folder.contains('.')
        || folder.contains('\0');
    if bad {
        return Err(StackError::BadSeed(format!(
            "folder {folder:?}: use names like \"Archive\" or \"Archive/2024\" (no dots)"
        )));
    }
    Ok(maildir.join(format!(".{}", folder.replace('/', "."))))
}

pub(crate) fn ensure_maildir(dir: &Path, vmail: Vmail) -> Result<(), StackError> {
    for sub in ["cur", "new", "tmp"] {
        let path = dir.join(sub);
        std::fs::create_dir_all(&path).map_err(StackError::fs("create", &path))?;
        chown(&path, vmail)?;
    }
    chown(dir, vmail)
}

pub(crate) fn chown(path: &Path, vmail: Vmail) -> Result<(), StackError> {
    std::os::unix::fs::chown(path, Some(vmail.uid), Some(vmail.gid))
        .map_err(StackError::fs("chown", path))
}

pub(crate) fn seed(
    maildir: &Path,
    vmail: Vmail,
    spec: &SeedSpec,
) -> Result<SeedReport, StackError> {
    let started = Instant::now();
    let dir = folder_dir(maildir, &spec.folder)?;
    ensure_maildir(&dir, vmail)?;
    if dir != maildir {
        let marker = dir.join("maildirfolder");
        std::fs::write(&marker, b"").map_err(StackError::fs("write", &marker))?;
        chown(&marker, vmail)?;
    }
    let mut rng = StdRng::seed_from_u64(spec.rng_seed);
    let first = SEQUENCE.fetch_add(spec.count as u64, Ordering::Relaxed);
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let pid = std::process::id();
    let mut report = SeedReport {
        count: spec.count,
        seen: 0,
        flagged: 0,
        answered: 0,
        bytes: 0,
        elapsed: Duration::ZERO,
        folder_dir: dir.clone(),
    };
    for i in 0..spec.count {
        let age = spec.spacing * (spec.count - 1 - i) as u32;
        let date = spec.newest.checked_sub(age).unwrap_or(UNIX_EPOCH);
        let message = generate_message(&mut rng, first + i as u64, date);
        let mut flags = String::new();
        // Maildir flags must be in ASCII order: F R S.
        if rng.gen_range(0..100) < spec.flagged_percent {
            flags.push('F');
            report.flagged += 1;
        }
        if rng.gen_range(0..100) < spec.answered_percent {
            flags.push('R');
            report.answered += 1;
        }
        if rng.gen_range(0..100) < spec.seen_percent {
            flags.push('S');
            report.seen += 1;
        }
        let crlf_size = message.len() + message.iter().filter(|&&b| b == b'\n').count();
        let name = format!(
            "{stamp}.M{:010}P{pid}.postern-stack,S={},W={crlf_size}:2,{flags}",
            first + i as u64,
            message.len()
        );
        // Written in tmp/ and renamed into cur/, so a session open on the folder never
        // sees half a message.
        let tmp = dir.join("tmp").join(&name);
        let mut file = std::fs::File::create(&tmp).map_err(StackError::fs("create", &tmp))?;
        file.write_all(&message)
            .map_err(StackError::fs("write", &tmp))?;
        file.set_modified(date)
            .map_err(StackError::fs("set the date of", &tmp))?;
        std::os::unix::fs::fchown(&file, Some(vmail.uid), Some(vmail.gid))
            .map_err(StackError::fs("chown", &tmp))?;
        drop(file);
        let target = dir.join("cur").join(&name);
        std::fs::rename(&tmp, &target).map_err(StackError::fs("move into cur/", &target))?;
        report.bytes += message.len() as u64;
    }
    report.elapsed = started.elapsed();
    Ok(report)
}

const FIRST_NAMES: &[&str] = &[
    "Ada", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Edsger", "Radia",
    "Tim", "Hedy", "Élodie", "Jürgen", "Søren", "Zoë",
];
const LAST_NAMES: &[&str] = &[
    "Lovelace",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Thompson",
    "Liskov",
    "Ritchie",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "Müller",
    "Øster",
];
const DOMAINS: &[&str] = &[
    "example.test",
    "mail.example.org",
    "lists.example.net",
    "corp.example.com",
];
const SUBJECT_START: &[&str] = &["Re: ", "Fwd: ", "", "", "", "[list] ", "AW: "];
const SUBJECT_TOPICS: &[&str] = &[
    "Quarterly report",
    "Lunch on Friday?",
    "Build failure on main",
    "Invoice 4711",
    "Meeting notes",
    "Your order has shipped",
    "Holiday plans",
    "Security update",
    "Draft proposal",
    "Welcome aboard",
    "Question about the API",
    "Photos from the trip",
    "Überweisung bestätigt",
    "Café meeting ☕",
    "Release 2.3 is out",
];
const WORDS: &[&str] = &[
    "the", "mail", "server", "client", "token", "folder", "message", "please", "review",
    "attached", "thanks", "meeting", "tomorrow", "update", "project", "deadline", "question",
    "answer", "quickly", "after", "before", "team", "report", "numbers", "look", "good", "we",
    "should", "ship", "it",
];

fn pick<'a>(rng: &mut StdRng, items: &[&'a str]) -> &'a str {
    items[rng.gen_range(0..items.len())]
}

fn person(rng: &mut StdRng) -> (String, String) {
    let first = pick(rng, FIRST_NAMES);
    let last = pick(rng, LAST_NAMES);
    let local: String = format!("{first}.{last}")
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
        .collect();
    (
        format!("{first} {last}"),
        format!("{local}@{}", pick(rng, DOMAINS)),
    )
}

/// Encodes a header value as RFC 2047 when it is not plain ASCII.
fn header_text(text: &str) -> String {
    if text.is_ascii() {
        text.to_owned()
    } else {
        use base64::Engine;
        format!(
            "=?UTF-8?B?{}?=",
            base64::engine::general_purpose::STANDARD.encode(text)
        )
    }
}

fn paragraph(rng: &mut StdRng) -> String {
    let mut lines = Vec::new();
    let mut line = String::new();
    for _ in 0..rng.gen_range(8..60) {
        if line.len() > 66 {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(pick(rng, WORDS));
    }
    lines.push(line);
    lines.join("\n")
}

/// One realistic message with LF line ends (Maildir files use LF).
pub fn generate_message(rng: &mut StdRng, index: u64, date: SystemTime) -> Vec<u8> {
    let (from_name, from_addr) = person(rng);
    let subject = format!(
        "{}{} #{index}",
        pick(rng, SUBJECT_START),
        pick(rng, SUBJECT_TOPICS)
    );
    let date = chrono::DateTime::<chrono::Utc>::from(date).format("%a, %d %b %Y %H:%M:%S +0000");
    let body: Vec<String> = (0..rng.gen_range(1..12)).map(|_| paragraph(rng)).collect();
    let body = body.join("\n\n");
    let mut out = format!(
        "Return-Path: <{from_addr}>\nMessage-ID: <seed.{index}.{}@postern-stack.test>\nDate: {date}\nFrom: {} <{from_addr}>\nTo: Test User <user@example.test>\nSubject: {}\nMIME-Version: 1.0\n",
        rng.r#gen::<u32>(),
        header_text(&from_name),
        header_text(&subject),
    );
    match index % 10 {
        // multipart/alternative: text + HTML
        3 | 7 => {
            let boundary = format!("alt-{index}");
            out.push_str(&format!(
                "Content-Type: multipart/alternative; boundary=\"{boundary}\"\n\n--{boundary}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{body}\n--{boundary}\nContent-Type: text/html; charset=utf-8\n\n<html><body><p>{}</p></body></html>\n--{boundary}--\n",
                body.replace("\n\n", "</p><p>")
            ));
        }
        // multipart/mixed with a small attachment
        5 => {
            use base64::Engine;
            let boundary = format!("mix-{index}");
            let blob: Vec<u8> = (0..rng.gen_range(200..3000)).map(|_| rng.r#gen()).collect();
            let encoded = base64::engine::general_purpose::STANDARD.encode(blob);
            let wrapped: Vec<&str> = encoded
                .as_bytes()
                .chunks(76)
                .map(|chunk| std::str::from_utf8(chunk).unwrap_or(""))
                .collect();
            out.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=\"{boundary}\"\n\n--{boundary}\nContent-Type: text/plain; charset=utf-8\n\n{body}\n--{boundary}\nContent-Type: application/octet-stream; name=\"data-{index}.bin\"\nContent-Disposition: attachment; filename=\"data-{index}.bin\"\nContent-Transfer-Encoding: base64\n\n{}\n--{boundary}--\n",
                wrapped.join("\n")
            ));
        }
        _ => {
            out.push_str(&format!(
                "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{body}\n"
            ));
        }
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_map_to_maildir_plus_plus() {
        let root = Path::new("/m");
        assert_eq!(folder_dir(root, "INBOX").unwrap(), Path::new("/m"));
        assert_eq!(
            folder_dir(root, "Archive/2024").unwrap(),
            Path::new("/m/.Archive.2024")
        );
        assert!(folder_dir(root, "../etc").is_err());
        assert!(folder_dir(root, "").is_err());
    }

    #[test]
    fn messages_vary_and_parse_as_headers_plus_body() {
        let mut rng = StdRng::seed_from_u64(7);
        let messages: Vec<Vec<u8>> = (0..20)
            .map(|i| generate_message(&mut rng, i, UNIX_EPOCH))
            .collect();
        let sizes: std::collections::HashSet<usize> = messages.iter().map(Vec::len).collect();
        assert!(sizes.len() > 10, "sizes should vary");
        let multipart = messages
            .iter()
            .filter(|m| String::from_utf8_lossy(m).contains("multipart/"))
            .count();
        assert!(multipart >= 4);
        for message in &messages {
            let text = String::from_utf8_lossy(message);
            assert!(text.contains("\n\n"));
            assert!(text.contains("Subject: "));
        }
    }
}
