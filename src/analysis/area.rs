//! The area of evidence a gap lies in, put into words, and the formula that
//! excludes it, so that the search goes on to the next gap.

use super::formula::{Constraint, FinVar, Formula, Lin, NumVar, Q, Translator};
use super::solver::{Area, Bound};
use super::witness::number_words;
use crate::value::Type;
use num_traits::One;
use std::collections::BTreeSet;

/// Evidence outside the area: some bound, domain or joint constraint fails.
pub(super) fn exclusion(area: &Area, translator: &Translator) -> Formula {
    let mut outside = Vec::new();
    for (var, (low, high)) in &area.bounds {
        outside.extend(outside_bounds(*var, low, high));
    }
    for (var, allowed) in &area.domains {
        let others: BTreeSet<u32> = (0..translator.domain(*var))
            .filter(|v| !allowed.contains(v))
            .collect();
        if !others.is_empty() {
            outside.push(Formula::Finite(*var, others));
        }
    }
    for constraint in &area.joint {
        outside.push(Formula::Linear(Constraint {
            lin: constraint.lin.scaled(&-Q::one()),
            strict: !constraint.strict,
        }));
    }
    Formula::Or(outside)
}

/// An unknown below its lower bound, or above its upper bound.
pub(super) fn outside_bounds(var: NumVar, low: &Bound, high: &Bound) -> Vec<Formula> {
    let x = Lin {
        terms: [(var, Q::one())].into(),
        constant: Q::from_integer(0.into()),
    };
    let mut outside = Vec::new();
    if let Some((limit, strict)) = low {
        // below the lower bound: x - limit (<|<=) 0, strict unless the bound was
        outside.push(Formula::Linear(Constraint {
            lin: x.plus(&Lin::constant(limit.clone()), &-Q::one()),
            strict: !strict,
        }));
    }
    if let Some((limit, strict)) = high {
        outside.push(Formula::Linear(Constraint {
            lin: Lin::constant(limit.clone()).plus(&x, &-Q::one()),
            strict: !strict,
        }));
    }
    outside
}

/// The area in words — `5 <= x < 10, finding is poor or adequate,
/// a - b < 1` — from its bounds, domains and joint constraints, leaving out
/// what every evidence meets (a declared range); `None` when nothing is left.
pub(super) fn words(area: &Area, translator: &Translator) -> Option<String> {
    let mut parts = Vec::new();
    for (var, (low, high)) in &area.bounds {
        let declared = |bound: &Bound, limit: Option<Q>| matches!((bound, limit), (Some((b, false)), Some(l)) if *b == l);
        let low = low
            .clone()
            .filter(|_| !declared(low, translator.lower_bound(*var)));
        let high = high
            .clone()
            .filter(|_| !declared(high, translator.upper_bound(*var)));
        if low.is_some() || high.is_some() {
            parts.push(bound_words(&number_name(*var, translator), &low, &high));
        }
    }
    for (var, allowed) in &area.domains {
        if allowed.len() as u32 == translator.domain(*var) {
            continue;
        }
        let values: Vec<String> = allowed
            .iter()
            .map(|v| value_name(*var, *v, translator))
            .collect();
        parts.push(format!(
            "{} is {}",
            finite_name(*var, translator),
            values.join(" or ")
        ));
    }
    parts.extend(area.joint.iter().map(|c| constraint_words(c, translator)));
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// A constraint over several quantities in words, led by a positive term:
/// `a - 2 * b >= 3`.
fn constraint_words(constraint: &Constraint, translator: &Translator) -> String {
    // Σ terms + constant (<|<=) 0, turned round when the first term is negative.
    let flip = constraint
        .lin
        .terms
        .values()
        .next()
        .is_some_and(|c| c < &Q::from_integer(0.into()));
    let sign = if flip { -Q::one() } else { Q::one() };
    let mut side = String::new();
    for (var, coefficient) in &constraint.lin.terms {
        let c = coefficient * &sign;
        let negative = c < Q::from_integer(0.into());
        let magnitude = if negative { -c } else { c };
        match (side.is_empty(), negative) {
            (true, true) => side.push('-'),
            (true, false) => {}
            (false, true) => side.push_str(" - "),
            (false, false) => side.push_str(" + "),
        }
        if !magnitude.is_one() {
            side.push_str(&format!("{} * ", number_words(&magnitude)));
        }
        side.push_str(&number_name(*var, translator));
    }
    let op = match (flip, constraint.strict) {
        (false, true) => "<",
        (false, false) => "<=",
        (true, true) => ">",
        (true, false) => ">=",
    };
    let bound = -&constraint.lin.constant * &sign;
    format!("{side} {op} {}", number_words(&bound))
}

/// A bounded quantity in words: `5 <= x < 10`, `x = 5`, `x >= 1000`.
pub(super) fn bound_words(name: &str, low: &Bound, high: &Bound) -> String {
    let below = |strict: bool| if strict { "<" } else { "<=" };
    match (low, high) {
        (Some((l, _)), Some((h, _))) if l == h => format!("{name} = {}", number_words(l)),
        (Some((l, ls)), Some((h, hs))) => format!(
            "{} {} {name} {} {}",
            number_words(l),
            below(*ls),
            below(*hs),
            number_words(h)
        ),
        (Some((l, ls)), None) => format!(
            "{name} {} {}",
            if *ls { ">" } else { ">=" },
            number_words(l)
        ),
        (None, Some((h, hs))) => format!("{name} {} {}", below(*hs), number_words(h)),
        (None, None) => format!("any {name}"),
    }
}

fn number_name(var: NumVar, translator: &Translator) -> String {
    let fields = &translator.policy.fields;
    match var {
        NumVar::Value(slot) => fields[slot].path.clone(),
        NumVar::Margin(slot) => format!("the margin of {}", fields[slot].path),
    }
}

fn finite_name(var: FinVar, translator: &Translator) -> String {
    let policy = translator.policy;
    match var {
        FinVar::Slot(slot) => policy.fields[slot].path.clone(),
        FinVar::Grade(judgement) => format!("`{}`", policy.judgements[judgement].id),
    }
}

fn value_name(var: FinVar, value: u32, translator: &Translator) -> String {
    let policy = translator.policy;
    let grade = |rank: u32| policy.grades.name(rank as u8).to_string();
    match var {
        FinVar::Grade(_) => grade(value),
        FinVar::Slot(slot) => match &policy.fields[slot].ty {
            Type::Bool => (value == 1).to_string(),
            Type::Level(scale) => policy.scales[*scale].levels[value as usize].clone(),
            Type::Grade => grade(value),
            Type::Text => translator
                .texts
                .get(&slot)
                .and_then(|texts| texts.get(value as usize))
                .map_or_else(|| "other text".to_string(), |t| format!("{t:?}")),
            _ => value.to_string(),
        },
    }
}
