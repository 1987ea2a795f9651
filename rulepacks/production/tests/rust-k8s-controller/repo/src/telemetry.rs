pub async fn init() {
    #[cfg(feature = "telemetry")]
    {
        let endpoint = std::env::var("OPENTELEMETRY_ENDPOINT_URL").unwrap_or_default();
        let _exporter = opentelemetry_otlp::SpanExporter::builder().with_tonic().with_endpoint(endpoint);
    }
}
