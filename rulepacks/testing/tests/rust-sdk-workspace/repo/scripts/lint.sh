#!/bin/bash
set -eu

cargo clippy --workspace --all-targets --all-features -- -Dwarnings
