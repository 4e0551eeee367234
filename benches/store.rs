//! Store benchmark: fill a file-backed store with N envelopes (default 100,000;
//! `POSTERN_BENCH_N=10000 cargo bench --bench store` for a quick run) and time
//! what the UI does: open + first screen cold and warm, a deep page, counts.

use postern::store::{FolderRole, NewEnvelope, Store};
use std::time::{Duration, Instant};

mod common;
use common::{Rng, fmt, median, peak_memory_kib};

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

/// Message `i`: five years back from Nov 2023, roughly in UID order with jitter.
fn fake_envelope(i: usize, rng: &mut Rng) -> NewEnvelope {
    let date = 1_542_000_000 + (i as i64) * 1_500 + (rng.next() % 86_400) as i64;
    common::fake_envelope(i, date, rng)
}
