//! The compiled evaluator gives exactly what walking the expressions gives:
//! `Evaluator::evaluate` against `Policy::evaluate`, outcome for
//! outcome (grades, deciding rules, limits, failures), on every shipped and
//! fixture policy with every evidence file that loads under it, on those
//! files with their values replaced by awkward ones (wide, tiny, zero,
//! negative, absent), and on generated HMIC documents around the
//! thresholds. The compiled path must also be the one taken.

use insp::{Evaluator, Evidence, Policy, Source};

#[path = "../benches/common/hmic.rs"]
mod hmic;

/// Every policy that compiles: shipped, fixtures and the UI fixtures'.
fn policies() -> Vec<(String, Policy)> {
    let mut paths = Vec::new();
    for folder in ["policies", "tests/fixtures", "examples"] {
        paths.extend(files(folder, "insp"));
    }
    for entry in std::fs::read_dir("tests/ui").unwrap() {
        paths.push(
            entry
                .unwrap()
                .path()
                .join("policy.insp")
                .display()
                .to_string(),
        );
    }
    paths.sort();
    let compiled: Vec<(String, Policy)> = paths
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            let policy = insp::compile(&Source::new(&path, text)).ok()?;
            Some((path, policy))
        })
        .collect();
    assert!(
        compiled.len() > 20,
        "the policies compile ({})",
        compiled.len()
    );
    compiled
}

fn files(folder: &str, extension: &str) -> Vec<String> {
    std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == extension))
        .map(|path| path.display().to_string())
        .collect()
}

/// Every evidence file shipped: examples and the UI fixtures'.
fn documents() -> Vec<String> {
    let mut paths = files("examples", "json");
    for entry in std::fs::read_dir("tests/ui").unwrap() {
        paths.push(
            entry
                .unwrap()
                .path()
                .join("evidence.json")
                .display()
                .to_string(),
        );
    }
    paths.sort();
    paths
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .collect()
}

/// Numbers that the compiled path must get right or leave to the walk.
const NUMBERS: &[&str] = &[
    "0",
    "-0.0",
    "1",
    "-7.25",
    "0.85",
    "1.05",
    "60.7",
    "0.000000000000001",
    "123456789012345678",
    "12345678901234567890.5",
    "79228162514264337593543950335",
    "0.1234567890123456789012345678",
    "null",
];

/// The document with its `index`th number replaced.
fn with_number(text: &str, index: usize, number: &str) -> Option<String> {
    let pattern = regex::Regex::new(r":\s*(-?[0-9][0-9.eE+-]*)").unwrap();
    let found = pattern.captures_iter(text).nth(index)?.get(1)?;
    Some(format!(
        "{}{}{}",
        &text[..found.start()],
        number,
        &text[found.end()..]
    ))
}

/// Grades the document both ways when it loads; whether it did.
fn agree(path: &str, policy: &Policy, evaluator: &mut Evaluator, text: &str) -> bool {
    let Ok(loaded) = Evidence::load(policy, &Source::new("evidence.json", text)) else {
        return false;
    };
    let compiled = evaluator.evaluate(&loaded.evidence).clone();
    let walked = policy.evaluate(&loaded.evidence);
    assert_eq!(compiled, walked, "{path} on\n{text}");
    true
}

#[test]
fn compiled_and_walked_agree_on_every_policy_and_file() {
    let documents = documents();
    let (mut graded, mut varied) = (0, 0);
    for (path, policy) in &policies() {
        let mut evaluator = Evaluator::new(policy);
        for text in &documents {
            if !agree(path, policy, &mut evaluator, text) {
                continue;
            }
            graded += 1;
            for index in 0.. {
                let Some(first) = with_number(text, index, NUMBERS[0]) else {
                    break;
                };
                varied += usize::from(agree(path, policy, &mut evaluator, &first));
                for number in &NUMBERS[1..] {
                    let changed = with_number(text, index, number).unwrap();
                    varied += usize::from(agree(path, policy, &mut evaluator, &changed));
                }
            }
        }
    }
    assert!(graded > 30, "{graded} files graded both ways");
    assert!(varied > 1000, "{varied} varied files graded both ways");
}

#[test]
fn compiled_and_walked_agree_on_generated_hmic_documents() {
    let text = std::fs::read_to_string("policies/hmic-crime-2014.insp").unwrap();
    let policy = insp::compile(&Source::new("hmic.insp", text)).unwrap();
    let mut evaluator = Evaluator::new(&policy);
    for force in hmic::generate(20_000) {
        let json = hmic::to_json(&force);
        assert!(agree("hmic", &policy, &mut evaluator, &json));
    }
    // Every condition of the HMIC policy has a compiled form, and
    // published figures never need the walk.
    assert_eq!(evaluator.walked(), 0);
}

#[test]
fn wide_values_and_zero_divisors_are_walked_and_agree() {
    let text = std::fs::read_to_string("policies/hmic-crime-2014.insp").unwrap();
    let policy = insp::compile(&Source::new("hmic.insp", text)).unwrap();
    let norfolk = std::fs::read_to_string("examples/norfolk-2014.json").unwrap();
    let mut evaluator = Evaluator::new(&policy);
    // crime.national_rate is the second number in the file.
    for number in ["0", "12345678901234567890.5", "0.0000000000000000001"] {
        let changed = with_number(&norfolk, 1, number).unwrap();
        assert!(agree("hmic", &policy, &mut evaluator, &changed), "{number}");
    }
    assert!(
        evaluator.walked() > 0,
        "the walk decided what the compiled path could not"
    );
}

/// Every operator, with the constant on either side (the compiled form
/// moves it to the right and turns the operator round), against values
/// below, at and above it.
#[test]
fn every_operator_with_a_constant_on_either_side_agrees() {
    let mut text = String::from(
        "evidence {\n  x : number\n  level : level low < mid < high\n  flag : bool\n}\n",
    );
    let operators = ["<", "<=", ">", ">=", "==", "!="];
    let mut conditions: Vec<String> = operators
        .iter()
        .flat_map(|op| {
            [
                format!("x {op} 1.5"),
                format!("1.5 {op} x"),
                format!("level {op} mid"),
                format!("mid {op} level"),
            ]
        })
        .collect();
    // True or false compare only for equality.
    for op in ["==", "!="] {
        conditions.extend([format!("flag {op} true"), format!("true {op} flag")]);
    }
    for (index, condition) in conditions.iter().enumerate() {
        text.push_str(&format!(
            "question q{index} \"Q\" {{\n  good when {condition}\n  otherwise inadequate\n}}\n"
        ));
    }
    let policy = insp::compile(&Source::new("operators.insp", text)).unwrap();
    let mut evaluator = Evaluator::new(&policy);
    let mut grades = std::collections::BTreeSet::new();
    for x in ["1.4", "1.5", "1.50", "1.6"] {
        for level in ["low", "mid", "high"] {
            for flag in ["false", "true"] {
                let json = format!(r#"{{"x": {x}, "level": "{level}", "flag": {flag}}}"#);
                assert!(agree("operators", &policy, &mut evaluator, &json), "{json}");
                grades.extend(
                    evaluator
                        .evaluate(&loaded(&policy, &json))
                        .outcomes
                        .iter()
                        .map(|o| format!("{o:?}")),
                );
            }
        }
    }
    assert_eq!(
        evaluator.walked(),
        0,
        "every comparison has a compiled form"
    );
    assert!(grades.len() >= 2, "both grades are given: {grades:?}");
}

fn loaded(policy: &Policy, json: &str) -> Evidence {
    Evidence::load(policy, &Source::new("evidence.json", json))
        .unwrap()
        .evidence
}
