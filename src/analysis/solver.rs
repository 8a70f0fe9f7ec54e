//! An exact decision procedure for the formulas of `formula.rs`: a DPLL-style
//! search over the and/or structure — what must hold is added at once, a
//! disjunction with one option left is taken without a branch, the search
//! branches on the disjunction with the fewest options, and options that
//! contradict the bounds or domains so far are dropped — and at each leaf
//! Fourier–Motzkin elimination over rationals (strict and non-strict
//! inequalities), whose back-substitution gives a witness. (No clause
//! learning and no simplex yet: see the analysis notes.)

use super::formula::{Constraint, FinVar, Formula, NumVar, Q, Translator};
use num_integer::Integer;
use num_traits::{One, Signed, Zero};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::rc::Rc;

/// Values that make a formula true.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    pub numbers: BTreeMap<NumVar, Q>,
    pub finite: BTreeMap<FinVar, u32>,
    /// The area of the search the model lies in: what every evidence there
    /// shares with it (for describing a gap and searching past it).
    pub area: Area,
}

/// A conjunction the search chose: single-unknown bounds, finite domains,
/// and the constraints over several unknowns.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Area {
    pub bounds: BTreeMap<NumVar, (Bound, Bound)>,
    pub domains: BTreeMap<FinVar, BTreeSet<u32>>,
    pub joint: Vec<Constraint>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Sat {
    Yes(Model),
    No,
    /// Could not decide: the reason.
    Unknown(String),
}

/// The numeric unknowns a formula reads.
fn numeric_vars(formula: &Formula, out: &mut BTreeSet<NumVar>) {
    match formula {
        Formula::Linear(c) => out.extend(c.lin.terms.keys().copied()),
        Formula::And(parts) | Formula::Or(parts) => parts.iter().for_each(|p| numeric_vars(p, out)),
        _ => {}
    }
}

/// What a scan of the disjunctions found.
enum Scan<'f> {
    Contradiction,
    Forced(List<&'f Formula>, List<&'f [Formula]>),
    Done,
    Branch(Vec<&'f Formula>, List<&'f [Formula]>),
}

/// Disjunctions scanned for unit propagation and the fewest options at each
/// step; more are taken in order.
const MAX_SCANNED: usize = 128;

/// How many leaves of the search (and constraints in an elimination) one
/// question may take before the analysis says it could not decide.
pub const BUDGET: usize = 20_000;
const MAX_CONSTRAINTS: usize = 2_000;

pub fn solve(translator: &Translator, formula: &Formula) -> Sat {
    solve_all(translator, &[formula])
}

/// Whether all of `formulas` can hold together.
pub fn solve_all(translator: &Translator, formulas: &[&Formula]) -> Sat {
    // Judgement grades read are tied to the evidence that gives them.
    let links = links(translator, formulas);
    let formulas: Vec<&Formula> = formulas
        .iter()
        .copied()
        .chain(links.iter().map(|link| &**link))
        .collect();
    solve_linked(translator, &formulas)
}

/// Whether all of `formulas` can hold together with the unknowns in
/// `known` at their values: substituted before the search, so that a
/// constraint over a known and an unknown bounds the unknown alone.
pub fn solve_knowing(translator: &Translator, formulas: &[&Formula], known: &Known) -> Sat {
    let prepared = prepare(translator, formulas, known);
    solve_prepared(translator, &prepared.iter().collect::<Vec<_>>())
}

/// The formulas with their links, the known values substituted: asked
/// many questions (with more formulas each time), they are prepared once.
pub fn prepare(translator: &Translator, formulas: &[&Formula], known: &Known) -> Vec<Formula> {
    let links = links(translator, formulas);
    formulas
        .iter()
        .copied()
        .chain(links.iter().map(|link| &**link))
        .map(|f| known.substitute(f))
        .collect()
}

/// Whether prepared formulas (`prepare`), with formulas over no judgement
/// grade, can hold together.
pub fn solve_prepared(translator: &Translator, formulas: &[&Formula]) -> Sat {
    solve_linked(translator, formulas)
}

/// Values of some unknowns.
#[derive(Debug, Clone, Default)]
pub struct Known {
    pub numbers: BTreeMap<NumVar, Q>,
    pub finite: BTreeMap<FinVar, u32>,
}

impl Known {
    /// The formula with the known values put in.
    fn substitute(&self, formula: &Formula) -> Formula {
        match formula {
            Formula::Linear(c) => {
                let mut lin = c.lin.clone();
                for (var, value) in &self.numbers {
                    if let Some(coefficient) = lin.terms.remove(var) {
                        lin.constant += coefficient * value;
                    }
                }
                Formula::Linear(Constraint {
                    lin,
                    strict: c.strict,
                })
            }
            Formula::Finite(var, values) => match self.finite.get(var) {
                Some(value) => Formula::Const(values.contains(value)),
                None => formula.clone(),
            },
            Formula::And(parts) => Formula::And(parts.iter().map(|p| self.substitute(p)).collect()),
            Formula::Or(parts) => Formula::Or(parts.iter().map(|p| self.substitute(p)).collect()),
            Formula::Const(_) | Formula::Opaque(_) => formula.clone(),
        }
    }
}

/// Whether all of `formulas`, judgement grades already linked, can hold together.
fn solve_linked(translator: &Translator, formulas: &[&Formula]) -> Sat {
    let mut search = Search {
        translator,
        budget: BUDGET,
        unknown: None,
    };
    let pending = formulas.iter().fold(None, |rest, f| List::push(rest, *f));
    // The domains of the unknowns (margins and rates never negative, declared
    // ranges) bound the search from the start, not only at its leaves.
    let mut vars = BTreeSet::new();
    formulas.iter().for_each(|f| numeric_vars(f, &mut vars));
    let domains: Vec<Constraint> = vars
        .iter()
        .flat_map(|v| translator.domain_constraints(*v))
        .collect();
    let mut state = State::default();
    if !domains.iter().all(|c| add_linear(&mut state, c)) {
        return Sat::No;
    }
    match search.explore(state, pending, None, 0) {
        Some(witness) => Sat::Yes(witness),
        None => search.unknown.map_or(Sat::No, Sat::Unknown),
    }
}

/// The links (`reach.rs`) of every judgement grade the formulas read, and
/// of those the links read in turn.
fn links(translator: &Translator, formulas: &[&Formula]) -> Vec<Rc<Formula>> {
    let mut read = BTreeSet::new();
    formulas.iter().for_each(|f| grades_read(f, &mut read));
    let mut linked = BTreeSet::new();
    let mut out = Vec::new();
    while let Some(judgement) = read.pop_first() {
        if !linked.insert(judgement) {
            continue;
        }
        if let Some(link) = translator.link(judgement) {
            grades_read(&link, &mut read);
            out.push(link);
        }
    }
    out
}

/// The judgements whose grades a formula reads.
fn grades_read(formula: &Formula, out: &mut BTreeSet<usize>) {
    match formula {
        Formula::Finite(FinVar::Grade(judgement), _) => {
            out.insert(*judgement);
        }
        Formula::And(parts) | Formula::Or(parts) => parts.iter().for_each(|p| grades_read(p, out)),
        _ => {}
    }
}

/// A persistent list: branches share their tails instead of copying them.
struct Node<T> {
    head: T,
    tail: List<T>,
}

type List<T> = Option<Rc<Node<T>>>;

trait Push<T> {
    fn push(list: List<T>, head: T) -> List<T>;
}

impl<T> Push<T> for List<T> {
    fn push(tail: List<T>, head: T) -> List<T> {
        Some(Rc::new(Node { head, tail }))
    }
}

fn items<T: Copy>(mut list: &List<T>) -> Vec<T> {
    let mut out = Vec::new();
    while let Some(node) = list {
        out.push(node.head);
        list = &node.tail;
    }
    out
}

struct Search<'t, 'p> {
    translator: &'t Translator<'p>,
    budget: usize,
    /// Set when a branch could not be decided: "no" is then not proven.
    unknown: Option<String>,
}

/// A bound on an unknown: the limit, and whether it is strict.
pub type Bound = Option<(Q, bool)>;

#[derive(Clone, Default)]
struct State<'f> {
    finite: BTreeMap<FinVar, BTreeSet<u32>>,
    linear: List<&'f Constraint>,
    /// Tightest single-variable bounds so far: lower and upper.
    bounds: BTreeMap<NumVar, (Bound, Bound)>,
}

impl Search<'_, '_> {
    /// Adds what must hold, then decides the disjunctions: one with a single
    /// option left is taken without a branch (unit propagation), one with
    /// none ends the branch, and the search branches on the disjunction with
    /// the fewest options left — the DPLL order, over bounds and domains.
    fn explore<'f>(
        &mut self,
        mut state: State<'f>,
        mut pending: List<&'f Formula>,
        mut choices: List<&'f [Formula]>,
        mut count: usize,
    ) -> Option<Model> {
        loop {
            if !self.absorb(&mut state, pending, &mut choices, &mut count) {
                return None;
            }
            // Scanning every disjunction at every step costs their number
            // squared: beyond a few dozen, take them in order (still dropping
            // options that cannot hold), sharing the rest of the list.
            let (options, rest, rest_count) = if count > MAX_SCANNED {
                let node = choices.as_ref().expect("counted");
                let options: Vec<&'f Formula> =
                    node.head.iter().filter(|p| viable(&state, p)).collect();
                (options, node.tail.clone(), count - 1)
            } else {
                match self.scan(&state, &choices) {
                    Scan::Contradiction => return None,
                    Scan::Forced(forced, open) => {
                        pending = forced;
                        count = items(&open).len();
                        choices = open;
                        continue;
                    }
                    Scan::Done => return self.leaf(state),
                    Scan::Branch(options, open) => {
                        let open_count = items(&open).len();
                        (options, open, open_count)
                    }
                }
            };
            match options.as_slice() {
                [] => return None,
                [only] => {
                    pending = List::push(None, *only);
                    choices = rest;
                    count = rest_count;
                    continue;
                }
                _ => {}
            }
            for option in options {
                if let Some(reason) = self.exhausted() {
                    self.unknown.get_or_insert(reason);
                    return None;
                }
                self.budget -= 1;
                let branch = List::push(None, option);
                let found = self.explore(state.clone(), branch, rest.clone(), rest_count);
                if found.is_some() {
                    return found;
                }
            }
            return None;
        }
    }

    /// Every disjunction's options that can still hold: a contradiction, the
    /// options forced, nothing left to choose, or the disjunction with the
    /// fewest options and the others.
    fn scan<'f>(&self, state: &State<'f>, choices: &List<&'f [Formula]>) -> Scan<'f> {
        let mut forced: List<&'f Formula> = None;
        let mut open: Vec<&'f [Formula]> = Vec::new();
        let mut best: Option<(usize, Vec<&'f Formula>)> = None;
        for parts in items(choices) {
            let options: Vec<&'f Formula> = parts.iter().filter(|p| viable(state, p)).collect();
            match options.as_slice() {
                [] => return Scan::Contradiction,
                [only] => forced = List::push(forced, *only),
                _ => {
                    if best.as_ref().is_none_or(|(_, b)| options.len() < b.len()) {
                        best = Some((open.len(), options));
                    }
                    open.push(parts);
                }
            }
        }
        let list = |open: &[&'f [Formula]]| open.iter().fold(None, |l, p| List::push(l, *p));
        if forced.is_some() {
            return Scan::Forced(forced, list(&open));
        }
        match best {
            None => Scan::Done,
            Some((index, options)) => {
                open.remove(index);
                Scan::Branch(options, list(&open))
            }
        }
    }

    /// Why the search must stop, if it must: its leaves or its time are spent.
    fn exhausted(&self) -> Option<String> {
        if self.budget == 0 {
            return Some("too many cases to examine".to_string());
        }
        self.translator.out_of_time().then(|| {
            "the time budget for this judgement ran out (raise it with --budget-ms)".to_string()
        })
    }

    /// Adds every formula of `pending` that must hold to the state, setting
    /// disjunctions aside in `choices`; false on a contradiction.
    fn absorb<'f>(
        &mut self,
        state: &mut State<'f>,
        mut pending: List<&'f Formula>,
        choices: &mut List<&'f [Formula]>,
        count: &mut usize,
    ) -> bool {
        while let Some(node) = pending {
            pending = node.tail.clone();
            match node.head {
                Formula::Const(true) => {}
                Formula::Const(false) => return false,
                Formula::Opaque(reason) => {
                    self.unknown.get_or_insert_with(|| reason.clone());
                    return false;
                }
                Formula::Finite(var, values) => {
                    let domain = self.translator.domain(*var);
                    let allowed = state
                        .finite
                        .entry(*var)
                        .or_insert_with(|| (0..domain).collect());
                    allowed.retain(|v| values.contains(v));
                    if allowed.is_empty() {
                        return false;
                    }
                }
                Formula::Linear(constraint) => {
                    if !add_linear(state, constraint) {
                        return false;
                    }
                }
                Formula::And(parts) => pending = parts.iter().fold(pending, List::push),
                Formula::Or(parts) => {
                    *choices = List::push(choices.take(), parts.as_slice());
                    *count += 1;
                }
            }
        }
        true
    }

    /// All choices made: the finite unknowns take an allowed value, and the
    /// linear constraints (with the domains of their unknowns) are solved.
    fn leaf(&mut self, state: State) -> Option<Model> {
        // Single-unknown constraints are summed up by their tightest bounds:
        // fewer rows for the elimination, same solutions.
        let mut constraints: Vec<Constraint> = items(&state.linear)
            .into_iter()
            .filter(|c| c.lin.terms.len() > 1)
            .cloned()
            .collect();
        for (var, (low, high)) in &state.bounds {
            constraints.extend(
                low.iter()
                    .map(|(l, strict)| bound_constraint(*var, l, *strict, false)),
            );
            constraints.extend(
                high.iter()
                    .map(|(h, strict)| bound_constraint(*var, h, *strict, true)),
            );
        }
        let vars: BTreeSet<NumVar> = constraints
            .iter()
            .flat_map(|c| c.lin.terms.keys().copied())
            .collect();
        constraints.extend(
            vars.iter()
                .flat_map(|v| self.translator.domain_constraints(*v)),
        );
        let vars: Vec<NumVar> = vars.into_iter().collect();
        // Witnesses read best inside the usual ranges (percentages 0 to 100):
        // try those first, and fall back to any value the evaluator accepts.
        let typical: Vec<Constraint> = vars
            .iter()
            .flat_map(|v| self.translator.typical_range(*v))
            .collect();
        let result = match typical.is_empty() {
            true => self.eliminate_whole(constraints, &vars, 0),
            false => match self.eliminate_whole(
                constraints.iter().cloned().chain(typical).collect(),
                &vars,
                0,
            ) {
                Elimination::Solved(numbers) => Elimination::Solved(numbers),
                _ => self.eliminate_whole(constraints, &vars, 0),
            },
        };
        match result {
            Elimination::Solved(numbers) => {
                let finite = state
                    .finite
                    .iter()
                    .map(|(var, allowed)| (*var, *allowed.iter().next().expect("non-empty")))
                    .collect();
                let area = Area {
                    bounds: state.bounds.clone(),
                    domains: state.finite.clone(),
                    joint: items(&state.linear)
                        .into_iter()
                        .filter(|c| c.lin.terms.len() > 1)
                        .cloned()
                        .collect(),
                };
                Some(Model {
                    numbers,
                    finite,
                    area,
                })
            }
            Elimination::Infeasible => None,
            Elimination::TooLarge => {
                self.unknown
                    .get_or_insert_with(|| "too many constraints to combine".to_string());
                None
            }
            Elimination::NoDecimal => {
                self.unknown.get_or_insert_with(|| {
                    "the only solutions are not finite decimals".to_string()
                });
                None
            }
            Elimination::Undecided(reason) => {
                self.unknown.get_or_insert(reason);
                None
            }
        }
    }

    /// Solves the constraints over the rationals, then over whole numbers
    /// where the evidence must be whole (`whole` fields): a constraint over
    /// whole unknowns alone is first tightened to whole bounds, and a whole
    /// unknown that still takes a fraction is branched on — at most its floor,
    /// or at least its ceiling (branch and bound).
    fn eliminate_whole(
        &mut self,
        constraints: Vec<Constraint>,
        vars: &[NumVar],
        depth: usize,
    ) -> Elimination {
        let whole = |var: &NumVar| self.translator.is_whole(*var);
        if !vars.iter().any(whole) {
            return eliminate(constraints, vars.to_vec());
        }
        let constraints: Vec<Constraint> = constraints
            .into_iter()
            .map(|c| tightened(c, &whole))
            .collect();
        let values = match eliminate(constraints.clone(), vars.to_vec()) {
            Elimination::Solved(values) => values,
            other => return other,
        };
        let Some((var, value)) = values
            .iter()
            .find(|(var, value)| whole(var) && !value.is_integer())
        else {
            return Elimination::Solved(values);
        };
        if depth >= MAX_WHOLE_DEPTH {
            return Elimination::Undecided(
                "whether whole numbers meet the conditions (too many steps)".to_string(),
            );
        }
        let (floor, ceiling) = (value.floor(), value.ceil());
        let mut outcome = Elimination::Infeasible;
        for (limit, upper) in [(floor, true), (ceiling, false)] {
            if let Some(reason) = self.exhausted() {
                return Elimination::Undecided(reason);
            }
            self.budget -= 1;
            let mut branch = constraints.clone();
            branch.push(bound_constraint(*var, &limit, false, upper));
            match self.eliminate_whole(branch, vars, depth + 1) {
                Elimination::Solved(values) => return Elimination::Solved(values),
                Elimination::Infeasible => {}
                other => outcome = other,
            }
        }
        outcome
    }
}

/// How deep branch and bound on whole numbers may go before the analysis
/// says it could not decide.
const MAX_WHOLE_DEPTH: usize = 32;

/// A constraint over whole unknowns alone, tightened to the whole numbers
/// that meet it: `Σ a·x (<|<=) r` with whole coefficients sharing no factor
/// becomes `Σ a·x <= ⌊r⌋` (`⌈r⌉ - 1` when strict) — so that `0 < x - y < 1`
/// is seen to have no whole solution without a search. Others are unchanged.
fn tightened(constraint: Constraint, whole: &dyn Fn(&NumVar) -> bool) -> Constraint {
    let terms = &constraint.lin.terms;
    if terms.is_empty() || !terms.keys().all(whole) {
        return constraint;
    }
    // Scaled to whole coefficients with no common factor.
    let lcm = terms
        .values()
        .fold(num_bigint::BigInt::one(), |acc, c| acc.lcm(c.denom()));
    let scaled: BTreeMap<NumVar, num_bigint::BigInt> = terms
        .iter()
        .map(|(var, c)| (*var, (c * Q::from_integer(lcm.clone())).to_integer()))
        .collect();
    let gcd = scaled
        .values()
        .fold(num_bigint::BigInt::zero(), |acc, c| acc.gcd(c));
    // Σ a·x + constant (<|<=) 0  ⇔  Σ a·x (<|<=) r.
    let r = -&constraint.lin.constant * Q::from_integer(lcm);
    let bound = match constraint.strict {
        true => r.ceil() - Q::one(),
        false => r.floor(),
    };
    let bound = (bound / Q::from_integer(gcd.clone())).floor();
    Constraint {
        lin: super::formula::Lin {
            terms: scaled
                .into_iter()
                .map(|(var, a)| (var, Q::new(a, gcd.clone())))
                .collect(),
            constant: -bound,
        },
        strict: false,
    }
}

/// Whether an option of a disjunction can still hold in the state, by a
/// cheap test: a bound that contradicts the bounds so far, a value outside
/// a domain, or `false` cannot; anything else may.
fn viable(state: &State, option: &Formula) -> bool {
    match option {
        Formula::Const(b) => *b,
        Formula::Finite(var, values) => state
            .finite
            .get(var)
            .is_none_or(|allowed| allowed.iter().any(|v| values.contains(v))),
        Formula::Linear(constraint) if constraint.lin.terms.is_empty() => {
            add_linear(&mut State::default(), constraint)
        }
        Formula::Linear(constraint) => match single_bound(constraint) {
            Some((var, limit, upper)) => {
                bound_fits(state.bounds.get(&var), &limit, constraint.strict, upper)
            }
            None => true,
        },
        Formula::And(parts) => parts.iter().all(|p| viable(state, p)),
        Formula::Or(parts) => parts.iter().any(|p| viable(state, p)),
        _ => true,
    }
}

/// `var <= limit` (upper) or `var >= limit` as a constraint.
fn bound_constraint(var: NumVar, limit: &Q, strict: bool, upper: bool) -> Constraint {
    let sign = if upper { Q::one() } else { -Q::one() };
    let terms = BTreeMap::from([(var, sign.clone())]);
    Constraint {
        lin: super::formula::Lin {
            terms,
            constant: -(limit * sign),
        },
        strict,
    }
}

/// The box a pure conjunction of single-unknown comparisons describes, for a
/// quick test that two rules cannot hold together; `None` for other formulas.
pub fn boxed(translator: &Translator, formula: &Formula) -> Option<Boxed> {
    let mut state = State::default();
    let mut pending = vec![formula];
    while let Some(f) = pending.pop() {
        match f {
            Formula::And(parts) => pending.extend(parts),
            Formula::Linear(c) if c.lin.terms.len() == 1 => {
                if !add_linear(&mut state, c) {
                    return None;
                }
            }
            Formula::Finite(var, values) => {
                let domain = translator.domain(*var);
                state
                    .finite
                    .entry(*var)
                    .or_insert_with(|| (0..domain).collect())
                    .retain(|v| values.contains(v));
            }
            _ => return None,
        }
    }
    Some(Boxed {
        bounds: state.bounds,
        finite: state.finite,
    })
}

pub struct Boxed {
    bounds: BTreeMap<NumVar, (Bound, Bound)>,
    finite: BTreeMap<FinVar, BTreeSet<u32>>,
}

impl Boxed {
    /// Whether no point lies in both boxes.
    pub fn disjoint(&self, other: &Boxed) -> bool {
        let finite = self
            .finite
            .iter()
            .any(|(var, values)| other.finite.get(var).is_some_and(|o| values.is_disjoint(o)));
        let numeric = self.bounds.iter().any(|(var, (low, high))| {
            other.bounds.get(var).is_some_and(|(other_low, other_high)| {
                let low = tighter(low.clone(), other_low.clone(), false);
                let high = tighter(high.clone(), other_high.clone(), true);
                matches!((low, high), (Some((l, ls)), Some((h, hs))) if l > h || (l == h && (ls || hs)))
            })
        });
        finite || numeric
    }
}

/// Adds a constraint; false when single-variable bounds already contradict it.
fn add_linear<'f>(state: &mut State<'f>, constraint: &'f Constraint) -> bool {
    let lin = &constraint.lin;
    if lin.terms.is_empty() {
        return if constraint.strict {
            lin.constant.is_negative()
        } else {
            !lin.constant.is_positive()
        };
    }
    if let Some((var, limit, upper)) = single_bound(constraint) {
        let entry = state.bounds.entry(var).or_insert((None, None));
        let bound = Some((limit, constraint.strict));
        if upper {
            entry.1 = tighter(entry.1.take(), bound, true);
        } else {
            entry.0 = tighter(entry.0.take(), bound, false);
        }
        if let (Some((low, low_strict)), Some((high, high_strict))) = (&entry.0, &entry.1)
            && (low > high || (low == high && (*low_strict || *high_strict)))
        {
            return false;
        }
    }
    state.linear = List::push(state.linear.take(), constraint);
    true
}

/// A constraint over one unknown as its bound: `coefficient * x + constant
/// (<|<=) 0` is `x (<|<=) -constant / coefficient` — an upper bound, or a
/// lower one when the coefficient is negative. The division (and the gcd
/// that reduces it) is skipped for the usual coefficients of one.
fn single_bound(constraint: &Constraint) -> Option<(NumVar, Q, bool)> {
    let lin = &constraint.lin;
    let mut terms = lin.terms.iter();
    let (Some((var, coefficient)), None) = (terms.next(), terms.next()) else {
        return None;
    };
    let limit = if coefficient.is_one() {
        -&lin.constant
    } else if (-coefficient).is_one() {
        lin.constant.clone()
    } else {
        -&lin.constant / coefficient
    };
    Some((*var, limit, coefficient.is_positive()))
}

/// Whether a bound can join the bounds an unknown has (the same side's
/// bound only tightens it; only the other side can contradict it).
fn bound_fits(bounds: Option<&(Bound, Bound)>, limit: &Q, strict: bool, upper: bool) -> bool {
    let other = bounds.and_then(|(low, high)| if upper { low } else { high }.as_ref());
    let Some((other, other_strict)) = other else {
        return true;
    };
    let apart = if upper { other < limit } else { other > limit };
    apart || (other == limit && !strict && !other_strict)
}

fn tighter(current: Bound, new: Bound, upper: bool) -> Bound {
    match (current, new) {
        (None, b) | (b, None) => b,
        (Some(a), Some(b)) => {
            let b_tighter = if upper {
                b.0 < a.0 || (b.0 == a.0 && b.1)
            } else {
                b.0 > a.0 || (b.0 == a.0 && b.1)
            };
            Some(if b_tighter { b } else { a })
        }
    }
}

enum Elimination {
    Solved(BTreeMap<NumVar, Q>),
    Infeasible,
    TooLarge,
    NoDecimal,
    /// Could not decide: the reason.
    Undecided(String),
}

/// Fourier–Motzkin elimination, then back-substitution picking simple values.
fn eliminate(constraints: Vec<Constraint>, vars: Vec<NumVar>) -> Elimination {
    let mut stages = Vec::with_capacity(vars.len());
    let mut current = constraints;
    for var in &vars {
        let (with, without): (Vec<Constraint>, Vec<Constraint>) = current
            .into_iter()
            .partition(|c| c.lin.terms.contains_key(var));
        let (upper, lower): (Vec<&Constraint>, Vec<&Constraint>) =
            with.iter().partition(|c| c.lin.terms[var].is_positive());
        // Rows are kept once each, in a form scaled so that multiples of one
        // row are recognised, and the size cap is tested as rows are added:
        // the next stage is never built beyond it.
        let mut seen: HashSet<Constraint> = without.iter().map(normalised).collect();
        let mut next = without;
        for u in &upper {
            for l in &lower {
                let (a, b) = (&u.lin.terms[var], -&l.lin.terms[var]);
                // b·u + a·l cancels `var`; both multipliers are positive.
                let lin = u.lin.scaled(&b).plus(&l.lin, a);
                let combined = normalised(&Constraint {
                    lin,
                    strict: u.strict || l.strict,
                });
                if combined.lin.terms.is_empty() {
                    // No unknown left: it holds or it does not, now.
                    let holds = match combined.strict {
                        true => combined.lin.constant.is_negative(),
                        false => !combined.lin.constant.is_positive(),
                    };
                    if !holds {
                        return Elimination::Infeasible;
                    }
                    continue;
                }
                if seen.insert(combined.clone()) {
                    next.push(combined);
                    if next.len() > MAX_CONSTRAINTS {
                        return Elimination::TooLarge;
                    }
                }
            }
        }
        stages.push(with);
        current = next;
    }
    let consistent = current.iter().all(|c| {
        if c.strict {
            c.lin.constant.is_negative()
        } else {
            !c.lin.constant.is_positive()
        }
    });
    if !consistent {
        return Elimination::Infeasible;
    }
    let mut values: BTreeMap<NumVar, Q> = BTreeMap::new();
    for (var, stage) in vars.iter().zip(&stages).rev() {
        let (mut low, mut high): (Bound, Bound) = (None, None);
        for constraint in stage {
            let coefficient = &constraint.lin.terms[var];
            // coefficient·var + rest (<|<=) 0, every other unknown here already has a value.
            let rest = constraint
                .lin
                .terms
                .iter()
                .filter(|(v, _)| *v != var)
                .fold(constraint.lin.constant.clone(), |acc, (v, c)| {
                    acc + c * values.get(v).cloned().unwrap_or_else(Q::zero)
                });
            let limit = -rest / coefficient;
            if coefficient.is_positive() {
                high = tighter(high, Some((limit, constraint.strict)), true);
            } else {
                low = tighter(low, Some((limit, constraint.strict)), false);
            }
        }
        match pick(*var, low, high) {
            Some(value) => values.insert(*var, value),
            None => return Elimination::NoDecimal,
        };
    }
    Elimination::Solved(values)
}

/// The constraint scaled by a positive factor so that its first coefficient
/// is 1 or -1: the same half-space always has the same row.
fn normalised(constraint: &Constraint) -> Constraint {
    let Some(first) = constraint.lin.terms.values().next() else {
        return constraint.clone();
    };
    let factor = Q::one() / first.abs();
    Constraint {
        lin: constraint.lin.scaled(&factor),
        strict: constraint.strict,
    }
}

/// A simple value between the bounds, to read well in a witness: near the
/// middle of a closed range, a little above a lower bound alone, at an upper
/// bound alone, and a margin of error as small as it may be; a whole number if
/// one fits there, else the shortest decimal that does.
fn pick(var: NumVar, low: Bound, high: Bound) -> Option<Q> {
    let fits = |x: &Q| {
        low.as_ref()
            .is_none_or(|(l, strict)| if *strict { x > l } else { x >= l })
            && high
                .as_ref()
                .is_none_or(|(h, strict)| if *strict { x < h } else { x <= h })
    };
    let ten = Q::from_integer(10.into());
    let target = match (&low, &high) {
        (Some((l, _)), _) if matches!(var, NumVar::Margin(_)) => l.clone(),
        (None, None) => ten,
        (Some((l, _)), Some((h, _))) => (l + h) / Q::from_integer(2.into()),
        (Some((l, _)), None) => l + ten,
        (None, Some((h, _))) => h.clone(),
    };
    for digits in 0..=12u32 {
        let scale = Q::from_integer(num_bigint::BigInt::from(10).pow(digits));
        let scaled = &target * &scale;
        let candidates = [
            scaled.round(),
            scaled.ceil(),
            scaled.floor(),
            scaled.ceil() + Q::one(),
            scaled.floor() - Q::one(),
        ];
        if let Some(value) = candidates.into_iter().map(|c| c / &scale).find(|v| fits(v)) {
            return Some(value);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::formula::Lin;

    /// Whether the values meet the constraint.
    fn holds(constraint: &Constraint, values: &BTreeMap<NumVar, Q>) -> bool {
        let total = constraint
            .lin
            .terms
            .iter()
            .fold(constraint.lin.constant.clone(), |acc, (v, c)| {
                acc + c * values.get(v).cloned().unwrap_or_else(Q::zero)
            });
        if constraint.strict {
            total.is_negative()
        } else {
            !total.is_positive()
        }
    }

    fn q(n: i64, d: i64) -> Q {
        Q::new(n.into(), d.into())
    }

    fn c(terms: &[(usize, Q)], constant: Q, strict: bool) -> Constraint {
        let terms = terms
            .iter()
            .map(|(v, q)| (NumVar::Value(*v), q.clone()))
            .collect();
        Constraint {
            lin: Lin { terms, constant },
            strict,
        }
    }

    #[test]
    fn strict_and_non_strict_bounds_meet_exactly() {
        // x <= 1 and x >= 1: x = 1.   x < 1 and x >= 1: none.
        let le = c(&[(0, q(1, 1))], q(-1, 1), false);
        let ge = c(&[(0, q(-1, 1))], q(1, 1), false);
        let lt = c(&[(0, q(1, 1))], q(-1, 1), true);
        match eliminate(vec![le.clone(), ge.clone()], vec![NumVar::Value(0)]) {
            Elimination::Solved(values) => assert_eq!(values[&NumVar::Value(0)], q(1, 1)),
            _ => panic!("feasible"),
        }
        assert!(matches!(
            eliminate(vec![lt, ge], vec![NumVar::Value(0)]),
            Elimination::Infeasible
        ));
    }

    #[test]
    fn ratios_linearised_give_witnesses_that_hold() {
        // a - 0.85 b <= 0, b > 0, a >= 40, b <= 60  (a / b <= 0.85 with a rate denominator)
        let constraints = vec![
            c(&[(0, q(1, 1)), (1, q(-17, 20))], q(0, 1), false),
            c(&[(1, q(-1, 1))], q(0, 1), true),
            c(&[(0, q(-1, 1))], q(40, 1), false),
            c(&[(1, q(1, 1))], q(-60, 1), false),
        ];
        let Elimination::Solved(values) = eliminate(
            constraints.clone(),
            vec![NumVar::Value(0), NumVar::Value(1)],
        ) else {
            panic!("feasible");
        };
        assert!(constraints.iter().all(|c| holds(c, &values)), "{values:?}");
    }
}
