//! The decision tools on real evidence: robustness to the margins of error,
//! decided exactly, and what moves when evidence changes.

use insp::decide::robust::{Verdict, robustness};
use insp::{Evidence, Policy, Source};

const RECORDING: &str = r#"
evidence { recording.rate : estimate percent 0..100 }
question recording "Is crime recorded accurately?" {
  resolve highest
  good when value(recording.rate) >= 90
  otherwise requires_improvement
}
"#;

fn policy(text: &str) -> Policy {
    insp::compile(&Source::new("p.insp", text)).unwrap()
}

/// The verdict on the first judgement for an estimate of `value ± margin`.
fn verdict(policy: &Policy, value: &str, margin: &str) -> Verdict {
    let text = format!(r#"{{"recording": {{"rate": {{"value": {value}, "margin": {margin}}}}}}}"#);
    let source = Source::new("e.json", text);
    let evidence = Evidence::load(policy, &source).unwrap().evidence;
    let grading = policy.evaluate(&evidence);
    let found = robustness(policy, &evidence, &grading);
    assert_eq!(found.len(), 1, "one judgement reads the estimate");
    found[0].verdict.clone()
}

fn reachable(verdict: &Verdict) -> Vec<(String, String)> {
    let Verdict::NotRobust(reachable) = verdict else {
        panic!("not robust expected: {verdict:?}");
    };
    reachable
        .iter()
        .map(|r| (r.grade.to_string(), r.area.clone()))
        .collect()
}

#[test]
fn a_grade_whose_interval_stays_on_one_side_is_robust() {
    let policy = policy(RECORDING);
    assert_eq!(verdict(&policy, "95", "2"), Verdict::Robust);
    assert_eq!(verdict(&policy, "85", "4.99"), Verdict::Robust);
}

#[test]
fn an_interval_across_the_boundary_reaches_both_grades_exactly_there() {
    let policy = policy(RECORDING);
    // 89.5 ± 1.64: 87.86 to 91.14 spans the boundary at 90.
    let found = reachable(&verdict(&policy, "89.5", "1.64"));
    assert_eq!(
        found,
        [
            (
                "1".to_string(),
                "where 87.86 <= recording.rate < 90".to_string()
            ),
            (
                "2".to_string(),
                "where 90 <= recording.rate <= 91.14".to_string()
            ),
        ]
    );
}

#[test]
fn an_interval_that_only_touches_the_boundary_is_not_robust() {
    let policy = policy(RECORDING);
    // 88 ± 2 reaches 90 exactly, where the grade is good.
    let found = reachable(&verdict(&policy, "88", "2"));
    assert_eq!(
        found[1],
        ("2".to_string(), "where recording.rate = 90".to_string())
    );
    // 88 ± 1.99 stops just short of it.
    assert_eq!(verdict(&policy, "88", "1.99"), Verdict::Robust);
}

#[test]
fn caps_and_floors_are_taken_into_account() {
    let policy = policy(
        r#"
evidence { recording.rate : estimate percent 0..100  audit.failed : bool }
question recording "Is crime recorded accurately?" {
  resolve highest
  good when value(recording.rate) >= 90
  otherwise requires_improvement
  at most requires_improvement when audit.failed
}
"#,
    );
    let text =
        r#"{"recording": {"rate": {"value": 89.5, "margin": 1.64}}, "audit": {"failed": true}}"#;
    let source = Source::new("e.json", text);
    let evidence = Evidence::load(&policy, &source).unwrap().evidence;
    let grading = policy.evaluate(&evidence);
    // Capped whatever the rate: robust.
    assert_eq!(
        robustness(&policy, &evidence, &grading)[0].verdict,
        Verdict::Robust
    );
}
