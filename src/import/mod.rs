//! Bulk organization update from CSV and Excel files, the front half: `read`
//! turns bytes into typed rows with line numbers (encodings, delimiters, header
//! mapping, per-field shape checks, limits); `preview` runs the flow (preview,
//! confirm, report) over the core's import use cases
//! (`crate::directory::imports`), which make every access decision and the one
//! write transaction; `report` shapes what the preview and the report show.

mod columns;
mod csv_source;
mod decode;
mod duplicates;
mod fields;
pub mod preview;
pub mod read;
#[cfg(test)]
mod read_tests;
pub mod report;
mod xlsx_source;

pub use preview::{ImportError, Imports, Preview};

use crate::directory::imports::Column;
use crate::directory::model::Lifecycle;
use std::time::Duration;

/// The `[import]` settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportConfig {
    /// `import.max_rows` and `import.max_bytes`.
    pub limits: read::Limits,
    /// How long a preview is kept for its confirm (`import.preview_ttl_secs`).
    pub preview_ttl: Duration,
    /// State of the users an import creates (`import.created_state`).
    pub created_state: Lifecycle,
}

impl Default for ImportConfig {
    fn default() -> Self {
        ImportConfig {
            limits: read::Limits::default(),
            preview_ttl: Duration::from_secs(3600),
            created_state: Lifecycle::Provisioned,
        }
    }
}

/// The header name of the column a core problem belongs to.
pub(crate) fn field_header(column: Column) -> &'static str {
    let field = match column {
        Column::Login => read::Field::Login,
        Column::Organization => read::Field::Organization,
        Column::OuAdmin => read::Field::OuAdmin,
    };
    field.header()
}
