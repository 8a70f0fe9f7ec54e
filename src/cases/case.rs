//! Reading a case file:
//!
//! ```json
//! {
//!   "description": "crime exactly 0.85 of the national rate is still outstanding",
//!   "evidence": "../../examples/norfolk-2014.json",
//!   "set": { "crime.rate": 51.595 },
//!   "unset": ["organised_crime.recommendation"],
//!   "expect": { "reducing_crime": "outstanding", "overall": null },
//!   "errors": []
//! }
//! ```

use crate::diagnostics::{Code, Diagnostic, did_you_mean};
use crate::evidence::json::{self, Json, JsonKind};
use crate::policy::Policy;
use crate::source::{Source, Span};
use std::path::Path;

/// A test case: evidence, with the grades or errors it must produce.
pub struct Case {
    /// What the case is about (`"description"`).
    pub description: Option<String>,
    /// The evidence to grade: the named file as it is, or the evidence
    /// after `set` / `unset` (or inline), written out as JSON.
    pub evidence: Source,
    /// The grades and errors expected of judgements.
    pub expect: Vec<Expected>,
    /// Error codes the evidence must produce (and no others).
    pub errors: Vec<String>,
}

/// An expectation on one judgement (by index).
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    /// The judgement (by index) must get this grade (by rank).
    Grade(usize, u8),
    /// The judgement (by index) must fail with this diagnostic code.
    Error(usize, String),
    /// The judgement (by index) must be not assessed.
    NotAssessed(usize),
}

const KEYS: &[&str] = &[
    "description",
    "evidence",
    "set",
    "unset",
    "expect",
    "errors",
];

/// Reads and validates a case file against the policy; `Err` holds every problem in it.
pub fn load_case(policy: &Policy, path: &Path) -> Result<Case, Vec<Diagnostic>> {
    let name = path.display().to_string();
    let text = crate::source::read_text(&name).map_err(|e| vec![e.into()])?;
    let source = Source::new(name, text);
    let mut reader = CaseReader {
        policy,
        source: &source,
        problems: Vec::new(),
    };
    let case = reader.case(path);
    match case {
        Some(case) if reader.problems.is_empty() => Ok(case),
        _ => Err(reader.problems),
    }
}

struct CaseReader<'a> {
    policy: &'a Policy,
    source: &'a Source,
    problems: Vec<Diagnostic>,
}

impl CaseReader<'_> {
    fn problem(&mut self, span: Span, message: impl Into<String>, help: &str) {
        self.problems.push(
            Diagnostic::error(Code::CaseInvalid, message)
                .in_source(self.source)
                .primary(span, "here")
                .help(help.to_string()),
        );
    }

    fn case(&mut self, path: &Path) -> Option<Case> {
        let root = match json::parse(self.source.text()) {
            Ok(root) => root,
            Err(error) => {
                self.problem(
                    error.span,
                    format!("the case is not valid JSON: {}", error.message),
                    CASE_HELP,
                );
                return None;
            }
        };
        let JsonKind::Object(members) = &root.kind else {
            self.problem(root.span, "a case is a JSON object", CASE_HELP);
            return None;
        };
        for (key, span, _) in members {
            if !KEYS.contains(&key.as_str()) {
                let help = did_you_mean(key, KEYS.iter().copied()).map_or_else(
                    || format!("a case has: {}", KEYS.join(", ")),
                    |g| format!("did you mean `{g}`?"),
                );
                self.problems.push(
                    Diagnostic::error(Code::CaseInvalid, format!("a case has no `{key}`"))
                        .in_source(self.source)
                        .primary(*span, "unknown key")
                        .help(help),
                );
            }
        }
        let get = |key: &str| members.iter().find(|(k, _, _)| k == key).map(|(_, _, v)| v);
        let description = get("description").and_then(|d| match &d.kind {
            JsonKind::String(s) => Some(s.clone()),
            _ => None,
        });
        let expect = get("expect")
            .map(|e| self.expectations(e))
            .unwrap_or_default();
        let errors = get("errors")
            .map(|e| self.error_codes(e))
            .unwrap_or_default();
        if get("expect").is_none() && get("errors").is_none() {
            self.problem(
                root.span,
                "the case expects nothing",
                "add `expect` (grades by judgement id) or `errors` (error codes)",
            );
        }
        self.undeclared_changes(get("set"), get("unset"));
        let Some(evidence) = get("evidence") else {
            self.problem(root.span, "the case has no `evidence`", CASE_HELP);
            return None;
        };
        let evidence = self.evidence(path, evidence, get("set"), get("unset"))?;
        Some(Case {
            description,
            evidence,
            expect,
            errors,
        })
    }

    fn expectations(&mut self, expect: &Json) -> Vec<Expected> {
        let JsonKind::Object(members) = &expect.kind else {
            self.problem(
                expect.span,
                "`expect` must be an object of judgement ids and grades",
                CASE_HELP,
            );
            return Vec::new();
        };
        let mut expected = Vec::new();
        for (id, key_span, value) in members {
            let judgement = self.policy.judgement_index(id);
            match (judgement, &value.kind) {
                // `"overall": null`: the policy gives no overall judgement.
                (None, JsonKind::Null) if id == "overall" => {}
                (Some(_), JsonKind::Null) => self.problem(
                    value.span,
                    format!("`{id}` is a judgement of this policy, so it has a grade"),
                    "expect its grade instead of null",
                ),
                (None, _) => {
                    let ids = self.policy.judgements.iter().map(|j| j.id.as_str());
                    let help = did_you_mean(id, ids).map_or_else(
                        || "use the ids of the policy's questions and judgements".to_string(),
                        |g| format!("did you mean `{g}`?"),
                    );
                    self.problems.push(
                        Diagnostic::error(
                            Code::CaseInvalid,
                            format!("the policy has no judgement `{id}`"),
                        )
                        .in_source(self.source)
                        .primary(*key_span, "unknown judgement")
                        .help(help),
                    );
                }
                (Some(j), JsonKind::String(text)) if text == "not assessed" => {
                    expected.push(Expected::NotAssessed(j));
                }
                (Some(j), JsonKind::String(grade)) => match self.policy.grades.rank(grade) {
                    Some(rank) => expected.push(Expected::Grade(j, rank)),
                    None => {
                        let grades = self
                            .policy
                            .grades
                            .names
                            .iter()
                            .rev()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ");
                        self.problem(
                            value.span,
                            format!("`{grade}` is not a grade of the policy"),
                            &format!("the grades are: {grades}"),
                        );
                    }
                },
                (Some(j), JsonKind::Object(error)) => match error.as_slice() {
                    [
                        (
                            key,
                            _,
                            Json {
                                kind: JsonKind::String(code),
                                span,
                            },
                        ),
                    ] if key == "error" => {
                        if self.known_code(code, *span) {
                            expected.push(Expected::Error(j, code.clone()));
                        }
                    }
                    _ => self.problem(
                        value.span,
                        "an expected error is written {\"error\": \"insp::eval::conflict\"}",
                        CASE_HELP,
                    ),
                },
                (Some(_), _) => self.problem(
                    value.span,
                    "expect a grade (\"good\"), \"not assessed\", or an error ({\"error\": \"CODE\"})",
                    CASE_HELP,
                ),
            }
        }
        expected
    }

    fn error_codes(&mut self, errors: &Json) -> Vec<String> {
        let JsonKind::Array(items) = &errors.kind else {
            self.problem(
                errors.span,
                "`errors` must be a list of error codes",
                CASE_HELP,
            );
            return Vec::new();
        };
        let mut found = Vec::new();
        for item in items {
            match &item.kind {
                JsonKind::String(code) if self.known_code(code, item.span) => {
                    found.push(code.clone())
                }
                JsonKind::String(_) => {}
                _ => self.problem(
                    item.span,
                    "an error code is a string such as \"insp::evidence::missing\"",
                    CASE_HELP,
                ),
            }
        }
        found
    }

    fn known_code(&mut self, code: &str, span: Span) -> bool {
        if Code::ALL.iter().any(|c| c.as_str() == code) {
            return true;
        }
        let help = did_you_mean(code, Code::ALL.iter().map(|c| c.as_str())).map_or_else(
            || "docs/diagnostics.md lists the codes".to_string(),
            |g| format!("did you mean `{g}`?"),
        );
        self.problems.push(
            Diagnostic::error(
                Code::CaseInvalid,
                format!("`{code}` is not a diagnostic code"),
            )
            .in_source(self.source)
            .primary(span, "unknown code")
            .help(help),
        );
        false
    }

    /// Reports each path `set` or `unset` names that the policy does not
    /// read: changing it could change no grade, so the case would pass
    /// without testing what it says.
    fn undeclared_changes(&mut self, set: Option<&Json>, unset: Option<&Json>) {
        let set_paths = match set.map(|s| &s.kind) {
            Some(JsonKind::Object(members)) => members
                .iter()
                .map(|(path, span, _)| (path, *span))
                .collect(),
            _ => Vec::new(),
        };
        let unset_paths = match unset.map(|u| &u.kind) {
            Some(JsonKind::Array(items)) => items
                .iter()
                .filter_map(|item| match &item.kind {
                    JsonKind::String(path) => Some((path, item.span)),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        for (path, span) in set_paths.into_iter().chain(unset_paths) {
            if !crate::evidence::reads_path(self.policy, path) {
                let diagnostic = self.undeclared_change(path, span);
                self.problems.push(diagnostic);
            }
        }
    }

    fn undeclared_change(&self, path: &str, span: Span) -> Diagnostic {
        let fields = self.policy.fields.iter().map(|f| f.path.as_str());
        let help = did_you_mean(path, fields).map_or_else(
            || {
                "a case changes only the evidence the policy declares in its `evidence { ... }` \
                 block: a change to anything else cannot change a grade"
                    .to_string()
            },
            |g| format!("did you mean `{g}`?"),
        );
        Diagnostic::error(
            Code::CaseInvalid,
            format!("the case changes `{path}`, which the policy does not declare"),
        )
        .in_source(self.source)
        .primary(span, "not declared in the policy")
        .help(help)
    }

    /// The evidence to grade, with `set` and `unset` applied.
    fn evidence(
        &mut self,
        path: &Path,
        evidence: &Json,
        set: Option<&Json>,
        unset: Option<&Json>,
    ) -> Option<Source> {
        let (mut tree, file) = match &evidence.kind {
            JsonKind::String(relative) => {
                let full = path
                    .parent()
                    .unwrap_or(Path::new(""))
                    .join(relative)
                    .display()
                    .to_string();
                let text = match crate::source::read_text(&full) {
                    Ok(text) => text,
                    Err(error) => {
                        self.problems.push(
                            Diagnostic::from(error)
                                .in_source(self.source)
                                .primary(evidence.span, "named here")
                                .help("the path is relative to the case file"),
                        );
                        return None;
                    }
                };
                if set.is_none() && unset.is_none() {
                    return Some(Source::new(full, text));
                }
                match json::parse(&text) {
                    Ok(tree) => (tree, full),
                    // Changes cannot be applied to a broken file: grade it as it is.
                    Err(_) => return Some(Source::new(full, text)),
                }
            }
            JsonKind::Object(_) => (evidence.clone(), format!("{} (inline)", self.source.name())),
            _ => {
                self.problem(
                    evidence.span,
                    "`evidence` is a file name or an inline object",
                    CASE_HELP,
                );
                return None;
            }
        };
        if let Some(set) = set {
            self.apply_set(&mut tree, set);
        }
        if let Some(unset) = unset {
            self.apply_unset(&mut tree, unset);
        }
        let name = if set.is_some() || unset.is_some() {
            format!("{file}, as changed by {}", self.source.name())
        } else {
            file
        };
        Some(Source::new(name, tree.to_text()))
    }

    fn apply_set(&mut self, tree: &mut Json, set: &Json) {
        let JsonKind::Object(changes) = &set.kind else {
            self.problem(
                set.span,
                "`set` must be an object of evidence paths and values",
                CASE_HELP,
            );
            return;
        };
        for (path, span, value) in changes {
            if !tree.set_path(&path.split('.').collect::<Vec<_>>(), value.clone()) {
                self.problem(
                    *span,
                    format!("cannot set `{path}`: part of the path holds a value, not an object"),
                    CASE_HELP,
                );
            }
        }
    }

    fn apply_unset(&mut self, tree: &mut Json, unset: &Json) {
        let JsonKind::Array(paths) = &unset.kind else {
            self.problem(
                unset.span,
                "`unset` must be a list of evidence paths",
                CASE_HELP,
            );
            return;
        };
        for item in paths {
            match &item.kind {
                // Reported as undeclared (`undeclared_changes`): once is enough.
                JsonKind::String(path) if !crate::evidence::reads_path(self.policy, path) => {}
                JsonKind::String(path)
                    if remove_path(tree, &path.split('.').collect::<Vec<_>>()) => {}
                _ => self.problem(
                    item.span,
                    "not an evidence path present in the evidence",
                    CASE_HELP,
                ),
            }
        }
    }
}

const CASE_HELP: &str = "a case is {\"evidence\": \"file.json\" or {...}, \"set\": {\"path\": value}, \"unset\": [\"path\"], \"expect\": {\"judgement\": \"grade\" or {\"error\": \"CODE\"}}, \"errors\": [\"CODE\"]}";

fn remove_path(tree: &mut Json, path: &[&str]) -> bool {
    let JsonKind::Object(members) = &mut tree.kind else {
        return false;
    };
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    let Some(index) = members.iter().position(|(k, _, _)| k == first) else {
        return false;
    };
    if rest.is_empty() {
        members.remove(index);
        true
    } else {
        remove_path(&mut members[index].2, rest)
    }
}
