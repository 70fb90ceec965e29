//! Reads the first worksheet of an .xlsx workbook into rows of cell texts.
//!
//! This module owns the conversion of typed Excel cells into the text a user
//! sees in the cell (TRUE → "True", 42.0 → "42", #N/A → "#N/A") and the row
//! numbering (the spreadsheet's own 1-based row numbers). Cells are streamed
//! with calamine's cell reader rather than loaded as a full range: a sheet
//! whose used range is huge (a stray value in row 1,000,000 or column XFD)
//! then costs nothing, and only the known columns of at most `max_rows`
//! rows are kept. Before calamine opens the workbook, `xlsx_limits` checks
//! that no part of it inflates past `import.max_bytes`; the text kept from
//! cells is capped at the same size, because one long shared string may be
//! used by every cell of the sheet.

use std::io::Cursor;

use calamine::{DataRef, ExcelDateTime, Reader, SheetType, SheetVisible, Xlsx, XlsxError};

use super::columns::{self, FIELD_COUNT, Field, Header};
use super::fields::Record;
use super::read::{Limits, ReadError};
use super::xlsx_limits::check_parts;

/// Every .xlsx file is a zip archive and starts with this signature.
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
/// Excel's last column is XFD; anything beyond is not a real cell.
const MAX_COLUMNS: u32 = 16_384;

/// One data row: its spreadsheet row number and the trimmed text of each
/// known field ("" when absent).
#[derive(Debug)]
pub(super) struct XlsxRow {
    pub line: usize,
    cells: [String; FIELD_COUNT],
}

impl Record for XlsxRow {
    fn value(&self, field: Field) -> &str {
        &self.cells[field.slot()]
    }
}

/// The header and the data rows of the first worksheet.
#[derive(Debug)]
pub(super) struct XlsxSheet {
    pub header: Header,
    pub rows: Vec<XlsxRow>,
}

/// Reads the first worksheet. More than `max_rows` non-blank data rows is
/// refused here, with the real count, since the rows are read up front; so
/// is a workbook any part of which is larger than `max_bytes` uncompressed.
pub(super) fn open(bytes: &[u8], limits: &Limits) -> Result<XlsxSheet, ReadError> {
    // The upload may only have been *labelled* XLSX; say so plainly rather
    // than pass on the zip library's wording.
    if !bytes.starts_with(ZIP_MAGIC) {
        return Err(ReadError::Xlsx(
            "the file is not a zip archive, as every .xlsx is".into(),
        ));
    }
    check_parts(bytes, limits.max_bytes)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(book_error)?;
    let name = first_sheet(&book)?;
    let mut cells = book.worksheet_cells_reader(&name).map_err(book_error)?;
    let mut builder = SheetBuilder::new(limits);
    while let Some(cell) = cells.next_cell().map_err(book_error)? {
        let (row, col) = cell.get_position();
        if col < MAX_COLUMNS {
            builder.add(row, col, cell.get_value())?;
        }
    }
    builder.finish()
}

/// The first visible worksheet, as the user sees the tabs (a hidden first
/// sheet often holds lookup lists); failing that, the first worksheet.
fn first_sheet(book: &Xlsx<Cursor<&[u8]>>) -> Result<String, ReadError> {
    let sheets = book.sheets_metadata();
    let is_worksheet = |s: &&calamine::Sheet| s.typ == SheetType::WorkSheet;
    sheets
        .iter()
        .filter(is_worksheet)
        .find(|s| s.visible == SheetVisible::Visible)
        .or_else(|| sheets.iter().find(is_worksheet))
        .map(|s| s.name.clone())
        .ok_or_else(|| ReadError::Xlsx("the workbook has no worksheet".into()))
}

fn book_error(e: XlsxError) -> ReadError {
    ReadError::Xlsx(e.to_string())
}

/// Groups streamed cells into rows. Cells arrive row by row in sheet order;
/// a row is complete when a cell of another row (or the end) arrives.
struct SheetBuilder {
    max_rows: usize,
    /// Bytes of cell text that may still be kept (see [`Self::keep`]).
    text_left: usize,
    text_limit: usize,
    header: Option<Header>,
    rows: Vec<XlsxRow>,
    /// Non-blank data rows seen, including those beyond `max_rows`.
    data_rows: usize,
    current: Option<u32>,
    /// Cells of the current row while the header is not yet known.
    header_cells: Vec<(u32, String)>,
    /// Known-field cells of the current data row.
    slots: [String; FIELD_COUNT],
    non_blank: bool,
}

impl SheetBuilder {
    fn new(limits: &Limits) -> Self {
        SheetBuilder {
            max_rows: limits.max_rows,
            text_left: limits.max_bytes,
            text_limit: limits.max_bytes,
            header: None,
            rows: Vec::new(),
            data_rows: 0,
            current: None,
            header_cells: Vec::new(),
            slots: Default::default(),
            non_blank: false,
        }
    }

    fn add(&mut self, row: u32, col: u32, value: &DataRef<'_>) -> Result<(), ReadError> {
        if self.current != Some(row) {
            self.flush()?;
            self.current = Some(row);
        }
        let Some(header) = &self.header else {
            let text = self.keep(cell_text(value))?;
            if !text.is_empty() {
                self.non_blank = true;
                self.header_cells.push((col, text));
            }
            return Ok(());
        };
        self.non_blank |= !is_blank(value);
        let storing = self.data_rows < self.max_rows;
        let field = header.columns.field_at(col as usize);
        if let (true, Some(field)) = (storing, field) {
            self.slots[field.slot()] = self.keep(cell_text(value))?;
        }
        Ok(())
    }

    /// Counts a cell's text against what may be kept. The sheet part is
    /// capped, but a cell may name a shared string, and one long shared
    /// string used by every cell would otherwise be copied for each.
    fn keep(&mut self, text: String) -> Result<String, ReadError> {
        self.text_left = self
            .text_left
            .checked_sub(text.len())
            .ok_or(ReadError::TooMuchText {
                limit: self.text_limit,
            })?;
        Ok(text)
    }

    /// Ends the current row: the first non-blank row is the header, later
    /// ones are data; blank rows are skipped.
    fn flush(&mut self) -> Result<(), ReadError> {
        let Some(row) = self.current.take() else {
            return Ok(());
        };
        if !std::mem::take(&mut self.non_blank) {
            self.slots = Default::default();
            return Ok(());
        }
        if self.header.is_none() {
            self.header = Some(header_from(std::mem::take(&mut self.header_cells))?);
            return Ok(());
        }
        self.data_rows += 1;
        let cells = std::mem::take(&mut self.slots);
        if self.data_rows <= self.max_rows {
            self.rows.push(XlsxRow {
                line: row as usize + 1,
                cells,
            });
        }
        Ok(())
    }

    fn finish(mut self) -> Result<XlsxSheet, ReadError> {
        self.flush()?;
        let Some(header) = self.header else {
            return Err(ReadError::Empty);
        };
        if self.data_rows > self.max_rows {
            return Err(ReadError::TooManyRows {
                rows: self.data_rows,
                limit: self.max_rows,
            });
        }
        Ok(XlsxSheet {
            header,
            rows: self.rows,
        })
    }
}

/// Lays the sparse header cells out by column and resolves the names.
fn header_from(cells: Vec<(u32, String)>) -> Result<Header, ReadError> {
    let width = cells
        .iter()
        .map(|(col, _)| *col as usize + 1)
        .max()
        .unwrap_or(0);
    let mut dense = vec![String::new(); width];
    for (col, text) in cells {
        if let Some(slot) = dense.get_mut(col as usize) {
            *slot = text;
        }
    }
    columns::resolve(dense.iter().map(String::as_str))
}

/// Whether a cell shows nothing, without building its text.
fn is_blank(value: &DataRef<'_>) -> bool {
    match value {
        DataRef::Empty => true,
        DataRef::String(s) => s.trim().is_empty(),
        DataRef::SharedString(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// The text a user sees in the cell, trimmed.
pub(super) fn cell_text(value: &DataRef<'_>) -> String {
    match value {
        DataRef::Empty => String::new(),
        DataRef::String(s) => s.trim().to_owned(),
        DataRef::SharedString(s) => s.trim().to_owned(),
        DataRef::Bool(true) => "True".to_owned(),
        DataRef::Bool(false) => "False".to_owned(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => float_text(*f),
        DataRef::DateTime(d) => date_text(d),
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::Error(e) => e.to_string(),
    }
}

/// Integer-valued numbers as Excel's General format shows them ("42", not
/// "42.0"); below 2^53 every integer is exact, so the cast is lossless.
fn float_text(f: f64) -> String {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    if f.fract() == 0.0 && f.abs() < EXACT {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

/// Dates in ISO form (what a date means, whatever the user's locale shows).
fn date_text(d: &ExcelDateTime) -> String {
    if d.is_duration() {
        return float_text(d.as_f64());
    }
    let (y, mo, day, h, mi, s, _) = d.to_ymd_hms_milli();
    if (h, mi, s) == (0, 0, 0) {
        format!("{y:04}-{mo:02}-{day:02}")
    } else {
        format!("{y:04}-{mo:02}-{day:02} {h:02}:{mi:02}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::super::read::{Format, detect_format, read};
    use super::*;
    use calamine::{CellErrorType, ExcelDateTimeType};
    use rust_xlsxwriter::{Formula, Workbook};

    #[test]
    fn cells_as_the_user_sees_them() {
        assert_eq!(cell_text(&DataRef::Bool(true)), "True");
        assert_eq!(cell_text(&DataRef::Bool(false)), "False");
        assert_eq!(cell_text(&DataRef::Float(42.0)), "42");
        assert_eq!(cell_text(&DataRef::Float(-3.0)), "-3");
        assert_eq!(cell_text(&DataRef::Float(1.5)), "1.5");
        assert_eq!(cell_text(&DataRef::Int(7)), "7");
        assert_eq!(cell_text(&DataRef::SharedString(" a ")), "a");
        assert_eq!(cell_text(&DataRef::Error(CellErrorType::NA)), "#N/A");
        assert_eq!(cell_text(&DataRef::Empty), "");
        let date = ExcelDateTime::new(45_658.0, ExcelDateTimeType::DateTime, false);
        assert_eq!(cell_text(&DataRef::DateTime(date)), "2025-01-01");
    }

    #[test]
    fn not_a_workbook() {
        let limits = Limits::default();
        let err = open(b"PK\x03\x04garbage", &limits).unwrap_err();
        assert!(matches!(err, ReadError::Xlsx(_)), "{err:?}");
        let err = open(b"Login Name,OU Admin\n", &limits).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the .xlsx workbook cannot be read (the file is not a zip archive, as every .xlsx \
             is): open it in Excel and save it again as .xlsx or \"CSV UTF-8\""
        );
    }

    // The tests below go end to end through `read`, on real workbooks
    // written in memory by rust_xlsxwriter (no stored fixture).

    /// A workbook with a hidden lookup sheet first, then the data sheet:
    /// header in row 2 (row 1 empty), a boolean and a number cell, an empty
    /// row, an #N/A formula result and an unknown column.
    fn workbook() -> Vec<u8> {
        let mut book = Workbook::new();
        let lookup = book.add_worksheet();
        lookup.set_name("Lists").unwrap();
        lookup.write_string(0, 0, "not the data").unwrap();
        lookup.set_hidden(true);
        let ws = book.add_worksheet();
        ws.set_name("Users").unwrap();
        ws.set_active(true);
        let header = [
            "Login Name",
            "Organization Unit",
            "OU Admin",
            "Email Address",
            "First Name",
            "Phone",
            "Employee Number",
        ];
        for (col, name) in (0u16..).zip(header) {
            ws.write_string(1, col, name).unwrap();
        }
        ws.write_string(2, 0, " alice@example.com ").unwrap();
        ws.write_string(2, 1, "Acme-IT").unwrap();
        ws.write_boolean(2, 2, true).unwrap();
        ws.write_string(2, 3, "alice@example.com").unwrap();
        ws.write_number(2, 4, 42.0).unwrap();
        ws.write_number(2, 5, 5551234.0).unwrap();
        ws.write_number(2, 6, 1234.0).unwrap();
        // Row 4 (index 3) stays empty.
        ws.write_string(4, 0, "bob@example.com").unwrap();
        ws.write_string(4, 1, "Acme-IT").unwrap();
        ws.write_boolean(4, 2, false).unwrap();
        ws.write_formula(4, 3, Formula::new("=NA()").set_result("#N/A"))
            .unwrap();
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn real_workbook() {
        let bytes = workbook();
        assert_eq!(detect_format(&bytes, None), Format::Xlsx);
        let s = read(&bytes, Format::Xlsx, &Limits::default()).unwrap();
        assert_eq!(
            s.warnings,
            ["unknown column 'Phone' in column F (6) is ignored"]
        );
        assert_eq!(s.rows.iter().map(|r| r.line).collect::<Vec<_>>(), [3, 5]);
        let alice = &s.rows[0];
        assert_eq!(alice.login, "alice@example.com");
        assert_eq!(alice.ou_admin, Some(true));
        assert_eq!(alice.first_name.as_deref(), Some("42"));
        // A profile text of the core's table, by its index there.
        assert_eq!(alice.texts, [(1, "1234".to_owned())]);
        assert_eq!(s.rows[1].texts, [(1, String::new())]);
        assert!(alice.valid);
        let bob = &s.rows[1];
        assert_eq!(bob.ou_admin, Some(false));
        assert_eq!(bob.email, "#N/A");
        assert_eq!(
            s.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["line 5, Email Address: must contain '@'"]
        );
    }

    #[test]
    fn row_limit_and_header_only() {
        let bytes = workbook();
        let limits = Limits {
            max_rows: 1,
            ..Limits::default()
        };
        let err = read(&bytes, Format::Xlsx, &limits).unwrap_err();
        assert_eq!(
            err.to_string(),
            "file has 2 data rows; the limit is 1 (import.max_rows): split it into smaller files"
        );
        let mut book = Workbook::new();
        book.add_worksheet()
            .write_string(0, 0, "Login Name")
            .unwrap();
        let err = read(
            &book.save_to_buffer().unwrap(),
            Format::Xlsx,
            &Limits::default(),
        )
        .unwrap_err();
        assert!(matches!(err, ReadError::MissingColumns(_)), "{err:?}");
        let mut book = Workbook::new();
        book.add_worksheet();
        let err = read(
            &book.save_to_buffer().unwrap(),
            Format::Xlsx,
            &Limits::default(),
        )
        .unwrap_err();
        assert!(matches!(err, ReadError::Empty), "{err:?}");
    }
}
