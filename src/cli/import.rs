//! `dirgate import FILE`: the bulk import flow from a terminal or a script.
//! Uploads the file for a preview, prints it (counts, seats, the first records
//! as they will be applied, every invalid row), asks before applying (unless
//! `--yes`; `--dry-run` stops after the preview), confirms it and prints what
//! was done. Exit status 6 when the file has invalid rows (nothing applied).
//! `dirgate import --template` writes the CSV template without a daemon.
//! Every decision is the daemon's; this file only moves bytes and prints.

use super::ImportArgs;
use super::client::{CliError, Client};
use super::output::print;
use super::progress::Progress;
use crate::import::read::{XLSX_MEDIA_TYPE, template_csv};
use serde_json::{Value, json};
use std::io::{BufRead, Write};
use std::path::Path;

const RECORD_COLUMNS: &[&str] = &[
    "line",
    "action",
    "login",
    "organization",
    "from_organization",
    "delegate",
    "delegate_change",
    "email",
    "state",
];
const ERROR_COLUMNS: &[&str] = &["line", "column", "reason"];
const SEAT_COLUMNS: &[&str] = &["organization", "seats", "used", "after", "ok"];

/// Writes the template: to `file` when given (never over an existing file),
/// else to stdout.
pub fn template(file: Option<&Path>) -> Result<(), CliError> {
    let text = template_csv();
    let Some(path) = file else {
        print!("{text}");
        return Ok(());
    };
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| CliError::Usage(format!("cannot create {}: {e}", path.display())))?;
    out.write_all(text.as_bytes())
        .map_err(|e| CliError::Usage(format!("cannot write {}: {e}", path.display())))?;
    eprintln!("wrote the import template to {}", path.display());
    Ok(())
}

/// Preview, then (confirmed) apply, the file `args.file`.
pub fn run(c: &Client, args: &ImportArgs, json: bool) -> Result<(), CliError> {
    let Some(path) = args.file.as_deref() else {
        return Err(CliError::Usage("name the file to import".into()));
    };
    let preview = upload(c, path)?;
    show_preview(&preview, json);
    let id = preview["id"].as_str().unwrap_or_default().to_owned();
    let invalid = preview["counts"]["invalid"].as_u64().unwrap_or(0);
    if invalid > 0 || preview["confirmable"] != Value::Bool(true) {
        return Err(CliError::Invalid(format!(
            "{invalid} invalid row(s); nothing was applied: fix the file and run the import again"
        )));
    }
    if args.dry_run {
        eprintln!("dry run: nothing was applied");
        return Ok(());
    }
    if !args.yes && !confirmed(&preview)? {
        return Err(CliError::Usage("not confirmed; nothing was applied".into()));
    }
    let rows = preview["total_rows"].as_u64().unwrap_or(0);
    let progress = Progress::start(format!("applying {rows} rows"));
    let applied = c.call("POST", &format!("/imports/{id}/confirm"), Some(&json!({})));
    progress.finish(applied.is_ok());
    show_applied(&applied?, json);
    Ok(())
}

/// Sends the file, typed by its extension, and returns the preview.
fn upload(c: &Client, path: &Path) -> Result<Value, CliError> {
    let bytes = std::fs::read(path)
        .map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?;
    let media = media_type(path);
    let label = format!("uploading {} ({} bytes)", path.display(), bytes.len());
    let progress = Progress::start(label);
    let preview = c.send("POST", "/imports", media, bytes);
    progress.finish(preview.is_ok());
    preview
}

/// The media type the daemon expects for `path`: XLSX by its extension, the
/// rest as CSV (the daemon detects delimiter and encoding itself).
fn media_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    if ext.eq_ignore_ascii_case("xlsx") {
        XLSX_MEDIA_TYPE
    } else if ext.eq_ignore_ascii_case("tsv") {
        "text/tab-separated-values"
    } else {
        "text/csv"
    }
}

/// Asks on stderr, reads the answer from stdin; anything but y/yes is a no
/// (so is the end of input, e.g. a script without `--yes`).
fn confirmed(preview: &Value) -> Result<bool, CliError> {
    eprint!(
        "apply {} row(s) ({})? [y/N] ",
        preview["total_rows"],
        counts_text(&preview["counts"])
    );
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::Usage(format!("cannot read the answer: {e}")))?;
    let answer = line.trim().to_ascii_lowercase();
    Ok(answer == "y" || answer == "yes")
}

fn counts_text(counts: &Value) -> String {
    let n = |k: &str| counts[k].as_u64().unwrap_or(0);
    format!(
        "create {}, update {}, move {}, grant delegate {}, revoke delegate {}, unchanged {}, invalid {}",
        n("creates"),
        n("updates"),
        n("moves"),
        n("delegate_grants"),
        n("delegate_revocations"),
        n("unchanged"),
        n("invalid")
    )
}

fn show_preview(p: &Value, json: bool) {
    if json {
        print(p, &[], true);
        return;
    }
    println!("import {}: {} row(s)", cell(&p["id"]), p["total_rows"]);
    println!("{}", counts_text(&p["counts"]));
    for w in p["warnings"].as_array().into_iter().flatten() {
        println!("warning: {}", cell(w));
    }
    if p["seats"].as_array().is_some_and(|s| !s.is_empty()) {
        println!("\nseats:");
        print(&json!({"items": p["seats"]}), SEAT_COLUMNS, false);
    }
    let records = p["records"].as_array().map_or(0, Vec::len);
    if records > 0 {
        println!("\nfirst {records} record(s) as they will be applied:");
        print(&json!({"items": p["records"]}), RECORD_COLUMNS, false);
    }
    if p["errors"].as_array().is_some_and(|e| !e.is_empty()) {
        println!("\ninvalid rows:");
        print(&json!({"items": p["errors"]}), ERROR_COLUMNS, false);
    }
}

fn show_applied(a: &Value, json: bool) {
    if json {
        print(a, &[], true);
        return;
    }
    println!(
        "applied import {}: {}",
        cell(&a["id"]),
        counts_text(&a["counts"])
    );
    println!(
        "audit event {}; per-row report: GET /admin/v1/imports/{}/report.csv",
        a["audit_event"],
        cell(&a["id"])
    );
}

fn cell(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}
