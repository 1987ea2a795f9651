//! The telemetry crate.
