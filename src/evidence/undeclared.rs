//! Fields an evidence file gives that the policy does not declare: one
//! warning for them all, however many; a near miss of a field the file
//! lacks (a plausible misspelling) is an error, always reported: a typo must
//! not change a grade silently. Linear in the file: declared paths are
//! looked up in sets.

use super::json::{Json, JsonKind};
use super::{ABOUT, Binder, Evidence, departures};
use crate::diagnostics::{Code, Diagnostic, MAX_SUGGESTED_NAME, did_you_mean};
use crate::policy::Field;
use crate::source::{Source, Span};
use crate::value::short_name;
use std::collections::HashSet;

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
        let mut unread = Vec::new();
        for undeclared in found {
            match self.near_miss_of_absent_field(&undeclared, evidence) {
                Some(diagnostic) => self.diagnostics.push(diagnostic),
                None => unread.push((undeclared.path, undeclared.span)),
            }
        }
        if let Some(warning) = unread_fields(self.source, &unread, "fields") {
            self.diagnostics.push(warning);
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
        plausible_misspelling(&undeclared.path, absent)?;
        // A closer match among the fields given means the key is not that field misspelt.
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
}

/// Unread fields given one by one, with their places, in a warning's
/// notes; the rest are counted, so that a hostile file's diagnostics stay small.
pub const MAX_PLACED: usize = 20;

/// Names shown in the one-line warning before "…".
const NAMES_SHOWN: usize = 3;

/// One warning for all the fields (or columns) of an input that the policy
/// does not read: a count and the first few names in its message (one line
/// where warnings are brief), and each name with its place as a note, for
/// those who ask for them all. `None` when there are none.
pub(super) fn unread_fields(
    source: &Source,
    unread: &[(String, Span)],
    what: &str,
) -> Option<Diagnostic> {
    let (_, first) = unread.first()?;
    let what = match unread.len() {
        1 => what.trim_end_matches('s'),
        _ => what,
    };
    let mut names: Vec<String> = unread
        .iter()
        .take(NAMES_SHOWN)
        .map(|(n, _)| short_name(n))
        .collect();
    if unread.len() > NAMES_SHOWN {
        names.push("…".to_string());
    }
    // One field is placed by the warning itself.
    let placed = if unread.len() > 1 { MAX_PLACED } else { 0 };
    let notes = unread.iter().take(placed).map(|(name, span)| {
        Diagnostic::advice(format!("`{}` is not read", short_name(name)))
            .in_source(source)
            .primary(*span, "not declared in the policy")
    });
    let rest = unread.len().saturating_sub(MAX_PLACED);
    let rest =
        (rest > 0 && placed > 0).then(|| Diagnostic::advice(format!("and {rest} more not read")));
    let mut warning = Diagnostic::warning(
        Code::EvidenceUnknownField,
        format!(
            "{} {what} not read by this policy: {}",
            unread.len(),
            names.join(", ")
        ),
    )
    .in_source(source)
    .primary(
        *first,
        if placed > 0 {
            "the first of them"
        } else {
            "not declared in the policy"
        },
    )
    .help(if placed > 0 {
        "the policy ignores them; remove them, or declare them in the policy's evidence block"
    } else {
        "the policy ignores it; remove it, or declare it in the policy's evidence block"
    });
    warning.related.extend(notes.chain(rest));
    Some(warning)
}

/// The candidate `name` is plausibly a misspelling of: close by
/// Jaro–Winkler and within a few edits (one per eight characters, at
/// least one), so that `extra_0` suggests nothing and `crime.rat` suggests
/// `crime.rate`.
pub(super) fn plausible_misspelling<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let within_edits = |candidate: &&str| {
        let allowed = 1 + name.chars().count().min(candidate.chars().count()) / 8;
        name.len() <= MAX_SUGGESTED_NAME && strsim::damerau_levenshtein(name, candidate) <= allowed
    };
    let close: Vec<&str> = candidates.into_iter().filter(within_edits).collect();
    did_you_mean(name, close)
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
