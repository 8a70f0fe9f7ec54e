//! Expressions: name resolution, types and units.

use super::{Binding, Checker};
use crate::diagnostics::{Code, did_you_mean};
use crate::policy::{ArithOp, Expr, ExprKind, NumFn};
use crate::source::Span;
use crate::syntax::ast::{self, BinOp, CallArg, CmpOp, EstOp, Ident, UnOp};
use crate::value::{Type, Unit, Value};

/// Where an expression stands, which decides what it may read.
pub(super) struct Scope {
    /// The judgement whose rule this is (`None` in a let).
    pub judgement: Option<usize>,
    /// Whether the judgement aggregates others (`count(...)` and friends).
    pub aggregates: bool,
}

impl Scope {
    pub fn for_let() -> Self {
        Scope {
            judgement: None,
            aggregates: false,
        }
    }
}

const FUNCTIONS: &[&str] = &[
    "count", "lowest", "highest", "points", "members", "assessed", "abs", "min", "max", "lower",
    "upper", "value",
];

type Checked = Option<(Expr, Type)>;

impl Checker {
    /// Checks an expression; `hint` is the type of the other operand of a
    /// comparison, which decides what a bare level or grade name means.
    pub(super) fn expr(&mut self, expr: &ast::Expr, scope: &Scope, hint: Option<&Type>) -> Checked {
        let span = expr.span;
        let node = |kind| Expr { kind, span };
        match &expr.kind {
            ast::ExprKind::Number(n) => Some((
                node(ExprKind::Const(Value::Number(*n))),
                Type::Number(Unit::Any),
            )),
            ast::ExprKind::Bool(b) => Some((node(ExprKind::Const(Value::Bool(*b))), Type::Bool)),
            ast::ExprKind::Text(_) => {
                let diagnostic = self
                    .error(
                        Code::TypeMismatch,
                        "text can only be compared with a text field",
                    )
                    .primary(span, "text here")
                    .help("write `force == \"Norfolk\"`: a text field compared with `==` or `!=`");
                self.report(diagnostic);
                None
            }
            ast::ExprKind::Name(name) => self.name(name, span, scope, hint),
            ast::ExprKind::Unary(op, operand) => self.unary(*op, operand, span, scope),
            ast::ExprKind::Binary(op, lhs, rhs) => self.binary(*op, lhs, rhs, span, scope),
            ast::ExprKind::Call(function, args) => self.call(function, args, span, scope, hint),
            ast::ExprKind::Paren(inner) => {
                let (checked, ty) = self.expr(inner, scope, hint)?;
                Some((Expr { span, ..checked }, ty))
            }
        }
    }

    /// Checks a condition: it must be true or false.
    pub(super) fn condition(&mut self, expr: &ast::Expr, scope: &Scope) -> Option<Expr> {
        let (checked, ty) = self.expr(expr, scope, Some(&Type::Bool))?;
        if ty != Type::Bool {
            self.report_found(
                expr.span,
                &ty,
                "a condition must be true or false",
                "compare it with something, e.g. `crime.rate < crime.national_rate`",
            );
            return None;
        }
        Some(checked)
    }

    /// A value of the wrong type: "EXPECTED, but this is a number (percent)".
    fn report_found(&mut self, span: Span, ty: &Type, expected: &str, help: &str) {
        let found = ty.describe(&self.scales);
        let diagnostic = self
            .error(
                Code::TypeMismatch,
                format!("{expected}, but this is {found}"),
            )
            .primary(span, format!("this is {found}"))
            .help(help);
        self.report(diagnostic);
    }

    fn name(&mut self, name: &str, span: Span, scope: &Scope, hint: Option<&Type>) -> Checked {
        let node = |kind| Expr { kind, span };
        match self.names.get(name).copied() {
            Some(Binding::Field(slot)) => {
                return Some((node(ExprKind::Field(slot)), self.fields[slot].ty.clone()));
            }
            Some(Binding::Let(index)) => {
                return Some((node(ExprKind::Let(index)), self.lets[index].ty.clone()));
            }
            Some(Binding::Judgement(index)) => return self.judgement_ref(index, span, scope),
            None if self.broken_lets.iter().any(|l| l.name == name) => {
                return None; // the let's own error is the one to fix
            }
            None => {}
        }
        if let Some(Type::Level(scale)) = hint
            && let Some(level) = self.scales[*scale].levels.iter().position(|l| l == name)
        {
            let value = Value::Level {
                scale: *scale as u16,
                index: level as u16,
            };
            return Some((node(ExprKind::Const(value)), Type::Level(*scale)));
        }
        if let Some(rank) = self.grades.rank(name) {
            return Some((node(ExprKind::Const(Value::Grade(rank))), Type::Grade));
        }
        self.unknown_name(name, span, hint);
        None
    }

    fn judgement_ref(&mut self, index: usize, span: Span, scope: &Scope) -> Checked {
        let id = self.judgement_ids[index].0.clone();
        let problem = match scope.judgement {
            None => Some((
                "a let cannot read a judgement's grade",
                "read judgement grades in a rule, e.g. `at most good when investigating <= requires_improvement`",
            )),
            Some(current) if current == index => Some((
                "a judgement cannot read its own grade",
                "read the grade of another judgement, or the evidence itself",
            )),
            _ => None,
        };
        if let Some((message, help)) = problem {
            let diagnostic = self
                .error(Code::Cycle, format!("{message} (`{id}`)"))
                .primary(span, "read here")
                .help(help);
            self.report(diagnostic);
            return None;
        }
        Some((
            Expr {
                kind: ExprKind::Grade(index),
                span,
            },
            Type::Grade,
        ))
    }

    fn unknown_name(&mut self, name: &str, span: Span, hint: Option<&Type>) {
        let mut candidates: Vec<String> = self.names.keys().cloned().collect();
        candidates.extend(self.grades.names.iter().cloned());
        if let Some(Type::Level(scale)) = hint {
            candidates.extend(self.scales[*scale].levels.iter().cloned());
        }
        candidates.sort();
        let mut diagnostic = self
            .error(Code::UnknownName, format!("`{name}` is not declared"))
            .primary(span, "unknown name");
        let guess = did_you_mean(name, candidates.iter().map(String::as_str))
            .map(str::to_string)
            .or_else(|| self.let_sharing_a_word(name));
        if let Some(declared) = guess.as_deref().and_then(|g| self.let_declaration(g)) {
            diagnostic = diagnostic.label(
                declared,
                format!(
                    "the let `{}` is declared here",
                    guess.as_deref().unwrap_or_default()
                ),
            );
        }
        diagnostic = match guess {
            Some(guess) => diagnostic.help(format!("did you mean `{guess}`?")),
            None => match hint {
                Some(Type::Level(scale)) => diagnostic.help(format!(
                    "compared with a level, it must be one of: {}",
                    self.scales[*scale].levels.join(" < ")
                )),
                _ => diagnostic.help("declare it in the `evidence { ... }` block, or with `let`"),
            },
        };
        self.report(diagnostic);
    }

    /// A let whose name and `name` share a word (`ratio` for `crime_ratio`):
    /// too far apart for "did you mean" by spelling, but what the author
    /// most likely meant.
    fn let_sharing_a_word(&self, name: &str) -> Option<String> {
        let words = |n: &str| {
            n.split('_')
                .filter(|w| w.len() > 2)
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        let used = words(name);
        let lets = self.lets.iter().map(|l| &l.name);
        let broken = self.broken_lets.iter().map(|l| &l.name);
        lets.chain(broken)
            .find(|declared| words(declared).iter().any(|w| used.contains(w)))
            .cloned()
    }

    /// Where the let `name` is declared, whether or not its definition checked.
    fn let_declaration(&self, name: &str) -> Option<Span> {
        let checked = self.lets.iter().find(|l| l.name == name).map(|l| l.span);
        checked.or_else(|| {
            self.broken_lets
                .iter()
                .find(|l| l.name == name)
                .map(|l| l.span)
        })
    }

    fn unary(&mut self, op: UnOp, operand: &ast::Expr, span: Span, scope: &Scope) -> Checked {
        let hint = match op {
            UnOp::Not => Type::Bool,
            UnOp::Neg => Type::Number(Unit::Any),
        };
        let (inner, ty) = self.expr(operand, scope, Some(&hint))?;
        let (kind, ok) = match op {
            UnOp::Not => (ExprKind::Not(Box::new(inner)), ty == Type::Bool),
            UnOp::Neg => (
                ExprKind::Neg(Box::new(inner)),
                matches!(ty, Type::Number(_)),
            ),
        };
        if !ok {
            let (needs, word) = match op {
                UnOp::Not => ("true or false", "`not`"),
                UnOp::Neg => ("a number", "`-`"),
            };
            let help = format!("{word} applies to {needs} only");
            self.report_found(operand.span, &ty, &format!("{word} needs {needs}"), &help);
            return None;
        }
        Some((Expr { kind, span }, ty))
    }

    fn binary(
        &mut self,
        op: BinOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
        scope: &Scope,
    ) -> Checked {
        match op {
            BinOp::And | BinOp::Or => {
                let l = self.condition(lhs, scope);
                let r = self.condition(rhs, scope);
                let (l, r) = (Box::new(l?), Box::new(r?));
                let kind = if op == BinOp::And {
                    ExprKind::And(l, r)
                } else {
                    ExprKind::Or(l, r)
                };
                Some((Expr { kind, span }, Type::Bool))
            }
            BinOp::Cmp(cmp) => self.compare(cmp, lhs, rhs, span, scope),
            BinOp::Est(est) => self.estimate_compare(est, lhs, rhs, span, scope),
            BinOp::Add => self.arithmetic(ArithOp::Add, lhs, rhs, span, scope),
            BinOp::Sub => self.arithmetic(ArithOp::Sub, lhs, rhs, span, scope),
            BinOp::Mul => self.arithmetic(ArithOp::Mul, lhs, rhs, span, scope),
            BinOp::Div => self.arithmetic(ArithOp::Div, lhs, rhs, span, scope),
        }
    }

    /// Checks both operands of a comparison. A bare name that is not a value
    /// (a level or grade name) is checked second, with the other side's type
    /// as its hint.
    fn operands(
        &mut self,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        scope: &Scope,
    ) -> Option<((Expr, Type), (Expr, Type))> {
        // A bare level or grade name, and a helper's result, take their type
        // from the other side; a grade name has a type of its own.
        let is_bare_name = |e: &ast::Expr| matches!(&e.kind, ast::ExprKind::Name(n) if !self.names.contains_key(n));
        let is_helper = |e: &ast::Expr| matches!(&e.kind, ast::ExprKind::Call(f, _) if self.helper(&f.name).is_some());
        let needs_hint = |e: &ast::Expr| is_bare_name(e) || is_helper(e);
        if needs_hint(lhs) && (!needs_hint(rhs) || is_helper(lhs) && is_bare_name(rhs)) {
            let r = self.expr(rhs, scope, None)?;
            let l = self.expr(lhs, scope, Some(&r.1))?;
            Some((l, r))
        } else {
            let l = self.expr(lhs, scope, None);
            let r = self.expr(rhs, scope, l.as_ref().map(|(_, t)| t));
            Some((l?, r?))
        }
    }

    fn compare(
        &mut self,
        op: CmpOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
        scope: &Scope,
    ) -> Checked {
        if let Some(text) = self.text_comparison(op, lhs, rhs, span) {
            return text;
        }
        let ((l, lt), (r, rt)) = self.operands(lhs, rhs, scope)?;
        let ordered = !matches!(op, CmpOp::Eq | CmpOp::Ne);
        let ok = match (&lt, &rt) {
            (Type::Number(a) | Type::Estimate(a), Type::Number(b) | Type::Estimate(b)) => {
                self.unify_units(a, b, lhs.span, rhs.span).is_some()
            }
            (Type::Level(a), Type::Level(b)) => a == b || self.level_mismatch(*a, *b, span),
            (Type::Grade, Type::Grade) => true,
            (Type::Bool, Type::Bool) if !ordered => true,
            _ => {
                self.mismatch(&format!("`{}`", op.symbol()), &lt, &rt, lhs.span, rhs.span);
                false
            }
        };
        if !ok {
            return None;
        }
        if matches!(lt, Type::Estimate(_)) || matches!(rt, Type::Estimate(_)) {
            let estimate = if matches!(lt, Type::Estimate(_)) {
                l.span
            } else {
                r.span
            };
            self.lint_point_comparison(op, estimate, span);
        }
        let (l, r) = (point_value(l, &lt), point_value(r, &rt));
        Some((
            Expr {
                kind: ExprKind::Compare(op, Box::new(l), Box::new(r)),
                span,
            },
            Type::Bool,
        ))
    }

    /// A bare `>` on an estimate compares point values: allowed, with a lint.
    fn lint_point_comparison(&mut self, op: CmpOp, estimate: Span, comparison: Span) {
        let diagnostic = self
            .warning(Code::EstimatePointComparison, format!("`{}` compares an estimate by its point value alone", op.symbol()))
            .primary(comparison, "its margin of error is ignored here")
            .label(estimate, "an estimate")
            .help("use `significantly above`, `significantly below` or `in line with` to take the margin into account");
        self.report(diagnostic);
    }

    fn level_mismatch(&mut self, a: usize, b: usize, span: Span) -> bool {
        let (left, right) = (
            self.scales[a].levels.join(" < "),
            self.scales[b].levels.join(" < "),
        );
        let diagnostic = self
            .error(Code::TypeMismatch, "these levels come from different scales")
            .primary(span, "compared here")
            .help(format!(
                "one side is on the scale {left}, the other on {right}; declare both fields with one named `scale` to compare them"
            ));
        self.report(diagnostic);
        false
    }

    /// `force == "Norfolk"`: a text field against a text literal.
    fn text_comparison(
        &mut self,
        op: CmpOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
    ) -> Option<Checked> {
        let (field_side, text) = match (&lhs.kind, &rhs.kind) {
            (_, ast::ExprKind::Text(t)) => (lhs, t),
            (ast::ExprKind::Text(t), _) => (rhs, t),
            _ => return None,
        };
        let slot = match &field_side.kind {
            ast::ExprKind::Name(name) => match self.names.get(name) {
                Some(Binding::Field(slot)) if self.fields[*slot].ty == Type::Text => Some(*slot),
                _ => None,
            },
            _ => None,
        };
        let Some(field) = slot.filter(|_| matches!(op, CmpOp::Eq | CmpOp::Ne)) else {
            let diagnostic = self
                .error(
                    Code::TypeMismatch,
                    "text can only be compared with a text field, by `==` or `!=`",
                )
                .primary(span, "this comparison")
                .help("write `force == \"Norfolk\"` with a field declared as `text`");
            self.report(diagnostic);
            return Some(None);
        };
        let kind = ExprKind::TextEq {
            field,
            text: text.as_str().into(),
            negate: op == CmpOp::Ne,
        };
        Some(Some((Expr { kind, span }, Type::Bool)))
    }

    fn estimate_compare(
        &mut self,
        op: EstOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
        scope: &Scope,
    ) -> Checked {
        let ((l, lt), (r, rt)) = self.operands(lhs, rhs, scope)?;
        match (&lt, &rt) {
            (Type::Number(a) | Type::Estimate(a), Type::Number(b) | Type::Estimate(b)) => {
                self.unify_units(a, b, lhs.span, rhs.span)?;
            }
            _ => {
                self.mismatch(&format!("`{}`", op.words()), &lt, &rt, lhs.span, rhs.span);
                return None;
            }
        }
        Some((
            Expr {
                kind: ExprKind::Estimate(op, Box::new(l), Box::new(r)),
                span,
            },
            Type::Bool,
        ))
    }

    fn arithmetic(
        &mut self,
        op: ArithOp,
        lhs: &ast::Expr,
        rhs: &ast::Expr,
        span: Span,
        scope: &Scope,
    ) -> Checked {
        let number = Type::Number(Unit::Any);
        let l = self.expr(lhs, scope, Some(&number));
        let r = self.expr(rhs, scope, Some(&number));
        let ((l, lt), (r, rt)) = (l?, r?);
        let symbol = match op {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        };
        let (Type::Number(a), Type::Number(b)) = (&lt, &rt) else {
            let help_estimate = matches!(lt, Type::Estimate(_)) || matches!(rt, Type::Estimate(_));
            self.mismatch(&format!("`{symbol}`"), &lt, &rt, lhs.span, rhs.span);
            if help_estimate && let Some(last) = self.diagnostics.last_mut() {
                last.help = Some("arithmetic on estimates is not defined; compare them with `significantly above`, `significantly below` or `in line with`".to_string());
            }
            return None;
        };
        let unit = match op {
            ArithOp::Add | ArithOp::Sub => self.unify_units(a, b, lhs.span, rhs.span)?,
            ArithOp::Mul => self.multiply_units(a, b, span)?,
            ArithOp::Div => self.divide_units(a, b, span)?,
        };
        let kind = ExprKind::Arith(op, Box::new(l), Box::new(r));
        Some((Expr { kind, span }, Type::Number(unit)))
    }

    /// The unit of `a + b` or `a < b`: both the same, or a literal taking the other's.
    fn unify_units(&mut self, a: &Unit, b: &Unit, a_span: Span, b_span: Span) -> Option<Unit> {
        match (a, b) {
            (Unit::Any, other) | (other, Unit::Any) => Some(other.clone()),
            (x, y) if x == y => Some(x.clone()),
            _ => {
                let diagnostic = self
                    .error(Code::Unit, format!("cannot combine {a} with {b}"))
                    .primary(a_span, format!("{a}"))
                    .label(b_span, format!("{b}"))
                    .help("quantities with different units cannot be compared or added; compare like with like (e.g. a rate per 1000 households with another per 1000 households)");
                self.report(diagnostic);
                None
            }
        }
    }

    fn multiply_units(&mut self, a: &Unit, b: &Unit, span: Span) -> Option<Unit> {
        match (a, b) {
            (Unit::Any | Unit::None, other) | (other, Unit::Any | Unit::None) => {
                Some(other.clone())
            }
            _ => {
                let diagnostic = self
                    .error(Code::Unit, format!("cannot multiply {a} by {b}"))
                    .primary(span, "both sides have units")
                    .help("multiply a quantity by a plain number or a ratio, e.g. `0.8 * crime.national_rate`");
                self.report(diagnostic);
                None
            }
        }
    }

    fn divide_units(&mut self, a: &Unit, b: &Unit, span: Span) -> Option<Unit> {
        match (a, b) {
            (other, Unit::Any | Unit::None) => Some(other.clone()),
            (x, y) if x == y => Some(Unit::None),
            _ => {
                let diagnostic = self
                    .error(Code::Unit, format!("cannot divide {a} by {b}"))
                    .primary(span, "the units do not cancel")
                    .help("divide like by like to get a ratio, e.g. `crime.rate / crime.national_rate`");
                self.report(diagnostic);
                None
            }
        }
    }

    fn mismatch(&mut self, what: &str, lt: &Type, rt: &Type, l_span: Span, r_span: Span) {
        let (l, r) = (lt.describe(&self.scales), rt.describe(&self.scales));
        let diagnostic = self
            .error(Code::TypeMismatch, format!("{what} cannot be applied to {l} and {r}"))
            .primary(l_span, format!("this is {l}"))
            .label(r_span, format!("this is {r}"))
            .help("numbers compare with numbers, levels with levels of the same scale, grades with grades, and true/false only with `==` or `!=`");
        self.report(diagnostic);
    }

    fn call(
        &mut self,
        function: &Ident,
        args: &[CallArg],
        span: Span,
        scope: &Scope,
        hint: Option<&Type>,
    ) -> Checked {
        let node = |kind| Expr { kind, span };
        let name = function.name.as_str();
        if !FUNCTIONS.contains(&name)
            && let Some(helper) = self.helper(name)
        {
            return self.helper_call(helper, args, span, scope, hint);
        }
        if matches!(
            name,
            "count" | "lowest" | "highest" | "points" | "members" | "assessed"
        ) && !scope.aggregates
        {
            let diagnostic = self
                .error(Code::AggregateWithoutMembers, format!("`{name}(...)` needs a judgement that aggregates others"))
                .primary(function.span, "used here")
                .help("use it in `judgement id \"title\" of a, b { ... }` or `overall \"title\" { ... }`");
            self.report(diagnostic);
            return None;
        }
        match (name, args) {
            ("count", [arg]) => {
                let (op, grade) = self.grade_filter(arg)?;
                Some((node(ExprKind::Count(op, grade)), Type::Number(Unit::None)))
            }
            ("lowest", []) => Some((node(ExprKind::Lowest), Type::Grade)),
            ("highest", []) => Some((node(ExprKind::Highest), Type::Grade)),
            ("points", []) => Some((node(ExprKind::Points), Type::Number(Unit::None))),
            ("members", []) => Some((node(ExprKind::Members), Type::Number(Unit::None))),
            ("assessed", []) => Some((node(ExprKind::Assessed), Type::Number(Unit::None))),
            ("lower" | "upper" | "value", [CallArg::Expr(x)]) => {
                let (x, unit) = self.estimate_arg(x, scope)?;
                let kind = match name {
                    "value" => ExprKind::PointValue(Box::new(x)),
                    _ => ExprKind::IntervalEnd {
                        upper: name == "upper",
                        of: Box::new(x),
                    },
                };
                Some((node(kind), Type::Number(unit)))
            }
            ("abs", [CallArg::Expr(x)]) => {
                let (x, ty) = self.number_arg(x, scope)?;
                Some((node(ExprKind::Abs(Box::new(x))), ty))
            }
            ("min" | "max", [CallArg::Expr(a), CallArg::Expr(b)]) => {
                let a_checked = self.number_arg(a, scope);
                let b_checked = self.number_arg(b, scope);
                let ((x, Type::Number(xu)), (y, Type::Number(yu))) = (a_checked?, b_checked?)
                else {
                    return None;
                };
                let unit = self.unify_units(&xu, &yu, a.span, b.span)?;
                let f = if name == "min" {
                    NumFn::Min
                } else {
                    NumFn::Max
                };
                Some((
                    node(ExprKind::MinMax(f, Box::new(x), Box::new(y))),
                    Type::Number(unit),
                ))
            }
            _ if FUNCTIONS.contains(&name) => {
                let usage = match name {
                    "count" => "count(good) or count(>= good)",
                    "abs" => "abs(x)",
                    "min" | "max" => "min(a, b) / max(a, b)",
                    "lower" | "upper" | "value" => {
                        "lower(x), upper(x) or value(x) of an estimate x"
                    }
                    _ => {
                        "lowest(), highest(), points(), members() or assessed(), with no arguments"
                    }
                };
                let diagnostic = self
                    .error(
                        Code::TypeMismatch,
                        format!("`{name}` is called with the wrong arguments"),
                    )
                    .primary(span, "this call")
                    .help(format!("write {usage}"));
                self.report(diagnostic);
                None
            }
            // A script that failed to load may define it: that error is the one to fix.
            _ if self.scripts.as_ref().is_some_and(|s| s.incomplete) => None,
            _ => {
                let mut diagnostic = self
                    .error(
                        Code::UnknownFunction,
                        format!("there is no function `{name}`"),
                    )
                    .primary(function.span, "unknown function");
                let helpers = self
                    .scripts
                    .iter()
                    .flat_map(|s| &s.helpers)
                    .map(|h| h.name.as_str());
                let known: Vec<&str> = FUNCTIONS.iter().copied().chain(helpers).collect();
                diagnostic = match did_you_mean(name, known.iter().copied()) {
                    Some(guess) => diagnostic.help(format!("did you mean `{guess}`?")),
                    None => diagnostic.help(format!("the functions are: {}", FUNCTIONS.join(", "))),
                };
                self.report(diagnostic);
                None
            }
        }
    }

    fn helper(&self, name: &str) -> Option<usize> {
        self.scripts.as_ref().and_then(|s| s.helper(name))
    }

    /// A call of a Rhai helper. Helpers are untyped: the call site's
    /// expectation (a condition's true/false, the other side of a comparison,
    /// a number in arithmetic) is what the result must be, checked when it returns.
    fn helper_call(
        &mut self,
        helper: usize,
        args: &[CallArg],
        span: Span,
        scope: &Scope,
        hint: Option<&Type>,
    ) -> Checked {
        let (name, params) = {
            let h = &self.scripts.as_ref()?.helpers[helper];
            (h.name.clone(), h.params.clone())
        };
        if args.len() != params.len() {
            let diagnostic = self
                .error(
                    Code::TypeMismatch,
                    format!(
                        "helper `{name}` takes {} argument{}, but {} {} given",
                        params.len(),
                        if params.len() == 1 { "" } else { "s" },
                        args.len(),
                        if args.len() == 1 { "is" } else { "are" }
                    ),
                )
                .primary(span, "this call")
                .help(format!("call it as `{name}({})`", params.join(", ")));
            self.report(diagnostic);
            return None;
        }
        let mut checked = Vec::with_capacity(args.len());
        for arg in args {
            checked.push(self.helper_arg(arg, scope));
        }
        let args: Vec<Expr> = checked.into_iter().collect::<Option<_>>()?;
        let returns = match hint {
            Some(Type::Text) | None => Type::Number(Unit::Any),
            Some(ty) => ty.clone(),
        };
        let kind = ExprKind::Helper {
            helper,
            args,
            returns: returns.clone(),
        };
        Some((Expr { kind, span }, returns))
    }

    /// An argument of a helper: any value; text only as a text field.
    fn helper_arg(&mut self, arg: &CallArg, scope: &Scope) -> Option<Expr> {
        let CallArg::Expr(expr) = arg else {
            let diagnostic = self
                .error(Code::TypeMismatch, "a grade filter such as `>= good` can only be counted")
                .primary(self.call_arg_span(arg), "not a value")
                .help("pass values to helpers: numbers, levels, estimates, true/false, grades or text fields");
            self.report(diagnostic);
            return None;
        };
        if let ast::ExprKind::Text(text) = &expr.kind {
            let diagnostic = self
                .error(
                    Code::TypeMismatch,
                    "a text literal cannot be passed to a helper",
                )
                .primary(expr.span, "text here")
                .help(format!(
                    "write the text into the script instead of passing \"{text}\""
                ));
            self.report(diagnostic);
            return None;
        }
        Some(self.expr(expr, scope, None)?.0)
    }

    fn call_arg_span(&self, arg: &CallArg) -> Span {
        match arg {
            CallArg::Expr(expr) => expr.span,
            CallArg::GradeFilter(_, grade) => grade.span,
        }
    }

    fn number_arg(&mut self, arg: &ast::Expr, scope: &Scope) -> Checked {
        let (checked, ty) = self.expr(arg, scope, None)?;
        if !matches!(ty, Type::Number(_)) {
            self.report_found(
                arg.span,
                &ty,
                "expected a number",
                "abs, min and max take numbers",
            );
            return None;
        }
        Some((checked, ty))
    }

    /// The estimate whose interval `lower`, `upper` or `value` reads, and its unit.
    fn estimate_arg(&mut self, arg: &ast::Expr, scope: &Scope) -> Option<(Expr, Unit)> {
        let (checked, ty) = self.expr(arg, scope, None)?;
        let Type::Estimate(unit) = ty else {
            let help =
                "lower, upper and value read an estimate's interval: `lower(recording.rate) >= 85`";
            self.report_found(arg.span, &ty, "expected an estimate", help);
            return None;
        };
        Some((checked, unit))
    }

    /// `good` (exactly good) or `>= good` inside `count(...)`.
    fn grade_filter(&mut self, arg: &CallArg) -> Option<(CmpOp, u8)> {
        let (op, name, span) = match arg {
            CallArg::GradeFilter(op, grade) => (*op, grade.name.as_str(), grade.span),
            CallArg::Expr(ast::Expr {
                kind: ast::ExprKind::Name(name),
                span,
            }) => (CmpOp::Eq, name.as_str(), *span),
            CallArg::Expr(other) => {
                let diagnostic = self
                    .error(Code::TypeMismatch, "`count` takes a grade")
                    .primary(other.span, "not a grade")
                    .help(
                        "write count(good) for exactly good, or count(>= good) for good or better",
                    );
                self.report(diagnostic);
                return None;
            }
        };
        Some((op, self.grade(name, span)?))
    }
}

/// An estimate's point value, for comparisons by `<`, `>` and the like.
fn point_value(expr: Expr, ty: &Type) -> Expr {
    match ty {
        Type::Estimate(_) => Expr {
            span: expr.span,
            kind: ExprKind::PointValue(Box::new(expr)),
        },
        _ => expr,
    }
}
