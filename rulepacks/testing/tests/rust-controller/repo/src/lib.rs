pub mod controller;
pub mod metrics;
pub mod telemetry;

pub use controller::run;

#[cfg(test)]
pub mod fixtures;

/// Errors of the reconciler.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("illegal document: {0}")]
    IllegalDocument(String),
    #[error("kube error: {0}")]
    Kube(#[from] kube::Error),
}

/// The Document CRD as YAML, for `crdgen`.
pub fn crd_yaml() -> String {
    String::from("kind: CustomResourceDefinition\n")
}
