//! The constructs real methodologies need, graded through the library:
//! grades given as evidence, ranges and whole numbers, evidence that was not
//! assessed, interval bounds, limits that follow another judgement, every
//! limit reported, conflicts naming every grade, "normally" rules with
//! recorded departures, and evidence paths that use reserved words.

use insp::{Assessment, Limit, Outcome, Policy, Source};

fn compile(text: &str) -> Policy {
    insp::compile(&Source::new("policy.insp", text)).unwrap_or_else(|d| {
        panic!(
            "{}",
            d.iter()
                .map(insp::report::render_diagnostic)
                .collect::<String>()
        )
    })
}

fn assess(policy: &Policy, evidence: &str) -> Assessment {
    insp::assess(policy, &Source::new("evidence.json", evidence), true)
}

/// The grade of a judgement in words, "not assessed", or the failure's code.
fn result(policy: &Policy, assessment: &Assessment, id: &str) -> String {
    let index = policy.judgement_index(id).unwrap();
    let Some(grading) = &assessment.grading else {
        let codes: Vec<&str> = assessment
            .diagnostics
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        return format!("unread: {codes:?}");
    };
    match &grading.outcomes[index] {
        Outcome::Graded(graded) => policy.grades.name(graded.grade).to_string(),
        Outcome::NotAssessed => "not assessed".to_string(),
        Outcome::Failed(failure) => failure.code().as_str().to_string(),
        Outcome::Blocked { .. } => "blocked".to_string(),
    }
}

/// Care-style aggregation over five key questions given as grades.
const CARE: &str = r#"
evidence {
  provider      : text
  key.safe      : grade
  key.effective : grade
  key.caring    : grade optional
  key.responsive : grade
  key.well_led  : grade
  breach        : bool = false
}
overall "Overall" of key.safe, key.effective, key.caring, key.responsive, key.well_led {
  resolve first
  inadequate           when count(inadequate) >= 2
  requires_improvement when count(requires_improvement) >= 2 or count(inadequate) == 1
  outstanding          when count(outstanding) >= 2 and count(>= good) == assessed()
  otherwise good
  at most requires_improvement when breach because "a breach of regulations"
}
question safety "Is the service safe?" {
  good when key.safe >= good
  otherwise requires_improvement
}
"#;

fn care(ratings: [&str; 5], extra: &str) -> String {
    let names = ["safe", "effective", "caring", "responsive", "well_led"];
    let key: Vec<String> = names
        .iter()
        .zip(ratings)
        .filter(|(_, r)| *r != "absent")
        .map(|(n, r)| {
            if r == "null" {
                format!("\"{n}\": null")
            } else {
                format!("\"{n}\": \"{r}\"")
            }
        })
        .collect();
    format!(
        "{{\"provider\": \"Fernlea\", \"key\": {{{}}}{extra}}}",
        key.join(", ")
    )
}

#[test]
fn grades_given_as_evidence_are_counted_compared_and_capped() {
    let policy = compile(CARE);
    let cases = [
        (
            ["outstanding", "outstanding", "good", "good", "good"],
            "",
            "outstanding",
        ),
        (["outstanding", "good", "good", "good", "good"], "", "good"),
        (
            ["good", "requires_improvement", "good", "good", "good"],
            "",
            "good",
        ),
        (
            [
                "good",
                "requires_improvement",
                "requires_improvement",
                "good",
                "good",
            ],
            "",
            "requires_improvement",
        ),
        (
            ["good", "good", "inadequate", "good", "good"],
            "",
            "requires_improvement",
        ),
        (
            ["inadequate", "good", "inadequate", "good", "good"],
            "",
            "inadequate",
        ),
        (
            ["outstanding", "outstanding", "good", "good", "good"],
            ", \"breach\": true",
            "requires_improvement",
        ),
    ];
    for (ratings, extra, expected) in cases {
        let assessment = assess(&policy, &care(ratings, extra));
        assert_eq!(
            result(&policy, &assessment, "overall"),
            expected,
            "{ratings:?}{extra}"
        );
    }
    let good = assess(&policy, &care(["good"; 5], ""));
    assert_eq!(result(&policy, &good, "safety"), "good");
}

#[test]
fn a_member_not_assessed_is_left_out_of_counts() {
    let policy = compile(CARE);
    // Caring not assessed: two outstanding and the other two assessed good.
    for caring in ["null", "absent"] {
        let ratings = ["outstanding", "outstanding", caring, "good", "good"];
        let assessment = assess(&policy, &care(ratings, ""));
        assert_eq!(
            result(&policy, &assessment, "overall"),
            "outstanding",
            "{caring}"
        );
        assert_eq!(assessment.not_assessed, ["key.caring"]);
        assert!(assessment.defaults_used.iter().all(|f| f != "key.caring"));
    }
}

#[test]
fn a_rule_reading_evidence_not_assessed_does_not_hold() {
    let policy = compile(
        r#"
evidence {
  rate : percent 0..100 optional
  other : number
}
question q "Q" {
  good when rate >= 90
  requires_improvement when other < 0
  otherwise inadequate
}
question r "R" {
  good when other > 1
  otherwise inadequate
}
"#,
    );
    // No rule holds and one could not be decided: not assessed, never the otherwise grade.
    let missing = assess(&policy, r#"{"other": 5}"#);
    assert_eq!(result(&policy, &missing, "q"), "not assessed");
    assert_eq!(result(&policy, &missing, "r"), "good");
    assert!(missing.is_graded(), "not assessed is not an error");
    let trace = &missing.traces.as_ref().unwrap()[0];
    assert!(trace.rules[0].not_assessed && trace.rules[0].held == Some(false));
    // A rule that holds decides, even when another could not be evaluated.
    let negative = assess(&policy, r#"{"other": -1, "rate": null}"#);
    assert_eq!(result(&policy, &negative, "q"), "requires_improvement");
    let assessed = assess(&policy, r#"{"other": 5, "rate": 95}"#);
    assert_eq!(result(&policy, &assessed, "q"), "good");
}

#[test]
fn ranges_and_whole_numbers_are_enforced_on_evidence() {
    let policy = compile(
        "evidence { score : whole 1..4  share : percent 0.. }\nquestion q \"Q\" { good when score >= 3 and share > 50 otherwise inadequate }\n",
    );
    for (evidence, ok) in [
        (r#"{"score": 4, "share": 60}"#, true),
        (r#"{"score": 1, "share": 0}"#, true),
        (r#"{"score": 4.0, "share": 1000}"#, true),
        (r#"{"score": 5, "share": 60}"#, false),
        (r#"{"score": 0, "share": 60}"#, false),
        (r#"{"score": 2.5, "share": 60}"#, false),
        (r#"{"score": 3, "share": -0.1}"#, false),
    ] {
        let assessment = assess(&policy, evidence);
        assert_eq!(assessment.is_graded(), ok, "{evidence}");
        if !ok {
            assert_eq!(
                assessment.diagnostics[0].code,
                "insp::evidence::out_of_range"
            );
        }
    }
}

#[test]
fn interval_bounds_are_read_with_lower_and_upper() {
    let policy = compile(
        r#"
evidence { recording.rate : estimate percent }
question recording "Recording" {
  resolve first
  good when value(recording.rate) >= 90 and lower(recording.rate) >= 85
  requires_improvement when upper(recording.rate) >= 85
  otherwise inadequate
}
"#,
    );
    for (value, margin, expected) in [
        ("91.5", "1.67", "good"),
        ("90", "5", "good"),
        ("90", "5.01", "requires_improvement"),
        ("89.5", "1.64", "requires_improvement"),
        ("81.6", "1.88", "inadequate"),
    ] {
        let evidence =
            format!(r#"{{"recording": {{"rate": {{"value": {value}, "margin": {margin}}}}}}}"#);
        let assessment = assess(&policy, &evidence);
        assert_eq!(
            result(&policy, &assessment, "recording"),
            expected,
            "{value} ± {margin}"
        );
    }
}

const SCHOOL: &str = r#"
evidence {
  school : text
  quality : grade
  safeguarding.effective : bool
}
question behaviour "Behaviour and attitudes" {
  good when quality >= requires_improvement
  otherwise inadequate
}
judgement leadership "Leadership and management" of behaviour {
  outstanding when lowest() == outstanding
  good when lowest() == good
  otherwise requires_improvement
  at most quality because "leadership is not graded above the quality of education"
  at most inadequate when not safeguarding.effective because "safeguarding is ineffective"
}
"#;

#[test]
fn a_limit_follows_another_grade_and_every_limit_is_reported() {
    let policy = compile(SCHOOL);
    let capped = assess(
        &policy,
        r#"{"school": "Caversham", "quality": "requires_improvement", "safeguarding": {"effective": false}}"#,
    );
    assert_eq!(result(&policy, &capped, "leadership"), "inadequate");
    let Outcome::Graded(graded) = &capped.grading.as_ref().unwrap().outcomes[1] else {
        panic!("graded")
    };
    assert_eq!(policy.grades.name(graded.resolved), "good");
    // Both limits changed the grade; the strictest comes first.
    assert_eq!(graded.limited_by, [Limit::Cap(1), Limit::Cap(0)]);
    let json = insp::report::json::render(&policy, &capped);
    let limits = &json["judgements"][0]["limited_by"];
    assert_eq!(limits[0]["to"], "inadequate");
    assert_eq!(limits[1]["to"], "quality");

    let followed = assess(
        &policy,
        r#"{"school": "Caversham", "quality": "requires_improvement", "safeguarding": {"effective": true}}"#,
    );
    assert_eq!(
        result(&policy, &followed, "leadership"),
        "requires_improvement"
    );
    let text = insp::report::text::render(&policy, &followed);
    assert!(
        text.contains("requires improvement (capped from good)"),
        "{text}"
    );
}

#[test]
fn a_conflict_names_every_grade_whose_criteria_hold() {
    let policy = compile(
        "evidence { x : number }\nquestion q \"Q\" {\n  outstanding when x > 3\n  good when x > 2\n  requires_improvement when x > 1\n  inadequate when x <= 1\n}\n",
    );
    let assessment = assess(&policy, r#"{"x": 5}"#);
    let message = &assessment.diagnostics[0].message;
    assert!(
        message.contains("three grades: outstanding, good and requires_improvement"),
        "{message}"
    );
}

#[test]
fn a_recorded_departure_from_a_normally_rule_gives_the_grade_and_the_reason() {
    let policy = compile(
        r#"
evidence {
  provider : text
  key.safe : grade
  key.effective : grade
  breach : bool = false
}
overall "Overall" of key.safe, key.effective {
  resolve first
  inadequate when count(inadequate) >= 1
  normally good when lowest() >= good
  otherwise requires_improvement
  at most requires_improvement when breach
}
"#,
    );
    let departure = r#""departures": {"overall": {"grade": "outstanding", "reason": "exceptional", "approved_by": "Chief Inspector"}}"#;
    let given = assess(
        &policy,
        &format!(
            r#"{{"provider": "A", "key": {{"safe": "good", "effective": "good"}}, {departure}}}"#
        ),
    );
    assert_eq!(result(&policy, &given, "overall"), "outstanding");
    let Outcome::Graded(graded) = &given.grading.as_ref().unwrap().outcomes[0] else {
        panic!("graded")
    };
    assert_eq!(policy.grades.name(graded.resolved), "good");
    assert_eq!(graded.departure.as_ref().unwrap().reason, "exceptional");
    let json = insp::report::json::render(&policy, &given);
    assert_eq!(
        json["overall"]["departure"]["approved_by"],
        "Chief Inspector"
    );
    let text = insp::report::text::render(&policy, &given);
    assert!(text.contains("departure recorded: exceptional"), "{text}");

    // Caps still apply to the grade given.
    let capped = assess(
        &policy,
        &format!(
            r#"{{"provider": "A", "key": {{"safe": "good", "effective": "good"}}, "breach": true, {departure}}}"#
        ),
    );
    assert_eq!(result(&policy, &capped, "overall"), "requires_improvement");

    // Without a departure the rule applies as written; a departure from a
    // rule that is not `normally` is not applied, and the file says so.
    let written = assess(
        &policy,
        r#"{"provider": "A", "key": {"safe": "good", "effective": "good"}}"#,
    );
    assert_eq!(result(&policy, &written, "overall"), "good");
    let firm = assess(
        &policy,
        &format!(
            r#"{{"provider": "A", "key": {{"safe": "inadequate", "effective": "good"}}, {departure}}}"#
        ),
    );
    assert_eq!(result(&policy, &firm, "overall"), "inadequate");
    assert_eq!(firm.diagnostics[0].code, "insp::evidence::departure");
    assert!(!firm.diagnostics[0].is_error());
}

#[test]
fn dotted_evidence_paths_may_use_reserved_words() {
    let policy = compile(
        "evidence { judgement.safe : grade  overall.score : number  not.checked : bool }\nquestion q \"Q\" {\n  good when judgement.safe >= good and overall.score > 1 and not not.checked\n  otherwise inadequate\n}\n",
    );
    let assessment = assess(
        &policy,
        r#"{"judgement": {"safe": "good"}, "overall": {"score": 2}, "not": {"checked": false}}"#,
    );
    assert_eq!(result(&policy, &assessment, "q"), "good");
}

#[test]
fn an_evidence_file_may_say_where_its_figures_come_from() {
    let policy = compile(
        "evidence { x : number }\nquestion q \"Q\" { good when x > 1 otherwise inadequate }\n",
    );
    let assessment = assess(
        &policy,
        r#"{"about": "x: a published figure, 2021", "x": 2}"#,
    );
    assert_eq!(result(&policy, &assessment, "q"), "good");
    assert!(
        assessment.diagnostics.is_empty(),
        "{:?}",
        assessment.diagnostics
    );
}
