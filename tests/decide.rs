//! The decision tools on real evidence: robustness to the margins of error,
//! decided exactly, and what moves when evidence changes.

use insp::decide::robust::{Verdict, robustness};
use insp::{Evidence, Policy, Source};

const RECORDING: &str = r#"
evidence { recording.rate : estimate percent 0..100 }
question recording "Is crime recorded accurately?" {
  resolve highest
  good when value(recording.rate) >= 90
  otherwise requires_improvement
}
"#;

fn policy(text: &str) -> Policy {
    insp::compile(&Source::new("p.insp", text)).unwrap()
}

/// The verdict on the first judgement for an estimate of `value ± margin`.
fn verdict(policy: &Policy, value: &str, margin: &str) -> Verdict {
    let text = format!(r#"{{"recording": {{"rate": {{"value": {value}, "margin": {margin}}}}}}}"#);
    let source = Source::new("e.json", text);
    let evidence = Evidence::load(policy, &source).unwrap().evidence;
    let grading = policy.evaluate(&evidence);
    let found = robustness(policy, &evidence, &grading);
    assert_eq!(found.len(), 1, "one judgement reads the estimate");
    found[0].verdict.clone()
}

fn reachable(verdict: &Verdict) -> Vec<(String, String)> {
    let Verdict::NotRobust(reachable) = verdict else {
        panic!("not robust expected: {verdict:?}");
    };
    reachable
        .iter()
        .map(|r| (r.grade.to_string(), r.area.clone()))
        .collect()
}

#[test]
fn a_grade_whose_interval_stays_on_one_side_is_robust() {
    let policy = policy(RECORDING);
    assert_eq!(verdict(&policy, "95", "2"), Verdict::Robust);
    assert_eq!(verdict(&policy, "85", "4.99"), Verdict::Robust);
}

#[test]
fn an_interval_across_the_boundary_reaches_both_grades_exactly_there() {
    let policy = policy(RECORDING);
    // 89.5 ± 1.64: 87.86 to 91.14 spans the boundary at 90.
    let found = reachable(&verdict(&policy, "89.5", "1.64"));
    assert_eq!(
        found,
        [
            (
                "1".to_string(),
                "where 87.86 <= recording.rate < 90".to_string()
            ),
            (
                "2".to_string(),
                "where 90 <= recording.rate <= 91.14".to_string()
            ),
        ]
    );
}

#[test]
fn an_interval_that_only_touches_the_boundary_is_not_robust() {
    let policy = policy(RECORDING);
    // 88 ± 2 reaches 90 exactly, where the grade is good.
    let found = reachable(&verdict(&policy, "88", "2"));
    assert_eq!(
        found[1],
        ("2".to_string(), "where recording.rate = 90".to_string())
    );
    // 88 ± 1.99 stops just short of it.
    assert_eq!(verdict(&policy, "88", "1.99"), Verdict::Robust);
}

#[test]
fn caps_and_floors_are_taken_into_account() {
    let policy = policy(
        r#"
evidence { recording.rate : estimate percent 0..100  audit.failed : bool }
question recording "Is crime recorded accurately?" {
  resolve highest
  good when value(recording.rate) >= 90
  otherwise requires_improvement
  at most requires_improvement when audit.failed
}
"#,
    );
    let text =
        r#"{"recording": {"rate": {"value": 89.5, "margin": 1.64}}, "audit": {"failed": true}}"#;
    let source = Source::new("e.json", text);
    let evidence = Evidence::load(&policy, &source).unwrap().evidence;
    let grading = policy.evaluate(&evidence);
    // Capped whatever the rate: robust.
    assert_eq!(
        robustness(&policy, &evidence, &grading)[0].verdict,
        Verdict::Robust
    );
}

/// Norfolk's evidence with one path set, graded: the grade of `judgement`.
fn grade_with(policy: &Policy, path: &str, value: &str, judgement: usize) -> Option<u8> {
    use insp::decide::what_if::{Change, apply};
    let text = std::fs::read_to_string("examples/norfolk-2014.json").unwrap();
    let source = Source::new("norfolk.json", text);
    // An estimate's value is set, its margin kept.
    let estimate = policy
        .fields
        .iter()
        .any(|f| f.path == path && matches!(f.ty, insp::policy::Type::Estimate(_)));
    let path = if estimate {
        format!("{path}.value")
    } else {
        path.to_string()
    };
    let change = Change::parse(&format!("{path}={value}")).unwrap();
    let changed = apply(policy, &source, &[change]).unwrap();
    let grading = insp::assess(policy, &changed, false).grading?;
    grading.grade(judgement)
}

#[test]
fn what_would_change_is_exact_at_each_boundary() {
    use insp::decide::change::{Target, what_would_change};
    use rust_decimal::Decimal;
    let hmic = std::fs::read_to_string("policies/hmic-crime-2014.insp").unwrap();
    let policy = policy(&hmic);
    let text = std::fs::read_to_string("examples/norfolk-2014.json").unwrap();
    let source = Source::new("norfolk.json", text);
    let evidence = Evidence::load(&policy, &source).unwrap().evidence;
    let grading = policy.evaluate(&evidence);
    let changes = what_would_change(&policy, &evidence, &grading, Target::Neighbours);
    let reducing = &changes[0];
    assert_eq!(
        reducing.words[0],
        "crime.rate rose above 51.595 (now 45.5): at 51.595, crime_ratio = 0.85 (now 0.749588)",
        "the issue's example: 0.85 of the national rate of 60.7, in the policy's own terms"
    );
    let mut checked = 0;
    for change in &changes {
        for words in &change.words {
            // "PATH rose above B (now ...)", "PATH fell to B or less (now ...)".
            let mut parts = words.split(' ');
            let path = parts.next().unwrap();
            let rest: Vec<&str> = parts.collect();
            let (above, strict, bound) = match rest.as_slice() {
                ["rose", "above", b, ..] => (true, true, *b),
                ["rose", "to", b, "or", "more", ..] => (true, false, *b),
                ["fell", "below", b, ..] => (false, true, *b),
                ["fell", "to", b, "or", "less", ..] => (false, false, *b),
                _ => continue, // a level, or a bound with no finite decimal
            };
            let approximate = words.contains("(exactly");
            let Ok(b) = bound.parse::<Decimal>() else {
                continue;
            };
            if approximate {
                continue; // no finite decimal: shown to four places, exact as a fraction
            }
            let unit = Decimal::new(1, b.scale().max(1));
            let (beyond, short) = if above {
                (b + unit, b - unit)
            } else {
                (b - unit, b + unit)
            };
            let at = grade_with(&policy, path, &b.to_string(), change.judgement);
            let target = Some(change.target);
            assert_eq!(
                grade_with(&policy, path, &beyond.to_string(), change.judgement),
                target,
                "{words}"
            );
            assert_ne!(
                grade_with(&policy, path, &short.to_string(), change.judgement),
                target,
                "{words}"
            );
            assert_eq!(at == target, !strict, "{words}: at the bound itself");
            checked += 1;
        }
    }
    assert!(checked >= 8, "numeric boundaries checked: {checked}");
}

#[test]
fn a_cap_in_the_way_is_taken_into_account() {
    use insp::decide::change::{Target, what_would_change};
    let policy = policy(
        r#"
evidence { rate : number  breach : bool }
question q "Q" {
  resolve highest
  good when rate >= 10
  otherwise requires_improvement
  at most requires_improvement when breach
}
"#,
    );
    let source = Source::new("e.json", r#"{"rate": 5, "breach": true}"#);
    let evidence = Evidence::load(&policy, &source).unwrap().evidence;
    let grading = policy.evaluate(&evidence);
    let changes = what_would_change(&policy, &evidence, &grading, Target::Grade(2));
    // Raising the rate alone cannot lift the cap: only ending the breach
    // together with it could, and that is two changes.
    assert_eq!(changes.len(), 1);
    assert!(changes[0].words.is_empty(), "{:?}", changes[0].words);
    let open = Source::new("e.json", r#"{"rate": 5, "breach": false}"#);
    let evidence = Evidence::load(&policy, &open).unwrap().evidence;
    let grading = policy.evaluate(&evidence);
    let changes = what_would_change(&policy, &evidence, &grading, Target::Grade(2));
    assert_eq!(changes[0].words, ["rate rose to 10 or more (now 5)"]);
}

mod versions {
    //! `insp diff OLD NEW` without evidence: the versions compared over all
    //! possible evidence. Every difference's witness is graded here by both
    //! versions, independently of the comparison.

    use super::policy;
    use insp::decide::{Agreement, Comparison, Region, compare_versions};
    use insp::{Evidence, Policy, Source};
    use std::time::Duration;

    const BUDGET: Duration = Duration::from_secs(30);

    fn compared(old: &Policy, new: &Policy) -> Comparison {
        compare_versions(old, new, BUDGET).expect("comparable versions")
    }

    /// The grade a policy gives the witness for judgement `id` (`None`: not graded).
    fn grade_of(policy: &Policy, witness: &insp::Witness, id: &str) -> Option<String> {
        let source = Source::new("witness.json", witness.text());
        let evidence = Evidence::load(policy, &source)
            .expect("a witness is valid evidence")
            .evidence;
        let index = policy.judgements.iter().position(|j| j.id == id).unwrap();
        let grading = policy.evaluate(&evidence);
        grading
            .grade(index)
            .map(|g| policy.grades.name(g).to_string())
    }

    /// Each region's witness is graded as the region says by both versions.
    fn assert_witnesses_reproduce(old: &Policy, new: &Policy, id: &str, regions: &[Region]) {
        assert!(!regions.is_empty());
        for region in regions {
            let name = |g: Option<u8>| g.map(|g| old.grades.name(g).to_string());
            assert_eq!(grade_of(old, &region.witness, id), name(region.old));
            assert_eq!(grade_of(new, &region.witness, id), name(region.new));
        }
    }

    fn regions<'c>(comparison: &'c Comparison, id: &str) -> &'c [Region] {
        let found = comparison.judgements.iter().find(|j| j.id == id).unwrap();
        match &found.outcome {
            Agreement::Differ(regions) => regions,
            _ => panic!("`{id}` should differ"),
        }
    }

    fn x_policy(rules: &str) -> Policy {
        policy(&format!(
            "evidence {{ x : number }}\nquestion q \"Q\" {{\n{rules}\n}}\n"
        ))
    }

    #[test]
    fn a_shipped_policy_agrees_with_itself_everywhere() {
        for path in ["policies/hmic-crime-2014.insp", "policies/peel-2021.insp"] {
            let text = std::fs::read_to_string(path).unwrap();
            let (old, new) = (policy(&text), policy(&text));
            let comparison = compared(&old, &new);
            assert!(comparison.agree(), "{path}");
            assert_eq!(comparison.judgements.len(), old.judgements.len());
        }
    }

    #[test]
    fn unchanged_aggregates_and_limits_that_follow_a_grade_are_the_same_definition() {
        let text = std::fs::read_to_string("policies/cqc-asc-2022.insp").unwrap();
        let comparison = compared(&policy(&text), &policy(&text));
        assert!(comparison.agree(), "overall and well_led are defined alike");
        // A changed aggregate is not decided yet, and is never called alike.
        let revised = text.replacen("count(inadequate) >= 2", "count(inadequate) >= 3", 1);
        let comparison = compared(&policy(&text), &policy(&revised));
        let outcome = |id: &str| {
            let j = comparison.judgements.iter().find(|j| j.id == id).unwrap();
            matches!(j.outcome, Agreement::Agree)
        };
        assert!(outcome("well_led"));
        assert!(!outcome("overall"));
        assert!(!comparison.agree());
    }

    #[test]
    fn a_raised_threshold_differs_only_where_the_new_threshold_holds() {
        let text = std::fs::read_to_string("policies/hmic-crime-2014.insp").unwrap();
        let revised = text.replacen("crime_ratio <= 0.85", "crime_ratio <= 0.9", 1);
        let (old, new) = (policy(&text), policy(&revised));
        let comparison = compared(&old, &new);
        assert!(!comparison.agree());
        let found = regions(&comparison, "reducing_crime");
        assert_witnesses_reproduce(&old, &new, "reducing_crime", found);
        for region in found {
            assert_eq!(region.new, Some(3), "only outstanding is gained");
            let area = region.area.as_deref().unwrap();
            assert!(
                area.contains("crime_ratio <= 0.9 (old: crime_ratio <= 0.85)"),
                "{area}"
            );
            // The witness lies in the band the threshold moved.
            let json = region.witness.to_json();
            let rate = json["crime"]["rate"].as_f64().unwrap();
            let national = json["crime"]["national_rate"].as_f64().unwrap();
            assert!(rate / national > 0.85 && rate / national <= 0.9);
        }
        for other in ["investigating", "tackling_asb"] {
            let j = comparison
                .judgements
                .iter()
                .find(|j| j.id == other)
                .unwrap();
            assert!(matches!(j.outcome, Agreement::Agree), "{other}");
        }
    }

    #[test]
    fn the_same_criteria_written_otherwise_are_proven_alike() {
        let old = x_policy("good when x >= 10\notherwise requires_improvement");
        let new = x_policy("good when not (x < 10)\notherwise requires_improvement");
        assert!(compared(&old, &new).agree());
    }

    #[test]
    fn a_new_rule_changes_the_shape_and_is_searched_as_a_whole() {
        let old = x_policy("resolve highest\ngood when x >= 10\notherwise requires_improvement");
        let new = x_policy(
            "resolve highest\noutstanding when x >= 20\ngood when x >= 10\notherwise requires_improvement",
        );
        let comparison = compared(&old, &new);
        let found = regions(&comparison, "q");
        assert_witnesses_reproduce(&old, &new, "q", found);
        let pairs: Vec<(Option<u8>, Option<u8>)> = found.iter().map(|r| (r.old, r.new)).collect();
        assert_eq!(
            pairs,
            [(Some(2), Some(3))],
            "good becomes outstanding, nothing else"
        );
    }

    #[test]
    fn a_revision_that_makes_rules_conflict_is_a_difference_to_not_graded() {
        let old = x_policy("good when x >= 10\nrequires_improvement when x < 10");
        let new = x_policy("good when x >= 10\nrequires_improvement when x < 12");
        let comparison = compared(&old, &new);
        let found = regions(&comparison, "q");
        assert_witnesses_reproduce(&old, &new, "q", found);
        assert!(found.iter().all(|r| (r.old, r.new) == (Some(2), None)));
    }

    #[test]
    fn evidence_declared_differently_is_compared_where_both_accept_it_or_refused() {
        let old = policy(
            "evidence { x : number 0..100 }\nquestion q \"Q\" { good when x >= 10 otherwise inadequate }\n",
        );
        let narrower = policy(
            "evidence { x : number 0..50 }\nquestion q \"Q\" { good when x >= 10 otherwise inadequate }\n",
        );
        let comparison = compared(&old, &narrower);
        assert!(comparison.agree());
        assert_eq!(
            comparison.notes,
            [
                "`x` is declared 0..100 in the old version and 0..50 in the new one: compared where both accept it"
            ]
        );
        let level = policy(
            "evidence { x : level low < high }\nquestion q \"Q\" { good when x >= high otherwise inadequate }\n",
        );
        let refused = compare_versions(&old, &level, BUDGET).err().unwrap();
        assert_eq!(refused.code, insp::Code::Incompatible);
        assert!(
            refused.message.contains("`x` is a number"),
            "{}",
            refused.message
        );
    }

    #[test]
    fn a_judgement_in_one_version_only_is_a_difference() {
        let old = x_policy("good when x >= 10\notherwise inadequate");
        let new = policy(
            "evidence { x : number }\nquestion q \"Q\" { good when x >= 10 otherwise inadequate }\nquestion r \"R\" { good when x >= 5 otherwise inadequate }\n",
        );
        let comparison = compared(&old, &new);
        assert!(!comparison.agree());
        assert!(matches!(
            comparison.judgements[1].outcome,
            Agreement::OnlyIn(true)
        ));
    }
}

/// `--set` changes a value however the file writes its path: nested, or
/// as a flat dotted key (as spreadsheets export it).
#[test]
fn a_value_is_set_whether_its_key_is_nested_or_flat() {
    use insp::decide::what_if::{Change, apply};
    let policy = policy(
        r#"evidence { crime.rate : number  crime.national_rate : number }
question q "Q" { good when crime.rate < crime.national_rate otherwise inadequate }"#,
    );
    let change = Change::parse("crime.rate=70").unwrap();
    for text in [
        r#"{"crime": {"rate": 45.5, "national_rate": 60}}"#,
        r#"{"crime.rate": 45.5, "crime.national_rate": 60}"#,
        r#"{"crime.national_rate": 60, "crime.rate": 45.5}"#,
    ] {
        let source = Source::new("e.json", text);
        assert_eq!(
            insp::assess(&policy, &source, false)
                .grading
                .unwrap()
                .grade(0),
            Some(2),
            "{text}"
        );
        let changed = apply(&policy, &source, std::slice::from_ref(&change)).unwrap();
        let assessment = insp::assess(&policy, &changed, false);
        assert!(
            assessment.diagnostics.is_empty(),
            "{text}: {:?}",
            assessment.diagnostics
        );
        assert_eq!(assessment.grading.unwrap().grade(0), Some(0), "{text}");
    }
}
