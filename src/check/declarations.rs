//! Declarations: the grade scale, level scales, evidence fields and lets.

use super::{Binding, Checker};
use crate::diagnostics::{Code, did_you_mean};
use crate::policy::{
    ABOUT_KEY, DEPARTURES_KEY, Field, Let, LevelScale, RESERVED_KEYS, Range, collect_reads,
    path_within,
};
use crate::source::Span;
use crate::syntax::DEFAULT_GRADES;
use crate::syntax::ast::{FieldDecl, Ident, Literal, PolicyAst, TypeExpr};
use crate::value::{Type, Unit, Value};
use rust_decimal::Decimal;

/// Grades are ranks in a byte and levels positions in two; far beyond any real scale.
const MAX_GRADES: usize = 200;
const MAX_LEVELS: usize = 10_000;

impl Checker {
    pub(super) fn declare_grades(&mut self, ast: &PolicyAst) {
        self.default_grades = ast.grades.is_empty();
        for extra in ast.grades.iter().skip(1) {
            let diagnostic = self
                .error(Code::Duplicate, "the grade scale is declared twice")
                .primary(extra.span, "declared again here")
                .label(ast.grades[0].span, "first declared here")
                .help("a policy has one grade scale; remove one of the declarations");
            self.report(diagnostic);
        }
        let declared: Vec<(String, Option<Decimal>, Span)> = match ast.grades.first() {
            Some(decl) => decl
                .grades
                .iter()
                .map(|(g, p)| (g.name.clone(), *p, g.span))
                .collect(),
            None => DEFAULT_GRADES
                .iter()
                .map(|g| (g.to_string(), None, Span::default()))
                .collect(),
        };
        if declared.len() > MAX_GRADES {
            let span = ast.grades.first().map_or(Span::default(), |d| {
                Span::new(d.span.start, d.span.start + "grades".len())
            });
            self.report_too_many("grades", declared.len(), MAX_GRADES, span);
            return;
        }
        // Declared best first; kept worst first so that rank order is grade order.
        for (rank, (name, points, span)) in declared.into_iter().rev().enumerate() {
            if self.grades.rank(&name).is_some() {
                let diagnostic = self
                    .error(
                        Code::Duplicate,
                        format!("grade `{name}` appears twice in the scale"),
                    )
                    .primary(span, "repeated here")
                    .help("each grade appears once, best first: `grades good > fair > poor`");
                self.report(diagnostic);
                continue;
            }
            self.grades.names.push(name);
            self.grades
                .points
                .push(points.unwrap_or_else(|| Decimal::from(rank)));
        }
    }

    pub(super) fn declare_scales(&mut self, ast: &PolicyAst) {
        for decl in &ast.scales {
            if self.scales.iter().any(|s| s.name == decl.name.name) {
                let diagnostic = self
                    .error(
                        Code::Duplicate,
                        format!("scale `{}` is declared twice", decl.name.name),
                    )
                    .primary(decl.name.span, "declared again here")
                    .help("rename one of the scales");
                self.report(diagnostic);
                continue;
            }
            let scale = self.level_scale(&decl.name.name, &decl.levels);
            self.scales.push(scale);
        }
    }

    fn report_too_many(&mut self, what: &str, count: usize, limit: usize, span: Span) {
        let diagnostic = self
            .error(Code::PolicyLimit, format!("{count} {what} in one scale; insp allows at most {limit}"))
            .primary(span, "this scale")
            .help("a scale this long is almost certainly a mistake; methodologies use a handful of grades and levels");
        self.report(diagnostic);
    }

    fn level_scale(&mut self, name: &str, levels: &[Ident]) -> LevelScale {
        if levels.len() > MAX_LEVELS {
            let span = levels[0].span;
            self.report_too_many("levels", levels.len(), MAX_LEVELS, span);
            return LevelScale {
                name: name.to_string(),
                levels: vec![levels[0].name.clone()],
            };
        }
        let mut names: Vec<String> = Vec::new();
        for level in levels {
            if names.contains(&level.name) {
                let diagnostic = self
                    .error(
                        Code::Duplicate,
                        format!("level `{}` appears twice in a scale", level.name),
                    )
                    .primary(level.span, "repeated here")
                    .help("list each level once, lowest first: `weak < adequate < strong`");
                self.report(diagnostic);
            } else {
                names.push(level.name.clone());
            }
        }
        LevelScale {
            name: name.to_string(),
            levels: names,
        }
    }

    pub(super) fn declare_fields(&mut self, ast: &PolicyAst) {
        for decl in &ast.fields {
            let Some(ty) = self.field_type(decl) else {
                continue;
            };
            self.check_path_prefixes(decl);
            self.check_reserved_key(decl);
            let Some(range) = self.range(decl, &ty) else {
                continue;
            };
            let (default, default_text) = match &decl.default {
                Some(literal) => match self.default_value(literal, &ty, &decl.path.name) {
                    Some(value) => value,
                    None => continue,
                },
                None => (None, None),
            };
            let whole = matches!(decl.ty, TypeExpr::Whole(_));
            if !self.default_fits(decl, default, range, whole) {
                continue;
            }
            let slot = self.fields.len();
            self.fields.push(Field {
                path: decl.path.name.clone(),
                segments: decl.path.name.split('.').map(String::from).collect(),
                ty,
                default,
                default_text,
                range,
                whole,
                optional: decl.optional.is_some(),
                description: decl.description.clone(),
                span: decl.path.span,
            });
            self.bind(&decl.path.name, decl.path.span, Binding::Field(slot));
        }
    }

    fn field_type(&mut self, decl: &FieldDecl) -> Option<Type> {
        let unit = |u: &Option<String>| u.clone().map_or(Unit::None, Unit::Named);
        Some(match &decl.ty {
            TypeExpr::Number(u) | TypeExpr::Whole(u) => Type::Number(unit(u)),
            TypeExpr::Grade => Type::Grade,
            TypeExpr::Estimate(u) => Type::Estimate(unit(u)),
            TypeExpr::Bool => Type::Bool,
            TypeExpr::Text => Type::Text,
            TypeExpr::LevelInline(levels) => {
                let scale = self.level_scale(&decl.path.name, levels);
                self.scales.push(scale);
                Type::Level(self.scales.len() - 1)
            }
            TypeExpr::LevelNamed(name) => {
                match self.scales.iter().position(|s| s.name == name.name) {
                    Some(index) => Type::Level(index),
                    None => {
                        let guess =
                            did_you_mean(&name.name, self.scales.iter().map(|s| s.name.as_str()));
                        let diagnostic = self
                        .error(Code::UnknownName, format!("no level scale is called `{}`", name.name))
                        .primary(name.span, "unknown scale")
                        .help(match guess {
                            Some(g) => format!("did you mean `{g}`?"),
                            None => format!(
                                "declare it first: `scale {} = low < high`, or list the levels here: `level low < high`",
                                name.name
                            ),
                        });
                        self.report(diagnostic);
                        return None;
                    }
                }
            }
        })
    }

    /// The declared range, checked: only numbers and estimates have one, and
    /// its bounds are in order. `None` after reporting a problem.
    fn range(&mut self, decl: &FieldDecl, ty: &Type) -> Option<Range> {
        let Some(declared) = &decl.range else {
            return Some(Range::default());
        };
        if !matches!(ty, Type::Number(_) | Type::Estimate(_)) {
            let diagnostic = self
                .error(
                    Code::TypeMismatch,
                    format!("`{}` is {}, which has no range", decl.path.name, ty.describe(&self.scales)),
                )
                .primary(declared.span, "a range of values")
                .help("ranges apply to numbers, whole numbers, percentages and estimates: `score : whole 1..4`");
            self.report(diagnostic);
            return None;
        }
        let range = Range {
            low: declared.low.map(|(n, _)| n),
            high: declared.high.map(|(n, _)| n),
        };
        if let (Some(low), Some(high)) = (range.low, range.high)
            && low > high
        {
            let diagnostic = self
                .error(
                    Code::TypeMismatch,
                    format!(
                        "the range of `{}` is empty: {} is above {}",
                        decl.path.name, low, high
                    ),
                )
                .primary(declared.span, "no value lies in this range")
                .help("write the lower bound first: `1..4`");
            self.report(diagnostic);
            return None;
        }
        Some(range)
    }

    /// A default must lie within the range and be whole where the field is,
    /// and an `optional` field has none (absent means not assessed).
    fn default_fits(
        &mut self,
        decl: &FieldDecl,
        default: Option<Value>,
        range: Range,
        whole: bool,
    ) -> bool {
        let path = &decl.path.name;
        if let (Some(optional), Some(literal)) = (decl.optional, &decl.default) {
            let diagnostic = self
                .error(Code::TypeMismatch, format!("`{path}` is optional and has a default"))
                .primary(literal.span(), "a default")
                .label(optional, "optional")
                .help("an optional field left out is not assessed; a default would grade it as if it were. Keep one of the two");
            self.report(diagnostic);
            return false;
        }
        let number = match default {
            Some(Value::Number(n)) | Some(Value::Estimate { value: n, .. }) => n,
            _ => return true,
        };
        let problem = if !range.contains(number) {
            format!("outside its range {}", range.words())
        } else if whole && !number.fract().is_zero() {
            "not a whole number".to_string()
        } else {
            return true;
        };
        let span = decl.default.as_ref().map_or(decl.path.span, Literal::span);
        let diagnostic = self
            .error(
                Code::TypeMismatch,
                format!("the default of `{path}` is {problem}"),
            )
            .primary(span, "this default")
            .help("give a default the evidence itself could hold");
        self.report(diagnostic);
        false
    }

    /// `crime` and `crime.rate` cannot both be fields: JSON cannot hold both.
    fn check_path_prefixes(&mut self, decl: &FieldDecl) {
        let path = &decl.path.name;
        let clash = self
            .fields
            .iter()
            .find(|f| path_within(path, &f.path) || path_within(&f.path, path));
        if let Some(other) = clash {
            let diagnostic = self
                .error(
                    Code::Duplicate,
                    format!("`{path}` and `{}` cannot both be evidence fields", other.path),
                )
                .primary(decl.path.span, "declared here")
                .label(other.span, "clashes with this field")
                .help("a JSON value is either an object holding fields or a value itself; rename one of them");
            self.report(diagnostic);
        }
    }

    /// `departures` and `about` are an evidence file's own keys, read as
    /// departures and ignored as provenance: a field there could not be given.
    fn check_reserved_key(&mut self, decl: &FieldDecl) {
        let top = decl.path.name.split('.').next().unwrap_or_default();
        if !RESERVED_KEYS.contains(&top) {
            return;
        }
        let diagnostic = self
            .error(
                Code::Duplicate,
                format!("`{top}` is a reserved key of evidence files, not a field name"),
            )
            .primary(decl.path.span, "declared here")
            .help(format!(
                "evidence files record departures under `{DEPARTURES_KEY}` and where their figures come from under `{ABOUT_KEY}`; rename the field"
            ));
        self.report(diagnostic);
    }

    /// Checks a declared default against the field's type.
    #[allow(clippy::type_complexity)]
    fn default_value(
        &mut self,
        literal: &Literal,
        ty: &Type,
        path: &str,
    ) -> Option<(Option<Value>, Option<String>)> {
        let value = match (literal, ty) {
            (Literal::Number(n, _), Type::Number(_)) => Value::Number(*n),
            (Literal::Estimate(v, m, _), Type::Estimate(_)) => Value::Estimate {
                value: *v,
                margin: *m,
            },
            (Literal::Bool(b, _), Type::Bool) => Value::Bool(*b),
            (Literal::Name(grade), Type::Grade) => {
                Value::Grade(self.grade(&grade.name, grade.span)?)
            }
            (Literal::Text(t, _), Type::Text) => return Some((Some(Value::Text), Some(t.clone()))),
            (Literal::Name(level), Type::Level(scale)) => {
                match self.scales[*scale]
                    .levels
                    .iter()
                    .position(|l| *l == level.name)
                {
                    Some(index) => Value::Level {
                        scale: *scale as u16,
                        index: index as u16,
                    },
                    None => {
                        let levels = self.scales[*scale].levels.join(" < ");
                        let diagnostic = self
                            .error(
                                Code::TypeMismatch,
                                format!("`{}` is not a level of `{path}`", level.name),
                            )
                            .primary(level.span, "not one of its levels")
                            .help(format!("the levels are: {levels}"));
                        self.report(diagnostic);
                        return None;
                    }
                }
            }
            _ => {
                let expected = ty.describe(&self.scales);
                let diagnostic = self
                    .error(
                        Code::TypeMismatch,
                        format!("the default of `{path}` is not {expected}"),
                    )
                    .primary(literal.span(), "this default")
                    .help(format!(
                        "give a default that is {expected}, or none to make the field required"
                    ));
                self.report(diagnostic);
                return None;
            }
        };
        Some((Some(value), None))
    }

    pub(super) fn declare_judgement_ids(&mut self, ast: &PolicyAst) {
        for decl in &ast.judgements {
            let index = self.judgement_ids.len();
            self.judgement_ids
                .push((decl.id.name.clone(), decl.id.span));
            self.bind(&decl.id.name, decl.id.span, Binding::Judgement(index));
        }
    }

    pub(super) fn check_lets(&mut self, ast: &PolicyAst) {
        for decl in &ast.lets {
            let scope = super::expr::Scope::for_let();
            let Some((expr, ty)) = self.expr(&decl.value, &scope, None) else {
                self.broken_lets.push(decl.name.clone());
                continue;
            };
            let depth = self.bounded_depth(&expr, &format!("`{}`", decl.name.name));
            self.let_depths.push(depth);
            let mut reads = Vec::new();
            collect_reads(&expr, &self.lets, &mut reads);
            let index = self.lets.len();
            self.lets.push(Let {
                name: decl.name.name.clone(),
                expr,
                ty,
                span: decl.name.span,
                reads,
            });
            self.bind(&decl.name.name, decl.name.span, Binding::Let(index));
        }
    }
}
