//! Store benchmark: fill a file-backed store with N envelopes (default 100,000;
//! `POSTERN_BENCH_N=10000 cargo bench --bench store` for a quick run) and time
//! what the UI does: open + first screen cold and warm, a deep page, counts.

use postern::store::{Flags, FolderRole, NewEnvelope, Store};
use std::time::{Duration, Instant};

const SCREEN: usize = 50;
const BATCH: usize = 1_000;

fn main() {
    let n: usize = std::env::var("POSTERN_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.sqlite3");
    println!(
        "store bench: {n} envelopes in one folder, file-backed at {}",
        path.display()
    );

    let mut store = Store::open(&path).expect("open");
    let account = store
        .upsert_account("bench", "me@example.org")
        .expect("account");
    let inbox = store
        .upsert_folder(account, "INBOX", Some(FolderRole::Inbox))
        .expect("folder");
    for (name, role) in [
        ("Sent", Some(FolderRole::Sent)),
        ("Drafts", Some(FolderRole::Drafts)),
        ("Trash", Some(FolderRole::Trash)),
        ("Lists/rust-users", None),
    ] {
        let folder = store.upsert_folder(account, name, role).expect("folder");
        let few: Vec<_> = (0..200)
            .map(|i| fake_envelope(i, &mut Rng(i as u64 + 7)))
            .collect();
        store.insert_envelopes(folder, &few).expect("insert");
    }

    // Generated batch by batch, as a sync would hand them over, so peak memory
    // reflects the store rather than the test data.
    let mut rng = Rng(0x5eed);
    let mut insert = Duration::ZERO;
    for start in (0..n).step_by(BATCH) {
        let batch: Vec<NewEnvelope> = (start..(start + BATCH).min(n))
            .map(|i| fake_envelope(i, &mut rng))
            .collect();
        let started = Instant::now();
        store.insert_envelopes(inbox, &batch).expect("insert");
        insert += started.elapsed();
    }
    println!(
        "insert:            {:>10.0} envelopes/s  ({n} in {} in batches of {BATCH})",
        n as f64 / insert.as_secs_f64(),
        fmt(insert)
    );
    drop(store);

    // Cold: a new connection (the OS file cache is warm; SQLite's is not).
    let started = Instant::now();
    let store = Store::open(&path).expect("reopen");
    let folders = store.folders(account).expect("folders");
    let first = store.envelopes(inbox, 0, SCREEN).expect("page");
    let cold = started.elapsed();
    assert_eq!(first.len(), SCREEN.min(n));
    let counts = folders
        .iter()
        .find(|f| f.id == inbox)
        .map(|f| (f.total, f.unread))
        .unwrap_or_default();
    println!(
        "first screen cold: {:>10}  (open + {} folders with counts + {SCREEN} envelopes; INBOX {} total, {} unread)",
        fmt(cold),
        folders.len(),
        counts.0,
        counts.1
    );

    let warm = median(9, || {
        let folders = store.folders(account).expect("folders");
        let page = store.envelopes(inbox, 0, SCREEN).expect("page");
        std::hint::black_box((folders, page));
    });
    println!("first screen warm: {:>10}  (median of 9)", fmt(warm));

    let deep_offset = n * 9 / 10;
    let deep = median(9, || {
        let page = store.envelopes(inbox, deep_offset, SCREEN).expect("page");
        std::hint::black_box(page);
    });
    println!(
        "deep page:         {:>10}  (offset {deep_offset}, {SCREEN} envelopes, median of 9)",
        fmt(deep)
    );

    let count = median(5, || {
        std::hint::black_box(store.recount_folder(inbox).expect("recount"));
    });
    println!(
        "full COUNT(*):     {:>10}  (what counting unread by scanning would cost per folder; the folder list uses counters instead)",
        fmt(count)
    );

    maildir_figures(&dir.path().join("Maildir"), (n / 10).max(1));

    let db_size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(path.with_extension("sqlite3-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    println!(
        "database size:     {:>10.1} MiB (db + wal)",
        db_size as f64 / 1048576.0
    );
    match peak_memory_kib() {
        Some(kib) => println!(
            "peak memory:       {:>10.1} MiB (VmHWM)",
            kib as f64 / 1024.0
        ),
        None => println!("peak memory:       unavailable (no /proc/self/status)"),
    }
}

/// Index a Maildir of `files` messages, then rescan it unchanged.
fn maildir_figures(root: &std::path::Path, files: usize) {
    let mut rng = Rng(0xfeed);
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(root.join(sub)).expect("maildir");
    }
    for i in 0..files {
        let e = fake_envelope(i, &mut rng);
        let raw = format!(
            "From: {}\r\nTo: me@example.org\r\nSubject: {}\r\nMessage-ID: <{i}@bench>\r\n\
             Date: Tue, 14 Nov 2023 22:13:20 +0000\r\nReceived: from mx.example.org by mail\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\r\n{}",
            e.from_display,
            e.subject,
            "Some body text that goes on for a while.\r\n".repeat(60)
        );
        let name = format!(
            "cur/1700000000.M{i}P1.bench:2,{}",
            if i % 3 == 0 { "" } else { "S" }
        );
        std::fs::write(root.join(name), raw).expect("write");
    }
    let mut store = Store::open_in_memory().expect("store");
    let account = store
        .upsert_account("local", "me@example.org")
        .expect("account");
    let started = Instant::now();
    let report =
        postern::backend::maildir::index_maildir(&mut store, account, root).expect("index");
    let first = started.elapsed();
    assert_eq!(report.added, files);
    let started = Instant::now();
    let again =
        postern::backend::maildir::index_maildir(&mut store, account, root).expect("rescan");
    let rescan = started.elapsed();
    assert_eq!(again.added + again.removed + again.updated, 0);
    println!(
        "maildir index:     {:>10.0} messages/s  ({files} files in {}, page cache warm)",
        files as f64 / first.as_secs_f64(),
        fmt(first)
    );
    println!(
        "maildir rescan:    {:>10}  ({files} files, nothing changed)",
        fmt(rescan)
    );
}

fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed()
        })
        .collect();
    times.sort();
    times[runs / 2]
}

fn fmt(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros < 1000.0 {
        format!("{micros:.0} µs")
    } else if micros < 1e6 {
        format!("{:.2} ms", micros / 1000.0)
    } else {
        format!("{:.2} s", micros / 1e6)
    }
}

fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// xorshift64*: deterministic data without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0.max(1);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const FIRST: &[&str] = &[
    "Alice", "Bob", "Carol", "Dmitri", "Eva", "Farid", "Grace", "Hiroshi", "Inès", "José", "Kasia",
    "Liam", "Mei", "Noor", "Olu", "Priya",
];
const LAST: &[&str] = &[
    "Martin", "Nakamura", "Okafor", "Schmidt", "García", "Rossi", "Kowalski", "Chen", "Dubois",
    "Haddad", "Larsen", "Silva",
];
const DOMAINS: &[&str] = &[
    "example.org",
    "mail.example.com",
    "lists.rust-lang.org",
    "corp.example.net",
    "uni.example.edu",
];
const TOPICS: &[&str] = &[
    "quarterly report",
    "release 2.4 planning",
    "lunch on Friday?",
    "invoice #48213",
    "your order has shipped",
    "build failure on main",
    "meeting notes",
    "travel itinerary",
    "PR #1312: fix the IMAP IDLE timeout",
    "security advisory",
    "weekly digest",
    "conference talk proposal",
    "flat viewing Saturday",
    "photos from the trip",
];
const PREFIXES: &[&str] = &["", "", "", "Re: ", "Re: ", "Fwd: ", "[rust-users] "];

fn fake_envelope(i: usize, rng: &mut Rng) -> NewEnvelope {
    let first = rng.pick(FIRST);
    let last = rng.pick(LAST);
    let addr = format!(
        "{}.{}@{}",
        first.to_lowercase(),
        last.to_lowercase(),
        rng.pick(DOMAINS)
    );
    // Five years back from Nov 2023, roughly in UID order with jitter.
    let date = 1_542_000_000 + (i as i64) * 1_500 + (rng.next() % 86_400) as i64;
    NewEnvelope {
        uid: Some(i as u32 + 1),
        message_id: Some(format!(
            "<{i}.{}@{}>",
            rng.next() % 1_000_000,
            rng.pick(DOMAINS)
        )),
        in_reply_to: rng
            .next()
            .is_multiple_of(3)
            .then(|| format!("<{}@example.org>", rng.next() % 100_000)),
        date,
        from_display: format!("{first} {last} <{addr}>"),
        from_addr: addr,
        to: "me@example.org".to_owned(),
        cc: String::new(),
        subject: format!("{}{}", rng.pick(PREFIXES), rng.pick(TOPICS)),
        flags: Flags {
            seen: rng.next() % 10 >= 3,
            flagged: rng.next().is_multiple_of(50),
            ..Flags::default()
        },
        size: 2_000 + rng.next() % 200_000,
        has_attachments: rng.next().is_multiple_of(8),
        arrived: date + 30,
        ..NewEnvelope::default()
    }
}
