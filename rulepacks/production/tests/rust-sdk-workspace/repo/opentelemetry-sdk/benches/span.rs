use criterion::{criterion_group, criterion_main, Criterion};

fn span(c: &mut Criterion) {
    c.bench_function("batch size", |b| b.iter(|| opentelemetry_sdk::DEFAULT_BATCH_SIZE));
}

criterion_group!(benches, span);
criterion_main!(benches);
