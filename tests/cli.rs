//! The command line as users see it: output, formats and exit codes.

use assert_cmd::Command;

const HMIC: &str = "policies/hmic-crime-2014.insp";

fn insp() -> Command {
    let mut command = Command::cargo_bin("insp").unwrap();
    command.env("NO_COLOR", "1");
    command
}

struct Run {
    status: i32,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let output = insp().args(args).output().unwrap();
    Run {
        status: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// The JSON Lines of `evaluate --format json` on several files: one
/// document per file, then the summary across them.
fn per_file_and_summary(stdout: &str) -> (Vec<serde_json::Value>, serde_json::Value) {
    let mut docs: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let summary = docs.pop().expect("a summary line");
    assert!(
        summary.get("summary").is_some(),
        "the last line is the summary"
    );
    (docs, summary)
}

#[test]
fn evaluate_norfolk_prints_the_force_and_each_grade() {
    let run = run(&["evaluate", HMIC, "examples/norfolk-2014.json"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(run.stderr, "");
    insta::assert_snapshot!("evaluate_norfolk", run.stdout);
}

#[test]
fn explain_shows_every_rule_with_values() {
    let run = run(&["evaluate", "--explain", HMIC, "examples/norfolk-2014.json"]);
    assert_eq!(run.status, 0);
    assert!(
        run.stdout
            .contains("✓ crime_ratio <= 0.85   [crime_ratio = 0.749588]"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(
        "✗ organised_crime.management >= good   [organised_crime.management = adequate]"
    ));
    insta::assert_snapshot!("explain_norfolk", run.stdout);
}

#[test]
fn json_output_has_the_documented_shape() {
    let run = run(&[
        "evaluate",
        "--format",
        "json",
        HMIC,
        "examples/norfolk-2014.json",
    ]);
    assert_eq!(run.status, 0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["policy"], "HMIC crime inspection 2014");
    assert_eq!(doc["evidence"], "examples/norfolk-2014.json");
    assert_eq!(doc["organisation"], "Norfolk Constabulary");
    assert_eq!(doc["graded"], true);
    assert!(doc["overall"].is_null());
    let questions: Vec<(&str, &str)> = doc["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| (q["id"].as_str().unwrap(), q["grade"].as_str().unwrap()))
        .collect();
    assert_eq!(
        questions,
        [
            ("reducing_crime", "outstanding"),
            ("investigating", "good"),
            ("tackling_asb", "good")
        ]
    );
    assert_eq!(
        doc["questions"][0]["title"],
        "How effective is the force at reducing crime and preventing offending?"
    );
}

#[test]
fn many_files_are_all_reported_and_one_bad_file_does_not_hide_the_others() {
    let files = [
        "examples/norfolk-2014.json",
        "examples/southdown-missing-2014.json",
        "examples/does-not-exist.json",
        "examples/westvale-2014.json",
    ];
    let mut args = vec!["evaluate", "--format", "json", HMIC];
    args.extend(files);
    let run = run(&args);
    assert_eq!(run.status, 1, "some evidence could not be graded");
    let (docs, summary) = per_file_and_summary(&run.stdout);
    let not_graded = &summary["summary"]["not_graded"];
    assert_eq!(not_graded.as_array().unwrap().len(), 2, "{summary}");
    let summary: Vec<(&str, bool)> = docs
        .iter()
        .map(|d| {
            (
                d["evidence"].as_str().unwrap(),
                d["graded"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (files[0], true),
            (files[1], false),
            (files[2], false),
            (files[3], true)
        ]
    );
    assert_eq!(docs[1]["diagnostics"][0]["code"], "insp::evidence::missing");
    assert_eq!(docs[2]["diagnostics"][0]["code"], "insp::io");
    assert_eq!(docs[3]["questions"][1]["grade"], "outstanding");
}

#[test]
fn a_conflict_exits_1_and_shows_both_rules_and_the_evidence() {
    let run = run(&[
        "evaluate",
        "examples/draft-response.insp",
        "examples/riverside.json",
    ]);
    assert_eq!(run.status, 1);
    assert!(
        run.stdout
            .contains("response  not graded: criteria of two grades hold")
    );
    assert!(run.stderr.contains("insp::eval::conflict"));
    assert!(run.stderr.contains("response.median_minutes = 6.5"));
}

#[test]
fn ill_typed_evidence_exits_1_with_every_problem() {
    let run = run(&["evaluate", HMIC, "examples/kingsley-illtyped-2014.json"]);
    assert_eq!(run.status, 1);
    assert_eq!(
        run.stderr.matches("insp::evidence::type").count(),
        4,
        "{}",
        run.stderr
    );
}

#[test]
fn an_invalid_policy_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("bad.insp");
    std::fs::write(&policy, "question q \"Q\" { good when nonsense > 1 }").unwrap();
    let run = run(&[
        "evaluate",
        policy.to_str().unwrap(),
        "examples/norfolk-2014.json",
    ]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("insp::name::unknown"));
    assert_eq!(
        run.stdout, "",
        "nothing is graded against an invalid policy"
    );

    let json = self::run(&["check", "--format", "json", policy.to_str().unwrap()]);
    assert_eq!(json.status, 2);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["valid"], false);
    assert_eq!(doc["diagnostics"][0]["code"], "insp::name::unknown");
}

#[test]
fn check_accepts_the_shipped_policy() {
    let run = run(&["check", HMIC, "tests/fixtures/aggregate.insp"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        format!("{HMIC}: ok (0 warnings)\ntests/fixtures/aggregate.insp: ok (0 warnings)\n")
    );
}

#[test]
fn command_line_misuse_exits_2() {
    assert_eq!(run(&["evaluate", HMIC]).status, 2, "no evidence files");
    assert_eq!(run(&["grade", HMIC]).status, 2, "unknown command");
    assert_eq!(
        run(&["evaluate", "--format", "yaml", HMIC, "x.json"]).status,
        2
    );
    assert_eq!(
        run(&[
            "evaluate",
            "no-such-policy.insp",
            "examples/norfolk-2014.json"
        ])
        .status,
        2
    );
}

#[test]
fn csv_and_markdown_reports() {
    let files = [
        HMIC,
        "examples/norfolk-2014.json",
        "examples/southdown-missing-2014.json",
    ];
    let csv = run(&["evaluate", "--format", "csv", files[0], files[1], files[2]]);
    assert_eq!(csv.status, 1);
    let lines: Vec<&str> = csv.stdout.lines().collect();
    assert_eq!(
        lines.len(),
        1 + 3 + 3,
        "a header and a row per judgement of each file"
    );
    assert!(
        lines[1].starts_with(
            "examples/norfolk-2014.json,Norfolk Constabulary,reducing_crime,question,"
        )
    );
    assert!(
        lines[1].contains(",outstanding,graded,\"crime well below"),
        "quoted because it holds commas: {}",
        lines[1]
    );
    insta::assert_snapshot!("csv", csv.stdout);
    let markdown = run(&[
        "evaluate", "--format", "markdown", files[0], files[1], files[2],
    ]);
    assert_eq!(markdown.status, 1);
    insta::assert_snapshot!("markdown", markdown.stdout);
}

#[test]
fn check_deny_warnings_fails_on_a_warning_only_policy() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("gap.insp");
    std::fs::write(
        &policy,
        "evidence { x : number }\nquestion q \"Q\" {\n  good when x >= 10\n  inadequate when x < 5\n}\n",
    )
    .unwrap();
    let path = policy.to_str().unwrap();
    let lenient = run(&["check", path]);
    assert_eq!(lenient.status, 0, "a gap is a warning");
    assert!(lenient.stderr.contains("insp::analysis::gap"));
    let strict = run(&["check", "--deny-warnings", path]);
    assert_eq!(strict.status, 2, "{}", strict.stderr);
    let clean = run(&["check", "--deny-warnings", HMIC]);
    assert_eq!(clean.status, 0, "{}", clean.stderr);
}

#[test]
fn evaluate_reports_not_assessed_departures_and_every_limit() {
    let run = run(&[
        "evaluate",
        "--format",
        "json",
        "policies/cqc-asc-2022.insp",
        "examples/cqc-harbour-view.json",
    ]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let well_led = &doc["questions"][0];
    assert_eq!(well_led["grade"], "requires_improvement");
    let limits = well_led["limited_by"].as_array().unwrap();
    assert_eq!(limits.len(), 2, "{limits:?}");
    assert_eq!(limits[0]["to"], "requires_improvement");
    assert_eq!(limits[1]["to"], "rating.well_led");
}

#[test]
fn check_gives_up_on_a_judgement_at_its_budget_and_says_so() {
    let policy = "tests/ui/aggregate_gaps_and_overlaps/policy.insp";
    let decided = run(&["check", policy]);
    assert!(
        decided.stderr.contains("insp::analysis::gap"),
        "{}",
        decided.stderr
    );
    let out_of_time = run(&["check", "--budget-ms", "0", policy]);
    assert_eq!(out_of_time.status, 0, "{}", out_of_time.stderr);
    assert!(
        out_of_time
            .stderr
            .contains("the time budget for this judgement ran out"),
        "{}",
        out_of_time.stderr
    );
    assert!(out_of_time.stderr.contains("`overall`"));
    // Nothing unproven is claimed: no rule is said never to hold.
    assert!(
        !out_of_time.stderr.contains("never"),
        "{}",
        out_of_time.stderr
    );
}

/// Writes `text` to `name` in `dir`; its path, for the command line.
fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

/// A policy over `x` whose rule's condition is `condition > 1`.
fn policy_on_x(condition: &str) -> String {
    format!(
        "evidence {{ x : number }}\nquestion q \"Q\" {{\n  good when {condition} > 1\n  otherwise inadequate\n}}\n"
    )
}

/// `levels` brackets, each opened after `signs` minus signs, around `x`.
fn nested_negations(levels: usize, signs: usize) -> String {
    let open = format!("{}(", "-".repeat(signs)).repeat(levels);
    format!("{open}x{}", ")".repeat(levels))
}

#[test]
fn deeply_nested_minus_signs_are_a_syntax_error_not_a_stack_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let deep = write(&dir, "deep.insp", &policy_on_x(&nested_negations(16, 500)));
    let x = write(&dir, "x.json", r#"{"x": 2}"#);
    for args in [
        vec!["check", &deep],
        vec!["fmt", "--check", &deep],
        vec!["evaluate", &deep, &x, &x, &x],
    ] {
        let run = run(&args);
        assert_eq!(run.status, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("an expression nests more than 256 deep"),
            "{}",
            run.stderr
        );
    }
    // Just within the limit, every command works, on worker threads too.
    let ok = write(&dir, "ok.insp", &policy_on_x(&nested_negations(16, 14)));
    assert_eq!(run(&["check", &ok]).status, 0);
    assert_eq!(run(&["fmt", &ok]).status, 0);
    let graded = run(&["evaluate", "--explain", &ok, &x, &x, &x]);
    assert_eq!(graded.status, 0, "{}", graded.stderr);
}

#[test]
fn a_long_chain_of_lets_is_a_limit_not_a_stack_overflow() {
    let chain = |n: usize| {
        let lets: String = (0..n)
            .map(|i| format!("let l{} = l{i} + 1\n", i + 1))
            .collect();
        format!(
            "evidence {{ x : number }}\nlet l0 = x\n{lets}{}",
            policy_on_x(&format!("l{n}")).replace("evidence { x : number }\n", "")
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let long = run(&["check", &write(&dir, "long.insp", &chain(3_200))]);
    assert_eq!(long.status, 2);
    assert_eq!(
        long.stderr.matches("insp::policy::limit").count(),
        1,
        "one report, not one per let after it: {}",
        long.stderr
    );
    assert!(
        long.stderr
            .contains("`l128` nests operators and lets more than 256 deep")
    );
    let within = run(&["check", &write(&dir, "ok.insp", &chain(126))]);
    assert_eq!(within.status, 0, "{}", within.stderr);
}

#[test]
fn sandbox_limits_of_zero_or_beyond_the_stack_are_usage_errors() {
    let x = "examples/norfolk-2014.json";
    for flag in [
        "--max-operations",
        "--max-helper-ms",
        "--max-call-levels",
        "--max-expr-depth",
        "--max-string-size",
        "--max-array-size",
        "--max-map-size",
    ] {
        let run = run(&["evaluate", flag, "0", HMIC, x]);
        assert_eq!(run.status, 2, "{flag} 0");
        assert!(run.stderr.contains("0 is not in 1.."), "{}", run.stderr);
    }
    let run = run(&["evaluate", "--max-call-levels", "10000", HMIC, x]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("not in 1..=256"), "{}", run.stderr);
}

#[test]
fn recursion_at_the_deepest_call_level_allowed_is_stopped_on_every_worker() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(
        &dir,
        "rec.insp",
        "evidence { x : number }\nscript { fn down(n) { if n <= 0 { 0 } else { down(n - 1) + 1 } } }\nquestion q \"Q\" { good when down(x) > 1 otherwise inadequate }\n",
    );
    let x = write(&dir, "x.json", r#"{"x": 100000}"#);
    let run = run(&["evaluate", "--max-call-levels", "256", &policy, &x, &x, &x]);
    assert_eq!(run.status, 1, "{}", run.stderr);
    assert_eq!(
        run.stderr
            .matches("it called functions more than 256 deep")
            .count(),
        3
    );
}

#[test]
fn devices_pipes_and_oversized_files_are_refused_and_the_others_still_graded() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo.json");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let big = write(&dir, "big.json", &" ".repeat(2 * 1024 * 1024));
    let files = [
        "/dev/zero",
        fifo.to_str().unwrap(),
        &big,
        "examples/norfolk-2014.json",
    ];
    let mut args = vec!["evaluate", "--format", "json", "--max-file-mib", "1", HMIC];
    args.extend(files);
    let run = run(&args);
    assert_eq!(run.status, 1);
    let (docs, _) = per_file_and_summary(&run.stdout);
    let messages: Vec<String> = docs
        .iter()
        .map(|doc| {
            let message = doc["diagnostics"][0]["message"].as_str();
            message.unwrap_or("graded").to_string()
        })
        .collect();
    assert_eq!(messages.len(), 4, "every file is reported");
    assert!(
        messages[0].contains("is not a regular file"),
        "{messages:?}"
    );
    assert!(
        messages[1].contains("is not a regular file"),
        "{messages:?}"
    );
    assert!(
        messages[2].ends_with("is larger than 1 MiB"),
        "{messages:?}"
    );
    assert_eq!(messages[3], "graded");
}

#[test]
fn a_use_of_a_device_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let policy = write(
        &dir,
        "p.insp",
        "use \"/dev/zero\"\nevidence { x : number }\nquestion q \"Q\" { good when x > 1 otherwise inadequate }\n",
    );
    let run = run(&["check", &policy]);
    assert_eq!(run.status, 2);
    assert!(run.stderr.contains("insp::io"), "{}", run.stderr);
}

#[test]
fn hostile_text_is_neutralised_in_csv_and_escaped_on_terminals() {
    let dir = tempfile::tempdir().unwrap();
    let norfolk = std::fs::read_to_string("examples/norfolk-2014.json").unwrap();
    let hostile = norfolk.replace(
        r#""force": "Norfolk Constabulary""#,
        r#""force": "=HYPERLINK(\"http://x\")\u202e\u0000\u001b[2J""#,
    );
    assert_ne!(hostile, norfolk);
    let evidence = write(&dir, "hostile.json", &hostile);
    let csv = run(&["evaluate", "--format", "csv", HMIC, &evidence]);
    let row = csv.stdout.lines().nth(1).unwrap();
    assert!(row.contains(",\"'=HYPERLINK("), "{row}");
    let text = run(&["evaluate", HMIC, &evidence]);
    for raw in ['\u{202e}', '\0', '\u{1b}'] {
        assert!(!text.stdout.contains(raw), "{raw:?} reached the terminal");
    }
    assert!(
        text.stdout.contains("\\u{202e}\\u{0}\\u{1b}[2J"),
        "{}",
        text.stdout
    );
}

#[test]
fn hostile_text_in_a_diagnostic_is_escaped_too() {
    let dir = tempfile::tempdir().unwrap();
    let evidence = write(&dir, "e.json", "{\"crime\": \"\u{202e}\u{0}\"}");
    let run = run(&["evaluate", HMIC, &evidence]);
    assert_eq!(run.status, 1);
    for raw in ['\u{202e}', '\0'] {
        assert!(!run.stderr.contains(raw), "{raw:?} reached the terminal");
    }
}

#[test]
fn what_if_grades_the_changed_evidence_and_says_which_grades_move() {
    let norfolk = "examples/norfolk-2014.json";
    let run = run(&["evaluate", HMIC, norfolk, "--set", "crime.rate=70"]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains("norfolk-2014.json with crime.rate=70"));
    assert!(
        run.stdout
            .contains("what if crime.rate=70:\n    reducing_crime moves from outstanding to requires improvement\n"),
        "{}",
        run.stdout
    );
    // The same value as it is: nothing moves.
    let same = self::run(&["evaluate", HMIC, norfolk, "--set", "partnership=strong"]);
    assert!(same.stdout.contains("no grade moves"), "{}", same.stdout);
    let json = self::run(&[
        "evaluate",
        "--format",
        "json",
        HMIC,
        norfolk,
        "--set",
        "crime.rate=70",
    ]);
    let document: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        document["what_if"]["moved"][0],
        serde_json::json!({"judgement": "reducing_crime", "before": "outstanding", "after": "requires_improvement"})
    );
}

#[test]
fn what_if_with_a_bad_path_or_value_is_a_diagnostic() {
    let norfolk = "examples/norfolk-2014.json";
    let unknown = run(&["evaluate", HMIC, norfolk, "--set", "crime.rte=70"]);
    assert_eq!(unknown.status, 1);
    assert!(
        unknown
            .stderr
            .contains("`crime.rte` is not declared in the policy")
    );
    assert!(
        unknown.stderr.contains("did you mean `crime.rate`?"),
        "{}",
        unknown.stderr
    );
    let ill_typed = run(&["evaluate", HMIC, norfolk, "--set", "crime.rate=abc"]);
    assert_eq!(ill_typed.status, 1);
    assert!(
        ill_typed
            .stderr
            .contains("`crime.rate` should be a number (per 1000 population), but it is a string"),
        "{}",
        ill_typed.stderr
    );
    let malformed = run(&["evaluate", HMIC, norfolk, "--set", "crime.rate"]);
    assert_eq!(malformed.status, 2);
    assert!(
        malformed.stderr.contains("is not PATH=VALUE"),
        "{}",
        malformed.stderr
    );
}

#[test]
fn robustness_shows_which_grades_rest_on_the_margin_of_error() {
    let run = run(&[
        "evaluate",
        "--robustness",
        "policies/peel-2021.insp",
        "examples/peel-2021-durham.json",
        "examples/peel-2021-eastmere.json",
    ]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    let section = |from: usize| {
        let start = run.stdout[from..].find("margins of error").unwrap() + from;
        &run.stdout[start..]
    };
    insta::assert_snapshot!("robustness_peel", section(0));
    let json = self::run(&[
        "evaluate",
        "--robustness",
        "--format",
        "json",
        HMIC,
        "examples/norfolk-2014.json",
    ]);
    let document: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let reducing = &document["robustness"][0];
    assert_eq!(reducing["judgement"], "reducing_crime");
    assert_eq!(reducing["robust"], false);
    assert_eq!(reducing["reachable"].as_array().unwrap().len(), 2);

    let text = self::run(&[
        "evaluate",
        "--robustness",
        HMIC,
        "examples/norfolk-2014.json",
    ]);
    assert!(
        text.stdout
            .contains("reducing_crime  outstanding  [not robust]\n"),
        "{}",
        text.stdout
    );
    // CSV: a column per tool asked for, a cell in every row, empty where
    // the evidence could not be graded.
    let csv = self::run(&[
        "evaluate",
        "--robustness",
        "--what-would-change",
        "--format",
        "csv",
        HMIC,
        "examples/norfolk-2014.json",
        "examples/southdown-missing-2014.json",
    ]);
    let mut table = csv::Reader::from_reader(csv.stdout.as_bytes());
    let header = table.headers().unwrap().clone();
    let columns: Vec<&str> = header.iter().collect();
    assert_eq!(columns[columns.len() - 2..], ["robust", "would_change"]);
    let rows: Vec<csv::StringRecord> = table.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|row| row.len() == header.len()));
    assert!(rows[0][header.len() - 2].starts_with("NOT ROBUST — outstanding as given"));
    assert!(rows[0][header.len() - 1].starts_with("would be good if crime.rate rose above 51.595"));
    assert_eq!(
        &rows[1][header.len() - 2],
        "",
        "investigating reads no estimate"
    );
    assert!(rows[3..].iter().all(|row| row[header.len() - 1].is_empty()));
}

#[test]
fn what_would_change_and_why_not_name_the_nearest_evidence() {
    let norfolk = "examples/norfolk-2014.json";
    let run = run(&["evaluate", "--what-would-change", HMIC, norfolk]);
    assert_eq!(run.status, 0, "{}", run.stderr);
    assert!(run.stdout.contains(
        "reducing_crime (outstanding) would be good if crime.rate rose above 51.595 (now 45.5)"
    ));
    let why_not = self::run(&["evaluate", "--why-not", "outstanding", HMIC, norfolk]);
    assert!(
        why_not.stdout.contains(
            "investigating (good) would be outstanding by no change to one piece of evidence alone"
        ),
        "{}",
        why_not.stdout
    );
    let unknown = self::run(&["evaluate", "--why-not", "excellent", HMIC, norfolk]);
    assert_eq!(unknown.status, 2);
    assert!(
        unknown.stderr.contains("the policy's grades are"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn diff_lists_the_grades_a_new_version_changes_and_exits_by_agreement() {
    let dir = tempfile::tempdir().unwrap();
    let hmic = std::fs::read_to_string(HMIC).unwrap();
    let revised = hmic.replacen("crime_ratio <= 0.85", "crime_ratio <= 0.70", 1);
    assert_ne!(hmic, revised, "the threshold is in the policy");
    let new = dir.path().join("hmic-revised.insp");
    std::fs::write(&new, revised).unwrap();
    let new = new.to_str().unwrap();
    let files = ["examples/norfolk-2014.json", "examples/eastfen-2014.json"];
    let mut args = vec!["diff", HMIC, new];
    args.extend(files);
    let differ = run(&args);
    assert_eq!(differ.status, 1, "{}", differ.stderr);
    assert!(
        differ
            .stdout
            .starts_with("Norfolk Constabulary — reducing_crime: outstanding → good\n    old: outstanding when crime_ratio <= 0.85"),
        "{}",
        differ.stdout
    );
    assert!(
        differ
            .stdout
            .ends_with("1 grade(s) differ across 2 evidence file(s)\n")
    );
    let json = run(&["diff", "--format", "json", HMIC, new, files[0]]);
    let document: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(document["agree"], false);
    assert_eq!(document["differences"][0]["new"], "good");
    let same = run(&["diff", HMIC, HMIC, files[0], files[1]]);
    assert_eq!(same.status, 0);
    assert_eq!(
        same.stdout,
        "the two versions grade all 2 evidence file(s) alike\n"
    );
    let broken = dir.path().join("broken.insp");
    std::fs::write(&broken, "question {").unwrap();
    let bad = run(&["diff", HMIC, broken.to_str().unwrap(), files[0]]);
    assert_eq!(bad.status, 2);
}

#[test]
fn diff_without_evidence_compares_over_all_evidence_and_writes_witnesses() {
    let dir = tempfile::tempdir().unwrap();
    let hmic = std::fs::read_to_string(HMIC).unwrap();
    let new = write(
        &dir,
        "hmic-revised.insp",
        &hmic.replacen("crime_ratio <= 0.85", "crime_ratio <= 0.9", 1),
    );
    let witnesses = dir.path().join("witnesses");
    let differ = run(&[
        "diff",
        HMIC,
        &new,
        "--witness-dir",
        witnesses.to_str().unwrap(),
    ]);
    assert_eq!(differ.status, 1, "{}", differ.stderr);
    insta::assert_snapshot!("diff_over_all_evidence", differ.stdout);
    let mut written: Vec<String> = std::fs::read_dir(&witnesses)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    written.sort();
    assert_eq!(
        written,
        [
            "hmic-revised.reducing_crime.good-to-outstanding.json",
            "hmic-revised.reducing_crime.requires_improvement-to-outstanding.json"
        ]
    );
    // Each witness is graded differently by the two versions, as reported.
    let witness = witnesses.join(&written[0]);
    let graded = |policy: &str| {
        let run = run(&[
            "evaluate",
            "--format",
            "json",
            policy,
            witness.to_str().unwrap(),
        ]);
        let document: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        document["questions"][0]["grade"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        (graded(HMIC), graded(&new)),
        ("good".to_string(), "outstanding".to_string())
    );

    let json = run(&["diff", "--format", "json", HMIC, &new]);
    let document: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(document["agree"], false);
    assert_eq!(document["judgements"][0]["result"], "differ");
    assert_eq!(document["judgements"][1]["result"], "agree");

    let same = run(&["diff", HMIC, HMIC]);
    assert_eq!(same.status, 0);
    assert!(
        same.stdout
            .ends_with("the two versions grade all possible evidence alike\n")
    );
    // A judgement the comparison cannot decide is never reported as agreeing.
    let trends = "policies/hmic-crime-2014-trends.insp";
    let undecided = run(&["diff", trends, trends]);
    assert_eq!(undecided.status, 1);
    assert!(
        undecided.stdout.contains("could not be decided"),
        "{}",
        undecided.stdout
    );

    let number = write(&dir, "number.insp", &policy_on_x("x"));
    let levels = write(
        &dir,
        "levels.insp",
        "evidence { x : level low < high }\nquestion q \"Q\" { good when x >= high otherwise inadequate }\n",
    );
    let incompatible = run(&["diff", &number, &levels]);
    assert_eq!(incompatible.status, 2, "{}", incompatible.stdout);
    assert!(
        incompatible.stderr.contains("insp::diff::incompatible"),
        "{}",
        incompatible.stderr
    );
}

#[test]
fn test_rejects_a_case_that_changes_evidence_the_policy_does_not_declare() {
    let fixture = "tests/ui/case_undeclared_path";
    let run = run(&[
        "test",
        &format!("{fixture}/policy.insp"),
        &format!("{fixture}/case.json"),
    ]);
    assert_eq!(
        run.status, 1,
        "an invalid case fails the run: {}",
        run.stdout
    );
    insta::assert_snapshot!("test_undeclared_path", run.stdout);
}

#[test]
fn test_accepts_changes_to_declared_objects_and_reserved_keys() {
    let dir = tempfile::tempdir().unwrap();
    let case = dir.path().join("objects.json");
    std::fs::write(
        &case,
        r#"{
  "evidence": { "about": "a note", "crime": { "ratio": 1.2 }, "satisfaction": 80, "concerns": false },
  "set": { "crime": { "ratio": 0.8 }, "satisfaction": 95 },
  "unset": ["about"],
  "expect": { "reducing_crime": "outstanding" }
}"#,
    )
    .unwrap();
    let run = run(&[
        "test",
        "tests/fixtures/coverage.insp",
        case.to_str().unwrap(),
    ]);
    assert_eq!(run.status, 0, "{}", run.stdout);
    assert!(run.stdout.contains("case objects ... ok"), "{}", run.stdout);
}

#[test]
fn test_coverage_tells_rules_that_held_from_rules_that_decided() {
    let run = run(&["test", "tests/fixtures/coverage.insp"]);
    assert_eq!(run.status, 0, "{}", run.stdout);
    insta::assert_snapshot!("test_coverage_held_and_decided", run.stdout);

    let json = self::run(&["test", "--format", "json", "tests/fixtures/coverage.insp"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let coverage = &doc["coverage"];
    assert_eq!(
        (
            &coverage["covered"],
            &coverage["decided"],
            &coverage["total"]
        ),
        (&4.into(), &2.into(), &4.into())
    );
    let lines: Vec<(&str, u64)> = coverage["held_not_decided"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["kind"].as_str().unwrap(), b["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(lines, [("grade", 14), ("cap", 16)]);
}

/// Northmoor's reducing_crime is good by the rules, capped to requires
/// improvement because its crime recording is unreliable.
const CAPPED: &str = "examples/northmoor-2014.json";

#[test]
fn every_format_gives_the_grade_before_the_cap_and_the_cap_with_its_own_reason() {
    let text = run(&["evaluate", HMIC, CAPPED]);
    let reducing = &text.stdout[..text.stdout.find("investigating").unwrap()];
    insta::assert_snapshot!("capped_text", reducing);

    let markdown = run(&["evaluate", "--format", "markdown", HMIC, CAPPED]);
    let row = markdown
        .stdout
        .lines()
        .find(|l| l.starts_with("| `reducing_crime`"))
        .unwrap();
    let cells: Vec<&str> = row.split(" | ").collect();
    assert_eq!(cells[2], "**requires improvement (capped from good)**");
    assert!(
        !cells[3].contains("unreliable"),
        "the grade's reason alone: {}",
        cells[3]
    );
    assert_eq!(
        cells[4].trim_end_matches(" |"),
        "at most requires_improvement (line 72): recorded crime figures are unreliable"
    );

    let csv = run(&["evaluate", "--format", "csv", HMIC, CAPPED]);
    let mut table = csv::Reader::from_reader(csv.stdout.as_bytes());
    let header = table.headers().unwrap().clone();
    let row = table.records().next().unwrap().unwrap();
    let column = |name: &str| &row[header.iter().position(|h| h == name).unwrap()];
    assert_eq!(column("organisation"), "Northmoor Police (fictional)");
    assert_eq!(
        (column("grade"), column("resolved_grade")),
        ("requires_improvement", "good")
    );
    assert!(!column("because").contains("unreliable"));
    assert_eq!(
        column("limited_by"),
        "at most requires_improvement (line 72)"
    );
    assert_eq!(
        column("limit_because"),
        "recorded crime figures are unreliable"
    );

    let json = run(&["evaluate", "--format", "json", HMIC, CAPPED]);
    let doc: serde_json::Value = serde_json::from_str(json.stdout.trim()).unwrap();
    let question = &doc["questions"][0];
    assert_eq!(
        (&question["grade"], &question["resolved_grade"]),
        (&"requires_improvement".into(), &"good".into())
    );
    assert_eq!(
        question["limited_by"][0]["because"],
        "recorded crime figures are unreliable"
    );
    assert!(doc.get("force").is_none(), "the key is `organisation`");
}

#[test]
fn an_estimate_at_the_edge_of_the_decimal_range_is_an_error_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let norfolk = std::fs::read_to_string("examples/norfolk-2014.json").unwrap();
    // The largest decimal, so that its interval's upper end is beyond it.
    let edge = norfolk.replace(
        r#""satisfaction": { "value": 87.9, "margin": 1.4 }"#,
        r#""satisfaction": { "value": 79228162514264337593543950335, "margin": 1 }"#,
    );
    assert_ne!(edge, norfolk);
    let file = write(&dir, "edge.json", &edge);
    for format in ["text", "json", "csv", "markdown", "html"] {
        let done = run(&["evaluate", "--format", format, HMIC, &file]);
        assert_eq!(done.status, 1, "{format}: {}", done.stderr);
        assert!(
            done.stderr.contains("a number too large to hold exactly")
                || done.stdout.contains("a number too large to hold exactly"),
            "{format}: {}",
            done.stderr
        );
    }
}
