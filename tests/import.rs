//! Bulk import through the core on a real store: CSV and XLSX files previewed
//! (counts, the records as they will be applied, every kind of row error with
//! its line and column, file limits), confirmed in one transaction, applied
//! again without change, the audit event and the per-row report.
//! `import_rules.rs` holds the access, seat, atomicity and re-check rules.

mod common;
#[path = "common/imports.rs"]
mod imports_helpers;

use common::*;
use dirgate::directory::imports::{DelegateChange, RowAction};
use dirgate::directory::model::Lifecycle;
use dirgate::import::read::{Limits, ReadError, XLSX_MEDIA_TYPE};
use dirgate::import::{ImportError, Imports};
use imports_helpers::*;

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
    only_refusal_logged(&f, before, "8 invalid row(s)");
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

#[test]
fn a_full_file_of_ten_thousand_rows_is_applied_in_one_transaction() {
    let f = fixture();
    let sys = system(&f.dir);
    f.dir.set_seats(&sys, "Acme-A", 20_000).unwrap();
    let rows: Vec<String> = (0..10_000)
        .map(|n| format!("user{n}@example.com,Acme-A,False,user{n}@example.com"))
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let i = imports(&f);
    let p = preview(&i, &sys, &rows);
    assert_eq!(p.counts.creates, 10_000);
    assert_eq!(p.plan.rows.len(), 10_000);
    i.confirm(&sys, p.id).unwrap();
    let used = f
        .dir
        .store()
        .read(|tx| tx.seats_used(org_id(&f, "Acme-A")))
        .unwrap();
    assert_eq!(used, 10_000);
    let again = preview(&i, &sys, &rows);
    assert_eq!(again.counts.unchanged, 10_000);
}

/// The optional profile columns are the core's table of shared texts: a
/// file names them by label, LDAP name or SCIM name; the preview shows the
/// values as they will be stored; an empty cell clears, an absent column
/// keeps; a bad value is a line error in its column.
#[test]
fn profile_text_columns_are_previewed_applied_and_cleared() {
    let f = fixture();
    let sys = system(&f.dir);
    let i = imports(&f);
    let file = "Login Name,Organization Unit,OU Admin,Email Address,Title,employeeNumber,\
                DEPARTMENTNUMBER,Cost Center\n\
                ana@example.com,Acme-A,False,ana@example.com,Engineer,E-7,R&D,\n\
                ben@example.com,Acme-A,False,ben@example.com,Lead,E-8,,CC-1\n";
    let p = i.preview(&sys, file.as_bytes(), Some("text/csv")).unwrap();
    assert!(p.errors.is_empty(), "{:?}", errors(&p));
    let ana = &p.plan.rows[0].texts;
    assert_eq!(ana["title"].as_deref(), Some("Engineer"));
    assert_eq!(ana["employeeNumber"].as_deref(), Some("E-7"));
    assert_eq!(ana["department"].as_deref(), Some("R&D"));
    assert_eq!(ana["costCenter"], None);
    assert!(!ana.contains_key("division"));
    i.confirm(&sys, p.id).unwrap();
    let stored = user(&f, "ana@example.com").unwrap().profile;
    assert_eq!(stored.title.as_deref(), Some("Engineer"));
    assert_eq!(stored.employee_number.as_deref(), Some("E-7"));
    assert_eq!(stored.department.as_deref(), Some("R&D"));
    let ben = user(&f, "ben@example.com").unwrap().profile;
    assert_eq!(ben.cost_center.as_deref(), Some("CC-1"));
    assert_eq!(ben.department, None);

    // Only a Title column, empty for ana: her title goes, the rest stays.
    let file = "Login Name,Organization Unit,OU Admin,Email Address,Title\n\
                ana@example.com,Acme-A,False,ana@example.com,\n\
                ben@example.com,Acme-A,False,ben@example.com,Lead\n";
    let p = i.preview(&sys, file.as_bytes(), Some("text/csv")).unwrap();
    assert_eq!(p.plan.rows[0].changes, vec!["title"]);
    assert_eq!(p.plan.rows[1].action, RowAction::Unchanged);
    i.confirm(&sys, p.id).unwrap();
    let stored = user(&f, "ana@example.com").unwrap().profile;
    assert_eq!(stored.title, None);
    assert_eq!(stored.employee_number.as_deref(), Some("E-7"));

    let long = "x".repeat(1025);
    let file = format!(
        "Login Name,Organization Unit,OU Admin,Email Address,Division,Title\n\
         ana@example.com,Acme-A,False,ana@example.com,\"North\nSouth\",ok\n\
         ben@example.com,Acme-A,False,ben@example.com,,{long}\n"
    );
    let p = i.preview(&sys, file.as_bytes(), Some("text/csv")).unwrap();
    has_error(&p, 2, "Division", "control characters");
    has_error(&p, 4, "Title", "longer than 1024 characters");
}
