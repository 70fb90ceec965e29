//! The daemon's log filter: what the operator asks for (`DIRGATE_LOG` or
//! `RUST_LOG` directives), except that dependencies which print credentials at
//! their most verbose levels are held below those levels. The binary and the
//! tests build it here so both run the same filter. Imports nothing of dirgate.

use tracing::Subscriber;
use tracing_subscriber::filter::combinator::And;
use tracing_subscriber::filter::{EnvFilter, FilterExt, LevelFilter, Targets};
use tracing_subscriber::registry::LookupSpan;

/// Targets (and everything under them) that never log above the given level:
/// - `ldap3_proto` traces every decoded LDAP message, so bind passwords,
///   `userPassword` values and Password Modify's old and new passwords;
/// - `ureq_proto` (webhook deliveries) traces every byte it writes or reads,
///   `Authorization` headers and bodies included.
///
/// axum, hyper and rustls log no header value or body here (hyper's tracing
/// is not compiled in; rustls traces handshake messages only).
const CAPPED: [(&str, LevelFilter); 2] = [
    ("ldap3_proto", LevelFilter::DEBUG),
    ("ureq_proto", LevelFilter::DEBUG),
];

/// The operator's directives `user` (invalid ones are skipped, as EnvFilter
/// does), and the caps of [`CAPPED`] whatever they ask. The caps are a second
/// filter that every event must also pass, not directives appended to
/// `user`: a more specific directive (`ldap3_proto::proto=trace`) or a span
/// directive (`[conn]=trace`) would win over an appended `ldap3_proto=debug`.
pub fn filter<S>(user: &str) -> And<EnvFilter, Targets, S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    let caps = Targets::new()
        .with_default(LevelFilter::TRACE)
        .with_targets(CAPPED);
    EnvFilter::new(user).and(caps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::{Layer, fmt};

    /// Everything logged under `filter(user)` while `f` runs.
    fn logged(user: &str, f: impl FnOnce()) -> String {
        let out = Arc::new(Mutex::new(Vec::new()));
        let sink = out.clone();
        let writer = move || Sink(sink.clone());
        let layer = fmt::layer()
            .with_writer(writer)
            .with_ansi(false)
            .with_filter(filter(user));
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, f);
        let bytes = out.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    struct Sink(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn events() {
        tracing::info_span!("conn").in_scope(|| {
            tracing::trace!(target: "ldap3_proto::proto", "pdu SECRET-1");
            tracing::trace!(target: "ldap3_proto", "pdu SECRET-2");
            tracing::trace!(target: "ureq_proto::util", "bytes SECRET-3");
            tracing::debug!(target: "ldap3_proto", "debug stays");
            tracing::trace!(target: "dirgate::ldap", "our trace stays");
        });
    }

    #[test]
    fn dependencies_that_dump_credentials_stay_at_debug_whatever_is_asked() {
        for user in [
            "trace",
            "ldap3_proto=trace,ureq_proto=trace,trace",
            "ldap3_proto::proto=trace,ureq_proto::util=trace,trace",
            "[conn]=trace,trace",
        ] {
            let out = logged(user, events);
            assert!(!out.contains("SECRET"), "{user}: {out}");
            assert!(out.contains("debug stays"), "{user}: {out}");
            assert!(out.contains("our trace stays"), "{user}: {out}");
        }
    }

    #[test]
    fn the_operator_still_chooses_below_the_caps() {
        let out = logged("info", events);
        assert!(!out.contains("debug stays"), "{out}");
        assert!(!out.contains("our trace stays"), "{out}");
        let out = logged("info,dirgate=trace", events);
        assert!(out.contains("our trace stays"), "{out}");
        assert!(!out.contains("debug stays"), "{out}");
    }
}
