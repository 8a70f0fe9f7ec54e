//! Any text as a policy: parsed and checked, and if it compiles, analysed
//! within a small budget, every diagnostic and witness rendered. Never a
//! panic, never a hang.

#![no_main]

use insp::Source;
use libfuzzer_sys::fuzz_target;
use std::time::Duration;

/// The analysis' budget for the whole policy, shared between its judgements.
const BUDGET: Duration = Duration::from_millis(200);

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    insp_fuzz::on_big_stack(|| {
        let source = Source::new("fuzz.insp", text);
        match insp::compile_with(&source, insp_fuzz::limits()) {
            Err(diagnostics) => {
                assert!(
                    diagnostics.iter().any(|d| d.is_error()),
                    "a policy was refused without an error"
                );
                insp_fuzz::render_all(&diagnostics);
            }
            Ok(policy) => {
                insp_fuzz::render_all(&policy.warnings);
                let judgements = policy.judgements.len().max(1) as u32;
                let findings = insp::analyse_within(&policy, BUDGET / judgements);
                for finding in &findings {
                    insp_fuzz::render_all([&finding.diagnostic]);
                    if let Some(witness) = &finding.witness {
                        let _ = witness.text();
                        let _ = witness.to_json();
                    }
                }
            }
        }
    });
});
