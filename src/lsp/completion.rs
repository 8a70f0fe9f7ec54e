//! Completion: evidence paths, lets, judgements, grades, levels, helper
//! functions, built-in functions and keywords. Each item replaces the name
//! or path being written, so that `crime.ra` completes to `crime.rate`.

use super::names;
use super::position;
use insp::{Policy, Source};
use lsp_types::{CompletionItem, CompletionItemKind, CompletionTextEdit, TextEdit};

/// The language's keywords (`grammar/insp.pest`).
const KEYWORDS: &[&str] = &[
    "policy",
    "grades",
    "scale",
    "evidence",
    "let",
    "question",
    "judgement",
    "overall",
    "of",
    "resolve",
    "unique",
    "first",
    "highest",
    "lowest",
    "when",
    "otherwise",
    "at",
    "most",
    "least",
    "because",
    "and",
    "or",
    "not",
    "true",
    "false",
    "significantly",
    "above",
    "below",
    "in",
    "line",
    "with",
    "use",
    "script",
    "number",
    "whole",
    "grade",
    "optional",
    "normally",
    "percent",
    "bool",
    "text",
    "estimate",
    "level",
    "per",
];

/// The functions the language itself provides.
const BUILT_IN_FUNCTIONS: &[&str] = &[
    "count", "lowest", "highest", "points", "members", "assessed", "abs", "min", "max", "lower",
    "upper", "value",
];

/// The items for the cursor at `offset`; the policy is the last that
/// compiled (the text being typed rarely does).
pub fn complete(policy: Option<&Policy>, source: &Source, offset: usize) -> Vec<CompletionItem> {
    let replaced = position::range(source, names::prefix_at(source.text(), offset));
    let item = |label: &str, kind: CompletionItemKind, detail: Option<String>| CompletionItem {
        label: label.to_string(),
        kind: Some(kind),
        detail,
        text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
            replaced,
            label.to_string(),
        ))),
        ..Default::default()
    };
    let mut items: Vec<CompletionItem> = Vec::new();
    if let Some(policy) = policy {
        items.extend(
            policy_items(policy).map(|(label, kind, detail)| item(label, kind, Some(detail))),
        );
    }
    for function in BUILT_IN_FUNCTIONS {
        items.push(item(
            function,
            CompletionItemKind::FUNCTION,
            Some("built-in".into()),
        ));
    }
    for keyword in KEYWORDS {
        items.push(item(keyword, CompletionItemKind::KEYWORD, None));
    }
    items
}

type Candidate<'a> = (&'a str, CompletionItemKind, String);

/// The names a policy declares, each with its kind and a detail.
fn policy_items(policy: &Policy) -> impl Iterator<Item = Candidate<'_>> {
    let fields = policy.fields.iter().map(|f| {
        (
            f.path.as_str(),
            CompletionItemKind::FIELD,
            f.describe(&policy.scales),
        )
    });
    let lets = policy.lets.iter().map(|l| {
        (
            l.name.as_str(),
            CompletionItemKind::VARIABLE,
            l.ty.describe(&policy.scales),
        )
    });
    let judgements = policy
        .judgements
        .iter()
        .map(|j| (j.id.as_str(), CompletionItemKind::CLASS, j.title.clone()));
    let helpers = names::helper_names(policy)
        .map(|name| (name, CompletionItemKind::FUNCTION, "helper".to_string()));
    let grades = policy.grades.names.iter().map(|g| {
        (
            g.as_str(),
            CompletionItemKind::ENUM_MEMBER,
            "grade".to_string(),
        )
    });
    let levels = policy.scales.iter().flat_map(|scale| {
        scale.levels.iter().map(move |level| {
            let detail = format!("level of {}", scale.name);
            (level.as_str(), CompletionItemKind::ENUM_MEMBER, detail)
        })
    });
    fields
        .chain(lets)
        .chain(judgements)
        .chain(helpers)
        .chain(grades)
        .chain(levels)
}
