//! A progress line on stderr for the CLI's long calls (an upload, an apply):
//! on a terminal, the elapsed seconds tick on one line while the call runs;
//! otherwise (a script, a log) one line when it starts and one when it ends.
//! No dependency: a thread and `\r`.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often the ticking line is redrawn.
const TICK: Duration = Duration::from_millis(250);

/// A running step; [`Progress::finish`] ends it.
pub struct Progress {
    label: String,
    started: Instant,
    done: Arc<AtomicBool>,
    ticker: Option<JoinHandle<()>>,
}

impl Progress {
    /// Announces `label` and, on a terminal, starts ticking.
    pub fn start(label: String) -> Progress {
        let done = Arc::new(AtomicBool::new(false));
        let started = Instant::now();
        let ticker = if std::io::stderr().is_terminal() {
            let (label, done) = (label.clone(), done.clone());
            std::thread::Builder::new()
                .name("dirgate-progress".into())
                .spawn(move || tick(&label, started, &done))
                .ok()
        } else {
            eprintln!("{label}…");
            None
        };
        Progress {
            label,
            started,
            done,
            ticker,
        }
    }

    /// Stops ticking and says how long the step took and whether it worked.
    pub fn finish(mut self, ok: bool) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(t) = self.ticker.take() {
            let _ = t.join();
            // Back to the line's start and erase the ticking text.
            eprint!("\r\x1b[2K");
        }
        let outcome = if ok { "done" } else { "failed" };
        let secs = self.started.elapsed().as_secs_f64();
        eprintln!("{}: {outcome} in {secs:.2} s", self.label);
    }
}

fn tick(label: &str, started: Instant, done: &AtomicBool) {
    const SPIN: [char; 4] = ['|', '/', '-', '\\'];
    let mut n = 0;
    while !done.load(Ordering::Relaxed) {
        let secs = started.elapsed().as_secs_f64();
        eprint!("\r{} {label}… {secs:.1} s", SPIN[n % SPIN.len()]);
        let _ = std::io::stderr().flush();
        n += 1;
        std::thread::sleep(TICK);
    }
}
