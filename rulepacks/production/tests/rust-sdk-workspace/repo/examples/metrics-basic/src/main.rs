fn main() {
    println!("batch size {}", opentelemetry_sdk::DEFAULT_BATCH_SIZE);
}
