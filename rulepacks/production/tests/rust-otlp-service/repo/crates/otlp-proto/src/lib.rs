//! Generated OTLP protobuf types.
#![warn(missing_docs)]

/// A decoded export request.
pub struct ExportRequest {
    /// Encoded resource spans.
    pub payload: Vec<u8>,
}
