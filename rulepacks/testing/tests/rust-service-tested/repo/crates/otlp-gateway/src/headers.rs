//! Request headers the gateway reads.

/// The header that names a request's tenant.
///
/// ```
/// assert_eq!(otlp_gateway::headers::TENANT_HEADER, "X-Scope-OrgID");
/// ```
pub const TENANT_HEADER: &str = "X-Scope-OrgID";
