//! The cost of the decision tools per evidence file, against a plain
//! evaluation, side by side in one run: HMIC 2014 over variants of Norfolk's
//! evidence (crime rate, victim satisfaction and detection varied), each
//! loaded and graded, then its robustness to the margins of error, then what
//! would change each grade (one grade up and down). `INSP_BENCH_FILES` sets
//! the number of variants (default 1,000); the figures are medians of three
//! runs over them all.

use insp::decide::change::{Target, what_would_change};
use insp::decide::robust::robustness;
use insp::decide::what_if::{Change, apply};
use insp::{Evidence, Policy, Source};
use std::time::Instant;

fn variants(policy: &Policy, count: usize) -> Vec<Source> {
    let norfolk = Source::new(
        "norfolk.json",
        std::fs::read_to_string("examples/norfolk-2014.json").unwrap(),
    );
    (0..count)
        .map(|i| {
            let changes = [
                format!("crime.rate={}", 40 + i % 30),
                format!("victims.satisfaction.value={}.{}", 84 + i % 6, i % 10),
                format!("detection.rate={}", 20 + (i / 7) % 20),
            ];
            let changes: Vec<Change> = changes.iter().map(|c| Change::parse(c).unwrap()).collect();
            apply(policy, &norfolk, &changes).unwrap()
        })
        .collect()
}

/// Milliseconds for `work` over every file: the median of three runs.
fn median_ms(files: &[Source], work: &dyn Fn(&Source) -> usize) -> (f64, usize) {
    let mut runs = Vec::new();
    let mut total = 0;
    for _ in 0..3 {
        let start = Instant::now();
        total = files.iter().map(work).sum();
        runs.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    runs.sort_by(f64::total_cmp);
    (runs[1], total)
}

fn main() {
    let count: usize = std::env::var("INSP_BENCH_FILES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let text = std::fs::read_to_string("policies/hmic-crime-2014.insp").unwrap();
    let policy = insp::compile(&Source::new("hmic.insp", text)).unwrap();
    let files = variants(&policy, count);
    let load = |source: &Source| Evidence::load(&policy, source).unwrap().evidence;
    let (plain, graded) = median_ms(&files, &|s| {
        let evidence = load(s);
        usize::from(policy.evaluate(&evidence).is_complete())
    });
    let (robust, verdicts) = median_ms(&files, &|s| {
        let evidence = load(s);
        let grading = policy.evaluate(&evidence);
        robustness(&policy, &evidence, &grading).len()
    });
    let (change, answers) = median_ms(&files, &|s| {
        let evidence = load(s);
        let grading = policy.evaluate(&evidence);
        what_would_change(&policy, &evidence, &grading, Target::Neighbours).len()
    });
    assert_eq!(graded, count, "every variant grades");
    println!("{count} evidence files (HMIC 2014, Norfolk varied), median of 3 runs:");
    println!(
        "{:<38} {:>10} {:>12} {:>9}",
        "", "total (ms)", "per file (µs)", "answers"
    );
    for (name, ms, answers) in [
        ("load and grade", plain, graded),
        ("  + robustness to the margins", robust, verdicts),
        ("  + what would change each grade", change, answers),
    ] {
        println!(
            "{name:<38} {ms:>10.1} {:>12.1} {answers:>9}",
            ms * 1000.0 / count as f64
        );
    }
}
