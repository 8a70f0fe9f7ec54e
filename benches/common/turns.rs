//! Timing several engines side by side: their passes taken in turn (a pass
//! of each, then the next round), so that a change in the machine's load
//! falls on every engine alike and the ratios between them hold.

use std::time::{Duration, Instant};

/// A timed engine: the median pass and the spread of all passes.
#[derive(Clone)]
pub struct Timing {
    pub median: Duration,
    pub fastest: Duration,
    pub slowest: Duration,
    /// Every pass, in the order the rounds were taken.
    passes: Vec<Duration>,
}

/// One engine's time over another's, round by round: the median of the
/// rounds' ratios, and the noise (half their spread, relative to it).
pub struct Ratio {
    pub median: f64,
    pub noise: f64,
}

impl Timing {
    /// The noise: how far the fastest and slowest passes stand from the median.
    pub fn spread(&self) -> f64 {
        let median = self.median.as_secs_f64();
        (self.slowest.as_secs_f64() - self.fastest.as_secs_f64()) / median / 2.0
    }

    /// This engine's time over `other`'s. The two passes of a round ran one
    /// after the other, under about the same load, so the ratio of each
    /// round holds even where the load changed between rounds; their median
    /// is steadier than the ratio of the two medians.
    pub fn ratio_to(&self, other: &Timing) -> Ratio {
        let mut ratios: Vec<f64> = (self.passes.iter().zip(&other.passes))
            .map(|(mine, theirs)| mine.as_secs_f64() / theirs.as_secs_f64())
            .collect();
        ratios.sort_by(f64::total_cmp);
        let median = ratios[ratios.len() / 2];
        let noise = (ratios[ratios.len() - 1] - ratios[0]) / median / 2.0;
        Ratio { median, noise }
    }
}

/// `runs` timed passes of each engine, taken in turn: each engine's median
/// and spread.
pub fn in_turn<const N: usize>(runs: usize, mut engines: [&mut dyn FnMut(); N]) -> [Timing; N] {
    let mut times = [(); N].map(|_| Vec::with_capacity(runs));
    for _ in 0..runs.max(1) {
        for (engine, times) in engines.iter_mut().zip(&mut times) {
            let start = Instant::now();
            engine();
            times.push(start.elapsed());
        }
    }
    times.map(|passes| {
        let mut sorted = passes.clone();
        sorted.sort();
        Timing {
            median: sorted[sorted.len() / 2],
            fastest: sorted[0],
            slowest: sorted[sorted.len() - 1],
            passes,
        }
    })
}
