//! Keeps the cell references of an .xlsx upload within Excel's grid
//! (columns A to XFD, rows 1 to 1,048,576) before calamine reads them.
//!
//! calamine 0.38 turns an `A1` reference into numbers with unchecked `u32`
//! arithmetic: a reference with a long run of letters or digits overflows (a
//! panic where overflow checks are on, as in debug builds; silently wrong
//! coordinates in a release build), and a range whose end comes before its
//! start underflows (upstream: tafia/calamine#709; found here by the
//! `import_xlsx` fuzzer). So every reference the cells reader parses (`r` of
//! `<row>` and `<c>`, `ref` of `<dimension>` and `<f>`) is checked here
//! first, read with calamine's XML settings and split into attributes the
//! way calamine splits them, so that both see the same text. A reference
//! calamine would refuse anyway (a stray character) is left for it to refuse.

use std::io::Read;

use quick_xml::events::Event;

/// Excel's last column (XFD) and last row.
const MAX_COLUMN: u32 = 16_384;
const MAX_ROW: u32 = 1_048_576;

/// Refuses a part holding a cell reference outside the grid; the error names
/// it. Reading stops quietly at XML that does not parse: calamine stops
/// there too, having seen only what was checked.
pub(super) fn check(text: impl Read) -> Result<(), String> {
    let mut xml = super::xlsx_limits::calamine_xml(text);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let tag = match xml.read_event_into(&mut buf) {
            Ok(Event::Start(tag) | Event::Empty(tag)) => tag,
            Ok(Event::Eof) | Err(_) => return Ok(()),
            Ok(_) => continue,
        };
        let key = match tag.local_name().as_ref() {
            "row" | "c" => "r",
            "dimension" | "f" => "ref",
            _ => continue,
        };
        for value in values_of(tag.attributes_raw(), key) {
            check_range(value)?;
        }
    }
}

/// The values of every attribute called `key` (as written, prefix and all),
/// split as calamine's raw attribute reader splits them: a key runs to the
/// next `=`, a value is quoted; the first malformed attribute ends the list.
fn values_of<'a>(mut raw: &'a str, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    std::iter::from_fn(move || {
        loop {
            let (name, rest) = raw.split_once('=')?;
            let rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace());
            let quote = rest.chars().next().filter(|c| matches!(c, '"' | '\''))?;
            let body = &rest[1..];
            let (value, after) = body.split_once(quote).unwrap_or((body, ""));
            raw = after;
            if name.trim_ascii() == key {
                return Some(value);
            }
        }
    })
}

/// `A1` or `A1:B2`; a range's end must not come before its start.
fn check_range(range: &str) -> Result<(), String> {
    let refused = |why: &str| {
        let shown: String = range.chars().take(40).collect();
        Err(format!("cell reference {shown:?} {why}"))
    };
    let mut corners = Vec::new();
    for part in range.split(':') {
        match cell(part) {
            Ok(corner) => corners.push(corner),
            Err(()) => return refused("is outside the sheet (XFD1048576 at most)"),
        }
    }
    if let [Some((r1, c1)), Some((r2, c2))] = corners[..]
        && (r2 < r1 || c2 < c1)
    {
        return refused("ends before it starts");
    }
    Ok(())
}

/// The row and column of `letters digits`, counted as calamine counts them:
/// the letters first, then the digits, up to the first other character
/// (where calamine stops with an error, and so `None`). `Err` when either
/// count passes the grid before that.
fn cell(text: &str) -> Result<Option<(u32, u32)>, ()> {
    let letters = text.bytes().take_while(u8::is_ascii_alphabetic);
    let column = letters.clone().try_fold(0u32, |n, b| {
        let n = n * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1;
        (n <= MAX_COLUMN).then_some(n)
    });
    let rest = text.bytes().skip(letters.count());
    let digits = rest.clone().take_while(u8::is_ascii_digit);
    let row = digits.clone().try_fold(0u32, |n, b| {
        let n = n * 10 + u32::from(b - b'0');
        (n <= MAX_ROW).then_some(n)
    });
    let (Some(column), Some(row)) = (column, row) else {
        return Err(());
    };
    let clean = rest.count() == digits.count();
    Ok(clean.then_some((row, column)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(cells: &str) -> String {
        format!("<worksheet><dimension ref=\"A1:C3\"/><sheetData>{cells}</sheetData></worksheet>")
    }

    #[test]
    fn references_within_the_grid_pass() {
        let ok = sheet(
            "<row r=\"1\"><c r=\"A1\"/><c r='XFD1048576'/><x:c r=\"b2\"/></row>\
             <c r=\"AA\"/><c r=\"A$1\"/><c s=\"1\"/><c t=\"s\" r=\"C3\"><f ref=\"C3:C9\"/></c>",
        );
        assert_eq!(check(ok.as_bytes()), Ok(()));
        // Broken XML ends the check: calamine stops there too.
        let broken = "<c r=\"A1\"><!x></c><c r=\"AAAAAAAAA1\"/>";
        assert_eq!(check(broken.as_bytes()), Ok(()));
    }

    #[test]
    fn references_past_the_grid_or_backwards_are_refused() {
        for bad in [
            "<c r=\"XFE1\"/>",
            "<c r=\"AAAAAAAAAAAAAA1\"/>",
            "<row r=\"1048577\"/>",
            "<row r=\"99999999999999999999\"/>",
            "<c s=\"1\" r = 'A1048577'/>",
            "<dimension ref=\"B2:A1\"/>",
            "<dimension ref=\"A2:B1\"/>",
            "<f ref=\"A1:ZZZZZZZ1\"/>",
            "<x:c r=\"A1\" r=\"A9999999\"/>",
            // calamine counts the letters before it finds the dot.
            "<c r=\"Apenxmlformats.org\"/>",
            "<c r=\"A12345678901.5\"/>",
        ] {
            let e = check(sheet(bad).as_bytes()).unwrap_err();
            assert!(e.starts_with("cell reference"), "{bad}: {e}");
        }
    }
}
