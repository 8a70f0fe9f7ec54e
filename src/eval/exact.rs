//! Exact division on scaled integers: the fast path of `a / b`.
//!
//! Published figures have few digits, so both operands usually fit a
//! 64-bit mantissa; then the quotient, rounded half to even at
//! `DIVISION_SCALE` places, is one 128-bit integer division. The result is
//! the very decimal (value and scale) that the decimal path gives,
//! `checked_div` then `round_dp`; where this path cannot be sure of that, it
//! answers `None` and the caller takes the decimal path: an operand beyond
//! 64 bits, a product beyond 128, a zero, a quotient of a million or more,
//! a quotient so near a rounding midpoint that the decimal path's own
//! rounding (to about 28 digits, before rounding to 12) could tip it, and a
//! quotient that ends within 12 places or rounds to zero (its value is
//! certain, but the decimal path's choice of trailing zeros, `0.80` for
//! 20.84 / 26.05, is its own, and explanations print it).

use crate::value::DIVISION_SCALE;
use rust_decimal::Decimal;

/// A quotient at or above this, in units of the last kept place, is left
/// to the decimal path (10^6 with 12 places: its 28 digits then reach
/// past the 22nd place, far below the midpoint margin).
const MAX_QUOTIENT: u128 = 1_000_000 * 10u128.pow(DIVISION_SCALE);

/// How near (as a fraction of the last kept place, `1 / MIDPOINT_MARGIN`)
/// to a midpoint a quotient is left to the decimal path.
const MIDPOINT_MARGIN: u128 = 1_000_000_000;

/// `a / b` rounded to `DIVISION_SCALE` places, half to even, exactly as
/// `a.checked_div(b).map(|q| q.round_dp(DIVISION_SCALE))`; `None` to take
/// that path instead.
pub(crate) fn divide(a: Decimal, b: Decimal) -> Option<Decimal> {
    let (a, b) = (small(a)?, small(b)?);
    if a.0 == 0 {
        return None;
    }
    let (units, exact) = rounded_quotient(a, b)?;
    // A quotient that ends within the kept places has the value the decimal
    // path gives, but not necessarily its trailing zeros; nor has a zero
    // (its scale depends on whether the decimal path's 28 places held it).
    if exact || units == 0 {
        return None;
    }
    Decimal::try_from_i128_with_scale(units, DIVISION_SCALE).ok()
}

/// The value of `a / b` in units of the last kept place (`DIVISION_SCALE`),
/// for operands given as mantissa and scale: the value the decimal path
/// gives, whatever scale it writes it at; `None` to take that path.
pub(crate) fn quotient(a: (i64, u32), b: (i64, u32)) -> Option<i128> {
    Some(rounded_quotient(a, b)?.0)
}

/// The rounded quotient in units of the last kept place, and whether it is
/// exact (nothing was rounded away).
fn rounded_quotient(
    (a_units, a_scale): (i64, u32),
    (b_units, b_scale): (i64, u32),
) -> Option<(i128, bool)> {
    if b_units == 0 {
        return None;
    }
    // a / b = (a_units / b_units) * 10^(b_scale - a_scale); kept to
    // DIVISION_SCALE places: a_units * 10^shift / b_units.
    let shift = DIVISION_SCALE as i32 + b_scale as i32 - a_scale as i32;
    let (numerator, denominator) = scaled(a_units.unsigned_abs(), b_units.unsigned_abs(), shift)?;
    let (truncated, remainder) = divide_with_remainder(numerator, denominator);
    if truncated >= MAX_QUOTIENT {
        return None;
    }
    let units = if remainder == 0 {
        truncated
    } else {
        rounded(truncated, remainder, denominator)?
    } as i128;
    let negative = (a_units < 0) != (b_units < 0);
    Some((if negative { -units } else { units }, remainder == 0))
}

/// `n / d` and `n % d`; in 64 bits where both fit, which is most published
/// figures and several times faster than 128-bit division.
fn divide_with_remainder(n: u128, d: u128) -> (u128, u128) {
    match (u64::try_from(n), u64::try_from(d)) {
        (Ok(n), Ok(d)) => ((n / d).into(), (n % d).into()),
        _ => (n / d, n % d),
    }
}

/// A decimal's mantissa, when it fits 64 bits, and its scale.
fn small(n: Decimal) -> Option<(i64, u32)> {
    Some((i64::try_from(n.mantissa()).ok()?, n.scale()))
}

/// The numerator and denominator of `a * 10^shift / b`, in integers.
fn scaled(a: u64, b: u64, shift: i32) -> Option<(u128, u128)> {
    let power = *POWERS.get(shift.unsigned_abs() as usize)?;
    // 64 bits times a power of ten of at most 64 bits cannot overflow.
    let times = |n: u64| match u64::try_from(power) {
        Ok(_) => Some(u128::from(n) * power),
        Err(_) => u128::from(n).checked_mul(power),
    };
    if shift >= 0 {
        Some((times(a)?, u128::from(b)))
    } else {
        Some((u128::from(a), times(b)?))
    }
}

/// `10^n` for every `n` whose power fits 128 bits.
pub(crate) const POWERS: [u128; 39] = {
    let mut powers = [1u128; 39];
    let mut n = 1;
    while n < powers.len() {
        powers[n] = powers[n - 1] * 10;
        n += 1;
    }
    powers
};

/// `truncated + remainder / denominator` rounded half to even; `None` when
/// it lies too near the midpoint to be sure of the decimal path's rounding.
fn rounded(truncated: u128, remainder: u128, denominator: u128) -> Option<u128> {
    let twice = remainder * 2;
    let distance = twice.abs_diff(denominator);
    if distance != 0 && distance.checked_mul(MIDPOINT_MARGIN)? <= denominator {
        return None;
    }
    let up = twice > denominator || (twice == denominator && truncated % 2 == 1);
    Some(truncated + u128::from(up))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The decimal path that `divide` must match.
    fn decimal_path(a: Decimal, b: Decimal) -> Option<Decimal> {
        a.checked_div(b).map(|q| q.round_dp(DIVISION_SCALE))
    }

    /// A small deterministic generator (xorshift), so that every run sees the same values.
    pub(crate) struct Rng(pub u64);

    impl Rng {
        pub(crate) fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// A decimal of 1 to 28 digits (so some overflow the fast path),
        /// most of them of few digits, as published figures are.
        pub(crate) fn decimal(&mut self) -> Decimal {
            let digits = match self.next() % 4 {
                0 => 1 + self.next() % 28,
                _ => 1 + self.next() % 6,
            } as u32;
            let units = i128::from(self.next() % 10u64.pow(digits.min(19)))
                * if digits > 19 {
                    10i128.pow(digits - 19) + 7
                } else {
                    1
                };
            let scale = (self.next() % u64::from(digits.min(28) + 1)) as u32;
            let signed = if self.next().is_multiple_of(3) {
                -units
            } else {
                units
            };
            Decimal::from_i128_with_scale(signed, scale)
        }
    }

    fn assert_same(a: Decimal, b: Decimal) -> bool {
        let Some(fast) = divide(a, b) else {
            return false;
        };
        let exact = decimal_path(a, b).expect("the decimal path divides what the fast one does");
        assert_eq!(fast.to_string(), exact.to_string(), "{a} / {b}");
        assert_eq!(fast, exact, "{a} / {b}");
        true
    }

    #[test]
    fn agrees_with_the_decimal_path_on_random_values() {
        let mut rng = Rng(0x2014_0000_dead_beef);
        let (mut fast, mut total) = (0, 0);
        for _ in 0..200_000 {
            let (a, b) = (rng.decimal(), rng.decimal());
            total += 1;
            fast += usize::from(assert_same(a, b));
        }
        // Most pairs of few digits take the fast path; wide ones fall back.
        assert!(fast > total / 2 && fast < total, "{fast} of {total} fast");
    }

    #[test]
    fn agrees_on_published_figures_and_ties() {
        let cases = [
            ("45.5", "60.4"),
            ("45.5", "60.3"),
            ("1.2", "1.2"),
            ("20.84", "26.05"),
            ("1", "3"),
            ("2", "3"),
            ("-2", "3"),
            ("1", "8000000000000"),
            ("1", "2000000000000"),
            ("3", "2000000000000"),
            ("5", "2000000000000"),
            ("7", "2000000000000"),
            ("5", "0.5"),
            ("50.00", "5.0"),
            ("0.00000000000000000001", "3"),
            ("999999.9", "0.1"),
            ("123456789.123", "0.000007"),
        ];
        let mut fast = 0;
        for (a, b) in cases {
            let (a, b): (Decimal, Decimal) = (a.parse().unwrap(), b.parse().unwrap());
            fast += usize::from(assert_same(a, b));
        }
        assert!(fast >= 8, "{fast} fast");
    }

    #[test]
    fn leaves_wide_values_and_zeros_to_the_decimal_path() {
        let wide = Decimal::from_i128_with_scale(10i128.pow(25), 2);
        assert_eq!(divide(wide, Decimal::ONE), None);
        assert_eq!(divide(Decimal::ONE, Decimal::ZERO), None);
        assert_eq!(divide(Decimal::ZERO, Decimal::ONE), None);
        assert_eq!(divide(Decimal::from(4_000_000), Decimal::from(3)), None);
        // Quotients that end within 12 places keep the decimal path's scale.
        assert_eq!(divide(Decimal::new(2084, 2), Decimal::new(2605, 2)), None);
    }

    /// A quotient that rounds to zero is written at the decimal path's own
    /// scale: `0` where its 28 places already lost it (3.3e-29), twelve
    /// zeros where they held it (3.3e-21). The fast path leaves zeros to it.
    #[test]
    fn agrees_on_quotients_that_round_to_zero() {
        let cases = [
            ("0.0000000000000000000000000001", "3"),
            ("-0.0000000000000000000000000001", "3"),
            ("0.00000000000000000001", "3"),
            ("1", "-3000000000000000"),
        ];
        for (a, b) in cases {
            let (a, b): (Decimal, Decimal) = (a.parse().unwrap(), b.parse().unwrap());
            assert_same(a, b);
            assert_eq!(divide(a, b), None, "{a} / {b}");
        }
        // 0.12345678901 + 1.1e-30: the decimal path keeps twelve places.
        let (a, b) = (
            Decimal::from(1111111095338082632i64),
            Decimal::from(8999999953409468899i64),
        );
        assert!(assert_same(a, b), "{a} / {b} takes the fast path");
    }
}
