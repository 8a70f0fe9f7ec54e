//! Decision tools for methodology teams: what if the evidence changed, how
//! robust a grade is to the margins of error, and what would change it.

pub mod change;
pub mod diff;
pub mod robust;
pub mod what_if;
