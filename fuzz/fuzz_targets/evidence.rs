//! Any text as the evidence file for the shipped HMIC crime policy: read,
//! bound, graded, explained and reported. Never a panic; the policy checks
//! clean, so evidence that is read is graded completely, save a calculation
//! that fails (a national rate of 0). The fast evidence reader and the
//! spanned one agree on every input.

#![no_main]

use insp::{Evidence, Failure, Outcome, Policy, Source};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let text = include_str!("../../policies/hmic-crime-2014.insp");
        insp::compile(&Source::new("hmic-crime-2014.insp", text))
            .unwrap_or_else(|_| panic!("the shipped policy compiles"))
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let policy = policy();
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

/// `Evidence::load` (fast where it can be) gives what the spanned reader gives.
fn readers_agree(policy: &Policy, source: &Source) {
    match (Evidence::load(policy, source), Evidence::load_spanned(policy, source)) {
        (Ok(fast), Ok(spanned)) => {
            assert_eq!(fast.warnings.len(), spanned.warnings.len());
            for slot in 0..policy.fields.len() {
                let (a, b) = (&fast.evidence, &spanned.evidence);
                assert_eq!(a.value(slot), b.value(slot), "slot {slot}");
                assert_eq!(a.text(slot), b.text(slot), "slot {slot}");
                assert_eq!(a.span(slot), b.span(slot), "slot {slot}");
            }
        }
        (Err(fast), Err(spanned)) => assert_eq!(fast.len(), spanned.len()),
        (fast, _) => panic!("the readers disagree: fast {}", if fast.is_ok() { "read it" } else { "refused it" }),
    }
}
