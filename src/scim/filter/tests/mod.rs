//! Tests of the SCIM filter and path parser, one file per topic: `grammar`
//! (the RFC 7644 examples, vendor shapes, precedence, values, value paths),
//! `errors` (what is refused and how the message says why), `paths` (URN
//! qualified and PATCH paths, canonical Display), `limits` (length and depth
//! bounds, no stack overflow) and `random` (randomized no-panic and round-trip
//! checks). This file holds the builders they share.

mod errors;
mod grammar;
mod limits;
mod paths;
mod random;

use super::*;

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const CORE_USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

fn path(attr: &str) -> AttrPath {
    let (attr, sub_attr) = match attr.split_once('.') {
        Some((a, s)) => (a, Some(s.to_owned())),
        None => (attr, None),
    };
    AttrPath {
        urn: None,
        attr: attr.to_owned(),
        sub_attr,
    }
}

fn urn_path(urn: &str, attr: &str) -> AttrPath {
    AttrPath {
        urn: Some(urn.to_owned()),
        ..path(attr)
    }
}

fn cmp(attr: &str, op: CompareOp, value: CompValue) -> Filter {
    Filter::Compare(path(attr), op, value)
}

fn eq(attr: &str, value: &str) -> Filter {
    cmp(attr, CompareOp::Eq, s(value))
}

fn s(value: &str) -> CompValue {
    CompValue::Str(value.to_owned())
}

fn num(text: &str) -> CompValue {
    CompValue::Num(text.parse().unwrap())
}

fn pr(attr: &str) -> Filter {
    Filter::Present(path(attr))
}

fn and(l: Filter, r: Filter) -> Filter {
    Filter::And(Box::new(l), Box::new(r))
}

fn or(l: Filter, r: Filter) -> Filter {
    Filter::Or(Box::new(l), Box::new(r))
}

fn not(f: Filter) -> Filter {
    Filter::Not(Box::new(f))
}

fn vp(attr: &str, f: Filter) -> Filter {
    Filter::ValuePath {
        attr: path(attr),
        filter: Box::new(f),
    }
}

fn ok(input: &str) -> Filter {
    match parse_filter(input) {
        Ok(f) => f,
        Err(e) => panic!("{input:?} failed: {e}"),
    }
}

fn err(input: &str) -> FilterError {
    match parse_filter(input) {
        Ok(f) => panic!("{input:?} parsed as {f:?}"),
        Err(e) => e,
    }
}

fn err_msg(input: &str) -> String {
    err(input).to_string()
}

fn ok_path(input: &str) -> PatchPath {
    match parse_path(input) {
        Ok(p) => p,
        Err(e) => panic!("{input:?} failed: {e}"),
    }
}

fn assert_round_trip(f: &Filter) {
    let text = f.to_string();
    assert_eq!(
        parse_filter(&text).as_ref(),
        Ok(f),
        "round trip of {text:?}"
    );
}
