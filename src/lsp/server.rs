//! The server loop: requests answered, notifications applied, diagnostics
//! published in two steps (compile first, the analysis' findings when the
//! worker has them) and debounced: edits queued behind one another are
//! applied before any document is checked again.

use super::analysis::{Done, Job, Worker};
use super::diagnostics::{self, Target};
use super::documents::{Documents, Kind, path_of};
use super::transport::{READ_ERROR, log_error};
use super::{completion, evidence, hover, navigation, outline, position};
use crossbeam_channel::select;
use insp::{Policy, Source};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest, References,
    Request as _,
};
use lsp_types::{
    CompletionParams, CompletionResponse, DiagnosticSeverity, DocumentFormattingParams,
    DocumentSymbolParams, DocumentSymbolResponse, GotoDefinitionParams, GotoDefinitionResponse,
    Hover, HoverContents, HoverParams, Location, MarkupContent, MarkupKind,
    PublishDiagnosticsParams, ReferenceParams, TextDocumentPositionParams, TextEdit, Uri,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::Arc;

/// What the client configured (`initializationOptions`).
#[derive(Default)]
pub struct Config {
    /// The policy evidence files are checked against, if named.
    pub policy: Option<PathBuf>,
    /// The time the analysis may spend on one judgement.
    pub budget: std::time::Duration,
}

/// How the session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// `shutdown`, then `exit`.
    Clean,
    /// `exit` without `shutdown`, or the client went away.
    Abrupt,
}

pub struct Server {
    connection: Connection,
    documents: Documents,
    config: Config,
    worker: Worker,
    /// Documents edited since they were last checked.
    stale: HashSet<Uri>,
}

impl Server {
    pub fn new(connection: Connection, config: Config, worker: Worker) -> Self {
        Server {
            connection,
            documents: Documents::default(),
            config,
            worker,
            stale: HashSet::new(),
        }
    }

    /// Serves until `exit` or until the client goes away.
    pub fn run(mut self) -> Ending {
        loop {
            if !self.stale.is_empty() && self.connection.receiver.is_empty() {
                self.check_stale();
            }
            select! {
                recv(self.connection.receiver) -> message => {
                    let Ok(message) = message else { return Ending::Abrupt };
                    if let Some(ending) = self.handle(message) {
                        return ending;
                    }
                }
                recv(self.worker.results) -> done => {
                    if let Ok(done) = done {
                        self.publish_analysis(done);
                    }
                }
            }
        }
    }

    fn handle(&mut self, message: Message) -> Option<Ending> {
        match message {
            Message::Request(request) => {
                match self.connection.handle_shutdown(&request) {
                    // `handle_shutdown` answered and waited for `exit`.
                    Ok(true) => return Some(Ending::Clean),
                    Ok(false) => {}
                    Err(error) => {
                        self.log(&format!("no exit after shutdown: {error}"));
                        return Some(Ending::Clean);
                    }
                }
                let response = self.respond(request);
                self.send(Message::Response(response));
            }
            Message::Notification(notification) if notification.method == "exit" => {
                return Some(Ending::Abrupt);
            }
            Message::Notification(notification) => self.notified(notification),
            Message::Response(_) => {}
        }
        None
    }

    fn respond(&mut self, request: Request) -> Response {
        match request.method.as_str() {
            HoverRequest::METHOD => self.answer::<HoverRequest>(request, Self::hover),
            GotoDefinition::METHOD => self.answer::<GotoDefinition>(request, Self::definition),
            References::METHOD => self.answer::<References>(request, Self::references),
            Completion::METHOD => self.answer::<Completion>(request, Self::completion),
            Formatting::METHOD => self.answer::<Formatting>(request, Self::formatting),
            DocumentSymbolRequest::METHOD => {
                self.answer::<DocumentSymbolRequest>(request, Self::symbols)
            }
            method => Response::new_err(
                request.id,
                ErrorCode::MethodNotFound as i32,
                format!("insp does not handle `{method}`"),
            ),
        }
    }

    /// Answers a request with `handler`; bad parameters and failures are
    /// error responses, never the end of the session.
    fn answer<R>(
        &mut self,
        request: Request,
        handler: fn(&mut Self, R::Params) -> R::Result,
    ) -> Response
    where
        R: lsp_types::request::Request,
        R::Params: DeserializeOwned,
        R::Result: Serialize,
    {
        let id = request.id.clone();
        let params = match request.extract::<R::Params>(R::METHOD) {
            Ok((_, params)) => params,
            Err(error) => {
                return Response::new_err(id, ErrorCode::InvalidParams as i32, error.to_string());
            }
        };
        match catch_unwind(AssertUnwindSafe(|| handler(self, params))) {
            Ok(result) => Response::new_ok(id, result),
            Err(_) => Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!(
                    "insp failed answering `{}` (a bug); the server goes on",
                    R::METHOD
                ),
            ),
        }
    }

    fn notified(&mut self, notification: Notification) {
        let method = notification.method.clone();
        let result = match method.as_str() {
            DidOpenTextDocument::METHOD => notification
                .extract::<lsp_types::DidOpenTextDocumentParams>(&method)
                .map(|params| {
                    let document = params.text_document;
                    let uri = document.uri;
                    self.documents.open(
                        uri.clone(),
                        document.version,
                        document.text,
                        &document.language_id,
                    );
                    self.stale.insert(uri);
                }),
            DidChangeTextDocument::METHOD => notification
                .extract::<lsp_types::DidChangeTextDocumentParams>(&method)
                .map(|params| {
                    let document = params.text_document;
                    if self.documents.change(
                        &document.uri,
                        document.version,
                        params.content_changes,
                    ) {
                        self.stale.insert(document.uri);
                    }
                }),
            DidCloseTextDocument::METHOD => notification
                .extract::<lsp_types::DidCloseTextDocumentParams>(&method)
                .map(|params| self.close(params.text_document.uri)),
            READ_ERROR => {
                let problem = notification.params.as_str().unwrap_or("unreadable message");
                self.log(problem);
                Ok(())
            }
            _ => Ok(()),
        };
        if let Err(error) = result {
            self.log(&format!("ignored `{method}`: {error}"));
        }
    }

    fn close(&mut self, uri: Uri) {
        self.documents.close(&uri);
        self.stale.remove(&uri);
        self.publish(uri, None, Vec::new());
    }

    fn check_stale(&mut self) {
        for uri in std::mem::take(&mut self.stale) {
            self.check(&uri);
        }
    }

    /// Checks a document now if it was edited since last checked, so that
    /// an answer about it reads its current text.
    fn check_if_stale(&mut self, uri: &Uri) {
        if self.stale.remove(uri) {
            self.check(uri);
        }
    }

    fn check(&mut self, uri: &Uri) {
        match self.documents.get(uri).map(|d| d.kind) {
            Some(Kind::Policy) => self.check_policy(uri),
            Some(Kind::Evidence) => self.check_evidence(uri),
            None => {}
        }
    }

    /// Step one: compile and publish syntax, name, type and unit problems at
    /// once; then hand the policy to the analysis (step two).
    fn check_policy(&mut self, uri: &Uri) {
        let Some(document) = self.documents.get_mut(uri) else {
            return;
        };
        let source = document.source.clone();
        let target = Target {
            uri,
            source: &source,
        };
        let (diagnostics, policy) = match catch_unwind(|| insp::compile(&source)) {
            Ok(Ok(policy)) => (
                diagnostics::convert(&target, &policy.warnings),
                Some(Arc::new(policy)),
            ),
            Ok(Err(errors)) => (diagnostics::convert(&target, &errors), None),
            Err(_) => (vec![bug("compiling this policy")], None),
        };
        document.compile_diagnostics = diagnostics.clone();
        document.policy_is_current = policy.is_some();
        if policy.is_some() {
            document.policy = policy.clone();
        }
        let version = document.version;
        self.publish(uri.clone(), Some(version), diagnostics);
        if let Some(policy) = policy {
            self.worker.submit(Job {
                uri: uri.clone(),
                version,
                policy,
            });
            // Evidence graded against this policy may read differently now.
            self.stale.extend(self.documents.uris_of(Kind::Evidence));
        }
    }

    /// Step two: the analysis' findings join the compile diagnostics, if
    /// the document is still as analysed.
    fn publish_analysis(&mut self, done: Done) {
        let Some(document) = self.documents.get(&done.uri) else {
            return;
        };
        if document.version != done.version || !document.policy_is_current {
            return;
        }
        let mut all = document.compile_diagnostics.clone();
        all.extend(done.diagnostics);
        self.publish(done.uri, Some(done.version), all);
    }

    fn check_evidence(&mut self, uri: &Uri) {
        let Some(document) = self.documents.get(uri) else {
            return;
        };
        let target = Target {
            uri,
            source: &document.source,
        };
        let diagnostics = match self.policy_for(&document.source) {
            Ok(None) => Vec::new(),
            Ok(Some(policy)) => {
                let graded = catch_unwind(AssertUnwindSafe(|| {
                    insp::assess(&policy, &document.source, false).diagnostics
                }));
                match graded {
                    Ok(found) => diagnostics::convert(&target, &found),
                    Err(_) => vec![bug("grading this evidence")],
                }
            }
            Err(problem) => vec![diagnostics::at_start(DiagnosticSeverity::WARNING, problem)],
        };
        let version = document.version;
        self.publish(uri.clone(), Some(version), diagnostics);
    }

    /// The policy an evidence file is graded against: the open document's
    /// text if the policy is open, else the file's; `None` if it has none.
    fn policy_for(&self, evidence: &Source) -> Result<Option<Arc<Policy>>, String> {
        let configured = self.config.policy.as_deref();
        let Some(path) = evidence::policy_path(std::path::Path::new(evidence.name()), configured)?
        else {
            return Ok(None);
        };
        let has_errors = || {
            format!(
                "the policy `{}` has errors: fix them to check this evidence",
                path.display()
            )
        };
        if let Some((_, open)) = self.documents.find_by_path(&path) {
            return open
                .current_policy()
                .cloned()
                .map(Some)
                .ok_or_else(has_errors);
        }
        let text = insp::read_text(&path.to_string_lossy()).map_err(|e| e.message)?;
        insp::compile(&Source::new(path.to_string_lossy(), text))
            .map(|policy| Some(Arc::new(policy)))
            .map_err(|_| has_errors())
    }

    fn hover(&mut self, params: HoverParams) -> Option<Hover> {
        let (uri, at) = self.locate(&params.text_document_position_params)?;
        let document = self.documents.get(&uri)?;
        let policy = document.policy.as_ref()?;
        let offset = position::offset(&document.source, at);
        let (span, markdown) = hover::hover(policy, document.source.text(), offset)?;
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: markdown,
            }),
            range: Some(position::range(&document.source, span)),
        })
    }

    fn definition(&mut self, params: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
        let (uri, at) = self.locate(&params.text_document_position_params)?;
        let document = self.documents.get(&uri)?;
        let policy = document.current_policy()?;
        let target = Target {
            uri: &uri,
            source: &document.source,
        };
        let offset = position::offset(&document.source, at);
        navigation::definition(policy, &target, offset).map(GotoDefinitionResponse::Scalar)
    }

    fn references(&mut self, params: ReferenceParams) -> Option<Vec<Location>> {
        let (uri, at) = self.locate(&params.text_document_position)?;
        let document = self.documents.get(&uri)?;
        let policy = document.current_policy()?;
        let target = Target {
            uri: &uri,
            source: &document.source,
        };
        let offset = position::offset(&document.source, at);
        let with_declaration = params.context.include_declaration;
        Some(navigation::references(
            policy,
            &target,
            offset,
            with_declaration,
        ))
    }

    fn completion(&mut self, params: CompletionParams) -> Option<CompletionResponse> {
        let (uri, at) = self.locate(&params.text_document_position)?;
        let document = self
            .documents
            .get(&uri)
            .filter(|d| d.kind == Kind::Policy)?;
        let offset = position::offset(&document.source, at);
        let items = completion::complete(document.policy.as_deref(), &document.source, offset);
        Some(CompletionResponse::Array(items))
    }

    fn formatting(&mut self, params: DocumentFormattingParams) -> Option<Vec<TextEdit>> {
        let document = self.documents.get(&params.text_document.uri)?;
        if document.kind != Kind::Policy {
            return None;
        }
        outline::format(&document.source)
    }

    fn symbols(&mut self, params: DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
        let uri = params.text_document.uri;
        self.check_if_stale(&uri);
        let policy = self.documents.get(&uri)?.current_policy()?;
        Some(DocumentSymbolResponse::Nested(outline::symbols(policy)))
    }

    /// The document and position a request is about, checked first if edited.
    fn locate(&mut self, at: &TextDocumentPositionParams) -> Option<(Uri, lsp_types::Position)> {
        let uri = at.text_document.uri.clone();
        self.check_if_stale(&uri);
        Some((uri, at.position))
    }

    fn publish(&self, uri: Uri, version: Option<i32>, diagnostics: Vec<lsp_types::Diagnostic>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Message::Notification(Notification::new(
            PublishDiagnostics::METHOD.to_string(),
            params,
        )));
    }

    fn send(&self, message: Message) {
        // Fails only when the client is gone; the loop then ends on its own.
        let _ = self.connection.sender.send(message);
    }

    fn log(&self, message: &str) {
        log_error(&self.connection.sender, message);
    }
}

/// A diagnostic for a failure of insp itself, so that the author is told.
fn bug(doing: &str) -> lsp_types::Diagnostic {
    diagnostics::at_start(
        DiagnosticSeverity::ERROR,
        format!("insp failed {doing} (a bug in insp; please report it)"),
    )
}

/// The workspace's root folder, from the initialize parameters.
pub fn root_of(params: &lsp_types::InitializeParams) -> Option<PathBuf> {
    let folder = params
        .workspace_folders
        .iter()
        .flatten()
        .next()
        .map(|f| &f.uri);
    #[allow(deprecated)] // older clients send only `rootUri`.
    let root = folder.or(params.root_uri.as_ref())?;
    path_of(root)
}
