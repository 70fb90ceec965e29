//! Reads CSV records one at a time, with the physical line each starts on.
//!
//! This module owns the CSV dialect decisions: which delimiter the header
//! line uses, which records are blank, whether a row has the header's number
//! of values, and line numbering. The csv crate does the quoting; its own
//! `Position::line()` is not used because it reports where the *previous*
//! record ended (it is off by one after CRLF and ignores skipped blank lines),
//! so lines are counted here from the record's byte offset instead.

use std::borrow::Cow;
use std::io::Cursor;

use csv::StringRecord;

use super::columns::{self, Columns, Field, Header};
use super::decode::decode;
use super::fields::{self, Record};
use super::read::{CheckedRow, ReadError};

/// Delimiters Excel writes depending on locale and "Save as" type, in the
/// order that breaks ties.
const DELIMITERS: [u8; 3] = [b',', b';', b'\t'];
/// How much of the header line delimiter detection looks at; a header is a
/// few hundred bytes, and an unclosed quote must not make it scan the file.
const HEADER_SCAN: usize = 64 * 1024;

/// A CSV file positioned after its header row.
pub(super) struct CsvSource<'a> {
    /// Owns the decoded text (borrowed when the upload was already UTF-8).
    reader: csv::Reader<Cursor<Cow<'a, [u8]>>>,
    /// Reused for every record: no allocation per row once it has grown.
    record: StringRecord,
    lines: LineCounter,
    delimiter: u8,
}

/// Decodes `bytes` (at most `limit` bytes once decoded), detects the
/// delimiter and reads the header row.
pub(super) fn open(bytes: &[u8], limit: usize) -> Result<(CsvSource<'_>, Header), ReadError> {
    let decoded = decode(bytes, limit)?;
    let delimiter = detect_delimiter(&decoded.text);
    let text = match decoded.text {
        Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
        Cow::Owned(s) => Cow::Owned(s.into_bytes()),
    };
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(Cursor::new(text));
    let mut source = CsvSource {
        reader,
        record: StringRecord::new(),
        lines: LineCounter::default(),
        delimiter,
    };
    if source.next_record()?.is_none() {
        return Err(ReadError::Empty);
    }
    let mut header = columns::resolve(source.record.iter())?;
    // How the file was decoded explains any odd letter below, so it leads.
    if let Some(warning) = decoded.warning {
        header.warnings.insert(0, warning);
    }
    Ok((source, header))
}

impl CsvSource<'_> {
    /// Advances to the next non-blank record and returns its line number.
    pub(super) fn next_record(&mut self) -> Result<Option<usize>, ReadError> {
        loop {
            let more = self
                .reader
                .read_record(&mut self.record)
                .map_err(csv_error)?;
            if !more {
                return Ok(None);
            }
            let start = self.record.position().map_or(0, |p| p.byte());
            let text: &[u8] = self.reader.get_ref().get_ref();
            let line = self
                .lines
                .line_at(text, usize::try_from(start).unwrap_or(0));
            if !self.record.iter().all(|f| f.trim().is_empty()) {
                return Ok(Some(line));
            }
        }
    }

    /// Checks the current record as a data row starting on `line`.
    pub(super) fn check(&self, line: usize, columns: &Columns) -> CheckedRow {
        let shape = self.shape_error(columns);
        let rec = CsvRecord {
            record: &self.record,
            columns,
        };
        fields::check_row(line, &rec, columns, shape)
    }

    /// Counts the remaining non-blank records without keeping them, so a
    /// file over the row limit can be told its real size.
    pub(super) fn count_remaining(&mut self) -> Result<usize, ReadError> {
        let mut count = 0;
        while self.next_record()?.is_some() {
            count += 1;
        }
        Ok(count)
    }

    /// A row with fewer values than named header columns lost a delimiter
    /// (every later value is shifted); extra non-empty values usually mean
    /// an unquoted delimiter inside a value. Trailing empty values are what
    /// Excel writes for empty cells and are fine.
    fn shape_error(&self, columns: &Columns) -> Option<String> {
        let found = self.record.len();
        let extra = self
            .record
            .iter()
            .skip(columns.header_cells())
            .any(|f| !f.trim().is_empty());
        if found < columns.width() {
            Some(format!(
                "row has {found} values but the header has {} columns: a separator is missing \
                 or a quote is not closed",
                columns.width()
            ))
        } else if extra {
            Some(format!(
                "row has {found} values but the header has {} columns: put values that \
                 contain {} in double quotes",
                columns.header_cells(),
                delimiter_name(self.delimiter)
            ))
        } else {
            None
        }
    }
}

/// A CSV record seen through the header's column map.
struct CsvRecord<'r> {
    record: &'r StringRecord,
    columns: &'r Columns,
}

impl Record for CsvRecord<'_> {
    fn value(&self, field: Field) -> &str {
        self.columns
            .index(field)
            .and_then(|i| self.record.get(i))
            .unwrap_or("")
            .trim()
    }
}

/// The csv crate only fails on I/O or invalid UTF-8, neither of which can
/// happen on decoded in-memory text; kept so a surprise is still reported.
fn csv_error(e: csv::Error) -> ReadError {
    let line = e.position().map_or(0, |p| p.line());
    ReadError::Csv {
        line: usize::try_from(line).unwrap_or(0),
        msg: e.to_string(),
    }
}

fn delimiter_name(d: u8) -> &'static str {
    match d {
        b';' => "';'",
        b'\t' => "a tab",
        _ => "','",
    }
}

/// Counts physical lines up to a byte offset, incrementally: records are
/// visited in order, so the whole file is scanned once. A line ends with LF,
/// CRLF or a lone CR (old Mac files), as for the csv crate.
#[derive(Default)]
struct LineCounter {
    offset: usize,
    /// Line breaks seen before `offset`.
    breaks: usize,
}

impl LineCounter {
    /// The 1-based line of the first byte of the record that the csv crate
    /// reports at `start`; that offset may still point at the previous
    /// record's terminator and at skipped empty lines, so those are passed.
    fn line_at(&mut self, text: &[u8], start: usize) -> usize {
        let skipped = text.get(start..).map_or(0, |rest| {
            rest.iter()
                .take_while(|b| matches!(b, b'\r' | b'\n'))
                .count()
        });
        let target = (start + skipped).min(text.len());
        if let Some(span) = text.get(self.offset..target) {
            for (i, b) in span.iter().enumerate() {
                let next = text.get(self.offset + i + 1);
                if *b == b'\n' || (*b == b'\r' && next != Some(&b'\n')) {
                    self.breaks += 1;
                }
            }
            self.offset = target;
        }
        self.breaks + 1
    }
}

/// Picks the delimiter that splits the header line into the most known
/// column names; ties go to the earlier of comma, semicolon, tab.
fn detect_delimiter(text: &str) -> u8 {
    let line = header_line(text);
    let mut best = (DELIMITERS[0], known_names(line, DELIMITERS[0]));
    for d in &DELIMITERS[1..] {
        let score = known_names(line, *d);
        if score > best.1 {
            best = (*d, score);
        }
    }
    best.0
}

/// The text from the first line that contains a letter or digit, so lines
/// of bare separators above the header do not decide.
fn header_line(text: &str) -> &str {
    let mut rest = text;
    while let Some((line, after)) = rest.split_once('\n') {
        if line.chars().any(char::is_alphanumeric) {
            break;
        }
        rest = after;
    }
    rest
}

/// Splits the first record of `text` on `delim` (outside double quotes) and
/// counts the fields that are known column names.
fn known_names(text: &str, delim: u8) -> usize {
    let delim = char::from(delim);
    let mut chars = text.chars().take(HEADER_SCAN).peekable();
    let (mut field, mut in_quotes, mut count) = (String::new(), false, 0);
    while let Some(c) = chars.next() {
        match c {
            '"' if in_quotes && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' => in_quotes = !in_quotes,
            '\r' | '\n' if !in_quotes => break,
            c if c == delim && !in_quotes => {
                count += usize::from(Field::from_header(&field).is_some());
                field.clear();
            }
            c => field.push(c),
        }
    }
    count + usize::from(Field::from_header(&field).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiter_by_known_names() {
        assert_eq!(detect_delimiter("Login Name,OU Admin\n"), b',');
        assert_eq!(detect_delimiter("Login Name;OU Admin;x,y\n"), b';');
        assert_eq!(detect_delimiter("\n;;\nLogin Name\tOU Admin\n"), b'\t');
        // Quoted names count; a delimiter inside quotes does not split.
        assert_eq!(
            detect_delimiter("\"Login Name\";\"OU Admin\";\"a,b\"\r\n"),
            b';'
        );
        // Nothing recognised, or a tie: comma.
        assert_eq!(detect_delimiter("a;b;c\n"), b',');
        assert_eq!(detect_delimiter("Login Name\n"), b',');
    }

    #[test]
    fn line_counter_handles_all_line_ends() {
        let text = b"a\r\nb\rc\n\n\nd";
        let mut lines = LineCounter::default();
        assert_eq!(lines.line_at(text, 0), 1);
        assert_eq!(lines.line_at(text, 2), 2); // csv points at the '\n' of "\r\n"
        assert_eq!(lines.line_at(text, 5), 3);
        assert_eq!(lines.line_at(text, 7), 6);
    }
}
