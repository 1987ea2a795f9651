//! Exports spans, metrics and logs to an OTLP endpoint (gRPC or HTTP).

pub mod retry;

/// How the exporter reaches the collector.
pub enum Protocol {
    Grpc,
    HttpBinary,
}

/// Whether an endpoint needs TLS.
pub fn uses_tls(endpoint: &str) -> bool {
    endpoint.starts_with("https://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_endpoints_use_tls() {
        assert!(uses_tls("https://collector:4318"));
    }
}
