//! POP3 download benchmark against the test stack: seed N messages (default 10,000;
//! `POSTERN_BENCH_POP3_N=2000` for a quick run), then in one run time
//! - a raw RETR loop: a minimal client over tokio-rustls (USER/PASS, RETR 1..N, each
//!   read to its terminating dot, bytes counted), and
//! - postern's full download (UIDL, LIST, RETR, parse, store with bodies) into a
//!   fresh file-backed store,
//!
//! and print both, their ratio, messages/s, MB/s and peak memory (VmHWM, reset
//! before each phase). `cargo bench --bench pop3_download`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use postern::auth::Secret;
use postern::config::{Config, Endpoint, TlsMode};
use postern::proto::{ConnectOptions, ProtoError, pop3};
use postern::store::{FolderRole, Store};
use postern::sync::pop3::{DownloadRequest, LeaveMode, download};
use postern_test_stack::{SeedSpec, Stack, TestUser};
use rustls::pki_types::ServerName;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

fn main() {
    let n: usize = std::env::var("POSTERN_BENCH_POP3_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(bench(n));
}

async fn bench(n: usize) {
    let stack = Stack::shared();
    let user = stack.new_user("bench-pop3").expect("user");
    let seeded = stack.seed(&user, &SeedSpec::inbox(n)).expect("seed");
    println!(
        "pop3 download bench: {n} messages, {:.1} MB seeded (LF) in {:.1} s",
        mb(seeded.bytes),
        seeded.elapsed.as_secs_f64()
    );
    // Warm-up: Dovecot builds its index and UIDL cache in the first session; neither
    // timed run should pay for that.
    let warm = raw_retr_loop(stack, &user, 0).await;
    println!(
        "warm-up session (index build): {:.2} s",
        warm.elapsed.as_secs_f64()
    );

    reset_peak_memory();
    let raw = raw_retr_loop(stack, &user, n).await;
    let raw_peak = peak_memory_kb();
    report("raw RETR loop", n, raw.bytes, raw.elapsed, raw_peak);

    reset_peak_memory();
    let (postern_time, postern_bytes, stored) = postern_download(stack, &user).await;
    let postern_peak = peak_memory_kb();
    report(
        "postern download",
        stored,
        postern_bytes,
        postern_time,
        postern_peak,
    );
    assert_eq!(stored, n, "postern stored every message");

    println!(
        "ratio postern / raw: {:.2}x",
        postern_time.as_secs_f64() / raw.elapsed.as_secs_f64().max(1e-9)
    );
}

fn report(what: &str, messages: usize, bytes: u64, elapsed: Duration, peak_kb: Option<u64>) {
    let secs = elapsed.as_secs_f64().max(1e-9);
    println!(
        "{what:>18}: {:7.2} s  {:8.0} msg/s  {:6.1} MB/s  ({:.1} MB)  peak RSS {}",
        secs,
        messages as f64 / secs,
        mb(bytes) / secs,
        mb(bytes),
        peak_kb.map_or("n/a".to_owned(), |kb| format!(
            "{:.1} MB",
            kb as f64 / 1024.0
        )),
    );
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

struct RawRun {
    elapsed: Duration,
    bytes: u64,
}

/// The floor: connect, log in, RETR 1..=count, each read to its dot line, QUIT.
async fn raw_retr_loop(stack: &Stack, user: &TestUser, count: usize) -> RawRun {
    let started = Instant::now();
    let tcp = TcpStream::connect(("127.0.0.1", stack.ports().pop3s))
        .await
        .expect("connect");
    tcp.set_nodelay(true).expect("nodelay");
    let connector = tokio_rustls::TlsConnector::from(Arc::clone(&stack.tls_config()));
    let name = ServerName::try_from("localhost").expect("name");
    let tls = connector.connect(name, tcp).await.expect("TLS");
    let mut io = BufReader::with_capacity(64 * 1024, tls);
    let mut line = Vec::with_capacity(1024);
    let read_status = async |io: &mut BufReader<_>, line: &mut Vec<u8>| {
        line.clear();
        io.read_until(b'\n', line).await.expect("read");
        assert!(
            line.starts_with(b"+OK"),
            "{}",
            String::from_utf8_lossy(line)
        );
    };
    read_status(&mut io, &mut line).await;
    for command in [
        format!("USER {}\r\n", user.name),
        format!("PASS {}\r\n", user.password),
    ] {
        io.get_mut()
            .write_all(command.as_bytes())
            .await
            .expect("write");
        read_status(&mut io, &mut line).await;
    }
    let mut bytes = 0u64;
    for number in 1..=count {
        io.get_mut()
            .write_all(format!("RETR {number}\r\n").as_bytes())
            .await
            .expect("write");
        read_status(&mut io, &mut line).await;
        loop {
            line.clear();
            let got = io.read_until(b'\n', &mut line).await.expect("read");
            assert!(got > 0, "connection closed in RETR {number}");
            if line == b".\r\n" {
                break;
            }
            bytes += got as u64;
        }
    }
    io.get_mut().write_all(b"QUIT\r\n").await.expect("write");
    read_status(&mut io, &mut line).await;
    RawRun {
        elapsed: started.elapsed(),
        bytes,
    }
}

/// postern from connect to QUIT: login, UIDL, LIST, RETR all, parse and store.
async fn postern_download(stack: &Stack, user: &TestUser) -> (Duration, u64, usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("bench.sqlite3")).expect("store");
    let account_id = store.upsert_account("bench", &user.name).expect("account");
    let text = format!(
        "[accounts.b]\nemail = \"{}\"\nprovider = \"generic\"\nreceive = \"pop3\"\n\
         pop3 = {{ host = \"localhost\", port = {}, tls = \"implicit\" }}\n\
         ca_file = \"{}\"\nauth = {{ method = \"password\", password_command = \"true\" }}\n",
        user.name,
        stack.ports().pop3s,
        stack.ca_file().display()
    );
    let mut account = Config::parse_str(&text, std::path::Path::new("bench.toml"))
        .expect("config")
        .accounts
        .remove(0);
    account.pop3 = Some(Endpoint {
        host: "localhost".into(),
        port: stack.ports().pop3s,
        tls: TlsMode::Implicit,
    });
    let password = Secret::new(user.password.clone());

    let started = Instant::now();
    let session =
        match pop3::connect_password(&account, &password, &ConnectOptions::default()).await {
            Ok(session) => session,
            Err(error @ ProtoError::PasswordRejected { .. }) => panic!("login: {error}"),
            Err(error) => panic!("connect: {error}"),
        };
    let request = DownloadRequest::new(account_id, LeaveMode::LeaveOnServer);
    let outcome = download(session, store, &request, |_| {}).await;
    let elapsed = started.elapsed();
    let report = outcome.result.expect("download");
    let store = outcome.store.expect("store back");
    let inbox = store
        .upsert_folder(account_id, "INBOX", Some(FolderRole::Inbox))
        .expect("inbox");
    assert_eq!(store.envelope_count(inbox).expect("count"), report.stored);
    (elapsed, report.bytes, report.stored)
}

/// Resets the kernel's peak-RSS mark (VmHWM) for this process (Linux 4.0+).
fn reset_peak_memory() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}
