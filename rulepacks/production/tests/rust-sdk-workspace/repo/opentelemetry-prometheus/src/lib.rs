//! A Prometheus exporter for the OpenTelemetry SDK.

/// The content type of the text exposition format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4";
