#!/usr/bin/env bash
# Checks that metal-io's public API, as the mio facade in compat/mio serves
# it, is a drop-in for mio 1.2.5: every public item of mio under the same
# path and kind, the same function signatures, and every trait
# implementation mio has. Items only metal-io has are listed, not refused.
#
# rustdoc's JSON output (nightly) describes both crates: mio 1.2.5 from
# crates.io, documented through a throwaway crate under the target
# directory, and the facade. The facade is `pub use metal_io::*;`, a glob
# re-export rustdoc does not inline, so metal-io is documented too and the
# comparison follows the glob into it. .ci/api_parity.py compares them.
#
# The check runs for x86_64-unknown-linux-gnu and x86_64-pc-windows-gnu
# (rustdoc needs no linker); the script adds nightly's standard library for
# the second, and checks Linux alone if it cannot be had.
# Every step runs under `timeout`; the script exits non-zero if any
# target's API differs or a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
export CARGO_INCREMENTAL=0
# Flags meant for the HTML docs (such as `-D warnings`) are not for this.
unset RUSTDOCFLAGS

ROOT=$PWD
TARGET_DIR=${CARGO_TARGET_DIR:-target}
case $TARGET_DIR in /*) ;; *) TARGET_DIR=$ROOT/$TARGET_DIR ;; esac
WORK=$TARGET_DIR/api-parity
FEATURES=os-poll,os-ext,net,log
LIMIT=${API_PARITY_STEP_LIMIT:-300}
JSON_FLAGS=(-- -Zunstable-options --output-format json)

run() {
    timeout --kill-after=10 "$LIMIT" "$@"
}

# A crate that depends on exactly mio 1.2.5 with the features compared.
# It is a workspace of its own, so Cargo does not take it for a member of
# this repository's workspace.
REF=$WORK/mio-1.2.5
mkdir -p "$REF/src"
cat >"$REF/Cargo.toml" <<TOML
[package]
name = "mio-reference"
version = "0.0.0"
edition = "2021"
publish = false

[dependencies]
mio = { version = "=1.2.5", features = ["os-poll", "os-ext", "net", "log"] }

[workspace]
TOML
: >"$REF/src/lib.rs"
if [ ! -f "$REF/Cargo.lock" ]; then
    # Use the local registry cache when it has mio; fetch otherwise.
    run cargo +nightly generate-lockfile --offline --manifest-path "$REF/Cargo.toml" ||
        run cargo +nightly generate-lockfile --manifest-path "$REF/Cargo.toml"
fi

# rustdoc needs the target's standard library, which nightly lacks on a
# fresh machine: add it (a no-op when present). Without a download the
# check goes on for Linux alone.
WINDOWS=x86_64-pc-windows-gnu
run rustup target add --toolchain nightly "$WINDOWS" ||
    echo "note: could not add nightly's $WINDOWS standard library"

TARGETS=(x86_64-unknown-linux-gnu)
if [ -d "$(rustc +nightly --print sysroot)/lib/rustlib/$WINDOWS/lib" ]; then
    TARGETS+=("$WINDOWS")
else
    echo "note: nightly has no $WINDOWS standard library; checking Linux only"
fi

# Documents one package as JSON, into TARGET_DIR, and copies the file
# rustdoc writes (named after the library) to OUT.
# Usage: document TARGET TARGET_DIR LIBRARY OUT CARGO_ARGS...
document() {
    local target=$1 target_dir=$2 library=$3 out=$4
    shift 4
    mkdir -p "$(dirname "$out")"
    rm -f "$out" "$target_dir/$target/doc/$library.json"
    run cargo +nightly rustdoc --target "$target" --target-dir "$target_dir" "$@" \
        "${JSON_FLAGS[@]}"
    cp "$target_dir/$target/doc/$library.json" "$out"
}

failed=()
for target in "${TARGETS[@]}"; do
    out=$WORK/json/$target
    echo "--- ${target}: rustdoc JSON"
    # The facade's library is named `mio` too, so it gets a target
    # directory of its own.
    if ! document "$target" "$WORK/target" mio "$out/mio-1.2.5.json" \
            --manifest-path "$REF/Cargo.toml" -p mio --lib ||
        ! document "$target" "$WORK/target" metal_io "$out/metal_io.json" \
            -p metal-io --lib --features "$FEATURES" ||
        ! document "$target" "$WORK/facade-target" mio "$out/facade.json" \
            --manifest-path compat/mio/Cargo.toml --lib --features "$FEATURES"; then
        echo "--- ${target}: FAILED to produce rustdoc JSON"
        failed+=("$target (rustdoc)")
        continue
    fi

    # The comparison must be able to fail with this nightly's format.
    if ! run python3 .ci/api_parity.py --self-check --reference "$out/mio-1.2.5.json"; then
        failed+=("$target (self-check)")
        continue
    fi

    echo
    if ! run python3 .ci/api_parity.py \
        --reference "$out/mio-1.2.5.json" \
        --candidate "$out/facade.json" \
        --extern "metal_io=$out/metal_io.json" \
        --label "mio 1.2.5 vs metal-io (compat/mio), $target"; then
        failed+=("$target")
    fi
    echo
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "public API differs from mio 1.2.5 (or could not be compared): ${failed[*]}"
    exit 1
fi
echo "public API matches mio 1.2.5 on: ${TARGETS[*]}"
