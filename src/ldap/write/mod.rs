//! LDAP writes: Add, Modify, Delete and Modify DN, each turned into the core's
//! use cases inside one store transaction, so a write is all or nothing and
//! every access decision is the core policy's. This layer owns only what is
//! LDAP's: naming (which node a DN is), the schema check and result codes.
//!
//! - `attrs`: an entry's values and the modify semantics of RFC 4511 §4.6;
//! - `shape`: which classes and attributes each kind of entry may hold;
//! - `record`: records to attributes and back;
//! - `add`, `modify`, `delete` (Delete and Modify DN): the operations.

mod add;
mod attrs;
mod delete;
mod modify;
mod record;
mod shape;
mod units;

pub(crate) use add::{Added, add_entry};
pub(crate) use modify::modify_entry;
pub use record::new_password;

use super::dn::Dn;
use super::render::Renderer;
use super::result::{from_error, no_such_object, result, success};
use super::search;
use super::session::{Context, Reply, Session};
use super::tree::Node;
use super::tree::Resolved;
use crate::directory::known::Record;
use crate::directory::view::View;
use crate::directory::{Directory, Error, Request};
use crate::store::Tx;
use ldap3_proto::proto::{
    LdapAddRequest, LdapModifyDNRequest, LdapModifyRequest, LdapOp, LdapResult, LdapResultCode,
};
use std::sync::Arc;

/// The outcome of an LDAP-level check: the result to send when it fails.
pub type Checked<T> = Result<T, LdapResult>;

/// Why a write stops: an LDAP-level refusal, the core's error, or an
/// entry out of the actor's reach: answered with the LDAP result (as for a
/// missing entry) and audited as the core's refusal.
pub enum Failure {
    Ldap(LdapResult),
    Core(Error),
    Hidden(Box<(LdapResult, Error)>),
}

impl Failure {
    /// The LDAP result this failure answers with.
    pub fn result(&self) -> LdapResult {
        match self {
            Failure::Ldap(r) => r.clone(),
            Failure::Hidden(h) => h.0.clone(),
            Failure::Core(e) => from_error(e),
        }
    }
}

impl From<LdapResult> for Failure {
    fn from(r: LdapResult) -> Self {
        Failure::Ldap(r)
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Core(e)
    }
}

impl From<crate::store::StoreError> for Failure {
    fn from(e: crate::store::StoreError) -> Self {
        Failure::Core(e.into())
    }
}

pub type Outcome<T> = Result<T, Failure>;

pub fn fail(code: LdapResultCode, message: impl Into<String>) -> LdapResult {
    result(code, message)
}

/// Parses a DN a client sent (invalidDNSyntax when it is not one).
pub fn parse_dn(text: &str) -> Checked<Dn> {
    Dn::parse(text).map_err(|e| {
        fail(
            LdapResultCode::InvalidDNSyntax,
            format!("invalid DN '{text}': {e}"),
        )
    })
}

/// entryAlreadyExists for `dn` when it names an entry the actor may read.
/// An entry out of its reach is left to the core, whose policy refuses the
/// write before its own uniqueness checks: answering "already exists" here
/// would confirm a role name, or where a login lives, in another
/// organization.
pub fn refuse_existing(ctx: &Context, req: &Request, tx: &Tx, dn: &Dn) -> Outcome<()> {
    let view = view(ctx, req, tx);
    let Resolved::Found(node) = ctx.tree.resolve(&view, dn)? else {
        return Ok(());
    };
    let mut renderer = Renderer::new(&view, &ctx.tree);
    renderer.member_of = false;
    renderer.operational = false;
    if renderer.render(node)?.is_some() {
        let why = format!("{dn} already exists");
        return Err(fail(LdapResultCode::EntryAlreadyExists, why).into());
    }
    Ok(())
}

/// The node `dn` names, as the actor may know of it. A DN that names
/// nothing, and one that names an entry of another organization out of the
/// actor's reach, both answer noSuchObject with the deepest matchedDN the
/// actor may read: a write cannot tell one from the other.
pub fn locate(ctx: &Context, req: &Request, tx: &Tx, dn: &Dn) -> Outcome<Node> {
    let view = view(ctx, req, tx);
    let mut renderer = Renderer::new(&view, &ctx.tree);
    renderer.member_of = false;
    renderer.operational = false;
    match ctx.tree.resolve(&view, dn)? {
        Resolved::Found(node) => {
            let Some(Err(hidden)) = record_of(node).map(|r| ctx.dir.know_record(tx, req, r)) else {
                return Ok(node);
            };
            if !hidden.is_not_found() {
                return Err(hidden.into());
            }
            let matched = search::visible_ancestor(&view, &mut renderer, node)?;
            Err(Failure::Hidden(Box::new((no_such_object(matched), hidden))))
        }
        Resolved::Missing { matched } => {
            let matched = search::visible_matched(&view, &mut renderer, matched)?;
            Err(no_such_object(matched).into())
        }
    }
}

/// An application's entry is the admin API's to change, and its members
/// follow the roles that carry it.
pub(super) fn application(dn: &Dn) -> Failure {
    fail(
        LdapResultCode::UnwillingToPerform,
        format!(
            "{dn}: applications are changed over the admin API (dirgate app), not over LDAP; who has one follows the roles that carry it"
        ),
    )
    .into()
}

/// What the actor of `req` sees of `tx`, the transaction a write runs in.
pub fn view<'a>(ctx: &'a Context, req: &'a Request, tx: &'a Tx) -> View<'a> {
    ctx.dir.view_of(tx, &req.actor)
}

/// The core's name for the record behind `node` (`None` for the fixed
/// tree, which every client may know of).
fn record_of(node: Node) -> Option<Record> {
    match node {
        Node::Base | Node::Branch(_) => None,
        Node::Org(id) | Node::RolesOf(id) | Node::AppsOf(id) => Some(Record::Org(id)),
        Node::App(id) => Some(Record::App(id)),
        Node::Unit(id) => Some(Record::Unit(id)),
        // A private group is known to whoever may know its user.
        Node::User(id) | Node::PrivateGroup(id) => Some(Record::User(id)),
        Node::Role(id) => Some(Record::Role(id)),
        Node::Service(id) => Some(Record::Service(id)),
    }
}

/// Runs one write in one transaction: any failure, LDAP's or the core's,
/// aborts it, so nothing is half applied (and a refusal by the policy is
/// audited by the core).
pub fn in_transaction<T>(
    dir: &Directory,
    req: &Request,
    mut f: impl FnMut(&mut Tx) -> Outcome<T>,
) -> LdapResult {
    let mut refusal = None;
    let out = dir.write(req, |tx| match f(tx) {
        Ok(_) => Ok(()),
        Err(Failure::Ldap(r)) => {
            refusal = Some(r);
            Err(Error::conflict("refused by the LDAP front end"))
        }
        Err(Failure::Core(e)) => Err(e),
        Err(Failure::Hidden(h)) => {
            let (r, e) = *h;
            refusal = Some(r);
            Err(e)
        }
    });
    match (out, refusal) {
        (_, Some(r)) => r,
        (Ok(()), None) => success(),
        (Err(e), None) => from_error(&e),
    }
}

/// Runs `op` off the async workers (argon2 and redb block) and wraps its result.
async fn run(
    s: &Session,
    op: impl FnOnce(&Directory, &Context, &Request) -> LdapResult + Send + 'static,
) -> LdapResult {
    let ctx: Arc<Context> = s.ctx.clone();
    let req = s.request();
    ctx.dir
        .clone()
        .blocking(move |d| Ok(op(d, &ctx, &req)))
        .await
        .unwrap_or_else(|e| from_error(&e))
}

pub async fn add(s: &mut Session, id: i32, req: LdapAddRequest) -> Reply {
    let res = run(s, move |d, c, r| add::add(d, c, r, &req)).await;
    Reply::one(id, LdapOp::AddResponse(res))
}

pub async fn modify(s: &mut Session, id: i32, req: LdapModifyRequest) -> Reply {
    let res = run(s, move |d, c, r| modify::modify(d, c, r, &req)).await;
    Reply::one(id, LdapOp::ModifyResponse(res))
}

pub async fn delete(s: &mut Session, id: i32, dn: String) -> Reply {
    let res = run(s, move |d, c, r| delete::delete(d, c, r, &dn)).await;
    Reply::one(id, LdapOp::DelResponse(res))
}

pub async fn modify_dn(s: &mut Session, id: i32, req: LdapModifyDNRequest) -> Reply {
    let res = run(s, move |d, c, r| delete::modify_dn(d, c, r, &req)).await;
    Reply::one(id, LdapOp::ModifyDNResponse(res))
}
