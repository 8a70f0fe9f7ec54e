//! Recorded departures from "normally" rules: an evidence file's
//! `"departures"` object, by judgement id, each giving the grade the
//! inspectors gave instead, why, and who approved it.
//!
//! ```json
//! "departures": {
//!   "overall": {"grade": "requires_improvement", "reason": "...", "approved_by": "..."}
//! }
//! ```

use super::Binder;
use super::json::{Json, JsonKind};
use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::source::Span;

/// The top-level key that holds departures; no evidence field may use it.
pub const KEY: &str = crate::policy::DEPARTURES_KEY;

/// A grade given instead of the one a "normally" rule gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Departure {
    /// The grade given (by rank).
    pub grade: u8,
    /// Why, as recorded.
    pub reason: String,
    /// Who approved it, if recorded.
    pub approved_by: Option<String>,
    /// Where it is recorded in the evidence file.
    pub span: Span,
}

const HELP: &str = "a departure is recorded as \"departures\": {\"JUDGEMENT\": {\"grade\": \"GRADE\", \"reason\": \"why\", \"approved_by\": \"who\"}}";

impl Binder<'_> {
    /// The departures recorded, one slot per judgement.
    pub(super) fn departures(
        &mut self,
        members: &[(String, Span, Json)],
    ) -> Vec<Option<Departure>> {
        let mut found = vec![None; self.policy.judgements.len()];
        let Some((_, _, recorded)) = members.iter().find(|(key, _, _)| key == KEY) else {
            return found;
        };
        let JsonKind::Object(entries) = &recorded.kind else {
            self.departure_problem(
                recorded.span,
                "`departures` must be an object of judgement ids".into(),
            );
            return found;
        };
        for (id, id_span, entry) in entries {
            let Some(judgement) = self.policy.judgement_index(id) else {
                let ids = self.policy.judgements.iter().map(|j| j.id.as_str());
                let message = match did_you_mean(id, ids) {
                    Some(guess) => format!(
                        "`{id}` is not a judgement of this policy (did you mean `{guess}`?)"
                    ),
                    None => format!("`{id}` is not a judgement of this policy"),
                };
                self.departure_problem(*id_span, message);
                continue;
            };
            if let Some(departure) = self.departure(id, entry) {
                found[judgement] = Some(departure);
            }
        }
        found
    }

    fn departure(&mut self, id: &str, entry: &Json) -> Option<Departure> {
        let JsonKind::Object(parts) = &entry.kind else {
            self.departure_problem(
                entry.span,
                format!("the departure for `{id}` must be an object"),
            );
            return None;
        };
        let text = |key: &str| {
            parts
                .iter()
                .find(|(k, _, _)| k == key)
                .map(|(_, _, value)| match &value.kind {
                    JsonKind::String(text) => Ok(text.clone()),
                    _ => Err(value.span),
                })
        };
        if let Some((key, span, _)) = parts
            .iter()
            .find(|(k, _, _)| !["grade", "reason", "approved_by"].contains(&k.as_str()))
        {
            self.departure_problem(
                *span,
                format!("the departure for `{id}` has an unexpected `{key}`"),
            );
            return None;
        }
        let grade = match text("grade") {
            Some(Ok(name)) => match self.policy.grades.rank(&name) {
                Some(rank) => rank,
                None => {
                    self.departure_problem(
                        entry.span,
                        format!("\"{name}\" is not a grade of this policy"),
                    );
                    return None;
                }
            },
            _ => {
                self.departure_problem(
                    entry.span,
                    format!("the departure for `{id}` gives no grade"),
                );
                return None;
            }
        };
        let reason = match text("reason") {
            Some(Ok(reason)) if !reason.trim().is_empty() => reason,
            _ => {
                self.departure_problem(
                    entry.span,
                    format!("the departure for `{id}` records no reason"),
                );
                return None;
            }
        };
        let approved_by = match text("approved_by") {
            Some(Ok(who)) => Some(who),
            Some(Err(span)) => {
                self.departure_problem(span, "`approved_by` must be a string".into());
                return None;
            }
            None => None,
        };
        Some(Departure {
            grade,
            reason,
            approved_by,
            span: entry.span,
        })
    }

    fn departure_problem(&mut self, span: Span, message: String) {
        let diagnostic = Diagnostic::error(Code::Departure, message)
            .in_source(self.source)
            .primary(span, "here")
            .help(HELP);
        self.diagnostics.push(diagnostic);
    }
}
