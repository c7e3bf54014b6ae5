//! Kubernetes' rules for names, as the API server validates them (`k8s.io/apimachinery`
//! `IsDNS1123Label`, `IsDNS1123Subdomain`).

/// A DNS-1123 label, as Kubernetes requires of namespaces: at most 63 lower-case letters, digits
/// and `-`, starting and ending with a letter or digit.
pub fn is_dns_label(s: &str) -> bool {
    s.len() <= 63 && is_label_shape(s)
}

/// A DNS-1123 subdomain, as Kubernetes requires of most object names: at most 253 characters,
/// dot-separated parts each shaped like a label. Unlike DNS, Kubernetes sets no length limit on
/// one part: a 64-character name without dots is valid.
pub fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_label_shape)
}

fn is_label_shape(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// What a valid name looks like, for error messages.
pub const NAME_RULE: &str =
    "lower-case letters, digits, '-' and '.', starting and ending with a letter or digit";

/// What a valid namespace looks like, for error messages.
pub const NAMESPACE_RULE: &str = "at most 63 lower-case letters, digits and '-', starting and \
     ending with a letter or digit";

/// Makes a name cut or joined from valid parts valid again: drops the `-` and `.` that would
/// end it, start it, or stand next to a `.` (the operator would create an invalid name there;
/// we do not).
pub fn repair(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '.' => {
                while out.ends_with(['-', '.']) {
                    out.pop();
                }
                if !out.is_empty() {
                    out.push('.');
                }
            }
            '-' if out.is_empty() || out.ends_with('.') => {}
            c => out.push(c),
        }
    }
    while out.ends_with(['-', '.']) {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomains_as_kubernetes_checks_them() {
        for ok in [
            "a",
            "app-pg",
            "pg.v1",
            "0abc",
            "a.b.c",
            &"a".repeat(63),
            &"a".repeat(64),
            &"a".repeat(253),
            &format!("{}.{}", "a".repeat(100), "b".repeat(100)),
        ] {
            assert!(is_dns_subdomain(ok), "{ok}");
        }
        for bad in [
            "",
            "A",
            "-a",
            "a-",
            "a_b",
            "a b",
            "a\nb: c",
            "é",
            "a..b",
            ".a",
            "a.",
            "a.-b",
            "a-.b",
            &"a".repeat(254),
        ] {
            assert!(!is_dns_subdomain(bad), "{bad:?}");
        }
    }

    #[test]
    fn labels_are_at_most_63() {
        assert!(is_dns_label(&"a".repeat(63)));
        assert!(!is_dns_label(&"a".repeat(64)));
        assert!(!is_dns_label("pg.v1"));
    }

    #[test]
    fn repaired_names_are_valid() {
        for (cut, want) in [
            ("app-a.-b", "app-a.b"),
            ("app-a-.b", "app-a.b"),
            ("app-a..b", "app-a.b"),
            ("app-a.", "app-a"),
            ("-app-", "app"),
            ("app-a-b", "app-a-b"),
        ] {
            assert_eq!(repair(cut), want, "{cut}");
            assert!(is_dns_subdomain(want));
        }
    }
}
