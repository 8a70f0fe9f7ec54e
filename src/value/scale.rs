//! The ordered scales a value can sit on: the policy's grades and its level
//! scales. They live beside the values (not in the compiled policy) because
//! helper scripts, which the policy carries, convert values by them too.

use rust_decimal::Decimal;

/// The ordered grade scale. A grade is its rank, worst first.
#[derive(Clone)]
pub struct GradeScale {
    /// Worst first.
    pub names: Vec<String>,
    /// Points per grade, worst first (`grades ... points ...`).
    pub points: Vec<Decimal>,
}

impl GradeScale {
    /// The grade's name as written: `requires_improvement`.
    pub fn name(&self, rank: u8) -> &str {
        &self.names[rank as usize]
    }

    /// The rank of a grade name, if it is one.
    pub fn rank(&self, name: &str) -> Option<u8> {
        self.names.iter().position(|g| g == name).map(|i| i as u8)
    }

    /// The grade's name in words: `requires_improvement` → "requires improvement".
    pub fn words(&self, rank: u8) -> String {
        self.name(rank).replace('_', " ")
    }
}

/// A declared level scale (`level weak < adequate < strong`).
#[derive(Clone)]
pub struct LevelScale {
    /// Its name, or the field's path for an inline scale.
    pub name: String,
    /// Lowest first.
    pub levels: Vec<String>,
}
