//! Bulk import through the core on a real store: CSV and XLSX files previewed
//! (counts, the records as they will be applied, every kind of row error with
//! its line and column), confirmed in one transaction (all or nothing, seats,
//! idempotent re-apply, refusal when the directory changed since the preview),
//! the delegate's own-organization rule, who may see a preview, the audit
//! event and the per-row report.

mod common;

use common::*;
use dirgate::directory::Error;
use dirgate::directory::imports::{DelegateChange, RowAction};
use dirgate::directory::model::{Lifecycle, User};
use dirgate::directory::users::NewUser;
use dirgate::import::read::{Limits, ReadError, XLSX_MEDIA_TYPE};
use dirgate::import::{ImportError, Imports, Preview};
use dirgate::store::StoreError;
use std::sync::Arc;

const HEADER: &str = "Login Name,Organization Unit,OU Admin,Email Address";

fn imports(f: &Fixture) -> Imports {
    Imports::new(f.dir.clone(), Default::default())
}

fn csv(rows: &[&str]) -> Vec<u8> {
    let mut text = format!("{HEADER}\n");
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    text.into_bytes()
}

fn preview(i: &Imports, req: &dirgate::directory::Request, rows: &[&str]) -> Arc<Preview> {
    i.preview(req, &csv(rows), Some("text/csv"))
        .unwrap_or_else(|e| panic!("preview: {e}"))
}

fn user(f: &Fixture, login: &str) -> Option<User> {
    f.dir.store().read(|tx| tx.user_by_login(login)).unwrap()
}

fn last_seq(f: &Fixture) -> u64 {
    f.dir.store().read(|tx| tx.last_seq()).unwrap()
}

fn org_id(f: &Fixture, name: &str) -> uuid::Uuid {
    f.dir.get_org(&system(&f.dir), name).unwrap().id
}

/// (line, column, start of reason) of every error of a preview.
fn errors(p: &Preview) -> Vec<(usize, Option<&'static str>, String)> {
    p.errors
        .iter()
        .map(|e| (e.line, e.column, e.reason.clone()))
        .collect()
}

fn has_error(p: &Preview, line: usize, column: &str, text: &str) {
    assert!(
        p.errors
            .iter()
            .any(|e| e.line == line && e.column == Some(column) && e.reason.contains(text)),
        "no error at line {line}, {column} containing {text:?}: {:#?}",
        errors(p)
    );
}

#[test]
fn a_csv_preview_plans_every_kind_of_row_and_writes_nothing() {
    let f = fixture();
    let sys = system(&f.dir);
    active_user(&f.dir, "alice@example.com", Some("Acme-A"));
    active_user(&f.dir, "bob@example.com", Some("Acme-B"));
    let before = last_seq(&f);
    let i = imports(&f);
    let p = preview(
        &i,
        &sys,
        &[
            "ALICE@example.com,Acme-A,False,alice@new.example.com",
            "bob@example.com,acme-a,True,bob@example.com",
            "carol@example.com,Acme-A,False,carol@example.com",
        ],
    );
    assert!(p.errors.is_empty(), "{:?}", errors(&p));
    let c = p.counts;
    assert_eq!(
        (
            c.creates,
            c.updates,
            c.moves,
            c.delegate_grants,
            c.unchanged,
            c.invalid
        ),
        (1, 1, 1, 1, 0, 0)
    );
    let rows = &p.plan.rows;
    assert_eq!(rows.len(), 3);
    // Records exactly as they will be applied: stored spellings, final values.
    assert_eq!(rows[0].login, "alice@example.com");
    assert_eq!(rows[0].action, RowAction::Update);
    assert_eq!(rows[0].changes, vec!["email"]);
    assert_eq!(rows[1].organization, "Acme-A");
    assert_eq!(rows[1].action, RowAction::Move);
    assert_eq!(rows[1].from_organization.as_deref(), Some("Acme-B"));
    assert_eq!(rows[1].delegate_change, Some(DelegateChange::Grant));
    assert_eq!(rows[2].action, RowAction::Create);
    assert_eq!(rows[2].state, Lifecycle::Provisioned);
    assert_eq!(rows[2].line, 4);
    let seats = &p.plan.seats;
    assert!(seats.iter().all(|s| s.ok), "{seats:?}");
    let a = seats.iter().find(|s| s.organization == "Acme-A").unwrap();
    assert_eq!((a.used, a.after), (1, 3));
    // Nothing written.
    assert_eq!(last_seq(&f), before);
    assert!(user(&f, "carol@example.com").is_none());
    assert_eq!(
        user(&f, "bob@example.com").unwrap().org,
        Some(org_id(&f, "Acme-B"))
    );
}

#[test]
fn confirm_applies_the_file_and_reapplying_it_changes_nothing() {
    let f = fixture();
    let sys = system(&f.dir);
    active_user(&f.dir, "alice@example.com", Some("Acme-A"));
    active_user(&f.dir, "bob@example.com", Some("Acme-B"));
    let i = imports(&f);
    let file = [
        "alice@example.com,Acme-A,False,alice@new.example.com",
        "bob@example.com,Acme-A,True,bob@example.com",
        "carol@example.com,Acme-A,False,carol@example.com",
    ];
    let p = preview(&i, &sys, &file);
    let done = i.confirm(&sys, p.id).unwrap().applied().unwrap();
    assert_eq!(done.counts.creates, 1);
    let a = org_id(&f, "Acme-A");
    let carol = user(&f, "carol@example.com").unwrap();
    assert_eq!(
        (carol.org, carol.state, carol.email.as_deref()),
        (Some(a), Lifecycle::Provisioned, Some("carol@example.com"))
    );
    let bob = user(&f, "bob@example.com").unwrap();
    assert_eq!(bob.org, Some(a));
    assert!(bob.flags.delegate);
    let alice = user(&f, "alice@example.com").unwrap();
    assert_eq!(alice.email.as_deref(), Some("alice@new.example.com"));

    // The completion event names the actor and the counts.
    let events = f.dir.store().read(|tx| tx.changes(0, 10_000)).unwrap();
    let done_event = events.last().unwrap();
    assert_eq!(done_event.action, "import.complete");
    assert_eq!(done_event.actor, "admin");
    assert_eq!(done_event.target_id, Some(p.id));
    assert_eq!(done_event.org, Some(a));
    let detail = done_event.detail.as_deref().unwrap();
    assert!(detail.contains("created=1, updated=1, moved=1"), "{detail}");

    // A second confirm of the same preview is refused.
    assert!(matches!(
        i.confirm(&sys, p.id),
        Err(ImportError::AlreadyApplied(_))
    ));

    // The same file again: every row unchanged, only the completion event.
    let again = preview(&i, &sys, &file);
    assert_eq!(again.counts.unchanged, 3, "{:?}", again.plan.rows);
    assert_eq!(
        again.counts.creates + again.counts.updates + again.counts.moves,
        0
    );
    let before = last_seq(&f);
    i.confirm(&sys, again.id).unwrap();
    assert_eq!(last_seq(&f), before + 1);
    assert_eq!(user(&f, "bob@example.com").unwrap().version, bob.version);
}

#[test]
fn an_xlsx_file_is_previewed_and_applied() {
    use rust_xlsxwriter::Workbook;
    let f = fixture();
    let sys = system(&f.dir);
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let header = [
        "Login Name",
        "Organization Unit",
        "OU Admin",
        "Email Address",
        "First Name",
    ];
    for (col, name) in header.iter().enumerate() {
        ws.write_string(0, col as u16, *name).unwrap();
    }
    ws.write_string(1, 0, "dora@example.com").unwrap();
    ws.write_string(1, 1, "Acme-B").unwrap();
    ws.write_boolean(1, 2, false).unwrap();
    ws.write_string(1, 3, "dora@example.com").unwrap();
    ws.write_string(1, 4, "Dora").unwrap();
    ws.write_string(2, 0, "eve@example.com").unwrap();
    ws.write_string(2, 1, "Acme-B").unwrap();
    ws.write_boolean(2, 2, false).unwrap();
    ws.write_string(2, 3, "N/A").unwrap();
    let bytes = book.save_to_buffer().unwrap();

    let i = imports(&f);
    let p = i.preview(&sys, &bytes, Some(XLSX_MEDIA_TYPE)).unwrap();
    assert_eq!(p.total_rows, 2);
    assert_eq!(p.counts.creates, 1);
    assert_eq!(p.counts.invalid, 1);
    has_error(&p, 3, "Email Address", "");
    assert!(matches!(
        i.confirm(&sys, p.id),
        Err(ImportError::InvalidRows(1))
    ));
    assert!(user(&f, "dora@example.com").is_none());

    // Fixed: the valid row alone is applied, with its first name.
    let ws = book.worksheet_from_index(0).unwrap();
    ws.write_string(2, 3, "eve@example.com").unwrap();
    let p = i
        .preview(&sys, &book.save_to_buffer().unwrap(), None)
        .unwrap();
    assert!(p.errors.is_empty(), "{:?}", errors(&p));
    i.confirm(&sys, p.id).unwrap();
    let dora = user(&f, "dora@example.com").unwrap();
    assert_eq!(dora.given_name.as_deref(), Some("Dora"));
    assert!(user(&f, "eve@example.com").is_some());
}

#[test]
fn every_kind_of_row_error_is_reported_with_its_line_and_column() {
    let f = fixture();
    let sys = system(&f.dir);
    let i = imports(&f);
    let before = last_seq(&f);
    let p = preview(
        &i,
        &sys,
        &[
            "frank,Acme-A,False,frank@example.com", // 2: login shape
            "gina@nowhere.org,Acme-A,False,gina@example.com", // 3: unknown suffix
            "hugo@example.com,Acme-Z,False,hugo@example.com", // 4: unknown org
            "ines@example.com,Acme-A,maybe,ines@example.com", // 5: OU Admin
            "jon@example.com,Acme-A,False,N/A",     // 6: placeholder email
            "kim@example.com,Acme-A,False,kim@example.com", // 7: duplicate
            "KIM@example.com,Acme-A,False,kim2@example.com", // 8: duplicate
            "lea@example.com,Acme-A,False,not-an-address", // 9: bad email
            "max@example.com,Acme-A,False,max@example.com", // 10: valid
        ],
    );
    has_error(&p, 2, "Login Name", "name@suffix");
    has_error(
        &p,
        3,
        "Login Name",
        "login suffix 'nowhere.org' does not exist",
    );
    has_error(
        &p,
        4,
        "Organization Unit",
        "organization 'Acme-Z' does not exist",
    );
    has_error(&p, 5, "OU Admin", "True or False");
    has_error(&p, 6, "Email Address", "");
    has_error(&p, 7, "Login Name", "also on line 8");
    has_error(&p, 8, "Login Name", "also on line 7");
    has_error(&p, 9, "Email Address", "");
    assert!(p.errors.iter().all(|e| e.line != 10), "{:?}", errors(&p));
    assert_eq!(p.counts.invalid, 8);
    assert_eq!(p.counts.creates, 1);
    let lines: Vec<usize> = p.errors.iter().map(|e| e.line).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "errors in line order");
    let err = i.confirm(&sys, p.id).unwrap_err();
    assert!(err.to_string().contains("8 invalid row(s)"), "{err}");
    assert_eq!(last_seq(&f), before);
    assert!(user(&f, "max@example.com").is_none());
}

#[test]
fn file_level_limits_are_refused_up_front_with_both_numbers() {
    let f = fixture();
    let sys = system(&f.dir);
    let cfg = dirgate::import::ImportConfig {
        limits: Limits {
            max_rows: 2,
            max_bytes: 1000,
        },
        ..Default::default()
    };
    let i = Imports::new(f.dir.clone(), cfg);
    let rows = [
        "a@example.com,Acme-A,False,a@example.com",
        "b@example.com,Acme-A,False,b@example.com",
        "c@example.com,Acme-A,False,c@example.com",
    ];
    let err = i.preview(&sys, &csv(&rows), None).unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::Read(ReadError::TooManyRows { rows: 3, limit: 2 })
        ),
        "{err}"
    );
    let big = vec![b'x'; 1001];
    let err = i.preview(&sys, &big, None).unwrap_err();
    assert!(
        err.to_string().contains("1,001") && err.to_string().contains("1,000"),
        "{err}"
    );
}

#[test]
fn a_delegate_imports_only_into_its_own_organization() {
    let f = fixture();
    let sys = system(&f.dir);
    f.dir.set_seats(&sys, "Acme-A", 10).unwrap();
    let del = active_user(&f.dir, "del@example.com", Some("Acme-A"));
    f.dir.set_delegate(&sys, del.id, true).unwrap();
    active_user(&f.dir, "bea@example.com", Some("Acme-B"));
    let req = login(&f.dir, "del@example.com");
    let i = imports(&f);
    let before = last_seq(&f);
    let p = preview(
        &i,
        &req,
        &[
            "nia@example.com,Acme-A,False,nia@example.com", // 2: fine
            "oli@example.com,Acme-B,False,oli@example.com", // 3: other org
            "bea@example.com,Acme-A,False,bea@example.com", // 4: steals from B
            "pat@example.com,Acme-A,True,pat@example.com",  // 5: appoints a delegate
        ],
    );
    has_error(
        &p,
        3,
        "Organization Unit",
        "may not import users into organization Acme-B",
    );
    has_error(
        &p,
        4,
        "Organization Unit",
        "may not move bea@example.com out of Acme-B",
    );
    has_error(&p, 5, "OU Admin", "may not appoint");
    assert_eq!(p.counts.creates, 1);
    assert!(i.confirm(&req, p.id).is_err());
    assert_eq!(last_seq(&f), before, "nothing written");
    assert!(user(&f, "nia@example.com").is_none());

    // Its own organization's rows alone go through.
    let p = preview(&i, &req, &["nia@example.com,Acme-A,False,nia@example.com"]);
    i.confirm(&req, p.id).unwrap();
    assert_eq!(
        user(&f, "nia@example.com").unwrap().org,
        Some(org_id(&f, "Acme-A"))
    );
    let events = f.dir.store().read(|tx| tx.changes(0, 10_000)).unwrap();
    assert_eq!(events.last().unwrap().actor, "del@example.com");

    // The system administrator may name any organization.
    let p = preview(&i, &sys, &["oli@example.com,Acme-B,False,oli@example.com"]);
    assert!(p.errors.is_empty(), "{:?}", errors(&p));
}

#[test]
fn only_the_previewer_and_the_system_administrator_see_and_confirm_a_preview() {
    let f = fixture();
    let sys = system(&f.dir);
    let del = active_user(&f.dir, "del@example.com", Some("Acme-A"));
    f.dir.set_delegate(&sys, del.id, true).unwrap();
    let other = active_user(&f.dir, "other@example.com", Some("Acme-A"));
    f.dir.set_delegate(&sys, other.id, true).unwrap();
    let (d, o) = (
        login(&f.dir, "del@example.com"),
        login(&f.dir, "other@example.com"),
    );
    let i = imports(&f);
    let p = preview(&i, &d, &["nia@example.com,Acme-A,False,nia@example.com"]);
    assert!(matches!(i.get(&o, p.id), Err(ImportError::NotFound(_))));
    assert!(matches!(i.confirm(&o, p.id), Err(ImportError::NotFound(_))));
    assert!(matches!(
        i.report_csv(&o, p.id),
        Err(ImportError::NotFound(_))
    ));
    assert!(user(&f, "nia@example.com").is_none());
    assert_eq!(i.get(&d, p.id).unwrap().id, p.id);
    i.confirm(&sys, p.id).unwrap();
    assert!(user(&f, "nia@example.com").is_some());
    let unknown = uuid::Uuid::new_v4();
    assert!(matches!(
        i.get(&sys, unknown),
        Err(ImportError::NotFound(_))
    ));
}

#[test]
fn seats_are_checked_per_organization_for_the_file_as_a_whole() {
    let f = fixture();
    let sys = system(&f.dir);
    // Acme-A: 3 seats, all used.
    for n in ["a1", "a2", "a3"] {
        active_user(&f.dir, &format!("{n}@example.com"), Some("Acme-A"));
    }
    let i = imports(&f);
    // A create in A before the row that frees a seat there: fine as a whole.
    let p = preview(
        &i,
        &sys,
        &[
            "new@example.com,Acme-A,False,new@example.com",
            "a1@example.com,Acme-B,False,a1@example.com",
        ],
    );
    assert!(p.errors.is_empty(), "{:?}", errors(&p));
    let a = p
        .plan
        .seats
        .iter()
        .find(|s| s.organization == "Acme-A")
        .unwrap();
    assert_eq!((a.used, a.after, a.ok), (3, 3, true));
    i.confirm(&sys, p.id).unwrap();
    assert_eq!(
        user(&f, "new@example.com").unwrap().org,
        Some(org_id(&f, "Acme-A"))
    );

    // Two more creates in the full A: both past its seats, both errors.
    let p = preview(
        &i,
        &sys,
        &[
            "x1@example.com,Acme-A,False,x1@example.com",
            "x2@example.com,Acme-B,False,x2@example.com",
            "x3@example.com,Acme-A,False,x3@example.com",
        ],
    );
    has_error(&p, 2, "Organization Unit", "no free seat");
    has_error(&p, 4, "Organization Unit", "no free seat");
    let a = p
        .plan
        .seats
        .iter()
        .find(|s| s.organization == "Acme-A")
        .unwrap();
    assert!(!a.ok);
    assert_eq!(p.counts.creates, 1);
    assert!(i.confirm(&sys, p.id).is_err());
    assert!(user(&f, "x2@example.com").is_none());
}

#[test]
fn a_failure_in_the_middle_of_the_apply_leaves_nothing() {
    let f = fixture();
    let sys = system(&f.dir);
    f.dir.set_seats(&sys, "Acme-A", 10).unwrap();
    // The next uid numbers are n+1, n+2, n+3: a record already holding n+3
    // makes the third create fail inside the transaction, after two succeeded.
    let probe = f
        .dir
        .create_user(&sys, NewUser::new("probe@example.com"))
        .unwrap();
    let mut squatter = probe.clone();
    squatter.id = uuid::Uuid::new_v4();
    squatter.login = "squatter@example.com".into();
    squatter.uid_number = probe.uid_number + 3;
    squatter.gid_number = probe.uid_number + 3;
    f.dir.store().write(|tx| tx.put_user(&squatter)).unwrap();

    let i = imports(&f);
    let p = preview(
        &i,
        &sys,
        &[
            "r1@example.com,Acme-A,False,r1@example.com",
            "r2@example.com,Acme-A,False,r2@example.com",
            "r3@example.com,Acme-A,False,r3@example.com",
        ],
    );
    assert!(p.errors.is_empty(), "{:?}", errors(&p));
    let before = last_seq(&f);
    let err = i.confirm(&sys, p.id).unwrap_err();
    assert!(
        matches!(
            err,
            ImportError::Directory(Error::Store(StoreError::Duplicate { .. }))
        ),
        "{err}"
    );
    for n in ["r1", "r2", "r3"] {
        assert!(user(&f, &format!("{n}@example.com")).is_none(), "{n}");
    }
    assert_eq!(last_seq(&f), before, "no event either");
    let used = f
        .dir
        .store()
        .read(|tx| tx.seats_used(org_id(&f, "Acme-A")))
        .unwrap();
    assert_eq!(used, 0);
}

#[test]
fn a_change_between_preview_and_confirm_is_refused() {
    let f = fixture();
    let sys = system(&f.dir);
    let bob = active_user(&f.dir, "bob@example.com", Some("Acme-A"));
    let i = imports(&f);
    let p = preview(
        &i,
        &sys,
        &[
            "bob@example.com,Acme-A,False,bob@example.com",
            "carl@example.com,Acme-A,False,carl@example.com",
        ],
    );
    assert_eq!(p.plan.rows[0].action, RowAction::Update);
    // Meanwhile bob moves to B: the previewed update is now a move.
    f.dir
        .move_user(
            &sys,
            bob.id,
            Some(dirgate::directory::users::OrgRef::Name("Acme-B".into())),
        )
        .unwrap();
    let before = last_seq(&f);
    let err = i.confirm(&sys, p.id).unwrap_err();
    assert!(
        matches!(err, ImportError::Directory(Error::Conflict(_))),
        "{err}"
    );
    assert!(
        err.to_string().contains("changed since the preview"),
        "{err}"
    );
    assert!(err.to_string().contains("line 2"), "{err}");
    assert_eq!(last_seq(&f), before);
    assert!(user(&f, "carl@example.com").is_none());
    assert_eq!(user(&f, "bob@example.com").unwrap().email, None);
}

#[test]
fn the_report_lists_every_row_with_its_outcome() {
    let f = fixture();
    let sys = system(&f.dir);
    let i = imports(&f);
    let p = preview(
        &i,
        &sys,
        &[
            "ann@example.com,Acme-A,True,ann@example.com",
            "=cmd@example.com,Acme-Z,False,x@example.com",
        ],
    );
    let text = String::from_utf8(i.report_csv(&sys, p.id).unwrap()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "line,login,organization,action,outcome,message");
    assert!(
        lines[1].starts_with("2,ann@example.com,Acme-A,create,pending,"),
        "{text}"
    );
    assert!(
        lines[1].contains("appointed delegated administrator"),
        "{text}"
    );
    assert!(
        lines[2].starts_with("3,'=cmd@example.com,Acme-Z,,invalid,"),
        "{text}"
    );
    // The core checks the login's syntax too (and stops at the first problem).
    assert!(
        lines[2].contains("Login Name: login name '=cmd@example.com' contains '='"),
        "{text}"
    );

    let p = preview(&i, &sys, &["ann@example.com,Acme-A,True,ann@example.com"]);
    i.confirm(&sys, p.id).unwrap();
    let text = String::from_utf8(i.report_csv(&sys, p.id).unwrap()).unwrap();
    assert!(
        text.contains("2,ann@example.com,Acme-A,create,applied,"),
        "{text}"
    );
}

#[test]
fn created_users_may_start_active_when_configured() {
    let f = fixture();
    let sys = system(&f.dir);
    let cfg = dirgate::import::ImportConfig {
        created_state: Lifecycle::Active,
        ..Default::default()
    };
    let i = Imports::new(f.dir.clone(), cfg);
    let p = preview(&i, &sys, &["zoe@example.com,Acme-A,False,zoe@example.com"]);
    assert_eq!(p.plan.rows[0].state, Lifecycle::Active);
    i.confirm(&sys, p.id).unwrap();
    assert_eq!(
        user(&f, "zoe@example.com").unwrap().state,
        Lifecycle::Active
    );
}
