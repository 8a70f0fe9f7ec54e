//! The compiled policy: what `check` produces and every later stage reads.
//! Evidence paths are slots, names are indices, types and units are checked.
//! Its vocabulary (operators, strategies, scales, values) is re-exported here
//! so that no later stage reaches back into the syntax or the checker.

mod expr;

pub use crate::syntax::ast::{CmpOp, EstOp, JudgementKind, Strategy};
pub use crate::value::{GradeScale, LevelScale, Type, Unit, Value};
pub use expr::{ArithOp, Expr, ExprKind, NumFn, collect_reads, visit};

use crate::diagnostics::Diagnostic;
use crate::source::{Source, Span};

pub struct Policy {
    pub name: String,
    pub source: Source,
    pub grades: GradeScale,
    pub scales: Vec<LevelScale>,
    /// Evidence fields; a field's index is its slot in `Evidence`.
    pub fields: Vec<Field>,
    /// The first text field: the name of the organisation inspected.
    pub subject: Option<usize>,
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

pub struct Field {
    pub path: String,
    pub segments: Vec<String>,
    pub ty: Type,
    pub default: Option<Value>,
    /// The default of a text field.
    pub default_text: Option<String>,
    pub description: Option<String>,
    pub span: Span,
}

pub struct Let {
    pub name: String,
    pub expr: Expr,
    pub ty: Type,
    pub span: Span,
    /// Evidence slots this let reads, directly or through other lets.
    pub reads: Vec<usize>,
}

pub struct Judgement {
    pub id: String,
    pub title: String,
    pub kind: JudgementKind,
    /// The judgements this one aggregates (`of ...`).
    pub members: Vec<usize>,
    pub strategy: Strategy,
    pub rules: Vec<Rule>,
    pub otherwise: Option<Otherwise>,
    pub caps: Vec<Rule>,
    pub floors: Vec<Rule>,
    /// The judgements this one reads: its members and any graded in its rules.
    pub depends_on: Vec<usize>,
    pub span: Span,
}

pub struct Rule {
    pub grade: u8,
    pub condition: Expr,
    pub because: Option<String>,
    pub span: Span,
    /// Evidence slots the condition reads, directly or through lets.
    pub reads: Vec<usize>,
}

pub struct Otherwise {
    pub grade: u8,
    pub because: Option<String>,
    pub span: Span,
}

/// Whether the evidence path `field` lies inside the object at `path`
/// (`crime.rate` inside `crime`).
pub fn path_within(field: &str, path: &str) -> bool {
    field.len() > path.len() && field.starts_with(path) && field.as_bytes()[path.len()] == b'.'
}

impl Policy {
    /// Every condition of every rule, cap and floor, and every let's expression.
    pub fn expressions(&self) -> impl Iterator<Item = &Expr> {
        self.judgements
            .iter()
            .flat_map(|j| j.rules.iter().chain(&j.caps).chain(&j.floors))
            .map(|r| &r.condition)
            .chain(self.lets.iter().map(|l| &l.expr))
    }

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
