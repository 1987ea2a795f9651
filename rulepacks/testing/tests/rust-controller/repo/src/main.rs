use actix_web::{get, App, HttpResponse, HttpServer, Responder};

#[get("/metrics")]
async fn metrics() -> impl Responder {
    HttpResponse::Ok().body(controller::metrics::encode())
}

#[get("/health")]
async fn health() -> impl Responder {
    HttpResponse::Ok().json("healthy")
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let controller = controller::run();
    let server = HttpServer::new(|| App::new().service(metrics).service(health))
        .bind("0.0.0.0:8080")?
        .shutdown_timeout(5);
    tokio::join!(controller, server.run()).1?;
    Ok(())
}
