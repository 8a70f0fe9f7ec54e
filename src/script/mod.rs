//! The Rhai sandbox: helper functions a policy loads with `use "file.rhai"`
//! or writes inline in `script { ... }`, compiled once per policy load and
//! called from conditions and lets. No file, network or process access, no
//! module imports, and limits on operations, call depth, expression depth and
//! data sizes, so that a runaway helper is stopped and reported.

mod convert;

pub use convert::{from_dynamic, to_dynamic};

use crate::diagnostics::{Code, Diagnostic};
use crate::source::{Source, Span};
use crate::syntax::ast::ScriptDecl;
use rhai::{AST, CallFnOptions, Dynamic, Engine, EvalAltResult, Position, Scope};
use std::path::Path;

/// The sandbox's limits. Each is per helper call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScriptLimits {
    /// Operations a helper may run before it is stopped.
    pub max_operations: u64,
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
            max_call_levels: 32,
            // Set explicitly: Rhai's own default differs between debug and release builds.
            max_expr_depth: 32,
            max_string_size: 10_000,
            max_array_size: 1_000,
            max_map_size: 1_000,
        }
    }
}

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
        self.engine
            .call_fn_with_options::<Dynamic>(
                options,
                &mut Scope::new(),
                &self.asts[*script],
                name,
                args,
            )
            .map_err(|error| self.script_error(&error, *script))
    }

    fn script_error(&self, error: &EvalAltResult, script: usize) -> ScriptError {
        // The innermost failure is where the script went wrong.
        let current = error.unwrap_inner();
        let position = current.position();
        let at = (!position.is_none()).then(|| (script, self.sources[script].span(position)));
        let limit = match current {
            EvalAltResult::ErrorTooManyOperations(_) => Some("--max-operations"),
            EvalAltResult::ErrorStackOverflow(_) => Some("--max-call-levels"),
            EvalAltResult::ErrorDataTooLarge(what, _) if what.to_lowercase().contains("string") => {
                Some("--max-string-size")
            }
            EvalAltResult::ErrorDataTooLarge(what, _) if what.to_lowercase().contains("array") => {
                Some("--max-array-size")
            }
            EvalAltResult::ErrorDataTooLarge(..) => Some("--max-map-size"),
            _ => None,
        };
        let message = match current {
            EvalAltResult::ErrorDataTooLarge(..) if limit == Some("--max-string-size") => {
                format!(
                    "it built a string longer than {} characters",
                    self.limits.max_string_size
                )
            }
            EvalAltResult::ErrorDataTooLarge(..) if limit == Some("--max-array-size") => {
                format!(
                    "it built an array longer than {} items",
                    self.limits.max_array_size
                )
            }
            EvalAltResult::ErrorDataTooLarge(..) => format!(
                "it built a map of more than {} entries",
                self.limits.max_map_size
            ),
            EvalAltResult::ErrorTooManyOperations(_) => format!(
                "it ran more than {} operations (a loop that never ends?)",
                self.limits.max_operations
            ),
            EvalAltResult::ErrorStackOverflow(_) => format!(
                "it called functions more than {} deep (recursion that never ends?)",
                self.limits.max_call_levels
            ),
            other => other
                .to_string()
                .split(" (line ")
                .next()
                .unwrap_or_default()
                .to_string(),
        };
        ScriptError { message, at, limit }
    }
}

/// An engine with nothing to reach the outside world, and the given limits.
fn sandbox(limits: ScriptLimits) -> Engine {
    let mut engine = Engine::new();
    engine
        .disable_symbol("import")
        .disable_symbol("eval")
        .set_max_modules(0)
        .set_max_operations(limits.max_operations)
        .set_max_call_levels(limits.max_call_levels)
        .set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth)
        .set_max_string_size(limits.max_string_size)
        .set_max_array_size(limits.max_array_size)
        .set_max_map_size(limits.max_map_size)
        .set_strict_variables(true);
    // `print` and `debug` would write to the terminal: helpers stay silent.
    engine.on_print(|_| {}).on_debug(|_, _, _| {});
    engine
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
            let full = Path::new(policy.name())
                .parent()
                .unwrap_or(Path::new(""))
                .join(path);
            let shown = full.to_string_lossy().to_string();
            match crate::source::read_text(&shown) {
                Ok(text) => Some(ScriptSource {
                    end: text.len(),
                    source: Source::new(shown, text),
                    base: 0,
                }),
                Err(error) => {
                    let diagnostic = Diagnostic::from(error)
                        .in_source(policy)
                        .primary(*span, "used here")
                        .help("the path is relative to the policy file");
                    diagnostics.push(diagnostic);
                    None
                }
            }
        }
    }
}
