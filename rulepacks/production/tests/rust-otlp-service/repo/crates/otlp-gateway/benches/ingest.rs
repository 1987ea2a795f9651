use criterion::{criterion_group, criterion_main, Criterion};

fn ingest(c: &mut Criterion) {
    c.bench_function("tag 1k spans", |b| b.iter(|| otlp_gateway::tenant_id(Some("t"))));
}

criterion_group!(benches, ingest);
criterion_main!(benches);
