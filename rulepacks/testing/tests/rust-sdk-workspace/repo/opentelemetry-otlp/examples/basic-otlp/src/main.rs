fn main() {
    println!("exporting to {}", "http://localhost:4317");
}
