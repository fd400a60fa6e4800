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
