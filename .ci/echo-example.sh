#!/usr/bin/env bash
# Runs the headline example, drives it with the client example, and checks
# that the server saw the connection through and exited on its own.
#
# The server binds port 0 and the script reads the address it prints, so no
# port chosen here can collide with one that is already taken (for example
# by a connection of an earlier step still in TIME_WAIT).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --examples --features os-poll,net

dir=$(mktemp -d)
mkfifo "$dir/out"
./target/debug/examples/tcp_echo_server 127.0.0.1:0 --exit-after 1 >"$dir/out" &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$dir"' EXIT
exec 3<"$dir/out"

# The first line names the address the server listens on.
line=""
IFS= read -r -t 30 line <&3 || true
echo "$line"
addr=${line#echo server listening on }
if [ -z "$line" ] || [ "$addr" = "$line" ]; then
    echo "the server did not say where it listens"
    exit 1
fi

out=$(./target/debug/examples/tcp_client "$addr" --message "hello from ci")
echo "$out"
echo "$out" | grep -qx "echo: hello from ci"

# With --exit-after 1 the server exits once that connection has closed;
# what it printed until then ends the pipe.
timeout 20 cat <&3
timeout 20 tail --pid="$server" -f /dev/null
wait "$server"
trap - EXIT
rm -rf "$dir"
