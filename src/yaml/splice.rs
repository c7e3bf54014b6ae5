//! Assembling the output from pieces of the input and text we generate.
//!
//! The output is a list of [`Piece`]s: ranges of the input, copied as they are, and generated
//! text. No input byte is ever re-encoded, and no second copy of the input is made.

use std::io::{self, Write};
use std::ops::Range;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Input(Range<usize>),
    Text(String),
}

/// The output of a run, as pieces of `src` and generated text.
#[derive(Debug, Default)]
pub struct Pieces {
    pub pieces: Vec<Piece>,
}

impl Pieces {
    pub fn input(&mut self, range: Range<usize>) {
        if !range.is_empty() {
            self.pieces.push(Piece::Input(range));
        }
    }

    pub fn text(&mut self, text: String) {
        if !text.is_empty() {
            self.pieces.push(Piece::Text(text));
        }
    }

    pub fn write_to(&self, src: &[u8], out: &mut dyn Write) -> io::Result<()> {
        for piece in &self.pieces {
            match piece {
                Piece::Input(r) => out.write_all(&src[r.clone()])?,
                Piece::Text(t) => out.write_all(t.as_bytes())?,
            }
        }
        Ok(())
    }

    /// The whole output in memory (tests, and callers that need a buffer).
    pub fn to_vec(&self, src: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        let _ = self.write_to(src, &mut out);
        out
    }
}

/// A replacement of `range` of the input by `with`.
#[derive(Debug)]
pub struct Edit {
    pub range: Range<usize>,
    pub with: Vec<Piece>,
}

/// Applies edits (sorted by start; edits at one position keep their order) to `src`.
pub fn apply(src: &str, mut edits: Vec<Edit>) -> Pieces {
    edits.sort_by_key(|e| e.range.start);
    let mut out = Pieces::default();
    let mut at = 0;
    for edit in edits {
        let start = edit.range.start.max(at);
        out.input(at..start);
        out.pieces.extend(edit.with);
        at = edit.range.end.max(start);
    }
    out.input(at..src.len());
    // A missing final newline stays missing, also when the output now ends with our text.
    if let (false, Some(Piece::Text(t))) = (src.ends_with('\n'), out.pieces.last_mut()) {
        let trimmed = t.trim_end_matches(['\r', '\n']).len();
        t.truncate(trimmed);
    }
    out
}

/// The line ending of `src`: CRLF when its first line break is one. (A lone CR, which YAML also
/// accepts, gets LF: YAML readers take either.)
pub fn line_ending(src: &str) -> &'static str {
    match src.find('\n') {
        Some(i) if i > 0 && src.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// Rewrites the `\n`s of generated text as `eol`.
pub fn with_line_ending(text: String, eol: &str) -> String {
    if eol == "\n" {
        text
    } else {
        text.replace('\n', eol)
    }
}

/// Start of the line holding `pos`.
pub fn line_start(src: &str, pos: usize) -> usize {
    // YAML also takes a lone CR for a line break.
    src[..pos].rfind(['\n', '\r']).map_or(0, |i| i + 1)
}

/// The column of `pos` in characters, not counting a byte order mark at the start of the input.
pub fn column(src: &str, pos: usize) -> usize {
    src[line_start(src, pos)..pos]
        .trim_start_matches('\u{feff}')
        .chars()
        .count()
}

/// The bytes of an object from `start` to `end`, in whole lines: from the start of the line of
/// `start` to the end of the line of its last content (at least the line of `start`, for an
/// object without content such as a lone `?`).
pub fn lines_of(src: &str, start: usize, end: usize) -> Range<usize> {
    line_start(src, start)..after_line(src, end.max((start + 1).min(src.len())))
}

/// Where the line holding the last content byte before `end` ends (after its line break), so
/// that a comment after the content stays with it. A block scalar's span may reach into the
/// next line's indentation; those blanks do not count.
pub fn after_line(src: &str, end: usize) -> usize {
    let bytes = src.as_bytes();
    let mut e = end.min(bytes.len());
    while e > 0 && matches!(bytes[e - 1], b' ' | b'\t') {
        e -= 1;
    }
    if e > 0 && matches!(bytes[e - 1], b'\n' | b'\r') {
        return e + usize::from(bytes[e - 1] == b'\r' && bytes.get(e) == Some(&b'\n'));
    }
    match src[e..].find(['\n', '\r']) {
        None => src.len(),
        Some(i) => {
            e + i
                + 1
                + usize::from(&src[e + i..e + i + 1] == "\r" && src[e + i + 1..].starts_with('\n'))
        }
    }
}

/// The end of a flow collection entry whose content ends at `end`. An entry with an empty
/// value (`[a:]`, `{x: 1, y:}`) ends after its `:`, which no parser event covers.
pub fn flow_entry_end(src: &str, end: usize) -> usize {
    let bytes = src.as_bytes();
    let mut i = end;
    let mut last = end;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'#' => {
                while i < bytes.len() && !matches!(bytes[i], b'\n' | b'\r') {
                    i += 1;
                }
            }
            b':' => {
                i += 1;
                last = i;
            }
            _ => break,
        }
    }
    last
}

/// The `-` of a block sequence entry in `src[from..to]`: the first `-` followed by a blank or a
/// line break, outside comments.
pub fn entry_dash(src: &str, from: usize, to: usize) -> Option<usize> {
    let bytes = src.as_bytes();
    let mut i = from;
    while i < to {
        match bytes[i] {
            b'#' if i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'\r') => {
                while i < to && !matches!(bytes[i], b'\n' | b'\r') {
                    i += 1;
                }
            }
            b'-' if matches!(bytes.get(i + 1), None | Some(b' ' | b'\t' | b'\n' | b'\r')) => {
                return Some(i);
            }
            _ => i += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let src = "a: 1 # c\nb: |\n  x\n  \nc: 2";
        assert_eq!(after_line(src, 4), 9);
        assert_eq!(after_line(src, src.len()), src.len());
        assert_eq!(
            after_line(src, 18),
            18,
            "blanks after a block scalar do not count"
        );
        assert_eq!(line_start(src, 12), 9);
        assert_eq!(
            column("\u{feff}ab: 1", 3),
            0,
            "a byte order mark is not a column"
        );
        assert_eq!(column("x\n  é: 1", 4), 2);
        // CR alone is a YAML line break too; CRLF is one break, not two.
        assert_eq!(column("---\rab: 1", 4), 0);
        assert_eq!(after_line("a: 1\r\nb: 2", 4), 6);
        assert_eq!(after_line("a: 1\rb: 2", 4), 5);
        assert_eq!(after_line("a: |\r\n  x\r\n  ", 13), 11);
    }

    #[test]
    fn flow_entries_with_empty_values_end_after_the_colon() {
        let src = "[a: , b:]";
        assert_eq!(flow_entry_end(src, 2), 3);
        assert_eq!(flow_entry_end(src, 7), 8);
        assert_eq!(flow_entry_end("[{a: 1} ]", 7), 7);
        assert_eq!(flow_entry_end("{x # c\n :}", 2), 9);
    }

    #[test]
    fn dashes() {
        let src = "items: # a - b\n  # - c\n  - &x-y a: 1";
        assert_eq!(entry_dash(src, 5, src.len()), Some(25));
    }

    #[test]
    fn final_newline_stays_missing() {
        let out = apply(
            "a",
            vec![Edit {
                range: 1..1,
                with: vec![Piece::Text("\nb\n".into())],
            }],
        );
        assert_eq!(out.to_vec(b"a"), b"a\nb");
    }
}
