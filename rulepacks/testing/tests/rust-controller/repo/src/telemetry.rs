/// The trace id of the current span, for logs and events.
pub fn get_trace_id() -> u128 {
    0
}
