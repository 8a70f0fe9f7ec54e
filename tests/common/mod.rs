//! A small deterministic generator for the property tests (xorshift): the
//! same seed gives the same generated policies and evidence on every run.
//! Also compiled into the formatter's unit tests (`src/syntax/format.rs`).

#![allow(dead_code)]

pub mod layout;

pub struct Rng(pub u64);

impl Rng {
    /// A number in `0..n`.
    pub fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.next(items.len())]
    }
}
