#!/usr/bin/env bash
# bench/udp_session.sh: a UDP session's lines per second on loopback,
# `sockit connect -u` -> `sockit listen -u` against `nc -u` -> `nc -u -l`
# (OpenBSD nc), and the loss.
#
# N (100000) lines of SIZE (32) bytes with the newline, from a file, sent
# by the client and written by the server to a file.  Rounds (RUNS, 3)
# interleave the tools; each row is the median of its rounds: lines/s
# (lines the server wrote / the client's wall time), lines lost, and the
# datagrams the client sent (sockit: one per line; nc sends one per
# read(2) of stdin, many lines each, so its figure is lines, not
# datagrams, per second).  Ratios are sockit/nc.
#
# Usage: SOCKIT=path bash bench/udp_session.sh
# Environment: SOCKIT (./src/sockit), N, SIZE, RUNS, WAIT (server idle
# seconds before it is stopped, 1).  Standalone; never part of make check.
# Every step is bounded with timeout(1); what it starts is killed by PID.
set -u

SOCKIT=${SOCKIT:-./src/sockit}
N=${N:-100000}
SIZE=${SIZE:-32}
RUNS=${RUNS:-3}
WAIT=${WAIT:-1}
LIMIT=120 # seconds any one command may take

for tool in "$SOCKIT" nc timeout python3; do
	command -v "$tool" >/dev/null 2>&1 ||
	    { echo "bench/udp_session.sh: $tool not found" >&2; exit 2; }
done
TMP=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT

python3 - "$N" "$SIZE" >"$TMP/lines" <<'EOF'
import sys
n, size = int(sys.argv[1]), int(sys.argv[2])
body = "x" * max(size - 9, 1)
sys.stdout.write("".join("%08d%s\n" % (i, body) for i in range(n)))
EOF

now_ns() { date +%s%N; }

# free_port: a UDP port of 127.0.0.1 nobody is bound to now.
free_port() {
	python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_bound PORT: until something is bound to UDP PORT (5 s at most).
wait_bound() {
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -n $(ss -Hluan "sport = :$1" 2>/dev/null) ]] && return 0
		sleep 0.1
	done
	return 1
}

# wait_quiet FILE PID: until FILE stops growing for WAIT seconds, then
# ends PID.
wait_quiet() {
	local file=$1 pid=$2 last=-1 size i quiet=0
	for ((i = 0; i < LIMIT * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		size=$(stat -c %s "$file" 2>/dev/null || echo 0)
		if [[ $size == "$last" ]]; then
			quiet=$((quiet + 1))
			((quiet >= WAIT * 10)) && break
		else
			quiet=0
		fi
		last=$size
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# one KIND: one round; prints "LINES_PER_S LOST DATAGRAMS".
one() {
	local kind=$1 port out=$TMP/out t0 t1 rpid got sent="-"
	port=$(free_port)
	: >"$out"
	if [[ $kind == sockit ]]; then
		timeout "$LIMIT" "$SOCKIT" listen -u 127.0.0.1 "$port" \
		    </dev/null >"$out" 2>/dev/null &
	else
		timeout "$LIMIT" nc -u -l 127.0.0.1 "$port" \
		    </dev/null >"$out" 2>/dev/null &
	fi
	rpid=$!
	pids+=($rpid)
	wait_bound "$port" || { echo "- - -"; return; }
	t0=$(now_ns)
	if [[ $kind == sockit ]]; then
		timeout "$LIMIT" "$SOCKIT" -j connect -u -q 0 127.0.0.1 "$port" \
		    <"$TMP/lines" >/dev/null 2>"$TMP/events"
		t1=$(now_ns)
		sent=$(grep -o '"datagrams_out":[0-9]*' "$TMP/events" |
		    cut -d: -f2)
	else
		timeout "$LIMIT" nc -u -q 0 127.0.0.1 "$port" \
		    <"$TMP/lines" >/dev/null 2>&1
		t1=$(now_ns)
	fi
	wait_quiet "$out" "$rpid"
	got=$(wc -l <"$out")
	awk -v n="$got" -v ns=$((t1 - t0)) -v total="$N" -v sent="${sent:--}" \
	    'BEGIN { printf "%.0f %d %s\n", n / (ns / 1e9), total - n, sent }'
}

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2f", a / b }'; }

: >"$TMP/sockit.runs"
: >"$TMP/nc.runs"
for ((r = 1; r <= RUNS; r++)); do
	one sockit >>"$TMP/sockit.runs"
	one nc >>"$TMP/nc.runs"
done

col() { awk -v c="$2" '{ print $c }' "$TMP/$1.runs" | median; }
s_rate=$(col sockit 1) s_lost=$(col sockit 2) s_sent=$(col sockit 3)
n_rate=$(col nc 1) n_lost=$(col nc 2)

printf '# UDP session: %d lines of %d bytes, loopback, median of %d rounds\n' \
    "$N" "$SIZE" "$RUNS"
printf '%-34s %12s %10s %12s\n' "client -> server" "lines/s" "lost" \
    "datagrams"
printf '%-34s %12s %10s %12s\n' "sockit connect -u -> listen -u" \
    "$s_rate" "$s_lost" "$s_sent"
printf '%-34s %12s %10s %12s\n' "nc -u -> nc -u -l" "$n_rate" "$n_lost" \
    "(per read)"
printf '%-34s %12s\n' "ratio sockit/nc" "$(ratio "$s_rate" "$n_rate")"
[ -n "${BENCH_SUMMARY-}" ] &&
    printf '%s\t%s\t%s\n' "udp_session" "sockit lines/s $s_rate (lost $s_lost)" \
	"x$(ratio "$s_rate" "$n_rate") nc -u (lost $n_lost)" >>"$BENCH_SUMMARY"
exit 0
