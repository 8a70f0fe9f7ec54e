//! The module graph of `src/` follows the pipeline: each top-level module
//! imports only from modules below it, so there is no circle and no import
//! that climbs. The test reads every `crate::` path in the source.

use std::collections::BTreeMap;
use std::path::Path;

/// Bottom-up; a module may use those listed before it (and itself).
const LAYERS: &[&str] = &[
    "source",
    "value",
    "diagnostics",
    "syntax",
    "script",
    "policy",
    "check",
    "evidence",
    "eval",
    "analysis",
    "decide",
    "cases",
    "report",
];

/// The binary's modules (under `main.rs`): above the library, which they
/// use only through its public API.
const BINARY_MODULES: &[&str] = &["cli", "lsp"];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file of `src/` belongs to (`src/eval/mod.rs` → `eval`).
fn module_of(path: &Path) -> String {
    let relative = path.strip_prefix("src").unwrap();
    let first = relative.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_string()
}

/// The top-level modules a file names through `crate::`, ignoring comments.
fn imports(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap();
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            assert!(
                !name.is_empty(),
                "a grouped `crate::{{...}}` import: {line}"
            );
            found.push(name);
        }
    }
    found
}

/// Every module's imports, as `module -> {imported modules}`.
fn graph() -> BTreeMap<String, std::collections::BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(Path::new("src"), &mut files);
    let mut graph: BTreeMap<String, std::collections::BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let module = module_of(&file);
        if module == "lib" || module == "main" || BINARY_MODULES.contains(&module.as_str()) {
            continue; // the crate roots and the binary sit above everything
        }
        let text = std::fs::read_to_string(&file).unwrap();
        let entry = graph.entry(module.clone()).or_default();
        for import in imports(&text) {
            if import != module {
                entry.insert(import);
            }
        }
    }
    graph
}

#[test]
fn every_import_goes_down_the_pipeline() {
    let rank = |m: &str| {
        LAYERS
            .iter()
            .position(|l| *l == m)
            .unwrap_or_else(|| panic!("module `{m}` is not placed in LAYERS"))
    };
    let mut upward = Vec::new();
    for (module, imports) in graph() {
        for import in imports {
            if rank(&import) > rank(&module) {
                upward.push(format!("{module} -> {import}"));
            }
        }
    }
    assert!(upward.is_empty(), "imports that climb: {upward:#?}");
}

#[test]
fn the_binary_uses_only_the_library() {
    let mut files = vec![Path::new("src/main.rs").to_path_buf()];
    for module in BINARY_MODULES {
        let folder = Path::new("src").join(module);
        if folder.is_dir() {
            rust_files(&folder, &mut files);
        }
    }
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let modules = imports(&text);
        assert!(
            modules.iter().all(|m| BINARY_MODULES.contains(&m.as_str())),
            "{} reaches into the library's internals: {modules:?}",
            file.display()
        );
    }
}

#[test]
fn the_language_server_does_not_reach_into_the_command_line() {
    let mut files = Vec::new();
    rust_files(Path::new("src/lsp"), &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(
            !imports(&text).iter().any(|m| m == "cli"),
            "{} imports the command line, which starts it: a circle",
            file.display()
        );
    }
}
