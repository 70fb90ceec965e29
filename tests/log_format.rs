//! `DIRGATE_LOG_FORMAT=json`: the daemon logs one JSON object per line (for
//! log collectors), with the event's fields as fields.

#[path = "common/process.rs"]
mod process;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

#[test]
fn json_logs_are_one_object_per_line() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = process::command(tmp.path(), "")
        .arg("serve")
        .env("DIRGATE_LOG", "info")
        .env("DIRGATE_LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines {
        let line = line.unwrap();
        let v: serde_json::Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        assert!(v["level"].is_string(), "{line}");
        if v["fields"]["message"] == "http listening" {
            assert!(
                v["fields"]["addr"]
                    .as_str()
                    .unwrap()
                    .starts_with("127.0.0.1:"),
                "{line}"
            );
            break;
        }
        seen.push(line);
        assert!(seen.len() < 50, "no http listening line: {seen:?}");
    }
    let _ = child.kill();
    let _ = child.wait();
}
