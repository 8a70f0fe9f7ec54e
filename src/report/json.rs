//! The JSON report: one document per evidence file. The schema is in
//! `docs/json.md`.

use super::{limit_rule, not_graded, reasons, section};
use crate::eval::{Assessment, Decision, JudgementTrace, Limit, Outcome, RuleRole};
use crate::policy::JudgementKind;
use crate::policy::Policy;
use serde_json::{Value as Json, json};

/// One evidence file's grades as a JSON document (see `docs/json.md`).
pub fn render(policy: &Policy, assessment: &Assessment) -> Json {
    let judgements: Vec<(JudgementKind, Json)> = policy
        .judgements
        .iter()
        .enumerate()
        .map(|(index, j)| (j.kind, judgement(policy, assessment, index)))
        .collect();
    let in_section = |kind: JudgementKind| -> Vec<Json> {
        judgements
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, j)| j.clone())
            .collect()
    };
    let overall = in_section(JudgementKind::Overall).into_iter().next();
    json!({
        "policy": policy.name,
        "policy_file": policy.source.name(),
        "evidence": assessment.path,
        "organisation": assessment.subject,
        "graded": assessment.is_graded(),
        section(JudgementKind::Question): in_section(JudgementKind::Question),
        section(JudgementKind::Judgement): in_section(JudgementKind::Judgement),
        "overall": overall,
        "defaults_used": assessment.defaults_used,
        "not_assessed": assessment.not_assessed,
        "diagnostics": assessment.diagnostics.iter().map(|d| d.to_json()).collect::<Vec<_>>(),
    })
}

fn judgement(policy: &Policy, assessment: &Assessment, index: usize) -> Json {
    let j = &policy.judgements[index];
    let mut doc = json!({ "id": j.id, "title": j.title, "grade": null });
    let Some(grading) = &assessment.grading else {
        doc["status"] = json!("not graded: the evidence has errors");
        return doc;
    };
    let outcome = &grading.outcomes[index];
    match outcome {
        Outcome::Graded(graded) => {
            let (decided, _) = reasons(policy, index, graded);
            doc["grade"] = json!(policy.grades.name(graded.grade));
            doc["status"] = json!("graded");
            doc["resolved_grade"] = json!(policy.grades.name(graded.resolved));
            doc["departure"] = graded.departure.as_ref().map_or(Json::Null, |d| {
                json!({
                    "grade": policy.grades.name(d.grade),
                    "reason": d.reason,
                    "approved_by": d.approved_by,
                })
            });
            doc["decided_by"] = match graded.decided_by {
                Decision::Rule(rule) => {
                    json!({ "rule": "grade", "line": line(policy, j.rules[rule].span), "because": decided })
                }
                Decision::Otherwise => json!({ "rule": "otherwise", "because": decided }),
            };
            doc["limited_by"] = graded
                .limited_by
                .iter()
                .map(|&limit| {
                    let rule = limit_rule(policy, index, limit);
                    json!({
                        "rule": match limit { Limit::Cap(_) => "cap", Limit::Floor(_) => "floor" },
                        "to": rule.target(&policy.grades),
                        "line": line(policy, rule.span),
                        "because": rule.because,
                    })
                })
                .collect();
        }
        other => doc["status"] = json!(not_graded(policy, other)),
    }
    if let Some(trace) = assessment
        .traces
        .as_ref()
        .and_then(|t| t.iter().find(|t| t.judgement == index))
    {
        doc["explanation"] = explanation(policy, trace);
    }
    doc
}

fn line(policy: &Policy, span: crate::source::Span) -> usize {
    policy.source.line_col(span.start).0
}

fn explanation(policy: &Policy, trace: &JudgementTrace) -> Json {
    let rules: Vec<Json> = trace
        .rules
        .iter()
        .map(|rule| {
            let checks: Vec<Json> = rule
                .checks
                .iter()
                .map(|c| {
                    let values: serde_json::Map<String, Json> = c.values.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
                    json!({ "depth": c.depth, "condition": c.text, "held": c.held, "values": values })
                })
                .collect();
            json!({
                "kind": match rule.role { RuleRole::Grade => "grade", RuleRole::Cap => "cap", RuleRole::Floor => "floor" },
                "grade": rule.target,
                "line": line(policy, rule.span),
                "held": rule.held,
                "not_assessed": rule.not_assessed,
                "checks": checks,
                "because": rule.because,
            })
        })
        .collect();
    json!({ "resolve": policy.judgements[trace.judgement].strategy.name(), "rules": rules })
}
