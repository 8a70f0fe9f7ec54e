//! Messages over standard input and output, framed by `lsp-server`. Unlike
//! `Connection::stdio`, a message whose payload is not valid JSON-RPC is
//! logged and skipped, not the end of the session: its frame was read
//! whole, so the next one can still be. A broken frame header cannot be
//! resynchronised, and ends the session with a log line. A frame larger
//! than [`MAX_MESSAGE`] is skipped unread, rather than allocated. The reader passes
//! such problems to the server as a notification of its own
//! ([`READ_ERROR`]), so that only the server writes to the client and the
//! writer ends when the server drops its sender.

use crossbeam_channel::{Sender, unbounded};
use lsp_server::{Connection, Message, Notification};
use lsp_types::notification::{LogMessage, Notification as _};
use lsp_types::{LogMessageParams, MessageType};
use std::io::{self, BufRead, Read, Write};
use std::thread::{self, JoinHandle};

/// The method of the notification the reader passes to the server for a
/// message it could not read (`$/` methods are the implementation's own).
pub const READ_ERROR: &str = "$/insp/readError";

/// The largest message read: far above any policy or evidence file
/// (16 MiB unless raised, twice that escaped in JSON), far below the memory.
pub const MAX_MESSAGE: u64 = 256 * 1024 * 1024;

/// How much of a malformed payload a log line quotes.
const QUOTED_PAYLOAD: usize = 200;

/// The threads that read and write; join them after the server loop ends.
pub struct Threads {
    reader: JoinHandle<()>,
    writer: JoinHandle<io::Result<()>>,
}

impl Threads {
    pub fn join(self) -> io::Result<()> {
        // The reader may be blocked on standard input the client keeps
        // open; it ends with the process, so it is not waited for.
        drop(self.reader);
        self.writer
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the writer thread panicked")))
    }
}

/// A connection over this process' standard input and output.
pub fn stdio() -> io::Result<(Connection, Threads)> {
    let (sender, outgoing) = unbounded::<Message>();
    let (incoming, receiver) = unbounded::<Message>();
    let writer = thread::Builder::new()
        .name("insp-lsp-writer".into())
        .spawn(move || {
            let mut stdout = io::stdout().lock();
            outgoing.into_iter().try_for_each(|message| {
                message.write(&mut stdout)?;
                stdout.flush()
            })
        })?;
    let reader = thread::Builder::new()
        .name("insp-lsp-reader".into())
        .spawn(move || read_messages(&mut io::stdin().lock(), &incoming))?;
    Ok((Connection { sender, receiver }, Threads { reader, writer }))
}

/// Reads messages until the input ends, the server stops listening, or an
/// `exit` notification has been passed on.
pub fn read_messages(input: &mut impl BufRead, incoming: &Sender<Message>) {
    loop {
        let frame = match next_frame(input) {
            Ok(Some(frame)) => frame,
            Ok(None) => return,
            Err(error) => {
                let last = error.kind() != io::ErrorKind::FileTooLarge;
                let problem = if last {
                    format!("cannot read the next message, stopping: {error}")
                } else {
                    format!("ignored a message: {error}")
                };
                if incoming.send(read_error(problem)).is_err() || last {
                    return;
                }
                continue;
            }
        };
        let (message, last) = match Message::read(&mut frame.as_slice()) {
            Ok(Some(message)) => {
                let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
                (message, exit)
            }
            Ok(None) => return,
            Err(error) if is_malformed_payload(&error) => {
                let problem = format!("ignored a malformed message: {}", quoted(&error));
                (read_error(problem), false)
            }
            Err(error) => {
                let problem = format!("cannot read the next message, stopping: {error}");
                (read_error(problem), true)
            }
        };
        if incoming.send(message).is_err() || last {
            return;
        }
    }
}

/// The next frame whole (headers and payload), checked for its size first;
/// a frame too large is skipped, and reported as `FileTooLarge`.
fn next_frame(input: &mut impl BufRead) -> io::Result<Option<Vec<u8>>> {
    let mut frame = Vec::new();
    let mut length = None;
    loop {
        let start = frame.len();
        // A header line is short; one that is not is no header.
        if input.by_ref().take(1024).read_until(b'\n', &mut frame)? == 0 {
            return Ok(None);
        }
        let line = String::from_utf8_lossy(&frame[start..]).into_owned();
        let Some(header) = line.strip_suffix("\r\n") else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("malformed header: {line:?}"),
            ));
        };
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(": ")
            && name.eq_ignore_ascii_case("Content-Length")
        {
            length = value.parse::<u64>().ok();
        }
    }
    let Some(length) = length else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "no valid Content-Length",
        ));
    };
    if length > MAX_MESSAGE {
        io::copy(&mut input.by_ref().take(length), &mut io::sink())?;
        let problem = format!("a message of {length} bytes is larger than {MAX_MESSAGE}");
        return Err(io::Error::new(io::ErrorKind::FileTooLarge, problem));
    }
    input.by_ref().take(length).read_to_end(&mut frame)?;
    Ok(Some(frame))
}

fn read_error(problem: String) -> Message {
    Message::Notification(Notification::new(READ_ERROR.to_string(), problem))
}

/// Whether the frame was read whole but its payload is not a message.
fn is_malformed_payload(error: &io::Error) -> bool {
    let text = error.to_string();
    error.kind() == io::ErrorKind::InvalidData
        && (text.starts_with("malformed LSP payload") || text.contains("utf-8"))
}

fn quoted(error: &io::Error) -> String {
    let text = error.to_string();
    match text.char_indices().nth(QUOTED_PAYLOAD) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Logs to the client (`window/logMessage`) and to standard error.
pub fn log_error(sender: &Sender<Message>, message: &str) {
    eprintln!("insp lsp: {message}");
    let params = LogMessageParams {
        typ: MessageType::ERROR,
        message: message.to_string(),
    };
    let _ = sender.send(Message::Notification(Notification::new(
        LogMessage::METHOD.to_string(),
        params,
    )));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(payload: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{payload}", payload.len())
    }

    fn methods_read(input: &str) -> Vec<String> {
        let (incoming, received) = unbounded();
        read_messages(&mut input.as_bytes(), &incoming);
        received
            .try_iter()
            .map(|message| match message {
                Message::Notification(n) => n.method,
                other => format!("{other:?}"),
            })
            .collect()
    }

    #[test]
    fn a_malformed_payload_is_logged_and_the_next_message_read() {
        let initialized = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
        let input = format!("{}{}", frame("{not json"), frame(initialized));
        assert_eq!(methods_read(&input), [READ_ERROR, "initialized"]);
    }

    #[test]
    fn a_message_too_large_is_skipped_unread() {
        let huge = format!("Content-Length: {}\r\n\r\n", MAX_MESSAGE + 1);
        let input = format!("{huge}{}", frame("{}"));
        // The input ends inside the huge message: nothing after it is read.
        assert_eq!(methods_read(&input), [READ_ERROR]);
    }

    #[test]
    fn a_broken_header_stops_reading_with_a_log_line() {
        let input = format!("Content-Length: x\r\n\r\n{{}}{}", frame("{}"));
        assert_eq!(methods_read(&input), [READ_ERROR]);
    }
}
