//! The decision tools' reports: how robust each grade is to the margins of
//! error, and what moved when the evidence was changed.

use super::table::{cell, csv_field};
use crate::decide::change::WouldChange;
use crate::decide::diff::Difference;
use crate::decide::robust::{Robustness, Verdict};
use crate::decide::what_if::{Change, Moved};
use crate::decide::{Agreement, Compared, Comparison, Region};
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
    format!(
        "{}: {}",
        policy.judgements[r.judgement].id,
        robustness_words(policy, r)
    )
}

/// "robust — good for every true value within the margins of ...".
fn robustness_words(policy: &Policy, r: &Robustness) -> String {
    let estimates = r.shown.join(", ");
    match &r.verdict {
        Verdict::Robust => format!(
            "robust — {} for every true value within the margins of {estimates}",
            policy.grades.words(r.grade)
        ),
        Verdict::NotRobust(reachable) => {
            let grades: Vec<String> = reachable
                .iter()
                .map(|g| format!("{} {}", policy.grades.words(g.grade), g.area))
                .collect();
            format!(
                "NOT ROBUST — {} as given, but within the margins of {estimates}: {}",
                policy.grades.words(r.grade),
                grades.join("; ")
            )
        }
        Verdict::Undecided(reason) => format!("robustness not decided: {reason}"),
    }
}

/// The short marker of a judgement's robustness beside its grade (`robust`,
/// `not robust`), when its grade reads an assessed estimate.
pub fn robustness_mark(robustness: &[Robustness], judgement: usize) -> Option<String> {
    let r = robustness.iter().find(|r| r.judgement == judgement)?;
    Some(
        match r.verdict {
            Verdict::Robust => "robust",
            Verdict::NotRobust(_) => "not robust",
            Verdict::Undecided(_) => "robustness not decided",
        }
        .to_string(),
    )
}

/// Judgement `id`'s robustness for its CSV cell; empty when its grade reads
/// no assessed estimate.
pub fn robustness_cell(policy: &Policy, robustness: &[Robustness], id: &str) -> String {
    robustness
        .iter()
        .find(|r| policy.judgements[r.judgement].id == id)
        .map_or_else(String::new, |r| robustness_words(policy, r))
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
    let now = policy.grades.words(w.grade);
    format!("{id} ({now}) {}", would_change_words(policy, w))
}

/// "would be good if crime.rate rose above 51.595 (now 45.5), or if ...".
fn would_change_words(policy: &Policy, w: &WouldChange) -> String {
    let head = format!("would be {}", policy.grades.words(w.target));
    match (&w.undecided, w.words.as_slice()) {
        (Some(reason), _) => format!("{head}: not decided: {reason}"),
        (None, []) => format!("{head} by no change to one piece of evidence alone"),
        (None, words) => format!("{head} if {}", words.join(", or if ")),
    }
}

/// What would change judgement `id`'s grade, for its CSV cell (each grade
/// asked for, joined by `; `); empty when it was not graded.
pub fn would_change_cell(policy: &Policy, changes: &[WouldChange], id: &str) -> String {
    let words: Vec<String> = changes
        .iter()
        .filter(|w| policy.judgements[w.judgement].id == id)
        .map(|w| would_change_words(policy, w))
        .collect();
    words.join("; ")
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

/// A static comparison of two versions in words: per judgement, where the
/// versions grade differently (with an example from each area), that they
/// agree everywhere, or why that could not be decided; then the verdict.
pub fn versions_text(policy: &Policy, comparison: &Comparison) -> String {
    let mut out = String::new();
    for note in &comparison.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    for compared in &comparison.judgements {
        out.push_str(&format!("{}: {}\n", compared.id, verdict_words(compared)));
        for region in compared.regions() {
            out.push_str(&format!("    {}\n", region_words(policy, region)));
        }
    }
    out.push_str(&versions_verdict(comparison));
    out
}

/// "good → outstanding where 0.8 < ratio <= 0.85 (for example ...)".
fn region_words(policy: &Policy, region: &Region) -> String {
    let change = format!(
        "{} → {}",
        grade_words(policy, region.old),
        grade_words(policy, region.new)
    );
    match &region.area {
        Some(area) => format!("{change} where {area} (for example {})", region.example),
        None => format!("{change} for example when {}", region.example),
    }
}

fn verdict_words(compared: &Compared) -> String {
    match &compared.outcome {
        Agreement::Agree => "the versions agree on all evidence".to_string(),
        Agreement::Differ(_) => "the versions grade differently".to_string(),
        Agreement::Undecided(why, found) if found.is_empty() => format!("undecided: {why}"),
        Agreement::Undecided(why, _) => {
            format!("the versions grade differently, and the rest is undecided: {why}")
        }
        Agreement::OnlyIn(true) => "only in the new version".to_string(),
        Agreement::OnlyIn(false) => "only in the old version".to_string(),
    }
}

/// The last line: proven alike, or how many judgements differ or are undecided.
fn versions_verdict(comparison: &Comparison) -> String {
    if comparison.agree() {
        return "the two versions grade all possible evidence alike\n".to_string();
    }
    let count = |keep: fn(&Agreement) -> bool| {
        comparison
            .judgements
            .iter()
            .filter(|j| keep(&j.outcome))
            .count()
    };
    let differ = count(|o| matches!(o, Agreement::Differ(_) | Agreement::OnlyIn(_)))
        + count(|o| matches!(o, Agreement::Undecided(_, found) if !found.is_empty()));
    let undecided = count(|o| matches!(o, Agreement::Undecided(_, found) if found.is_empty()));
    let agree = count(|o| matches!(o, Agreement::Agree));
    format!(
        "the versions differ on {differ} judgement(s), agree on {agree}, and {undecided} could not be decided\n"
    )
}

/// The same as a markdown table, one row per area.
pub fn versions_markdown(policy: &Policy, comparison: &Comparison) -> String {
    let mut out = String::new();
    for note in &comparison.notes {
        out.push_str(&format!("> {}\n\n", cell(note)));
    }
    out.push_str("| judgement | result | old | new | where | example |\n| --- | --- | --- | --- | --- | --- |\n");
    for compared in &comparison.judgements {
        let verdict = cell(&verdict_words(compared));
        if compared.regions().is_empty() {
            out.push_str(&format!("| {} | {verdict} | | | | |\n", compared.id));
        }
        for region in compared.regions() {
            out.push_str(&format!(
                "| {} | {verdict} | {} | {} | {} | {} |\n",
                compared.id,
                grade_words(policy, region.old),
                grade_words(policy, region.new),
                cell(region.area.as_deref().unwrap_or("")),
                cell(&region.example)
            ));
        }
    }
    out.push('\n');
    out.push_str(&versions_verdict(comparison));
    out
}

/// The same as CSV: a row per area, and a row per judgement without one.
pub fn versions_csv(policy: &Policy, comparison: &Comparison) -> String {
    let mut out = String::from("judgement,result,old,new,where,example\n");
    let mut row = |fields: [&str; 6]| {
        let cells: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    };
    for compared in &comparison.judgements {
        let verdict = verdict_words(compared);
        if compared.regions().is_empty() {
            row([&compared.id, &verdict, "", "", "", ""]);
        }
        for region in compared.regions() {
            row([
                &compared.id,
                &verdict,
                &grade_words(policy, region.old),
                &grade_words(policy, region.new),
                region.area.as_deref().unwrap_or(""),
                &region.example,
            ]);
        }
    }
    out
}

/// `{"agree": bool, "notes": [...], "judgements": [{"judgement", "result",
/// "reason", "regions": [{"old", "new", "where", "example", "witness"}]}]}`.
pub fn versions_json(policy: &Policy, comparison: &Comparison) -> Json {
    let grade = |g: Option<u8>| g.map(|g| policy.grades.name(g).to_string());
    json!({
        "agree": comparison.agree(),
        "notes": comparison.notes,
        "judgements": comparison.judgements.iter().map(|compared| {
            let (result, reason) = match &compared.outcome {
                Agreement::Agree => ("agree", None),
                Agreement::Differ(_) => ("differ", None),
                Agreement::Undecided(why, _) => ("undecided", Some(why.clone())),
                Agreement::OnlyIn(true) => ("only_in_new", None),
                Agreement::OnlyIn(false) => ("only_in_old", None),
            };
            json!({
                "judgement": compared.id,
                "result": result,
                "reason": reason,
                "regions": compared.regions().iter().map(|r| json!({
                    "old": grade(r.old),
                    "new": grade(r.new),
                    "where": r.area,
                    "example": r.example,
                    "witness": r.witness.to_json(),
                })).collect::<Vec<_>>(),
            })
        }).collect::<Vec<_>>(),
    })
}
