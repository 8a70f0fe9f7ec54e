//! What the fuzz targets share: the stack they run on, the sandbox limits,
//! rendering every report and diagnostic, what a compiled policy means (for
//! `fmt`), evidence made up for any policy, and the generator of the
//! `soundness` target.

pub mod generate;

use insp::policy::Type;
use insp::{Assessment, Evidence, Failure, Grading, Outcome, Policy, ScriptLimits, Source};
use serde_json::{Map, Value as Json};
use std::sync::OnceLock;

/// The stack `insp`'s command line runs on (`src/cli/mod.rs`): the nesting
/// limits are set for it, so the targets run on it too.
const STACK_SIZE: usize = 64 * 1024 * 1024;

/// Runs `work` on a thread with the command line's stack. A panic there
/// aborts the process through libFuzzer's hook: a crash, as it should be.
pub fn on_big_stack<F: FnOnce() + Send>(work: F) {
    std::thread::scope(|scope| {
        let handle = std::thread::Builder::new()
            .stack_size(STACK_SIZE)
            .spawn_scoped(scope, work)
            .expect("a fuzzing thread starts");
        if let Err(payload) = handle.join() {
            std::panic::resume_unwind(payload);
        }
    });
}

/// The default sandbox, with less time a call: a helper that loops is
/// stopped by its operations limit long before, and a slow one should not
/// make every input slow.
pub fn limits() -> ScriptLimits {
    ScriptLimits {
        max_millis: 200,
        ..ScriptLimits::default()
    }
}

/// Renders diagnostics as people and tools see them.
pub fn render_all<'a>(diagnostics: impl IntoIterator<Item = &'a insp::Diagnostic>) {
    for diagnostic in diagnostics {
        let text = insp::report::render_diagnostic(diagnostic);
        assert!(!text.is_empty(), "a diagnostic rendered as nothing");
        let _ = insp::report::render_diagnostic_with(diagnostic, true);
        let _ = diagnostic.to_json();
    }
}

/// Every report of an assessment, and what must hold of any assessment:
/// it is graded exactly when it has no error.
pub fn check_assessment(policy: &Policy, assessment: &Assessment) {
    render_all(&assessment.diagnostics);
    let _ = insp::report::text::render(policy, assessment);
    let _ = insp::report::json::render(policy, assessment).to_string();
    let _ = insp::report::table::csv(policy, assessment);
    let _ = insp::report::table::markdown(policy, assessment);
    for judgement in 0..policy.judgements.len() {
        let _ = insp::report::text::trace_of(policy, assessment, judgement);
    }
    let errors = assessment.diagnostics.iter().any(|d| d.is_error());
    assert_eq!(
        assessment.is_graded(),
        !errors,
        "graded: {}, but errors reported: {errors}",
        assessment.is_graded()
    );
    if let Some(grading) = &assessment.grading {
        assert_eq!(grading.outcomes.len(), policy.judgements.len());
        for outcome in &grading.outcomes {
            if let Outcome::Blocked { by } = outcome {
                assert!(
                    *by < policy.judgements.len(),
                    "blocked by no judgement: {by}"
                );
                assert!(
                    !matches!(grading.outcomes[*by], Outcome::Graded(_)),
                    "blocked by a judgement that was graded"
                );
            }
        }
    }
}

/// What a compiled policy means, spans and layout aside, as far as the
/// public API shows it (conditions are compared by grading evidence).
pub fn meaning(policy: &Policy) -> String {
    let mut out = format!(
        "policy {:?}\ngrades {:?} {:?}\n",
        policy.name, policy.grades.names, policy.grades.points
    );
    for scale in &policy.scales {
        out.push_str(&format!("scale {:?} {:?}\n", scale.name, scale.levels));
    }
    for field in &policy.fields {
        out.push_str(&format!(
            "field {:?} {:?} {:?} {:?} {:?} whole={} optional={} {:?}\n",
            field.path,
            field.ty,
            field.default,
            field.default_text,
            field.range,
            field.whole,
            field.optional,
            field.description
        ));
    }
    out.push_str(&format!("subject {:?}\n", policy.subject));
    for let_ in &policy.lets {
        out.push_str(&format!(
            "let {:?} {:?} {:?}\n",
            let_.name, let_.ty, let_.reads
        ));
    }
    for j in &policy.judgements {
        out.push_str(&format!(
            "judgement {:?} {:?} {:?} {:?} {:?} depends on {:?}\n",
            j.id, j.title, j.kind, j.members, j.strategy, j.depends_on
        ));
        for (kind, rules) in [("rule", &j.rules), ("cap", &j.caps), ("floor", &j.floors)] {
            for rule in rules {
                out.push_str(&format!(
                    "  {kind} {} normally={} follows={:?} because={:?} reads={:?}\n",
                    rule.grade,
                    rule.normally,
                    rule.follows.as_ref().map(|f| &f.name),
                    rule.because,
                    rule.reads
                ));
            }
        }
        if let Some(otherwise) = &j.otherwise {
            out.push_str(&format!(
                "  otherwise {} because={:?}\n",
                otherwise.grade, otherwise.because
            ));
        }
    }
    out.push_str(&format!("order {:?}\n", policy.order));
    let warnings: Vec<String> = policy
        .warnings
        .iter()
        .map(|w| w.code.as_str().to_string())
        .collect();
    out.push_str(&format!("warnings {warnings:?}\n"));
    out
}

/// A small deterministic generator (xorshift), as in `tests/common`.
pub struct Rng(pub u64);

impl Rng {
    /// A number in `0..n` (`n > 0`).
    pub fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// The numbers written in a policy's text, and numbers next to them: the
/// values at which its conditions change.
pub fn numbers_in(text: &str) -> Vec<String> {
    let mut found: Vec<String> = vec!["0".into(), "1".into(), "2.5".into(), "50".into()];
    for word in text.split(|c: char| !(c.is_ascii_digit() || c == '.')) {
        let word = word.trim_matches('.');
        if word.is_empty() || word.len() > 12 || word.matches('.').count() > 1 {
            continue;
        }
        found.push(word.to_string());
        found.push(format!("{word}1"));
        if !word.contains('.') {
            found.push(format!("{word}.5"));
        }
        if found.len() > 64 {
            break;
        }
    }
    found
}

/// Evidence for any compiled policy: a value of the right type for every
/// field (sometimes none, for optional fields), drawn from `numbers`.
pub fn evidence_for(policy: &Policy, rng: &mut Rng, numbers: &[String]) -> String {
    let mut root = Map::new();
    for field in &policy.fields {
        let number = |rng: &mut Rng| -> Json {
            let text = &numbers[rng.next(numbers.len())];
            let text = if rng.next(5) == 0 {
                format!("-{text}")
            } else {
                text.clone()
            };
            serde_json::from_str(&text).unwrap_or(Json::from(0))
        };
        let value = if field.optional && rng.next(4) == 0 {
            Json::Null
        } else {
            match &field.ty {
                Type::Number(_) => number(rng),
                Type::Bool => Json::Bool(rng.next(2) == 0),
                Type::Text => Json::String("Eastfen".into()),
                Type::Level(scale) => {
                    let levels = &policy.scales[*scale].levels;
                    Json::String(levels[rng.next(levels.len())].clone())
                }
                Type::Estimate(_) => {
                    let mut estimate = Map::new();
                    estimate.insert("value".into(), number(rng));
                    let margin = ["0", "0.5", "1", "2", "10"][rng.next(5)];
                    estimate.insert("margin".into(), serde_json::from_str(margin).unwrap());
                    Json::Object(estimate)
                }
                Type::Grade => {
                    let names = &policy.grades.names;
                    Json::String(names[rng.next(names.len())].clone())
                }
            }
        };
        if field.default.is_some() && rng.next(3) == 0 {
            continue;
        }
        insert(&mut root, &field.segments, value);
    }
    Json::Object(root).to_string()
}

/// Puts a value at a dotted path, unless another field is in the way.
fn insert(object: &mut Map<String, Json>, path: &[String], value: Json) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut object = object;
    for segment in parents {
        let entry = object
            .entry(segment.clone())
            .or_insert_with(|| Json::Object(Map::new()));
        let Json::Object(inner) = entry else {
            return;
        };
        object = inner;
    }
    object.insert(last.clone(), value);
}

/// An outcome as two compilations of one policy must agree on (the span
/// of a failed calculation differs when the text was reformatted).
pub fn comparable(grading: &Grading) -> Vec<String> {
    grading
        .outcomes
        .iter()
        .map(|outcome| match outcome {
            Outcome::Failed(Failure::Eval(error)) => format!("failed {:?}", error.kind),
            other => format!("{other:?}"),
        })
        .collect()
}

/// The shipped HMIC crime policy, compiled once.
pub fn hmic_policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let text = include_str!("../../policies/hmic-crime-2014.insp");
        insp::compile(&Source::new("hmic-crime-2014.insp", text))
            .unwrap_or_else(|_| panic!("the shipped policy compiles"))
    })
}

/// `Evidence::load` (fast where it can be) gives what the spanned reader
/// gives: the same values, texts and spans, or as many diagnostics.
pub fn readers_agree(policy: &Policy, source: &Source) {
    match (
        Evidence::load(policy, source),
        Evidence::load_spanned(policy, source),
    ) {
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
        (fast, _) => panic!(
            "the readers disagree: fast {}",
            if fast.is_ok() {
                "read it"
            } else {
                "refused it"
            }
        ),
    }
}
