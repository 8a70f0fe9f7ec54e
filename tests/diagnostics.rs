//! The rendered text of every diagnostic code, pinned by snapshots, and the
//! invariants every diagnostic keeps (labels inside their source).

use insp::assess;
use insp::{Code, Diagnostic};
use insp::{Policy, Source};
use std::collections::BTreeSet;

/// Diagnostics from compiling a policy (errors or warnings).
fn policy_diagnostics(text: &str) -> Vec<Diagnostic> {
    match insp::compile(&Source::new("policy.insp", text)) {
        Ok(policy) => policy.warnings,
        Err(diagnostics) => diagnostics,
    }
}

fn compile(text: &str) -> Policy {
    insp::compile(&Source::new("policy.insp", text)).unwrap_or_else(|d| panic!("{}", render(&d)))
}

/// Diagnostics from grading evidence against a policy.
fn evidence_diagnostics(policy: &str, evidence: &str) -> Vec<Diagnostic> {
    assess(
        &compile(policy),
        &Source::new("evidence.json", evidence),
        false,
    )
    .diagnostics
}

/// Diagnostics of `insp check`'s analysis of a policy.
fn analysis_diagnostics(text: &str) -> Vec<Diagnostic> {
    insp::analyse(&compile(text))
        .into_iter()
        .map(|f| f.diagnostic)
        .collect()
}

fn render(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(insp::report::render_diagnostic)
        .collect()
}

/// Every label of a diagnostic (and of its notes) lies within its source,
/// so the renderer never drops one silently.
fn assert_labels_in_source(diagnostic: &Diagnostic) {
    if let Some(source) = &diagnostic.source {
        for label in &diagnostic.labels {
            assert!(
                label.span.start <= label.span.end && label.span.end <= source.text().len(),
                "{diagnostic:?}"
            );
        }
    }
    diagnostic.related.iter().for_each(assert_labels_in_source);
}

/// One case per code: the inputs and the code they must produce.
struct Case {
    name: &'static str,
    code: Code,
    diagnostics: fn() -> Vec<Diagnostic>,
}

const SIMPLE: &str = r#"
evidence {
  force : text
  crime.rate : number per 1000 population
  crime.national_rate : number per 1000 population
  partnership : level weak < adequate < strong
}
let ratio = crime.rate / crime.national_rate
question reducing_crime "Reducing crime" {
  outstanding when ratio < 0.85 and partnership >= strong
  good when ratio < 1.0
  otherwise requires_improvement
}
"#;

const CASES: &[Case] = &[
    Case {
        name: "syntax",
        code: Code::Syntax,
        diagnostics: || {
            policy_diagnostics(
                "question q \"Q\" {\n  good x > 1\n}\nquestion r \"R\" {\n  good when x >\n}\n",
            )
        },
    },
    Case {
        name: "io",
        code: Code::Io,
        diagnostics: || {
            vec![
                insp::read_text("tests/fixtures/no-such-file.json")
                    .unwrap_err()
                    .into(),
            ]
        },
    },
    Case {
        name: "duplicate",
        code: Code::Duplicate,
        diagnostics: || {
            policy_diagnostics(
                "evidence {\n  x : number\n  x : bool\n}\nquestion q \"Q\" { good when x > 1 otherwise inadequate }\n",
            )
        },
    },
    Case {
        name: "unknown_name",
        code: Code::UnknownName,
        diagnostics: || {
            policy_diagnostics(
                "evidence { crime.rate : number }\nquestion q \"Q\" {\n  good when crime.rat < 1\n  otherwise inadequate\n}\n",
            )
        },
    },
    Case {
        name: "unknown_grade",
        code: Code::UnknownGrade,
        diagnostics: || {
            policy_diagnostics(
                "evidence { x : number }\nquestion q \"Q\" {\n  god when x < 1\n  otherwise inadequate\n}\n",
            )
        },
    },
    Case {
        name: "unknown_function",
        code: Code::UnknownFunction,
        diagnostics: || {
            policy_diagnostics(
                "evidence { x : number }\nquestion q \"Q\" {\n  good when abss(x) < 1\n  otherwise inadequate\n}\n",
            )
        },
    },
    Case {
        name: "type_mismatch",
        code: Code::TypeMismatch,
        diagnostics: || {
            policy_diagnostics(
                "evidence {\n  x : number\n  flag : bool\n}\nquestion q \"Q\" {\n  good when x\n  requires_improvement when flag > x\n  otherwise inadequate\n}\n",
            )
        },
    },
    Case {
        name: "unit",
        code: Code::Unit,
        diagnostics: || {
            policy_diagnostics(
                "evidence {\n  crime.rate : number per 1000 population\n  burglary.rate : number per 1000 households\n}\nquestion q \"Q\" {\n  good when burglary.rate < crime.rate\n  otherwise inadequate\n}\n",
            )
        },
    },
    Case {
        name: "estimate_point_comparison",
        code: Code::EstimatePointComparison,
        diagnostics: || {
            policy_diagnostics(
                "evidence {\n  s : estimate percent\n  n : estimate percent\n}\nquestion q \"Q\" {\n  good when s > n\n  otherwise inadequate\n}\n",
            )
        },
    },
    Case {
        name: "unused",
        code: Code::Unused,
        diagnostics: || {
            policy_diagnostics(
                "evidence {\n  x : number\n  y : number\n}\nlet twice = x * 2\nquestion q \"Q\" {\n  good when x > 1\n  otherwise inadequate\n}\n",
            )
        },
    },
    Case {
        name: "cycle",
        code: Code::Cycle,
        diagnostics: || {
            policy_diagnostics(
                "question a \"A\" {\n  good when b >= good\n  otherwise inadequate\n}\nquestion b \"B\" {\n  good when a >= good\n  otherwise inadequate\n}\n",
            )
        },
    },
    Case {
        name: "empty",
        code: Code::EmptyPolicy,
        diagnostics: || policy_diagnostics("policy \"nothing yet\"\n"),
    },
    Case {
        name: "aggregate_without_members",
        code: Code::AggregateWithoutMembers,
        diagnostics: || {
            policy_diagnostics(
                "evidence { x : number }\nquestion q \"Q\" {\n  good when count(good) > 1\n  otherwise inadequate\n}\n",
            )
        },
    },
    Case {
        name: "otherwise",
        code: Code::Otherwise,
        diagnostics: || {
            policy_diagnostics(
                "evidence { x : number }\nquestion q \"Q\" {\n  good when x > 1\n  otherwise inadequate\n  otherwise requires_improvement\n}\n",
            )
        },
    },
    Case {
        name: "evidence_syntax",
        code: Code::EvidenceSyntax,
        diagnostics: || evidence_diagnostics(SIMPLE, "{\n  \"crime\": {\"rate\": 45.5,, }\n}\n"),
    },
    Case {
        name: "evidence_missing",
        code: Code::EvidenceMissing,
        diagnostics: || {
            evidence_diagnostics(
                SIMPLE,
                "{\n  \"force\": \"Norfolk\",\n  \"crime\": {\"rate\": 45.5},\n  \"partnership\": \"strong\"\n}\n",
            )
        },
    },
    Case {
        name: "evidence_type",
        code: Code::EvidenceType,
        diagnostics: || {
            evidence_diagnostics(
                SIMPLE,
                "{\n  \"force\": \"Norfolk\",\n  \"crime\": {\"rate\": \"45.5\", \"national_rate\": 60.7},\n  \"partnership\": \"strnog\"\n}\n",
            )
        },
    },
    Case {
        name: "evidence_unknown_field",
        code: Code::EvidenceUnknownField,
        diagnostics: || {
            evidence_diagnostics(
                SIMPLE,
                "{\n  \"force\": \"Norfolk\",\n  \"crime\": {\"rate\": 58.0, \"national_rate\": 60.7, \"raet\": 1},\n  \"partnership\": \"strong\"\n}\n",
            )
        },
    },
    Case {
        name: "evidence_out_of_range",
        code: Code::EvidenceOutOfRange,
        diagnostics: || {
            evidence_diagnostics(
                SIMPLE,
                "{\n  \"force\": \"Norfolk\",\n  \"crime\": {\"rate\": 1e400, \"national_rate\": 60.7},\n  \"partnership\": \"strong\"\n}\n",
            )
        },
    },
    Case {
        name: "conflict",
        code: Code::Conflict,
        diagnostics: || {
            evidence_diagnostics(
                SIMPLE,
                "{\n  \"force\": \"Norfolk\",\n  \"crime\": {\"rate\": 45.5, \"national_rate\": 60.7},\n  \"partnership\": \"strong\"\n}\n",
            )
        },
    },
    Case {
        name: "no_rule",
        code: Code::NoRule,
        diagnostics: || {
            let policy = "evidence {\n  x : number\n  y : number = 3\n}\nquestion q \"Q\" {\n  good when x > 1 and y > 2\n  inadequate when x < 0\n}\n";
            evidence_diagnostics(policy, "{\"x\": 0.5}")
        },
    },
    Case {
        name: "cap_floor_conflict",
        code: Code::CapFloorConflict,
        diagnostics: || {
            let policy = "evidence { x : number }\nquestion q \"Q\" {\n  good when x > 0\n  otherwise inadequate\n  at most requires_improvement when x > 5 because \"x is too high\"\n  at least good when x > 3 because \"x is high enough\"\n}\n";
            evidence_diagnostics(policy, "{\"x\": 6}")
        },
    },
    Case {
        name: "arithmetic",
        code: Code::Arithmetic,
        diagnostics: || {
            let policy = "evidence {\n  a : number\n  b : number\n}\nquestion q \"Q\" {\n  good when a / b > 1\n  otherwise inadequate\n}\n";
            evidence_diagnostics(policy, "{\"a\": 4, \"b\": 0}")
        },
    },
    Case {
        name: "script_syntax",
        code: Code::ScriptSyntax,
        diagnostics: || {
            policy_diagnostics(
                "script {\n  fn ratio(a, b) {\n    let r = a / ;\n    r\n  }\n}\nevidence { x : number }\nquestion q \"Q\" {\n  good when ratio(x, 2) > 1\n  otherwise inadequate\n}\n",
            )
        },
    },
    Case {
        name: "script_runtime",
        code: Code::ScriptRuntime,
        diagnostics: || {
            let policy = "script {\n  fn share(part, whole) {\n    part / whole * 100\n  }\n}\nevidence {\n  solved : number\n  recorded : number\n}\nquestion q \"Q\" {\n  good when share(solved, recorded) >= 25\n  otherwise inadequate\n}\n";
            evidence_diagnostics(policy, "{\"solved\": 12, \"recorded\": 0}")
        },
    },
    Case {
        name: "case_invalid",
        code: Code::CaseInvalid,
        diagnostics: || {
            let policy = compile(
                "evidence { x : number }\nquestion q \"Q\" {\n  good when x > 1\n  otherwise inadequate\n}\n",
            );
            let dir = tempfile::tempdir().unwrap();
            let case = dir.path().join("case.json");
            std::fs::write(
                &case,
                "{\n  \"evidence\": {\"x\": 2},\n  \"expect\": {\"q\": \"god\"}\n}\n",
            )
            .unwrap();
            let diagnostics = insp::cases::load_case(&policy, &case).err().unwrap();
            // The temporary folder's name varies: pin the text with a fixed name.
            diagnostics
                .into_iter()
                .map(|d| Diagnostic {
                    source: d.source.map(|s| Source::new("case.json", s.text())),
                    ..d
                })
                .collect()
        },
    },
    Case {
        name: "overlap",
        code: Code::Overlap,
        diagnostics: || {
            analysis_diagnostics(
                "evidence {\n  crime.rate : number per 1000 population\n  crime.national_rate : number per 1000 population\n  partnership : level weak < adequate < strong\n}\nlet ratio = crime.rate / crime.national_rate\nquestion q \"Q\" {\n  outstanding when ratio < 0.85 and partnership >= strong\n  good when ratio < 1\n  otherwise requires_improvement\n}\n",
            )
        },
    },
    Case {
        name: "gap",
        code: Code::Gap,
        diagnostics: || {
            analysis_diagnostics(
                "evidence { x : number }\nquestion q \"Q\" {\n  good when x >= 10\n  inadequate when x < 5\n}\n",
            )
        },
    },
    Case {
        name: "shadowed",
        code: Code::Shadowed,
        diagnostics: || {
            analysis_diagnostics(
                "evidence { x : number }\nquestion q \"Q\" {\n  resolve first\n  good when x > 5\n  outstanding when x > 10\n  otherwise inadequate\n}\n",
            )
        },
    },
    Case {
        name: "never_holds",
        code: Code::NeverHolds,
        diagnostics: || {
            analysis_diagnostics(
                "evidence { x : number }\nquestion q \"Q\" {\n  resolve highest\n  good when x > 5 and x < 3\n  otherwise inadequate\n}\n",
            )
        },
    },
    Case {
        name: "cap_floor_clash",
        code: Code::CapFloorClash,
        diagnostics: || {
            analysis_diagnostics(
                "evidence { x : number  breach : bool }\nquestion q \"Q\" {\n  good when x > 0\n  otherwise inadequate\n  at most requires_improvement when breach\n  at least good when x > 3\n}\n",
            )
        },
    },
    Case {
        name: "undecided",
        code: Code::Undecided,
        diagnostics: || {
            analysis_diagnostics(
                "evidence { x : number  y : number }\nquestion q \"Q\" {\n  good when x * y > 3\n  requires_improvement when x < 1\n  otherwise inadequate\n}\n",
            )
        },
    },
    Case {
        name: "limit",
        code: Code::PolicyLimit,
        diagnostics: || {
            let grades: Vec<String> = (0..201).map(|i| format!("g{i}")).collect();
            policy_diagnostics(&format!(
                "grades {}\nevidence {{ x : number }}\nquestion q \"Q\" {{ g0 when x > 1 }}\n",
                grades.join(" > ")
            ))
        },
    },
];

#[test]
fn every_code_renders_as_pinned() {
    for case in CASES {
        let diagnostics = (case.diagnostics)();
        assert!(
            diagnostics.iter().any(|d| d.code == case.code),
            "{}: expected {} in:\n{}",
            case.name,
            case.code,
            render(&diagnostics)
        );
        diagnostics.iter().for_each(assert_labels_in_source);
        insta::assert_snapshot!(case.name, render(&diagnostics));
    }
}

#[test]
fn every_code_has_a_case() {
    let covered: BTreeSet<Code> = CASES.iter().map(|c| c.code).collect();
    let missing: Vec<&Code> = Code::ALL
        .iter()
        .filter(|c| **c != Code::Note && !covered.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a snapshot case: {missing:?}"
    );
}

#[test]
fn diagnostics_have_a_machine_readable_form() {
    let diagnostics = evidence_diagnostics(
        SIMPLE,
        "{\n  \"force\": \"Norfolk\",\n  \"crime\": {\"rate\": \"45.5\", \"national_rate\": 60.7},\n  \"partnership\": \"strong\"\n}\n",
    );
    let json = diagnostics[0].to_json();
    assert_eq!(json["code"], "insp::evidence::type");
    assert_eq!(json["severity"], "error");
    assert_eq!(json["file"], "evidence.json");
    assert_eq!(json["labels"][0]["line"], 3);
    assert_eq!(json["labels"][0]["column"], 21);
    assert_eq!(json["related"][0]["file"], "policy.insp");
}
