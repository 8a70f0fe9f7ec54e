//! `insp check`'s analysis against the evaluator, on generated policies:
//! every witness grades into the problem reported, and no evidence grades
//! into a conflict, a gap or a floor-above-cap clash the analysis did not
//! report (unless it said it could not decide). A failure is a soundness bug.

#![no_main]

use arbitrary::Unstructured;
use insp::{Code, Failure, Outcome, Source};
use insp_fuzz::generate::{Choices, case};
use libfuzzer_sys::fuzz_target;
use std::time::Duration;

/// Per judgement: generous for these small policies, short enough for a fuzzer.
const BUDGET: Duration = Duration::from_secs(2);

/// The analysis code that must have predicted an evaluation failure.
fn predicted_by(failure: &Failure) -> Option<Code> {
    match failure {
        Failure::Conflict { .. } => Some(Code::Overlap),
        Failure::NoRule => Some(Code::Gap),
        Failure::CapFloor { .. } => Some(Code::CapFloorClash),
        Failure::Eval(_) => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let generated = case(&mut Choices(Unstructured::new(data)));
    insp_fuzz::on_big_stack(|| {
        let text = &generated.policy;
        let policy =
            insp::compile(&Source::new("generated.insp", text.as_str())).unwrap_or_else(|d| {
                panic!(
                    "a generated policy does not compile\n{text}\n{}",
                    d.iter()
                        .map(insp::report::render_diagnostic)
                        .collect::<String>()
                )
            });
        let findings = insp::analyse_within(&policy, BUDGET);
        let found: Vec<Code> = findings.iter().map(|f| f.diagnostic.code).collect();
        let undecided = found.contains(&Code::Undecided);
        for finding in &findings {
            let Some(witness) = &finding.witness else {
                continue;
            };
            let json = witness.text();
            let assessment =
                insp::assess(&policy, &Source::new("witness.json", json.as_str()), false);
            let outcome = assessment.grading.as_ref().map(|g| g.outcomes[0].clone());
            let Some(Outcome::Failed(failure)) = outcome else {
                panic!(
                    "the witness for {} was not a failure: {outcome:?}\n{text}\n{json}",
                    finding.diagnostic.code
                );
            };
            assert_eq!(
                predicted_by(&failure),
                Some(finding.diagnostic.code),
                "the witness fails otherwise than reported\n{text}\n{json}"
            );
        }
        if undecided {
            return;
        }
        for evidence in &generated.evidence {
            let assessment = insp::assess(
                &policy,
                &Source::new("sample.json", evidence.as_str()),
                false,
            );
            let Some(Outcome::Failed(failure)) =
                assessment.grading.as_ref().map(|g| g.outcomes[0].clone())
            else {
                continue;
            };
            let Some(code) = predicted_by(&failure) else {
                continue;
            };
            assert!(
                found.contains(&code),
                "{} in evaluation, but the analysis reported no {code}\n{text}\n{evidence}\nfound: {found:?}",
                failure.summary()
            );
        }
    });
});
