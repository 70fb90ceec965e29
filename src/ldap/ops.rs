//! The search operation as a session runs it: controls (paged results,
//! server-side sort, unknown critical controls), limits, cursors, and the read
//! transaction in which [`super::search`] finds and renders the entries (on the
//! async worker when the index answers it, else on the blocking pool).

use super::codec::sort_result_value;
use super::entry::Entry;
use super::render::Renderer;
use super::result::{from_error, no_such_object, result, success};
use super::schema;
use super::search::{self, Start, StoreChain};
use super::select::{Selection, SortKey, sort_entries};
use super::session::{Context, Cursor, Reply, Session};
use super::tree::Node;
use crate::directory::Result;
use crate::directory::acl::Actor;
use crate::directory::view::View;
use ldap3_proto::control::LdapControl;
use ldap3_proto::proto::{
    LdapMsg, LdapOp, LdapResult, LdapResultCode, LdapSearchRequest, LdapSearchScope,
};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod needs;
use needs::{mentions, needed_types, wants};

/// The server-side sort response control (RFC 2891 §1.2).
const OID_SORT_RESULT: &str = "1.2.840.113556.1.4.474";

/// Reading the root DSE or the schema: allowed before TLS and to anyone.
pub fn is_discovery(req: &LdapSearchRequest) -> bool {
    req.scope == LdapSearchScope::Base && (req.base.is_empty() || search::is_subschema(&req.base))
}

/// The controls of a search that dirgate acts on.
struct Controls {
    paged: Option<(i64, Vec<u8>)>,
    sort: Option<Vec<SortKey>>,
}

fn read_controls(ctrl: Vec<LdapControl>) -> std::result::Result<Controls, LdapResult> {
    let mut out = Controls {
        paged: None,
        sort: None,
    };
    for c in ctrl {
        match c {
            LdapControl::SimplePagedResults { size, cookie } => out.paged = Some((size, cookie)),
            LdapControl::ServerSort { sort_requests } => {
                out.sort = Some(
                    sort_requests
                        .into_iter()
                        .map(|r| SortKey {
                            attr: r.attribute_name,
                            ordering_rule: r.ordering_rule,
                            reverse: r.reverse_order,
                        })
                        .collect(),
                )
            }
            LdapControl::Unknown {
                oid,
                criticality: true,
                ..
            } => {
                return Err(result(
                    LdapResultCode::UnavailableCriticalExtension,
                    format!("critical control {oid} is not supported"),
                ));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// What one search run produced.
struct Run {
    entries: search::Encoded,
    done: LdapResult,
    /// All matching nodes, in answer order (paged searches keep them).
    matched: Vec<Node>,
    sort_code: Option<LdapResultCode>,
}

/// Everything the blocking part needs, owned.
struct Job {
    /// The request's message id, which every entry of the answer carries.
    msgid: i32,
    ctx: Arc<Context>,
    actor: Actor,
    req: LdapSearchRequest,
    sort: Option<Vec<SortKey>>,
    /// Stop after this many entries (0 = no limit).
    size_limit: usize,
    deadline: Option<Instant>,
    /// Render only these nodes (a later page), instead of searching.
    page_nodes: Option<Vec<Node>>,
    /// Keep every match (first page of a paged search) rather than stopping.
    keep_all: bool,
}

pub async fn search(
    s: &mut Session,
    id: i32,
    req: LdapSearchRequest,
    ctrl: Vec<LdapControl>,
) -> Reply {
    let controls = match read_controls(ctrl) {
        Ok(c) => c,
        Err(res) => return done(id, res, Vec::new()),
    };
    let cfg = &s.ctx.cfg;
    let unlimited = s.ctx.dir.policy().unlimited(&s.actor);
    let client = usize::try_from(req.sizelimit).unwrap_or(0);
    let server = if unlimited { 0 } else { cfg.size_limit };
    let size_limit = match (client, server) {
        (0, s) => s,
        (c, 0) => c,
        (c, s) => c.min(s),
    };
    let client_time = u64::try_from(req.timelimit).unwrap_or(0);
    let time = match (client_time, cfg.time_limit.as_secs()) {
        (0, s) => s,
        (c, s) => c.min(s),
    };
    let deadline = (time > 0).then(|| Instant::now() + Duration::from_secs(time));
    let mut job = Job {
        msgid: id,
        ctx: s.ctx.clone(),
        actor: s.actor.clone(),
        req,
        sort: controls.sort,
        size_limit,
        deadline,
        page_nodes: None,
        keep_all: false,
    };
    match controls.paged {
        None => {
            let run = execute(job).await;
            let ctrl = sort_control(run.sort_code);
            answer(id, run.entries, run.done, ctrl)
        }
        Some((size, cookie)) => {
            job.size_limit = 0;
            paged(s, id, job, size, cookie).await
        }
    }
}

/// RFC 2696: the first request (empty cookie) runs the search and keeps the
/// matching nodes; later requests walk them, re-checking each entry.
async fn paged(s: &mut Session, id: i32, mut job: Job, size: i64, cookie: Vec<u8>) -> Reply {
    let page = usize::try_from(size)
        .unwrap_or(0)
        .min(match s.ctx.cfg.size_limit {
            0 => usize::MAX,
            n => n,
        });
    if !cookie.is_empty() {
        let Some(idx) = s.cursors.iter().position(|c| c.cookie == cookie) else {
            let res = result(
                LdapResultCode::UnwillingToPerform,
                "paged results cookie is unknown or expired",
            );
            return done(id, res, Vec::new());
        };
        if page == 0 {
            // Size 0 abandons the walk (RFC 2696 §3).
            s.cursors.remove(idx);
            return done(id, success(), paged_control(Vec::new()));
        }
        let Some(mut cursor) = s.cursors.remove(idx) else {
            return done(id, success(), paged_control(Vec::new()));
        };
        let end = (cursor.pos + page).min(cursor.nodes.len());
        job.page_nodes = Some(cursor.nodes[cursor.pos..end].to_vec());
        cursor.pos = end;
        let run = execute(job).await;
        let more = cursor.pos < cursor.nodes.len();
        let next = if more {
            cursor.cookie.clone()
        } else {
            Vec::new()
        };
        if more {
            s.cursors.push_back(cursor);
        }
        return answer(id, run.entries, run.done, paged_control(next));
    }
    if page == 0 {
        return done(id, success(), paged_control(Vec::new()));
    }
    job.keep_all = true;
    let mut run = execute(job).await;
    let rest: Vec<Node> = run.matched.split_off(run.matched.len().min(page));
    run.entries.truncate(page);
    let next = if rest.is_empty() || run.done.code != LdapResultCode::Success {
        Vec::new()
    } else {
        let cookie = new_cookie(s);
        while s.cursors.len() >= s.ctx.cfg.max_paged_cursors.max(1) {
            s.cursors.pop_front();
        }
        s.cursors.push_back(Cursor {
            cookie: cookie.clone(),
            nodes: rest,
            pos: 0,
        });
        cookie
    };
    let mut ctrl = paged_control(next);
    ctrl.extend(sort_control(run.sort_code));
    answer(id, run.entries, run.done, ctrl)
}

fn new_cookie(s: &mut Session) -> Vec<u8> {
    let n = s.next_cookie;
    s.next_cookie += 1;
    n.to_be_bytes().to_vec()
}

fn paged_control(cookie: Vec<u8>) -> Vec<LdapControl> {
    vec![LdapControl::SimplePagedResults { size: 0, cookie }]
}

/// RFC 2891's sortKeyResponseControl, its value encoded by us: ldap3_proto's
/// `ServerSortResult` adds a field that clients such as python-ldap reject.
fn sort_control(code: Option<LdapResultCode>) -> Vec<LdapControl> {
    code.map(|code| LdapControl::Unknown {
        oid: OID_SORT_RESULT.to_owned(),
        criticality: false,
        value: Some(sort_result_value(code as i32, None)),
    })
    .into_iter()
    .collect()
}

/// The entries of a search followed by its SearchResultDone with `ctrl`.
fn answer(id: i32, entries: search::Encoded, res: LdapResult, ctrl: Vec<LdapControl>) -> Reply {
    Reply {
        entries: entries.bytes,
        msgs: vec![LdapMsg {
            msgid: id,
            op: LdapOp::SearchResultDone(res),
            ctrl,
        }],
        next: super::session::Next::Continue,
    }
}

fn done(id: i32, res: LdapResult, ctrl: Vec<LdapControl>) -> Reply {
    answer(id, search::Encoded::default(), res, ctrl)
}

/// Runs the search on the blocking pool in one read transaction.
async fn execute(job: Job) -> Run {
    let dir = job.ctx.dir.clone();
    // A search answered from an index touches a handful of records: its read
    // transaction costs less than the hop to the blocking pool (measured: 50k
    // vs 37k equality searches/s), so it runs here. Scans, sorts and first
    // pages may walk the whole tree and go to the pool, so that one large
    // search never holds up the other connections of this worker.
    let out: Result<Run> = if is_small(&job) {
        dir.view(&job.actor, |tx| run(tx, &job))
    } else {
        dir.blocking(move |d| d.view(&job.actor, |tx| run(tx, &job)))
            .await
    };
    out.unwrap_or_else(|e| Run {
        entries: search::Encoded::default(),
        done: from_error(&e),
        matched: Vec::new(),
        sort_code: None,
    })
}

/// Most entries a search may touch and still run on the async worker.
const SMALL: usize = 64;

/// Whether a search touches only a few entries: base scope, a short later
/// page, or a filter the planner answers with non-objectClass index probes.
fn is_small(job: &Job) -> bool {
    if job.sort.is_some() || job.keep_all {
        return false;
    }
    if let Some(nodes) = &job.page_nodes {
        return nodes.len() <= SMALL;
    }
    if job.req.scope == LdapSearchScope::Base {
        return true;
    }
    match super::filter::plan(&job.req.filter, &search::indexed) {
        super::filter::Plan::Probes(p) => {
            p.len() <= SMALL && p.iter().all(|p| p.ty.canonical() != "objectClass")
        }
        super::filter::Plan::Scan => false,
    }
}

fn run(tx: &View<'_>, job: &Job) -> Result<Run> {
    let ctx = &job.ctx;
    let req = &job.req;
    let max_depth = ctx.dir.settings().max_role_depth;
    let selection = Selection::parse(&req.attrs);
    let mut out = Run {
        entries: search::Encoded::default(),
        done: success(),
        matched: Vec::new(),
        sort_code: None,
    };
    let start = search::start(tx, &ctx.tree, &req.base, &req.scope)?;
    if let Some(entry) = search::special_entry(&start, &ctx.tree) {
        let chain = StoreChain {
            tx,
            tree: &ctx.tree,
        };
        if super::filter::matches(&req.filter, &entry, &chain) {
            out.entries
                .push(job.msgid, &entry, &selection, req.typesonly);
        }
        return Ok(out);
    }
    let base = match start {
        Start::Node(n) => n,
        Start::Missing(matched) => {
            let mut renderer = Renderer::new(tx, &ctx.tree);
            out.done = no_such_object(search::visible_matched(tx, &mut renderer, matched)?);
            return Ok(out);
        }
        _ => {
            out.done = no_such_object(String::new());
            return Ok(out);
        }
    };
    let nodes = match &job.page_nodes {
        Some(nodes) => nodes.clone(),
        None => search::candidates(tx, &ctx.tree, base, &req.scope, &req.filter, max_depth)?,
    };
    let mut renderer = Renderer::new(tx, &ctx.tree);
    renderer.member_of =
        mentions(&req.filter, &|t| t.canonical() == "memberOf") || wants(&selection, "memberOf");
    renderer.only = needed_types(req);
    renderer.operational = mentions(&req.filter, &|t| t.is_operational())
        || req
            .attrs
            .iter()
            .any(|a| a == "+" || schema::attribute(a).is_some_and(|t| t.is_operational()));
    let chain = StoreChain {
        tx,
        tree: &ctx.tree,
    };
    let collect_all = job.sort.is_some() || job.keep_all;
    let mut found: Vec<(Node, Entry)> = Vec::new();
    for (i, node) in nodes.into_iter().enumerate() {
        if i % 32 == 0 && job.deadline.is_some_and(|d| Instant::now() > d) {
            out.done = result(LdapResultCode::TimeLimitExceeded, "time limit exceeded");
            break;
        }
        let Some(entry) = search::matching_entry(&mut renderer, &chain, node, &req.filter)? else {
            continue;
        };
        if collect_all {
            if job.sort.is_some() && ctx.cfg.sort_limit > 0 && found.len() >= ctx.cfg.sort_limit {
                out.done = result(
                    LdapResultCode::AdminLimitExceeded,
                    format!(
                        "more than {} entries to sort (ldap.sort_limit)",
                        ctx.cfg.sort_limit
                    ),
                );
                return Ok(out);
            }
            found.push((node, entry));
            continue;
        }
        if job.size_limit > 0 && out.entries.len() >= job.size_limit {
            out.done = result(LdapResultCode::SizeLimitExceeded, "size limit exceeded");
            break;
        }
        out.matched.push(node);
        out.entries
            .push(job.msgid, &entry, &selection, req.typesonly);
    }
    if collect_all {
        finish_collected(&mut out, found, job, &selection);
    }
    // An empty answer under a base the actor may not read would confirm that
    // the base exists; answer as if it did not (slapd's "disclose" rule).
    if out.entries.is_empty() && job.page_nodes.is_none() && renderer.render(base)?.is_none() {
        out.done = no_such_object(search::visible_ancestor(tx, &mut renderer, base)?);
    }
    Ok(out)
}

/// Sorts (when asked) what a sorted or paged search collected, then applies the
/// size limit.
fn finish_collected(out: &mut Run, found: Vec<(Node, Entry)>, job: &Job, selection: &Selection) {
    let (nodes, mut entries): (Vec<Node>, Vec<Entry>) = found.into_iter().unzip();
    let mut order: Vec<Node> = nodes.clone();
    if let Some(keys) = &job.sort {
        let by_dn: HashMap<String, Node> =
            entries.iter().map(|e| e.dn.clone()).zip(nodes).collect();
        match sort_entries(&mut entries, keys) {
            Ok(()) => {
                out.sort_code = Some(LdapResultCode::Success);
                order = entries
                    .iter()
                    .filter_map(|e| by_dn.get(&e.dn).copied())
                    .collect();
            }
            Err(e) => {
                tracing::debug!(error = %e, "server-side sort refused");
                out.sort_code = Some(match e.result_code() {
                    16 => LdapResultCode::NoSuchAttribute,
                    18 => LdapResultCode::InappropriateMatching,
                    _ => LdapResultCode::UnwillingToPerform,
                });
            }
        }
    }
    for (i, entry) in entries.into_iter().enumerate() {
        if job.size_limit > 0 && i >= job.size_limit {
            out.done = result(LdapResultCode::SizeLimitExceeded, "size limit exceeded");
            order.truncate(i);
            break;
        }
        out.entries
            .push(job.msgid, &entry, selection, job.req.typesonly);
    }
    out.matched = order;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ldap::codec::Codec;
    use bytes::BytesMut;
    use tokio_util::codec::Encoder;

    #[test]
    fn the_sort_response_control_is_encoded_like_slapd() {
        let msg = LdapMsg {
            msgid: 2,
            op: LdapOp::SearchResultDone(success()),
            ctrl: sort_control(Some(LdapResultCode::Success)),
        };
        let mut buf = BytesMut::new();
        Codec::new(1 << 20).encode(msg, &mut buf).unwrap();
        // controls [0] { Control { controlType, controlValue } }, no criticality
        // (FALSE is the default) and a value of SEQUENCE { sortResult success }.
        let oid = OID_SORT_RESULT.as_bytes();
        let mut control = vec![0x30, (2 + oid.len() + 7) as u8, 0x04, oid.len() as u8];
        control.extend_from_slice(oid);
        control.extend_from_slice(&[0x04, 0x05, 0x30, 0x03, 0x0a, 0x01, 0x00]);
        let mut controls = vec![0xa0, control.len() as u8];
        controls.extend(control);
        assert!(buf.ends_with(&controls), "{buf:02x?}");
    }
}
