//! The SCIM PATCH fuzz target: a PatchOp body sent, through the very
//! handlers the router calls, to a user and then to a group of the real
//! directory, as a server-wide SCIM token. Reading the operations, applying
//! them to the rendered resource, reading it back and the core's update all
//! run; the store is then put back.
//!
//! Resource ids are random per process, so a body names the seeded ones by
//! placeholder: `{user}` (the patched user), `{group}` (its role) and
//! `{other}` (another member of the organization) are replaced by their ids.

use super::world::{SCIM_BASE, World, world};
use crate::scim::config::ScimConfig;
use crate::scim::context::Call;
use crate::scim::list::ListQuery;
use crate::scim::{groups, users};
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::HeaderMap;

pub fn scim_patch(data: &[u8]) {
    let w = world();
    let call = || Call {
        dir: w.dir().clone(),
        req: w.scim.clone(),
        base: SCIM_BASE.into(),
        limits: ScimConfig::default(),
    };
    let body = Bytes::from(with_ids(data, w));
    w.rt.block_on(async {
        let user = Path(w.scim_user.to_string());
        let q = Ok(Query(ListQuery::default()));
        let _ = users::patch(call(), HeaderMap::new(), user, q, body.clone()).await;
        let group = Path(w.scim_group.to_string());
        let q = Ok(Query(ListQuery::default()));
        let _ = groups::patch(call(), HeaderMap::new(), group, q, body).await;
    });
    w.reset();
}

/// `data` with the placeholders replaced; other bytes are kept as they are.
fn with_ids(data: &[u8], w: &World) -> Vec<u8> {
    let ids = [
        (&b"{user}"[..], w.scim_user),
        (b"{group}", w.scim_group),
        (b"{other}", w.scim_other),
    ];
    let mut out = Vec::with_capacity(data.len());
    let mut rest = data;
    'next: while let Some((&first, tail)) = rest.split_first() {
        for (name, id) in ids {
            if let Some(after) = rest.strip_prefix(name) {
                out.extend_from_slice(id.to_string().as_bytes());
                rest = after;
                continue 'next;
            }
        }
        out.push(first);
        rest = tail;
    }
    out
}
