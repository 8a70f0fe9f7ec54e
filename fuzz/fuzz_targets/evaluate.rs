//! A policy and an evidence file, split at the first NUL byte: compiled,
//! assessed with explanations, and every diagnostic and report rendered.
//! Never a panic; and the compiled evaluator grades exactly as walking the
//! expressions does.

#![no_main]

use insp::Source;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (policy_text, evidence_text) = text.split_once('\0').unwrap_or((text, "{}"));
    insp_fuzz::on_big_stack(|| {
        let policy =
            match insp::compile_with(&Source::new("fuzz.insp", policy_text), insp_fuzz::limits()) {
                Ok(policy) => policy,
                Err(diagnostics) => {
                    insp_fuzz::render_all(&diagnostics);
                    return;
                }
            };
        insp_fuzz::render_all(&policy.warnings);
        let assessment = insp::assess(&policy, &Source::new("fuzz.json", evidence_text), true);
        insp_fuzz::check_assessment(&policy, &assessment);
        // Grading the evidence again with the compiled evaluator gives what
        // the assessment's walk of the expressions gave.
        if let Some(grading) = &assessment.grading
            && let Ok(loaded) =
                insp::Evidence::load(&policy, &Source::new("fuzz.json", evidence_text))
        {
            let mut evaluator = insp::Evaluator::new(&policy);
            let again = evaluator.evaluate(&loaded.evidence);
            assert_eq!(
                insp_fuzz::comparable(again),
                insp_fuzz::comparable(grading),
                "the compiled evaluator and the walk differ"
            );
        }
    });
});
