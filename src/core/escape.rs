//! Making untrusted text safe to print: a terminal must not obey control sequences hidden in a claim, and a
//! Markdown support ticket must not render links, images or HTML that a token carried.
//!
//! Pure string functions around one gate, [`for_output`], for text, Markdown, JSON and error messages alike.

use std::borrow::Cow;

/// Whether a character must not reach a terminal raw: C0 controls (including `\n`, `\r`, `\t`), DEL, C1
/// controls and the bidirectional controls that reorder what is shown.
pub fn is_unsafe(c: char) -> bool {
    let n = u32::from(c);
    n < 0x20 || (0x7f..=0x9f).contains(&n) || is_bidi_control(c)
}

/// The Unicode bidirectional formatting characters (Trojan Source, CVE-2021-42574).
fn is_bidi_control(c: char) -> bool {
    matches!(u32::from(c), 0x202a..=0x202e | 0x2066..=0x2069 | 0x200e | 0x200f | 0x061c)
}

/// Where untrusted text is printed; [`for_output`] makes it safe there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// One line for a terminal (a value, a message on stderr): every unsafe character, line breaks too,
    /// becomes a visible escape (`\n`, `\x1b`, `\u{202e}`).
    Line,
    /// Text of several lines (a readable report, a Markdown file): line breaks are kept, every other unsafe
    /// character becomes a visible escape. Already escaped text passes unchanged.
    Lines,
    /// Serialized JSON: serde escapes C0 controls inside strings, but not DEL, C1 or bidirectional controls;
    /// those become `\uXXXX` escapes, which decode to the same value. Line breaks are kept: in serialized
    /// JSON they only separate lines of pretty output.
    Json,
}

/// The one gate every CLI output goes through (stdout, stderr, report files): `text` with each character
/// that a terminal could obey or reorder replaced by an escape that fits `output`.
pub fn for_output(text: &str, output: Output) -> Cow<'_, str> {
    let must_escape = |c: char| is_unsafe(c) && !(c == '\n' && output != Output::Line);
    let Some(first) = first_unsafe(text.as_bytes(), output != Output::Line) else {
        return Cow::Borrowed(text);
    };
    let (clean, rest) = text.split_at(first);
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str(clean);
    for c in rest.chars() {
        match c {
            c if !must_escape(c) => out.push(c),
            c if output == Output::Json => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x80 => out.push_str(&format!("\\x{:02x}", u32::from(c))),
            c => out.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
        }
    }
    Cow::Owned(out)
}

/// The byte offset of the first character [`is_unsafe`] finds in the UTF-8 text `bytes` (`\n` allowed when
/// `keep_newlines`). Blocks of bytes are first tested at once for a byte that could start such a character (a
/// test the compiler turns into vector instructions); only a block that has one is looked at byte by byte.
pub fn first_unsafe(bytes: &[u8], keep_newlines: bool) -> Option<usize> {
    const BLOCK: usize = 32;
    let mut offset = 0;
    for block in bytes.chunks(BLOCK) {
        if block.iter().fold(false, |any, &b| any | may_start_unsafe(b))
            && let Some(at) = (offset..offset + block.len()).find(|&at| starts_unsafe(bytes, at, keep_newlines))
        {
            return Some(at);
        }
        offset += block.len();
    }
    None
}

/// Whether `b` is an ASCII control or DEL, or the lead byte of C1 (`C2 80..9F`), U+061C (`D8 9C`) or
/// U+200E–U+2069 (`E2 80`, `E2 81`). Continuation bytes are 80..BF, so none of these is mistaken for the
/// middle of a character.
fn may_start_unsafe(b: u8) -> bool {
    (b < 0x20) | (b == 0x7f) | (b == 0xc2) | (b == 0xd8) | (b == 0xe2)
}

/// Whether an unsafe character starts at byte `at`.
fn starts_unsafe(bytes: &[u8], at: usize, keep_newlines: bool) -> bool {
    match bytes.get(at).copied() {
        Some(b'\n') => !keep_newlines,
        Some(b @ (0xc2 | 0xd8 | 0xe2)) => {
            let len = if b == 0xe2 { 3 } else { 2 };
            bytes
                .get(at..at + len)
                .and_then(|c| std::str::from_utf8(c).ok())
                .and_then(|c| c.chars().next())
                .is_some_and(is_unsafe)
        }
        Some(b) => b < 0x20 || b == 0x7f,
        None => false,
    }
}

/// One line for a terminal: [`for_output`] with [`Output::Line`].
pub fn terminal(text: &str) -> Cow<'_, str> {
    for_output(text, Output::Line)
}

/// Serialized JSON for a terminal that stays the same JSON: [`for_output`] with [`Output::Json`].
pub fn json_text(json: &str) -> Cow<'_, str> {
    for_output(json, Output::Json)
}

/// Escapes, like [`json_text`], the serialized JSON appended to `out` after `start`; as almost always nothing
/// needs escaping, the bytes are only scanned, never copied.
pub fn json_escape_appended(out: &mut Vec<u8>, start: usize) {
    let Some(appended) = out.get(start..) else { return };
    if first_unsafe(appended, true).is_none() {
        return;
    }
    let escaped = json_text(&String::from_utf8_lossy(appended)).into_owned();
    out.truncate(start);
    out.extend_from_slice(escaped.as_bytes());
}

/// A Markdown code span holding `text` literally: controls are escaped as for the terminal, and the fence is
/// one backtick longer than the longest backtick run inside, so the span cannot be closed early. Empty text
/// gives an empty string.
pub fn markdown_code(text: &str) -> String {
    let text = terminal(text);
    if text.is_empty() {
        return String::new();
    }
    let fence = "`".repeat(longest_backtick_run(&text) + 1);
    // CommonMark strips one space on each side when both are present, so padding keeps edge backticks apart
    // from the fence.
    format!("{fence} {text} {fence}")
}

/// A Markdown table cell holding `text` in a code span; `|` is escaped, which GFM tables honour even
/// inside code spans.
pub fn markdown_cell(text: &str) -> String {
    markdown_code(text).replace('|', "\\|")
}

/// A fenced Markdown code block: the fence is longer than any backtick run inside, and each line is escaped
/// as for the terminal.
pub fn markdown_block(info: &str, text: &str) -> String {
    let body: Vec<Cow<'_, str>> = text.lines().map(terminal).collect();
    let body = body.join("\n");
    let fence = "`".repeat((longest_backtick_run(&body) + 1).max(3));
    format!("{fence}{info}\n{body}\n{fence}")
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_become_visible_escapes() {
        assert_eq!(terminal("a\u{1b}[2Jb\n\t\r\u{7f}"), "a\\x1b[2Jb\\n\\t\\r\\x7f");
        assert_eq!(
            terminal("\u{9b}31m\u{202e}x\u{2066}\u{61c}"),
            "\\u{9b}31m\\u{202e}x\\u{2066}\\u{61c}"
        );
        assert!(matches!(terminal("plain ünïcode"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_text_escapes_what_serde_leaves_and_stays_the_same_json() {
        let value = serde_json::json!({"a": "x\u{202e}y\u{9b}\u{7f}\n\u{1b}"});
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        let safe = json_text(&pretty);
        assert!(!safe.chars().any(|c| c != '\n' && is_unsafe(c)), "{safe}");
        assert!(safe.contains("\\u202e"), "{safe}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&safe).unwrap(), value);
        assert!(matches!(json_text("{\"plain\": 1}"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_byte_scan_finds_the_same_first_character_as_a_scan_of_characters() {
        let every_char = (0..=u32::from(char::MAX)).filter_map(char::from_u32);
        // The second text puts the character across the first block boundary (byte 32).
        let texts = |c: char| [format!("a\u{e9}{c}b"), format!("{}{c}\u{7f}", "x".repeat(31))];
        for text in every_char.flat_map(texts) {
            for keep_newlines in [false, true] {
                let expected = text
                    .char_indices()
                    .find(|&(_, c)| is_unsafe(c) && !(keep_newlines && c == '\n'))
                    .map(|(at, _)| at);
                assert_eq!(first_unsafe(text.as_bytes(), keep_newlines), expected, "{text:?}");
            }
        }
    }

    #[test]
    fn several_lines_keep_their_breaks_and_lose_every_other_control() {
        let hostile = "a\u{1b}]0;x\u{7}\nb\u{85}\u{202e}\u{2066}\tc";
        let safe = for_output(hostile, Output::Lines);
        assert_eq!(safe, "a\\x1b]0;x\\x07\nb\\u{85}\\u{202e}\\u{2066}\\tc");
        assert_eq!(for_output(&safe, Output::Lines), safe, "escaping twice changes nothing");
        assert!(!for_output(hostile, Output::Line).contains('\n'));
    }

    #[test]
    fn a_code_span_fence_is_longer_than_any_backtick_run_inside() {
        assert_eq!(markdown_code("a"), "` a `");
        assert_eq!(markdown_code("x``y`"), "``` x``y` ```");
        assert_eq!(markdown_code(""), "");
        assert_eq!(markdown_code("<img>\n"), "` <img>\\n `");
    }

    #[test]
    fn a_code_block_cannot_be_closed_by_its_content() {
        let block = markdown_block("json", "````\n\u{1b}");
        assert!(block.starts_with("`````json\n"), "{block}");
        assert!(block.ends_with("\n`````"), "{block}");
        assert!(block.contains("\\x1b"), "{block}");
    }

    #[test]
    fn table_cells_escape_pipes() {
        assert_eq!(markdown_cell("a|b"), "` a\\|b `");
    }
}
