//! Runtime values and their static types. Numbers are exact decimals so that a
//! grade never flips on binary floating point.

mod scale;
mod words;

pub use scale::{GradeScale, LevelScale};
pub use words::{format_decimal, one_line, short_name, show};

use rust_decimal::Decimal;
use std::fmt;

/// Decimal places kept when a division does not terminate (rounded half to even).
pub const DIVISION_SCALE: u32 = 12;

/// A value in an evidence slot or computed by an expression. `Copy`, so that
/// evaluation never allocates.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    /// An exact decimal.
    Number(Decimal),
    /// True or false.
    Bool(bool),
    /// A level: its scale (in `Policy::scales`) and position, lowest first.
    Level {
        /// Index of the scale in `Policy::scales`.
        scale: u16,
        /// Position on the scale, lowest first.
        index: u16,
    },
    /// A value with a margin of error: `value ± margin`.
    Estimate {
        /// The point value.
        value: Decimal,
        /// The margin of error (half the interval's width).
        margin: Decimal,
    },
    /// A grade's rank, worst first (so `>` means better).
    Grade(u8),
    /// Text lives beside the slots (see `Evidence::text`); this marks the slot.
    Text,
    /// An `optional` field the evidence leaves absent or null, or a judgement
    /// that could not be decided for want of such evidence.
    NotAssessed,
}

impl Value {
    /// The number (an estimate's point value).
    pub fn number(self) -> Decimal {
        match self {
            Value::Number(n) => n,
            Value::Estimate { value, .. } => value,
            // INVARIANT: the checker (check/expr.rs, `insp::type::mismatch`)
            // lets only numbers and estimates reach arithmetic and ordering
            // on numbers, so no other value is ever read as a number.
            _ => Decimal::ZERO,
        }
    }

    /// Whether this is `true`.
    pub fn bool(self) -> bool {
        // INVARIANT: conditions are checked to be true-or-false
        // (`insp::type::mismatch`), so nothing else is ever asked.
        matches!(self, Value::Bool(true))
    }
}

/// The unit of a number or estimate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unit {
    /// A literal: takes the unit of whatever it meets.
    Any,
    /// Dimensionless: a count, or a ratio of two like quantities.
    None,
    /// A named unit: `per 1000 population`, `percent`.
    Named(String),
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unit::Any | Unit::None => f.write_str("no unit"),
            Unit::Named(name) => f.write_str(name),
        }
    }
}

/// The static type of an expression or evidence field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// A number with a unit.
    Number(Unit),
    /// True or false.
    Bool,
    /// Text.
    Text,
    /// Index of the level scale in `Policy::scales`.
    Level(usize),
    /// An estimate (value ± margin) with a unit.
    Estimate(Unit),
    /// A grade on the policy's scale.
    Grade,
}

impl Type {
    /// A rate (`per 1000 population`): never negative, in the evidence
    /// reader and in the analysis alike.
    pub fn is_rate(&self) -> bool {
        matches!(self, Type::Number(Unit::Named(unit)) | Type::Estimate(Unit::Named(unit)) if unit.starts_with("per "))
    }
}

/// A decimal written in plain notation (`-12.50`), only if it is held
/// exactly: `Decimal::from_str` rounds digits beyond its 28 or 29, so that
/// `0.00000000000000000000000000001` would otherwise read as 0.
pub fn exact_decimal(text: &str) -> Option<Decimal> {
    let parsed: Decimal = text.parse().ok()?;
    (canonical_digits(text) == canonical_digits(&parsed.to_string())).then_some(parsed)
}

/// A decimal written with an exponent (`4.55e1`), only if it is held
/// exactly, as `exact_decimal` holds one in plain notation:
/// `Decimal::from_scientific` rounds the digits it cannot keep, so that
/// `45.49999999999999999999999999999e0` would otherwise read as 45.5.
pub fn exact_scientific(text: &str) -> Option<Decimal> {
    let (mantissa, exponent) = text.split_once(['e', 'E'])?;
    let exponent: i32 = exponent.parse().ok()?;
    // Far beyond the range and the places a decimal holds.
    if exponent.unsigned_abs() > 64 {
        return None;
    }
    let parsed = Decimal::from_scientific(text).ok()?;
    let written = plain_notation(mantissa, exponent)?;
    (canonical_digits(&written) == canonical_digits(&parsed.to_string())).then_some(parsed)
}

/// `mantissa × 10^exponent` written without an exponent.
fn plain_notation(mantissa: &str, exponent: i32) -> Option<String> {
    let (sign, digits) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (int, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let all = format!("{int}{fraction}");
    if !all.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Where the point falls among all the digits, once moved.
    let point = i64::try_from(int.len()).ok()? + i64::from(exponent);
    let at = usize::try_from(point.max(0)).ok()?;
    Some(if point <= 0 {
        format!("{sign}0.{}{all}", "0".repeat(point.unsigned_abs() as usize))
    } else if at >= all.len() {
        format!("{sign}{all}{}", "0".repeat(at - all.len()))
    } else {
        format!("{sign}{}.{}", &all[..at], &all[at..])
    })
}

/// A plain decimal's text without `+`, leading zeros of the integer part,
/// trailing zeros of the fraction, or the sign of zero.
fn canonical_digits(text: &str) -> String {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (int, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let int = match int.trim_start_matches('0') {
        "" => "0",
        int => int,
    };
    let fraction = fraction.trim_end_matches('0');
    let sign = if negative && (int != "0" || !fraction.is_empty()) {
        "-"
    } else {
        ""
    };
    match fraction {
        "" => format!("{sign}{int}"),
        fraction => format!("{sign}{int}.{fraction}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_an_exponent_are_read_only_when_held_exactly() {
        for (text, value) in [
            ("4.55e1", "45.5"),
            ("455E-1", "45.5"),
            ("1e3", "1000"),
            ("-2.5e+2", "-250"),
            ("1e-28", "0.0000000000000000000000000001"),
            ("0e5", "0"),
            ("-0.0e1", "0"),
        ] {
            let read = exact_scientific(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(read, value.parse::<Decimal>().unwrap(), "{text}");
        }
        for text in [
            // 31 digits: rounded to 45.5 by the decimal reader.
            "45.49999999999999999999999999999e0",
            "1e-29",
            "1e29",
            "1e999999999",
            "1e",
            "e5",
        ] {
            assert_eq!(exact_scientific(text), None, "{text}");
        }
    }
}
