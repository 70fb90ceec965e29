//! Bulk organization update from CSV and Excel files, the front half: `read`
//! turns bytes into typed rows with line numbers (encodings, delimiters, header
//! mapping, per-field shape checks, limits); `preview` runs the flow (preview,
//! confirm, report) over the core's import use cases
//! (`crate::directory::imports`), which make every access decision and the one
//! write transaction; `keep` holds the previews within their memory caps;
//! `report` shapes what the preview and the report show; `config` is the
//! `[import]` section of the configuration.

mod columns;
pub mod config;
mod csv_source;
mod decode;
mod duplicates;
mod fields;
mod keep;
pub mod preview;
pub mod read;
#[cfg(test)]
mod read_tests;
pub mod report;
mod xlsx_limits;
mod xlsx_refs;
mod xlsx_source;

pub use config::ImportConfig;
pub use preview::{ImportCounts, ImportError, Imports, Preview};

use crate::directory::imports::Column;

/// The header name of the column a core problem belongs to.
pub(crate) fn field_header(column: Column) -> &'static str {
    let field = match column {
        Column::Login => read::Field::Login,
        Column::Organization => read::Field::Organization,
        Column::OuAdmin => read::Field::OuAdmin,
    };
    field.header()
}
