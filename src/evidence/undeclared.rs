//! Fields an evidence file gives that the policy does not declare. Each is a
//! warning, past `MAX_REPORTED` counted in one more; a near miss of a field
//! the file lacks is an error, always reported: a typo must not change a
//! grade silently. Linear in the file: declared paths are looked up in sets.

use super::json::{Json, JsonKind};
use super::{ABOUT, Binder, Evidence, departures};
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::policy::Field;
use crate::source::Span;
use crate::value::short_name;
use std::collections::HashSet;

/// Undeclared fields reported one by one, per file; the rest are counted.
pub const MAX_REPORTED: usize = 20;

/// An evidence key the policy does not declare, with its full path.
struct Undeclared {
    path: String,
    span: Span,
}

impl Binder<'_> {
    pub(super) fn undeclared_fields(
        &mut self,
        members: &[(String, Span, Json)],
        evidence: &Evidence,
    ) {
        let declared: HashSet<&str> = self.policy.fields.iter().map(|f| f.path.as_str()).collect();
        let parents: HashSet<&str> = self
            .policy
            .fields
            .iter()
            .flat_map(|f| f.path.match_indices('.').map(|(i, _)| &f.path[..i]))
            .collect();
        let mut found = Vec::new();
        collect_undeclared(members, "", &declared, &parents, &mut found);
        let mut warned = 0;
        let mut unreported: Option<(usize, Span)> = None;
        for undeclared in found {
            if let Some(diagnostic) = self.near_miss_of_absent_field(&undeclared, evidence) {
                self.diagnostics.push(diagnostic);
            } else if warned < MAX_REPORTED {
                warned += 1;
                let diagnostic = self.undeclared_warning(&undeclared);
                self.diagnostics.push(diagnostic);
            } else {
                unreported.get_or_insert((0, undeclared.span)).0 += 1;
            }
        }
        if let Some((count, first)) = unreported {
            let more = Diagnostic::warning(
                Code::EvidenceUnknownField,
                format!("and {count} more fields are not declared in the policy"),
            )
            .in_source(self.source)
            .primary(first, "the first of them")
            .help(format!("only the first {MAX_REPORTED} undeclared fields of a file are listed one by one; the policy ignores them all"));
            self.diagnostics.push(more);
        }
    }

    /// An error when the key looks like a misspelling of a field the file
    /// does not give: the typo changed what is graded.
    fn near_miss_of_absent_field(
        &self,
        undeclared: &Undeclared,
        evidence: &Evidence,
    ) -> Option<Diagnostic> {
        let fields = &self.policy.fields;
        let absent = fields
            .iter()
            .enumerate()
            .filter(|(slot, _)| evidence.span(*slot).is_none())
            .map(|(_, f)| f.path.as_str());
        // Cheap first: only a near miss of an absent field can be an error.
        did_you_mean(&undeclared.path, absent)?;
        let guess = did_you_mean(&undeclared.path, fields.iter().map(|f| f.path.as_str()))?;
        let slot = fields.iter().position(|f| f.path == guess)?;
        if evidence.span(slot).is_some() {
            return None;
        }
        let field = &fields[slot];
        Some(
            Diagnostic::error(
                Code::EvidenceUnknownField,
                format!(
                    "`{}` is not declared, so `{}` {}",
                    short_name(&undeclared.path),
                    field.path,
                    absent_words(field)
                ),
            )
            .in_source(self.source)
            .primary(undeclared.span, "a misspelling?")
            .help(format!(
                "did you mean `{}`? Rename the field{}",
                field.path,
                absent_help(field)
            ))
            .with_related(self.declared(field)),
        )
    }

    fn undeclared_warning(&self, undeclared: &Undeclared) -> Diagnostic {
        let fields = &self.policy.fields;
        let help = match did_you_mean(&undeclared.path, fields.iter().map(|f| f.path.as_str())) {
            Some(g) => format!("did you mean `{g}`? The policy ignores this field"),
            None => "the policy does not read this field; remove it, or declare it in the policy's evidence block".to_string(),
        };
        Diagnostic::warning(
            Code::EvidenceUnknownField,
            format!(
                "`{}` is not declared in the policy",
                short_name(&undeclared.path)
            ),
        )
        .in_source(self.source)
        .primary(undeclared.span, "not declared")
        .help(help)
    }
}

/// What became of a field the file does not give.
fn absent_words(field: &Field) -> &'static str {
    if field.default.is_some() || field.default_text.is_some() {
        "fell back to its default"
    } else if field.optional {
        "is not assessed"
    } else {
        "is missing"
    }
}

fn absent_help(field: &Field) -> &'static str {
    if field.default.is_some() || field.default_text.is_some() {
        ", or remove it to use the default on purpose"
    } else if field.optional {
        ", or remove it to leave the field not assessed on purpose"
    } else {
        ": the field is required"
    }
}

/// The keys (at any depth) that are neither declared fields nor objects
/// holding some, in file order.
fn collect_undeclared(
    members: &[(String, Span, Json)],
    prefix: &str,
    declared: &HashSet<&str>,
    parents: &HashSet<&str>,
    out: &mut Vec<Undeclared>,
) {
    for (key, span, value) in members {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        let reserved = prefix.is_empty() && (key == departures::KEY || key == ABOUT);
        if reserved || declared.contains(path.as_str()) {
            continue;
        }
        if parents.contains(path.as_str()) {
            // An object holding fields is searched; anything else in its
            // place is reported as "must be an object" by the field lookup.
            if let JsonKind::Object(inner) = &value.kind {
                collect_undeclared(inner, &path, declared, parents, out);
            }
            continue;
        }
        out.push(Undeclared { path, span: *span });
    }
}
