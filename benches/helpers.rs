//! The per-call cost of a Rhai helper against the same computation written
//! in the DSL, side by side in one run over the same generated documents.
//! Both policies must grade every document alike. `INSP_BENCH_DOCS` sets the
//! number of documents (default 100,000).

use insp::Evaluator;
use insp::{Evidence, Policy, Source};
use std::time::{Duration, Instant};

const EVIDENCE: &str = "evidence { a : number  b : number }";
const RULES: &str = r#"question q "Q" { resolve highest  good when r <= 1  requires_improvement when r <= 1.2  otherwise inadequate }"#;

fn compile(name: &str, text: String) -> Policy {
    insp::compile(&Source::new(name, text)).unwrap_or_else(|_| panic!("{name} compiles"))
}

/// The best of three passes, and the grades of the last.
fn time(policy: &Policy, evidence: &[Evidence]) -> (Duration, Vec<Option<u8>>) {
    let mut evaluator = Evaluator::new(policy);
    let mut best = Duration::MAX;
    let mut grades = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        grades = evidence
            .iter()
            .map(|e| evaluator.evaluate(e).grade(0))
            .collect();
        best = best.min(start.elapsed());
    }
    (best, grades)
}

fn main() {
    let count: usize = std::env::var("INSP_BENCH_DOCS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let dsl = compile("dsl.insp", format!("{EVIDENCE}\nlet r = a / b\n{RULES}"));
    // Rounded as insp rounds a division, so that both give the same grades.
    let helper = compile(
        "helper.insp",
        format!(
            "script {{ fn ratio(a, b) {{ (a / b).round(12) }} }}\n{EVIDENCE}\nlet r = ratio(a, b)\n{RULES}"
        ),
    );
    let mut seed = 0x5eed_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % 10_000
    };
    let documents: Vec<Source> = (0..count)
        .map(|i| {
            Source::new(
                format!("{i}.json"),
                format!(
                    r#"{{"a": {}.{:02}, "b": {}.{:02}}}"#,
                    40 + next() % 40,
                    next() % 100,
                    45 + next() % 20,
                    next() % 100
                ),
            )
        })
        .collect();
    let load = |policy: &Policy| -> Vec<Evidence> {
        documents
            .iter()
            .map(|d| {
                Evidence::load(policy, d)
                    .unwrap_or_else(|_| panic!("{} loads", d.name()))
                    .evidence
            })
            .collect()
    };
    let (dsl_time, dsl_grades) = time(&dsl, &load(&dsl));
    let (helper_time, helper_grades) = time(&helper, &load(&helper));
    assert_eq!(
        dsl_grades, helper_grades,
        "the helper and the DSL must grade alike"
    );
    let ns = |d: Duration| d.as_nanos() as f64 / count as f64;
    println!(
        "{count} documents, one division per evaluation; both policies grade every document alike."
    );
    println!("{:<28} {:>12} {:>14}", "policy", "ns/eval", "evals/s");
    for (name, duration) in [
        ("DSL `a / b`", dsl_time),
        ("Rhai helper `ratio(a, b)`", helper_time),
    ] {
        println!(
            "{name:<28} {:>12.1} {:>14.0}",
            ns(duration),
            count as f64 / duration.as_secs_f64()
        );
    }
    println!(
        "overhead of one helper call: {:.1} ns ({:.1}× the DSL evaluation)",
        ns(helper_time) - ns(dsl_time),
        ns(helper_time) / ns(dsl_time)
    );
}
