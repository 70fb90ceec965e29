//! Bulk organization update from CSV and Excel files. So far the reading half:
//! bytes → typed rows with line numbers (encodings, delimiters, header mapping,
//! per-field shape checks, limits); preview and apply come with the import issue.
//! `read` is the public face; the others are its parts.

mod columns;
mod csv_source;
mod decode;
mod duplicates;
mod fields;
pub mod read;
#[cfg(test)]
mod read_tests;
mod xlsx_source;
