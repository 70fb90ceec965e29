//! Backups as an operator runs them: the daemon's scheduled backups
//! (`[backup] dir`, every `interval_minutes`, the newest `keep` kept, named
//! `dirgate-<UTC time>.backup` so names sort by age), and `dirgate restore`,
//! which loads a backup into the data directory of a stopped server. The
//! copy itself is the store's (`store::backup`); who may take one over the
//! admin API is the core's.

use crate::config::{BackupConfig, Config};
use crate::directory::Directory;
use anyhow::Context;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use tokio_util::sync::CancellationToken;

const PREFIX: &str = "dirgate-";
const SUFFIX: &str = ".backup";

/// Takes a backup every `config.interval` until `shutdown`; the first one
/// an interval after the start.
pub async fn schedule(dir: Directory, config: BackupConfig, shutdown: CancellationToken) {
    let Some(target) = config.dir.clone() else {
        return;
    };
    let mut ticks = tokio::time::interval(config.interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks.tick().await;
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = ticks.tick() => {}
        }
        let (d, t, keep) = (dir.clone(), target.clone(), config.keep);
        match tokio::task::spawn_blocking(move || take(&d, &t, keep)).await {
            Ok(Ok(path)) => tracing::info!(path = %path.display(), "scheduled backup written"),
            Ok(Err(e)) => tracing::error!(error = %format!("{e:#}"), "scheduled backup failed"),
            Err(e) => tracing::error!(error = %e, "scheduled backup failed"),
        }
    }
}

/// One scheduled backup into `target`, then the oldest beyond `keep` go.
fn take(dir: &Directory, target: &Path, keep: usize) -> anyhow::Result<PathBuf> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(target)
        .with_context(|| format!("cannot create {} (backup.dir)", target.display()))?;
    let stamp = time::OffsetDateTime::now_utc();
    let name = format!(
        "{PREFIX}{:04}{:02}{:02}T{:02}{:02}{:02}.{:03}Z{SUFFIX}",
        stamp.year(),
        u8::from(stamp.month()),
        stamp.day(),
        stamp.hour(),
        stamp.minute(),
        stamp.second(),
        stamp.millisecond()
    );
    let path = target.join(name);
    dir.scheduled_backup(&path)?;
    prune(target, keep)?;
    Ok(path)
}

/// Deletes the oldest scheduled backups in `target` beyond the newest `keep`.
fn prune(target: &Path, keep: usize) -> anyhow::Result<()> {
    let mut names: Vec<String> = std::fs::read_dir(target)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with(PREFIX) && n.ends_with(SUFFIX))
        .collect();
    names.sort();
    let extra = names.len().saturating_sub(keep);
    for old in &names[..extra] {
        std::fs::remove_file(target.join(old))?;
    }
    Ok(())
}

/// `dirgate restore FILE`: checks the backup whole, loads it into a new
/// store file beside the data directory's, brings it to this build's schema,
/// and puts it in place; an existing store is refused unless `replace`, and
/// then kept as `dirgate.redb.before-restore`. A store in use (a running
/// daemon) is refused. Returns what to tell the operator.
pub fn restore(config: &Config, file: &Path, replace: bool) -> anyhow::Result<String> {
    let header = crate::store::verify_backup(file)
        .with_context(|| format!("{} was not restored", file.display()))?;
    let target = config.store_path();
    if target.exists() {
        anyhow::ensure!(
            replace,
            "{} already holds a store; stop the daemon and pass --replace to put the backup in its place (the store is kept as {})",
            target.display(),
            aside(&target).display()
        );
        // Opening it is how a running daemon is noticed: redb locks the file.
        drop(crate::store::Store::open(&target, config.first_id_number)?);
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&config.data_dir)
        .with_context(|| format!("cannot create data_dir {}", config.data_dir.display()))?;
    let partial = target.with_extension("restoring");
    let _ = std::fs::remove_file(&partial);
    let loaded = load(file, &partial, config.first_id_number);
    if let Err(e) = loaded {
        let _ = std::fs::remove_file(&partial);
        return Err(e.context(format!("{} was not restored", file.display())));
    }
    if target.exists() {
        std::fs::rename(&target, aside(&target))?;
    }
    std::fs::rename(&partial, &target)?;
    Ok(format!(
        "restored {} into {} (schema {}, changes up to {})",
        file.display(),
        target.display(),
        header.schema,
        header.changes
    ))
}

/// The backup loaded into `partial` and migrated to this build's schema.
fn load(file: &Path, partial: &Path, first_id_number: u32) -> anyhow::Result<()> {
    crate::store::restore_backup(file, partial)?;
    drop(crate::store::Store::open(partial, first_id_number)?);
    Ok(())
}

fn aside(store: &Path) -> PathBuf {
    store.with_extension("redb.before-restore")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruning_keeps_the_newest() {
        let tmp = tempfile::tempdir().unwrap();
        for n in 1..=4 {
            std::fs::write(tmp.path().join(format!("{PREFIX}2026010{n}{SUFFIX}")), "x").unwrap();
        }
        std::fs::write(tmp.path().join("other.txt"), "x").unwrap();
        prune(tmp.path(), 2).unwrap();
        let mut left: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "dirgate-20260103.backup",
                "dirgate-20260104.backup",
                "other.txt"
            ]
        );
    }
}
