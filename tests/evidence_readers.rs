//! The fast evidence reader and the spanned one agree: on every shipped
//! policy and evidence file, and on many documents mutated from them (tricky
//! numbers, escapes, missing, repeated and undeclared keys, broken syntax),
//! `Evidence::load` gives exactly what `Evidence::load_spanned` gives.

use insp::{Evidence, Policy, Source};

/// Every shipped policy that compiles, with its path.
fn policies() -> Vec<(String, Policy)> {
    let mut found = Vec::new();
    for folder in ["policies", "tests/fixtures", "examples"] {
        for path in files(folder, "insp") {
            let text = std::fs::read_to_string(&path).unwrap();
            if let Ok(policy) = insp::compile(&Source::new(&path, text)) {
                found.push((path, policy));
            }
        }
    }
    assert!(found.len() >= 3, "the shipped policies compile");
    found
}

fn files(folder: &str, extension: &str) -> Vec<String> {
    let mut paths: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == extension))
        .map(|path| path.display().to_string())
        .collect();
    paths.sort();
    paths
}

/// Every evidence file shipped: examples and the UI fixtures.
fn documents() -> Vec<String> {
    let mut texts: Vec<String> = files("examples", "json")
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect();
    for entry in std::fs::read_dir("tests/ui").unwrap() {
        let evidence = entry.unwrap().path().join("evidence.json");
        if let Ok(text) = std::fs::read_to_string(evidence) {
            texts.push(text);
        }
    }
    texts
}

/// What a reader made of a document, in comparable form.
fn outcome(policy: &Policy, loaded: Result<insp::Loaded, Vec<insp::Diagnostic>>) -> String {
    match loaded {
        Ok(loaded) => {
            let slots: Vec<String> = (0..policy.fields.len())
                .map(|slot| {
                    let e = &loaded.evidence;
                    format!("{:?} {:?} {:?}", e.value(slot), e.text(slot), e.span(slot))
                })
                .collect();
            let departures: Vec<String> = (0..policy.judgements.len())
                .map(|j| format!("{:?}", loaded.evidence.departure(j)))
                .collect();
            format!(
                "ok {slots:?} {departures:?} warnings {:?}",
                messages(&loaded.warnings)
            )
        }
        Err(diagnostics) => format!("err {:?}", messages(&diagnostics)),
    }
}

fn messages(diagnostics: &[insp::Diagnostic]) -> Vec<String> {
    diagnostics
        .iter()
        .map(insp::report::render_diagnostic)
        .collect()
}

fn assert_agree(path: &str, policy: &Policy, text: &str) -> bool {
    let source = Source::new("evidence.json", text);
    let fast = outcome(policy, Evidence::load(policy, &source));
    let spanned = outcome(policy, Evidence::load_spanned(policy, &source));
    assert_eq!(fast, spanned, "{path} on\n{text}");
    fast.starts_with("ok")
}

#[test]
fn readers_agree_on_shipped_files() {
    let mut loaded = 0;
    for (path, policy) in &policies() {
        for text in &documents() {
            loaded += usize::from(assert_agree(path, policy, text));
        }
    }
    assert!(loaded > 10, "some shipped files load ({loaded})");
}

/// A small deterministic generator (xorshift), so that every run sees the same documents.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next() % items.len()]
    }
}

/// Values that each reader must treat alike: exact and inexact numbers,
/// escapes, nulls, wrong types and broken syntax.
const TOKENS: &[&str] = &[
    "1e2",
    "-0",
    "-0.0",
    "0",
    "0.0",
    "45.50",
    "-3.5",
    "007",
    "1.",
    "-",
    ".5",
    "1E-2",
    "0.1234567890123456789012345678",
    "1234567890123456789012345678",
    "12345678901234567890123456789",
    "99999999999999999999999999999.9",
    "null",
    "true",
    "false",
    "\"strong\"",
    "\"str\\u006fng\"",
    "\"good\"",
    "\"Strong\"",
    "\"poor\"",
    "\"accurate\"",
    "\"outstanding\"",
    "\"x\\ny\"",
    "[]",
    "{}",
    "[1, {\"a\": 2}]",
    "{\"value\": 87.9, \"margin\": 1.4}",
    "{\"margin\": 1.4, \"value\": 87.9}",
    "{\"value\": 87.9}",
    "{\"value\": 87.9, \"margin\": -1.4}",
    "{\"value\": 87.9, \"margin\": 1.4, \"margin\": 2}",
    "{\"value\": 1, \"margin\": 0, \"x\": 1}",
    "NaN",
    "\"\u{e9}t\u{e9}\"",
    "2.50e1",
    "1e400",
];

/// Keys and members to splice in: undeclared, reserved, repeated.
const MEMBERS: &[&str] = &[
    "\"about\": {\"source\": \"x\"}, ",
    "\"departures\": {}, ",
    "\"extra\": 1, ",
    "\"crime\": {\"rate\": 1}, ",
    "\"partnership\": \"good\", ",
    "\"partnershp\": \"good\", ",
    "\"organised_crime\": {\"recommendation\": true}, ",
];

/// One mutation of a document: a value replaced, a member added or
/// removed, or a byte changed.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let values = value_positions(text);
    match rng.next() % 4 {
        0 | 1 if !values.is_empty() => {
            let (start, end) = values[rng.next() % values.len()];
            format!("{}{}{}", &text[..start], rng.pick(TOKENS), &text[end..])
        }
        2 => match text.find('{') {
            Some(open) => format!(
                "{}{}{}",
                &text[..=open],
                rng.pick(MEMBERS),
                &text[open + 1..]
            ),
            None => text.to_string(),
        },
        _ => {
            let mut bytes = text.as_bytes().to_vec();
            let at = rng.next() % bytes.len().max(1);
            if at < bytes.len() && bytes[at].is_ascii() {
                let choices = b"{}[],:\" 0-.e";
                bytes[at] = choices[rng.next() % choices.len()];
            }
            String::from_utf8(bytes).unwrap_or_else(|_| text.to_string())
        }
    }
}

/// Where the document's scalar values stand (after a `: `), byte ranges.
fn value_positions(text: &str) -> Vec<(usize, usize)> {
    let pattern =
        regex::Regex::new(r#":\s*("(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*|true|false|null)"#).unwrap();
    pattern
        .captures_iter(text)
        .map(|c| c.get(1).unwrap())
        .map(|m| (m.start(), m.end()))
        .collect()
}

/// Every shipped (policy, evidence file) pair that loads as it is.
fn loading_pairs() -> Vec<(String, Policy, String)> {
    let documents = documents();
    let mut pairs = Vec::new();
    for (path, policy) in policies() {
        for text in &documents {
            let source = Source::new("evidence.json", text.as_str());
            if Evidence::load_spanned(&policy, &source).is_ok() {
                let policy = insp::compile(&policy.source)
                    .unwrap_or_else(|_| panic!("{path} compiles again"));
                pairs.push((path.clone(), policy, text.clone()));
            }
        }
    }
    pairs
}

#[test]
fn readers_agree_on_mutated_documents() {
    let mut rng = Rng(0x1405_2014_0000_0001);
    let (mut loaded, mut refused) = (0, 0);
    let pairs = loading_pairs();
    for _ in 0..800 {
        let (path, policy, text) = &pairs[rng.next() % pairs.len()];
        let mut text = text.clone();
        for _ in 0..1 + rng.next() % 2 {
            text = mutate(&text, &mut rng);
        }
        if assert_agree(path, policy, &text) {
            loaded += 1;
        } else {
            refused += 1;
        }
    }
    assert!(
        loaded > 20 && refused > 20,
        "both kinds occur ({loaded} loaded, {refused} refused)"
    );
}
