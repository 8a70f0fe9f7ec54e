//! Checking: names, types and units. Turns the AST into a compiled [`Policy`]
//! whose evidence paths are slots and whose names are indices, and reports
//! every problem of the file at once.

mod declarations;
mod depth;
mod expr;
mod judgements;

use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::policy::{Field, GradeScale, Let, LevelScale, Policy};
use crate::script::{ScriptLimits, Scripts};
use crate::source::{Source, Span};
use crate::syntax::{
    self,
    ast::{Ident, PolicyAst},
};
use crate::value::Type;
use std::collections::HashMap;

/// Parses and checks a policy. `Err` holds every error (and warning) found;
/// `Ok` holds the policy with any warnings in `Policy::warnings`.
pub fn compile(source: &Source) -> Result<Policy, Vec<Diagnostic>> {
    compile_with(source, ScriptLimits::default())
}

/// As [`compile`], with the given limits for helper scripts.
pub fn compile_with(source: &Source, limits: ScriptLimits) -> Result<Policy, Vec<Diagnostic>> {
    let ast = syntax::parse(source)?;
    let mut checker = Checker::new(source);
    let (scripts, diagnostics) = Scripts::load(&ast.scripts, source, limits);
    checker.scripts = scripts;
    checker.diagnostics.extend(diagnostics);
    checker.check(&ast)
}

/// A shipped policy file, compiled: for unit tests across the crate.
#[cfg(test)]
pub(crate) fn compile_file(path: &str) -> Policy {
    let text = std::fs::read_to_string(path).unwrap();
    compile(&Source::new(path, text))
        .unwrap_or_else(|diagnostics| panic!("{path} compiles: {diagnostics:?}"))
}

/// What a name in an expression refers to.
#[derive(Debug, Clone, Copy)]
enum Binding {
    Field(usize),
    Let(usize),
    Judgement(usize),
}

struct Checker {
    source: Source,
    diagnostics: Vec<Diagnostic>,
    grades: GradeScale,
    scales: Vec<LevelScale>,
    fields: Vec<Field>,
    lets: Vec<Let>,
    /// Each let's depth with the lets it reads written out (`depth.rs`);
    /// `None` if that is too deep.
    let_depths: Vec<Option<usize>>,
    /// Ids and spans of all judgements, known before their bodies are checked.
    judgement_ids: Vec<(String, Span)>,
    names: HashMap<String, Binding>,
    /// Lets whose definition has an error (already reported): a use of one
    /// is not reported again as an unknown name.
    broken_lets: Vec<Ident>,
    /// Whether the policy has no `grades` line, so the default scale is in force.
    default_grades: bool,
    scripts: Option<Scripts>,
}

impl Checker {
    fn new(source: &Source) -> Self {
        Checker {
            source: source.clone(),
            diagnostics: Vec::new(),
            grades: GradeScale {
                names: Vec::new(),
                points: Vec::new(),
            },
            scales: Vec::new(),
            fields: Vec::new(),
            lets: Vec::new(),
            let_depths: Vec::new(),
            judgement_ids: Vec::new(),
            names: HashMap::new(),
            broken_lets: Vec::new(),
            default_grades: false,
            scripts: None,
        }
    }

    fn check(mut self, ast: &PolicyAst) -> Result<Policy, Vec<Diagnostic>> {
        self.declare_grades(ast);
        self.declare_scales(ast);
        self.declare_fields(ast);
        self.declare_judgement_ids(ast);
        self.check_lets(ast);
        let judgements = self.check_judgements(ast);
        if judgements.is_empty() {
            let diagnostic = self
                .error(Code::EmptyPolicy, "the policy has no questions or judgements, so it can grade nothing")
                .primary(Span::new(0, 0), "in this file")
                .help("add a question: `question id \"title\" { good when ... otherwise requires_improvement }`");
            self.report(diagnostic);
        }
        let order = self.dependency_order(&judgements);
        if !self.diagnostics.iter().any(Diagnostic::is_error) {
            // Rules with errors were dropped: "unused" would be noise then.
            self.lint_unused(&judgements);
        }

        if self.diagnostics.iter().any(Diagnostic::is_error) {
            return Err(self.diagnostics);
        }
        let subject = self.fields.iter().position(|f| f.ty == Type::Text);
        Ok(Policy {
            name: ast
                .name
                .as_ref()
                .map_or_else(String::new, |(n, _)| n.clone()),
            source: self.source,
            grades: self.grades,
            scales: self.scales,
            paths: crate::policy::PathTree::new(&self.fields),
            fields: self.fields,
            subject,
            lets: self.lets,
            judgements,
            order,
            warnings: self.diagnostics,
            scripts: self.scripts,
        })
    }

    fn error(&self, code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(code, message).in_source(&self.source)
    }

    fn warning(&self, code: Code, message: impl Into<String>) -> Diagnostic {
        Diagnostic::warning(code, message).in_source(&self.source)
    }

    fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Binds a name, reporting a duplicate against the earlier declaration.
    fn bind(&mut self, name: &str, span: Span, binding: Binding) {
        if let Some(earlier) = self.names.get(name).copied() {
            let earlier_span = self.binding_span(earlier);
            let diagnostic = self
                .error(Code::Duplicate, format!("`{name}` is declared twice"))
                .primary(span, "declared again here")
                .label(earlier_span, "first declared here")
                .help("give each evidence field, let and judgement its own name");
            self.report(diagnostic);
        } else {
            self.names.insert(name.to_string(), binding);
        }
    }

    fn binding_span(&self, binding: Binding) -> Span {
        match binding {
            Binding::Field(i) => self.fields[i].span,
            Binding::Let(i) => self.lets[i].span,
            Binding::Judgement(i) => self.judgement_ids[i].1,
        }
    }

    /// Resolves a grade name, reporting an unknown one with "did you mean".
    fn grade(&mut self, name: &str, span: Span) -> Option<u8> {
        if let Some(rank) = self.grades.rank(name) {
            return Some(rank);
        }
        if self.grades.names.is_empty() {
            return None; // the scale itself was rejected: that is the error to fix
        }
        let scale = self.grades.names.iter().rev().cloned().collect::<Vec<_>>();
        let mut diagnostic = self
            .error(
                Code::UnknownGrade,
                format!("`{name}` is not a grade of this policy"),
            )
            .primary(span, "not a declared grade");
        let guess = did_you_mean(name, scale.iter().map(String::as_str));
        diagnostic = match (guess, self.default_grades) {
            (Some(guess), _) => diagnostic.help(format!("did you mean `{guess}`?")),
            (None, false) => diagnostic.help(format!("the grades are: {}", scale.join(" > "))),
            // The author may not know a scale is in force at all.
            (None, true) => diagnostic.help(format!(
                "this policy has no `grades` line, so the default scale is in force: {}; \
                 to grade on another, declare it best first: `grades excellent > good > poor`",
                scale.join(" > ")
            )),
        };
        self.report(diagnostic);
        None
    }
}
