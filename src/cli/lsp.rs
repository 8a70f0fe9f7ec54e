//! `insp lsp`: the language server (`src/lsp/`), with the exit status the
//! protocol asks for.

use super::ExitStatus;
use crate::lsp::{self, Ending};

pub fn run() -> ExitStatus {
    match lsp::run(super::STACK_SIZE) {
        Ok(Ending::Clean) => ExitStatus::Ok,
        // The protocol: `exit` without `shutdown` exits with 1.
        Ok(Ending::Abrupt) => ExitStatus::Failed,
        Err(error) => {
            eprintln!("insp lsp: {error}");
            ExitStatus::Invalid
        }
    }
}
