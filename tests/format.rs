//! `insp fmt`: shipped policies are kept formatted; formatting is idempotent,
//! keeps every comment, and never changes what a policy means — on the
//! shipped policies and on generated ones.

use assert_cmd::Command;
use insp::Source;
use insp::format_policy as format;

/// Every shipped criteria file: the policies, the example draft, the fixtures.
fn shipped() -> Vec<String> {
    let mut files = Vec::new();
    for dir in ["policies", "examples", "tests/fixtures"] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "insp") {
                files.push(path.display().to_string());
            }
        }
    }
    files.sort();
    assert!(files.len() >= 4, "the shipped policies were not found");
    files
}

fn formatted(name: &str, text: &str) -> String {
    format(&Source::new(name, text)).unwrap_or_else(|d| {
        panic!(
            "{name}: {}\n{text}",
            d.iter()
                .map(insp::report::render_diagnostic)
                .collect::<String>()
        )
    })
}

/// Comment texts in order (the formatter may move them, never lose them).
fn comment_texts(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| {
            line.find(" #").map(|i| &line[i + 1..]).or(line
                .trim_start()
                .strip_prefix('#')
                .map(|_| line.trim_start()))
        })
        .map(|c| c.trim().to_string())
        .collect()
}

fn assert_formatting_is_sound(name: &str, text: &str) {
    let once = formatted(name, text);
    assert_eq!(
        formatted(name, &once),
        once,
        "{name}: formatting twice differs from once"
    );
    assert_eq!(
        comment_texts(&once),
        comment_texts(text),
        "{name}: comments changed\n{once}"
    );
    assert!(
        once.lines().all(|l| l == l.trim_end()),
        "{name}: trailing whitespace"
    );
}

#[test]
fn shipped_policies_are_formatted() {
    for path in shipped() {
        let path = path.as_str();
        let text = std::fs::read_to_string(path).unwrap();
        assert_eq!(
            formatted(path, &text),
            text,
            "{path} is not formatted: run `insp fmt {path}`"
        );
        assert_formatting_is_sound(path, &text);
    }
}

#[test]
fn every_construct_gets_the_canonical_layout() {
    let messy = "grades good>fair>poor\nevidence{judgement.score:whole 1..4 optional\nrate:estimate percent 0..100 \"r\"\nkey.safe:grade\ncount : whole 0.. = 0}\nquestion q \"Q\"{normally good when judgement.score>=3 and lower(rate)>80 because \"r\"\notherwise poor\nat most key.safe\nat least fair when count>2}\noverall \"O\" of q,key.safe{good when assessed()==members() otherwise poor}\n";
    insta::assert_snapshot!("every_construct", formatted("constructs.insp", messy));
    assert_formatting_is_sound("constructs.insp", messy);
}

#[test]
fn a_messy_policy_gets_the_canonical_layout() {
    let messy = "policy   \"Demo\"\n# the scale\ngrades good>poor\nevidence{x:number \"the x\"   # trailing note\nlonger.name : level a<b = a}\n\n\n\nlet   r=(x+1)*2\nquestion q \"Q\"{resolve first\n# why\ngood when r>3 and not(longer.name==b) because \"r is high\"\notherwise poor}\n";
    insta::assert_snapshot!("messy", formatted("messy.insp", messy));
    assert_formatting_is_sound("messy.insp", messy);
}

mod common;

use common::layout::Generator;

#[test]
fn generated_policies_format_soundly() {
    let mut generator = Generator::new(0x1f0f_2014);
    for n in 0..300 {
        let text = generator.policy();
        assert_formatting_is_sound(&format!("generated-{n}.insp"), &text);
    }
}

#[test]
fn fmt_check_lists_unformatted_files_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let messy = dir.path().join("messy.insp");
    let clean = dir.path().join("clean.insp");
    std::fs::write(
        &messy,
        "evidence{x:number}\nquestion q \"Q\"{good when x>1 otherwise inadequate}\n",
    )
    .unwrap();
    std::fs::copy("tests/fixtures/aggregate.insp", &clean).unwrap();
    let run = |args: &[&str]| {
        Command::cargo_bin("insp")
            .unwrap()
            .args(args)
            .output()
            .unwrap()
    };
    let (messy, clean) = (messy.to_str().unwrap(), clean.to_str().unwrap());

    let check = run(&["fmt", "--check", "--diff", messy, clean]);
    assert_eq!(check.status.code(), Some(1));
    let stdout = String::from_utf8(check.stdout).unwrap();
    assert!(
        stdout.starts_with(&format!("{messy}: not formatted\n")),
        "{stdout}"
    );
    assert!(stdout.contains("+question q \"Q\" {"), "{stdout}");
    assert!(!stdout.contains(clean));

    let write = run(&["fmt", messy]);
    assert_eq!(write.status.code(), Some(0));
    assert_eq!(
        run(&["fmt", "--check", messy, clean]).status.code(),
        Some(0)
    );

    std::fs::write(messy, "question {").unwrap();
    assert_eq!(
        run(&["fmt", messy]).status.code(),
        Some(2),
        "a syntax error"
    );
}

#[test]
fn quotes_and_braces_in_an_inline_script_are_rhai_not_insp() {
    let text = "script { fn quote() { '\"' } fn brace() { \"}\" } } # keep me\n\nevidence { x : number }\n\nquestion q \"Q\" {\n  good when x > 1\n  otherwise inadequate\n}\n";
    assert_formatting_is_sound("script.insp", text);
    let out = formatted("script.insp", text);
    assert!(out.contains("# keep me"), "{out}");
    assert!(out.contains("\"}\""), "{out}");
    let policy = insp::compile(&Source::new("script.insp", text)).unwrap();
    assert_eq!(policy.judgements.len(), 1);
}

#[test]
fn brackets_hidden_behind_a_quote_in_a_script_are_still_bounded() {
    let deep = format!("{}x{}", "(".repeat(5_000), ")".repeat(5_000));
    let text = format!(
        "script {{ fn f() {{ '\"' }} }} let a = {deep}\nevidence {{ x : number }}\nquestion q \"Q\" {{ good when a > 1 otherwise inadequate }}\n"
    );
    let errors = format(&Source::new("deep.insp", text)).unwrap_err();
    assert!(
        errors[0]
            .message
            .contains("brackets are nested more than 256 deep"),
        "{}",
        errors[0].message
    );
}
