//! Document symbols (the outline: evidence fields, lets, questions and
//! judgements) and formatting, with the same code as `insp fmt`.

use super::position;
use insp::policy::{Judgement, JudgementKind, Policy};
use insp::{Source, Span};
use lsp_types::{DocumentSymbol, Range, SymbolKind, TextEdit};

/// The whole text formatted, as one edit; `None` if it does not parse
/// (its diagnostics already say why).
pub fn format(source: &Source) -> Option<Vec<TextEdit>> {
    let formatted = insp::format_policy(source).ok()?;
    if formatted == source.text() {
        return Some(Vec::new());
    }
    let whole = position::range(source, Span::new(0, source.text().len()));
    Some(vec![TextEdit::new(whole, formatted)])
}

/// The outline of a policy compiled from the current text.
pub fn symbols(policy: &Policy) -> Vec<DocumentSymbol> {
    let source = &policy.source;
    let fields = policy.fields.iter().map(|field| {
        let detail = field.describe(&policy.scales);
        symbol(
            source,
            &field.path,
            detail,
            SymbolKind::FIELD,
            field.span,
            field.span,
        )
    });
    let lets = policy.lets.iter().map(|definition| {
        let whole = definition.span.to(definition.expr.span);
        let detail = definition.ty.describe(&policy.scales);
        symbol(
            source,
            &definition.name,
            detail,
            SymbolKind::VARIABLE,
            whole,
            definition.span,
        )
    });
    let judgements = policy.judgements.iter().map(|judgement| {
        let (whole, kind) = (
            judgement_span(source, judgement),
            judgement_kind(judgement.kind),
        );
        let detail = judgement.title.clone();
        symbol(source, &judgement.id, detail, kind, whole, judgement.span)
    });
    fields.chain(lets).chain(judgements).collect()
}

fn judgement_kind(kind: JudgementKind) -> SymbolKind {
    match kind {
        JudgementKind::Question => SymbolKind::FUNCTION,
        JudgementKind::Judgement => SymbolKind::CLASS,
        JudgementKind::Overall => SymbolKind::MODULE,
    }
}

/// From the keyword to the closing brace of the body.
fn judgement_span(source: &Source, judgement: &Judgement) -> Span {
    let text = source.text();
    let before = text[..judgement.span.start].trim_end();
    let start = ["question", "judgement"]
        .iter()
        .find_map(|keyword| before.strip_suffix(keyword))
        .map_or(judgement.span.start, str::len);
    let last = judgement
        .rules
        .iter()
        .chain(&judgement.caps)
        .chain(&judgement.floors)
        .map(|rule| rule.span.end)
        .chain(judgement.otherwise.as_ref().map(|o| o.span.end))
        .max()
        .unwrap_or(judgement.span.end);
    let end = text[last..]
        .find('}')
        .map_or(last, |brace| last + brace + 1);
    Span::new(start, end)
}

fn symbol(
    source: &Source,
    name: &str,
    detail: String,
    kind: SymbolKind,
    whole: Span,
    name_span: Span,
) -> DocumentSymbol {
    let range: Range = position::range(source, whole);
    #[allow(deprecated)] // `deprecated` is a field the protocol still carries.
    DocumentSymbol {
        name: name.to_string(),
        detail: Some(detail),
        kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: position::range(source, name_span),
        children: None,
    }
}
