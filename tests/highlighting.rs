//! The TextMate grammar of `editors/vscode` gives every token of every
//! shipped policy a scope. The grammar uses only `match` rules and
//! `begin`/`end` blocks (with `include`s), so a small matcher of that
//! subset, written here, reads it as an editor does: line by line, the
//! earliest match winning, the open block's end first on a tie.

use regex::{Captures, Regex};
use serde_json::Value;
use std::collections::HashMap;

const GRAMMAR: &str = "editors/vscode/syntaxes/insp.tmLanguage.json";

/// Most matches on one line before the matcher is judged stuck.
const MAX_MATCHES_PER_LINE: usize = 10_000;

/// A pattern list entry: a rule, or an include resolved when matching (so
/// that a repository entry may include itself inside a block).
enum Item {
    Rule(usize),
    Repository(String),
    Root,
}

struct Rule {
    /// `match`, or a block's `begin`.
    regex: Regex,
    /// A block's `end`.
    end: Option<Regex>,
    name: Option<String>,
    content_name: Option<String>,
    /// `captures` or `beginCaptures`, by group.
    captures: HashMap<usize, String>,
    end_captures: HashMap<usize, String>,
    /// A block's patterns.
    patterns: Vec<Item>,
}

struct Grammar {
    rules: Vec<Rule>,
    root: Vec<Item>,
    repository: HashMap<String, Vec<Item>>,
}

impl Grammar {
    fn load() -> Grammar {
        let text = std::fs::read_to_string(GRAMMAR).expect("the grammar is shipped");
        let json: Value = serde_json::from_str(&text).expect("the grammar is JSON");
        let mut grammar = Grammar {
            rules: Vec::new(),
            root: Vec::new(),
            repository: HashMap::new(),
        };
        grammar.root = grammar.items(&json["patterns"]);
        for (key, entry) in json["repository"].as_object().expect("a repository") {
            let items = grammar.entry(entry);
            grammar.repository.insert(key.clone(), items);
        }
        grammar
    }

    fn items(&mut self, patterns: &Value) -> Vec<Item> {
        let patterns = patterns.as_array().map_or(&[][..], Vec::as_slice);
        patterns
            .iter()
            .flat_map(|pattern| match pattern["include"].as_str() {
                Some("$self") => vec![Item::Root],
                Some(name) => {
                    let key = name
                        .strip_prefix('#')
                        .expect("includes name the repository");
                    vec![Item::Repository(key.to_string())]
                }
                None => self.entry(pattern),
            })
            .collect()
    }

    fn entry(&mut self, entry: &Value) -> Vec<Item> {
        if entry.get("match").is_none() && entry.get("begin").is_none() {
            return self.items(&entry["patterns"]);
        }
        let regex = |key: &str| {
            entry[key].as_str().map(|pattern| {
                Regex::new(pattern).unwrap_or_else(|e| panic!("bad regex {pattern}: {e}"))
            })
        };
        let captures = |key: &str| -> HashMap<usize, String> {
            entry[key]
                .as_object()
                .into_iter()
                .flatten()
                .map(|(group, scope)| {
                    let name = scope["name"].as_str().expect("a capture's name");
                    (group.parse().expect("a group number"), name.to_string())
                })
                .collect()
        };
        let is_block = entry.get("begin").is_some();
        let rule = Rule {
            regex: regex("match").or_else(|| regex("begin")).unwrap(),
            end: regex("end"),
            name: entry["name"].as_str().map(str::to_string),
            content_name: entry["contentName"].as_str().map(str::to_string),
            captures: captures(if is_block {
                "beginCaptures"
            } else {
                "captures"
            }),
            end_captures: captures("endCaptures"),
            patterns: self.items(&entry["patterns"]),
        };
        assert_eq!(
            is_block,
            rule.end.is_some(),
            "a block needs `begin` and `end`"
        );
        self.rules.push(rule);
        vec![Item::Rule(self.rules.len() - 1)]
    }

    /// The rules of a pattern list, includes expanded, in order.
    fn expand(&self, items: &[Item], out: &mut Vec<usize>) {
        for item in items {
            match item {
                Item::Rule(index) => out.push(*index),
                Item::Root => self.expand(&self.root, out),
                Item::Repository(key) => {
                    let entry = self.repository.get(key);
                    self.expand(
                        entry.unwrap_or_else(|| panic!("no repository entry `{key}`")),
                        out,
                    );
                }
            }
        }
    }

    /// The innermost scope of each byte of a text, by line.
    fn scopes(&self, text: &str) -> Vec<Vec<Option<String>>> {
        let mut open: Vec<usize> = Vec::new();
        let lines = text
            .lines()
            .map(|line| self.scope_line(&mut open, line))
            .collect();
        assert!(
            open.is_empty(),
            "a block is left open at the end of the text"
        );
        lines
    }

    fn scope_line(&self, open: &mut Vec<usize>, line: &str) -> Vec<Option<String>> {
        let mut scopes = vec![None; line.len()];
        let mut pos = 0;
        for _ in 0..MAX_MATCHES_PER_LINE {
            let content = self.content_scope(open);
            let Some((rule, ends_block, found)) = self.earliest(open, line, pos) else {
                fill(&mut scopes, pos..line.len(), &content);
                return scopes;
            };
            let whole = found.get(0).unwrap().range();
            fill(&mut scopes, pos..whole.start, &content);
            let rule_ref = &self.rules[rule];
            let captures = if ends_block {
                open.pop();
                &rule_ref.end_captures
            } else {
                &rule_ref.captures
            };
            let scope = rule_ref.name.clone().or(self.content_scope(open));
            fill(&mut scopes, whole.clone(), &scope);
            for (group, name) in captures {
                if let Some(range) = found.get(*group).map(|m| m.range()) {
                    fill(&mut scopes, range, &Some(name.clone()));
                }
            }
            let opens_block = !ends_block && rule_ref.end.is_some();
            if opens_block {
                open.push(rule);
            }
            // A match of nothing that opens or closes no block must not repeat.
            pos = whole.end + usize::from(whole.is_empty() && !opens_block && !ends_block);
            if pos > line.len() {
                return scopes;
            }
        }
        panic!("the grammar does not advance on: {line}");
    }

    /// The scope of text inside the open blocks that no rule matches.
    fn content_scope(&self, open: &[usize]) -> Option<String> {
        open.iter().rev().find_map(|&b| {
            self.rules[b]
                .content_name
                .clone()
                .or(self.rules[b].name.clone())
        })
    }

    /// The first match from `pos`: (rule, whether it ends the open block, captures).
    fn earliest<'t>(
        &self,
        open: &[usize],
        line: &'t str,
        pos: usize,
    ) -> Option<(usize, bool, Captures<'t>)> {
        let start = |c: &Captures| c.get(0).unwrap().start();
        let mut best = open.last().and_then(|&block| {
            let end = self.rules[block].end.as_ref()?;
            end.captures_at(line, pos).map(|c| (block, true, c))
        });
        let mut rules = Vec::new();
        match open.last() {
            Some(&block) => self.expand(&self.rules[block].patterns, &mut rules),
            None => self.expand(&self.root, &mut rules),
        }
        for rule in rules {
            if let Some(found) = self.rules[rule].regex.captures_at(line, pos)
                && best
                    .as_ref()
                    .is_none_or(|(_, _, b)| start(&found) < start(b))
            {
                best = Some((rule, false, found));
            }
        }
        best
    }
}

fn fill(scopes: &mut [Option<String>], range: std::ops::Range<usize>, scope: &Option<String>) {
    if scope.is_some() {
        for slot in &mut scopes[range] {
            slot.clone_from(scope);
        }
    }
}

fn shipped_policies() -> Vec<std::path::PathBuf> {
    let mut policies: Vec<_> = ["policies", "examples"]
        .iter()
        .flat_map(|folder| std::fs::read_dir(folder).expect("a shipped folder"))
        .map(|entry| entry.expect("a readable entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "insp"))
        .collect();
    policies.sort();
    policies
}

/// Every character but whitespace has a scope.
fn assert_all_scoped(grammar: &Grammar, name: &str, text: &str) {
    for (number, (line, scopes)) in text.lines().zip(grammar.scopes(text)).enumerate() {
        for (offset, c) in line.char_indices() {
            assert!(
                c.is_whitespace() || scopes[offset].is_some(),
                "{name}:{}:{}: `{c}` has no scope in: {line}",
                number + 1,
                offset + 1,
            );
        }
    }
}

#[test]
fn every_token_of_every_shipped_policy_gets_a_scope() {
    let grammar = Grammar::load();
    let policies = shipped_policies();
    assert!(policies.len() >= 5, "{policies:?}");
    for path in policies {
        let text = std::fs::read_to_string(&path).unwrap();
        assert_all_scoped(&grammar, &path.display().to_string(), &text);
    }
}

/// The scope of the `nth` occurrence of `needle` in a one-line text.
fn scope_of(grammar: &Grammar, line: &str, needle: &str) -> String {
    let offset = line.find(needle).unwrap_or_else(|| panic!("no `{needle}`"));
    grammar.scopes(line)[0][offset].clone().unwrap_or_default()
}

#[test]
fn keywords_names_strings_comments_and_numbers_get_their_own_scopes() {
    let grammar = Grammar::load();
    let line =
        r#"question q "t \"é\"" { good when crime.rate <= 2.5 and count(>= good) > 1 } # done"#;
    assert_eq!(
        scope_of(&grammar, line, "question"),
        "keyword.other.declaration.insp"
    );
    assert_eq!(scope_of(&grammar, line, "q "), "entity.name.function.insp");
    assert_eq!(scope_of(&grammar, line, "é"), "string.quoted.double.insp");
    assert_eq!(
        scope_of(&grammar, line, "\\\""),
        "constant.character.escape.insp"
    );
    assert_eq!(
        scope_of(&grammar, line, "when"),
        "keyword.operator.word.insp"
    );
    assert_eq!(
        scope_of(&grammar, line, "crime.rate"),
        "variable.other.insp"
    );
    assert_eq!(scope_of(&grammar, line, "2.5"), "constant.numeric.insp");
    assert_eq!(
        scope_of(&grammar, line, "count"),
        "entity.name.function.insp"
    );
    assert_eq!(
        scope_of(&grammar, line, "# done"),
        "comment.line.number-sign.insp"
    );
}

#[test]
fn an_inline_script_is_rhai_to_its_balancing_brace() {
    let grammar = Grammar::load();
    let text = "script {\n  fn f(a) { if a > 0 { \"}\" } else { '}' } } // }\n}\nlet x = f(1)\n";
    assert_all_scoped(&grammar, "inline script", text);
    let scopes = grammar.scopes(text);
    assert_eq!(scopes[1][2].as_deref(), Some("storage.type.function.rhai"));
    assert_eq!(
        scopes[2][0].as_deref(),
        Some("punctuation.section.block.end.insp")
    );
    assert_eq!(
        scopes[3][0].as_deref(),
        Some("keyword.other.declaration.insp")
    );
}
