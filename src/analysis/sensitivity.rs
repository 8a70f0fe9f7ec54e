//! How a grade depends on the evidence of one organisation: the grades
//! reachable when its estimates' true values lie anywhere within their
//! margins of error (robustness), decided exactly over the judgement's tie
//! to its evidence (`reach.rs`), with everything else held as it is.

use super::area::{bound_words, outside_bounds};
use super::formula::{Constraint, FinVar, Formula, Lin, NumVar, Q, Translator, rational};
use super::solver::{Known, Model, Sat, prepare, solve_knowing, solve_prepared};
use super::witness::number_words;
use crate::evidence::Evidence;
use crate::policy::{Policy, Value};
use crate::value::Type;
use num_traits::One;
use std::collections::BTreeSet;

/// The analysis of one policy's grades against one organisation's
/// evidence, made once and asked many questions: what it learns of the
/// policy (each judgement's tie to its evidence) serves them all.
pub struct Sensitivity<'p> {
    translator: Translator<'p>,
}

impl<'p> Sensitivity<'p> {
    /// Ready to answer questions about `policy`.
    pub fn new(policy: &'p Policy) -> Self {
        Sensitivity {
            translator: Translator::new(policy),
        }
    }
}

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
    analysis: &Sensitivity,
    evidence: &Evidence,
    index: usize,
    free: &[usize],
) -> Result<Vec<Reachable>, String> {
    let translator = &analysis.translator;
    let policy = translator.policy;
    tied(translator, index)?;
    let known = known_except(translator, evidence, free);
    let mut intervals = Vec::new();
    for &slot in free {
        if let Value::Estimate { value, margin } = evidence.value(slot) {
            let (v, m) = (rational(value), rational(margin));
            intervals.push(at_least(NumVar::Value(slot), &v - &m));
            intervals.push(at_most(NumVar::Value(slot), &v + &m));
        }
    }
    let mut reachable = Vec::new();
    for grade in 0..policy.grades.names.len() as u8 {
        let mut all: Vec<&Formula> = intervals.iter().collect();
        let given = grade_is(index, grade);
        all.push(&given);
        match solve_knowing(translator, &all, &known) {
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

/// `Err` unless the judgement's grade is tied to its evidence exactly.
fn tied(translator: &Translator, index: usize) -> Result<(), String> {
    match translator.link(index) {
        Some(_) => Ok(()),
        None => Err("its grade is not tied to the evidence exactly (an aggregate, or a limit that follows another grade)".to_string()),
    }
}

fn grade_is(index: usize, grade: u8) -> Formula {
    Formula::Finite(FinVar::Grade(index), BTreeSet::from([u32::from(grade)]))
}

/// Where a grade is given: for one estimate, the stretch of its interval
/// the search found (`where 87.86 <= recording.rate < 90`); for several,
/// whose areas are joint, an example (`(for example a = 86.5, b = 85.2)`).
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

/// Every value of the evidence, known to the solver, except the values of
/// the fields in `free` (an estimate's margin stays known). Text takes the
/// index of its literal; a field not assessed is left unknown (the callers
/// ask only about judgements that do not read it).
fn known_except(translator: &Translator, evidence: &Evidence, free: &[usize]) -> Known {
    let policy = translator.policy;
    let mut known = Known::default();
    for slot in 0..policy.fields.len() {
        let is_free = free.contains(&slot);
        let mut number = |var: NumVar, n| {
            known.numbers.insert(var, rational(n));
        };
        match evidence.value(slot) {
            Value::Number(n) if !is_free => number(NumVar::Value(slot), n),
            Value::Estimate { value, margin } => {
                number(NumVar::Margin(slot), margin);
                if !is_free {
                    number(NumVar::Value(slot), value);
                }
            }
            Value::Bool(_) | Value::Level { .. } | Value::Grade(_) if !is_free => {
                known
                    .finite
                    .insert(FinVar::Slot(slot), finite_value(evidence.value(slot)));
            }
            _ if policy.fields[slot].ty == Type::Text => {
                let text = evidence.text(slot).unwrap_or_default();
                let literals = translator.texts.get(&slot).cloned().unwrap_or_default();
                let index = literals
                    .iter()
                    .position(|t| t == text)
                    .unwrap_or(literals.len());
                known.finite.insert(FinVar::Slot(slot), index as u32);
            }
            _ => {}
        }
    }
    known
}

fn linear(var: NumVar, sign: Q, limit: Q) -> Formula {
    // sign·x - sign·limit <= 0
    let lin = Lin {
        terms: [(var, sign.clone())].into(),
        constant: -(limit * sign),
    };
    Formula::Linear(Constraint { lin, strict: false })
}

/// `var >= limit`.
fn at_least(var: NumVar, limit: Q) -> Formula {
    linear(var, -Q::one(), limit)
}

/// `var <= limit`.
fn at_most(var: NumVar, limit: Q) -> Formula {
    linear(var, Q::one(), limit)
}

/// A change to one piece of evidence that alone gives the target grade.
#[derive(Debug, Clone, PartialEq)]
pub enum Move {
    /// A number (or an estimate's value) at or beyond a bound: `upward`
    /// means "at least" (`above` when `strict`), else "at most" (`below`).
    Number {
        slot: usize,
        bound: Q,
        strict: bool,
        upward: bool,
    },
    /// A bool, level, grade or text taking another value (its index).
    Value { slot: usize, value: u32 },
}

/// How many areas of one direction are searched before giving up.
const MAX_AREAS: usize = 16;

/// For each of `slots` that alone can give judgement `index` the grade
/// `target` (all other evidence as given), the nearest such change: the
/// closest bound above and below the current value of a number, or the
/// nearest other value of a level. `Err` when it cannot be decided.
pub fn nearest_moves(
    analysis: &Sensitivity,
    evidence: &Evidence,
    index: usize,
    target: u8,
    slots: &[usize],
) -> Result<Vec<Move>, String> {
    let translator = &analysis.translator;
    tied(translator, index)?;
    let given = grade_is(index, target);
    let mut moves = Vec::new();
    for &slot in slots {
        let known = known_except(translator, evidence, &[slot]);
        let search = Search {
            translator,
            prepared: prepare(translator, &[&given], &known),
        };
        match evidence.value(slot) {
            Value::Number(n) | Value::Estimate { value: n, .. } => {
                for upward in [true, false] {
                    if let Some(found) = search.nearest_bound(slot, rational(n), upward)? {
                        moves.push(found);
                    }
                }
            }
            Value::Bool(_) | Value::Level { .. } | Value::Grade(_) => {
                moves.extend(search.nearest_value(slot, finite_value(evidence.value(slot)))?);
            }
            _ => {}
        }
    }
    Ok(moves)
}

fn finite_value(value: Value) -> u32 {
    match value {
        Value::Bool(b) => u32::from(b),
        Value::Level { index, .. } => u32::from(index),
        Value::Grade(rank) => u32::from(rank),
        _ => 0,
    }
}

/// One judgement's target grade, with everything but one field known.
struct Search<'a, 't> {
    translator: &'a Translator<'t>,
    /// The target grade, tied to the evidence, the rest of it substituted.
    prepared: Vec<Formula>,
}

impl Search<'_, '_> {
    fn solve(&self, extra: &[&Formula]) -> Result<Option<Model>, String> {
        let mut all: Vec<&Formula> = self.prepared.iter().collect();
        all.extend_from_slice(extra);
        match solve_prepared(self.translator, &all) {
            Sat::Yes(model) => Ok(Some(model)),
            Sat::No => Ok(None),
            Sat::Unknown(reason) => Err(reason),
        }
    }

    /// The closest bound beyond `current` (above it if `upward`) of the
    /// areas where the number gives the target: every such area is found
    /// (each excluded in turn), so the nearest is exact.
    fn nearest_bound(&self, slot: usize, current: Q, upward: bool) -> Result<Option<Move>, String> {
        let var = NumVar::Value(slot);
        let side = match upward {
            true => at_least(var, current),
            false => at_most(var, current),
        };
        let mut excluded: Vec<Formula> = Vec::new();
        let mut nearest: Option<(Q, bool)> = None;
        for _ in 0..MAX_AREAS {
            let mut extra: Vec<&Formula> = vec![&side];
            extra.extend(excluded.iter());
            let Some(model) = self.solve(&extra)? else {
                return Ok(nearest.map(|(bound, strict)| Move::Number {
                    slot,
                    bound,
                    strict,
                    upward,
                }));
            };
            let (low, high) = model.area.bounds.get(&var).cloned().unwrap_or((None, None));
            let edge = if upward { low.clone() } else { high.clone() };
            let Some((bound, strict)) = edge else {
                return Err("an area without a bound".to_string());
            };
            let closer = nearest.as_ref().is_none_or(|(b, s)| match upward {
                true => bound < *b || (bound == *b && !strict && *s),
                false => bound > *b || (bound == *b && !strict && *s),
            });
            if closer {
                nearest = Some((bound, strict));
            }
            excluded.push(Formula::Or(outside_bounds(var, &low, &high)));
        }
        Err(format!(
            "more than {MAX_AREAS} areas of `{}` give the grade",
            self.translator.policy.fields[slot].path
        ))
    }

    /// The other value of a bool, level or grade nearest the current one
    /// that gives the target.
    fn nearest_value(&self, slot: usize, current: u32) -> Result<Option<Move>, String> {
        let domain = self.translator.domain(FinVar::Slot(slot));
        let mut others: Vec<u32> = (0..domain).filter(|v| *v != current).collect();
        others.sort_by_key(|v| v.abs_diff(current));
        for value in others {
            let alone = Formula::Finite(FinVar::Slot(slot), BTreeSet::from([value]));
            if self.solve(&[&alone])?.is_some() {
                return Ok(Some(Move::Value { slot, value }));
            }
        }
        Ok(None)
    }
}
