//! Grading an evidence file with insp as a library: compile the policy once,
//! then assess any number of documents with it (`cargo run --example embed`).

use insp::{Outcome, Source};

fn main() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let policy_path = args
        .next()
        .unwrap_or("policies/hmic-crime-2014.insp".into());
    let evidence_path = args.next().unwrap_or("examples/norfolk-2014.json".into());
    let read = |path: &str| insp::read_text(path).map_err(|e| e.message);
    let policy = insp::compile(&Source::new(&policy_path, read(&policy_path)?)).map_err(|d| {
        d.iter()
            .map(insp::report::render_diagnostic)
            .collect::<String>()
    })?;
    let evidence = Source::new(&evidence_path, read(&evidence_path)?);
    let assessment = insp::assess(&policy, &evidence, false);
    let grading = assessment.grading.ok_or("the evidence could not be read")?;
    for (judgement, outcome) in policy.judgements.iter().zip(&grading.outcomes) {
        let grade = match outcome {
            Outcome::Graded(graded) => policy.grades.words(graded.grade),
            Outcome::Failed(failure) => format!("not graded: {}", failure.summary()),
            Outcome::NotAssessed => "not assessed".to_string(),
            Outcome::Blocked { .. } => "not graded".to_string(),
        };
        println!("{}: {grade}", judgement.title);
    }
    Ok(())
}
