//! The analysis of `insp check` on a worker thread, so that a long analysis
//! never holds back syntax diagnostics or answers: the server hands it each
//! compiled policy and publishes what comes back only if the document has
//! not changed meanwhile. Jobs queued for the same document are coalesced:
//! only the newest text is analysed.

use super::diagnostics::{Target, convert_findings};
use crossbeam_channel::{Receiver, Sender, unbounded};
use insp::Policy;
use lsp_types::Uri;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

/// A compiled policy to analyse: the document and version it came from.
pub struct Job {
    pub uri: Uri,
    pub version: i32,
    pub policy: Arc<Policy>,
}

/// The analysis' findings for a version of a document.
pub struct Done {
    pub uri: Uri,
    pub version: i32,
    pub diagnostics: Vec<lsp_types::Diagnostic>,
}

/// The worker: send it jobs, receive what it found.
pub struct Worker {
    jobs: Sender<Job>,
    pub results: Receiver<Done>,
}

impl Worker {
    /// Starts the worker thread, on a stack of `stack_size` bytes (the
    /// command line's, which the library's depth limits are set for);
    /// `budget` bounds the time per judgement.
    pub fn start(budget: Duration, stack_size: usize) -> std::io::Result<Worker> {
        let (jobs, queue) = unbounded();
        let (found, results) = unbounded();
        thread::Builder::new()
            .name("insp-analysis".into())
            .stack_size(stack_size)
            .spawn(move || work(&queue, &found, budget))?;
        Ok(Worker { jobs, results })
    }

    pub fn submit(&self, job: Job) {
        // The worker ends only when the server drops this sender.
        let _ = self.jobs.send(job);
    }
}

fn work(queue: &Receiver<Job>, found: &Sender<Done>, budget: Duration) {
    while let Ok(first) = queue.recv() {
        for job in newest_per_document(first, queue) {
            let Some(diagnostics) = analyse(&job, budget) else {
                continue;
            };
            let done = Done {
                uri: job.uri,
                version: job.version,
                diagnostics,
            };
            if found.send(done).is_err() {
                return;
            }
        }
    }
}

/// The job received and those queued behind it, one per document: its newest.
fn newest_per_document(first: Job, queue: &Receiver<Job>) -> Vec<Job> {
    let mut jobs: Vec<Job> = vec![first];
    for job in queue.try_iter() {
        match jobs.iter_mut().find(|queued| queued.uri == job.uri) {
            Some(queued) => *queued = job,
            None => jobs.push(job),
        }
    }
    jobs
}

/// The findings as LSP diagnostics; `None` if the analysis failed (a bug,
/// logged by the panic hook on standard error): the server keeps serving.
fn analyse(job: &Job, budget: Duration) -> Option<Vec<lsp_types::Diagnostic>> {
    catch_unwind(AssertUnwindSafe(|| {
        let findings = insp::analyse_within(&job.policy, budget);
        let target = Target {
            uri: &job.uri,
            source: &job.policy.source,
        };
        convert_findings(&target, &findings)
    }))
    .ok()
}
