//! Compare (RFC 4511 §4.10): compareTrue or compareFalse by the attribute's
//! equality rule, on the entry as the actor may see it; an entry it may not
//! read does not exist for it.
//!
//! Binary values (`jpegPhoto`, `userCertificate;binary`, …) compare by their
//! bytes. slapd answers inappropriateMatching (18) for `jpegPhoto`, which
//! has no equality rule, and invalidAttributeSyntax (21) for a whole
//! certificate, since certificateExactMatch asserts a serial number and
//! issuer; "is this the photo / certificate I hold?" is what a client
//! sending the bytes asks, and the bytes answer it.

use super::binary;
use super::entry::{Description, Entry};
use super::render::Renderer;
use super::result::{from_error, no_such_object, result};
use super::schema;
use super::search::{self, Start};
use super::session::{Context, Reply, Session};
use crate::directory::Result;
use crate::directory::view::View;
use ldap3_proto::proto::{LdapCompareRequest, LdapOp, LdapResult, LdapResultCode, LdapSearchScope};

/// RFC 4511 §4.10: compareTrue / compareFalse by the attribute's equality rule.
pub async fn compare(s: &mut Session, id: i32, req: LdapCompareRequest) -> Reply {
    let ctx = s.ctx.clone();
    let actor = s.actor.clone();
    let res = ctx
        .dir
        .clone()
        .blocking(move |d| d.view(&actor, |tx| compare_in(tx, &ctx, &req)))
        .await
        .unwrap_or_else(|e| from_error(&e));
    Reply::one(id, LdapOp::CompareResult(res))
}

fn compare_in(tx: &View<'_>, ctx: &Context, req: &LdapCompareRequest) -> Result<LdapResult> {
    let Some(ty) = Description::parse(&req.atype)
        .filter(|d| !d.tagged)
        .map(|d| d.ty)
    else {
        return Ok(result(
            LdapResultCode::UndefinedAttributeType,
            format!("unknown attribute {}", req.atype),
        ));
    };
    let entry = match compare_target(tx, ctx, &req.dn)? {
        Ok(e) => e,
        Err(res) => return Ok(res),
    };
    let Some(values) = entry.get(ty) else {
        return Ok(result(
            LdapResultCode::NoSuchAttribute,
            format!("the entry has no {}", ty.canonical()),
        ));
    };
    if ty.is_binary() {
        let held = values.iter().any(|v| binary::bytes_of(ty, v) == req.val);
        return Ok(compared(held));
    }
    let assertion = String::from_utf8_lossy(&req.val);
    let mut undefined = true;
    for v in values {
        match schema::equality(ty, &assertion, v) {
            Some(true) => return Ok(result(LdapResultCode::CompareTrue, "")),
            Some(false) => undefined = false,
            None => {}
        }
    }
    Ok(if undefined && ty.equality.is_none() {
        result(
            LdapResultCode::InappropriateMatching,
            format!("{} has no equality rule", ty.canonical()),
        )
    } else {
        result(LdapResultCode::CompareFalse, "")
    })
}

fn compared(held: bool) -> LdapResult {
    match held {
        true => result(LdapResultCode::CompareTrue, ""),
        false => result(LdapResultCode::CompareFalse, ""),
    }
}

/// The entry a compare targets, as the actor may see it.
fn compare_target(
    tx: &View<'_>,
    ctx: &Context,
    dn: &str,
) -> Result<std::result::Result<Entry, LdapResult>> {
    let start = search::start(tx, &ctx.tree, dn, &LdapSearchScope::Base)?;
    if let Some(e) = search::special_entry(&start, &ctx.tree) {
        return Ok(Ok(e));
    }
    let mut renderer = Renderer::new(tx, &ctx.tree);
    let node = match start {
        Start::Node(n) => n,
        Start::Missing(matched) => {
            let matched = search::visible_matched(tx, &mut renderer, matched)?;
            return Ok(Err(no_such_object(matched)));
        }
        _ => return Ok(Err(no_such_object(String::new()))),
    };
    Ok(match renderer.render(node)? {
        Some(e) => Ok(e),
        // Invisible entries do not exist for this actor.
        None => Err(no_such_object(search::visible_ancestor(
            tx,
            &mut renderer,
            node,
        )?)),
    })
}
