//! SCIM filter expressions and PATCH paths, from text to syntax tree.
//!
//! This module owns the parsing of SCIM 2.0 filters (RFC 7644 §3.4.2.2, the
//! whole ABNF of Figure 1) and of PATCH operation paths (RFC 7644 §3.5.2,
//! `PATH = attrPath / valuePath [subAttr]`). It knows nothing about schemas
//! or stored resources: evaluating a [`Filter`] or applying a [`PatchPath`]
//! belongs to its callers. It replaces the `scim_proto` parser, which
//! overflows the stack on deeply nested input, accepts only lower-case
//! operators and rejects URN-qualified paths. All input is untrusted: length
//! and nesting are bounded ([`MAX_FILTER_LEN`], [`MAX_DEPTH`]) before any
//! recursion starts, and no input makes these functions panic.
//!
//! Decisions a caller may trip over:
//!
//! * Operators and keywords (`eq`, `AND`, `Pr`, `TRUE`, …) are matched
//!   without regard to case; attribute names and URNs are kept as written,
//!   and [`AttrPath::is`] compares them without regard to case.
//! * `not` is reserved: at the start of an expression it must be followed by
//!   a parenthesised filter, so no attribute can be called `not`.
//! * Whitespace is lenient: any run of ASCII whitespace separates tokens, and
//!   none is needed next to parentheses, brackets or quoted strings.
//! * `not (` counts as one level of nesting, like any `(` or `[`.
//! * URN-qualified paths: the schema URN is everything before the last `:`,
//!   and the text after it is `attr[.subAttr]` — unless the segment before
//!   that last `:` is a version number such as `2.0`. SCIM schema URNs end in
//!   `<version>:<ResourceType>` (`…:enterprise:2.0:User`), so such text names
//!   a whole schema, not an attribute. [`parse_path`] returns it as an
//!   [`AttrPath`] whose `attr` is empty (see [`AttrPath::is_schema_only`]);
//!   [`parse_filter`] rejects it because a filter must name an attribute.
//!   A URN without a version (`urn:acme:ext:costCenter`) therefore always
//!   ends in an attribute.

/// Longest filter or path accepted, in bytes.
pub const MAX_FILTER_LEN: usize = 4096;
/// Deepest nesting of parentheses, `not (…)` and value-filter brackets.
pub const MAX_DEPTH: usize = 32;

/// A parsed filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Present(AttrPath),
    Compare(AttrPath, CompareOp, CompValue),
    /// `emails[type eq "work" and value co "@x"]`: `attr` has no sub_attr; `filter` paths are relative to it
    ValuePath {
        attr: AttrPath,
        filter: Box<Filter>,
    },
}

/// `[urn:]attr[.sub_attr]`, with names as written by the client.
#[derive(Debug, Clone, PartialEq)]
pub struct AttrPath {
    pub urn: Option<String>,
    /// Empty only for a PATCH path naming a whole schema extension.
    pub attr: String,
    pub sub_attr: Option<String>,
}

impl AttrPath {
    /// true when this path names `attr`(.`sub`) ignoring case; `urn` (if any) is compared ignoring case against `schema`
    pub fn is(&self, schema: &str, attr: &str, sub: Option<&str>) -> bool {
        let urn_matches = self
            .urn
            .as_deref()
            .is_none_or(|urn| urn.eq_ignore_ascii_case(schema));
        let sub_matches = match (self.sub_attr.as_deref(), sub) {
            (None, None) => true,
            (Some(mine), Some(theirs)) => mine.eq_ignore_ascii_case(theirs),
            _ => false,
        };
        urn_matches && sub_matches && self.attr.eq_ignore_ascii_case(attr)
    }

    /// True for a PATCH path that names a whole schema (extension) by its
    /// URN, such as `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`.
    pub fn is_schema_only(&self) -> bool {
        self.attr.is_empty()
    }
}

/// A comparison operator of `attrPath SP compareOp SP compValue`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CompareOp {
    const ALL: [CompareOp; 9] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Co,
        CompareOp::Sw,
        CompareOp::Ew,
        CompareOp::Gt,
        CompareOp::Ge,
        CompareOp::Lt,
        CompareOp::Le,
    ];

    /// The canonical, lower-case spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }

    fn from_keyword(word: &str) -> Option<CompareOp> {
        Self::ALL
            .into_iter()
            .find(|op| op.as_str().eq_ignore_ascii_case(word))
    }
}

/// The literal on the right of a comparison; strings are already unescaped.
#[derive(Debug, Clone, PartialEq)]
pub enum CompValue {
    Str(String),
    Num(serde_json::Number),
    Bool(bool),
    Null,
}

/// A PATCH operation's `path`.
///
/// `emails[type eq "work"].value` → `attr` = emails, `filter` = the bracketed
/// filter, `sub_attr` = value. `name.givenName` → `attr` = name.givenName,
/// no filter, no `sub_attr`: the top-level `sub_attr` is only ever set after a
/// value filter.
#[derive(Debug, Clone, PartialEq)]
pub struct PatchPath {
    pub attr: AttrPath,
    pub filter: Option<Filter>,
    pub sub_attr: Option<String>,
}

/// Why a filter or path was rejected; offsets are in bytes from the start.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum FilterError {
    #[error("input is {len} bytes long; at most {max} bytes are allowed")]
    TooLong { len: usize, max: usize },
    #[error("input nests parentheses, brackets or 'not' more than {max} levels deep")]
    TooDeep { max: usize },
    #[error("the {what} is empty")]
    Empty { what: &'static str },
    #[error("expected {expected} at offset {offset}, found {found}")]
    Unexpected {
        offset: usize,
        expected: &'static str,
        found: String,
    },
    #[error(
        "expected a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) after '{attr}' at offset {offset}, found {found}"
    )]
    MissingOperator {
        attr: String,
        offset: usize,
        found: String,
    },
    #[error(
        "expected a value (a double-quoted string, a number, true, false or null) after '{op}' at offset {offset}, found {found}"
    )]
    MissingValue {
        op: String,
        offset: usize,
        found: String,
    },
    #[error("'pr' takes no value, but {found} follows it at offset {offset}")]
    ValueAfterPresent { offset: usize, found: String },
    #[error("invalid value '{value}' at offset {offset}: {reason}")]
    InvalidValue {
        offset: usize,
        value: String,
        reason: &'static str,
    },
    #[error("the string starting at offset {offset} has no closing '\"'")]
    UnterminatedString { offset: usize },
    #[error("invalid JSON string starting at offset {offset}: {reason}")]
    InvalidString { offset: usize, reason: String },
    #[error("invalid attribute path '{path}' at offset {offset}: {reason}")]
    InvalidAttrPath {
        offset: usize,
        path: String,
        reason: &'static str,
    },
    #[error(
        "value filter '{attr}[' at offset {offset} is inside another value filter; brackets cannot nest"
    )]
    NestedValuePath { offset: usize, attr: String },
    #[error(
        "sub-attribute '{found}' at offset {offset} follows a value filter; only PATCH paths allow that"
    )]
    SubAttrAfterValueFilter { offset: usize, found: String },
    #[error("'{open}' at offset {open_offset} is never closed (the input ends at offset {offset})")]
    Unclosed {
        open: char,
        open_offset: usize,
        offset: usize,
    },
    #[error("'{close}' at offset {offset} closes nothing")]
    Unmatched { close: char, offset: usize },
}

/// Parses a `filter` query parameter (already URL-decoded).
pub fn parse_filter(input: &str) -> Result<Filter, FilterError> {
    check_limits(input)?;
    Parser::new(input, "filter")?.whole_filter()
}

/// Parses the `path` of a PATCH operation.
pub fn parse_path(input: &str) -> Result<PatchPath, FilterError> {
    check_limits(input)?;
    Parser::new(input, "path")?.whole_path()
}

mod display;
mod lex;
mod parse;
mod path;

use lex::check_limits;
use parse::Parser;

#[cfg(test)]
mod tests;
