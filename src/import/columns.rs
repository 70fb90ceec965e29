//! The header row of an import file: which known field sits in which column.
//!
//! This module owns the list of column names an administrator may use, the
//! rules for recognising them (ignoring case, surrounding spaces and a stray
//! byte-order mark) and the file-level errors a header can cause: no header at
//! all, a required column missing, a known column given twice. The optional
//! profile columns are the rows of the core's table of shared texts
//! (`directory::attributes`), so a text LDAP and SCIM know is a column here
//! without a line of this file changing. Unknown columns
//! are never used; they only produce a warning so a misspelt name is noticed.

use super::read::ReadError;
use crate::directory::attributes::{SHARED_TEXTS, SharedText};

/// A column the importer understands: the account's own fields, and the
/// optional profile texts of the core's table. `slot` numbers them for
/// readers that store one value per field (see `xlsx_source`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Login,
    Organization,
    OuAdmin,
    Email,
    FirstName,
    LastName,
    DisplayName,
    /// A profile text: its row in `attributes::SHARED_TEXTS`.
    Text(u8),
}

/// The account's own fields, in template order.
const OWN: [Field; 7] = [
    Field::Login,
    Field::Organization,
    Field::OuAdmin,
    Field::Email,
    Field::FirstName,
    Field::LastName,
    Field::DisplayName,
];

/// How many fields exist; arrays indexed by `Field::slot` use it.
pub const FIELD_COUNT: usize = OWN.len() + SHARED_TEXTS.len();

impl Field {
    /// Every field, in template order: the account's, then the texts.
    pub fn all() -> impl Iterator<Item = Field> {
        let texts = (0..SHARED_TEXTS.len()).filter_map(|i| u8::try_from(i).ok());
        OWN.into_iter().chain(texts.map(Field::Text))
    }

    /// This field's place among `all()`, below `FIELD_COUNT`.
    pub fn slot(self) -> usize {
        match self {
            Field::Text(i) => OWN.len() + usize::from(i),
            own => OWN.iter().position(|f| *f == own).unwrap_or(0),
        }
    }

    /// The profile text this column sets, if it is one.
    pub fn text(self) -> Option<(usize, &'static SharedText)> {
        match self {
            Field::Text(i) => SHARED_TEXTS
                .get(usize::from(i))
                .map(|t| (usize::from(i), t)),
            _ => None,
        }
    }

    /// The default header name, as written in the template and in messages.
    pub fn header(self) -> &'static str {
        match self {
            Field::Login => "Login Name",
            Field::Organization => "Organization Unit",
            Field::OuAdmin => "OU Admin",
            Field::Email => "Email Address",
            Field::FirstName => "First Name",
            Field::LastName => "Last Name",
            Field::DisplayName => "Display Name",
            Field::Text(_) => self.text().map_or("", |(_, t)| t.label),
        }
    }

    /// The four columns a file must have; the others are optional.
    pub fn is_required(self) -> bool {
        matches!(
            self,
            Field::Login | Field::Organization | Field::OuAdmin | Field::Email
        )
    }

    /// Whether `name` (already cleaned) names this column: its header, or
    /// for a profile text also its LDAP or SCIM name (`employeeNumber`).
    fn is_named(self, name: &str) -> bool {
        let other_names = self.text().map(|(_, t)| [t.ldap, t.scim]);
        std::iter::once(self.header())
            .chain(other_names.into_iter().flatten())
            .any(|n| n.eq_ignore_ascii_case(name))
    }

    /// Recognises a header cell. Spreadsheets add invisible noise: a UTF-8
    /// BOM glued to the first cell, padding spaces, another capitalisation.
    pub fn from_header(cell: &str) -> Option<Field> {
        let name = clean_header(cell);
        Field::all().find(|f| f.is_named(name))
    }
}

/// The header cell as compared: without BOM and surrounding whitespace.
pub(super) fn clean_header(cell: &str) -> &str {
    cell.trim_start_matches('\u{feff}').trim()
}

/// Where each known field was found in the header row (0-based positions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    index: [Option<usize>; FIELD_COUNT],
    /// One past the last named header cell; a CSV row shorter than this lost
    /// a delimiter somewhere and its values cannot be trusted.
    width: usize,
    /// Number of header cells, named or not; non-empty values beyond it
    /// belong to no column.
    cells: usize,
}

impl Columns {
    /// The 0-based column holding `field`, if the file has it.
    pub fn index(&self, field: Field) -> Option<usize> {
        self.index[field.slot()]
    }

    /// Whether the file has a column for `field` (always true when required).
    pub fn has(&self, field: Field) -> bool {
        self.index(field).is_some()
    }

    /// One past the last named header cell.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Number of cells in the header row, including unnamed ones.
    pub fn header_cells(&self) -> usize {
        self.cells
    }

    /// The field stored in 0-based column `col`, if any.
    pub fn field_at(&self, col: usize) -> Option<Field> {
        Field::all().find(|f| self.index(*f) == Some(col))
    }
}

/// A resolved header row plus the warnings it deserves.
#[derive(Debug)]
pub(super) struct Header {
    pub columns: Columns,
    pub warnings: Vec<String>,
}

/// Maps header cells to fields. Fails when no cell is a known name (the row
/// is not a header), when a known name repeats (which one would win?) or when
/// a required column is missing.
pub(super) fn resolve<'h>(cells: impl Iterator<Item = &'h str>) -> Result<Header, ReadError> {
    let mut index = [None; FIELD_COUNT];
    let mut unknown = Vec::new();
    let (mut width, mut count) = (0, 0);
    for (col, cell) in cells.enumerate() {
        count = col + 1;
        let name = clean_header(cell);
        if name.is_empty() {
            continue;
        }
        width = col + 1;
        match Field::from_header(name) {
            Some(field) => place(&mut index, field, col)?,
            None => unknown.push(unknown_warning(name, col)),
        }
    }
    if index.iter().all(Option::is_none) {
        return Err(ReadError::NoHeader);
    }
    check_required(&index)?;
    let columns = Columns {
        index,
        width,
        cells: count,
    };
    Ok(Header {
        columns,
        warnings: unknown,
    })
}

/// Records `field` at `col`, refusing a second column with the same name.
fn place(
    index: &mut [Option<usize>; FIELD_COUNT],
    field: Field,
    col: usize,
) -> Result<(), ReadError> {
    let slot = &mut index[field.slot()];
    if let Some(first) = *slot {
        return Err(ReadError::DuplicateColumn {
            name: field.header(),
            first: column_label(first),
            second: column_label(col),
        });
    }
    *slot = Some(col);
    Ok(())
}

/// All missing required columns at once, so one upload shows every fix.
fn check_required(index: &[Option<usize>; FIELD_COUNT]) -> Result<(), ReadError> {
    let missing: Vec<&'static str> = Field::all()
        .filter(|f| f.is_required() && index[f.slot()].is_none())
        .map(Field::header)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(ReadError::MissingColumns(missing))
    }
}

fn unknown_warning(name: &str, col: usize) -> String {
    format!(
        "unknown column '{name}' in {} is ignored",
        column_label(col)
    )
}

/// "column F (6)": the letter a spreadsheet user sees and the number a CSV
/// user counts.
pub fn column_label(col: usize) -> String {
    format!("column {} ({})", column_letters(col), col + 1)
}

/// Spreadsheet letters for a 0-based column: 0 → A, 25 → Z, 26 → AA.
pub fn column_letters(col: usize) -> String {
    let mut n = col + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = (n - 1) % 26;
        // `rem` < 26, so the cast cannot truncate.
        letters.push(char::from(b'A' + rem as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(cells: &[&str]) -> Result<Header, ReadError> {
        resolve(cells.iter().copied())
    }

    #[test]
    fn letters() {
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(25), "Z");
        assert_eq!(column_letters(26), "AA");
        assert_eq!(column_letters(701), "ZZ");
        assert_eq!(column_letters(702), "AAA");
        assert_eq!(column_label(5), "column F (6)");
    }

    #[test]
    fn case_spaces_order_and_bom() {
        let h = header(&[
            "\u{feff} email address ",
            "ou admin",
            "LOGIN NAME",
            "  Organization Unit",
        ])
        .unwrap();
        assert_eq!(h.columns.index(Field::Email), Some(0));
        assert_eq!(h.columns.index(Field::Login), Some(2));
        assert!(!h.columns.has(Field::DisplayName));
        assert!(h.warnings.is_empty());
    }

    #[test]
    fn unknown_column_is_warned() {
        let h = header(&[
            "Login Name",
            "Organization Unit",
            "OU Admin",
            "Email Address",
            "",
            "Phone",
        ])
        .unwrap();
        assert_eq!(
            h.warnings,
            ["unknown column 'Phone' in column F (6) is ignored"]
        );
        assert_eq!(h.columns.width(), 6);
        assert_eq!(h.columns.field_at(3), Some(Field::Email));
    }

    #[test]
    fn missing_and_duplicate_columns() {
        let err = header(&["Login Name", "Email Address"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "missing required column(s): Organization Unit, OU Admin; the header row must name \
             Login Name, Organization Unit, OU Admin and Email Address"
        );
        let err = header(&["Login Name", "login name"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "column 'Login Name' appears twice (column A (1) and column B (2)); keep one"
        );
        assert!(matches!(
            header(&["name", "mail"]),
            Err(ReadError::NoHeader)
        ));
    }
}
