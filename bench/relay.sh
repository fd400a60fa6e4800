#!/usr/bin/env bash
# Bulk relay throughput: SIZE bytes from a client's stdin through a TCP
# connection on loopback to a server's stdout, for sockit and for each of
# nc (OpenBSD), ncat and socat that is installed, in one run.  Prints MB/s
# and sockit's ratio to each peer.  Run by hand or by `make bench`.
#   bench/relay.sh [SIZE_MB]    (default 2048)
set -u
SOCKIT=${SOCKIT:-$(dirname "$0")/../src/sockit}
size_mb=${1:-2048}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# wait_port PORT: until something accepts on 127.0.0.1:PORT (5 s at most)
wait_port() {
	local i
	for ((i = 0; i < 100; i++)); do
		python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2).close()' "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# run SRC SERVER_CMD CLIENT_CMD (PORT is substituted); prints MB/s.
# SRC "pipe": the client's stdin is a pipe fed 1 MiB at a time by dd;
# "file": a file of the same size.  The server writes to /dev/null.
run() {
	local src=$1 server=$2 client=$3 port t0 t1 spid
	port=$(free_port)
	bash -c "${server//PORT/$port}" >/dev/null 2>&1 </dev/null &
	spid=$!
	sleep 0.3
	t0=$(date +%s.%N)
	if [ "$src" = pipe ]; then
		dd if=/dev/zero bs=1M count="$size_mb" status=none |
			timeout 120 bash -c "${client//PORT/$port}" >/dev/null 2>&1
	else
		timeout 120 bash -c "${client//PORT/$port}" <"$tmp/src" >/dev/null 2>&1
	fi
	wait "$spid" 2>/dev/null
	t1=$(date +%s.%N)
	kill "$spid" 2>/dev/null
	awk -v s="$size_mb" -v a="$t0" -v b="$t1" \
		'BEGIN { printf "%.0f\n", s * 1048576 / 1e6 / (b - a) }'
}

head -c "${size_mb}M" /dev/zero >"$tmp/src"
for src in pipe file; do
	declare -A mbs=()
	mbs[sockit]=$(run $src "$SOCKIT listen 127.0.0.1 PORT" "$SOCKIT connect 127.0.0.1 PORT")
	command -v nc >/dev/null && mbs[nc]=$(run $src "nc -l 127.0.0.1 PORT" "nc -N 127.0.0.1 PORT")
	command -v ncat >/dev/null && mbs[ncat]=$(run $src "ncat -l 127.0.0.1 PORT" "ncat --send-only 127.0.0.1 PORT")
	command -v socat >/dev/null && mbs[socat]=$(run $src "socat -u TCP-LISTEN:PORT,bind=127.0.0.1,reuseaddr STDOUT" "socat -u STDIN TCP:127.0.0.1:PORT")
	if command -v iperf3 >/dev/null; then
		port=$(free_port)
		iperf3 -s -1 -B 127.0.0.1 -p "$port" >/dev/null 2>&1 &
		sleep 0.3
		mbs[iperf3]=$(iperf3 -c 127.0.0.1 -p "$port" -n "${size_mb}M" $([ $src = file ] && echo -Z) -J 2>/dev/null |
			python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/8e6))')
		wait
	fi
	printf '%-28s %10s %8s\n' "relay ${size_mb} MiB, $src stdin" "MB/s" "sockit/x"
	for t in sockit nc ncat socat iperf3; do
		[ -n "${mbs[$t]-}" ] || continue
		printf '%-28s %10s %8s\n' "$t" "${mbs[$t]}" \
			"$(awk -v a="${mbs[sockit]}" -v b="${mbs[$t]}" 'BEGIN { printf "%.2f", a / b }')"
	done
	unset mbs
done
