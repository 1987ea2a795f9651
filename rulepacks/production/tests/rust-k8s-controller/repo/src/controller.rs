/// Reconciles `Document` objects.
pub async fn run() {}
