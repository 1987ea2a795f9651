/// Counts reconcile failures per document.
#[derive(Default)]
pub struct Metrics {
    pub failures: u64,
}

/// The Prometheus text of every metric.
pub fn encode() -> String {
    String::from("# EOF\n")
}
