/// A 16-byte trace id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceId(u128);

/// A trace id that is not 32 hex digits.
#[derive(Debug, thiserror::Error)]
#[error("invalid trace id")]
pub struct ParseError;

impl TraceId {
    /// The all-zero id, which means "no trace".
    pub const INVALID: TraceId = TraceId(0);

    /// Parses 32 lower-case hex digits.
    pub fn from_hex(hex: &str) -> Result<Self, ParseError> {
        if hex.len() != 32 {
            return Err(ParseError);
        }
        u128::from_str_radix(hex, 16).map(TraceId).map_err(|_| ParseError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_a_short_trace_id() {
        assert!(TraceId::from_hex("4bf9").is_err());
    }
}
