//! `${NAME}` substitution exactly as the operators of both API families do it in
//! a blueprint (each family gives its own variables): a port of `envsubst.EvalMap`
//! from `gomodules.xyz/envsubst` v0.2.0 (a fork of `github.com/drone/envsubst`),
//! including its parser quirks. v0.2.0 is what both operators pin and vendor
//! (docs/spec.md §5 names their go.mod files and call sites). Each marshals the
//! object to JSON, calls `EvalMap(json, inputs)` and unmarshals the result.
//! v0.1.0, which Stash's last public auto-backup code vendored (2020), differs
//! where noted.
//!
//! # Model
//! The text is parsed completely first (so a syntax error anywhere wins over an
//! unknown variable anywhere), then evaluated left to right up to the first error:
//!
//! * Plain text is copied; `$$` becomes `$` (so `$${X}` yields the literal
//!   `${X}`), the only escape there (`parseAny` sets `escapeChars = dollar`;
//!   v0.1.0 also unescaped `\\` and `\/`). A bare `$NAME` is plain text: only
//!   `${...}` is an expression.
//! * A name is a run of letters, digits and `_`, from its first character on
//!   (`acceptIdent` in parse/scan.go; `${1}` is a name). Letters and digits are
//!   Go's: general categories L and Nd, of Unicode 15.0.0 as in the Go the
//!   operators build with (`go_unicode`), so not `Ⅳ`, `²` nor the vowel signs of
//!   Indic scripts, which Rust calls alphabetic or numeric. Any other character ends
//!   it, and `}` or an operator must follow: `${target-name}`, `${my.var}` and
//!   `${A-d}` are errors ("missing closing brace"), whatever variables exist.
//!   `-`, `+`, `?` are operators only after a `:`.
//! * Functions: `${A}`, defaults `${A=d}` `${A:=d}` `${A:-d}` (and `${A:?d}`,
//!   `${A:+d}`, which Go evaluates like a default but which are *not* defaults
//!   for `EvalMap`), casing `^ ^^ , ,,`, `${#A}` (length in bytes, as Go's
//!   `len`), substring `${A:pos}` / `${A:pos:len}` (bytes, as Go; a negative
//!   `pos`, which only a nested `${…}` can give, counts from the end; an
//!   unparsable number gives the whole value), removal `# ## % %%` with the
//!   library's copy of `path.Match` (in which `*` and `?` *do* match `/`),
//!   replacement `/ // /# /%` (whose arguments alone also unescape `\\` and `\/`).
//!   Offsets, trims and replacements work on bytes as Go's strings do and may
//!   cut a character; the operator's JSON decoding then reads each byte that is
//!   not part of a whole character as a U+FFFD, and so does [`substitute`].
//! * Arguments may contain nested `${...}`; they are evaluated *before* the
//!   outer variable is looked up, so `${A:-${B}}` fails on an unknown `B` even
//!   when `A` is known (as in Go). A default reads text and `${…}` up to its `}`
//!   and joins them (`${X:-a${B}c}`; v0.1.0 took a single argument).
//! * `EvalMap` rule: an unknown variable is an error unless the function is one
//!   of `=`, `:=`, `:-`, whose argument is then the value, even when it is empty
//!   (`${X:-}` with unknown `X` is the empty string: the parser gives a blank
//!   default no argument, and eval.go checks only that the function is a default;
//!   a gomodules pull request that also required an argument was not merged); a
//!   known variable with one of those three yields its value, even when empty;
//!   anything else applies the function to the value.
//! * Parse errors carry the library's messages ([`Malformation`]): "unable to
//!   parse variable name" (`${` without a name), "missing closing brace" (a name
//!   followed by anything but `}` or an operator), "unable to parse substitution
//!   within function" (a function without its argument: `${A:-`, `${A#}`,
//!   `${A:}`), "bad substitution" (the rest: `${A/x}`, `${A^x}`, `${#}`).
//! * Where Go panics, the operator's goroutine dies and nothing is made: a
//!   substring whose range ends before its start or before 0 (`${A:1:-1}`,
//!   `${A:0:-1}`: a negative length does not count from the end as in bash).
//!   That is an error here ([`VarError::SliceBounds`]).
//!
//! # Deliberate deviations
//! * The operators substitute into the *JSON text* of the object, once for all
//!   of it; we substitute into each YAML string value, so every bad value is
//!   reported and a `${` cannot pair with a `}` of another string. A variable's
//!   value goes in verbatim (in the operator a `"` or `\` in it breaks or
//!   changes the JSON). What the blueprint wrote inside a function's arguments
//!   reaches the operator's envsubst JSON-escaped: `"`, `\`, control characters,
//!   and Go's HTML-safe `\u003c` `\u003e` `\u0026` for `<` `>` `&` (and U+2028,
//!   U+2029). So there a pattern holding one of them does not match
//!   (`${A/&/and}`), and a replacement's `\/` arrives as `\\/`, an escaped
//!   backslash and then the delimiter. We read the arguments as written, as the
//!   library's own tests do. For the same reason a NUL character is ordinary
//!   text (Go's scanner takes rune 0 for the end of the input, but in the JSON a
//!   NUL is always `\u0000`).
//! * `${` nested more than 64 deep (`MAX_DEPTH`) is rejected as malformed so
//!   that hostile input cannot exhaust the stack.
//!
//! Kept Go quirks: a `:` followed by a non-ASCII character (`${A:é}`) is a
//! bad substitution (Go's scanner steps back by the wrong width there);
//! `${A#}`/`${A%}` and `${A:}` are errors; `${A/#x/}` and `${A/%x/}` (no
//! replacement) leave the value unchanged; the `#`-family never removes an
//! empty prefix (`${A#*}` drops the first character); `%`-family patterns are
//! reversed character-wise, so classes/escapes in them break; case mapping is
//! Go's one-rune-to-one-rune simple mapping (`ß` stays `ß` in `^^`), not Rust's
//! multi-character full mapping.

use std::borrow::Cow;
use std::fmt;

use super::go_unicode;

/// Maximum nesting depth of `${` (an outermost `${` is depth 1).
const MAX_DEPTH: usize = 64;

/// Why [`substitute`] failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VarError {
    /// `${NAME}` (or a non-default function on NAME) where NAME is not a known variable.
    Unknown {
        /// The variable name as written between `${` and the function.
        name: String,
    },
    /// The text is not valid envsubst syntax.
    Malformed {
        /// Byte offset of the `$` of the innermost `${` being parsed when the error was found.
        offset: usize,
        /// What the parser found, which decides the library's message.
        why: Malformation,
    },
    /// `${NAME:pos:len}` whose range ends before it starts: the library slices out of bounds
    /// and the operator's goroutine panics (`toSubstr` in funcs.go).
    SliceBounds {
        /// The variable being cut.
        name: String,
        /// The start and end Go slices with, after its own adjustments.
        start: i64,
        end: i64,
    },
}

/// The ways parse.go stops. The first five are the library's own error values; `TooDeep` is
/// this port's (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Malformation {
    /// `${` not followed by a name (`ErrParseVariableName`).
    NoName {
        /// The character where the name should start (None at the end of the text).
        found: Option<char>,
    },
    /// A name followed by neither `}` nor an operator (`ErrMissingClosingBrace`): `${A-b}`.
    NoClosingBrace {
        /// The name read before the character that ended it.
        name: String,
        /// The character in place of `}` (None at the end of the text).
        found: Option<char>,
    },
    /// A function's argument is missing (`ErrParseFuncSubstitution`): `${A:-`.
    Argument,
    /// A default's operator cannot be read (`ErrParseDefaultFunction`; the parser only enters
    /// that branch after seeing the operator, so this is kept for completeness).
    DefaultFunction,
    /// Anything else (`ErrBadSubstitution`): `${A#}`, `${A/x}`, `${A^x}`.
    Bad,
    /// `${` nested more than [`MAX_DEPTH`] deep.
    TooDeep,
}

impl fmt::Display for Malformation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Malformation::NoName { .. } => "unable to parse variable name",
            Malformation::NoClosingBrace { .. } => "missing closing brace",
            Malformation::Argument => "unable to parse substitution within function",
            Malformation::DefaultFunction => "unable to parse default function",
            Malformation::Bad => "bad substitution",
            Malformation::TooDeep => return write!(f, "nested more than {MAX_DEPTH} deep"),
        })
    }
}

impl fmt::Display for VarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VarError::Unknown { name } => write!(f, "unknown variable ${{{name}}}"),
            VarError::Malformed { offset, why } => {
                write!(f, "malformed ${{...}} at byte {offset} (envsubst: {why})")
            }
            VarError::SliceBounds { name, start, end } => {
                // Go's runtime message: a negative end is shown alone.
                let bounds = if *end < 0 {
                    format!("[:{end}]")
                } else {
                    format!("[{start}:{end}]")
                };
                write!(
                    f,
                    "substring of ${{{name}}} ends before it starts (envsubst panics: slice \
                     bounds out of range {bounds})"
                )
            }
        }
    }
}

impl std::error::Error for VarError {}

/// Substitute variables in `text`. `lookup` returns the value of a known variable or None.
/// Returns Cow::Borrowed(text) when `text` contains no '$' (fast path: most strings have none),
/// and also whenever the result equals the input.
pub fn substitute<'a>(
    text: &'a str,
    lookup: &mut dyn FnMut(&str) -> Option<String>,
) -> Result<Cow<'a, str>, VarError> {
    if !text.contains('$') {
        return Ok(Cow::Borrowed(text));
    }
    let nodes = Parser::new(text)
        .parse_any()
        .map_err(|Bad { offset, why }| VarError::Malformed { offset, why })?;
    let mut out = Vec::with_capacity(text.len());
    for node in &nodes {
        eval_node(node, lookup, &mut out)?;
    }
    Ok(if out == text.as_bytes() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(go_text(out))
    })
}

// ---------------------------------------------------------------- AST

enum Node {
    Text(String),
    Func(Box<Func>),
}

/// node.go's `FuncNode`: `param` is the variable, `name` the operator (`""` for `${A}`).
struct Func {
    param: String,
    name: String,
    args: Vec<Node>,
}

fn func(param: String, name: String, args: Vec<Node>) -> Node {
    Node::Func(Box::new(Func { param, name, args }))
}

// ---------------------------------------------------------------- scanner

// Mode bits, as in scan.go; BACKSLASH is its `escapeChars` bit for `\\` and `\/`, which only
// replacement arguments scan with (`$$` goes with ESCAPE).
const IDENT: u8 = 1;
const LBRACK: u8 = 2;
const RBRACK: u8 = 4;
const ESCAPE: u8 = 8;
const BACKSLASH: u8 = 16;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tok {
    Illegal,
    Eof,
    Ident,
    Lbrack,
    Rbrack,
}

/// scan.go's accept functions; `i` is the byte offset just past `r` in the token.
#[derive(Clone, Copy)]
enum Accept {
    Rune,
    Ident,
    Colon,
    OneHash,
    NotClosing,
    Hash,
    Percent,
    Default,
    Replace,
    OneEqual,
    OneColon,
    NotColonClose,
    Slash,
    NotSlash,
    Casing,
}

/// Whether `name` can be written `${name}`: a run of letters, digits and `_` (`acceptIdent` in
/// parse/scan.go; a `-` or a `.` ends the name).
pub fn is_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(is_name_char)
}

/// `acceptIdent`: `unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_'`.
pub fn is_name_char(r: char) -> bool {
    r.is_ascii_alphanumeric() || r == '_' || (!r.is_ascii() && go_unicode::is_letter_or_digit(r))
}

/// The name a reader sees in the `${` at `offset` of `text`, read past the characters that end
/// a name for the library: `target-name` in `${target-name:-x}`. For messages.
pub fn written_name(text: &str, offset: usize) -> &str {
    let rest = text.get(offset + 2..).unwrap_or_default();
    let end = rest
        .find(|c: char| c.is_whitespace() || "${}:=,^/#%".contains(c))
        .unwrap_or(rest.len());
    rest.get(..end).unwrap_or_default()
}

/// `name` with each character the library refuses in a name made a `_`: what to rename
/// `target-name` or `my.var` to.
pub fn readable(name: &str) -> String {
    name.chars()
        .map(|c| if is_name_char(c) { c } else { '_' })
        .collect()
}

impl Accept {
    fn test(self, r: char, i: usize) -> bool {
        match self {
            Accept::Rune => true,
            Accept::Ident => is_name_char(r),
            Accept::Colon => r == ':',
            Accept::OneHash => r == '#' && i == 1,
            Accept::NotClosing => r != '}',
            Accept::Hash => r == '#' && i < 3,
            Accept::Percent => r == '%' && i < 3,
            Accept::Default => {
                (i == 1 && r == ':') || (i == 2 && matches!(r, '=' | '-' | '?' | '+'))
            }
            Accept::Replace => (i == 1 && r == '/') || (i == 2 && matches!(r, '/' | '#' | '%')),
            Accept::OneEqual => i == 1 && r == '=',
            Accept::OneColon => i == 1 && r == ':',
            Accept::NotColonClose => r != ':' && r != '}',
            Accept::Slash => r == '/',
            Accept::NotSlash => r != '/',
            Accept::Casing => matches!(r, ',' | '^') && i < 3,
        }
    }
}

/// Go's `utf8.DecodeRune`: invalid input decodes as (U+FFFD, 1).
fn decode(b: &[u8]) -> (char, usize) {
    let n = match b.first() {
        None => return (char::REPLACEMENT_CHARACTER, 0),
        Some(&c) if c < 0x80 => 1,
        Some(&c) if c >= 0xF0 => 4,
        Some(&c) if c >= 0xE0 => 3,
        Some(&c) if c >= 0xC0 => 2,
        Some(_) => return (char::REPLACEMENT_CHARACTER, 1),
    };
    b.get(..n)
        .and_then(|p| std::str::from_utf8(p).ok())
        .and_then(|s| s.chars().next())
        .map_or((char::REPLACEMENT_CHARACTER, 1), |c| (c, n))
}

/// Port of scan.go's scanner over bytes, with the same `read`/`unread`/`width`
/// semantics (one parser quirk depends on them). Instead of Go's buffer
/// mutation in `skip`, the offsets of dropped escape characters are recorded,
/// which keeps error offsets relative to the original input.
struct Scanner<'a> {
    buf: &'a [u8],
    pos: usize,
    start: usize,
    width: usize,
    mode: u8,
    accept: Accept,
    skips: Vec<usize>,
}

impl Scanner<'_> {
    fn set(&mut self, accept: Accept, mode: u8) {
        self.accept = accept;
        self.mode = mode;
    }

    fn read(&mut self) -> Option<char> {
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        if rest.is_empty() {
            self.width = 0;
            return None;
        }
        let (r, w) = decode(rest);
        self.width = w;
        self.pos += w;
        Some(r)
    }

    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(self.width);
    }

    fn peek(&mut self) -> Option<char> {
        let r = self.read();
        self.unread();
        r
    }

    /// Text of the last token, without the dropped escape characters.
    fn text(&self) -> String {
        let mut out = Vec::with_capacity(self.pos.saturating_sub(self.start));
        let mut from = self.start;
        for &s in &self.skips {
            out.extend_from_slice(self.buf.get(from..s).unwrap_or_default());
            from = s + 1;
        }
        out.extend_from_slice(self.buf.get(from..self.pos).unwrap_or_default());
        String::from_utf8_lossy(&out).into_owned()
    }

    fn scan(&mut self) -> Tok {
        self.start = self.pos;
        self.skips.clear();
        let Some(r) = self.read() else {
            return Tok::Eof;
        };
        if self.scan_lbrack(r) {
            Tok::Lbrack
        } else if self.mode & RBRACK != 0 && r == '}' {
            Tok::Rbrack
        } else if self.scan_ident(r) {
            Tok::Ident
        } else {
            Tok::Illegal
        }
    }

    fn idx(&self) -> usize {
        // Go's index into its shrunken buffer.
        self.pos.saturating_sub(self.start + self.skips.len())
    }

    fn scan_ident(&mut self, r: char) -> bool {
        if self.mode & IDENT == 0 {
            return false;
        }
        if self.scan_escaped(r) {
            self.skip();
        } else if !self.accept.test(r, self.idx()) {
            return false;
        }
        while let Some(r) = self.read() {
            if self.scan_lbrack(r) {
                self.unread();
                self.unread();
                break;
            }
            if self.scan_escaped(r) {
                self.skip();
                continue;
            }
            if !self.accept.test(r, self.idx()) {
                self.unread();
                break;
            }
        }
        true
    }

    fn scan_lbrack(&mut self, r: char) -> bool {
        if self.mode & LBRACK == 0 || r != '$' {
            return false;
        }
        if self.read() == Some('{') {
            return true;
        }
        self.unread();
        false
    }

    fn scan_escaped(&mut self, r: char) -> bool {
        if self.mode & ESCAPE == 0 {
            return false;
        }
        if r == '$' && self.peek() == Some('$') {
            return true;
        }
        r == '\\' && self.mode & BACKSLASH != 0 && matches!(self.peek(), Some('/' | '\\'))
    }

    /// Drop the escape character just read and consume the (ASCII) escaped one.
    fn skip(&mut self) {
        self.skips.push(self.pos.saturating_sub(1));
        self.pos += 1;
        self.width = 1;
    }
}

// ---------------------------------------------------------------- parser

/// Why parsing stopped, and at the `${` of which expression (byte offset of its `$`).
struct Bad {
    offset: usize,
    why: Malformation,
}

type Parsed<T> = Result<T, Bad>;

/// Port of parse.go; errors carry the offset of the current `${`.
struct Parser<'a> {
    s: Scanner<'a>,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Self {
        let s = Scanner {
            buf: text.as_bytes(),
            pos: 0,
            start: 0,
            width: 0,
            mode: 0,
            accept: Accept::Rune,
            skips: Vec::new(),
        };
        Parser { s }
    }

    /// The character the last token started with (None at the end of the text).
    fn found(&self) -> Option<char> {
        let rest = self.s.buf.get(self.s.start..).unwrap_or_default();
        (!rest.is_empty()).then(|| decode(rest).0)
    }

    /// The recursive `parseAny`, as a loop. It sets the escapes to `$$` alone, and `parseFunc`
    /// adds `\\` and `\/`, which only replacement arguments scan with.
    fn parse_any(&mut self) -> Parsed<Vec<Node>> {
        let mut nodes = Vec::new();
        loop {
            self.s.set(Accept::Rune, IDENT | LBRACK | ESCAPE);
            match self.s.scan() {
                Tok::Ident => nodes.push(Node::Text(self.s.text())),
                Tok::Eof => return Ok(nodes),
                Tok::Lbrack => {
                    let open = self.s.start;
                    nodes.push(self.parse_func(open, 1)?);
                }
                // acceptRune takes every character: Go's fallback, never reached.
                Tok::Illegal | Tok::Rbrack => {
                    return Err(Bad {
                        offset: self.s.start,
                        why: Malformation::Bad,
                    });
                }
            }
        }
    }

    fn parse_func(&mut self, open: usize, depth: usize) -> Parsed<Node> {
        let bad = |why| Bad { offset: open, why };
        if depth > MAX_DEPTH {
            return Err(bad(Malformation::TooDeep));
        }
        if self.s.peek() == Some('#') {
            return self.parse_len(open);
        }
        self.s.set(Accept::Ident, IDENT);
        if self.s.scan() != Tok::Ident {
            let found = self.found();
            return Err(bad(Malformation::NoName { found }));
        }
        let name = self.s.text();
        match self.s.peek() {
            Some(':') => return self.parse_default_or_substr(name, open, depth),
            Some('=') => return self.parse_default(name, open, depth),
            Some(',' | '^') => return self.parse_casing(name, open),
            Some('/') => return self.parse_replace(name, open, depth),
            Some('#') => return self.parse_remove(name, Accept::Hash, open, depth),
            Some('%') => return self.parse_remove(name, Accept::Percent, open, depth),
            _ => {}
        }
        self.s.set(Accept::Ident, RBRACK);
        match self.s.scan() {
            Tok::Rbrack => Ok(func(name, String::new(), Vec::new())),
            _ => {
                let found = self.found();
                Err(bad(Malformation::NoClosingBrace { name, found }))
            }
        }
    }

    /// Scan the operator token (`:-`, `//`, `##`, ...).
    fn op(&mut self, accept: Accept, open: usize) -> Parsed<String> {
        self.s.set(accept, IDENT);
        match self.s.scan() {
            Tok::Ident => Ok(self.s.text()),
            _ => Err(Bad {
                offset: open,
                why: Malformation::Bad,
            }),
        }
    }

    fn parse_param(&mut self, accept: Accept, mode: u8, open: usize, depth: usize) -> Parsed<Node> {
        self.s.set(accept, mode | LBRACK);
        match self.s.scan() {
            Tok::Lbrack => {
                let inner = self.s.start;
                self.parse_func(inner, depth + 1)
            }
            Tok::Ident | Tok::Rbrack => Ok(Node::Text(self.s.text())),
            Tok::Illegal | Tok::Eof => Err(Bad {
                offset: open,
                why: Malformation::Argument,
            }),
        }
    }

    fn consume_rbrack(&mut self, node: Node, open: usize) -> Parsed<Node> {
        self.s.mode = RBRACK;
        match self.s.scan() {
            Tok::Rbrack => Ok(node),
            _ => Err(Bad {
                offset: open,
                why: Malformation::Bad,
            }),
        }
    }

    fn parse_default_or_substr(&mut self, name: String, open: usize, depth: usize) -> Parsed<Node> {
        // Go: read(); peek(); unread(). The unread uses the width of the
        // *peeked* rune, so a non-ASCII rune after ':' rewinds into the name
        // and the substring parse then fails: kept on purpose.
        self.s.read();
        let r = self.s.peek();
        self.s.unread();
        match r {
            Some('=' | '-' | '?' | '+') => self.parse_default(name, open, depth),
            _ => self.parse_substr(name, open, depth),
        }
    }

    fn parse_substr(&mut self, name: String, open: usize, depth: usize) -> Parsed<Node> {
        let op = self.op(Accept::OneColon, open)?;
        let mut args = vec![self.parse_param(Accept::NotColonClose, IDENT, open, depth)?];
        self.s.set(Accept::Colon, IDENT | RBRACK);
        match self.s.scan() {
            Tok::Rbrack => return Ok(func(name, op, args)),
            Tok::Ident => {}
            _ => {
                return Err(Bad {
                    offset: open,
                    why: Malformation::Bad,
                });
            }
        }
        args.push(self.parse_param(Accept::NotClosing, IDENT, open, depth)?);
        self.consume_rbrack(func(name, op, args), open)
    }

    fn parse_remove(
        &mut self,
        name: String,
        accept: Accept,
        open: usize,
        depth: usize,
    ) -> Parsed<Node> {
        let op = self.op(accept, open)?;
        let args = vec![self.parse_param(Accept::NotClosing, IDENT, open, depth)?];
        self.consume_rbrack(func(name, op, args), open)
    }

    fn parse_replace(&mut self, name: String, open: usize, depth: usize) -> Parsed<Node> {
        let op = self.op(Accept::Replace, open)?;
        let esc = IDENT | ESCAPE | BACKSLASH;
        let mut args = vec![self.parse_param(Accept::NotSlash, esc, open, depth)?];
        self.op(Accept::Slash, open)?;
        if self.s.peek() != Some('}') {
            args.push(self.parse_param(Accept::NotClosing, esc, open, depth)?);
        }
        self.consume_rbrack(func(name, op, args), open)
    }

    /// Arguments are read until the `}`: text and `${…}` may alternate (`${X:-a${Y}b}`).
    fn parse_default(&mut self, name: String, open: usize, depth: usize) -> Parsed<Node> {
        let accept = if self.s.peek() == Some('=') {
            Accept::OneEqual
        } else {
            Accept::Default
        };
        let op = self.op(accept, open).map_err(|b| Bad {
            why: Malformation::DefaultFunction,
            ..b
        })?;
        let mut args = Vec::new();
        // Each parse_param consumes at least one character or fails, so this ends.
        while self.s.peek() != Some('}') {
            args.push(self.parse_param(Accept::NotClosing, IDENT, open, depth)?);
        }
        self.consume_rbrack(func(name, op, args), open)
    }

    fn parse_casing(&mut self, name: String, open: usize) -> Parsed<Node> {
        let op = self.op(Accept::Casing, open)?;
        self.consume_rbrack(func(name, op, Vec::new()), open)
    }

    fn parse_len(&mut self, open: usize) -> Parsed<Node> {
        let op = self.op(Accept::OneHash, open)?;
        let param = self.op(Accept::Ident, open)?;
        self.consume_rbrack(func(param, op, Vec::new()), open)
    }
}

// ---------------------------------------------------------------- evaluation

type Lookup<'l> = dyn FnMut(&str) -> Option<String> + 'l;

/// Evaluation works on bytes, as Go's strings do: a substring or a trim may cut a character, and
/// the pieces meet again in the output or in an enclosing function (see [`go_text`]).
fn eval_node(node: &Node, lookup: &mut Lookup<'_>, out: &mut Vec<u8>) -> Result<(), VarError> {
    match node {
        Node::Text(t) => out.extend_from_slice(t.as_bytes()),
        Node::Func(f) => out.extend(eval_func(f, lookup)?),
    }
    Ok(())
}

/// gomodules' `evalFunc` + `EvalMap` mapper. Recursion depth is bounded by MAX_DEPTH.
fn eval_func(f: &Func, lookup: &mut Lookup<'_>) -> Result<Vec<u8>, VarError> {
    let mut args = Vec::with_capacity(f.args.len());
    for a in &f.args {
        let mut buf = Vec::new();
        eval_node(a, lookup, &mut buf)?;
        args.push(buf);
    }
    let is_default = matches!(f.name.as_str(), "=" | ":=" | ":-");
    match lookup(&f.param) {
        None if !is_default => Err(VarError::Unknown {
            name: f.param.clone(),
        }),
        Some(v) if is_default => Ok(v.into_bytes()),
        v if f.name == ":" => {
            substr(&v.unwrap_or_default(), &args).map_err(|(start, end)| VarError::SliceBounds {
                name: f.param.clone(),
                start,
                end,
            })
        }
        v => Ok(apply(&f.name, &v.unwrap_or_default(), &args)),
    }
}

/// template.go's `lookupFunc` + funcs.go. The value comes from the variables, so it is whole
/// UTF-8; the arguments may hold cut characters.
fn apply(name: &str, v: &str, args: &[Vec<u8>]) -> Vec<u8> {
    let b = v.as_bytes();
    match (name, args) {
        (",", _) => map_first(v, go_lower).into_bytes(),
        (",,", _) => v.chars().map(go_lower).collect::<String>().into_bytes(),
        ("^", _) => map_first(v, go_upper).into_bytes(),
        ("^^", _) => v.chars().map(go_upper).collect::<String>().into_bytes(),
        ("#", []) => v.len().to_string().into_bytes(),
        ("#", [p, ..]) => trim_prefix(b, p, false),
        ("##", [p, ..]) => trim_prefix(b, p, true),
        ("%", [p, ..]) => trim_suffix(b, p, false),
        ("%%", [p, ..]) => trim_suffix(b, p, true),
        ("/", [p]) => replace(v, p, b"", Some(1)),
        ("/", [p, r, ..]) => replace(v, p, r, Some(1)),
        ("//", [p]) => replace(v, p, b"", None),
        ("//", [p, r, ..]) => replace(v, p, r, None),
        ("/#", [p, r]) => match b.strip_prefix(p.as_slice()) {
            Some(rest) => [r.as_slice(), rest].concat(),
            None => b.to_vec(),
        },
        ("/%", [p, r]) => match b.strip_suffix(p.as_slice()) {
            Some(rest) => [rest, r.as_slice()].concat(),
            None => b.to_vec(),
        },
        // Go: replacePrefix/Suffix need exactly two args.
        ("/#" | "/%", _) => b.to_vec(),
        // toDefault, also for ":?", ":+", "" and unknown operators.
        _ if v.is_empty() && !args.is_empty() => args.concat(),
        _ => b.to_vec(),
    }
}

/// Go's `strings.Replace(s, old, new, n)` (`None`: all): leftmost matches that do not overlap;
/// an empty `old` matches before each character and at the end.
fn replace(s: &str, old: &[u8], new: &[u8], n: Option<usize>) -> Vec<u8> {
    let b = s.as_bytes();
    let mut at: Vec<usize> = Vec::new();
    if old.is_empty() {
        at.extend(s.char_indices().map(|(i, _)| i).chain([s.len()]));
    } else {
        let mut i = 0;
        while let Some(found) = b.get(i..).and_then(|rest| find(rest, old)) {
            at.push(i + found);
            i += found + old.len();
        }
    }
    at.truncate(n.unwrap_or(usize::MAX));
    let mut out = Vec::with_capacity(b.len());
    let mut from = 0;
    for i in at {
        out.extend_from_slice(b.get(from..i).unwrap_or_default());
        out.extend_from_slice(new);
        from = i + old.len();
    }
    out.extend_from_slice(b.get(from..).unwrap_or_default());
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Text from Go's bytes as the operator reads it back: its JSON decoding turns each byte that
/// is not part of a whole UTF-8 character into a U+FFFD (`utf8.DecodeRune` steps one byte).
fn go_text(bytes: Vec<u8>) -> String {
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => go_runes(e.as_bytes()).collect(),
    }
}

/// The runes Go's `range` or `[]rune(s)` gives: U+FFFD for each stray byte.
fn go_runes(mut b: &[u8]) -> impl Iterator<Item = char> + '_ {
    std::iter::from_fn(move || {
        let (c, n) = decode(b);
        b = b.get(n..).unwrap_or_default();
        (n > 0).then_some(c)
    })
}

fn map_first(v: &str, f: fn(char) -> char) -> String {
    let mut it = v.chars();
    it.next()
        .map_or_else(String::new, |c| std::iter::once(f(c)).chain(it).collect())
}

/// Go's `unicode.ToUpper` (simple, one-rune mapping).
fn go_upper(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        // Multi-char full mapping: Go keeps the rune, except for the Greek
        // letters with iota subscript, whose simple mapping is the titlecase form.
        _ => match u32::from(c) {
            0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7 => {
                char::from_u32(u32::from(c) + 8).unwrap_or(c)
            }
            0x1FB3 => '\u{1FBC}',
            0x1FC3 => '\u{1FCC}',
            0x1FF3 => '\u{1FFC}',
            _ => c,
        },
    }
}

/// Go's `unicode.ToLower` (simple, one-rune mapping).
fn go_lower(c: char) -> char {
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => l,
        _ if c == '\u{130}' => 'i',
        _ => c,
    }
}

/// `toSubstr` of v0.2.0: byte positions parsed as `strconv.Atoi` does (i64 here), a negative
/// start counted from the end. `Err` holds the bounds Go slices with where it panics: a length
/// that ends the range before its start or before 0, including by overflowing `pos+length`.
fn substr(s: &str, args: &[Vec<u8>]) -> Result<Vec<u8>, (i64, i64)> {
    let atoi = |a: &Vec<u8>| std::str::from_utf8(a).ok()?.parse::<i64>().ok();
    let b = s.as_bytes();
    let Some(Some(mut pos)) = args.first().map(atoi) else {
        return Ok(b.to_vec()); // bash/Go: unparsable position -> whole string
    };
    let len = i64::try_from(s.len()).unwrap_or(i64::MAX);
    if pos < 0 {
        pos = (len + pos).max(0);
    }
    let end = match args.get(1).map(atoi) {
        None => len,
        Some(Some(l)) => pos.wrapping_add(l),
        Some(None) => return Ok(b.to_vec()),
    };
    if end >= len {
        return Ok(cut(b, pos, len));
    }
    if end < pos || end < 0 {
        return Err((pos, end));
    }
    Ok(cut(b, pos, end))
}

/// `s[a:b]` for 0 <= b <= len, empty when `a` is past `b`. Go cuts bytes, characters or not.
fn cut(s: &[u8], a: i64, b: i64) -> Vec<u8> {
    let (Ok(a), Ok(b)) = (usize::try_from(a), usize::try_from(b)) else {
        return Vec::new();
    };
    s.get(a..b).unwrap_or_default().to_vec()
}

/// funcs.go's `trimShortest`/`trimLongest`: try prefixes from longest to shortest, at every
/// byte (never the empty one); a bad pattern leaves `s` unchanged.
fn trim_prefix(s: &[u8], pat: &[u8], longest: bool) -> Vec<u8> {
    let mut cut = None;
    for end in (1..=s.len()).rev() {
        let prefix = s.get(..end).unwrap_or_default();
        match glob_match(pat, prefix) {
            Err(BadPattern) => return s.to_vec(),
            Ok(true) => {
                cut = Some(end);
                if longest {
                    break;
                }
            }
            Ok(false) => {}
        }
    }
    cut.and_then(|e| s.get(e..)).unwrap_or(s).to_vec()
}

/// funcs.go reverses value *and pattern* rune-wise (`[]rune`, so a stray byte becomes a
/// U+FFFD) and trims the prefix.
fn trim_suffix(s: &[u8], pat: &[u8], longest: bool) -> Vec<u8> {
    let rev = |x: &[u8]| {
        let mut runes: Vec<char> = go_runes(x).collect();
        runes.reverse();
        runes.into_iter().collect::<String>().into_bytes()
    };
    rev(&trim_prefix(&rev(s), &rev(pat), longest))
}

// ---------------------------------------------------------------- the library's path.Match

struct BadPattern;

/// Port of path/match.go, the library's copy of Go's `path.Match` (a trailing `*` matches
/// anything, a star may skip `/`, `?` matches any rune). Works on bytes like Go.
fn glob_match(mut pattern: &[u8], mut name: &[u8]) -> Result<bool, BadPattern> {
    'pattern: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            return Ok(true);
        }
        if let Some(t) = match_chunk(chunk, name)?
            && (t.is_empty() || !pattern.is_empty())
        {
            name = t;
            continue;
        }
        if star {
            for i in 0..name.len() {
                if let Some(t) = match_chunk(chunk, name.get(i + 1..).unwrap_or_default())? {
                    if pattern.is_empty() && !t.is_empty() {
                        continue;
                    }
                    name = t;
                    continue 'pattern;
                }
            }
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

fn scan_chunk(mut p: &[u8]) -> (bool, &[u8], &[u8]) {
    let mut star = false;
    while let Some((b'*', rest)) = p.split_first() {
        p = rest;
        star = true;
    }
    let (mut inrange, mut i) = (false, 0);
    while let Some(&c) = p.get(i) {
        match c {
            b'\\' if i + 1 < p.len() => i += 1,
            b'[' => inrange = true,
            b']' => inrange = false,
            b'*' if !inrange => break,
            _ => {}
        }
        i += 1;
    }
    let (chunk, rest) = p.split_at(i.min(p.len()));
    (star, chunk, rest)
}

fn match_chunk<'n>(mut chunk: &[u8], mut s: &'n [u8]) -> Result<Option<&'n [u8]>, BadPattern> {
    while let Some((&c, rest)) = chunk.split_first() {
        if s.is_empty() {
            return Ok(None);
        }
        match c {
            b'[' => {
                let (r, n) = decode(s);
                s = s.get(n..).unwrap_or_default();
                chunk = rest;
                let negated = chunk.first() == Some(&b'^');
                if negated {
                    chunk = chunk.get(1..).unwrap_or_default();
                }
                let (mut matched, mut nrange) = (false, 0);
                loop {
                    if nrange > 0 && chunk.first() == Some(&b']') {
                        chunk = chunk.get(1..).unwrap_or_default();
                        break;
                    }
                    let (lo, rest) = get_esc(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if chunk.first() == Some(&b'-') {
                        (hi, chunk) = get_esc(chunk.get(1..).unwrap_or_default())?;
                    }
                    matched |= lo <= r && r <= hi;
                    nrange += 1;
                }
                if matched == negated {
                    return Ok(None);
                }
            }
            b'?' => {
                let (_, n) = decode(s);
                s = s.get(n..).unwrap_or_default();
                chunk = rest;
            }
            _ => {
                let (lit, rest) = match (c, rest.split_first()) {
                    (b'\\', Some((&l, r))) => (l, r),
                    (b'\\', None) => return Err(BadPattern),
                    _ => (c, rest),
                };
                if s.first() != Some(&lit) {
                    return Ok(None);
                }
                s = s.get(1..).unwrap_or_default();
                chunk = rest;
            }
        }
    }
    Ok(Some(s))
}

fn get_esc(chunk: &[u8]) -> Result<(char, &[u8]), BadPattern> {
    let chunk = match chunk {
        [] | [b'-' | b']', ..] | [b'\\'] => return Err(BadPattern),
        [b'\\', rest @ ..] => rest,
        _ => chunk,
    };
    let (r, n) = decode(chunk);
    let rest = chunk.get(n..).unwrap_or_default();
    if (r == char::REPLACEMENT_CHARACTER && n == 1) || rest.is_empty() {
        return Err(BadPattern);
    }
    Ok((r, rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashMap;

    fn run(vars: &[(&str, &str)], input: &str) -> Result<String, VarError> {
        let map: HashMap<&str, &str> = vars.iter().copied().collect();
        substitute(input, &mut |k| map.get(k).map(|v| v.to_string())).map(Cow::into_owned)
    }

    fn ok(vars: &[(&str, &str)], input: &str, want: &str) {
        assert_eq!(run(vars, input).as_deref(), Ok(want), "input {input:?}");
    }

    fn unknown(name: &str) -> Result<String, VarError> {
        Err(VarError::Unknown { name: name.into() })
    }

    fn malformed(offset: usize, why: Malformation) -> Result<String, VarError> {
        Err(VarError::Malformed { offset, why })
    }

    fn bad(offset: usize) -> Result<String, VarError> {
        malformed(offset, Malformation::Bad)
    }

    fn no_brace(offset: usize, name: &str, found: Option<char>) -> Result<String, VarError> {
        let name = name.to_owned();
        malformed(offset, Malformation::NoClosingBrace { name, found })
    }

    fn no_name(offset: usize, found: Option<char>) -> Result<String, VarError> {
        malformed(offset, Malformation::NoName { found })
    }

    fn slice_bounds(name: &str, start: i64, end: i64) -> Result<String, VarError> {
        let name = name.to_owned();
        Err(VarError::SliceBounds { name, start, end })
    }

    /// gomodules/envsubst eval_test.go TestExpand (all stored versions) and
    /// TestEvalMap. TestExpand runs Go's `Eval`, where a missing variable is
    /// "" and defaults replace empty values; the two kinds of case that differ
    /// under `EvalMap` are asserted with the EvalMap result below.
    #[test]
    fn go_test_expand_and_eval_map() {
        let v01 = [("var01", "abcdEFGH28ij")];
        let v01u = [("var01", "ABCDEFGH28IJ")];
        let path = [("path_name", "/home/bozo/ideas/thoughts.for.today")];
        let z = [("stringZ", "abcABC123ABCabc")];
        let file = |f| [("filename", f)];
        ok(&[], "abcdEFGH28ij", "abcdEFGH28ij");
        ok(&v01, "${#var01}", "12");
        ok(&v01, "${var01^}", "AbcdEFGH28ij");
        ok(&v01, "${var01^^}", "ABCDEFGH28IJ");
        ok(&v01u, "${var01,}", "aBCDEFGH28IJ");
        ok(&v01u, "${var01,,}", "abcdefgh28ij");
        ok(&path, "${path_name:11}", "ideas/thoughts.for.today");
        ok(&path, "${path_name:11:5}", "ideas");
        ok(&[("var", "abc")], "${var=abc}", "abc");
        ok(&[("var", "")], "${var=abc}", "");
        ok(&[], "${var=xyz}", "xyz");
        ok(&[], "${var:=xyz}", "xyz");
        // Eval: "xyz"; EvalMap keeps a known empty value.
        ok(&[("var", "")], "${var=xyz}", "");
        // A blank default is a default: "" for an unknown variable, in Eval and in the
        // EvalMap Stash vendors (only later gomodules releases made it an error).
        for input in ["${var=}", "${var:=}", "${var:-}"] {
            ok(&[], input, "");
            ok(&[("var", "v")], input, "v");
        }
        ok(&z, "${stringZ/%abc/XYZ}", "abcABC123ABCXYZ");
        ok(&z, "${stringZ/#abc/XYZ}", "XYZABC123ABCabc");
        ok(&z, "${stringZ//abc/xyz}", "xyzABC123ABCxyz");
        ok(&z, "${stringZ/abc/xyz}", "xyzABC123ABCabc");
        ok(&file("bash.string.txt"), "${filename#*.}", "string.txt");
        ok(&file("path/to/file"), "${filename#*/}", "to/file");
        ok(&file("/path/to/file"), "${filename#*/}", "path/to/file");
        ok(&file("bash.string.txt"), "${filename##*.}", "txt");
        ok(&file("path/to/file"), "${filename##*/}", "file");
        ok(&file("/path/to/file"), "${filename##*/}", "file");
        ok(&file("bash.string.txt"), "${filename%.*}", "bash.string");
        ok(&file("bash.string.txt"), "${filename%%.*}", "bash");
        ok(&v01, "${var=${var01^^}}", "ABCDEFGH28IJ");
        ok(&v01, "$${var01}", "${var01}");
        ok(
            &v01,
            "some text ${var01}$${var$${var01}$var01${var01}",
            "some text abcdEFGH28ij${var${var01}$var01abcdEFGH28ij",
        );
        ok(&[("stringZ", "foo/bar")], r"${stringZ/\//-}", "foo-bar");
        ok(&[("stringZ", "foo.bar")], "${stringZ/./}", "foobar");
        // TestEvalMap
        ok(&[("abc", "xyz")], "${abc}", "xyz");
        ok(&[("abc", "")], "${abc=pqr}", "");
        ok(&[], "${abc=pqr}", "pqr");
        assert_eq!(run(&[], "${abc}"), unknown("abc"));
    }

    /// Every line of the table the Go library made (`tests/fixtures/envsubst/`): the same
    /// output, or the same error, with the library's message.
    #[test]
    fn agrees_with_the_go_library() {
        const TABLE: &str = include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/envsubst/gomodules-envsubst-v0.2.0.txt"
        ));
        let mut vars: HashMap<String, String> = HashMap::new();
        let mut checked = 0;
        for line in TABLE.lines().filter(|l| !l.starts_with('#')) {
            if let Some(json) = line.strip_prefix("vars ") {
                vars = serde_json::from_str(json).expect("the vars line is a JSON object");
                continue;
            }
            let (input, want) = line.split_once('\t').expect("input TAB result");
            let input: String = serde_json::from_str(input).expect("a JSON string");
            let got = match substitute(&input, &mut |k| vars.get(k).cloned()) {
                Ok(out) => format!("= {}", serde_json::to_string(&out).expect("a string")),
                Err(VarError::Unknown { name }) => {
                    format!("! input/default value not found for key {name}")
                }
                Err(VarError::Malformed { why, .. }) => format!("! {why}"),
                Err(e @ VarError::SliceBounds { .. }) => {
                    let text = e.to_string();
                    let at = text.find("slice bounds").expect("Go's words");
                    format!(
                        "! panic: runtime error: {}",
                        text[at..].trim_end_matches(')')
                    )
                }
            };
            // Go's encoder escapes what serde_json writes as is, and the reverse.
            let want: String = match want.strip_prefix("= ") {
                Some(json) => {
                    let out: String = serde_json::from_str(json).expect("a JSON string");
                    format!("= {}", serde_json::to_string(&out).expect("a string"))
                }
                None => want.to_owned(),
            };
            assert_eq!(got, want, "input {input:?}");
            checked += 1;
        }
        assert!(checked > 1000, "{checked} cases");
    }

    const T: [(&str, &str); 2] = [("TARGET_NAME", "pg"), ("TARGET_APP_GROUP", "")];

    #[test]
    fn product_rules() {
        ok(&T, "${TARGET_NAME}", "pg");
        ok(&T, "$${TARGET_NAME}", "${TARGET_NAME}");
        ok(&T, "$TARGET_NAME", "$TARGET_NAME");
        ok(&T, "${TARGET_APP_GROUP:-x}", "");
        for input in ["${NOPE:-d}", "${NOPE:=d}", "${NOPE=d}"] {
            ok(&T, input, "d");
        }
        assert_eq!(run(&T, "${NOPE}"), unknown("NOPE"));
        // `${X-d}` is no default: `-` is not a name character and `-` alone no operator.
        assert_eq!(run(&T, "${NOPE-d}"), no_brace(0, "NOPE", Some('-')));
        assert_eq!(run(&T, "${"), no_name(0, None));
        assert_eq!(run(&T, "${}"), no_name(0, Some('}')));
        assert_eq!(run(&T, "${ A}"), no_name(0, Some(' ')));
        assert_eq!(run(&T, "${TARGET_NAME"), no_brace(0, "TARGET_NAME", None));
        assert_eq!(run(&T, "ab${TARGET_NAME:-${ B}}"), no_name(17, Some(' ')));
        assert_eq!(
            run(&T, "x ${TARGET_NAME:-${B}"),
            malformed(2, Malformation::Argument)
        );
        // A syntax error anywhere wins over an unknown variable earlier.
        assert_eq!(run(&T, "${NOPE} ${"), no_name(8, None));
        for input in ["a$b", "$", "100%", r"C:\dir\\x", "}{", "\0a\0"] {
            ok(&T, input, input);
        }
        ok(&T, "$$", "$");
        ok(&T, "$$$", "$$");
        // Top-level text escapes `$$` alone: parse.go's parseAny sets `escapeChars = dollar`
        // (v0.2.0; v0.1.0 also unescaped `\\` and `\/` there).
        ok(&T, r"C:\dir\\x\/ ${TARGET_NAME}", r"C:\dir\\x\/ pg");
        ok(&T, "ünï ${TARGET_NAME} ✓", "ünï pg ✓");
        ok(&T, "${NOPE:-日本語}", "日本語");
        ok(&T, "«${NOPE:-é${TARGET_NAME}ü}»", "«épgü»");
        ok(&T, "${NOPE:-a}b${TARGET_NAME}", "abpg");
    }

    /// parse/scan.go `acceptIdent`: a name is letters, digits and `_`. Any other character ends
    /// it, and parseFunc then wants `}` or an operator, so `${target-name}` stops the operator
    /// with "missing closing brace" even when a variable `target-name` exists (a map key can
    /// be anything; KubeStash's come from annotation names).
    #[test]
    fn names_are_letters_digits_and_underscores() {
        let v = [
            ("target-name", "pg"),
            ("target", "TG"),
            ("A_1", "a"),
            ("é", "e"),
        ];
        ok(&v, "${target}", "TG");
        ok(&v, "${A_1}${é}", "ae");
        assert_eq!(run(&v, "${target-name}"), no_brace(0, "target", Some('-')));
        assert_eq!(run(&v, "${target.name}"), no_brace(0, "target", Some('.')));
        assert_eq!(
            run(&v, "x${target-name:-d}"),
            no_brace(1, "target", Some('-'))
        );
        // `-`, `+`, `?` are operators only after a `:`.
        for op in ['-', '+', '?'] {
            let input = format!("${{A_1{op}b}}");
            assert_eq!(run(&v, &input), no_brace(0, "A_1", Some(op)), "{input}");
        }
        assert_eq!(run(&v, "${-x}"), no_name(0, Some('-')));
        // Go's letters and digits (categories L, Nd), not Rust's alphabetic and numeric.
        let u = [("Ⅳ", "iv"), ("x²", "sq"), ("नाम", "n"), ("ª٣", "ok")];
        ok(&u, "${ª٣}", "ok");
        assert_eq!(run(&u, "${Ⅳ}"), no_name(0, Some('Ⅳ')));
        assert_eq!(run(&u, "${x²}"), no_brace(0, "x", Some('²')));
        assert_eq!(run(&u, "${नाम}"), no_brace(0, "न", Some('ा')));
        assert_eq!(run(&v, "${#target-name}"), bad(0));
        assert!(is_name("target_name") && is_name("A1") && is_name("1") && is_name("é"));
        for name in ["target-name", "my.var", "a b", "", "a/b"] {
            assert!(!is_name(name), "{name}");
        }
        assert_eq!(readable("target-name"), "target_name");
        assert_eq!(readable("my.var-x"), "my_var_x");
        assert_eq!(written_name("a ${target-name:-x}", 2), "target-name");
        assert_eq!(written_name("${my.var}", 0), "my.var");
        assert_eq!(written_name("${x", 0), "x");
    }

    /// Go's L and Nd lie inside Rust's alphabetic and numeric (Unicode 15.0.0 is older than
    /// Rust's tables), and the ASCII ones are the ASCII alphanumerics.
    #[test]
    fn go_letters_and_digits_are_rust_alphanumerics() {
        let mut accepted = 0;
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            if is_name_char(c) {
                accepted += 1;
                assert!(c.is_alphabetic() || c.is_numeric() || c == '_', "{c:?}");
            }
            if c.is_ascii() {
                assert_eq!(
                    is_name_char(c),
                    c.is_ascii_alphanumeric() || c == '_',
                    "{c:?}"
                );
            }
        }
        // Unicode 15.0.0 has 136,104 letters (L) and 680 decimal digits (Nd); with `_`.
        assert_eq!(accepted, 136_104 + 680 + 1);
    }

    #[test]
    fn borrowed_when_unchanged() {
        let mut lookup = |_: &str| -> Option<String> { None };
        assert!(matches!(
            substitute("plain", &mut lookup),
            Ok(Cow::Borrowed("plain"))
        ));
        assert!(matches!(
            substitute("a$b", &mut lookup),
            Ok(Cow::Borrowed("a$b"))
        ));
    }

    #[test]
    fn go_quirks_and_choices() {
        let a = [
            ("A", "héllo/wörld.tar.gz"),
            ("E", ""),
            ("B", "b"),
            ("M", "-3"),
        ];
        // Nested arguments are evaluated before the outer lookup.
        assert_eq!(run(&a, "${A:-${NOPE}}"), unknown("NOPE"));
        // parse.go parseDefaultFunc reads arguments up to the `}` and funcs.go toDefault joins
        // them (v0.2.0; v0.1.0 read one and then wanted the `}`).
        ok(&a, "${NOPE:-x${B}y${B}}", "xbyb");
        ok(&a, "${NOPE:-$$}", "$$"); // no escapes inside defaults
        // `:?` / `:+` go through toDefault but are not defaults for EvalMap.
        ok(&a, "${E:+x}", "x");
        ok(&a, "${B:+x}", "b");
        assert_eq!(run(&a, "${NOPE:?x}"), unknown("NOPE"));
        ok(&a, "${A^,}", "héllo/wörld.tar.gz"); // unknown operator -> value
        // Lengths and substrings are byte based.
        ok(&a, "${#A}", "20");
        ok(&a, "${A:1:2}", "é");
        // Byte offsets cut characters as Go does; the operator's JSON decoding then reads each
        // stray byte as a U+FFFD, and cut pieces that meet again are whole.
        ok(&a, "${A:2:2}", "\u{FFFD}l");
        ok(&a, "${A#??}", "\u{FFFD}llo/wörld.tar.gz");
        let b = [("B", "é"), ("C", "日本"), ("W", "wö"), ("A", "héllo")];
        ok(&b, "${B:0:1}${B:1}", "é");
        ok(&b, "${C:1:4}", "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}");
        ok(&b, "${NOPE:-${B:1}}", "\u{FFFD}");
        ok(&b, "${A/${B:0:1}/x}", "hx\u{FFFD}llo");
        // `%` reverses through Go's []rune, which makes the U+FFFD itself.
        ok(&b, "${W%?}", "w\u{FFFD}");
        ok(&b, "${W%%?}", "w");
        // `${A:-3}` is a default; negative positions only come from nesting.
        ok(&a, "${A:${M}}", ".gz");
        ok(&a, "${A:${M}:1}", ".");
        ok(&a, "${A:100}", "");
        ok(&a, "${A:100:1}", "");
        ok(&a, "${A:100:-50}", ""); // ends past the end: toSubstr returns before slicing
        // funcs.go toSubstr slices s[pos:pos+length] unchecked: a range ending before its
        // start, or before 0 (a negative length, an overflowing pos+length), panics.
        assert_eq!(run(&a, "${A:1:-1}"), slice_bounds("A", 1, 0));
        assert_eq!(run(&a, "${A:0:-1}"), slice_bounds("A", 0, -1));
        assert_eq!(run(&a, "${A:${M}:-1}"), slice_bounds("A", 17, 16));
        assert_eq!(
            run(&a, "${A:1:9223372036854775807}"),
            slice_bounds("A", 1, i64::MIN)
        );
        ok(&a, "${A:x}", "héllo/wörld.tar.gz");
        ok(&a, "${A:1:x}", "héllo/wörld.tar.gz");
        ok(&a, "${A:1:2:3}", "héllo/wörld.tar.gz");
        ok(&a, "${A:+1}", "héllo/wörld.tar.gz"); // `:+`, not a substring
        assert_eq!(run(&a, "${A::1}"), malformed(0, Malformation::Argument));
        assert_eq!(run(&a, "${A:}"), malformed(0, Malformation::Argument));
        assert_eq!(run(&a, "${A:é}"), bad(0));
        assert_eq!(run(&a, "${A:-é}"), Ok("héllo/wörld.tar.gz".into()));
        // Casing uses Go's simple mappings.
        ok(&[("S", "ßtraße ǆ İ")], "${S^^}", "ßTRAßE Ǆ İ");
        ok(&[("S", "İX")], "${S,,}", "ix");
        ok(&[("S", "ᾳ")], "${S^}", "ᾼ");
        // Remove: '*' and '?' match '/', bad patterns leave the value, classes.
        ok(&a, "${A#*}", "éllo/wörld.tar.gz");
        ok(&a, "${A##*}", "");
        ok(&a, "${A#?}", "éllo/wörld.tar.gz");
        ok(&a, "${A#h?l}", "lo/wörld.tar.gz");
        ok(&a, "${A#[}", "héllo/wörld.tar.gz");
        ok(&a, "${A#[a-h]}", "éllo/wörld.tar.gz");
        ok(&a, "${A#[^a-h]}", "héllo/wörld.tar.gz");
        ok(&a, r"${A#h\é}", "llo/wörld.tar.gz");
        ok(&a, "${A%.*}", "héllo/wörld.tar");
        ok(&a, "${A%%.*}", "héllo/wörld");
        ok(&a, "${A%%/*}", "héllo");
        ok(&a, "${A%[gz]}", "héllo/wörld.tar.gz"); // reversed pattern "]zg[" is no class
        ok(&a, "${A####}", "héllo/wörld.tar.gz");
        assert_eq!(run(&a, "${A#}"), malformed(0, Malformation::Argument));
        assert_eq!(run(&a, "${A#x${B}}"), bad(0));
        // Replace.
        ok(&a, "${A/l/L}", "héLlo/wörld.tar.gz");
        ok(&a, "${A//l/L}", "héLLo/wörLd.tar.gz");
        ok(&a, "${A//l/}", "héo/wörd.tar.gz");
        ok(&a, "${A/#hé/H}", "Hllo/wörld.tar.gz");
        ok(&a, "${A/%gz/Z}", "héllo/wörld.tar.Z");
        ok(&a, "${A/#hé/}", "héllo/wörld.tar.gz"); // needs two args
        ok(&a, "${A/${E}/>}", ">héllo/wörld.tar.gz");
        ok(&a, "${A//${E}/.}", ".h.é.l.l.o./.w.ö.r.l.d...t.a.r...g.z.");
        ok(&a, r"${A/\\/x}", "héllo/wörld.tar.gz");
        ok(&[("P", r"a\b")], r"${P/\\/\/}", "a/b");
        ok(&a, "${A/l//L}", "héLlo/wörld.tar.gz"); // delimiter may be "//"
        ok(&a, "${A/$$/x}", "héllo/wörld.tar.gz");
        assert_eq!(run(&a, "${A/l}"), bad(0));
        assert_eq!(run(&a, "${A/l/x${B}}"), bad(0));
        // Length function forms.
        assert_eq!(run(&a, "${#}"), bad(0));
        assert_eq!(run(&a, "${#NOPE}"), unknown("NOPE"));
        assert_eq!(run(&a, "${#A:1}"), bad(0));
        // Odd-but-valid default syntax.
        ok(&a, "${NOPE==x}", "=x");
        ok(&a, "${NOPE:=:-x}", ":-x");
        ok(&a, "${NOPE:-a}}", "a}");
    }

    #[test]
    fn nesting_depth_is_bounded() {
        let nest = |n: usize| format!("{}x{}", "${N:-".repeat(n), "}".repeat(n));
        ok(&[], &nest(MAX_DEPTH), "x");
        assert_eq!(
            run(&[], &nest(MAX_DEPTH + 1)),
            malformed(5 * MAX_DEPTH, Malformation::TooDeep)
        );
        assert!(matches!(
            run(&[], &nest(100_000)),
            Err(VarError::Malformed { .. })
        ));
    }

    #[test]
    fn display() {
        assert_eq!(
            unknown("FOO").unwrap_err().to_string(),
            "unknown variable ${FOO}"
        );
        assert_eq!(
            bad(3).unwrap_err().to_string(),
            "malformed ${...} at byte 3 (envsubst: bad substitution)"
        );
        // The library's own messages (parse/parse.go, v0.2.0).
        let messages = [
            (no_name(0, None), "unable to parse variable name"),
            (no_brace(0, "A", Some('-')), "missing closing brace"),
            (
                malformed(0, Malformation::Argument),
                "unable to parse substitution within function",
            ),
            (
                malformed(0, Malformation::DefaultFunction),
                "unable to parse default function",
            ),
        ];
        for (err, go) in messages {
            let text = err.unwrap_err().to_string();
            assert_eq!(
                text,
                format!("malformed ${{...}} at byte 0 (envsubst: {go})")
            );
        }
        assert_eq!(
            slice_bounds("A", 1, 0).unwrap_err().to_string(),
            "substring of ${A} ends before it starts (envsubst panics: slice bounds out of \
             range [1:0])"
        );
        assert_eq!(
            slice_bounds("A", 0, -1).unwrap_err().to_string(),
            "substring of ${A} ends before it starts (envsubst panics: slice bounds out of \
             range [:-1])"
        );
    }

    #[derive(Debug, Clone)]
    enum Piece {
        Lit(String),
        Dollar,
        Ref(usize),
    }

    const NAMES: [&str; 3] = ["TARGET_NAME", "TARGET_NAMESPACE", "TARGET_APP_GROUP"];

    fn syntaxy() -> impl Strategy<Value = String> {
        let atoms = vec![
            "$", "{", "}", "${", "$$", ":", "-", "=", "#", "%", "/", "^", ",", "?", "+", "*", "[",
            "]", "\\", "A", "B", "é", "😀", "0", "1", "x",
        ];
        prop::collection::vec(prop::sample::select(atoms), 0..48).prop_map(|v| v.concat())
    }

    proptest! {
        #[test]
        fn never_panics(s in any::<String>()) {
            let _ = run(&[("A", "héllo"), ("B", "")], &s);
        }

        #[test]
        fn never_panics_on_syntax_soup(s in syntaxy()) {
            let _ = run(&[("A", "hé/llo.x"), ("B", ""), ("1", "-2")], &s);
        }

        /// `is_name`, which decides the KubeStash warning, is exactly what the parser reads
        /// as a whole name: such a name substitutes, any other is malformed, whatever the
        /// variables hold.
        #[test]
        fn is_name_is_what_the_parser_reads(name in "[a-zA-Z0-9_.é² -]{1,12}") {
            let got = run(&[(name.as_str(), "v")], &format!("${{{name}}}"));
            if is_name(&name) {
                prop_assert_eq!(got, Ok("v".to_owned()));
            } else {
                prop_assert!(matches!(got, Err(VarError::Malformed { .. })), "{:?}", got);
            }
        }

        /// scan.go acceptIdent: a character outside letters, digits and `_` ends the name, and
        /// a `}` must follow, even when a variable has the longer name.
        #[test]
        fn a_refused_character_ends_the_name(
            head in "[A-Za-z_][A-Za-z0-9_]{0,8}",
            c in prop::sample::select(vec!['-', '.', '+', '?', '@', '~', ' ', '!', '*', '"']),
            tail in "[a-z0-9_-]{0,6}",
        ) {
            let name = format!("{head}{c}{tail}");
            let vars = [(name.as_str(), "v"), (head.as_str(), "h")];
            let got = run(&vars, &format!("x ${{{name}}}"));
            prop_assert_eq!(got, no_brace(2, &head, Some(c)));
            prop_assert!(!is_name(&name));
            prop_assert!(is_name(&readable(&name)));
        }

        #[test]
        fn text_without_dollar_is_borrowed(s in "[^$]*") {
            let mut called = false;
            let got = substitute(&s, &mut |_| { called = true; None });
            prop_assert!(matches!(got, Ok(Cow::Borrowed(b)) if b == s));
            prop_assert!(!called);
        }

        #[test]
        fn templates_concatenate(
            pieces in prop::collection::vec(prop_oneof![
                "[^$]{0,8}".prop_map(Piece::Lit),
                Just(Piece::Dollar),
                (0..NAMES.len()).prop_map(Piece::Ref),
            ], 0..12),
            values in prop::collection::vec(any::<String>(), NAMES.len()),
        ) {
            let (mut input, mut want) = (String::new(), String::new());
            for p in &pieces {
                match p {
                    Piece::Lit(l) => { input.push_str(l); want.push_str(l); }
                    Piece::Dollar => { input.push_str("$$"); want.push('$'); }
                    Piece::Ref(i) => {
                        input.push_str(&format!("${{{}}}", NAMES[*i]));
                        want.push_str(&values[*i]);
                    }
                }
            }
            let vars: Vec<(&str, &str)> =
                NAMES.iter().copied().zip(values.iter().map(String::as_str)).collect();
            prop_assert_eq!(run(&vars, &input), Ok(want));
        }
    }
}
