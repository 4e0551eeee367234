//! What the benchmarks share: timing helpers, the process's peak memory, and
//! deterministic fake envelopes (no dependency for random data).

#![allow(dead_code)]

use std::time::{Duration, Instant};

use postern::store::{Flags, NewEnvelope};

/// The median time of `runs` runs of `f`.
pub fn median(runs: usize, mut f: impl FnMut()) -> Duration {
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

/// A duration as a person reads it: µs, ms or s.
pub fn fmt(d: Duration) -> String {
    let micros = d.as_secs_f64() * 1e6;
    if micros < 100.0 {
        format!("{micros:.1} µs")
    } else if micros < 1000.0 {
        format!("{micros:.0} µs")
    } else if micros < 1e6 {
        format!("{:.2} ms", micros / 1000.0)
    } else {
        format!("{:.2} s", micros / 1e6)
    }
}

/// The process's peak resident memory so far (VmHWM), in KiB.
pub fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// xorshift64*: deterministic data without a dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0.max(1);
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
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

/// Message `i` (UID `i + 1`) dated `date`: a plausible sender, subject and flags.
pub fn fake_envelope(i: usize, date: i64, rng: &mut Rng) -> NewEnvelope {
    let first = rng.pick(FIRST);
    let last = rng.pick(LAST);
    let addr = format!(
        "{}.{}@{}",
        first.to_lowercase(),
        last.to_lowercase(),
        rng.pick(DOMAINS)
    );
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
