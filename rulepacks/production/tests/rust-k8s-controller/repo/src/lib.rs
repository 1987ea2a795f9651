pub mod controller;
pub mod metrics;
pub mod telemetry;

#[derive(thiserror::Error, Debug)]
pub enum Error {
    #[error("Kube Error: {0}")]
    KubeError(#[source] kube::Error),
}
