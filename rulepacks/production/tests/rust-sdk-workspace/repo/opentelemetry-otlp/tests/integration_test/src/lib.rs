//! Runs the exporters against a collector in a container.

/// Where the collector of the integration tests listens.
pub const COLLECTOR: &str = opentelemetry_otlp::DEFAULT_ENDPOINT;
