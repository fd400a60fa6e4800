#!/usr/bin/env bash
# Bulk relay throughput: SIZE bytes from a client's stdin through a TCP
# connection on loopback to a server's stdout, for sockit and for each of
# nc (OpenBSD), ncat and socat that is installed, and iperf3 as the
# ceiling, in one run: RUNS (3) rounds of every tool, medians.  Prints MB/s
# and sockit's ratio to each.  Run by hand or by `make bench`.
#   bench/relay.sh [SIZE_MB]    (default 2048)   Environment: SOCKIT, RUNS
set -u
SOCKIT=${SOCKIT:-$(dirname "$0")/../src/sockit}
size_mb=${1:-2048}
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
	sockit-sys) run "$1" "$SOCKIT listen -O TCP_CONGESTION=$sys_cc 127.0.0.1 PORT" \
		"$SOCKIT connect -O TCP_CONGESTION=$sys_cc 127.0.0.1 PORT" ;;
	nc) run "$1" "nc -l 127.0.0.1 PORT" "nc -N 127.0.0.1 PORT" ;;
	ncat) run "$1" "ncat -l 127.0.0.1 PORT" "ncat --send-only 127.0.0.1 PORT" ;;
	socat) run "$1" "socat -u TCP-LISTEN:PORT,bind=127.0.0.1,reuseaddr STDOUT" "socat -u STDIN TCP:127.0.0.1:PORT" ;;
	iperf3 | iperf3-reno)
		port=$(free_port)
		iperf3 -s -1 -B 127.0.0.1 -p "$port" >/dev/null 2>&1 &
		sleep 0.3
		iperf3 -c 127.0.0.1 -p "$port" -n "${size_mb}M" $([ "$1" = file ] && echo -Z) \
			$([ "$2" = iperf3-reno ] && echo -C reno) -J 2>/dev/null |
			python3 -c 'import json,sys; print(round(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/8e6))'
		wait
		;;
	esac
}

tools=(sockit)
# when the system's default paces (bbr), a row with the system's control
# given explicitly
sys_cc=$(cat /proc/sys/net/ipv4/tcp_congestion_control 2>/dev/null)
case $sys_cc in
bbr*) tools+=(sockit-sys) ;;
esac
for t in nc ncat socat iperf3; do
	command -v "$t" >/dev/null && tools+=("$t")
done
# the ceiling under reno, too
case $sys_cc in
bbr*) command -v iperf3 >/dev/null && tools+=(iperf3-reno) ;;
esac
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
	printf '%-28s %10s %8s  %s\n' "relay ${size_mb} MiB, $src stdin" "MB/s" "sockit/x" "runs"
	for t in "${tools[@]}"; do
		[ -n "${mbs[$t]-}" ] || continue
		name=$t
		case $t in
		sockit-sys) name="sockit -O ..=$sys_cc" ;;
		iperf3-reno) name="iperf3 -C reno" ;;
		esac
		printf '%-28s %10s %8s %s\n' "$name" "${mbs[$t]}" \
			"$(ratio "${mbs[sockit]}" "${mbs[$t]}")" "${all[$t]}"
	done
	case $src in
	pipe) target="x nc $(ratio "${mbs[sockit]}" "${mbs[nc]-}") (target >= 1.5)" ;;
	file) target="x nc $(ratio "${mbs[sockit]}" "${mbs[nc]-}") (target >= 2.5), x iperf3 -Z $(ratio "${mbs[sockit]}" "${mbs[iperf3]-}") (target >= 0.85)" ;;
	esac
	[ -n "${mbs[iperf3-reno]-}" ] &&
		target="$target, x iperf3 -C reno $(ratio "${mbs[sockit]}" "${mbs[iperf3-reno]}")"
	summary "relay, $src stdin (MB/s)" "${mbs[sockit]}" "$target"
	unset mbs all
done
