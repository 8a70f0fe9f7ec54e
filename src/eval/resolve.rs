//! How a judgement's grade follows from which of its conditions hold: the
//! resolution strategy over its rules, then a recorded departure, then caps
//! and floors. One logic serves both ways of deciding a condition, walking
//! its expression (`Context`) or running the compiled program (`compiled`).

use super::{Decision, Failure, Graded, Limit, Outcome};
use crate::evidence::{Departure, Evidence};
use crate::policy::{Judgement, Rule, Strategy};

/// A condition of the judgement being graded: a rule's, a cap's or a floor's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Which {
    Rule(usize),
    Limit(Limit),
}

impl Which {
    /// The rule, cap or floor itself.
    pub fn of(self, judgement: &Judgement) -> &Rule {
        match self {
            Which::Rule(index) => &judgement.rules[index],
            Which::Limit(Limit::Cap(index)) => &judgement.caps[index],
            Which::Limit(Limit::Floor(index)) => &judgement.floors[index],
        }
    }
}

/// Why a judgement could not be graded, boxed: failures are rare, and a
/// result of one pointer is passed in registers on every condition.
pub(crate) type Fault = Box<Failure>;

/// Decides the conditions of one judgement for one evidence file.
pub(crate) trait Conditions {
    /// Whether the condition holds; `None` when it reads evidence that was
    /// not assessed.
    fn holds(&mut self, which: Which) -> Result<Option<bool>, Fault>;

    /// The grade a limit that `follows` something holds to; `None` when
    /// that was not assessed.
    fn followed(&mut self, limit: Limit) -> Result<Option<u8>, Fault>;
}

/// Grades judgement `index` of the policy from its conditions.
pub(crate) fn grade(
    judgement: &Judgement,
    index: usize,
    evidence: &Evidence,
    conditions: &mut impl Conditions,
) -> Outcome {
    let (resolved, decided_by) = match resolve(judgement, conditions) {
        Ok(Some(decision)) => decision,
        Ok(None) => return Outcome::NotAssessed,
        Err(failure) => return Outcome::Failed(*failure),
    };
    let departure = departure(judgement, index, evidence, decided_by);
    let given = departure.as_ref().map_or(resolved, |d| d.grade);
    match limit(judgement, given, conditions) {
        Ok((grade, limited_by)) => Outcome::Graded(Graded {
            grade,
            resolved,
            decided_by,
            limited_by,
            departure,
        }),
        Err(failure) => Outcome::Failed(*failure),
    }
}

/// The departure recorded for this judgement, if the rule that decided it
/// states normal practice (`normally`); caps and floors still apply.
fn departure(
    judgement: &Judgement,
    index: usize,
    evidence: &Evidence,
    decided_by: Decision,
) -> Option<Departure> {
    let Decision::Rule(rule) = decided_by else {
        return None;
    };
    if !judgement.rules[rule].normally {
        return None;
    }
    evidence.departure(index).cloned()
}

/// Applies the judgement's resolution strategy to the rules that hold;
/// `None` when no rule holds and some could not be decided because the
/// evidence they read was not assessed.
fn resolve(
    judgement: &Judgement,
    conditions: &mut impl Conditions,
) -> Result<Option<(u8, Decision)>, Fault> {
    let mut chosen: Option<usize> = None;
    let mut undecided = false;
    for (index, rule) in judgement.rules.iter().enumerate() {
        if let Some(current) = chosen
            && !could_change(
                judgement.strategy,
                judgement.rules[current].grade,
                rule.grade,
            )
        {
            continue;
        }
        match conditions.holds(Which::Rule(index))? {
            Some(true) => {}
            Some(false) => continue,
            None => {
                undecided = true;
                continue;
            }
        }
        let Some(current) = chosen else {
            chosen = Some(index);
            if judgement.strategy == Strategy::First {
                break;
            }
            continue;
        };
        let (current_grade, grade) = (judgement.rules[current].grade, rule.grade);
        match judgement.strategy {
            Strategy::Unique if grade != current_grade => {
                return Err(Box::new(conflict(judgement, current, index, conditions)));
            }
            Strategy::Highest if grade > current_grade => chosen = Some(index),
            Strategy::Lowest if grade < current_grade => chosen = Some(index),
            _ => {}
        }
    }
    match (chosen, &judgement.otherwise) {
        (Some(index), _) => Ok(Some((judgement.rules[index].grade, Decision::Rule(index)))),
        // `otherwise` means "none of the criteria hold", which is not known.
        (None, _) if undecided => Ok(None),
        (None, Some(otherwise)) => Ok(Some((otherwise.grade, Decision::Otherwise))),
        (None, None) => Err(Box::new(Failure::NoRule)),
    }
}

/// Whether a rule for `grade` could change a choice of `current`: under
/// `highest` only a better grade can, under `lowest` only a worse one, so the
/// others need not be evaluated.
fn could_change(strategy: Strategy, current: u8, grade: u8) -> bool {
    match strategy {
        Strategy::Highest => grade > current,
        Strategy::Lowest => grade < current,
        Strategy::Unique | Strategy::First => true,
    }
}

/// A conflict between `first` and `second`, naming every grade whose
/// criteria hold: the rules after `second` are evaluated too.
fn conflict(
    judgement: &Judgement,
    first: usize,
    second: usize,
    conditions: &mut impl Conditions,
) -> Failure {
    let mut rules = vec![first, second];
    for (index, rule) in judgement.rules.iter().enumerate().skip(second + 1) {
        let new_grade = rules
            .iter()
            .all(|&r| judgement.rules[r].grade != rule.grade);
        if new_grade && matches!(conditions.holds(Which::Rule(index)), Ok(Some(true))) {
            rules.push(index);
        }
    }
    Failure::Conflict { rules }
}

/// Applies caps and floors to the grade given: the lowest cap and the
/// highest floor that hold set the grade; every one that changed it is
/// recorded.
fn limit(
    judgement: &Judgement,
    resolved: u8,
    conditions: &mut impl Conditions,
) -> Result<(u8, Vec<Limit>), Fault> {
    let caps = (judgement.caps.len(), Limit::Cap as fn(usize) -> Limit);
    let floors = (judgement.floors.len(), Limit::Floor as fn(usize) -> Limit);
    let cap = strictest(judgement, caps, |a, b| a < b, conditions)?;
    let floor = strictest(judgement, floors, |a, b| a > b, conditions)?;
    if let (Some((cap, cap_grade)), Some((floor, floor_grade))) = (cap, floor)
        && floor_grade > cap_grade
    {
        return Err(Box::new(Failure::CapFloor { cap, floor }));
    }
    let (mut grade, mut limited_by) = (resolved, Vec::new());
    if let Some((_, cap)) = cap.filter(|&(_, cap)| cap < resolved) {
        grade = cap;
        limited_by = changing(judgement, caps, |g| g < resolved, conditions)?;
    }
    if let Some((_, floor)) = floor.filter(|&(_, floor)| floor > resolved) {
        grade = floor;
        limited_by.extend(changing(judgement, floors, |g| g > resolved, conditions)?);
    }
    Ok((grade, limited_by))
}

/// Caps or floors: how many, and which kind.
type Limits = (usize, fn(usize) -> Limit);

/// The holding limit whose grade is strictest by `stricter`, and its grade.
fn strictest(
    judgement: &Judgement,
    (count, limit): Limits,
    stricter: fn(u8, u8) -> bool,
    conditions: &mut impl Conditions,
) -> Result<Option<(usize, u8)>, Fault> {
    let mut best: Option<(usize, u8)> = None;
    for index in 0..count {
        if let Some(grade) = limit_grade(judgement, limit(index), conditions)?
            && best.is_none_or(|(_, b)| stricter(grade, b))
        {
            best = Some((index, grade));
        }
    }
    Ok(best)
}

/// Every holding limit whose grade `changes` the resolved grade,
/// strictest first (evaluated again only when some limit applied).
fn changing(
    judgement: &Judgement,
    (count, limit): Limits,
    changes: impl Fn(u8) -> bool,
    conditions: &mut impl Conditions,
) -> Result<Vec<Limit>, Fault> {
    let mut found = Vec::new();
    for index in 0..count {
        if let Some(grade) = limit_grade(judgement, limit(index), conditions)?
            && changes(grade)
        {
            found.push((grade, limit(index)));
        }
    }
    // Strictest first: caps by lowest grade, floors by highest; the sort is
    // stable, so limits of one grade stay in written order.
    found.sort_by_key(|&(grade, limit)| match limit {
        Limit::Cap(_) => grade,
        Limit::Floor(_) => u8::MAX - grade,
    });
    Ok(found.into_iter().map(|(_, limit)| limit).collect())
}

/// The grade a limit holds to, if it applies: its condition holds and
/// what it follows (if anything) was assessed. A limit that reads
/// evidence not assessed does not apply.
fn limit_grade(
    judgement: &Judgement,
    limit: Limit,
    conditions: &mut impl Conditions,
) -> Result<Option<u8>, Fault> {
    if conditions.holds(Which::Limit(limit))? != Some(true) {
        return Ok(None);
    }
    let rule = Which::Limit(limit).of(judgement);
    match rule.follows {
        None => Ok(Some(rule.grade)),
        Some(_) => conditions.followed(limit),
    }
}
