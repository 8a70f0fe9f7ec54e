//! Grading many organisations end to end, side by side in one run: read a
//! file, parse it, grade every organisation, write the summary across them.
//!
//! 1. insp: `insp evaluate --summary --format csv --quiet POLICY FILE`, the
//!    command as users run it (a process, the policy compiled, the records
//!    read, checked against the declarations, graded in parallel, the summary
//!    written), with all cores and with one (`RAYON_NUM_THREADS=1`);
//! 2. the same pipeline hand-written in Rust: serde_json (JSON Lines) or the
//!    `csv` crate with serde (CSV) into structs, the HMIC criteria written
//!    out (`common/hmic.rs`), the same summary rows written, on one thread.
//!
//!
//! Then each organisation's own report, side by side with the library:
//!
//! 3. insp: `insp evaluate --format json --quiet POLICY INPUT`, a JSON
//!    document per organisation, over the JSON Lines file and over a folder
//!    of one file per organisation, with all cores and with one;
//! 4. the insp library end to end on one thread over the same documents, as
//!    `benches/evaluate.rs` runs it: read the text, each document through
//!    the public API (`Evidence::load`, `Evaluator`), graded; and the same
//!    through the CLI's own reading (`read_inputs`, `Record::load`).
//!
//! The ratio CLI / library is printed: the CLI's rate should be the
//! library's. Every pipeline must give the same grades to every
//! organisation: the run checks it before reporting any figure. Each
//! pipeline runs `INSP_BENCH_RUNS` times (default 5), the pipelines of one
//! table in turn (a run of each, then the next round) so that a change in
//! the machine's load falls on all alike; the median is reported. Each
//! ratio is the median of the rounds' own ratios (two runs of one round ran
//! under about the same load), with half their spread as its noise.
//! `INSP_BENCH_ORGS` sets the number of generated organisations (default
//! 100,000), as lines, as table rows and as files.

#[path = "common/hmic.rs"]
mod hmic;
#[path = "common/turns.rs"]
mod turns;

use hmic::{Force, Grades, LEVELS, RECORDING, generate, hand_written, to_json};
use insp::{Evaluator, Evidence, Item, Policy, Source};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;
use turns::in_turn;

const POLICY: &str = "policies/hmic-crime-2014.insp";
const GRADES: [&str; 4] = ["inadequate", "requires_improvement", "good", "outstanding"];

/// The CSV header: every declared path, an estimate as `PATH` and `PATH.margin`.
const COLUMNS: &str = "force,crime.rate,crime.national_rate,crime.change_last_year,crime.national_change_last_year,\
burglary.rate,burglary.national_rate,asb.rate,asb.national_rate,asb.focus,asb.engagement,asb.partnership,\
victims.satisfaction,victims.satisfaction.margin,victims.national_satisfaction,victims.national_satisfaction.margin,\
detection.rate,detection.national_rate,prevention,partnership,vulnerability,investigation,offender_management,\
organised_crime.management,organised_crime.recommendation,crime_recording";

fn csv_row(f: &Force) -> String {
    let level = |l: u8| LEVELS[l as usize];
    format!(
        "generated,{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
        f.crime_rate,
        f.crime_national,
        f.change,
        f.national_change,
        f.burglary,
        f.burglary_national,
        f.asb_rate,
        f.asb_national,
        level(f.asb_focus),
        level(f.asb_engagement),
        level(f.asb_partnership),
        f.satisfaction.0,
        f.satisfaction.1,
        f.national_satisfaction.0,
        f.national_satisfaction.1,
        f.detection,
        f.detection_national,
        level(f.prevention),
        level(f.partnership),
        level(f.vulnerability),
        level(f.investigation),
        level(f.offender_management),
        level(f.organised_crime),
        f.recommendation,
        RECORDING[f.recording as usize],
    )
}

// ---- the hand-written pipeline ----------------------------------------------

#[derive(Deserialize)]
struct JsonForce<'a> {
    #[serde(borrow)]
    force: &'a str,
    crime: Crime,
    burglary: Pair,
    #[serde(borrow)]
    asb: Asb<'a>,
    victims: Victims,
    detection: Pair,
    prevention: &'a str,
    partnership: &'a str,
    vulnerability: &'a str,
    investigation: &'a str,
    offender_management: &'a str,
    #[serde(borrow)]
    organised_crime: Organised<'a>,
    crime_recording: &'a str,
}

#[derive(Deserialize)]
struct Crime {
    rate: Decimal,
    national_rate: Decimal,
    change_last_year: Decimal,
    national_change_last_year: Decimal,
}

#[derive(Deserialize)]
struct Pair {
    rate: Decimal,
    national_rate: Decimal,
}

#[derive(Deserialize)]
struct Asb<'a> {
    rate: Decimal,
    national_rate: Decimal,
    focus: &'a str,
    engagement: &'a str,
    partnership: &'a str,
}

#[derive(Deserialize)]
struct Victims {
    satisfaction: Estimate,
    national_satisfaction: Estimate,
}

#[derive(Deserialize)]
struct Estimate {
    value: Decimal,
    margin: Decimal,
}

#[derive(Deserialize)]
struct Organised<'a> {
    management: &'a str,
    recommendation: bool,
}

#[derive(Deserialize)]
struct CsvForce<'a> {
    force: &'a str,
    #[serde(rename = "crime.rate")]
    crime_rate: Decimal,
    #[serde(rename = "crime.national_rate")]
    crime_national: Decimal,
    #[serde(rename = "crime.change_last_year")]
    change: Decimal,
    #[serde(rename = "crime.national_change_last_year")]
    national_change: Decimal,
    #[serde(rename = "burglary.rate")]
    burglary: Decimal,
    #[serde(rename = "burglary.national_rate")]
    burglary_national: Decimal,
    #[serde(rename = "asb.rate")]
    asb_rate: Decimal,
    #[serde(rename = "asb.national_rate")]
    asb_national: Decimal,
    #[serde(rename = "asb.focus")]
    asb_focus: &'a str,
    #[serde(rename = "asb.engagement")]
    asb_engagement: &'a str,
    #[serde(rename = "asb.partnership")]
    asb_partnership: &'a str,
    #[serde(rename = "victims.satisfaction")]
    satisfaction: Decimal,
    #[serde(rename = "victims.satisfaction.margin")]
    satisfaction_margin: Decimal,
    #[serde(rename = "victims.national_satisfaction")]
    national_satisfaction: Decimal,
    #[serde(rename = "victims.national_satisfaction.margin")]
    national_satisfaction_margin: Decimal,
    #[serde(rename = "detection.rate")]
    detection: Decimal,
    #[serde(rename = "detection.national_rate")]
    detection_national: Decimal,
    prevention: &'a str,
    partnership: &'a str,
    vulnerability: &'a str,
    investigation: &'a str,
    offender_management: &'a str,
    #[serde(rename = "organised_crime.management")]
    organised_crime: &'a str,
    #[serde(rename = "organised_crime.recommendation")]
    recommendation: bool,
    crime_recording: &'a str,
}

fn level(name: &str) -> u8 {
    LEVELS.iter().position(|l| *l == name).expect("a level") as u8
}

fn recording(name: &str) -> u8 {
    RECORDING
        .iter()
        .position(|l| *l == name)
        .expect("a recording finding") as u8
}

impl JsonForce<'_> {
    fn force(&self) -> Force {
        Force {
            crime_rate: self.crime.rate,
            crime_national: self.crime.national_rate,
            change: self.crime.change_last_year,
            national_change: self.crime.national_change_last_year,
            burglary: self.burglary.rate,
            burglary_national: self.burglary.national_rate,
            asb_rate: self.asb.rate,
            asb_national: self.asb.national_rate,
            satisfaction: (
                self.victims.satisfaction.value,
                self.victims.satisfaction.margin,
            ),
            national_satisfaction: (
                self.victims.national_satisfaction.value,
                self.victims.national_satisfaction.margin,
            ),
            detection: self.detection.rate,
            detection_national: self.detection.national_rate,
            prevention: level(self.prevention),
            partnership: level(self.partnership),
            vulnerability: level(self.vulnerability),
            investigation: level(self.investigation),
            offender_management: level(self.offender_management),
            organised_crime: level(self.organised_crime.management),
            recommendation: self.organised_crime.recommendation,
            asb_focus: level(self.asb.focus),
            asb_engagement: level(self.asb.engagement),
            asb_partnership: level(self.asb.partnership),
            recording: recording(self.crime_recording),
        }
    }
}

impl CsvForce<'_> {
    fn force(&self) -> Force {
        Force {
            crime_rate: self.crime_rate,
            crime_national: self.crime_national,
            change: self.change,
            national_change: self.national_change,
            burglary: self.burglary,
            burglary_national: self.burglary_national,
            asb_rate: self.asb_rate,
            asb_national: self.asb_national,
            satisfaction: (self.satisfaction, self.satisfaction_margin),
            national_satisfaction: (
                self.national_satisfaction,
                self.national_satisfaction_margin,
            ),
            detection: self.detection,
            detection_national: self.detection_national,
            prevention: level(self.prevention),
            partnership: level(self.partnership),
            vulnerability: level(self.vulnerability),
            investigation: level(self.investigation),
            offender_management: level(self.offender_management),
            organised_crime: level(self.organised_crime),
            recommendation: self.recommendation,
            asb_focus: level(self.asb_focus),
            asb_engagement: level(self.asb_engagement),
            asb_partnership: level(self.asb_partnership),
            recording: recording(self.crime_recording),
        }
    }
}

/// The summary the hand-written pipeline writes: a row per organisation
/// (as `insp --summary --format csv` does), then the grades per question.
struct Summary {
    out: BufWriter<std::fs::File>,
    distribution: [[usize; 5]; 3],
    row: usize,
}

impl Summary {
    fn new(path: &Path) -> Self {
        let mut out = BufWriter::new(std::fs::File::create(path).unwrap());
        writeln!(
            out,
            "organisation,evidence,reducing_crime,investigating,tackling_asb,graded,why"
        )
        .unwrap();
        Summary {
            out,
            distribution: [[0; 5]; 3],
            row: 0,
        }
    }

    fn add(&mut self, name: &str, grades: Grades) {
        self.row += 1;
        let names = grades.map(|g| {
            if g < 0 {
                "not graded"
            } else {
                GRADES[g as usize]
            }
        });
        let graded = grades.iter().all(|&g| g >= 0);
        writeln!(
            self.out,
            "{name},row {},{},{},{},{graded},",
            self.row, names[0], names[1], names[2]
        )
        .unwrap();
        for (question, &grade) in grades.iter().enumerate() {
            self.distribution[question][(grade + 1) as usize] += 1;
        }
    }

    fn finish(mut self) {
        writeln!(self.out, "{:?}", self.distribution).unwrap();
        self.out.flush().unwrap();
    }
}

fn hand_written_json_lines(input: &Path, output: &Path) {
    let text = std::fs::read_to_string(input).unwrap();
    let mut summary = Summary::new(output);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let force: JsonForce = serde_json::from_str(line).expect("a force");
        summary.add(force.force, hand_written(&force.force()));
    }
    summary.finish();
}

fn hand_written_csv(input: &Path, output: &Path) {
    let text = std::fs::read_to_string(input).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let mut summary = Summary::new(output);
    let mut record = csv::StringRecord::new();
    while reader.read_record(&mut record).unwrap() {
        let force: CsvForce = record.deserialize(Some(&headers)).expect("a force");
        summary.add(force.force, hand_written(&force.force()));
    }
    summary.finish();
}

// ---- insp, as users run it ------------------------------------------------

/// `insp evaluate` with `report` (the arguments that choose the output)
/// over `input`, its output written to `output`.
fn insp(report: &[&str], input: &Path, output: &Path, threads: Option<usize>) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_insp"));
    command
        .arg("evaluate")
        .args(report)
        // 100,000 organisations are more than the 16 MiB read by default.
        .args(["--max-file-mib", "4096", POLICY])
        .arg(input)
        .stdout(std::fs::File::create(output).unwrap());
    if let Some(threads) = threads {
        command.env("RAYON_NUM_THREADS", threads.to_string());
    }
    let status = command.status().expect("insp runs");
    // 1 when some organisation could not be graded (a floor above a cap).
    assert!(
        matches!(status.code(), Some(0 | 1)),
        "insp failed: {status}"
    );
}

const SUMMARY_CSV: &[&str] = &["--summary", "--format", "csv", "--quiet"];
const REPORTS_JSON: &[&str] = &["--format", "json", "--quiet"];

/// Each organisation's grades in a summary CSV written by either pipeline.
fn grades_in(summary: &Path) -> Vec<Grades> {
    let text = std::fs::read_to_string(summary).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rank = |name: &str| {
        GRADES
            .iter()
            .position(|g| *g == name)
            .map_or(-1, |r| r as i8)
    };
    reader
        .records()
        .filter_map(Result::ok)
        .filter(|row| row.len() >= 5)
        .map(|row| [rank(&row[2]), rank(&row[3]), rank(&row[4])])
        .collect()
}

/// Each organisation's grades in the JSON reports `insp evaluate` wrote,
/// one document a line (the summary across them, last, has none).
fn grades_in_reports(reports: &Path) -> Vec<Grades> {
    let text = std::fs::read_to_string(reports).unwrap();
    let rank = |grade: &serde_json::Value| {
        let name = grade.as_str().unwrap_or_default();
        GRADES
            .iter()
            .position(|g| *g == name)
            .map_or(-1, |r| r as i8)
    };
    text.lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).expect("a JSON document"))
        .filter_map(|document| {
            let questions = document.get("questions")?.as_array()?.clone();
            let mut grades = [-1; 3];
            for (grade, id) in grades.iter_mut().zip(QUESTIONS) {
                let question = questions.iter().find(|q| q["id"] == id)?;
                *grade = rank(&question["grade"]);
            }
            Some(grades)
        })
        .collect()
}

/// The policy's questions, in the order of `Grades`.
const QUESTIONS: [&str; 3] = ["reducing_crime", "investigating", "tackling_asb"];

// ---- the insp library, end to end, on one thread -----------------------------

fn compile_policy() -> Policy {
    let text = std::fs::read_to_string(POLICY).unwrap();
    insp::compile(&Source::new(POLICY, text)).unwrap_or_else(|_| panic!("{POLICY} compiles"))
}

/// A graded document's grades (the questions are the first judgements).
fn grades_of(
    evaluator: &mut Evaluator,
    loaded: Result<insp::Loaded, Vec<insp::Diagnostic>>,
) -> Grades {
    let mut grades = [-1; 3];
    if let Ok(loaded) = loaded {
        let grading = evaluator.evaluate(&loaded.evidence);
        for (slot, grade) in grades.iter_mut().enumerate() {
            *grade = grading.grade(slot).map_or(-1, |rank| rank as i8);
        }
    }
    grades
}

/// As `benches/evaluate.rs` runs the library end to end: each line of the
/// file (each file of the folder) a source of its own, loaded and graded.
fn library(policy: &Policy, input: &Path) -> Vec<Grades> {
    let mut evaluator = Evaluator::new(policy);
    let mut grade = |name: &str, text: &str| {
        let source = Source::new(name, text);
        grades_of(&mut evaluator, Evidence::load(policy, &source))
    };
    if input.is_dir() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(input)
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .collect();
        files.sort();
        let read = |file: &PathBuf| std::fs::read_to_string(file).unwrap();
        files
            .iter()
            .map(|file| grade("force.json", &read(file)))
            .collect()
    } else {
        let text = std::fs::read_to_string(input).unwrap();
        text.lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| grade("forces.jsonl", line))
            .collect()
    }
}

/// The library through the CLI's own reading: `read_inputs` splits the
/// input into records, each loaded in place (`Record::load`) and graded.
fn library_records(policy: &Policy, input: &Path) -> Vec<Grades> {
    let mut evaluator = Evaluator::new(policy);
    let inputs = [input.display().to_string()];
    insp::read_inputs(policy, &inputs, u64::MAX)
        .filter_map(|item| match item {
            Item::Record(record) => Some(grades_of(&mut evaluator, record.load(policy))),
            Item::Notice(_) => None,
        })
        .collect()
}

// ---- the run ---------------------------------------------------------------

/// Organisations per second.
fn per_second(count: usize, time: Duration) -> f64 {
    count as f64 / time.as_secs_f64()
}

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let count = env_count("INSP_BENCH_ORGS", 100_000);
    let runs = env_count("INSP_BENCH_RUNS", 5).max(1);
    let dir = tempfile::tempdir().unwrap();
    let forces = generate(count);
    let path = |name: &str| -> PathBuf { dir.path().join(name) };
    let lines: String = forces
        .iter()
        .map(|f| to_json(f).replace('\n', " ") + "\n")
        .collect();
    std::fs::write(path("forces.jsonl"), lines).unwrap();
    let table: String = std::iter::once(COLUMNS.to_string())
        .chain(forces.iter().map(csv_row))
        .map(|row| row + "\n")
        .collect();
    std::fs::write(path("forces.csv"), table).unwrap();
    std::fs::create_dir(path("forces")).unwrap();
    for (i, force) in forces.iter().enumerate() {
        // Numbered to sort in order: a folder is read by name.
        std::fs::write(path(&format!("forces/{i:07}.json")), to_json(force)).unwrap();
    }
    let expected: Vec<Grades> = forces.iter().map(hand_written).collect();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());

    println!(
        "HMIC 2014 policy, {count} generated organisations end to end (read, parse, grade, write the summary); median of {runs} runs."
    );
    summaries(&path, runs, &expected);
    println!("(both pipelines give every organisation the same grades; {cores} cores)");

    println!(
        "\nEach organisation's JSON report (`insp evaluate --format json --quiet`) against the library end to end; median of {runs} runs."
    );
    reports(&path, runs, &expected);
    println!("(every pipeline gives every organisation the same grades; {cores} cores)");
}

/// insp's summary against the hand-written pipeline, over JSON Lines and CSV.
fn summaries(path: &dyn Fn(&str) -> PathBuf, runs: usize, expected: &[Grades]) {
    let count = expected.len();
    println!(
        "{:<11} {:<40} {:>14} {:>8} {:>16} {:>8}",
        "input", "pipeline", "orgs/s", "noise", "vs hand-written", "noise"
    );
    for (form, hand) in [
        ("JSON Lines", hand_written_json_lines as fn(&Path, &Path)),
        ("CSV", hand_written_csv),
    ] {
        let input = path(if form == "CSV" {
            "forces.csv"
        } else {
            "forces.jsonl"
        });
        let (all, one, theirs) = (path("insp.csv"), path("insp-1.csv"), path("hand.csv"));
        let [rust, all_cores, one_core] = in_turn(
            runs,
            [
                &mut || hand(&input, &theirs),
                &mut || insp(SUMMARY_CSV, &input, &all, None),
                &mut || insp(SUMMARY_CSV, &input, &one, Some(1)),
            ],
        );
        let agreed = [&all, &one, &theirs]
            .iter()
            .all(|output| grades_in(output) == expected);
        assert!(
            agreed,
            "{form}: insp and the hand-written pipeline grade differently"
        );
        for (name, time) in [
            ("hand-written Rust (serde, one thread)", &rust),
            ("insp evaluate (all cores)", &all_cores),
            ("insp evaluate (RAYON_NUM_THREADS=1)", &one_core),
        ] {
            let ratio = time.ratio_to(&rust);
            println!(
                "{form:<11} {name:<40} {:>14.0} {:>7.0}% {:>15.2}× {:>7.0}%",
                per_second(count, time.median),
                time.spread() * 100.0,
                ratio.median,
                ratio.noise * 100.0
            );
        }
    }
}

/// The CLI's JSON reports against the library end to end, over JSON Lines
/// and over a folder of files; the ratio is the CLI's rate over the library's.
fn reports(path: &dyn Fn(&str) -> PathBuf, runs: usize, expected: &[Grades]) {
    let count = expected.len();
    let policy = compile_policy();
    println!(
        "{:<11} {:<52} {:>14} {:>8} {:>16} {:>8}",
        "input", "pipeline", "orgs/s", "noise", "CLI / library", "noise"
    );
    for (form, input) in [
        ("JSON Lines", path("forces.jsonl")),
        ("files", path("forces")),
    ] {
        let (all, one) = (path("reports.jsonl"), path("reports-1.jsonl"));
        let (mut by_lines, mut by_records) = (Vec::new(), Vec::new());
        let [library_time, records_time, all_cores, one_core] = in_turn(
            runs,
            [
                &mut || by_lines = library(&policy, &input),
                &mut || by_records = library_records(&policy, &input),
                &mut || insp(REPORTS_JSON, &input, &all, None),
                &mut || insp(REPORTS_JSON, &input, &one, Some(1)),
            ],
        );
        assert!(
            grades_in_reports(&all) == expected
                && grades_in_reports(&one) == expected
                && by_lines == expected
                && by_records == expected,
            "{form}: insp evaluate and the library grade differently"
        );
        for (name, time) in [
            ("insp library end to end (one thread)", &library_time),
            (
                "library via read_inputs, Record::load (one thread)",
                &records_time,
            ),
            ("insp evaluate --format json (all cores)", &all_cores),
            (
                "insp evaluate --format json (RAYON_NUM_THREADS=1)",
                &one_core,
            ),
        ] {
            // Rates: the library's time over this pipeline's.
            let ratio = library_time.ratio_to(time);
            println!(
                "{form:<11} {name:<52} {:>14.0} {:>7.0}% {:>15.2}× {:>7.0}%",
                per_second(count, time.median),
                time.spread() * 100.0,
                ratio.median,
                ratio.noise * 100.0
            );
        }
    }
}
