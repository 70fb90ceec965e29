//! Reports for administrators, computed from the store and the audit trail:
//! active users, inactive users (no login for N days), failed logins, top
//! logins, users by lifecycle state, seats used. For one organization (its
//! delegates and Organization Administrator) or the whole server (the system
//! administrator): the policy's `ReadReports` decides. Answers are neutral
//! tables that each front end renders (JSON, CSV).

use super::acl::{Action, Target};
use super::audit::{Event, Outcome};
use super::error::{Error, Result};
use super::model::{Lifecycle, Millis, User, now};
use super::users::OrgRef;
use super::{Directory, Request};
use crate::store::Tx;
use std::collections::{BTreeMap, HashMap, HashSet};
use uuid::Uuid;

/// Most audit events a report reads.
const MAX_EVENTS: usize = 100_000;
pub(crate) const DAY: Millis = 24 * 60 * 60 * 1000;
/// The longest period a report looks back over.
const MAX_DAYS: u32 = 3660;

/// The reports there are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportKind {
    ActiveUsers,
    InactiveUsers,
    FailedLogins,
    TopLogins,
    UsersByState,
    Seats,
    /// Successful and failed logins on each day of the period.
    LoginsPerDay,
    /// Pending access requests per organization, with the oldest one.
    OpenRequests,
    /// Access requests approved, rejected, withdrawn and expired on each
    /// day of the period.
    RequestDecisions,
    /// Active users whose password expires within the period (or has
    /// expired), and whose account does.
    ExpiringPasswords,
    /// Active users without a confirmed second factor: whether their
    /// organization requires one, and whether they are exempt.
    NoSecondFactor,
}

impl ReportKind {
    pub const ALL: [(&'static str, ReportKind); 11] = [
        ("active-users", ReportKind::ActiveUsers),
        ("inactive-users", ReportKind::InactiveUsers),
        ("failed-logins", ReportKind::FailedLogins),
        ("top-logins", ReportKind::TopLogins),
        ("users-by-state", ReportKind::UsersByState),
        ("seats", ReportKind::Seats),
        ("logins-per-day", ReportKind::LoginsPerDay),
        ("open-requests", ReportKind::OpenRequests),
        ("request-decisions", ReportKind::RequestDecisions),
        ("expiring-passwords", ReportKind::ExpiringPasswords),
        ("no-second-factor", ReportKind::NoSecondFactor),
    ];

    pub fn parse(name: &str) -> Result<ReportKind> {
        Self::ALL
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, k)| *k)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|(n, _)| *n).collect();
                Error::not_found(format!("report {name} (reports: {})", names.join(", ")))
            })
    }

    /// The period a report looks back over when none is given, in days.
    fn default_days(self) -> u32 {
        match self {
            ReportKind::InactiveUsers => 30,
            ReportKind::ExpiringPasswords => 14,
            _ => 7,
        }
    }
}

/// What to report on.
#[derive(Clone, Debug)]
pub struct ReportQuery {
    pub kind: ReportKind,
    /// `None`: the actor's own organization, or the whole server for the system administrator.
    pub org: Option<OrgRef>,
    /// Look-back period in days (inactive users: no login for this long).
    pub days: Option<u32>,
}

/// A report as a table: column names and rows of text cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub columns: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// What the report covers, resolved inside its read transaction.
struct Scope {
    org: Option<Uuid>,
    users: Vec<User>,
    names: HashMap<Uuid, String>,
    since: Millis,
}

impl Scope {
    fn org_name(&self, org: Option<Uuid>) -> String {
        org.and_then(|o| self.names.get(&o).cloned())
            .unwrap_or_default()
    }
}

impl Directory {
    pub fn report(&self, req: &Request, q: &ReportQuery) -> Result<Report> {
        // Logins reach the trail through the journal a moment after they
        // are answered: a report read right after one still counts it.
        self.journal().flush();
        self.read(|tx| {
            let org = match &q.org {
                Some(o) => self.org_ref_for(tx, req, Action::ReadReports, o)?,
                None => req.actor.home_org(),
            };
            self.authorize(req, Action::ReadReports, Target::org(org))?;
            let days = q.days.unwrap_or(q.kind.default_days());
            // The period bounds the work (logins-per-day has a row a day).
            if days > MAX_DAYS {
                return Err(Error::invalid(format!(
                    "days must be at most {MAX_DAYS} (ten years)"
                )));
            }
            let scope = Scope {
                org,
                users: tx
                    .users()?
                    .into_iter()
                    .filter(|u| org.is_none() || u.org == org)
                    .collect(),
                names: tx.orgs()?.into_iter().map(|o| (o.id, o.name)).collect(),
                since: now().saturating_sub(Millis::from(days) * DAY),
            };
            build(tx, q.kind, &scope, &self.settings().password_policy)
        })
    }
}

/// A time cell: RFC 3339 in UTC (milliseconds if out of range).
pub(crate) fn rfc3339(ms: Millis) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| ms.to_string())
}

fn build(
    tx: &Tx,
    kind: ReportKind,
    s: &Scope,
    policy: &super::password::policy::PasswordPolicy,
) -> Result<Report> {
    Ok(match kind {
        ReportKind::ActiveUsers => user_rows(s, |u| u.state == Lifecycle::Active),
        ReportKind::InactiveUsers => user_rows(s, |u| {
            u.state == Lifecycle::Active && u.last_login.is_none_or(|l| l < s.since)
        }),
        ReportKind::FailedLogins => failed_logins(tx, s)?,
        ReportKind::TopLogins => top_logins(tx, s)?,
        ReportKind::UsersByState => by_state(s),
        ReportKind::Seats => seats(tx, s)?,
        ReportKind::LoginsPerDay => per_day(tx, s)?,
        ReportKind::OpenRequests => super::apps::reports::open_requests(tx, s.org, &s.names)?,
        ReportKind::RequestDecisions => {
            super::apps::reports::decisions_per_day(tx, s.org, s.since)?
        }
        ReportKind::ExpiringPasswords => expiring(tx, s, policy)?,
        ReportKind::NoSecondFactor => without_factor(tx, s, policy)?,
    })
}

/// Active users whose password or account expires before the period's
/// length from now has passed (already expired ones first), soonest first.
fn expiring(
    tx: &Tx,
    s: &Scope,
    policy: &super::password::policy::PasswordPolicy,
) -> Result<Report> {
    let t = now();
    let horizon = t.saturating_add(t.saturating_sub(s.since));
    let mut rows: Vec<(Millis, Vec<String>)> = Vec::new();
    for u in s.users.iter().filter(|u| u.state == Lifecycle::Active) {
        let own = super::credentials::policy_in(tx, policy, u.org)?;
        let password = own.expires(u.password_changed).filter(|e| *e <= horizon);
        let account = u.expires.filter(|e| *e <= horizon);
        if password.is_none() && account.is_none() {
            continue;
        }
        let soonest = password.into_iter().chain(account).min().unwrap_or(t);
        rows.push((
            soonest,
            vec![
                u.login.clone(),
                s.org_name(u.org),
                password.map(rfc3339).unwrap_or_default(),
                account.map(rfc3339).unwrap_or_default(),
            ],
        ));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1[0].cmp(&b.1[0])));
    Ok(Report {
        columns: vec!["login", "organization", "passwordExpires", "accountExpires"],
        rows: rows.into_iter().map(|(_, r)| r).collect(),
    })
}

/// Active users without a confirmed second factor, those their
/// organization requires one of (and who are not exempt) first.
fn without_factor(
    tx: &Tx,
    s: &Scope,
    policy: &super::password::policy::PasswordPolicy,
) -> Result<Report> {
    let mut rows = Vec::new();
    for u in s.users.iter().filter(|u| u.state == Lifecycle::Active) {
        if super::second_factor::enrolled(u) {
            continue;
        }
        let required = super::credentials::policy_in(tx, policy, u.org)?.require_second_factor;
        let exempt = u.flags.no_second_factor;
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
        let key = (!required || exempt, u.login.to_lowercase());
        let row = vec![
            u.login.clone(),
            s.org_name(u.org),
            yes_no(required),
            yes_no(exempt),
        ];
        rows.push((key, row));
    }
    rows.sort();
    Ok(Report {
        columns: vec!["login", "organization", "required", "exempt"],
        rows: rows.into_iter().map(|(_, r)| r).collect(),
    })
}

fn user_rows(s: &Scope, keep: impl Fn(&User) -> bool) -> Report {
    let mut users: Vec<&User> = s.users.iter().filter(|u| keep(u)).collect();
    users.sort_by_key(|u| u.login.to_lowercase());
    Report {
        columns: vec!["login", "organization", "email", "lastLogin"],
        rows: users
            .iter()
            .map(|u| {
                vec![
                    u.login.clone(),
                    s.org_name(u.org),
                    u.email.clone().unwrap_or_default(),
                    u.last_login.map(rfc3339).unwrap_or_default(),
                ]
            })
            .collect(),
    }
}

/// Bind events in the period about accounts in scope (all accounts,
/// unknown names included, for the whole server).
fn binds(tx: &Tx, s: &Scope, outcome: Outcome) -> Result<Vec<Event>> {
    let ids: HashSet<Uuid> = s.users.iter().map(|u| u.id).collect();
    let whole = s.org.is_none();
    Ok(tx.changes_newest_first(MAX_EVENTS, |e| {
        e.action == "bind"
            && e.outcome == outcome
            && e.time >= s.since
            && (whole || e.target_id.is_some_and(|id| ids.contains(&id)))
    })?)
}

fn failed_logins(tx: &Tx, s: &Scope) -> Result<Report> {
    let rows = binds(tx, s, Outcome::Failure)?
        .into_iter()
        .map(|e| {
            vec![
                rfc3339(e.time),
                e.target,
                e.source.unwrap_or_default(),
                format!("{:?}", e.protocol).to_lowercase(),
            ]
        })
        .collect();
    Ok(Report {
        columns: vec!["time", "login", "source", "protocol"],
        rows,
    })
}

fn top_logins(tx: &Tx, s: &Scope) -> Result<Report> {
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for e in binds(tx, s, Outcome::Success)? {
        *counts.entry(e.target).or_default() += 1;
    }
    let mut rows: Vec<(String, u64)> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(Report {
        columns: vec!["login", "logins"],
        rows: rows
            .into_iter()
            .map(|(l, n)| vec![l, n.to_string()])
            .collect(),
    })
}

/// One row per day of the period (UTC), oldest first, days without any
/// login included, so that a chart of it has no gaps.
fn per_day(tx: &Tx, s: &Scope) -> Result<Report> {
    let first = s.since.div_euclid(DAY);
    let last = now().div_euclid(DAY);
    let mut days: BTreeMap<Millis, [u64; 2]> = (first..=last).map(|d| (d, [0, 0])).collect();
    for (slot, outcome) in [(0, Outcome::Success), (1, Outcome::Failure)] {
        for e in binds(tx, s, outcome)? {
            if let Some(day) = days.get_mut(&e.time.div_euclid(DAY)) {
                day[slot] += 1;
            }
        }
    }
    Ok(Report {
        columns: vec!["day", "logins", "failed"],
        rows: days
            .into_iter()
            .map(|(day, [ok, failed])| {
                let date = rfc3339(day * DAY);
                let date = date.get(..10).unwrap_or(&date).to_owned();
                vec![date, ok.to_string(), failed.to_string()]
            })
            .collect(),
    })
}

fn by_state(s: &Scope) -> Report {
    let rows = Lifecycle::ALL
        .iter()
        .map(|state| {
            let n = s.users.iter().filter(|u| u.state == *state).count();
            vec![state.as_str().to_owned(), n.to_string()]
        })
        .collect();
    Report {
        columns: vec!["state", "users"],
        rows,
    }
}

fn seats(tx: &Tx, s: &Scope) -> Result<Report> {
    let mut orgs: Vec<_> = tx
        .orgs()?
        .into_iter()
        .filter(|o| s.org.is_none_or(|id| o.id == id))
        .collect();
    orgs.sort_by_key(|o| o.name.to_lowercase());
    let mut rows = Vec::new();
    for o in orgs {
        let used = tx.seats_used(o.id)?;
        let free = u64::from(o.seats).saturating_sub(used);
        rows.push(vec![
            o.name,
            o.seats.to_string(),
            used.to_string(),
            free.to_string(),
        ]);
    }
    Ok(Report {
        columns: vec!["organization", "seats", "used", "free"],
        rows,
    })
}
