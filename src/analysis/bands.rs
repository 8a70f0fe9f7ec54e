//! Gaps in banded criteria, found whole. When every comparison of a
//! judgement's rules is on one linear quantity (a percentage, a ratio of
//! fixed parts, a points total), the rules carve that quantity's line into
//! bands: the analysis tests each stretch between the thresholds, and each
//! maximal stretch no rule covers is one gap, described as the author would
//! ("38 < percentage < 39"), with a witness when evidence can reach it.

use super::Analysis;
use super::formula::{Constraint, Formula, Lin, NumVar, Q};
use super::solver::{Model, Sat, solve_all};
use crate::policy::{ExprKind, visit};
use num_traits::{One, Signed, Zero};
use std::collections::BTreeMap;

/// A stretch of the quantity's line: a point, or the open interval between
/// two thresholds (or beyond the first or last).
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    At(Q),
    Between(Option<Q>, Option<Q>),
}

/// The quantity's terms scaled so that the first coefficient is 1: `(terms,
/// scale)` with `lin = scale · quantity + constant`.
fn unit_terms(lin: &Lin) -> Option<(BTreeMap<NumVar, Q>, Q)> {
    let first = lin.terms.values().next()?.clone();
    let terms = lin.terms.iter().map(|(v, c)| (*v, c / &first)).collect();
    Some((terms, first))
}

/// Every linear constraint of the formulas, if they are all on one quantity
/// and nothing else; the quantity's unit terms.
fn one_quantity(formulas: &[Formula]) -> Option<BTreeMap<NumVar, Q>> {
    let mut quantity: Option<BTreeMap<NumVar, Q>> = None;
    let mut pending: Vec<&Formula> = formulas.iter().collect();
    while let Some(formula) = pending.pop() {
        match formula {
            Formula::Const(_) => {}
            Formula::And(parts) | Formula::Or(parts) => pending.extend(parts),
            Formula::Linear(c) => {
                let (terms, _) = unit_terms(&c.lin)?;
                match &quantity {
                    Some(q) if *q != terms => return None,
                    Some(_) => {}
                    None => quantity = Some(terms),
                }
            }
            Formula::Finite(..) | Formula::Opaque(_) => return None,
        }
    }
    quantity
}

/// Whether a formula on the quantity holds at `x`.
fn holds_at(formula: &Formula, x: &Q) -> bool {
    match formula {
        Formula::Const(b) => *b,
        Formula::And(parts) => parts.iter().all(|p| holds_at(p, x)),
        Formula::Or(parts) => parts.iter().any(|p| holds_at(p, x)),
        Formula::Linear(c) => {
            let value = unit_terms(&c.lin).map_or(c.lin.constant.clone(), |(_, scale)| {
                scale * x + &c.lin.constant
            });
            if c.strict {
                value.is_negative()
            } else {
                !value.is_positive()
            }
        }
        Formula::Finite(..) | Formula::Opaque(_) => false,
    }
}

/// The thresholds: where a constraint's value is zero.
fn thresholds(formulas: &[Formula]) -> Vec<Q> {
    let mut found = Vec::new();
    let mut pending: Vec<&Formula> = formulas.iter().collect();
    while let Some(formula) = pending.pop() {
        match formula {
            Formula::And(parts) | Formula::Or(parts) => pending.extend(parts),
            Formula::Linear(c) => {
                if let Some((_, scale)) = unit_terms(&c.lin) {
                    found.push(-&c.lin.constant / scale);
                }
            }
            _ => {}
        }
    }
    found.sort();
    found.dedup();
    found
}

/// The pieces of the line in order, each with a point inside it.
fn pieces(cuts: &[Q]) -> Vec<(Piece, Q)> {
    let two = Q::from_integer(2.into());
    let mut out = Vec::new();
    let first = cuts.first().cloned().unwrap_or_else(Q::zero);
    out.push((
        Piece::Between(None, cuts.first().cloned()),
        first - Q::one(),
    ));
    for (i, cut) in cuts.iter().enumerate() {
        out.push((Piece::At(cut.clone()), cut.clone()));
        let next = cuts.get(i + 1).cloned();
        let inside = match &next {
            Some(n) => (cut + n) / &two,
            None => cut + Q::one(),
        };
        out.push((Piece::Between(Some(cut.clone()), next), inside));
    }
    out
}

/// The banded quantity: its unit terms, its name as written, and how the
/// written quantity relates to the unit terms (`factor · unit + offset`).
struct Quantity {
    unit: BTreeMap<NumVar, Q>,
    name: String,
    scale: (Q, Q),
}

/// A run of adjacent pieces, as bounds: `(low, low strict, high, high strict)`.
type Region = (Option<Q>, bool, Option<Q>, bool);

fn merge(run: &[Piece]) -> Region {
    let low = match &run[0] {
        Piece::At(x) => (Some(x.clone()), false),
        Piece::Between(low, _) => (low.clone(), true),
    };
    let high = match run.last().expect("a run is never empty") {
        Piece::At(x) => (Some(x.clone()), false),
        Piece::Between(_, high) => (high.clone(), true),
    };
    (low.0, low.1, high.0, high.1)
}

impl Analysis<'_, '_> {
    /// Every gap of a banded judgement, one finding each; `false` when the
    /// rules are not banded on one quantity (the general search then runs).
    pub(super) fn band_gaps(&mut self, holds: &[Formula], fails: &[Formula]) -> bool {
        let Some(unit) = one_quantity(holds) else {
            return false;
        };
        let (name, scale) = self.quantity_name(&unit);
        let quantity = Quantity {
            unit: unit.clone(),
            name,
            scale,
        };
        let cuts = thresholds(holds);
        let whole = self.whole_values(&unit);
        let mut runs: Vec<Vec<Piece>> = Vec::new();
        let mut open = false;
        for (piece, x) in pieces(&cuts) {
            let uncovered = !holds.iter().any(|h| holds_at(h, &x));
            match (uncovered, open) {
                (true, true) => runs.last_mut().expect("open run").push(piece),
                (true, false) => runs.push(vec![piece]),
                _ => {}
            }
            open = uncovered;
        }
        let none: Vec<&Formula> = fails.iter().collect();
        for run in runs {
            let region = merge(&run);
            if let Some(values) = &whole {
                // Whole numbers in ranges: the quantity takes few values,
                // and a region none of them reaches is no gap at all.
                if let Some((_, assignment)) = values.iter().find(|(x, _)| within(x, &region)) {
                    let model = Model {
                        numbers: assignment.iter().cloned().collect(),
                        ..Model::default()
                    };
                    self.report_band_gap(&model, &quantity, &region);
                }
                continue;
            }
            let mut parts = none.clone();
            let bounds = region_constraints(&unit, &region);
            let bounds: Vec<Formula> = bounds.into_iter().map(Formula::Linear).collect();
            parts.extend(bounds.iter());
            match solve_all(self.translator, &parts) {
                Sat::Yes(model) => self.report_band_gap(&model, &quantity, &region),
                Sat::No => {} // the evidence cannot reach it (ranges, margins)
                Sat::Unknown(reason) => self
                    .undecided
                    .push(format!("whether some evidence meets no rule: {reason}")),
            }
        }
        true
    }

    fn report_band_gap(&mut self, model: &Model, quantity: &Quantity, region: &Region) {
        let Quantity { unit, name, scale } = quantity;
        let words = region_words(name, &rescaled(region, scale));
        // The quantity's value in the example, beside the evidence behind it.
        let unit_value: Q = unit
            .iter()
            .map(|(var, c)| c * model.numbers.get(var).cloned().unwrap_or_else(Q::zero))
            .sum();
        let value = &scale.0 * unit_value + &scale.1;
        let shown = format!("{name} = {}", super::witness::number_words(&value));
        self.report_gap(model, Some(super::Region::Band(words, shown)));
    }

    /// Every value the quantity can take, with an assignment reaching it,
    /// when each unknown in it is a whole number within a declared range and
    /// the values are few; `None` otherwise.
    fn whole_values(&self, unit: &BTreeMap<NumVar, Q>) -> Option<BTreeMap<Q, Vec<(NumVar, Q)>>> {
        const MAX_VALUES: usize = 50_000;
        let mut values: BTreeMap<Q, Vec<(NumVar, Q)>> = BTreeMap::from([(Q::zero(), Vec::new())]);
        for (var, coefficient) in unit {
            let NumVar::Value(slot) = var else {
                return None;
            };
            let field = &self.policy.fields[*slot];
            let (Some(low), Some(high)) = (field.range.low, field.range.high) else {
                return None;
            };
            if !field.whole || !matches!(field.ty, crate::value::Type::Number(_)) {
                return None;
            }
            let whole = |d: rust_decimal::Decimal| num_traits::ToPrimitive::to_i64(&d);
            let (Some(low), Some(high)) = (whole(low.ceil()), whole(high.floor())) else {
                return None;
            };
            if high < low || high.abs_diff(low) > MAX_VALUES as u64 {
                return None;
            }
            let mut next = BTreeMap::new();
            for (value, assignment) in &values {
                for n in low..=high {
                    let n = Q::from_integer(n.into());
                    next.entry(value + coefficient * &n).or_insert_with(|| {
                        let mut extended = assignment.clone();
                        extended.push((*var, n.clone()));
                        extended
                    });
                }
            }
            if next.len() > MAX_VALUES {
                return None;
            }
            values = next;
        }
        Some(values)
    }

    /// The quantity as written in a rule (`percentage`, `a + b`) and how it
    /// relates to the unit terms: `written = factor · unit + offset`.
    fn quantity_name(&self, unit: &BTreeMap<NumVar, Q>) -> (String, (Q, Q)) {
        let mut name = None;
        for rule in &self.judgement().rules {
            visit(&rule.condition, &mut |node| {
                if name.is_some() {
                    return;
                }
                if let ExprKind::Compare(_, a, b) = &node.kind {
                    for side in [a, b] {
                        let Some(lin) = self.translator.linear(side) else {
                            continue;
                        };
                        if let Some((terms, factor)) = unit_terms(&lin)
                            && terms == *unit
                        {
                            name = Some((self.policy.text_of(side.span), (factor, lin.constant)));
                            return;
                        }
                    }
                }
            });
        }
        name.unwrap_or_else(|| ("the compared quantity".to_string(), (Q::one(), Q::zero())))
    }
}

/// Whether `x` lies in the region.
fn within(x: &Q, (low, low_strict, high, high_strict): &Region) -> bool {
    let above = low
        .as_ref()
        .is_none_or(|l| if *low_strict { x > l } else { x >= l });
    let below = high
        .as_ref()
        .is_none_or(|h| if *high_strict { x < h } else { x <= h });
    above && below
}

/// A region of the unit terms as a region of the written quantity.
fn rescaled((low, low_strict, high, high_strict): &Region, (factor, offset): &(Q, Q)) -> Region {
    let map = |q: &Option<Q>| q.as_ref().map(|q| factor * q + offset);
    if factor.is_negative() {
        (map(high), *high_strict, map(low), *low_strict)
    } else {
        (map(low), *low_strict, map(high), *high_strict)
    }
}

/// `low (<|<=) quantity (<|<=) high` as constraints on the unit terms.
fn region_constraints(unit: &BTreeMap<NumVar, Q>, region: &Region) -> Vec<Constraint> {
    let quantity = Lin {
        terms: unit.clone(),
        constant: Q::zero(),
    };
    let (low, low_strict, high, high_strict) = region;
    let mut out = Vec::new();
    if let Some(low) = low {
        // low - q (<|<=) 0
        out.push(Constraint {
            lin: quantity
                .scaled(&-Q::one())
                .plus(&Lin::constant(low.clone()), &Q::one()),
            strict: *low_strict,
        });
    }
    if let Some(high) = high {
        // q - high (<|<=) 0
        out.push(Constraint {
            lin: quantity.plus(&Lin::constant(high.clone()), &-Q::one()),
            strict: *high_strict,
        });
    }
    out
}

/// A region in words: `38 < percentage < 39`, `percentage = 62`, `x < 5`.
fn region_words(name: &str, (low, low_strict, high, high_strict): &Region) -> String {
    let low = low.clone().map(|l| (l, *low_strict));
    let high = high.clone().map(|h| (h, *high_strict));
    super::area::bound_words(name, &low, &high)
}
