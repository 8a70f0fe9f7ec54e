//! Rhai helper scripts: calls and conversions, the sandbox against hostile
//! scripts, and errors in the author's terms.

use assert_cmd::Command;
use insp::ScriptLimits;
use insp::{Diagnostic, Policy, Source};
use insp::{assess, assess_file};

/// A policy in tests/fixtures (so that `use "helpers.rhai"` resolves there).
fn policy_with(body: &str, limits: ScriptLimits) -> Result<Policy, Vec<Diagnostic>> {
    let text = format!("use \"helpers.rhai\"\n{body}");
    insp::compile_with(&Source::new("tests/fixtures/inline.insp", text), limits)
}

fn compile(body: &str) -> Policy {
    policy_with(body, ScriptLimits::default()).unwrap_or_else(|d| {
        panic!(
            "{}",
            d.iter()
                .map(insp::report::render_diagnostic)
                .collect::<String>()
        )
    })
}

fn errors(body: &str) -> Vec<Diagnostic> {
    match policy_with(body, ScriptLimits::default()) {
        Ok(_) => panic!("compiled: {body}"),
        Err(diagnostics) => diagnostics,
    }
}

/// Grades `{"x": x}` against one rule calling a helper; the grade or the diagnostics.
fn grade(condition: &str, evidence: &str) -> Result<String, Vec<Diagnostic>> {
    let policy = compile(&format!(
        "evidence {{ x : number  level : level weak < good < strong = good  s : estimate = 80 ± 2 }}\n\
         question q \"Q\" {{ good when {condition}  otherwise inadequate }}"
    ));
    let assessment = assess(&policy, &Source::new("e.json", evidence), false);
    match assessment.grading.as_ref().and_then(|g| g.grade(0)) {
        Some(rank) => Ok(policy.grades.name(rank).to_string()),
        None => Err(assessment.diagnostics),
    }
}

fn failure(condition: &str) -> Diagnostic {
    let diagnostics = grade(condition, r#"{"x": 3}"#).expect_err("the helper must fail");
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    diagnostics.into_iter().next().unwrap()
}

#[test]
fn helpers_take_and_return_the_languages_values() {
    assert_eq!(grade("ratio(x, 4) == 0.75", r#"{"x": 3}"#).unwrap(), "good");
    assert_eq!(
        grade("ratio(x, 3) == 1", r#"{"x": 3}"#).unwrap(),
        "good",
        "decimals, not floats"
    );
    assert_eq!(
        grade("is_strong(level)", r#"{"x": 1, "level": "strong"}"#).unwrap(),
        "good",
        "levels as names; a bool result"
    );
    assert_eq!(
        grade("is_strong(level)", r#"{"x": 1}"#).unwrap(),
        "inadequate",
        "the default level"
    );
    assert_eq!(
        grade("lower_bound(s) == 78", r#"{"x": 1}"#).unwrap(),
        "good",
        "estimates as maps"
    );
    assert_eq!(
        grade("best_of(x, 10) > 5 and rating(x) >= good", r#"{"x": 3}"#).unwrap(),
        "good"
    );
    assert_eq!(grade("shout(x) == 3", r#"{"x": 3}"#).unwrap(), "good");
}

#[test]
fn the_shipped_trend_policy_uses_a_helper() {
    let text = std::fs::read_to_string("policies/hmic-crime-2014-trends.insp").unwrap();
    let policy = insp::compile(&Source::new("policies/hmic-crime-2014-trends.insp", text)).unwrap();
    assert!(policy.warnings.is_empty());
    let assessment = assess_file(&policy, "examples/norfolk-2014-trends.json", true);
    let grade = assessment.grading.as_ref().unwrap().grade(0).unwrap();
    assert_eq!(policy.grades.name(grade), "requires_improvement");
    let first_check = &assessment.traces.as_ref().unwrap()[0].rules[0].checks[0];
    assert!(
        first_check.values.contains(&(
            "annualised(crime.change_since_2010, years)".to_string(),
            "-1.797909".to_string()
        )),
        "{:?}",
        first_check.values
    );
}

#[test]
fn a_loop_that_never_ends_is_stopped() {
    let diagnostic = failure("spin(x) > 1");
    assert_eq!(diagnostic.code, "insp::script::runtime");
    assert!(
        diagnostic.message.contains("more than 100000 operations"),
        "{}",
        diagnostic.message
    );
    assert!(
        diagnostic
            .help
            .as_deref()
            .unwrap()
            .contains("--max-operations")
    );
    // Rhai gives no position for a stopped loop: the call site carries the label.
    assert_eq!(
        diagnostic.source.as_ref().unwrap().name(),
        "tests/fixtures/inline.insp"
    );
    assert_eq!(diagnostic.labels[0].text, "called with x = 3");
}

#[test]
fn recursion_without_end_and_huge_data_are_stopped() {
    let cases = [
        ("recurse(x) > 1", "--max-call-levels"),
        ("grow_string(x) > 1", "--max-string-size"),
        ("grow_array(x) > 1", "--max-array-size"),
    ];
    for (condition, flag) in cases {
        let diagnostic = failure(condition);
        assert_eq!(diagnostic.code, "insp::script::runtime", "{condition}");
        assert!(
            diagnostic.help.as_deref().unwrap().contains(flag),
            "{condition}: {:?}",
            diagnostic.help
        );
    }
}

#[test]
fn runtime_errors_point_into_the_script_and_at_the_call_with_its_arguments() {
    let diagnostic = failure("fails(x) > 1");
    assert!(
        diagnostic.message.contains("no data for this force"),
        "{}",
        diagnostic.message
    );
    let script = diagnostic.source.as_ref().unwrap();
    let (line, _) = script.line_col(diagnostic.labels[0].span.start);
    assert_eq!(line, 17, "the `throw` line of tests/fixtures/helpers.rhai");
    let call = &diagnostic.related[0];
    assert_eq!(call.message, "called while grading `q`, with x = 3");
    assert_eq!(
        call.source.as_ref().unwrap().slice(call.labels[0].span),
        "fails(x)"
    );
}

#[test]
fn a_result_of_the_wrong_type_is_an_error_at_the_call() {
    let diagnostic = failure("wrong_type(x) > 1");
    assert_eq!(diagnostic.code, "insp::script::runtime");
    assert!(
        diagnostic
            .message
            .contains("it returned not a number (string), but the policy expects a number"),
        "{}",
        diagnostic.message
    );
    let failing_level = grade("rating(x) >= good", r#"{"x": 3}"#).unwrap();
    assert_eq!(failing_level, "good");
}

#[test]
fn imports_and_eval_are_not_allowed() {
    for script in ["import \"x\" as y;", "fn f(x) { eval(\"x\") }"] {
        let text = format!(
            "script {{ {script} }}\nevidence {{ x : number }}\nquestion q \"Q\" {{ good when x > 1 otherwise inadequate }}"
        );
        let diagnostics = insp::compile(&Source::new("p.insp", text))
            .err()
            .expect("rejected");
        assert_eq!(diagnostics[0].code, "insp::script::syntax", "{script}");
    }
}

#[test]
fn check_knows_the_helpers_before_any_evidence_exists() {
    let unknown = errors(
        "evidence { x : number }\nquestion q \"Q\" { good when raito(x, 2) > 1 otherwise inadequate }",
    );
    assert_eq!(unknown[0].code, "insp::name::unknown_function");
    assert_eq!(unknown[0].help.as_deref(), Some("did you mean `ratio`?"));
    let arity = errors(
        "evidence { x : number }\nquestion q \"Q\" { good when ratio(x) > 1 otherwise inadequate }",
    );
    assert_eq!(
        arity[0].message,
        "helper `ratio` takes 2 arguments, but 1 is given"
    );
    let missing = insp::compile(&Source::new(
        "tests/fixtures/p.insp",
        "use \"nope.rhai\"\nevidence { x : number }\nquestion q \"Q\" { good when nope(x) > 1 otherwise inadequate }",
    ));
    let codes: Vec<&str> = missing
        .err()
        .unwrap()
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(
        codes,
        ["insp::io"],
        "an unknown helper is not reported while a script is missing"
    );
}

#[test]
fn limits_are_configurable() {
    let strict = ScriptLimits {
        max_operations: 5,
        ..ScriptLimits::default()
    };
    let policy = policy_with("evidence { x : number }\nquestion q \"Q\" { good when best_of(x, 10) > 5 otherwise inadequate }", strict).unwrap();
    let assessment = assess(&policy, &Source::new("e.json", r#"{"x": 3}"#), false);
    assert_eq!(assessment.diagnostics[0].code, "insp::script::runtime");
}

#[test]
fn a_runaway_helper_on_one_file_does_not_stop_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("p.insp");
    std::fs::copy(
        "tests/fixtures/helpers.rhai",
        dir.path().join("helpers.rhai"),
    )
    .unwrap();
    std::fs::write(&policy, "use \"helpers.rhai\"\nevidence { x : number }\nquestion q \"Q\" {\n  resolve first\n  good when x > 0 and shout(x) > 0\n  requires_improvement when spin(x) > 0\n  otherwise inadequate\n}\n").unwrap();
    let (fine, runaway) = (
        dir.path().join("fine.json"),
        dir.path().join("runaway.json"),
    );
    std::fs::write(&fine, r#"{"x": 1}"#).unwrap();
    std::fs::write(&runaway, r#"{"x": -1}"#).unwrap();
    let output = Command::cargo_bin("insp")
        .unwrap()
        .args(["evaluate", "--format", "json", "--max-operations", "1000"])
        .args([&policy, &runaway, &fine])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        !stdout.contains("helpers cannot print"),
        "print is silenced"
    );
    let docs: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(docs[0]["diagnostics"][0]["code"], "insp::script::runtime");
    assert_eq!(docs[1]["questions"][0]["grade"], "good");
}

/// The diagnostic of a helper written inline, called as `f(x)` on `{"x": 3}`.
fn inline_failure(script: &str, limits: ScriptLimits) -> Diagnostic {
    let text = format!(
        "script {{ {script} }}\nevidence {{ x : number }}\nquestion q \"Q\" {{ good when f(x) > 1 otherwise inadequate }}"
    );
    let policy = insp::compile_with(&Source::new("p.insp", text), limits).unwrap();
    let assessment = assess(&policy, &Source::new("e.json", r#"{"x": 3}"#), false);
    assert!(!assessment.is_graded(), "{script}");
    assessment.diagnostics.into_iter().next().unwrap()
}

#[test]
fn helpers_can_neither_sleep_nor_read_the_clock() {
    for (script, name) in [
        ("fn f(x) { sleep(100000000); x }", "sleep"),
        ("fn f(x) { let t = timestamp(); x }", "timestamp"),
    ] {
        let diagnostic = inline_failure(script, ScriptLimits::default());
        assert_eq!(diagnostic.code, "insp::script::runtime");
        assert!(
            diagnostic
                .message
                .contains(&format!("`{name}` is not available to helpers")),
            "{}",
            diagnostic.message
        );
    }
}

#[test]
fn a_helper_is_stopped_at_its_time_limit_whatever_its_operations() {
    let limits = ScriptLimits {
        max_operations: u64::MAX,
        max_millis: 100,
        ..ScriptLimits::default()
    };
    let diagnostic = inline_failure("fn f(x) { loop { x += 1; } }", limits);
    assert!(diagnostic.message.contains("it ran longer than 100 ms"));
    assert!(diagnostic.help.unwrap().contains("--max-helper-ms"));
}

#[test]
fn a_blob_grown_past_the_limit_names_the_array_flag() {
    let script = "fn f(x) { let b = blob(); loop { b.push(1); } }";
    let diagnostic = inline_failure(script, ScriptLimits::default());
    assert!(
        diagnostic
            .message
            .contains("array or blob longer than 1000 items"),
        "{}",
        diagnostic.message
    );
    assert!(diagnostic.help.unwrap().contains("--max-array-size"));
}

/// The errors of a policy in `dir/sub/` that uses `target`.
fn use_errors(dir: &std::path::Path, target: &str) -> Vec<Diagnostic> {
    let folder = dir.join("sub");
    std::fs::create_dir_all(&folder).unwrap();
    let text = format!(
        "use \"{target}\"\nevidence {{ x : number }}\nquestion q \"Q\" {{ good when x > 1 otherwise inadequate }}"
    );
    let name = folder.join("p.insp").to_str().unwrap().to_string();
    insp::compile(&Source::new(name, text))
        .err()
        .expect("refused")
}

#[test]
fn use_reads_only_rhai_files_within_the_policys_folder() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "SECRET=do-not-show";
    std::fs::write(dir.path().join("outside.rhai"), secret).unwrap();
    std::fs::create_dir_all(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink(
        dir.path().join("outside.rhai"),
        dir.path().join("sub/link.rhai"),
    )
    .unwrap();
    std::fs::write(dir.path().join("sub/notes.txt"), secret).unwrap();
    for (target, why) in [
        ("../outside.rhai", "outside the policy's folder"),
        ("link.rhai", "outside the policy's folder"),
        ("/proc/self/environ", "an absolute path"),
        ("notes.txt", "not a `.rhai` file"),
    ] {
        let errors = use_errors(dir.path(), target);
        assert_eq!(errors[0].code, "insp::io", "{target}");
        assert!(
            errors[0].message.contains(why),
            "{target}: {}",
            errors[0].message
        );
        let shown: String = errors.iter().map(insp::report::render_diagnostic).collect();
        assert!(
            !shown.contains("do-not-show"),
            "{target} disclosed: {shown}"
        );
    }
    // A script below the policy's folder is fine.
    std::fs::create_dir_all(dir.path().join("sub/lib")).unwrap();
    std::fs::write(dir.path().join("sub/lib/ok.rhai"), "fn f(x) { x }").unwrap();
    let text = "use \"lib/ok.rhai\"\nevidence { x : number }\nquestion q \"Q\" { good when f(x) > 1 otherwise inadequate }";
    let name = dir.path().join("sub/p.insp");
    assert!(insp::compile(&Source::new(name.to_str().unwrap(), text)).is_ok());
}
