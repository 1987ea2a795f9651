//! OTLP ingestion.

/// The tenant of a request.
pub fn tenant(header: Option<&str>) -> &str {
    header.unwrap_or("default")
}
