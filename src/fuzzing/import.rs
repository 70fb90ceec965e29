//! The import fuzz targets: a CSV file and an XLSX workbook read by the
//! importer's reader, with small limits so that one input stays cheap.
//!
//! A mutated zip archive mostly fails its checksums before any XML is read,
//! so an XLSX input that does not start like a zip archive is a list of
//! parts instead (`name` NUL `body`, parts separated by NUL NUL), which the
//! target packs into a workbook: then the mutations land in the XML that
//! calamine and our limits parse.

use crate::import::read::{Format, Limits, read};
use std::io::Write;
use zip::write::SimpleFileOptions;

/// Small enough that one input takes milliseconds at most.
fn limits() -> Limits {
    Limits {
        max_rows: 1_000,
        max_bytes: 1 << 20,
    }
}

pub fn import_csv(data: &[u8]) {
    let _ = read(data, Format::Csv, &limits());
}

pub fn import_xlsx(data: &[u8]) {
    if data.starts_with(b"PK") {
        let _ = read(data, Format::Xlsx, &limits());
    } else if let Some(packed) = pack(data) {
        let _ = read(&packed, Format::Xlsx, &limits());
    }
}

/// Packs `name\0body\0\0name\0body…` into a zip archive, stored.
pub fn pack(data: &[u8]) -> Option<Vec<u8>> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for part in split(data, b"\0\0") {
        let (name, body) = match part.iter().position(|b| *b == 0) {
            Some(i) => (&part[..i], &part[i + 1..]),
            None => (part, &[][..]),
        };
        let name = std::str::from_utf8(name).ok()?;
        zip.start_file(name, stored).ok()?;
        zip.write_all(body).ok()?;
    }
    Some(zip.finish().ok()?.into_inner())
}

/// `data` cut at each `sep`.
fn split<'a>(mut data: &'a [u8], sep: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + 'a {
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        match data.windows(sep.len()).position(|w| w == sep) {
            Some(i) => {
                let (part, rest) = data.split_at(i);
                data = &rest[sep.len()..];
                Some(part)
            }
            None => {
                done = true;
                Some(data)
            }
        }
    })
}
