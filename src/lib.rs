//! insp: a policy language for inspection methodologies.
//!
//! A criteria file (`*.insp`) says how evidence about an inspected
//! organisation maps to a grade for each inspection question. This crate
//! compiles such a policy once and grades any number of evidence files with
//! it, explains every grade, and analyses the policy for conflicts and gaps.
//!
//! The pipeline, one module a stage: `syntax` (text → AST) → `check` (AST →
//! a compiled [`Policy`]) → `evidence` (JSON → typed values in slots) →
//! `eval` (grades and explanations) → `analysis` (`insp check`) → `cases`
//! (`insp test`) → [`report`] (text, JSON, CSV, Markdown).
//!
//! ```
//! use insp::{Outcome, Source};
//!
//! let policy = insp::compile(&Source::new(
//!     "policy.insp",
//!     r#"
//!     evidence { crime.rate : number per 1000 population }
//!     question reducing_crime "How well does the force reduce crime?" {
//!       good when crime.rate < 50
//!       otherwise requires_improvement
//!     }
//!     "#,
//! ))
//! .expect("the policy compiles");
//! let assessment = insp::assess(
//!     &policy,
//!     &Source::new("force.json", r#"{"crime": {"rate": 45.5}}"#),
//!     false,
//! );
//! let grading = assessment.grading.expect("the evidence is complete");
//! let Outcome::Graded(graded) = &grading.outcomes[0] else { panic!("not graded") };
//! assert_eq!(policy.grades.name(graded.grade), "good");
//! ```

#![warn(missing_docs)]

mod analysis;
pub mod cases;
mod check;
pub mod decide;
mod diagnostics;
mod eval;
mod evidence;
pub mod policy;
pub mod report;
mod script;
mod source;
mod syntax;
mod value;

pub use analysis::{DEFAULT_BUDGET, Finding, Witness, analyse, analyse_within};
pub use check::{compile, compile_with};
pub use diagnostics::{Code, Diagnostic, Label, Severity};
pub use eval::{
    Assessment, Check, Decision, Evaluator, Failure, Graded, Grading, JudgementTrace, Limit,
    Outcome, RuleRole, RuleTrace, assess, assess_file, assess_file_within, assess_record,
    assess_record_with, explain,
};
pub use evidence::records::{Item, Record, json_lines, read_inputs};
pub use evidence::{Evidence, Loaded};
pub use policy::Policy;
pub use script::ScriptLimits;
pub use source::{
    DEFAULT_MAX_FILE_SIZE, Origin, ReadError, Source, Span, read_text, read_text_within,
};
pub use syntax::format::format as format_policy;
