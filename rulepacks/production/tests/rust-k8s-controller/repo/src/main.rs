#![allow(unused_imports, unused_variables)]
use actix_web::{App, HttpResponse, HttpServer, Responder, get};

#[get("/metrics")]
async fn metrics() -> impl Responder {
    HttpResponse::Ok().body(controller::metrics::render())
}

#[get("/health")]
async fn health() -> impl Responder {
    HttpResponse::Ok().json("healthy")
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    controller::telemetry::init().await;
    HttpServer::new(|| App::new().service(metrics).service(health))
        .bind("0.0.0.0:8080")?
        .run()
        .await
}
