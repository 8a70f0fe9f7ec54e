//! Evidence in the forms teams hold it (folders, JSON Lines, CSV, standard
//! input, flat dotted keys), the summary across organisations, and quiet
//! output when many organisations are graded.

use assert_cmd::Command;
use std::collections::BTreeSet;
use std::path::Path;

const HMIC: &str = "policies/hmic-crime-2014.insp";

/// The shipped HMIC examples whose evidence a CSV table can hold (the
/// ill-typed one writes numbers as strings, which a table cannot tell apart).
const EXAMPLES: [&str; 5] = [
    "examples/eastfen-2014.json",
    "examples/norfolk-2014.json",
    "examples/northmoor-2014.json",
    "examples/southdown-missing-2014.json",
    "examples/westvale-2014.json",
];

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn run_with_stdin(args: &[&str], stdin: &str) -> Run {
    run_in(Path::new("."), args, stdin)
}

/// Runs in the folder `dir`, with `stdin` on standard input.
fn run_in(dir: &Path, args: &[&str], stdin: &str) -> Run {
    let output = Command::cargo_bin("insp")
        .unwrap()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(args)
        .write_stdin(stdin)
        .output()
        .unwrap();
    Run {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn run(args: &[&str]) -> Run {
    run_with_stdin(args, "")
}

/// Each organisation's grades (or `not graded`), in order, from
/// `--summary --format json`.
fn summary_grades(args: &[&str]) -> (i32, Vec<Vec<String>>) {
    let mut all = vec!["evaluate", "--summary", "--format", "json", HMIC];
    all.extend(args);
    let run = run(&all);
    let summary: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    let grades = summary["summary"]["organisations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            let grades = o["grades"].as_object().unwrap();
            grades
                .values()
                .map(|g| g.as_str().unwrap().to_string())
                .collect()
        })
        .collect();
    (run.status, grades)
}

/// The examples as JSON Lines: each file on one line (line breaks in JSON
/// are whitespace between tokens, never inside a string here).
fn as_json_lines() -> String {
    EXAMPLES
        .iter()
        .map(|file| {
            std::fs::read_to_string(file)
                .unwrap()
                .replace(['\n', '\r'], " ")
                + "\n"
        })
        .collect()
}

/// The examples as a CSV table: one column per dotted path, an estimate as
/// `PATH` (its value) beside `PATH.margin`, an empty cell where a file has
/// no value.
fn as_csv() -> String {
    let rows: Vec<Vec<(String, String)>> = EXAMPLES
        .iter()
        .map(|file| {
            let json: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
            let mut cells = Vec::new();
            flatten(&json, "", &mut cells);
            cells
        })
        .collect();
    let columns: BTreeSet<&str> = rows.iter().flatten().map(|(k, _)| k.as_str()).collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&columns).unwrap();
    for row in &rows {
        let cell = |column: &str| {
            row.iter()
                .find(|(k, _)| k == column)
                .map_or("", |(_, v)| v.as_str())
        };
        writer
            .write_record(columns.iter().map(|c| cell(c)))
            .unwrap();
    }
    String::from_utf8(writer.into_inner().unwrap()).unwrap()
}

/// The examples' table with more columns: `extra` names them in the header
/// and `cells(row)` gives each data row's cells for them (row 1 first).
fn as_csv_with(extra: &[&str], cells: impl Fn(usize) -> String) -> String {
    as_csv()
        .lines()
        .enumerate()
        .map(|(row, line)| match row {
            0 => format!("{line},{}\n", extra.join(",")),
            row => format!("{line},{}\n", cells(row)),
        })
        .collect()
}

fn flatten(json: &serde_json::Value, prefix: &str, out: &mut Vec<(String, String)>) {
    let path = |key: &str| match prefix {
        "" => key.to_string(),
        _ => format!("{prefix}.{key}"),
    };
    match json {
        serde_json::Value::Object(members) if members.contains_key("margin") => {
            out.push((prefix.to_string(), members["value"].to_string()));
            out.push((path("margin"), members["margin"].to_string()));
        }
        serde_json::Value::Object(members) => {
            for (key, value) in members {
                flatten(value, &path(key), out);
            }
        }
        serde_json::Value::String(text) => out.push((prefix.to_string(), text.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn a_folder_json_lines_and_a_csv_table_grade_as_the_files_do() {
    let (status, by_file) = summary_grades(&EXAMPLES);
    assert_eq!(status, 1, "southdown's evidence is incomplete");
    assert_eq!(by_file.len(), 5);
    // By judgement id: investigating, reducing_crime, tackling_asb.
    assert_eq!(by_file[1], ["good", "outstanding", "good"], "Norfolk");
    assert_eq!(by_file[2][1], "requires_improvement", "Northmoor, capped");
    assert_eq!(by_file[3], ["not graded"; 3], "southdown");
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("forces");
    std::fs::create_dir(&folder).unwrap();
    for file in EXAMPLES {
        std::fs::copy(file, folder.join(Path::new(file).file_name().unwrap())).unwrap();
    }
    // Not evidence: only `*.json` files of a folder are read.
    std::fs::write(folder.join("README.txt"), "notes").unwrap();
    let lines = write(dir.path(), "forces.jsonl", &as_json_lines());
    let table = write(dir.path(), "forces.csv", &as_csv());
    for input in [folder.to_str().unwrap(), &lines, &table] {
        assert_eq!(summary_grades(&[input]), (1, by_file.clone()), "{input}");
    }
}

#[test]
fn standard_input_takes_json_json_lines_or_csv() {
    let norfolk = std::fs::read_to_string(EXAMPLES[1]).unwrap();
    for (text, organisations) in [(norfolk.as_str(), 1), (&as_json_lines(), 5), (&as_csv(), 5)] {
        let run = run_with_stdin(
            &["evaluate", "--summary", "--format", "json", HMIC, "-"],
            text,
        );
        let summary: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
        let found = summary["summary"]["organisations"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(found, organisations, "{}", run.stderr);
    }
}

#[test]
fn flat_dotted_keys_read_as_nested_objects() {
    let dir = tempfile::tempdir().unwrap();
    let csv = as_csv();
    let mut rows = csv::Reader::from_reader(csv.as_bytes());
    let header = rows.headers().unwrap().clone();
    let norfolk = rows.records().nth(1).unwrap().unwrap();
    // `"crime.rate": 45.5`, `"victims.satisfaction.value": 87.9`: flat keys only.
    let members: Vec<String> = header
        .iter()
        .zip(norfolk.iter())
        .filter(|(_, cell)| !cell.is_empty())
        .map(|(key, cell)| {
            let estimate = header.iter().any(|k| k == format!("{key}.margin"));
            let key = if estimate {
                format!("{key}.value")
            } else {
                key.to_string()
            };
            let value = match cell.parse::<f64>() {
                Ok(_) => cell.to_string(),
                Err(_) if cell == "true" || cell == "false" => cell.to_string(),
                Err(_) => format!("{cell:?}"),
            };
            format!("{key:?}: {value}")
        })
        .collect();
    let flat = write(
        dir.path(),
        "flat.json",
        &format!("{{{}}}", members.join(",\n")),
    );
    assert_eq!(summary_grades(&[&flat]).1, summary_grades(&[EXAMPLES[1]]).1);
}

#[test]
fn a_key_given_nested_and_flat_is_a_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let norfolk = std::fs::read_to_string(EXAMPLES[1]).unwrap();
    let twice = norfolk.replacen('{', "{\"crime.rate\": 99,", 1);
    let file = write(dir.path(), "twice.json", &twice);
    let run = run(&["evaluate", HMIC, &file]);
    assert_eq!(run.status, 1);
    assert!(
        run.stderr.contains("insp::evidence::duplicate_key"),
        "{}",
        run.stderr
    );
}

/// A table of two good rows around a bad one.
const POLICY: &str = r#"
evidence {
  name : text
  score : number
  checked : bool = false
  satisfaction : estimate percent
}
question q "Q" {
  resolve first
  good when score >= 50 and checked
  requires_improvement when score >= 25
  otherwise inadequate
}
"#;

#[test]
fn a_bad_csv_cell_is_reported_by_row_and_column_and_the_other_rows_are_graded() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(dir.path(), "p.insp", POLICY);
    let table = "name,score,checked,satisfaction,satisfaction.margin\n\
                 Alpha,60,true,80,2\n\
                 Beta,sixty,false,80,2\n\
                 Gamma,30,,81.5,1\n\
                 Delta,30,maybe\n";
    let file = write(dir.path(), "orgs.csv", table);
    let run = run(&["evaluate", "--summary", &policy, &file]);
    assert_eq!(run.status, 1);
    let stderr = &run.stderr;
    assert!(stderr.contains("`score` should be a number"), "{stderr}");
    assert!(
        stderr.contains("a string here (row 2, column score)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("orgs.csv:3:6"),
        "line 3, column 6: {stderr}"
    );
    assert!(
        stderr.contains("row 4 has 3 cells, but the header names 5 columns"),
        "{stderr}"
    );
    assert!(
        run.stdout
            .contains("4 organisations: 2 graded, 2 not graded"),
        "{}",
        run.stdout
    );
    let shown = run.stdout.replace(dir.path().to_str().unwrap(), "DIR");
    insta::assert_snapshot!("csv_summary", shown);
}

#[test]
fn a_bad_json_line_is_reported_by_line_and_the_others_are_graded() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(dir.path(), "p.insp", POLICY);
    let estimate = r#""satisfaction": {"value": 80, "margin": 2}"#;
    let lines = format!(
        "{{\"name\": \"Alpha\", \"score\": 60, {estimate}}}\n\n{{\"name\": \"Beta\", \"score\": }}\n{{\"name\": \"Gamma\", \"score\": 10, {estimate}}}\n"
    );
    let file = write(dir.path(), "orgs.jsonl", &lines);
    let run = run(&["evaluate", "--format", "json", &policy, &file]);
    assert_eq!(run.status, 1);
    let docs: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let evidence: Vec<&str> = docs[..3]
        .iter()
        .map(|d| d["evidence"].as_str().unwrap())
        .collect();
    assert!(evidence[1].ends_with("orgs.jsonl:3"), "{evidence:?}");
    let label = &docs[1]["diagnostics"][0]["labels"][0];
    assert_eq!(
        (label["line"].as_u64(), label["column"].as_u64()),
        (Some(3), Some(27))
    );
    assert_eq!(docs[0]["questions"][0]["grade"], "requires_improvement");
    assert_eq!(docs[2]["questions"][0]["grade"], "inadequate");
    assert_eq!(docs[3]["summary"]["distribution"]["q"]["not graded"], 1);
}

/// A JSON Lines file is read a part at a time (a megabyte or so each);
/// standard input is read whole. Over a file of several parts, with
/// diagnostics on lines throughout (so on lines next to where one part
/// ends and the next begins), both give the same reports and the same
/// rendered diagnostics, with the same lines shown around each, in text
/// and in JSON.
#[test]
fn a_long_json_lines_file_reads_as_it_does_whole() {
    let dir = tempfile::tempdir().unwrap();
    let examples: Vec<String> = as_json_lines().lines().map(str::to_string).collect();
    let mut lines = String::new();
    for n in 0..900 {
        let line = &examples[n % examples.len()];
        let line = match n % 29 {
            3 => line.replacen("\"rate\": ", "\"rate\": \"x\", \"was\": ", 1),
            11 => line[..line.len() / 2].to_string(),
            17 => String::new(),
            // Spaces between tokens make every other line long.
            _ if n % 2 == 0 => line.replacen('{', &format!("{{{}", " ".repeat(4000)), 1),
            _ => line.clone(),
        };
        lines.push_str(&line);
        lines.push('\n');
    }
    assert!(
        lines.len() > 2 << 20,
        "{} bytes: fewer than three parts",
        lines.len()
    );
    // Named as long as `<stdin>`, so that tables line up alike.
    write(dir.path(), "a.jsonl", &lines);
    let policy = std::fs::canonicalize(HMIC).unwrap();
    let policy = policy.to_str().unwrap();
    for format in ["text", "json"] {
        let args = ["evaluate", "--format", format, policy];
        let from_file = run_in(dir.path(), &[&args[..], &["a.jsonl"]].concat(), "");
        let whole = run_in(dir.path(), &[&args[..], &["-"]].concat(), &lines);
        assert_eq!((from_file.status, whole.status), (1, 1));
        let named = |text: &str| text.replace("a.jsonl", "<stdin>");
        assert_same(&named(&from_file.stdout), &whole.stdout, format);
        assert_same(&named(&from_file.stderr), &whole.stderr, format);
        assert!(whole.stdout.contains("<stdin>:788"), "{format}");
    }
}

/// The same text, or the first line that differs (not the whole of long
/// outputs).
fn assert_same(read: &str, expected: &str, what: &str) {
    let differs = read.lines().zip(expected.lines()).position(|(a, b)| a != b);
    if let Some(line) = differs {
        let (a, b) = (read.lines().nth(line), expected.lines().nth(line));
        panic!("{what}: line {} differs:\n{a:?}\n{b:?}", line + 1);
    }
    assert_eq!(read.lines().count(), expected.lines().count(), "{what}");
}

#[test]
fn inputs_with_no_organisation_are_errors_not_empty_runs() {
    let dir = tempfile::tempdir().unwrap();
    let empty_folder = dir.path().join("empty");
    std::fs::create_dir(&empty_folder).unwrap();
    let blank_lines = write(dir.path(), "blank.jsonl", "\n\n");
    let header_only = write(dir.path(), "header.csv", "name,score\n");
    for (input, message) in [
        (empty_folder.to_str().unwrap(), "holds no `.json` file"),
        (&blank_lines, "holds no organisation"),
        (&header_only, "holds no organisation"),
    ] {
        let run = run(&["evaluate", HMIC, input]);
        assert_eq!(run.status, 1, "{input}");
        assert!(run.stderr.contains(message), "{input}: {}", run.stderr);
    }
}

/// `count` organisations with a score each and 15 fields the policy does not read.
fn generated(dir: &Path, count: usize) -> String {
    let folder = dir.join("generated");
    std::fs::create_dir(&folder).unwrap();
    for i in 0..count {
        let extra: String = (0..15).map(|k| format!(", \"extra_{k}\": {k}")).collect();
        let text = format!(
            "{{\"name\": \"Org {i}\", \"score\": {}, \"checked\": true, \"satisfaction\": {{\"value\": 80, \"margin\": 2}}{extra}}}",
            i % 100
        );
        std::fs::write(folder.join(format!("org-{i:04}.json")), text).unwrap();
    }
    folder.to_str().unwrap().to_string()
}

#[test]
fn a_thousand_organisations_with_unread_fields_say_so_in_a_line_each() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(dir.path(), "p.insp", POLICY);
    let folder = generated(dir.path(), 1000);
    let run = run(&[
        "evaluate",
        "--summary",
        "--format",
        "json",
        &policy,
        &folder,
    ]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 1000, "one line per file");
    // Graded in batches at the same time, written in the order read.
    for (i, line) in lines.iter().enumerate() {
        assert!(
            line.contains(&format!("org-{i:04}.json:")),
            "line {i}: {line}"
        );
    }
    assert!(
        lines[0].ends_with("org-0000.json: 15 fields not read by this policy: extra_0, extra_1, extra_2, …, use --verbose to list them"),
        "{}",
        lines[0]
    );
    assert!(!run.stderr.contains("did you mean"));
    let summary: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    let distribution = &summary["summary"]["distribution"]["q"];
    // Scores 0..99, ten times over: 50 and up good, 25 to 49 requires improvement.
    assert_eq!(distribution["good"], 500);
    assert_eq!(distribution["requires_improvement"], 250);
    assert_eq!(distribution["inadequate"], 250);
    assert_eq!(distribution["not graded"], 0);
    let organisations = summary["summary"]["organisations"].as_array().unwrap();
    for (i, organisation) in organisations.iter().enumerate() {
        assert_eq!(organisation["organisation"], format!("Org {i}"));
    }

    let quiet = self::run(&["evaluate", "--quiet", "--summary", &policy, &folder]);
    assert_eq!(quiet.stderr, "", "--quiet leaves only errors");
    let verbose = self::run(&[
        "evaluate",
        "--verbose",
        "--summary",
        &policy,
        &generated_one(dir.path()),
    ]);
    assert!(
        verbose.stderr.contains("`extra_14` is not read"),
        "{}",
        verbose.stderr
    );
}

fn generated_one(dir: &Path) -> String {
    let one = dir.join("one");
    std::fs::create_dir(&one).unwrap();
    let first = dir.join("generated").join("org-0000.json");
    std::fs::copy(first, one.join("org.json")).unwrap();
    one.to_str().unwrap().to_string()
}

#[test]
fn a_misspelt_field_that_is_missing_gets_did_you_mean_and_an_unread_one_does_not() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(dir.path(), "p.insp", POLICY);
    let evidence = r#"{"name": "A", "score": 60, "chekced": true, "scores": 1, "satisfaction": {"value": 80, "margin": 2}}"#;
    let file = write(dir.path(), "a.json", evidence);
    let run = run(&["evaluate", &policy, &file]);
    assert_eq!(run.status, 1, "the typo left `checked` at its default");
    assert!(
        run.stderr.contains("did you mean `checked`?"),
        "{}",
        run.stderr
    );
    // `scores` is close to `score`, which is given: not a misspelling.
    assert!(
        !run.stderr.contains("did you mean `score`"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("1 field not read by this policy: scores"),
        "{}",
        run.stderr
    );
}

#[test]
fn evaluate_leaves_the_policy_lints_to_check() {
    let dir = tempfile::tempdir().unwrap();
    let unused = POLICY.replace(
        "checked : bool = false",
        "checked : bool = false\n  unused : number = 1",
    );
    let policy = write(dir.path(), "p.insp", &unused);
    let file = write(
        dir.path(),
        "a.json",
        r#"{"name": "A", "score": 60, "satisfaction": {"value": 80, "margin": 2}}"#,
    );
    let check = run(&["check", &policy]);
    assert!(
        check.stderr.contains("unused") || check.stdout.contains("unused"),
        "{}{}",
        check.stdout,
        check.stderr
    );
    let evaluate = run(&["evaluate", &policy, &file]);
    assert_eq!(evaluate.status, 0);
    assert_eq!(evaluate.stderr, "", "no lint repeated by evaluate");
}

#[test]
fn no_progress_bar_when_standard_error_is_not_a_terminal() {
    let run = run(&["evaluate", "--summary", HMIC, EXAMPLES[0], EXAMPLES[1]]);
    assert_eq!(run.status, 0);
    assert_eq!(
        run.stderr, "",
        "nothing but diagnostics on a redirected stderr"
    );
}

#[test]
fn the_summary_follows_the_reports_in_every_format() {
    let mut args = vec!["evaluate", "--format", "text", HMIC];
    args.extend(EXAMPLES);
    for format in ["text", "markdown", "json"] {
        args[2] = format;
        let run = run(&args);
        let snapshot = format!("summary_{format}");
        let tail = match format {
            "json" => run.stdout.lines().last().unwrap().to_string(),
            "text" => run.stdout[run.stdout.find("Summary:").unwrap()..].to_string(),
            _ => run.stdout[run.stdout.find("## Summary").unwrap()..].to_string(),
        };
        insta::assert_snapshot!(snapshot, tail);
    }
    let csv = run(&[
        "evaluate",
        "--summary",
        "--format",
        "csv",
        HMIC,
        EXAMPLES[1],
        EXAMPLES[2],
    ]);
    insta::assert_snapshot!("summary_csv", csv.stdout);
}

/// The standard output of `insp` going into a pipe that is closed after
/// its first bytes: the status and standard error once it ends.
fn run_into_closed_pipe(args: &[&str]) -> (i32, String) {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_insp"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0; 100];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The pipe closes here, while insp still has most of its reports to write.
    let output = child.wait_with_output().unwrap();
    let status = output.status.code().unwrap_or(-1);
    (status, String::from_utf8(output.stderr).unwrap())
}

#[test]
fn a_closed_pipe_stops_the_run_quietly() {
    let dir = tempfile::tempdir().unwrap();
    // Far more reports than a pipe holds (64 KiB): the writing must meet
    // the closed pipe.
    let lines = as_json_lines().repeat(2_000);
    let file = write(dir.path(), "many.jsonl", &lines);
    let (status, stderr) = run_into_closed_pipe(&["evaluate", "--quiet", HMIC, &file]);
    // Southdown's evidence is incomplete, so what was graded includes a failure.
    assert_eq!(status, 1, "{stderr}");
    assert!(!stderr.contains("could not be written"), "{stderr}");
}

#[cfg(target_os = "linux")]
#[test]
fn a_report_that_cannot_be_written_is_an_error_whatever_the_command() {
    let full = || {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap()
    };
    let lines = as_json_lines().repeat(200);
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "many.jsonl", &lines);
    for args in [
        vec![
            "evaluate",
            "--format",
            "json",
            HMIC,
            "examples/norfolk-2014.json",
        ],
        vec!["evaluate", "--quiet", HMIC, &file],
        vec!["check", HMIC],
        vec!["test", HMIC],
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_insp"))
            .args(&args)
            .stdout(full())
            .output()
            .unwrap();
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(
                "error: the report could not be written to standard output: No space left on device"
            ),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn a_notice_about_an_input_comes_after_the_reports_before_it() {
    let dir = tempfile::tempdir().unwrap();
    // The examples' table with a column the policy does not read.
    let table = as_csv_with(&["unread_column"], |_| "1".to_string());
    let csv = write(dir.path(), "table.csv", &table);
    // Both streams into one pipe, as a terminal or a log file shows them.
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "\"{}\" evaluate {HMIC} examples/norfolk-2014.json {csv} 2>&1",
            env!("CARGO_BIN_EXE_insp")
        ))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let both = String::from_utf8(output.stdout).unwrap();
    let norfolk = both.find("Norfolk").expect("Norfolk's report");
    let notice = both
        .find("unread_column")
        .expect("the notice of the unread column");
    assert!(norfolk < notice, "{both}");
}

#[cfg(unix)]
#[test]
fn a_file_whose_name_is_not_text_is_reported_and_the_others_graded() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let norfolk = std::fs::read_to_string("examples/norfolk-2014.json").unwrap();
    std::fs::write(dir.path().join("a.json"), &norfolk).unwrap();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9.json");
    std::fs::write(dir.path().join(name), &norfolk).unwrap();
    let folder = dir.path().to_str().unwrap();
    let done = run(&["evaluate", "--format", "json", HMIC, folder]);
    assert_eq!(done.status, 1, "{}", done.stderr);
    let documents: Vec<serde_json::Value> = done
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(documents[0]["graded"], true, "a.json is graded");
    let unnamed = documents[1].to_string();
    assert!(
        unnamed.contains("is not UTF-8 text") && unnamed.contains("rename the file"),
        "{unnamed}"
    );
}

/// Spreadsheets write CSV with `\r\n` line ends, and people leave blank
/// lines and quotes in names: every column must still be read.
#[test]
fn a_csv_table_with_crlf_blank_lines_and_quotes_in_names_grades_as_the_files_do() {
    let (_, by_file) = summary_grades(&EXAMPLES);
    let dir = tempfile::tempdir().unwrap();
    let crlf = as_csv().replace('\n', "\r\n");
    let spaced = as_csv().replacen('\n', "\n\n", 2);
    // A quote inside an unquoted cell is text, as the CSV reader reads it.
    let quoted = as_csv().replace("Norfolk Constabulary", "Norfolk \"Constabulary\"");
    assert_ne!(quoted, as_csv());
    for (name, table) in [
        ("crlf.csv", crlf),
        ("spaced.csv", spaced),
        ("quoted.csv", quoted),
    ] {
        let file = write(dir.path(), name, &table);
        assert_eq!(summary_grades(&[&file]), (1, by_file.clone()), "{name}");
    }
}

#[test]
fn a_csv_quote_never_closed_is_an_error_not_rows_lost() {
    let dir = tempfile::tempdir().unwrap();
    let table = as_csv_with(&["note"], |row| match row {
        2 => "\"unclosed".to_string(),
        _ => String::new(),
    });
    let file = write(dir.path(), "table.csv", &table);
    let done = run(&["evaluate", "--quiet", HMIC, &file]);
    assert_eq!(done.status, 1, "{}", done.stdout);
    assert!(
        done.stderr.contains(
            "a quote opened in row 2 is never closed, so the rest of the file reads as one cell"
        ),
        "{}",
        done.stderr
    );
}

/// Some editors begin a UTF-8 file with a byte order mark: it is not part
/// of the evidence, in any form it comes in.
#[test]
fn a_byte_order_mark_is_not_part_of_the_evidence() {
    let (_, by_file) = summary_grades(&EXAMPLES);
    let bom = "\u{feff}";
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("forces");
    std::fs::create_dir(&folder).unwrap();
    for file in EXAMPLES {
        let text = std::fs::read_to_string(file).unwrap();
        let name = Path::new(file).file_name().unwrap();
        std::fs::write(folder.join(name), format!("{bom}{text}")).unwrap();
    }
    let lines = write(
        dir.path(),
        "forces.jsonl",
        &format!("{bom}{}", as_json_lines()),
    );
    let table = write(dir.path(), "forces.csv", &format!("{bom}{}", as_csv()));
    for input in [folder.to_str().unwrap(), &lines, &table] {
        assert_eq!(summary_grades(&[input]), (1, by_file.clone()), "{input}");
    }
    let mut all = vec!["evaluate", "--summary", "--format", "json", HMIC, "-"];
    let norfolk = std::fs::read_to_string("examples/norfolk-2014.json").unwrap();
    let piped = run_with_stdin(&all, &format!("{bom}{norfolk}"));
    assert_eq!(piped.status, 0, "{}", piped.stderr);
    all.pop();
    all.push("examples/norfolk-2014.json");
    assert_eq!(
        piped
            .stdout
            .replace("<stdin>", "examples/norfolk-2014.json"),
        run(&all).stdout
    );
}

#[test]
fn a_csv_column_named_twice_is_an_error_if_the_policy_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    // The examples' table with more columns, their cells left empty.
    let with_columns = |extra: &[&str]| as_csv_with(extra, |_| ",".repeat(extra.len() - 1));
    let read_twice = write(dir.path(), "twice.csv", &with_columns(&["crime.rate"]));
    let done = run(&["evaluate", "--quiet", HMIC, &read_twice]);
    assert_eq!(done.status, 1);
    assert!(
        done.stderr
            .contains("the header names the column `crime.rate` twice"),
        "{}",
        done.stderr
    );
    // A column no rule reads may come twice: nothing depends on which counts.
    let (_, by_file) = summary_grades(&EXAMPLES);
    let notes = write(dir.path(), "notes.csv", &with_columns(&["notes", "notes"]));
    assert_eq!(summary_grades(&[&notes]), (1, by_file));
}
