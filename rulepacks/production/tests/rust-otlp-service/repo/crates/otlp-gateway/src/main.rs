//! The otlp-gateway binary.
use otlp_gateway::{serve, Config};

#[tokio::main]
async fn main() -> Result<(), otlp_gateway::Error> {
    serve(Config::from_env()?).await
}
