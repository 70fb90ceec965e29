//! `dirgate backup FILE`: the daemon's `/backup` stream written beside FILE
//! (mode 0600), its checksum and header checked, then renamed into place, so
//! FILE is either a whole, sound backup or untouched.

use super::client::{CliError, Client};
use crate::store::verify_backup;
use serde_json::json;
use std::io::Write;
use std::path::Path;

pub fn run(c: &Client, file: &Path, as_json: bool) -> Result<(), CliError> {
    use std::os::unix::fs::OpenOptionsExt;
    let partial = file.with_extension("partial");
    let failed = |e: std::io::Error| CliError::Usage(format!("{}: {e}", partial.display()));
    let out = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&partial)
        .map_err(failed)?;
    let mut out = std::io::BufWriter::new(out);
    let written = c
        .download("/backup", &mut out)
        .and_then(|n| out.flush().map(|()| n).map_err(failed));
    let checked = written.and_then(|n| {
        let header = verify_backup(&partial).map_err(|e| {
            CliError::Invalid(format!(
                "the daemon's backup is not whole ({e}); nothing was kept"
            ))
        })?;
        Ok((n, header))
    });
    let (bytes, header) = match checked {
        Ok(done) => done,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, file)
        .map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
    if as_json {
        let v = json!({"file": file.display().to_string(), "bytes": bytes,
                       "schema": header.schema, "changes": header.changes});
        println!("{v}");
    } else {
        println!(
            "{}: {bytes} bytes, checksum verified (schema {}, changes up to {})",
            file.display(),
            header.schema,
            header.changes
        );
    }
    Ok(())
}
