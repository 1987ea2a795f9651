//! The telemetry-sdk crate.
