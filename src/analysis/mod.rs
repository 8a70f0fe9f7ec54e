//! Static analysis for `insp check`: before any evidence exists, prove where
//! rules overlap under `unique`, where no rule holds (gaps), which rules can
//! never fire (shadowed under `first`, or never true), and where a floor
//! above a cap can both apply — each with a witness: evidence values that
//! trigger it, checked by running the evaluator on them, so that nothing is
//! reported that cannot happen. Conditions the exact procedure cannot model
//! are reported as undecided, never guessed.

mod aggregate;
mod apart;
mod area;
mod bands;
pub mod formula;
mod reach;
pub mod sensitivity;
pub mod solver;
pub mod versions;
pub(crate) mod witness;

use crate::diagnostics::{Code, Diagnostic};
use crate::eval::Outcome;
use crate::policy::Strategy;
use crate::policy::{ExprKind, Judgement, Policy, Rule};
use formula::{Formula, Translator};
use solver::{Sat, solve, solve_all};
use std::time::{Duration, Instant};
use witness::Candidate;
pub use witness::Witness;

/// A problem found, with the evidence that triggers it when there is one.
pub struct Finding {
    /// The problem, as `insp check` reports it.
    pub diagnostic: Diagnostic,
    /// Evidence that triggers it (overlaps, gaps and clashes).
    pub witness: Option<Witness>,
}

impl From<Diagnostic> for Finding {
    /// A diagnostic reported alongside the analysis (a lint, an error), with no witness.
    fn from(diagnostic: Diagnostic) -> Self {
        Finding {
            diagnostic,
            witness: None,
        }
    }
}

/// How long the analysis may spend on one judgement by default before it
/// reports what is left as undecided.
pub const DEFAULT_BUDGET: Duration = Duration::from_secs(10);

/// Analyses every judgement of a compiled policy, within the default budget.
pub fn analyse(policy: &Policy) -> Vec<Finding> {
    analyse_within(policy, DEFAULT_BUDGET)
}

/// Analyses every judgement, giving each at most `budget`: what it has not
/// decided by then is reported undecided, naming the judgement — never a hang.
pub fn analyse_within(policy: &Policy, budget: Duration) -> Vec<Finding> {
    let translator = Translator::new(policy);
    let mut findings = Vec::new();
    for index in 0..policy.judgements.len() {
        translator.set_deadline(Instant::now() + budget);
        Analysis {
            policy,
            translator: &translator,
            index,
            findings: &mut findings,
            undecided: Vec::new(),
        }
        .run();
    }
    findings
}

struct Analysis<'a, 'p> {
    policy: &'p Policy,
    translator: &'a Translator<'p>,
    index: usize,
    findings: &'a mut Vec<Finding>,
    /// What could not be decided, for one note per judgement.
    undecided: Vec<String>,
}

/// Gaps reported per judgement by the general search, at most.
const MAX_GAPS: usize = 6;

/// A gap described as the author reads it.
enum Region {
    /// The splits of an aggregate's members that meet no rule, in words.
    Cases(String),
    /// An area the search found, in words: `5 <= x < 10, finding is poor`.
    Area(String),
    /// A stretch of one banded quantity (`38 < percentage < 39`), and the
    /// quantity's value in the witness (`percentage = 38.5`).
    Band(String, String),
}

/// Whether two rules' conditions are boxes that do not meet.
fn disjoint(boxes: &[Option<solver::Boxed>], a: usize, b: usize) -> bool {
    matches!((&boxes[a], &boxes[b]), (Some(x), Some(y)) if x.disjoint(y))
}

impl<'p> Analysis<'_, 'p> {
    fn judgement(&self) -> &'p Judgement {
        &self.policy.judgements[self.index]
    }

    fn run(mut self) {
        self.limits_without_effect();
        if self.reads_aggregates() {
            return self.run_by_cases();
        }
        let holds: Vec<Formula> = self
            .judgement()
            .rules
            .iter()
            .map(|r| self.translator.formula(&r.condition, false))
            .collect();
        let fails: Vec<Formula> = self
            .judgement()
            .rules
            .iter()
            .map(|r| self.translator.formula(&r.condition, true))
            .collect();
        let never = self.never_holding(&holds);
        let boxes: Vec<Option<solver::Boxed>> = holds
            .iter()
            .map(|f| solver::boxed(self.translator, f))
            .collect();
        match self.judgement().strategy {
            Strategy::Unique => self.overlaps(&holds, &fails, &boxes),
            Strategy::First | Strategy::Highest | Strategy::Lowest => {
                self.shadowed(&holds, &fails, &never, &boxes)
            }
        }
        if self.judgement().otherwise.is_none() {
            self.gap(&holds, &fails);
        }
        self.clashes();
        self.note_undecided();
    }

    fn decide(&mut self, formulas: &[&Formula], what: &str) -> Option<solver::Model> {
        match solve_all(self.translator, formulas) {
            Sat::Yes(witness) => Some(witness),
            Sat::No => None,
            Sat::Unknown(reason) => {
                self.undecided.push(format!("{what}: {reason}"));
                None
            }
        }
    }

    fn is_unsatisfiable(&self, formula: &Formula) -> bool {
        solve(self.translator, formula) == Sat::No
    }

    /// Caps at or above every grade the rules can give, and floors at or
    /// below every one, can never change a grade. (A `normally` rule may be
    /// departed from to any grade, so then every limit can matter.)
    fn limits_without_effect(&mut self) {
        let j = self.judgement();
        if j.rules.iter().any(|r| r.normally) {
            return;
        }
        let given = j
            .rules
            .iter()
            .map(|r| r.grade)
            .chain(j.otherwise.as_ref().map(|o| o.grade));
        let (Some(best), Some(worst)) = (given.clone().max(), given.min()) else {
            return;
        };
        let fixed = |limits: &'p [Rule]| limits.iter().filter(|l| l.follows.is_none());
        let caps = fixed(&j.caps)
            .filter(|c| c.grade >= best)
            .map(|c| (c, "cap", "at most", best));
        let floors = fixed(&j.floors)
            .filter(|f| f.grade <= worst)
            .map(|f| (f, "floor", "at least", worst));
        let pointless: Vec<_> = caps.chain(floors).collect();
        for (limit, kind, words, bound) in pointless {
            let grades = &self.policy.grades;
            let (extreme, side) = match kind {
                "cap" => ("at best", "below"),
                _ => ("at worst", "above"),
            };
            let diagnostic = Diagnostic::warning(
                Code::NoEffect,
                format!(
                    "in `{}`, this {kind} can never change a grade: the rules give {extreme} {}, and it holds the grade {words} {}",
                    j.id,
                    grades.name(bound),
                    grades.name(limit.grade)
                ),
            )
            .in_source(&self.policy.source)
            .primary(limit.span, format!("{words} {}", grades.name(limit.grade)))
            .label(j.span, format!("its rules give {extreme} {}", grades.name(bound)))
            .help(format!("a {kind} matters only {side} the grades the rules give; change its grade or remove it"));
            self.findings.push(Finding::from(diagnostic));
        }
    }

    /// Rules, caps and floors whose condition no evidence can meet.
    fn never_holding(&mut self, holds: &[Formula]) -> Vec<bool> {
        let j = self.judgement();
        let limits: Vec<(&Rule, &str)> = j
            .caps
            .iter()
            .map(|c| (c, "cap"))
            .chain(j.floors.iter().map(|f| (f, "floor")))
            .collect();
        let mut never = Vec::with_capacity(holds.len());
        for (rule, formula) in j.rules.iter().zip(holds) {
            let impossible = self.is_unsatisfiable(formula);
            never.push(impossible);
            if impossible {
                self.report_never(rule, "rule");
            }
        }
        for (limit, kind) in limits {
            if self.is_unsatisfiable(&self.translator.formula(&limit.condition, false)) {
                self.report_never(limit, kind);
            }
        }
        never
    }

    fn report_never(&mut self, rule: &Rule, kind: &str) {
        let grade = self.policy.grades.name(rule.grade);
        let diagnostic = Diagnostic::warning(
            Code::NeverHolds,
            format!("this {kind} for {grade} can never hold"),
        )
        .in_source(&self.policy.source)
        .primary(rule.span, "no evidence meets this condition")
        .help(match self.judgement().depends_on.is_empty() {
            true => "its comparisons contradict each other; correct the condition or remove the rule",
            false => "its comparisons contradict each other, or the judgements it reads never take the grades it needs (their own rules decide which grades they can give); correct the condition or remove the rule",
        });
        self.findings.push(Finding {
            diagnostic,
            witness: None,
        });
    }

    /// Under `unique`, two rules for different grades that can hold together.
    fn overlaps(&mut self, holds: &[Formula], fails: &[Formula], boxes: &[Option<solver::Boxed>]) {
        let rules = &self.policy.judgements[self.index].rules;
        let mut found = Vec::new();
        for first in 0..rules.len() {
            for second in first + 1..rules.len() {
                if rules[first].grade == rules[second].grade || disjoint(boxes, first, second) {
                    continue;
                }
                let both = [&holds[first], &holds[second]];
                if let Some(witness) = self.decide(&both, "whether two rules overlap") {
                    found.push((first, second, witness));
                }
            }
        }
        if let Some(chain) = self.cumulative(&found, holds, fails) {
            let all: Vec<&Formula> = chain.iter().map(|&r| &holds[r]).collect();
            if let Some(witness) = self.decide(&all, "whether cumulative bands hold together") {
                return self.report_cumulative(&chain, &witness);
            }
        }
        for (first, second, witness) in found {
            self.report_overlap(first, second, &witness);
        }
    }

    /// Overlapping rules that are cumulative bands — three or more grades,
    /// each better grade's criteria implying the next worse one's (`>= 90`,
    /// `>= 70`, `>= 50`) and every pair overlapping — best first: one root
    /// cause, reported once.
    fn cumulative(
        &self,
        found: &[(usize, usize, solver::Model)],
        holds: &[Formula],
        fails: &[Formula],
    ) -> Option<Vec<usize>> {
        let rules = &self.judgement().rules;
        let mut chain: Vec<usize> = found.iter().flat_map(|(a, b, _)| [*a, *b]).collect();
        chain.sort_by_key(|&r| std::cmp::Reverse(rules[r].grade));
        chain.dedup();
        if chain.len() < 3 {
            return None;
        }
        let grades: std::collections::BTreeSet<u8> =
            chain.iter().map(|&r| rules[r].grade).collect();
        let pairs = chain.len() * (chain.len() - 1) / 2;
        if grades.len() != chain.len() || found.len() != pairs {
            return None;
        }
        let nested = chain
            .windows(2)
            .all(|w| solve_all(self.translator, &[&holds[w[0]], &fails[w[1]]]) == Sat::No);
        nested.then_some(chain)
    }

    fn report_cumulative(&mut self, chain: &[usize], witness: &solver::Model) {
        let Some(evidence) = self.confirmed(witness, Code::Conflict) else {
            return;
        };
        let j = self.judgement();
        let grades: Vec<&str> = chain
            .iter()
            .map(|&r| self.policy.grades.name(j.rules[r].grade))
            .collect();
        let (last, init) = grades.split_last().expect("three or more");
        let mut diagnostic = Diagnostic::error(
            Code::Overlap,
            format!(
                "in `{}`, the rules for {} and {last} are cumulative bands: each better grade's criteria imply the next one's, so they hold together: {}",
                j.id,
                init.join(", "),
                evidence.described
            ),
        )
        .in_source(&self.policy.source);
        for (i, &rule) in chain.iter().enumerate() {
            let text = format!("{} band", grades[i]);
            diagnostic = match i {
                0 => diagnostic.primary(j.rules[rule].span, text),
                _ => diagnostic.label(j.rules[rule].span, text),
            };
        }
        let diagnostic = diagnostic
            .label(j.span, "resolved `unique`: only one grade's criteria may hold")
            .help("declare `resolve highest` (the best grade whose criteria hold), or give each band an upper bound so that they exclude each other");
        self.push_with_witness(diagnostic, "overlap", evidence);
    }

    fn report_overlap(&mut self, first: usize, second: usize, witness: &solver::Model) {
        let Some(evidence) = self.confirmed(witness, Code::Conflict) else {
            return;
        };
        let j = self.judgement();
        let (a, b) = (&j.rules[first], &j.rules[second]);
        let grades = &self.policy.grades;
        let grade = |r: &Rule| grades.name(r.grade).to_string();
        // The comparisons that meet are labelled: those reading evidence the
        // other rule reads too; a rule sharing none is labelled whole.
        let (in_a, in_b) = (self.meeting(a, b), self.meeting(b, a));
        let mut diagnostic = Diagnostic::error(
            Code::Overlap,
            format!(
                "in `{}`, the rules for {} and {} can both hold: {}",
                j.id,
                grade(a),
                grade(b),
                evidence.described
            ),
        )
        .in_source(&self.policy.source);
        for (i, span) in in_a.iter().enumerate() {
            let text = format!(
                "this {} for {}",
                if in_a == [a.span] {
                    "rule"
                } else {
                    "condition"
                },
                grade(a)
            );
            diagnostic = match i {
                0 => diagnostic.primary(*span, text),
                _ => diagnostic.label(*span, text),
            };
        }
        for span in &in_b {
            let what = if in_b == [b.span] {
                "rule"
            } else {
                "condition"
            };
            diagnostic = diagnostic.label(
                *span,
                format!("and this {what} for {} hold together", grade(b)),
            );
        }
        let diagnostic = diagnostic
        .label(j.span, "resolved `unique`: only one grade's criteria may hold")
        .help("tighten one of the conditions so that they exclude each other, or say how to choose: `resolve highest`, `resolve lowest` or `resolve first`");
        self.push_with_witness(diagnostic, "overlap", evidence);
    }

    /// The comparisons of `rule` that read evidence `other` reads too, or
    /// the whole rule when there are none.
    fn meeting(&self, rule: &Rule, other: &Rule) -> Vec<crate::source::Span> {
        let mut spans = Vec::new();
        crate::policy::visit(&rule.condition, &mut |node| {
            if !matches!(
                node.kind,
                ExprKind::Compare(..) | ExprKind::Estimate(..) | ExprKind::TextEq { .. }
            ) {
                return;
            }
            let mut reads = Vec::new();
            crate::policy::collect_reads(node, &self.policy.lets, &mut reads);
            if reads.iter().any(|slot| other.reads.contains(slot)) {
                spans.push(node.span);
            }
        });
        if spans.is_empty() {
            spans.push(rule.span);
        }
        spans
    }

    /// Under `first`, rules that never fire because earlier rules hold whenever they do.
    fn shadowed(
        &mut self,
        holds: &[Formula],
        fails: &[Formula],
        never: &[bool],
        boxes: &[Option<solver::Boxed>],
    ) {
        for index in 0..holds.len() {
            // With nothing to win over it, deciding is holding (checked above).
            let winners = self.winners(index);
            if never[index] || winners.is_empty() {
                continue;
            }
            // A winning rule that cannot hold together with this one adds nothing.
            let mut parts: Vec<&Formula> = winners
                .into_iter()
                .filter(|&winner| !disjoint(boxes, winner, index))
                .map(|winner| &fails[winner])
                .collect();
            parts.push(&holds[index]);
            let reachable = solve_all(self.translator, &parts);
            if let Sat::Unknown(reason) = &reachable {
                self.undecided
                    .push(format!("whether a rule can decide the grade: {reason}"));
            }
            if reachable == Sat::No {
                self.report_shadowed(index);
            }
        }
    }

    /// The rules that win over rule `index` when both hold: earlier rules
    /// under `first`, rules for better grades under `highest`, for worse
    /// grades under `lowest`; none under `unique`.
    fn winners(&self, index: usize) -> Vec<usize> {
        let rules = &self.judgement().rules;
        let grade = rules[index].grade;
        let wins = |other: usize| match self.judgement().strategy {
            Strategy::First => other < index,
            Strategy::Highest => rules[other].grade > grade,
            Strategy::Lowest => rules[other].grade < grade,
            Strategy::Unique => false,
        };
        (0..rules.len()).filter(|&other| wins(other)).collect()
    }

    fn report_shadowed(&mut self, index: usize) {
        let j = self.judgement();
        let rule = &j.rules[index];
        let winners = self.winners(index);
        let (why, label, place) = match j.strategy {
            Strategy::First => (
                "can never fire: earlier rules hold whenever it does",
                "an earlier rule",
                "move it before the rules that cover it, narrow them, or remove it",
            ),
            Strategy::Highest => (
                "can never decide the grade: a rule for a better grade holds whenever it does",
                "a better grade's rule",
                "loosen it so that it holds where no better grade's rule does, or remove it",
            ),
            _ => (
                "can never decide the grade: a rule for a worse grade holds whenever it does",
                "a worse grade's rule",
                "loosen it so that it holds where no worse grade's rule does, or remove it",
            ),
        };
        let mut diagnostic = Diagnostic::warning(
            Code::Shadowed,
            format!(
                "in `{}`, the rule for {} {why}",
                j.id,
                self.policy.grades.name(rule.grade)
            ),
        )
        .in_source(&self.policy.source)
        .primary(
            rule.span,
            format!("never reached under `resolve {}`", j.strategy.name()),
        );
        for winner in winners {
            diagnostic = diagnostic.label(j.rules[winner].span, label);
        }
        self.findings.push(Finding::from(diagnostic.help(place)));
    }

    /// Evidence for which no rule holds, in a judgement without `otherwise`.
    fn gap(&mut self, holds: &[Formula], fails: &[Formula]) {
        if self.band_gaps(holds, fails) {
            return;
        }
        // Each area found is excluded and the search goes on, so that the
        // finding lists every gap's area (up to a few), with one witness.
        let mut excluded: Vec<Formula> = Vec::new();
        let mut found: Vec<(solver::Model, Option<String>)> = Vec::new();
        while found.len() < MAX_GAPS {
            let mut parts: Vec<&Formula> = fails.iter().collect();
            parts.extend(excluded.iter());
            let Some(witness) = self.decide(&parts, "whether some evidence meets no rule") else {
                break;
            };
            excluded.push(area::exclusion(&witness.area, self.translator));
            let words = area::words(&witness.area, self.translator);
            found.push((witness, words));
        }
        let Some((witness, _)) = found.first() else {
            return;
        };
        let areas: Option<Vec<String>> = found.iter().map(|(_, words)| words.clone()).collect();
        let region = areas.map(|areas| {
            let mut listed = areas.join("; or ");
            if found.len() == MAX_GAPS {
                listed.push_str("; or more");
            }
            Region::Area(listed)
        });
        self.report_gap(witness, region);
    }

    /// A gap, with its witness; for an aggregate, `cases` describes in words
    /// every combination of member grades that meets no rule.
    fn report_gap(&mut self, witness: &solver::Model, region: Option<Region>) {
        let Some(evidence) = self.confirmed(witness, Code::NoRule) else {
            return;
        };
        let j = self.judgement();
        let when = match region {
            Some(Region::Cases(cases)) if evidence.values == witness::ANY_EVIDENCE => cases,
            Some(Region::Cases(cases)) => format!("{cases} (for example {})", evidence.described),
            Some(Region::Area(area)) => format!("{area} (for example {})", evidence.described),
            Some(Region::Band(band, value)) if value == evidence.values => {
                format!("{band} (for example {value})")
            }
            Some(Region::Band(band, value)) => {
                format!("{band} (for example {value}: {})", evidence.values)
            }
            None => evidence.described.clone(),
        };
        let diagnostic = Diagnostic::warning(
            Code::Gap,
            format!("in `{}`, no rule holds when {when}", j.id),
        )
        .in_source(&self.policy.source)
        .primary(j.span, "such evidence cannot be graded")
        .help("add `otherwise GRADE`, or widen a rule to cover this case");
        self.push_with_witness(diagnostic, "gap", evidence);
    }

    /// A floor above a cap whose conditions can hold together (limits that
    /// follow another grade included: the grades they follow are solved for).
    fn clashes(&mut self) {
        let j = self.judgement();
        if j.caps.is_empty() || j.floors.is_empty() {
            return;
        }
        // Pairwise over the rules: built only when there are limits to clash.
        let resolves = self.resolves();
        for floor in &j.floors {
            for cap in &j.caps {
                let above = self.translator.floor_above_cap(floor, cap);
                if above == Formula::Const(false) {
                    continue;
                }
                let floor_holds = self.translator.formula(&floor.condition, false);
                let cap_holds = self.translator.formula(&cap.condition, false);
                let Some(witness) = self.decide(
                    &[&floor_holds, &cap_holds, &above, &resolves],
                    "whether a floor and a cap clash",
                ) else {
                    continue;
                };
                self.report_clash(floor, cap, &witness);
            }
        }
    }

    /// The rules resolve to a grade: some rule holds (or there is an
    /// `otherwise`), and under `unique` no two rules for different grades
    /// hold — so that caps and floors are reached at all.
    fn resolves(&self) -> Formula {
        let j = self.judgement();
        let holds = |r: &Rule| self.translator.formula(&r.condition, false);
        let fails = |r: &Rule| self.translator.formula(&r.condition, true);
        let mut parts = Vec::new();
        if j.otherwise.is_none() {
            parts.push(Formula::Or(j.rules.iter().map(holds).collect()));
        }
        if j.strategy == Strategy::Unique {
            for (a, first) in j.rules.iter().enumerate() {
                for second in j.rules[a + 1..].iter().filter(|r| r.grade != first.grade) {
                    parts.push(Formula::Or(vec![fails(first), fails(second)]));
                }
            }
        }
        Formula::And(parts)
    }

    fn report_clash(&mut self, floor: &Rule, cap: &Rule, witness: &solver::Model) {
        let Some(evidence) = self.confirmed(witness, Code::CapFloorConflict) else {
            return;
        };
        let j = self.judgement();
        let grades = &self.policy.grades;
        let grade = |r: &Rule| match &r.follows {
            None => grades.name(r.grade).to_string(),
            Some(follows) => format!("`{}`'s grade", follows.name),
        };
        let diagnostic = Diagnostic::error(
            Code::CapFloorClash,
            format!("in `{}`, a floor of {} and a cap of {} can both apply: {}", j.id, grade(floor), grade(cap), evidence.described),
        )
        .in_source(&self.policy.source)
        .primary(floor.span, format!("at least {}", grade(floor)))
        .label(cap.span, format!("at most {}", grade(cap)))
        .help("narrow one of the conditions so that they exclude each other (e.g. add the negation of the cap's condition to the floor)");
        self.push_with_witness(diagnostic, "clash", evidence);
    }

    /// The witness as evidence, if grading it shows the expected failure;
    /// otherwise the problem is noted as undecided rather than reported.
    fn confirmed(&mut self, model: &solver::Model, expect: Code) -> Option<Candidate> {
        let mut candidate = witness::candidate(self.policy, self.translator, model);
        let confirmed = candidate.grade(self.policy).is_some_and(|grading| {
            matches!(grading.outcomes.get(self.index), Some(Outcome::Failed(failure)) if failure.code() == expect)
        });
        if !confirmed {
            self.undecided.push("a case was found in the conditions, but no evidence file reproduces it (it depends on other judgements' grades or on rounding)".to_string());
            return None;
        }
        candidate.described = candidate.shown(self.policy, self.index);
        Some(candidate)
    }

    fn push_with_witness(&mut self, diagnostic: Diagnostic, kind: &str, candidate: Candidate) {
        let name = format!("{}.{}.{kind}", self.judgement().id, self.findings.len() + 1);
        self.findings.push(Finding {
            diagnostic,
            witness: Some(Witness {
                name,
                document: candidate.document,
            }),
        });
    }

    fn note_undecided(&mut self) {
        let Some(first) = self.undecided.first() else {
            return;
        };
        let j = self.judgement();
        let more = self.undecided.len() - 1;
        let diagnostic = Diagnostic::warning(Code::Undecided, format!("could not decide everything about `{}`: {first}", j.id))
            .in_source(&self.policy.source)
            .primary(j.span, if more > 0 { format!("and {more} more condition{} undecided", if more == 1 { "" } else { "s" }) } else { "not fully analysed".to_string() })
            .help("insp proves overlaps, gaps and clashes exactly for comparisons of numbers (linear), levels, bools and text; conditions beyond that are checked only by test cases");
        self.findings.push(Finding {
            diagnostic,
            witness: None,
        });
    }
}
