//! What would change a grade: for each judgement, the nearest change to one
//! piece of evidence that alone moves it to another grade — exact at the
//! boundary, with resolution, caps and floors taken into account.

use crate::analysis::sensitivity::{Move, Sensitivity, nearest_moves};
use crate::analysis::witness::number_words;
use crate::eval::{Grading, Outcome};
use crate::evidence::Evidence;
use crate::policy::{Policy, Value};
use crate::value::Type;

/// The grades asked about.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Target {
    /// One grade up and one grade down from each judgement's grade.
    Neighbours,
    /// This grade, for every judgement not already given it (`--why-not`).
    Grade(u8),
}

/// What would give one judgement one other grade.
#[derive(Debug, Clone, PartialEq)]
pub struct WouldChange {
    /// The judgement's index.
    pub judgement: usize,
    /// Its grade now.
    pub grade: u8,
    /// The grade asked about.
    pub target: u8,
    /// Each change to one field that alone gives the target, nearest first
    /// per field; empty when no single field can.
    pub moves: Vec<Move>,
    /// The same in words: `crime.rate rose above 51.595 (now 45.5)`.
    pub words: Vec<String>,
    /// Why it could not be decided, if it could not.
    pub undecided: Option<String>,
}

/// For every graded judgement (not set by a recorded departure), the
/// nearest single-field changes giving each target grade.
pub fn what_would_change(
    policy: &Policy,
    evidence: &Evidence,
    grading: &Grading,
    target: Target,
) -> Vec<WouldChange> {
    let best = policy.grades.names.len() as u8 - 1;
    let analysis = Sensitivity::new(policy);
    let mut out = Vec::new();
    for (index, outcome) in grading.outcomes.iter().enumerate() {
        let Outcome::Graded(graded) = outcome else {
            continue;
        };
        if graded.departure.is_some() {
            continue;
        }
        let grade = graded.grade;
        let targets: Vec<u8> = match target {
            Target::Neighbours => [
                grade.checked_add(1).filter(|g| *g <= best),
                grade.checked_sub(1),
            ]
            .into_iter()
            .flatten()
            .collect(),
            Target::Grade(g) if g != grade => vec![g],
            Target::Grade(_) => Vec::new(),
        };
        let slots = changeable(policy, evidence, index);
        for target in targets {
            let (moves, undecided) = match nearest_moves(&analysis, evidence, index, target, &slots)
            {
                Ok(moves) => (moves, None),
                Err(reason) => (Vec::new(), Some(reason)),
            };
            let words = moves
                .iter()
                .map(|m| move_words(policy, evidence, index, m))
                .collect();
            out.push(WouldChange {
                judgement: index,
                grade,
                target,
                moves,
                words,
                undecided,
            });
        }
    }
    out
}

/// The evidence a judgement reads (directly, through lets or other
/// judgements) that a change could move: assessed, and not text.
fn changeable(policy: &Policy, evidence: &Evidence, index: usize) -> Vec<usize> {
    let slots = super::reads_transitively(policy, index);
    slots
        .into_iter()
        .filter(|s| policy.fields[*s].ty != Type::Text)
        .filter(|s| evidence.value(*s) != Value::NotAssessed)
        .collect()
}

/// A move in words: `crime.rate rose above 51.595 (now 45.5): at 51.595,
/// crime_ratio = 0.85 (now 0.749588)`, `partnership were good (now strong)`.
/// At a number's boundary, the lets the judgement reads that the change
/// moves say it in the author's terms.
fn move_words(policy: &Policy, evidence: &Evidence, judgement: usize, m: &Move) -> String {
    let (slot, change) = match m {
        Move::Number {
            slot,
            bound,
            strict,
            upward,
        } => {
            let bound = bound_words(bound);
            let change = match (upward, strict) {
                (true, true) => format!("rose above {bound}"),
                (true, false) => format!("rose to {bound} or more"),
                (false, true) => format!("fell below {bound}"),
                (false, false) => format!("fell to {bound} or less"),
            };
            (*slot, change)
        }
        Move::Value { slot, value } => {
            let shown = match &policy.fields[*slot].ty {
                Type::Level(scale) => policy.scales[*scale].levels[*value as usize].clone(),
                Type::Grade => policy.grades.words(*value as u8),
                _ => (*value == 1).to_string(),
            };
            (*slot, format!("were {shown}"))
        }
    };
    let now = match evidence.value(slot) {
        Value::Estimate { value, .. } => crate::value::format_decimal(value),
        value => policy.show(value),
    };
    let lets = match m {
        Move::Number { slot, bound, .. } => lets_at(policy, evidence, judgement, *slot, bound),
        Move::Value { .. } => None,
    };
    let words = format!("{} {change} (now {now})", policy.fields[slot].path);
    match lets {
        Some(lets) => format!("{words}: {lets}"),
        None => words,
    }
}

/// The lets judgement `judgement` reads whose values a field at `bound`
/// changes, in words: `at 51.595, crime_ratio = 0.85 (now 0.749588)`;
/// `None` when none does, or the bound has no exact decimal.
fn lets_at(
    policy: &Policy,
    evidence: &Evidence,
    judgement: usize,
    slot: usize,
    bound: &crate::analysis::formula::Q,
) -> Option<String> {
    let read = crate::analysis::witness::lets_read(policy, judgement);
    if read.is_empty() {
        return None;
    }
    let decimal: rust_decimal::Decimal = number_words(bound).parse().ok()?;
    let at = match evidence.value(slot) {
        Value::Estimate { margin, .. } => Value::Estimate {
            value: decimal,
            margin,
        },
        _ => Value::Number(decimal),
    };
    let moved = evidence.with_value(slot, at);
    let (mut before, mut after) = (Vec::new(), Vec::new());
    policy.evaluate_lets(evidence, &mut before);
    policy.evaluate_lets(&moved, &mut after);
    let changed: Vec<String> = read
        .into_iter()
        .filter_map(|index| {
            let (Ok(was), Ok(now)) = (before.get(index)?.clone(), after.get(index)?.clone()) else {
                return None;
            };
            (was != now).then(|| {
                format!(
                    "{} = {} (now {})",
                    policy.lets[index].name,
                    policy.show(now),
                    policy.show(was)
                )
            })
        })
        .collect();
    (!changed.is_empty()).then(|| format!("at {decimal}, {}", changed.join(", ")))
}

/// A bound in words: its decimal, or for a fraction with no finite decimal
/// (`910/17`), four decimals and the exact value.
fn bound_words(bound: &crate::analysis::formula::Q) -> String {
    let exact = number_words(bound);
    if !exact.contains('/') {
        return exact;
    }
    let approximate = num_traits::ToPrimitive::to_f64(bound).unwrap_or(f64::NAN);
    format!("{approximate:.4} (exactly {exact})")
}
