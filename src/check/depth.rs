//! How deep a condition or let is once the lets it reads are written out in
//! full, as the analysis reads them. Each expression is bounded by the
//! parser; a chain of lets is bounded here, so that no stage that recurses
//! over an expression can exhaust its stack.

use super::Checker;
use crate::diagnostics::Code;
use crate::policy::{Expr, ExprKind, for_each_child};

/// The deepest an expression may be with the lets it reads written out.
pub const MAX_INLINED_DEPTH: usize = 256;

impl Checker {
    /// The expression's depth with lets written out; `None` when it is
    /// beyond `MAX_INLINED_DEPTH` (reported) or reads a let that was (not
    /// reported again).
    pub(super) fn bounded_depth(&mut self, expr: &Expr, what: &str) -> Option<usize> {
        let depth = self.inlined_depth(expr)?;
        if depth <= MAX_INLINED_DEPTH {
            return Some(depth);
        }
        let diagnostic = self
            .error(
                Code::PolicyLimit,
                format!("{what} nests operators and lets more than {MAX_INLINED_DEPTH} deep"),
            )
            .primary(expr.span, "too deep, counting the lets it reads")
            .help("compute it in fewer steps: in a chain of lets each built on the last, every step counts");
        self.report(diagnostic);
        None
    }

    /// Recursion here is bounded: the parser limits each expression's depth,
    /// and a let's depth is read from `let_depths`, not walked again.
    fn inlined_depth(&self, expr: &Expr) -> Option<usize> {
        let mut deepest = match expr.kind {
            ExprKind::Let(index) => self.let_depths[index]?,
            _ => 0,
        };
        let mut poisoned = false;
        for_each_child(expr, |child| match self.inlined_depth(child) {
            Some(depth) => deepest = deepest.max(depth),
            None => poisoned = true,
        });
        (!poisoned).then_some(deepest + 1)
    }
}
