#[tokio::main]
async fn main() {
    println!("listening on 0.0.0.0:8080");
}
