//! A policy that compiles: `fmt` succeeds, is idempotent, and keeps the
//! meaning — the formatted text compiles to the same policy (spans aside)
//! and grades evidence made up from its fields exactly as the original.

#![no_main]

use insp::Source;
use libfuzzer_sys::fuzz_target;

/// Evidence documents graded by both, per input.
const DOCUMENTS: usize = 8;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    insp_fuzz::on_big_stack(|| {
        let limits = insp_fuzz::limits();
        let Ok(original) = insp::compile_with(&Source::new("fuzz.insp", text), limits) else {
            return;
        };
        let once = insp::format_policy(&Source::new("fuzz.insp", text))
            .unwrap_or_else(|_| panic!("a policy that compiles does not format"));
        let twice = insp::format_policy(&Source::new("fuzz.insp", once.as_str()))
            .unwrap_or_else(|_| panic!("the formatted policy does not format\n{once}"));
        assert_eq!(twice, once, "formatting twice differs from once");
        let formatted = insp::compile_with(&Source::new("fuzz.insp", once.as_str()), limits)
            .unwrap_or_else(|d| {
                panic!(
                    "the formatted policy does not compile\n{once}\n{}",
                    d.iter()
                        .map(insp::report::render_diagnostic)
                        .collect::<String>()
                )
            });
        assert_eq!(
            insp_fuzz::meaning(&formatted),
            insp_fuzz::meaning(&original),
            "formatting changed the policy\n{once}"
        );
        let numbers = insp_fuzz::numbers_in(text);
        let mut rng = insp_fuzz::Rng(0x9e37_79b9_7f4a_7c15 ^ data.len() as u64);
        for _ in 0..DOCUMENTS {
            let evidence = insp_fuzz::evidence_for(&original, &mut rng, &numbers);
            let source = Source::new("fuzz.json", evidence.as_str());
            let before = insp::assess(&original, &source, false);
            let after = insp::assess(&formatted, &source, false);
            let codes = |a: &insp::Assessment| -> Vec<&str> {
                a.diagnostics.iter().map(|d| d.code.as_str()).collect()
            };
            assert_eq!(codes(&after), codes(&before), "{evidence}\n{once}");
            assert_eq!(
                after.grading.as_ref().map(insp_fuzz::comparable),
                before.grading.as_ref().map(insp_fuzz::comparable),
                "formatting changed a grade\n{evidence}\n{once}"
            );
        }
    });
});
