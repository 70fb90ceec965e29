//! Keeps an .xlsx upload within `import.max_bytes` once uncompressed, before
//! calamine reads any of it.
//!
//! An .xlsx file is a zip archive, and its parts (the sheet, the shared
//! strings, the styles) may inflate a thousandfold: a 1 MB upload can hold a
//! 1 GB sheet, which calamine would read whole. So every part is checked
//! twice here, with the zip crate alone: first its size as the archive's
//! central directory declares it (nothing is inflated), then its size counted
//! while inflating it into nothing, because declared sizes are written by
//! whoever made the file and can lie. The shared strings part is also read
//! as XML up to its `<sst>` tag, whose `uniqueCount` calamine reserves room
//! for before it reads a string: a few bytes announcing billions of strings
//! would make it ask for gigabytes, and a failed allocation aborts the
//! process. Every other part goes, in the same pass, through `xlsx_refs`,
//! which keeps its cell references within the sheet. Only then does calamine
//! open the workbook, and it reads parts that are known to be small and
//! references it can count. This module knows nothing of cells or rows.

use std::io::{self, Cursor, Read};

use quick_xml::events::Event;
use zip::ZipArchive;
use zip::result::ZipError;

use super::read::ReadError;

/// The archive as a whole may hold this many times `import.max_bytes` once
/// uncompressed. A workbook has several parts (one per sheet, the shared
/// strings, styles, pictures), so the whole may exceed one part's limit; but
/// entries of a zip archive may share one compressed stream, and bounding the
/// sum bounds the work of inflating them all.
pub(super) const WORKBOOK_FACTOR: u64 = 4;

/// Longest part name repeated in a message: names come from the upload.
const NAME_SHOWN: usize = 80;

/// The fewest bytes of XML a shared string takes (`<si/>` is five): a shared
/// strings part announcing more strings than its size over this lies.
const MIN_STRING_XML: u64 = 4;

/// The limits of one archive and what has been counted against them.
struct Budget {
    part: u64,
    total: u64,
    used: u64,
}

impl Budget {
    fn new(limit: usize) -> Budget {
        let part = u64::try_from(limit).unwrap_or(u64::MAX);
        Budget {
            part,
            total: part.saturating_mul(WORKBOOK_FACTOR),
            used: 0,
        }
    }

    /// Counts `size` bytes of the part `name`.
    fn count(&mut self, name: &str, size: u64) -> Result<(), ReadError> {
        if size > self.part {
            return Err(ReadError::PartTooLarge {
                part: shown(name),
                limit: self.part,
            });
        }
        self.used = self.used.saturating_add(size);
        if self.used > self.total {
            return Err(ReadError::WorkbookTooLarge { limit: self.total });
        }
        Ok(())
    }
}

/// Refuses a workbook any part of which is larger than `limit` bytes once
/// uncompressed, or whose parts together are larger than
/// [`WORKBOOK_FACTOR`] times it.
pub(super) fn check_parts(bytes: &[u8], limit: usize) -> Result<(), ReadError> {
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
    check_declared(&mut zip, Budget::new(limit))?;
    check_inflated(&mut zip, Budget::new(limit))
}

/// The sizes the central directory declares: free to check, so a plain
/// zip bomb is refused before a byte of it is inflated.
fn check_declared(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    mut budget: Budget,
) -> Result<(), ReadError> {
    for index in 0..zip.len() {
        let part = zip.by_index_raw(index).map_err(zip_error)?;
        budget.count(&name_of(part.name_raw()), part.size())?;
    }
    Ok(())
}

/// The sizes the parts really inflate to, counted a buffer at a time and
/// thrown away: at most one byte past the limit of a part is ever inflated.
fn check_inflated(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    mut budget: Budget,
) -> Result<(), ReadError> {
    for index in 0..zip.len() {
        let mut part = zip.by_index(index).map_err(zip_error)?;
        let name = name_of(part.name_raw());
        let size = inflated_size(&mut part, &name, budget.part)?;
        budget.count(&name, size)?;
    }
    Ok(())
}

/// Inflates one part into nothing, up to one byte past `limit`, and returns
/// how many bytes came out; a shared strings part must not announce more
/// strings than that many bytes can hold, and any other part (a worksheet may
/// have any name) must hold only cell references within the sheet.
fn inflated_size(part: &mut impl Read, name: &str, limit: u64) -> Result<u64, ReadError> {
    let unreadable = |e: String| ReadError::Xlsx(format!("part {}: {e}", shown(name)));
    let mut counted = Counted {
        inner: part.take(limit.saturating_add(1)),
        bytes: 0,
    };
    let announced = if is_shared_strings(name) {
        announced_strings(&mut counted).map_err(unreadable)?
    } else {
        super::xlsx_refs::check(&mut counted).map_err(unreadable)?;
        0
    };
    io::copy(&mut counted, &mut io::sink()).map_err(|e| unreadable(e.to_string()))?;
    let size = counted.bytes;
    if size <= limit && announced > u128::from(size / MIN_STRING_XML) {
        return Err(unreadable(
            "it announces more shared strings than it holds".into(),
        ));
    }
    Ok(size)
}

/// Counts the bytes read through it.
struct Counted<R> {
    inner: R,
    bytes: u64,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes = self.bytes.saturating_add(n as u64);
        Ok(n)
    }
}

/// The part calamine reads its shared strings from, whatever folder the
/// workbook is in and however the name is cased (calamine looks names up
/// ignoring case and slash direction).
fn is_shared_strings(name: &str) -> bool {
    name.replace('\\', "/")
        .to_ascii_lowercase()
        .ends_with("sharedstrings.xml")
}

/// An XML reader over a part, configured as calamine 0.38 configures its
/// own, so that a check here sees the tags calamine will see.
pub(super) fn calamine_xml<R: Read>(text: R) -> quick_xml::Reader<io::BufReader<R>> {
    let mut xml = quick_xml::Reader::from_reader(io::BufReader::new(text));
    let config = xml.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    xml
}

/// The `uniqueCount` of the first `<sst>` start tag, read by the XML reader
/// calamine uses, configured as calamine configures it, so both see the same
/// tag. XML that does not parse is refused: calamine reads the whole part
/// and would refuse it too.
fn announced_strings(text: impl Read) -> Result<u128, String> {
    let mut xml = calamine_xml(text);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match xml.read_event_into(&mut buf).map_err(|e| e.to_string())? {
            Event::Start(tag) | Event::Empty(tag) if tag.local_name().as_ref() == "sst" => {
                return Ok(unique_count(tag.attributes_raw()));
            }
            Event::Eof => return Ok(0),
            _ => {}
        }
    }
}

/// The largest number any `uniqueCount` attribute in `attributes` could be
/// read as: every digit of its value, so that no way of parsing it (a sign,
/// a separator) yields more. Several are all looked at.
fn unique_count(attributes: &str) -> u128 {
    attributes
        .split("uniqueCount")
        .skip(1)
        .filter_map(|rest| {
            let rest = rest.trim_start().strip_prefix('=')?.trim_start();
            let quote = rest.chars().next().filter(|c| matches!(c, '"' | '\''))?;
            let value = rest[1..].split(quote).next()?;
            Some(
                value
                    .bytes()
                    .filter(u8::is_ascii_digit)
                    .fold(0u128, |n, d| {
                        n.saturating_mul(10).saturating_add(u128::from(d - b'0'))
                    }),
            )
        })
        .max()
        .unwrap_or(0)
}

fn zip_error(e: ZipError) -> ReadError {
    ReadError::Xlsx(e.to_string())
}

/// A part name as stored, whatever its encoding.
fn name_of(raw: &[u8]) -> String {
    String::from_utf8_lossy(raw).into_owned()
}

/// A part name as a message may repeat it.
fn shown(name: &str) -> String {
    match name.char_indices().nth(NAME_SHOWN) {
        Some((end, _)) => format!("{}…", &name[..end]),
        None => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use zip::write::{SimpleFileOptions, ZipWriter};

    fn archive(parts: &[(&str, &[u8])]) -> Vec<u8> {
        let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
        for (name, body) in parts {
            zip.start_file(*name, SimpleFileOptions::default()).unwrap();
            zip.write_all(body).unwrap();
        }
        zip.finish().unwrap().into_inner()
    }

    #[test]
    fn each_part_and_the_whole_are_capped() {
        let small = vec![b'a'; 100];
        let big = vec![b'a'; 101];
        assert!(check_parts(&archive(&[("a.xml", &small)]), 100).is_ok());
        let err = check_parts(&archive(&[("a.xml", &small), ("b.xml", &big)]), 100).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the workbook part b.xml is larger than 100 bytes once uncompressed, the limit \
             (import.max_bytes)"
        );
        let five: Vec<(String, &[u8])> = (0..5).map(|i| (format!("{i}.xml"), &small[..])).collect();
        let named: Vec<(&str, &[u8])> = five.iter().map(|(n, b)| (n.as_str(), *b)).collect();
        let err = check_parts(&archive(&named), 100).unwrap_err();
        assert!(
            matches!(err, ReadError::WorkbookTooLarge { limit: 400 }),
            "{err:?}"
        );
    }

    /// A part whose central directory entry declares fewer bytes than it
    /// holds is refused while it is inflated.
    #[test]
    fn a_part_that_lies_about_its_size_is_counted() {
        let body = vec![b'a'; 5000];
        let mut bytes = archive(&[("sheet.xml", &body)]);
        let declared = 5000u32.to_le_bytes();
        let small = 10u32.to_le_bytes();
        // The uncompressed size in the local header (offset 22) and in the
        // central directory entry (offset 24 from its signature).
        bytes[22..26].copy_from_slice(&small);
        let central = bytes.windows(4).rposition(|w| w == b"PK\x01\x02").unwrap();
        assert_eq!(bytes[central + 24..central + 28], declared);
        bytes[central + 24..central + 28].copy_from_slice(&small);
        let err = check_parts(&bytes, 1000).unwrap_err();
        assert!(matches!(err, ReadError::Xlsx(_)), "{err:?}");
        assert!(err.to_string().contains("sheet.xml"), "{err}");
    }

    #[test]
    fn announced_string_counts() {
        assert_eq!(unique_count(r#" count="3" uniqueCount="2""#), 2);
        assert_eq!(unique_count(r#" uniqueCount = '+4_000' x="9""#), 4000);
        assert_eq!(unique_count(r#" uniqueCount="1" uniqueCount="70""#), 70);
        assert_eq!(
            unique_count(&format!(r#" uniqueCount="{}""#, "9".repeat(60))),
            u128::MAX
        );
        assert_eq!(unique_count(r#" count="5""#), 0);
        let sst = |count: &str| {
            format!(
                "<?xml version=\"1.0\"?><!-- <sst uniqueCount=\"1\"> --><x:sst xmlns:x=\"a\" \
                 uniqueCount=\"{count}\"><x:si><x:t>a</x:t></x:si></x:sst>"
            )
        };
        let small = sst("1");
        assert_eq!(announced_strings(small.as_bytes()), Ok(1));
        let parts = |sst: &str| archive(&[("xl/SharedStrings.xml", sst.as_bytes())]);
        assert!(check_parts(&parts(&small), 1000).is_ok());
        let err = check_parts(&parts(&sst("4000000000")), 1000).unwrap_err();
        assert!(
            err.to_string().contains("announces more shared strings"),
            "{err}"
        );
        assert!(announced_strings(&b"<!-- <sst uniqueCount=\"9\">"[..]).is_err());
    }

    #[test]
    fn long_names_are_cut() {
        let name = "x".repeat(200);
        assert_eq!(shown(&name).chars().count(), NAME_SHOWN + 1);
        assert_eq!(shown("a.xml"), "a.xml");
    }
}
