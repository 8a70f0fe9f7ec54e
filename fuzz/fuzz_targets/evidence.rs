//! Any text as the evidence file for the shipped HMIC crime policy: read,
//! bound, graded, explained and reported. Never a panic; the policy checks
//! clean, so evidence that is read is graded completely, save a calculation
//! that fails (a national rate of 0). The fast evidence reader and the
//! spanned one agree on every input.

#![no_main]

use insp::{Failure, Outcome, Source};
use insp_fuzz::{hmic_policy, readers_agree};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let policy = hmic_policy();
    insp_fuzz::on_big_stack(|| {
        readers_agree(policy, &Source::new("fuzz.json", text));
        let assessment = insp::assess(policy, &Source::new("fuzz.json", text), true);
        insp_fuzz::check_assessment(policy, &assessment);
        let Some(grading) = &assessment.grading else {
            return;
        };
        for (index, outcome) in grading.outcomes.iter().enumerate() {
            let id = &policy.judgements[index].id;
            match outcome {
                Outcome::Graded(_) | Outcome::NotAssessed => {}
                Outcome::Failed(Failure::Eval(_)) => {}
                Outcome::Blocked { .. } => {}
                Outcome::Failed(failure) => panic!(
                    "{id}: {} on a policy that checks clean\n{text}",
                    failure.summary()
                ),
            }
        }
        if grading.is_complete() {
            assert!(
                assessment
                    .traces
                    .as_ref()
                    .is_some_and(|t| t.len() == grading.outcomes.len())
            );
        }
    });
});
