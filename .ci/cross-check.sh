#!/usr/bin/env bash
# Compile checks for every other Unix target metal-io supports: macOS, iOS,
# FreeBSD, NetBSD, OpenBSD, DragonFly, illumos and Android. Nothing here
# runs on those systems; it proves that each backend and each feature
# combination builds and is clippy-clean there.
#
# For each target:
# - `cargo check` and `cargo clippy -- -D warnings` of the library with all
#   features, os-poll only, os-poll + net, and no default features;
# - both again for the tests and examples, with all features;
# - both for the mio facade in compat/mio, when it exists.
#
# Run .ci/install-cross.sh first. Every step runs under `timeout`; the
# script goes on after a failure and exits non-zero at the end if any step
# failed.
set -uo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
export CARGO_INCREMENTAL=0

# Keep these lists in step with .ci/install-cross.sh.
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
TIER3=(
    x86_64-unknown-openbsd
    x86_64-unknown-dragonfly
)
LIB_FEATURES=(
    "--all-features"
    "--no-default-features --features os-poll"
    "--no-default-features --features os-poll,net"
    "--no-default-features"
)
STEP_LIMIT=${CROSS_STEP_LIMIT:-600}
TARGET_DIR=${CARGO_TARGET_DIR:-target}

STATE=$TARGET_DIR/cross-toolchain.env
if [ ! -f "$STATE" ]; then
    echo "no $STATE: run .ci/install-cross.sh first" >&2
    exit 1
fi
# shellcheck source=/dev/null
. "$STATE"

failed=()
step() {
    local name=$1 start=$SECONDS
    shift
    echo "--- ${name}"
    if timeout --kill-after=30 "$STEP_LIMIT" "$@"; then
        echo "--- ${name}: ok ($((SECONDS - start)) s)"
    else
        echo "--- ${name}: FAILED ($((SECONDS - start)) s)"
        failed+=("$name")
    fi
}

# Runs every check for one target with the cargo command in CARGO, adding
# the flags in EXTRA to every call.
check_target() {
    local target=$1
    local -a cargo=("${CARGO[@]}")
    local -a target_flags=(--target "$target" "${EXTRA[@]}")
    local features
    echo
    echo "=== ${target}"

    for features in "${LIB_FEATURES[@]}"; do
        # shellcheck disable=SC2086 # the feature flags are several words
        step "${target}: check lib ${features}" \
            "${cargo[@]}" check "${target_flags[@]}" -p metal-io --lib $features
        if [ "$clippy" = yes ]; then
            # shellcheck disable=SC2086
            step "${target}: clippy lib ${features}" \
                "${cargo[@]}" clippy "${target_flags[@]}" -p metal-io --lib $features \
                -- -D warnings
        fi
    done

    step "${target}: check tests and examples" \
        "${cargo[@]}" check "${target_flags[@]}" -p metal-io --tests --examples --all-features
    if [ "$clippy" = yes ]; then
        step "${target}: clippy tests and examples" \
            "${cargo[@]}" clippy "${target_flags[@]}" -p metal-io --tests --examples \
            --all-features -- -D warnings
    fi

    if [ ! -f compat/mio/Cargo.toml ]; then
        echo "--- ${target}: compat/mio/Cargo.toml does not exist yet; mio facade skipped"
        return
    fi
    step "${target}: check mio facade" \
        "${cargo[@]}" check "${target_flags[@]}" --manifest-path compat/mio/Cargo.toml \
        --all-features
    if [ "$clippy" = yes ]; then
        step "${target}: clippy mio facade" \
            "${cargo[@]}" clippy "${target_flags[@]}" --manifest-path compat/mio/Cargo.toml \
            --all-features -- -D warnings
    fi
}

start=$SECONDS
case "$CROSS_MODE" in
rustup)
    clippy=yes
    CARGO=(cargo)
    EXTRA=()
    for target in "${TIER2[@]}"; do
        check_target "$target"
    done

    # Tier 3: no prebuilt standard library, so nightly builds it from
    # rust-src. A directory of its own keeps the two toolchains' outputs
    # apart.
    CARGO=(env CARGO_TARGET_DIR="$TARGET_DIR/cross-nightly" cargo "+$CROSS_NIGHTLY")
    EXTRA=(-Zbuild-std=std)
    for target in "${TIER3[@]}"; do
        check_target "$target"
    done
    ;;
debian)
    # Debian's toolchain has no standard library for other targets: build
    # it from rust-web-src for every target. Clippy runs only if Debian's
    # clippy is installed too.
    clippy=no
    if [ -x /usr/bin/cargo-clippy ]; then
        clippy=yes
    fi
    echo "using Debian's rust-web toolchain (clippy: ${clippy})"
    CARGO=(env RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc
        CARGO_TARGET_DIR="$TARGET_DIR/cross-debian" /usr/bin/cargo)
    EXTRA=(-Zbuild-std=std)
    for target in "${TIER2[@]}" "${TIER3[@]}"; do
        check_target "$target"
    done
    ;;
*)
    echo "unknown CROSS_MODE '${CROSS_MODE}' in $STATE" >&2
    exit 1
    ;;
esac

echo
echo "cross checks took $((SECONDS - start)) s"
if [ ${#failed[@]} -gt 0 ]; then
    echo "cross checks failed:"
    printf '  - %s\n' "${failed[@]}"
    exit 1
fi
echo "cross checks: all passed"
