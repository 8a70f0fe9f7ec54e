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
use rust_decimal::Decimal;
use std::hint::black_box;
use std::time::{Duration, Instant};

const LEVELS: [&str; 4] = ["poor", "adequate", "good", "strong"];
const RECORDING: [&str; 3] = ["unreliable", "concerns", "accurate"];
/// Per question: the grade's rank (inadequate 0 … outstanding 3), or -1 when it cannot be graded.
type Grades = [i8; 3];

/// One generated force: every field the policy declares.
#[derive(Clone)]
struct Force {
    crime_rate: Decimal,
    crime_national: Decimal,
    change: Decimal,
    national_change: Decimal,
    burglary: Decimal,
    burglary_national: Decimal,
    asb_rate: Decimal,
    asb_national: Decimal,
    satisfaction: (Decimal, Decimal),
    national_satisfaction: (Decimal, Decimal),
    detection: Decimal,
    detection_national: Decimal,
    prevention: u8,
    partnership: u8,
    vulnerability: u8,
    investigation: u8,
    offender_management: u8,
    organised_crime: u8,
    recommendation: bool,
    asb_focus: u8,
    asb_engagement: u8,
    asb_partnership: u8,
    recording: u8,
}

/// A small deterministic generator (xorshift), so that every run sees the same documents.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A decimal with `scale` places, uniform in [low, high].
    fn decimal(&mut self, low: i64, high: i64, scale: u32) -> Decimal {
        let factor = 10i64.pow(scale);
        let span = ((high - low) * factor + 1) as u64;
        Decimal::new(low * factor + (self.next() % span) as i64, scale)
    }

    fn level(&mut self, levels: usize) -> u8 {
        // Skewed towards the upper levels, as real findings are.
        let roll = (self.next() % 10) as usize;
        (levels - 1).saturating_sub(roll / 3).min(levels - 1) as u8
    }
}

fn generate(count: usize) -> Vec<Force> {
    let mut rng = Rng(0x2014_1105_0000_0001);
    (0..count)
        .map(|_| Force {
            crime_rate: rng.decimal(30, 75, 1),
            crime_national: rng.decimal(55, 65, 1),
            change: rng.decimal(-15, 15, 0),
            national_change: rng.decimal(-3, 1, 0),
            burglary: rng.decimal(2, 12, 1),
            burglary_national: rng.decimal(8, 10, 1),
            asb_rate: rng.decimal(20, 50, 1),
            asb_national: rng.decimal(35, 38, 1),
            satisfaction: (rng.decimal(78, 92, 1), rng.decimal(0, 2, 1)),
            national_satisfaction: (rng.decimal(84, 86, 1), rng.decimal(0, 1, 1)),
            detection: rng.decimal(15, 40, 0),
            detection_national: rng.decimal(24, 28, 0),
            prevention: rng.level(4),
            partnership: rng.level(4),
            vulnerability: rng.level(4),
            investigation: rng.level(4),
            offender_management: rng.level(4),
            organised_crime: rng.level(4),
            recommendation: rng.next().is_multiple_of(2),
            asb_focus: rng.level(4),
            asb_engagement: rng.level(4),
            asb_partnership: rng.level(4),
            recording: rng.level(3),
        })
        .collect()
}

fn to_json(f: &Force) -> String {
    let estimate = |(v, m): (Decimal, Decimal)| format!(r#"{{"value": {v}, "margin": {m}}}"#);
    format!(
        r#"{{"force": "generated",
  "crime": {{"rate": {}, "national_rate": {}, "change_last_year": {}, "national_change_last_year": {}}},
  "burglary": {{"rate": {}, "national_rate": {}}},
  "asb": {{"rate": {}, "national_rate": {}, "focus": "{}", "engagement": "{}", "partnership": "{}"}},
  "victims": {{"satisfaction": {}, "national_satisfaction": {}}},
  "detection": {{"rate": {}, "national_rate": {}}},
  "prevention": "{}", "partnership": "{}", "vulnerability": "{}", "investigation": "{}",
  "offender_management": "{}",
  "organised_crime": {{"management": "{}", "recommendation": {}}},
  "crime_recording": "{}"}}"#,
        f.crime_rate,
        f.crime_national,
        f.change,
        f.national_change,
        f.burglary,
        f.burglary_national,
        f.asb_rate,
        f.asb_national,
        LEVELS[f.asb_focus as usize],
        LEVELS[f.asb_engagement as usize],
        LEVELS[f.asb_partnership as usize],
        estimate(f.satisfaction),
        estimate(f.national_satisfaction),
        f.detection,
        f.detection_national,
        LEVELS[f.prevention as usize],
        LEVELS[f.partnership as usize],
        LEVELS[f.vulnerability as usize],
        LEVELS[f.investigation as usize],
        LEVELS[f.offender_management as usize],
        LEVELS[f.organised_crime as usize],
        f.recommendation,
        RECORDING[f.recording as usize],
    )
}

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

// ---- 2. hand-written Rust ---------------------------------------------------

const OUTSTANDING: i8 = 3;
const GOOD: i8 = 2;
const REQUIRES_IMPROVEMENT: i8 = 1;
const INADEQUATE: i8 = 0;

fn ratio(a: Decimal, b: Decimal) -> Decimal {
    // As insp divides: rounded to 12 places.
    (a / b).round_dp(12)
}

fn significantly_above(a: (Decimal, Decimal), b: (Decimal, Decimal)) -> bool {
    a.0 - a.1 > b.0 + b.1
}

fn significantly_below(a: (Decimal, Decimal), b: (Decimal, Decimal)) -> bool {
    a.0 + a.1 < b.0 - b.1
}

/// The best grade whose criteria hold, as `resolve highest` chooses.
fn highest(outstanding: bool, good: bool, requires_improvement: bool) -> i8 {
    match (outstanding, good, requires_improvement) {
        (true, _, _) => OUTSTANDING,
        (_, true, _) => GOOD,
        (_, _, true) => REQUIRES_IMPROVEMENT,
        _ => INADEQUATE,
    }
}

fn hand_written(f: &Force) -> Grades {
    let (strong, good, adequate, poor) = (3, 2, 1, 0);
    let crime_ratio = ratio(f.crime_rate, f.crime_national);
    let above = significantly_above(f.satisfaction, f.national_satisfaction);
    let reducing = {
        let resolved = highest(
            crime_ratio <= Decimal::new(85, 2)
                && f.burglary <= f.burglary_national
                && above
                && f.prevention >= strong
                && f.partnership >= strong,
            crime_ratio <= Decimal::new(105, 2)
                && f.change <= f.national_change + Decimal::TEN
                && !significantly_below(f.satisfaction, f.national_satisfaction)
                && f.prevention >= good
                && f.partnership >= good,
            f.prevention >= adequate && f.partnership >= adequate,
        );
        let capped = f.recording == 0 || f.partnership <= poor;
        let floored = crime_ratio <= Decimal::new(7, 1)
            && above
            && f.recording >= 1
            && f.partnership >= adequate;
        match (capped, floored) {
            (true, true) => -1,
            (true, false) => resolved.min(REQUIRES_IMPROVEMENT),
            (false, true) => resolved.max(GOOD),
            (false, false) => resolved,
        }
    };
    let investigating = {
        let resolved = highest(
            f.detection >= f.detection_national + Decimal::from(5)
                && f.investigation >= strong
                && f.vulnerability >= strong
                && f.offender_management >= strong
                && f.organised_crime >= good,
            f.detection >= f.detection_national
                && f.investigation >= good
                && f.vulnerability >= good,
            f.investigation >= adequate && f.vulnerability >= adequate,
        );
        if f.recommendation {
            resolved.min(GOOD)
        } else {
            resolved
        }
    };
    let asb_ratio = ratio(f.asb_rate, f.asb_national);
    let asb = highest(
        asb_ratio <= Decimal::new(8, 1)
            && f.asb_focus >= strong
            && f.asb_engagement >= strong
            && f.asb_partnership >= strong
            && f.vulnerability >= strong,
        asb_ratio <= Decimal::new(11, 1)
            && f.asb_focus >= good
            && f.asb_engagement >= good
            && f.asb_partnership >= good,
        f.asb_focus >= adequate && f.asb_engagement >= adequate,
    );
    [reducing, investigating, asb]
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
