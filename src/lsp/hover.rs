//! Hover: what the name under the cursor is. An evidence path shows its
//! declaration (type, unit, range, description); a grade or level its
//! scale; a `let` its definition; a judgement its title and rules.

use super::names::{self, Symbol};
use insp::Span;
use insp::policy::{Judgement, JudgementKind, Policy};

/// The name under the cursor and its description in Markdown.
pub fn hover(policy: &Policy, text: &str, offset: usize) -> Option<(Span, String)> {
    let token = names::token_at(text, offset)?;
    let descriptions: Vec<String> = names::resolve(policy, token.text)
        .into_iter()
        .map(|symbol| describe(policy, symbol))
        .collect();
    (!descriptions.is_empty()).then(|| (token.span, descriptions.join("\n\n---\n\n")))
}

fn describe(policy: &Policy, symbol: Symbol) -> String {
    match symbol {
        Symbol::Field(i) => field(policy, i),
        Symbol::Let(i) => {
            let definition = &policy.lets[i];
            format!(
                "**let `{}`**: {}\n\n```insp\nlet {} = {}\n```",
                definition.name,
                definition.ty.describe(&policy.scales),
                definition.name,
                policy.text_of(definition.expr.span),
            )
        }
        Symbol::Judgement(i) => judgement(policy, &policy.judgements[i]),
        Symbol::Helper(i) => helper(policy, i),
        Symbol::Grade(rank) => grade(policy, rank),
        Symbol::Level(scale, level) => {
            let scale = &policy.scales[scale];
            format!(
                "**level `{}`** of the scale `{}`\n\n`{}` (lowest first)",
                scale.levels[level],
                scale.name,
                scale.levels.join(" < "),
            )
        }
    }
}

fn field(policy: &Policy, index: usize) -> String {
    let field = &policy.fields[index];
    let mut words = format!(
        "**evidence `{}`**: {}",
        field.path,
        field.describe(&policy.scales)
    );
    if let Some(default) = field
        .default_text
        .clone()
        .or_else(|| field.default.map(|v| policy.show(v)))
    {
        words.push_str(&format!("\n\ndefault: `{default}`"));
    }
    if let Some(description) = &field.description {
        words.push_str(&format!("\n\n{description}"));
    }
    words
}

fn judgement(policy: &Policy, judgement: &Judgement) -> String {
    let kind = match judgement.kind {
        JudgementKind::Question => "question",
        JudgementKind::Judgement => "judgement",
        JudgementKind::Overall => "overall judgement",
    };
    let rules = judgement
        .rules
        .iter()
        .chain(&judgement.caps)
        .chain(&judgement.floors)
        .map(|rule| rule.span)
        .chain(judgement.otherwise.as_ref().map(|o| o.span))
        .map(|span| format!("    {}", policy.text_of(span)))
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        "**{kind} `{}`**: {}\n\nresolve {}\n\n```insp\n{rules}\n```",
        judgement.id,
        judgement.title,
        judgement.strategy.name(),
    )
}

fn helper(policy: &Policy, index: usize) -> String {
    let Some(helper) = policy.scripts.as_ref().and_then(|s| s.helpers.get(index)) else {
        return String::new();
    };
    let place = names::helper_definition(policy, index)
        .map(|(source, _)| format!(" in `{}`", source.name()))
        .unwrap_or_default();
    format!(
        "**helper** `{}({})`{place}",
        helper.name,
        helper.params.join(", ")
    )
}

fn grade(policy: &Policy, rank: u8) -> String {
    let grades = &policy.grades;
    let best_first: Vec<String> = (0..grades.names.len())
        .rev()
        .map(|r| match grades.points.get(r) {
            Some(points) => format!("{} = {}", grades.names[r], points.normalize()),
            None => grades.names[r].clone(),
        })
        .collect();
    format!(
        "**grade `{}`**\n\n`grades {}` (best first)",
        grades.name(rank),
        best_first.join(" > ")
    )
}
