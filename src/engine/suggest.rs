//! "Did you mean …?": the known name closest to a misspelt one, when it is close enough to be a
//! typo rather than another name.

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

/// The candidate closest to `name` within a typo's reach (one edit in short names, two from
/// eight characters on, three from sixteen); of equally close ones the first in byte order, so
/// the answer does not depend on the candidates' order. None for an exact match.
pub fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let reach = match name.chars().count() {
        0..=2 => return None,
        3..=7 => 1,
        8..=15 => 2,
        _ => 3,
    };
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        // Lengths that differ by more than the reach cannot be within it.
        if candidate.len().abs_diff(name.len()) > reach * 4 {
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
}
