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
