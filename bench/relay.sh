#!/usr/bin/env bash
# Bulk relay throughput: SIZE bytes from a client's stdin through a TCP
# connection on loopback to a server's stdout, for sockit, the floor relay
# (bench/floor_relay.c: splice and sendfile, nothing else) and each of
# nc (OpenBSD), ncat and socat that is installed, and iperf3 (-Z for a
# file) as the ceiling, in one run: RUNS (3) rounds of every tool in turn,
# medians.  Prints MB/s and sockit's ratio to each.  Every tool runs under
# the congestion control of the namespace (bench/run runs this script once
# under reno and once under bbr); none is given a setting of its own.
# Run by hand or by `make bench`.
#   bench/relay.sh [SIZE_MB]    (default 1024)   Environment: SOCKIT, RUNS
set -u
SOCKIT=${SOCKIT:-$(dirname "$0")/../src/sockit}
size_mb=${1:-1024}
RUNS=${RUNS:-3}
. "$(dirname "$0")/lib.bash"

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
# one_run SRC TOOL: one figure (MB/s) of TOOL
one_run() {
	local port
	case $2 in
	sockit) run "$1" "$SOCKIT listen 127.0.0.1 PORT" "$SOCKIT connect 127.0.0.1 PORT" ;;
	floor) run "$1" "$floor_relay listen PORT" "$floor_relay connect PORT" ;;
	nc) run "$1" "nc -l 127.0.0.1 PORT" "nc -N 127.0.0.1 PORT" ;;
	ncat) run "$1" "ncat -l 127.0.0.1 PORT" "ncat --send-only 127.0.0.1 PORT" ;;
	socat) run "$1" "socat -u TCP-LISTEN:PORT,bind=127.0.0.1,reuseaddr STDOUT" "socat -u STDIN TCP:127.0.0.1:PORT" ;;
	iperf3)
		port=$(free_port)
		iperf3 -s -1 -B 127.0.0.1 -p "$port" >/dev/null 2>&1 &
		sleep 0.3
		iperf3 -c 127.0.0.1 -p "$port" -n "${size_mb}M" $([ "$1" = file ] && echo -Z) \
			-J 2>/dev/null |
			python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/8e6))'
		wait
		;;
	esac
}

tools=(sockit)
floor_relay=$(floor floor_relay)
[ -n "$floor_relay" ] && tools+=(floor)
for t in nc ncat socat iperf3; do
	command -v "$t" >/dev/null && tools+=("$t")
done
cc=$(bench_cc)
for src in pipe file; do
	declare -A mbs=() all=()
	# RUNS rounds, every tool once a round, so that a slow moment of the
	# machine falls on all of them; the median of each
	for ((i = 0; i < RUNS; i++)); do
		for t in "${tools[@]}"; do
			all[$t]="${all[$t]-} $(one_run "$src" "$t")"
		done
	done
	for t in "${tools[@]}"; do
		mbs[$t]=$(printf '%s\n' ${all[$t]} | median)
	done
	printf '%-28s %10s %8s  %s\n' "relay ${size_mb} MiB, $src, $cc" "MB/s" "sockit/x" "runs"
	for t in "${tools[@]}"; do
		[ -n "${mbs[$t]-}" ] || continue
		name=$t
		case $t in
		floor) name="floor relay" ;;
		iperf3) [ "$src" = file ] && name="iperf3 -Z" ;;
		esac
		printf '%-28s %10s %8s %s\n' "$name" "${mbs[$t]}" \
			"$(ratio "${mbs[sockit]}" "${mbs[$t]}")" "${all[$t]}"
	done
	case $src in
	pipe) row "relay, stdin a pipe" MB/s "${mbs[sockit]}" nc "${mbs[nc]-}" \
		"${mbs[floor]-}" ">= 1.5 x nc, >= 0.9 x floor" ;;
	file)
		row "relay, stdin a file" MB/s "${mbs[sockit]}" nc "${mbs[nc]-}" \
			"${mbs[floor]-}" ">= 2.5 x nc, >= 0.9 x floor"
		[ -n "${mbs[iperf3]-}" ] && row "relay, stdin a file" MB/s \
			"${mbs[sockit]}" "iperf3 -Z" "${mbs[iperf3]}" "" ">= 0.85 x iperf3 -Z"
		;;
	esac
	echo
	unset mbs all
done
