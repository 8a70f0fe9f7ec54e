//! The decision tools' reports: what moved when the evidence was changed.

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
