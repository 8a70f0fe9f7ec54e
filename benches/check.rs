//! `insp check`'s analysis on generated policies with 10, 100 and 1,000
//! rules per question, under `unique` (every pair of rules checked for
//! overlap), `first` (every rule checked for shadowing) and with no
//! `otherwise` (a gap search), each within a 10 s budget. The rules interact:
//! each bounds `x` and `x + y` and `y` and a level, with bands that overlap
//! their neighbours', so that no one-variable pre-filter can set a pair of
//! rules aside and the linear feasibility check runs for real.
//! `INSP_BENCH_SIZES` overrides the sizes (comma-separated).
//!
//! Then aggregating judgements over 5, 12 and 20 grades given as evidence
//! (`INSP_BENCH_MEMBERS`): a counting policy (care-style, `unique`, with its
//! overlaps and gap) and a points-and-bands policy (`first`), each decided
//! case by case over the splits of the members over the grades.
//!
//! Last, rules of two comparisons over three of N numbers (3 questions, a
//! fixed seed): shadowing under `resolve first`, and gaps and dominated rules
//! under `resolve highest` with no `otherwise` (`INSP_BENCH_MIXED=RULES:FIELDS,...`),
//! each judgement within a 10 s budget; "undecided" counts the judgements the
//! budget or the search limits left open.
//!
//! Then the shapes that once hung the analysis (`INSP_BENCH_HOSTILE=RULES,...`):
//! one comparison a rule over 5 numbers under `resolve highest` with no
//! `otherwise`, the same under `resolve first` over 4 numbers, rules of `!=`
//! over 4 numbers, the same over whole numbers (branch and bound), and an
//! overall judgement counting 5 questions' grades (tied to their evidence).

use insp::Source;
use std::time::Instant;

fn policy(rules: usize, strategy: &str, otherwise: bool) -> String {
    let grades = ["outstanding", "good", "requires_improvement", "inadequate"];
    let levels = ["poor", "adequate", "good", "strong"];
    let mut text = String::from(
        "evidence {\n  x : number per 1000 population\n  y : number per 1000 population\n  finding : level poor < adequate < good < strong\n}\n",
    );
    text.push_str(&format!(
        "question q \"Generated\" {{\n  resolve {strategy}\n"
    ));
    for i in 0..rules {
        // x in a band three rules wide; y and x + y couple each rule to its
        // neighbours' bands, so overlap depends on both numbers at once.
        let low = i * 10;
        let y_low = (i * 7) % 30;
        let sum_high = low + 30 + y_low + (i % 3) * 10;
        text.push_str(&format!(
            "  {} when x >= {low} and x + y < {sum_high} and y >= {y_low} and finding >= {}\n",
            grades[i % 4],
            levels[i % 3]
        ));
    }
    if otherwise {
        text.push_str("  otherwise inadequate\n");
    }
    text.push_str("}\n");
    text
}

/// An aggregate over `members` grades given as evidence.
fn aggregate(members: usize, counting: bool) -> String {
    let fields: String = (0..members).map(|i| format!("  m{i} : grade\n")).collect();
    let names: Vec<String> = (0..members).map(|i| format!("m{i}")).collect();
    let rules = if counting {
        "  outstanding when count(outstanding) >= 2 and count(>= good) == members()\n  good when count(inadequate) == 0 and count(requires_improvement) <= 1\n  requires_improvement when count(requires_improvement) >= 2\n  inadequate when count(inadequate) >= 2\n".to_string()
    } else {
        let top = 3 * members;
        format!(
            "  resolve first\n  outstanding when points() >= {}\n  good when points() >= {}\n  requires_improvement when points() >= {} and lowest() >= requires_improvement\n  otherwise inadequate\n",
            top * 7 / 8,
            top * 5 / 8,
            top * 3 / 8
        )
    };
    format!(
        "evidence {{\n{fields}}}\noverall \"Overall\" of {} {{\n{rules}}}\n",
        names.join(", ")
    )
}

fn time_analysis(text: String) -> (f64, usize) {
    let compiled =
        insp::compile(&Source::new("generated.insp", text)).unwrap_or_else(|_| panic!("compiles"));
    let start = Instant::now();
    let findings = insp::analyse(&compiled);
    (start.elapsed().as_secs_f64() * 1000.0, findings.len())
}

/// Sizes from an environment variable (comma-separated), or the defaults.
fn sizes(variable: &str, defaults: &[usize]) -> Vec<usize> {
    std::env::var(variable)
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| defaults.to_vec())
}

fn aggregates() {
    let members = sizes("INSP_BENCH_MEMBERS", &[5, 12, 20]);
    println!(
        "\n{:>7}  {:>14}  {:>9}  {:>14}  {:>9}",
        "members", "counting (ms)", "findings", "points (ms)", "findings"
    );
    for n in members {
        let (counting, counting_findings) = time_analysis(aggregate(n, true));
        let (points, points_findings) = time_analysis(aggregate(n, false));
        println!(
            "{n:>7}  {counting:>14.1}  {counting_findings:>9}  {points:>14.1}  {points_findings:>9}"
        );
    }
}

/// A small deterministic generator (xorshift) for the mixed policies.
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Three questions of `rules` rules, each two comparisons over `fields` numbers.
fn mixed(rules: usize, fields: usize, strategy: &str, otherwise: bool, rng: &mut Rng) -> String {
    let grades = ["outstanding", "good", "requires_improvement", "inadequate"];
    let declared: String = (0..fields).map(|i| format!("  f{i} : number\n")).collect();
    let mut text = format!("evidence {{\n{declared}}}\n");
    for q in 0..3 {
        text.push_str(&format!(
            "question q{q} \"Q{q}\" {{\n  resolve {strategy}\n"
        ));
        for _ in 0..rules {
            let (a, b) = (rng.next(fields), rng.next(fields));
            let (low, high) = (rng.next(50), 50 + rng.next(50));
            text.push_str(&format!(
                "  {} when f{a} >= {low} and f{b} < {high}\n",
                grades[rng.next(4)]
            ));
        }
        if otherwise {
            text.push_str("  otherwise inadequate\n");
        }
        text.push_str("}\n");
    }
    text
}

fn mixed_rows() {
    let cases: Vec<(usize, usize)> = std::env::var("INSP_BENCH_MIXED")
        .ok()
        .map(|s| {
            s.split(',')
                .filter_map(|pair| {
                    let (r, f) = pair.split_once(':')?;
                    Some((r.trim().parse().ok()?, f.trim().parse().ok()?))
                })
                .collect()
        })
        .unwrap_or_else(|| {
            vec![
                (4, 5),
                (8, 5),
                (12, 5),
                (16, 10),
                (32, 20),
                (64, 40),
                (64, 5),
            ]
        });
    println!(
        "\n{:>5}  {:>6}  {:>14}  {:>9}  {:>19}  {:>9}",
        "rules", "fields", "first (ms)", "undecided", "highest, gaps (ms)", "undecided"
    );
    for (rules, fields) in cases {
        let mut rng = Rng(0x5eed_2026 ^ (rules as u64) << 8 ^ fields as u64);
        let mut row = Vec::new();
        for (strategy, otherwise) in [("first", true), ("highest", false)] {
            row.push(time_findings(mixed(
                rules, fields, strategy, otherwise, &mut rng,
            )));
        }
        println!(
            "{rules:>5}  {fields:>6}  {:>14.1}  {:>9}  {:>19.1}  {:>9}",
            row[0].0, row[0].1, row[1].0, row[1].1
        );
    }
}

/// `rules` rules over `fields` numbers, each condition made by `condition`.
fn shaped(
    rules: usize,
    fields: usize,
    head: &str,
    rng: &mut Rng,
    condition: &dyn Fn(&mut Rng) -> String,
) -> String {
    let grades = ["outstanding", "good", "requires_improvement", "inadequate"];
    let declared: String = (0..fields).map(|i| format!("  f{i} : number\n")).collect();
    let mut text = format!("evidence {{\n{declared}}}\nquestion q \"Q\" {{\n{head}");
    for _ in 0..rules {
        let grade = grades[rng.next(4)];
        text.push_str(&format!("  {grade} when {}\n", condition(rng)));
    }
    text.push_str("}\n");
    text
}

/// An overall judgement counting `members` questions of three bands each.
fn overall_of_questions(members: usize) -> String {
    let declared: String = (0..members)
        .map(|i| format!("  f{i} : percent\n"))
        .collect();
    let mut text = format!("evidence {{\n{declared}}}\n");
    for i in 0..members {
        text.push_str(&format!(
            "question q{i} \"Q{i}\" {{\n  resolve highest\n  outstanding when f{i} >= 90\n  good when f{i} >= 60\n  otherwise requires_improvement\n}}\n"
        ));
    }
    let names: Vec<String> = (0..members).map(|i| format!("q{i}")).collect();
    text.push_str(&format!(
        "overall \"O\" of {} {{\n  outstanding when count(outstanding) >= 2 and count(<= requires_improvement) == 0\n  good when count(<= requires_improvement) <= 1 and count(outstanding) < 2\n  inadequate when count(inadequate) >= 1\n}}\n",
        names.join(", ")
    ));
    text
}

fn hostile_rows() {
    let rule_counts = sizes("INSP_BENCH_HOSTILE", &[7, 9, 12, 24, 48]);
    println!(
        "\n{:>5}  {:>15}  {:>13}  {:>11}  {:>14}  {:>9}",
        "rules", "highest, 5 (ms)", "first, 4 (ms)", "!=, 4 (ms)", "whole, 4 (ms)", "undecided"
    );
    let one = |fields: usize| {
        move |rng: &mut Rng| {
            let op = ["<", ">=", ">"][rng.next(3)];
            format!("f{} {op} {}", rng.next(fields), rng.next(100))
        }
    };
    let unequal = |rng: &mut Rng| {
        let (a, b) = (rng.next(4), rng.next(4));
        format!("f{a} != {} and f{b} != {}", rng.next(20), rng.next(20))
    };
    let joint = |rng: &mut Rng| {
        let (a, b) = (rng.next(4), rng.next(4));
        let op = ["<", ">="][rng.next(2)];
        format!("2 * f{a} - 2 * f{b} {op} {}", rng.next(20) * 2 + 1)
    };
    for rules in rule_counts {
        let mut rng = Rng(0x0bad_c0de ^ rules as u64);
        let shapes = [
            shaped(rules, 5, "  resolve highest\n", &mut rng, &one(5)),
            shaped(rules, 4, "  resolve first\n", &mut rng, &one(4)),
            shaped(rules, 4, "  resolve first\n", &mut rng, &unequal),
            shaped(rules, 4, "  resolve highest\n", &mut rng, &joint)
                .replace(": number", ": whole"),
        ];
        let mut undecided = 0;
        let times: Vec<f64> = shapes
            .into_iter()
            .map(|text| {
                let (ms, findings) = time_findings(text);
                undecided += findings;
                ms
            })
            .collect();
        println!(
            "{rules:>5}  {:>15.1}  {:>13.1}  {:>11.1}  {:>14.1}  {undecided:>9}",
            times[0], times[1], times[2], times[3]
        );
    }
    let members = sizes("INSP_BENCH_MEMBERS", &[5, 12, 20])[0];
    let (ms, undecided) = time_findings(overall_of_questions(members));
    println!(
        "overall of {members} questions, tied to their evidence: {ms:.1} ms, {undecided} undecided"
    );
}

/// The analysis time of a policy, and how many judgements it left undecided.
fn time_findings(text: String) -> (f64, usize) {
    let compiled =
        insp::compile(&Source::new("hostile.insp", text)).unwrap_or_else(|_| panic!("compiles"));
    let start = Instant::now();
    let findings = insp::analyse_within(&compiled, std::time::Duration::from_secs(10));
    let undecided = findings
        .iter()
        .filter(|f| f.diagnostic.code == insp::Code::Undecided)
        .count();
    (start.elapsed().as_secs_f64() * 1000.0, undecided)
}

fn main() {
    let rule_counts = sizes("INSP_BENCH_SIZES", &[10, 100, 1000]);
    println!(
        "{:>6}  {:>14}  {:>14}  {:>14}  {:>9}  {:>9}",
        "rules", "unique (ms)", "first (ms)", "no otherwise", "findings", "undecided"
    );
    for rules in rule_counts {
        let mut row = Vec::new();
        let (mut findings, mut undecided) = (0, 0);
        for (strategy, otherwise) in [("unique", true), ("first", true), ("highest", false)] {
            let text = policy(rules, strategy, otherwise);
            let compiled = insp::compile(&Source::new("generated.insp", text))
                .unwrap_or_else(|_| panic!("compiles"));
            let start = Instant::now();
            let result = insp::analyse_within(&compiled, std::time::Duration::from_secs(10));
            row.push(start.elapsed().as_secs_f64() * 1000.0);
            findings += result.len();
            undecided += result
                .iter()
                .filter(|f| f.diagnostic.code == insp::Code::Undecided)
                .count();
        }
        println!(
            "{rules:>6}  {:>14.1}  {:>14.1}  {:>14.1}  {findings:>9}  {undecided:>9}",
            row[0], row[1], row[2]
        );
    }
    aggregates();
    mixed_rows();
    hostile_rows();
}
