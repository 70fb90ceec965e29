//! Spreadsheets are read within `[import] max_bytes`, whatever they inflate
//! to. The zip bombs are built here, never held inflated: an .xlsx whose
//! sheet or shared strings are hundreds of MB of repeated XML, from a few
//! hundred KB of deflate. Each must be refused quickly, with a message that
//! names the part, while the heap of the whole preview stays small: this
//! test binary counts every allocation (see [`Counting`]).

mod common;
#[path = "common/imports.rs"]
mod imports_helpers;

use common::*;
use dirgate::import::ImportError;
use dirgate::import::read::ReadError;
use dirgate::import::read::XLSX_MEDIA_TYPE;
use imports_helpers::*;
use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Cursor, Read, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::time::{Duration, Instant};

/// The system allocator, counting live bytes and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), SeqCst) + layout.size();
            PEAK.fetch_max(now, SeqCst);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), SeqCst);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The tests that measure the peak run one at a time.
static MEASURING: Mutex<()> = Mutex::new(());

/// Runs `f` and returns its result, how long it took, and the most heap it
/// held above what was live before it.
fn measured<T>(f: impl FnOnce() -> T) -> (T, Duration, usize) {
    let base = LIVE.load(SeqCst);
    PEAK.store(base, SeqCst);
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    (out, took, PEAK.load(SeqCst).saturating_sub(base))
}

const MIB: usize = 1 << 20;

/// One part of a zip archive, as it is stored.
struct Part {
    name: String,
    /// 0: stored, 8: deflated.
    method: u16,
    data: Vec<u8>,
    crc: u32,
    size: u64,
    /// What the archive says the size is (normally `size`).
    declared: u64,
}

impl Part {
    fn stored(name: &str, text: &[u8]) -> Part {
        Part {
            name: name.into(),
            method: 0,
            data: text.to_vec(),
            crc: crc32fast::hash(text),
            size: text.len() as u64,
            declared: text.len() as u64,
        }
    }

    /// `head`, then `unit` `times` times, then `tail`, deflated without ever
    /// holding the whole text: `unit` is compressed once by a compressor of
    /// its own (so its back-references stay inside it) ending in a sync flush
    /// (so it ends on a byte), and its compressed bytes are repeated; an
    /// empty final block ends the stream. The CRC is combined the same way.
    fn bomb(name: &str, head: &[u8], unit: &[u8], times: usize, tail: &[u8]) -> Part {
        let block = deflated(unit);
        let mut data = deflated(head);
        for _ in 0..times {
            data.extend_from_slice(&block);
        }
        data.extend(deflated(tail));
        data.extend([0x03, 0x00]);
        let mut crc = crc32fast::Hasher::new();
        crc.update(head);
        crc.combine(&repeated_crc(unit, times));
        crc.update(tail);
        let size = (head.len() + unit.len() * times + tail.len()) as u64;
        Part {
            name: name.into(),
            method: 8,
            data,
            crc: crc.finalize(),
            size,
            declared: size,
        }
    }
}

fn deflated(text: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(text).unwrap();
    e.flush().unwrap();
    std::mem::take(e.get_mut())
}

/// The CRC of `unit` repeated `times` times, by doubling.
fn repeated_crc(unit: &[u8], mut times: usize) -> crc32fast::Hasher {
    let mut power = crc32fast::Hasher::new();
    power.update(unit);
    let mut out = crc32fast::Hasher::new();
    while times > 0 {
        if times & 1 == 1 {
            out.combine(&power);
        }
        let copy = power.clone();
        power.combine(&copy);
        times >>= 1;
    }
    out
}

/// A zip archive of `parts`, written field by field (APPNOTE 4.3): the
/// zip crate's writer compresses what it is given, and these parts are
/// compressed already.
fn archive(parts: &[Part]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for p in parts {
        let offset = out.len() as u32;
        out.extend(0x04034b50u32.to_le_bytes());
        entry_fields(&mut out, p);
        out.extend(0u16.to_le_bytes()); // extra field length
        out.extend(p.name.as_bytes());
        out.extend(&p.data);
        central.extend(0x02014b50u32.to_le_bytes());
        central.extend(20u16.to_le_bytes()); // made by
        entry_fields(&mut central, p);
        central.extend([0u8; 12]); // extra, comment, disk, attributes
        central.extend(offset.to_le_bytes());
        central.extend(p.name.as_bytes());
    }
    let at = out.len() as u32;
    out.extend(&central);
    out.extend(0x06054b50u32.to_le_bytes());
    out.extend([0u8; 4]); // disk numbers
    let n = parts.len() as u16;
    out.extend(n.to_le_bytes());
    out.extend(n.to_le_bytes());
    out.extend((central.len() as u32).to_le_bytes());
    out.extend(at.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out
}

/// Version needed, flags, method, time, date, CRC, sizes, name length.
fn entry_fields(out: &mut Vec<u8>, p: &Part) {
    out.extend(20u16.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out.extend(p.method.to_le_bytes());
    out.extend(0u16.to_le_bytes());
    out.extend(0x21u16.to_le_bytes());
    out.extend(p.crc.to_le_bytes());
    out.extend((p.data.len() as u32).to_le_bytes());
    out.extend((p.declared as u32).to_le_bytes());
    out.extend((p.name.len() as u16).to_le_bytes());
}

const SHEET: &str = "xl/worksheets/sheet1.xml";
const STRINGS: &str = "xl/sharedStrings.xml";
const SHEET_HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
    <worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>";
const SHEET_TAIL: &str = "</sheetData></worksheet>";
const SST_HEAD: &str = "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"";

/// The parts of a real one-sheet workbook (written by rust_xlsxwriter), with
/// `replaced` parts swapped in.
fn workbook(replaced: Vec<Part>) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (col, name) in (0u16..).zip([
        "Login Name",
        "Organization Unit",
        "OU Admin",
        "Email Address",
    ]) {
        ws.write_string(0, col, name).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut parts = Vec::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = String::from_utf8_lossy(f.name_raw()).into_owned();
        if replaced.iter().any(|p| p.name == name) {
            continue;
        }
        let mut text = Vec::new();
        f.read_to_end(&mut text).unwrap();
        parts.push(Part::stored(&name, &text));
    }
    parts.extend(replaced);
    archive(&parts)
}

/// An inline-string cell.
fn cell(at: &str, text: &str) -> String {
    format!("<c r=\"{at}\" t=\"inlineStr\"><is><t>{text}</t></is></c>")
}

/// `text` repeated to about `size` bytes.
fn filled(text: &str, size: usize) -> Vec<u8> {
    text.repeat(size / text.len()).into_bytes()
}

fn header_row() -> String {
    let names = [
        "Login Name",
        "Organization Unit",
        "OU Admin",
        "Email Address",
    ];
    let cells: String = ["A1", "B1", "C1", "D1"]
        .iter()
        .zip(names)
        .map(|(at, n)| cell(at, n))
        .collect();
    format!("<row r=\"1\">{cells}</row>")
}

/// A sheet of 400 MB: its second row repeats one cell millions of times.
fn sheet_bomb() -> Part {
    let head = format!("{SHEET_HEAD}{}<row r=\"2\">", header_row());
    let unit = filled(&cell("A2", "bomb@example.com"), MIB);
    Part::bomb(
        SHEET,
        head.as_bytes(),
        &unit,
        400,
        b"</row></sheetData></worksheet>",
    )
}

/// Shared strings of 400 MB: millions of short strings.
fn strings_bomb() -> Part {
    let head = format!("{SST_HEAD}>");
    let unit = filled("<si><t>bomb</t></si>", MIB);
    Part::bomb(STRINGS, head.as_bytes(), &unit, 400, b"</sst>")
}

/// Previews `bytes` as the system administrator with the default limits.
fn preview_xlsx(f: &Fixture, bytes: &[u8]) -> (Result<(), ImportError>, Duration, usize) {
    let i = imports(f);
    let sys = system(&f.dir);
    measured(|| i.preview(&sys, bytes, Some(XLSX_MEDIA_TYPE)).map(|_| ()))
}

/// Quick, small, and refused with a message naming `part`.
fn refused_quickly(out: (Result<(), ImportError>, Duration, usize), part: &str) {
    let (result, took, peak) = out;
    let err = result.expect_err("the bomb was read");
    let text = err.to_string();
    assert!(text.contains(part), "{text}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    assert!(peak < 16 * MIB, "{peak} bytes of heap at the peak");
}

#[test]
fn a_sheet_that_inflates_to_hundreds_of_mb_is_refused_from_its_declared_size() {
    let bomb = workbook(vec![sheet_bomb()]);
    assert!(bomb.len() < 2 * MIB, "{} bytes", bomb.len());
    let f = fixture();
    let _one = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let out = preview_xlsx(&f, &bomb);
    if let Err(ImportError::Read(e)) = &out.0 {
        assert!(matches!(e, ReadError::PartTooLarge { .. }), "{e:?}");
        assert_eq!(
            e.to_string(),
            "the workbook part xl/worksheets/sheet1.xml is larger than 16,777,216 bytes \
             once uncompressed, the limit (import.max_bytes)"
        );
    }
    refused_quickly(out, SHEET);
}

#[test]
fn shared_strings_that_inflate_to_hundreds_of_mb_are_refused() {
    let sheet = format!("{SHEET_HEAD}{}{SHEET_TAIL}", header_row());
    let bomb = workbook(vec![Part::stored(SHEET, sheet.as_bytes()), strings_bomb()]);
    let f = fixture();
    let _one = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    refused_quickly(preview_xlsx(&f, &bomb), STRINGS);
}

/// The archive may declare any size: the part is counted while inflated,
/// and at most a little past the limit is ever inflated.
#[test]
fn a_sheet_that_lies_about_its_size_is_refused_while_inflating() {
    let mut part = sheet_bomb();
    part.declared = 1000;
    let f = fixture();
    let _one = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    refused_quickly(preview_xlsx(&f, &workbook(vec![part])), SHEET);
}

/// The bombs above are sound: the same construction, three copies, reads
/// back as exactly the text it stands for, CRC checked by the zip crate.
#[test]
fn the_bombs_are_real_zip_archives() {
    let unit = filled(&cell("A2", "bomb@example.com"), 4096);
    let part = Part::bomb(SHEET, b"<head>", &unit, 3, b"</tail>");
    let size = part.size;
    let bytes = workbook(vec![part]);
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let mut text = Vec::new();
    zip.by_name(SHEET).unwrap().read_to_end(&mut text).unwrap();
    assert_eq!(text.len() as u64, size);
    let mut expected = b"<head>".to_vec();
    for _ in 0..3 {
        expected.extend(&unit);
    }
    expected.extend(b"</tail>");
    assert!(text == expected);
}

/// calamine reserves room for as many strings as the shared strings part
/// announces: a few bytes of XML must not ask for gigabytes.
#[test]
fn shared_strings_that_announce_billions_of_strings_are_refused() {
    let sheet = format!("{SHEET_HEAD}{}{SHEET_TAIL}", header_row());
    let strings =
        format!("{SST_HEAD} count=\"1\" uniqueCount=\"4000000000\"><si><t>a</t></si></sst>");
    let bytes = workbook(vec![
        Part::stored(SHEET, sheet.as_bytes()),
        Part::stored(STRINGS, strings.as_bytes()),
    ]);
    let f = fixture();
    let _one = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    refused_quickly(preview_xlsx(&f, &bytes), STRINGS);
}

/// One long shared string used by every row: each within its limits, but
/// each use would be a copy. The text kept from cells is capped too.
#[test]
fn a_long_shared_string_used_by_every_row_is_copied_at_most_max_bytes() {
    let long = "a".repeat(100_000);
    let strings = format!("{SST_HEAD} count=\"1\" uniqueCount=\"1\"><si><t>{long}</t></si></sst>");
    let rows: String = (2..=1001)
        .map(|n| format!("<row r=\"{n}\"><c r=\"A{n}\" t=\"s\"><v>0</v></c></row>"))
        .collect();
    let sheet = format!("{SHEET_HEAD}{}{rows}{SHEET_TAIL}", header_row());
    let bytes = workbook(vec![
        Part::stored(SHEET, sheet.as_bytes()),
        Part::stored(STRINGS, strings.as_bytes()),
    ]);
    let f = fixture();
    let cfg = dirgate::import::ImportConfig {
        limits: dirgate::import::read::Limits {
            max_rows: 10_000,
            max_bytes: MIB,
        },
        ..Default::default()
    };
    let i = dirgate::import::Imports::new(f.dir.clone(), cfg);
    let sys = system(&f.dir);
    let _one = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let (out, _, peak) = measured(|| i.preview(&sys, &bytes, Some(XLSX_MEDIA_TYPE)).map(|_| ()));
    let err = out.expect_err("every copy was kept");
    assert!(
        matches!(err, ImportError::Read(ReadError::TooMuchText { .. })),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "the cells read from the workbook hold more than 1,048,576 bytes of text, the limit \
         (import.max_bytes)"
    );
    assert!(peak < 16 * MIB, "{peak} bytes of heap at the peak");
}

/// A CSV file within the upload limit that decodes past it: Windows-1252
/// bytes that are three-byte letters in UTF-8.
#[test]
fn a_csv_file_larger_than_the_limit_once_decoded_is_refused() {
    let mut file = csv(&["a@example.com,Acme-A,False,a@example.com"]);
    file.extend(std::iter::repeat_n(0x80u8, 700));
    file.push(b'\n');
    assert!(file.len() < 1000);
    let f = fixture();
    let cfg = dirgate::import::ImportConfig {
        limits: dirgate::import::read::Limits {
            max_rows: 100,
            max_bytes: 1000,
        },
        ..Default::default()
    };
    let i = dirgate::import::Imports::new(f.dir.clone(), cfg);
    let err = i
        .preview(&system(&f.dir), &file, Some("text/csv"))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the file is larger than 1,000 bytes once decoded from windows-1252, the limit \
         (import.max_bytes)"
    );
}
