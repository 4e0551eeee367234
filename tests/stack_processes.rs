//! Stacks in parallel test processes do not collide, and no Dovecot process outlives
//! the test process that started it: not after a normal exit, a panic, or SIGKILL.
//! Each case re-runs this test binary as a child process holding a shared stack.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use postern_test_stack::Stack;
use postern_test_stack::system::processes_matching;

const CHILD_MODE: &str = "POSTERN_STACK_CHILD_MODE";

/// Runs in the child process: start the shared stack, log in over IMAP, report, then
/// return, panic, or wait to be killed.
#[test]
#[ignore = "run as a child process by the other tests in this file"]
fn child_holding_a_stack() {
    let Ok(mode) = std::env::var(CHILD_MODE) else {
        return;
    };
    let stack = Stack::shared();
    let user = stack.new_user("child").unwrap();
    let token = stack.token_for(&user.name).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut conn = stack.connect_tls(stack.ports().imaps).await.unwrap();
        conn.line().await.unwrap();
        let sasl = base64::engine::general_purpose::STANDARD
            .encode(format!("user={}\x01auth=Bearer {token}\x01\x01", user.name));
        let reply = conn
            .imap("a", &format!("AUTHENTICATE XOAUTH2 {sasl}"))
            .await
            .unwrap();
        assert!(
            reply.last().unwrap().starts_with("a OK"),
            "{}",
            conn.transcript_text()
        );
    });
    println!(
        "STACK instance={} imaps={} root={}",
        stack.instance(),
        stack.ports().imaps,
        stack.root().display()
    );
    match mode.as_str() {
        "panic" => panic!("a test failing while the stack runs"),
        "hold" => std::thread::sleep(Duration::from_secs(120)),
        _ => {}
    }
}

struct Report {
    instance: String,
    imaps: u16,
    root: PathBuf,
}

fn spawn_child(mode: &str) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "child_holding_a_stack",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env(CHILD_MODE, mode)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

fn read_report(child: &mut Child) -> Report {
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|line| line.starts_with("STACK "))
        .expect("the child reports its stack");
    // Keep reading, or the child dies of a broken pipe when it prints its summary.
    std::thread::spawn(move || lines.for_each(drop));
    let value = |key: &str| {
        line.split_whitespace()
            .find_map(|part| part.strip_prefix(&format!("{key}=")))
            .unwrap()
            .to_owned()
    };
    Report {
        instance: value("instance"),
        imaps: value("imaps").parse().unwrap(),
        root: PathBuf::from(value("root")),
    }
}

/// Waits (bounded) until no process carries the run's name; returns the ones left.
fn leftovers_after_waiting(instance: &str) -> Vec<i32> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let left = processes_matching(instance);
        if left.is_empty() || Instant::now() > deadline {
            return left;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn two_test_processes_run_stacks_side_by_side() {
    let mut first = spawn_child("exit");
    let mut second = spawn_child("exit");
    let (a, b) = (read_report(&mut first), read_report(&mut second));
    assert!(first.wait().unwrap().success(), "first child failed");
    assert!(second.wait().unwrap().success(), "second child failed");
    assert_ne!(a.imaps, b.imaps);
    assert_ne!(a.root, b.root);
    for report in [a, b] {
        assert_eq!(leftovers_after_waiting(&report.instance), Vec::<i32>::new());
        assert!(
            !report.root.exists(),
            "the run directory is removed at exit"
        );
    }
}

#[test]
fn nothing_survives_a_test_process_that_panics() {
    let mut child = spawn_child("panic");
    let report = read_report(&mut child);
    assert!(!child.wait().unwrap().success());
    assert_eq!(leftovers_after_waiting(&report.instance), Vec::<i32>::new());
    assert!(!report.root.exists());
}

#[test]
fn nothing_survives_a_killed_test_process() {
    let mut child = spawn_child("hold");
    let report = read_report(&mut child);
    assert!(
        !processes_matching(&report.instance).is_empty(),
        "the stack runs while the child lives"
    );
    child.kill().unwrap(); // SIGKILL: no atexit, only PR_SET_PDEATHSIG is left
    child.wait().unwrap();
    assert_eq!(leftovers_after_waiting(&report.instance), Vec::<i32>::new());
    // The files stay behind; the next stack start sweeps them away.
    postern_test_stack::sweep::remove_stale_runs();
    assert!(!report.root.exists());
}
