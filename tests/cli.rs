//! The administrative CLI end to end: `dirgate serve` runs as a process on
//! port 0, and `dirgate org|suffix|user|token …` call it over the admin API with
//! the bootstrap credential read from `<data_dir>/bootstrap-admin` (the
//! default), or `--user` with `DIRGATE_PASSWORD`. Checks output, the secret shown
//! once, and the exit statuses scripts rely on.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_dirgate");

/// A command with a clean `DIRGATE_*` environment pointing at `tmp`.
fn command(tmp: &Path) -> Command {
    let mut cmd = Command::new(BIN);
    for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("DIRGATE_")) {
        cmd.env_remove(key);
    }
    let config = tmp.join("dirgate.toml");
    std::fs::write(
        &config,
        "[password_policy]\nmin_length = 1\nreject_names = false\n[passwords]\nargon2_memory_kib = 64\nargon2_iterations = 1\n",
    )
    .unwrap();
    cmd.current_dir(tmp)
        .env("DIRGATE_CONFIG", config)
        .env("DIRGATE_DATA_DIR", tmp.join("data"))
        .env("DIRGATE_HTTP_LISTEN", "127.0.0.1:0")
        .env("DIRGATE_LDAP_LISTEN", "127.0.0.1:0");
    cmd
}

struct Daemon {
    child: Child,
    url: String,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(tmp: &Path) -> Daemon {
    let mut child = command(tmp)
        .arg("serve")
        .env("DIRGATE_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut daemon = Daemon {
        child,
        url: String::new(),
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("daemon did not report its http address");
        if let Some(addr) = line.split("http listening addr=").nth(1) {
            daemon.url = format!("http://{}", addr.trim());
            return daemon;
        }
    }
}

/// Runs `dirgate --url <daemon> args…`.
fn cli(tmp: &Path, d: &Daemon, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = command(tmp);
    cmd.args(args).arg("--url").arg(&d.url);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn cli_manages_organizations_and_tokens_with_the_bootstrap_credential() {
    let tmp = tempfile::tempdir().unwrap();
    let d = start(tmp.path());
    let t = tmp.path();

    let out = cli(t, &d, &["org", "create", "Acme-A", "--seats", "5"], &[]);
    assert!(out.status.success(), "{out:?}");
    assert!(stdout(&out).contains("name: Acme-A"), "{}", stdout(&out));

    // Creating it again is a conflict: exit status 5 and the reason on stderr.
    let again = cli(t, &d, &["org", "create", "acme-a"], &[]);
    assert_eq!(again.status.code(), Some(5), "{again:?}");
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    let list = cli(t, &d, &["org", "list"], &[]);
    let text = stdout(&list);
    assert!(text.starts_with("NAME"), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("Acme-A") && l.contains(" 5")),
        "{text}"
    );

    let json = cli(t, &d, &["org", "show", "Acme-A", "--json"], &[]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["seats"], 5);
    assert_eq!(v["seatsUsed"], 0);

    assert!(
        cli(t, &d, &["suffix", "add", "example.com"], &[])
            .status
            .success()
    );
    let user = cli(
        t,
        &d,
        &[
            "user",
            "create",
            "ann@example.com",
            "--org",
            "Acme-A",
            "--state",
            "active",
        ],
        &[],
    );
    assert!(user.status.success(), "{user:?}");
    let csv = cli(t, &d, &["report", "seats", "--csv"], &[]);
    assert_eq!(stdout(&csv), "organization,seats,used,free\nAcme-A,5,1,4\n");
    let users = cli(t, &d, &["user", "list", "--org", "Acme-A"], &[]);
    let text = stdout(&users);
    let row: Vec<&str> = text.lines().nth(1).unwrap().split_whitespace().collect();
    assert_eq!(row[..3], ["ann@example.com", "Acme-A", "active"], "{text}");
    // Positional USER arguments are not the global --user option.
    let show = cli(t, &d, &["user", "show", "ann@example.com"], &[]);
    assert!(stdout(&show).contains("login: ann@example.com"), "{show:?}");
    let appoint = cli(
        t,
        &d,
        &["admin", "appoint", "Acme-A", "ann@example.com"],
        &[],
    );
    assert!(stdout(&appoint).contains("recoveryCode: "), "{appoint:?}");

    // A SCIM token for the organization: the secret is printed once, never listed.
    let issued = cli(
        t,
        &d,
        &["token", "issue", "--scim", "--org", "Acme-A", "--json"],
        &[],
    );
    assert!(issued.status.success(), "{issued:?}");
    let v: serde_json::Value = serde_json::from_slice(&issued.stdout).unwrap();
    let secret = v["secret"].as_str().unwrap().to_owned();
    let listed = cli(t, &d, &["token", "list", "--json"], &[]);
    assert!(!stdout(&listed).contains(&secret));
    assert!(stdout(&listed).contains(v["id"].as_str().unwrap()));
    let id = v["id"].as_str().unwrap();
    assert!(cli(t, &d, &["token", "revoke", id], &[]).status.success());
}

#[test]
fn cli_exit_statuses_for_credentials_and_missing_things() {
    let tmp = tempfile::tempdir().unwrap();
    let d = start(tmp.path());
    let t = tmp.path();
    let wrong = cli(
        t,
        &d,
        &["org", "list", "--user", "cn=admin,dc=example,dc=com"],
        &[("DIRGATE_PASSWORD", "wrong")],
    );
    assert_eq!(wrong.status.code(), Some(3), "{wrong:?}");
    let missing = cli(t, &d, &["org", "show", "Nowhere"], &[]);
    assert_eq!(missing.status.code(), Some(4), "{missing:?}");
    let nobody = tempfile::tempdir().unwrap();
    let down = cli(nobody.path(), &d, &["org", "list", "--user", "x"], &[]);
    assert_eq!(
        down.status.code(),
        Some(1),
        "needs DIRGATE_PASSWORD: {down:?}"
    );
    let unreachable = Daemon {
        child: Command::new("true").spawn().unwrap(),
        url: "http://127.0.0.1:1".into(),
    };
    let gone = cli(t, &unreachable, &["org", "list"], &[]);
    assert_eq!(gone.status.code(), Some(2), "{gone:?}");
}
