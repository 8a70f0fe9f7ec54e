//! Every policy example in the documentation compiles without errors, so the
//! reference stays true to the language.

use insp::Source;

fn insp_blocks(path: &str) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (number, line) in text.lines().enumerate() {
        match (&mut current, line.trim_end()) {
            (None, "```insp") => current = Some((number + 1, String::new())),
            (Some(_), "```") => blocks.extend(current.take()),
            (Some((_, block)), line) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

#[test]
fn documented_policies_compile() {
    let mut count = 0;
    for path in ["README.md", "docs/language.md"] {
        for (line, block) in insp_blocks(path) {
            let name = format!("{path}:{line}");
            if let Err(diagnostics) = insp::compile(&Source::new(&name, block)) {
                let rendered: String = diagnostics
                    .iter()
                    .map(insp::report::render_diagnostic)
                    .collect();
                panic!("the example at {name} does not compile:\n{rendered}");
            }
            count += 1;
        }
    }
    assert!(count >= 12, "only {count} examples found");
}
