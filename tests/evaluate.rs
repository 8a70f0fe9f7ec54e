//! Grades on real and fictional evidence files, through the library API.

use insp::{Outcome, assess, assess_file};
use insp::{Policy, Source};

const HMIC: &str = "policies/hmic-crime-2014.insp";

fn policy(path: &str) -> Policy {
    let text = std::fs::read_to_string(path).unwrap();
    match insp::compile(&Source::new(path, text)) {
        Ok(policy) => policy,
        Err(diagnostics) => panic!(
            "{path} does not compile: {}",
            diagnostics
                .iter()
                .map(insp::report::render_diagnostic)
                .collect::<String>()
        ),
    }
}

/// `(judgement id, grade or None)` for every judgement, in policy order.
fn grades_of(policy: &Policy, assessment: &insp::Assessment) -> Vec<(String, Option<String>)> {
    let grading = assessment.grading.as_ref().expect("the evidence was read");
    policy
        .judgements
        .iter()
        .enumerate()
        .map(|(i, j)| {
            (
                j.id.clone(),
                grading.grade(i).map(|g| policy.grades.name(g).to_string()),
            )
        })
        .collect()
}

fn expect(pairs: &[(&str, Option<&str>)]) -> Vec<(String, Option<String>)> {
    pairs
        .iter()
        .map(|(id, g)| (id.to_string(), g.map(String::from)))
        .collect()
}

#[test]
fn norfolk_is_graded_as_the_report_found() {
    let policy = policy(HMIC);
    let assessment = assess_file(&policy, "examples/norfolk-2014.json", false);
    assert!(assessment.is_graded(), "{:?}", assessment.diagnostics);
    assert_eq!(assessment.subject.as_deref(), Some("Norfolk Constabulary"));
    assert_eq!(
        grades_of(&policy, &assessment),
        expect(&[
            ("reducing_crime", Some("outstanding")),
            ("investigating", Some("good")),
            ("tackling_asb", Some("good"))
        ])
    );
    assert!(
        assessment.diagnostics.is_empty(),
        "no warnings expected: {:?}",
        assessment.diagnostics
    );
}

#[test]
fn the_hmic_policy_has_no_overall_judgement_and_checks_clean() {
    let policy = policy(HMIC);
    assert!(
        policy
            .judgements
            .iter()
            .all(|j| j.kind == insp::policy::JudgementKind::Question)
    );
    assert_eq!(policy.judgements.len(), 3);
    assert!(
        policy.warnings.is_empty(),
        "{}",
        policy
            .warnings
            .iter()
            .map(insp::report::render_diagnostic)
            .collect::<String>()
    );
}

#[test]
fn fictional_forces_exercise_the_other_grades_and_a_cap() {
    let policy = policy(HMIC);
    let northmoor = assess_file(&policy, "examples/northmoor-2014.json", false);
    assert_eq!(
        grades_of(&policy, &northmoor),
        expect(&[
            ("reducing_crime", Some("requires_improvement")),
            ("investigating", Some("requires_improvement")),
            ("tackling_asb", Some("inadequate")),
        ])
    );
    // Unreliable crime recording caps a grade the rules would have made good.
    let Outcome::Graded(capped) = &northmoor.grading.as_ref().unwrap().outcomes[0] else {
        panic!("not graded")
    };
    assert_eq!(policy.grades.name(capped.resolved), "good");
    assert!(matches!(capped.limited_by[..], [insp::Limit::Cap(_)]));

    let westvale = assess_file(&policy, "examples/westvale-2014.json", false);
    assert_eq!(
        grades_of(&policy, &westvale),
        expect(&[
            ("reducing_crime", Some("good")),
            ("investigating", Some("outstanding")),
            ("tackling_asb", Some("outstanding"))
        ])
    );
    assert_eq!(
        westvale.defaults_used,
        vec!["organised_crime.recommendation".to_string()]
    );
}

#[test]
fn a_conflict_is_reported_and_other_questions_are_still_graded() {
    let draft = policy("examples/draft-response.insp");
    let riverside = assess_file(&draft, "examples/riverside.json", false);
    assert!(!riverside.is_graded());
    assert_eq!(grades_of(&draft, &riverside), expect(&[("response", None)]));
    let codes: Vec<&str> = riverside
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(codes, ["insp::eval::conflict"]);

    let policy = policy(HMIC);
    let eastfen = assess_file(&policy, "examples/eastfen-2014.json", false);
    assert_eq!(
        grades_of(&policy, &eastfen),
        expect(&[
            ("reducing_crime", Some("inadequate")),
            ("investigating", Some("good")),
            ("tackling_asb", Some("requires_improvement"))
        ])
    );
}

#[test]
fn missing_and_ill_typed_evidence_is_reported_field_by_field() {
    let policy = policy(HMIC);
    let southdown = assess_file(&policy, "examples/southdown-missing-2014.json", false);
    assert!(southdown.grading.is_none());
    let codes: Vec<&str> = southdown
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(
        codes,
        [
            "insp::evidence::missing",
            "insp::evidence::missing",
            "insp::evidence::unknown_field"
        ]
    );
    assert!(southdown.diagnostics.iter().all(|d| d.is_error()));

    let kingsley = assess_file(&policy, "examples/kingsley-illtyped-2014.json", false);
    let codes: Vec<&str> = kingsley
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(codes, ["insp::evidence::type"; 4]);
}

fn compile_inline(text: &str) -> Policy {
    insp::compile(&Source::new("inline.insp", text)).unwrap_or_else(|d| {
        panic!(
            "{}",
            d.iter()
                .map(insp::report::render_diagnostic)
                .collect::<String>()
        )
    })
}

fn grade_inline(policy: &Policy, json: &str) -> Vec<(String, Option<String>)> {
    let assessment = assess(policy, &Source::new("inline.json", json), false);
    grades_of(policy, &assessment)
}

#[test]
fn decimal_arithmetic_holds_where_floating_point_would_not() {
    // In binary floating point 20.84 >= 0.8 * 26.05 is false; on paper, and in insp, it holds.
    let policy = compile_inline(
        r#"evidence { a : number  b : number }
           question q "Q" { good when a >= 0.8 * b  otherwise inadequate }"#,
    );
    assert_eq!(
        grade_inline(&policy, r#"{"a": 20.84, "b": 26.05}"#),
        expect(&[("q", Some("good"))])
    );
    assert_eq!(
        grade_inline(&policy, r#"{"a": 20.83, "b": 26.05}"#),
        expect(&[("q", Some("inadequate"))])
    );
    // Ties are real: the report's sexual offences rate is 1.2 against 1.2.
    let tie = compile_inline(
        r#"evidence { a : number  b : number } question q "Q" { good when a <= b  otherwise inadequate }"#,
    );
    assert_eq!(
        grade_inline(&tie, r#"{"a": 1.2, "b": 1.20}"#),
        expect(&[("q", Some("good"))])
    );
}

#[test]
fn resolution_strategies_choose_as_declared() {
    let rules = r#"good when x > 1  outstanding when x > 2  requires_improvement when x > 0"#;
    let graded = |strategy: &str, x: &str| {
        let policy = compile_inline(&format!(
            r#"evidence {{ x : number }} question q "Q" {{ resolve {strategy} {rules} otherwise inadequate }}"#
        ));
        grade_inline(&policy, &format!(r#"{{"x": {x}}}"#))[0]
            .1
            .clone()
    };
    assert_eq!(graded("first", "3").as_deref(), Some("good"));
    assert_eq!(graded("highest", "3").as_deref(), Some("outstanding"));
    assert_eq!(
        graded("lowest", "3").as_deref(),
        Some("requires_improvement")
    );
    assert_eq!(
        graded("unique", "0.5").as_deref(),
        Some("requires_improvement")
    );
    assert_eq!(
        graded("unique", "3"),
        None,
        "two grades' criteria hold: a conflict"
    );
    assert_eq!(graded("first", "-1").as_deref(), Some("inadequate"));
}

#[test]
fn no_rule_holding_without_otherwise_is_an_error_not_a_default() {
    let policy = compile_inline(r#"evidence { x : number } question q "Q" { good when x > 1 }"#);
    let assessment = assess(&policy, &Source::new("e.json", r#"{"x": 0}"#), false);
    assert!(!assessment.is_graded());
    assert_eq!(assessment.diagnostics[0].code, insp::Code::NoRule);
}

#[test]
fn estimates_use_their_margins() {
    let policy = compile_inline(
        r#"evidence { s : estimate percent  n : estimate percent }
           question q "Q" { resolve first
             outstanding when s significantly above n
             requires_improvement when s significantly below n
             good when s in line with n }"#,
    );
    let grade = |s: &str| {
        grade_inline(
            &policy,
            &format!(r#"{{"s": {s}, "n": {{"value": 85.0, "margin": 0.2}}}}"#),
        )[0]
        .1
        .clone()
    };
    assert_eq!(
        grade(r#"{"value": 87.9, "margin": 1.4}"#).as_deref(),
        Some("outstanding")
    );
    assert_eq!(
        grade(r#"{"value": 86.5, "margin": 1.4}"#).as_deref(),
        Some("good"),
        "86.5 - 1.4 = 85.1 <= 85.2: overlapping"
    );
    assert_eq!(
        grade(r#"{"value": 83.0, "margin": 1.0}"#).as_deref(),
        Some("requires_improvement")
    );
}

#[test]
fn aggregation_counts_banded_points_lowest_highest_caps_and_floors() {
    let policy = policy("tests/fixtures/aggregate.insp");
    let cases = [
        // a, b, c, d, breach → qa qb qc qd delivery leadership overall
        (
            r#"95, "b": 91, "c": 80, "d": 96"#,
            "false",
            [
                "excellent",
                "excellent",
                "strong",
                "excellent",
                "excellent",
                "excellent",
                "excellent",
            ],
        ),
        // qd capped at strong because qa is only strong; points 3 + 3 = 6 → strong.
        (
            r#"80, "b": 76, "c": 76, "d": 99"#,
            "false",
            [
                "strong", "strong", "strong", "strong", "strong", "strong", "strong",
            ],
        ),
        // A weak area makes delivery weak; the overall is weak…
        (
            r#"30, "b": 60, "c": 55, "d": 55"#,
            "false",
            ["weak", "sound", "sound", "sound", "weak", "sound", "weak"],
        ),
        // …but excellence in leadership floors the overall at sound.
        (
            r#"95, "b": 95, "c": 30, "d": 10"#,
            "false",
            [
                "excellent",
                "excellent",
                "weak",
                "failing",
                "excellent",
                "weak",
                "sound",
            ],
        ),
        // Points 4 + 0 = 4 band to sound.
        (
            r#"30, "b": 60, "c": 95, "d": 20"#,
            "false",
            [
                "weak",
                "sound",
                "excellent",
                "failing",
                "weak",
                "sound",
                "weak",
            ],
        ),
        (
            r#"95, "b": 95, "c": 95, "d": 95"#,
            "true",
            [
                "excellent",
                "excellent",
                "excellent",
                "excellent",
                "excellent",
                "excellent",
                "sound",
            ],
        ),
    ];
    for (scores, breach, expected) in cases {
        let json =
            format!(r#"{{"organisation": "X", "breach": {breach}, "score": {{"a": {scores}}}}}"#);
        let grades: Vec<String> = grade_inline(&policy, &json)
            .into_iter()
            .map(|(_, g)| g.unwrap_or_default())
            .collect();
        assert_eq!(grades, expected, "scores {scores}, breach {breach}");
    }
}

#[test]
fn a_failed_judgement_blocks_those_that_read_it() {
    let policy = compile_inline(
        r#"evidence { x : number }
           question a "A" { good when x > 1 }
           question b "B" { good when a >= good  otherwise inadequate }
           overall "O" { good when lowest() >= good  otherwise inadequate }"#,
    );
    let assessment = assess(&policy, &Source::new("e.json", r#"{"x": 0}"#), false);
    let outcomes = &assessment.grading.as_ref().unwrap().outcomes;
    assert!(matches!(outcomes[0], Outcome::Failed(_)));
    assert_eq!(outcomes[1], Outcome::Blocked { by: 0 });
    assert!(matches!(outcomes[2], Outcome::Blocked { .. }));
    assert_eq!(
        assessment.diagnostics.len(),
        1,
        "only the root cause is diagnosed"
    );
}

#[test]
fn division_by_zero_is_diagnosed_with_the_values_read() {
    let policy = compile_inline(
        r#"evidence { a : number  b : number }
           let ratio = a / b
           question q "Q" { good when ratio < 1  otherwise inadequate }"#,
    );
    let assessment = assess(
        &policy,
        &Source::new("e.json", r#"{"a": 1, "b": 0}"#),
        false,
    );
    assert!(!assessment.is_graded());
    let diagnostic = &assessment.diagnostics[0];
    assert_eq!(diagnostic.code, insp::Code::Arithmetic);
    let labels: Vec<&str> = diagnostic.related[0]
        .labels
        .iter()
        .map(|l| l.text.as_str())
        .collect();
    assert_eq!(labels, ["a = 1", "b = 0"]);
}

#[test]
fn explanation_substitutes_values_and_marks_each_check() {
    let policy = policy(HMIC);
    let assessment = assess_file(&policy, "examples/norfolk-2014.json", true);
    let traces = assessment.traces.as_ref().expect("explained");
    let outstanding = &traces[0].rules[0];
    assert_eq!(outstanding.held, Some(true));
    let first = &outstanding.checks[0];
    assert_eq!(first.text, "crime_ratio <= 0.85");
    assert_eq!(
        first.values,
        vec![("crime_ratio".to_string(), "0.749588".to_string())]
    );
    let investigating_outstanding = &traces[1].rules[0];
    let failed: Vec<&str> = investigating_outstanding
        .checks
        .iter()
        .filter(|c| c.held == Some(false))
        .map(|c| c.text.as_str())
        .collect();
    assert_eq!(failed, ["organised_crime.management >= good"]);
}
