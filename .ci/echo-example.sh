#!/usr/bin/env bash
# Runs the headline example, drives it with the client example, and checks
# that the echo came back and that the server exited on its own.
#
# Usage: echo-example.sh [DIR [RUNNER...]]
#
# With no arguments it builds the examples for this machine and runs them
# from target/debug/examples. Otherwise it runs the examples already built
# in DIR through RUNNER (for instance `wine`, for .exe files).
#
# The server binds port 0 and the script reads the address it prints, so no
# port chosen here can collide with one that is already taken (for example
# by a connection of an earlier step still in TIME_WAIT).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -eq 0 ]; then
    cargo build --examples --features os-poll,net
    dir=target/debug/examples
else
    dir=$1
    shift
fi
runner=("$@")
exe=""
[ -e "$dir/tcp_echo_server" ] || exe=.exe

tmp=$(mktemp -d)
mkfifo "$tmp/out"
"${runner[@]}" "$dir/tcp_echo_server$exe" 127.0.0.1:0 --exit-after 1 >"$tmp/out" &
server=$!
trap 'kill "$server" 2>/dev/null || true; rm -rf "$tmp"' EXIT
exec 3<"$tmp/out"

# The first line names the address the server listens on (Wine may end it
# with a carriage return).
line=""
IFS= read -r -t 60 line <&3 || true
line=${line%$'\r'}
echo "$line"
addr=${line#echo server listening on }
if [ -z "$line" ] || [ "$addr" = "$line" ]; then
    echo "the server did not say where it listens"
    exit 1
fi

out=$("${runner[@]}" "$dir/tcp_client$exe" "$addr" --message "hello from ci" </dev/null |
    tr -d '\r')
echo "$out"
echo "$out" | grep -qx "echo: hello from ci"

# With --exit-after 1 the server exits once that connection has closed;
# what it printed until then ends the pipe.
timeout 20 cat <&3
timeout 20 tail --pid="$server" -f /dev/null
wait "$server"
trap - EXIT
rm -rf "$tmp"
