//! `insp check`'s analysis tied to the evaluator: on generated small
//! policies, every witness grades into the problem reported, and no evidence
//! grades into a conflict, gap or clash the analysis did not report.

use assert_cmd::Command;
use insp::Code;
use insp::analyse;
use insp::{Failure, Outcome, assess};
use insp::{Policy, Source};

mod common;

struct Generator(common::Rng);

/// The end of a generated judgement: sometimes `otherwise`, sometimes a cap
/// and a floor on the given conditions, then the closing brace.
fn ending(rng: &mut common::Rng, cap: &str, floor: &str) -> String {
    let mut text = String::new();
    if rng.next(2) == 0 {
        text.push_str("  otherwise inadequate\n");
    }
    if rng.next(3) == 0 {
        text.push_str(&format!(
            "  at most requires_improvement when {cap}\n  at least good when {floor}\n"
        ));
    }
    text.push_str("}\n");
    text
}

impl Generator {
    fn atom(&mut self) -> String {
        let k = self.0.next(8) * 5;
        match self.0.next(9) {
            0 => format!("a {} {k}", self.0.pick(&["<", "<=", ">", ">=", "=="])),
            1 => format!("b {} {k}", self.0.pick(&["<", "<=", ">", ">="])),
            2 => format!("a + b {} {}", self.0.pick(&["<", ">="]), k * 2),
            3 => format!(
                "a / b {} {}",
                self.0.pick(&["<", ">="]),
                self.0.pick(&["0.5", "1", "2"])
            ),
            4 => format!(
                "lvl {} {}",
                self.0.pick(&[">=", "<", "=="]),
                self.0.pick(&["low", "mid", "high"])
            ),
            5 => self.0.pick(&["flag", "not flag"]).to_string(),
            6 => format!(
                "s {} n",
                self.0
                    .pick(&["significantly above", "significantly below", "in line with"])
            ),
            7 => format!("a - 2 * c {} {k}", self.0.pick(&["<", ">"])),
            // Whole numbers: 2 < 3b < 4 holds for no whole b.
            _ => format!("3 * b {} {}", self.0.pick(&["<", ">"]), k + 1),
        }
    }

    fn condition(&mut self) -> String {
        let atom = self.atom();
        match self.0.next(4) {
            0 => format!("{atom} and {}", self.atom()),
            1 => format!("{atom} or {}", self.atom()),
            _ => atom,
        }
    }

    fn policy(&mut self) -> String {
        let mut text = String::from(
            "evidence {\n  a : number per 1000 population\n  b : whole per 1000 population\n  c : number per 1000 population\n  lvl : level low < mid < high\n  flag : bool\n  s : estimate percent\n  n : estimate percent\n}\n",
        );
        text.push_str(&format!(
            "question q \"Q\" {{\n  resolve {}\n",
            self.0.pick(&["unique", "unique", "first", "highest"])
        ));
        for _ in 0..2 + self.0.next(3) {
            let grade = self
                .0
                .pick(&["outstanding", "good", "requires_improvement", "inadequate"]);
            text.push_str(&format!("  {grade} when {}\n", self.condition()));
        }
        let (cap, floor) = (self.atom(), self.atom());
        text.push_str(&ending(&mut self.0, &cap, &floor));
        text
    }

    /// Evidence on a grid that includes the generated constants and points between them.
    fn evidence(&mut self) -> String {
        let number = |g: &mut Self| format!("{}{}", g.0.next(9) * 5, g.0.pick(&["", ".5"]));
        let (a, b, c) = (
            number(self),
            format!("{}", 1 + self.0.next(40)),
            number(self),
        );
        let estimate = |g: &mut Self| {
            format!(
                r#"{{"value": {}, "margin": {}}}"#,
                80 + g.0.next(10),
                g.0.pick(&["0", "0.5", "1", "2"])
            )
        };
        let (s, n) = (estimate(self), estimate(self));
        format!(
            r#"{{"a": {a}, "b": {b}, "c": {c}, "lvl": "{}", "flag": {}, "s": {s}, "n": {n}}}"#,
            self.0.pick(&["low", "mid", "high"]),
            self.0.pick(&["true", "false"])
        )
    }
}

fn compile(text: &str) -> Policy {
    compile_named("generated.insp", text)
}

fn compile_named(name: &str, text: &str) -> Policy {
    insp::compile(&Source::new(name, text)).unwrap_or_else(|d| {
        panic!(
            "{}\n{text}",
            d.iter()
                .map(insp::report::render_diagnostic)
                .collect::<String>()
        )
    })
}

/// The evaluation error code a failure shows as, and the analysis code that must have predicted it.
fn predicted_by(failure: &Failure) -> Option<Code> {
    match failure {
        Failure::Conflict { .. } => Some(Code::Overlap),
        Failure::NoRule => Some(Code::Gap),
        Failure::CapFloor { .. } => Some(Code::CapFloorClash),
        Failure::Eval(_) => None,
    }
}

/// What one generated policy showed: problems reported with a witness, and
/// sampled evidence that failed in a way the analysis predicts.
struct Agreement {
    reported: usize,
    confirmed_by_sampling: usize,
}

/// Every witness grades into exactly the problem reported, and no sampled
/// evidence shows a problem the analysis did not find (unless it said it
/// could not decide everything).
fn assert_agrees(round: usize, text: &str, samples: impl Iterator<Item = String>) -> Agreement {
    let policy = compile(text);
    let findings = analyse(&policy);
    let found: Vec<Code> = findings.iter().map(|f| f.diagnostic.code).collect();
    let undecided = found.contains(&Code::Undecided);
    let mut agreement = Agreement {
        reported: 0,
        confirmed_by_sampling: 0,
    };
    for finding in &findings {
        let Some(witness) = &finding.witness else {
            continue;
        };
        let json = witness.text();
        agreement.reported += 1;
        let assessment = assess(&policy, &Source::new("witness.json", json.as_str()), false);
        let Some(Outcome::Failed(failure)) = assessment
            .grading
            .as_ref()
            .and_then(|g| g.outcomes.last().cloned())
        else {
            panic!(
                "round {round}: witness for {} was graded\n{text}\n{json}",
                finding.diagnostic.code
            );
        };
        assert_eq!(
            predicted_by(&failure),
            Some(finding.diagnostic.code),
            "round {round}\n{text}\n{json}"
        );
    }
    for evidence in samples {
        let assessment = assess(
            &policy,
            &Source::new("sample.json", evidence.as_str()),
            false,
        );
        let Some(Outcome::Failed(failure)) = assessment
            .grading
            .as_ref()
            .and_then(|g| g.outcomes.last().cloned())
        else {
            continue;
        };
        let Some(code) = predicted_by(&failure) else {
            continue;
        };
        agreement.confirmed_by_sampling += 1;
        assert!(
            found.contains(&code) || undecided,
            "round {round}: {code} not reported, but this evidence shows it\n{text}\n{evidence}\nfound: {found:?}"
        );
    }
    agreement
}

#[test]
fn analysis_and_evaluation_agree_on_generated_policies() {
    let mut generator = Generator(common::Rng(0x00c0_ffee_2014));
    let (mut reported, mut confirmed_by_sampling) = (0, 0);
    for round in 0..150 {
        let text = generator.policy();
        let samples: Vec<String> = (0..200).map(|_| generator.evidence()).collect();
        let agreement = assert_agrees(round, &text, samples.into_iter());
        reported += agreement.reported;
        confirmed_by_sampling += agreement.confirmed_by_sampling;
    }
    assert!(
        reported > 20,
        "too few problems reported to be a test: {reported}"
    );
    assert!(
        confirmed_by_sampling > 100,
        "too few sampled failures: {confirmed_by_sampling}"
    );
}

const GRADES: &[&str] = &["outstanding", "good", "requires_improvement", "inadequate"];

/// Aggregating policies over grades given as evidence: counts, points,
/// lowest, highest, members, members read one by one, and a number beside.
struct AggregateGenerator {
    rng: common::Rng,
    members: usize,
    /// The last member is optional grade evidence, left out in some samples.
    optional_last: bool,
}

impl AggregateGenerator {
    fn atom(&mut self) -> String {
        let grade = self.rng.pick(GRADES);
        let k = self.rng.next(self.members + 1);
        match self.rng.next(9) {
            0 => format!(
                "{} {} {k}",
                self.rng.pick(&["assessed()", "members()"]),
                self.rng.pick(&[">=", "==", "<"])
            ),
            1 => format!(
                "count({grade}) {} {k}",
                self.rng.pick(&[">=", "==", "<=", "<"])
            ),
            2 => format!("count({} {grade}) >= {k}", self.rng.pick(&[">=", "<="])),
            3 => format!("lowest() {} {grade}", self.rng.pick(&[">=", "<", "=="])),
            4 => format!("highest() {} {grade}", self.rng.pick(&[">=", "<"])),
            5 => format!(
                "points() {} {}",
                self.rng.pick(&[">=", "<"]),
                self.rng.next(3 * self.members + 1)
            ),
            6 => format!("m0 {} {grade}", self.rng.pick(&[">=", "<="])),
            7 => format!("count({grade}) {} {k}", self.rng.pick(&[">=", "<"])),
            _ => format!(
                "x {} {}",
                self.rng.pick(&[">", "<="]),
                self.rng.next(4) * 10
            ),
        }
    }

    fn policy(&mut self) -> String {
        self.members = 2 + self.rng.next(5);
        self.optional_last = self.rng.next(2) == 0;
        let optional = |i: usize| i + 1 == self.members && self.optional_last;
        let fields: Vec<String> = (0..self.members)
            .map(|i| {
                format!(
                    "  m{i} : grade{}\n",
                    if optional(i) { " optional" } else { "" }
                )
            })
            .collect();
        let names: Vec<String> = (0..self.members).map(|i| format!("m{i}")).collect();
        let mut text = format!("evidence {{\n{}  x : number\n}}\n", fields.concat());
        text.push_str(&format!(
            "overall \"O\" of {} {{\n  resolve {}\n",
            names.join(", "),
            self.rng.pick(&["unique", "unique", "first", "highest"])
        ));
        for _ in 0..2 + self.rng.next(3) {
            let grade = self.rng.pick(GRADES);
            let atom = self.atom();
            let condition = match self.rng.next(3) {
                0 => format!("{atom} and {}", self.atom()),
                1 => format!("{atom} or {}", self.atom()),
                _ => atom,
            };
            text.push_str(&format!("  {grade} when {condition}\n"));
        }
        let (cap, floor) = (self.atom(), self.atom());
        text.push_str(&ending(&mut self.rng, &cap, &floor));
        text
    }

    fn evidence(&mut self) -> String {
        let members: Vec<String> = (0..self.members)
            .map(|i| {
                let left_out = i + 1 == self.members && self.optional_last && self.rng.next(3) == 0;
                match left_out {
                    true => format!("\"m{i}\": null"),
                    false => format!("\"m{i}\": \"{}\"", self.rng.pick(GRADES)),
                }
            })
            .collect();
        format!(
            "{{{}, \"x\": {}}}",
            members.join(", "),
            self.rng.next(5) * 10
        )
    }
}

#[test]
fn analysis_and_evaluation_agree_on_generated_aggregates() {
    let mut generator = AggregateGenerator {
        rng: common::Rng(0x0a99_2022),
        members: 0,
        optional_last: false,
    };
    let (mut reported, mut confirmed_by_sampling) = (0, 0);
    for round in 0..150 {
        let text = generator.policy();
        let samples: Vec<String> = (0..200).map(|_| generator.evidence()).collect();
        let policy = compile(&text);
        let undecided = analyse(&policy)
            .iter()
            .any(|f| f.diagnostic.code == Code::Undecided);
        assert!(!undecided, "round {round}: aggregates are decided\n{text}");
        let agreement = assert_agrees(round, &text, samples.into_iter());
        reported += agreement.reported;
        confirmed_by_sampling += agreement.confirmed_by_sampling;
    }
    assert!(reported > 20, "too few problems reported: {reported}");
    assert!(
        confirmed_by_sampling > 100,
        "too few sampled failures: {confirmed_by_sampling}"
    );
}

/// An overall judgement over questions, each banding its own number (or,
/// in some rounds, a number two questions share): the members' grades are
/// tied to the evidence, apart or enumerated.
fn overall_of_questions(rng: &mut common::Rng) -> (String, usize) {
    let questions = 2 + rng.next(5);
    let shared = rng.next(3) == 0;
    let field = |i: usize| if shared && i == 1 { 0 } else { i };
    let declared: String = (0..questions)
        .map(|i| format!("  f{i} : number\n"))
        .collect();
    let mut text = format!("evidence {{\n{declared}}}\n");
    for i in 0..questions {
        let (high, low) = (50 + rng.next(5) * 10, 10 + rng.next(4) * 10);
        let (better, worse) = (rng.pick(GRADES), rng.pick(&GRADES[1..]));
        text.push_str(&format!(
            "question q{i} \"Q{i}\" {{\n  resolve highest\n  {better} when f{} >= {high}\n  {worse} when f{} >= {low}\n  otherwise inadequate\n}}\n",
            field(i),
            field(i)
        ));
    }
    let mut generator = AggregateGenerator {
        rng: common::Rng(rng.next(1 << 30) as u64 + 1),
        members: questions,
        optional_last: false,
    };
    let names: Vec<String> = (0..questions).map(|i| format!("q{i}")).collect();
    text.push_str(&format!("overall \"O\" of {} {{\n", names.join(", ")));
    for _ in 0..2 + rng.next(3) {
        let atom = loop {
            let atom = generator.atom();
            if !atom.starts_with("m0") && !atom.starts_with('x') {
                break atom;
            }
        };
        text.push_str(&format!("  {} when {atom}\n", rng.pick(GRADES)));
    }
    text.push_str("}\n");
    (text, questions)
}

#[test]
fn analysis_and_evaluation_agree_on_aggregates_of_questions() {
    let mut rng = common::Rng(0x0a11_0f9e);
    let (mut reported, mut confirmed_by_sampling) = (0, 0);
    for round in 0..80 {
        let (text, questions) = overall_of_questions(&mut rng);
        let samples: Vec<String> = (0..200)
            .map(|_| {
                let values: Vec<String> = (0..questions)
                    .map(|i| format!("\"f{i}\": {}", rng.next(8) * 10 + 5))
                    .collect();
                format!("{{{}}}", values.join(", "))
            })
            .collect();
        let policy = compile(&text);
        let undecided = analyse(&policy)
            .iter()
            .any(|f| f.diagnostic.code == Code::Undecided);
        assert!(!undecided, "round {round}: decided\n{text}");
        let agreement = assert_agrees(round, &text, samples.into_iter());
        reported += agreement.reported;
        confirmed_by_sampling += agreement.confirmed_by_sampling;
    }
    assert!(reported > 20, "too few problems reported: {reported}");
    assert!(
        confirmed_by_sampling > 100,
        "too few sampled failures: {confirmed_by_sampling}"
    );
}

#[test]
fn the_shipped_policies_check_clean() {
    for (path, allowed) in [
        ("policies/hmic-crime-2014.insp", None),
        ("policies/peel-2021.insp", None),
        ("policies/cqc-asc-2022.insp", None),
        // Its trend comes from a helper script, beyond the exact analysis:
        // whether each `resolve highest` band can decide is undecided.
        (
            "policies/hmic-crime-2014-trends.insp",
            Some(Code::Undecided),
        ),
    ] {
        let policy = compile_named(path, &std::fs::read_to_string(path).unwrap());
        let findings: Vec<String> = analyse(&policy)
            .iter()
            .filter(|f| Some(f.diagnostic.code) != allowed)
            .map(|f| insp::report::render_diagnostic(&f.diagnostic))
            .collect();
        assert!(findings.is_empty(), "{path}:\n{}", findings.concat());
    }
}

#[test]
fn under_resolve_highest_a_stricter_band_for_a_worse_grade_never_decides() {
    let policy = compile(
        "evidence { p : percent 0..100 }\nquestion q \"Q\" {\n  resolve highest\n  good when p >= 60\n  requires_improvement when p >= 70\n  otherwise inadequate\n}\n",
    );
    let findings = analyse(&policy);
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].diagnostic.code, Code::Shadowed);
    assert!(
        findings[0]
            .diagnostic
            .message
            .contains("requires_improvement can never decide the grade"),
        "{}",
        findings[0].diagnostic.message
    );
}

#[test]
fn check_writes_witnesses_that_evaluate_into_the_same_problem() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::cargo_bin("insp")
        .unwrap()
        .args(["check", "--format", "json", "--witness-dir"])
        .arg(dir.path())
        .arg("examples/draft-response.insp")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "an overlap is an error");
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let overlap = &doc["diagnostics"][0];
    assert_eq!(overlap["code"], "insp::analysis::overlap");
    assert_eq!(overlap["labels"][0]["line"], 18);
    assert!(overlap["witness"]["response"]["median_minutes"].is_number());

    let witness = dir.path().join("draft-response.response.1.overlap.json");
    let graded = Command::cargo_bin("insp")
        .unwrap()
        .env("NO_COLOR", "1")
        .args(["evaluate", "examples/draft-response.insp"])
        .arg(&witness)
        .output()
        .unwrap();
    assert_eq!(graded.status.code(), Some(1));
    assert!(
        String::from_utf8(graded.stderr)
            .unwrap()
            .contains("insp::eval::conflict")
    );
}
