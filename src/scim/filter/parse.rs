//! The recursive-descent parser over the token list: filters, value filters
//! and PATCH paths. Every recursion passes through `Parser::nested`, which
//! bounds the stack.

use super::lex::{Kind, Lexer, Token};
use super::path::{
    UrnOnly, check_name, describe, excerpt, invalid_attr_path, missing_operator, parse_attr_path,
    unexpected,
};
use super::{AttrPath, CompValue, CompareOp, Filter, FilterError, MAX_DEPTH, PatchPath};

/// Recursive descent over the token list; every recursion goes through
/// [`Parser::nested`], which is what bounds the stack.
pub(super) struct Parser<'a> {
    tokens: Vec<Token<'a>>,
    pos: usize,
    depth: usize,
    in_brackets: bool,
}

impl<'a> Parser<'a> {
    pub(super) fn new(input: &'a str, what: &'static str) -> Result<Self, FilterError> {
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

    pub(super) fn whole_filter(mut self) -> Result<Filter, FilterError> {
        let filter = self.filter()?;
        self.expect_end("'and', 'or' or end of input")?;
        Ok(filter)
    }

    pub(super) fn whole_path(mut self) -> Result<PatchPath, FilterError> {
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

pub(super) fn decode_string(raw: &str, offset: usize) -> Result<String, FilterError> {
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

pub(super) fn word_value(word: &str, offset: usize) -> Result<CompValue, FilterError> {
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
