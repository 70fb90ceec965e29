//! The admin API (`/admin/v1`), JSON over HTTP. Handlers take a request that
//! the admin authentication already turned into a core [`crate::directory::Request`]
//! and call the core's use cases; they decide no access themselves.
//!
//! - `imports`: bulk import (preview, confirm, report, template).

pub mod imports;
