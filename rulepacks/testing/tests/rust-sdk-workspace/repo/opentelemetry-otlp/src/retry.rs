//! Retries of failed exports, with exponential backoff.

/// Which failures are retried, and how often.
pub struct RetryPolicy {
    pub max_retries: usize,
    pub initial_delay_ms: u64,
}

/// Whether an HTTP status is worth another attempt.
pub fn is_retryable(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_on_503_then_succeeds() {
        assert!(is_retryable(503));
    }

    #[test]
    fn does_not_retry_on_400() {
        assert!(!is_retryable(400));
    }
}
