#!/usr/bin/env bash
# The Windows suite, run on Linux: the tests, doctests and examples built
# for x86_64-pc-windows-gnu (MinGW) and run under Wine, plus `cargo check`,
# `cargo clippy -- -D warnings` and the docs for x86_64-pc-windows-msvc,
# which is compile-checked only (no MSVC linker here), and a check of the
# mio facade in compat/mio for both targets.
#
# It installs what it needs, each part only when missing: the MinGW-w64
# cross compiler and Wine (Debian's packages, as root), and both Rust
# targets (rustup). It then prepares a Wine prefix under the target
# directory, adding a small bcryptprimitives.dll when Wine lacks one (Wine
# 8 does, and Rust's std imports `ProcessPrng` from it); see
# .ci/windows/bcryptprimitives.c.
#
# Every step runs under `timeout`. The script goes on after a failed test
# step and exits non-zero at the end if any step failed; a failed set-up
# step stops it at once.
set -uo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
export CARGO_INCREMENTAL=0

GNU=x86_64-pc-windows-gnu
MSVC=x86_64-pc-windows-msvc
STEP_LIMIT=${WINDOWS_STEP_LIMIT:-1200}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
mkdir -p "$TARGET_DIR"
TARGET_DIR=$(cd "$TARGET_DIR" && pwd)
WINE_DIR=$TARGET_DIR/wine

export GNU MSVC TARGET_DIR WINE_DIR

script_start=$SECONDS
failed=()

# Runs one step (a command or one of the functions below) under a timeout
# and records whether it failed.
step() {
    local name=$1 limit=$2 start=$SECONDS
    shift 2
    echo "--- ${name}"
    if timeout --kill-after=30 "$limit" bash -c '"$@"' step "$@"; then
        echo "--- ${name}: ok ($((SECONDS - start)) s)"
        return 0
    fi
    echo "--- ${name}: FAILED ($((SECONDS - start)) s)"
    failed+=("$name")
    return 1
}

# Runs one set-up step; the suite cannot go on without it.
setup() {
    if ! step "$@"; then
        echo "windows: a set-up step failed, stopping" >&2
        exit 1
    fi
}

# Installs the MinGW-w64 compiler and Wine from Debian's packages if either
# is missing. `wine` is the launcher script; `wine64` the 64-bit loader,
# which is all a 64-bit-only prefix needs (no i386 architecture).
install_packages() {
    local missing=()
    command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(gcc-mingw-w64-x86-64)
    command -v wine >/dev/null || missing+=(wine)
    [ -x /usr/lib/wine/wine64 ] || command -v wine64 >/dev/null || missing+=(wine64)
    if [ ${#missing[@]} -eq 0 ]; then
        echo "already installed: MinGW-w64 and Wine"
        return 0
    fi

    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    echo "installing: ${missing[*]}"
    "${sudo[@]}" apt-get update -q &&
        DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q \
            --no-install-recommends "${missing[@]}"
}

# Adds both Windows targets to the active toolchain (a no-op when present).
install_targets() {
    rustup target add "$GNU" "$MSVC"
}

# Creates (or updates) the Wine prefix and adds bcryptprimitives.dll when
# Wine has no built-in one.
prepare_wine() {
    mkdir -p "$WINEPREFIX" && wineboot -i || return 1

    if find /usr/lib /usr/local/lib -path '*wine*' -name bcryptprimitives.dll \
        2>/dev/null | grep -q .; then
        echo "Wine has its own bcryptprimitives.dll"
        return 0
    fi
    x86_64-w64-mingw32-gcc -O2 -shared -o "$WINE_DIR/bcryptprimitives.dll" \
        .ci/windows/bcryptprimitives.c .ci/windows/bcryptprimitives.def -ladvapi32 &&
        cp "$WINE_DIR/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/" &&
        echo "installed bcryptprimitives.dll into the prefix"
}

# Runs the example programs under Wine: the UDP echo on its own, then the
# TCP echo server driven by the TCP client, through .ci/echo-example.sh.
run_examples() {
    local dir=$TARGET_DIR/$GNU/debug/examples
    cargo build --target "$GNU" --features os-poll,net --examples &&
        wine "$dir/udp_echo.exe" &&
        .ci/echo-example.sh "$dir" wine
}

# Clippy on the MSVC target's library for each feature combination.
clippy_features() {
    local features
    for features in "" "os-poll" "os-poll,net" "os-poll,os-ext" "net" "os-ext" "log"; do
        echo "features: [${features}]"
        cargo clippy -p metal-io --target "$MSVC" --lib --no-default-features \
            --features "$features" -- -D warnings || return 1
    done
}

# Checks the mio facade for both Windows targets, if the facade exists.
check_facade() {
    if [ ! -f compat/mio/Cargo.toml ]; then
        echo "no compat/mio: nothing to check"
        return 0
    fi
    local target
    for target in "$GNU" "$MSVC"; do
        cargo check --manifest-path compat/mio/Cargo.toml --target "$target" \
            --all-features --target-dir "$TARGET_DIR/facade" || return 1
    done
}

export -f install_packages install_targets prepare_wine run_examples clippy_features \
    check_facade

setup "windows: install MinGW-w64 and Wine" 900 install_packages
setup "windows: add the Rust targets" 300 install_targets

export WINEPREFIX=$WINE_DIR/prefix
export WINEDEBUG=-all
# Keep wineboot from offering to install Mono and Gecko.
export WINEDLLOVERRIDES="mscoree,mshtml="
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER=wine
mkdir -p "$WINE_DIR"
setup "windows: prepare the Wine prefix" 300 prepare_wine

# Doctests are built for the target and run through the runner as well
# (cross-compiled doctests are stable since Rust 1.89).
step "windows: tests and doctests under Wine (gnu, all features)" "$STEP_LIMIT" \
    cargo test -p metal-io --target "$GNU" --all-features --no-fail-fast
step "windows: examples under Wine" 600 run_examples
step "windows: clippy (msvc: lib, tests, examples; all features)" "$STEP_LIMIT" \
    cargo clippy -p metal-io --target "$MSVC" --all-features --lib --tests --examples \
    -- -D warnings
step "windows: check (msvc: lib, tests, examples; all features)" "$STEP_LIMIT" \
    cargo check -p metal-io --target "$MSVC" --all-features --lib --tests --examples
step "windows: clippy (gnu: all targets; all features)" "$STEP_LIMIT" \
    cargo clippy -p metal-io --target "$GNU" --all-features --all-targets -- -D warnings
step "windows: clippy (msvc: feature combinations)" "$STEP_LIMIT" clippy_features
# Links to Unix-only items from shared docs cannot resolve on Windows;
# every other rustdoc warning fails the step.
step "windows: docs (msvc)" 600 \
    env RUSTDOCFLAGS="-D warnings -A rustdoc::broken-intra-doc-links" \
    cargo doc -p metal-io --target "$MSVC" --all-features --no-deps
step "windows: mio facade (gnu and msvc)" "$STEP_LIMIT" check_facade

# Leave no Wine processes behind.
wineserver -k 2>/dev/null || true

echo
echo "windows: done in $((SECONDS - script_start)) s"
if [ ${#failed[@]} -gt 0 ]; then
    echo "windows: failed steps:"
    printf '  - %s\n' "${failed[@]}"
    exit 1
fi
echo "windows: all steps passed"
