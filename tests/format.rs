//! `insp fmt`: shipped policies are kept formatted; formatting is idempotent,
//! keeps every comment, and never changes what a policy means — on the
//! shipped policies and on generated ones.

use assert_cmd::Command;
use insp::Source;
use insp::syntax::format::format;

const SHIPPED: &[&str] = &[
    "policies/hmic-crime-2014.insp",
    "policies/hmic-crime-2014-trends.insp",
    "examples/draft-response.insp",
    "tests/fixtures/aggregate.insp",
];

fn formatted(name: &str, text: &str) -> String {
    format(&Source::new(name, text)).unwrap_or_else(|d| {
        panic!(
            "{name}: {}\n{text}",
            d.iter().map(|d| d.render()).collect::<String>()
        )
    })
}

/// The AST's debug form without spans: what the policy means, not where.
fn meaning(name: &str, text: &str) -> String {
    let ast =
        insp::syntax::parse(&Source::new(name, text)).unwrap_or_else(|_| panic!("{name} parses"));
    let debug = format!(
        "{:?}",
        (
            &ast.name.as_ref().map(|n| &n.0),
            &ast.grades,
            &ast.scales,
            &ast.fields,
            &ast.lets,
            &ast.judgements,
            &ast.scripts
        )
    );
    strip_spans(&debug)
}

fn strip_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find("Span { start: ") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('}').map_or(rest.len(), |i| at + i + 1);
        out.push_str("Span");
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
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
        meaning(name, &once),
        meaning(name, text),
        "{name}: formatting changed the policy\n{once}"
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
    for path in SHIPPED {
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
fn a_messy_policy_gets_the_canonical_layout() {
    let messy = "policy   \"Demo\"\n# the scale\ngrades good>poor\nevidence{x:number \"the x\"   # trailing note\nlonger.name : level a<b = a}\n\n\n\nlet   r=(x+1)*2\nquestion q \"Q\"{resolve first\n# why\ngood when r>3 and not(longer.name==b) because \"r is high\"\notherwise poor}\n";
    insta::assert_snapshot!("messy", formatted("messy.insp", messy));
    assert_formatting_is_sound("messy.insp", messy);
}

/// A small deterministic generator of syntactically valid policies with
/// comments and irregular whitespace in them.
mod common;

struct Generator(common::Rng);

impl Generator {
    /// Whitespace between tokens: a space, several, or a line break, sometimes with a comment.
    fn gap(&mut self) -> String {
        match self.0.next(10) {
            0 => format!("  # note {}\n    ", self.0.next(100)),
            1 => "\n".to_string(),
            2 => "   ".to_string(),
            _ => " ".to_string(),
        }
    }

    fn condition(&mut self, depth: usize) -> String {
        match self.0.next(if depth > 2 { 3 } else { 7 }) {
            0 => format!(
                "x {} {}",
                self.0.pick(&["<", "<=", ">", ">=", "==", "!="]),
                self.0.next(200)
            ),
            1 => format!(
                "level {} {}",
                self.0.pick(&[">=", "<", "=="]),
                self.0.pick(&["low", "mid", "high"])
            ),
            2 => format!(
                "s {} n",
                self.0
                    .pick(&["significantly above", "significantly below", "in line with"])
            ),
            3 => format!(
                "{}{}and{}{}",
                self.condition(depth + 1),
                self.gap(),
                self.gap(),
                self.condition(depth + 1)
            ),
            4 => format!(
                "{} or {}",
                self.condition(depth + 1),
                self.condition(depth + 1)
            ),
            5 => format!("not ({})", self.condition(depth + 1)),
            _ => format!(
                "(x + {}) * 2 / y > {}.{}",
                self.0.next(9),
                self.0.next(50),
                self.0.next(10)
            ),
        }
    }

    fn policy(&mut self) -> String {
        let mut text = String::new();
        if self.0.next(2) == 0 {
            text.push_str("# generated\npolicy \"generated\"\n");
        }
        text.push_str(&format!(
            "evidence {{{}x : number{}",
            self.gap(),
            self.gap()
        ));
        text.push_str(&format!(
            "y : number per 1000 population = 1 \"why y\"{}",
            self.gap()
        ));
        text.push_str("level : level low < mid < high\ns : estimate percent\nn : estimate percent = 85.0 ± 0.2 }\n");
        for i in 0..self.0.next(3) {
            text.push_str(&format!("let l{i} = x{}+{}y\n", self.gap(), self.gap()));
        }
        for q in 0..1 + self.0.next(3) {
            text.push_str(&format!(
                "\nquestion q{q} \"Question {q}\" {{{}",
                self.gap()
            ));
            if self.0.next(2) == 0 {
                text.push_str(&format!(
                    "resolve {}\n",
                    self.0.pick(&["unique", "first", "highest", "lowest"])
                ));
            }
            for _ in 0..1 + self.0.next(4) {
                let grade = self
                    .0
                    .pick(&["outstanding", "good", "requires_improvement"]);
                let because = if self.0.next(2) == 0 {
                    format!(" because \"reason {}\"", self.0.next(9))
                } else {
                    String::new()
                };
                let condition = self.condition(0);
                text.push_str(&format!("{grade} when {condition}{because}{}", self.gap()));
            }
            if self.0.next(2) == 0 {
                let condition = self.condition(1);
                text.push_str(&format!("at most good when {condition}\n"));
            }
            text.push_str("otherwise inadequate\n}\n");
        }
        text
    }
}

#[test]
fn generated_policies_format_soundly() {
    let mut generator = Generator(common::Rng(0x1f0f_2014));
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
