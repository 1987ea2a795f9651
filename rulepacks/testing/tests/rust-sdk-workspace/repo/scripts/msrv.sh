#!/bin/bash
set -eu

for member in $(cargo metadata -q --no-deps --format-version 1 | jq -r '.packages[].manifest_path'); do
  cargo msrv verify --manifest-path "$member" --output-format json
done
