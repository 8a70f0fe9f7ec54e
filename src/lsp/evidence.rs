//! Evidence files: which policy a JSON document is graded against. The
//! client may name it (`initializationOptions.policy`); else it is the one
//! `.insp` file in the evidence file's folder.

use std::path::{Path, PathBuf};

/// The policy for the evidence file at `evidence`, or why there is none.
pub fn policy_path(evidence: &Path, configured: Option<&Path>) -> Result<PathBuf, String> {
    let folder = evidence.parent().unwrap_or(Path::new("."));
    if let Some(configured) = configured {
        return Ok(folder.join(configured));
    }
    let policies = policies_in(folder);
    match policies.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!(
            "no policy (`.insp` file) in `{}` to check this evidence against; name one with the server option `policy`",
            folder.display()
        )),
        many => Err(format!(
            "{} policies in `{}`: name the one to check this evidence against with the server option `policy`",
            many.len(),
            folder.display()
        )),
    }
}

fn policies_in(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut policies: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "insp") && path.is_file())
        .collect();
    policies.sort();
    policies
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_one_policy_beside_the_evidence_is_found() {
        let folder = tempfile::tempdir().unwrap();
        let evidence = folder.path().join("org.json");
        assert!(
            policy_path(&evidence, None)
                .unwrap_err()
                .contains("no policy")
        );
        std::fs::write(folder.path().join("a.insp"), "").unwrap();
        assert_eq!(
            policy_path(&evidence, None).unwrap(),
            folder.path().join("a.insp")
        );
        std::fs::write(folder.path().join("b.insp"), "").unwrap();
        assert!(
            policy_path(&evidence, None)
                .unwrap_err()
                .starts_with("2 policies")
        );
    }

    #[test]
    fn a_configured_policy_wins_and_is_relative_to_the_evidence() {
        let evidence = Path::new("/w/evidence/org.json");
        assert_eq!(
            policy_path(evidence, Some(Path::new("../p.insp"))).unwrap(),
            Path::new("/w/evidence/../p.insp")
        );
        assert_eq!(
            policy_path(evidence, Some(Path::new("/abs/p.insp"))).unwrap(),
            Path::new("/abs/p.insp")
        );
    }
}
