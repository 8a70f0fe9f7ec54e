//! A small deterministic generator of syntactically valid policies with
//! comments and irregular whitespace in them, for the formatter's tests.

use super::Rng;

pub struct Generator(Rng);

impl Generator {
    pub fn new(seed: u64) -> Self {
        Generator(Rng(seed))
    }

    /// Whitespace between tokens: a space, several, or a line break, sometimes with a comment.
    fn gap(&mut self) -> String {
        match self.0.next(10) {
            0 => format!("  # note {}\n    ", self.0.next(100)),
            1 => "\n".to_string(),
            2 => "   ".to_string(),
            _ => " ".to_string(),
        }
    }

    fn condition(&mut self, depth: usize) -> String {
        match self.0.next(if depth > 2 { 3 } else { 7 }) {
            0 => format!(
                "x {} {}",
                self.0.pick(&["<", "<=", ">", ">=", "==", "!="]),
                self.0.next(200)
            ),
            1 => format!(
                "level {} {}",
                self.0.pick(&[">=", "<", "=="]),
                self.0.pick(&["low", "mid", "high"])
            ),
            2 => format!(
                "s {} n",
                self.0
                    .pick(&["significantly above", "significantly below", "in line with"])
            ),
            3 => format!(
                "{}{}and{}{}",
                self.condition(depth + 1),
                self.gap(),
                self.gap(),
                self.condition(depth + 1)
            ),
            4 => format!(
                "{} or {}",
                self.condition(depth + 1),
                self.condition(depth + 1)
            ),
            5 => format!("not ({})", self.condition(depth + 1)),
            _ => format!(
                "(x + {}) * 2 / y > {}.{}",
                self.0.next(9),
                self.0.next(50),
                self.0.next(10)
            ),
        }
    }

    pub fn policy(&mut self) -> String {
        let mut text = String::new();
        if self.0.next(2) == 0 {
            text.push_str("# generated\npolicy \"generated\"\n");
        }
        text.push_str(&format!(
            "evidence {{{}x : number{}",
            self.gap(),
            self.gap()
        ));
        text.push_str(&format!(
            "y : number per 1000 population = 1 \"why y\"{}",
            self.gap()
        ));
        text.push_str("level : level low < mid < high\ns : estimate percent\nn : estimate percent = 85.0 ± 0.2 }\n");
        for i in 0..self.0.next(3) {
            text.push_str(&format!("let l{i} = x{}+{}y\n", self.gap(), self.gap()));
        }
        for q in 0..1 + self.0.next(3) {
            text.push_str(&format!(
                "\nquestion q{q} \"Question {q}\" {{{}",
                self.gap()
            ));
            if self.0.next(2) == 0 {
                text.push_str(&format!(
                    "resolve {}\n",
                    self.0.pick(&["unique", "first", "highest", "lowest"])
                ));
            }
            for _ in 0..1 + self.0.next(4) {
                let grade = self
                    .0
                    .pick(&["outstanding", "good", "requires_improvement"]);
                let because = if self.0.next(2) == 0 {
                    format!(" because \"reason {}\"", self.0.next(9))
                } else {
                    String::new()
                };
                let condition = self.condition(0);
                text.push_str(&format!("{grade} when {condition}{because}{}", self.gap()));
            }
            if self.0.next(2) == 0 {
                let condition = self.condition(1);
                text.push_str(&format!("at most good when {condition}\n"));
            }
            text.push_str("otherwise inadequate\n}\n");
        }
        text
    }
}
