//! Diagnostics as users see them, one fixture folder per case under
//! `tests/ui/`:
//!
//! - `policy.insp` — the policy (always);
//! - `evidence.json` — evidence to grade against it, or `evidence.path` —
//!   the path of an evidence file to read (for read errors);
//! - `case.json` — a test case to load against it;
//! - `old.insp` — an older version of the policy, compared with it over all
//!   possible evidence (`insp diff OLD NEW`);
//! - `expect` — the diagnostic code the case must produce;
//! - `expected.snap` — the rendered diagnostics, an insta snapshot that
//!   records the inputs it was made from.
//!
//! Without evidence or a case, the policy is checked as `insp check` does:
//! its compile errors, or its lints and the analysis' findings. Every
//! fixture runs even when an earlier one fails; the failures are listed at
//! the end. Every diagnostic code is produced by some fixture.

use insp::{Code, Diagnostic, Source};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let mut folders: Vec<PathBuf> = std::fs::read_dir("tests/ui")
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.join("policy.insp").is_file())
        .collect();
    folders.sort();
    folders
}

fn read(folder: &Path, file: &str) -> Option<String> {
    std::fs::read_to_string(folder.join(file)).ok()
}

/// The diagnostics a fixture produces, with sources named by file name only.
fn diagnostics(folder: &Path) -> Vec<Diagnostic> {
    let text = read(folder, "policy.insp").unwrap();
    let compiled = insp::compile(&Source::new("policy.insp", text));
    let diagnostics = match compiled {
        Err(diagnostics) => diagnostics,
        Ok(policy) => {
            if let Some(evidence) = read(folder, "evidence.json") {
                insp::assess(&policy, &Source::new("evidence.json", evidence), false).diagnostics
            } else if let Some(path) = read(folder, "evidence.path") {
                insp::assess_file(&policy, path.trim(), false).diagnostics
            } else if let Some(old) = read(folder, "old.insp") {
                let old = insp::compile(&Source::new("old.insp", old)).expect("old.insp compiles");
                insp::decide::compare_versions(&old, &policy, insp::DEFAULT_BUDGET)
                    .err()
                    .into_iter()
                    .collect()
            } else if folder.join("case.json").is_file() {
                insp::cases::load_case(&policy, &folder.join("case.json"))
                    .err()
                    .unwrap_or_default()
            } else {
                let findings = insp::analyse(&policy);
                let mut all = policy.warnings;
                all.extend(findings.into_iter().map(|f| f.diagnostic));
                all
            }
        }
    };
    diagnostics
        .into_iter()
        .map(|d| renamed(d, folder))
        .collect()
}

/// A source read from the fixture's folder is shown by its file name, so
/// that the snapshot does not depend on where the tests run.
fn renamed(diagnostic: Diagnostic, folder: &Path) -> Diagnostic {
    let prefix = format!("{}/", folder.display());
    Diagnostic {
        source: diagnostic
            .source
            .map(|s| match s.name().strip_prefix(&prefix) {
                Some(name) => Source::new(name, s.text()),
                None => s,
            }),
        related: diagnostic
            .related
            .into_iter()
            .map(|r| renamed(r, folder))
            .collect(),
        ..diagnostic
    }
}

/// The inputs, for the snapshot's header.
fn inputs(folder: &Path) -> String {
    [
        "old.insp",
        "policy.insp",
        "evidence.json",
        "evidence.path",
        "case.json",
    ]
    .iter()
    .filter_map(|file| read(folder, file).map(|text| format!("--- {file}\n{text}")))
    .collect::<Vec<_>>()
    .join("\n")
}

/// Every label lies within its source, so the renderer never drops one.
fn assert_labels_in_source(diagnostic: &Diagnostic) {
    if let Some(source) = &diagnostic.source {
        for label in &diagnostic.labels {
            assert!(
                label.span.start <= label.span.end && label.span.end <= source.text().len(),
                "a label outside its source: {diagnostic:?}"
            );
        }
    }
    diagnostic.related.iter().for_each(assert_labels_in_source);
}

fn codes_in(diagnostics: &[Diagnostic], out: &mut BTreeSet<Code>) {
    for diagnostic in diagnostics {
        out.insert(diagnostic.code);
        codes_in(&diagnostic.related, out);
    }
}

/// Runs one fixture; the codes it produced, or why it failed.
fn run(folder: &Path) -> BTreeSet<Code> {
    let diagnostics = diagnostics(folder);
    let expect = read(folder, "expect").expect("an `expect` file naming a code");
    let mut codes = BTreeSet::new();
    codes_in(&diagnostics, &mut codes);
    assert!(
        codes.iter().any(|c| *c == expect.trim()),
        "expected {} among {codes:?}",
        expect.trim()
    );
    diagnostics.iter().for_each(assert_labels_in_source);
    let rendered: String = diagnostics
        .iter()
        .map(insp::report::render_diagnostic)
        .collect();
    insta::with_settings!({
        snapshot_path => std::fs::canonicalize(folder).unwrap(),
        prepend_module_to_snapshot => false,
        description => inputs(folder),
        omit_expression => true,
    }, {
        insta::assert_snapshot!("expected", rendered);
    });
    codes
}

#[test]
fn every_fixture_renders_as_pinned() {
    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();
    let folders = fixtures();
    assert!(folders.len() > 30, "the fixtures were not found");
    for folder in &folders {
        match std::panic::catch_unwind(|| run(folder)) {
            Ok(codes) => covered.extend(codes),
            Err(_) => failures.push(folder.display().to_string()),
        }
    }
    assert!(failures.is_empty(), "fixtures that failed: {failures:#?}");
    let missing: Vec<&Code> = Code::ALL.iter().filter(|c| !covered.contains(c)).collect();
    assert!(missing.is_empty(), "codes no fixture produces: {missing:?}");
}

#[test]
fn diagnostics_have_a_machine_readable_form() {
    let json = diagnostics(Path::new("tests/ui/evidence_type"))[0].to_json();
    assert_eq!(json["code"], "insp::evidence::type");
    assert_eq!(json["severity"], "error");
    assert_eq!(json["file"], "evidence.json");
    assert_eq!(json["labels"][0]["line"], 3);
    assert_eq!(json["labels"][0]["column"], 21);
    assert_eq!(json["related"][0]["file"], "policy.insp");
}
