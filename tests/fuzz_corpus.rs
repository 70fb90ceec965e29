//! The fuzz corpora on stable: every file under `fuzz/corpus/<target>/` and
//! `fuzz/regressions/<target>/` runs through the same library function the
//! fuzzer calls (`dirgate::fuzzing`), so an input that once crashed a target
//! keeps being tried by `cargo test`. A panic on any thread (the blocking pool
//! and the hashing threads included, where the daemon would turn it into an
//! error) fails the test and names the file.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

static PANICS: AtomicUsize = AtomicUsize::new(0);

/// The files of `fuzz/<kind>/<target>/`, by target, in name order.
fn inputs(kind: &str) -> Vec<(String, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz")
        .join(kind);
    let mut out = Vec::new();
    let Ok(targets) = std::fs::read_dir(&root) else {
        return out;
    };
    for target in targets {
        let target = target.unwrap().path();
        let name = target.file_name().unwrap().to_string_lossy().into_owned();
        let mut files: Vec<PathBuf> = std::fs::read_dir(&target)
            .unwrap()
            .map(|f| f.unwrap().path())
            .filter(|p| p.is_file())
            .collect();
        files.sort();
        out.extend(files.into_iter().map(|f| (name.clone(), f)));
    }
    out
}

#[test]
fn every_corpus_and_regression_input_runs_without_a_panic() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        default(info);
    }));
    let corpus = inputs("corpus");
    for (name, _) in dirgate::fuzzing::TARGETS {
        assert!(
            corpus.iter().any(|(t, _)| t == name),
            "fuzz/corpus/{name}/ has no input"
        );
    }
    let mut failed = Vec::new();
    for (target, file) in corpus.iter().chain(&inputs("regressions")) {
        let run = dirgate::fuzzing::target(target)
            .unwrap_or_else(|| panic!("{}: no fuzz target {target}", file.display()));
        let data = std::fs::read(file).unwrap();
        let before = PANICS.load(Ordering::SeqCst);
        let unwound = std::panic::catch_unwind(|| run(&data)).is_err();
        if unwound || PANICS.load(Ordering::SeqCst) != before {
            failed.push(file.display().to_string());
        }
    }
    assert!(failed.is_empty(), "inputs that panic: {failed:#?}");
}
