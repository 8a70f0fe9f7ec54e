//! `insp check`'s analysis on generated policies with 10, 100 and 1,000
//! rules per question: banded criteria on a number and a level, under
//! `unique` (every pair of rules checked for overlap), `first` (every rule
//! checked for shadowing) and with no `otherwise` (a gap search).
//! `INSP_BENCH_SIZES` overrides the sizes (comma-separated).

use insp::Source;
use std::time::Instant;

fn policy(rules: usize, strategy: &str, otherwise: bool) -> String {
    let grades = ["outstanding", "good", "requires_improvement", "inadequate"];
    let mut text = String::from(
        "evidence {\n  x : number per 1000 population\n  finding : level poor < adequate < good < strong\n}\n",
    );
    text.push_str(&format!(
        "question q \"Generated\" {{\n  resolve {strategy}\n"
    ));
    for i in 0..rules {
        let (low, high) = (i * 10, i * 10 + 10);
        text.push_str(&format!(
            "  {} when x >= {low} and x < {high} and finding >= adequate\n",
            grades[i % 4]
        ));
    }
    if otherwise {
        text.push_str("  otherwise inadequate\n");
    }
    text.push_str("}\n");
    text
}

fn main() {
    let sizes: Vec<usize> = std::env::var("INSP_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![10, 100, 1000]);
    println!(
        "{:>6}  {:>14}  {:>14}  {:>14}  {:>9}",
        "rules", "unique (ms)", "first (ms)", "no otherwise", "findings"
    );
    for rules in sizes {
        let mut row = Vec::new();
        let mut findings = 0;
        for (strategy, otherwise) in [("unique", true), ("first", true), ("highest", false)] {
            let text = policy(rules, strategy, otherwise);
            let compiled = insp::compile(&Source::new("generated.insp", text))
                .unwrap_or_else(|_| panic!("compiles"));
            let start = Instant::now();
            let result = insp::analyse(&compiled);
            row.push(start.elapsed().as_secs_f64() * 1000.0);
            findings += result.len();
        }
        println!(
            "{rules:>6}  {:>14.1}  {:>14.1}  {:>14.1}  {findings:>9}",
            row[0], row[1], row[2]
        );
    }
}
