//! IMAP sync against the test stack, figures printed in one run:
//! - raw `UID FETCH 1:* (UID FLAGS ENVELOPE RFC822.SIZE)` read by a minimal client
//!   (tokio-rustls, read until the tagged OK) vs. postern's full envelope sync into a
//!   fresh store, and their ratio (goal: within 1.25x). Both are timed from the TCP
//!   connect (TLS, login and SELECT included: postern's figure includes them too), the
//!   raw FETCH alone is printed as well. The two alternate for `POSTERN_BENCH_ROUNDS`
//!   rounds (default 3) and the best of each is compared: on a shared 2-core machine a
//!   single run of either moves by 20%;
//! - connect to the newest 100 envelopes in the store, cold (goal < 300 ms);
//! - resync of the unchanged folder incl. connect + auth, at two sizes (goal < 100 ms);
//! - peak memory (VmHWM) and CPU time of the process doing the full sync (a child).
//!
//! `POSTERN_BENCH_IMAP_N` sets the folder size (default 100000; CI uses 20000, where
//! the fixed costs weigh more: connect, and Dovecot's `SELECT (CONDSTORE)` at 15-40 ms
//! against the raw client's plain SELECT, put the ratio at 1.22-1.28x).
//! `POSTERN_BENCH_WRAP="perf record -g --"` runs the sync child under a profiler.
//! Run: `cargo bench --bench imap_sync`.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use postern::auth::Secret;
use postern::auth::credentials::Credentials;
use postern::config::{Account, Config};
use postern::proto::ConnectOptions;
use postern::store::{AccountId, Store};
use postern::sync::{ImapSync, SyncOptions};
use postern_test_stack::{SeedSpec, Stack, TestUser};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CHILD: &str = "POSTERN_BENCH_IMAP_CHILD";

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    if std::env::var_os(CHILD).is_some() {
        // A task of its own on the runtime, as the engine runs an account's worker.
        runtime
            .block_on(runtime.spawn(child()))
            .expect("the sync child");
        return;
    }
    let n: usize = std::env::var("POSTERN_BENCH_IMAP_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    runtime.block_on(parent(n));
}

async fn parent(n: usize) {
    let stack = Stack::shared();
    let big = stack.new_user("bench").expect("user");
    let small = stack.new_user("bench-small").expect("user");
    let small_n = (n / 20).max(1000);
    let seeded = stack.seed(&big, &SeedSpec::inbox(n)).expect("seed");
    stack.seed(&small, &SeedSpec::inbox(small_n)).expect("seed");
    println!(
        "imap_sync: INBOX of {n} messages seeded in {:.2} s ({:.1} MB)",
        seeded.elapsed.as_secs_f64(),
        seeded.bytes as f64 / 1e6
    );

    // The server's first pass over a fresh Maildir builds its index, and its first
    // pass over the header fields caches them: do both once, so raw and postern both
    // read a warm server.
    let cold = raw_fetch(stack, &big, RAW_ITEMS).await;
    raw_fetch(stack, &big, postern::proto::imap::ENVELOPE_ITEMS).await;
    let headers = raw_fetch(stack, &big, postern::proto::imap::ENVELOPE_ITEMS).await;
    println!(
        "server warm-up: first raw ENVELOPE fetch (Dovecot builds its index) {:.3} s; \
         raw fetch of postern's items (header fields) {:.3} s, {:.1} MB",
        cold.fetch.as_secs_f64(),
        headers.fetch.as_secs_f64(),
        headers.bytes as f64 / 1e6
    );

    let rounds: usize = std::env::var("POSTERN_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut raws = Vec::new();
    let mut syncs = Vec::new();
    for round in 0..rounds {
        let raw = raw_fetch(stack, &big, RAW_ITEMS).await;
        let store_path = dir.path().join(format!("store-{round}.sqlite"));
        let sync = sync_child(stack, &big, &store_path);
        println!(
            "  round {}: raw {:.3} s (FETCH alone {:.3} s, {:.1} MB); postern {:.3} s, {:.2} CPU-s",
            round + 1,
            raw.session.as_secs_f64(),
            raw.fetch.as_secs_f64(),
            raw.bytes as f64 / 1e6,
            sync.full,
            sync.cpu
        );
        raws.push(raw);
        syncs.push(sync);
    }
    let raw_best = raws.iter().map(|r| r.session).min().expect("a round");
    let fetch_best = raws.iter().map(|r| r.fetch).min().expect("a round");
    let best = syncs
        .iter()
        .min_by(|a, b| a.full.total_cmp(&b.full))
        .expect("a round");
    println!(
        "raw UID FETCH 1:* (UID FLAGS ENVELOPE RFC822.SIZE), best of {rounds}: {:.3} s \
         from connect ({:.3} s for the FETCH alone)",
        raw_best.as_secs_f64(),
        fetch_best.as_secs_f64()
    );
    println!(
        "postern full envelope sync into a fresh store, best of {rounds}: {:.3} s ({} envelopes, \
         {:.2} CPU-s in postern); ratio to raw: {:.2}x from connect (goal <= 1.25x at 100000), \
         {:.2}x to the FETCH alone",
        best.full,
        best.count,
        best.cpu,
        best.full / raw_best.as_secs_f64(),
        best.full / fetch_best.as_secs_f64()
    );
    println!(
        "connect to newest 100 envelopes in the store (cold store): {:.1} ms (goal < 300 ms)",
        best.first100 * 1000.0
    );
    println!(
        "peak memory (VmHWM) of the syncing process: {:.1} MB (goal < 150 MB)",
        syncs.iter().map(|s| s.vmhwm_kb).fold(0.0, f64::max) / 1024.0
    );
    let store_path = dir.path().join("store-0.sqlite");

    // Resync of the unchanged folder, connect + auth included, at two sizes.
    let mut store = Store::open(&store_path).expect("store");
    let account = store.accounts().expect("accounts")[0].id;
    let big_resync = resync(stack, &big, &mut store, account).await;
    let mut small_store = Store::open(&dir.path().join("small.sqlite")).expect("store");
    let small_account = small_store
        .upsert_account("s", &small.name)
        .expect("account");
    let mut sync = connect(stack, &small, small_account).await;
    sync.sync_folders(&mut small_store).await.expect("folders");
    let inbox = small_store.folders(small_account).expect("folders")[0].id;
    sync.sync_folder(&mut small_store, inbox, &mut |_| {})
        .await
        .expect("sync");
    sync.logout().await;
    let small_resync = resync(stack, &small, &mut small_store, small_account).await;
    println!(
        "resync of the unchanged folder incl. connect+auth: {:.1} ms at {n} messages, {:.1} ms at {small_n} (goal < 100 ms, size-independent)",
        big_resync.as_secs_f64() * 1000.0,
        small_resync.as_secs_f64() * 1000.0
    );
    stack.shutdown();
}

/// The figures of one sync child.
struct SyncRun {
    full: f64,
    first100: f64,
    count: f64,
    vmhwm_kb: f64,
    cpu: f64,
}

/// Runs a full sync into a fresh store at `store_path` in a child process (so its
/// peak memory is the sync's own).
fn sync_child(stack: &Stack, user: &TestUser, store_path: &Path) -> SyncRun {
    let exe = std::env::current_exe().expect("own path");
    let mut command = match std::env::var("POSTERN_BENCH_WRAP") {
        Ok(wrap) => {
            let mut words = wrap.split_whitespace();
            let mut command = Command::new(words.next().expect("a wrapper command"));
            command.args(words).arg(&exe);
            command
        }
        Err(_) => Command::new(&exe),
    };
    let output = command
        .env(CHILD, "1")
        .env("BENCH_PORT", stack.ports().imaps.to_string())
        .env("BENCH_CA", stack.ca_file())
        .env("BENCH_USER", &user.name)
        .env("BENCH_PASSWORD", &user.password)
        .env("BENCH_STORE", store_path)
        .output()
        .expect("run the sync child");
    let text = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        panic!(
            "sync child failed: {text}{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let figure = |key: &str| -> f64 {
        text.lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(f64::NAN)
    };
    SyncRun {
        full: figure("full="),
        first100: figure("first100="),
        count: figure("count="),
        vmhwm_kb: figure("vmhwm_kb="),
        cpu: figure("cpu_s="),
    }
}

/// Best of 5: connect, log in, resync INBOX.
async fn resync(stack: &Stack, user: &TestUser, store: &mut Store, account: AccountId) -> Duration {
    let inbox = store.folders(account).expect("folders")[0].id;
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let start = Instant::now();
        let mut sync = connect(stack, user, account).await;
        let report = sync
            .sync_folder(store, inbox, &mut |_| {})
            .await
            .expect("resync");
        best = best.min(start.elapsed());
        assert_eq!(report.fetched + report.removed + report.flags_changed, 0);
        sync.logout().await;
    }
    best
}

fn account(port: u16, ca: &Path, user: &str) -> Account {
    let text = format!(
        "[accounts.b]\nemail = \"{user}\"\nprovider = \"generic\"\nreceive = \"imap\"\n\
         imap = {{ host = \"localhost\", port = {port}, tls = \"implicit\" }}\n\
         ca_file = \"{}\"\nauth = {{ method = \"password\", password_command = \"true\" }}\n",
        ca.display()
    );
    let config = Config::parse_str(&text, Path::new("bench.toml")).expect("bench config");
    config.accounts.into_iter().next().expect("account")
}

async fn connect(stack: &Stack, user: &TestUser, id: AccountId) -> ImapSync {
    let account = account(stack.ports().imaps, stack.ca_file(), &user.name);
    ImapSync::connect(
        &account,
        &Credentials::Password(Secret::new(user.password.clone())),
        &ConnectOptions::default(),
        id,
        SyncOptions::default(),
    )
    .await
    .expect("connect")
}

/// The child: a full sync into a fresh store, then its figures and VmHWM.
async fn child() {
    let var = |k: &str| std::env::var(k).expect(k);
    let port: u16 = var("BENCH_PORT").parse().expect("port");
    let account = account(port, Path::new(&var("BENCH_CA")), &var("BENCH_USER"));
    let mut store = Store::open(Path::new(&var("BENCH_STORE"))).expect("store");
    let id = store
        .upsert_account("b", &var("BENCH_USER"))
        .expect("account");
    let start = Instant::now();
    let mut sync = ImapSync::connect(
        &account,
        &Credentials::Password(Secret::new(var("BENCH_PASSWORD"))),
        &ConnectOptions::default(),
        id,
        SyncOptions::default(),
    )
    .await
    .expect("connect");
    sync.sync_folders(&mut store).await.expect("folders");
    let inbox = store.folders(id).expect("folders")[0].id;
    let mut first = None;
    sync.sync_folder(&mut store, inbox, &mut |p| {
        if first.is_none() && p.fetched >= 100.min(p.to_fetch) {
            first = Some(start.elapsed());
        }
    })
    .await
    .expect("sync");
    let full = start.elapsed();
    println!("full={}", full.as_secs_f64());
    println!("first100={}", first.unwrap_or(full).as_secs_f64());
    println!("count={}", store.envelope_count(inbox).expect("count"));
    println!("vmhwm_kb={}", vm_hwm_kb());
    println!("cpu_s={}", cpu_seconds());
}

/// User + system CPU time of this process so far.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return f64::NAN;
    }
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

fn vm_hwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// What the raw client fetches.
const RAW_ITEMS: &str = "(UID FLAGS ENVELOPE RFC822.SIZE)";

/// One raw fetch: from TCP connect to the tagged OK, the FETCH alone, bytes read.
struct RawRun {
    session: Duration,
    fetch: Duration,
    bytes: usize,
}

/// A minimal client: TCP, TLS, LOGIN, SELECT, one `UID FETCH 1:*` read until the
/// tagged OK (the bytes are counted, not parsed).
async fn raw_fetch(stack: &Stack, user: &TestUser, items: &str) -> RawRun {
    let start = Instant::now();
    let tcp = tokio::net::TcpStream::connect(("127.0.0.1", stack.ports().imaps))
        .await
        .expect("connect");
    let connector = tokio_rustls::TlsConnector::from(stack.tls_config());
    let name = rustls::pki_types::ServerName::try_from("localhost").expect("name");
    let mut tls = connector.connect(name, tcp).await.expect("TLS");
    let mut buf = vec![0u8; 256 * 1024];
    read_until(&mut tls, &mut buf, b"* OK").await;
    let login = format!("a LOGIN \"{}\" \"{}\"\r\n", user.name, user.password);
    tls.write_all(login.as_bytes()).await.expect("write");
    read_until(&mut tls, &mut buf, b"a OK").await;
    tls.write_all(b"b SELECT INBOX\r\n").await.expect("write");
    read_until(&mut tls, &mut buf, b"b OK").await;
    let fetch_start = Instant::now();
    tls.write_all(format!("c UID FETCH 1:* {items}\r\n").as_bytes())
        .await
        .expect("write");
    let bytes = read_until(&mut tls, &mut buf, b"\r\nc OK").await;
    let run = RawRun {
        session: start.elapsed(),
        fetch: fetch_start.elapsed(),
        bytes,
    };
    let _ = tls.write_all(b"d LOGOUT\r\n").await;
    run
}

/// Reads until `marker` appears (checked across read boundaries); returns bytes read.
async fn read_until<S: tokio::io::AsyncRead + Unpin>(
    stream: &mut S,
    buf: &mut [u8],
    marker: &[u8],
) -> usize {
    let mut total = 0;
    let mut tail: Vec<u8> = Vec::new();
    loop {
        let n = stream.read(buf).await.expect("read");
        assert!(n > 0, "server closed");
        total += n;
        tail.extend_from_slice(&buf[..n]);
        if tail.windows(marker.len()).any(|w| w == marker) {
            return total;
        }
        let keep = marker.len().min(tail.len());
        tail.drain(..tail.len() - keep);
    }
}
