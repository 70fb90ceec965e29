//! The LDAP fuzz targets: a session fed raw bytes (the BER codec, every
//! operation against the real directory, the responses encoded back), a
//! search filter decoded from BER then evaluated and planned, and an LDIF
//! file read and loaded.

use super::world::{BASE, PEER, world};
use crate::ldap::codec::Codec;
use crate::ldap::dn::Dn;
use crate::ldap::entry::Entry;
use crate::ldap::filter::{self, NoChain};
use crate::ldap::session::{Next, Session};
use crate::ldap::{ldif, load};
use bytes::BytesMut;
use ldap3_proto::proto::{LdapFilter, LdapOp};
use std::sync::OnceLock;
use tokio_util::codec::{Decoder, Encoder};

/// Most messages one input runs; a session input is a short conversation.
const MAX_MESSAGES: usize = 8;

/// An LDAP conversation: the first byte picks who the session is bound as
/// (see [`super::world::World::actor`]), the rest is what the client sends.
/// Messages are decoded and handled one by one, as the listener does, until
/// the bytes run out or do not decode, or the session closes or starts TLS;
/// every response is encoded. The store is then put back.
pub fn ldap_session(data: &[u8]) {
    let Some((&who, bytes)) = data.split_first() else {
        return;
    };
    let w = world();
    let mut session = Session::new(w.ctx.clone(), PEER, false);
    session.actor = w.actor(who);
    let mut codec = Codec::new(w.ctx.cfg.max_message_bytes);
    let mut input = BytesMut::from(bytes);
    w.rt.block_on(async {
        for _ in 0..MAX_MESSAGES {
            let Ok(Some(msg)) = codec.decode(&mut input) else {
                break;
            };
            let reply = session.handle(msg).await;
            let mut out = reply.entries;
            for m in reply.msgs {
                // Encoding into memory fails only on a malformed response,
                // which the listener would drop the connection for too.
                let _ = codec.encode(m, &mut out);
            }
            if reply.next != Next::Continue {
                break;
            }
        }
    });
    w.reset();
}

/// A search filter as it comes off the wire: `data` is put where a
/// SearchRequest's filter goes, the message is decoded, and a filter that
/// decodes is evaluated against sample entries and planned.
pub fn ldap_filter(data: &[u8]) {
    let mut msg = BytesMut::from(search_message(data).as_slice());
    let Ok(Some(decoded)) = Codec::new(1 << 20).decode(&mut msg) else {
        return;
    };
    let LdapOp::SearchRequest(req) = decoded.op else {
        return;
    };
    evaluate_and_plan(&req.filter);
}

fn evaluate_and_plan(f: &LdapFilter) {
    for entry in samples() {
        let _ = filter::evaluate(f, entry, &NoChain);
    }
    let _ = filter::plan(f, &|_| true);
    let _ = filter::plan(f, &|ty| ty.names.contains(&"uid"));
}

/// `SEQUENCE { messageID 1, [APPLICATION 3] { "", subtree, neverDeref, 0, 0,
/// FALSE, <filter>, {} } }`.
fn search_message(filter: &[u8]) -> Vec<u8> {
    let mut op = vec![
        0x04, 0x00, 0x0a, 0x01, 0x02, 0x0a, 0x01, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x01,
        0x01, 0x00,
    ];
    op.extend_from_slice(filter);
    op.extend_from_slice(&[0x30, 0x00]);
    let mut body = vec![0x02, 0x01, 0x01];
    body.extend(tlv(0x63, &op));
    tlv(0x30, &body)
}

/// A BER tag-length-value with a definite length.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = (len as u64).to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (8 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// Entries of each kind the tree serves, built once.
fn samples() -> &'static [Entry] {
    static SAMPLES: OnceLock<Vec<Entry>> = OnceLock::new();
    SAMPLES.get_or_init(|| {
        let user = format!("uid=alice@example.com,ou=Acme-A,{BASE}");
        let group = format!("cn=Staff,ou=roles,ou=Acme-A,{BASE}");
        vec![
            entry(
                &user,
                &[
                    ("objectClass", &["top", "inetOrgPerson", "posixAccount"]),
                    ("uid", &["alice@example.com"]),
                    ("cn", &["Alice Example"]),
                    ("sn", &["Example"]),
                    ("mail", &["Alice@Mail.Example.com"]),
                    ("uidNumber", &["10000"]),
                    ("gidNumber", &["10000"]),
                    ("createTimestamp", &["20240102030405Z"]),
                    ("memberOf", &[&group]),
                    ("dirgateDelegate", &["TRUE"]),
                ],
            ),
            entry(
                &group,
                &[
                    ("objectClass", &["top", "groupOfNames", "posixGroup"]),
                    ("cn", &["Staff"]),
                    ("member", &[&user]),
                    ("gidNumber", &["20000"]),
                ],
            ),
            entry(
                &format!("ou=Acme-A,{BASE}"),
                &[
                    ("objectClass", &["top", "organizationalUnit"]),
                    ("ou", &["Acme-A"]),
                ],
            ),
        ]
    })
}

fn entry(dn: &str, attrs: &[(&str, &[&str])]) -> Entry {
    let mut e = Entry::new(dn);
    for (name, values) in attrs {
        e.push(name, values.iter().map(|v| v.to_string()).collect());
    }
    e
}

/// An LDIF file: read, and when it reads, loaded into the directory (in one
/// transaction, as `dirgate load-ldif` does); the store is then put back.
pub fn ldif(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match ldif::parse(text) {
        Ok(records) if !records.is_empty() => {}
        _ => return,
    }
    let w = world();
    let Ok(base) = Dn::parse(BASE) else {
        return;
    };
    let _ = load::load(w.dir(), &base, text);
    w.reset();
}
