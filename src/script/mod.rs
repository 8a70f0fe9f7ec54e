//! The Rhai sandbox: helper functions a policy loads with `use "file.rhai"`
//! or writes inline in `script { ... }`, compiled once per policy load and
//! called from conditions and lets. No file, network or process access, no
//! module imports, no clock and no `sleep`, and limits on operations, time,
//! call depth, expression depth and data sizes, so that a runaway helper is
//! stopped and reported.

mod convert;

pub use convert::{from_dynamic, to_dynamic};

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{Source, Span};
use crate::syntax::ast::ScriptDecl;
use rhai::{AST, CallFnOptions, Dynamic, Engine, EvalAltResult, Position, Scope};
use std::cell::Cell;
use std::path::Path;
use std::time::{Duration, Instant};

/// The sandbox's limits. Each is per helper call. The depths are capped at
/// `MAX_CALL_LEVELS` and `MAX_EXPR_DEPTH` whatever is asked: deeper would
/// risk the stack.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptLimits {
    /// Operations a helper may run before it is stopped.
    pub max_operations: u64,
    /// Milliseconds a helper may run before it is stopped.
    pub max_millis: u64,
    /// Depth of nested function calls.
    pub max_call_levels: usize,
    /// Depth of nested expressions.
    pub max_expr_depth: usize,
    /// Length of a string, in characters.
    pub max_string_size: usize,
    /// Items in an array.
    pub max_array_size: usize,
    /// Entries in a map.
    pub max_map_size: usize,
}

impl Default for ScriptLimits {
    fn default() -> Self {
        ScriptLimits {
            max_operations: 100_000,
            max_millis: 1_000,
            max_call_levels: 32,
            // Set explicitly: Rhai's own default differs between debug and release builds.
            max_expr_depth: 32,
            max_string_size: 10_000,
            max_array_size: 1_000,
            max_map_size: 1_000,
        }
    }
}

impl ScriptLimits {
    /// The deepest nesting of helper calls allowed: within the stack of the
    /// threads that grade evidence, debug builds included.
    pub const MAX_CALL_LEVELS: usize = 256;
    /// The deepest nesting of a helper's expressions allowed.
    pub const MAX_EXPR_DEPTH: usize = 256;
}

thread_local! {
    /// When the helper running on this thread must stop (`max_millis`).
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// How often (in operations) the clock is read: reading it costs more than
/// an operation.
const OPERATIONS_PER_CLOCK_READ: u64 = 256;

/// A script source: a `.rhai` file, or an inline block inside the policy.
pub struct ScriptSource {
    pub source: Source,
    /// Where the script's code lies in `source`: all of a file, or the
    /// inside of a `script { ... }` block.
    pub base: usize,
    pub end: usize,
}

impl ScriptSource {
    pub fn code(&self) -> &str {
        &self.source.text()[self.base..self.end]
    }

    /// The byte offset in `source` of a Rhai position (1-based line and column).
    pub fn offset(&self, position: Position) -> usize {
        let text = self.code();
        let (Some(line), Some(column)) = (position.line(), position.position()) else {
            return self.base;
        };
        let line_start: usize = text
            .split_inclusive('\n')
            .take(line - 1)
            .map(str::len)
            .sum();
        let in_line = text[line_start.min(text.len())..]
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(0, |(i, _)| i);
        (self.base + line_start + in_line).min(self.source.text().len())
    }

    pub fn span(&self, position: Position) -> Span {
        let start = self.offset(position);
        let width = self.source.text()[start..]
            .chars()
            .next()
            .map_or(0, char::len_utf8);
        Span::new(start, start + width)
    }
}

/// A helper function, as the checker sees it.
pub struct Helper {
    pub name: String,
    pub params: Vec<String>,
    /// Index into `Scripts::sources`.
    pub script: usize,
}

/// The compiled helpers of one policy.
pub struct Scripts {
    engine: Engine,
    /// One compiled script per source: a helper can call the functions of
    /// its own script, and errors are placed in the script that failed.
    asts: Vec<AST>,
    pub sources: Vec<ScriptSource>,
    pub helpers: Vec<Helper>,
    pub limits: ScriptLimits,
    /// Some script could not be read or compiled, so some helpers are unknown.
    pub incomplete: bool,
}

/// Why a helper call failed, in the script's terms.
#[derive(Debug, Clone, PartialEq)]
pub struct ScriptError {
    pub message: String,
    /// The script and place where it failed, when Rhai knows them.
    pub at: Option<(usize, Span)>,
    /// A limit of the sandbox was hit (the help says which flag raises it).
    pub limit: Option<&'static str>,
}

impl Scripts {
    /// Compiles every script of a policy. Problems are returned as diagnostics.
    pub fn load(
        decls: &[ScriptDecl],
        policy: &Source,
        limits: ScriptLimits,
    ) -> (Option<Scripts>, Vec<Diagnostic>) {
        if decls.is_empty() {
            return (None, Vec::new());
        }
        let engine = sandbox(limits);
        let mut diagnostics = Vec::new();
        let mut scripts = Scripts {
            asts: Vec::new(),
            engine,
            sources: Vec::new(),
            helpers: Vec::new(),
            limits,
            incomplete: false,
        };
        for decl in decls {
            let Some(source) = read(decl, policy, &mut diagnostics) else {
                scripts.incomplete = true;
                continue;
            };
            let index = scripts.sources.len();
            match scripts.engine.compile(source.code()) {
                Ok(ast) => {
                    scripts.add_helpers(&ast, index, &source, &mut diagnostics);
                    scripts.asts.push(ast);
                }
                Err(error) => {
                    scripts.incomplete = true;
                    scripts.asts.push(AST::empty());
                    diagnostics.push(
                    Diagnostic::error(Code::ScriptSyntax, format!("the helper script does not compile: {}", error.err_type()))
                        .in_source(&source.source)
                        .primary(source.span(error.position()), "here")
                        .help("helpers are Rhai functions, e.g. `fn percent_change(before, after) { (after - before) / before * 100.0 }`; module imports and `eval` are not allowed"),
                    )
                }
            }
            scripts.sources.push(source);
        }
        (Some(scripts), diagnostics)
    }

    fn add_helpers(
        &mut self,
        ast: &AST,
        index: usize,
        source: &ScriptSource,
        diagnostics: &mut Vec<Diagnostic>,
    ) {
        for function in ast.iter_functions() {
            if let Some(earlier) = self.helpers.iter().find(|h| h.name == function.name) {
                let again = function.name;
                diagnostics.push(
                    Diagnostic::error(
                        Code::Duplicate,
                        format!("helper `{again}` is defined twice"),
                    )
                    .in_source(&source.source)
                    .primary(
                        Span::new(source.base, source.base),
                        format!("this script defines `{again}` again"),
                    )
                    .help(format!(
                        "`{}` is already defined in {}; rename one",
                        earlier.name,
                        self.sources
                            .get(earlier.script)
                            .map_or("this script", |s| s.source.name())
                    )),
                );
                continue;
            }
            self.helpers.push(Helper {
                name: function.name.to_string(),
                params: function.params.iter().map(|p| p.to_string()).collect(),
                script: index,
            });
        }
    }

    pub fn helper(&self, name: &str) -> Option<usize> {
        self.helpers.iter().position(|h| h.name == name)
    }

    /// Calls a helper with arguments already converted to Rhai values.
    pub fn call(&self, helper: usize, args: Vec<Dynamic>) -> Result<Dynamic, ScriptError> {
        let options = CallFnOptions::new().eval_ast(false).rewind_scope(true);
        let Helper { name, script, .. } = &self.helpers[helper];
        let deadline = Instant::now() + Duration::from_millis(self.limits.max_millis);
        // A helper called from a helper's arguments keeps the outer deadline.
        let outer = DEADLINE.replace(Some(deadline));
        let result = self.engine.call_fn_with_options::<Dynamic>(
            options,
            &mut Scope::new(),
            &self.asts[*script],
            name,
            args,
        );
        DEADLINE.set(outer);
        result.map_err(|error| self.script_error(&error, *script))
    }

    fn script_error(&self, error: &EvalAltResult, script: usize) -> ScriptError {
        // The innermost failure is where the script went wrong.
        let current = error.unwrap_inner();
        let position = current.position();
        let at = (!position.is_none()).then(|| (script, self.sources[script].span(position)));
        let (message, limit) = match self.limit_hit(current) {
            Some((message, flag)) => (message, Some(flag)),
            None => (
                current
                    .to_string()
                    .split(" (line ")
                    .next()
                    .unwrap_or_default()
                    .to_string(),
                None,
            ),
        };
        ScriptError { message, at, limit }
    }
}

impl Scripts {
    /// The sandbox limit a failure hit, in words, and the flag that raises it.
    fn limit_hit(&self, error: &EvalAltResult) -> Option<(String, &'static str)> {
        let limits = &self.limits;
        Some(match error {
            EvalAltResult::ErrorTooManyOperations(_) => (
                format!(
                    "it ran more than {} operations (a loop that never ends?)",
                    limits.max_operations
                ),
                "--max-operations",
            ),
            EvalAltResult::ErrorTerminated(..) => (
                format!(
                    "it ran longer than {} ms (a loop that never ends?)",
                    limits.max_millis
                ),
                "--max-helper-ms",
            ),
            EvalAltResult::ErrorStackOverflow(_) => (
                format!(
                    "it called functions more than {} deep (recursion that never ends?)",
                    limits.max_call_levels.min(ScriptLimits::MAX_CALL_LEVELS)
                ),
                "--max-call-levels",
            ),
            // Rhai names what grew: "Length of string", "Size of array/BLOB",
            // "Size of BLOB", "Size of object map".
            EvalAltResult::ErrorDataTooLarge(what, _) => {
                let what = what.to_lowercase();
                if what.contains("string") {
                    (
                        format!(
                            "it built a string longer than {} characters",
                            limits.max_string_size
                        ),
                        "--max-string-size",
                    )
                } else if what.contains("array") || what.contains("blob") {
                    (
                        format!(
                            "it built an array or blob longer than {} items",
                            limits.max_array_size
                        ),
                        "--max-array-size",
                    )
                } else {
                    (
                        format!(
                            "it built a map of more than {} entries",
                            limits.max_map_size
                        ),
                        "--max-map-size",
                    )
                }
            }
            _ => return None,
        })
    }
}

/// An engine with nothing to reach the outside world, and the given limits.
fn sandbox(limits: ScriptLimits) -> Engine {
    let mut engine = Engine::new();
    let expr_depth = limits.max_expr_depth.min(ScriptLimits::MAX_EXPR_DEPTH);
    engine
        .disable_symbol("import")
        .disable_symbol("eval")
        .set_max_modules(0)
        .set_max_operations(limits.max_operations)
        .set_max_call_levels(limits.max_call_levels.min(ScriptLimits::MAX_CALL_LEVELS))
        .set_max_expr_depths(expr_depth, expr_depth)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_strict_variables(true);
    // Functions registered on the engine take precedence over Rhai's own.
    engine
        .register_fn("sleep", |_: rhai::INT| forbidden("sleep"))
        .register_fn("timestamp", || forbidden("timestamp"));
    // `print` and `debug` would write to the terminal: helpers stay silent.
    engine.on_print(|_| {}).on_debug(|_, _, _| {});
    engine.on_progress(past_deadline);
    engine
}

/// Rhai's `sleep` blocks whatever the limits, and `timestamp` lets a helper
/// observe time, so that the same evidence could be graded differently:
/// helpers calling them fail.
fn forbidden(name: &str) -> Result<(), Box<EvalAltResult>> {
    Err(format!("`{name}` is not available to helpers").into())
}

/// Stops a helper that has run past its deadline (`ErrorTerminated`).
fn past_deadline(operations: u64) -> Option<Dynamic> {
    if !operations.is_multiple_of(OPERATIONS_PER_CLOCK_READ) {
        return None;
    }
    let deadline = DEADLINE.get()?;
    (Instant::now() >= deadline).then(|| Dynamic::from("the time limit"))
}

fn read(
    decl: &ScriptDecl,
    policy: &Source,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<ScriptSource> {
    match decl {
        ScriptDecl::Inline(_, span) => Some(ScriptSource {
            source: policy.clone(),
            base: span.start,
            end: span.end,
        }),
        ScriptDecl::File(path, span) => {
            let refused = |message: String, help: &str| {
                Diagnostic::error(Code::Io, message)
                    .in_source(policy)
                    .primary(*span, "used here")
                    .help(help)
            };
            let full = match confined_path(policy, path) {
                Ok(full) => full,
                Err(Refusal::Read(error)) => {
                    let help = "the path is relative to the policy file";
                    diagnostics.push(refused(error.message, help));
                    return None;
                }
                Err(Refusal::Outside(why)) => {
                    let help = "a helper script is a `.rhai` file in the policy's folder or below it, named by a relative path";
                    diagnostics.push(refused(format!("`use \"{path}\"` is refused: {why}"), help));
                    return None;
                }
            };
            let shown = full.to_string_lossy().to_string();
            match crate::source::read_text(&shown) {
                Ok(text) => Some(ScriptSource {
                    end: text.len(),
                    source: Source::new(shown, text),
                    base: 0,
                }),
                Err(error) => {
                    let help = "the path is relative to the policy file";
                    diagnostics.push(refused(error.message, help));
                    None
                }
            }
        }
    }
}

/// Why a `use` path is not read.
enum Refusal {
    /// It names nothing that can be read.
    Read(crate::source::ReadError),
    /// It reaches outside the policy's folder, or is not a script.
    Outside(&'static str),
}

/// The file a `use` names, only if it is a `.rhai` file within the policy's
/// folder tree once symbolic links are followed: a shared policy must not
/// read, or show in a diagnostic, any other file of the machine.
fn confined_path(policy: &Source, path: &str) -> Result<std::path::PathBuf, Refusal> {
    let requested = Path::new(path);
    if requested.is_absolute() {
        return Err(Refusal::Outside("an absolute path"));
    }
    if requested.extension().is_none_or(|e| e != "rhai") {
        return Err(Refusal::Outside("not a `.rhai` file"));
    }
    let folder = match Path::new(policy.name()).parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let full = folder.join(requested);
    let canonical = |p: &Path| {
        p.canonicalize().map_err(|e| {
            Refusal::Read(crate::source::ReadError {
                message: format!("cannot read `{}`: {e}", full.display()),
                help: "check the path and permissions",
            })
        })
    };
    if !canonical(&full)?.starts_with(canonical(folder)?) {
        return Err(Refusal::Outside("it is outside the policy's folder"));
    }
    Ok(full)
}
