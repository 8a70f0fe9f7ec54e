//! A minimal LSP client for the tests and the benchmark of `insp lsp`: it
//! starts the real binary and speaks the protocol's framing
//! (`Content-Length` headers) over its standard input and output.

#![allow(dead_code)]

use serde_json::{Value, json};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

/// How long to wait for a message before deciding the server hangs: a
/// guard against a test that never ends, not a measure of speed.
const HANG: Duration = Duration::from_secs(120);

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for something else, in order.
    waiting: VecDeque<Value>,
}

impl Client {
    /// Starts `insp lsp` and initializes it with the given options.
    pub fn start(binary: &str, options: Value) -> Client {
        let mut child = Command::new(binary)
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("insp lsp starts");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        let stdin = child.stdin.take();
        let mut client = Client {
            child,
            stdin,
            incoming,
            next_id: 0,
            waiting: VecDeque::new(),
        };
        let response = client.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": {}, "initializationOptions": options }),
        );
        assert!(response["result"]["capabilities"].is_object(), "{response}");
        client.notify("initialized", json!({}));
        client
    }

    /// Writes bytes as they are: for malformed messages.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).expect("the server reads");
        stdin.flush().expect("the server reads");
    }

    pub fn send(&mut self, message: &Value) {
        let body = message.to_string();
        self.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    /// Sends a request and waits for its response (the whole message).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self.receive();
            if message.get("method").is_none() && message["id"] == json!(id) {
                return message;
            }
            self.waiting.push_back(message);
        }
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    pub fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": language, "version": 1, "text": text } }),
        );
    }

    /// Replaces the whole text of a document.
    pub fn replace(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }

    /// The next notification `method` that `wanted` accepts; others of it
    /// are dropped, any other message is kept for later.
    pub fn notification(&mut self, method: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let matches = |m: &Value| m["method"] == method;
        while let Some(index) = self.waiting.iter().position(matches) {
            let message = self.waiting.remove(index).expect("found");
            if wanted(&message["params"]) {
                return message["params"].clone();
            }
        }
        loop {
            let message = self.receive();
            if !matches(&message) {
                self.waiting.push_back(message);
            } else if wanted(&message["params"]) {
                return message["params"].clone();
            }
        }
    }

    /// The next diagnostics published for `uri` that `wanted` accepts.
    pub fn diagnostics(&mut self, uri: &str, wanted: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let params = self.notification("textDocument/publishDiagnostics", |p| {
            p["uri"] == uri && wanted(p["diagnostics"].as_array().map_or(&[], Vec::as_slice))
        });
        params["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn receive(&mut self) -> Value {
        self.incoming
            .recv_timeout(HANG)
            .expect("the server answers (it did not, or it exited)")
    }

    /// `shutdown`, then `exit`; the server's exit status.
    pub fn shutdown(mut self) -> ExitStatus {
        let response = self.request("shutdown", Value::Null);
        assert_eq!(response["result"], Value::Null, "{response}");
        self.notify("exit", Value::Null);
        self.wait()
    }

    /// Closes the server's input and waits for it to end.
    pub fn wait(&mut self) -> ExitStatus {
        drop(self.stdin.take());
        self.child.wait().expect("the server ends")
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// The `file:` URI of a path, as the server writes them.
pub fn file_uri(path: &Path) -> String {
    let absolute = std::path::absolute(path).expect("an absolute path");
    let mut uri = String::from("file://");
    for byte in absolute.to_str().expect("a UTF-8 path").bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~".contains(&byte) {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// The LSP position (line, UTF-16 column) of the `nth` occurrence of `needle`.
pub fn position_of(text: &str, needle: &str, nth: usize) -> Value {
    let offset = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` occurs {} times", nth + 1))
        .0;
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..offset].matches('\n').count();
    let column = text[line_start..offset].encode_utf16().count();
    json!({ "line": line, "character": column })
}
