//! `insp test`: test cases that pin the grades a policy must give. A case is
//! a JSON file: the evidence (a file, or inline), optional changes to it, and
//! the expected grades or errors. Cases live by default in a folder beside the
//! policy, `NAME.tests/` for `NAME.insp`. After a run, rule coverage lists the
//! rules, caps, floors and `otherwise` branches no case made hold.

mod case;

pub use case::{Case, Expected, load_case};

use crate::diagnostics::{Code, Diagnostic};
use crate::eval::{Assessment, Decision, Limit, Outcome, RuleRole, assess};
use crate::policy::Policy;
use crate::source::Span;
use std::path::{Path, PathBuf};

/// The outcome of one case.
pub struct CaseResult {
    /// The case's name: its file name without the folder.
    pub name: String,
    /// The case file's path.
    pub file: String,
    /// Each expectation that was not met.
    pub mismatches: Vec<Mismatch>,
    /// Problems with the case file itself (a failed case too).
    pub invalid: Vec<Diagnostic>,
    /// The grading, for traces of failures; `None` when the case was invalid.
    pub assessment: Option<Assessment>,
}

impl CaseResult {
    /// Whether the case was valid and every expectation was met.
    pub fn passed(&self) -> bool {
        self.mismatches.is_empty() && self.invalid.is_empty()
    }
}

/// One expectation that was not met.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    /// The judgement, or `None` for the evidence file as a whole.
    pub judgement: Option<usize>,
    /// What the case expected, in words.
    pub expected: String,
    /// What the evaluation gave, in words.
    pub actual: String,
}

/// A rule, cap, floor or `otherwise` branch, for coverage.
#[derive(Debug, Clone, PartialEq)]
pub struct Branch {
    /// The judgement it belongs to (by index).
    pub judgement: usize,
    /// `grade`, `cap`, `floor` or `otherwise`.
    pub kind: &'static str,
    /// Its index among the judgement's rules, caps or floors (0 for `otherwise`).
    pub index: usize,
    /// The grade it gives, caps at or raises to (by rank).
    pub grade: u8,
    /// The grade it gives or limits to, or what a limit follows, as written.
    pub target: String,
    /// Where it is written in the policy.
    pub span: Span,
}

/// Which branches of a policy the cases exercised. A branch can hold in
/// every case and still never decide a grade (under `resolve highest`, a
/// better grade's rule held too; a cap above the grade given changed
/// nothing): so both are recorded.
pub struct Coverage {
    /// Every rule, cap, floor and `otherwise`.
    pub branches: Vec<Branch>,
    /// Parallel to `branches`: it held in some case.
    pub held: Vec<bool>,
    /// Parallel to `branches`: in some case it decided the grade (a rule,
    /// `otherwise`), or changed it (a cap or floor).
    pub decided: Vec<bool>,
}

impl Coverage {
    /// The branches that held in no case.
    pub fn uncovered(&self) -> impl Iterator<Item = &Branch> {
        self.branches
            .iter()
            .zip(&self.held)
            .filter(|(_, held)| !**held)
            .map(|(b, _)| b)
    }

    /// The branches that held in some case but decided (or changed) no grade.
    pub fn held_without_deciding(&self) -> impl Iterator<Item = &Branch> {
        let flags = self.held.iter().zip(&self.decided);
        self.branches
            .iter()
            .zip(flags)
            .filter(|(_, (held, decided))| **held && !**decided)
            .map(|(b, _)| b)
    }

    /// How many branches held in some case.
    pub fn held_count(&self) -> usize {
        self.held.iter().filter(|h| **h).count()
    }

    /// How many branches decided or changed a grade in some case.
    pub fn decided_count(&self) -> usize {
        self.decided.iter().filter(|d| **d).count()
    }
}

/// The case files to run: those named (files, or folders of `*.json`), or
/// the policy's own `NAME.tests/` folder.
pub fn discover(policy_path: &str, named: &[String]) -> Result<Vec<PathBuf>, Diagnostic> {
    let places: Vec<PathBuf> = if named.is_empty() {
        vec![default_folder(policy_path)]
    } else {
        named.iter().map(PathBuf::from).collect()
    };
    let mut files = Vec::new();
    for place in &places {
        if place.is_dir() {
            let entries = std::fs::read_dir(place).map_err(|e| io_error(place, &e))?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "json"))
                .collect();
            found.sort();
            files.extend(found);
        } else if place.is_file() {
            files.push(place.clone());
        } else {
            return Err(Diagnostic::error(
                Code::Io,
                format!("no test cases at `{}`", place.display()),
            )
            .help(format!(
                "write cases as JSON files in `{}`, or name case files or folders after the policy",
                default_folder(policy_path).display()
            )));
        }
    }
    if files.is_empty() {
        return Err(Diagnostic::error(Code::Io, "no test cases found (no `*.json` files)")
            .help("a case is a JSON file: {\"evidence\": \"file.json\", \"expect\": {\"question_id\": \"good\"}}"));
    }
    Ok(files)
}

/// `policies/x.insp` → `policies/x.tests`.
pub fn default_folder(policy_path: &str) -> PathBuf {
    Path::new(policy_path).with_extension("tests")
}

fn io_error(path: &Path, error: &std::io::Error) -> Diagnostic {
    Diagnostic::error(
        Code::Io,
        format!("cannot read `{}`: {error}", path.display()),
    )
}

/// Runs one case file.
pub fn run_case(policy: &Policy, path: &Path) -> CaseResult {
    let name = path
        .file_stem()
        .map_or_else(String::new, |s| s.to_string_lossy().to_string());
    let file = path.display().to_string();
    let mut result = CaseResult {
        name,
        file,
        mismatches: Vec::new(),
        invalid: Vec::new(),
        assessment: None,
    };
    let case = match load_case(policy, path) {
        Ok(case) => case,
        Err(diagnostics) => {
            result.invalid = diagnostics;
            return result;
        }
    };
    let assessment = assess(policy, &case.evidence, true);
    result.mismatches = compare(policy, &case, &assessment);
    result.assessment = Some(assessment);
    result
}

/// Every expectation of a case against what the evaluation gave.
fn compare(policy: &Policy, case: &Case, assessment: &Assessment) -> Vec<Mismatch> {
    let mut mismatches = Vec::new();
    let mut error_codes: Vec<&str> = assessment
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.code.as_str())
        .collect();
    error_codes.sort_unstable();
    error_codes.dedup();
    let mut expected_codes: Vec<&str> = case.errors.iter().map(String::as_str).collect();
    for expected in &case.expect {
        if let Expected::Error(_, code) = expected {
            expected_codes.push(code);
        }
    }
    expected_codes.sort_unstable();
    expected_codes.dedup();
    if error_codes != expected_codes {
        mismatches.push(Mismatch {
            judgement: None,
            expected: describe_codes(&expected_codes),
            actual: describe_codes(&error_codes),
        });
    }
    for expected in &case.expect {
        let (judgement, wanted) = match expected {
            Expected::Grade(j, grade) => (*j, policy.grades.name(*grade).to_string()),
            Expected::Error(j, code) => (*j, format!("error {code}")),
            Expected::NotAssessed(j) => (*j, "not assessed".to_string()),
        };
        let actual = actual_outcome(policy, assessment, judgement);
        if actual != wanted {
            mismatches.push(Mismatch {
                judgement: Some(judgement),
                expected: wanted,
                actual,
            });
        }
    }
    mismatches
}

fn describe_codes(codes: &[&str]) -> String {
    if codes.is_empty() {
        "no errors".to_string()
    } else {
        format!("errors {}", codes.join(", "))
    }
}

/// A judgement's outcome in the words expectations use: a grade, `error CODE`, or `not graded`.
fn actual_outcome(policy: &Policy, assessment: &Assessment, judgement: usize) -> String {
    let Some(grading) = &assessment.grading else {
        return "not graded (the evidence has errors)".to_string();
    };
    match &grading.outcomes[judgement] {
        Outcome::Graded(graded) => policy.grades.name(graded.grade).to_string(),
        Outcome::Failed(failure) => format!("error {}", failure.code()),
        Outcome::NotAssessed => "not assessed".to_string(),
        Outcome::Blocked { by } => format!(
            "not graded (`{}` was not graded)",
            policy.judgements[*by].id
        ),
    }
}

/// Which branches of the policy held in at least one case.
pub fn coverage(policy: &Policy, results: &[CaseResult]) -> Coverage {
    let mut branches = Vec::new();
    for (index, judgement) in policy.judgements.iter().enumerate() {
        let roles = [
            ("grade", &judgement.rules),
            ("cap", &judgement.caps),
            ("floor", &judgement.floors),
        ];
        for (kind, rules) in roles {
            branches.extend(rules.iter().enumerate().map(|(position, r)| Branch {
                judgement: index,
                kind,
                index: position,
                grade: r.grade,
                target: r.target(&policy.grades),
                span: r.span,
            }));
        }
        if let Some(otherwise) = &judgement.otherwise {
            branches.push(Branch {
                judgement: index,
                kind: "otherwise",
                index: 0,
                grade: otherwise.grade,
                target: policy.grades.name(otherwise.grade).to_string(),
                span: otherwise.span,
            });
        }
    }
    branches.sort_by_key(|b| b.span.start);
    let mut held_in_some = vec![false; branches.len()];
    let mut decided_in_some = vec![false; branches.len()];
    for assessment in results.iter().filter_map(|r| r.assessment.as_ref()) {
        for (i, branch) in branches.iter().enumerate() {
            held_in_some[i] |= held(assessment, branch);
            decided_in_some[i] |= decided(assessment, branch);
        }
    }
    Coverage {
        branches,
        held: held_in_some,
        decided: decided_in_some,
    }
}

/// Whether the branch decided its judgement's grade (a rule, `otherwise`),
/// or changed it (a cap or floor), in this assessment.
fn decided(assessment: &Assessment, branch: &Branch) -> bool {
    let outcome = assessment
        .grading
        .as_ref()
        .map(|g| &g.outcomes[branch.judgement]);
    let Some(Outcome::Graded(graded)) = outcome else {
        return false;
    };
    match branch.kind {
        "otherwise" => graded.decided_by == Decision::Otherwise,
        "cap" => graded.limited_by.contains(&Limit::Cap(branch.index)),
        "floor" => graded.limited_by.contains(&Limit::Floor(branch.index)),
        _ => graded.decided_by == Decision::Rule(branch.index),
    }
}

fn held(assessment: &Assessment, branch: &Branch) -> bool {
    if branch.kind == "otherwise" {
        // `otherwise` holds exactly when it decides.
        return decided(assessment, branch);
    }
    let role = match branch.kind {
        "cap" => RuleRole::Cap,
        "floor" => RuleRole::Floor,
        _ => RuleRole::Grade,
    };
    let traces = assessment
        .traces
        .iter()
        .flatten()
        .filter(|t| t.judgement == branch.judgement);
    traces
        .flat_map(|t| &t.rules)
        .any(|r| r.role == role && r.span == branch.span && r.held == Some(true))
}
