//! Helpers for the import tests (included with `#[path]` by tests/import*.rs):
//! CSV files built in memory, previews as the system administrator or another
//! actor, and short reads of the store.
#![allow(dead_code)]

use super::common::*;
use dirgate::directory::Request;
use dirgate::directory::model::User;
use dirgate::import::{Imports, Preview};
use std::sync::Arc;

pub const HEADER: &str = "Login Name,Organization Unit,OU Admin,Email Address";

pub fn imports(f: &Fixture) -> Imports {
    Imports::new(f.dir.clone(), Default::default())
}

pub fn csv(rows: &[&str]) -> Vec<u8> {
    let mut text = format!("{HEADER}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    text.into_bytes()
}

pub fn preview(i: &Imports, req: &Request, rows: &[&str]) -> Arc<Preview> {
    i.preview(req, &csv(rows), Some("text/csv"))
        .unwrap_or_else(|e| panic!("preview: {e}"))
}

pub fn user(f: &Fixture, login: &str) -> Option<User> {
    f.dir.store().read(|tx| tx.user_by_login(login)).unwrap()
}

pub fn last_seq(f: &Fixture) -> u64 {
    f.dir.store().read(|tx| tx.last_seq()).unwrap()
}

pub fn org_id(f: &Fixture, name: &str) -> uuid::Uuid {
    f.dir.get_org(&system(&f.dir), name).unwrap().id
}

/// (line, column, start of reason) of every error of a preview.
pub fn errors(p: &Preview) -> Vec<(usize, Option<&'static str>, String)> {
    p.errors
        .iter()
        .map(|e| (e.line, e.column, e.reason.clone()))
        .collect()
}

pub fn has_error(p: &Preview, line: usize, column: &str, text: &str) {
    assert!(
        p.errors
            .iter()
            .any(|e| e.line == line && e.column == Some(column) && e.reason.contains(text)),
        "no error at line {line}, {column} containing {text:?}: {:#?}",
        errors(p)
    );
}

/// The newest event of the audit trail.
pub fn last_event(f: &Fixture) -> dirgate::directory::audit::Event {
    let events = f
        .dir
        .store()
        .read(|tx| tx.changes_newest_first(1, |_| true))
        .unwrap();
    events.into_iter().next().unwrap()
}

/// The confirm was refused: the only new event since `before` says so.
pub fn only_refusal_logged(f: &Fixture, before: u64, reason: &str) {
    use dirgate::directory::audit::Outcome;
    assert_eq!(
        last_seq(f),
        before + 1,
        "nothing but the refusal is written"
    );
    let e = last_event(f);
    assert_eq!(
        (e.action.as_str(), e.outcome),
        ("import.refused", Outcome::Failure)
    );
    let detail = e.detail.unwrap_or_default();
    assert!(detail.contains(reason), "{detail}");
}
