//! `${NAME}` substitution exactly as the operators of both API families do it in
//! a blueprint (each family gives its own variables): a port of `envsubst.EvalMap`
//! from `gomodules.xyz/envsubst` (a fork of `github.com/drone/envsubst`), the
//! library they vendor, including its parser quirks.
//!
//! # Model
//! The text is parsed completely first (so a syntax error anywhere wins over an
//! unknown variable anywhere), then evaluated left to right:
//!
//! * Plain text is copied; `$$` becomes `$` (so `$${X}` yields the literal
//!   `${X}`). A bare `$NAME` is plain text: only `${...}` is an expression.
//! * Names are runs of letters, digits, `_` and `-`; so `${A-d}` names the
//!   variable `A-d`, it is not a default.
//! * Functions: `${A}`, defaults `${A=d}` `${A:=d}` `${A:-d}` (and `${A:?d}`,
//!   `${A:+d}`, which Go evaluates like a default but which are *not* defaults
//!   for `EvalMap`), casing `^ ^^ , ,,`, `${#A}` (length in bytes, as Go's
//!   `len`), substring `${A:pos}` / `${A:pos:len}` (bytes, as Go), removal
//!   `# ## % %%` with drone's copy of `path.Match` (in which `*` and `?` *do*
//!   match `/`), replacement `/ // /# /%`.
//! * Arguments may contain nested `${...}`; they are evaluated *before* the
//!   outer variable is looked up, so `${A:-${B}}` fails on an unknown `B` even
//!   when `A` is known (as in Go).
//! * `EvalMap` rule: an unknown variable is an error unless the function is one
//!   of `=`, `:=`, `:-`, whose argument is then the value, even when it is empty
//!   (`${X:-}` with unknown `X` is the empty string: the parser gives a blank
//!   default no argument, and the `EvalMap` in the version Stash vendors,
//!   `stashed/stash` `vendor/gomodules.xyz/envsubst/eval.go`, checks only that the
//!   function is a default; later gomodules releases also require an argument,
//!   but that is not what the operator ran); a known variable with one of those
//!   three yields its value, even when empty; anything else applies the
//!   function to the value.
//!
//! # Deliberate deviations from drone/gomodules
//! * Stash substitutes into the *JSON text* of the blueprint, we substitute
//!   into each YAML string value. drone's top-level text unescapes `\\` and
//!   `\/`; in Stash those only ever acted on JSON escape sequences (mangling
//!   them: a value `C:\dir` becomes the invalid JSON `"C:\dir"`), never on
//!   the user's text, so we do **not** apply them in top-level text:
//!   `C:\dir\\x` stays as is. They are kept inside replacement-function
//!   arguments (`${A/\//-}`), where drone enables them for pattern/replacement.
//!   For the same reason a NUL character is ordinary text (Go's scanner treats
//!   rune 0 as end of input, but in Stash's JSON a NUL is always `\u0000`).
//! * Where Go's substring would panic the result is empty (a length ending
//!   before the start, e.g. `${A:1:-1}`; a start past the end with a length,
//!   which newer drone also maps to "") or the rest of the value (`pos+len`
//!   overflowing). Byte offsets are kept on character boundaries: a substring
//!   holds only the characters lying wholly inside the byte range (so it never
//!   exceeds the requested byte length), and `#`/`%` only try cut points on
//!   character boundaries (Go tries every byte and can emit invalid UTF-8 or,
//!   for `%`, a U+FFFD).
//! * Identifier characters use `char::is_alphabetic`/`is_numeric`, a superset
//!   of Go's `unicode.IsLetter`/`IsDigit` (differs for letter-numbers such as
//!   `Ⅳ`, other numerics such as `²`, and alphabetic combining marks).
//! * Case mapping reproduces Go's one-rune-to-one-rune simple mappings (`ß`
//!   stays `ß` in `^^`), not Rust's multi-character full mappings.
//! * `${` nested more than 64 deep (`MAX_DEPTH`) is rejected as malformed so
//!   that hostile input cannot exhaust the stack.
//!
//! Kept Go quirks: a `:` followed by a non-ASCII character (`${A:é}`) is a
//! bad substitution (Go's scanner steps back by the wrong width there);
//! `${A#}`/`${A%}` and `${A:}` are bad substitutions; `${A/#x/}` and
//! `${A/%x/}` (no replacement) leave the value unchanged; the `#`-family never
//! removes an empty prefix (`${A#*}` drops the first character); `%`-family
//! patterns are reversed character-wise, so classes/escapes in them break.

use std::borrow::Cow;
use std::fmt;

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
    /// The text is not valid envsubst syntax (Go's "bad substitution"); `offset` = byte offset
    /// in the input of the `${` that starts the bad expression (best effort).
    Malformed {
        /// Byte offset of the `$` of the innermost `${` being parsed when the error was found.
        offset: usize,
    },
}

impl fmt::Display for VarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VarError::Unknown { name } => write!(f, "unknown variable ${{{name}}}"),
            VarError::Malformed { offset } => write!(
                f,
                "malformed ${{...}} at byte {offset} (envsubst: bad substitution)"
            ),
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
        .map_err(|offset| VarError::Malformed { offset })?;
    let mut out = String::with_capacity(text.len());
    for node in &nodes {
        eval_node(node, lookup, &mut out)?;
    }
    Ok(if out == text {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(out)
    })
}

// ---------------------------------------------------------------- AST

enum Node {
    Text(String),
    Func(Box<Func>),
}

/// drone's `FuncNode`: `param` is the variable, `name` the operator (`""` for `${A}`).
struct Func {
    param: String,
    name: String,
    args: Vec<Node>,
}

fn func(param: String, name: String, args: Vec<Node>) -> Node {
    Node::Func(Box::new(Func { param, name, args }))
}

// ---------------------------------------------------------------- scanner

// Mode bits, as in drone's scan.go; BACKSLASH is ours (see module doc).
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

/// drone's accept functions; `i` is the byte offset just past `r` in the token.
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

/// Whether `name` can be written `${name}`: a run of letters, digits, `_` and `-`.
pub fn is_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(is_name_char)
}

fn is_name_char(r: char) -> bool {
    r.is_alphabetic() || r.is_numeric() || r == '_' || r == '-'
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

/// Port of drone's scanner over bytes, with the same `read`/`unread`/`width`
/// semantics (one parser quirk depends on them). Instead of drone's buffer
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

/// Port of drone's parse.go; errors carry the offset of the current `${`.
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

    /// drone's recursive `parseAny`, as a loop.
    fn parse_any(&mut self) -> Result<Vec<Node>, usize> {
        let mut nodes = Vec::new();
        loop {
            // Deviation: no BACKSLASH here (see module doc).
            self.s.set(Accept::Rune, IDENT | LBRACK | ESCAPE);
            match self.s.scan() {
                Tok::Ident => nodes.push(Node::Text(self.s.text())),
                Tok::Eof => return Ok(nodes),
                Tok::Lbrack => {
                    let open = self.s.start;
                    nodes.push(self.parse_func(open, 1)?);
                }
                Tok::Illegal | Tok::Rbrack => return Err(self.s.start),
            }
        }
    }

    fn parse_func(&mut self, open: usize, depth: usize) -> Result<Node, usize> {
        if depth > MAX_DEPTH {
            return Err(open);
        }
        if self.s.peek() == Some('#') {
            return self.parse_len(open);
        }
        self.s.set(Accept::Ident, IDENT);
        if self.s.scan() != Tok::Ident {
            return Err(open);
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
            _ => Err(open),
        }
    }

    /// Scan the operator token (`:-`, `//`, `##`, ...).
    fn op(&mut self, accept: Accept, open: usize) -> Result<String, usize> {
        self.s.set(accept, IDENT);
        match self.s.scan() {
            Tok::Ident => Ok(self.s.text()),
            _ => Err(open),
        }
    }

    fn parse_param(
        &mut self,
        accept: Accept,
        mode: u8,
        open: usize,
        depth: usize,
    ) -> Result<Node, usize> {
        self.s.set(accept, mode | LBRACK);
        match self.s.scan() {
            Tok::Lbrack => {
                let inner = self.s.start;
                self.parse_func(inner, depth + 1)
            }
            Tok::Ident | Tok::Rbrack => Ok(Node::Text(self.s.text())),
            Tok::Illegal | Tok::Eof => Err(open),
        }
    }

    fn consume_rbrack(&mut self, node: Node, open: usize) -> Result<Node, usize> {
        self.s.mode = RBRACK;
        match self.s.scan() {
            Tok::Rbrack => Ok(node),
            _ => Err(open),
        }
    }

    fn parse_default_or_substr(
        &mut self,
        name: String,
        open: usize,
        depth: usize,
    ) -> Result<Node, usize> {
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

    fn parse_substr(&mut self, name: String, open: usize, depth: usize) -> Result<Node, usize> {
        let op = self.op(Accept::OneColon, open)?;
        let mut args = vec![self.parse_param(Accept::NotColonClose, IDENT, open, depth)?];
        self.s.set(Accept::Colon, IDENT | RBRACK);
        match self.s.scan() {
            Tok::Rbrack => return Ok(func(name, op, args)),
            Tok::Ident => {}
            _ => return Err(open),
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
    ) -> Result<Node, usize> {
        let op = self.op(accept, open)?;
        let args = vec![self.parse_param(Accept::NotClosing, IDENT, open, depth)?];
        self.consume_rbrack(func(name, op, args), open)
    }

    fn parse_replace(&mut self, name: String, open: usize, depth: usize) -> Result<Node, usize> {
        let op = self.op(Accept::Replace, open)?;
        let esc = IDENT | ESCAPE | BACKSLASH;
        let mut args = vec![self.parse_param(Accept::NotSlash, esc, open, depth)?];
        self.op(Accept::Slash, open)?;
        if self.s.peek() != Some('}') {
            args.push(self.parse_param(Accept::NotClosing, esc, open, depth)?);
        }
        self.consume_rbrack(func(name, op, args), open)
    }

    fn parse_default(&mut self, name: String, open: usize, depth: usize) -> Result<Node, usize> {
        let accept = if self.s.peek() == Some('=') {
            Accept::OneEqual
        } else {
            Accept::Default
        };
        let op = self.op(accept, open)?;
        let mut args = Vec::new();
        // Each parse_param consumes at least one character or fails, so this ends.
        while self.s.peek() != Some('}') {
            args.push(self.parse_param(Accept::NotClosing, IDENT, open, depth)?);
        }
        self.consume_rbrack(func(name, op, args), open)
    }

    fn parse_casing(&mut self, name: String, open: usize) -> Result<Node, usize> {
        let op = self.op(Accept::Casing, open)?;
        self.consume_rbrack(func(name, op, Vec::new()), open)
    }

    fn parse_len(&mut self, open: usize) -> Result<Node, usize> {
        let op = self.op(Accept::OneHash, open)?;
        let param = self.op(Accept::Ident, open)?;
        self.consume_rbrack(func(param, op, Vec::new()), open)
    }
}

// ---------------------------------------------------------------- evaluation

type Lookup<'l> = dyn FnMut(&str) -> Option<String> + 'l;

fn eval_node(node: &Node, lookup: &mut Lookup<'_>, out: &mut String) -> Result<(), VarError> {
    match node {
        Node::Text(t) => out.push_str(t),
        Node::Func(f) => out.push_str(&eval_func(f, lookup)?),
    }
    Ok(())
}

/// gomodules' `evalFunc` + `EvalMap` mapper. Recursion depth is bounded by MAX_DEPTH.
fn eval_func(f: &Func, lookup: &mut Lookup<'_>) -> Result<String, VarError> {
    let mut args = Vec::with_capacity(f.args.len());
    for a in &f.args {
        let mut buf = String::new();
        eval_node(a, lookup, &mut buf)?;
        args.push(buf);
    }
    let is_default = matches!(f.name.as_str(), "=" | ":=" | ":-");
    match lookup(&f.param) {
        None if !is_default => Err(VarError::Unknown {
            name: f.param.clone(),
        }),
        Some(v) if is_default => Ok(v),
        v => Ok(apply(&f.name, &v.unwrap_or_default(), &args)),
    }
}

/// drone's `lookupFunc` + funcs.go.
fn apply(name: &str, v: &str, args: &[String]) -> String {
    match (name, args) {
        (",", _) => map_first(v, go_lower),
        (",,", _) => v.chars().map(go_lower).collect(),
        ("^", _) => map_first(v, go_upper),
        ("^^", _) => v.chars().map(go_upper).collect(),
        ("#", []) => v.len().to_string(),
        ("#", [p, ..]) => trim_prefix(v, p, false),
        ("##", [p, ..]) => trim_prefix(v, p, true),
        ("%", [p, ..]) => trim_suffix(v, p, false),
        ("%%", [p, ..]) => trim_suffix(v, p, true),
        (":", _) => substr(v, args),
        ("/", [p]) => v.replacen(p.as_str(), "", 1),
        ("/", [p, r, ..]) => v.replacen(p.as_str(), r, 1),
        ("//", [p]) => v.replace(p.as_str(), ""),
        ("//", [p, r, ..]) => v.replace(p.as_str(), r),
        ("/#", [p, r]) => v
            .strip_prefix(p.as_str())
            .map_or_else(|| v.to_owned(), |rest| format!("{r}{rest}")),
        ("/%", [p, r]) => v
            .strip_suffix(p.as_str())
            .map_or_else(|| v.to_owned(), |rest| format!("{rest}{r}")),
        // Go: replacePrefix/Suffix need exactly two args.
        ("/#" | "/%", _) => v.to_owned(),
        // toDefault, also for ":?", ":+", "" and unknown operators.
        _ if v.is_empty() && !args.is_empty() => args.concat(),
        _ => v.to_owned(),
    }
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

/// drone's `toSubstr`: byte positions, `strconv.Atoi` parsing (i64 here).
fn substr(s: &str, args: &[String]) -> String {
    let Some(Ok(mut pos)) = args.first().map(|a| a.parse::<i64>()) else {
        return s.to_owned(); // bash/drone: unparsable position -> whole string
    };
    let len = i64::try_from(s.len()).unwrap_or(i64::MAX);
    if pos < 0 {
        pos = (len + pos).max(0);
    }
    let end = match args.get(1).map(|a| a.parse::<i64>()) {
        None => len,
        Some(Ok(l)) => pos.saturating_add(l).min(len),
        Some(Err(_)) => return s.to_owned(),
    };
    // Go panics for end < pos (and old drone for pos >= len); we return "".
    let (Ok(mut a), Ok(mut b)) = (usize::try_from(pos), usize::try_from(end)) else {
        return String::new();
    };
    if a >= s.len() || b <= a {
        return String::new();
    }
    while !s.is_char_boundary(a) {
        a += 1;
    }
    while !s.is_char_boundary(b) {
        b -= 1;
    }
    s.get(a..b).unwrap_or_default().to_owned()
}

/// drone's `trimShortest`/`trimLongest`: try prefixes from longest to
/// shortest (never the empty one); a bad pattern leaves `s` unchanged.
fn trim_prefix(s: &str, pat: &str, longest: bool) -> String {
    let mut cut = None;
    for end in (1..=s.len()).rev().filter(|&e| s.is_char_boundary(e)) {
        let prefix = s.as_bytes().get(..end).unwrap_or_default();
        match glob_match(pat.as_bytes(), prefix) {
            Err(BadPattern) => return s.to_owned(),
            Ok(true) => {
                cut = Some(end);
                if longest {
                    break;
                }
            }
            Ok(false) => {}
        }
    }
    cut.and_then(|e| s.get(e..)).unwrap_or(s).to_owned()
}

/// drone reverses value *and pattern* rune-wise and trims the prefix.
fn trim_suffix(s: &str, pat: &str, longest: bool) -> String {
    let rev = |x: &str| x.chars().rev().collect::<String>();
    rev(&trim_prefix(&rev(s), &rev(pat), longest))
}

// ---------------------------------------------------------------- drone's path.Match

struct BadPattern;

/// Port of drone's copy of Go's `path.Match` (trailing `*` matches anything,
/// a star may skip `/`, `?` matches any rune). Works on bytes like Go.
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

    fn malformed(offset: usize) -> Result<String, VarError> {
        Err(VarError::Malformed { offset })
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
        assert_eq!(run(&T, "${NOPE-d}"), unknown("NOPE-d"));
        for input in ["${", "${}", "${TARGET_NAME", "${ A}"] {
            assert_eq!(run(&T, input), malformed(0), "{input}");
        }
        assert_eq!(run(&T, "ab${TARGET_NAME:-${ B}}"), malformed(17));
        assert_eq!(run(&T, "x ${TARGET_NAME:-${B}"), malformed(2));
        // A syntax error anywhere wins over an unknown variable earlier.
        assert_eq!(run(&T, "${NOPE} ${"), malformed(8));
        for input in ["a$b", "$", "100%", r"C:\dir\\x", "}{", "\0a\0"] {
            ok(&T, input, input);
        }
        ok(&T, "$$", "$");
        ok(&T, "$$$", "$$");
        ok(&T, r"C:\dir\\x\/ ${TARGET_NAME}", r"C:\dir\\x\/ pg");
        ok(&T, "ünï ${TARGET_NAME} ✓", "ünï pg ✓");
        ok(&T, "${NOPE:-日本語}", "日本語");
        ok(&T, "«${NOPE:-é${TARGET_NAME}ü}»", "«épgü»");
        ok(&T, "${NOPE:-a}b${TARGET_NAME}", "abpg");
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
        ok(&a, "${A:2:2}", "l"); // starts inside 'é': only whole characters
        // `${A:-3}` is a default; negative positions only come from nesting.
        ok(&a, "${A:${M}}", ".gz");
        ok(&a, "${A:${M}:1}", ".");
        ok(&a, "${A:100}", "");
        ok(&a, "${A:100:1}", ""); // Go panics
        ok(&a, "${A:1:-1}", ""); // Go panics
        ok(&a, "${A:1:9223372036854775807}", "éllo/wörld.tar.gz");
        ok(&a, "${A:x}", "héllo/wörld.tar.gz");
        ok(&a, "${A:1:2:3}", "héllo/wörld.tar.gz");
        ok(&a, "${A:+1}", "héllo/wörld.tar.gz"); // `:+`, not a substring
        assert_eq!(run(&a, "${A::1}"), malformed(0));
        assert_eq!(run(&a, "${A:}"), malformed(0));
        assert_eq!(run(&a, "${A:é}"), malformed(0));
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
        assert_eq!(run(&a, "${A#}"), malformed(0));
        assert_eq!(run(&a, "${A#x${B}}"), malformed(0));
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
        assert_eq!(run(&a, "${A/l}"), malformed(0));
        assert_eq!(run(&a, "${A/l/x${B}}"), malformed(0));
        // Length function forms.
        assert_eq!(run(&a, "${#}"), malformed(0));
        assert_eq!(run(&a, "${#NOPE}"), unknown("NOPE"));
        assert_eq!(run(&a, "${#A:1}"), malformed(0));
        // Odd-but-valid default syntax.
        ok(&a, "${NOPE==x}", "=x");
        ok(&a, "${NOPE:=:-x}", ":-x");
        ok(&a, "${NOPE:-a}}", "a}");
    }

    #[test]
    fn nesting_depth_is_bounded() {
        let nest = |n: usize| format!("{}x{}", "${N:-".repeat(n), "}".repeat(n));
        ok(&[], &nest(MAX_DEPTH), "x");
        assert_eq!(run(&[], &nest(MAX_DEPTH + 1)), malformed(5 * MAX_DEPTH));
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
            malformed(3).unwrap_err().to_string(),
            "malformed ${...} at byte 3 (envsubst: bad substitution)"
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
