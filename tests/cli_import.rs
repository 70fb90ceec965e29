//! `dirgate import` end to end: the built binary against `dirgate serve` as a
//! process. A file with an invalid row prints the errors (line, column,
//! reason) and exits 6 with nothing applied; `--dry-run` applies nothing;
//! a refused prompt applies nothing; `--yes` and a "y" on stdin apply;
//! re-importing changes nothing; `--template` writes the header row.

#[path = "common/process.rs"]
mod process;

use process::{Daemon, text};

const HEADER: &str = "Login Name,Organization Unit,OU Admin,Email Address\n";

/// A daemon with organization Acme-A and suffix example.com, and a CSV file.
fn setup(tmp: &std::path::Path) -> Daemon {
    let d = Daemon::start(tmp, "");
    d.ok(&["org", "create", "Acme-A", "--seats", "10"]);
    d.ok(&["suffix", "add", "example.com"]);
    d
}

fn write(tmp: &std::path::Path, name: &str, rows: &[&str]) -> String {
    let path = tmp.join(name);
    std::fs::write(&path, format!("{HEADER}{}\n", rows.join("\n"))).unwrap();
    path.to_string_lossy().into_owned()
}

fn user_count(d: &Daemon) -> usize {
    let out = d.ok(&["user", "list", "--org", "Acme-A", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["items"].as_array().unwrap().len()
}

#[test]
fn invalid_rows_are_listed_and_nothing_is_applied() {
    let tmp = tempfile::tempdir().unwrap();
    let d = setup(tmp.path());
    let file = write(
        tmp.path(),
        "bad.csv",
        &[
            "ann@example.com,Acme-A,False,ann@example.com",
            "bob@example.com,Acme-A,maybe,bob@example.com",
            "cid@example.com,Nowhere,False,N/A",
        ],
    );
    let out = d.cli(&["import", &file, "--yes"], &[], "");
    assert_eq!(out.status.code(), Some(6), "{out:?}");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("invalid 2"), "{stdout}");
    assert!(
        stdout.contains("LINE") && stdout.contains("REASON"),
        "{stdout}"
    );
    let line3 = stdout.lines().find(|l| l.starts_with("3 ")).unwrap_or("");
    assert!(line3.contains("OU Admin"), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("4 ") && l.contains("Email Address"))
    );
    assert!(text(&out.stderr).contains("nothing was applied"), "{out:?}");
    assert_eq!(user_count(&d), 0);
}

#[test]
fn dry_run_and_refusal_apply_nothing_yes_applies_and_again_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let d = setup(tmp.path());
    let file = write(
        tmp.path(),
        "ok.csv",
        &[
            "ann@example.com,Acme-A,True,ann@example.com",
            "bob@example.com,Acme-A,False,bob@example.com",
        ],
    );
    let dry = d.cli(&["import", &file, "--dry-run"], &[], "");
    assert!(dry.status.success(), "{dry:?}");
    let stdout = text(&dry.stdout);
    assert!(stdout.contains("create 2"), "{stdout}");
    assert!(stdout.contains("grant delegate 1"), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("2 ") && l.contains("create") && l.contains("ann@example.com")),
        "{stdout}"
    );
    assert!(text(&dry.stderr).contains("dry run"), "{dry:?}");
    assert_eq!(user_count(&d), 0);

    let no = d.cli(&["import", &file], &[], "n\n");
    assert_eq!(no.status.code(), Some(1), "{no:?}");
    assert!(text(&no.stderr).contains("[y/N]"), "{no:?}");
    assert_eq!(user_count(&d), 0);

    let yes = d.cli(&["import", &file], &[], "y\n");
    assert!(yes.status.success(), "{yes:?}");
    assert!(text(&yes.stdout).contains("applied import"), "{yes:?}");
    assert!(
        text(&yes.stderr).contains("applying 2 rows: done"),
        "{yes:?}"
    );
    assert_eq!(user_count(&d), 2);

    let again = d.cli(&["import", &file, "--yes"], &[], "");
    assert!(again.status.success(), "{again:?}");
    assert!(text(&again.stdout).contains("unchanged 2"), "{again:?}");
    assert_eq!(user_count(&d), 2);
}

#[test]
fn an_xlsx_file_is_sent_as_xlsx_and_the_template_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let d = setup(tmp.path());
    // Not a zip archive: the daemon reads it as XLSX (by the media type the
    // extension chose) and refuses it as unreadable, exit 6.
    let fake = tmp.path().join("fake.xlsx");
    std::fs::write(&fake, HEADER).unwrap();
    let out = d.cli(&["import", fake.to_str().unwrap(), "--yes"], &[], "");
    assert_eq!(out.status.code(), Some(6), "{out:?}");

    let template = tmp.path().join("template.csv");
    let path = template.to_str().unwrap();
    d.ok(&["import", "--template", path]);
    let written = std::fs::read_to_string(&template).unwrap();
    assert!(written.starts_with("Login Name,"), "{written}");
    // Never over an existing file.
    let again = d.cli(&["import", "--template", path], &[], "");
    assert_eq!(again.status.code(), Some(1), "{again:?}");
    let stdout = d.ok(&["import", "--template"]);
    assert_eq!(stdout, written);
}
