use prometheus_client::{encoding::text::encode, registry::Registry};

pub fn render() -> String {
    let registry = Registry::with_prefix("doc_controller_reconcile");
    let mut text = String::new();
    encode(&mut text, &registry).unwrap();
    text
}
