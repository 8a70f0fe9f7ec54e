//! Speed of the HMIC 2014 policy, side by side in one run.
//!
//! Evaluation alone (evidence already in memory):
//! 1. insp: the compiled policy over evidence bound once to slots, and the
//!    same by walking the expressions (how insp evaluated before);
//! 2. the same criteria hand-written in Rust on f64 (the floor);
//! 3. the same criteria hand-written in Rust on the same exact decimals;
//! 4. the same criteria as a plain Rhai script (decimal numbers, so that its
//!    grades can be compared with the others), called once per document with
//!    the document bound as `this` (no copy of its map per call).
//!
//! Then the first four again on the first 1,000 documents graded over and
//! over, which stay in the processor's caches: the cost of grading itself,
//! apart from bringing each document in from memory (insp's evidence is
//! larger than the hand-written structs, so it pays more for that).
//!
//! End to end over one JSON Lines text (read a line, parse, check, bind,
//! grade): insp's library against hand-written serde typed structs on f64,
//! with plain `serde_json::Value` parsing (no grading) for reference. insp
//! reads the text as the library reads JSON Lines held in memory
//! (`insp::json_lines`, each line loaded in place, as the CLI reads standard
//! input); the row "a source per line" gives each line to `Evidence::load`
//! in a `Source` of its own, which copies it, as the spanned reader's row
//! does too.
//!
//! The exact engines must give the same grades for every document, and so
//! must the two f64 pipelines: the run checks it before reporting any
//! figure. Where f64 itself disagrees with exact arithmetic (a boundary such
//! as `20.84 >= 0.8 * 26.05`) the run counts those documents and says so.
//!
//! Each figure is the median of `INSP_BENCH_RUNS` timed passes (default 7),
//! with the spread (fastest and slowest pass) as the noise. The engines of
//! one table take their passes in turn, a pass of each then the next round,
//! so that a change in the machine's load falls on all of them alike; each
//! ratio is the median of the rounds' own ratios, with half their spread as
//! its noise.
//! `INSP_BENCH_DOCS` sets the number of generated documents (default 100,000).

use insp::Evaluator;
use insp::{Evidence, Source};
use serde::Deserialize;
use std::hint::black_box;

#[path = "common/hmic.rs"]
mod hmic;
#[path = "common/turns.rs"]
mod turns;

use hmic::{Force, Grades, generate, hand_written, to_json};
use turns::{Timing, in_turn};

// ---- 1. insp ---------------------------------------------------------------

fn insp_grades(evaluator: &mut Evaluator, evidence: &Evidence) -> Grades {
    grades_of(evaluator.evaluate(evidence))
}

/// The grades by walking the expressions (`Policy::evaluate`), as insp
/// evaluated before the compiled program, and the reference it is tested
/// against. It allocates its buffers per document, where the old
/// `Evaluator` reused them.
fn walked_grades(policy: &insp::Policy, evidence: &Evidence) -> Grades {
    grades_of(&policy.evaluate(evidence))
}

/// Each question's grade by rank, -1 where it was not graded.
fn grades_of(grading: &insp::Grading) -> Grades {
    std::array::from_fn(|slot| grading.grade(slot).map_or(-1, |rank| rank as i8))
}

// ---- the f64 engine's typed input: serde structs shaped as the JSON ---------

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Finding {
    Poor,
    Adequate,
    Good,
    Strong,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
enum Recording {
    Unreliable,
    Concerns,
    Accurate,
}

#[derive(Deserialize)]
struct Pair {
    rate: f64,
    national_rate: f64,
}

#[derive(Deserialize)]
struct Crime {
    rate: f64,
    national_rate: f64,
    change_last_year: f64,
    national_change_last_year: f64,
}

#[derive(Deserialize)]
struct Asb {
    rate: f64,
    national_rate: f64,
    focus: Finding,
    engagement: Finding,
    partnership: Finding,
}

#[derive(Deserialize)]
struct Estimate {
    value: f64,
    margin: f64,
}

#[derive(Deserialize)]
struct Victims {
    satisfaction: Estimate,
    national_satisfaction: Estimate,
}

#[derive(Deserialize)]
struct OrganisedCrime {
    management: Finding,
    #[serde(default)]
    recommendation: bool,
}

/// An evidence document as a hand-written serde program reads it.
#[derive(Deserialize)]
struct Document<'a> {
    #[serde(borrow)]
    #[allow(dead_code)] // read, as insp reads it, but not graded
    force: std::borrow::Cow<'a, str>,
    crime: Crime,
    burglary: Pair,
    asb: Asb,
    victims: Victims,
    detection: Pair,
    prevention: Finding,
    partnership: Finding,
    vulnerability: Finding,
    investigation: Finding,
    offender_management: Finding,
    organised_crime: OrganisedCrime,
    crime_recording: Recording,
}

impl From<&Document<'_>> for Force<f64> {
    fn from(d: &Document) -> Self {
        Force {
            crime_rate: d.crime.rate,
            crime_national: d.crime.national_rate,
            change: d.crime.change_last_year,
            national_change: d.crime.national_change_last_year,
            burglary: d.burglary.rate,
            burglary_national: d.burglary.national_rate,
            asb_rate: d.asb.rate,
            asb_national: d.asb.national_rate,
            satisfaction: (d.victims.satisfaction.value, d.victims.satisfaction.margin),
            national_satisfaction: (
                d.victims.national_satisfaction.value,
                d.victims.national_satisfaction.margin,
            ),
            detection: d.detection.rate,
            detection_national: d.detection.national_rate,
            prevention: d.prevention as u8,
            partnership: d.partnership as u8,
            vulnerability: d.vulnerability as u8,
            investigation: d.investigation as u8,
            offender_management: d.offender_management as u8,
            organised_crime: d.organised_crime.management as u8,
            recommendation: d.organised_crime.recommendation,
            asb_focus: d.asb.focus as u8,
            asb_engagement: d.asb.engagement as u8,
            asb_partnership: d.asb.partnership as u8,
            recording: d.crime_recording as u8,
        }
    }
}

// ---- 4. a plain Rhai script -------------------------------------------------

// The document is bound as `this`: Rhai reads its fields in place, with no
// copy of the map per call.
const RHAI_POLICY: &str = r#"
fn highest(outstanding, good, ri) {
    if outstanding { 3 } else if good { 2 } else if ri { 1 } else { 0 }
}
fn grade() {
    let crime_ratio = (this.crime_rate / this.crime_national).round(12);
    let above = this.sat - this.sat_margin > this.nat_sat + this.nat_sat_margin;
    let below = this.sat + this.sat_margin < this.nat_sat - this.nat_sat_margin;
    let reducing = highest(
        crime_ratio <= 0.85 && this.burglary <= this.burglary_national && above && this.prevention >= 3 && this.partnership >= 3,
        crime_ratio <= 1.05 && this.change <= this.national_change + 10.0 && !below && this.prevention >= 2 && this.partnership >= 2,
        this.prevention >= 1 && this.partnership >= 1);
    let capped = this.recording == 0 || this.partnership <= 0;
    let floored = crime_ratio <= 0.7 && above && this.recording >= 1 && this.partnership >= 1;
    if capped && floored { reducing = -1; }
    else if capped && reducing > 1 { reducing = 1; }
    else if floored && reducing < 2 { reducing = 2; }

    let investigating = highest(
        this.detection >= this.detection_national + 5.0 && this.investigation >= 3 && this.vulnerability >= 3
            && this.offender_management >= 3 && this.organised_crime >= 2,
        this.detection >= this.detection_national && this.investigation >= 2 && this.vulnerability >= 2,
        this.investigation >= 1 && this.vulnerability >= 1);
    if this.recommendation && investigating > 2 { investigating = 2; }

    let asb_ratio = (this.asb_rate / this.asb_national).round(12);
    let asb = highest(
        asb_ratio <= 0.8 && this.asb_focus >= 3 && this.asb_engagement >= 3 && this.asb_partnership >= 3 && this.vulnerability >= 3,
        asb_ratio <= 1.1 && this.asb_focus >= 2 && this.asb_engagement >= 2 && this.asb_partnership >= 2,
        this.asb_focus >= 1 && this.asb_engagement >= 1);
    [reducing, investigating, asb]
}
"#;

fn rhai_map(f: &Force) -> rhai::Dynamic {
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
    map.into()
}

/// The engine, its compiled script and one scope, made once and reused.
struct RhaiPolicy {
    engine: rhai::Engine,
    ast: rhai::AST,
    scope: rhai::Scope<'static>,
}

impl RhaiPolicy {
    fn new() -> Self {
        let mut engine = rhai::Engine::new();
        engine.set_optimization_level(rhai::OptimizationLevel::Full);
        let ast = engine
            .compile(RHAI_POLICY)
            .expect("the Rhai policy compiles");
        RhaiPolicy {
            engine,
            ast,
            scope: rhai::Scope::new(),
        }
    }

    fn grades(&mut self, document: &mut rhai::Dynamic) -> Grades {
        let options = rhai::CallFnOptions::new()
            .eval_ast(false)
            .rewind_scope(true)
            .bind_this_ptr(document);
        let result: rhai::Array = self
            .engine
            .call_fn_with_options(options, &mut self.scope, &self.ast, "grade", ())
            .expect("the Rhai policy runs");
        let mut grades = [0; 3];
        for (grade, value) in grades.iter_mut().zip(result) {
            *grade = value.as_int().expect("an int grade") as i8;
        }
        grades
    }
}

// ---- the run ---------------------------------------------------------------

/// Each item's grades.
fn grade_all<T>(items: &[T], mut grade: impl FnMut(&T) -> Grades) -> Vec<Grades> {
    items.iter().map(|item| black_box(grade(item))).collect()
}

/// Each line's grades.
fn grade_lines(lines: &str, mut grade: impl FnMut(&str) -> Grades) -> Vec<Grades> {
    lines.lines().map(|line| black_box(grade(line))).collect()
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// The documents as one JSON Lines text, as a batch would arrive.
fn json_lines(forces: &[Force]) -> String {
    let mut out = String::new();
    for force in forces {
        out.push_str(&to_json(force).replace('\n', " "));
        out.push('\n');
    }
    out
}

/// insp end to end on a JSON Lines text as the library reads one
/// (`insp::json_lines`, each line loaded in place): split, parse, check,
/// bind, grade.
fn insp_records(policy: &insp::Policy, evaluator: &mut Evaluator, batch: &Source) -> Vec<Grades> {
    insp::json_lines(batch.clone())
        .map(|record| {
            let loaded = record
                .load(policy)
                .unwrap_or_else(|_| panic!("{} loads", record.name));
            black_box(insp_grades(evaluator, &loaded.evidence))
        })
        .collect()
}

/// insp end to end on one line given alone (`Evidence::load` of a source
/// of its own, which copies the line): parse, check, bind, grade.
fn insp_line(policy: &insp::Policy, evaluator: &mut Evaluator, line: &str) -> Grades {
    let source = Source::new("batch.jsonl", line);
    let loaded = Evidence::load(policy, &source).unwrap_or_else(|_| panic!("{line} loads"));
    insp_grades(evaluator, &loaded.evidence)
}

/// As `insp_line`, through the spanned reader that every document took
/// before the fast one (it still reads every document with something to report).
fn insp_spanned_line(policy: &insp::Policy, evaluator: &mut Evaluator, line: &str) -> Grades {
    let source = Source::new("batch.jsonl", line);
    let loaded = Evidence::load_spanned(policy, &source).unwrap_or_else(|_| panic!("{line} loads"));
    insp_grades(evaluator, &loaded.evidence)
}

/// Hand-written serde end to end on one line: parse into typed structs, grade.
fn serde_line(line: &str) -> Grades {
    let document: Document = serde_json::from_str(line).expect("a line parses");
    hand_written(&Force::<f64>::from(&document))
}

fn main() {
    let count = env_number("INSP_BENCH_DOCS", 100_000);
    let runs = env_number("INSP_BENCH_RUNS", 7);
    let text = std::fs::read_to_string("policies/hmic-crime-2014.insp").expect("the HMIC policy");
    let policy = insp::compile(&Source::new("policies/hmic-crime-2014.insp", text))
        .unwrap_or_else(|_| panic!("the HMIC policy compiles"));
    let forces = generate(count);
    let lines = json_lines(&forces);

    let evidence: Vec<Evidence> = lines
        .lines()
        .map(|line| {
            Evidence::load(&policy, &Source::new("doc.json", line))
                .unwrap_or_else(|_| panic!("{line} loads"))
                .evidence
        })
        .collect();
    let floats: Vec<Force<f64>> = lines
        .lines()
        .map(|line| Force::from(&serde_json::from_str::<Document>(line).expect("parses")))
        .collect();

    let (mut insp, mut walked, mut float, mut decimal, mut rhai) = Default::default();
    let mut evaluator = Evaluator::new(&policy);
    let mut rhai_policy = RhaiPolicy::new();
    let mut maps: Vec<rhai::Dynamic> = forces.iter().map(rhai_map).collect();
    let [insp_time, walk_time, f64_time, decimal_time, rhai_time] = in_turn(
        runs,
        [
            &mut || insp = grade_all(&evidence, |e| insp_grades(&mut evaluator, e)),
            &mut || walked = grade_all(&evidence, |e| walked_grades(&policy, e)),
            &mut || float = grade_all(&floats, |f| hand_written(black_box(f))),
            &mut || decimal = grade_all(&forces, |f| hand_written(black_box(f))),
            &mut || {
                rhai = maps
                    .iter_mut()
                    .map(|m| black_box(rhai_policy.grades(m)))
                    .collect()
            },
        ],
    );
    // The same on the first 1,000 documents, graded over and over: they stay
    // in the processor's caches, so this is the cost of grading alone, apart
    // from bringing each document in from memory.
    let resident = count.min(1_000);
    let rounds = count / resident;
    let mut evaluator = Evaluator::new(&policy);
    let [insp_hot, walk_hot, f64_hot, decimal_hot] = in_turn(
        runs,
        [
            &mut || {
                repeat(rounds, &evidence[..resident], |e| {
                    insp_grades(&mut evaluator, e)
                });
            },
            &mut || {
                repeat(rounds, &evidence[..resident], |e| walked_grades(&policy, e));
            },
            &mut || {
                repeat(rounds, &floats[..resident], |f| hand_written(black_box(f)));
            },
            &mut || {
                repeat(rounds, &forces[..resident], |f| hand_written(black_box(f)));
            },
        ],
    );

    // The text in memory as a source, made before the timing as serde's
    // text is: both read it in place.
    let batch = Source::new("batch.jsonl", lines.clone());
    let (mut insp_lines, mut insp_own_lines, mut spanned_lines, mut serde_lines) =
        Default::default();
    let mut evaluators = [(); 3].map(|()| Evaluator::new(&policy));
    let [evaluator, own_evaluator, spanned_evaluator] = &mut evaluators;
    let [
        insp_e2e,
        own_e2e,
        serde_e2e,
        value_e2e,
        load_e2e,
        spanned_e2e,
    ] = in_turn(
        runs,
        [
            &mut || insp_lines = insp_records(&policy, evaluator, &batch),
            &mut || {
                insp_own_lines = grade_lines(&lines, |line| insp_line(&policy, own_evaluator, line))
            },
            &mut || serde_lines = grade_lines(&lines, serde_line),
            &mut || {
                let parsed = lines.lines().map(serde_json::from_str::<serde_json::Value>);
                black_box(parsed.filter(Result::is_ok).count());
            },
            &mut || {
                let loaded = insp::json_lines(batch.clone()).map(|r| r.load(&policy).is_ok());
                assert_eq!(loaded.filter(|ok| *ok).count(), count, "every line loads");
            },
            &mut || {
                spanned_lines = grade_lines(&lines, |line| {
                    insp_spanned_line(&policy, spanned_evaluator, line)
                })
            },
        ],
    );

    agree(
        &lines,
        &[
            ("insp", &insp),
            ("insp, expression walk", &walked),
            ("hand-written decimal", &decimal),
            ("Rhai", &rhai),
            ("insp end to end", &insp_lines),
            ("insp end to end, a source per line", &insp_own_lines),
            ("insp end to end, spanned reader", &spanned_lines),
        ],
    );
    agree(
        &lines,
        &[
            ("hand-written f64", &float),
            ("serde end to end", &serde_lines),
        ],
    );
    let f64_boundaries = (0..count).filter(|&i| insp[i] != float[i]).count();

    report_grades(count, &insp, f64_boundaries);
    report_evaluation(
        "evaluation only",
        count,
        runs,
        &f64_time,
        &[
            ("insp (compiled policy)", &insp_time),
            ("insp, expression walk (before)", &walk_time),
            ("hand-written Rust, f64", &f64_time),
            ("hand-written Rust, decimal", &decimal_time),
            ("plain Rhai script", &rhai_time),
        ],
    );
    report_evaluation(
        &format!("evaluation only, {resident} documents in cache graded {rounds} times"),
        rounds * resident,
        runs,
        &f64_hot,
        &[
            ("insp (compiled policy)", &insp_hot),
            ("insp, expression walk (before)", &walk_hot),
            ("hand-written Rust, f64", &f64_hot),
            ("hand-written Rust, decimal", &decimal_hot),
        ],
    );
    report_end_to_end(
        count,
        &serde_e2e,
        &[
            ("insp library (load + grade)", &insp_e2e),
            ("insp, a source per line", &own_e2e),
            ("hand-written serde, f64", &serde_e2e),
            ("serde_json::Value, no grading", &value_e2e),
            ("insp load only (no grading)", &load_e2e),
            ("insp, spanned reader (before)", &spanned_e2e),
        ],
    );
}

/// Grades each item `rounds` times over; a sum of the grades, so that no
/// grading can be left out.
fn repeat<T>(rounds: usize, items: &[T], mut grade: impl FnMut(&T) -> Grades) -> i64 {
    let mut sum = 0;
    for _ in 0..rounds {
        for item in items {
            sum += i64::from(black_box(grade(item))[0]);
        }
    }
    sum
}

/// Panics, naming the first document, unless every engine gave every
/// document the same grades.
fn agree(lines: &str, engines: &[(&str, &Vec<Grades>)]) {
    let (first_name, first) = engines[0];
    for (name, grades) in &engines[1..] {
        assert_eq!(
            grades.len(),
            first.len(),
            "{name} grades as many as {first_name}"
        );
        let differing: Vec<usize> = (0..first.len())
            .filter(|&i| first[i] != grades[i])
            .collect();
        if let Some(&i) = differing.first() {
            panic!(
                "{} of {} documents graded differently; the first: {first_name} {:?}, {name} {:?}\n{}",
                differing.len(),
                first.len(),
                first[i],
                grades[i],
                lines.lines().nth(i).unwrap_or_default()
            );
        }
    }
}

fn report_grades(count: usize, grades: &[Grades], f64_boundaries: usize) {
    let mut histogram = [[0usize; 5]; 3];
    for doc in grades {
        for (question, &grade) in doc.iter().enumerate() {
            histogram[question][(grade + 1) as usize] += 1;
        }
    }
    println!(
        "HMIC 2014 policy, {count} generated documents; the exact engines agree on every grade, and so do the two f64 ones."
    );
    println!(
        "f64 grades differ from exact ones on {f64_boundaries} documents (boundaries that binary floating point misses)."
    );
    println!(
        "grades per question [not graded, inadequate, requires improvement, good, outstanding]: {histogram:?}"
    );
}

/// Each engine's time per document, and its ratio to `floor`'s.
fn report_evaluation(
    title: &str,
    count: usize,
    runs: usize,
    floor: &Timing,
    timings: &[(&str, &Timing)],
) {
    println!(
        "\n{title}; median of {runs} passes, ± half the spread between the fastest and slowest pass"
    );
    println!("{RATIOS}");
    println!(
        "{:<30} {:>12} {:>8} {:>18} {:>8}",
        "engine", "ns/doc", "noise", "× hand-written f64", "noise"
    );
    for (name, timing) in timings {
        let ns = timing.median.as_nanos() as f64 / count as f64;
        let ratio = timing.ratio_to(floor);
        println!(
            "{name:<30} {ns:>12.1} {:>7.0}% {:>17.1}× {:>7.0}%",
            timing.spread() * 100.0,
            ratio.median,
            ratio.noise * 100.0
        );
    }
}

/// How the ratio columns are computed.
const RATIOS: &str = "(each ratio: the median over the rounds of the two engines' passes in one \
     round, which ran under the same load; its noise: half the spread of those ratios)";

/// Each pipeline's documents per second, and its time's ratio to `floor`'s.
fn report_end_to_end(count: usize, floor: &Timing, timings: &[(&str, &Timing)]) {
    println!("\nend to end over one JSON Lines text: read a line, parse, check, bind, grade");
    println!("{RATIOS}");
    println!(
        "{:<30} {:>12} {:>8} {:>18} {:>8}",
        "pipeline", "docs/s", "noise", "× hand-written", "noise"
    );
    for (name, timing) in timings {
        let per_second = count as f64 / timing.median.as_secs_f64();
        let ratio = timing.ratio_to(floor);
        println!(
            "{name:<30} {per_second:>12.0} {:>7.0}% {:>17.2}× {:>7.0}%",
            timing.spread() * 100.0,
            ratio.median,
            ratio.noise * 100.0
        );
    }
}
