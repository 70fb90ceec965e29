//! The RFC 4514 parser behind [`Dn::parse`](super::Dn::parse): a byte cursor
//! over the input that yields RDNs of unescaped AVAs, accepting the RFC 2253
//! and RFC 1779 forms slapd still takes (`;` separators, quoted values, `#`
//! BER values, OID-prefixed types), bounded by the limits in the parent module.

use super::*;

/// Parses a whole DN string into its RDNs, most specific first.
pub(super) fn parse(s: &str) -> Result<Vec<Rdn>, DnError> {
    Cursor { src: s, pos: 0 }.dn()
}

/// Byte cursor over the input. Working on bytes means no slice can land
/// inside a multi-byte character; `src` is kept to name characters in errors.
struct Cursor<'a> {
    src: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn peek_next(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos + 1).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        self.pos += usize::from(hit);
        hit
    }

    fn skip_while(&mut self, pred: impl Fn(u8) -> bool) {
        while self.peek().is_some_and(&pred) {
            self.pos += 1;
        }
    }

    fn skip_spaces(&mut self) {
        self.skip_while(|b| b == b' ');
    }

    fn current_char(&self) -> Option<char> {
        self.src
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
    }

    fn dn(&mut self) -> Result<Vec<Rdn>, DnError> {
        let mut rdns = Vec::new();
        self.skip_spaces();
        if self.peek().is_none() {
            return Ok(rdns);
        }
        loop {
            if rdns.len() == MAX_RDNS {
                return Err(DnError::TooManyRdns { offset: self.pos });
            }
            rdns.push(self.rdn()?);
            // ';' is the RFC 2253 alternative separator.
            if !(self.eat(b',') || self.eat(b';')) {
                return self.at_end_of_value().map(|()| rdns);
            }
            self.skip_spaces();
        }
    }

    fn rdn(&mut self) -> Result<Rdn, DnError> {
        let mut avas = Vec::new();
        loop {
            if avas.len() == MAX_AVAS {
                return Err(DnError::TooManyAvas { offset: self.pos });
            }
            avas.push(self.ava()?);
            if !self.eat(b'+') {
                return Ok(Rdn::from_avas(avas));
            }
            self.skip_spaces();
        }
    }

    fn ava(&mut self) -> Result<Ava, DnError> {
        let attr = self.attr_type()?;
        self.skip_spaces();
        if !self.eat(b'=') {
            return Err(DnError::ExpectedEquals { offset: self.pos });
        }
        self.skip_spaces();
        let value = match self.peek() {
            Some(b'#') => self.ber_value()?,
            Some(b'"') => self.quoted_value()?,
            _ => self.string_value()?,
        };
        Ok(Ava { attr, value })
    }

    fn attr_type(&mut self) -> Result<String, DnError> {
        let start = self.pos;
        match self.peek() {
            Some(b) if b.is_ascii_alphabetic() => self.descr()?,
            Some(b) if b.is_ascii_digit() => self.numericoid()?,
            None | Some(b'=' | b',' | b';' | b'+') => {
                return Err(DnError::EmptyType { offset: start });
            }
            Some(_) => return Err(self.type_error()),
        }
        match self.peek() {
            None | Some(b' ' | b'=' | b',' | b';' | b'+') => {
                let written = self.src.get(start..self.pos).unwrap_or_default();
                Ok(written.to_owned())
            }
            Some(_) => Err(self.type_error()),
        }
    }

    fn descr(&mut self) -> Result<(), DnError> {
        let start = self.pos;
        self.skip_while(|b| b.is_ascii_alphanumeric() || b == b'-');
        let word = self.src.get(start..self.pos).unwrap_or_default();
        // RFC 1779 wrote OIDs as "OID.2.5.4.3".
        if word.eq_ignore_ascii_case("oid") && self.eat(b'.') {
            return self.numericoid();
        }
        Ok(())
    }

    fn numericoid(&mut self) -> Result<(), DnError> {
        loop {
            if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
                return Err(self.type_error());
            }
            self.skip_while(|b| b.is_ascii_digit());
            if !self.eat(b'.') {
                return Ok(());
            }
        }
    }

    fn type_error(&self) -> DnError {
        match self.current_char() {
            Some(found) => DnError::BadType {
                offset: self.pos,
                found,
            },
            None => DnError::UnexpectedEnd {
                offset: self.pos,
                expected: "a digit",
            },
        }
    }

    fn string_value(&mut self) -> Result<String, DnError> {
        let start = self.pos;
        let mut buf = ValueBuf::default();
        while let Some(b) = self.peek() {
            match b {
                b',' | b';' | b'+' => break,
                b'\\' => buf.keep(self.escape()?),
                b'"' | b'<' | b'>' | 0 => {
                    let found = char::from(b);
                    return Err(DnError::Unescaped {
                        offset: self.pos,
                        found,
                    });
                }
                _ => {
                    self.pos += 1;
                    if b == b' ' {
                        buf.space();
                    } else {
                        buf.keep(b);
                    }
                }
            }
        }
        buf.finish(start)
    }

    /// RFC 1779/2253 quoted value: everything up to the closing quote is
    /// literal, spaces included, except that `\` escapes still apply.
    fn quoted_value(&mut self) -> Result<String, DnError> {
        let open = self.pos;
        self.pos += 1;
        let mut buf = ValueBuf::default();
        loop {
            match self.peek() {
                None => return Err(DnError::UnterminatedQuote { offset: open }),
                Some(b'"') => break,
                Some(b'\\') => buf.keep(self.escape()?),
                Some(b) => {
                    self.pos += 1;
                    buf.keep(b);
                }
            }
        }
        self.pos += 1;
        self.skip_spaces();
        self.at_end_of_value()?;
        buf.finish(open)
    }

    /// Consumes a `\` escape and returns the byte it stands for.
    fn escape(&mut self) -> Result<u8, DnError> {
        let bad = DnError::BadEscape { offset: self.pos };
        self.pos += 1;
        let Some(first) = self.peek() else {
            return Err(bad);
        };
        if let Some(hi) = hex_digit(first) {
            let lo = self.peek_next().and_then(hex_digit).ok_or(bad)?;
            self.pos += 2;
            return Ok(hi << 4 | lo);
        }
        if !b" \"#+,;<=>\\".contains(&first) {
            return Err(bad);
        }
        self.pos += 1;
        Ok(first)
    }

    /// `#` followed by the hex of a BER-encoded string (RFC 4514 §2.4).
    fn ber_value(&mut self) -> Result<String, DnError> {
        let start = self.pos;
        self.pos += 1;
        let mut der = Vec::new();
        while let Some(hi) = self.peek().and_then(hex_digit) {
            let Some(lo) = self.peek_next().and_then(hex_digit) else {
                let reason = "odd number of hex digits";
                return Err(DnError::BadBer {
                    offset: self.pos,
                    reason,
                });
            };
            der.push(hi << 4 | lo);
            self.pos += 2;
        }
        self.skip_spaces();
        self.at_end_of_value()?;
        decode_ber_string(&der).map_err(|reason| DnError::BadBer {
            offset: start,
            reason,
        })
    }

    fn at_end_of_value(&self) -> Result<(), DnError> {
        match self.current_char() {
            None | Some(',' | ';' | '+') => Ok(()),
            Some(found) => Err(DnError::ExpectedSeparator {
                offset: self.pos,
                found,
            }),
        }
    }
}

/// Collects value bytes, remembering where the last significant byte ended
/// so that unescaped trailing spaces can be dropped and escaped ones kept.
#[derive(Default)]
struct ValueBuf {
    bytes: Vec<u8>,
    kept: usize,
}

impl ValueBuf {
    fn keep(&mut self, b: u8) {
        self.bytes.push(b);
        self.kept = self.bytes.len();
    }

    fn space(&mut self) {
        self.bytes.push(b' ');
    }

    /// Hex escapes can produce any byte, so UTF-8 is only checked here.
    fn finish(mut self, offset: usize) -> Result<String, DnError> {
        self.bytes.truncate(self.kept);
        String::from_utf8(self.bytes).map_err(|_| DnError::InvalidUtf8 { offset })
    }
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes a DER string whose contents are UTF-8. Other types (and binary
/// contents) are rejected rather than kept as opaque bytes, because values
/// here are UTF-8 strings.
fn decode_ber_string(der: &[u8]) -> Result<String, &'static str> {
    let (&tag, rest) = der.split_first().ok_or("no hex digits after '#'")?;
    // OCTET STRING, UTF8String, PrintableString, TeletexString, IA5String.
    if !matches!(tag, 0x04 | 0x0c | 0x13 | 0x14 | 0x16) {
        return Err("not a string type");
    }
    let (len, body) = ber_length(rest)?;
    if body.len() != len {
        return Err("length does not match contents");
    }
    String::from_utf8(body.to_vec()).map_err(|_| "contents are not UTF-8")
}

/// Short or long (up to 4 length bytes) definite form; returns the length
/// and the bytes after it.
fn ber_length(b: &[u8]) -> Result<(usize, &[u8]), &'static str> {
    let (&first, rest) = b.split_first().ok_or("missing length")?;
    if first < 0x80 {
        return Ok((usize::from(first), rest));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 || count > 4 {
        return Err("unsupported length form");
    }
    let (len_bytes, body) = rest.split_at_checked(count).ok_or("truncated length")?;
    let len = len_bytes
        .iter()
        .fold(0usize, |acc, &b| acc << 8 | usize::from(b));
    Ok((len, body))
}
