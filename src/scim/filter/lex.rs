//! The filter tokenizer, and the limits checked before any token is made:
//! length and nesting are measured in one linear scan so hostile input never
//! reaches the recursive parser.

use super::{FilterError, MAX_DEPTH, MAX_FILTER_LEN};

// Runs before tokenizing so that hostile input costs one linear scan and the
// recursive parser only ever sees bounded nesting.
pub(super) fn check_limits(input: &str) -> Result<(), FilterError> {
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
pub(super) fn max_nesting(input: &str) -> usize {
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
pub(super) enum Kind<'a> {
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
pub(super) struct Token<'a> {
    pub(super) kind: Kind<'a>,
    pub(super) offset: usize,
}

// Every delimiter is ASCII, and UTF-8 never uses ASCII byte values inside a
// multi-byte character, so cutting at delimiters always lands on a char
// boundary.
pub(super) fn is_delimiter(byte: u8) -> bool {
    byte.is_ascii_whitespace() || matches!(byte, b'(' | b')' | b'[' | b']' | b'"')
}

pub(super) struct Lexer<'a> {
    input: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub(super) fn tokenize(input: &'a str) -> Result<Vec<Token<'a>>, FilterError> {
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
