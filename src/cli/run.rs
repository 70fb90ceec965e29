//! Each administrative subcommand as one admin API call, and its printing.

use super::client::{CliError, Client};
use super::output::print;
use super::{
    AdminCommand, AdminsCmd, AppCmd, AuditArgs, Conn, ExportArgs, OrgCmd, ReportArgs, RequestCmd,
    RoleCmd, SuffixCmd, TokenCmd, UserCmd,
};
use crate::config::Config;
use serde_json::{Value, json};
use std::path::Path;
use std::process::ExitCode;

const ORG_COLUMNS: &[&str] = &["name", "seats", "description"];
const ADMIN_COLUMNS: &[&str] = &["role", "login", "state", "id"];
const USER_COLUMNS: &[&str] = &["login", "organization", "state", "email", "id"];
const ROLE_COLUMNS: &[&str] = &["name", "organization", "rights", "id"];
const APP_COLUMNS: &[&str] = &["name", "organization", "requestable", "url", "id"];
const REQUEST_COLUMNS: &[&str] = &["created", "state", "organization", "app", "login", "id"];
const TOKEN_COLUMNS: &[&str] = &["id", "kind", "organization", "createdBy", "created"];
const SUFFIX_COLUMNS: &[&str] = &["name", "created"];
const AUDIT_COLUMNS: &[&str] = &[
    "time",
    "actor",
    "action",
    "target",
    "organization",
    "outcome",
];

/// Runs one administrative command against the daemon; errors go to stderr
/// and become the exit status.
pub fn run(config_path: Option<&Path>, command: AdminCommand) -> ExitCode {
    match execute(config_path, command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dirgate: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}

fn execute(config_path: Option<&Path>, command: AdminCommand) -> Result<(), CliError> {
    let config = Config::load(config_path)?;
    let connect = |conn: &Conn| Client::new(&config, conn.url.as_deref(), conn.user.as_deref());
    match command {
        AdminCommand::Org { conn, cmd } => org(&connect(&conn)?, cmd, conn.json),
        AdminCommand::User { conn, cmd } => user(&connect(&conn)?, cmd, conn.json),
        AdminCommand::Role { conn, cmd } => role(&connect(&conn)?, cmd, conn.json),
        AdminCommand::App { conn, cmd } => app(&connect(&conn)?, cmd, conn.json),
        AdminCommand::Request { conn, cmd } => request(&connect(&conn)?, cmd, conn.json),
        AdminCommand::Password { conn, cmd } => {
            let c = super::client::Client::anonymous(&config, conn.url.as_deref());
            super::password::run(&c, cmd, conn.json)
        }
        AdminCommand::Admin { conn, cmd } => admins(&connect(&conn)?, cmd, conn.json),
        AdminCommand::Token { conn, cmd } => token(&connect(&conn)?, cmd, conn.json),
        AdminCommand::Suffix { conn, cmd } => suffix(&connect(&conn)?, cmd, conn.json),
        AdminCommand::Audit { conn, query } => audit(&connect(&conn)?, &query, conn.json),
        AdminCommand::Report { conn, report: r } => report(&connect(&conn)?, &r, conn.json),
        AdminCommand::Import { args, .. } if args.template => {
            super::import::template(args.file.as_deref())
        }
        AdminCommand::Import { conn, args } => {
            super::import::run(&connect(&conn)?, &args, conn.json)
        }
        AdminCommand::ExportLdif { conn, args } => export_ldif(&connect(&conn)?, &args),
        AdminCommand::Backup { conn, file } => {
            super::backup::run(&connect(&conn)?, &file, conn.json)
        }
    }
}

/// `export-ldif`: the daemon's LDIF, to stdout or a new private file.
fn export_ldif(c: &Client, args: &ExportArgs) -> Result<(), CliError> {
    let qs = query(&[("organization", args.organization.clone())]);
    let ldif = c.get_text(&format!("/export{qs}"))?;
    let Some(path) = &args.out else {
        print!("{ldif}");
        return Ok(());
    };
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let failed = |e: std::io::Error| CliError::Usage(format!("{}: {e}", path.display()));
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(failed)?;
    // A file that was there keeps its mode otherwise.
    let private = std::os::unix::fs::PermissionsExt::from_mode(0o600);
    file.set_permissions(private).map_err(failed)?;
    file.write_all(ldif.as_bytes()).map_err(failed)?;
    file.sync_all().map_err(failed)
}

/// Percent-encodes a path segment or query value (RFC 3986 unreserved kept).
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'@' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `?k=v&…` from the parameters that are set.
fn query(params: &[(&str, Option<String>)]) -> String {
    let set: Vec<String> = params
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", enc(v))))
        .collect();
    if set.is_empty() {
        String::new()
    } else {
        format!("?{}", set.join("&"))
    }
}

fn org(c: &Client, cmd: OrgCmd, json: bool) -> Result<(), CliError> {
    let out = match cmd {
        OrgCmd::List => c.call("GET", "/organizations", None)?,
        OrgCmd::Show { name } => c.call("GET", &format!("/organizations/{}", enc(&name)), None)?,
        OrgCmd::Create {
            name,
            seats,
            description,
        } => {
            let body = json!({"name": name, "seats": seats, "description": description});
            c.call("POST", "/organizations", Some(&body))?
        }
        OrgCmd::Seats { name, seats } => {
            let path = format!("/organizations/{}", enc(&name));
            c.call("PATCH", &path, Some(&json!({"seats": seats})))?
        }
        OrgCmd::Delete { name } => {
            c.call("DELETE", &format!("/organizations/{}", enc(&name)), None)?
        }
    };
    print(&out, ORG_COLUMNS, json);
    Ok(())
}

fn user(c: &Client, cmd: UserCmd, json: bool) -> Result<(), CliError> {
    let at = |u: &str, tail: &str| format!("/users/{}{tail}", enc(u));
    let out = match cmd {
        UserCmd::List {
            org,
            state,
            q,
            limit,
            offset,
        } => {
            let qs = query(&[
                ("organization", org),
                ("state", state),
                ("q", q),
                ("limit", Some(limit.to_string())),
                ("offset", Some(offset.to_string())),
            ]);
            c.call("GET", &format!("/users{qs}"), None)?
        }
        UserCmd::Show { account: user } => c.call("GET", &at(&user, ""), None)?,
        UserCmd::Create {
            login,
            org,
            email,
            given_name,
            family_name,
            state,
        } => {
            let body = json!({"login": login, "organization": org, "email": email,
                "givenName": given_name, "familyName": family_name, "state": state});
            c.call("POST", "/users", Some(&body))?
        }
        UserCmd::Disable { account: user } => {
            c.call("POST", &at(&user, "/disable"), Some(&json!({})))?
        }
        UserCmd::Enable { account: user } => {
            c.call("POST", &at(&user, "/enable"), Some(&json!({})))?
        }
        UserCmd::Validate { account: user } => {
            c.call("POST", &at(&user, "/validate"), Some(&json!({})))?
        }
        UserCmd::Unlock { account: user } => {
            c.call("POST", &at(&user, "/unlock"), Some(&json!({})))?
        }
        UserCmd::Invite { account: user } => {
            c.call("POST", &at(&user, "/invite"), Some(&json!({})))?
        }
        UserCmd::Move {
            account: user,
            org,
            none: _,
        } => c.call(
            "POST",
            &at(&user, "/move"),
            Some(&json!({"organization": org})),
        )?,
        UserCmd::SetPassword { account: user } => {
            let body = json!({"password": new_password()?});
            c.call("POST", &at(&user, "/password"), Some(&body))?
        }
        UserCmd::ResetSecondFactor { account: user } => {
            c.call("DELETE", &at(&user, "/second-factor"), None)?
        }
        UserCmd::Delete { account: user } => c.call("DELETE", &at(&user, ""), None)?,
    };
    print(&out, USER_COLUMNS, json);
    Ok(())
}

/// The new password from DIRGATE_NEW_PASSWORD, else the first line of stdin
/// (never from the command line, where other users could read it).
pub(super) fn new_password() -> Result<String, CliError> {
    if let Ok(p) = std::env::var("DIRGATE_NEW_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| CliError::Usage(format!("cannot read the new password from stdin: {e}")))?;
    let p = line.trim_end_matches(['\r', '\n']).to_owned();
    if p.is_empty() {
        return Err(CliError::Usage(
            "no new password: set DIRGATE_NEW_PASSWORD or pipe it on stdin".into(),
        ));
    }
    Ok(p)
}

fn role(c: &Client, cmd: RoleCmd, json: bool) -> Result<(), CliError> {
    let at = |id: &str, tail: &str| format!("/roles/{}{tail}", enc(id));
    let out = match cmd {
        RoleCmd::List { org } => c.call(
            "GET",
            &format!("/roles{}", query(&[("organization", org)])),
            None,
        )?,
        RoleCmd::Show { id } => c.call("GET", &at(&id, ""), None)?,
        RoleCmd::Create {
            name,
            org,
            rights,
            description,
        } => {
            let body = json!({"name": name, "organization": org, "rights": rights,
                "description": description});
            c.call("POST", "/roles", Some(&body))?
        }
        RoleCmd::Delete { id } => c.call("DELETE", &at(&id, ""), None)?,
        RoleCmd::AddMember { id, account: user } => {
            c.call("POST", &at(&id, "/members"), Some(&json!({"user": user})))?
        }
        RoleCmd::RemoveMember { id, account: user } => c.call(
            "DELETE",
            &at(&id, &format!("/members/{}", enc(&user))),
            None,
        )?,
    };
    print(&out, ROLE_COLUMNS, json);
    Ok(())
}

fn app(c: &Client, cmd: AppCmd, json: bool) -> Result<(), CliError> {
    let at = |id: &str, tail: &str| format!("/applications/{}{tail}", enc(id));
    let out = match cmd {
        AppCmd::List => c.call("GET", "/applications", None)?,
        AppCmd::Show { app } => c.call("GET", &at(&app, ""), None)?,
        AppCmd::Create {
            name,
            org,
            url,
            description,
            requestable,
        } => {
            let body = json!({"name": name, "organization": org, "url": url,
                "description": description, "requestable": requestable});
            c.call("POST", "/applications", Some(&body))?
        }
        AppCmd::Set {
            app,
            name,
            url,
            description,
            requestable,
        } => {
            let mut body = serde_json::Map::new();
            let fields = [("name", name), ("url", url), ("description", description)];
            for (k, v) in fields {
                if let Some(v) = v {
                    body.insert(k.into(), json!(v));
                }
            }
            if let Some(r) = requestable {
                body.insert("requestable".into(), json!(r));
            }
            c.call("PATCH", &at(&app, ""), Some(&Value::Object(body)))?
        }
        AppCmd::Delete { app } => c.call("DELETE", &at(&app, ""), None)?,
        AppCmd::Approvers {
            app,
            org,
            default_role,
            approvers,
        } => {
            let mut body = serde_json::Map::new();
            if let Some(r) = default_role {
                body.insert("defaultRole".into(), json!(r));
            }
            if !approvers.is_empty() {
                let list: Vec<Value> = approvers
                    .iter()
                    .map(|a| match a.strip_prefix("role:") {
                        Some(id) => json!({"role": id}),
                        None => json!({"user": a}),
                    })
                    .collect();
                body.insert("approvers".into(), Value::Array(list));
            }
            let path = at(&app, &format!("/organizations/{}", enc(&org)));
            let out = c.call("PUT", &path, Some(&Value::Object(body)))?;
            print(&out, &[], true);
            return Ok(());
        }
        AppCmd::Carry { role, app } => {
            let path = format!("/roles/{}/applications", enc(&role));
            c.call("POST", &path, Some(&json!({"application": app})))?
        }
        AppCmd::Uncarry { role, app } => {
            let path = format!("/roles/{}/applications/{}", enc(&role), enc(&app));
            c.call("DELETE", &path, None)?
        }
    };
    print(&out, APP_COLUMNS, json);
    Ok(())
}

fn request(c: &Client, cmd: RequestCmd, json: bool) -> Result<(), CliError> {
    let at = |id: &str, tail: &str| format!("/requests/{}{tail}", enc(id));
    let out = match cmd {
        RequestCmd::List { state, org, mine } => {
            let mine = mine.then(|| "true".to_owned());
            let qs = query(&[("state", state), ("organization", org), ("mine", mine)]);
            c.call("GET", &format!("/requests{qs}"), None)?
        }
        RequestCmd::Show { id } => c.call("GET", &at(&id, ""), None)?,
        RequestCmd::Ask { app, reason } => {
            let body = json!({"application": app, "reason": reason});
            c.call("POST", "/requests", Some(&body))?
        }
        RequestCmd::Approve { id, role, note } => {
            let body = json!({"role": role, "note": note});
            c.call("POST", &at(&id, "/approve"), Some(&body))?
        }
        RequestCmd::Reject { id, note } => {
            c.call("POST", &at(&id, "/reject"), Some(&json!({"note": note})))?
        }
        RequestCmd::Withdraw { id } => c.call("POST", &at(&id, "/withdraw"), Some(&json!({})))?,
    };
    let out = if json { out } else { flat_requests(out) };
    print(&out, REQUEST_COLUMNS, json);
    Ok(())
}

/// Requests with their application's name and requester's login as
/// columns of their own (the JSON nests them).
fn flat_requests(mut out: Value) -> Value {
    let flatten = |r: &mut Value| {
        r["app"] = r["application"]["name"].clone();
        r["login"] = r["user"]["login"].clone();
    };
    if let Some(items) = out.get_mut("items").and_then(Value::as_array_mut) {
        items.iter_mut().for_each(flatten);
    } else if out.is_object() {
        flatten(&mut out);
    }
    out
}

fn admins(c: &Client, cmd: AdminsCmd, json: bool) -> Result<(), CliError> {
    let out: Value = match cmd {
        AdminsCmd::Show { org } => {
            let out = c.call("GET", &format!("/admins/{}", enc(&org)), None)?;
            if json {
                print(&out, &[], true);
                return Ok(());
            }
            admins_table(&out)
        }
        AdminsCmd::Appoint { org, account: user } => {
            let path = format!("/admins/{}/org-admin", enc(&org));
            c.call("PUT", &path, Some(&json!({"user": user})))?
        }
        AdminsCmd::Delegate { org, account: user } => {
            let path = format!("/admins/{}/delegates/{}", enc(&org), enc(&user));
            c.call("PUT", &path, Some(&json!({})))?
        }
        AdminsCmd::Undelegate { org, account: user } => {
            let path = format!("/admins/{}/delegates/{}", enc(&org), enc(&user));
            c.call("DELETE", &path, None)?
        }
    };
    print(&out, ADMIN_COLUMNS, json);
    Ok(())
}

/// The Organization Administrator and the delegates as one table.
fn admins_table(out: &Value) -> Value {
    let with_role = |u: &Value, role: &str| {
        let mut u = u.clone();
        u["role"] = json!(role);
        u
    };
    let mut items: Vec<Value> = Vec::new();
    if !out["orgAdmin"].is_null() {
        items.push(with_role(&out["orgAdmin"], "org-admin"));
    }
    if let Some(ds) = out["delegates"].as_array() {
        items.extend(ds.iter().map(|d| with_role(d, "delegate")));
    }
    json!({"items": items})
}

fn token(c: &Client, cmd: TokenCmd, json: bool) -> Result<(), CliError> {
    let out = match cmd {
        TokenCmd::Issue {
            scim: _,
            admin,
            org,
            description,
            expires_in,
        } => {
            let kind = if admin { "admin" } else { "scim" };
            let mut body = json!({"kind": kind, "organization": org, "description": description});
            if let Some(secs) = expires_in {
                body["expiresIn"] = json!(secs);
            }
            c.call("POST", "/tokens", Some(&body))?
        }
        TokenCmd::List => c.call("GET", "/tokens", None)?,
        TokenCmd::Revoke { id } => c.call("DELETE", &format!("/tokens/{}", enc(&id)), None)?,
    };
    print(&out, TOKEN_COLUMNS, json);
    Ok(())
}

fn suffix(c: &Client, cmd: SuffixCmd, json: bool) -> Result<(), CliError> {
    let out = match cmd {
        SuffixCmd::List => c.call("GET", "/suffixes", None)?,
        SuffixCmd::Add { name } => c.call("POST", "/suffixes", Some(&json!({"name": name})))?,
        SuffixCmd::Delete { name } => {
            c.call("DELETE", &format!("/suffixes/{}", enc(&name)), None)?
        }
    };
    print(&out, SUFFIX_COLUMNS, json);
    Ok(())
}

fn audit(c: &Client, a: &AuditArgs, json: bool) -> Result<(), CliError> {
    let qs = query(&[
        ("organization", a.org.clone()),
        ("actor", a.actor.clone()),
        ("action", a.action.clone()),
        ("since", a.since.clone()),
        ("until", a.until.clone()),
        ("limit", Some(a.limit.to_string())),
    ]);
    let out = c.call("GET", &format!("/audit{qs}"), None)?;
    print(&out, AUDIT_COLUMNS, json);
    Ok(())
}

fn report(c: &Client, r: &ReportArgs, json: bool) -> Result<(), CliError> {
    let qs = query(&[
        ("organization", r.org.clone()),
        ("days", r.days.map(|d| d.to_string())),
        ("format", r.csv.then(|| "csv".to_owned())),
    ]);
    let out = c.call("GET", &format!("/reports/{}{qs}", enc(&r.name)), None)?;
    if let Value::String(text) = &out {
        print!("{text}");
        return Ok(());
    }
    if json {
        print(&out, &[], true);
        return Ok(());
    }
    let columns: Vec<String> = out["columns"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let cols: Vec<&str> = columns.iter().map(String::as_str).collect();
    print(&json!({"items": out["rows"]}), &cols, false);
    Ok(())
}
