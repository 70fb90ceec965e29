//! End-to-end tests of `read` on CSV files: whole files in, `Sheet` or
//! `ReadError` out. Every fixture is built in memory here (CSV text and
//! re-encoded bytes); none is stored. The XLSX end-to-end tests live with
//! `xlsx_source`, where the workbooks are written with rust_xlsxwriter.

use super::read::*;

const HEADER: &str = "Login Name,Organization Unit,OU Admin,Email Address";

fn read_csv(text: &str) -> Result<Sheet, ReadError> {
    read(text.as_bytes(), Format::Csv, &Limits::default())
}

fn sheet(text: &str) -> Sheet {
    read_csv(text).unwrap_or_else(|e| panic!("{e}"))
}

fn lines(sheet: &Sheet) -> Vec<usize> {
    sheet.rows.iter().map(|r| r.line).collect()
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let bom: [u8; 2] = if big_endian {
        [0xFE, 0xFF]
    } else {
        [0xFF, 0xFE]
    };
    let units = text.encode_utf16().flat_map(|u| {
        if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        }
    });
    bom.into_iter().chain(units).collect()
}

#[test]
fn plain_row_is_typed() {
    let s = sheet(&format!(
        "{HEADER},First Name,Display Name\nalice@example.com,Acme-IT,True,alice@example.com,Alice,\n"
    ));
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert!(s.warnings.is_empty());
    let row = &s.rows[0];
    assert_eq!(row.line, 2);
    assert_eq!(row.login, "alice@example.com");
    assert_eq!(row.organization, "Acme-IT");
    assert_eq!(row.ou_admin, Some(true));
    assert_eq!(row.first_name.as_deref(), Some("Alice"));
    assert_eq!(row.last_name, None); // no such column
    assert_eq!(row.display_name.as_deref(), Some("")); // column, empty cell
    assert!(row.valid);
}

#[test]
fn utf8_bom_and_crlf() {
    let text = format!(
        "\u{feff}{HEADER}\r\na@example.com,Acme,False,a@example.com\r\n\r\nb@example.com,Acme,False,b@example.com\r\n"
    );
    let s = sheet(&text);
    assert_eq!(lines(&s), [2, 4]);
    assert!(s.warnings.is_empty());
    assert_eq!(s.rows[1].email, "b@example.com");
}

#[test]
fn utf16_le_with_tabs_and_be() {
    let text = format!(
        "{}\r\nzoë@example.com\tAcme\tTRUE\tzoe@example.com\r\n",
        HEADER.replace(',', "\t")
    );
    for be in [false, true] {
        let s = read(&utf16(&text, be), Format::Csv, &Limits::default()).unwrap();
        assert_eq!(s.rows[0].login, "zoë@example.com");
        assert_eq!(s.rows[0].ou_admin, Some(true));
        assert!(s.errors.is_empty() && s.warnings.is_empty());
    }
}

#[test]
fn windows_1252_is_decoded_with_a_warning() {
    let mut bytes =
        format!("{HEADER},Last Name\na@example.com,Acme,True,a@example.com,Ren").into_bytes();
    bytes.extend_from_slice(b"\xe9\r\n");
    let s = read(&bytes, Format::Csv, &Limits::default()).unwrap();
    assert_eq!(s.rows[0].last_name.as_deref(), Some("René"));
    assert_eq!(s.warnings.len(), 1);
    assert!(s.warnings[0].contains("not valid UTF-8") && s.warnings[0].contains("Windows-1252"));
}

#[test]
fn semicolon_and_tab_delimiters() {
    for d in [";", "\t"] {
        let text = format!(
            "{}\na@example.com{d}Acme, Inc{d}False{d}a@example.com\n",
            HEADER.replace(',', d)
        );
        let s = sheet(&text);
        assert_eq!(s.rows[0].organization, "Acme, Inc", "delimiter {d:?}");
        assert!(s.errors.is_empty());
    }
}

#[test]
fn quoted_values_and_following_line_number() {
    let text = format!(
        "{HEADER},Display Name,Notes\r\n\
         a@example.com,Acme,True,a@example.com,\"Smith, \"\"Al\"\"\",\"line one\r\nline two\nline three\"\r\n\
         b@example.com,Acme,False,b@example.com,Bob,\r\n"
    );
    let s = sheet(&text);
    assert_eq!(s.rows[0].display_name.as_deref(), Some("Smith, \"Al\""));
    assert_eq!(lines(&s), [2, 5]);
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(
        s.warnings,
        ["unknown column 'Notes' in column F (6) is ignored"]
    );
}

#[test]
fn blank_lines_are_skipped_and_fields_trimmed() {
    let text = format!(
        "\n{HEADER}\n\n ,  , ,\n  a@example.com , Acme ,  true , a@example.com  \n\n\nb@example.com,Acme,false,b@example.com"
    );
    let s = sheet(&text);
    assert_eq!(lines(&s), [5, 8]);
    assert_eq!(s.rows[0].login, "a@example.com");
    assert_eq!(s.rows[0].organization, "Acme");
    assert_eq!(s.rows[1].ou_admin, Some(false));
}

#[test]
fn old_mac_line_ends() {
    let text = format!(
        "{HEADER}\ra@example.com,A,True,a@example.com\r\rb@example.com,A,True,b@example.com"
    );
    assert_eq!(lines(&sheet(&text)), [2, 4]);
}

#[test]
fn header_case_spaces_and_order() {
    let text = " email address ;OU ADMIN; login name ;organization unit\nm@example.com;False;l@example.com;Acme\n";
    let s = sheet(text);
    assert_eq!(s.rows[0].login, "l@example.com");
    assert_eq!(s.rows[0].email, "m@example.com");
    assert_eq!(s.columns.index(Field::Login), Some(2));
}

#[test]
fn header_errors() {
    let err = read_csv("Login Name,Email Address,Phone\nx,y,z\n").unwrap_err();
    assert!(
        matches!(&err, ReadError::MissingColumns(m) if m == &["Organization Unit", "OU Admin"])
    );
    assert!(
        err.to_string()
            .starts_with("missing required column(s): Organization Unit, OU Admin;")
    );
    let err = read_csv(&format!("{HEADER},email address\n")).unwrap_err();
    assert!(matches!(
        err,
        ReadError::DuplicateColumn {
            name: "Email Address",
            ..
        }
    ));
    assert!(matches!(
        read_csv("name,mail\nx,y\n"),
        Err(ReadError::NoHeader)
    ));
}

#[test]
fn only_header_and_empty_files() {
    assert!(matches!(
        read_csv(&format!("{HEADER}\r\n\r\n")),
        Err(ReadError::NoRows)
    ));
    assert!(matches!(read_csv(""), Err(ReadError::Empty)));
    assert!(matches!(
        read_csv("\u{feff}\r\n  \n"),
        Err(ReadError::Empty)
    ));
    assert_eq!(read_csv("").unwrap_err().to_string(), "the file is empty");
}

#[test]
fn field_errors_keep_the_row() {
    let text = format!("{HEADER}\nbad login,,yes,N/A\n");
    let s = sheet(&text);
    assert!(!s.rows[0].valid);
    assert_eq!(s.rows[0].ou_admin, None);
    let shown: Vec<String> = s.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "line 2, Login Name: must not contain spaces",
            "line 2, Organization Unit: must not be empty",
            "line 2, OU Admin: must be True or False, not 'yes'",
            "line 2, Email Address: placeholder 'N/A' is not an email address",
        ]
    );
}

#[test]
fn ou_admin_values_through_read() {
    let mut text = format!("{HEADER}\n");
    for (i, v) in ["True", "FALSE", "tRUE", "yes", "no", "1", "0", ""]
        .iter()
        .enumerate()
    {
        text.push_str(&format!("u{i}@example.com,Acme,{v},u{i}@example.com\n"));
    }
    let s = sheet(&text);
    let admin: Vec<Option<bool>> = s.rows.iter().map(|r| r.ou_admin).collect();
    assert_eq!(admin[..3], [Some(true), Some(false), Some(true)]);
    assert_eq!(s.errors.len(), 5);
    assert!(
        s.errors
            .iter()
            .all(|e| e.column == Some("OU Admin") && e.reason.starts_with("must be True or False"))
    );
}

#[test]
fn duplicate_login_on_both_lines() {
    let text = format!(
        "{HEADER}\nalice@example.com,A,True,a@example.com\nbob@example.com,A,True,b@example.com\nALICE@example.com,B,False,a2@example.com\n"
    );
    let s = sheet(&text);
    assert_eq!(
        s.errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "line 2, Login Name: login alice@example.com also on line 4",
            "line 4, Login Name: login ALICE@example.com also on line 2",
        ]
    );
    assert_eq!(
        s.rows.iter().map(|r| r.valid).collect::<Vec<_>>(),
        [false, true, false]
    );
}

#[test]
fn short_and_long_rows() {
    let text = format!(
        "{HEADER},Display Name\na@example.com,Acme,True\nb@example.com,Acme,True,b@example.com,Smith, Bob\nc@example.com,Acme,True,c@example.com,,,\n"
    );
    let s = sheet(&text);
    let shown: Vec<String> = s.errors.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        [
            "line 2: row has 3 values but the header has 5 columns: a separator is missing or a quote is not closed",
            "line 3: row has 6 values but the header has 5 columns: put values that contain ',' in double quotes",
        ]
    );
    assert!(s.rows[2].valid, "trailing empty values are fine");
}

#[test]
fn limits_name_both_numbers() {
    let limits = Limits {
        max_rows: 10_000,
        max_bytes: 16 * 1024 * 1024,
    };
    let big = vec![b'a'; 20_000_000];
    assert_eq!(
        read(&big, Format::Csv, &limits).unwrap_err().to_string(),
        "file is 20,000,000 bytes; the limit is 16,777,216 (import.max_bytes)"
    );
    let mut text = format!("{HEADER}\n");
    for i in 0..10_001 {
        text.push_str(&format!("u{i}@example.com,Acme,True,u{i}@example.com\n"));
    }
    let err = read(text.as_bytes(), Format::Csv, &limits).unwrap_err();
    assert!(matches!(
        err,
        ReadError::TooManyRows {
            rows: 10_001,
            limit: 10_000
        }
    ));
    assert!(
        err.to_string()
            .starts_with("file has 10,001 data rows; the limit is 10,000 (import.max_rows)")
    );
    // The real size is reported, not just "limit + 1".
    let small = Limits {
        max_rows: 2,
        ..limits
    };
    let err = read(text.as_bytes(), Format::Csv, &small).unwrap_err();
    assert!(matches!(
        err,
        ReadError::TooManyRows {
            rows: 10_001,
            limit: 2
        }
    ));
}

#[test]
fn streaming_reader_yields_rows_then_stops_at_the_limit() {
    let text = format!(
        "{HEADER}\na@example.com,A,True,a@example.com\nb@example.com,A,True,b@example.com\n"
    );
    let limits = Limits {
        max_rows: 1,
        ..Limits::default()
    };
    let mut rows = open(text.as_bytes(), Format::Csv, &limits).unwrap();
    assert!(rows.columns().has(Field::Email));
    assert_eq!(rows.next().unwrap().unwrap().row.line, 2);
    assert!(matches!(
        rows.next(),
        Some(Err(ReadError::TooManyRows { rows: 2, limit: 1 }))
    ));
    assert!(rows.next().is_none());
}

#[test]
fn binary_uploaded_as_csv_is_refused() {
    let err = read(
        b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1....",
        Format::Csv,
        &Limits::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains(".xls"));
}

/// Garbage in, an error or rows out, never a panic: random mixes of the
/// characters that matter to the parsers (fixed seed, so reproducible).
#[test]
fn random_input_never_panics() {
    const PIECES: [&str; 16] = [
        "\"",
        ",",
        ";",
        "\t",
        "\n",
        "\r",
        "@",
        ".",
        "é",
        "\u{feff}",
        " ",
        "x",
        "-",
        "Login Name",
        "OU Admin",
        "Email Address",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let limits = Limits {
        max_rows: 50,
        ..Limits::default()
    };
    for _ in 0..3_000 {
        let len = next() % 80;
        let mut text = format!("{HEADER}\n");
        for _ in 0..len {
            text.push_str(PIECES[(next() % 16) as usize]);
        }
        let mut bytes = text.into_bytes();
        if next() % 4 == 0 {
            bytes.push((next() % 256) as u8);
        }
        let _ = read(&bytes, Format::Csv, &limits);
        let _ = read(&bytes[HEADER.len()..], Format::Csv, &limits);
        let _ = check_email(std::str::from_utf8(&bytes[HEADER.len()..]).unwrap_or(""));
    }
}

/// Manual timing: `cargo test --release -- --ignored --nocapture timing`.
#[test]
#[ignore]
fn timing_100k_rows() {
    let mut text = String::from(
        "Login Name,Organization Unit,OU Admin,Email Address,First Name,Last Name,Display Name\r\n",
    );
    for i in 0..100_000 {
        text.push_str(&format!(
            "user{i}@example.com,Acme-Team{},{},first.last{i}@mail.example.com,First{i},Last{i},\"Last{i}, First{i}\"\r\n",
            i % 50,
            if i % 7 == 0 { "True" } else { "False" }
        ));
    }
    let limits = Limits {
        max_rows: 100_000,
        ..Limits::default()
    };
    let start = std::time::Instant::now();
    let s = read(text.as_bytes(), Format::Csv, &limits).unwrap();
    let elapsed = start.elapsed();
    assert_eq!(s.rows.len(), 100_000);
    assert!(s.errors.is_empty());
    println!(
        "read {} rows ({} bytes) in {elapsed:?}",
        s.rows.len(),
        text.len()
    );
}
