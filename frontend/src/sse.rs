//! A server-sent events parser (the WHATWG "event stream interpretation"), fed with raw byte chunks
//! as `fetch` delivers them. Pure and platform-free, so it is unit-tested on the host.
//!
//! Chunks may end anywhere: inside a line, between `\r` and `\n`, or inside a multi-byte UTF-8
//! character. The parser keeps such tails until the next chunk completes them.

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field; `message` when the frame had none.
    pub name: String,
    /// The `data:` lines joined with `\n`.
    pub data: String,
    /// The last `id:` seen on the stream so far (it carries over to later frames).
    pub id: Option<String>,
}

/// Incremental parser state.
#[derive(Debug, Default)]
pub struct SseParser {
    /// Bytes of an unfinished UTF-8 character at the end of the last chunk.
    pending: Vec<u8>,
    /// Decoded text of the line still being received.
    line: String,
    /// The last chunk ended with `\r`: a `\n` at the start of the next one belongs to it.
    after_cr: bool,
    /// Nothing decoded yet: a leading byte order mark is dropped.
    started: bool,
    name: String,
    data: String,
    has_data: bool,
    last_id: Option<String>,
}

impl SseParser {
    /// A parser at the start of a stream.
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds one chunk; returns the events it completed, in order.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        let text = self.decode(chunk);
        let mut events = Vec::new();
        for c in text.chars() {
            if !self.started {
                self.started = true;
                if c == '\u{feff}' {
                    continue;
                }
            }
            match c {
                '\n' if self.after_cr => self.after_cr = false,
                '\r' | '\n' => {
                    self.after_cr = c == '\r';
                    let line = std::mem::take(&mut self.line);
                    if let Some(event) = self.line_done(&line) {
                        events.push(event);
                    }
                }
                c => {
                    self.after_cr = false;
                    self.line.push(c);
                }
            }
        }
        events
    }

    /// UTF-8 decoding across chunk borders; invalid bytes become U+FFFD.
    fn decode(&mut self, chunk: &[u8]) -> String {
        let mut bytes = std::mem::take(&mut self.pending);
        bytes.extend_from_slice(chunk);
        let mut out = String::with_capacity(bytes.len());
        let mut rest = bytes.as_slice();
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    out.push_str(s);
                    break;
                }
                Err(e) => {
                    let (valid, after) = rest.split_at(e.valid_up_to());
                    out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                    match e.error_len() {
                        // Incomplete character at the end: wait for the next chunk.
                        None => {
                            self.pending = after.to_vec();
                            break;
                        }
                        Some(n) => {
                            out.push('\u{fffd}');
                            rest = &after[n..];
                        }
                    }
                }
            }
        }
        out
    }

    fn line_done(&mut self, line: &str) -> Option<SseEvent> {
        if line.is_empty() {
            return self.dispatch();
        }
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => value.clone_into(&mut self.name),
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "id" if !value.contains('\0') => self.last_id = Some(value.to_owned()),
            // `retry` is left to the caller's own backoff; unknown fields are ignored.
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let name = std::mem::take(&mut self.name);
        let data = std::mem::take(&mut self.data);
        if !std::mem::replace(&mut self.has_data, false) {
            return None;
        }
        Some(SseEvent {
            name: if name.is_empty() {
                "message".to_owned()
            } else {
                name
            },
            data,
            id: self.last_id.clone(),
        })
    }
}

/// Delay before the next connection attempt: 1 s doubling up to 30 s; a successful open resets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    next_ms: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Self::new()
    }
}

impl Backoff {
    /// First delay.
    pub const MIN_MS: u32 = 1_000;
    /// Longest delay.
    pub const MAX_MS: u32 = 30_000;

    /// A fresh backoff (the next delay is 1 s).
    pub const fn new() -> Self {
        Self {
            next_ms: Self::MIN_MS,
        }
    }

    /// The delay to wait now, in milliseconds; the one after it doubles.
    pub fn next_delay(&mut self) -> u32 {
        let delay = self.next_ms;
        self.next_ms = self.next_ms.saturating_mul(2).min(Self::MAX_MS);
        delay
    }

    /// After a successful open.
    pub fn reset(&mut self) {
        *self = Self::new();
    }
}

/// What the stream loop does after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Wait this many milliseconds, then connect again.
    Wait(u32),
    /// Renew the access token, then connect again at once.
    Renew,
}

/// The reconnect rules of the event stream: backoff after failures and after the stream ends,
/// reset by a successful open; on 401 one token renewal before waiting; a reload of the pages
/// after every open but the first.
#[derive(Debug, Clone, Copy)]
pub struct Reconnect {
    backoff: Backoff,
    renewed: bool,
    opened_before: bool,
}

impl Reconnect {
    /// `resync_first`: events may have been missed before this stream, so the first open counts
    /// as a reconnect too.
    pub fn new(resync_first: bool) -> Self {
        Self {
            backoff: Backoff::new(),
            renewed: false,
            opened_before: resync_first,
        }
    }

    /// The request failed, or answered an error other than 401.
    pub fn failed(&mut self) -> Next {
        Next::Wait(self.backoff.next_delay())
    }

    /// 401: the token expired. Renew it once; a renewed token refused again means waiting (and
    /// renewing again after that wait).
    pub fn unauthorized(&mut self) -> Next {
        self.renewed = !self.renewed;
        if self.renewed {
            Next::Renew
        } else {
            self.failed()
        }
    }

    /// The stream is open. True when the pages must reload what they show.
    pub fn opened(&mut self) -> bool {
        self.backoff.reset();
        self.renewed = false;
        std::mem::replace(&mut self.opened_before, true)
    }

    /// The open stream ended (server restart, proxy timeout, network).
    pub fn ended(&mut self) -> Next {
        self.failed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(name: &str, data: &str, id: Option<&str>) -> SseEvent {
        SseEvent {
            name: name.into(),
            data: data.into(),
            id: id.map(Into::into),
        }
    }

    #[test]
    fn frames_with_event_data_and_comments() {
        let mut p = SseParser::new();
        let out = p.push(
            b"retry: 3000\n: connected\n\nevent: support_message\ndata: {\"a\":1}\n\n: keep-alive\n\n",
        );
        assert_eq!(out, vec![ev("support_message", "{\"a\":1}", None)]);
    }

    #[test]
    fn multi_line_data_is_joined_and_only_one_space_is_stripped() {
        let mut p = SseParser::new();
        let out = p.push(b"data: one\ndata:two\ndata:  three\ndata\n\n");
        assert_eq!(out, vec![ev("message", "one\ntwo\n three\n", None)]);
    }

    #[test]
    fn a_frame_without_data_dispatches_nothing_and_resets_the_name() {
        let mut p = SseParser::new();
        assert!(p.push(b"event: notification\n\n").is_empty());
        assert_eq!(p.push(b"data: x\n\n"), vec![ev("message", "x", None)]);
    }

    #[test]
    fn id_carries_over_and_a_nul_id_is_ignored() {
        let mut p = SseParser::new();
        let out = p.push(b"id: 7\ndata: a\n\ndata: b\n\nid: 8\0\ndata: c\n\n");
        assert_eq!(
            out,
            vec![
                ev("message", "a", Some("7")),
                ev("message", "b", Some("7")),
                ev("message", "c", Some("7"))
            ]
        );
    }

    #[test]
    fn lines_split_across_chunks_and_every_line_ending() {
        let mut p = SseParser::new();
        assert!(p.push(b"eve").is_empty());
        assert!(p.push(b"nt: appointment_changed\r").is_empty());
        assert!(p.push(b"\ndata: {\"id\"").is_empty());
        assert!(p.push(b":1}\r").is_empty());
        // The CRLF split over two chunks is one line end, not an empty line.
        assert!(p.push(b"\n").is_empty());
        assert_eq!(
            p.push(b"\r\n"),
            vec![ev("appointment_changed", "{\"id\":1}", None)]
        );
        assert_eq!(p.push(b"data: x\r\rdata: y\n\n").len(), 2);
    }

    #[test]
    fn multi_byte_characters_split_across_chunks() {
        let text = "event: support_message\ndata: Grüße 👋\n\n".as_bytes();
        // Every split point, including the middle of ü and of the emoji.
        for cut in 0..text.len() {
            let mut p = SseParser::new();
            let mut out = p.push(&text[..cut]);
            out.extend(p.push(&text[cut..]));
            assert_eq!(
                out,
                vec![ev("support_message", "Grüße 👋", None)],
                "cut {cut}"
            );
        }
        // Byte by byte.
        let mut p = SseParser::new();
        let out: Vec<_> = text.iter().flat_map(|b| p.push(&[*b])).collect();
        assert_eq!(out, vec![ev("support_message", "Grüße 👋", None)]);
    }

    #[test]
    fn invalid_bytes_become_replacement_characters_and_a_bom_is_dropped() {
        let mut p = SseParser::new();
        let out = p.push(b"\xef\xbb\xbfdata: a\xffb\n\n");
        assert_eq!(out, vec![ev("message", "a\u{fffd}b", None)]);
    }

    #[test]
    fn an_unfinished_frame_is_not_dispatched() {
        let mut p = SseParser::new();
        assert!(p.push(b"event: notification\ndata: {}\n").is_empty());
        assert_eq!(p.push(b"\n"), vec![ev("notification", "{}", None)]);
    }

    #[test]
    fn a_refused_token_is_renewed_once_then_the_loop_waits() {
        let mut r = Reconnect::new(false);
        assert_eq!(r.unauthorized(), Next::Renew);
        assert_eq!(r.unauthorized(), Next::Wait(1_000));
        assert_eq!(r.unauthorized(), Next::Renew, "after the wait, renew again");
        assert_eq!(r.unauthorized(), Next::Wait(2_000));
        assert!(!r.opened());
        // A successful open allows a renewal at once next time.
        assert_eq!(r.unauthorized(), Next::Renew);
    }

    #[test]
    fn failures_back_off_and_an_open_resets_the_delay() {
        let mut r = Reconnect::new(false);
        assert_eq!(r.failed(), Next::Wait(1_000));
        assert_eq!(r.failed(), Next::Wait(2_000));
        assert_eq!(r.failed(), Next::Wait(4_000));
        assert!(!r.opened(), "the first open is not a reconnect");
        assert_eq!(r.ended(), Next::Wait(1_000));
        assert_eq!(r.failed(), Next::Wait(2_000));
        assert!(r.opened(), "every later open makes the pages reload");
        assert!(r.opened());
    }

    #[test]
    fn a_stream_after_a_pause_reloads_on_its_first_open() {
        assert!(Reconnect::new(true).opened());
    }

    #[test]
    fn backoff_doubles_to_thirty_seconds_and_resets() {
        let mut b = Backoff::new();
        let delays: Vec<u32> = (0..7).map(|_| b.next_delay()).collect();
        assert_eq!(
            delays,
            vec![1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]
        );
        b.reset();
        assert_eq!(b.next_delay(), 1_000);
    }
}
