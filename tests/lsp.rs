//! `insp lsp` driven as an editor drives it: the real binary, real protocol
//! messages over its standard input and output.

mod common;
#[path = "common/lsp_client.rs"]
mod lsp_client;

use common::Rng;
use lsp_client::{Client, file_uri, position_of};
use serde_json::{Value, json};
use std::path::Path;

const BINARY: &str = env!("CARGO_BIN_EXE_insp");
const CRIME: &str = "policies/hmic-crime-2014.insp";
const TRENDS: &str = "policies/hmic-crime-2014-trends.insp";

fn read(path: &str) -> String {
    std::fs::read_to_string(path).expect("a shipped file")
}

fn start() -> Client {
    Client::start(BINARY, json!({}))
}

/// A client with a shipped policy open (with `text` instead of its own),
/// and the policy's URI.
fn open_policy(path: &str, text: &str) -> (Client, String) {
    let mut client = start();
    let uri = file_uri(Path::new(path));
    client.open(&uri, "insp", text);
    (client, uri)
}

fn codes(diagnostics: &[Value]) -> Vec<&str> {
    diagnostics
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect()
}

fn has_code(code: &'static str) -> impl Fn(&[Value]) -> bool {
    move |diagnostics| codes(diagnostics).contains(&code)
}

/// The text an LSP range covers (columns in UTF-16 units).
fn text_at<'a>(text: &'a str, range: &Value) -> &'a str {
    let offset = |at: &Value| {
        let line = at["line"].as_u64().unwrap() as usize;
        let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        let column = at["character"].as_u64().unwrap() as usize;
        let in_line = text[line_start..]
            .char_indices()
            .find(|(_, c)| {
                let found = units >= column;
                units += c.len_utf16();
                found
            })
            .map_or(text.len() - line_start, |(i, _)| i);
        line_start + in_line
    };
    &text[offset(&range["start"])..offset(&range["end"])]
}

fn at(uri: &str, position: Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position })
}

#[test]
fn an_injected_error_is_reported_at_its_range_in_utf16_columns() {
    // The unknown name follows a title with characters of 2 and 4 bytes
    // (1 and 2 UTF-16 units) on the same line.
    let text = read(CRIME)
        + "\nquestion injected \"Réduit-il le crime? 😀\" { good when nosuch > 1 otherwise inadequate }\n";
    let (mut client, uri) = open_policy(CRIME, &text);
    let diagnostics = client.diagnostics(&uri, has_code("insp::name::unknown"));
    let unknown = diagnostics
        .iter()
        .find(|d| d["code"] == "insp::name::unknown")
        .unwrap();
    let start = position_of(&text, "nosuch", 0);
    assert_eq!(unknown["range"]["start"], start);
    assert_eq!(text_at(&text, &unknown["range"]), "nosuch");
    assert_eq!(unknown["severity"], 1);
    assert!(client.shutdown().success());
}

#[test]
fn a_syntax_error_is_reported_and_cleared_when_fixed() {
    let text = read(CRIME);
    let (mut client, uri) = open_policy(CRIME, &text);
    client.diagnostics(&uri, |d| d.is_empty());
    let broken = text.replace("let asb_ratio =", "let asb_ratio");
    client.replace(&uri, 2, &broken);
    let diagnostics = client.diagnostics(&uri, has_code("insp::syntax"));
    let line = position_of(&broken, "let asb_ratio", 0)["line"].clone();
    assert_eq!(diagnostics[0]["range"]["start"]["line"], line);
    client.replace(&uri, 3, &text);
    client.diagnostics(&uri, |d| d.is_empty());
    assert!(client.shutdown().success());
}

#[test]
fn analysis_findings_follow_the_compile_diagnostics_with_witness_and_the_other_rule() {
    let path = "examples/draft-response.insp";
    let text = read(path);
    let (mut client, uri) = open_policy(path, &text);
    let first = client.diagnostics(&uri, |_| true);
    assert!(
        codes(&first)
            .iter()
            .all(|c| !c.starts_with("insp::analysis")),
        "{first:?}"
    );
    let analysed = client.diagnostics(&uri, has_code("insp::analysis::overlap"));
    let overlap = &analysed[0];
    assert!(
        text_at(&text, &overlap["range"])
            .starts_with("response.median_minutes <= response.target_minutes - 2")
    );
    let message = overlap["message"].as_str().unwrap();
    assert!(message.contains("response.median_minutes = "), "{message}");
    assert!(message.contains("\nhelp: "), "{message}");
    let related = overlap["relatedInformation"].as_array().unwrap();
    assert_eq!(related[0]["location"]["uri"], uri.as_str());
    assert_eq!(
        text_at(&text, &related[0]["location"]["range"]),
        "response.median_minutes <= response.target_minutes"
    );
    assert!(overlap["data"]["response"]["median_minutes"].is_number());
    assert!(client.shutdown().success());
}

#[test]
fn hover_describes_fields_lets_grades_levels_and_judgements() {
    let text = read(CRIME);
    let (mut client, uri) = open_policy(CRIME, &text);
    let mut hover = |needle: &str, nth: usize| -> String {
        let response = client.request(
            "textDocument/hover",
            at(&uri, position_of(&text, needle, nth)),
        );
        response["result"]["contents"]["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let field = hover("crime.rate /", 0);
    assert!(field.contains("evidence `crime.rate`"), "{field}");
    assert!(field.contains("per 1000 population"), "{field}");
    assert!(field.contains("Recorded crime excluding fraud"), "{field}");
    let definition = hover("crime_ratio <=", 0);
    assert!(
        definition.contains("let crime_ratio = crime.rate / crime.national_rate"),
        "{definition}"
    );
    let grade = hover("outstanding          when", 0);
    assert!(
        grade.contains("outstanding = 3 > good = 2 > requires_improvement = 1 > inadequate = 0"),
        "{grade}"
    );
    let level = hover("strong\n", 0);
    assert!(level.contains("poor < adequate < good < strong"), "{level}");
    let judgement = hover("reducing_crime", 0);
    assert!(
        judgement.contains("How effective is the force at reducing crime"),
        "{judgement}"
    );
    assert!(judgement.contains("otherwise inadequate"), "{judgement}");
    assert!(client.shutdown().success());
}

#[test]
fn definition_and_references_find_lets_fields_and_helpers() {
    let text = read(CRIME);
    let (mut client, uri) = open_policy(CRIME, &text);
    let response = client.request(
        "textDocument/definition",
        at(&uri, position_of(&text, "crime_ratio <=", 0)),
    );
    assert_eq!(response["result"]["uri"], uri.as_str());
    assert_eq!(
        response["result"]["range"]["start"],
        position_of(&text, "crime_ratio =", 0)
    );

    let params = json!({
        "textDocument": { "uri": uri },
        "position": position_of(&text, "burglary.rate <=", 0),
        "context": { "includeDeclaration": true },
    });
    let references = client.request("textDocument/references", params)["result"].clone();
    let references = references.as_array().unwrap();
    let declaration = position_of(&text, "burglary.rate ", 0);
    assert_eq!(references[0]["range"]["start"], declaration);
    assert!(references.len() >= 2, "{references:?}");
    for reference in references {
        assert_eq!(text_at(&text, &reference["range"]), "burglary.rate");
    }
    assert!(client.shutdown().success());

    let text = read(TRENDS);
    let (mut client, uri) = open_policy(TRENDS, &text);
    let helper = client.request(
        "textDocument/definition",
        at(&uri, position_of(&text, "annualised(", 0)),
    );
    let script = file_uri(Path::new("policies/helpers/trends.rhai"));
    assert_eq!(helper["result"]["uri"], script.as_str());
    let rhai = read("policies/helpers/trends.rhai");
    assert_eq!(
        helper["result"]["range"]["start"],
        position_of(&rhai, "annualised(total", 0)
    );
    assert!(client.shutdown().success());
}

#[test]
fn completion_offers_paths_grades_levels_keywords_and_helpers_while_the_text_does_not_compile() {
    let text = read(TRENDS);
    let (mut client, uri) = open_policy(TRENDS, &text);
    client.diagnostics(&uri, |_| true);
    let typing = format!("{text}\nlet probe = crime.ch");
    client.replace(&uri, 2, &typing);
    let end =
        json!({ "line": typing.lines().count() - 1, "character": "let probe = crime.ch".len() });
    let response = client.request("textDocument/completion", at(&uri, end.clone()));
    let items = response["result"].as_array().unwrap();
    let item = |label: &str| items.iter().find(|i| i["label"] == label);
    let path = item("crime.change_last_year").expect("an evidence path");
    assert_eq!(path["textEdit"]["range"]["end"], end);
    assert_eq!(text_at(&typing, &path["textEdit"]["range"]), "crime.ch");
    for label in [
        "outstanding",
        "yearly",
        "annualised",
        "crime_trend",
        "when",
        "significantly",
        "count",
    ] {
        assert!(item(label).is_some(), "no completion `{label}`");
    }
    assert!(client.shutdown().success());
}

#[test]
fn formatting_gives_the_text_of_insp_fmt() {
    let text = read(CRIME).replace(
        "let crime_ratio = crime.rate",
        "let   crime_ratio=crime.rate",
    );
    let (mut client, uri) = open_policy(CRIME, &text);
    let params = json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } });
    let edits = client.request("textDocument/formatting", params.clone())["result"].clone();
    let edits = edits.as_array().unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(text_at(&text, &edits[0]["range"]), text);
    let formatted = insp::format_policy(&insp::Source::new(CRIME, text.clone())).unwrap();
    assert_eq!(edits[0]["newText"], formatted.as_str());

    client.replace(&uri, 2, &formatted);
    let unchanged = client.request("textDocument/formatting", params);
    assert_eq!(unchanged["result"], json!([]));
    assert!(client.shutdown().success());
}

#[test]
fn document_symbols_outline_the_questions() {
    let text = read(CRIME);
    let (mut client, uri) = open_policy(CRIME, &text);
    let response = client.request(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    let symbols = response["result"].as_array().unwrap();
    let policy = insp::compile(&insp::Source::new(CRIME, text.clone())).unwrap();
    for judgement in &policy.judgements {
        let symbol = symbols
            .iter()
            .find(|s| s["name"] == judgement.id.as_str())
            .unwrap();
        assert_eq!(symbol["detail"], judgement.title.as_str());
        assert!(text_at(&text, &symbol["range"]).starts_with("question "));
        assert!(text_at(&text, &symbol["range"]).ends_with('}'));
        assert_eq!(text_at(&text, &symbol["selectionRange"]), judgement.id);
    }
    assert!(symbols.iter().any(|s| s["name"] == "crime_ratio"));
    assert!(client.shutdown().success());
}

#[test]
fn an_evidence_file_beside_its_policy_gets_its_diagnostics() {
    let folder = tempfile::tempdir().unwrap();
    std::fs::copy(CRIME, folder.path().join("crime.insp")).unwrap();
    let evidence = folder.path().join("kingsley.json");
    let text = read("examples/kingsley-illtyped-2014.json");
    std::fs::write(&evidence, &text).unwrap();
    let mut client = start();
    let uri = file_uri(&evidence);
    client.open(&uri, "json", &text);
    let diagnostics = client.diagnostics(&uri, has_code("insp::evidence::type"));
    let wrong = diagnostics
        .iter()
        .find(|d| d["code"] == "insp::evidence::type")
        .unwrap();
    assert_eq!(text_at(&text, &wrong["range"]), "\"52.0\"");
    let declaration = &wrong["relatedInformation"][0]["location"];
    assert_eq!(
        declaration["uri"],
        file_uri(&folder.path().join("crime.insp")).as_str()
    );
    assert!(client.shutdown().success());
}

#[test]
fn an_evidence_file_is_checked_against_the_policy_the_client_names() {
    let folder = tempfile::tempdir().unwrap();
    let evidence = folder.path().join("kingsley.json");
    let text = read("examples/kingsley-illtyped-2014.json");
    std::fs::write(&evidence, &text).unwrap();
    let mut client = start();
    let uri = file_uri(&evidence);
    client.open(&uri, "json", &text);
    // No policy beside it: a JSON file like any other, left alone.
    let none = client.notification("textDocument/publishDiagnostics", |p| {
        p["uri"] == uri.as_str()
    });
    assert_eq!(none["diagnostics"], json!([]));
    assert!(client.shutdown().success());

    let policy = std::path::absolute(CRIME).unwrap();
    let mut client = Client::start(BINARY, json!({ "policy": policy }));
    client.open(&uri, "json", &text);
    client.diagnostics(&uri, has_code("insp::evidence::type"));
    assert!(client.shutdown().success());
}

#[test]
fn malformed_messages_and_requests_get_errors_and_the_server_goes_on() {
    let text = read(CRIME);
    let (mut client, uri) = open_policy(CRIME, &text);
    client.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let logged = client.notification("window/logMessage", |_| true);
    assert!(
        logged["message"].as_str().unwrap().contains("malformed"),
        "{logged}"
    );
    let unknown = client.request("textDocument/unknownThing", json!({}));
    assert_eq!(unknown["error"]["code"], -32601);
    let bad = client.request("textDocument/hover", json!({ "textDocument": 3 }));
    assert_eq!(bad["error"]["code"], -32602);
    let unopened = client.request(
        "textDocument/hover",
        at("file:///nowhere.insp", json!({ "line": 0, "character": 0 })),
    );
    assert_eq!(unopened["result"], Value::Null);
    let far = client.request(
        "textDocument/hover",
        at(&uri, json!({ "line": 99999, "character": 99999 })),
    );
    assert!(far.get("error").is_none(), "{far}");
    assert!(client.shutdown().success());
}

#[test]
fn exit_without_shutdown_exits_with_1() {
    let mut client = start();
    client.notify("exit", Value::Null);
    assert_eq!(client.wait().code(), Some(1));
}

/// Random edits (insertions, deletions, replacements, with non-ASCII text
/// and positions past line ends) to shipped policies: the server answers
/// every request after every edit, and shuts down cleanly.
#[test]
fn random_edits_never_stop_the_server() {
    const PIECES: &[&str] = &[
        "",
        " ",
        "\n",
        "{",
        "}",
        "\"",
        "#",
        "é",
        "😀",
        "when ",
        "and",
        "crime.",
        "let x = ",
        ".",
        "..",
        "(",
        ")",
        "script { fn f(a) { a } }",
        "use \"nowhere.rhai\"",
        "at most ",
        "9999999999999999999999999999999",
        "\r\n",
        "\r",
        "otherwise ",
        "good",
        "- -",
        "significantly above",
    ];
    for (seed, path) in [(7, CRIME), (11, TRENDS), (13, "policies/cqc-asc-2022.insp")] {
        let mut rng = Rng(seed);
        let text = read(path);
        let lines = text.lines().count();
        let (mut client, uri) = open_policy(path, &text);
        for version in 2..60 {
            let start = json!({ "line": rng.next(lines + 2), "character": rng.next(90) });
            let end = json!({ "line": start["line"].as_u64().unwrap() as usize + rng.next(3), "character": rng.next(90) });
            let change =
                json!({ "range": { "start": start, "end": end }, "text": rng.pick(PIECES) });
            client.notify(
                "textDocument/didChange",
                json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [change] }),
            );
            if version % 3 == 0 {
                let method = rng.pick(&[
                    "textDocument/hover",
                    "textDocument/completion",
                    "textDocument/definition",
                    "textDocument/documentSymbol",
                    "textDocument/formatting",
                    "textDocument/references",
                ]);
                let mut params = at(&uri, start);
                if method.ends_with("references") {
                    params["context"] = json!({ "includeDeclaration": true });
                }
                params["options"] = json!({ "tabSize": 2, "insertSpaces": true });
                let response = client.request(method, params);
                assert!(
                    response.get("error").is_none(),
                    "{method} after edit {version}: {response}"
                );
            }
        }
        assert!(client.shutdown().success(), "{path}");
    }
}
