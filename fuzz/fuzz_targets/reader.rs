//! Any text as the evidence file for the shipped HMIC crime policy, read
//! only: the fast evidence reader and the spanned one agree on every input.
//! The `evidence` target checks the same and grades, explains and reports
//! each input too, which makes it about fifteen times slower (some 90
//! inputs a second against 1,400 here); this one spends all its time on the
//! readers.

#![no_main]

use insp::Source;
use insp_fuzz::{hmic_policy, readers_agree};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    insp_fuzz::on_big_stack(|| readers_agree(hmic_policy(), &Source::new("fuzz.json", text)));
});
