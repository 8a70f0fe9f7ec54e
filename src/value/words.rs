//! The one place that puts values, types and source text into words, for
//! explanations, diagnostics and reports alike.

use super::{GradeScale, LevelScale, Type, Unit, Value};
use rust_decimal::Decimal;

/// Formats a decimal for people: no trailing zeros, at most six places.
pub fn format_decimal(n: Decimal) -> String {
    let rounded = n.round_dp(6).normalize();
    rounded.to_string()
}

/// A value as people read it: levels and grades by name, estimates as `v ± m`.
pub fn show(value: Value, grades: &GradeScale, scales: &[LevelScale]) -> String {
    match value {
        Value::Number(n) => format_decimal(n),
        Value::Bool(b) => b.to_string(),
        Value::Level { scale, index } => scales[scale as usize].levels[index as usize].clone(),
        Value::Estimate { value, margin } => {
            format!("{} ± {}", format_decimal(value), format_decimal(margin))
        }
        Value::Grade(rank) => grades.name(rank).to_string(),
        Value::Text => "(text)".to_string(),
        Value::NotAssessed => "not assessed".to_string(),
    }
}

/// A name as a message shows it: cut after 64 characters, so that a
/// hostile 100 KB key does not become a 100 KB message.
pub fn short_name(name: &str) -> String {
    const SHOWN: usize = 64;
    match name.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", &name[..cut]),
        None => name.to_string(),
    }
}

/// Source text (an expression, a rule) on one line.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Type {
    /// How the type reads in a diagnostic: "a number (per 1000 population)".
    pub fn describe(&self, scales: &[LevelScale]) -> String {
        match self {
            Type::Number(Unit::Named(unit)) => format!("a number ({unit})"),
            Type::Number(_) => "a number".to_string(),
            Type::Bool => "true or false".to_string(),
            Type::Text => "text".to_string(),
            Type::Level(scale) => format!("a level ({})", scales[*scale].levels.join(" < ")),
            Type::Estimate(Unit::Named(unit)) => format!("an estimate ({unit})"),
            Type::Estimate(_) => "an estimate".to_string(),
            Type::Grade => "a grade".to_string(),
        }
    }

    /// How to write a value of the type in an evidence file, for a `help:` line.
    pub fn how_to_write(&self, scales: &[LevelScale]) -> String {
        match self {
            Type::Number(Unit::Named(unit)) => {
                format!("write a plain number ({unit}), e.g. 45.5, not a string")
            }
            Type::Number(_) => "write a plain number, e.g. 45.5, not a string".to_string(),
            Type::Bool => "write true or false, not a string".to_string(),
            Type::Text => "write a quoted string".to_string(),
            Type::Level(scale) => format!(
                "write one of the levels as a string: {}",
                scales[*scale].levels.join(", ")
            ),
            Type::Estimate(_) => "write an object with the value and its margin of error, e.g. {\"value\": 87.9, \"margin\": 1.4}".to_string(),
            Type::Grade => "write the grade as a string, e.g. \"good\"".to_string(),
        }
    }
}
