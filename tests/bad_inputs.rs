//! Hostile and malformed input: every case gets a diagnostic, none panics,
//! and nothing bad is graded as if it were fine.

use insp::{Diagnostic, Policy, Source};
use insp::{assess, assess_file};

fn hmic() -> Policy {
    let text = std::fs::read_to_string("policies/hmic-crime-2014.insp").unwrap();
    insp::compile(&Source::new("hmic.insp", text)).unwrap()
}

/// The codes of the diagnostics for an evidence text, which must not grade.
fn evidence_codes(policy: &Policy, text: &str) -> Vec<&'static str> {
    let assessment = assess(policy, &Source::new("evidence.json", text), false);
    assert!(
        !assessment.is_graded(),
        "bad evidence was graded: {text:.80}"
    );
    assessment
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code.as_str())
        .collect()
}

fn policy_codes(text: &str) -> Vec<&'static str> {
    match insp::compile(&Source::new("policy.insp", text)) {
        Ok(policy) => panic!(
            "bad policy compiled with {} judgements: {text:.80}",
            policy.judgements.len()
        ),
        Err(diagnostics) => diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.code.as_str())
            .collect(),
    }
}

#[test]
fn empty_and_blank_evidence() {
    let policy = hmic();
    assert_eq!(evidence_codes(&policy, ""), ["insp::evidence::syntax"]);
    assert_eq!(evidence_codes(&policy, "  \n "), ["insp::evidence::syntax"]);
    let codes = evidence_codes(&policy, "{}");
    assert!(
        codes.iter().all(|c| *c == "insp::evidence::missing"),
        "{codes:?}"
    );
    assert_eq!(codes.len(), 23, "every required field is reported at once");
}

#[test]
fn garbage_and_non_utf8_files() {
    let policy = hmic();
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("binary.json");
    std::fs::write(&binary, [0u8, 159, 146, 150, 255, 0, 1, 2]).unwrap();
    let assessment = assess_file(&policy, binary.to_str().unwrap(), false);
    assert_eq!(assessment.diagnostics[0].code, "insp::io");
    assert!(assessment.grading.is_none());

    assert_eq!(
        evidence_codes(&policy, "\u{1}\u{2}garbage ✓"),
        ["insp::evidence::syntax"]
    );
    assert_eq!(
        evidence_codes(&policy, "[1, 2, 3]"),
        ["insp::evidence::type"]
    );
    assert_eq!(
        evidence_codes(&policy, r#"{"force": "x"} trailing"#),
        ["insp::evidence::syntax"]
    );
}

#[test]
fn deeply_nested_json_is_rejected_without_overflowing_the_stack() {
    let policy = hmic();
    let deep = format!("{}{}", "{\"a\":".repeat(50_000), "}".repeat(50_000));
    assert_eq!(evidence_codes(&policy, &deep), ["insp::evidence::syntax"]);
    let deep_array = "[".repeat(1_000_000);
    assert_eq!(
        evidence_codes(&policy, &deep_array),
        ["insp::evidence::syntax"]
    );
}

#[test]
fn nan_infinity_and_numbers_out_of_range() {
    let policy = insp::compile(&Source::new(
        "p.insp",
        r#"evidence { x : number } question q "Q" { good when x > 1 otherwise inadequate }"#,
    ))
    .unwrap();
    let cases = [
        (r#"{"x": NaN}"#, "insp::evidence::syntax"),
        (r#"{"x": Infinity}"#, "insp::evidence::syntax"),
        (r#"{"x": -Infinity}"#, "insp::evidence::syntax"),
        (r#"{"x": 1e400}"#, "insp::evidence::out_of_range"),
        // 31 digits, which the decimal reader would round to 45.5.
        (
            r#"{"x": 45.49999999999999999999999999999e0}"#,
            "insp::evidence::out_of_range",
        ),
        (r#"{"x": 1e-29}"#, "insp::evidence::out_of_range"),
        (
            r#"{"x": 123456789012345678901234567890123}"#,
            "insp::evidence::out_of_range",
        ),
    ];
    for (evidence, code) in cases {
        assert_eq!(evidence_codes(&policy, evidence), [code], "{evidence}");
    }
    // Large but representable numbers are fine; arithmetic that overflows is an error, not a wrap.
    let big = assess(
        &policy,
        &Source::new("e.json", r#"{"x": 79228162514264337593543950335}"#),
        false,
    );
    assert!(big.is_graded());
    let doubling = insp::compile(&Source::new(
        "p.insp",
        r#"evidence { x : number } question q "Q" { good when x * 2 > 1 otherwise inadequate }"#,
    ))
    .unwrap();
    let overflow = assess(
        &doubling,
        &Source::new("e.json", r#"{"x": 79228162514264337593543950335}"#),
        false,
    );
    assert_eq!(overflow.diagnostics[0].code, insp::Code::Arithmetic);
}

#[test]
fn wrong_types_everywhere_are_each_reported() {
    let policy = hmic();
    let norfolk = std::fs::read_to_string("examples/norfolk-2014.json").unwrap();
    let swaps = [
        (r#""rate": 45.5"#, r#""rate": true"#),
        (r#""prevention": "strong""#, r#""prevention": 3"#),
        (r#""margin": 1.4"#, r#""margin": -1.4"#),
        (r#""force": "Norfolk Constabulary""#, r#""force": null"#),
        (
            r#""burglary": { "rate": 3.6, "national_rate": 8.9 }"#,
            r#""burglary": 3.6"#,
        ),
    ];
    for (from, to) in swaps {
        assert!(norfolk.contains(from), "{from}");
        let codes = evidence_codes(&policy, &norfolk.replacen(from, to, 1));
        assert!(
            !codes.is_empty() && codes.iter().all(|c| c.starts_with("insp::evidence::")),
            "{to}: {codes:?}"
        );
    }
}

#[test]
fn unknown_fields_warn_and_a_misspelt_optional_field_is_an_error() {
    let policy = hmic();
    let norfolk = std::fs::read_to_string("examples/norfolk-2014.json").unwrap();
    let extra = norfolk.replacen(r#""force""#, r#""inspected_on": "2014-07-01", "force""#, 1);
    let assessment = assess(&policy, &Source::new("e.json", extra), false);
    assert!(assessment.is_graded());
    assert_eq!(
        assessment
            .diagnostics
            .iter()
            .map(|d| (d.code.as_str(), d.is_error()))
            .collect::<Vec<_>>(),
        [("insp::evidence::unknown_field", false)]
    );

    let misspelt = norfolk.replacen(r#""recommendation": true"#, r#""recomendation": true"#, 1);
    assert_eq!(
        evidence_codes(&policy, &misspelt),
        ["insp::evidence::unknown_field"]
    );
}

#[test]
fn malformed_policies() {
    assert_eq!(policy_codes(""), ["insp::policy::empty"]);
    assert_eq!(policy_codes("\u{0}\u{1}\u{2}"), ["insp::syntax"]);
    assert_eq!(policy_codes("question"), ["insp::syntax"]);
    // A syntax error at a character of several bytes (found by fuzzing): the
    // search for the next item moves on by whole characters.
    assert_eq!(policy_codes("\u{510}"), ["insp::syntax"]);
    assert_eq!(
        policy_codes("policy \"P\"\n\u{510}\u{510}\nquestion"),
        ["insp::syntax"; 2]
    );
    let deep = format!(
        "question q \"Q\" {{ good when {}x{} > 1 }}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    assert_eq!(policy_codes(&deep), ["insp::syntax"]);
    let long = format!(
        "evidence {{ x : number }} question q \"Q\" {{ good when {} > 1 }}",
        vec!["x"; 10_000].join(" + ")
    );
    assert_eq!(policy_codes(&long), ["insp::syntax"]);
    let nots = format!(
        "evidence {{ x : bool }} question q \"Q\" {{ good when {}x }}",
        "not ".repeat(10_000)
    );
    assert_eq!(policy_codes(&nots), ["insp::syntax"]);
    // Numbers too large for a decimal are not silently changed.
    let huge = "evidence { x : number } question q \"Q\" { good when x > 99999999999999999999999999999999 otherwise inadequate }";
    assert_eq!(policy_codes(huge), ["insp::syntax"]);
}

/// Every prefix of the shipped policy, and the policy with each of a sweep of
/// bytes replaced, compiles or gives diagnostics: never a panic.
#[test]
fn no_mutation_of_the_shipped_policy_panics() {
    let text = std::fs::read_to_string("policies/hmic-crime-2014.insp").unwrap();
    let replacements = [
        "", "(", ")", "{", "}", "\"", "#", "<", "-", "x", "when", "0.0", "/", "ö",
    ];
    let boundaries: Vec<usize> = (0..=text.len())
        .filter(|&i| text.is_char_boundary(i))
        .step_by(13)
        .collect();
    let mut compiled = 0;
    for (n, &at) in boundaries.iter().enumerate() {
        let prefix = &text[..at];
        let _ = insp::compile(&Source::new("prefix.insp", prefix));
        let replacement = replacements[n % replacements.len()];
        let next = text[at..].chars().next().map_or(0, char::len_utf8);
        let mutated = format!("{}{replacement}{}", &text[..at], &text[at + next..]);
        match insp::compile(&Source::new("mutated.insp", mutated)) {
            Ok(_) => compiled += 1,
            Err(diagnostics) => assert!(diagnostics.iter().any(Diagnostic::is_error)),
        }
    }
    assert!(
        compiled > 0,
        "some mutations (in comments and strings) must still compile"
    );
}

/// The Norfolk evidence with bytes replaced at a sweep of positions: each
/// variant is graded or diagnosed, never a panic, never graded with errors.
#[test]
fn no_mutation_of_the_evidence_panics() {
    let policy = hmic();
    let text = std::fs::read_to_string("examples/norfolk-2014.json").unwrap();
    let replacements = [
        "", "{", "}", "[", "\"", ",", ":", "-", "1e999", "null", "ö", "\\u12",
    ];
    for (n, at) in (0..text.len()).step_by(3).enumerate() {
        let replacement = replacements[n % replacements.len()];
        let mutated = format!("{}{replacement}{}", &text[..at], &text[at + 1..]);
        let assessment = assess(&policy, &Source::new("mutated.json", mutated), false);
        let errors = assessment.diagnostics.iter().any(Diagnostic::is_error);
        assert_eq!(
            assessment.is_graded(),
            !errors,
            "graded despite errors, or failed without one"
        );
    }
}

/// Lets that each use the previous one twice describe values of size 2^40
/// if expanded naively; checking, analysing and explaining stay linear.
#[test]
fn lets_built_on_lets_do_not_blow_up() {
    let chain = |name: &str, op: &str| {
        (0..40)
            .map(|i| format!("let {name}{} = {name}{i} {op} {name}{i}\n", i + 1))
            .collect::<String>()
    };
    let text = format!(
        "evidence {{ x : number  f : bool }}\nlet l0 = x\n{}let b0 = f\n{}question q \"Q\" {{\n  good when l40 > 1 and b40\n  requires_improvement when l40 < 0\n  otherwise inadequate\n}}\n",
        chain("l", "+"),
        chain("b", "and")
    );
    let policy = insp::compile(&Source::new("diamond.insp", text)).unwrap();
    let codes: Vec<&str> = insp::analyse(&policy)
        .iter()
        .map(|f| f.diagnostic.code.as_str())
        .collect();
    assert!(codes.is_empty(), "the rules exclude each other: {codes:?}");
    let assessment = assess(
        &policy,
        &Source::new("e.json", r#"{"x": 1, "f": true}"#),
        true,
    );
    assert_eq!(
        assessment.grading.unwrap().grade(0),
        policy.grades.rank("good")
    );
    assert!(assessment.traces.is_some());
}

/// A policy over one number `x` and one estimate `s`, for the tests below.
fn number_and_estimate() -> Policy {
    insp::compile(&Source::new(
        "p.insp",
        r#"evidence { x : number  s : estimate }
question q "Q" { good when x > 1 and lower(s) > 0 otherwise inadequate }"#,
    ))
    .unwrap()
}

/// Every diagnostic of the assessment, rendered as the CLI prints it.
fn rendered(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(insp::report::render_diagnostic)
        .collect()
}

#[test]
fn a_label_far_along_a_long_line_is_given_in_words_not_a_panic() {
    let policy = number_and_estimate();
    let padding = "x".repeat(70_000);
    let text = format!(r#"{{"pad": "{padding}", "x": "one", "s": {{"value": 1, "margin": 0}}}}"#);
    let assessment = assess(&policy, &Source::new("long.json", text), false);
    let shown = rendered(&assessment.diagnostics);
    assert!(
        shown.contains("at long.json:1:70018: a string here"),
        "{shown:.2000}"
    );
    assert!(
        shown.len() < 2_000,
        "the long line is not drawn: {}",
        shown.len()
    );
}

#[test]
fn an_estimate_whose_interval_overflows_is_an_arithmetic_error() {
    let policy = number_and_estimate();
    let text = r#"{"x": 2, "s": {"value": -79228162514264337593543950335, "margin": 1}}"#;
    let assessment = assess(&policy, &Source::new("e.json", text), true);
    assert!(!assessment.is_graded());
    assert_eq!(assessment.diagnostics[0].code, insp::Code::Arithmetic);
    assert!(rendered(&assessment.diagnostics).contains("too large"));
}

/// The diagnostics of `{"x": 2, ...}` plus `extra` members. (How long
/// hostile inputs take is shown by `benches/hostile.rs`, not asserted here.)
fn with_extra_members(extra: &str) -> Vec<Diagnostic> {
    let policy = insp::compile(&Source::new(
        "p.insp",
        r#"evidence { x : number  flag : bool = false }
question q "Q" { good when x > 1 and not flag otherwise inadequate }"#,
    ))
    .unwrap();
    let text = format!(r#"{{"x": 2{extra}}}"#);
    let diagnostics = assess(&policy, &Source::new("e.json", text), false).diagnostics;
    let shown = rendered(&diagnostics);
    assert!(shown.len() < 20_000, "{} bytes of diagnostics", shown.len());
    diagnostics
}

#[test]
fn thousands_of_undeclared_fields_are_counted_not_each_reported() {
    for separator in ["\n", " "] {
        let extra: String = (0..64_000)
            .map(|i| format!(",{separator}\"unknown{i}\": {i}"))
            .collect();
        let diagnostics = with_extra_members(&extra);
        assert_eq!(diagnostics.len(), 1, "one warning for them all");
        assert_eq!(
            diagnostics[0].message,
            "64000 fields not read by this policy: unknown0, unknown1, unknown2, …"
        );
        let notes = &diagnostics[0].related;
        assert_eq!(
            notes.len(),
            21,
            "20 placed one by one, then the rest counted"
        );
        assert_eq!(notes[20].message, "and 63980 more not read");
    }
}

#[test]
fn a_huge_misspelt_name_gets_no_suggestion_and_takes_no_time() {
    let typo = "x".repeat(100_000);
    let diagnostics = with_extra_members(&format!(r#", "{typo}": 1"#));
    assert_eq!(diagnostics[0].code, insp::Code::EvidenceUnknownField);
    assert!(!rendered(&diagnostics).contains("did you mean"));
}

#[test]
fn a_key_given_twice_is_an_error_naming_both_places() {
    let diagnostics = with_extra_members(r#", "x": 3"#);
    let duplicate = &diagnostics[0];
    assert_eq!(duplicate.code, insp::Code::EvidenceDuplicateKey);
    assert!(duplicate.is_error());
    let places: Vec<usize> = duplicate.labels.iter().map(|l| l.span.start).collect();
    assert_eq!(places, [9, 1], "the second `x`, then the first");
}

#[test]
fn a_near_miss_of_a_required_field_says_it_is_missing_not_defaulted() {
    let policy = number_and_estimate();
    let text = r#"{"xx": 2, "s": {"value": 1, "margin": 0}}"#;
    let assessment = assess(&policy, &Source::new("e.json", text), false);
    let near_miss = assessment
        .diagnostics
        .iter()
        .find(|d| d.code == insp::Code::EvidenceUnknownField)
        .unwrap();
    assert_eq!(near_miss.message, "`xx` is not declared, so `x` is missing");
    let defaulted = with_extra_members(r#", "flg": true"#);
    assert_eq!(
        defaulted[0].message,
        "`flg` is not declared, so `flag` fell back to its default"
    );
}

#[test]
fn numbers_with_more_digits_than_a_decimal_holds_are_rejected_not_rounded() {
    let policy = number_and_estimate();
    for number in [
        "0.00000000000000000000000000001",
        "1.00000000000000000000000000001",
    ] {
        let text = format!(r#"{{"x": {number}, "s": {{"value": 1, "margin": 0}}}}"#);
        assert_eq!(
            evidence_codes(&policy, &text),
            ["insp::evidence::out_of_range"],
            "{number}"
        );
    }
    // Trailing zeros lose nothing.
    let exact = r#"{"x": 2.000000000000000000000000000000000, "s": {"value": 1, "margin": 0}}"#;
    assert!(assess(&policy, &Source::new("e.json", exact), false).is_graded());
    assert_eq!(
        policy_codes(
            r#"evidence { x : number } question q "Q" { good when x > 0.00000000000000000000000000001 otherwise inadequate }"#
        ),
        ["insp::syntax"]
    );
}

#[test]
fn twenty_thousand_unused_lets_are_each_reported_and_drawn() {
    let lets: String = (0..20_000)
        .map(|i| format!("let l{i} = x + {i}\n"))
        .collect();
    let text = format!(
        "evidence {{ x : number }}\n{lets}question q \"Q\" {{ good when x > 1 otherwise inadequate }}\n"
    );
    let policy = insp::compile(&Source::new("lets.insp", text)).unwrap();
    let unused: Vec<&Diagnostic> = policy
        .warnings
        .iter()
        .filter(|d| d.code == insp::Code::Unused)
        .collect();
    assert_eq!(unused.len(), 20_000);
    // Every one drawn (a cost linear in their number: each draws its own
    // lines, not the whole file), the last let on line 20,001.
    let drawn: Vec<String> = unused
        .iter()
        .map(|d| insp::report::render_diagnostic(d))
        .collect();
    let last = &drawn[19_999];
    assert!(last.contains("lets.insp:20001:5"), "{last}");
    assert!(last.contains("let l19999 = x + 19999"), "{last}");
}

#[test]
fn lines_ended_by_a_lone_carriage_return_are_counted_as_lines() {
    for newline in ["\r", "\r\n", "\n"] {
        let text = [
            "evidence { x : number }",
            "question q \"Q\" {",
            "  good when y > 1",
            "}",
        ]
        .join(newline);
        let diagnostics = policy_diagnostics(&text);
        let shown = rendered(&diagnostics);
        assert!(shown.contains("policy.insp:3:13"), "{newline:?}: {shown}");
        // (miette draws a lone `\r` file as one line; the place above is right.)
        if newline != "\r" {
            assert!(
                shown.contains(" 3 │   good when y > 1"),
                "{newline:?}: {shown}"
            );
        }
    }
}

fn policy_diagnostics(text: &str) -> Vec<Diagnostic> {
    match insp::compile(&Source::new("policy.insp", text)) {
        Ok(_) => panic!("a bad policy compiled: {text:.80}"),
        Err(diagnostics) => diagnostics,
    }
}
