//! Dovecot as a child process: config rendering, start with retry, readiness, stop.
//!
//! The master runs in the foreground (`dovecot -F`) as a child of a dedicated,
//! long-lived supervisor thread that sets PR_SET_PDEATHSIG: the kernel sends SIGTERM to
//! Dovecot when that *thread* exits, which includes the whole test process dying
//! (panic, SIGKILL, Ctrl-C). Test threads come and go, so they must never spawn it.

use std::fs::File;
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::error::StackError;
use crate::ports::Ports;
use crate::system::Vmail;

const CONF_TEMPLATE: &str = include_str!("../dovecot/dovecot.conf.template");
const OAUTH2_TEMPLATE: &str = include_str!("../dovecot/oauth2.conf.ext.template");
const START_ATTEMPTS: usize = 5;
const READY_TIMEOUT: Duration = Duration::from_secs(20);
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// Values substituted into the templates.
pub(crate) struct ConfigValues<'a> {
    pub root: &'a Path,
    pub instance: &'a str,
    pub ports: &'a Ports,
    pub vmail: Vmail,
    pub introspection_url: &'a str,
}

pub(crate) fn render_config(values: &ConfigValues<'_>) -> (String, String) {
    let root = values.root.display().to_string();
    let p = values.ports;
    let conf = CONF_TEMPLATE
        .replace("@ROOT@", &root)
        .replace("@INSTANCE@", values.instance)
        .replace("@VMAIL_UID@", &values.vmail.uid.to_string())
        .replace("@IMAP_PORT@", &p.imap.to_string())
        .replace("@IMAPS_PORT@", &p.imaps.to_string())
        .replace("@POP3_PORT@", &p.pop3.to_string())
        .replace("@POP3S_PORT@", &p.pop3s.to_string())
        .replace("@SUBMISSION_PORT@", &p.submission.to_string())
        .replace("@SUBMISSIONS_PORT@", &p.submissions.to_string())
        .replace("@LMTP_PORT@", &p.lmtp.to_string())
        .replace("@SINK_PORT@", &p.sink.to_string());
    let oauth2 = OAUTH2_TEMPLATE.replace("@INTROSPECTION_URL@", values.introspection_url);
    (conf, oauth2)
}

/// A running Dovecot master and the thread that owns it.
#[derive(Debug)]
pub(crate) struct DovecotProcess {
    pid: i32,
    exit: Arc<(Mutex<Option<ExitStatus>>, Condvar)>,
    supervisor: Option<JoinHandle<()>>,
}

impl DovecotProcess {
    pub fn pid(&self) -> i32 {
        self.pid
    }

    pub fn has_exited(&self) -> bool {
        self.exit
            .0
            .lock()
            .map(|status| status.is_some())
            .unwrap_or(true)
    }

    fn wait_exit(&self, timeout: Duration) -> bool {
        let (lock, cvar) = &*self.exit;
        let Ok(guard) = lock.lock() else {
            return true;
        };
        match cvar.wait_timeout_while(guard, timeout, |status| status.is_none()) {
            Ok((guard, _)) => guard.is_some(),
            Err(_) => true,
        }
    }

    /// SIGTERM, wait for the master to finish its shutdown, SIGKILL if it hangs.
    pub fn stop(&mut self) {
        if !self.has_exited() {
            // SAFETY: plain kill(2) on our own child's pid, which is not reaped yet
            // (the supervisor reaps it and records the status we checked above).
            unsafe { libc::kill(self.pid, libc::SIGTERM) };
            if !self.wait_exit(STOP_TIMEOUT) {
                // SAFETY: as above.
                unsafe { libc::kill(self.pid, libc::SIGKILL) };
                self.wait_exit(STOP_TIMEOUT);
            }
        }
        if let Some(handle) = self.supervisor.take()
            && self.has_exited()
        {
            let _ = handle.join();
        }
    }
}

/// Spawns `dovecot -F -c conf` from a fresh supervisor thread; returns once it has a pid.
fn spawn(binary: &Path, conf: &Path, log_dir: &Path) -> Result<DovecotProcess, StackError> {
    let stdout_path = log_dir.join("stdout.log");
    let stdout = File::create(&stdout_path).map_err(StackError::fs("create", &stdout_path))?;
    let stderr = stdout
        .try_clone()
        .map_err(StackError::fs("open", &stdout_path))?;
    let mut command = Command::new(binary);
    command
        .arg("-F")
        .arg("-c")
        .arg(conf)
        .stdin(Stdio::null())
        .stdout(stdout)
        .stderr(stderr);
    let parent = std::process::id();
    // SAFETY: the closure only calls async-signal-safe functions (prctl, getppid, _exit).
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGTERM as libc::c_ulong,
                0,
                0,
                0,
            ) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died before prctl took effect: then nobody would stop us.
            if libc::getppid() as u32 != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }

    let exit = Arc::new((Mutex::new(None), Condvar::new()));
    let exit_for_thread = Arc::clone(&exit);
    let (pid_tx, pid_rx) = mpsc::channel();
    let supervisor = std::thread::Builder::new()
        .name("dovecot-supervisor".into())
        .spawn(move || match command.spawn() {
            Ok(mut child) => {
                let _ = pid_tx.send(Ok(child.id()));
                let status = child.wait();
                let (lock, cvar) = &*exit_for_thread;
                if let Ok(mut slot) = lock.lock() {
                    // A failed wait means the child is gone all the same.
                    *slot =
                        Some(status.unwrap_or_else(|_| {
                            std::os::unix::process::ExitStatusExt::from_raw(0)
                        }));
                }
                cvar.notify_all();
            }
            Err(error) => {
                let _ = pid_tx.send(Err(error));
            }
        })
        .map_err(StackError::io("start the Dovecot supervisor thread"))?;
    let pid = pid_rx
        .recv()
        .map_err(|_| StackError::io("start dovecot")(std::io::Error::other("supervisor died")))?
        .map_err(StackError::io("start dovecot"))?;
    Ok(DovecotProcess {
        pid: pid as i32,
        exit,
        supervisor: Some(supervisor),
    })
}

/// Everything `start` needs besides the ports.
pub(crate) struct StartPlan<'a> {
    pub binary: &'a Path,
    pub root: &'a Path,
    pub instance: &'a str,
    pub vmail: Vmail,
    pub introspection_url: &'a str,
    pub idp_port: u16,
    pub sink_port: u16,
}

/// Writes the config with fresh ports and starts Dovecot, retrying when a port was
/// taken in the meantime. Returns once every listener accepts connections.
pub(crate) fn start(plan: &StartPlan<'_>) -> Result<(DovecotProcess, Ports), StackError> {
    let conf_path = plan.root.join("dovecot.conf");
    let log_dir = plan.root.join("log");
    let log_path = log_dir.join("dovecot.log");
    let mut last_error = None;
    for _ in 0..START_ATTEMPTS {
        let [imap, imaps, pop3, pop3s, submission, submissions, lmtp] = crate::ports::free_ports()?;
        let ports = Ports {
            imap,
            imaps,
            pop3,
            pop3s,
            submission,
            submissions,
            lmtp,
            idp: plan.idp_port,
            sink: plan.sink_port,
        };
        let (conf, oauth2) = render_config(&ConfigValues {
            root: plan.root,
            instance: plan.instance,
            ports: &ports,
            vmail: plan.vmail,
            introspection_url: plan.introspection_url,
        });
        write(&conf_path, &conf)?;
        write(&plan.root.join("oauth2.conf.ext"), &oauth2)?;
        // A failed attempt's log would confuse the next one's diagnosis.
        let _ = std::fs::remove_file(&log_path);

        let mut process = spawn(plan.binary, &conf_path, &log_dir)?;
        match wait_ready(&process, &ports) {
            Ok(()) => return Ok((process, ports)),
            Err(reason) => {
                process.stop();
                let tail = log_tail(&log_dir);
                let port_taken = tail.contains("Address already in use");
                last_error = Some(StackError::DovecotStart {
                    reason,
                    log: log_path.clone(),
                    tail,
                });
                if !port_taken {
                    break;
                }
            }
        }
    }
    Err(last_error.unwrap_or(StackError::DovecotStart {
        reason: "no start attempt was made".into(),
        log: log_path,
        tail: String::new(),
    }))
}

fn wait_ready(process: &DovecotProcess, ports: &Ports) -> Result<(), String> {
    let deadline = Instant::now() + READY_TIMEOUT;
    for port in ports.dovecot_ports() {
        loop {
            if process.has_exited() {
                return Err("the dovecot master exited during start".into());
            }
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "port {port} did not accept connections within {READY_TIMEOUT:?}"
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    Ok(())
}

/// The last lines of Dovecot's log and its stdout/stderr, for error messages.
pub(crate) fn log_tail(log_dir: &Path) -> String {
    let mut out = String::new();
    for name in ["dovecot.log", "stdout.log"] {
        let path: PathBuf = log_dir.join(name);
        if let Ok(text) = std::fs::read_to_string(&path) {
            let lines: Vec<&str> = text.lines().collect();
            let start = lines.len().saturating_sub(60);
            out.push_str(&lines[start..].join("\n"));
            out.push('\n');
        }
    }
    out
}

fn write(path: &Path, text: &str) -> Result<(), StackError> {
    std::fs::write(path, text).map_err(StackError::fs("write", path))
}
