//! "Did you mean …?": the known name closest to a misspelt one, when it is close enough to be a
//! typo rather than another name.
//!
//! Below every other layer: the readers use it to keep objects whose annotation keys are
//! misspelt (they would drop them otherwise), and the families to name the key meant.

/// The edit distance (insertions, deletions, substitutions, and swaps of neighbours) between
/// two strings, by characters.
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the optimal-string-alignment table.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// A lower bound of [`distance`] in one pass over each string: each edit adds or removes at
/// most one character on each side (a swap none), so at least as many edits as the characters
/// one string has beyond the other are needed. Characters are counted in buckets, which can only
/// lower the bound. It rejects nearly every candidate before [`distance`] is computed, which
/// matters because every annotation key of an input is checked.
fn bag_distance(a: &str, b: &str) -> usize {
    let mut counts = [0i32; 64];
    for c in a.chars() {
        counts[c as usize % 64] += 1;
    }
    for c in b.chars() {
        counts[c as usize % 64] -= 1;
    }
    let (mut more, mut fewer) = (0, 0);
    for n in counts {
        if n > 0 {
            more += n;
        } else {
            fewer -= n;
        }
    }
    more.max(fewer) as usize
}

/// How many edits a misspelling of `name` may hold: one in short names, two from eight
/// characters on, three from sixteen; none below three (every short name is close to another).
fn reach(name: &str) -> usize {
    match name.chars().count() {
        0..=2 => 0,
        3..=7 => 1,
        8..=15 => 2,
        _ => 3,
    }
}

/// The candidate closest to `name` within a typo's reach (one edit in short names, two from
/// eight characters on, three from sixteen); of equally close ones the first in byte order, so
/// the answer does not depend on the candidates' order. None for an exact match.
pub fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let reach = reach(name);
    if reach == 0 {
        return None;
    }
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        // Lengths that differ by more than the reach cannot be within it.
        if candidate.len().abs_diff(name.len()) > reach * 4 || bag_distance(name, candidate) > reach
        {
            continue;
        }
        let d = distance(name, candidate);
        if d == 0 {
            return None;
        }
        if d <= reach && best.is_none_or(|(b, c)| (d, candidate) < (b, c)) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// `written` with `wrong` replaced by `right`, where `written` names one name or, with a
/// `separator`, several (`pg-dialy, mysql-daily`): each name that reads `wrong` once trimmed is
/// replaced, and everything else (the other names, the spaces around each) is kept as written,
/// so the fix changes only the name that is misspelt. None when no name reads `wrong`.
pub fn replace_listed(
    written: &str,
    separator: Option<char>,
    wrong: &str,
    right: &str,
) -> Option<String> {
    let parts: Vec<&str> = match separator {
        Some(separator) => written.split(separator).collect(),
        None => vec![written],
    };
    let mut replaced = false;
    let parts: Vec<String> = parts
        .into_iter()
        .map(|part| {
            if part.trim() != wrong {
                return part.to_owned();
            }
            replaced = true;
            let start = part.len() - part.trim_start().len();
            let end = part.trim_end().len();
            format!("{}{right}{}", &part[..start], &part[end..])
        })
        .collect();
    let separator = separator.map(String::from).unwrap_or_default();
    replaced.then(|| parts.join(&separator))
}

/// The annotation keys a family reads: whole keys, and prefixes (ending in `/`) under which
/// every name is one (`params.example.com/`); and the domains it owns, where a key it does not
/// read is a mistake, unless others write it there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Keys {
    pub whole: &'static [&'static str],
    pub prefixes: &'static [&'static str],
    /// Prefixes of the family's domains (`example.com/`): a key in one that the family does not
    /// read does nothing.
    pub domains: &'static [&'static str],
    /// Prefixes of the keys others write in those domains (an operator's own status, such as
    /// `example.com/last-applied-`), which are nobody's mistake.
    pub others: &'static [&'static str],
    /// A bit of its own among the families' keys: the readers work out once per distinct key
    /// which families it concerns, and mark each object with these bits, so that selecting a
    /// family's objects never checks a key again.
    pub bit: u8,
}

/// A key that looks like the family's and is none it reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stray {
    /// A misspelling of the key named.
    Misspelt(String),
    /// A key in the family's domain that it does not read, and close to none it does.
    Unknown,
}

impl Keys {
    /// Whether the family reads `key`: one of its whole keys, or a name under a prefix.
    pub fn reads(&self, key: &str) -> bool {
        self.whole.contains(&key) || self.prefixes.iter().any(|p| key.starts_with(p))
    }

    /// What `key` is when it looks like the family's and is none it reads: a misspelling of a
    /// whole key within a typo's reach, or of a prefix's domain (the name after the `/` kept); else
    /// any key in a domain of the family's that others do not write there. None for a key the
    /// family reads, and for others' keys.
    pub fn stray(&self, key: &str) -> Option<Stray> {
        if self.reads(key) || self.others.iter().any(|p| key.starts_with(p)) {
            return None;
        }
        if let Some(meant) = self.misspelt(key) {
            return Some(Stray::Misspelt(meant));
        }
        let in_domain = self.domains.iter().any(|d| key.starts_with(d));
        in_domain.then_some(Stray::Unknown)
    }

    /// Whether `key` says something about backing its object up, as far as this family can
    /// tell: a key it reads, or a stray one (what [`Keys::stray`] names).
    pub fn concerns(&self, key: &str) -> bool {
        self.reads(key) || self.stray(key).is_some()
    }

    /// The key meant by `key` when it looks like a misspelling of one of these.
    fn misspelt(&self, key: &str) -> Option<String> {
        let near = Near::new(key);
        if let Some(meant) = closest(key, self.whole.iter().copied().filter(|k| near.may_be(k))) {
            return Some(meant.to_owned());
        }
        let (domain, name) = key.split_once('/')?;
        let near = Near::new(domain);
        let domains = self.prefixes.iter().map(|p| p.trim_end_matches('/'));
        closest(domain, domains.filter(|d| near.may_be(d))).map(|meant| format!("{meant}/{name}"))
    }
}

/// A test of whether a name may be within a typo's reach of a known one that costs next to
/// nothing: the readers ask it of every annotation key in the input, against every key a family
/// reads, and nearly all are far from all. Lengths that differ by more than the reach, or more
/// characters of one missing from the other (each takes an edit), rule a candidate out;
/// [`closest`] decides on what is left.
struct Near<'n> {
    name: &'n str,
    reach: usize,
    /// Char counts are byte counts in ASCII, which every real key is.
    ascii: bool,
    mask: std::cell::OnceCell<u64>,
}

impl<'n> Near<'n> {
    fn new(name: &'n str) -> Self {
        Near {
            name,
            reach: reach(name),
            ascii: name.is_ascii(),
            mask: std::cell::OnceCell::new(),
        }
    }

    fn may_be(&self, known: &str) -> bool {
        if self.ascii && known.is_ascii() && self.name.len().abs_diff(known.len()) > self.reach {
            return false;
        }
        let (a, b) = (*self.mask.get_or_init(|| mask(self.name)), mask(known));
        ((a & !b).count_ones() as usize) <= self.reach
            && ((b & !a).count_ones() as usize) <= self.reach
            && bag_distance(self.name, known) <= self.reach
    }
}

/// The characters of `text`, a bit each (uncommon ones share bits, which only lets more
/// through).
fn mask(text: &str) -> u64 {
    text.chars().fold(0, |mask, c| {
        let bit = match c {
            'a'..='z' => c as u32 - 'a' as u32,
            '0'..='9' => 26 + c as u32 - '0' as u32,
            '.' => 36,
            '-' => 37,
            '/' => 38,
            '_' => 39,
            'A'..='Z' => 40 + (c as u32 - 'A' as u32) % 23,
            _ => 63,
        };
        mask | 1 << bit
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("pg-daily", "pg-daily"), 0);
        assert_eq!(distance("pg-dialy", "pg-daily"), 1);
        assert_eq!(distance("pg-dail", "pg-daily"), 1);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn the_bag_distance_never_exceeds_the_distance() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "abc",
            "pg-daily",
            "pg-dialy",
            "pg-weekly",
            "kitten",
            "sitting",
            "stash.appscode.com/schedule",
            "stash.appscode.com/shedule",
            "ünïcødé",
            "unicode",
            "config.kubernetes.io/index",
            "blueprint.kubestash.com/name",
        ];
        for a in words {
            for b in words {
                assert!(bag_distance(a, b) <= distance(a, b), "{a:?} {b:?}");
            }
        }
        assert_eq!(bag_distance("abc", "xyz"), 3);
        // The cheap test lets through whatever is within reach.
        for a in words {
            for b in words {
                if distance(a, b) <= reach(a) {
                    assert!(Near::new(a).may_be(b), "{a:?} {b:?}");
                }
            }
        }
        assert_eq!(bag_distance("ab", "ba"), 0);
    }

    #[test]
    fn suggestions() {
        let known = ["pg-daily", "pg-weekly", "mysql-hourly"];
        assert_eq!(closest("pg-dialy", known), Some("pg-daily"));
        assert_eq!(closest("pg-weakly", known), Some("pg-weekly"));
        assert_eq!(closest("redis-daily", known), None);
        assert_eq!(closest("pg-daily", known), None);
        assert_eq!(closest("pg", ["pq"]), None);
        // Ties go to the first in byte order, whatever the order given.
        assert_eq!(
            closest("pg-xaily", ["pg-daily", "pg-baily"]),
            Some("pg-baily")
        );
        assert_eq!(
            closest("pg-xaily", ["pg-baily", "pg-daily"]),
            Some("pg-baily")
        );
        assert_eq!(
            closest(
                "stash.appscode.com/backup-bluprint",
                ["stash.appscode.com/backup-blueprint"]
            ),
            Some("stash.appscode.com/backup-blueprint")
        );
    }

    #[test]
    fn a_listed_name_is_replaced_and_the_rest_kept_as_written() {
        let list = Some(',');
        assert_eq!(
            replace_listed("pg-dialy, mysql-daily", list, "pg-dialy", "pg-daily").as_deref(),
            Some("pg-daily, mysql-daily")
        );
        assert_eq!(
            replace_listed("mysql-daily ,  pg-dialy ", list, "pg-dialy", "pg-daily").as_deref(),
            Some("mysql-daily ,  pg-daily ")
        );
        // A name that only contains the wrong one is another name.
        assert_eq!(
            replace_listed("pg-dialy-2,pg-dialy", list, "pg-dialy", "pg-daily").as_deref(),
            Some("pg-dialy-2,pg-daily")
        );
        assert_eq!(replace_listed("a, b", list, "c", "d"), None);
        // Without a separator the value is one name, commas and all.
        assert_eq!(
            replace_listed(" dialy ", None, "dialy", "daily").as_deref(),
            Some(" daily ")
        );
        assert_eq!(replace_listed("a,dialy", None, "dialy", "daily"), None);
    }

    const KEYS: Keys = Keys {
        whole: &[
            "stash.appscode.com/backup-blueprint",
            "stash.appscode.com/schedule",
        ],
        prefixes: &["params.stash.appscode.com/"],
        domains: &["stash.appscode.com/"],
        others: &["stash.appscode.com/last-applied-"],
        bit: 1,
    };

    #[test]
    fn misspelt_keys() {
        let meant = |key| match KEYS.stray(key) {
            Some(Stray::Misspelt(meant)) => Some(meant),
            _ => None,
        };
        assert_eq!(
            meant("stash.appscode.com/backup-bluprint").as_deref(),
            Some("stash.appscode.com/backup-blueprint")
        );
        assert_eq!(
            meant("stash.appscode.io/backup-blueprint").as_deref(),
            Some("stash.appscode.com/backup-blueprint")
        );
        assert_eq!(
            meant("stash.appscode.com/shedule").as_deref(),
            Some("stash.appscode.com/schedule")
        );
        assert_eq!(
            meant("param.stash.appscode.com/args").as_deref(),
            Some("params.stash.appscode.com/args")
        );
        // The keys themselves, names under a prefix, and others' keys are no misspellings.
        for key in [
            "stash.appscode.com/schedule",
            "params.stash.appscode.com/anything-at-all",
            "config.kubernetes.io/index",
            "kubectl.kubernetes.io/last-applied-configuration",
            "app.kubernetes.io/name",
            "stash.appscode.com/last-applied-backup-invoker",
            "",
            "/",
        ] {
            assert_eq!(meant(key), None, "{key}");
        }
    }

    #[test]
    fn unknown_keys_in_the_domain_are_strays_others_are_not() {
        for (key, stray) in [
            ("stash.appscode.com/blueprint", Some(Stray::Unknown)),
            (
                "stash.appscode.com/target-directories",
                Some(Stray::Unknown),
            ),
            (
                "stash.appscode.com/shedule",
                Some(Stray::Misspelt("stash.appscode.com/schedule".into())),
            ),
            ("stash.appscode.com/last-applied-backup-invoker", None),
            ("stash.appscode.com/schedule", None),
            ("params.stash.appscode.com/args", None),
            ("app.kubernetes.io/name", None),
        ] {
            assert_eq!(KEYS.stray(key), stray, "{key}");
            let read = KEYS.reads(key);
            assert_eq!(KEYS.concerns(key), read || stray.is_some(), "{key}");
        }
    }
}
