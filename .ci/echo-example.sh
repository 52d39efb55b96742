#!/usr/bin/env bash
# Runs the headline example, drives it with the client example, and checks
# that the server saw the connection through and exited on its own.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --examples --features os-poll,net
port=$((20000 + RANDOM % 20000))
addr="127.0.0.1:${port}"

./target/debug/examples/tcp_echo_server "$addr" --exit-after 1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT

# The server may still be starting: retry the client a bounded number of
# times until it connects.
out=""
for _ in $(seq 1 50); do
    if out=$(./target/debug/examples/tcp_client "$addr" --message "hello from ci"); then
        break
    fi
    sleep 0.2
done
echo "$out"
echo "$out" | grep -qx "echo: hello from ci"
# With --exit-after 1 the server exits once that connection has closed.
timeout 20 tail --pid="$server" -f /dev/null
wait "$server"
trap - EXIT
