//! `insp lsp`: a language server over standard input and output, so that
//! editors show insp's diagnostics as the author types, with hover, go to
//! definition, references, completion, formatting and an outline.
//!
//! One module a concern: `transport` (stdio framing), `server` (the loop and
//! dispatch), `documents` and `position` (open texts, UTF-16 positions),
//! `diagnostics` and `analysis` (the two steps of checking), `evidence`
//! (JSON files), `names` (what a name refers to) and one module per feature.

mod analysis;
mod completion;
mod diagnostics;
mod documents;
mod evidence;
mod hover;
mod names;
mod navigation;
mod outline;
mod position;
mod server;
mod transport;

use lsp_types::{
    CompletionOptions, HoverProviderCapability, InitializeParams, InitializeResult, OneOf,
    ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
};
use serde::Deserialize;
pub use server::Ending;
use server::{Config, Server};
use std::path::PathBuf;
use std::time::Duration;

/// The analysis' time per judgement unless the client sets
/// `analysisBudgetMs`: far less than `insp check`'s, as it runs on every edit.
const DEFAULT_BUDGET: Duration = Duration::from_millis(1000);

/// The `initializationOptions` a client may send.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Options {
    /// The policy evidence files are checked against (relative to the workspace).
    policy: Option<PathBuf>,
    /// The analysis' time per judgement, in milliseconds.
    analysis_budget_ms: Option<u64>,
}

/// Serves one session, analysing on a thread of `stack_size` bytes.
/// `Ok(Ending::Clean)` after `shutdown` and `exit`.
pub fn run(stack_size: usize) -> Result<Ending, String> {
    let (connection, threads) = transport::stdio().map_err(|e| e.to_string())?;
    let (id, params) = connection.initialize_start().map_err(|e| e.to_string())?;
    let params: InitializeParams =
        serde_json::from_value(params).map_err(|e| format!("bad initialize parameters: {e}"))?;
    let result = InitializeResult {
        capabilities: capabilities(),
        server_info: Some(ServerInfo {
            name: "insp".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    let result = serde_json::to_value(result).map_err(|e| e.to_string())?;
    connection
        .initialize_finish(id, result)
        .map_err(|e| e.to_string())?;
    let config = config(&params);
    let worker = analysis::Worker::start(config.budget, stack_size).map_err(|e| e.to_string())?;
    let ending = Server::new(connection, config, worker).run();
    threads.join().map_err(|e| e.to_string())?;
    Ok(ending)
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(
            TextDocumentSyncKind::INCREMENTAL,
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![".".into()]),
            ..Default::default()
        }),
        document_formatting_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        ..Default::default()
    }
}

/// The client's options; unreadable ones are ignored (the defaults apply).
fn config(params: &InitializeParams) -> Config {
    let options: Options = params
        .initialization_options
        .clone()
        .and_then(|value| serde_json::from_value(value).ok())
        .unwrap_or_default();
    let root = server::root_of(params);
    Config {
        policy: options
            .policy
            .map(|policy| root.map_or_else(|| policy.clone(), |root| root.join(&policy))),
        budget: options
            .analysis_budget_ms
            .map_or(DEFAULT_BUDGET, Duration::from_millis),
    }
}
