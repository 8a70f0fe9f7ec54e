//! Small decimals: the compiled evaluator's numbers.
//!
//! A published figure has few digits, so it fits a 64-bit mantissa with a
//! scale (`45.5` is 455 at scale 1). Sums, differences and products of such
//! numbers are exact in 128-bit integers; a result is kept only when it fits
//! 64 bits again at a scale of at most 28, where the decimal path
//! (`rust_decimal`) is exact too, so both give the same value. Anything else
//! (a wider result, a division the scaled-integer path cannot be sure of,
//! a division by zero) answers `None`, and the caller decides that condition
//! on the decimal path instead, which also reports any error in its words.
//!
//! Only values matter here, not their written scale: the compiled evaluator
//! decides conditions and never prints a number.

use super::exact;
use crate::policy::ArithOp;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::num::NonZeroU8;

/// The largest scale a decimal holds.
const MAX_SCALE: u32 = 28;

/// The powers of ten of `exact::POWERS` that fit an `i64`: scales further
/// apart than 18 are aligned on the decimal path.
const POWERS_64: [i64; 19] = {
    let mut powers = [0; 19];
    let mut n = 0;
    while n < powers.len() {
        powers[n] = exact::POWERS[n] as i64;
        n += 1;
    }
    powers
};

/// A decimal `units × 10^-scale` with a 64-bit mantissa. Not `PartialEq`:
/// `1.0` and `1` are two representations of one value; `compare` them.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Small {
    units: i64,
    /// The scale plus one: never zero, so that a `Result` or `Option` of a
    /// `Small` is as small as a `Small` and is returned in registers.
    scale_1: NonZeroU8,
}

impl Small {
    /// Zero.
    pub const ZERO: Small = Small {
        units: 0,
        scale_1: NonZeroU8::MIN,
    };

    /// A whole number.
    pub fn whole(n: usize) -> Option<Small> {
        Small::new(i128::try_from(n).ok()?, 0)
    }

    /// The decimal, if its mantissa fits 64 bits.
    pub fn from_decimal(n: Decimal) -> Option<Small> {
        Small::new(n.mantissa(), n.scale())
    }

    /// `units × 10^-scale`, if the mantissa fits 64 bits and the scale 28.
    fn new(units: i128, scale: u32) -> Option<Small> {
        if scale > MAX_SCALE {
            return None;
        }
        Some(Small {
            units: i64::try_from(units).ok()?,
            scale_1: NonZeroU8::MIN.saturating_add(scale as u8),
        })
    }

    fn scale(self) -> u8 {
        self.scale_1.get() - 1
    }

    /// `self op other`, exactly, or `None` where the decimal path must decide.
    /// Inlined, so that where the operation is known (an estimate's ends)
    /// no jump by operation is left to mispredict.
    #[inline]
    pub fn arithmetic(self, op: ArithOp, other: Small) -> Option<Small> {
        match op {
            ArithOp::Add => {
                let (a, b, scale) = self.aligned(other)?;
                Small::new(a.checked_add(b)?, scale)
            }
            ArithOp::Sub => {
                let (a, b, scale) = self.aligned(other)?;
                Small::new(a.checked_sub(b)?, scale)
            }
            ArithOp::Mul => Small::new(
                i128::from(self.units) * i128::from(other.units),
                u32::from(self.scale() + other.scale()),
            ),
            ArithOp::Div => self.divide(other),
        }
    }

    /// The quotient rounded to the division scale, when the scaled-integer
    /// path is sure of it; `None` for a zero divisor too.
    fn divide(self, other: Small) -> Option<Small> {
        let units = exact::quotient(
            (self.units, self.scale().into()),
            (other.units, other.scale().into()),
        )?;
        Small::new(units, crate::value::DIVISION_SCALE)
    }

    /// Both mantissas at the larger of the two scales, and that scale;
    /// `None` when the scales are more than 18 apart.
    fn aligned(self, other: Small) -> Option<(i128, i128, u32)> {
        let scale = self.scale().max(other.scale());
        // A power of ten of 64 bits at most, times 64 bits, fits 128 bits:
        // no overflow check is needed (they cost more than the product).
        let at = |n: Small| {
            let power = POWERS_64.get(usize::from(scale - n.scale()))?;
            Some(i128::from(n.units) * i128::from(*power))
        };
        Some((at(self)?, at(other)?, scale.into()))
    }

    /// The order of two values, or `None` where aligning them overflows.
    pub fn compare(self, other: Small) -> Option<Ordering> {
        if self.scale_1 == other.scale_1 {
            return Some(self.units.cmp(&other.units));
        }
        let (a, b, _) = self.aligned(other)?;
        Some(a.cmp(&b))
    }

    /// `-self`.
    pub fn negate(self) -> Option<Small> {
        Some(Small {
            units: self.units.checked_neg()?,
            ..self
        })
    }

    /// `|self|`.
    pub fn abs(self) -> Option<Small> {
        Some(Small {
            units: self.units.checked_abs()?,
            ..self
        })
    }

    /// The value as a decimal (for tests that compare with the decimal path).
    #[cfg(test)]
    pub fn decimal(self) -> Decimal {
        Decimal::from_i128_with_scale(self.units.into(), self.scale().into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::exact::tests::Rng;

    fn small(text: &str) -> Small {
        Small::from_decimal(text.parse().unwrap()).unwrap()
    }

    /// The decimal path's result, as `Context::eval` computes it.
    fn decimal_path(op: ArithOp, a: Decimal, b: Decimal) -> Option<Decimal> {
        super::super::arithmetic(op, a, b, crate::source::Span::default()).ok()
    }

    #[test]
    fn published_figures_are_exact() {
        // In f64, 20.84 >= 0.8 * 26.05 is false.
        let product = small("0.8")
            .arithmetic(ArithOp::Mul, small("26.05"))
            .unwrap();
        assert_eq!(small("20.84").compare(product), Some(Ordering::Equal));
        let ratio = small("45.5")
            .arithmetic(ArithOp::Div, small("60.7"))
            .unwrap();
        assert_eq!(ratio.decimal().to_string(), "0.749588138386");
        let one = small("1.2").arithmetic(ArithOp::Div, small("1.20"));
        assert_eq!(one.unwrap().decimal(), Decimal::ONE);
        assert!(small("1").arithmetic(ArithOp::Div, Small::ZERO).is_none());
    }

    #[test]
    fn wide_values_are_left_to_the_decimal_path() {
        let wide = Decimal::from_i128_with_scale(10i128.pow(20), 0);
        assert!(Small::from_decimal(wide).is_none());
        let big = Small::from_decimal(Decimal::from(i64::MAX)).unwrap();
        assert!(big.arithmetic(ArithOp::Add, small("1")).is_none());
        assert!(big.arithmetic(ArithOp::Mul, small("2")).is_none());
        let least = Small::from_decimal(Decimal::from(i64::MIN)).unwrap();
        assert!(least.negate().is_none());
        // A scale of 28 is exact on both paths; past it, the decimal path rounds.
        let at_28 = small("0.00000000000001").arithmetic(ArithOp::Mul, small("0.00000000000001"));
        assert_eq!(
            at_28.unwrap().decimal().to_string(),
            "0.0000000000000000000000000001"
        );
        let tiny = small("0.000000000000001");
        assert!(tiny.arithmetic(ArithOp::Mul, tiny).is_none());
        // Scales more than 19 apart are aligned on the decimal path.
        assert!(
            small("1")
                .compare(small("0.00000000000000000001"))
                .is_none()
        );
    }

    /// Every operation the fast path answers gives the decimal path's value,
    /// on random values of few and many digits (some overflow the fast path).
    #[test]
    fn agrees_with_the_decimal_path_on_random_values() {
        let mut rng = Rng(0x2014_5eed_0000_0001);
        let ops = [ArithOp::Add, ArithOp::Sub, ArithOp::Mul, ArithOp::Div];
        let (mut fast, mut total) = (0, 0);
        for _ in 0..200_000 {
            let (a, b) = (rng.decimal(), rng.decimal());
            let op = ops[(rng.next() % 4) as usize];
            let (Some(x), Some(y)) = (Small::from_decimal(a), Small::from_decimal(b)) else {
                continue;
            };
            total += 1;
            let order = x.compare(y);
            if let Some(order) = order {
                assert_eq!(order, a.cmp(&b), "{a} cmp {b}");
            }
            let Some(result) = x.arithmetic(op, y) else {
                continue;
            };
            fast += 1;
            let exact =
                decimal_path(op, a, b).expect("the decimal path computes what the fast one does");
            assert_eq!(result.decimal(), exact, "{a} {op:?} {b}");
        }
        assert!(fast > total / 2 && fast < total, "{fast} of {total} fast");
    }
}
