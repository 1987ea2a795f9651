//! Exporters for tests: they keep what they receive in memory.

/// Keeps every finished span in memory.
#[derive(Default)]
pub struct InMemorySpanExporter {
    spans: Vec<String>,
}

impl InMemorySpanExporter {
    /// The spans exported so far.
    pub fn get_finished_spans(&self) -> &[String] {
        &self.spans
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_with_no_spans() {
        assert!(InMemorySpanExporter::default().get_finished_spans().is_empty());
    }
}
