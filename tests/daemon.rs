//! The `dirgate` binary as an operator runs it: a first start on an empty data
//! directory creates the store and the bootstrap credential (mode 0600), answers
//! `/healthz`, stops on SIGTERM with exit 0 and keeps its data across a restart; a
//! second instance on the same directory fails with a readable message;
//! `check-config` names unknown keys; a trace-level log holds no credential.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_dirgate");

fn command(data_dir: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("DIRGATE_")) {
        cmd.env_remove(key);
    }
    cmd.current_dir(data_dir.parent().unwrap())
        .env("DIRGATE_DATA_DIR", data_dir)
        .env("DIRGATE_HTTP_LISTEN", "127.0.0.1:0")
        .env("DIRGATE_LDAP_LISTEN", "127.0.0.1:0")
        .env("DIRGATE_LOG", "info");
    cmd
}

struct Daemon {
    child: Child,
    http: SocketAddr,
    ldap: SocketAddr,
    /// Log lines up to and including "ldap listening".
    startup: Vec<String>,
    /// The log lines after those, as they come; closed when the daemon exits.
    log: mpsc::Receiver<String>,
}

impl Drop for Daemon {
    /// A failed assertion must not leave a daemon behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `dirgate serve` and waits for its "http listening" and "ldap
/// listening" log lines.
fn start(data_dir: &Path) -> Daemon {
    start_with(data_dir, &[])
}

/// Like [`start`], with `env` set for the daemon.
fn start_with(data_dir: &Path, env: &[(&str, &str)]) -> Daemon {
    let mut cmd = command(data_dir);
    cmd.envs(env.iter().copied());
    let mut child = cmd.arg("serve").stderr(Stdio::piped()).spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    // Owned by the guard at once, so a failed start never leaves a process behind.
    let unbound = SocketAddr::from(([0, 0, 0, 0], 0));
    let mut daemon = Daemon {
        child,
        http: unbound,
        ldap: unbound,
        startup: Vec::new(),
        log: rx,
    };
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    // The address follows `addr=` (at trace level other fields may follow it).
    let addr = |line: &str, what: &str| -> Option<SocketAddr> {
        let rest = line.split(what).nth(1)?.split("addr=").nth(1)?;
        rest.split_whitespace().next()?.parse().ok()
    };
    while daemon.http == unbound || daemon.ldap == unbound {
        let line = daemon
            .log
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("daemon did not report its http and ldap addresses");
        if let Some(a) = addr(&line, "http listening") {
            daemon.http = a;
        }
        if let Some(a) = addr(&line, "ldap listening") {
            daemon.ldap = a;
        }
        daemon.startup.push(line);
    }
    daemon
}

impl Daemon {
    /// Sends SIGTERM and returns the exit code and how long the stop took.
    fn terminate(&mut self) -> (Option<i32>, Duration) {
        let begun = Instant::now();
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let status = self.child.wait().unwrap();
        (status.code(), begun.elapsed())
    }
}

fn get(addr: SocketAddr, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let code = out[9..12].parse().unwrap();
    let body = out.split("\r\n\r\n").nth(1).unwrap_or_default().to_owned();
    (code, body)
}

fn bootstrap_lines(data_dir: &Path) -> Vec<String> {
    std::fs::read_to_string(data_dir.join("bootstrap-admin"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn first_start_bootstraps_serves_health_stops_cleanly_and_keeps_data() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let mut daemon = start(&data);

    let cred = data.join("bootstrap-admin");
    let mode = std::fs::metadata(&cred).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "bootstrap-admin mode {mode:o}");
    let lines = bootstrap_lines(&data);
    assert_eq!(lines[0], "DN=cn=admin,dc=example,dc=com");
    assert_eq!(lines[1], "LOGIN=admin");
    let password = lines[2].strip_prefix("PASSWORD=").unwrap();
    assert!(password.len() >= 20);
    let logs = daemon.startup.join("\n");
    assert!(logs.contains("bootstrap-admin"), "the log names the file");
    assert!(
        !logs.contains(password),
        "the log must never hold the secret"
    );

    let (code, body) = get(daemon.http, "/healthz");
    assert_eq!(code, 200);
    assert!(body.contains("\"ok\""), "{body}");

    // A second instance on the same data directory refuses to start.
    let second = command(&data).arg("serve").output().unwrap();
    assert!(!second.status.success());
    let msg = String::from_utf8_lossy(&second.stderr);
    assert!(msg.contains("in use by another process"), "{msg}");

    let (code, took) = daemon.terminate();
    assert_eq!(code, Some(0));
    assert!(took < Duration::from_secs(5), "stop took {took:?}");

    // Restart: same store, no new credential.
    let mut again = start(&data);
    assert_eq!(bootstrap_lines(&data)[2], lines[2]);
    let (code, body) = get(again.http, "/healthz");
    assert_eq!(code, 200);
    assert!(
        body.contains("\"changes\":1"),
        "the bootstrap change is still there: {body}"
    );
    let (code, _) = again.terminate();
    assert_eq!(code, Some(0));
}

#[test]
fn check_config_names_an_unknown_key_and_accepts_the_shipped_file() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.toml");
    std::fs::write(&bad, "[ldap]\nlisten = \"127.0.0.1:3389\"\nport = 389\n").unwrap();
    let out = command(&tmp.path().join("d"))
        .args(["check-config"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(msg.contains("port"), "{msg}");

    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("conf/dirgate.toml");
    let out = command(&tmp.path().join("d"))
        .arg("check-config")
        .arg(&shipped)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // It prints the effective configuration, which is itself a valid file
    // that describes the same configuration.
    let effective = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        effective.contains("[metrics]\nenabled = true"),
        "{effective}"
    );
    assert!(
        effective.contains("argon2_memory_kib = 19456"),
        "{effective}"
    );
    let saved = tmp.path().join("effective.toml");
    std::fs::write(&saved, &effective).unwrap();
    let again = command(&tmp.path().join("d"))
        .arg("check-config")
        .arg(&saved)
        .output()
        .unwrap();
    assert!(
        again.status.success(),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    let body = |t: &str| {
        t.lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(
        body(&String::from_utf8_lossy(&again.stdout)),
        body(&effective)
    );
    // Secrets are masked.
    let token = "scrape-token-do-not-print-1234";
    let out = command(&tmp.path().join("d"))
        .arg("check-config")
        .arg(&shipped)
        .env("DIRGATE_METRICS_TOKEN", token)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("token = \"***\"") && !text.contains(token),
        "{text}"
    );

    let help = Command::new(BIN).arg("--help").output().unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("serve"));
}

/// Runs an OpenLDAP client; (exit code, stdout + stderr).
fn ldap_tool(cmd: &str, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(cmd)
        .args(args)
        .env("LDAPCONF", "/dev/null")
        .output()
        .unwrap_or_else(|e| panic!("{cmd} not runnable (scripts/test installs ldap-utils): {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

/// The forms in which a secret could reach a log line: as text, and as the
/// byte list or hex that a Debug of a BER tag or a buffer prints.
fn forms(secret: &str) -> [String; 3] {
    let hex: String = secret.bytes().map(|b| format!("{b:02x}")).collect();
    [secret.to_owned(), format!("{:?}", secret.as_bytes()), hex]
}

/// `DIRGATE_LOG=trace` asks every crate for everything, and ldap3_proto traces
/// each LDAP message it decodes: the filter must keep binds, added passwords,
/// Password Modify and failed binds out of the log all the same.
#[test]
fn trace_logging_shows_no_credential() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    // Cheap hashing: binds at the default cost are slow in a debug build.
    let config = tmp.path().join("dirgate.toml");
    std::fs::write(
        &config,
        "[password_policy]\nmin_length = 1\nreject_names = false\n[passwords]\nargon2_memory_kib = 64\nargon2_iterations = 1\n",
    )
    .unwrap();
    let mut daemon = start_with(
        &data,
        &[
            ("DIRGATE_CONFIG", config.to_str().unwrap()),
            ("DIRGATE_LOG", "trace"),
            ("DIRGATE_LOGINS_REQUIRE_SUFFIX", "false"),
        ],
    );
    let url = format!("ldap://{}", daemon.ldap);
    let admin_pw = bootstrap_lines(&data)[2]
        .strip_prefix("PASSWORD=")
        .unwrap()
        .to_owned();
    let admin_dn = "cn=admin,dc=example,dc=com";
    let admin = ["-x", "-H", &url, "-D", admin_dn, "-w", &admin_pw];
    let (code, out) = ldap_tool("ldapwhoami", &admin);
    assert_eq!(code, Some(0), "{out}");

    let (first, second, wrong) = ("Initial-Pw-4711", "Changed-Pw-0815", "Wrong-Pw-2342");
    let erin = "uid=erin,ou=people,dc=example,dc=com";
    let ldif = tmp.path().join("erin.ldif");
    std::fs::write(
        &ldif,
        format!(
            "dn: {erin}\nobjectClass: inetOrgPerson\ncn: Erin\nsn: Gray\nuserPassword: {first}\n"
        ),
    )
    .unwrap();
    let mut add = admin.to_vec();
    add.extend(["-f", ldif.to_str().unwrap()]);
    let (code, out) = ldap_tool("ldapadd", &add);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = ldap_tool(
        "ldappasswd",
        &[
            "-x", "-H", &url, "-D", erin, "-w", first, "-a", first, "-s", second,
        ],
    );
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = ldap_tool("ldapwhoami", &["-x", "-H", &url, "-D", erin, "-w", second]);
    assert_eq!(code, Some(0), "the new password works: {out}");
    let (code, out) = ldap_tool(
        "ldapwhoami",
        &["-x", "-H", &url, "-D", admin_dn, "-w", wrong],
    );
    assert_eq!(code, Some(49), "{out}");

    let (code, _) = daemon.terminate();
    assert_eq!(code, Some(0));
    let mut log = daemon.startup.join("\n");
    for line in daemon.log.iter() {
        log.push('\n');
        log.push_str(&line);
    }
    // Not vacuous: dirgate's own trace lines (each LDAP operation's name) and
    // the connections' debug lines did get through.
    assert!(log.contains("op=\"bind\""), "not a trace log:\n{log}");
    assert!(log.contains("dirgate::ldap::listener: connected"), "{log}");
    for secret in [admin_pw.as_str(), first, second, wrong] {
        for form in forms(secret) {
            assert!(!log.contains(&form), "{secret} in the log as {form}");
        }
    }
}
