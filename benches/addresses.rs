//! Address completion benchmark: store N messages (default 100,000;
//! `POSTERN_BENCH_ADDRESSES_N=20000` for a quick run) of a mailbox whose people follow a
//! skewed distribution (a few write all the time, most once), a tenth of them in Sent,
//! into a file-backed store; count their addresses with the catch-up the engine runs
//! after a sync (`Store::catch_up_addresses`: messages/s, and what the reader does
//! before answering a completion when a few messages came in since); then time what
//! completing a To field does: one lookup per key typed, for prefixes of one to five
//! letters, of names, words of names and addresses, and misses, for one account and
//! for all. Prints p50/p99 per kind, the insert rate (inserts count nothing: compare
//! with `cargo bench --bench store`) and the size the addresses take.

use postern::store::{CATCH_UP_BATCH, FolderRole, NewEnvelope, Store};
use std::time::{Duration, Instant};

mod common;
use common::{Rng, fmt, peak_memory_kib};

const BATCH: usize = 1_000;
/// What a completion list shows.
const LIMIT: usize = 10;

const SYLLABLES: &[&str] = &[
    "a", "ka", "lo", "mi", "ra", "ne", "to", "sha", "vi", "el", "jo", "an", "be", "ri", "da", "mu",
    "zo", "fe", "li", "no", "ta", "gu", "or", "è", "ü", "ha", "si", "qu",
];
const DOMAINS: &[&str] = &[
    "example.org",
    "mail.example.com",
    "lists.rust-lang.org",
    "corp.example.net",
    "uni.example.edu",
    "gmail.example",
    "posteo.example",
];

/// Person `i` of the pool: a name of two or three made-up words, an address.
fn person(i: usize) -> (String, String) {
    let mut rng = Rng(i as u64 * 7919 + 13);
    let word = |rng: &mut Rng| {
        let n = 2 + (rng.next() % 2) as usize;
        let mut w: String = (0..n).map(|_| rng.pick(SYLLABLES)).collect();
        if let Some(first) = w.chars().next() {
            let upper: String = first.to_uppercase().collect();
            w.replace_range(..first.len_utf8(), &upper);
        }
        w
    };
    let first = word(&mut rng);
    let last = word(&mut rng);
    let middle = rng.next().is_multiple_of(5).then(|| word(&mut rng));
    let name = match &middle {
        Some(middle) => format!("{first} {middle} {last}"),
        None => format!("{first} {last}"),
    };
    let email = format!(
        "{}.{}{}@{}",
        first.to_lowercase(),
        last.to_lowercase(),
        i % 97,
        rng.pick(DOMAINS)
    );
    (name, email)
}

/// Someone from a pool of `pool`, the first ones far more often (Zipf-like).
fn someone(rng: &mut Rng, pool: usize) -> usize {
    let u = (rng.next() % 1_000_000) as f64 / 1_000_000.0;
    ((pool as f64) * u.powi(3)) as usize
}

fn display((name, email): &(String, String)) -> String {
    format!("{name} <{email}>")
}

fn main() {
    let n: usize = std::env::var("POSTERN_BENCH_ADDRESSES_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let pool = (n / 5).max(100);
    let people: Vec<(String, String)> = (0..pool).map(person).collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.sqlite3");
    println!(
        "addresses bench: {n} messages (a tenth in Sent) among {pool} people, file-backed at {}",
        path.display()
    );

    let mut store = Store::open(&path).expect("open");
    let account = store
        .upsert_account("bench", "me@example.org")
        .expect("account");
    let other = store
        .upsert_account("other", "me@other.example")
        .expect("account");
    let inbox = store
        .upsert_folder(account, "INBOX", Some(FolderRole::Inbox))
        .expect("folder");
    let sent = store
        .upsert_folder(account, "Sent", Some(FolderRole::Sent))
        .expect("folder");
    let other_inbox = store
        .upsert_folder(other, "INBOX", Some(FolderRole::Inbox))
        .expect("folder");

    let mut rng = Rng(0xadd7);
    let mut insert = Duration::ZERO;
    let (mut inbox_uid, mut sent_uid) = (0u32, 0u32);
    for start in (0..n).step_by(BATCH) {
        let mut received = Vec::with_capacity(BATCH);
        let mut written = Vec::with_capacity(BATCH / 5);
        for i in start..(start + BATCH).min(n) {
            let date = 1_542_000_000 + (i as i64) * 1_500;
            let cc: Vec<String> = (0..rng.next() % 3)
                .map(|_| display(&people[someone(&mut rng, pool)]))
                .collect();
            if i % 10 == 0 {
                sent_uid += 1;
                let to: Vec<String> = (0..1 + rng.next() % 2)
                    .map(|_| display(&people[someone(&mut rng, pool)]))
                    .collect();
                written.push(NewEnvelope {
                    uid: Some(sent_uid),
                    from_display: "Me <me@example.org>".into(),
                    from_addr: "me@example.org".into(),
                    to: to.join(", "),
                    cc: cc.join(", "),
                    ..common::fake_envelope(i, date, &mut rng)
                });
            } else {
                inbox_uid += 1;
                let (name, email) = &people[someone(&mut rng, pool)];
                received.push(NewEnvelope {
                    uid: Some(inbox_uid),
                    from_display: format!("{name} <{email}>"),
                    from_addr: email.clone(),
                    to: "Me <me@example.org>".into(),
                    cc: cc.join(", "),
                    ..common::fake_envelope(i, date, &mut rng)
                });
            }
        }
        let started = Instant::now();
        store.insert_envelopes(inbox, &received).expect("insert");
        store.insert_envelopes(sent, &written).expect("insert");
        insert += started.elapsed();
    }
    // A second account knows some of the same people.
    let shared: Vec<NewEnvelope> = (0..(n / 20).max(1))
        .map(|i| {
            let (name, email) = &people[someone(&mut rng, pool)];
            NewEnvelope {
                from_display: format!("{name} <{email}>"),
                from_addr: email.clone(),
                ..common::fake_envelope(i, 1_600_000_000 + i as i64, &mut rng)
            }
        })
        .collect();
    store
        .insert_envelopes(other_inbox, &shared)
        .expect("insert");
    println!(
        "insert:            {:>10.0} envelopes/s  ({n} in {} in batches of {BATCH}, nothing counted)",
        n as f64 / insert.as_secs_f64(),
        fmt(insert)
    );
    let stored = n + shared.len();
    let started = Instant::now();
    let caught = store.catch_up_addresses(usize::MAX).expect("catch up");
    let took = started.elapsed();
    assert!(caught.done && caught.messages == stored, "{caught:?}");
    println!(
        "catch-up:          {:>10.0} messages/s  ({stored} counted in {}, transactions of {CATCH_UP_BATCH})",
        stored as f64 / took.as_secs_f64(),
        fmt(took)
    );
    // What the reader does before completing when a little mail came in since the
    // counter's last catch-up: 20 messages, then nothing new.
    let mut small = Vec::new();
    let mut idle = Vec::new();
    for round in 0..50u32 {
        let few: Vec<NewEnvelope> = (0..20u32)
            .map(|k| {
                let (name, email) = &people[someone(&mut rng, pool)];
                inbox_uid += 1;
                NewEnvelope {
                    uid: Some(inbox_uid),
                    from_display: format!("{name} <{email}>"),
                    from_addr: email.clone(),
                    to: "Me <me@example.org>".into(),
                    ..common::fake_envelope(
                        (round * 20 + k) as usize,
                        1_700_000_000 + i64::from(round * 20 + k),
                        &mut rng,
                    )
                }
            })
            .collect();
        store.insert_envelopes(inbox, &few).expect("insert");
        let started = Instant::now();
        store.catch_up_addresses(1_000).expect("catch up");
        small.push(started.elapsed());
        let started = Instant::now();
        store.catch_up_addresses(1_000).expect("catch up");
        idle.push(started.elapsed());
    }
    let (p50, p99) = percentiles(&mut small);
    let (idle50, idle99) = percentiles(&mut idle);
    println!(
        "catch-up of 20 new: p50 {:>9}  p99 {:>9}  (nothing new: p50 {}  p99 {})",
        fmt(p50),
        fmt(p99),
        fmt(idle50),
        fmt(idle99)
    );
    let (known, keys): (i64, i64) = {
        let conn = rusqlite::Connection::open(&path).expect("open");
        conn.query_row(
            "SELECT (SELECT COUNT(*) FROM addresses), (SELECT COUNT(*) FROM address_keys)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .expect("count")
    };
    println!("addresses known:   {known:>10}  ({keys} keys)");
    drop(store);

    let store = Store::open(&path).expect("reopen");
    // What people type: beginnings of first names, of other words of names, of
    // addresses, of a whole name with its space, and things nobody has.
    let mut queries: Vec<(&str, String)> = Vec::new();
    let mut rng = Rng(0x7e57);
    for _ in 0..200 {
        let (name, email) = &people[someone(&mut rng, pool)];
        let words: Vec<&str> = name.split(' ').collect();
        let len = 1 + (rng.next() % 5) as usize;
        let prefix = |text: &str, len: usize| text.chars().take(len).collect::<String>();
        let kind = match len {
            1 => "1 letter",
            2 => "2 letters",
            _ => "3-5 letters",
        };
        queries.push((kind, prefix(words[0], len)));
        queries.push((kind, prefix(words[words.len() - 1], len)));
        queries.push((kind, prefix(email, len)));
        queries.push(("full name", format!("{} {}", words[0], prefix(words[1], 2))));
        queries.push(("miss", format!("zzq{}", rng.next() % 1000)));
    }
    let kinds = ["1 letter", "2 letters", "3-5 letters", "full name", "miss"];
    let scopes = [("one account", Some(account)), ("all accounts", None)];
    for (scope, which) in scopes {
        let mut all = Vec::new();
        for kind in kinds {
            let mut times = Vec::new();
            let mut found = 0;
            for (_, typed) in queries.iter().filter(|(k, _)| *k == kind) {
                let started = Instant::now();
                let known = store
                    .complete_addresses(which, typed, LIMIT)
                    .expect("complete");
                times.push(started.elapsed());
                found += known.len();
            }
            let (p50, p99) = percentiles(&mut times);
            println!(
                "complete {scope:<12} {kind:<12} p50 {:>9}  p99 {:>9}  ({} lookups, {:.1} found each)",
                fmt(p50),
                fmt(p99),
                times.len(),
                found as f64 / times.len() as f64
            );
            all.extend(times);
        }
        let (p50, p99) = percentiles(&mut all);
        println!(
            "complete {scope:<12} {:<12} p50 {:>9}  p99 {:>9}  ({} lookups, limit {LIMIT})",
            "all kinds",
            fmt(p50),
            fmt(p99),
            all.len()
        );
    }
    let mut times: Vec<Duration> = (0..21)
        .map(|_| {
            let started = Instant::now();
            std::hint::black_box(store.complete_addresses(Some(account), "", LIMIT)).ok();
            started.elapsed()
        })
        .collect();
    let (p50, p99) = percentiles(&mut times);
    println!(
        "complete nothing typed (every address ranked): p50 {}  p99 {}",
        fmt(p50),
        fmt(p99)
    );
    drop(store);

    let db_size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(path.with_extension("sqlite3-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    println!(
        "database size:     {:>10.1} MiB (db + wal)",
        db_size as f64 / 1048576.0
    );
    if let Some(kib) = peak_memory_kib() {
        println!(
            "peak memory:       {:>10.1} MiB (VmHWM)",
            kib as f64 / 1024.0
        );
    }
}

/// p50 and p99 of `times`.
fn percentiles(times: &mut [Duration]) -> (Duration, Duration) {
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    (at(0.5), at(0.99))
}
