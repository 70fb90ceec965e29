//! One LDAP connection's state and its message handling: [`Session::handle`]
//! takes one decoded message and returns the responses plus what the connection
//! should do next, without touching the socket, so it is testable on its own.
//! The operations live beside it: `bind`, `ops` (search, compare), `extended`,
//! `write` (add, modify, delete, modify DN).

use super::bind;
use super::extended;
use super::ops;
use super::result;
use super::tree::Tree;
use super::write;
use crate::config::LdapConfig;
use crate::directory::Directory;
use crate::directory::Request;
use crate::directory::acl::Actor;
use crate::directory::audit::{Origin, Protocol};
use ldap3_proto::proto::{LdapMsg, LdapOp, LdapResultCode};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;

/// What every session shares: the directory, the tree mapping, the settings.
pub struct Context {
    pub dir: Directory,
    pub tree: Tree,
    pub cfg: LdapConfig,
    /// The certificate for StartTLS and LDAPS, when configured.
    pub tls: Option<Arc<crate::tls::Tls>>,
    /// Where answered operations are counted (`/metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
}

/// What the connection does after sending the responses.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    Continue,
    /// Send the responses, then run the TLS handshake (StartTLS).
    StartTls,
    /// Send the responses, then close.
    Close,
}

/// The answer to one message.
#[derive(Debug)]
pub struct Reply {
    /// Search result entries already in wire form, sent before `msgs`.
    pub entries: bytes::BytesMut,
    pub msgs: Vec<LdapMsg>,
    pub next: Next,
}

impl Reply {
    pub fn one(msgid: i32, op: LdapOp) -> Reply {
        Reply {
            entries: bytes::BytesMut::new(),
            msgs: vec![LdapMsg {
                msgid,
                op,
                ctrl: Vec::new(),
            }],
            next: Next::Continue,
        }
    }

    pub fn none() -> Reply {
        Reply {
            entries: bytes::BytesMut::new(),
            msgs: Vec::new(),
            next: Next::Continue,
        }
    }
}

/// A paged-results cursor: the matching nodes of the first page's search.
pub struct Cursor {
    pub cookie: Vec<u8>,
    pub nodes: Vec<super::tree::Node>,
    pub pos: usize,
}

/// One connection.
pub struct Session {
    pub ctx: Arc<Context>,
    pub actor: Actor,
    pub peer: SocketAddr,
    /// `peer` as the audit trail writes it, formatted once per connection.
    peer_text: String,
    pub tls: bool,
    /// Open paged-results cursors, oldest first.
    pub cursors: VecDeque<Cursor>,
    pub next_cookie: u64,
}

impl Session {
    pub fn new(ctx: Arc<Context>, peer: SocketAddr, tls: bool) -> Session {
        Session {
            ctx,
            actor: Actor::anonymous(),
            peer,
            peer_text: peer.to_string(),
            tls,
            cursors: VecDeque::new(),
            next_cookie: 1,
        }
    }

    /// The request context for calls into the core.
    pub fn request(&self) -> Request {
        Request {
            actor: self.actor.clone(),
            origin: Origin {
                protocol: Protocol::Ldap,
                source: Some(self.peer_text.clone()),
            },
        }
    }

    /// Handles one message, and counts it (operation, result code, time).
    pub async fn handle(&mut self, msg: LdapMsg) -> Reply {
        let op = op_name(&msg.op);
        let start = std::time::Instant::now();
        let reply = self.answer(msg).await;
        self.ctx
            .metrics
            .ldap_op(op, result_code(&reply), start.elapsed());
        reply
    }

    /// The answer to one message.
    async fn answer(&mut self, msg: LdapMsg) -> Reply {
        let id = msg.msgid;
        // The operation's name only: its content may hold credentials.
        tracing::trace!(msgid = id, op = op_name(&msg.op), "request");
        if let Some(refusal) = self.needs_tls(&msg.op) {
            return Reply::one(id, refusal);
        }
        if let Some(refusal) = self.await_head(&msg.op).await {
            return Reply::one(id, refusal);
        }
        match msg.op {
            LdapOp::BindRequest(req) => bind::bind(self, id, req, &msg.ctrl).await,
            LdapOp::UnbindRequest => Reply {
                entries: bytes::BytesMut::new(),
                msgs: Vec::new(),
                next: Next::Close,
            },
            LdapOp::SearchRequest(req) => ops::search(self, id, req, msg.ctrl).await,
            LdapOp::CompareRequest(req) => super::compare::compare(self, id, req).await,
            LdapOp::ExtendedRequest(req) => extended::handle(self, id, req).await,
            // Operations complete before the next message is read, so there is
            // never anything in flight to abandon; RFC 4511 sends no response.
            LdapOp::AbandonRequest(_) => Reply::none(),
            LdapOp::AddRequest(req) => write::add(self, id, req).await,
            LdapOp::ModifyRequest(req) => write::modify(self, id, req).await,
            LdapOp::DelRequest(dn) => write::delete(self, id, dn).await,
            LdapOp::ModifyDNRequest(req) => write::modify_dn(self, id, req).await,
            other => {
                tracing::debug!(?other, "unexpected operation");
                Reply {
                    entries: bytes::BytesMut::new(),
                    msgs: vec![extended::notice_of_disconnection(
                        LdapResultCode::ProtocolError,
                        "unexpected operation",
                    )],
                    next: Next::Close,
                }
            }
        }
    }

    /// With `require_tls`, only StartTLS, the root DSE and the schema are served
    /// in the clear (confidentialityRequired otherwise).
    fn needs_tls(&self, op: &LdapOp) -> Option<LdapOp> {
        if self.tls || !self.ctx.cfg.require_tls {
            return None;
        }
        let refuse = || {
            result::result(
                LdapResultCode::ConfidentialityRequired,
                "TLS is required: use StartTLS or ldaps",
            )
        };
        match op {
            LdapOp::ExtendedRequest(e) if e.name == super::rootdse::OID_STARTTLS => None,
            LdapOp::SearchRequest(s) if ops::is_discovery(s) => None,
            // An anonymous bind carries no secret; clients send one before
            // reading the root DSE.
            LdapOp::BindRequest(b)
                if b.dn.is_empty()
                    && matches!(&b.cred, ldap3_proto::proto::LdapBindCred::Simple(p) if p.is_empty()) =>
            {
                None
            }
            _ => refused(op, refuse()),
        }
    }

    /// With `cluster.consistent_reads`, waits until this node holds every
    /// write acknowledged in its server set before the operation came; the
    /// refusal (unavailable) when it cannot.
    async fn await_head(&self, op: &LdapOp) -> Option<LdapOp> {
        if !self.ctx.dir.waits_for_head()
            || matches!(op, LdapOp::UnbindRequest | LdapOp::AbandonRequest(_))
        {
            return None;
        }
        let waited = self.ctx.dir.blocking(|d| d.await_head()).await;
        let e = waited.err()?;
        refused(
            op,
            result::result(LdapResultCode::Unavailable, e.to_string()),
        )
    }
}

/// The response that refuses `op` with `res` (none for an unbind or an
/// abandon, which are not answered).
fn refused(op: &LdapOp, res: ldap3_proto::proto::LdapResult) -> Option<LdapOp> {
    match op {
        LdapOp::BindRequest(_) => {
            Some(LdapOp::BindResponse(ldap3_proto::proto::LdapBindResponse {
                res,
                saslcreds: None,
            }))
        }
        LdapOp::SearchRequest(_) => Some(LdapOp::SearchResultDone(res)),
        LdapOp::CompareRequest(_) => Some(LdapOp::CompareResult(res)),
        LdapOp::ExtendedRequest(e) => Some(LdapOp::ExtendedResponse(
            ldap3_proto::proto::LdapExtendedResponse {
                res,
                name: Some(e.name.clone()),
                value: None,
            },
        )),
        LdapOp::AddRequest(_) => Some(LdapOp::AddResponse(res)),
        LdapOp::ModifyRequest(_) => Some(LdapOp::ModifyResponse(res)),
        LdapOp::DelRequest(_) => Some(LdapOp::DelResponse(res)),
        LdapOp::ModifyDNRequest(_) => Some(LdapOp::ModifyDNResponse(res)),
        _ => None,
    }
}

/// The result code of an answer's final response (none for an unbind or
/// an abandon, which are not answered).
fn result_code(reply: &Reply) -> Option<i64> {
    let res = match &reply.msgs.last()?.op {
        LdapOp::BindResponse(r) => &r.res,
        LdapOp::SearchResultDone(r)
        | LdapOp::CompareResult(r)
        | LdapOp::AddResponse(r)
        | LdapOp::ModifyResponse(r)
        | LdapOp::DelResponse(r)
        | LdapOp::ModifyDNResponse(r) => r,
        LdapOp::ExtendedResponse(r) => &r.res,
        _ => return None,
    };
    Some(res.code.clone() as i64)
}

/// An operation's name for the log and the metrics.
fn op_name(op: &LdapOp) -> &'static str {
    match op {
        LdapOp::BindRequest(_) => "bind",
        LdapOp::UnbindRequest => "unbind",
        LdapOp::SearchRequest(_) => "search",
        LdapOp::CompareRequest(_) => "compare",
        LdapOp::ExtendedRequest(_) => "extended",
        LdapOp::AbandonRequest(_) => "abandon",
        LdapOp::AddRequest(_) => "add",
        LdapOp::ModifyRequest(_) => "modify",
        LdapOp::DelRequest(_) => "delete",
        LdapOp::ModifyDNRequest(_) => "modify_dn",
        _ => "other",
    }
}
