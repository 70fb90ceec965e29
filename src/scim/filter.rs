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

use std::fmt;

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

// Runs before tokenizing so that hostile input costs one linear scan and the
// recursive parser only ever sees bounded nesting.
fn check_limits(input: &str) -> Result<(), FilterError> {
    if input.len() > MAX_FILTER_LEN {
        return Err(FilterError::TooLong {
            len: input.len(),
            max: MAX_FILTER_LEN,
        });
    }
    if max_nesting(input) > MAX_DEPTH {
        return Err(FilterError::TooDeep { max: MAX_DEPTH });
    }
    Ok(())
}

// Brackets inside string literals (`value co "(("`) do not nest anything, so
// strings are skipped with the same escape rule the tokenizer uses.
fn max_nesting(input: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for byte in input.bytes() {
        if in_string {
            if escaped {
                escaped = false;
            } else if byte == b'\\' {
                escaped = true;
            } else if byte == b'"' {
                in_string = false;
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'(' | b'[' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind<'a> {
    Open,
    Close,
    LBracket,
    RBracket,
    /// A run of anything else: attribute paths, keywords, numbers, and
    /// `.subAttr` after a PATCH path's `]`.
    Word(&'a str),
    /// The literal with its quotes, so that serde_json can decode it whole.
    Str(&'a str),
    End,
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    kind: Kind<'a>,
    offset: usize,
}

// Every delimiter is ASCII, and UTF-8 never uses ASCII byte values inside a
// multi-byte character, so cutting at delimiters always lands on a char
// boundary.
fn is_delimiter(byte: u8) -> bool {
    byte.is_ascii_whitespace() || matches!(byte, b'(' | b')' | b'[' | b']' | b'"')
}

struct Lexer<'a> {
    input: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn tokenize(input: &'a str) -> Result<Vec<Token<'a>>, FilterError> {
        let mut lexer = Lexer { input, pos: 0 };
        let mut tokens = Vec::new();
        loop {
            let token = lexer.next_token()?;
            tokens.push(token);
            if token.kind == Kind::End {
                return Ok(tokens);
            }
        }
    }

    fn byte(&self, at: usize) -> Option<u8> {
        self.input.as_bytes().get(at).copied()
    }

    fn text(&self, start: usize, end: usize) -> &'a str {
        self.input.get(start..end).unwrap_or_default()
    }

    fn next_token(&mut self) -> Result<Token<'a>, FilterError> {
        while self.byte(self.pos).is_some_and(|b| b.is_ascii_whitespace()) {
            self.pos += 1;
        }
        let offset = self.pos;
        let kind = match self.byte(offset) {
            None => Kind::End,
            Some(b'(') => Kind::Open,
            Some(b')') => Kind::Close,
            Some(b'[') => Kind::LBracket,
            Some(b']') => Kind::RBracket,
            Some(b'"') => return self.string(offset),
            Some(_) => return Ok(self.word(offset)),
        };
        if kind != Kind::End {
            self.pos += 1;
        }
        Ok(Token { kind, offset })
    }

    fn string(&mut self, offset: usize) -> Result<Token<'a>, FilterError> {
        let mut at = offset + 1;
        loop {
            match self.byte(at) {
                None => return Err(FilterError::UnterminatedString { offset }),
                Some(b'\\') => at += 2,
                Some(b'"') => break,
                Some(_) => at += 1,
            }
        }
        self.pos = at + 1;
        let kind = Kind::Str(self.text(offset, self.pos));
        Ok(Token { kind, offset })
    }

    fn word(&mut self, offset: usize) -> Token<'a> {
        while self.byte(self.pos).is_some_and(|b| !is_delimiter(b)) {
            self.pos += 1;
        }
        let kind = Kind::Word(self.text(offset, self.pos));
        Token { kind, offset }
    }
}

/// Recursive descent over the token list; every recursion goes through
/// [`Parser::nested`], which is what bounds the stack.
struct Parser<'a> {
    tokens: Vec<Token<'a>>,
    pos: usize,
    depth: usize,
    in_brackets: bool,
}

impl<'a> Parser<'a> {
    fn new(input: &'a str, what: &'static str) -> Result<Self, FilterError> {
        let tokens = Lexer::tokenize(input)?;
        if tokens.first().is_none_or(|t| t.kind == Kind::End) {
            return Err(FilterError::Empty { what });
        }
        Ok(Parser {
            tokens,
            pos: 0,
            depth: 0,
            in_brackets: false,
        })
    }

    fn peek(&self) -> Token<'a> {
        let end = self.tokens.last().map_or(0, |t| t.offset);
        let end = Token {
            kind: Kind::End,
            offset: end,
        };
        self.tokens.get(self.pos).copied().unwrap_or(end)
    }

    fn bump(&mut self) -> Token<'a> {
        let token = self.peek();
        if token.kind != Kind::End {
            self.pos += 1;
        }
        token
    }

    fn eat_keyword(&mut self, keyword: &str) -> bool {
        let found = matches!(self.peek().kind, Kind::Word(w) if w.eq_ignore_ascii_case(keyword));
        if found {
            self.pos += 1;
        }
        found
    }

    fn nested<T>(
        &mut self,
        parse: impl FnOnce(&mut Self) -> Result<T, FilterError>,
    ) -> Result<T, FilterError> {
        if self.depth >= MAX_DEPTH {
            return Err(FilterError::TooDeep { max: MAX_DEPTH });
        }
        self.depth += 1;
        let result = parse(self);
        self.depth -= 1;
        result
    }

    fn whole_filter(mut self) -> Result<Filter, FilterError> {
        let filter = self.filter()?;
        self.expect_end("'and', 'or' or end of input")?;
        Ok(filter)
    }

    fn whole_path(mut self) -> Result<PatchPath, FilterError> {
        let token = self.bump();
        let Kind::Word(word) = token.kind else {
            return Err(unexpected(token, "an attribute path"));
        };
        // A schema URN alone cannot carry a value filter, so it is only
        // accepted when no '[' follows.
        let urn_only = match self.peek().kind {
            Kind::LBracket => UrnOnly::Rejected,
            _ => UrnOnly::Allowed,
        };
        let attr = parse_attr_path(word, token.offset, urn_only)?;
        let open = self.peek();
        if open.kind != Kind::LBracket {
            self.expect_end("'[' or end of path")?;
            return Ok(PatchPath {
                attr,
                filter: None,
                sub_attr: None,
            });
        }
        self.pos += 1;
        let filter = self.value_filter(&attr, word, token.offset, open)?;
        let sub_attr = self.trailing_sub_attr()?;
        self.expect_end("'.subAttr' or end of path")?;
        Ok(PatchPath {
            attr,
            filter: Some(filter),
            sub_attr,
        })
    }

    fn trailing_sub_attr(&mut self) -> Result<Option<String>, FilterError> {
        let token = self.peek();
        let Kind::Word(word) = token.kind else {
            return Ok(None);
        };
        let Some(name) = word.strip_prefix('.') else {
            return Ok(None);
        };
        self.pos += 1;
        let checked = if name.contains('.') {
            Err("at most one sub-attribute may follow ']'")
        } else {
            check_name(name)
        };
        checked.map_err(|reason| invalid_attr_path(word, token.offset, reason))?;
        Ok(Some(name.to_owned()))
    }

    fn expect_end(&mut self, expected: &'static str) -> Result<(), FilterError> {
        let token = self.peek();
        match token.kind {
            Kind::End => Ok(()),
            Kind::Close => Err(FilterError::Unmatched {
                close: ')',
                offset: token.offset,
            }),
            Kind::RBracket => Err(FilterError::Unmatched {
                close: ']',
                offset: token.offset,
            }),
            _ => Err(unexpected(token, expected)),
        }
    }

    fn expect_close(&mut self, open: Token<'a>, close: Kind<'static>) -> Result<(), FilterError> {
        let token = self.bump();
        if token.kind == close {
            return Ok(());
        }
        let (open_char, expected) = match close {
            Kind::Close => ('(', "'and', 'or' or ')'"),
            _ => ('[', "'and', 'or' or ']'"),
        };
        match token.kind {
            Kind::End => Err(FilterError::Unclosed {
                open: open_char,
                open_offset: open.offset,
                offset: token.offset,
            }),
            _ => Err(unexpected(token, expected)),
        }
    }

    // Loops rather than recursion keep long `a or b or c …` chains off the
    // stack and make both operators left-associative.
    fn filter(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.conjunction()?;
        while self.eat_keyword("or") {
            let right = self.conjunction()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn conjunction(&mut self) -> Result<Filter, FilterError> {
        let mut left = self.term()?;
        while self.eat_keyword("and") {
            let right = self.term()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<Filter, FilterError> {
        let token = self.bump();
        match token.kind {
            Kind::Open => self.nested(|p| p.group(token)),
            Kind::Word(word) if word.eq_ignore_ascii_case("not") => self.nested(Self::negation),
            Kind::Word(word) => self.attr_expression(word, token.offset),
            _ => Err(unexpected(token, "an attribute path, '(' or 'not'")),
        }
    }

    fn group(&mut self, open: Token<'a>) -> Result<Filter, FilterError> {
        let inner = self.filter()?;
        self.expect_close(open, Kind::Close)?;
        Ok(inner)
    }

    // The parenthesis after `not` is part of the `not`, so it does not add a
    // second level of depth.
    fn negation(&mut self) -> Result<Filter, FilterError> {
        let open = self.bump();
        if open.kind != Kind::Open {
            return Err(unexpected(open, "'(' after 'not'"));
        }
        Ok(Filter::Not(Box::new(self.group(open)?)))
    }

    fn attr_expression(&mut self, word: &'a str, offset: usize) -> Result<Filter, FilterError> {
        let attr = parse_attr_path(word, offset, UrnOnly::Rejected)?;
        let next = self.bump();
        match next.kind {
            Kind::LBracket => {
                let filter = Box::new(self.value_filter(&attr, word, offset, next)?);
                self.reject_sub_attr()?;
                Ok(Filter::ValuePath { attr, filter })
            }
            Kind::Word(op) if op.eq_ignore_ascii_case("pr") => {
                self.reject_value_after_present()?;
                Ok(Filter::Present(attr))
            }
            Kind::Word(op) => match CompareOp::from_keyword(op) {
                Some(compare) => Ok(Filter::Compare(attr, compare, self.comp_value(op)?)),
                None => Err(missing_operator(word, next)),
            },
            _ => Err(missing_operator(word, next)),
        }
    }

    fn value_filter(
        &mut self,
        attr: &AttrPath,
        word: &str,
        offset: usize,
        open: Token<'a>,
    ) -> Result<Filter, FilterError> {
        if self.in_brackets {
            return Err(FilterError::NestedValuePath {
                offset,
                attr: excerpt(word),
            });
        }
        if attr.sub_attr.is_some() {
            let reason = "a value filter '[...]' must follow an attribute, not a sub-attribute";
            return Err(invalid_attr_path(word, offset, reason));
        }
        self.nested(|p| {
            p.in_brackets = true;
            let inner = p.filter();
            p.in_brackets = false;
            let inner = inner?;
            p.expect_close(open, Kind::RBracket)?;
            Ok(inner)
        })
    }

    fn reject_sub_attr(&self) -> Result<(), FilterError> {
        let token = self.peek();
        match token.kind {
            Kind::Word(word) if word.starts_with('.') => {
                Err(FilterError::SubAttrAfterValueFilter {
                    offset: token.offset,
                    found: excerpt(word),
                })
            }
            _ => Ok(()),
        }
    }

    // Only literal-looking tokens get the `pr` message; anything else is left
    // to the caller, whose "expected 'and', 'or' …" is the better hint.
    fn reject_value_after_present(&self) -> Result<(), FilterError> {
        let token = self.peek();
        let is_value = match token.kind {
            Kind::Str(_) => true,
            Kind::Word(word) => word_value(word, token.offset).is_ok(),
            _ => false,
        };
        if !is_value {
            return Ok(());
        }
        Err(FilterError::ValueAfterPresent {
            offset: token.offset,
            found: describe(token),
        })
    }

    fn comp_value(&mut self, op: &str) -> Result<CompValue, FilterError> {
        let token = self.peek();
        let value = match token.kind {
            Kind::Str(raw) => decode_string(raw, token.offset).map(CompValue::Str),
            Kind::Word(word) => word_value(word, token.offset),
            _ => {
                return Err(FilterError::MissingValue {
                    op: op.to_owned(),
                    offset: token.offset,
                    found: describe(token),
                });
            }
        };
        self.pos += 1;
        value
    }
}

fn decode_string(raw: &str, offset: usize) -> Result<String, FilterError> {
    serde_json::from_str::<String>(raw).map_err(|err| {
        // serde_json appends "at line 1 column N", counted inside the
        // literal; the literal's own offset is the more useful position.
        let message = err.to_string();
        let reason = message
            .rsplit_once(" at line ")
            .map_or(message.as_str(), |(head, _)| head);
        FilterError::InvalidString {
            offset,
            reason: reason.to_owned(),
        }
    })
}

fn word_value(word: &str, offset: usize) -> Result<CompValue, FilterError> {
    let keyword = |k: &str| word.eq_ignore_ascii_case(k);
    if keyword("true") {
        return Ok(CompValue::Bool(true));
    }
    if keyword("false") {
        return Ok(CompValue::Bool(false));
    }
    if keyword("null") {
        return Ok(CompValue::Null);
    }
    let invalid = |reason| FilterError::InvalidValue {
        offset,
        value: excerpt(word),
        reason,
    };
    match word.bytes().next() {
        Some(b'0'..=b'9' | b'-') => word
            .parse::<serde_json::Number>()
            .map(CompValue::Num)
            .map_err(|_| invalid("not a valid JSON number")),
        Some(b'\'') => Err(invalid(
            "strings must be in double quotes, not single quotes",
        )),
        _ => Err(invalid(
            "bare words are not values; put strings in double quotes (only true, false and null go unquoted)",
        )),
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum UrnOnly {
    Allowed,
    Rejected,
}

fn parse_attr_path(word: &str, offset: usize, urn_only: UrnOnly) -> Result<AttrPath, FilterError> {
    attr_path(word, urn_only).map_err(|reason| invalid_attr_path(word, offset, reason))
}

fn attr_path(word: &str, urn_only: UrnOnly) -> Result<AttrPath, &'static str> {
    if !starts_with_ignore_case(word, "urn:") {
        if word.contains(':') {
            return Err("only URN-qualified paths (starting with 'urn:') may contain ':'");
        }
        let (attr, sub_attr) = attr_names(word)?;
        return Ok(AttrPath {
            urn: None,
            attr,
            sub_attr,
        });
    }
    if names_whole_schema(word) {
        check_urn(word)?;
        return match urn_only {
            UrnOnly::Allowed => Ok(AttrPath {
                urn: Some(word.to_owned()),
                attr: String::new(),
                sub_attr: None,
            }),
            UrnOnly::Rejected => Err("this names a whole schema; an attribute must follow it"),
        };
    }
    let (urn, names) = word
        .rsplit_once(':')
        .ok_or("a URN-qualified path needs an attribute after its last ':'")?;
    check_urn(urn)?;
    let (attr, sub_attr) = attr_names(names)?;
    Ok(AttrPath {
        urn: Some(urn.to_owned()),
        attr,
        sub_attr,
    })
}

// See the module documentation: `…:2.0:User` is a schema, `…:User:manager`
// is an attribute of one.
fn names_whole_schema(word: &str) -> bool {
    let mut segments = word.rsplit(':');
    segments.next();
    segments.next().is_some_and(is_version)
}

fn is_version(segment: &str) -> bool {
    segment
        .split('.')
        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

fn check_urn(urn: &str) -> Result<(), &'static str> {
    if !urn.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("a schema URN may contain only printable ASCII characters");
    }
    if urn.split(':').any(str::is_empty) {
        return Err("a schema URN cannot have an empty segment between ':'s");
    }
    if urn.split(':').count() < 3 {
        return Err("a schema URN must have at least the form 'urn:<namespace>:<name>'");
    }
    Ok(())
}

fn attr_names(text: &str) -> Result<(String, Option<String>), &'static str> {
    let Some((attr, sub)) = text.split_once('.') else {
        check_name(text)?;
        return Ok((text.to_owned(), None));
    };
    check_name(attr)?;
    if sub.contains('.') {
        return Err("at most one sub-attribute ('attr.sub') is allowed");
    }
    check_name(sub)?;
    Ok((attr.to_owned(), Some(sub.to_owned())))
}

// RFC 7643 ATTRNAME, plus `$ref`, which clients send in member filters even
// though the ABNF does not allow it.
fn check_name(name: &str) -> Result<(), &'static str> {
    if name.eq_ignore_ascii_case("$ref") {
        return Ok(());
    }
    let mut bytes = name.bytes();
    match bytes.next() {
        None => Err("an attribute name is empty"),
        Some(first) if !first.is_ascii_alphabetic() => {
            Err("attribute names must start with a letter (or be '$ref')")
        }
        _ if bytes.all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') => Ok(()),
        _ => Err("attribute names may contain only letters, digits, '-' and '_'"),
    }
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

fn invalid_attr_path(word: &str, offset: usize, reason: &'static str) -> FilterError {
    FilterError::InvalidAttrPath {
        offset,
        path: excerpt(word),
        reason,
    }
}

fn missing_operator(attr_word: &str, found: Token<'_>) -> FilterError {
    FilterError::MissingOperator {
        attr: excerpt(attr_word),
        offset: found.offset,
        found: describe(found),
    }
}

fn unexpected(found: Token<'_>, expected: &'static str) -> FilterError {
    FilterError::Unexpected {
        offset: found.offset,
        expected,
        found: describe(found),
    }
}

fn describe(token: Token<'_>) -> String {
    match token.kind {
        Kind::Open => "'('".to_owned(),
        Kind::Close => "')'".to_owned(),
        Kind::LBracket => "'['".to_owned(),
        Kind::RBracket => "']'".to_owned(),
        Kind::Word(word) => format!("'{}'", excerpt(word)),
        Kind::Str(raw) => format!("string {}", excerpt(raw)),
        Kind::End => "end of input".to_owned(),
    }
}

// Error messages can end up in responses and logs; echoing up to 4 KiB of
// client input there helps nobody.
fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 100;
    let mut short: String = text.chars().take(MAX_CHARS).collect();
    if text.chars().nth(MAX_CHARS).is_some() {
        short.push('…');
    }
    short
}

impl fmt::Display for CompareOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            f.write_str(urn)?;
            if self.attr.is_empty() {
                return Ok(());
            }
            f.write_str(":")?;
        }
        f.write_str(&self.attr)?;
        match &self.sub_attr {
            Some(sub) => write!(f, ".{sub}"),
            None => Ok(()),
        }
    }
}

impl fmt::Display for CompValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompValue::Str(text) => {
                let quoted = serde_json::to_string(text).map_err(|_| fmt::Error)?;
                f.write_str(&quoted)
            }
            CompValue::Num(number) => write!(f, "{number}"),
            CompValue::Bool(flag) => write!(f, "{flag}"),
            CompValue::Null => f.write_str("null"),
        }
    }
}

/// Canonical form: lower-case operators, JSON-quoted strings, and only the
/// parentheses that precedence requires, so `parse_filter` gives back an
/// equal [`Filter`].
impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, Precedence::Or)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Precedence {
    Or,
    And,
    Term,
}

impl Filter {
    fn precedence(&self) -> Precedence {
        match self {
            Filter::Or(..) => Precedence::Or,
            Filter::And(..) => Precedence::And,
            _ => Precedence::Term,
        }
    }

    fn write(&self, f: &mut fmt::Formatter<'_>, context: Precedence) -> fmt::Result {
        if self.precedence() >= context {
            return self.write_bare(f);
        }
        f.write_str("(")?;
        self.write_bare(f)?;
        f.write_str(")")
    }

    // The right operand is written one level tighter: the parser is
    // left-associative, so `a or (b or c)` must keep its parentheses.
    fn write_bare(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Filter::Or(left, right) => {
                left.write(f, Precedence::Or)?;
                f.write_str(" or ")?;
                right.write(f, Precedence::And)
            }
            Filter::And(left, right) => {
                left.write(f, Precedence::And)?;
                f.write_str(" and ")?;
                right.write(f, Precedence::Term)
            }
            Filter::Not(inner) => {
                f.write_str("not (")?;
                inner.write(f, Precedence::Or)?;
                f.write_str(")")
            }
            Filter::Present(attr) => write!(f, "{attr} pr"),
            Filter::Compare(attr, op, value) => write!(f, "{attr} {op} {value}"),
            Filter::ValuePath { attr, filter } => {
                write!(f, "{attr}[")?;
                filter.write(f, Precedence::Or)?;
                f.write_str("]")
            }
        }
    }
}

impl fmt::Display for PatchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.attr)?;
        if let Some(filter) = &self.filter {
            write!(f, "[{filter}]")?;
        }
        match &self.sub_attr {
            Some(sub) => write!(f, ".{sub}"),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
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

    /// RFC 7644 §3.4.2.2 (every example), plus what Entra ID and Okta send.
    const CORPUS: &[&str] = &[
        r#"userName eq "bjensen""#,
        r#"name.familyName co "O'Malley""#,
        r#"userName sw "J""#,
        r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
        r#"title pr"#,
        r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
        r#"meta.lastModified ge "2011-05-13T04:42:34Z""#,
        r#"meta.lastModified lt "2011-05-13T04:42:34Z""#,
        r#"meta.lastModified le "2011-05-13T04:42:34Z""#,
        r#"title pr and userType eq "Employee""#,
        r#"title pr or userType eq "Intern""#,
        r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
        "userType eq \"Employee\" and (emails co \"example.com\" or\n  emails.value co \"example.org\")",
        "userType ne \"Employee\" and not (emails co \"example.com\" or\n  emails.value co \"example.org\")",
        r#"userType eq "Employee" and (emails.type eq "work")"#,
        "userType eq \"Employee\" and emails[type eq \"work\" and\n  value co \"@example.com\"]",
        "emails[type eq \"work\" and value co \"@example.com\"] or\n  ims[type eq \"xmpp\" and value co \"@foo.com\"]",
        // Microsoft Entra ID provisioning.
        r#"externalId eq "9a0cbb9f-6d4c-4d3b-b8f4-8b2cbd7f1a10""#,
        r#"userName eq "Test_User_dfeef4c5-5681-4387-b016-bdf221e82081""#,
        r#"displayName eq "Group_7c7e3b34""#,
        r#"id eq "92b725fd" and members[value eq "b9a4c2b0"]"#,
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#,
        // Okta.
        r#"userName eq "a@b.c""#,
        r#"userName eq "isaac.brock@example.com""#,
        // Mixed-case operators.
        r#"userName Eq "john""#,
        r#"Username eq "john""#,
        r#"title PR AND userType EQ "Employee""#,
        r#"title Pr Or NOT (userType Ne "Intern")"#,
        r#"emails[type EQ "work" And value CO "@example.com"]"#,
        // Values, URNs and odd spacing.
        r#"members[$ref eq "https://example.com/v2/Users/1"]"#,
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d""#,
        r#"active eq true and x.y ne null or z gt -3.5e2"#,
        r#"loginCount ge 10 and score lt 0.5"#,
        r#"note eq "a\"b\\c\u00e9\n""#,
        "  ( a pr )\tand\n\tnot(b pr)  ",
        r#"a pr or (b pr or c pr)"#,
        r#"(a pr or b pr) and c pr"#,
        r#"not (not (a pr))"#,
    ];

    #[test]
    fn rfc_examples_parse_to_expected_trees() {
        let expected = [
            eq("userName", "bjensen"),
            cmp("name.familyName", CompareOp::Co, s("O'Malley")),
            cmp("userName", CompareOp::Sw, s("J")),
            Filter::Compare(urn_path(CORE_USER, "userName"), CompareOp::Sw, s("J")),
            pr("title"),
            cmp(
                "meta.lastModified",
                CompareOp::Gt,
                s("2011-05-13T04:42:34Z"),
            ),
            cmp(
                "meta.lastModified",
                CompareOp::Ge,
                s("2011-05-13T04:42:34Z"),
            ),
            cmp(
                "meta.lastModified",
                CompareOp::Lt,
                s("2011-05-13T04:42:34Z"),
            ),
            cmp(
                "meta.lastModified",
                CompareOp::Le,
                s("2011-05-13T04:42:34Z"),
            ),
            and(pr("title"), eq("userType", "Employee")),
            or(pr("title"), eq("userType", "Intern")),
            eq("schemas", ENTERPRISE),
            and(
                eq("userType", "Employee"),
                or(
                    cmp("emails", CompareOp::Co, s("example.com")),
                    cmp("emails.value", CompareOp::Co, s("example.org")),
                ),
            ),
            and(
                cmp("userType", CompareOp::Ne, s("Employee")),
                not(or(
                    cmp("emails", CompareOp::Co, s("example.com")),
                    cmp("emails.value", CompareOp::Co, s("example.org")),
                )),
            ),
            and(eq("userType", "Employee"), eq("emails.type", "work")),
            and(
                eq("userType", "Employee"),
                vp(
                    "emails",
                    and(
                        eq("type", "work"),
                        cmp("value", CompareOp::Co, s("@example.com")),
                    ),
                ),
            ),
            or(
                vp(
                    "emails",
                    and(
                        eq("type", "work"),
                        cmp("value", CompareOp::Co, s("@example.com")),
                    ),
                ),
                vp(
                    "ims",
                    and(
                        eq("type", "xmpp"),
                        cmp("value", CompareOp::Co, s("@foo.com")),
                    ),
                ),
            ),
        ];
        for (input, want) in CORPUS.iter().zip(expected.iter()) {
            assert_eq!(&ok(input), want, "{input}");
        }
    }

    #[test]
    fn whole_corpus_parses_and_round_trips_through_display() {
        for input in CORPUS {
            assert_round_trip(&ok(input));
        }
    }

    #[test]
    fn identity_provider_filters_parse() {
        assert_eq!(
            ok(r#"externalId eq "9a0cbb9f-6d4c-4d3b-b8f4-8b2cbd7f1a10""#),
            eq("externalId", "9a0cbb9f-6d4c-4d3b-b8f4-8b2cbd7f1a10")
        );
        assert_eq!(ok(r#"userName eq "a@b.c""#), eq("userName", "a@b.c"));
        assert_eq!(
            ok(r#"id eq "92b725fd" and members[value eq "b9a4c2b0"]"#),
            and(eq("id", "92b725fd"), vp("members", eq("value", "b9a4c2b0")))
        );
    }

    #[test]
    fn operators_and_keywords_ignore_case() {
        assert_eq!(ok(r#"userName EQ "x""#), eq("userName", "x"));
        assert_eq!(ok("a PR And b pR"), and(pr("a"), pr("b")));
        assert_eq!(ok("a pr OR b pr"), or(pr("a"), pr("b")));
        assert_eq!(ok("NOT (a pr)"), not(pr("a")));
        for (word, op) in [
            ("Ne", CompareOp::Ne),
            ("CO", CompareOp::Co),
            ("sW", CompareOp::Sw),
            ("EW", CompareOp::Ew),
            ("Gt", CompareOp::Gt),
            ("GE", CompareOp::Ge),
            ("lT", CompareOp::Lt),
            ("LE", CompareOp::Le),
        ] {
            assert_eq!(ok(&format!("a {word} 1")), cmp("a", op, num("1")));
        }
    }

    #[test]
    fn not_binds_tighter_than_and_which_binds_tighter_than_or() {
        assert_eq!(
            ok("a pr or b pr and c pr"),
            or(pr("a"), and(pr("b"), pr("c")))
        );
        assert_eq!(
            ok("a pr and b pr or c pr"),
            or(and(pr("a"), pr("b")), pr("c"))
        );
        assert_eq!(ok("not (a pr) and b pr"), and(not(pr("a")), pr("b")));
        assert_eq!(
            ok("(a pr or b pr) and c pr"),
            and(or(pr("a"), pr("b")), pr("c"))
        );
    }

    #[test]
    fn and_and_or_are_left_associative() {
        assert_eq!(
            ok("a pr or b pr or c pr"),
            or(or(pr("a"), pr("b")), pr("c"))
        );
        assert_eq!(
            ok("a pr and b pr and c pr"),
            and(and(pr("a"), pr("b")), pr("c"))
        );
    }

    #[test]
    fn whitespace_is_lenient() {
        assert_eq!(ok("not(a pr)"), not(pr("a")));
        assert_eq!(ok("  a \t pr\r\n"), pr("a"));
        assert_eq!(ok("((a pr))and(b pr)"), and(pr("a"), pr("b")));
        assert_eq!(
            ok(r#"emails [ type eq "work" ]"#),
            vp("emails", eq("type", "work"))
        );
        assert_eq!(ok(r#"a eq"x""#), eq("a", "x"));
    }

    #[test]
    fn values_are_decoded() {
        assert_eq!(ok(r#"a eq "a\"b""#), eq("a", "a\"b"));
        assert_eq!(ok(r#"a eq "\u00e9\t\/""#), eq("a", "é\t/"));
        assert_eq!(ok(r#"a eq "日本""#), eq("a", "日本"));
        assert_eq!(ok(r#"a eq "(((""#), eq("a", "((("));
        assert_eq!(ok("a eq -1"), cmp("a", CompareOp::Eq, num("-1")));
        assert_eq!(ok("a gt 3.5e2"), cmp("a", CompareOp::Gt, num("3.5e2")));
        assert_eq!(
            ok("a eq TRUE"),
            cmp("a", CompareOp::Eq, CompValue::Bool(true))
        );
        assert_eq!(
            ok("a eq False"),
            cmp("a", CompareOp::Eq, CompValue::Bool(false))
        );
        assert_eq!(ok("a ne NULL"), cmp("a", CompareOp::Ne, CompValue::Null));
    }

    #[test]
    fn invalid_values_say_why() {
        let bare = err_msg("userName eq bjensen");
        assert!(bare.contains("'bjensen' at offset 12"), "{bare}");
        assert!(bare.contains("double quotes"), "{bare}");
        let single = err_msg("userName eq 'bjensen'");
        assert!(single.contains("not single quotes"), "{single}");
        for bad_number in ["a eq 01", "a eq 1.", "a eq -", "a eq 1e999", "a eq 1x"] {
            let message = err_msg(bad_number);
            assert!(message.contains("not a valid JSON number"), "{message}");
        }
        assert!(matches!(
            err(r#"a eq "\x""#),
            FilterError::InvalidString { offset: 5, .. }
        ));
        assert!(matches!(
            err(r#"a eq "\ud800""#),
            FilterError::InvalidString { offset: 5, .. }
        ));
        assert!(matches!(
            err("a eq \"tab\there\""),
            FilterError::InvalidString { .. }
        ));
        assert_eq!(
            err(r#"a eq "abc"#),
            FilterError::UnterminatedString { offset: 5 }
        );
        assert_eq!(
            err(r#"a eq "abc\""#),
            FilterError::UnterminatedString { offset: 5 }
        );
    }

    #[test]
    fn missing_operator_message_names_attribute_and_offset() {
        assert_eq!(
            err_msg(r#"userName "bjensen""#),
            "expected a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) \
             after 'userName' at offset 9, found string \"bjensen\""
        );
        assert_eq!(
            err("userName"),
            FilterError::MissingOperator {
                attr: "userName".into(),
                offset: 8,
                found: "end of input".into()
            }
        );
        assert!(err_msg("userName equals 1").contains("found 'equals'"));
    }

    #[test]
    fn missing_value_and_value_after_pr_are_errors() {
        assert_eq!(
            err_msg("userName eq"),
            "expected a value (a double-quoted string, a number, true, false or null) \
             after 'eq' at offset 11, found end of input"
        );
        assert!(matches!(
            err("(a eq)"),
            FilterError::MissingValue { offset: 5, .. }
        ));
        assert!(matches!(
            err("a eq and b pr"),
            FilterError::InvalidValue { offset: 5, .. }
        ));
        assert_eq!(
            err_msg(r#"title pr "x""#),
            "'pr' takes no value, but string \"x\" follows it at offset 9"
        );
        assert!(matches!(
            err("title pr 5"),
            FilterError::ValueAfterPresent { .. }
        ));
        assert!(matches!(
            err("title pr true"),
            FilterError::ValueAfterPresent { .. }
        ));
    }

    #[test]
    fn empty_and_trailing_input_are_errors() {
        assert_eq!(err(""), FilterError::Empty { what: "filter" });
        assert_eq!(err(" \t\n"), FilterError::Empty { what: "filter" });
        assert_eq!(
            err_msg("a eq 1 b eq 2"),
            "expected 'and', 'or' or end of input at offset 7, found 'b'"
        );
        assert!(matches!(
            err(r#"a eq "x" "y""#),
            FilterError::Unexpected { offset: 9, .. }
        ));
        assert!(matches!(
            err("a pr and"),
            FilterError::Unexpected { offset: 8, .. }
        ));
        assert!(matches!(err("and"), FilterError::MissingOperator { .. }));
        assert!(matches!(
            err("()"),
            FilterError::Unexpected { offset: 1, .. }
        ));
        assert!(matches!(
            err(r#""x" eq 1"#),
            FilterError::Unexpected { offset: 0, .. }
        ));
    }

    #[test]
    fn unbalanced_brackets_are_errors() {
        assert_eq!(
            err("(a pr"),
            FilterError::Unclosed {
                open: '(',
                open_offset: 0,
                offset: 5
            }
        );
        assert_eq!(err_msg("a pr)"), "')' at offset 4 closes nothing");
        assert_eq!(
            err("a pr]"),
            FilterError::Unmatched {
                close: ']',
                offset: 4
            }
        );
        assert!(matches!(
            err(r#"emails[type eq "w""#),
            FilterError::Unclosed { open: '[', .. }
        ));
        assert!(matches!(
            err(r#"emails[type eq "w")"#),
            FilterError::Unexpected { .. }
        ));
        assert!(matches!(
            err("(a pr]"),
            FilterError::Unexpected { offset: 5, .. }
        ));
        assert!(matches!(
            err("((a pr)"),
            FilterError::Unclosed { open_offset: 0, .. }
        ));
    }

    #[test]
    fn not_requires_parentheses() {
        assert_eq!(
            err_msg("not a pr"),
            "expected '(' after 'not' at offset 4, found 'a'"
        );
        assert!(matches!(
            err("not"),
            FilterError::Unexpected { offset: 3, .. }
        ));
    }

    #[test]
    fn value_paths() {
        assert_eq!(
            ok(r#"emails[type eq "work"]"#),
            vp("emails", eq("type", "work"))
        );
        assert_eq!(
            ok(r#"emails[not (type eq "work") or primary eq true]"#),
            vp(
                "emails",
                or(
                    not(eq("type", "work")),
                    cmp("primary", CompareOp::Eq, CompValue::Bool(true))
                )
            )
        );
        let nested = err(r#"a[b[c pr]]"#);
        assert_eq!(
            nested,
            FilterError::NestedValuePath {
                offset: 2,
                attr: "b".into()
            }
        );
        assert!(matches!(
            err(r#"a[(b[c pr])]"#),
            FilterError::NestedValuePath { .. }
        ));
        assert!(matches!(
            err(r#"emails[type eq "work"].value eq "x""#),
            FilterError::SubAttrAfterValueFilter { offset: 22, .. }
        ));
        assert!(matches!(
            err(r#"name.given[x pr]"#),
            FilterError::InvalidAttrPath { .. }
        ));
        assert!(matches!(
            err("emails[]"),
            FilterError::Unexpected { offset: 7, .. }
        ));
    }

    #[test]
    fn attribute_names_are_validated() {
        for bad in [
            "1abc pr",
            "a.b.c pr",
            "a. pr",
            ".a pr",
            "a_b$ pr",
            "foo:bar pr",
            "é pr",
        ] {
            assert!(
                matches!(err(bad), FilterError::InvalidAttrPath { .. }),
                "{bad}"
            );
        }
        assert_eq!(ok("a-b_9 pr"), pr("a-b_9"));
        assert_eq!(ok("members.$ref pr"), pr("members.$ref"));
    }

    #[test]
    fn urn_qualified_paths_split_at_the_last_colon() {
        let manager = ok(&format!("{ENTERPRISE}:manager.value eq \"x\""));
        assert_eq!(
            manager,
            Filter::Compare(urn_path(ENTERPRISE, "manager.value"), CompareOp::Eq, s("x"))
        );
        let given = ok(&format!("{CORE_USER}:name.givenName pr"));
        assert_eq!(
            given,
            Filter::Present(urn_path(CORE_USER, "name.givenName"))
        );
        let upper = ok("URN:IETF:params:scim:schemas:core:2.0:User:userName pr");
        assert_eq!(
            upper,
            Filter::Present(urn_path(
                "URN:IETF:params:scim:schemas:core:2.0:User",
                "userName"
            ))
        );
        let unversioned = ok("urn:acme:ext:costCenter eq \"1\"");
        assert_eq!(
            unversioned,
            Filter::Compare(
                urn_path("urn:acme:ext", "costCenter"),
                CompareOp::Eq,
                s("1")
            )
        );
        let in_brackets = ok(&format!("emails[{CORE_USER}:emails.type eq \"w\"]"));
        assert_eq!(
            in_brackets,
            vp(
                "emails",
                Filter::Compare(urn_path(CORE_USER, "emails.type"), CompareOp::Eq, s("w"))
            )
        );
    }

    #[test]
    fn malformed_urns_are_errors() {
        let whole_schema = err_msg(&format!("{ENTERPRISE} eq \"x\""));
        assert!(
            whole_schema.contains("names a whole schema"),
            "{whole_schema}"
        );
        for bad in [
            "urn:foo:bar pr",
            "urn:a::b:c pr",
            "urn: pr",
            "urn:x:y: pr",
            "urn:x:y:a.b.c pr",
            "urn:x:é:a pr",
        ] {
            assert!(
                matches!(err(bad), FilterError::InvalidAttrPath { .. }),
                "{bad}"
            );
        }
    }

    #[test]
    fn attr_path_is_ignores_case_and_checks_urn() {
        let plain = path("name.givenName");
        assert!(plain.is(CORE_USER, "NAME", Some("givenname")));
        assert!(plain.is("any:schema", "name", Some("givenName")));
        assert!(!plain.is(CORE_USER, "name", None));
        assert!(!plain.is(CORE_USER, "name", Some("familyName")));
        let manager = urn_path(ENTERPRISE, "manager");
        assert!(manager.is(&ENTERPRISE.to_uppercase(), "Manager", None));
        assert!(!manager.is(CORE_USER, "manager", None));
        assert!(!manager.is(ENTERPRISE, "manager", Some("value")));
    }

    #[test]
    fn rfc_patch_paths() {
        assert_eq!(
            ok_path(r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#),
            PatchPath {
                attr: path("members"),
                filter: Some(eq("value", "2819c223-7f76-453a-919d-413861904646")),
                sub_attr: None,
            }
        );
        assert_eq!(
            ok_path(r#"emails[type eq "work" and value ew "example.com"]"#).filter,
            Some(and(
                eq("type", "work"),
                cmp("value", CompareOp::Ew, s("example.com"))
            ))
        );
        assert_eq!(
            ok_path(r#"addresses[type eq "work"].streetAddress"#),
            PatchPath {
                attr: path("addresses"),
                filter: Some(eq("type", "work")),
                sub_attr: Some("streetAddress".into()),
            }
        );
        for plain in ["members", "name.familyName", "name.givenName"] {
            assert_eq!(
                ok_path(plain),
                PatchPath {
                    attr: path(plain),
                    filter: None,
                    sub_attr: None
                }
            );
        }
        assert_eq!(
            ok_path(r#"emails[type eq "work"] .value"#).sub_attr,
            Some("value".into())
        );
    }

    #[test]
    fn urn_patch_paths() {
        assert_eq!(
            ok_path(&format!("{ENTERPRISE}:manager")).attr,
            urn_path(ENTERPRISE, "manager")
        );
        assert_eq!(
            ok_path(&format!("{ENTERPRISE}:manager.value")).attr,
            urn_path(ENTERPRISE, "manager.value")
        );
        assert_eq!(
            ok_path(&format!("{CORE_USER}:name.givenName")).attr,
            urn_path(CORE_USER, "name.givenName")
        );
        let custom = "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User";
        assert_eq!(
            ok_path(&format!("{custom}:CustomAttribute")).attr,
            urn_path(custom, "CustomAttribute")
        );
        let whole = ok_path(ENTERPRISE);
        assert!(whole.attr.is_schema_only());
        assert_eq!(
            whole.attr,
            AttrPath {
                urn: Some(ENTERPRISE.into()),
                attr: String::new(),
                sub_attr: None
            }
        );
        assert!(whole.attr.is(ENTERPRISE, "", None));
        assert_eq!(ok_path("urn:acme:scim:1.0:Ext").attr.attr, "");
        assert!(matches!(
            parse_path(&format!("{ENTERPRISE}[value pr]")),
            Err(FilterError::InvalidAttrPath { .. })
        ));
    }

    #[test]
    fn patch_path_errors() {
        assert_eq!(parse_path(""), Err(FilterError::Empty { what: "path" }));
        let cases = [
            ("name.givenName x", 15),
            (r#"emails[type eq "work"].value.x"#, 22),
            (r#"emails[type eq "work"]value"#, 22),
            (r#"name.x[type eq "work"]"#, 0),
            (r#"emails[a[b pr]]"#, 7),
            ("(a pr)", 0),
            ("emails]", 6),
        ];
        for (input, offset) in cases {
            let message = match parse_path(input) {
                Ok(p) => panic!("{input:?} parsed as {p:?}"),
                Err(e) => e.to_string(),
            };
            assert!(
                message.contains(&format!("offset {offset}")),
                "{input}: {message}"
            );
        }
    }

    #[test]
    fn patch_paths_round_trip_through_display() {
        for input in [
            r#"members[value eq "2819c223-7f76-453a-919d-413861904646"]"#,
            r#"addresses[type eq "work"].streetAddress"#,
            "name.familyName",
            ENTERPRISE,
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value",
        ] {
            let parsed = ok_path(input);
            assert_eq!(ok_path(&parsed.to_string()), parsed, "{input}");
        }
    }

    #[test]
    fn display_is_canonical() {
        assert_eq!(ok(r#"userName EQ "a""#).to_string(), r#"userName eq "a""#);
        assert_eq!(
            ok("((a pr) OR (b pr)) or c pr").to_string(),
            "a pr or b pr or c pr"
        );
        assert_eq!(
            ok("a pr or (b pr or c pr)").to_string(),
            "a pr or (b pr or c pr)"
        );
        assert_eq!(
            ok("(a pr or b pr) and c pr").to_string(),
            "(a pr or b pr) and c pr"
        );
        assert_eq!(
            ok("a pr and (b pr and c pr)").to_string(),
            "a pr and (b pr and c pr)"
        );
        assert_eq!(ok("not(a pr AND b pr)").to_string(), "not (a pr and b pr)");
        assert_eq!(ok("a eq \"\\u00e9\\\"\"").to_string(), "a eq \"é\\\"\"");
        assert_eq!(
            ok("a eq TRUE or b eq Null").to_string(),
            "a eq true or b eq null"
        );
    }

    #[test]
    fn length_limit_is_exact() {
        let at_limit = format!("a eq \"{}\"", "x".repeat(MAX_FILTER_LEN - 7));
        assert_eq!(at_limit.len(), MAX_FILTER_LEN);
        assert!(parse_filter(&at_limit).is_ok());
        let over = format!("{at_limit} ");
        let expected = FilterError::TooLong {
            len: MAX_FILTER_LEN + 1,
            max: MAX_FILTER_LEN,
        };
        assert_eq!(parse_filter(&over), Err(expected.clone()));
        assert_eq!(parse_path(&over), Err(expected));
    }

    #[test]
    fn depth_limit_is_exact() {
        let parens = |n: usize| format!("{}a pr{}", "(".repeat(n), ")".repeat(n));
        let nots = |n: usize| format!("{}a pr{}", "not (".repeat(n), ")".repeat(n));
        let too_deep = FilterError::TooDeep { max: MAX_DEPTH };
        assert!(parse_filter(&parens(MAX_DEPTH)).is_ok());
        assert!(parse_filter(&nots(MAX_DEPTH)).is_ok());
        assert_eq!(parse_filter(&parens(MAX_DEPTH + 1)), Err(too_deep.clone()));
        assert_eq!(parse_filter(&nots(MAX_DEPTH + 1)), Err(too_deep.clone()));
        let bracketed = format!(
            "{}e[a pr]{}",
            "(".repeat(MAX_DEPTH - 1),
            ")".repeat(MAX_DEPTH - 1)
        );
        assert!(parse_filter(&bracketed).is_ok());
        let over = format!("({bracketed})");
        assert_eq!(parse_filter(&over), Err(too_deep.clone()));
        // Unbalanced input counts too: the scan does not wait for closers.
        assert_eq!(parse_filter(&"(".repeat(MAX_DEPTH + 1)), Err(too_deep));
    }

    #[test]
    fn depth_scan_skips_string_literals() {
        let quoted = format!("a eq \"{}\\\"{}\"", "(".repeat(100), "[".repeat(100));
        assert_eq!(
            ok(&quoted),
            eq("a", &format!("{}\"{}", "(".repeat(100), "[".repeat(100)))
        );
    }

    /// Runs the recursive parser without the up-front length and depth scan,
    /// to prove that it refuses deep nesting on its own.
    fn parse_unchecked(input: &str) -> Result<Filter, FilterError> {
        Parser::new(input, "filter")?.whole_filter()
    }

    #[test]
    fn hundred_thousand_open_parentheses_are_refused() {
        let input = "(".repeat(100_000);
        assert!(matches!(
            parse_filter(&input),
            Err(FilterError::TooLong { .. })
        ));
        assert!(matches!(
            parse_path(&input),
            Err(FilterError::TooLong { .. })
        ));
        let too_deep = Err(FilterError::TooDeep { max: MAX_DEPTH });
        assert_eq!(parse_unchecked(&input), too_deep);
    }

    #[test]
    fn ten_thousand_nested_nots_are_refused() {
        let input = format!("{}a pr{}", "not (".repeat(10_000), ")".repeat(10_000));
        assert!(matches!(
            parse_filter(&input),
            Err(FilterError::TooLong { .. })
        ));
        assert_eq!(
            parse_unchecked(&input),
            Err(FilterError::TooDeep { max: MAX_DEPTH })
        );
        let short = format!("{}a pr{}", "not(".repeat(800), ")".repeat(800));
        assert!(short.len() <= MAX_FILTER_LEN);
        assert_eq!(
            parse_filter(&short),
            Err(FilterError::TooDeep { max: MAX_DEPTH })
        );
    }

    #[test]
    fn long_flat_chains_do_not_recurse() {
        let chain = vec!["a pr"; 800].join(" or ");
        let filter = parse_unchecked(&chain).unwrap();
        assert!(matches!(filter, Filter::Or(..)));
    }

    #[test]
    fn error_excerpts_are_bounded() {
        let long = format!("{} pr", "é".repeat(500));
        let message = err_msg(&long);
        assert!(message.chars().count() < 300, "{message}");
    }

    /// xorshift64: deterministic, good enough to shake out panics.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<'t>(&mut self, items: &[&'t str]) -> &'t str {
            items[self.below(items.len())]
        }
    }

    const ALPHABET: &[&str] = &[
        "a",
        "userName",
        "emails",
        "name.givenName",
        "$ref",
        "urn:ietf:params:scim:schemas:core:2.0:User:",
        "urn:x:2.0:User",
        ":",
        ".",
        ".value",
        "eq",
        "EQ",
        "ne",
        "co",
        "sw",
        "gt",
        "le",
        "pr",
        "Pr",
        "and",
        "AND",
        "or",
        "Or",
        "not",
        "NOT",
        "(",
        ")",
        "[",
        "]",
        "\"",
        "\\",
        "\"x\"",
        "\"a\\\"b\"",
        "\"\\u00e9\"",
        "\"\\ud800\"",
        "'x'",
        "1",
        "-3.5e2",
        "01",
        "1e999",
        "true",
        "False",
        "null",
        " ",
        "  ",
        "\t",
        "\n",
        "é",
        "日本",
        "\u{0}",
        "\u{7f}",
        "\u{feff}",
        "𝄞",
    ];

    fn random_tokens(rng: &mut Rng) -> String {
        let count = rng.below(24);
        let mut out = String::new();
        for _ in 0..count {
            out.push_str(rng.pick(ALPHABET));
            if rng.below(3) > 0 {
                out.push(' ');
            }
        }
        out
    }

    fn random_chars(rng: &mut Rng) -> String {
        let count = rng.below(40);
        (0..count)
            .map(|_| match rng.below(4) {
                0 => char::from(rng.below(128) as u8),
                1 => char::from(b"()[]\"\\.: "[rng.below(9)]),
                2 => char::from(rng.below(256) as u8),
                _ => char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{fffd}'),
            })
            .collect()
    }

    /// A valid filter with a few tokens inserted or characters deleted, to
    /// probe the error paths next to valid syntax.
    fn mutated_filter(rng: &mut Rng) -> String {
        let mut chars: Vec<char> = random_filter(rng, 4, false).to_string().chars().collect();
        for _ in 0..rng.below(3) {
            let at = rng.below(chars.len() + 1);
            if rng.below(2) == 0 {
                let end = (at + 1 + rng.below(3)).min(chars.len());
                chars.drain(at.min(end)..end);
            } else {
                chars.splice(at..at, rng.pick(ALPHABET).chars());
            }
        }
        chars.into_iter().collect()
    }

    fn check_no_panic_and_round_trip(input: &str) -> bool {
        if let Ok(patch) = parse_path(input) {
            assert_eq!(ok_path(&patch.to_string()), patch, "{input:?}");
        }
        match parse_filter(input) {
            Ok(filter) => {
                assert_round_trip(&filter);
                true
            }
            Err(_) => false,
        }
    }

    #[test]
    fn random_input_never_panics() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut parsed = 0;
        for _ in 0..20_000 {
            parsed += usize::from(check_no_panic_and_round_trip(&random_tokens(&mut rng)));
            parsed += usize::from(check_no_panic_and_round_trip(&random_chars(&mut rng)));
            parsed += usize::from(check_no_panic_and_round_trip(&mutated_filter(&mut rng)));
        }
        assert!(
            parsed > 2_000,
            "the generators should hit valid filters too ({parsed})"
        );
    }

    fn random_filter(rng: &mut Rng, depth: usize, in_brackets: bool) -> Filter {
        const ATTRS: &[&str] = &["a", "userName", "name.familyName", "$ref", "x-y_1"];
        let leaf = depth == 0 || rng.below(3) == 0;
        let choice = if leaf { rng.below(3) } else { 3 + rng.below(4) };
        let attr = path(rng.pick(ATTRS));
        let sub =
            |rng: &mut Rng| Box::new(random_filter(rng, depth.saturating_sub(1), in_brackets));
        match choice {
            0 => Filter::Present(attr),
            1 => {
                let value = match rng.below(4) {
                    0 => s(rng.pick(&["", "x\"y", "é\n\u{1}", "(["])),
                    1 => num(rng.pick(&["0", "-7", "2.5", "1e300", "-0"])),
                    2 => CompValue::Bool(rng.below(2) == 0),
                    _ => CompValue::Null,
                };
                Filter::Compare(attr, CompareOp::ALL[rng.below(9)], value)
            }
            2 if !in_brackets && attr.sub_attr.is_none() => Filter::ValuePath {
                attr,
                filter: Box::new(random_filter(rng, depth.saturating_sub(1), true)),
            },
            2 => Filter::Present(attr),
            3 => Filter::And(sub(rng), sub(rng)),
            4 => Filter::Or(sub(rng), sub(rng)),
            _ => Filter::Not(sub(rng)),
        }
    }

    #[test]
    fn random_trees_round_trip_through_display() {
        let mut rng = Rng(0x0123_4567_89AB_CDEF);
        for _ in 0..5_000 {
            let filter = random_filter(&mut rng, 6, false);
            assert_round_trip(&filter);
        }
    }
}
