//! The OpenTelemetry SDK.

/// Spans kept before a batch is exported.
pub const DEFAULT_BATCH_SIZE: usize = 512;
