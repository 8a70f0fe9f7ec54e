//! Evidence files: which policy a JSON document is graded against. The
//! client may name it (`initializationOptions.policy`); else it is the one
//! `.insp` file in the evidence file's folder. A JSON file with no policy
//! beside it is taken for something else (`package.json`), and left alone.

use std::path::{Path, PathBuf};

/// The policy for the evidence file at `evidence`; `None` if there is
/// none to look for, an error if the choice is ambiguous.
pub fn policy_path(evidence: &Path, configured: Option<&Path>) -> Result<Option<PathBuf>, String> {
    let folder = evidence.parent().unwrap_or(Path::new("."));
    if let Some(configured) = configured {
        return Ok(Some(folder.join(configured)));
    }
    let policies = policies_in(folder);
    match policies.as_slice() {
        [one] => Ok(Some(one.clone())),
        [] => Ok(None),
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
        assert_eq!(policy_path(&evidence, None), Ok(None));
        std::fs::write(folder.path().join("a.insp"), "").unwrap();
        let one = folder.path().join("a.insp");
        assert_eq!(policy_path(&evidence, None), Ok(Some(one)));
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
            Some(PathBuf::from("/w/evidence/../p.insp"))
        );
        assert_eq!(
            policy_path(evidence, Some(Path::new("/abs/p.insp"))).unwrap(),
            Some(PathBuf::from("/abs/p.insp"))
        );
    }
}
