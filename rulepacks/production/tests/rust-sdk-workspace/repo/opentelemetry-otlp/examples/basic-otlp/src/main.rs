fn main() {
    println!("exporting to {}", opentelemetry_otlp::DEFAULT_ENDPOINT);
}
