//! How a grade depends on the evidence of one organisation: the grades
//! reachable when its estimates' true values lie anywhere within their
//! margins of error (robustness), decided exactly over the judgement's tie
//! to its evidence (`reach.rs`), with everything else held as it is.

use super::area::bound_words;
use super::formula::{Constraint, FinVar, Formula, Lin, NumVar, Q, Translator, rational};
use super::solver::{Model, Sat, solve_all};
use super::witness::number_words;
use crate::evidence::Evidence;
use crate::policy::{Policy, Value};
use crate::value::Type;
use num_traits::One;
use std::collections::BTreeSet;

/// A grade some values of the free evidence give, and where.
#[derive(Debug, Clone, PartialEq)]
pub struct Reachable {
    /// The grade's rank.
    pub grade: u8,
    /// Where in the free evidence it is given, in words, for one area that
    /// gives it: `where 87.86 <= recording.rate < 90`, or an example.
    pub area: String,
}

/// The grades judgement `index` can take when each estimate in `free` takes
/// any value within its interval (its margin unchanged) and all other
/// evidence is as given; `Err` with the reason when that cannot be decided.
pub fn grades_within_margins(
    policy: &Policy,
    evidence: &Evidence,
    index: usize,
    free: &[usize],
) -> Result<Vec<Reachable>, String> {
    let translator = Translator::new(policy);
    if translator.link(index).is_none() {
        return Err("its grade is not tied to the evidence exactly (an aggregate, or a limit that follows another grade)".to_string());
    }
    let mut pins = Vec::new();
    for slot in 0..policy.fields.len() {
        pins.extend(pin(&translator, evidence, slot, free.contains(&slot)));
    }
    let mut reachable = Vec::new();
    for grade in 0..policy.grades.names.len() as u8 {
        let given = Formula::Finite(FinVar::Grade(index), BTreeSet::from([u32::from(grade)]));
        let mut all: Vec<&Formula> = pins.iter().collect();
        all.push(&given);
        match solve_all(&translator, &all) {
            Sat::Yes(model) => reachable.push(Reachable {
                grade,
                area: area_words(policy, &model, free),
            }),
            Sat::No => {}
            Sat::Unknown(reason) => return Err(reason),
        }
    }
    Ok(reachable)
}

/// Where a grade is given: for one estimate, the stretch of its interval
/// the search found (`87.86 <= recording.rate < 90`); for several, whose
/// areas are joint, an example (`for example a = 86.5, b = 85.2`).
fn area_words(policy: &Policy, model: &Model, free: &[usize]) -> String {
    let path = |slot: usize| &policy.fields[slot].path;
    if let [slot] = free
        && let Some((low, high)) = model.area.bounds.get(&NumVar::Value(*slot))
    {
        return format!("where {}", bound_words(path(*slot), low, high));
    }
    let values: Vec<String> = free
        .iter()
        .filter_map(|slot| {
            let value = model.numbers.get(&NumVar::Value(*slot))?;
            Some(format!("{} = {}", path(*slot), number_words(value)))
        })
        .collect();
    format!("(for example {})", values.join(", "))
}

/// The formulas holding a field to its value in the evidence; an estimate
/// in `free` keeps only its margin and its interval.
fn pin(translator: &Translator, evidence: &Evidence, slot: usize, free: bool) -> Vec<Formula> {
    let policy = translator.policy;
    let equal = |var: NumVar, q: Q| between(var, q.clone(), q);
    match evidence.value(slot) {
        Value::Number(n) => equal(NumVar::Value(slot), rational(n)),
        Value::Estimate { value, margin } if free => {
            let (v, m) = (rational(value), rational(margin));
            let mut pins = between(NumVar::Value(slot), &v - &m, &v + &m);
            pins.extend(equal(NumVar::Margin(slot), m));
            pins
        }
        Value::Estimate { value, margin } => {
            let mut pins = equal(NumVar::Value(slot), rational(value));
            pins.extend(equal(NumVar::Margin(slot), rational(margin)));
            pins
        }
        Value::Bool(b) => vec![finite(slot, u32::from(b))],
        Value::Level { index, .. } => vec![finite(slot, u32::from(index))],
        Value::Grade(rank) => vec![finite(slot, u32::from(rank))],
        // Left free: the caller asks only about judgements that do not read it.
        Value::NotAssessed => Vec::new(),
        _ if policy.fields[slot].ty == Type::Text => {
            let text = evidence.text(slot).unwrap_or_default();
            let literals = translator.texts.get(&slot).cloned().unwrap_or_default();
            let index = literals
                .iter()
                .position(|t| t == text)
                .unwrap_or(literals.len());
            vec![finite(slot, index as u32)]
        }
        _ => Vec::new(),
    }
}

fn finite(slot: usize, value: u32) -> Formula {
    Formula::Finite(FinVar::Slot(slot), BTreeSet::from([value]))
}

/// `low <= var <= high`.
fn between(var: NumVar, low: Q, high: Q) -> Vec<Formula> {
    let x = Lin {
        terms: [(var, Q::one())].into(),
        constant: Q::from_integer(0.into()),
    };
    vec![
        // low - x <= 0
        Formula::Linear(Constraint {
            lin: x.scaled(&-Q::one()).plus(&Lin::constant(low), &Q::one()),
            strict: false,
        }),
        // x - high <= 0
        Formula::Linear(Constraint {
            lin: x.plus(&Lin::constant(high), &-Q::one()),
            strict: false,
        }),
    ]
}
