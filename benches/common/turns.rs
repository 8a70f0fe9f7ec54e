//! Timing several engines side by side: their passes taken in turn (a pass
//! of each, then the next round), so that a change in the machine's load
//! falls on every engine alike and the ratios between them hold.

use std::time::{Duration, Instant};

/// A timed engine: the median pass and the spread of all passes.
#[derive(Clone, Copy)]
pub struct Timing {
    pub median: Duration,
    pub fastest: Duration,
    pub slowest: Duration,
}

impl Timing {
    /// The noise: how far the fastest and slowest passes stand from the median.
    pub fn spread(&self) -> f64 {
        let median = self.median.as_secs_f64();
        (self.slowest.as_secs_f64() - self.fastest.as_secs_f64()) / median / 2.0
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
    times.map(|mut times| {
        times.sort();
        Timing {
            median: times[times.len() / 2],
            fastest: times[0],
            slowest: times[times.len() - 1],
        }
    })
}
