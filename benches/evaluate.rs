//! Evaluation speed of the HMIC 2014 policy, side by side in one run:
//!
//! 1. insp: the compiled policy over evidence bound once to slots;
//! 2. the same criteria hand-written in Rust, on the same exact decimals;
//! 3. the same criteria as a plain Rhai script (decimal numbers, so that its
//!    grades can be compared with the others), called once per document.
//!
//! All three must give the same grades for every document: the run checks it
//! before reporting any figure. `INSP_BENCH_DOCS` sets the number of generated
//! documents (default 100,000).

use insp::Evaluator;
use insp::{Evidence, Source};
use std::hint::black_box;
use std::time::{Duration, Instant};

#[path = "common/hmic.rs"]
mod hmic;

use hmic::{Force, Grades, generate, hand_written, to_json};

// ---- 1. insp ---------------------------------------------------------------

fn insp_grades(evaluator: &mut Evaluator, evidence: &Evidence) -> Grades {
    let grading = evaluator.evaluate(evidence);
    let mut grades = [-1; 3];
    for (slot, grade) in grades.iter_mut().enumerate() {
        if let Some(rank) = grading.grade(slot) {
            *grade = rank as i8;
        }
    }
    grades
}

// ---- 3. a plain Rhai script -------------------------------------------------

const RHAI_POLICY: &str = r#"
fn highest(outstanding, good, ri) {
    if outstanding { 3 } else if good { 2 } else if ri { 1 } else { 0 }
}
fn grade(e) {
    let crime_ratio = (e.crime_rate / e.crime_national).round(12);
    let above = e.sat - e.sat_margin > e.nat_sat + e.nat_sat_margin;
    let below = e.sat + e.sat_margin < e.nat_sat - e.nat_sat_margin;
    let reducing = highest(
        crime_ratio <= 0.85 && e.burglary <= e.burglary_national && above && e.prevention >= 3 && e.partnership >= 3,
        crime_ratio <= 1.05 && e.change <= e.national_change + 10.0 && !below && e.prevention >= 2 && e.partnership >= 2,
        e.prevention >= 1 && e.partnership >= 1);
    let capped = e.recording == 0 || e.partnership <= 0;
    let floored = crime_ratio <= 0.7 && above && e.recording >= 1 && e.partnership >= 1;
    if capped && floored { reducing = -1; }
    else if capped && reducing > 1 { reducing = 1; }
    else if floored && reducing < 2 { reducing = 2; }

    let investigating = highest(
        e.detection >= e.detection_national + 5.0 && e.investigation >= 3 && e.vulnerability >= 3
            && e.offender_management >= 3 && e.organised_crime >= 2,
        e.detection >= e.detection_national && e.investigation >= 2 && e.vulnerability >= 2,
        e.investigation >= 1 && e.vulnerability >= 1);
    if e.recommendation && investigating > 2 { investigating = 2; }

    let asb_ratio = (e.asb_rate / e.asb_national).round(12);
    let asb = highest(
        asb_ratio <= 0.8 && e.asb_focus >= 3 && e.asb_engagement >= 3 && e.asb_partnership >= 3 && e.vulnerability >= 3,
        asb_ratio <= 1.1 && e.asb_focus >= 2 && e.asb_engagement >= 2 && e.asb_partnership >= 2,
        e.asb_focus >= 1 && e.asb_engagement >= 1);
    [reducing, investigating, asb]
}
"#;

fn rhai_map(f: &Force) -> rhai::Map {
    let mut map = rhai::Map::new();
    let mut put = |key: &str, value: rhai::Dynamic| {
        map.insert(key.into(), value);
    };
    for (key, value) in [
        ("crime_rate", f.crime_rate),
        ("crime_national", f.crime_national),
        ("change", f.change),
        ("national_change", f.national_change),
        ("burglary", f.burglary),
        ("burglary_national", f.burglary_national),
        ("asb_rate", f.asb_rate),
        ("asb_national", f.asb_national),
        ("sat", f.satisfaction.0),
        ("sat_margin", f.satisfaction.1),
        ("nat_sat", f.national_satisfaction.0),
        ("nat_sat_margin", f.national_satisfaction.1),
        ("detection", f.detection),
        ("detection_national", f.detection_national),
    ] {
        put(key, rhai::Dynamic::from_decimal(value));
    }
    for (key, value) in [
        ("prevention", f.prevention),
        ("partnership", f.partnership),
        ("vulnerability", f.vulnerability),
        ("investigation", f.investigation),
        ("offender_management", f.offender_management),
        ("organised_crime", f.organised_crime),
        ("asb_focus", f.asb_focus),
        ("asb_engagement", f.asb_engagement),
        ("asb_partnership", f.asb_partnership),
        ("recording", f.recording),
    ] {
        put(key, rhai::Dynamic::from_int(value.into()));
    }
    put("recommendation", rhai::Dynamic::from_bool(f.recommendation));
    map
}

fn rhai_grades(engine: &rhai::Engine, ast: &rhai::AST, map: &rhai::Map) -> Grades {
    let result: rhai::Array = engine
        .call_fn(&mut rhai::Scope::new(), ast, "grade", (map.clone(),))
        .expect("the Rhai policy runs");
    let mut grades = [0; 3];
    for (grade, value) in grades.iter_mut().zip(result) {
        *grade = value.as_int().expect("an int grade") as i8;
    }
    grades
}

// ---- the run ---------------------------------------------------------------

/// The best of three timed passes over all documents.
fn time<T>(mut pass: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut result = None;
    for _ in 0..3 {
        let start = Instant::now();
        let value = pass();
        best = best.min(start.elapsed());
        result = Some(value);
    }
    (best, result.expect("three passes"))
}

fn main() {
    let count: usize = std::env::var("INSP_BENCH_DOCS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(100_000);
    let text = std::fs::read_to_string("policies/hmic-crime-2014.insp").expect("the HMIC policy");
    let policy = insp::compile(&Source::new("policies/hmic-crime-2014.insp", text))
        .unwrap_or_else(|_| panic!("the HMIC policy compiles"));
    let forces = generate(count);
    let documents: Vec<Source> = forces
        .iter()
        .enumerate()
        .map(|(i, f)| Source::new(format!("doc{i}.json"), to_json(f)))
        .collect();

    let (load_time, evidence) = time(|| {
        documents
            .iter()
            .map(|doc| {
                Evidence::load(&policy, doc)
                    .unwrap_or_else(|_| panic!("{} loads", doc.name()))
                    .evidence
            })
            .collect::<Vec<_>>()
    });
    let mut evaluator = Evaluator::new(&policy);
    let (insp_time, insp) = time(|| {
        evidence
            .iter()
            .map(|e| black_box(insp_grades(&mut evaluator, e)))
            .collect::<Vec<_>>()
    });
    let (rust_time, rust) = time(|| {
        forces
            .iter()
            .map(|f| black_box(hand_written(f)))
            .collect::<Vec<_>>()
    });
    let mut engine = rhai::Engine::new();
    engine.set_optimization_level(rhai::OptimizationLevel::Full);
    let ast = engine
        .compile(RHAI_POLICY)
        .expect("the Rhai policy compiles");
    let maps: Vec<rhai::Map> = forces.iter().map(rhai_map).collect();
    let (rhai_time, rhai) = time(|| {
        maps.iter()
            .map(|m| black_box(rhai_grades(&engine, &ast, m)))
            .collect::<Vec<_>>()
    });

    let disagreements = (0..count)
        .filter(|&i| insp[i] != rust[i] || insp[i] != rhai[i])
        .collect::<Vec<_>>();
    if let Some(&first) = disagreements.first() {
        panic!(
            "{} of {count} documents graded differently; the first: insp {:?}, Rust {:?}, Rhai {:?}\n{}",
            disagreements.len(),
            insp[first],
            rust[first],
            rhai[first],
            documents[first].text()
        );
    }
    report(
        count,
        &insp,
        [
            ("insp (compiled policy)", insp_time),
            ("hand-written Rust", rust_time),
            ("plain Rhai script", rhai_time),
        ],
        load_time,
    );
}

fn report(count: usize, grades: &[Grades], timings: [(&str, Duration); 3], load_time: Duration) {
    let per_second = |d: Duration| count as f64 / d.as_secs_f64();
    let mut histogram = [[0usize; 5]; 3];
    for doc in grades {
        for (question, &grade) in doc.iter().enumerate() {
            histogram[question][(grade + 1) as usize] += 1;
        }
    }
    println!(
        "HMIC 2014 policy, {count} generated documents; all three engines agree on every grade."
    );
    println!(
        "grades per question [not graded, inadequate, requires improvement, good, outstanding]: {histogram:?}"
    );
    println!(
        "{:<24} {:>14} {:>12} {:>16}",
        "engine", "evals/s", "ns/eval", "vs hand-written"
    );
    let rust = timings[1].1;
    for (name, duration) in timings {
        let ns = duration.as_nanos() as f64 / count as f64;
        let ratio = duration.as_secs_f64() / rust.as_secs_f64();
        println!(
            "{name:<24} {:>14.0} {ns:>12.1} {ratio:>15.2}×",
            per_second(duration)
        );
    }
    println!(
        "(not in the figures above) JSON load and bind: {:.0} documents/s",
        per_second(load_time)
    );
}
