#!/usr/bin/env bash
# Installs what .ci/cross-check.sh needs, and records how to use it.
#
# - The standard library of every tier-2 target, for the stable toolchain
#   (`rustup target add`).
# - A pinned nightly with rust-src and clippy, to build the standard library
#   of the tier-3 targets (OpenBSD, DragonFly) with `-Zbuild-std`. It is
#   pinned so that new nightly lints cannot break CI on their own.
#
# If rustup cannot download, Debian's rustc-web, cargo-web and rust-web-src
# are installed instead; cross-check.sh then builds the standard library of
# every target from source with them (RUSTC_BOOTSTRAP=1, -Zbuild-std).
#
# Running it again changes nothing: what is installed is not fetched again.
# The choice is written to $CARGO_TARGET_DIR/cross-toolchain.env (default
# target/), which cross-check.sh reads.
set -euo pipefail
cd "$(dirname "$0")/.."

# Keep these lists in step with .ci/cross-check.sh.
TIER2=(
    x86_64-unknown-freebsd
    x86_64-unknown-netbsd
    x86_64-unknown-illumos
    aarch64-apple-darwin
    x86_64-apple-darwin
    aarch64-apple-ios
    aarch64-linux-android
    x86_64-linux-android
)
NIGHTLY=nightly-2026-05-20

STATE=${CARGO_TARGET_DIR:-target}/cross-toolchain.env
mkdir -p "$(dirname "$STATE")"

record() {
    printf 'CROSS_MODE=%s\nCROSS_NIGHTLY=%s\n' "$1" "$NIGHTLY" >"$STATE"
    echo "cross toolchains: mode=$1 (written to $STATE)"
}

# Prints the targets of TIER2 that the stable toolchain lacks.
missing_targets() {
    local installed
    installed=$(rustup target list --installed 2>/dev/null || true)
    for target in "${TIER2[@]}"; do
        grep -qx "$target" <<<"$installed" || echo "$target"
    done
}

# True when the pinned nightly has rust-src and clippy.
nightly_ready() {
    local components
    components=$(rustup component list --toolchain "$NIGHTLY" --installed 2>/dev/null) || return 1
    grep -q '^rust-src' <<<"$components" && grep -q '^clippy' <<<"$components"
}

install_with_rustup() {
    command -v rustup >/dev/null || return 1

    local missing
    missing=$(missing_targets)
    if [ -n "$missing" ]; then
        # shellcheck disable=SC2086 # one target per word
        rustup target add $missing || return 1
    fi
    rustup component list --installed 2>/dev/null | grep -q '^clippy' ||
        rustup component add clippy || return 1

    if ! nightly_ready; then
        rustup toolchain install "$NIGHTLY" --profile minimal \
            --component rust-src --component clippy || return 1
    fi
}

install_with_debian() {
    if [ -x /usr/bin/cargo ] && [ -d /usr/lib/rustlib/src/rust/library ]; then
        return 0
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        rustc-web cargo-web rust-web-src
}

if install_with_rustup; then
    record rustup
    exit 0
fi

echo "rustup could not install the cross toolchains; trying Debian's rust-web packages" >&2
install_with_debian
record debian
