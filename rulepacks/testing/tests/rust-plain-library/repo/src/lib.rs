//! Version numbers: parse `1.2.3` and compare them.

/// A parsed `major.minor.patch`.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u64, pub u64, pub u64);

/// Parses `major.minor.patch`; None for anything else.
pub fn parse(text: &str) -> Option<Version> {
    let mut parts = text.split('.').map(|p| p.parse::<u64>().ok());
    match (parts.next()?, parts.next()?, parts.next()?, parts.next()) {
        (Some(a), Some(b), Some(c), None) => Some(Version(a, b, c)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_versions_numerically() {
        assert!(parse("1.10.0") > parse("1.9.0"));
    }

    #[test]
    fn rejects_a_missing_patch() {
        assert_eq!(parse("1.2"), None);
    }
}
