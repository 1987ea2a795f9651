//! OTLP exporters.

/// The default OTLP/gRPC endpoint of a local collector.
pub const DEFAULT_ENDPOINT: &str = "http://localhost:4317";
