//! Reading a HAR file entry by entry: a serde visitor walks `log` and hands each member of `log.entries` to
//! the caller as soon as it is read, so a 100 MiB capture is never held whole, nor twice as a `Value` tree.
//! Only one entry at a time becomes a `serde_json::Value`; a bad entry is the caller's to report while the
//! rest is still read. The caller opens the file and passes any [`std::io::Read`].

use super::lossy::LossyUtf8;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::io::{BufReader, Read};
use std::rc::Rc;

/// What the reader hands over, in file order.
#[derive(Debug)]
pub enum HarEvent {
    /// A member of `log` other than `entries` (`version`, `creator`, `pages`, …), whole.
    LogMember(String, Value),
    /// `log.entries` starts.
    EntriesStart,
    /// One entry, numbered from 1 in file order.
    Entry(usize, Value),
    /// `log.entries` ended.
    EntriesEnd,
}

/// Why a file could not be read as HAR. Entries that are unreadable on their own are not errors here.
#[derive(Debug, thiserror::Error)]
pub enum HarError {
    /// Valid JSON, but no `log.entries` array.
    #[error(
        "not a HAR file: no log.entries (a HAR file is {{\"log\": {{\"entries\": [...]}}}}; export it again with \
         \"Save all as HAR\" in the browser's network panel)"
    )]
    NoEntries,
    /// Valid JSON of another shape.
    #[error("not a HAR file: {0}; export it again with \"Save all as HAR\" in the browser's network panel")]
    NotHar(String),
    /// The file ends in the middle.
    #[error(
        "truncated at byte {at}: the file ends in the middle of the JSON (an interrupted download or copy?); \
         the entries before were read; export or copy the file again"
    )]
    Truncated {
        /// Bytes read before the end.
        at: u64,
    },
    /// Not JSON at all, or broken JSON.
    #[error("not a HAR file: invalid JSON at line {line}, column {column} ({detail}); is this the right file?")]
    Syntax {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        detail: String,
    },
    /// Reading failed.
    #[error("the file could not be read: {0}")]
    Io(String),
    /// The caller asked to stop (e.g. its output could not be written).
    #[error("{0}")]
    Stopped(String),
}

/// Reads `reader` as HAR and calls `on_event` for each part, in order. Invalid UTF-8 is read lossily (as
/// U+FFFD). `on_event` may stop the reading by returning an error message.
pub fn read_har<R, F>(reader: R, mut on_event: F) -> Result<(), HarError>
where
    R: Read,
    F: FnMut(HarEvent) -> Result<(), String>,
{
    let consumed = Rc::new(Cell::new(0u64));
    let counting = Counting {
        inner: reader,
        consumed: Rc::clone(&consumed),
    };
    let buffered = BufReader::with_capacity(1 << 16, LossyUtf8::new(counting));
    let state = State {
        sink: RefCell::new(&mut on_event),
        entries_seen: Cell::new(false),
        stopped: RefCell::new(None),
    };
    let mut deserializer = serde_json::Deserializer::from_reader(buffered);
    let outcome = RootSeed { state: &state }
        .deserialize(&mut deserializer)
        .and_then(|()| deserializer.end());
    if let Some(message) = state.stopped.take() {
        return Err(HarError::Stopped(message));
    }
    match outcome {
        Ok(()) if state.entries_seen.get() => Ok(()),
        Ok(()) => Err(HarError::NoEntries),
        Err(e) => Err(classify(&e, consumed.get())),
    }
}

fn classify(error: &serde_json::Error, consumed: u64) -> HarError {
    use serde_json::error::Category;
    match error.classify() {
        Category::Eof => HarError::Truncated { at: consumed },
        Category::Syntax => HarError::Syntax {
            line: error.line(),
            column: error.column(),
            detail: without_position(error),
        },
        Category::Data => HarError::NotHar(without_position(error)),
        Category::Io => HarError::Io(error.to_string()),
    }
}

/// The parser's message without its " at line L column C" tail (the error says where itself).
fn without_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}

/// Counts the bytes read, to say where a truncated file ends.
struct Counting<R> {
    inner: R,
    consumed: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.consumed.set(self.consumed.get() + n as u64);
        Ok(n)
    }
}

/// Shared by the visitors: the caller's callback, whether `log.entries` was found, and why the caller stopped.
struct State<'s> {
    sink: RefCell<&'s mut dyn FnMut(HarEvent) -> Result<(), String>>,
    entries_seen: Cell<bool>,
    stopped: RefCell<Option<String>>,
}

impl State<'_> {
    fn emit<E: serde::de::Error>(&self, event: HarEvent) -> Result<(), E> {
        let result = (self.sink.borrow_mut())(event);
        result.map_err(|message| {
            let error = E::custom(&message);
            *self.stopped.borrow_mut() = Some(message);
            error
        })
    }
}

/// The top-level object: `log` is read, anything else skipped.
struct RootSeed<'a, 's> {
    state: &'a State<'s>,
}

impl<'de> DeserializeSeed<'de> for RootSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RootSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object with a \"log\" member")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "log" {
                map.next_value_seed(LogSeed { state: self.state })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// `log`: `entries` is streamed, every other member handed over whole.
struct LogSeed<'a, 's> {
    state: &'a State<'s>,
}

impl<'de> DeserializeSeed<'de> for LogSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for LogSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"log\" to be an object with \"entries\"")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == "entries" {
                map.next_value_seed(EntriesSeed { state: self.state })?;
                self.state.entries_seen.set(true);
            } else {
                let value = map.next_value::<Value>()?;
                self.state.emit(HarEvent::LogMember(key, value))?;
            }
        }
        Ok(())
    }
}

/// `log.entries`: each element is handed over as soon as it is read.
struct EntriesSeed<'a, 's> {
    state: &'a State<'s>,
}

impl<'de> DeserializeSeed<'de> for EntriesSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for EntriesSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("\"log.entries\" to be an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.state.emit(HarEvent::EntriesStart)?;
        let mut number = 0;
        while let Some(value) = seq.next_element::<Value>()? {
            number += 1;
            self.state.emit(HarEvent::Entry(number, value))?;
        }
        self.state.emit(HarEvent::EntriesEnd)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries_of(text: &[u8]) -> (Vec<usize>, Result<(), HarError>) {
        let mut seen = Vec::new();
        let result = read_har(text, |event| {
            if let HarEvent::Entry(n, _) = event {
                seen.push(n);
            }
            Ok(())
        });
        (seen, result)
    }

    #[test]
    fn entries_are_handed_over_one_by_one_wherever_log_is() {
        let text = br#"{"x": [1, {"a": 2}], "log": {"version": "1.2", "entries": [{}, {"a": 1}, 3], "pages": []}}"#;
        let (seen, result) = entries_of(text);
        assert_eq!(seen, [1, 2, 3]);
        assert!(result.is_ok(), "{result:?}");
    }

    #[test]
    fn other_json_is_not_a_har_file() {
        for text in [&br#"{"log": {"pages": []}}"#[..], br#"{"foo": 1}"#] {
            let (_, result) = entries_of(text);
            assert!(matches!(result, Err(HarError::NoEntries)), "{result:?}");
        }
        let (_, result) = entries_of(b"[1, 2]");
        let message = result.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.starts_with("not a HAR file"), "{message}");
        let (_, result) = entries_of(b"<html>");
        assert!(
            matches!(result, Err(HarError::Syntax { line: 1, column: 1, .. })),
            "{result:?}"
        );
    }

    #[test]
    fn a_truncated_file_says_where_it_ends_after_the_complete_entries() {
        let text = br#"{"log": {"entries": [{"a": 1}, {"b": 2}, {"c": "#;
        let (seen, result) = entries_of(text);
        assert_eq!(seen, [1, 2]);
        assert!(
            matches!(result, Err(HarError::Truncated { at }) if at == text.len() as u64),
            "{result:?}"
        );
    }

    #[test]
    fn the_caller_can_stop_the_reading() {
        let result = read_har(&br#"{"log": {"entries": [{}, {}]}}"#[..], |_| {
            Err("disk full".to_owned())
        });
        assert!(matches!(result, Err(HarError::Stopped(m)) if m == "disk full"));
    }

    #[test]
    fn invalid_utf8_is_read_lossily() {
        let mut text = br#"{"log": {"entries": [{"t": "a"#.to_vec();
        text.extend_from_slice(&[0xff, 0xfe]);
        text.extend_from_slice(br#"b"}]}}"#);
        let mut texts = Vec::new();
        let result = read_har(&text[..], |event| {
            if let HarEvent::Entry(_, value) = event {
                texts.push(value["t"].as_str().unwrap_or_default().to_owned());
            }
            Ok(())
        });
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(texts, ["a\u{fffd}\u{fffd}b"]);
    }
}
