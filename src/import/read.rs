//! Reading an uploaded import spreadsheet (CSV or XLSX) into typed rows.
//!
//! This is the entry point of the import reader. It owns the public shapes
//! (`Sheet`, `RawRow`, `RowError`, `ReadError`), the size limits, format
//! detection and the one check that spans rows: a login given twice in one
//! file. It knows nothing of the directory: whether a suffix or an
//! organization exists is decided by the caller. Errors come in two kinds:
//! a `ReadError` means the file as a whole cannot be used (the message says
//! what to fix); a `RowError` marks one line and the import may still show
//! the rest in its preview.
//!
//! Two ways to read: [`read`] collects everything into a [`Sheet`] (what the
//! preview needs), [`open`] gives a streaming [`RowReader`] for callers that
//! process rows one by one. Siblings: `columns` (header), `decode` and
//! `csv_source` (CSV), `xlsx_source` (XLSX), `fields` and `email` (checks).

use std::fmt;

use super::csv_source::{self, CsvSource};
use super::duplicates::Logins;
use super::fields;
use super::xlsx_source::{self, XlsxRow};

pub use super::columns::{Columns, Field, column_letters};
pub use super::fields::parse_ou_admin;
pub use crate::directory::email::check_email;

/// The media type browsers send for .xlsx uploads. (Browsers on Windows send
/// `application/vnd.ms-excel` for *.csv* files when Excel is installed, so
/// that one must not mean XLSX.)
pub const XLSX_MEDIA_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Size limits for one import file; the names in messages are the
/// configuration keys that change them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Most non-blank data rows accepted (`import.max_rows`).
    pub max_rows: usize,
    /// Largest file accepted, in bytes (`import.max_bytes`): the upload, a
    /// CSV file once decoded, each part of an XLSX workbook once
    /// uncompressed (the whole workbook up to four times it), and the text
    /// kept from a workbook's cells.
    pub max_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_rows: 10_000,
            max_bytes: 16 * 1024 * 1024,
        }
    }
}

/// The two file formats accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

/// XLSX when the bytes are a zip archive or the upload says it is XLSX;
/// everything else is tried as CSV (which refuses binaries with a hint).
pub fn detect_format(bytes: &[u8], content_type: Option<&str>) -> Format {
    let media = content_type
        .and_then(|c| c.split(';').next())
        .map(str::trim);
    if bytes.starts_with(b"PK\x03\x04")
        || media.is_some_and(|m| m.eq_ignore_ascii_case(XLSX_MEDIA_TYPE))
    {
        Format::Xlsx
    } else {
        Format::Csv
    }
}

/// A whole file, read and checked.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub columns: Columns,
    /// Things the administrator should know that do not stop the import:
    /// unknown columns, the encoding guessed for a non-UTF-8 CSV.
    pub warnings: Vec<String>,
    /// Every non-blank data row in file order, *including* rows that failed
    /// a check (`valid == false`), so later stages (duplicate detection
    /// against the directory, the preview) still see them.
    pub rows: Vec<RawRow>,
    /// Every row problem, sorted by line (several per line are possible).
    pub errors: Vec<RowError>,
}

/// One data row as read. Values are trimmed; nothing is normalised (case is
/// kept as written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    /// Physical line (CSV) or spreadsheet row number (XLSX), 1-based.
    pub line: usize,
    pub login: String,
    pub organization: String,
    /// `None` when the `OU Admin` value is not True or False (then the row
    /// has an error for it).
    pub ou_admin: Option<bool>,
    pub email: String,
    /// `None`: the file has no such column (keep what the directory has);
    /// `Some("")`: the column exists and this cell is empty.
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub display_name: Option<String>,
    /// The optional profile columns the file has: the row of the core's
    /// table of shared texts and this row's cell ("" when empty).
    pub texts: Vec<(usize, String)>,
    /// False when the row has at least one `RowError`.
    pub valid: bool,
}

/// A problem with one row. `column` is the default header name of the
/// field at fault, or `None` for a problem with the row as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub line: usize,
    pub column: Option<&'static str>,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(column) => write!(f, "line {}, {column}: {}", self.line, self.reason),
            None => write!(f, "line {}: {}", self.line, self.reason),
        }
    }
}

/// A row with the errors of its own fields (no cross-row checks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedRow {
    pub row: RawRow,
    pub errors: Vec<RowError>,
}

/// Why a file cannot be imported at all. Each message says what to fix.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(
        "file is {} bytes; the limit is {} (import.max_bytes)",
        grouped(.bytes),
        grouped(.limit)
    )]
    TooLarge { bytes: usize, limit: usize },
    #[error(
        "the file is larger than {} bytes once decoded from {encoding}, the limit \
         (import.max_bytes)",
        grouped(.limit)
    )]
    DecodedTooLarge {
        encoding: &'static str,
        limit: usize,
    },
    #[error(
        "the workbook part {part} is larger than {} bytes once uncompressed, the limit \
         (import.max_bytes)",
        grouped(.limit)
    )]
    PartTooLarge { part: String, limit: u64 },
    #[error(
        "the workbook is larger than {} bytes once uncompressed, the limit (four times \
         import.max_bytes): keep only the sheet to import in the file",
        grouped(.limit)
    )]
    WorkbookTooLarge { limit: u64 },
    #[error(
        "the cells read from the workbook hold more than {} bytes of text, the limit \
         (import.max_bytes)",
        grouped(.limit)
    )]
    TooMuchText { limit: usize },
    #[error(
        "file has {} data rows; the limit is {} (import.max_rows): split it into smaller files",
        grouped(.rows),
        grouped(.limit)
    )]
    TooManyRows { rows: usize, limit: usize },
    #[error("the file is empty")]
    Empty,
    #[error("the file has a header row but no data rows")]
    NoRows,
    #[error(
        "the first row is not a header row: it names none of the columns Login Name, \
         Organization Unit, OU Admin, Email Address (start from the template)"
    )]
    NoHeader,
    #[error(
        "missing required column(s): {}; the header row must name Login Name, \
         Organization Unit, OU Admin and Email Address", .0.join(", ")
    )]
    MissingColumns(Vec<&'static str>),
    #[error("column '{name}' appears twice ({first} and {second}); keep one")]
    DuplicateColumn {
        name: &'static str,
        first: String,
        second: String,
    },
    #[error("{0}")]
    NotText(String),
    #[error("line {line}: the CSV file cannot be read: {msg}")]
    Csv { line: usize, msg: String },
    #[error(
        "the .xlsx workbook cannot be read ({0}): open it in Excel and save it again \
         as .xlsx or \"CSV UTF-8\""
    )]
    Xlsx(String),
}

/// 10000 → "10,000": limits are easier to compare with separators.
fn grouped(n: &impl ToString) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The header line of an empty import file, in the documented order.
pub fn template_csv() -> String {
    let names: Vec<&str> = Field::all().map(Field::header).collect();
    format!("{}\r\n", names.join(","))
}

/// Reads and checks a whole file, including duplicate logins. Stops at the
/// first row past `limits.max_rows` and reports the file's real row count.
pub fn read(bytes: &[u8], format: Format, limits: &Limits) -> Result<Sheet, ReadError> {
    let mut reader = open(bytes, format, limits)?;
    let mut sheet = Sheet {
        columns: reader.columns.clone(),
        warnings: std::mem::take(&mut reader.warnings),
        rows: Vec::new(),
        errors: Vec::new(),
    };
    let mut logins = Logins::default();
    for checked in reader {
        let CheckedRow { row, errors } = checked?;
        sheet.errors.extend(errors);
        push_row(&mut sheet, &mut logins, row);
    }
    if sheet.rows.is_empty() {
        return Err(ReadError::NoRows);
    }
    // Duplicate errors for an earlier line are found later; the preview
    // lists problems in file order.
    sheet.errors.sort_by_key(|e| e.line);
    Ok(sheet)
}

/// Appends a row, marking both lines when its login (ignoring case) was
/// already given on an earlier row.
fn push_row(sheet: &mut Sheet, logins: &mut Logins, mut row: RawRow) {
    let index = sheet.rows.len();
    let rows = &sheet.rows;
    let earlier = (!row.login.is_empty())
        .then(|| {
            logins.insert(&row.login, index, |i| {
                rows.get(i).map_or("", |r| r.login.as_str())
            })
        })
        .flatten();
    if let Some(first) = earlier.and_then(|i| sheet.rows.get_mut(i)) {
        first.valid = false;
        row.valid = false;
        sheet
            .errors
            .push(duplicate(first.line, &first.login, row.line));
        sheet
            .errors
            .push(duplicate(row.line, &row.login, first.line));
    }
    sheet.rows.push(row);
}

fn duplicate(line: usize, login: &str, other: usize) -> RowError {
    RowError {
        line,
        column: Some(Field::Login.header()),
        reason: format!("login {login} also on line {other}"),
    }
}

/// Checks the size and reads the header; rows are then read on demand.
pub fn open<'a>(
    bytes: &'a [u8],
    format: Format,
    limits: &Limits,
) -> Result<RowReader<'a>, ReadError> {
    if bytes.len() > limits.max_bytes {
        return Err(ReadError::TooLarge {
            bytes: bytes.len(),
            limit: limits.max_bytes,
        });
    }
    if bytes.is_empty() {
        return Err(ReadError::Empty);
    }
    let (header, source) = match format {
        Format::Csv => {
            let (source, header) = csv_source::open(bytes, limits.max_bytes)?;
            (header, Source::Csv(source))
        }
        Format::Xlsx => {
            let sheet = xlsx_source::open(bytes, limits)?;
            (sheet.header, Source::Xlsx(sheet.rows.into_iter()))
        }
    };
    Ok(RowReader {
        columns: header.columns,
        warnings: header.warnings,
        source,
        max_rows: limits.max_rows,
        data_rows: 0,
        finished: false,
    })
}

/// Streams the data rows of a file, each with its own field errors. It does
/// not detect duplicate logins (that needs every row; see [`read`]). After
/// an `Err` (too many rows) it yields nothing more.
///
/// CSV rows are parsed as they are pulled (one reused record buffer); an
/// XLSX sheet is parsed by `open`, keeping only the known columns of at most
/// `max_rows` rows (and at most `max_bytes` of their text), because
/// calamine's cell reader borrows the workbook.
pub struct RowReader<'a> {
    columns: Columns,
    warnings: Vec<String>,
    source: Source<'a>,
    max_rows: usize,
    data_rows: usize,
    finished: bool,
}

enum Source<'a> {
    Csv(CsvSource<'a>),
    Xlsx(std::vec::IntoIter<XlsxRow>),
}

impl RowReader<'_> {
    /// Where each known field is.
    pub fn columns(&self) -> &Columns {
        &self.columns
    }

    /// Warnings about the file as a whole (unknown columns, encoding).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    fn next_row(&mut self) -> Result<Option<CheckedRow>, ReadError> {
        match &mut self.source {
            Source::Csv(csv) => {
                let Some(line) = csv.next_record()? else {
                    return Ok(None);
                };
                self.data_rows += 1;
                if self.data_rows > self.max_rows {
                    return Err(ReadError::TooManyRows {
                        rows: self.data_rows + csv.count_remaining()?,
                        limit: self.max_rows,
                    });
                }
                Ok(Some(csv.check(line, &self.columns)))
            }
            Source::Xlsx(rows) => Ok(rows
                .next()
                .map(|row| fields::check_row(row.line, &row, &self.columns, None))),
        }
    }
}

impl Iterator for RowReader<'_> {
    type Item = Result<CheckedRow, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        let item = self.next_row().transpose();
        self.finished = !matches!(item, Some(Ok(_)));
        item
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouping() {
        assert_eq!(grouped(&0), "0");
        assert_eq!(grouped(&999), "999");
        assert_eq!(grouped(&1_000), "1,000");
        assert_eq!(grouped(&16_777_216), "16,777,216");
    }

    #[test]
    fn formats() {
        assert_eq!(detect_format(b"PK\x03\x04rest", None), Format::Xlsx);
        assert_eq!(
            detect_format(
                b"",
                Some("Application/vnd.openxmlformats-officedocument.spreadsheetml.sheet; x=y")
            ),
            Format::Xlsx
        );
        assert_eq!(
            detect_format(b"a,b", Some("application/vnd.ms-excel")),
            Format::Csv
        );
        assert_eq!(detect_format(b"a,b", Some("text/csv")), Format::Csv);
        assert_eq!(detect_format(b"a,b", None), Format::Csv);
    }

    #[test]
    fn template() {
        assert_eq!(
            template_csv(),
            "Login Name,Organization Unit,OU Admin,Email Address,First Name,Last Name,Display Name,\
             Title,Employee Number,Department,Company,Preferred Language,User Type,Nick Name,\
             Locale,Time Zone,Cost Center,Division\r\n"
        );
    }
}
