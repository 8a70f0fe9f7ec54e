//! insp: a policy language for inspection methodologies.
//!
//! The pipeline, one module a stage:
//! `syntax` (text → AST) → `check` (AST → a checked, compiled [`Policy`]) →
//! `evidence` (JSON → typed values in slots) → `eval` (grades and
//! explanations) → `report` (text, JSON).

// Diagnostics travel in `Err` on the error path only, where their size costs
// nothing worth boxing for.
#![allow(clippy::result_large_err)]

pub mod analysis;
pub mod cases;
pub mod check;
pub mod diagnostics;
pub mod eval;
pub mod evidence;
pub mod policy;
pub mod report;
pub mod script;
pub mod source;
pub mod syntax;
pub mod value;

pub use check::{compile, compile_with};
pub use diagnostics::{Diagnostic, Severity};
pub use evidence::Evidence;
pub use policy::Policy;

pub use source::{Source, Span};
