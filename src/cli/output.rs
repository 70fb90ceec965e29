//! How the CLI prints answers: the daemon's JSON as is with `--json`, else a
//! short table for lists (chosen columns) and `key: value` lines for one record.

use serde_json::Value;

/// Prints `value`; `columns` are the fields a list shows as a table.
pub fn print(value: &Value, columns: &[&str], json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
        );
        return;
    }
    match value.get("items").and_then(Value::as_array) {
        Some(items) => table(items, columns),
        None => record(value),
    }
}

fn cell(v: &Value) -> String {
    match v {
        Value::Null => "-".into(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(cell).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

fn table(items: &[Value], columns: &[&str]) {
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|i| columns.iter().map(|c| cell(&i[*c])).collect())
        .collect();
    let widths: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(n, c)| {
            rows.iter()
                .map(|r| r[n].chars().count())
                .chain([c.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(columns.iter().map(|c| c.to_uppercase()).collect());
    for row in rows {
        line(row);
    }
}

fn record(value: &Value) {
    match value.as_object() {
        Some(map) => {
            for (k, v) in map {
                println!("{k}: {}", cell(v));
            }
        }
        None if value.is_null() => println!("ok"),
        None => println!("{}", cell(value)),
    }
}
