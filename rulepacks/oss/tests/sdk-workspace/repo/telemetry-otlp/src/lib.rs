//! The telemetry-otlp crate.
