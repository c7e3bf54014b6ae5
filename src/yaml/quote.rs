//! How a string we write is spelled so that every Kubernetes YAML reader gets it back.
//!
//! kubectl and the API server read YAML with Go's yaml.v2 rules (YAML 1.1: `y`, `n`, `on`, `no`
//! are booleans, `0777` is octal, `12:30` may be base 60), kpt and kustomize with yaml.v3 (YAML
//! 1.2 plus some 1.1 habits). A string is written plain only when it is a string to all of them
//! and cannot be mistaken for YAML syntax; otherwise it is double-quoted, or written as a literal
//! block when it spans several lines. The rules are deliberately conservative: quoting a string
//! that did not need it changes nothing, leaving one plain that did changes its meaning.

use std::fmt::Write as _;

/// True when `s` must not be written as a plain scalar.
pub fn needs_quotes(s: &str) -> bool {
    !plain_syntax_ok(s) || looks_like_non_string(s)
}

/// True when `s` can be written as a plain scalar in block context and read back as the same
/// text (ignoring what type a reader resolves it to).
pub fn plain_syntax_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let second = s.chars().nth(1);
    let indicator_ok = match first {
        // These start a plain scalar only when a non-space character follows.
        '-' | '?' | ':' => second.is_some_and(|c| !c.is_whitespace()),
        ',' | '[' | ']' | '{' | '}' | '#' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%'
        | '@' | '`' => false,
        _ => true,
    };
    indicator_ok
        && !s.starts_with("---")
        && !s.starts_with("...")
        && !s.starts_with(char::is_whitespace)
        && !s.ends_with(char::is_whitespace)
        && !s.ends_with(':')
        && plain_body_ok(s)
}

/// No `: ` or ` #` inside, and no character that needs an escape (a tab among them): one pass
/// over the bytes (this runs for every string we write), the characters only when one is not
/// ASCII.
fn plain_body_ok(s: &str) -> bool {
    let mut prev = 0u8;
    let mut ascii = true;
    for &b in s.as_bytes() {
        if (prev == b':' && b == b' ') || (b == b'#' && prev == b' ') {
            return false;
        }
        if b < 0x20 || b == 0x7f {
            return false;
        }
        ascii &= b < 0x80;
        prev = b;
    }
    ascii || s.chars().all(|c| c == ' ' || !needs_escape(c))
}

/// True when some YAML reader would resolve the plain scalar `s` to something other than a
/// string: null, a boolean in YAML 1.1 or 1.2, a number in any base or spelling, a timestamp, a
/// merge key.
pub fn looks_like_non_string(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "" | "~"
            | "null"
            | "true"
            | "false"
            | "yes"
            | "no"
            | "on"
            | "off"
            | "y"
            | "n"
            | "<<"
            | "="
            | ".inf"
            | "-.inf"
            | "+.inf"
            | ".nan"
    ) {
        return true;
    }
    let bytes = s.as_bytes();
    match bytes.first() {
        Some(c) if c.is_ascii_digit() => true,
        Some(b'-' | b'+' | b'.') => bytes
            .get(1)
            .is_some_and(|c| c.is_ascii_digit() || *c == b'.'),
        _ => false,
    }
}

/// What Go's yaml.v2 (kubectl, and so the API server's view of a file) resolves the plain scalar
/// `s` to: true for anything but a string. Unlike [`looks_like_non_string`], which decides what
/// to quote and errs towards quoting, this must be exact: it decides whether an earlier object
/// still means what we would write, and a wrong "not a string" reports a change on every run
/// (a plain `0 1 * * *` is a string, though it starts with a digit). Checked against kubectl:
/// a date or timestamp stays a string there (`2024-01-01`), an `08` is a number (a float, as Go
/// cannot read it as octal).
pub fn resolves_to_non_string(s: &str) -> bool {
    // A merge key is no string to a reader either, though no JSON type stands for it.
    s == "<<" || resolve_plain(s) != Resolved::Str
}

/// What a scalar becomes for Go's yaml.v2, and so in the JSON the API server validates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    Null,
    Bool,
    /// A whole number; a float with no fraction is one too, as kubectl writes it (`1.0` → `1`).
    Int,
    /// A number with a fraction, or one JSON cannot hold (`.inf`).
    Float,
    Str,
}

/// What yaml.v2 resolves the plain scalar `s` to (see [`resolves_to_non_string`]).
pub fn resolve_plain(s: &str) -> Resolved {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "n" | "N" | "no" | "No" | "NO" | "true" | "True"
        | "TRUE" | "false" | "False" | "FALSE" | "on" | "On" | "ON" | "off" | "Off" | "OFF" => {
            return Resolved::Bool;
        }
        _ => {}
    }
    if !s.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '-' | '+' | '.')) {
        return Resolved::Str;
    }
    let plain: std::borrow::Cow<'_, str> = match s.contains('_') {
        true => s.replace('_', "").into(),
        false => s.into(),
    };
    if go_int(&plain) {
        return Resolved::Int;
    }
    if yaml_float(&plain) {
        return match plain.parse::<f64>() {
            Ok(f) if f.fract() == 0.0 && f.abs() < 9.2e18 => Resolved::Int,
            _ => Resolved::Float,
        };
    }
    match s.trim_start_matches(['+', '-']) {
        ".inf" | ".Inf" | ".INF" if s.len() <= 5 => Resolved::Float,
        ".nan" | ".NaN" | ".NAN" if s.len() == 4 => Resolved::Float,
        _ => Resolved::Str,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` syntax (as yaml.v2 tries it, and its `0b` binary form): a
/// sign, then decimal digits, `0x` hex, `0o` or a leading-`0` octal, `0b` binary.
fn go_int(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let all = |body: &str, ok: fn(&u8) -> bool| !body.is_empty() && body.bytes().all(|b| ok(&b));
    if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        all(hex, u8::is_ascii_hexdigit)
    } else if let Some(oct) = digits
        .strip_prefix("0o")
        .or_else(|| digits.strip_prefix("0O"))
    {
        all(oct, |b| (b'0'..=b'7').contains(b))
    } else if let Some(bin) = digits
        .strip_prefix("0b")
        .or_else(|| digits.strip_prefix("0B"))
    {
        all(bin, |b| matches!(b, b'0' | b'1'))
    } else if digits.len() > 1 && digits.starts_with('0') {
        all(&digits[1..], |b| (b'0'..=b'7').contains(b))
    } else {
        all(digits, u8::is_ascii_digit)
    }
}

/// yaml.v2's float pattern: `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn yaml_float(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(at) => (&s[..at], Some(&s[at + 1..])),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", fraction)) => digits(fraction),
        Some((whole, fraction)) => digits(whole) && (fraction.is_empty() || digits(fraction)),
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)))
}

/// Characters that a YAML scalar cannot carry unescaped (or that YAML 1.1 takes for line breaks).
fn needs_escape(c: char) -> bool {
    matches!(c, '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
}

/// `s` as a YAML double-quoted scalar.
pub fn double_quoted(s: &str) -> String {
    quoted(s, true)
}

/// `s` as a JSON string (also a valid YAML double-quoted scalar).
pub fn json_string(s: &str) -> String {
    quoted(s, false)
}

/// `s` between double quotes, escaped for YAML (its short escapes for the Unicode line breaks,
/// upper-case hex) or for JSON (which has neither: `\u` with lower-case hex).
fn quoted(s: &str, yaml: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    // Runs of characters that need no escape are copied whole: results and messages are long
    // and mostly printable ASCII, which is skipped a byte at a time.
    let bytes = s.as_bytes();
    let (mut from, mut i) = (0, 0);
    while i < bytes.len() {
        let b = bytes[i];
        if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
            i += 1;
            continue;
        }
        let c = s[i..].chars().next().unwrap_or_default();
        let width = c.len_utf8();
        if c == '"' || c == '\\' || needs_escape(c) {
            out.push_str(&s[from..i]);
            escape(&mut out, c, yaml);
            from = i + width;
        }
        i += width;
    }
    out.push_str(&s[from..]);
    out.push('"');
    out
}

/// The escape of `c` (one that needs it) in a YAML or JSON double-quoted string.
fn escape(out: &mut String, c: char, yaml: bool) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        '\u{85}' if yaml => out.push_str("\\N"),
        '\u{2028}' if yaml => out.push_str("\\L"),
        '\u{2029}' if yaml => out.push_str("\\P"),
        c if yaml => {
            let _ = write!(out, "\\u{:04X}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{:04x}", c as u32);
        }
    }
}

/// True when `s` reads the same as a JSON literal (number, `true`, `false`, `null`) in JSON and
/// in YAML.
pub fn is_json_literal(s: &str) -> bool {
    if matches!(s, "true" | "false" | "null") {
        return true;
    }
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > from
    };
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// The chomping indicator for writing `s` as a literal block scalar, or `None` when a literal
/// block would not give `s` back exactly.
pub fn literal_chomp(s: &str) -> Option<&'static str> {
    let body = s.strip_suffix('\n');
    let chomp = if body.is_some() { "" } else { "-" };
    let body = body.unwrap_or(s);
    let ok = body.contains('\n')
        && !body.ends_with('\n')
        && !body.starts_with([' ', '\t'])
        && body.split('\n').all(|line| {
            !line.ends_with([' ', '\t'])
                && !line.starts_with('\t')
                && line.chars().all(|c| c == '\t' || !needs_escape(c))
        });
    ok.then_some(chomp)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Quoting a character at a time, as it was written before runs were copied whole.
    fn quoted_by_char(s: &str, yaml: bool) -> String {
        let mut out = String::from('"');
        for c in s.chars() {
            match c == '"' || c == '\\' || needs_escape(c) {
                true => escape(&mut out, c, yaml),
                false => out.push(c),
            }
        }
        out.push('"');
        out
    }

    proptest! {
        /// Copying runs whole escapes exactly what escaping each character does.
        #[test]
        fn quoting_runs_is_quoting_each_character(
            s in "[a-z\"\\\\ \t\n\r\u{0}\u{1}\u{7e}\u{7f}\u{85}\u{a0}\u{2028}\u{2029}\u{feff}\u{fffe}é😀]{0,12}",
            yaml in any::<bool>(),
        ) {
            prop_assert_eq!(quoted(&s, yaml), quoted_by_char(&s, yaml));
        }

        /// The one-pass body check says what the plain reading of the rule says.
        #[test]
        fn the_body_check_is_the_rule(s in "[a-z:# \t\u{1}\u{7f}\u{85}\u{2028}é]{0,8}") {
            let rule = !s.contains(": ")
                && !s.contains(":\t")
                && !s.contains(" #")
                && !s.contains("\t#")
                && s.chars().all(|c| c == ' ' || !needs_escape(c));
            prop_assert_eq!(plain_body_ok(&s), rule);
        }
    }

    #[test]
    fn yaml_11_and_12_look_alikes_are_quoted() {
        for s in [
            "y",
            "n",
            "Y",
            "N",
            "yes",
            "No",
            "ON",
            "off",
            "true",
            "False",
            "null",
            "~",
            "",
            "0777",
            "012",
            "1_000",
            "0o17",
            "0x1F",
            "1e3",
            "12:30",
            "2024-01-01",
            ".inf",
            "-.inf",
            ".NaN",
            "+1",
            "-1",
            ".5",
            "<<",
            "=",
            "08",
        ] {
            assert!(needs_quotes(s), "{s:?} must be quoted");
        }
    }

    #[test]
    fn what_kubectl_reads_as_no_string() {
        for non_string in [
            "", "~", "NULL", "yes", "Off", "y", "12", "-3", "+4", "0x1F", "0o17", "017", "0b101",
            "1_000", "1.5", ".5", "1.", "1e3", "-2.5E-3", ".inf", "-.Inf", ".NaN", "08", "<<",
        ] {
            assert!(resolves_to_non_string(non_string), "{non_string:?}");
        }
        for string in [
            "0 1 * * *",
            "*/5 * * * *",
            "@daily",
            "1.2.3",
            "0x",
            "1e",
            "1-2",
            "12:30",
            "1h",
            "-",
            "+",
            ".",
            "v1",
            "2024-01",
            "2024-01-01",
            "2024-1-2T10:00:00Z",
            "YeS",
            "nULL",
            "- a",
            "0b2",
        ] {
            assert!(!resolves_to_non_string(string), "{string:?}");
        }
    }

    #[test]
    fn ordinary_strings_stay_plain() {
        for s in [
            "app-sample-postgres-1",
            "keep-last-5",
            "stash-backup/demo/postgres/sample-postgres-1",
            "-db 0",
            "--ignoreType=settings,template",
            "appcatalog.appscode.com/v1alpha1",
            "données",
            "a:b",
            "a#b",
        ] {
            assert!(!needs_quotes(s), "{s:?} can be plain");
        }
    }

    #[test]
    fn syntax_that_would_change_the_text_is_quoted() {
        for s in [
            "- a",
            "a: b",
            "a #b",
            "#a",
            "&a",
            "*a",
            "!a",
            "|",
            ">",
            "'a",
            "\"a",
            "%a",
            "@a",
            "`a",
            " a",
            "a ",
            "a:",
            "a\nb",
            "a\tb",
            "---",
            "...",
            "[a]",
            "{a}",
            ",a",
            "?",
            "a\u{85}b",
            "\u{feff}a",
        ] {
            assert!(needs_quotes(s), "{s:?} must be quoted");
        }
    }

    #[test]
    fn escapes() {
        assert_eq!(
            double_quoted("a\"b\\c\n\u{1}\u{85}"),
            r#""a\"b\\c\n\u0001\N""#
        );
        assert_eq!(json_string("a\"b\u{85}"), r#""a\"b\u0085""#);
    }

    #[test]
    fn json_literals() {
        for s in ["0", "-1", "1.5", "1e3", "2E-3", "true", "null"] {
            assert!(is_json_literal(s), "{s}");
        }
        for s in [
            "0777", "01", "1.", ".5", "+1", "1_000", "yes", "0x1", "-", "",
        ] {
            assert!(!is_json_literal(s), "{s}");
        }
    }

    #[test]
    fn literal_blocks() {
        assert_eq!(literal_chomp("a\nb\n"), Some(""));
        assert_eq!(literal_chomp("a\nb"), Some("-"));
        assert_eq!(literal_chomp("a\nb\n\n"), None);
        assert_eq!(literal_chomp(" a\nb"), None);
        assert_eq!(literal_chomp("a"), None);
        assert_eq!(literal_chomp("a \nb"), None);
    }
}
