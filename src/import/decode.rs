//! Turns the bytes of an uploaded CSV file into text.
//!
//! Excel and its users produce three encodings in practice: UTF-8 (with a
//! byte-order mark when saved as "CSV UTF-8"), UTF-16 with a byte-order mark
//! ("Unicode text") and the Windows ANSI code page ("CSV (Comma delimited)"
//! on a Western European Windows). A byte-order mark decides; otherwise valid
//! UTF-8 is UTF-8, and anything else is read as Windows-1252 with a warning,
//! because guessing silently would let a mangled "é" into the directory
//! unnoticed. Binary files (old .xls, zip) are refused with a hint. Text that
//! would be larger than `import.max_bytes` once decoded (Windows-1252 letters
//! take up to three bytes in UTF-8) is refused before it is decoded: its size
//! is counted first, through a small buffer.

use std::borrow::Cow;

use encoding_rs::{CoderResult, Encoding, WINDOWS_1252};

use super::read::ReadError;

/// Magic number of OLE compound files: Excel 97-2003 .xls workbooks.
const XLS_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
/// Magic number of zip archives, which .xlsx workbooks are.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";

/// Decoded text (without byte-order mark) and what the user should know
/// about how it was decoded.
#[derive(Debug)]
pub(super) struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub warning: Option<String>,
}

/// Decodes `bytes`, refusing text larger than `limit` bytes once decoded.
pub(super) fn decode(bytes: &[u8], limit: usize) -> Result<Decoded<'_>, ReadError> {
    refuse_binary(bytes)?;
    let decoded = match Encoding::for_bom(bytes) {
        Some((encoding, bom_len)) => {
            let body = &bytes[bom_len..];
            within(encoding, body, limit)?;
            decode_marked(encoding, body)
        }
        None if std::str::from_utf8(bytes).is_err() => {
            within(WINDOWS_1252, bytes, limit)?;
            decode_unmarked(bytes)
        }
        None => decode_unmarked(bytes),
    };
    // NUL never occurs in real CSV text; it does in UTF-16 saved without a
    // byte-order mark and in binary files, where reading on would only
    // produce a baffling "no header" error.
    if decoded.text.contains('\0') {
        return Err(ReadError::NotText(
            "the file contains NUL bytes, so it is not CSV text (UTF-16 without a \
             byte-order mark, or a binary file): save it as \"CSV UTF-8\""
                .into(),
        ));
    }
    Ok(decoded)
}

/// Refuses `body` when it would be larger than `limit` bytes once decoded
/// from `encoding` (even marked UTF-8 grows: each invalid byte becomes a
/// three-byte U+FFFD).
fn within(encoding: &'static Encoding, body: &[u8], limit: usize) -> Result<(), ReadError> {
    if decoded_len(encoding, body, limit) <= limit {
        return Ok(());
    }
    Err(ReadError::DecodedTooLarge {
        encoding: encoding.name(),
        limit,
    })
}

/// How many bytes `body` takes once decoded to UTF-8, counted through a
/// small buffer that is thrown away; counting stops once past `limit`.
fn decoded_len(encoding: &'static Encoding, body: &[u8], limit: usize) -> usize {
    let mut decoder = encoding.new_decoder_without_bom_handling();
    let mut buf = [0u8; 8192];
    let (mut read, mut total) = (0, 0);
    loop {
        let rest = body.get(read..).unwrap_or_default();
        let (result, r, w, _) = decoder.decode_to_utf8(rest, &mut buf, true);
        read += r;
        total += w;
        if total > limit || result == CoderResult::InputEmpty {
            return total;
        }
    }
}

/// Known binary formats get a precise message instead of a decoding attempt.
fn refuse_binary(bytes: &[u8]) -> Result<(), ReadError> {
    if bytes.starts_with(XLS_MAGIC) {
        return Err(ReadError::NotText(
            "this is an Excel 97-2003 (.xls) workbook, which is not supported: \
             save it as .xlsx or as \"CSV UTF-8\""
                .into(),
        ));
    }
    if bytes.starts_with(ZIP_MAGIC) {
        return Err(ReadError::NotText(
            "this is a zip archive (an .xlsx workbook?), not CSV text: upload it as .xlsx".into(),
        ));
    }
    Ok(())
}

/// The byte-order mark names the encoding; invalid sequences are replaced
/// (and reported) rather than refused, so the user sees which rows suffer.
fn decode_marked<'a>(encoding: &'static Encoding, body: &'a [u8]) -> Decoded<'a> {
    let (text, had_errors) = encoding.decode_without_bom_handling(body);
    let warning = had_errors.then(|| {
        format!(
            "the file is marked as {} but contains invalid bytes; they were replaced with '\u{FFFD}'",
            encoding.name()
        )
    });
    Decoded { text, warning }
}

/// No mark: UTF-8 if it is valid (borrowed, no copy), else Windows-1252,
/// which maps every byte and is what Excel writes for "CSV (Comma delimited)".
fn decode_unmarked(bytes: &[u8]) -> Decoded<'_> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Decoded {
            text: Cow::Borrowed(text),
            warning: None,
        },
        Err(_) => Decoded {
            text: WINDOWS_1252.decode_without_bom_handling(bytes).0,
            warning: Some(
                "the file is not valid UTF-8, so it was read as Windows-1252 (Western \
                 European); if accented letters look wrong, save it as \"CSV UTF-8\""
                    .into(),
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut out = if big_endian {
            vec![0xFE, 0xFF]
        } else {
            vec![0xFF, 0xFE]
        };
        for unit in text.encode_utf16() {
            let pair = if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            };
            out.extend_from_slice(&pair);
        }
        out
    }

    #[test]
    fn utf8_is_borrowed_and_bom_dropped() {
        let d = decode("a,é".as_bytes(), 100).unwrap();
        assert!(matches!(d.text, Cow::Borrowed("a,é")));
        let d = decode("\u{feff}a,é".as_bytes(), 100).unwrap();
        assert_eq!(d.text, "a,é");
        assert!(d.warning.is_none());
    }

    #[test]
    fn utf16_both_orders() {
        for be in [false, true] {
            let bytes = utf16("Zoë\tx", be);
            let d = decode(&bytes, 100).unwrap();
            assert_eq!(d.text, "Zoë\tx");
            assert!(d.warning.is_none());
        }
    }

    #[test]
    fn windows_1252_fallback_warns() {
        let d = decode(b"Ren\xe9 \x80", 100).unwrap();
        assert_eq!(d.text, "René €");
        assert!(d.warning.unwrap().contains("Windows-1252"));
    }

    #[test]
    fn the_decoded_size_is_capped() {
        // Six bytes of Windows-1252, each a three-byte letter in UTF-8.
        let euros = b"\x80\x80\x80\x80\x80\x80";
        assert_eq!(decode(euros, 18).unwrap().text.len(), 18);
        let err = decode(euros, 17).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the file is larger than 17 bytes once decoded from windows-1252, the limit \
             (import.max_bytes)"
        );
        let wide = utf16("丁丁丁", false);
        assert!(decode(&wide, 9).is_ok());
        assert!(matches!(
            decode(&wide, 8),
            Err(ReadError::DecodedTooLarge { .. })
        ));
        let mut marked = b"\xEF\xBB\xBF".to_vec();
        marked.extend([0xFF; 10]);
        assert!(decode(&marked, 29).is_err());
        // Counting stops after the first buffer past the limit.
        assert!(decoded_len(WINDOWS_1252, &[0x80; 100_000], 10) <= 8192);
    }

    #[test]
    fn binary_is_refused() {
        for bytes in [XLS_MAGIC, ZIP_MAGIC, &b"L\0o\0g\0"[..]] {
            assert!(matches!(decode(bytes, 100), Err(ReadError::NotText(_))));
        }
    }
}
