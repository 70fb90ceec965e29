//! Attribute paths (`[urn:]attr[.subAttr]`) and names, and the error values
//! the parser builds, with bounded excerpts of client input.

use super::lex::{Kind, Token};
use super::{AttrPath, FilterError};

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum UrnOnly {
    Allowed,
    Rejected,
}

pub(super) fn parse_attr_path(
    word: &str,
    offset: usize,
    urn_only: UrnOnly,
) -> Result<AttrPath, FilterError> {
    attr_path(word, urn_only).map_err(|reason| invalid_attr_path(word, offset, reason))
}

pub(super) fn attr_path(word: &str, urn_only: UrnOnly) -> Result<AttrPath, &'static str> {
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
pub(super) fn names_whole_schema(word: &str) -> bool {
    let mut segments = word.rsplit(':');
    segments.next();
    segments.next().is_some_and(is_version)
}

pub(super) fn is_version(segment: &str) -> bool {
    segment
        .split('.')
        .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()))
}

pub(super) fn check_urn(urn: &str) -> Result<(), &'static str> {
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

pub(super) fn attr_names(text: &str) -> Result<(String, Option<String>), &'static str> {
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
pub(super) fn check_name(name: &str) -> Result<(), &'static str> {
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

pub(super) fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

pub(super) fn invalid_attr_path(word: &str, offset: usize, reason: &'static str) -> FilterError {
    FilterError::InvalidAttrPath {
        offset,
        path: excerpt(word),
        reason,
    }
}

pub(super) fn missing_operator(attr_word: &str, found: Token<'_>) -> FilterError {
    FilterError::MissingOperator {
        attr: excerpt(attr_word),
        offset: found.offset,
        found: describe(found),
    }
}

pub(super) fn unexpected(found: Token<'_>, expected: &'static str) -> FilterError {
    FilterError::Unexpected {
        offset: found.offset,
        expected,
        found: describe(found),
    }
}

pub(super) fn describe(token: Token<'_>) -> String {
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
pub(super) fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 100;
    let mut short: String = text.chars().take(MAX_CHARS).collect();
    if text.chars().nth(MAX_CHARS).is_some() {
        short.push('…');
    }
    short
}
