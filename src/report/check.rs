//! What `insp check` prints: a line per sound policy, the JSON document per
//! policy, and witness files.

use crate::analysis::{Finding, Witness};
use crate::diagnostics::{Code, Diagnostic, has_errors};
use serde_json::{Value as Json, json};
use std::path::Path;

/// Whether the policy is usable: no finding is an error.
pub fn is_valid(findings: &[Finding]) -> bool {
    !findings.iter().any(|f| f.diagnostic.is_error())
}

/// `POLICY: ok (N warnings)`, for a policy without errors.
pub fn summary_line(path: &str, diagnostics: &[Diagnostic]) -> String {
    debug_assert!(!has_errors(diagnostics));
    let warnings = diagnostics.len();
    format!(
        "{path}: ok ({warnings} warning{})\n",
        if warnings == 1 { "" } else { "s" }
    )
}

/// The JSON document for one policy: each diagnostic with its witness
/// (a complete evidence document, or `null`).
pub fn json(path: &str, findings: &[Finding]) -> Json {
    let diagnostics: Vec<Json> = findings
        .iter()
        .map(|finding| {
            let mut json = finding.diagnostic.to_json();
            json["witness"] = finding.witness.as_ref().map_or(Json::Null, |w| w.to_json());
            json
        })
        .collect();
    json!({
        "policy_file": path,
        "valid": is_valid(findings),
        "diagnostics": diagnostics,
    })
}

/// The JSON document of a policy that did not compile (for `evaluate` and `test`).
pub fn invalid_policy_json(path: &str, diagnostics: Vec<Diagnostic>) -> Json {
    let findings: Vec<Finding> = diagnostics.into_iter().map(Finding::from).collect();
    json(path, &findings)
}

/// Writes each witness as `DIR/POLICY.NAME.json` (`NAME` as `Witness::name`).
pub fn write_witnesses<'w>(
    dir: &Path,
    policy_path: &str,
    witnesses: impl IntoIterator<Item = &'w Witness>,
) -> Result<(), Diagnostic> {
    let stem = Path::new(policy_path)
        .file_stem()
        .map_or_else(|| "policy".into(), |s| s.to_string_lossy().to_string());
    let io = |e: std::io::Error| {
        Diagnostic::error(
            Code::Io,
            format!("cannot write witnesses to `{}`: {e}", dir.display()),
        )
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    for witness in witnesses {
        let file = dir.join(format!("{stem}.{}.json", witness.name));
        std::fs::write(file, witness.text()).map_err(io)?;
    }
    Ok(())
}
