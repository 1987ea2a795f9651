//! The OpenTelemetry API.
#![warn(missing_docs)]

/// The name under which a tracer reports its spans.
pub fn scope_name() -> &'static str {
    "opentelemetry"
}
