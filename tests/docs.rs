//! Every policy example in the documentation compiles, and `insp check`
//! finds in it exactly what the text says it illustrates: nothing, unless
//! the line before the example is `<!-- insp check: CODE, CODE -->`.

use insp::Source;
use std::collections::BTreeSet;

struct Example {
    line: usize,
    text: String,
    /// The finding codes the documentation announces for it.
    announced: BTreeSet<String>,
}

fn examples(path: &str) -> Vec<Example> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut examples = Vec::new();
    let mut current: Option<Example> = None;
    let mut previous = "";
    for (number, line) in text.lines().enumerate() {
        match (&mut current, line.trim_end()) {
            (None, "```insp") => {
                let announced = previous
                    .strip_prefix("<!-- insp check:")
                    .and_then(|rest| rest.strip_suffix("-->"))
                    .map(|codes| codes.split(',').map(|c| c.trim().to_string()).collect())
                    .unwrap_or_default();
                current = Some(Example {
                    line: number + 1,
                    text: String::new(),
                    announced,
                });
            }
            (Some(_), "```") => examples.extend(current.take()),
            (Some(example), line) => {
                example.text.push_str(line);
                example.text.push('\n');
            }
            (None, _) => {}
        }
        previous = line.trim();
    }
    examples
}

#[test]
fn documented_policies_compile_and_check_as_announced() {
    let mut count = 0;
    let mut mismatches = Vec::new();
    for path in ["README.md", "docs/language.md", "docs/authoring.md"] {
        for example in examples(path) {
            let name = format!("{path}:{}", example.line);
            let policy = match insp::compile(&Source::new(&name, example.text)) {
                Ok(policy) => policy,
                Err(diagnostics) => {
                    let rendered: String = diagnostics
                        .iter()
                        .map(insp::report::render_diagnostic)
                        .collect();
                    panic!("the example at {name} does not compile:\n{rendered}");
                }
            };
            let findings = insp::analyse(&policy);
            let found: BTreeSet<String> = policy
                .warnings
                .iter()
                .chain(findings.iter().map(|f| &f.diagnostic))
                .map(|d| d.code.as_str().to_string())
                .collect();
            if found != example.announced {
                mismatches.push(format!(
                    "{name}: `insp check` finds {found:?}; the text announces {:?}",
                    example.announced
                ));
            }
            count += 1;
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
    assert!(count >= 12, "only {count} examples found");
}
