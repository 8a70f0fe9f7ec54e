//! A solver witness as a complete evidence document: the values the
//! witness fixes, and simple valid values for every other declared field.

use super::formula::{FinVar, NumVar, Q, Translator};
use super::solver::Model;
use crate::evidence::json::{Json, JsonKind};
use crate::policy::Policy;
use crate::source::{Source, Span};
use crate::value::Type;
use num_bigint::BigInt;
use num_traits::Signed;

/// Evidence that triggers a finding of `insp check`, confirmed by the evaluator.
pub struct Witness {
    /// A name for its file: `JUDGEMENT.N.KIND` (e.g. `response.1.overlap`).
    pub name: String,
    /// A complete evidence document.
    pub(crate) document: Json,
}

impl Witness {
    /// The evidence as the text of a JSON file, ready to grade with `evaluate`.
    pub fn text(&self) -> String {
        self.document.to_text()
    }

    /// The evidence as a JSON value, for embedding in other JSON output.
    pub fn to_json(&self) -> serde_json::Value {
        self.document.to_value()
    }
}

/// The values of a witness that fixes none.
pub(super) const ANY_EVIDENCE: &str = "for any evidence";

/// A solver's model written out as evidence, before the evaluator confirms it.
pub(super) struct Candidate {
    pub document: Json,
    /// The values the model fixes, for the message: `crime.rate = 40, partnership = strong`.
    pub values: String,
    /// The values with the lets they give, once confirmed (`shown`).
    pub described: String,
}

impl Candidate {
    /// Grades the candidate as `evaluate` would grade the same file.
    pub fn grade(&self, policy: &Policy) -> Option<crate::eval::Grading> {
        self.evidence(policy)
            .map(|evidence| policy.evaluate(&evidence))
    }

    fn evidence(&self, policy: &Policy) -> Option<crate::evidence::Evidence> {
        let source = Source::new("witness.json", self.document.to_text());
        crate::evidence::Evidence::load(policy, &source)
            .ok()
            .map(|loaded| loaded.evidence)
    }

    /// The values for a message: the evidence the witness fixes, then the
    /// lets the judgement's conditions read, as the evaluator computes them
    /// from it (`a = 40, b = 50, giving ratio = 0.8`): where the boundary
    /// was crossed.
    pub fn shown(&self, policy: &Policy, judgement: usize) -> String {
        let lets = lets_read(policy, judgement);
        let Some(evidence) = self.evidence(policy).filter(|_| !lets.is_empty()) else {
            return self.values.clone();
        };
        let mut values = Vec::new();
        policy.evaluate_lets(&evidence, &mut values);
        let derived: Vec<String> = lets
            .iter()
            .filter_map(|&index| {
                let value = values.get(index)?.clone().ok()?;
                Some(format!(
                    "{} = {}",
                    policy.lets[index].name,
                    policy.show(value)
                ))
            })
            .collect();
        match derived.is_empty() {
            true => self.values.clone(),
            false => format!("{}, giving {}", self.values, derived.join(", ")),
        }
    }
}

/// The lets a judgement's rules, caps and floors name, in the order defined.
pub(crate) fn lets_read(policy: &Policy, judgement: usize) -> Vec<usize> {
    let j = &policy.judgements[judgement];
    let mut lets = std::collections::BTreeSet::new();
    for rule in j.rules.iter().chain(&j.caps).chain(&j.floors) {
        crate::policy::visit(&rule.condition, &mut |node| {
            if let crate::policy::ExprKind::Let(index) = node.kind {
                lets.insert(index);
            }
        });
    }
    lets.into_iter().collect()
}

pub(super) fn candidate(policy: &Policy, translator: &Translator, witness: &Model) -> Candidate {
    let mut root = Json {
        kind: JsonKind::Object(Vec::new()),
        span: Span::default(),
    };
    let mut shown = Vec::new();
    for (slot, field) in policy.fields.iter().enumerate() {
        let (value, fixed) = field_value(policy, translator, witness, slot, &field.ty);
        if let Some(text) = fixed {
            shown.push(format!("{} = {text}", field.path));
        }
        let path: Vec<&str> = field.segments.iter().map(String::as_str).collect();
        root.set_path(&path, value);
    }
    let values = if shown.is_empty() {
        ANY_EVIDENCE.to_string()
    } else {
        shown.join(", ")
    };
    Candidate {
        document: root,
        described: values.clone(),
        values,
    }
}

/// A field's JSON value, and its text for the message when the witness fixes it.
fn field_value(
    policy: &Policy,
    translator: &Translator,
    witness: &Model,
    slot: usize,
    ty: &Type,
) -> (Json, Option<String>) {
    let number = |var: NumVar| witness.numbers.get(&var).and_then(decimal_text);
    let finite = witness.finite.get(&FinVar::Slot(slot)).copied();
    let json = |kind| Json {
        kind,
        span: Span::default(),
    };
    match ty {
        Type::Number(_) => {
            let fixed = number(NumVar::Value(slot));
            // An unconstrained number is 1: never a zero denominator elsewhere.
            let text = fixed.clone().unwrap_or_else(|| "1".to_string());
            (json(JsonKind::Number(text)), fixed)
        }
        Type::Estimate(_) => {
            let (value, margin) = (number(NumVar::Value(slot)), number(NumVar::Margin(slot)));
            let fixed = (value.is_some() || margin.is_some()).then(|| {
                format!(
                    "{} ± {}",
                    value.clone().unwrap_or("1".into()),
                    margin.clone().unwrap_or("0".into())
                )
            });
            let members = vec![
                (
                    "value".to_string(),
                    Span::default(),
                    json(JsonKind::Number(value.unwrap_or_else(|| "1".to_string()))),
                ),
                (
                    "margin".to_string(),
                    Span::default(),
                    json(JsonKind::Number(margin.unwrap_or_else(|| "0".to_string()))),
                ),
            ];
            (json(JsonKind::Object(members)), fixed)
        }
        Type::Bool => {
            let value = finite == Some(1);
            (
                json(JsonKind::Bool(value)),
                finite.map(|_| value.to_string()),
            )
        }
        Type::Level(scale) => {
            let levels = &policy.scales[*scale].levels;
            let name = levels[finite.unwrap_or(0) as usize].clone();
            (json(JsonKind::String(name.clone())), finite.map(|_| name))
        }
        Type::Text => {
            let literals = translator.texts.get(&slot).cloned().unwrap_or_default();
            let text = finite
                .and_then(|v| literals.get(v as usize).cloned())
                .unwrap_or_else(|| "(other)".to_string());
            (
                json(JsonKind::String(text.clone())),
                finite.map(|_| format!("{text:?}")),
            )
        }
        // One past the last grade: a member the witness leaves not assessed.
        Type::Grade if finite == Some(policy.grades.names.len() as u32) => {
            (json(JsonKind::Null), Some("not assessed".to_string()))
        }
        Type::Grade => {
            let name = policy.grades.name(finite.unwrap_or(0) as u8).to_string();
            (json(JsonKind::String(name.clone())), finite.map(|_| name))
        }
    }
}

/// A rational in words: its decimal text, or `n/d` when it has none.
pub(crate) fn number_words(q: &Q) -> String {
    decimal_text(q).unwrap_or_else(|| format!("{}/{}", q.numer(), q.denom()))
}

/// An exact decimal's text, if the rational has one (the solver picks such values).
fn decimal_text(q: &Q) -> Option<String> {
    let mut scaled = q.clone();
    for digits in 0..=28u32 {
        if scaled.is_integer() {
            let integer = scaled.to_integer();
            let negative = integer.is_negative();
            let magnitude = integer.abs().to_string();
            let padded = format!("{magnitude:0>width$}", width = digits as usize + 1);
            let (whole, fraction) = padded.split_at(padded.len() - digits as usize);
            let sign = if negative { "-" } else { "" };
            return Some(if digits == 0 {
                format!("{sign}{whole}")
            } else {
                format!("{sign}{whole}.{fraction}")
            });
        }
        scaled *= Q::from_integer(BigInt::from(10));
    }
    None
}
