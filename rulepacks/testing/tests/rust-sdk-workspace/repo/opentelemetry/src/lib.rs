//! The OpenTelemetry API.
//!
//! ```
//! let id = opentelemetry::TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
//! assert_ne!(id, opentelemetry::TraceId::INVALID);
//! ```

mod trace_id;

pub use trace_id::{ParseError, TraceId};
