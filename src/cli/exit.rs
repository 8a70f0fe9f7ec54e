//! The exit statuses `insp` promises (README, "Exit status").

use std::process::{ExitCode, Termination};

/// How a run ended. Ordered, so that the worst of several results wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// Everything graded, passed, formatted or found sound.
    Ok = 0,
    /// The evidence or the tests failed: a conflict, missing evidence, a
    /// failed case, a file not formatted (`fmt --check`).
    Failed = 1,
    /// The policy or the command line is invalid (including a file or
    /// folder named on it that cannot be read).
    Invalid = 2,
}

impl Termination for ExitStatus {
    fn report(self) -> ExitCode {
        ExitCode::from(self as u8)
    }
}
