//! `insp lsp` on a generated policy of 2,000 lines or more (200 areas,
//! each with three evidence fields, a `let` and a question of banded rules;
//! one question with a deliberate overlap): the time from a `didChange` to
//! the first diagnostics published for it (syntax, names, types, units) and
//! to the analysis' (the second publication for that version), and from a
//! change that breaks the syntax to its syntax error. The real binary over
//! stdio, as an editor runs it. `INSP_BENCH_LSP_RUNS` sets the number of
//! changes timed (default 10); the median and the slowest are printed.

#[path = "../tests/common/lsp_client.rs"]
mod lsp_client;

use lsp_client::Client;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const AREAS: usize = 200;

fn policy(threshold: u32) -> String {
    let mut text = String::from(
        "policy \"Generated\"\n\ngrades outstanding > good > requires_improvement > inadequate\n\nscale finding = poor < adequate < good < strong\n\nevidence {\n",
    );
    for i in 0..AREAS {
        text.push_str(&format!(
            "  area{i}.rate          : number per 1000 population \"Recorded crime in area {i}\"\n  area{i}.national_rate : number per 1000 population\n  area{i}.finding       : level finding\n"
        ));
    }
    text.push_str("}\n\n");
    for i in 0..AREAS {
        text.push_str(&format!(
            "let ratio{i} = area{i}.rate / area{i}.national_rate\n"
        ));
    }
    for i in 0..AREAS {
        // The first question's bands overlap: the analysis has a finding to report.
        let good_from = if i == 0 { "0.5" } else { "0.8" };
        text.push_str(&format!(
            "\nquestion q{i} \"How well does area {i} reduce crime?\" {{\n  outstanding          when ratio{i} < 0.8 and area{i}.finding >= strong\n  good                 when ratio{i} >= {good_from} and ratio{i} < 1.{threshold}\n                        and area{i}.finding >= good\n  requires_improvement when ratio{i} >= 1.{threshold} and ratio{i} < 1.5\n  otherwise inadequate\n}}\n"
        ));
    }
    text
}

fn runs() -> usize {
    std::env::var("INSP_BENCH_LSP_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10)
}

/// Waits for the diagnostics of `version`; `nth` 0 is the first publication.
fn published(client: &mut Client, uri: &str, version: i32) -> Vec<Value> {
    let params = client.notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri && p["version"] == version
    });
    params["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn summary(name: &str, times: &mut [Duration]) {
    times.sort();
    println!(
        "{name:<48} median {:>8.1} ms   slowest {:>8.1} ms   ({} changes)",
        times[times.len() / 2].as_secs_f64() * 1000.0,
        times[times.len() - 1].as_secs_f64() * 1000.0,
        times.len()
    );
}

fn main() {
    let binary = env!("CARGO_BIN_EXE_insp");
    let texts = [policy(0), policy(1)];
    let broken = texts[0].replacen("let ratio7 =", "let ratio7", 1);
    println!(
        "a policy of {} lines, {} bytes",
        texts[0].lines().count(),
        texts[0].len()
    );
    let mut client = Client::start(binary, json!({ "analysisBudgetMs": 10_000 }));
    let uri = "file:///bench/generated.insp";
    client.open(uri, "insp", &texts[0]);
    published(&mut client, uri, 1);
    published(&mut client, uri, 1);

    let (mut first, mut analysed, mut syntax) = (Vec::new(), Vec::new(), Vec::new());
    let mut version = 1;
    for run in 0..runs() {
        version += 1;
        let start = Instant::now();
        client.replace(uri, version, &texts[(run + 1) % 2]);
        let compiled = published(&mut client, uri, version);
        first.push(start.elapsed());
        let found = published(&mut client, uri, version);
        analysed.push(start.elapsed());
        assert!(compiled.is_empty(), "{compiled:?}");
        assert!(
            found.iter().any(|d| d["code"] == "insp::analysis::overlap"),
            "{found:?}"
        );

        version += 1;
        let start = Instant::now();
        client.replace(uri, version, &broken);
        let errors = published(&mut client, uri, version);
        syntax.push(start.elapsed());
        assert_eq!(errors[0]["code"], "insp::syntax");
    }
    summary("didChange → first diagnostics (compile)", &mut first);
    summary("didChange → analysis diagnostics", &mut analysed);
    summary(
        "didChange with a syntax error → its diagnostic",
        &mut syntax,
    );
    assert!(client.shutdown().success());
}
