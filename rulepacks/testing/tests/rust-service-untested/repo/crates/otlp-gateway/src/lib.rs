//! OTLP ingestion: tag each request with its tenant and forward it.
//!
//! ```
//! assert_eq!(otlp_gateway::tenant(None), "default");
//! ```

/// Where the gateway serves its metrics.
pub const METRICS_PATH: &str = "/metrics";

/// How long the upstream collector may take to answer, in seconds.
pub const UPSTREAM_TIMEOUT_SECS: u64 = 5;

/// The tenant of a request.
pub fn tenant(header: Option<&str>) -> &str {
    header.unwrap_or("default")
}
