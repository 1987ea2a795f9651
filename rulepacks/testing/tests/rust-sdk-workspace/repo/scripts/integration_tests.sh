#!/bin/bash
set -eu

cd opentelemetry-otlp/tests/integration_test
cargo test -- --test-threads=1
