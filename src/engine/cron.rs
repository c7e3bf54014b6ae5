//! Kubernetes CronJob schedule validation: a port of robfig/cron v3.0.1 `ParseStandard`.
//!
//! The API server checks `spec.schedule` with `cron.ParseStandard` and then refuses any
//! schedule containing `TZ`. A schedule we pass but the API server refuses only fails at
//! `kubectl apply`, far from the annotation that caused it; one we refuse but Kubernetes
//! takes blocks a valid package. So we need robfig's answer, quirks included, not "a cron
//! parser":
//!
//! - the `cron` crate wants 6–7 fields (seconds, year) and numbers Sunday 1, not 0;
//! - croner and cron-parser accept `L`, `W`, `#` and a Sunday of 7, and reject robfig's
//!   oddities that Kubernetes lets through (`*-5`, `1,,2`, `,`, `+5`, `0-59/60`).
//!
//! The port is small, has no dependencies and is checked against golden tables produced by
//! the real Go library (`tests/fixtures/cron/robfig-v3.0.1-*.txt`). Error messages are robfig's
//! (and Go's `strconv`/`time` texts inside them) so users can search for them.
//!
//! Where Go consults data we do not carry, we approximate:
//! - `TZ=`/`CRON_TZ=` locations: Go loads the tz database. We accept what `LoadLocation`
//!   accepts without it (`""`, `UTC`, `Local`), reject what it rejects without it (`..`,
//!   a leading slash), and otherwise accept any name made of `[A-Za-z0-9_+\-/]`. This only
//!   matters for [`parse_standard`]: [`validate`] refuses every `TZ` schedule anyway.
//! - a `TZ=` prefix without a following space makes robfig panic (the API server answers
//!   500); we return a "provided bad location" error instead.
//! - Go's `strconv.Quote` escapes non-printable runes using Unicode tables; we escape
//!   control, format, private-use and noncharacter code points, and print unassigned
//!   ones literally where Go would escape them. Only error texts can differ.

use std::fmt;

use crate::krm::results::Severity;

/// What Kubernetes would accept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// five fields or a named descriptor (@daily, ...)
    Cron,
    /// `@every <Go duration>`: accepted by robfig but undocumented in Kubernetes; the caller decides policy.
    /// nanos is the parsed Go time.Duration in nanoseconds (may be 0 or negative: robfig accepts both).
    Every {
        /// Kept raw (not robfig's rounding to whole seconds, minimum 1s) so policy can see what was written.
        nanos: i64,
    },
}

/// Why a schedule is refused, worded as the API server would word it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleError {
    /// robfig's (or Kubernetes') text, so it can be matched against `kubectl` output.
    pub message: String,
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScheduleError {}

fn fail<T>(message: impl Into<String>) -> Result<T, ScheduleError> {
    Err(ScheduleError {
        message: message.into(),
    })
}

/// robfig/cron v3.0.1 `ParseStandard` acceptance (including its TZ=/CRON_TZ= prefix handling).
pub fn parse_standard(spec: &str) -> Result<Accepted, ScheduleError> {
    if spec.is_empty() {
        return fail("empty spec string");
    }
    let mut spec = spec;
    if spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=") {
        // robfig takes the name between the first '=' and the first ASCII space.
        let after_eq = spec.split_once('=').map_or("", |(_, rest)| rest);
        let Some((loc, rest)) = after_eq.split_once(' ') else {
            return fail(format!(
                "provided bad location {after_eq}: no space between the time zone and the schedule"
            ));
        };
        load_location(loc)?;
        spec = rest.trim();
    }
    if spec.starts_with('@') {
        return parse_descriptor(spec);
    }
    // Rust's White_Space set is Go's unicode.IsSpace set, so this is strings.Fields.
    let fields: Vec<&str> = spec.split_whitespace().collect();
    let [minute, hour, dom, month, dow] = fields.as_slice() else {
        return fail(format!(
            "expected exactly 5 fields, found {}: [{}]",
            fields.len(),
            fields.join(" ")
        ));
    };
    for (field, bounds) in [
        (minute, &MINUTES),
        (hour, &HOURS),
        (dom, &DOM),
        (month, &MONTHS),
        (dow, &DOW),
    ] {
        // strings.FieldsFunc drops empty pieces, which is why "1,,2" and "," pass.
        for expr in field.split(',').filter(|e| !e.is_empty()) {
            get_range(expr, bounds)?;
        }
    }
    Ok(Accepted::Cron)
}

/// What Kubernetes says of a schedule containing `TZ` (its words, for the golden tables).
const TZ_RULE: &str = "cannot use TZ or CRON_TZ in schedule, use timeZone field instead";

/// `parse_standard`, then the Kubernetes TZ rule.
pub fn validate(spec: &str) -> Result<Accepted, ScheduleError> {
    let accepted = parse_standard(spec)?;
    // Kubernetes ≥ 1.29 refuses on create any schedule merely containing "TZ", prefix or not.
    if spec.contains("TZ") {
        return fail(TZ_RULE);
    }
    Ok(accepted)
}

/// Names count up from `min`: jan is 1, sun is 0.
pub(super) struct Bounds {
    min: u64,
    max: u64,
    names: &'static [&'static str],
}

impl Bounds {
    const fn new(min: u64, max: u64, names: &'static [&'static str]) -> Self {
        Self { min, max, names }
    }
}

pub(super) const MINUTES: Bounds = Bounds::new(0, 59, &[]);
pub(super) const HOURS: Bounds = Bounds::new(0, 23, &[]);
pub(super) const DOM: Bounds = Bounds::new(1, 31, &[]);
pub(super) const MONTHS: Bounds = Bounds::new(
    1,
    12,
    &[
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ],
);
pub(super) const DOW: Bounds =
    Bounds::new(0, 6, &["sun", "mon", "tue", "wed", "thu", "fri", "sat"]);

/// One comma item of a field as robfig reads it: `start` to `end` every `step`, and whether it
/// was `*` or `?` without a step above 1 (robfig's star bit, which decides how the two day
/// fields combine).
pub(super) struct Range {
    pub(super) start: u64,
    pub(super) end: u64,
    pub(super) step: u64,
    pub(super) star: bool,
}

/// robfig's getRange; the order of the checks decides which message the user sees.
pub(super) fn get_range(expr: &str, b: &Bounds) -> Result<Range, ScheduleError> {
    let mut range_and_step = expr.split('/');
    let range = range_and_step.next().unwrap_or_default();
    let steps: Vec<&str> = range_and_step.collect();
    let mut low_and_high = range.split('-');
    let low = low_and_high.next().unwrap_or_default();
    let highs: Vec<&str> = low_and_high.collect();

    // Whatever follows "*-" is never looked at: "*-5" and "*-x-y" pass.
    let mut star = low == "*" || low == "?";
    let (start, mut end) = if star {
        (b.min, b.max)
    } else {
        let start = int_or_name(low, b)?;
        match highs.as_slice() {
            [] => (start, start),
            [high] => (start, int_or_name(high, b)?),
            _ => return fail(format!("too many hyphens: {expr}")),
        }
    };
    let step = match steps.as_slice() {
        [] => 1,
        [step] => {
            // "N/step" means "N-max/step".
            if highs.is_empty() {
                end = b.max;
            }
            let step = atoi_unsigned(step)?;
            star &= step <= 1;
            step
        }
        _ => return fail(format!("too many slashes: {expr}")),
    };
    let why = if start < b.min {
        format!("beginning of range ({start}) below minimum ({})", b.min)
    } else if end > b.max {
        format!("end of range ({end}) above maximum ({})", b.max)
    } else if start > end {
        format!("beginning of range ({start}) beyond end of range ({end})")
    } else if step == 0 {
        "step of range should be a positive number".to_string()
    } else {
        return Ok(Range {
            start,
            end,
            step,
            star,
        });
    };
    fail(format!("{why}: {expr}"))
}

fn int_or_name(expr: &str, b: &Bounds) -> Result<u64, ScheduleError> {
    let named = (b.min..).zip(b.names).find_map(|(value, name)| {
        // Go lowers the whole item with unicode.ToLower, which maps 'İ' to 'i' (Rust gives
        // "i̇"): "FRİ" is Friday to robfig.
        let lowered = expr.chars().map(|c| match c {
            '\u{130}' => 'i',
            c => {
                let mut lower = c.to_lowercase();
                match (lower.next(), lower.next()) {
                    (Some(l), None) => l,
                    _ => c,
                }
            }
        });
        lowered.eq(name.chars()).then_some(value)
    });
    named.map_or_else(|| atoi_unsigned(expr), Ok)
}

/// robfig's mustParseInt: Go's strconv.Atoi, then a refusal of negatives.
fn atoi_unsigned(s: &str) -> Result<u64, ScheduleError> {
    let go_err = |why: &str| {
        fail(format!(
            "failed to parse int from {s}: strconv.Atoi: parsing {}: {why}",
            strconv_quote(s)
        ))
    };
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if digits.is_empty() {
        return go_err("invalid syntax");
    }
    let mut n: u64 = 0;
    for c in digits.bytes() {
        if !c.is_ascii_digit() {
            return go_err("invalid syntax");
        }
        // ParseUint reports overflow as soon as it happens, before any later bad byte.
        match n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(c - b'0')))
        {
            Some(next) => n = next,
            None => return go_err("value out of range"),
        }
    }
    if neg {
        return match n {
            0 => Ok(0),
            n if n <= 1 << 63 => fail(format!(
                "negative number ({}) not allowed: {s}",
                0i64.wrapping_sub_unsigned(n)
            )),
            _ => go_err("value out of range"),
        };
    }
    if n >= 1 << 63 {
        return go_err("value out of range");
    }
    Ok(n)
}

/// Go's strconv.Quote (see the module doc for the printability approximation).
fn strconv_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        let n = u32::from(c);
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            _ if c.is_control() && n < 0x80 => out.push_str(&format!("\\x{n:02x}")),
            _ if c.is_control()
                || (c.is_whitespace() && c != ' ')
                || matches!(n, 0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891
                    | 0x8E2 | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F
                    | 0xFDD0..=0xFDEF | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD
                    | 0x13430..=0x1343F | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001
                    | 0xE0020..=0xE007F | 0xE000..=0xF8FF | 0xF0000..)
                || n & 0xFFFE == 0xFFFE =>
            {
                if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's time.LoadLocation, minus the tz database (see the module doc).
fn load_location(loc: &str) -> Result<(), ScheduleError> {
    let why = match loc {
        "" | "UTC" | "Local" => return Ok(()),
        _ if loc.contains("..") || loc.starts_with(['/', '\\']) => {
            "time: invalid location name".to_string()
        }
        _ if loc
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+-/".contains(c)) =>
        {
            return Ok(());
        }
        _ => format!("unknown time zone {loc}"),
    };
    fail(format!("provided bad location {loc}: {why}"))
}

fn parse_descriptor(spec: &str) -> Result<Accepted, ScheduleError> {
    match spec {
        "@yearly" | "@annually" | "@monthly" | "@weekly" | "@daily" | "@midnight" | "@hourly" => {
            Ok(Accepted::Cron)
        }
        _ => match spec.strip_prefix("@every ") {
            Some(duration) => match parse_go_duration(duration) {
                Ok(nanos) => Ok(Accepted::Every { nanos }),
                Err(e) => fail(format!("failed to parse duration {spec}: {e}")),
            },
            None => fail(format!("unrecognized descriptor: {spec}")),
        },
    }
}

/// Splits `s` after its longest prefix of chars matching `pred`.
fn split_prefix(s: &str, pred: impl Fn(char) -> bool) -> (&str, &str) {
    let rest = s.trim_start_matches(pred);
    (s.get(..s.len() - rest.len()).unwrap_or_default(), rest)
}

/// Go's time.ParseDuration (Go ≥ 1.21), overflow rules included: robfig accepts exactly
/// what it accepts, so `@every` policy must see the same value Go would.
fn parse_go_duration(orig: &str) -> Result<i64, String> {
    let invalid = || DurationError::Invalid.message(orig);
    let (neg, mut s) = match orig.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, orig.strip_prefix('+').unwrap_or(orig)),
    };
    if s == "0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut d: u64 = 0;
    while !s.is_empty() {
        let v;
        (v, s) = duration_term(s).map_err(|e| e.message(orig))?;
        // Go's uint64 addition wraps: 2^63 + 2^63 becomes 0 and passes the check below.
        d = d.wrapping_add(v);
        if d > DURATION_LIMIT {
            return Err(invalid());
        }
    }
    if neg {
        return Ok(0i64.wrapping_sub_unsigned(d));
    }
    i64::try_from(d).map_err(|_| invalid())
}

/// Go parses a duration's magnitude as a uint64 and refuses anything past 2^63 (the most an
/// int64 holds once negated).
const DURATION_LIMIT: u64 = 1 << 63;

/// Why a duration does not parse. Go's messages quote the whole duration, which only
/// [`parse_go_duration`] has.
enum DurationError<'s> {
    Invalid,
    MissingUnit,
    UnknownUnit(&'s str),
}

impl DurationError<'_> {
    fn message(&self, orig: &str) -> String {
        match self {
            DurationError::Invalid => format!("time: invalid duration {}", time_quote(orig)),
            DurationError::MissingUnit => {
                format!("time: missing unit in duration {}", time_quote(orig))
            }
            DurationError::UnknownUnit(unit) => format!(
                "time: unknown unit {} in duration {}",
                time_quote(unit),
                time_quote(orig)
            ),
        }
    }
}

/// The first term of a duration (`1.5h` of `1.5h30m`) in nanoseconds, and the rest.
fn duration_term(s: &str) -> Result<(u64, &str), DurationError<'_>> {
    if !s.starts_with(|c: char| c == '.' || c.is_ascii_digit()) {
        return Err(DurationError::Invalid);
    }
    let (int_digits, s) = split_prefix(s, |c| c.is_ascii_digit());
    let mut v = leading_int(int_digits).ok_or(DurationError::Invalid)?;
    let (frac_digits, s) = match s.strip_prefix('.') {
        Some(rest) => split_prefix(rest, |c| c.is_ascii_digit()),
        None => ("", s),
    };
    let (f, scale) = leading_fraction(frac_digits);
    if int_digits.is_empty() && frac_digits.is_empty() {
        return Err(DurationError::Invalid);
    }
    let (unit_name, rest) = split_prefix(s, |c| c != '.' && !c.is_ascii_digit());
    let unit = unit_nanos(unit_name)?;
    if v > DURATION_LIMIT / unit {
        return Err(DurationError::Invalid);
    }
    v *= unit;
    if f > 0 {
        // f < scale, so this adds less than one unit: no u64 overflow.
        v += (f as f64 * (unit as f64 / scale)) as u64;
        if v > DURATION_LIMIT {
            return Err(DurationError::Invalid);
        }
    }
    Ok((v, rest))
}

/// The value of a run of digits; `None` past [`DURATION_LIMIT`], where Go gives up.
fn leading_int(digits: &str) -> Option<u64> {
    let mut v: u64 = 0;
    for c in digits.bytes() {
        if v > DURATION_LIMIT / 10 {
            return None;
        }
        v = v * 10 + u64::from(c - b'0');
        if v > DURATION_LIMIT {
            return None;
        }
    }
    Some(v)
}

/// The digits after a decimal point as a numerator and its scale (`25` gives 25 and 100).
fn leading_fraction(digits: &str) -> (u64, f64) {
    let (mut f, mut scale) = (0u64, 1f64);
    let mut overflow = false;
    // Past 63 bits Go keeps consuming digits but stops adding precision.
    for c in digits.bytes() {
        if overflow || f > (DURATION_LIMIT - 1) / 10 {
            overflow = true;
            continue;
        }
        let y = f * 10 + u64::from(c - b'0');
        if y > DURATION_LIMIT {
            overflow = true;
            continue;
        }
        f = y;
        scale *= 10.0;
    }
    (f, scale)
}

/// Nanoseconds in one `unit`, by Go's table (both spellings of the micro sign included).
fn unit_nanos(unit: &str) -> Result<u64, DurationError<'_>> {
    Ok(match unit {
        "" => return Err(DurationError::MissingUnit),
        "ns" => 1,
        "us" | "\u{b5}s" | "\u{3bc}s" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return Err(DurationError::UnknownUnit(unit)),
    })
}

/// Go's time.quote: non-ASCII and control characters become `\x` escapes of their bytes.
fn time_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        if !c.is_ascii() || c < ' ' {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\x{b:02x}"));
            }
        } else {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out.push('"');
    out
}

/// A step that never repeats: `*/90` in the minutes runs at minute 0 only, once an hour, not
/// every 90 minutes (a step counts within its field and never carries into the next). The
/// schedule is one robfig accepts.
fn lonely_step(schedule: &str) -> Option<String> {
    let fields: Vec<&str> = schedule.split_whitespace().collect();
    let [_, _, _, _, _] = fields[..] else {
        return None;
    };
    let names = ["minute", "hour", "day-of-month", "month", "day-of-week"];
    let bounds = [&MINUTES, &HOURS, &DOM, &MONTHS, &DOW];
    for ((field, name), b) in fields.iter().zip(names).zip(bounds) {
        for item in field.split(',').filter(|i| i.contains('/')) {
            let Ok(Range {
                start, end, step, ..
            }) = get_range(item, b)
            else {
                continue;
            };
            if step > end - start + 1 {
                return Some(format!(
                    "schedule `{schedule}`: `{item}` in the {name} field runs only at {start}: a \
                     step counts within its field ({}-{}) and never carries into the next, so it \
                     does not mean every {step}; list the values you mean",
                    b.min, b.max
                ));
            }
        }
    }
    None
}

/// What Kubernetes would say about a CronJob `schedule`, and how to fix it (with a warning for
/// a schedule it takes that does not mean what it seems to).
pub fn schedule_problem(schedule: &str) -> Option<(Severity, String)> {
    match validate(schedule) {
        Ok(Accepted::Cron) => lonely_step(schedule).map(|m| (Severity::Warning, m)),
        Ok(Accepted::Every { nanos }) if nanos > 0 => Some((
            Severity::Warning,
            format!(
                "schedule `{schedule}` uses @every, which Kubernetes accepts but does not document; \
                 prefer a cron expression"
            ),
        )),
        Ok(Accepted::Every { .. }) => Some((
            Severity::Error,
            format!("schedule `{schedule}`: the @every interval must be positive"),
        )),
        Err(e) if schedule.contains("TZ") => {
            // Kubernetes' own words advise CronJob's timeZone field, which no backup object has.
            let parse = match e.message.as_str() {
                TZ_RULE => String::new(),
                _ => format!("{e}; "),
            };
            Some((
                Severity::Error,
                format!(
                    "schedule `{schedule}` is not valid for a Kubernetes CronJob: {parse}Kubernetes \
                     1.29 and later reject TZ= and CRON_TZ= in schedules, and a backup's schedule has \
                     no time zone field (a CronJob's timeZone is not one of its fields): write the \
                     schedule in the cluster's time zone (UTC unless configured otherwise)"
                ),
            ))
        }
        Err(e) => {
            let sunday_as_7 = schedule
                .split_whitespace()
                .nth(4)
                .is_some_and(|dow| dow.split([',', '-', '/']).any(|n| n == "7"));
            let hint = if sunday_as_7 {
                "; Kubernetes counts the days of the week from Sunday as 0 to Saturday as 6: write \
                 Sunday as 0"
            } else {
                "; use five fields (minute hour day-of-month month day-of-week) or @hourly, \
                 @daily, @weekly, @monthly, @yearly"
            };
            Some((
                Severity::Error,
                format!("schedule `{schedule}` is not valid for a Kubernetes CronJob: {e}{hint}"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const REFERENCE: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cron/robfig-v3.0.1-reference.txt"
    );
    const QUIRKS: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cron/robfig-v3.0.1-quirks.txt"
    );

    /// Reads a Go double-quoted string at the start of `line`; returns it and the rest.
    fn go_unquote(line: &str) -> (String, &str) {
        let body = line
            .strip_prefix('"')
            .expect("line must start with a Go string");
        let mut bytes = Vec::new();
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    let s = String::from_utf8(bytes).expect("golden spec must be UTF-8");
                    return (s, &body[i + 1..]);
                }
                '\\' => {
                    let (_, e) = chars.next().expect("dangling backslash");
                    let mut hex = |n: usize| {
                        let h: String = (0..n)
                            .map(|_| chars.next().expect("short escape").1)
                            .collect();
                        u32::from_str_radix(&h, 16).expect("bad hex escape")
                    };
                    match e {
                        't' => bytes.push(b'\t'),
                        'n' => bytes.push(b'\n'),
                        'r' => bytes.push(b'\r'),
                        'v' => bytes.push(0x0b),
                        'f' => bytes.push(0x0c),
                        'a' => bytes.push(0x07),
                        'b' => bytes.push(0x08),
                        '"' | '\\' => bytes.push(e as u8),
                        'x' => bytes.push(u8::try_from(hex(2)).expect("byte")),
                        'u' | 'U' => {
                            let c =
                                char::from_u32(hex(if e == 'u' { 4 } else { 8 })).expect("rune");
                            bytes.extend_from_slice(c.to_string().as_bytes());
                        }
                        other => panic!("unsupported escape \\{other}"),
                    }
                }
                c => bytes.extend_from_slice(c.to_string().as_bytes()),
            }
        }
        panic!("unterminated Go string: {line}")
    }

    /// (spec, accepted, robfig's message for REJECT lines that carry one)
    fn golden(path: &str) -> Vec<(String, bool, Option<String>)> {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let rows: Vec<_> = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                let (spec, rest) = go_unquote(line);
                let rest = rest.trim_start();
                if rest.starts_with("ACCEPT") {
                    (spec, true, None)
                } else if let Some(msg) = rest.strip_prefix("REJECT") {
                    // Messages keep trailing spaces: "unrecognized descriptor: @daily ".
                    (spec, false, msg.strip_prefix(' ').map(str::to_string))
                } else {
                    panic!("{path}: no verdict in {line:?}")
                }
            })
            .collect();
        assert!(
            rows.iter().any(|r| r.1) && rows.iter().any(|r| !r.1),
            "{path} looks truncated"
        );
        rows
    }

    #[test]
    fn steps_past_their_field_are_flagged() {
        let lonely = [
            "*/90 * * * *",
            "5/60 * * * *",
            "0 */30 * * *",
            "0 0 * * */8",
            "0 10-20/12 * * *",
        ];
        for schedule in lonely {
            let (severity, message) = schedule_problem(schedule).expect(schedule);
            assert_eq!(severity, Severity::Warning, "{message}");
            assert!(message.contains("runs only at"), "{message}");
        }
        // A step as long as its field's span repeats as it says: every 60 minutes, every 12
        // months.
        for fine in ["*/60 * * * *", "*/15 * * * *", "0 0 1 */12 *"] {
            assert!(
                schedule_problem(fine).is_none_or(|(_, m)| !m.contains("runs only at")),
                "{fine}"
            );
        }
    }

    #[test]
    fn golden_tables_match_robfig() {
        let mut checked = 0;
        for path in [REFERENCE, QUIRKS] {
            for (spec, accept, message) in golden(path) {
                let got = parse_standard(&spec);
                assert_eq!(got.is_ok(), accept, "{path}: {spec:?} gave {got:?}");
                if let (Err(e), Some(want)) = (&got, &message) {
                    assert_eq!(&e.message, want, "{path}: message for {spec:?}");
                }
                let valid = validate(&spec).is_ok();
                assert_eq!(valid, accept && !spec.contains("TZ"), "validate({spec:?})");
                checked += 1;
            }
        }
        assert!(checked >= 60, "only {checked} golden rows");
    }

    fn err_of(spec: &str) -> String {
        match parse_standard(spec) {
            Err(e) => e.message,
            Ok(a) => panic!("{spec:?} accepted as {a:?}"),
        }
    }

    fn every(d: &str) -> Result<i64, String> {
        match parse_standard(&format!("@every {d}")) {
            Ok(Accepted::Every { nanos }) => Ok(nanos),
            Ok(a) => panic!("{d:?} gave {a:?}"),
            Err(e) => Err(e.message),
        }
    }

    #[test]
    fn descriptors() {
        for d in [
            "@yearly",
            "@annually",
            "@monthly",
            "@weekly",
            "@daily",
            "@midnight",
            "@hourly",
        ] {
            assert_eq!(parse_standard(d), Ok(Accepted::Cron), "{d}");
            assert_eq!(validate(d), Ok(Accepted::Cron), "{d}");
        }
        assert_eq!(err_of("@every"), "unrecognized descriptor: @every");
        assert_eq!(err_of("@Daily"), "unrecognized descriptor: @Daily");
        // The TZ prefix path trims, so the trailing space that breaks "@daily " is gone.
        assert_eq!(parse_standard("TZ=UTC @daily "), Ok(Accepted::Cron));
    }

    #[test]
    fn every_durations() {
        const S: i64 = 1_000_000_000;
        assert_eq!(every("90s"), Ok(90 * S));
        assert_eq!(every("1h30m"), Ok(5400 * S));
        assert_eq!(every("1.5h"), Ok(5400 * S));
        assert_eq!(every("0s"), Ok(0));
        assert_eq!(every("0"), Ok(0));
        assert_eq!(every("-0"), Ok(0));
        assert_eq!(every("-1h"), Ok(-3600 * S));
        assert_eq!(every("1µs2μs3us"), Ok(6000));
        assert_eq!(every(".5s"), Ok(S / 2));
        assert_eq!(every("1.s"), Ok(S));
        assert_eq!(every("9223372036854775807ns"), Ok(i64::MAX));
        assert_eq!(every("-9223372036854775808ns"), Ok(i64::MIN));
        assert_eq!(
            every(""),
            Err(r#"failed to parse duration @every : time: invalid duration """#.into())
        );
        assert_eq!(
            every("1"),
            Err(r#"failed to parse duration @every 1: time: missing unit in duration "1""#.into())
        );
        assert_eq!(
            every("1x"),
            Err(
                r#"failed to parse duration @every 1x: time: unknown unit "x" in duration "1x""#
                    .into()
            )
        );
        assert_eq!(
            every(".s"),
            Err(r#"failed to parse duration @every .s: time: invalid duration ".s""#.into())
        );
        assert_eq!(
            every("9223372036854775808ns"),
            Err(r#"failed to parse duration @every 9223372036854775808ns: time: invalid duration "9223372036854775808ns""#.into())
        );
        assert_eq!(
            every(" 1h"),
            Err(r#"failed to parse duration @every  1h: time: invalid duration " 1h""#.into())
        );
        assert_eq!(
            every("1é\""),
            Err(r#"failed to parse duration @every 1é": time: unknown unit "\xc3\xa9\"" in duration "1\xc3\xa9\"""#.into())
        );
        assert!(every("2562048h").is_err());
        assert!(every("1.00000000000000000000000000001h").is_ok());
        // Go's uint64 sum wraps to 0 here and passes its own overflow check.
        assert_eq!(every("9223372036854775808ns9223372036854775808ns"), Ok(0));
    }

    #[test]
    fn names_ignore_case() {
        // Go's unicode.ToLower maps U+0130 'İ' to a plain 'i', so "FRİ" is Friday.
        for spec in ["0 0 * jAn sUN", "0 0 * * Mon-FRI", "0 0 * * FR\u{130}"] {
            assert_eq!(parse_standard(spec), Ok(Accepted::Cron), "{spec}");
        }
        assert_eq!(
            err_of("0 0 * DEC-jan *"),
            "beginning of range (12) beyond end of range (1): DEC-jan"
        );
        assert!(
            parse_standard("0 0 * sun *").is_err(),
            "day names are not months"
        );
        assert!(
            parse_standard("0 0 jan * *").is_err(),
            "no names in day-of-month"
        );
        assert!(
            parse_standard("0 0 * * */mon").is_err(),
            "steps are numbers only"
        );
    }

    #[test]
    fn field_separators_and_lists() {
        for spec in [
            "0 0 * * 6,0",
            "0\t0\n*\r\n* *",
            "0\u{a0}0 * * *",
            "0\u{3000}0\u{2028}*\u{85}*\u{b}*",
            "+0 +1 +1 +1 +0",
            "*-5 *-x-y * * *",
        ] {
            assert_eq!(parse_standard(spec), Ok(Accepted::Cron), "{spec:?}");
        }
        // U+200B is not whitespace to Go either: the field is one token, and Quote escapes it.
        assert_eq!(
            err_of("0\u{200b}0 * * *"),
            "expected exactly 5 fields, found 4: [0\u{200b}0 * * *]"
        );
        assert_eq!(
            err_of("1\u{200b} * * * *"),
            "failed to parse int from 1\u{200b}: strconv.Atoi: parsing \"1\\u200b\": invalid syntax"
        );
        assert_eq!(
            err_of("1\u{7} * * * *"),
            "failed to parse int from 1\u{7}: strconv.Atoi: parsing \"1\\a\": invalid syntax"
        );
    }

    #[test]
    fn signs_and_integer_limits() {
        // robfig splits on '-' before parsing, so "-0" is the range "" to "0" and fails on
        // Atoi(""); a signed zero only reaches Atoi as a step, where zero is refused anyway.
        assert_eq!(
            err_of("-0 * * * *"),
            r#"failed to parse int from : strconv.Atoi: parsing "": invalid syntax"#
        );
        assert_eq!(
            err_of("*/-0 * * * *"),
            "step of range should be a positive number: */-0"
        );
        assert_eq!(
            err_of("*/-5 * * * *"),
            "negative number (-5) not allowed: -5"
        );
        assert_eq!(
            err_of("0-5/+ * * * *"),
            r#"failed to parse int from +: strconv.Atoi: parsing "+": invalid syntax"#
        );
        assert_eq!(err_of("1-2-3 * * * *"), "too many hyphens: 1-2-3");
        assert_eq!(err_of("*/1/2 * * * *"), "too many slashes: */1/2");
        assert_eq!(
            err_of("x/1/2 * * * *"),
            r#"failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax"#
        );
        assert_eq!(
            err_of("99999999999999999999 * * * *"),
            r#"failed to parse int from 99999999999999999999: strconv.Atoi: parsing "99999999999999999999": value out of range"#
        );
        assert_eq!(
            err_of("18446744073709551616x * * * *"),
            r#"failed to parse int from 18446744073709551616x: strconv.Atoi: parsing "18446744073709551616x": value out of range"#
        );
        assert_eq!(
            err_of("9223372036854775808x * * * *"),
            r#"failed to parse int from 9223372036854775808x: strconv.Atoi: parsing "9223372036854775808x": invalid syntax"#
        );
        assert_eq!(
            err_of("9223372036854775807 * * * *"),
            "end of range (9223372036854775807) above maximum (59): 9223372036854775807"
        );
        assert_eq!(
            err_of("*/-9223372036854775808 * * * *"),
            "negative number (-9223372036854775808) not allowed: -9223372036854775808"
        );
        assert_eq!(
            err_of("*/-9223372036854775809 * * * *"),
            r#"failed to parse int from -9223372036854775809: strconv.Atoi: parsing "-9223372036854775809": value out of range"#
        );
        assert_eq!(
            parse_standard("*/9223372036854775807 * * * *"),
            Ok(Accepted::Cron)
        );
        assert_eq!(
            err_of("*/9223372036854775808 * * * *"),
            r#"failed to parse int from 9223372036854775808: strconv.Atoi: parsing "9223372036854775808": value out of range"#
        );
        assert_eq!(parse_standard("0-0059 00 001 01 000"), Ok(Accepted::Cron));
    }

    #[test]
    fn time_zone_prefix_and_kubernetes_rule() {
        assert_eq!(
            parse_standard("TZ= 0 1 * * *"),
            Ok(Accepted::Cron),
            "LoadLocation(\"\") is UTC"
        );
        assert_eq!(
            parse_standard("CRON_TZ=America/Port-au-Prince @hourly"),
            Ok(Accepted::Cron)
        );
        assert_eq!(
            err_of("TZ=Mars/Ol.mpus 0 1 * * *"),
            "provided bad location Mars/Ol.mpus: unknown time zone Mars/Ol.mpus"
        );
        assert_eq!(
            err_of("TZ=../etc 0 1 * * *"),
            "provided bad location ../etc: time: invalid location name"
        );
        // robfig would panic slicing here; the API server would answer 500.
        assert_eq!(
            err_of("TZ=UTC"),
            "provided bad location UTC: no space between the time zone and the schedule"
        );
        assert_eq!(
            err_of("TZ=UTC   "),
            "expected exactly 5 fields, found 0: []"
        );
        assert_eq!(err_of(""), "empty spec string");
        let tz = "cannot use TZ or CRON_TZ in schedule, use timeZone field instead";
        for spec in ["TZ=UTC 0 1 * * *", "CRON_TZ=UTC @daily"] {
            assert_eq!(
                validate(spec).map_err(|e| e.message),
                Err(tz.to_string()),
                "{spec}"
            );
        }
        // Parse errors come first: Kubernetes reports both, we report robfig's.
        assert!(
            validate("TZ=UTC 61 * * * *")
                .unwrap_err()
                .message
                .starts_with("end of range")
        );
        assert_eq!(
            validate("@every 1h"),
            Ok(Accepted::Every {
                nanos: 3_600_000_000_000
            })
        );
    }

    // --- properties -----------------------------------------------------------------

    #[derive(Debug, Clone)]
    enum Atom {
        Star,
        Question,
        Num(&'static str, String),
        Name(String),
        Junk(&'static str),
    }

    impl Atom {
        fn text(&self) -> String {
            match self {
                Atom::Star => "*".into(),
                Atom::Question => "?".into(),
                Atom::Num(sign, digits) => format!("{sign}{digits}"),
                Atom::Name(s) => s.clone(),
                Atom::Junk(s) => (*s).into(),
            }
        }
    }

    #[derive(Debug, Clone)]
    struct Item {
        low: Atom,
        highs: Vec<Atom>,
        steps: Vec<Atom>,
    }

    const ALL_NAMES: [&str; 19] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec", "sun",
        "mon", "tue", "wed", "thu", "fri", "sat",
    ];

    /// (min, max, names, value of the first name) per field, restated from robfig's bounds.
    const TABLE: [(u128, u128, &[&str], u128); 5] = [
        (0, 59, &[], 0),
        (0, 23, &[], 0),
        (1, 31, &[], 0),
        (1, 12, ALL_NAMES.split_at(12).0, 1),
        (0, 6, ALL_NAMES.split_at(12).1, 0),
    ];

    fn cased(names: Vec<&'static str>) -> BoxedStrategy<Atom> {
        (prop::sample::select(names), any::<[bool; 3]>())
            .prop_map(|(n, up)| {
                let cased = n.chars().zip(up);
                Atom::Name(
                    cased
                        .map(|(c, u)| if u { c.to_ascii_uppercase() } else { c })
                        .collect(),
                )
            })
            .boxed()
    }

    /// Atoms for field `f`. Tame ones are in range or named for the field, so that whole specs
    /// pass often enough to test acceptance; wild ones add every way of failing.
    /// `minus`: outside the step position a '-' sign would be split off as a hyphen.
    fn atom(f: usize, minus: bool, wild: bool) -> BoxedStrategy<Atom> {
        let (min, max, names, _) = TABLE[f];
        let (min, max) = (min as u32, max as u32);
        let signs = match (wild, minus) {
            (true, true) => vec!["", "", "", "+", "-"],
            _ => vec!["", "", "", "", "", "+"],
        };
        let zeros = prop::sample::select(vec!["", "", "", "", "", "", "0", "00"]);
        let digits = prop_oneof![
            12 => (min..=max).prop_map(|n| n.to_string()),
            u32::from(wild) * 3 => (min.saturating_sub(2)..=max + 2).prop_map(|n| n.to_string()),
            u32::from(wild) => "[0-9]{15,22}",
        ];
        let num = (prop::sample::select(signs), zeros, digits)
            .prop_map(|(s, z, d)| Atom::Num(s, format!("{z}{d}")));
        let junk = [
            "L", "W", "5L", "1#2", "x", "MONDAY", "January", "*5", "0x1", "1_0", "\u{663}", "ja",
        ];
        let mut choices = vec![
            (2, Just(Atom::Star).boxed()),
            (1, Just(Atom::Question).boxed()),
            (14, num.boxed()),
        ];
        if !names.is_empty() {
            choices.push((6, cased(names.to_vec())));
        }
        if wild {
            choices.push((1, cased(ALL_NAMES.to_vec())));
            let junk = prop::sample::select(junk.to_vec()).prop_map(Atom::Junk);
            choices.push((1, junk.boxed()));
        }
        prop::strategy::Union::new_weighted(choices).boxed()
    }

    fn item(f: usize, wild: bool) -> impl Strategy<Value = Option<Item>> {
        let more = u32::from(wild);
        let count = move || prop_oneof![10 => Just(0usize), 2 + more => Just(1), more => Just(2)];
        let real = (atom(f, false, wild), count(), count()).prop_flat_map(move |(low, h, s)| {
            let highs = prop::collection::vec(atom(f, false, wild), h);
            let steps = prop::collection::vec(atom(f, true, wild), s);
            (Just(low), highs, steps).prop_map(|(low, highs, steps)| Item { low, highs, steps })
        });
        prop_oneof![more => Just(None), 14 => real.prop_map(Some)]
    }

    /// The rules of the brief, restated over the generated structure rather than the text.
    fn oracle_item(it: &Item, min: u128, max: u128, names: &[&str], first: u128) -> bool {
        let value = |a: &Atom, allow_names: bool| -> Option<u128> {
            match a {
                Atom::Num(sign, digits) => {
                    let v: u128 = digits.parse().ok()?;
                    match *sign {
                        "-" => (v == 0).then_some(0),
                        _ => (v <= i64::MAX as u128).then_some(v),
                    }
                }
                Atom::Name(n) if allow_names => {
                    let lower = n.to_ascii_lowercase();
                    names
                        .iter()
                        .position(|x| *x == lower)
                        .map(|i| i as u128 + first)
                }
                _ => None,
            }
        };
        let (start, mut end) = match it.low {
            Atom::Star | Atom::Question => (min, max),
            ref low => {
                let Some(s) = value(low, true) else {
                    return false;
                };
                match it.highs.as_slice() {
                    [] => (s, s),
                    [h] => match value(h, true) {
                        Some(e) => (s, e),
                        None => return false,
                    },
                    _ => return false,
                }
            }
        };
        let step = match it.steps.as_slice() {
            [] => 1,
            [s] => {
                if it.highs.is_empty() {
                    end = max;
                }
                match value(s, false) {
                    Some(v) => v,
                    None => return false,
                }
            }
            _ => return false,
        };
        start >= min && end <= max && start <= end && step > 0
    }

    fn render_item(it: &Option<Item>) -> String {
        match it {
            None => String::new(),
            Some(it) => {
                let mut s = it.low.text();
                for h in &it.highs {
                    s += &format!("-{}", h.text());
                }
                for st in &it.steps {
                    s += &format!("/{}", st.text());
                }
                s
            }
        }
    }

    type Field = Vec<Option<Item>>;

    fn spec_strategy() -> impl Strategy<Value = (String, bool)> {
        let field = |f: usize, wild: bool| prop::collection::vec(item(f, wild), 1..=2);
        let five = |wild| [0, 1, 2, 3, 4].map(|f| field(f, wild));
        let fields = prop_oneof![
            6 => five(false).prop_map(|f| f.to_vec()),
            6 => five(true).prop_map(|f| f.to_vec()),
            1 => (0usize..5, 4usize..=6)
                .prop_flat_map(move |(f, n)| prop::collection::vec(field(f, true), n)),
        ];
        let seps = prop::collection::vec(
            prop::sample::select(vec![" ", " ", "  ", "\t", "\n", "\u{a0}", "\u{3000}"]),
            7,
        );
        let prefix =
            prop::sample::select(vec!["", "", "", " ", "TZ=UTC ", "CRON_TZ=Europe/Berlin  "]);
        (fields, seps, prefix).prop_map(|(fields, seps, prefix): (Vec<Field>, Vec<&str>, &str)| {
            let texts: Vec<String> = fields
                .iter()
                .map(|f| f.iter().map(render_item).collect::<Vec<_>>().join(","))
                .collect();
            // A field made only of empty list items vanishes between the separators.
            let present: Vec<&Field> = fields
                .iter()
                .zip(&texts)
                .filter_map(|(f, t)| (!t.is_empty()).then_some(f))
                .collect();
            let ok = present.len() == 5
                && present
                    .iter()
                    .zip(TABLE)
                    .all(|(f, (min, max, names, first))| {
                        f.iter()
                            .flatten()
                            .all(|it| oracle_item(it, min, max, names, first))
                    });
            let mut spec = prefix.to_string();
            for (t, sep) in texts.iter().zip(&seps) {
                spec += t;
                spec += sep;
            }
            (spec, ok)
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn never_panics_on_anything(s in any::<String>()) {
            let parsed = parse_standard(&s);
            let validated = validate(&s);
            prop_assert_eq!(validated.is_ok(), parsed.is_ok() && !s.contains("TZ"));
        }

        #[test]
        fn never_panics_near_the_grammar(
            s in r"(TZ=|CRON_TZ=|@every |@|-)?[0-9a-zA-Z*?/,. +\-\t\u{a0}µμİ\u{200b}\x07]{0,40}"
        ) {
            let parsed = parse_standard(&s);
            prop_assert_eq!(validate(&s).is_ok(), parsed.is_ok() && !s.contains("TZ"));
        }

        #[test]
        fn grammar_matches_oracle((spec, ok) in spec_strategy()) {
            let got = parse_standard(&spec);
            prop_assert_eq!(got.is_ok(), ok, "{:?} gave {:?}", spec, got);
            prop_assert_eq!(validate(&spec).is_ok(), ok && !spec.contains("TZ"));
        }

        #[test]
        fn every_ns_round_trips(n in any::<i64>()) {
            prop_assert_eq!(every(&format!("{n}ns")), Ok(n));
        }

        #[test]
        fn every_units_scale(n in 0i64..2_000_000, unit in 0usize..6) {
            let (name, mult) = [("ns", 1), ("us", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000),
                ("m", 60_000_000_000), ("h", 3_600_000_000_000)][unit];
            prop_assert_eq!(every(&format!("-{n}{name}")), Ok(-n * mult));
        }
    }
}
