//! LDIF content records (RFC 2849), read and written. The reader takes
//! `dn:` then `attr: value`, `attr:: base64`, folded continuation lines,
//! comments, blank-line separators and an optional `version: 1`; change
//! records and `:<` URLs are refused with the line number, since loading
//! must never half-understand a file. Values are bytes (a `jpegPhoto::`
//! need not be text); the DN must be UTF-8. The writer puts a value in
//! base64 when RFC 2849 says it is not a safe string (non-ASCII text, a
//! leading space, colon or `<`, a trailing space, a line break), and
//! always for binary values ([`write_base64`]), and folds lines longer than
//! 76 characters, as slapcat does.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// One entry of the file, with the line its `dn:` is on.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub line: usize,
    pub dn: String,
    /// (attribute description, value bytes), in the order of the file.
    pub attrs: Vec<(String, Vec<u8>)>,
}

impl Record {
    /// Text values of `attr`, compared ignoring case (values that are not
    /// UTF-8 are left out: they are binary, for the LDAP add to decode).
    pub fn values<'a>(&'a self, attr: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.attrs
            .iter()
            .filter(move |(a, _)| a.eq_ignore_ascii_case(attr))
            .filter_map(|(_, v)| std::str::from_utf8(v).ok())
    }

    pub fn first<'a>(&'a self, attr: &'a str) -> Option<&'a str> {
        self.values(attr).next()
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
#[error("line {line}: {message}")]
pub struct LdifError {
    pub line: usize,
    pub message: String,
}

fn err(line: usize, message: impl Into<String>) -> LdifError {
    LdifError {
        line,
        message: message.into(),
    }
}

/// Parses a whole file.
pub fn parse(text: &str) -> Result<Vec<Record>, LdifError> {
    let mut records = Vec::new();
    let mut current: Option<Record> = None;
    for (line_no, line) in unfold(text) {
        if line.is_empty() {
            records.extend(current.take());
            continue;
        }
        let (attr, value) = split(line_no, &line)?;
        match current.as_mut() {
            None if attr.eq_ignore_ascii_case("version") => {}
            None if attr.eq_ignore_ascii_case("dn") => {
                let dn = String::from_utf8(value)
                    .map_err(|_| err(line_no, "the DN is not UTF-8 text"))?;
                current = Some(Record {
                    line: line_no,
                    dn,
                    attrs: Vec::new(),
                })
            }
            None => return Err(err(line_no, format!("expected 'dn:', found '{attr}:'"))),
            Some(_) if attr.eq_ignore_ascii_case("changetype") => {
                return Err(err(
                    line_no,
                    "change records are not supported; give entries (content records)",
                ));
            }
            Some(r) => r.attrs.push((attr, value)),
        }
    }
    records.extend(current);
    Ok(records)
}

/// Joins folded lines (a continuation starts with one space) and drops
/// comments; yields (first line number, logical line), "" between records.
fn unfold(text: &str) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = Vec::new();
    let mut in_comment = false;
    for (i, raw) in text.lines().enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(rest) = raw.strip_prefix(' ') {
            if !in_comment && let Some(last) = out.last_mut() {
                last.1.push_str(rest);
            }
            continue;
        }
        in_comment = raw.starts_with('#');
        if in_comment {
            continue;
        }
        out.push((i + 1, raw.to_owned()));
    }
    out
}

fn split(line_no: usize, line: &str) -> Result<(String, Vec<u8>), LdifError> {
    let Some((attr, rest)) = line.split_once(':') else {
        return Err(err(line_no, "expected 'attribute: value'"));
    };
    let attr = attr.trim().to_owned();
    if attr.is_empty() {
        return Err(err(line_no, "empty attribute name"));
    }
    let value = if let Some(b64) = rest.strip_prefix(':') {
        STANDARD
            .decode(b64.trim())
            .map_err(|e| err(line_no, format!("bad base64 value for {attr}: {e}")))?
    } else if rest.starts_with('<') {
        return Err(err(
            line_no,
            format!("URL values ({attr}:<) are not supported"),
        ));
    } else {
        rest.trim_start().as_bytes().to_vec()
    };
    Ok((attr, value))
}

/// Lines are folded past this many characters.
const WIDTH: usize = 76;

/// Appends one entry, then a blank line, to `out`.
pub fn write_record<'a>(
    out: &mut String,
    dn: &str,
    attrs: impl IntoIterator<Item = (&'a str, &'a [String])>,
) {
    write_value(out, "dn", dn);
    for (name, values) in attrs {
        for v in values {
            write_value(out, name, v);
        }
    }
    end_record(out);
}

/// `name: value`, or `name:: base64` when the value is not a safe string.
pub fn write_value(out: &mut String, name: &str, value: &str) {
    if safe(value) {
        fold(out, &format!("{name}: {value}"));
    } else {
        write_base64(out, name, value.as_bytes());
    }
}

/// `name:: base64`, whatever the bytes: how binary values are written.
pub fn write_base64(out: &mut String, name: &str, value: &[u8]) {
    fold(out, &format!("{name}:: {}", STANDARD.encode(value)));
}

/// The blank line that ends an entry.
pub fn end_record(out: &mut String) {
    out.push('\n');
}

/// RFC 2849's SAFE-STRING (ASCII without NUL, LF and CR, not starting with
/// a space, `:` or `<`), not ending with a space either.
fn safe(value: &str) -> bool {
    let bytes = value.as_bytes();
    let init_ok = bytes
        .first()
        .is_none_or(|b| !matches!(b, b' ' | b':' | b'<'));
    init_ok
        && !value.ends_with(' ')
        && bytes
            .iter()
            .all(|b| b.is_ascii() && !matches!(b, 0 | b'\n' | b'\r'))
}

/// Writes `line` (ASCII) folded: continuation lines start with one space.
fn fold(out: &mut String, line: &str) {
    let mut rest = line;
    let mut width = WIDTH;
    loop {
        if rest.len() <= width {
            out.push_str(rest);
            out.push('\n');
            return;
        }
        let (head, tail) = rest.split_at(width);
        out.push_str(head);
        out.push_str("\n ");
        rest = tail;
        width = WIDTH - 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_folding_base64_and_comments() {
        let text = "version: 1\n# a comment\n#  folded comment\ndn: uid=a,ou=x,dc=e\nobjectClass: inetOrgPerson\ncn: Alice\n  Smith\nuserPassword:: e1NTSEF9eHl6\n\n\ndn: ou=x,dc=e\r\nou: x\r\n";
        let r = parse(text).unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].line, 4);
        assert_eq!(r[0].first("CN"), Some("Alice Smith"));
        assert_eq!(r[0].first("userpassword"), Some("{SSHA}xyz"));
        assert_eq!(r[1].dn, "ou=x,dc=e");
    }

    #[test]
    fn binary_values_are_read_as_bytes() {
        let photo: Vec<u8> = (0..=255).collect();
        let mut out = String::new();
        write_value(&mut out, "dn", "uid=a,dc=e");
        write_base64(&mut out, "jpegPhoto", &photo);
        write_base64(&mut out, "description", b"plain");
        end_record(&mut out);
        assert!(out.contains("\ndescription:: cGxhaW4=\n"), "{out}");
        let r = parse(&out).unwrap();
        assert_eq!(r[0].attrs[0], ("jpegPhoto".to_owned(), photo));
        // Text lookups skip what is not text.
        assert_eq!(r[0].first("jpegPhoto"), None);
        assert_eq!(r[0].first("description"), Some("plain"));
        let not_text = format!("dn:: {}\n", STANDARD.encode([0xff, 0xfe]));
        assert!(parse(&not_text).unwrap_err().message.contains("UTF-8"));
    }

    #[test]
    fn errors_carry_line_numbers() {
        assert_eq!(parse("cn: x\n").unwrap_err().line, 1);
        let e = parse("dn: a=b\nchangetype: add\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().contains("change records"));
        assert_eq!(parse("dn: a=b\nnocolon\n").unwrap_err().line, 2);
        assert_eq!(
            parse("dn: a=b\njpegPhoto:< file:///x\n").unwrap_err().line,
            2
        );
    }

    #[test]
    fn written_records_read_back_the_same() {
        let long = "x".repeat(200);
        let values = [
            ("cn".to_owned(), vec!["Zoë".to_owned(), " lead".to_owned()]),
            (
                "description".to_owned(),
                vec![long, "two\nlines".to_owned()],
            ),
            (
                "title".to_owned(),
                vec!["plain: ok".to_owned(), ":colon".to_owned()],
            ),
            (
                "l".to_owned(),
                vec!["<angle".to_owned(), "trailing ".to_owned()],
            ),
        ];
        let mut out = String::new();
        let attrs = values.iter().map(|(n, v)| (n.as_str(), v.as_slice()));
        write_record(&mut out, "cn=Zoë,dc=e", attrs);
        assert!(
            out.lines().all(|l| l.len() <= WIDTH && l.is_ascii()),
            "{out}"
        );
        assert!(out.contains("\ntitle: plain: ok\n"), "{out}");
        assert!(out.starts_with("dn:: "), "{out}");
        let back = parse(&out).unwrap();
        assert_eq!(back.len(), 1);
        assert_eq!(back[0].dn, "cn=Zoë,dc=e");
        let flat: Vec<(String, Vec<u8>)> = values
            .iter()
            .flat_map(|(n, vs)| vs.iter().map(move |v| (n.clone(), v.clone().into_bytes())))
            .collect();
        assert_eq!(back[0].attrs, flat);
    }
}
