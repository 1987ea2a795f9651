//! Starts a collector in a container for the integration tests.

/// The config file the collector container mounts.
pub const COLLECTOR_CONFIG: &str = "./otel-collector-config.yaml";
