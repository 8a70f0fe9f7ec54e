//! The HMIC 2014 policy's own test suite (`policies/hmic-crime-2014.tests/`),
//! run as `insp test` runs it: every case passes and every rule, cap, floor
//! and `otherwise` branch is held by some case.

use assert_cmd::Command;
use insp::Source;
use insp::cases::{coverage, discover, run_case};

const POLICY: &str = "policies/hmic-crime-2014.insp";

#[test]
fn every_case_passes_with_full_rule_coverage() {
    let text = std::fs::read_to_string(POLICY).unwrap();
    let policy = insp::compile(&Source::new(POLICY, text)).unwrap();
    let files = discover(POLICY, &[]).unwrap();
    assert!(files.len() >= 14, "{files:?}");
    let results: Vec<_> = files.iter().map(|f| run_case(&policy, f)).collect();
    for result in &results {
        assert!(
            result.passed(),
            "case {} failed: {:?} {:?}",
            result.name,
            result.mismatches,
            result.invalid
        );
    }
    let coverage = coverage(&policy, &results);
    let uncovered: Vec<_> = coverage.uncovered().collect();
    assert!(uncovered.is_empty(), "not covered: {uncovered:?}");
    assert_eq!(coverage.branches.len(), 16);
}

fn insp_test(args: &[&str]) -> (i32, String) {
    let output = Command::cargo_bin("insp")
        .unwrap()
        .env("NO_COLOR", "1")
        .arg("test")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn the_runner_prints_a_line_a_case_and_a_summary() {
    let (status, stdout) = insp_test(&[POLICY]);
    assert_eq!(status, 0, "{stdout}");
    insta::assert_snapshot!("hmic_suite", stdout);
}

#[test]
fn a_failing_case_shows_expected_actual_and_the_trace_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("wrong.json");
    let norfolk = std::fs::canonicalize("examples/norfolk-2014.json").unwrap();
    std::fs::write(&case, format!(r#"{{"evidence": {:?}, "set": {{"detection.rate": 20}}, "expect": {{"investigating": "good"}}}}"#, norfolk.display().to_string())).unwrap();
    let (status, stdout) = insp_test(&[POLICY, case.to_str().unwrap()]);
    assert_eq!(status, 1);
    assert!(stdout.contains("case wrong ... FAILED"));
    assert!(stdout.contains("investigating: expected good, got requires_improvement"));
    assert!(stdout.contains("✗ detection.rate >= detection.national_rate   [detection.rate = 20, detection.national_rate = 26]"), "{stdout}");
    assert!(stdout.contains("not covered:"));
    assert!(stdout.ends_with("0 passed, 1 failed\n"));

    let (status, json) = insp_test(&["--format", "json", POLICY, case.to_str().unwrap()]);
    assert_eq!(status, 1);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["failed"], 1);
    assert_eq!(doc["cases"][0]["failures"][0]["expected"], "good");
    assert_eq!(
        doc["cases"][0]["failures"][0]["actual"],
        "requires_improvement"
    );
    assert_eq!(doc["coverage"]["total"], 16);
}

#[test]
fn missing_cases_and_invalid_policies() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("lonely.insp");
    std::fs::write(
        &policy,
        "evidence { x : number }\nquestion q \"Q\" { good when x > 1 otherwise inadequate }\n",
    )
    .unwrap();
    let (status, _) = insp_test(&[policy.to_str().unwrap()]);
    assert_eq!(
        status, 2,
        "no lonely.tests folder: the command names no cases, a usage problem"
    );
    let missing = dir.path().join("no-such-cases");
    let (status, _) = insp_test(&[policy.to_str().unwrap(), missing.to_str().unwrap()]);
    assert_eq!(
        status, 2,
        "a case folder that does not exist is a usage problem"
    );
    std::fs::write(&policy, "question q {").unwrap();
    assert_eq!(insp_test(&[policy.to_str().unwrap()]).0, 2);
}
