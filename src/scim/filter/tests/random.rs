//! Randomized checks with a fixed seed: no input makes the parser panic, and
//! random trees round-trip through Display.

use super::*;

/// xorshift64: deterministic, good enough to shake out panics.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'t>(&mut self, items: &[&'t str]) -> &'t str {
        items[self.below(items.len())]
    }
}

const ALPHABET: &[&str] = &[
    "a",
    "userName",
    "emails",
    "name.givenName",
    "$ref",
    "urn:ietf:params:scim:schemas:core:2.0:User:",
    "urn:x:2.0:User",
    ":",
    ".",
    ".value",
    "eq",
    "EQ",
    "ne",
    "co",
    "sw",
    "gt",
    "le",
    "pr",
    "Pr",
    "and",
    "AND",
    "or",
    "Or",
    "not",
    "NOT",
    "(",
    ")",
    "[",
    "]",
    "\"",
    "\\",
    "\"x\"",
    "\"a\\\"b\"",
    "\"\\u00e9\"",
    "\"\\ud800\"",
    "'x'",
    "1",
    "-3.5e2",
    "01",
    "1e999",
    "true",
    "False",
    "null",
    " ",
    "  ",
    "\t",
    "\n",
    "é",
    "日本",
    "\u{0}",
    "\u{7f}",
    "\u{feff}",
    "𝄞",
];

fn random_tokens(rng: &mut Rng) -> String {
    let count = rng.below(24);
    let mut out = String::new();
    for _ in 0..count {
        out.push_str(rng.pick(ALPHABET));
        if rng.below(3) > 0 {
            out.push(' ');
        }
    }
    out
}

fn random_chars(rng: &mut Rng) -> String {
    let count = rng.below(40);
    (0..count)
        .map(|_| match rng.below(4) {
            0 => char::from(rng.below(128) as u8),
            1 => char::from(b"()[]\"\\.: "[rng.below(9)]),
            2 => char::from(rng.below(256) as u8),
            _ => char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{fffd}'),
        })
        .collect()
}

/// A valid filter with a few tokens inserted or characters deleted, to
/// probe the error paths next to valid syntax.
fn mutated_filter(rng: &mut Rng) -> String {
    let mut chars: Vec<char> = random_filter(rng, 4, false).to_string().chars().collect();
    for _ in 0..rng.below(3) {
        let at = rng.below(chars.len() + 1);
        if rng.below(2) == 0 {
            let end = (at + 1 + rng.below(3)).min(chars.len());
            chars.drain(at.min(end)..end);
        } else {
            chars.splice(at..at, rng.pick(ALPHABET).chars());
        }
    }
    chars.into_iter().collect()
}

fn check_no_panic_and_round_trip(input: &str) -> bool {
    if let Ok(patch) = parse_path(input) {
        assert_eq!(ok_path(&patch.to_string()), patch, "{input:?}");
    }
    match parse_filter(input) {
        Ok(filter) => {
            assert_round_trip(&filter);
            true
        }
        Err(_) => false,
    }
}

#[test]
fn random_input_never_panics() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut parsed = 0;
    for _ in 0..20_000 {
        parsed += usize::from(check_no_panic_and_round_trip(&random_tokens(&mut rng)));
        parsed += usize::from(check_no_panic_and_round_trip(&random_chars(&mut rng)));
        parsed += usize::from(check_no_panic_and_round_trip(&mutated_filter(&mut rng)));
    }
    assert!(
        parsed > 2_000,
        "the generators should hit valid filters too ({parsed})"
    );
}

fn random_filter(rng: &mut Rng, depth: usize, in_brackets: bool) -> Filter {
    const ATTRS: &[&str] = &["a", "userName", "name.familyName", "$ref", "x-y_1"];
    let leaf = depth == 0 || rng.below(3) == 0;
    let choice = if leaf { rng.below(3) } else { 3 + rng.below(4) };
    let attr = path(rng.pick(ATTRS));
    let sub = |rng: &mut Rng| Box::new(random_filter(rng, depth.saturating_sub(1), in_brackets));
    match choice {
        0 => Filter::Present(attr),
        1 => {
            let value = match rng.below(4) {
                0 => s(rng.pick(&["", "x\"y", "é\n\u{1}", "(["])),
                1 => num(rng.pick(&["0", "-7", "2.5", "1e300", "-0"])),
                2 => CompValue::Bool(rng.below(2) == 0),
                _ => CompValue::Null,
            };
            Filter::Compare(attr, CompareOp::ALL[rng.below(9)], value)
        }
        2 if !in_brackets && attr.sub_attr.is_none() => Filter::ValuePath {
            attr,
            filter: Box::new(random_filter(rng, depth.saturating_sub(1), true)),
        },
        2 => Filter::Present(attr),
        3 => Filter::And(sub(rng), sub(rng)),
        4 => Filter::Or(sub(rng), sub(rng)),
        _ => Filter::Not(sub(rng)),
    }
}

#[test]
fn random_trees_round_trip_through_display() {
    let mut rng = Rng(0x0123_4567_89AB_CDEF);
    for _ in 0..5_000 {
        let filter = random_filter(&mut rng, 6, false);
        assert_round_trip(&filter);
    }
}
