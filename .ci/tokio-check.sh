#!/usr/bin/env bash
# Builds an unchanged tokio program with `[patch.crates-io]` pointing mio at
# compat/mio, checks that the patch took effect, and runs the program.
set -euo pipefail
cd "$(dirname "$0")/../compat/tokio-check"

cargo build --release --locked
cargo clippy --release --locked -- -D warnings

# The patch must have replaced crates.io's mio with the facade.
tree=$(cargo tree -i mio --edges normal)
echo "$tree" | head -n 3
echo "$tree" | head -n 1 | grep -q "compat/mio" || {
    echo "tokio is not using the metal-io facade"
    exit 1
}

cargo run --release --locked
