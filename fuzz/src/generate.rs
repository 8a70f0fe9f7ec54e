//! The `soundness` target's generator: small policies and evidence for
//! them, every choice read from the fuzzer's bytes. It mirrors the property
//! tests in `tests/analysis.rs` (rules over a few numbers, a level, a bool,
//! estimates; aggregates over grades given as evidence), with a few more
//! shapes: `resolve lowest`, nested conditions, limits that follow a grade.

use arbitrary::Unstructured;

const GRADES: &[&str] = &["outstanding", "good", "requires_improvement", "inadequate"];

/// The fuzzer's bytes as choices. Out of bytes, every choice is the first.
pub struct Choices<'a>(pub Unstructured<'a>);

impl Choices<'_> {
    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        self.0.choose_index(n).unwrap_or(0)
    }

    pub fn pick<'s>(&mut self, items: &[&'s str]) -> &'s str {
        items[self.below(items.len())]
    }
}

/// A generated policy and evidence documents to grade against it.
pub struct Case {
    pub policy: String,
    pub evidence: Vec<String>,
}

/// Either family of policy, and up to 16 evidence documents.
pub fn case(choices: &mut Choices) -> Case {
    let aggregate = choices.below(3) == 0;
    let mut numeric = Numeric { members: 0 };
    let mut aggregates = Aggregate {
        members: 0,
        optional_last: false,
    };
    let policy = if aggregate {
        aggregates.policy(choices)
    } else {
        numeric.policy(choices)
    };
    let count = 1 + choices.below(16);
    let evidence = (0..count)
        .map(|_| {
            if aggregate {
                aggregates.evidence(choices)
            } else {
                numeric.evidence(choices)
            }
        })
        .collect();
    Case { policy, evidence }
}

/// The end of a judgement: sometimes `otherwise`, sometimes caps and floors.
fn ending(choices: &mut Choices, cap: &str, floor: &str, follow: Option<&str>) -> String {
    let mut text = String::new();
    if choices.below(2) == 0 {
        text.push_str(&format!("  otherwise {}\n", choices.pick(GRADES)));
    }
    if choices.below(3) == 0 {
        text.push_str(&format!(
            "  at most {} when {cap}\n  at least {} when {floor}\n",
            choices.pick(&["requires_improvement", "good", "inadequate"]),
            choices.pick(&["good", "requires_improvement", "outstanding"])
        ));
    }
    if let Some(follow) = follow
        && choices.below(4) == 0
    {
        let limit = choices.pick(&["at most", "at least"]);
        text.push_str(&format!("  {limit} {follow}\n"));
    }
    text.push_str("}\n");
    text
}

fn strategy(choices: &mut Choices) -> &'static str {
    choices.pick(&["unique", "unique", "unique", "first", "highest", "lowest"])
}

/// Rules over numbers, a whole number, a level, a bool and estimates.
struct Numeric {
    members: usize,
}

impl Numeric {
    fn atom(&mut self, c: &mut Choices) -> String {
        let k = c.below(8) * 5;
        match c.below(11) {
            0 => format!("a {} {k}", c.pick(&["<", "<=", ">", ">=", "==", "!="])),
            1 => format!("b {} {k}", c.pick(&["<", "<=", ">", ">="])),
            2 => format!("a + b {} {}", c.pick(&["<", ">="]), k * 2),
            3 => format!(
                "a / b {} {}",
                c.pick(&["<", ">="]),
                c.pick(&["0.5", "1", "2"])
            ),
            4 => format!(
                "lvl {} {}",
                c.pick(&[">=", "<", "==", "<=", ">", "!="]),
                c.pick(&["low", "mid", "high"])
            ),
            5 => c.pick(&["flag", "not flag"]).to_string(),
            6 => format!(
                "s {} n",
                c.pick(&["significantly above", "significantly below", "in line with"])
            ),
            7 => format!("a - 2 * c {} {k}", c.pick(&["<", ">"])),
            8 => format!(
                "{}(s) {} {}",
                c.pick(&["lower", "upper"]),
                c.pick(&["<", ">="]),
                80 + c.below(10)
            ),
            9 => format!(
                "ratio {} {}",
                c.pick(&["<", ">="]),
                c.pick(&["0.5", "1", "1.5"])
            ),
            // Whole numbers: 2 < 3b < 4 holds for no whole b.
            _ => format!("3 * b {} {}", c.pick(&["<", ">"]), k + 1),
        }
    }

    fn condition(&mut self, c: &mut Choices, depth: usize) -> String {
        let atom = self.atom(c);
        match c.below(if depth > 1 { 3 } else { 6 }) {
            0 => format!("{atom} and {}", self.atom(c)),
            1 => format!("{atom} or {}", self.atom(c)),
            3 => format!("not ({})", self.condition(c, depth + 1)),
            4 => format!(
                "({}) and ({})",
                self.condition(c, depth + 1),
                self.condition(c, depth + 1)
            ),
            _ => atom,
        }
    }

    fn policy(&mut self, c: &mut Choices) -> String {
        self.members = 0;
        let mut text = String::from(
            "evidence {\n  a : number per 1000 population\n  b : whole per 1000 population\n  c : number per 1000 population\n  lvl : level low < mid < high\n  flag : bool\n  s : estimate percent\n  n : estimate percent\n  given : grade\n}\nlet ratio = a / (b + 1)\n",
        );
        text.push_str(&format!("question q \"Q\" {{\n  resolve {}\n", strategy(c)));
        for _ in 0..2 + c.below(3) {
            let grade = c.pick(GRADES);
            text.push_str(&format!("  {grade} when {}\n", self.condition(c, 0)));
        }
        let (cap, floor) = (self.atom(c), self.atom(c));
        text.push_str(&ending(c, &cap, &floor, Some("given")));
        text
    }

    /// Evidence on a grid that includes the generated constants and points between them.
    fn evidence(&mut self, c: &mut Choices) -> String {
        let number = |c: &mut Choices| format!("{}{}", c.below(9) * 5, c.pick(&["", ".5", ".001"]));
        let (a, b, cc) = (number(c), format!("{}", c.below(41)), number(c));
        let estimate = |c: &mut Choices| {
            format!(
                r#"{{"value": {}, "margin": {}}}"#,
                78 + c.below(14),
                c.pick(&["0", "0.5", "1", "2"])
            )
        };
        let (s, n) = (estimate(c), estimate(c));
        format!(
            r#"{{"a": {a}, "b": {b}, "c": {cc}, "lvl": "{}", "flag": {}, "s": {s}, "n": {n}, "given": "{}"}}"#,
            c.pick(&["low", "mid", "high"]),
            c.pick(&["true", "false"]),
            c.pick(GRADES)
        )
    }
}

/// Aggregates over grades given as evidence: counts, points, lowest,
/// highest, members, a member read by name, and a number beside.
struct Aggregate {
    members: usize,
    /// The last member is optional grade evidence, left out in some documents.
    optional_last: bool,
}

impl Aggregate {
    fn atom(&mut self, c: &mut Choices) -> String {
        let grade = c.pick(GRADES);
        let k = c.below(self.members + 1);
        match c.below(9) {
            0 => format!(
                "{} {} {k}",
                c.pick(&["assessed()", "members()"]),
                c.pick(&[">=", "==", "<"])
            ),
            1 => format!("count({grade}) {} {k}", c.pick(&[">=", "==", "<=", "<"])),
            2 => format!("count({} {grade}) >= {k}", c.pick(&[">=", "<=", ">", "<"])),
            3 => format!("lowest() {} {grade}", c.pick(&[">=", "<", "=="])),
            4 => format!("highest() {} {grade}", c.pick(&[">=", "<"])),
            5 => format!(
                "points() {} {}",
                c.pick(&[">=", "<"]),
                c.below(3 * self.members + 1)
            ),
            6 => format!("m0 {} {grade}", c.pick(&[">=", "<="])),
            7 => format!("count({grade}) {} {k}", c.pick(&[">=", "<"])),
            _ => format!("x {} {}", c.pick(&[">", "<="]), c.below(4) * 10),
        }
    }

    fn policy(&mut self, c: &mut Choices) -> String {
        self.members = 2 + c.below(5);
        self.optional_last = c.below(2) == 0;
        let fields: Vec<String> = (0..self.members)
            .map(|i| {
                let optional = i + 1 == self.members && self.optional_last;
                format!(
                    "  m{i} : grade{}\n",
                    if optional { " optional" } else { "" }
                )
            })
            .collect();
        let names: Vec<String> = (0..self.members).map(|i| format!("m{i}")).collect();
        let mut text = format!("evidence {{\n{}  x : number\n}}\n", fields.concat());
        text.push_str(&format!(
            "overall \"O\" of {} {{\n  resolve {}\n",
            names.join(", "),
            strategy(c)
        ));
        for _ in 0..2 + c.below(3) {
            let grade = c.pick(GRADES);
            let atom = self.atom(c);
            let condition = match c.below(3) {
                0 => format!("{atom} and {}", self.atom(c)),
                1 => format!("{atom} or {}", self.atom(c)),
                _ => atom,
            };
            text.push_str(&format!("  {grade} when {condition}\n"));
        }
        let (cap, floor) = (self.atom(c), self.atom(c));
        text.push_str(&ending(c, &cap, &floor, Some("m1")));
        text
    }

    fn evidence(&mut self, c: &mut Choices) -> String {
        let members: Vec<String> = (0..self.members)
            .map(|i| {
                let left_out = i + 1 == self.members && self.optional_last && c.below(3) == 0;
                if left_out {
                    format!("\"m{i}\": null")
                } else {
                    format!("\"m{i}\": \"{}\"", c.pick(GRADES))
                }
            })
            .collect();
        format!("{{{}, \"x\": {}}}", members.join(", "), c.below(5) * 10)
    }
}
