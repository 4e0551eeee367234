//! TUI key benchmark: key press -> model updated -> frame drawn, on folders of
//! 100,000 and 1,000,000 envelopes in a file-backed store (`POSTERN_BENCH_TUI_N`, a
//! comma-separated list: `POSTERN_BENCH_TUI_N=20000 cargo bench --bench tui_keys`).
//!
//! Each of 10,000 mixed keys is timed from `update(Msg::Key)` to the frame drawn on a
//! 120x40 `TestBackend`. In between, every read the update asks for (pages of the
//! list, folders) is answered synchronously by the reader's own code
//! (`engine::answer_read`) and fed back, until nothing more is asked: that is how the
//! list pages in. What is not a read goes nowhere: a `Run` (flag, tag, mark read) is
//! answered `Done`, opening a message gets one sample message rendered once.

use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use postern::engine::{Command, Event, answer_read};
use postern::mime::Rendered;
use postern::store::{EnvelopeRow, Flags, FolderId, FolderRole, NewEnvelope, Page, Store};
use postern::tui::layout::{Panes, inner};
use postern::tui::model::AccountView;
use postern::tui::{Clock, Effect, Model, Msg, update, view};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

mod common;
use common::{Rng, fmt, median, peak_memory_kib};

const SIZE: (u16, u16) = (120, 40);
const KEYS: usize = 10_000;
const BATCH: usize = 1_000;
/// The goal stated in the issue.
const GOAL_P99: Duration = Duration::from_millis(1);
const GOAL_MAX: Duration = Duration::from_millis(16);
/// Five years of mail, however many messages.
const SPAN: i64 = 5 * 365 * 86_400;
const FIRST_DATE: i64 = 1_542_000_000;

fn main() {
    let sizes: Vec<usize> = std::env::var("POSTERN_BENCH_TUI_N")
        .ok()
        .map(|v| {
            v.split(',')
                .map(|n| n.trim().parse().expect("POSTERN_BENCH_TUI_N: numbers"))
                .collect()
        })
        .unwrap_or_else(|| vec![100_000, 1_000_000]);
    println!(
        "tui_keys bench: {KEYS} mixed keys, each timed key -> update -> reads answered -> frame drawn ({}x{} TestBackend)",
        SIZE.0, SIZE.1
    );
    println!(
        "goal (issue): p99 under {} and no key over one frame ({}), G included",
        fmt(GOAL_P99),
        fmt(GOAL_MAX)
    );
    for n in sizes {
        bench(n);
    }
}

fn bench(n: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.sqlite3");
    println!();
    println!(
        "== {n} envelopes in INBOX, file-backed at {}",
        path.display()
    );
    let (folder, fill) = fill(&path, n);
    println!(
        "fill:              {:>10}  ({:.0} envelopes/s, batches of {BATCH})",
        fmt(fill),
        n as f64 / fill.as_secs_f64()
    );

    // A new connection, as the reader thread has: SQLite's cache is cold, the OS's warm.
    let mut store = Store::open(&path).expect("reopen");
    let clock = Clock {
        now: FIRST_DATE + SPAN + 86_400,
        utc_offset: 0,
    };
    let mut bench = Bench {
        model: Model::new(SIZE, clock),
        terminal: Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).expect("terminal"),
        sample: None,
        timing: Timing::default(),
    };
    let started = Instant::now();
    let accounts = store.accounts().expect("accounts");
    bench.settle(&mut store, Msg::Engine(Event::Accounts(accounts)));
    bench.draw();
    let first = started.elapsed();
    let list = bench.list().expect("the inbox list");
    assert_eq!(list.folder, folder, "the inbox opens first");
    assert_eq!(list.total, n);
    assert!(list.loaded && !list.rows().is_empty());
    println!(
        "first screen:      {:>10}  (accounts, folders, first page, first frame)",
        fmt(first)
    );

    let keys = key_mix(KEYS);
    let mut samples = Vec::with_capacity(keys.len());
    let mut checked_flag = false;
    let mut checked_jump = false;
    for &press in &keys {
        // What F is to flag, found before the clock starts.
        let flagging = (press == Press::Flag && !checked_flag).then(|| {
            let list = bench.list().expect("list");
            let selection = list.selection();
            let on = !selection.iter().all(|(_, flags)| flags.flagged);
            (selection, on)
        });
        bench.timing = Timing::default();
        let before = OnCpu::now();
        let started = Instant::now();
        bench.settle(&mut store, Msg::Key(press.event()));
        bench.draw();
        let total = started.elapsed();
        let on_cpu = OnCpu::now().since(before);
        samples.push(Sample {
            press,
            total,
            timing: bench.timing,
            on_cpu,
        });
        if let Some((selection, on)) = flagging {
            check_flagged(&bench, &selection, on);
            checked_flag = true;
        }
        if press == Press::Bottom && !checked_jump {
            check_last(&bench, &store, folder);
            checked_jump = true;
        }
    }
    assert!(checked_flag && checked_jump, "the mix has F and G");

    report(&samples);
    raw_sql(&store, folder, n);
    match peak_memory_kib() {
        Some(kib) => println!(
            "peak memory:       {:>10.1} MiB (VmHWM of the process so far)",
            kib as f64 / 1024.0
        ),
        None => println!("peak memory:       unavailable (no /proc/self/status)"),
    }
}

/// A store with one account: INBOX with `n` envelopes, and a few small folders.
fn fill(path: &std::path::Path, n: usize) -> (FolderId, Duration) {
    let started = Instant::now();
    let mut store = Store::open(path).expect("open");
    let account = store
        .upsert_account("bench", "me@example.org")
        .expect("account");
    let inbox = store
        .upsert_folder(account, "INBOX", Some(FolderRole::Inbox))
        .expect("folder");
    for (name, role) in [
        ("Archive", Some(FolderRole::Archive)),
        ("Sent", Some(FolderRole::Sent)),
        ("Drafts", Some(FolderRole::Drafts)),
        ("Trash", Some(FolderRole::Trash)),
        ("Lists/rust-users", None),
    ] {
        let folder = store.upsert_folder(account, name, role).expect("folder");
        let mut rng = Rng(folder.0 as u64 + 7);
        let few: Vec<_> = (0..200).map(|i| fake_envelope(i, 200, &mut rng)).collect();
        store.insert_envelopes(folder, &few).expect("insert");
    }
    // Batch by batch, as a sync hands them over.
    let mut rng = Rng(0x5eed);
    for start in (0..n).step_by(BATCH) {
        let batch: Vec<NewEnvelope> = (start..(start + BATCH).min(n))
            .map(|i| fake_envelope(i, n, &mut rng))
            .collect();
        store.insert_envelopes(inbox, &batch).expect("insert");
    }
    (inbox, started.elapsed())
}

struct Bench {
    model: Model,
    terminal: Terminal<TestBackend>,
    /// The message every open shows, rendered once at the pane's width.
    sample: Option<Box<Rendered>>,
    /// Where the time of the key being measured goes.
    timing: Timing,
}

#[derive(Debug, Clone, Copy, Default)]
struct Timing {
    /// In `update`: the key and every answer fed back.
    update: Duration,
    /// In `answer_read`.
    read: Duration,
    draw: Duration,
    /// How many reads were answered.
    reads: usize,
}

impl Bench {
    /// `msg` and everything it leads to, as the event loop and the engine would do it,
    /// with the engine's reads answered at once.
    fn settle(&mut self, store: &mut Store, msg: Msg) {
        let mut queue = VecDeque::from([msg]);
        while let Some(msg) = queue.pop_front() {
            let started = Instant::now();
            let effects = update(&mut self.model, msg);
            self.timing.update += started.elapsed();
            for effect in effects {
                let Effect::Engine(command) = effect else {
                    panic!("a key of the mix quit the UI");
                };
                queue.extend(self.answer(store, command).into_iter().map(Msg::Engine));
            }
        }
    }

    fn answer(&mut self, store: &mut Store, command: Command) -> Vec<Event> {
        match command {
            Command::Run { request, .. } => vec![Event::Done {
                request,
                outcome: postern::engine::Outcome::Nothing,
            }],
            Command::OpenMessage { id, width } => {
                let rendered = self
                    .sample
                    .get_or_insert_with(|| {
                        Box::new(postern::mime::render(SAMPLE, usize::from(width)))
                    })
                    .clone();
                vec![Event::Message { id, rendered }]
            }
            Command::Refresh { .. } => Vec::new(),
            read => {
                let described = format!("{read:?}");
                let started = Instant::now();
                let events = answer_read(store, read);
                self.timing.read += started.elapsed();
                self.timing.reads += 1;
                let events = events.unwrap_or_else(|| panic!("not a read: {described}"));
                for event in &events {
                    if let Event::Error { context, problem } = event {
                        panic!("{described}: {context}: {problem}");
                    }
                }
                events
            }
        }
    }

    fn draw(&mut self) {
        let started = Instant::now();
        self.model.take_dirty();
        let model = &self.model;
        self.terminal.draw(|f| view(model, f)).expect("draw");
        self.timing.draw += started.elapsed();
    }

    fn list(&self) -> Option<&postern::tui::list::MessageList> {
        self.model.view().and_then(AccountView::list)
    }
}

/// Outside the timing: the F just measured shows in the model (the optimistic
/// update), so the figure is the time to a frame that shows the flag.
fn check_flagged(bench: &Bench, selection: &[(postern::store::MessageId, Flags)], on: bool) {
    let list = bench.list().expect("list");
    for (id, _) in selection {
        let flags = list.flags_of(*id).expect("the flagged message is loaded");
        assert_eq!(flags.flagged, on, "F on {id:?}");
    }
    let selected = list.selected().expect("a selected row");
    let in_frame = if selection.iter().any(|(id, _)| *id == selected.id) {
        assert_eq!(selected.flags.flagged, on, "F on the selected row");
        // The flags column of the cursor's line: tagged, new, flagged, ...
        let body = inner(Panes::of(&bench.model).list.expect("the list pane"));
        let line = list.cursor - list.top.min(list.cursor);
        let y = body.y + u16::try_from(line).expect("on screen");
        let cell = bench.terminal.backend().buffer()[(body.x + 2, y)].symbol();
        assert_eq!(
            cell == "F",
            on,
            "the frame's flags column of the selected row"
        );
        " and in the frame"
    } else {
        ""
    };
    println!(
        "check: the first F {} {} message(s) in the model{in_frame}",
        if on { "flagged" } else { "unflagged" },
        selection.len()
    );
}

/// Outside the timing: `G` put the cursor on the folder's real last message.
fn check_last(bench: &Bench, store: &Store, folder: FolderId) {
    let list = bench.list().expect("list");
    let last: Vec<EnvelopeRow> = store
        .envelope_page(folder, Page::Last, 1)
        .expect("last page");
    assert_eq!(
        list.cursor,
        list.total - 1,
        "G: the cursor on the last index"
    );
    assert_eq!(
        list.selected().map(|r| r.id),
        last.first().map(|r| r.id),
        "G: the oldest message of the folder is selected"
    );
    println!(
        "check: the first G selected the folder's last message (index {} of {})",
        list.cursor, list.total
    );
}

struct Sample {
    press: Press,
    total: Duration,
    timing: Timing,
    on_cpu: OnCpu,
}

/// The process's CPU time and how often the scheduler took the CPU away from it: the
/// two cores are shared, and a key that lost the CPU waited for someone else's work.
#[derive(Debug, Clone, Copy, Default)]
struct OnCpu {
    cpu: Duration,
    preempted: libc::c_long,
}

impl OnCpu {
    #[cfg(unix)]
    fn now() -> OnCpu {
        // SAFETY: both calls only write the structs they are given.
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe {
            libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts);
            libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        }
        OnCpu {
            cpu: Duration::new(
                ts.tv_sec.max(0) as u64,
                ts.tv_nsec.clamp(0, 999_999_999) as u32,
            ),
            preempted: usage.ru_nivcsw,
        }
    }

    #[cfg(not(unix))]
    fn now() -> OnCpu {
        OnCpu::default()
    }

    fn since(self, before: OnCpu) -> OnCpu {
        OnCpu {
            cpu: self.cpu.saturating_sub(before.cpu),
            preempted: self.preempted - before.preempted,
        }
    }
}

fn report(samples: &[Sample]) {
    let all: Vec<&Sample> = samples.iter().collect();
    let line = |label: &str, of: &[&Sample]| {
        let mut times: Vec<Duration> = of.iter().map(|s| s.total).collect();
        times.sort();
        let mean = times.iter().sum::<Duration>() / times.len().max(1) as u32;
        let mean_of = |f: fn(&Timing) -> Duration| {
            of.iter().map(|s| f(&s.timing)).sum::<Duration>() / of.len().max(1) as u32
        };
        println!(
            "{label:<18} {:>6}  p50 {:>9}  p99 {:>9}  max {:>9}  mean {:>9}  (mean update {}, read {}, draw {})",
            times.len(),
            fmt(percentile(&times, 50)),
            fmt(percentile(&times, 99)),
            fmt(times.last().copied().unwrap_or_default()),
            fmt(mean),
            fmt(mean_of(|t| t.update)),
            fmt(mean_of(|t| t.read)),
            fmt(mean_of(|t| t.draw)),
        );
    };
    println!("key -> frame:      keys");
    line("all keys", &all);
    let of = |pred: fn(Press) -> bool| -> Vec<&Sample> {
        samples.iter().filter(|s| pred(s.press)).collect()
    };
    line("G (last)", &of(|p| p == Press::Bottom));
    line("page keys", &of(Press::is_page));
    line("F (flag)", &of(|p| p == Press::Flag));
    let mut by_key: BTreeMap<Press, Vec<&Sample>> = BTreeMap::new();
    for sample in samples {
        by_key.entry(sample.press).or_default().push(sample);
    }
    println!("per key:");
    for (press, of) in &by_key {
        line(&format!("  {}", press.label()), of);
    }

    // The machine is shared: keys that waited off the CPU, told apart from the rest. A
    // virtual CPU the host takes away is no context switch, but shows as wall time
    // the process did not run.
    const OFF_CPU: Duration = Duration::from_micros(500);
    let preempted = samples.iter().filter(|s| s.on_cpu.preempted > 0).count();
    let kept: Vec<&Sample> = samples
        .iter()
        .filter(|s| s.on_cpu.preempted == 0 && s.total.saturating_sub(s.on_cpu.cpu) < OFF_CPU)
        .collect();
    println!(
        "scheduling:        {preempted} of {} keys lost the CPU while timed (involuntary context switches); {} waited {} or more off it",
        samples.len(),
        samples.len() - kept.len(),
        fmt(OFF_CPU)
    );
    line("all, never off CPU", &kept);
    line(
        "G, never off CPU",
        &kept
            .iter()
            .copied()
            .filter(|s| s.press == Press::Bottom)
            .collect::<Vec<_>>(),
    );
    let mut cpu: Vec<Duration> = samples.iter().map(|s| s.on_cpu.cpu).collect();
    cpu.sort();
    println!(
        "all, CPU time      {:>6}  p50 {:>9}  p99 {:>9}  max {:>9}  (the process's CPU time per key)",
        cpu.len(),
        fmt(percentile(&cpu, 50)),
        fmt(percentile(&cpu, 99)),
        fmt(cpu.last().copied().unwrap_or_default()),
    );

    let mut slowest: Vec<&Sample> = samples.iter().collect();
    slowest.sort_by_key(|s| std::cmp::Reverse(s.total));
    println!("slowest keys:");
    for s in slowest.iter().take(5) {
        println!(
            "  {:<10} {:>9}  update {:>9}  read {:>9} ({} reads)  draw {:>9}  CPU {:>9}  preempted {}x",
            s.press.label(),
            fmt(s.total),
            fmt(s.timing.update),
            fmt(s.timing.read),
            s.timing.reads,
            fmt(s.timing.draw),
            fmt(s.on_cpu.cpu),
            s.on_cpu.preempted
        );
    }

    let mut times: Vec<Duration> = samples.iter().map(|s| s.total).collect();
    times.sort();
    let p99 = percentile(&times, 99);
    let max = times.last().copied().unwrap_or_default();
    let worst_g = of(|p| p == Press::Bottom)
        .iter()
        .map(|s| s.total)
        .max()
        .unwrap_or_default();
    println!(
        "goal:              p99 {} < {}: {}; max {} < {}: {}; worst G {}",
        fmt(p99),
        fmt(GOAL_P99),
        if p99 < GOAL_P99 { "met" } else { "NOT met" },
        fmt(max),
        fmt(GOAL_MAX),
        if max < GOAL_MAX { "met" } else { "NOT met" },
        fmt(worst_g),
    );
}

/// The SQL the list's paging stands on: the last page by key against by OFFSET.
fn raw_sql(store: &Store, folder: FolderId, n: usize) {
    const PAGE: usize = 200;
    let keyed = median(21, || {
        let rows = store
            .envelope_page(folder, Page::Last, PAGE)
            .expect("last page");
        assert_eq!(rows.len(), PAGE.min(n));
        std::hint::black_box(rows);
    });
    let first = median(21, || {
        let rows = store
            .envelope_page(folder, Page::First, PAGE)
            .expect("first page");
        std::hint::black_box(rows);
    });
    let offset = median(5, || {
        let rows = store
            .envelopes(folder, n.saturating_sub(PAGE), PAGE)
            .expect("offset page");
        assert_eq!(rows.len(), PAGE.min(n));
        std::hint::black_box(rows);
    });
    println!(
        "last page, SQL:    {:>10}  by key (Page::Last, {PAGE} rows, median of 21; Page::First {})",
        fmt(keyed),
        fmt(first)
    );
    println!(
        "                   {:>10}  by OFFSET {} (the old way, median of 5): {:.0}x the keyed page",
        fmt(offset),
        n.saturating_sub(PAGE),
        offset.as_secs_f64() / keyed.as_secs_f64()
    );
}

/// The keys pressed: a seeded mix, mostly moving by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Press {
    Down,
    Up,
    PageDown,
    PageUp,
    HalfDown,
    HalfUp,
    Bottom,
    Top,
    Flag,
    Tag,
    Open,
    Close,
    Help,
    HelpClose,
}

impl Press {
    fn event(self) -> KeyEvent {
        let plain = |code| KeyEvent::new(code, KeyModifiers::NONE);
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        match self {
            Press::Down => plain(KeyCode::Char('j')),
            Press::Up => plain(KeyCode::Char('k')),
            Press::PageDown => plain(KeyCode::PageDown),
            Press::PageUp => plain(KeyCode::PageUp),
            Press::HalfDown => ctrl('d'),
            Press::HalfUp => ctrl('u'),
            // Upper-case letters carry SHIFT, as terminals send them.
            Press::Bottom => KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT),
            Press::Top => plain(KeyCode::Char('g')),
            Press::Flag => KeyEvent::new(KeyCode::Char('F'), KeyModifiers::SHIFT),
            Press::Tag => plain(KeyCode::Char('t')),
            Press::Open => plain(KeyCode::Enter),
            Press::Close => plain(KeyCode::Char('q')),
            Press::Help => plain(KeyCode::Char('?')),
            Press::HelpClose => plain(KeyCode::Esc),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Press::Down => "j",
            Press::Up => "k",
            Press::PageDown => "PageDown",
            Press::PageUp => "PageUp",
            Press::HalfDown => "Ctrl-d",
            Press::HalfUp => "Ctrl-u",
            Press::Bottom => "G",
            Press::Top => "g",
            Press::Flag => "F",
            Press::Tag => "t",
            Press::Open => "Enter",
            Press::Close => "q (close)",
            Press::Help => "?",
            Press::HelpClose => "Esc (help)",
        }
    }

    fn is_page(self) -> bool {
        matches!(
            self,
            Press::PageDown | Press::PageUp | Press::HalfDown | Press::HalfUp
        )
    }
}

/// `count` keys: per hundred picks, j 30, k 22, PageDown 6, PageUp 5, Ctrl-d 5,
/// Ctrl-u 4, G 4, g 4, F 5, t 5, Enter then q 5, ? then Esc 5.
fn key_mix(count: usize) -> Vec<Press> {
    const WEIGHTS: &[(u64, &[Press])] = &[
        (30, &[Press::Down]),
        (22, &[Press::Up]),
        (6, &[Press::PageDown]),
        (5, &[Press::PageUp]),
        (5, &[Press::HalfDown]),
        (4, &[Press::HalfUp]),
        (4, &[Press::Bottom]),
        (4, &[Press::Top]),
        (5, &[Press::Flag]),
        (5, &[Press::Tag]),
        (5, &[Press::Open, Press::Close]),
        (5, &[Press::Help, Press::HelpClose]),
    ];
    let sum: u64 = WEIGHTS.iter().map(|(w, _)| w).sum();
    let mut rng = Rng(0x6b65_7973);
    let mut keys = Vec::with_capacity(count);
    while keys.len() < count {
        let mut pick = rng.next() % sum;
        let presses = WEIGHTS
            .iter()
            .find(|(w, _)| {
                let hit = pick < *w;
                pick = pick.saturating_sub(*w);
                hit
            })
            .map_or(&[Press::Down][..], |(_, p)| p);
        if keys.len() + presses.len() <= count {
            keys.extend_from_slice(presses);
        }
    }
    keys
}

/// A small message to open: a few headers, some lines, an attachment.
const SAMPLE: &[u8] = b"From: Alice Martin <alice.martin@example.org>\r\n\
To: me@example.org\r\n\
Subject: quarterly report\r\n\
Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n\
Message-ID: <sample@bench>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\
\r\n\
--b1\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
\r\n\
Hello,\r\n\
\r\n\
the figures for the quarter are attached. In short: more mail, fewer bugs,\r\n\
and the list now pages by key, so the last page costs what the first does.\r\n\
\r\n\
Regards,\r\n\
Alice\r\n\
--b1\r\n\
Content-Type: text/csv; name=\"report.csv\"\r\n\
Content-Disposition: attachment; filename=\"report.csv\"\r\n\
\r\n\
quarter,messages\r\n\
Q3,1000000\r\n\
--b1--\r\n";

/// Nearest rank: the smallest time that `pct` percent of `sorted` do not exceed.
fn percentile(sorted: &[Duration], pct: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (sorted.len() * pct).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

/// Message `i` of `n`: five years of mail in UID order, dates with some jitter.
fn fake_envelope(i: usize, n: usize, rng: &mut Rng) -> NewEnvelope {
    let step = (SPAN / n.max(1) as i64).max(1);
    let date = FIRST_DATE + i as i64 * step + (rng.next() % (2 * step as u64)) as i64;
    common::fake_envelope(i, date, rng)
}
