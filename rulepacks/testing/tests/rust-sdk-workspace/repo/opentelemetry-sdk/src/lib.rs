//! The OpenTelemetry SDK: processors and exporters for the API's spans.

pub mod testing;

/// Collects spans and hands them to an exporter in batches.
pub struct BatchSpanProcessor {
    pub max_batch_size: usize,
    /// How long an export may take before it is abandoned.
    pub export_timeout_ms: u64,
}
