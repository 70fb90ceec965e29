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
mod tests;
