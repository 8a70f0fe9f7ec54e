//! Go to definition and find references: evidence fields, lets and
//! judgements in the policy, helper functions into their `.rhai` script.

use super::diagnostics::Target;
use super::names::{self, Symbol};
use insp::Policy;
use lsp_types::Location;

/// What the name at `offset` refers to, if anything.
fn symbol_at(policy: &Policy, target: &Target, offset: usize) -> Option<Symbol> {
    let token = names::token_at(target.source.text(), offset)?;
    names::resolve(policy, token.text).first().copied()
}

/// Where a symbol is defined: in the policy, or in a helper's script.
fn definition_of(policy: &Policy, target: &Target, symbol: Symbol) -> Option<Location> {
    match symbol {
        Symbol::Helper(helper) => {
            let (script, span) = names::helper_definition(policy, helper)?;
            target.location(&script, span)
        }
        _ => target.location(target.source, names::declaration(policy, symbol)?),
    }
}

/// The definition of the name at `offset`.
pub fn definition(policy: &Policy, target: &Target, offset: usize) -> Option<Location> {
    definition_of(policy, target, symbol_at(policy, target, offset)?)
}

/// Every use of the name at `offset` in the policy, and its definition if asked.
pub fn references(
    policy: &Policy,
    target: &Target,
    offset: usize,
    with_declaration: bool,
) -> Vec<Location> {
    let Some(symbol) = symbol_at(policy, target, offset) else {
        return Vec::new();
    };
    let definition = definition_of(policy, target, symbol);
    let uses = names::references(policy, target.source.text(), symbol)
        .into_iter()
        .filter_map(|span| target.location(target.source, span))
        .filter(|location| Some(location) != definition.as_ref());
    definition
        .clone()
        .filter(|_| with_declaration)
        .into_iter()
        .chain(uses)
        .collect()
}
