//! The compiled policy: what `check` produces and every later stage reads.
//! Evidence paths are slots, names are indices, types and units are checked.
//! Its vocabulary (operators, strategies, scales, values) is re-exported here
//! so that no later stage reaches back into the syntax or the checker.

mod expr;
mod paths;

pub use crate::syntax::ast::{CmpOp, EstOp, JudgementKind, Strategy};
pub use crate::value::{GradeScale, LevelScale, Type, Unit, Value};
pub(crate) use expr::{
    ArithOp, Expr, ExprKind, NumFn, collect_reads, for_each_child, for_each_child_mut, visit,
};
pub use paths::{PathEntry, PathNode, PathTree};

use crate::diagnostics::Diagnostic;
use crate::source::{Source, Span};
use rust_decimal::Decimal;

/// The top-level key of an evidence file that records departures from
/// `normally` rules.
pub const DEPARTURES_KEY: &str = "departures";

/// The top-level key of an evidence file that says where its figures come
/// from; grading ignores it.
pub const ABOUT_KEY: &str = "about";

/// Top-level keys of evidence files that are not fields: no field is
/// declared at or under them (the checker refuses it).
pub const RESERVED_KEYS: [&str; 2] = [DEPARTURES_KEY, ABOUT_KEY];

/// A compiled policy: grade any number of evidence files with it.
pub struct Policy {
    /// The name from `policy "..."` (empty if none).
    pub name: String,
    /// The criteria file.
    pub source: Source,
    /// The grades, worst first.
    pub grades: GradeScale,
    /// The level scales; `Type::Level` and `Value::Level` index them.
    pub scales: Vec<LevelScale>,
    /// Evidence fields; a field's index is its slot in `Evidence`.
    pub fields: Vec<Field>,
    /// The fields' paths as a tree of keys, for reading evidence by key.
    pub paths: PathTree,
    /// The first text field: the name of the organisation inspected.
    pub subject: Option<usize>,
    /// The `let` definitions.
    pub lets: Vec<Let>,
    /// In declaration order.
    pub judgements: Vec<Judgement>,
    /// Judgement indices in dependency order: each after those it reads.
    pub order: Vec<usize>,
    /// Lints found while checking; the policy is usable.
    pub warnings: Vec<Diagnostic>,
    /// Helper functions (`use "helpers.rhai"`, `script { ... }`), if any.
    pub scripts: Option<crate::script::Scripts>,
}

/// A declared evidence field.
#[derive(Clone)]
pub struct Field {
    /// The dotted path, e.g. `crime.rate`.
    pub path: String,
    /// The path split at its dots.
    pub segments: Vec<String>,
    /// Its type and unit.
    pub ty: Type,
    /// The value used when the evidence has none (`= ...`).
    pub default: Option<Value>,
    /// The default of a text field.
    pub default_text: Option<String>,
    /// The values a number or estimate may take (`1..4`), bounds included.
    pub range: Range,
    /// A whole number (`whole`): a count or a score.
    pub whole: bool,
    /// The field may be absent or null: not assessed (`optional`).
    pub optional: bool,
    /// Its description, from the declaration.
    pub description: Option<String>,
    /// Where it is declared.
    pub span: Span,
}

/// A `let` definition.
#[derive(Clone)]
pub struct Let {
    /// Its name.
    pub name: String,
    /// Its compiled expression.
    pub expr: Expr,
    /// Its type.
    pub ty: Type,
    /// Where it is defined.
    pub span: Span,
    /// Evidence slots this let reads, directly or through other lets.
    pub reads: Vec<usize>,
}

/// A graded question, judgement or overall judgement.
#[derive(Clone)]
pub struct Judgement {
    /// Its id, e.g. `reducing_crime` (`overall` for the overall judgement).
    pub id: String,
    /// Its title: the question as published.
    pub title: String,
    /// Question, judgement or overall.
    pub kind: JudgementKind,
    /// The judgements and grade evidence this one aggregates (`of ...`).
    pub members: Vec<Member>,
    /// How the rules that hold are resolved into one grade.
    pub strategy: Strategy,
    /// The grade rules, in written order.
    pub rules: Vec<Rule>,
    /// The grade when no rule holds.
    pub otherwise: Option<Otherwise>,
    /// `at most` rules.
    pub caps: Vec<Rule>,
    /// `at least` rules.
    pub floors: Vec<Rule>,
    /// The judgements this one reads: its members and any graded in its rules.
    pub depends_on: Vec<usize>,
    /// Where it is declared.
    pub span: Span,
}

/// A grade rule, cap or floor.
#[derive(Clone)]
pub struct Rule {
    /// The grade it gives or limits to (by rank); for a limit that follows
    /// another grade, see `follows`.
    pub grade: u8,
    /// `normally`: the rule states normal practice, and an evidence file may
    /// record a departure from it.
    pub normally: bool,
    /// A cap or floor at another judgement's grade, or at grade evidence:
    /// `at most leadership`. Its value is the limit's grade.
    pub follows: Option<Follows>,
    /// Its compiled condition.
    pub condition: Expr,
    /// Its reason (`because`).
    pub because: Option<String>,
    /// Where it is written.
    pub span: Span,
    /// Evidence slots the condition reads, directly or through lets.
    pub reads: Vec<usize>,
}

/// What a limit's grade follows.
#[derive(Debug, Clone)]
pub struct Follows {
    /// The judgement's id or the evidence path, as written.
    pub name: String,
    /// Its grade: `ExprKind::Grade` or a grade field.
    pub(crate) grade: Expr,
}

impl Rule {
    /// The grade it gives or limits to, in words, or the name it follows.
    pub fn target(&self, grades: &GradeScale) -> String {
        match &self.follows {
            Some(follows) => follows.name.clone(),
            None => grades.name(self.grade).to_string(),
        }
    }
}

/// The `otherwise` grade of a judgement.
#[derive(Clone)]
pub struct Otherwise {
    /// The grade (by rank).
    pub grade: u8,
    /// Its reason (`because`).
    pub because: Option<String>,
    /// Where it is written.
    pub span: Span,
}

impl Field {
    /// The declaration in words: "a whole number (1..4), optional".
    pub fn describe(&self, scales: &[LevelScale]) -> String {
        let mut words = self.ty.describe(scales);
        if self.whole {
            words = words.replacen("a number", "a whole number", 1);
        }
        if self.range != Range::default() {
            words = format!("{words} in {}", self.range.words());
        }
        if self.optional {
            words.push_str(", optional (may be not assessed)");
        }
        words
    }
}

/// The bounds a number may take; `None` is unbounded on that side.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Range {
    /// The least value allowed.
    pub low: Option<Decimal>,
    /// The greatest value allowed.
    pub high: Option<Decimal>,
}

impl Range {
    /// Whether `n` lies within the bounds.
    pub fn contains(&self, n: Decimal) -> bool {
        self.low.is_none_or(|low| n >= low) && self.high.is_none_or(|high| n <= high)
    }

    /// The range as written: `1..4`, `0..`.
    pub fn words(&self) -> String {
        let bound = |b: Option<Decimal>| b.map_or_else(String::new, |n| n.normalize().to_string());
        format!("{}..{}", bound(self.low), bound(self.high))
    }
}

/// What an aggregating judgement combines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member {
    /// Another judgement (by index), graded first.
    Judgement(usize),
    /// A grade given as evidence (the field's slot).
    Field(usize),
}

/// Whether the evidence path `field` lies inside the object at `path`
/// (`crime.rate` inside `crime`).
pub fn path_within(field: &str, path: &str) -> bool {
    field.len() > path.len() && field.starts_with(path) && field.as_bytes()[path.len()] == b'.'
}

impl Policy {
    /// Every condition of every rule, cap and floor, every grade a limit
    /// follows, and every let's expression.
    pub(crate) fn expressions(&self) -> impl Iterator<Item = &Expr> {
        self.judgements
            .iter()
            .flat_map(|j| j.rules.iter().chain(&j.caps).chain(&j.floors))
            .flat_map(|r| std::iter::once(&r.condition).chain(r.follows.as_ref().map(|f| &f.grade)))
            .chain(self.lets.iter().map(|l| &l.expr))
    }

    /// A judgement's index by its id.
    pub fn judgement_index(&self, id: &str) -> Option<usize> {
        self.judgements.iter().position(|j| j.id == id)
    }

    /// The grade scale and the level scales, as values are converted by them.
    pub fn scales(&self) -> (&GradeScale, &[LevelScale]) {
        (&self.grades, &self.scales)
    }

    /// A value as people read it, by this policy's scales.
    pub fn show(&self, value: Value) -> String {
        crate::value::show(value, &self.grades, &self.scales)
    }

    /// The source text of an expression of this policy, on one line.
    pub fn text_of(&self, span: Span) -> String {
        crate::value::one_line(self.source.slice(span))
    }
}
