# Shared by the bench/*.sh scripts: sourced, never run by bench/run.
# Sets tmp (a scratch directory) and pids (background processes, killed and
# reaped at exit), and defines the helpers below.
tmp=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT

# have TOOL: TOOL is installed.
have() { command -v "$1" >/dev/null 2>&1; }
# free_port: a TCP port of 127.0.0.1 nobody is bound to now.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# median: of the numbers on stdin.
median() {
	sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) exit;
		if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
# ratio A B: A/B with two decimals, or - when either is missing.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'; }
# summary NAME FIGURE NOTE: a line of bench/run's closing table.
summary() { [ -n "${BENCH_SUMMARY-}" ] && printf '%s\t%s\t%s\n' "$@" >>"$BENCH_SUMMARY"; return 0; }

# The congestion control of the namespace this script runs in (bench/run
# starts each TCP scenario in a network namespace of its own, once with
# reno and once with bbr: see in_netns); "host:X" outside one.
bench_cc() {
	local cc
	cc=$(cat /proc/sys/net/ipv4/tcp_congestion_control 2>/dev/null)
	if [ -n "${BENCH_NETNS-}" ]; then echo "$cc"; else echo "host:$cc"; fi
}
# floor NAME: the path of the floor program bench/NAME.c, the one `make
# bench` built (in $FLOORS), else built here with cc; empty if neither.
floor() {
	local src
	src=$(dirname "${BASH_SOURCE[0]}")/$1.c
	if [ -n "${FLOORS-}" ] && [ -x "$FLOORS/$1" ]; then
		echo "$FLOORS/$1"
	elif ${CC:-cc} -O2 -pthread -o "$tmp/$1" "$src" \
		$([ "$1" = floor_tls ] && echo -lssl -lcrypto) 2>/dev/null; then
		echo "$tmp/$1"
	fi
}
# row SCENARIO UNIT SOCKIT PEER PEER_FIGURE FLOOR_FIGURE TARGET: a line of
# bench/run's closing table, under this namespace's congestion control;
# the ratios sockit/peer and sockit/floor are computed there.  A missing
# figure is empty.
row() {
	[ -n "${BENCH_ROWS-}" ] || return 0
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$(bench_cc)" "$2" \
		"$3" "$4" "$5" "$6" "$7" >>"$BENCH_ROWS"
}
