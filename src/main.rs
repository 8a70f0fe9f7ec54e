//! The `insp` command line: a thin shell over the library. The clap types
//! and one file per command live in `cli/`.

mod cli;
mod lsp;

use clap::Parser;

fn main() -> cli::ExitStatus {
    cli::Cli::parse().run()
}
