//! The report of `insp test`: a line per case, the failures with expected and
//! actual grades and the trace of each judgement that differs, rule
//! coverage, and the closing `N passed, M failed` line.

use crate::cases::{Branch, CaseResult, Coverage};
use crate::eval::{Graded, Outcome};
use crate::evidence::Departure;
use crate::policy::Policy;
use serde_json::{Value as Json, json};
use std::fmt::Write;

/// The test run as text: each failed case with expected and actual, then coverage.
pub fn text(policy: &Policy, results: &[CaseResult], coverage: &Coverage) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "running {} case{} against {}",
        results.len(),
        plural(results.len()),
        policy.source.name()
    );
    for result in results {
        let _ = writeln!(
            out,
            "case {} ... {}",
            result.name,
            if result.passed() { "ok" } else { "FAILED" }
        );
    }
    let failures: Vec<&CaseResult> = results.iter().filter(|r| !r.passed()).collect();
    if !failures.is_empty() {
        let _ = writeln!(out, "\nfailures:");
        for result in &failures {
            write_failure(&mut out, policy, result);
        }
    }
    write_departures(&mut out, policy, results);
    write_coverage(&mut out, policy, coverage);
    let passed = results.len() - failures.len();
    let _ = writeln!(out, "\n{passed} passed, {} failed", failures.len());
    out
}

/// Every departure from a `normally` rule that a case's evidence records and
/// the evaluation applied: the grade by the rules, the grade given, why.
fn write_departures(out: &mut String, policy: &Policy, results: &[CaseResult]) {
    let mut lines = Vec::new();
    for result in results {
        for (index, graded, departure) in departures(result) {
            lines.push(format!(
                "  {}: {} given {} instead of {} — {}",
                result.name,
                policy.judgements[index].id,
                policy.grades.words(departure.grade),
                policy.grades.words(graded.resolved),
                departure.reason
            ));
        }
    }
    if !lines.is_empty() {
        let _ = writeln!(
            out,
            "\ndepartures recorded in the cases:\n{}",
            lines.join("\n")
        );
    }
}

/// The departures a case's evaluation applied: judgement, grade, departure.
fn departures(result: &CaseResult) -> Vec<(usize, &Graded, &Departure)> {
    let Some(grading) = result.assessment.as_ref().and_then(|a| a.grading.as_ref()) else {
        return Vec::new();
    };
    grading
        .outcomes
        .iter()
        .enumerate()
        .filter_map(|(index, outcome)| match outcome {
            Outcome::Graded(graded) => graded.departure.as_ref().map(|d| (index, graded, d)),
            _ => None,
        })
        .collect()
}

fn write_failure(out: &mut String, policy: &Policy, result: &CaseResult) {
    let _ = writeln!(out, "\n---- {} ({}) ----", result.name, result.file);
    for diagnostic in &result.invalid {
        let _ = write!(out, "{}", super::render_diagnostic(diagnostic));
    }
    for mismatch in &result.mismatches {
        let what = mismatch
            .judgement
            .map_or("the evidence", |j| policy.judgements[j].id.as_str());
        let _ = writeln!(
            out,
            "{what}: expected {}, got {}",
            mismatch.expected, mismatch.actual
        );
        let trace = mismatch
            .judgement
            .zip(result.assessment.as_ref())
            .and_then(|(j, a)| super::text::trace_of(policy, a, j));
        if let Some(trace) = trace {
            out.push_str(&trace);
        }
    }
    // Evidence errors explain a mismatch on the evidence as a whole.
    if result.mismatches.iter().any(|m| m.judgement.is_none())
        && let Some(assessment) = &result.assessment
    {
        for diagnostic in assessment.diagnostics.iter().filter(|d| d.is_error()) {
            let _ = write!(out, "{}", super::render_diagnostic(diagnostic));
        }
    }
}

fn write_coverage(out: &mut String, policy: &Policy, coverage: &Coverage) {
    let total = coverage.branches.len();
    let _ = writeln!(
        out,
        "\nrule coverage: {} of {total} rules, caps, floors and otherwise branches held in some case; \
         {} decided or changed a grade",
        coverage.held_count(),
        coverage.decided_count()
    );
    write_branches(out, policy, "not covered:", coverage.uncovered());
    write_branches(
        out,
        policy,
        "held, but never decided a grade (a cap or floor: never changed one):",
        coverage.held_without_deciding(),
    );
}

/// A heading and a line per branch, where it is and what it says; nothing
/// when there are none.
fn write_branches<'a>(
    out: &mut String,
    policy: &Policy,
    heading: &str,
    branches: impl Iterator<Item = &'a Branch>,
) {
    let lines: Vec<String> = branches
        .map(|branch| {
            let (line, _) = policy.source.line_col(branch.span.start);
            format!(
                "  {}:{line}  {}  {}",
                policy.source.name(),
                policy.judgements[branch.judgement].id,
                branch_words(branch)
            )
        })
        .collect();
    if !lines.is_empty() {
        let _ = writeln!(out, "{heading}\n{}", lines.join("\n"));
    }
}

fn branch_words(branch: &Branch) -> String {
    let grade = &branch.target;
    match branch.kind {
        "cap" => format!("at most {grade} when …"),
        "floor" => format!("at least {grade} when …"),
        "otherwise" => format!("otherwise {grade}"),
        _ => format!("{grade} when …"),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The test run as one JSON document (see `docs/json.md`).
pub fn json(policy: &Policy, results: &[CaseResult], coverage: &Coverage) -> Json {
    let cases: Vec<Json> = results
        .iter()
        .map(|r| {
            let failures: Vec<Json> = r
                .mismatches
                .iter()
                .map(|m| json!({ "judgement": m.judgement.map(|j| policy.judgements[j].id.clone()), "expected": m.expected, "actual": m.actual }))
                .collect();
            let departures: Vec<Json> = departures(r)
                .into_iter()
                .map(|(index, graded, d)| {
                    json!({
                        "judgement": policy.judgements[index].id,
                        "grade": policy.grades.name(d.grade),
                        "rule_grade": policy.grades.name(graded.resolved),
                        "reason": d.reason,
                        "approved_by": d.approved_by,
                    })
                })
                .collect();
            json!({
                "name": r.name,
                "file": r.file,
                "passed": r.passed(),
                "departures": departures,
                "failures": failures,
                "invalid": r.invalid.iter().map(|d| d.to_json()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let branch_json = |b: &Branch| {
        json!({
            "judgement": policy.judgements[b.judgement].id,
            "kind": b.kind,
            "grade": b.target,
            "line": policy.source.line_col(b.span.start).0,
        })
    };
    let uncovered: Vec<Json> = coverage.uncovered().map(branch_json).collect();
    let undecided: Vec<Json> = coverage.held_without_deciding().map(branch_json).collect();
    let passed = results.iter().filter(|r| r.passed()).count();
    json!({
        "policy_file": policy.source.name(),
        "cases": cases,
        "coverage": {
            "covered": coverage.held_count(),
            "decided": coverage.decided_count(),
            "total": coverage.branches.len(),
            "uncovered": uncovered,
            "held_not_decided": undecided,
        },
        "passed": passed,
        "failed": results.len() - passed,
    })
}
