//! LDAP distinguished names: parsing (RFC 4514, plus the older RFC 2253 and
//! RFC 1779 forms that OpenLDAP's slapd still accepts), RFC 4514 formatting
//! with escaping, and the normalized form that entries are compared and
//! hashed by. It owns `Dn`, `Rdn`, `Ava` and `DnError`, and imports no other
//! module of this crate, so it can be tested and fuzzed on its own.

use std::fmt::{self, Write as _};
use std::hash::{Hash, Hasher};
use std::str::FromStr;

/// Longest DN string [`Dn::parse`] accepts, in bytes; bounds the work one
/// hostile request can cause.
pub const MAX_DN_LEN: usize = 8 * 1024;
/// Most RDNs [`Dn::parse`] accepts; real trees are far shallower.
pub const MAX_RDNS: usize = 64;
/// Most attribute value assertions [`Dn::parse`] accepts in one RDN.
pub const MAX_AVAS: usize = 16;

/// Why a DN string was rejected. Offsets are byte offsets into the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DnError {
    #[error("invalid DN: {len} bytes is longer than the limit of {MAX_DN_LEN}")]
    TooLong { len: usize },
    #[error("invalid DN at offset {offset}: more than {MAX_RDNS} RDNs")]
    TooManyRdns { offset: usize },
    #[error("invalid DN at offset {offset}: more than {MAX_AVAS} attribute values in one RDN")]
    TooManyAvas { offset: usize },
    #[error("invalid DN at offset {offset}: expected an attribute type")]
    EmptyType { offset: usize },
    #[error("invalid DN at offset {offset}: invalid character {found:?} in attribute type")]
    BadType { offset: usize, found: char },
    #[error("invalid DN at offset {offset}: expected '=' after attribute type")]
    ExpectedEquals { offset: usize },
    #[error("invalid DN at offset {offset}: {found:?} must be escaped in an attribute value")]
    Unescaped { offset: usize, found: char },
    #[error("invalid DN at offset {offset}: '\\' needs a special character or two hex digits")]
    BadEscape { offset: usize },
    #[error("invalid DN at offset {offset}: value is not valid UTF-8")]
    InvalidUtf8 { offset: usize },
    #[error("invalid DN at offset {offset}: quoted value has no closing '\"'")]
    UnterminatedQuote { offset: usize },
    #[error("invalid DN at offset {offset}: expected ',', ';' or '+' before {found:?}")]
    ExpectedSeparator { offset: usize, found: char },
    #[error("invalid DN at offset {offset}: invalid '#' BER value: {reason}")]
    BadBer { offset: usize, reason: &'static str },
    #[error("invalid DN at offset {offset}: unexpected end, expected {expected}")]
    UnexpectedEnd {
        offset: usize,
        expected: &'static str,
    },
}

/// One `type=value` pair. Derived equality is exact (as written); compare
/// [`Rdn`]s or [`Dn`]s for matching-rule semantics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ava {
    /// Attribute type as written, e.g. `CN` or `2.5.4.3`.
    pub attr: String,
    /// Unescaped UTF-8 value.
    pub value: String,
}

impl Ava {
    /// Whether the type is `attr` (a short name such as `uid`), ignoring case,
    /// aliases and OID forms.
    pub fn attr_is(&self, attr: &str) -> bool {
        attr_key(&self.attr) == attr
    }

    /// `normalize_attr(type)=escape_value(normalize_value(value))`.
    pub fn normalized(&self) -> String {
        let mut out = String::with_capacity(self.attr.len() + self.value.len() + 1);
        self.write_normalized(&mut out);
        out
    }

    /// [`Ava::normalized`] appended to `out`. ASCII values (nearly all) are
    /// folded in place, without the intermediate strings the general path
    /// needs; both give the same text.
    fn write_normalized(&self, out: &mut String) {
        out.push_str(&attr_key(&self.attr));
        out.push('=');
        if !self.value.is_ascii() {
            out.push_str(&escape_value(&normalize_value(&self.value)));
            return;
        }
        let mut first = true;
        for word in self.value.split_whitespace() {
            if !first {
                out.push(' ');
            }
            for (i, b) in word.bytes().enumerate() {
                let ch = char::from(b.to_ascii_lowercase());
                match ch {
                    '\0' => out.push_str("\\00"),
                    ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=' => {
                        out.push('\\');
                        out.push(ch);
                    }
                    '#' if first && i == 0 => out.push_str("\\#"),
                    _ => out.push(ch),
                }
            }
            first = false;
        }
    }
}

impl fmt::Display for Ava {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.attr)?;
        f.write_char('=')?;
        write_escaped(f, &self.value)
    }
}

/// A relative distinguished name: one or more AVAs joined by `+`.
#[derive(Debug, Clone)]
pub struct Rdn {
    avas: Vec<Ava>,
    // Computed once so that equality and hashing of whole DNs stay cheap.
    norm: String,
}

impl Rdn {
    /// A single-valued RDN. `attr` is not validated: it must be a valid
    /// attribute type (as from the schema), or the DN will not re-parse.
    pub fn single(attr: &str, value: &str) -> Rdn {
        Rdn::from_avas(vec![Ava {
            attr: attr.to_owned(),
            value: value.to_owned(),
        }])
    }

    fn from_avas(avas: Vec<Ava>) -> Rdn {
        if let [one] = avas.as_slice() {
            let norm = one.normalized();
            return Rdn { avas, norm };
        }
        // Sorted so that `cn=a+ou=b` and `ou=b+cn=a` are the same RDN.
        let mut keys: Vec<String> = avas.iter().map(Ava::normalized).collect();
        keys.sort_unstable();
        Rdn {
            avas,
            norm: keys.join("+"),
        }
    }

    pub fn avas(&self) -> &[Ava] {
        &self.avas
    }

    /// The value of the first AVA whose type matches `attr`, ignoring case
    /// and treating OIDs and long names like their short names.
    pub fn get(&self, attr: &str) -> Option<&str> {
        let wanted = attr_key(attr);
        self.avas
            .iter()
            .find(|ava| attr_key(&ava.attr) == wanted)
            .map(|ava| ava.value.as_str())
    }

    pub fn normalized(&self) -> &str {
        &self.norm
    }
}

impl fmt::Display for Rdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_joined(f, &self.avas, '+')
    }
}

/// A distinguished name, most specific RDN first; compared and hashed by its
/// normalized form.
#[derive(Clone, Default)]
pub struct Dn {
    rdns: Vec<Rdn>,
    norm: String,
}

impl Dn {
    /// Parses an RFC 4514 string; empty or all-space input is the root DN.
    pub fn parse(s: &str) -> Result<Dn, DnError> {
        if s.len() > MAX_DN_LEN {
            return Err(DnError::TooLong { len: s.len() });
        }
        parse::parse(s).map(Dn::from_rdns)
    }

    pub fn from_rdns(rdns: Vec<Rdn>) -> Dn {
        let mut norm = String::with_capacity(rdns.iter().map(|r| r.norm.len() + 1).sum());
        for (i, rdn) in rdns.iter().enumerate() {
            if i > 0 {
                norm.push(',');
            }
            norm.push_str(&rdn.norm);
        }
        Dn { rdns, norm }
    }

    pub fn root() -> Dn {
        Dn::default()
    }

    pub fn is_root(&self) -> bool {
        self.rdns.is_empty()
    }

    pub fn rdns(&self) -> &[Rdn] {
        &self.rdns
    }

    pub fn len(&self) -> usize {
        self.rdns.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rdns.is_empty()
    }

    /// The leftmost (most specific) RDN.
    pub fn rdn(&self) -> Option<&Rdn> {
        self.rdns.first()
    }

    pub fn parent(&self) -> Option<Dn> {
        self.rdns.get(1..).map(|up| Dn::from_rdns(up.to_vec()))
    }

    /// `rdn` followed by this DN. Not checked against [`MAX_RDNS`], which
    /// only limits what clients may send.
    pub fn child(&self, rdn: Rdn) -> Dn {
        let mut rdns = Vec::with_capacity(self.rdns.len() + 1);
        rdns.push(rdn);
        rdns.extend_from_slice(&self.rdns);
        Dn::from_rdns(rdns)
    }

    /// True if this DN is `base` or below it (every DN is within the root).
    pub fn is_within(&self, base: &Dn) -> bool {
        self.relative_to(base).is_some()
    }

    /// True if this DN is strictly below `base`.
    pub fn is_descendant_of(&self, base: &Dn) -> bool {
        self.len() > base.len() && self.is_within(base)
    }

    /// The RDNs that lead from `base` down to this DN, leftmost first;
    /// empty if the two are equal, `None` if this DN is not within `base`.
    pub fn relative_to(&self, base: &Dn) -> Option<&[Rdn]> {
        let extra = self.rdns.len().checked_sub(base.rdns.len())?;
        let (below, common) = self.rdns.split_at(extra);
        (common == base.rdns.as_slice()).then_some(below)
    }

    /// Canonical key: equal for DNs that name the same entry.
    pub fn normalized(&self) -> String {
        self.norm.clone()
    }

    /// [`Dn::normalized`] without the allocation.
    pub fn normalized_str(&self) -> &str {
        &self.norm
    }
}

impl fmt::Display for Dn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_joined(f, &self.rdns, ',')
    }
}

fn write_joined<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    items: &[T],
    sep: char,
) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_char(sep)?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl fmt::Debug for Dn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Dn({:?})", self.to_string())
    }
}

impl FromStr for Dn {
    type Err = DnError;

    fn from_str(s: &str) -> Result<Dn, DnError> {
        Dn::parse(s)
    }
}

/// Equality and hashing by the cached normalized form, which is what makes
/// differently written spellings of one name the same key.
macro_rules! eq_by_normalized_form {
    ($($ty:ty),*) => {$(
        impl PartialEq for $ty {
            fn eq(&self, other: &Self) -> bool {
                self.norm == other.norm
            }
        }

        impl Eq for $ty {}

        impl Hash for $ty {
            fn hash<H: Hasher>(&self, state: &mut H) {
                self.norm.hash(state);
            }
        }
    )*};
}

eq_by_normalized_form!(Rdn, Dn);

/// Escapes a value for use in a DN string (RFC 4514 §2.4).
pub fn escape_value(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    // Writing into a String cannot fail.
    let _ = write_escaped(&mut out, v);
    out
}

fn write_escaped<W: fmt::Write>(out: &mut W, v: &str) -> fmt::Result {
    for (i, ch) in v.char_indices() {
        let leading = i == 0;
        let trailing = i + ch.len_utf8() == v.len();
        match ch {
            '\0' => out.write_str("\\00")?,
            ',' | '+' | '"' | '\\' | '<' | '>' | ';' | '=' => {
                out.write_char('\\')?;
                out.write_char(ch)?;
            }
            // A leading '#' would read back as BER, and unescaped outer
            // spaces would be trimmed away by the parser.
            '#' if leading => out.write_str("\\#")?,
            ' ' if leading || trailing => out.write_str("\\ ")?,
            _ => out.write_char(ch)?,
        }
    }
    Ok(())
}

/// Canonical spelling of an attribute type: lowercase, without an `OID.`
/// prefix, and the short name for the well-known naming attributes.
pub fn normalize_attr(attr: &str) -> String {
    attr_key(attr).into_owned()
}

/// [`normalize_attr`] without an allocation when the type is already a
/// lowercase short name (`uid`, `ou`, `dc`: what clients nearly always send).
fn attr_key(attr: &str) -> std::borrow::Cow<'_, str> {
    let plain = attr.bytes().all(|b| b.is_ascii_lowercase());
    if plain && attr.len() <= 3 {
        return std::borrow::Cow::Borrowed(attr);
    }
    std::borrow::Cow::Owned(normalize_attr_slow(attr))
}

fn normalize_attr_slow(attr: &str) -> String {
    let lower = attr.to_ascii_lowercase();
    let bare = lower.strip_prefix("oid.").unwrap_or(&lower);
    let short = match bare {
        "2.5.4.3" | "commonname" => "cn",
        "0.9.2342.19200300.100.1.1" | "userid" => "uid",
        "0.9.2342.19200300.100.1.25" | "domaincomponent" => "dc",
        "2.5.4.11" | "organizationalunitname" => "ou",
        "2.5.4.10" | "organizationname" => "o",
        "2.5.4.6" | "countryname" => "c",
        "2.5.4.7" | "localityname" => "l",
        "2.5.4.8" | "stateorprovincename" => "st",
        "2.5.4.9" => "street",
        other => other,
    };
    short.to_owned()
}

/// caseIgnoreMatch-style value key: lowercase, outer whitespace dropped,
/// inner whitespace runs reduced to one space (RFC 4518 insignificant space).
pub fn normalize_value(v: &str) -> String {
    let lower = v.to_lowercase();
    let words: Vec<&str> = lower.split_whitespace().collect();
    words.join(" ")
}

mod parse;

#[cfg(test)]
mod tests;
