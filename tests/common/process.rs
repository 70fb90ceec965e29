//! The daemon as a real process, for tests that drive the built binary
//! (the CLI, a SIGKILL): `dirgate serve` on port 0 in a temporary directory with
//! a clean `DIRGATE_*` environment, its http address read from its log, and
//! `dirgate <args> --url <daemon>` runs. Included with `#[path]` by the tests
//! that need it (it needs no other helper).
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_dirgate");

/// A command with a clean `DIRGATE_*` environment pointing at `tmp`, whose
/// configuration is cheap argon2 plus `extra_toml`.
pub fn command(tmp: &Path, extra_toml: &str) -> Command {
    let mut cmd = Command::new(BIN);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("DIRGATE_")) {
        cmd.env_remove(key);
    }
    let config = tmp.join("dirgate.toml");
    let policy = lenient_policy(extra_toml);
    let text =
        format!("{policy}[passwords]\nargon2_memory_kib = 64\nargon2_iterations = 1\n{extra_toml}");
    std::fs::write(&config, text).unwrap();
    cmd.current_dir(tmp)
        .env("DIRGATE_CONFIG", config)
        .env("DIRGATE_DATA_DIR", tmp.join("data"))
        .env("DIRGATE_HTTP_LISTEN", "127.0.0.1:0")
        .env("DIRGATE_LDAP_LISTEN", "127.0.0.1:0");
    cmd
}

/// A running `dirgate serve`; killed when dropped.
pub struct Daemon {
    pub child: Child,
    pub url: String,
    /// `ldap://host:port`.
    pub ldap: String,
    pub tmp: std::path::PathBuf,
    pub toml: String,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Daemon {
    /// Starts the daemon in `tmp` with `extra_toml` and waits for its address.
    pub fn start(tmp: &Path, extra_toml: &str) -> Daemon {
        let mut child = command(tmp, extra_toml)
            .arg("serve")
            .env("DIRGATE_LOG", "info")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let mut daemon = Daemon {
            child,
            url: String::new(),
            ldap: String::new(),
            tmp: tmp.to_owned(),
            toml: extra_toml.to_owned(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let line = rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("daemon did not report its http address");
            // The http listener is logged first, then the LDAP one.
            if let Some(addr) = line.split("http listening addr=").nth(1) {
                daemon.url = format!("http://{}", addr.trim());
            }
            if let Some(addr) = line.split("ldap listening addr=").nth(1) {
                let addr = addr.split_whitespace().next().unwrap_or_default();
                daemon.ldap = format!("ldap://{addr}");
            }
            if !daemon.url.is_empty() && !daemon.ldap.is_empty() {
                return daemon;
            }
        }
    }

    /// `dirgate args… --url <daemon>` with `env`, stdin from `input`.
    pub fn cli(&self, args: &[&str], env: &[(&str, &str)], input: &str) -> Output {
        use std::io::Write;
        let mut cmd = command(&self.tmp, &self.toml);
        cmd.args(args).arg("--url").arg(&self.url);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let _ = stdin.write_all(input.as_bytes());
        drop(stdin);
        child.wait_with_output().unwrap()
    }

    /// Runs the CLI and insists it succeeds; its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cli(args, &[], "");
        assert!(out.status.success(), "{args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Kills the process with SIGKILL (no shutdown of any kind) and reaps it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The system administrator's DN and password of the daemon in `tmp`, from
/// its bootstrap file.
pub fn admin_credentials(tmp: &Path) -> (String, String) {
    let text = std::fs::read_to_string(tmp.join("data/bootstrap-admin")).unwrap();
    let field = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k))
            .unwrap()
            .to_owned()
    };
    (field("DN="), field("PASSWORD="))
}

/// `Basic …` for the system administrator of the daemon in `tmp`, from its
/// bootstrap file.
pub fn authorization(tmp: &Path) -> String {
    use base64::Engine;
    let (dn, password) = admin_credentials(tmp);
    let pair = format!("{dn}:{password}");
    let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
    format!("Basic {encoded}")
}

impl Daemon {
    /// `GET /admin/v1<path>` as the system administrator; the JSON answer.
    pub fn admin_get(&self, path: &str) -> serde_json::Value {
        let mut answer = ureq::get(format!("{}/admin/v1{path}", self.url))
            .header("Authorization", authorization(&self.tmp))
            .call()
            .unwrap();
        serde_json::from_str(&answer.body_mut().read_to_string().unwrap()).unwrap()
    }
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The tests' passwords are short (`pw`): a configuration that sets no
/// password policy of its own gets one that takes them.
pub fn lenient_policy(extra_toml: &str) -> &'static str {
    if extra_toml.contains("[password_policy]") {
        ""
    } else {
        "[password_policy]\nmin_length = 1\nreject_names = false\n"
    }
}
