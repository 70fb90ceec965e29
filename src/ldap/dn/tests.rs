//! Tests of the DN module: RFC 4514 examples, escapes, normalization, limits,
//! and a randomized no-panic / round-trip check.
use super::*;
use std::collections::HashSet;

fn dn(s: &str) -> Dn {
    Dn::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn err(s: &str) -> DnError {
    Dn::parse(s).expect_err(s)
}

fn values(d: &Dn) -> Vec<(&str, &str)> {
    d.rdns()
        .iter()
        .flat_map(|r| r.avas())
        .map(|a| (a.attr.as_str(), a.value.as_str()))
        .collect()
}

#[test]
fn rfc4514_section4_examples() {
    let d = dn("UID=jsmith,DC=example,DC=net");
    assert_eq!(
        values(&d),
        [("UID", "jsmith"), ("DC", "example"), ("DC", "net")]
    );
    assert_eq!(d.to_string(), "UID=jsmith,DC=example,DC=net");

    let d = dn("OU=Sales+CN=J.  Smith,DC=example,DC=net");
    assert_eq!(d.len(), 3);
    assert_eq!(d.rdns()[0].avas().len(), 2);
    assert_eq!(d.rdns()[0].get("cn"), Some("J.  Smith"));
    assert_eq!(d.to_string(), "OU=Sales+CN=J.  Smith,DC=example,DC=net");

    let d = dn(r#"CN=James \"Jim\" Smith\, III,DC=example,DC=net"#);
    assert_eq!(d.rdns()[0].get("CN"), Some(r#"James "Jim" Smith, III"#));
    assert_eq!(
        d.to_string(),
        r#"CN=James \"Jim\" Smith\, III,DC=example,DC=net"#
    );

    let d = dn(r"CN=Before\0dAfter,DC=example,DC=net");
    assert_eq!(d.rdns()[0].get("cn"), Some("Before\rAfter"));

    let d = dn("1.3.6.1.4.1.1466.0=#04024869,DC=example,DC=com");
    assert_eq!(values(&d)[0], ("1.3.6.1.4.1.1466.0", "Hi"));

    let d = dn(r"CN=Lu\C4\8Di\C4\87");
    assert_eq!(d.rdns()[0].get("cn"), Some("Lučić"));
    assert_eq!(d.to_string(), "CN=Lučić");
}

#[test]
fn root_dn() {
    for s in ["", "   "] {
        let d = dn(s);
        assert!(d.is_root() && d.is_empty());
        assert_eq!(d, Dn::root());
        assert_eq!(d.to_string(), "");
        assert_eq!(d.normalized(), "");
        assert!(d.parent().is_none() && d.rdn().is_none());
    }
}

#[test]
fn escapes_and_hex_pairs() {
    let d = dn(r#"cn=\,\+\"\\\<\>\;\=\#\ x"#);
    assert_eq!(values(&d)[0].1, r#",+"\<>;=# x"#);
    assert_eq!(values(&dn(r"cn=\41\62c"))[0].1, "Abc");
    assert_eq!(values(&dn(r"cn=\e6\97\a5"))[0].1, "日");
    assert_eq!(values(&dn(r"cn=a\00b"))[0].1, "a\0b");
    assert_eq!(values(&dn("cn=a=b#c"))[0].1, "a=b#c");
    assert_eq!(values(&dn("cn=日本語"))[0].1, "日本語");
}

#[test]
fn escape_value_rules() {
    assert_eq!(
        escape_value(r#"a,b+c"d\e<f>g;h=i"#),
        r#"a\,b\+c\"d\\e\<f\>g\;h\=i"#
    );
    assert_eq!(escape_value("#a#"), r"\#a#");
    assert_eq!(escape_value(" a b "), r"\ a b\ ");
    assert_eq!(escape_value(" "), r"\ ");
    assert_eq!(escape_value("  "), r"\ \ ");
    assert_eq!(escape_value("a\0b"), r"a\00b");
    assert_eq!(escape_value("é 日"), "é 日");
    assert_eq!(escape_value(""), "");
}

#[test]
fn display_escapes_and_round_trips() {
    let d = Dn::root()
        .child(Rdn::single("dc", "com"))
        .child(Rdn::single("ou", "X"))
        .child(Rdn::single("uid", "a,b"));
    assert_eq!(d.to_string(), r"uid=a\,b,ou=X,dc=com");
    let d = Dn::root().child(Rdn::single("cn", " #lead, trail "));
    assert_eq!(d.to_string(), r"cn=\ #lead\, trail\ ");
    assert_eq!(values(&dn(&d.to_string()))[0].1, " #lead, trail ");
}

#[test]
fn spaces_are_ignored_around_separators() {
    let d = dn("  ou = A , dc=example,  dc=com  ");
    assert_eq!(values(&d), [("ou", "A"), ("dc", "example"), ("dc", "com")]);
    assert_eq!(d.to_string(), "ou=A,dc=example,dc=com");
    let d = dn("cn=a + sn=b ,dc=x");
    assert_eq!(values(&d), [("cn", "a"), ("sn", "b"), ("dc", "x")]);
}

#[test]
fn trailing_spaces_trimmed_unless_escaped() {
    assert_eq!(values(&dn("cn=a b   ,dc=x"))[0].1, "a b");
    assert_eq!(values(&dn(r"cn=a\ ,dc=x"))[0].1, "a ");
    assert_eq!(values(&dn(r"cn=a\  ,dc=x"))[0].1, "a ");
    assert_eq!(values(&dn(r"cn=\ "))[0].1, " ");
    assert_eq!(values(&dn(r"cn=a \20"))[0].1, "a  ");
}

#[test]
fn empty_values() {
    assert_eq!(values(&dn("cn=")), [("cn", "")]);
    assert_eq!(values(&dn("cn= ,dc=x")), [("cn", ""), ("dc", "x")]);
    assert_eq!(dn("cn=+sn=").to_string(), "cn=+sn=");
}

#[test]
fn semicolon_separator() {
    let d = dn("cn=a;ou=b ; dc=c");
    assert_eq!(d, dn("cn=a,ou=b,dc=c"));
    assert_eq!(d.to_string(), "cn=a,ou=b,dc=c");
}

#[test]
fn quoted_values() {
    let d = dn(r#"cn=" a, b+c;<d> ",o="x\"y" , c=US"#);
    assert_eq!(
        values(&d),
        [("cn", " a, b+c;<d> "), ("o", "x\"y"), ("c", "US")]
    );
    assert_eq!(d.to_string(), r#"cn=\ a\, b\+c\;\<d\>\ ,o=x\"y,c=US"#);
    assert_eq!(values(&dn(r#"cn="""#))[0].1, "");
    assert_eq!(values(&dn(r#"cn="\41""#))[0].1, "A");
}

#[test]
fn ber_values() {
    assert_eq!(values(&dn("cn=#0C03616263"))[0].1, "abc");
    assert_eq!(values(&dn("cn=#130141"))[0].1, "A");
    assert_eq!(values(&dn("cn=#160141 ,dc=x"))[0].1, "A");
    assert_eq!(values(&dn("cn=#140141"))[0].1, "A");
    assert_eq!(values(&dn("cn=#0c00"))[0].1, "");
    assert_eq!(values(&dn("cn=#0c02c3a9"))[0].1, "é");
    let long = format!("cn=#0c8180{}", "61".repeat(128));
    assert_eq!(values(&dn(&long))[0].1, "a".repeat(128));
    let long2 = format!("cn=#0c820100{}", "62".repeat(256));
    assert_eq!(values(&dn(&long2))[0].1.len(), 256);
    // A decoded leading '#' or space must be escaped on output.
    let d = dn("cn=#0c022320");
    assert_eq!(d.to_string(), r"cn=\#\ ");
    assert_eq!(values(&dn(&d.to_string()))[0].1, "# ");
}

#[test]
fn bad_ber_values() {
    let cases = [
        ("cn=#", 3, "no hex digits after '#'"),
        ("cn=#0c0", 6, "odd number of hex digits"),
        ("cn=#020101", 3, "not a string type"),
        ("cn=#0c02", 3, "length does not match contents"),
        ("cn=#0c016162", 3, "length does not match contents"),
        ("cn=#0c02ff61", 3, "contents are not UTF-8"),
        ("cn=#0c80", 3, "unsupported length form"),
        ("cn=#0c8501", 3, "unsupported length form"),
        ("cn=#0c82", 3, "truncated length"),
        ("cn=#0c", 3, "missing length"),
    ];
    for (s, offset, reason) in cases {
        assert_eq!(err(s), DnError::BadBer { offset, reason }, "{s}");
    }
    assert_eq!(
        err("cn=#0c0161x"),
        DnError::ExpectedSeparator {
            offset: 10,
            found: 'x'
        }
    );
}

#[test]
fn oid_types() {
    let d = dn("2.5.4.3=x,OID.0.9.2342.19200300.100.1.25=y,oid.2.5.4.11=z");
    assert_eq!(
        values(&d).iter().map(|v| v.0).collect::<Vec<_>>(),
        ["2.5.4.3", "OID.0.9.2342.19200300.100.1.25", "oid.2.5.4.11"]
    );
    assert_eq!(d.normalized(), "cn=x,dc=y,ou=z");
    assert_eq!(dn(&d.to_string()), d);
    assert_eq!(dn("2.5.4.11=x,dc=y"), dn("ou=x,dc=y"));
    assert_eq!(values(&dn("oid=x"))[0].0, "oid");
    assert_eq!(values(&dn("x-foo-1=x"))[0].0, "x-foo-1");
}

#[test]
fn normalize_attr_mapping() {
    let cases = [
        ("CN", "cn"),
        ("commonName", "cn"),
        ("OID.2.5.4.3", "cn"),
        ("userid", "uid"),
        ("0.9.2342.19200300.100.1.1", "uid"),
        ("domainComponent", "dc"),
        ("organizationalUnitName", "ou"),
        ("2.5.4.10", "o"),
        ("organizationName", "o"),
        ("countryName", "c"),
        ("2.5.4.6", "c"),
        ("localityName", "l"),
        ("2.5.4.7", "l"),
        ("stateOrProvinceName", "st"),
        ("2.5.4.8", "st"),
        ("2.5.4.9", "street"),
        ("Mail", "mail"),
        ("1.2.3", "1.2.3"),
    ];
    for (attr, want) in cases {
        assert_eq!(normalize_attr(attr), want, "{attr}");
    }
}

#[test]
fn normalize_value_rules() {
    assert_eq!(normalize_value("  Hello   World  "), "hello world");
    assert_eq!(normalize_value("ÄÖÜ\tß"), "äöü ß");
    assert_eq!(normalize_value("   "), "");
}

#[test]
fn normalized_equality_and_hash() {
    let a = dn("OU=Sales , DC=Example,dc=COM");
    let b = dn("ou=sales,dc=example,dc=com");
    assert_eq!(a, b);
    assert_eq!(a.normalized(), "ou=sales,dc=example,dc=com");
    assert_eq!(a.normalized_str(), b.normalized_str());
    assert_eq!(dn("cn=J.  Smith"), dn("CN=j. smith"));
    assert_eq!(dn("cn=a+ou=B,dc=x"), dn("ou=b+CN=A,dc=x"));
    assert_eq!(dn(r"cn=a\,b"), dn(r#"cn="A,B""#));
    assert_eq!(dn(r"cn=\41"), dn("cn=a"));
    assert_ne!(dn("cn=a,dc=x"), dn("cn=a+dc=x"));
    assert_ne!(dn(r"cn=a\,dc=x"), dn("cn=a,dc=x"));
    assert_eq!(dn(r"cn=a\,b").normalized(), r"cn=a\,b");
    let set: HashSet<Dn> = [a, b, dn("dc=example,dc=com")].into_iter().collect();
    assert_eq!(set.len(), 2);
    assert_eq!(Rdn::single("CN", "X"), Rdn::single("2.5.4.3", " x "));
}

#[test]
fn hierarchy() {
    let base = dn("dc=example,dc=com");
    let user = dn("uid=a,ou=People,DC=Example,dc=com");
    assert!(user.is_within(&base) && user.is_descendant_of(&base));
    assert!(base.is_within(&base) && !base.is_descendant_of(&base));
    assert!(!base.is_within(&user));
    assert!(user.is_within(&Dn::root()) && user.is_descendant_of(&Dn::root()));
    assert!(Dn::root().is_within(&Dn::root()));
    assert!(!dn("dc=example,dc=org").is_within(&base));
    assert!(!dn("dc=xexample,dc=com").is_within(&base));
    let rel = user.relative_to(&base).unwrap_or_default();
    assert_eq!(rel, [Rdn::single("uid", "a"), Rdn::single("ou", "people")]);
    assert_eq!(base.relative_to(&base), Some(&[][..]));
    assert_eq!(base.relative_to(&user), None);
}

#[test]
fn parent_and_child() {
    let d = dn("uid=a,ou=People,dc=example");
    let parent = d.parent().unwrap_or_default();
    assert_eq!(parent.to_string(), "ou=People,dc=example");
    assert_eq!(d.rdn().map(|r| r.to_string()), Some("uid=a".into()));
    assert_eq!(parent.child(Rdn::single("UID", "A")), d);
    assert_eq!(dn("dc=x").parent(), Some(Dn::root()));
    assert_eq!(Dn::root().child(Rdn::single("dc", "x")), dn("dc=x"));
    assert_eq!("dc=x".parse::<Dn>(), Ok(dn("DC=X")));
    assert_eq!(format!("{:?}", dn("dc=x")), r#"Dn("dc=x")"#);
}

#[test]
fn rdn_get() {
    let d = dn("cn=Jo+2.5.4.11=Sales");
    let rdn = d.rdn().cloned().unwrap_or_else(|| Rdn::single("x", "y"));
    assert_eq!(rdn.get("CN"), Some("Jo"));
    assert_eq!(rdn.get("commonName"), Some("Jo"));
    assert_eq!(rdn.get("ou"), Some("Sales"));
    assert_eq!(rdn.get("sn"), None);
    assert_eq!(rdn.normalized(), "cn=jo+ou=sales");
    assert_eq!(rdn.to_string(), "cn=Jo+2.5.4.11=Sales");
}

#[test]
fn error_messages_have_offsets() {
    assert_eq!(
        err("cn=a,ou,dc=x").to_string(),
        "invalid DN at offset 7: expected '=' after attribute type"
    );
    assert_eq!(
        err("cn=a\"b").to_string(),
        "invalid DN at offset 4: '\"' must be escaped in an attribute value"
    );
    assert_eq!(
        err("c_n=x").to_string(),
        "invalid DN at offset 1: invalid character '_' in attribute type"
    );
}

#[test]
fn syntax_errors() {
    let cases = [
        ("cn", "offset 2: expected '=' after attribute type"),
        ("cn x=y", "offset 3: expected '='"),
        ("=x", "offset 0: expected an attribute type"),
        ("dc=a,", "offset 5: expected an attribute type"),
        ("dc=a, ,dc=b", "offset 6: expected an attribute type"),
        ("cn=a+", "offset 5: expected an attribute type"),
        (",", "offset 0: expected an attribute type"),
        ("-cn=x", "offset 0: invalid character '-' in attribute type"),
        ("é=x", "offset 0: invalid character 'é'"),
        ("cné=x", "offset 2: invalid character 'é'"),
        ("2.5.=x", "offset 4: invalid character '='"),
        ("2..5=x", "offset 2: invalid character '.'"),
        ("2.5a=x", "offset 3: invalid character 'a'"),
        ("OID.cn=x", "offset 4: invalid character 'c'"),
        ("2.5.", "offset 4: unexpected end, expected a digit"),
        (
            "cn=a<b",
            "offset 4: '<' must be escaped in an attribute value",
        ),
        ("cn=a>b", "offset 4: '>' must be escaped"),
        ("cn=a\0b", "offset 4: '\\0' must be escaped"),
        (
            "cn=a\\",
            "offset 4: '\\' needs a special character or two hex digits",
        ),
        ("cn=\\4G", "offset 3: '\\' needs"),
        ("cn=\\4", "offset 3: '\\' needs"),
        ("cn=\\q", "offset 3: '\\' needs"),
        ("cn=\"a\\", "offset 5: '\\' needs"),
        ("cn=x,dc=\\C3\\28", "offset 8: value is not valid UTF-8"),
        ("cn=\\ff", "offset 3: value is not valid UTF-8"),
        ("cn=\"abc", "offset 3: quoted value has no closing '\"'"),
        ("cn=\"a\"b", "offset 6: expected ',', ';' or '+' before 'b'"),
        (
            "cn=\"a\" é",
            "offset 7: expected ',', ';' or '+' before 'é'",
        ),
    ];
    for (s, want) in cases {
        let msg = err(s).to_string();
        assert!(msg.contains(want), "{s:?}: {msg:?} lacks {want:?}");
    }
}

#[test]
fn limits() {
    let at_limit = vec!["dc=x"; MAX_RDNS].join(",");
    assert_eq!(dn(&at_limit).len(), MAX_RDNS);
    let over = format!("{at_limit},dc=y");
    assert_eq!(
        err(&over),
        DnError::TooManyRdns {
            offset: at_limit.len() + 1
        }
    );

    let avas = vec!["cn=x"; MAX_AVAS].join("+");
    assert_eq!(dn(&avas).rdns()[0].avas().len(), MAX_AVAS);
    let over = format!("{avas}+cn=y");
    assert_eq!(
        err(&over),
        DnError::TooManyAvas {
            offset: avas.len() + 1
        }
    );

    let long = format!("cn={}", "a".repeat(MAX_DN_LEN - 3));
    assert_eq!(dn(&long).to_string(), long);
    let too_long = format!("{long}a");
    assert_eq!(
        err(&too_long),
        DnError::TooLong {
            len: MAX_DN_LEN + 1
        }
    );
    assert!(err(&too_long).to_string().contains("8192"));
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const TYPES: &[&str] = &[
    "cn",
    "OU",
    "dc",
    "2.5.4.3",
    "OID.2.5.4.11",
    "x-y",
    "c_n",
    "",
];
const PIECES: &[&str] = &[
    "a",
    "Z",
    " ",
    "  ",
    "=",
    "#",
    "é",
    "日本",
    "\\,",
    "\\2c",
    "\\C3\\A9",
    "\\ ",
    "\\#",
    "\\",
    "\\zz",
    "\"",
    "\"q, \\\"x\"",
    "#0c0161",
    "#04024869",
    "#0c",
    "<",
    "\0",
    "\t",
    "\\00",
    "\\ff",
    ",",
    "+",
    ";",
];
const SEPARATORS: &[&str] = &[",", ";", " , ", "+", " + ", ""];

/// Mostly DN-shaped strings, so that many parse and exercise the
/// round trip, with some pure garbage mixed in.
fn random_input(rng: &mut XorShift) -> String {
    if rng.below(5) == 0 {
        let bytes: Vec<u8> = (0..rng.below(24)).map(|_| rng.next() as u8).collect();
        return String::from_utf8_lossy(&bytes).into_owned();
    }
    let mut s = String::new();
    for i in 0..rng.below(5) {
        if i > 0 {
            s.push_str(rng.pick(SEPARATORS));
        }
        s.push_str(rng.pick(TYPES));
        s.push_str(if rng.below(8) == 0 { " = " } else { "=" });
        for _ in 0..rng.below(4) {
            s.push_str(rng.pick(PIECES));
        }
    }
    s
}

#[test]
fn random_inputs_never_panic_and_round_trip() {
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut parsed = 0;
    for _ in 0..30_000 {
        let input = random_input(&mut rng);
        let Ok(d) = Dn::parse(&input) else { continue };
        parsed += 1;
        let text = d.to_string();
        let again = Dn::parse(&text).unwrap_or_else(|e| panic!("{input:?} -> {text:?}: {e}"));
        assert_eq!(again, d, "{input:?} -> {text:?}");
        assert_eq!(values(&again), values(&d), "{input:?} -> {text:?}");
        assert_eq!(dn(&d.normalized()), d, "{input:?}");
    }
    assert!(parsed > 3_000, "only {parsed} inputs parsed");
}

#[test]
fn the_ascii_fast_path_normalizes_like_the_general_one() {
    for value in [
        "Alice Smith",
        "  spaced   out\tvalue ",
        "#hash,comma+plus\"quote\\back<lt>gt;semi=eq",
        "a\u{0}b",
        "x\u{0B}y",
        "",
        "UPPER lower MiXeD",
    ] {
        let ava = Ava {
            attr: "CN".into(),
            value: value.into(),
        };
        let slow = format!(
            "{}={}",
            normalize_attr_slow("CN"),
            escape_value(&normalize_value(value))
        );
        assert_eq!(ava.normalized(), slow, "{value:?}");
    }
    assert_eq!(normalize_attr("commonName"), "cn");
    assert_eq!(normalize_attr("uid"), "uid");
    assert_eq!(normalize_attr("OID.2.5.4.11"), "ou");
}
