//! The decision tools' reports: how robust each grade is to the margins of
//! error, and what moved when the evidence was changed.

use super::table::{cell, csv_field};
use crate::decide::change::WouldChange;
use crate::decide::diff::Difference;
use crate::decide::robust::{Robustness, Verdict};
use crate::decide::what_if::{Change, Moved};
use crate::policy::Policy;
use serde_json::{Value as Json, json};

fn grade_words(policy: &Policy, grade: Option<u8>) -> String {
    grade.map_or_else(|| "not graded".to_string(), |g| policy.grades.words(g))
}

/// "What if crime.rate=52.1: reducing_crime moved from good to requires improvement."
pub fn what_if_text(policy: &Policy, changes: &[Change], moved: &[Moved]) -> String {
    let set: Vec<&str> = changes.iter().map(|c| c.written.as_str()).collect();
    let mut out = format!("\n  what if {}:", set.join(", "));
    if moved.is_empty() {
        out.push_str(" no grade moves\n");
        return out;
    }
    out.push('\n');
    for m in moved {
        out.push_str(&format!(
            "    {} moves from {} to {}\n",
            policy.judgements[m.judgement].id,
            grade_words(policy, m.before),
            grade_words(policy, m.after)
        ));
    }
    out
}

/// The same as a markdown section.
pub fn what_if_markdown(policy: &Policy, changes: &[Change], moved: &[Moved]) -> String {
    let set: Vec<String> = changes.iter().map(|c| format!("`{}`", c.written)).collect();
    let mut out = format!("\n**What if** {}:", set.join(", "));
    if moved.is_empty() {
        out.push_str(" no grade moves.\n");
        return out;
    }
    out.push_str("\n\n| judgement | before | after |\n| --- | --- | --- |\n");
    for m in moved {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            policy.judgements[m.judgement].id,
            grade_words(policy, m.before),
            grade_words(policy, m.after)
        ));
    }
    out
}

/// `{"set": [...], "moved": [{"judgement", "before", "after"}]}`.
pub fn what_if_json(policy: &Policy, changes: &[Change], moved: &[Moved]) -> Json {
    let name = |g: Option<u8>| g.map(|g| policy.grades.name(g).to_string());
    json!({
        "set": changes.iter().map(|c| json!({"path": c.path, "value": c.value})).collect::<Vec<_>>(),
        "moved": moved.iter().map(|m| json!({
            "judgement": policy.judgements[m.judgement].id,
            "before": name(m.before),
            "after": name(m.after),
        })).collect::<Vec<_>>(),
    })
}

/// One judgement's robustness in a line.
fn robustness_line(policy: &Policy, r: &Robustness) -> String {
    let id = &policy.judgements[r.judgement].id;
    let estimates = r.shown.join(", ");
    match &r.verdict {
        Verdict::Robust => format!(
            "{id}: robust — {} for every true value within the margins of {estimates}",
            policy.grades.words(r.grade)
        ),
        Verdict::NotRobust(reachable) => {
            let grades: Vec<String> = reachable
                .iter()
                .map(|g| format!("{} {}", policy.grades.words(g.grade), g.area))
                .collect();
            format!(
                "{id}: NOT ROBUST — {} as given, but within the margins of {estimates}: {}",
                policy.grades.words(r.grade),
                grades.join("; ")
            )
        }
        Verdict::Undecided(reason) => format!("{id}: robustness not decided: {reason}"),
    }
}

/// The robustness section of the text report.
pub fn robustness_text(policy: &Policy, robustness: &[Robustness]) -> String {
    let mut out = String::from("\n  margins of error:");
    if robustness.is_empty() {
        out.push_str(" no grade reads an assessed estimate\n");
        return out;
    }
    out.push('\n');
    for r in robustness {
        out.push_str(&format!("    {}\n", robustness_line(policy, r)));
    }
    out
}

/// The same as a markdown list.
pub fn robustness_markdown(policy: &Policy, robustness: &[Robustness]) -> String {
    let mut out = String::from("\n**Margins of error**\n\n");
    if robustness.is_empty() {
        out.push_str("No grade reads an assessed estimate.\n");
    }
    for r in robustness {
        out.push_str(&format!("- {}\n", robustness_line(policy, r)));
    }
    out
}

/// `[{"judgement", "grade", "estimates", "robust", "reachable": [{"grade", "area"}], "undecided"}]`.
pub fn robustness_json(policy: &Policy, robustness: &[Robustness]) -> Json {
    let items: Vec<Json> = robustness
        .iter()
        .map(|r| {
            let (robust, reachable, undecided) = match &r.verdict {
                Verdict::Robust => (json!(true), Vec::new(), Json::Null),
                Verdict::NotRobust(reachable) => (json!(false), reachable.clone(), Json::Null),
                Verdict::Undecided(reason) => (Json::Null, Vec::new(), json!(reason)),
            };
            json!({
                "judgement": policy.judgements[r.judgement].id,
                "grade": policy.grades.name(r.grade),
                "estimates": r.estimates.iter().map(|s| policy.fields[*s].path.clone()).collect::<Vec<_>>(),
                "robust": robust,
                "reachable": reachable.iter().map(|g| json!({
                    "grade": policy.grades.name(g.grade),
                    "area": g.area,
                })).collect::<Vec<_>>(),
                "undecided": undecided,
            })
        })
        .collect();
    Json::Array(items)
}

/// One judgement and target in a line: "reducing_crime (outstanding) would
/// be good if crime.rate rose above 51.595 (now 45.5), or if ...".
fn would_change_line(policy: &Policy, w: &WouldChange) -> String {
    let id = &policy.judgements[w.judgement].id;
    let (now, target) = (policy.grades.words(w.grade), policy.grades.words(w.target));
    let head = format!("{id} ({now}) would be {target}");
    match (&w.undecided, w.words.as_slice()) {
        (Some(reason), _) => format!("{head}: not decided: {reason}"),
        (None, []) => format!("{head} by no change to one piece of evidence alone"),
        (None, words) => format!("{head} if {}", words.join(", or if ")),
    }
}

/// The "what would change" section of the text report.
pub fn would_change_text(policy: &Policy, changes: &[WouldChange]) -> String {
    let mut out = String::from("\n  what would change the grades:\n");
    if changes.is_empty() {
        out.push_str("    nothing: no judgement was graded\n");
    }
    for w in changes {
        out.push_str(&format!("    {}\n", would_change_line(policy, w)));
    }
    out
}

/// The same as a markdown list.
pub fn would_change_markdown(policy: &Policy, changes: &[WouldChange]) -> String {
    let mut out = String::from("\n**What would change the grades**\n\n");
    for w in changes {
        out.push_str(&format!("- {}\n", would_change_line(policy, w)));
    }
    out
}

/// `[{"judgement", "grade", "target", "changes": ["..."], "undecided"}]`.
pub fn would_change_json(policy: &Policy, changes: &[WouldChange]) -> Json {
    Json::Array(
        changes
            .iter()
            .map(|w| {
                json!({
                    "judgement": policy.judgements[w.judgement].id,
                    "grade": policy.grades.name(w.grade),
                    "target": policy.grades.name(w.target),
                    "changes": w.words,
                    "undecided": w.undecided,
                })
            })
            .collect(),
    )
}

/// The differences between two versions as a text table, or "agree".
pub fn diff_text(differences: &[Difference], files: usize) -> String {
    if differences.is_empty() {
        return format!("the two versions grade all {files} evidence file(s) alike\n");
    }
    let mut out = String::new();
    for d in differences {
        let who = d.subject.as_deref().unwrap_or(&d.evidence);
        out.push_str(&format!(
            "{who} — {}: {} → {}\n    old: {}\n    new: {}\n",
            d.judgement, d.old, d.new, d.old_why, d.new_why
        ));
    }
    out.push_str(&format!(
        "{} grade(s) differ across {files} evidence file(s)\n",
        differences.len()
    ));
    out
}

/// The same as a markdown table.
pub fn diff_markdown(differences: &[Difference]) -> String {
    let mut out = String::from(
        "| organisation | judgement | old | new | old rule | new rule |\n| --- | --- | --- | --- | --- | --- |\n",
    );
    for d in differences {
        let who = d.subject.as_deref().unwrap_or(&d.evidence);
        out.push_str(&format!(
            "| {} | {} | {} | {} | `{}` | `{}` |\n",
            cell(who),
            d.judgement,
            cell(&d.old),
            cell(&d.new),
            cell(&d.old_why),
            cell(&d.new_why)
        ));
    }
    out
}

/// The same as CSV, a header then one row per difference.
pub fn diff_csv(differences: &[Difference]) -> String {
    let mut out = String::from("evidence,subject,judgement,old,new,old_rule,new_rule\n");
    for d in differences {
        let subject = d.subject.clone().unwrap_or_default();
        let fields = [
            &d.evidence,
            &subject,
            &d.judgement,
            &d.old,
            &d.new,
            &d.old_why,
            &d.new_why,
        ];
        let cells: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// `{"agree": bool, "differences": [...]}`.
pub fn diff_json(differences: &[Difference]) -> Json {
    json!({
        "agree": differences.is_empty(),
        "differences": differences.iter().map(|d| json!({
            "evidence": d.evidence,
            "subject": d.subject,
            "judgement": d.judgement,
            "old": d.old,
            "new": d.new,
            "old_rule": d.old_why,
            "new_rule": d.new_why,
        })).collect::<Vec<_>>(),
    })
}
