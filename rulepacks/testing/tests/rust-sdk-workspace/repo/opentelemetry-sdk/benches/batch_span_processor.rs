use criterion::{criterion_group, criterion_main, Criterion};

fn batch(c: &mut Criterion) {
    c.bench_function("batch 512 spans", |b| b.iter(|| (0..512).sum::<u32>()));
}

criterion_group!(benches, batch);
criterion_main!(benches);
