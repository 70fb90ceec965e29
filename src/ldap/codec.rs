//! The wire codec: ldap3_proto's for everything, except that search result
//! entries (the bulk of what a server sends) and plain results (bind, search
//! done, writes, compare: one per request) are BER-encoded straight into the
//! output buffer. ldap3_proto builds a tree of tagged values first, which cost
//! more than the whole directory lookup. Tests check the bytes are identical.
//! The server-side sort response control's value is ours too: ldap3_proto's
//! does not follow RFC 2891 (see [`sort_result_value`]).

use bytes::{BufMut, BytesMut};
use ldap3_proto::LdapCodec;
use ldap3_proto::proto::{LdapMsg, LdapOp, LdapSearchResultEntry};
use tokio_util::codec::{Decoder, Encoder};

/// LDAPMessage, protocolOp [APPLICATION 4] searchResEntry, and the universal tags.
const SEQUENCE: u8 = 0x30;
const SET: u8 = 0x31;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
const SEARCH_RESULT_ENTRY: u8 = 0x64;
const ENUMERATED: u8 = 0x0a;
/// [APPLICATION n] constructed tags of the responses that are an LDAPResult.
const BIND_RESPONSE: u8 = 0x61;
const SEARCH_RESULT_DONE: u8 = 0x65;
const MODIFY_RESPONSE: u8 = 0x67;
const ADD_RESPONSE: u8 = 0x69;
const DEL_RESPONSE: u8 = 0x6b;
const MODIFY_DN_RESPONSE: u8 = 0x6d;
const COMPARE_RESPONSE: u8 = 0x6f;
/// `[0]` primitive, context-specific (IMPLICIT tagging, as LDAP's ASN.1 module).
const CONTEXT_0: u8 = 0x80;

pub struct Codec(LdapCodec);

impl Codec {
    pub fn new(max_message_bytes: usize) -> Codec {
        Codec(LdapCodec::new(Some(max_message_bytes), None))
    }
}

impl Decoder for Codec {
    type Item = LdapMsg;
    type Error = std::io::Error;

    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<LdapMsg>, std::io::Error> {
        self.0.decode(buf)
    }
}

impl Encoder<LdapMsg> for Codec {
    type Error = std::io::Error;

    fn encode(&mut self, msg: LdapMsg, buf: &mut BytesMut) -> std::io::Result<()> {
        if !msg.ctrl.is_empty() {
            return self.0.encode(msg, buf);
        }
        let (tag, res) = match &msg.op {
            LdapOp::SearchResultEntry(e) => {
                encode_entry(msg.msgid, e, buf);
                return Ok(());
            }
            LdapOp::BindResponse(b) if b.saslcreds.is_none() => (BIND_RESPONSE, &b.res),
            LdapOp::SearchResultDone(r) => (SEARCH_RESULT_DONE, r),
            LdapOp::ModifyResponse(r) => (MODIFY_RESPONSE, r),
            LdapOp::AddResponse(r) => (ADD_RESPONSE, r),
            LdapOp::DelResponse(r) => (DEL_RESPONSE, r),
            LdapOp::ModifyDNResponse(r) => (MODIFY_DN_RESPONSE, r),
            LdapOp::CompareResult(r) => (COMPARE_RESPONSE, r),
            _ => return self.0.encode(msg, buf),
        };
        if !res.referral.is_empty() {
            return self.0.encode(msg, buf);
        }
        put_result(buf, msg.msgid, tag, res);
        Ok(())
    }
}

/// Bytes a definite length takes.
fn len_len(n: usize) -> usize {
    match n {
        0..=0x7f => 1,
        0x80..=0xff => 2,
        0x100..=0xffff => 3,
        0x1_0000..=0xff_ffff => 4,
        _ => 5,
    }
}

/// Size of a whole TLV with `content` bytes.
fn tlv(content: usize) -> usize {
    1 + len_len(content) + content
}

fn put_header(buf: &mut BytesMut, tag: u8, len: usize) {
    buf.put_u8(tag);
    let n = len_len(len);
    if n == 1 {
        buf.put_u8(len as u8);
    } else {
        buf.put_u8(0x80 | (n - 1) as u8);
        let bytes = (len as u64).to_be_bytes();
        buf.put_slice(&bytes[8 - (n - 1)..]);
    }
}

fn put_octets(buf: &mut BytesMut, bytes: &[u8]) {
    put_header(buf, OCTET_STRING, bytes.len());
    buf.put_slice(bytes);
}

/// Minimal two's-complement big-endian bytes of an INTEGER.
fn int_bytes(v: i32) -> ([u8; 4], usize) {
    let b = v.to_be_bytes();
    let mut start = 0;
    while start < 3 {
        let redundant = (b[start] == 0x00 && b[start + 1] & 0x80 == 0)
            || (b[start] == 0xff && b[start + 1] & 0x80 != 0);
        if !redundant {
            break;
        }
        start += 1;
    }
    (b, start)
}

fn encode_entry(msgid: i32, e: &LdapSearchResultEntry, buf: &mut BytesMut) {
    let attrs: Vec<(&str, Vec<&[u8]>)> = e
        .attributes
        .iter()
        .map(|a| (a.atype.as_str(), a.vals.iter().map(Vec::as_slice).collect()))
        .collect();
    let parts: Vec<(&str, &[&[u8]])> = attrs.iter().map(|(n, v)| (*n, v.as_slice())).collect();
    put_entry(buf, msgid, &e.dn, &parts);
}

/// A response that is just an LDAPResult (no referral, no controls, no SASL
/// credentials): resultCode, matchedDN, diagnosticMessage.
fn put_result(buf: &mut BytesMut, msgid: i32, tag: u8, res: &ldap3_proto::proto::LdapResult) {
    let (code, code_start) = int_bytes(res.code.clone() as i32);
    let code = &code[code_start..];
    let op = tlv(code.len()) + tlv(res.matcheddn.len()) + tlv(res.message.len());
    let (id, start) = int_bytes(msgid);
    let id = &id[start..];
    let message = tlv(id.len()) + tlv(op);
    buf.reserve(tlv(message));
    put_header(buf, SEQUENCE, message);
    put_header(buf, INTEGER, id.len());
    buf.put_slice(id);
    put_header(buf, tag, op);
    put_header(buf, ENUMERATED, code.len());
    buf.put_slice(code);
    put_octets(buf, res.matcheddn.as_bytes());
    put_octets(buf, res.message.as_bytes());
}

/// The value of the server-side sort response control (RFC 2891 §1.2):
/// `SEQUENCE { sortResult ENUMERATED, attributeType [0] AttributeDescription
/// OPTIONAL }`. ldap3_proto 0.9 writes an absent attributeType as an empty
/// universal OCTET STRING, which is not the `[0]` the RFC defines, and
/// python-ldap refuses the whole control; slapd omits the field, so do we.
pub fn sort_result_value(code: i32, attribute: Option<&str>) -> Vec<u8> {
    let (code, start) = int_bytes(code);
    let code = &code[start..];
    let attr = attribute.map_or(0, |a| tlv(a.len()));
    let content = tlv(code.len()) + attr;
    let mut buf = BytesMut::with_capacity(tlv(content));
    put_header(&mut buf, SEQUENCE, content);
    put_header(&mut buf, ENUMERATED, code.len());
    buf.put_slice(code);
    if let Some(a) = attribute {
        put_header(&mut buf, CONTEXT_0, a.len());
        buf.put_slice(a.as_bytes());
    }
    buf.to_vec()
}

/// A SearchResultEntry message for `dn` with `attrs` (type, values), BER-encoded
/// straight into `buf`; values are anything that reads as bytes.
pub fn put_entry<V: AsRef<[u8]>>(buf: &mut BytesMut, msgid: i32, dn: &str, attrs: &[(&str, &[V])]) {
    // Each attribute's SET length, computed once: the values are walked
    // again only to be written.
    let sets: Vec<usize> = attrs
        .iter()
        .map(|(_, vals)| vals.iter().map(|v| tlv(v.as_ref().len())).sum())
        .collect();
    let attr_content = |name: &str, set: usize| tlv(name.len()) + tlv(set);
    let attrs_len: usize = attrs
        .iter()
        .zip(&sets)
        .map(|((n, _), set)| tlv(attr_content(n, *set)))
        .sum();
    let op = tlv(dn.len()) + tlv(attrs_len);
    let (id, start) = int_bytes(msgid);
    let id = &id[start..];
    let message = tlv(id.len()) + tlv(op);
    buf.reserve(tlv(message));
    put_header(buf, SEQUENCE, message);
    put_header(buf, INTEGER, id.len());
    buf.put_slice(id);
    put_header(buf, SEARCH_RESULT_ENTRY, op);
    put_octets(buf, dn.as_bytes());
    put_header(buf, SEQUENCE, attrs_len);
    for ((name, vals), set) in attrs.iter().zip(sets) {
        put_header(buf, SEQUENCE, attr_content(name, set));
        put_octets(buf, name.as_bytes());
        put_header(buf, SET, set);
        for v in *vals {
            put_octets(buf, v.as_ref());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ldap3_proto::proto::LdapPartialAttribute;

    fn reference(msg: LdapMsg) -> BytesMut {
        let mut buf = BytesMut::new();
        LdapCodec::default().encode(msg, &mut buf).unwrap();
        buf
    }

    fn ours(msg: LdapMsg) -> BytesMut {
        let mut buf = BytesMut::new();
        Codec::new(1 << 20).encode(msg, &mut buf).unwrap();
        buf
    }

    fn entry(msgid: i32, dn: &str, attrs: Vec<(&str, Vec<Vec<u8>>)>) -> LdapMsg {
        LdapMsg {
            msgid,
            op: LdapOp::SearchResultEntry(LdapSearchResultEntry {
                dn: dn.into(),
                attributes: attrs
                    .into_iter()
                    .map(|(t, vals)| LdapPartialAttribute {
                        atype: t.into(),
                        vals,
                    })
                    .collect(),
            }),
            ctrl: vec![],
        }
    }

    #[test]
    fn entries_encode_exactly_like_ldap3_proto() {
        let long = |n: usize| vec![b'x'; n];
        let cases = vec![
            entry(
                1,
                "uid=a,dc=example,dc=com",
                vec![("cn", vec![b"A".to_vec()])],
            ),
            entry(127, "", vec![]),
            entry(128, "cn=x", vec![("member", vec![])]),
            entry(
                255,
                "cn=ü",
                vec![("description", vec![long(127), long(128), long(255)])],
            ),
            entry(
                256,
                &"d".repeat(300),
                vec![("a", vec![long(65_535)]), ("b", vec![long(65_536)])],
            ),
            entry(
                65_535,
                "cn=y",
                vec![("objectClass", vec![b"top".to_vec(), b"person".to_vec()])],
            ),
            entry(
                8_388_608,
                "cn=z",
                vec![("jpegPhoto", vec![long(20_000_000)])],
            ),
            entry(i32::MAX, "cn=z", vec![("cn", vec![vec![]])]),
        ];
        for msg in cases {
            assert_eq!(ours(msg.clone()), reference(msg.clone()), "{:?}", msg.msgid);
        }
    }

    #[test]
    fn plain_results_encode_exactly_like_ldap3_proto() {
        use ldap3_proto::proto::{LdapBindResponse, LdapResult, LdapResultCode};
        let result = |code: LdapResultCode, matched: &str, message: String| LdapResult {
            code,
            matcheddn: matched.into(),
            message,
            referral: vec![],
        };
        let results = [
            result(LdapResultCode::Success, "", String::new()),
            result(
                LdapResultCode::InvalidCredentials,
                "",
                "invalid credentials".into(),
            ),
            result(
                LdapResultCode::NoSuchObject,
                "dc=example,dc=com",
                "x".repeat(300),
            ),
            result(LdapResultCode::Other, "", String::new()),
            result(LdapResultCode::CompareTrue, "", String::new()),
        ];
        for (i, res) in results.into_iter().enumerate() {
            let msgid = [1, 127, 128, 65_536, i32::MAX][i];
            let ops = vec![
                LdapOp::BindResponse(LdapBindResponse {
                    res: res.clone(),
                    saslcreds: None,
                }),
                LdapOp::SearchResultDone(res.clone()),
                LdapOp::ModifyResponse(res.clone()),
                LdapOp::AddResponse(res.clone()),
                LdapOp::DelResponse(res.clone()),
                LdapOp::ModifyDNResponse(res.clone()),
                LdapOp::CompareResult(res.clone()),
            ];
            for op in ops {
                let msg = LdapMsg {
                    msgid,
                    op,
                    ctrl: vec![],
                };
                assert_eq!(ours(msg.clone()), reference(msg.clone()), "{msg:?}");
            }
        }
    }

    #[test]
    fn integers_are_minimal() {
        for v in [
            0,
            1,
            127,
            128,
            255,
            256,
            32_767,
            32_768,
            65_535,
            8_388_607,
            8_388_608,
            -1,
            -128,
            -129,
            i32::MAX,
            i32::MIN,
        ] {
            let (b, start) = int_bytes(v);
            let bytes = &b[start..];
            let mut back = if bytes[0] & 0x80 != 0 { -1i64 } else { 0 };
            for x in bytes {
                back = (back << 8) | i64::from(*x);
            }
            assert_eq!(back as i32, v, "{v}: {bytes:?}");
        }
    }

    #[test]
    fn sort_result_value_is_rfc_2891() {
        // What slapd sends for success: no attributeType at all.
        assert_eq!(sort_result_value(0, None), [0x30, 0x03, 0x0a, 0x01, 0x00]);
        assert_eq!(
            sort_result_value(16, Some("cn")),
            [0x30, 0x07, 0x0a, 0x01, 0x10, 0x80, 0x02, b'c', b'n']
        );
    }

    #[test]
    fn other_messages_go_through_ldap3_proto() {
        let done = LdapMsg {
            msgid: 3,
            op: LdapOp::SearchResultDone(crate::ldap::result::success()),
            ctrl: vec![],
        };
        assert_eq!(ours(done.clone()), reference(done));
    }
}
