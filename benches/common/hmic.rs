//! The HMIC 2014 policy's criteria hand-written in Rust — generic over the
//! number type, exact decimals or f64 — and a generator of forces' evidence
//! for them: shared by the benches that run insp side by side with
//! hand-written code.

#![allow(dead_code)]

use rust_decimal::Decimal;

pub const LEVELS: [&str; 4] = ["poor", "adequate", "good", "strong"];
pub const RECORDING: [&str; 3] = ["unreliable", "concerns", "accurate"];
/// Per question: the grade's rank (inadequate 0 … outstanding 3), or -1 when it cannot be graded.
pub type Grades = [i8; 3];

/// One generated force: every field the policy declares, its numbers of
/// type `N` (exact decimals, or f64 for the floating-point floor).
#[derive(Clone)]
pub struct Force<N = Decimal> {
    pub crime_rate: N,
    pub crime_national: N,
    pub change: N,
    pub national_change: N,
    pub burglary: N,
    pub burglary_national: N,
    pub asb_rate: N,
    pub asb_national: N,
    pub satisfaction: (N, N),
    pub national_satisfaction: (N, N),
    pub detection: N,
    pub detection_national: N,
    pub prevention: u8,
    pub partnership: u8,
    pub vulnerability: u8,
    pub investigation: u8,
    pub offender_management: u8,
    pub organised_crime: u8,
    pub recommendation: bool,
    pub asb_focus: u8,
    pub asb_engagement: u8,
    pub asb_partnership: u8,
    pub recording: u8,
}

/// A small deterministic generator (xorshift), so that every run sees the same documents.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// A decimal with `scale` places, uniform in [low, high].
    pub fn decimal(&mut self, low: i64, high: i64, scale: u32) -> Decimal {
        let factor = 10i64.pow(scale);
        let span = ((high - low) * factor + 1) as u64;
        Decimal::new(low * factor + (self.next() % span) as i64, scale)
    }

    pub fn level(&mut self, levels: usize) -> u8 {
        // Skewed towards the upper levels, as real findings are.
        let roll = (self.next() % 10) as usize;
        (levels - 1).saturating_sub(roll / 3).min(levels - 1) as u8
    }
}

pub fn generate(count: usize) -> Vec<Force> {
    let mut rng = Rng(0x2014_1105_0000_0001);
    (0..count)
        .map(|_| Force {
            crime_rate: rng.decimal(30, 75, 1),
            crime_national: rng.decimal(55, 65, 1),
            change: rng.decimal(-15, 15, 0),
            national_change: rng.decimal(-3, 1, 0),
            burglary: rng.decimal(2, 12, 1),
            burglary_national: rng.decimal(8, 10, 1),
            asb_rate: rng.decimal(20, 50, 1),
            asb_national: rng.decimal(35, 38, 1),
            satisfaction: (rng.decimal(78, 92, 1), rng.decimal(0, 2, 1)),
            national_satisfaction: (rng.decimal(84, 86, 1), rng.decimal(0, 1, 1)),
            detection: rng.decimal(15, 40, 0),
            detection_national: rng.decimal(24, 28, 0),
            prevention: rng.level(4),
            partnership: rng.level(4),
            vulnerability: rng.level(4),
            investigation: rng.level(4),
            offender_management: rng.level(4),
            organised_crime: rng.level(4),
            recommendation: rng.next().is_multiple_of(2),
            asb_focus: rng.level(4),
            asb_engagement: rng.level(4),
            asb_partnership: rng.level(4),
            recording: rng.level(3),
        })
        .collect()
}

pub fn to_json(f: &Force) -> String {
    let estimate = |(v, m): (Decimal, Decimal)| format!(r#"{{"value": {v}, "margin": {m}}}"#);
    format!(
        r#"{{"force": "generated",
  "crime": {{"rate": {}, "national_rate": {}, "change_last_year": {}, "national_change_last_year": {}}},
  "burglary": {{"rate": {}, "national_rate": {}}},
  "asb": {{"rate": {}, "national_rate": {}, "focus": "{}", "engagement": "{}", "partnership": "{}"}},
  "victims": {{"satisfaction": {}, "national_satisfaction": {}}},
  "detection": {{"rate": {}, "national_rate": {}}},
  "prevention": "{}", "partnership": "{}", "vulnerability": "{}", "investigation": "{}",
  "offender_management": "{}",
  "organised_crime": {{"management": "{}", "recommendation": {}}},
  "crime_recording": "{}"}}"#,
        f.crime_rate,
        f.crime_national,
        f.change,
        f.national_change,
        f.burglary,
        f.burglary_national,
        f.asb_rate,
        f.asb_national,
        LEVELS[f.asb_focus as usize],
        LEVELS[f.asb_engagement as usize],
        LEVELS[f.asb_partnership as usize],
        estimate(f.satisfaction),
        estimate(f.national_satisfaction),
        f.detection,
        f.detection_national,
        LEVELS[f.prevention as usize],
        LEVELS[f.partnership as usize],
        LEVELS[f.vulnerability as usize],
        LEVELS[f.investigation as usize],
        LEVELS[f.offender_management as usize],
        LEVELS[f.organised_crime as usize],
        f.recommendation,
        RECORDING[f.recording as usize],
    )
}
// ---- 2 and 3. hand-written Rust ---------------------------------------------------

pub const OUTSTANDING: i8 = 3;
pub const GOOD: i8 = 2;
pub const REQUIRES_IMPROVEMENT: i8 = 1;
pub const INADEQUATE: i8 = 0;

/// What the hand-written engines need of a number type.
pub trait Number:
    Copy + PartialOrd + std::ops::Add<Output = Self> + std::ops::Sub<Output = Self>
{
    /// `units / 10^scale`, a literal of the policy.
    fn literal(units: i64, scale: u32) -> Self;
    /// `a / b`, as the engine divides.
    fn ratio(a: Self, b: Self) -> Self;
}

impl Number for Decimal {
    fn literal(units: i64, scale: u32) -> Self {
        Decimal::new(units, scale)
    }

    fn ratio(a: Self, b: Self) -> Self {
        // As insp divides: rounded to 12 places.
        (a / b).round_dp(12)
    }
}

impl Number for f64 {
    fn literal(units: i64, scale: u32) -> Self {
        units as f64 / 10f64.powi(scale as i32)
    }

    fn ratio(a: Self, b: Self) -> Self {
        a / b
    }
}

pub fn significantly_above<N: Number>(a: (N, N), b: (N, N)) -> bool {
    a.0 - a.1 > b.0 + b.1
}

pub fn significantly_below<N: Number>(a: (N, N), b: (N, N)) -> bool {
    a.0 + a.1 < b.0 - b.1
}

/// The best grade whose criteria hold, as `resolve highest` chooses.
pub fn highest(outstanding: bool, good: bool, requires_improvement: bool) -> i8 {
    match (outstanding, good, requires_improvement) {
        (true, _, _) => OUTSTANDING,
        (_, true, _) => GOOD,
        (_, _, true) => REQUIRES_IMPROVEMENT,
        _ => INADEQUATE,
    }
}

#[inline(never)]
pub fn hand_written<N: Number>(f: &Force<N>) -> Grades {
    let lit = N::literal;
    let (strong, good, adequate, poor) = (3, 2, 1, 0);
    let crime_ratio = N::ratio(f.crime_rate, f.crime_national);
    let above = significantly_above(f.satisfaction, f.national_satisfaction);
    let reducing = {
        let resolved = highest(
            crime_ratio <= lit(85, 2)
                && f.burglary <= f.burglary_national
                && above
                && f.prevention >= strong
                && f.partnership >= strong,
            crime_ratio <= lit(105, 2)
                && f.change <= f.national_change + lit(10, 0)
                && !significantly_below(f.satisfaction, f.national_satisfaction)
                && f.prevention >= good
                && f.partnership >= good,
            f.prevention >= adequate && f.partnership >= adequate,
        );
        let capped = f.recording == 0 || f.partnership <= poor;
        let floored =
            crime_ratio <= lit(7, 1) && above && f.recording >= 1 && f.partnership >= adequate;
        match (capped, floored) {
            (true, true) => -1,
            (true, false) => resolved.min(REQUIRES_IMPROVEMENT),
            (false, true) => resolved.max(GOOD),
            (false, false) => resolved,
        }
    };
    let investigating = {
        let resolved = highest(
            f.detection >= f.detection_national + lit(5, 0)
                && f.investigation >= strong
                && f.vulnerability >= strong
                && f.offender_management >= strong
                && f.organised_crime >= good,
            f.detection >= f.detection_national
                && f.investigation >= good
                && f.vulnerability >= good,
            f.investigation >= adequate && f.vulnerability >= adequate,
        );
        if f.recommendation {
            resolved.min(GOOD)
        } else {
            resolved
        }
    };
    let asb_ratio = N::ratio(f.asb_rate, f.asb_national);
    let asb = highest(
        asb_ratio <= lit(8, 1)
            && f.asb_focus >= strong
            && f.asb_engagement >= strong
            && f.asb_partnership >= strong
            && f.vulnerability >= strong,
        asb_ratio <= lit(11, 1)
            && f.asb_focus >= good
            && f.asb_engagement >= good
            && f.asb_partnership >= good,
        f.asb_focus >= adequate && f.asb_engagement >= adequate,
    );
    [reducing, investigating, asb]
}
