#!/usr/bin/env bats
# connect -z --count N --interval DUR: probes over time, and a summary
# per target whose figures are those of the probe lines of the same run.

load helpers

setup() {
	bg_pids=()
	T=$BATS_TEST_TMPDIR
}

teardown() {
	kill_bg
}

# open_port: a listener that never accepts (its queue holds the probes);
# sets OPEN.
open_port() {
	tcp_peer "$T/open.log" --backlog 64 sleep 60 || return 1
	OPEN=$PORT
}

closed_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# figures LATENCY...: "min avg p50 p95 p99 max stddev" of the latencies,
# percentiles nearest-rank (the smallest value with at least that share
# at or below it), as SPEC's summary gives them.
figures() {
	python3 - "$@" <<'PY'
import math, sys
v = sorted(float(x) for x in sys.argv[1:])
n = len(v)
rank = lambda p: v[max(math.ceil(p / 100 * n), 1) - 1]
avg = sum(v) / n
sd = math.sqrt(sum((x - avg) ** 2 for x in v) / n)
print("%.2f %.2f %.2f %.2f %.2f %.2f %.2f" %
      (v[0], avg, rank(50), rank(95), rank(99), v[-1], sd))
PY
}

# near A B: A and B differ by at most 0.011 (an average of rounded
# latencies against the rounded average of the exact ones).
near() {
	awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; exit !(d <= 0.011 && d >= -0.011) }' ||
	    fail "$1 and $2 differ"
}

@test "check count 1: --count 5 --interval 100ms: 5 probe lines, then a text summary with their figures" {
	open_port
	run --separate-stderr timeout 30 "$SOCKIT" connect -z --count 5 --interval 100ms 127.0.0.1 "$OPEN"
	assert_success
	[ "${#lines[@]}" -eq 6 ]
	for i in 0 1 2 3 4; do
		[[ ${lines[$i]} =~ ^127\.0\.0\.1\ $OPEN/tcp\ open\ [0-9]+\.[0-9]{2}ms$ ]] ||
		    fail "line $i: ${lines[$i]}"
	done
	read -r min avg p50 p95 p99 max sd < <(figures $(printf '%s\n' "${lines[@]:0:5}" | awk '{ sub(/ms$/, "", $4); print $4 }'))
	summary=${lines[5]}
	[[ $summary =~ ^127\.0\.0\.1\ $OPEN/tcp:\ 5\ probes,\ 5\ open,\ 0%\ failed,\ latency\ min/avg/p50/p95/max\ ([0-9.]+)/([0-9.]+)/([0-9.]+)/([0-9.]+)/([0-9.]+)\ ms$ ]] ||
	    fail "summary: $summary"
	[ "${BASH_REMATCH[1]}" = "$min" ]
	near "${BASH_REMATCH[2]}" "$avg"
	[ "${BASH_REMATCH[3]}" = "$p50" ]
	[ "${BASH_REMATCH[4]}" = "$p95" ]
	[ "${BASH_REMATCH[5]}" = "$max" ]
}

@test "check count 1: JSON: each probe has its seq, the summary object agrees with the probes (p99, stddev too)" {
	open_port
	run --separate-stderr timeout 30 "$SOCKIT" connect -z -j --count 6 --interval 50ms 127.0.0.1 "$OPEN"
	assert_success
	[ "${#lines[@]}" -eq 7 ]
	[ "$(printf '%s\n' "${lines[@]:0:6}" | jq -r .seq | tr '\n' ' ')" = "1 2 3 4 5 6 " ]
	printf '%s\n' "${lines[@]:0:6}" | jq -e 'select(.state == "open" and .port == '"$OPEN"')' >/dev/null
	read -r min avg p50 p95 p99 max sd < <(figures $(printf '%s\n' "${lines[@]:0:6}" | jq -r .latency_ms))
	s=${lines[6]}
	[ "$(jq -c '[.summary, .host, .port, .proto, .probes, .open, .failed_pct]' <<<"$s")" = "[true,\"127.0.0.1\",$OPEN,\"tcp\",6,6,0]" ]
	[ "$(jq -r '.latency_ms | keys_unsorted | join(",")' <<<"$s")" = "min,avg,p50,p95,p99,max,stddev" ]
	[ "$(jq -r '.latency_ms.min' <<<"$s")" = "$(jq -n "$min")" ]
	[ "$(jq -r '.latency_ms.p50' <<<"$s")" = "$(jq -n "$p50")" ]
	[ "$(jq -r '.latency_ms.p95' <<<"$s")" = "$(jq -n "$p95")" ]
	[ "$(jq -r '.latency_ms.p99' <<<"$s")" = "$(jq -n "$p99")" ]
	[ "$(jq -r '.latency_ms.max' <<<"$s")" = "$(jq -n "$max")" ]
	near "$(jq -r '.latency_ms.avg' <<<"$s")" "$avg"
	near "$(jq -r '.latency_ms.stddev' <<<"$s")" "$sd"
}

@test "check count 1: a port that never answers open: 100% failed, no latency figures, exit 1; one summary per port" {
	open_port
	c=$(closed_port)
	run --separate-stderr timeout 30 "$SOCKIT" connect -z --count 3 --interval 50ms 127.0.0.1 "$OPEN,$c"
	assert_failure 1
	[ "${#lines[@]}" -eq 8 ]
	[ "$(printf '%s\n' "${lines[@]:0:6}" | grep -c " $c/tcp closed ")" -eq 3 ]
	# the summaries come in port order: either port may be the lower
	summaries=$(printf '%s\n' "${lines[@]:6:2}")
	grep -q -x "127.0.0.1 $OPEN/tcp: 3 probes, 3 open, 0% failed, latency min/avg/p50/p95/max [0-9./]* ms" <<<"$summaries"
	grep -q -x "127.0.0.1 $c/tcp: 3 probes, 0 open, 100% failed, latency min/avg/p50/p95/max -" <<<"$summaries"
	run --separate-stderr timeout 30 "$SOCKIT" connect -z -j --count 3 --interval 50ms 127.0.0.1 "$c"
	assert_failure 1
	[ "$(jq -c 'select(.summary) | [.probes, .open, .failed_pct, .latency_ms]' <<<"$output")" = "[3,0,100,null]" ]
}

@test "together 2: --count with --expect: a mismatch probe counts as failed; the latency figures are those of the matching probes" {
	# socat: the 1st, 3rd, ... client gets "220 ok", the others "554 no"
	PORT=$(free_port)
	printf 'n=$(cat "%s/n" 2>/dev/null || echo 0); echo $((n + 1)) >"%s/n"
	if [ $((n %% 2)) -eq 0 ]; then printf "220 ok\\r\\n"; else printf "554 no\\r\\n"; fi\n' "$T" "$T" >"$T/alternate.sh"
	timeout 60 socat "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork" \
	    "SYSTEM:sh $T/alternate.sh" 2>/dev/null 3>&- &
	bg_pids+=($!)
	wait_tcp "$PORT"
	rm -f "$T/n"
	run --separate-stderr timeout 60 "$SOCKIT" connect -z -w 10 --count 4 --interval 200ms --expect '^220' 127.0.0.1 "$PORT"
	assert_failure 1
	[ "${#lines[@]}" -eq 5 ]
	[ "$(printf '%s\n' "${lines[@]:0:4}" | awk '{ print $3 }' | xargs)" = "open mismatch open mismatch" ]
	read -r min avg p50 p95 p99 max sd < <(figures $(printf '%s\n' "${lines[0]}" "${lines[2]}" | awk '{ sub(/ms$/, "", $4); print $4 }'))
	[[ ${lines[4]} =~ ^127\.0\.0\.1\ $PORT/tcp:\ 4\ probes,\ 2\ open,\ 50%\ failed,\ latency\ min/avg/p50/p95/max\ ([0-9.]+)/[0-9.]+/[0-9.]+/[0-9.]+/([0-9.]+)\ ms$ ]] ||
	    fail "summary: ${lines[4]}"
	[ "${BASH_REMATCH[1]}" = "$min" ]
	[ "${BASH_REMATCH[2]}" = "$max" ]
	rm -f "$T/n"
	run --separate-stderr timeout 60 "$SOCKIT" connect -z -j -w 10 --count 4 --interval 200ms --expect '^220' 127.0.0.1 "$PORT"
	assert_failure 1
	[ "$(jq -c 'select(.summary) | [.probes, .open, .failed_pct]' <<<"$output")" = "[4,2,50]" ]
	[ "$(jq -r 'select(.seq) | "\(.seq) \(.state) \(.matched // .received)"' <<<"$output" | paste -sd'|')" = '1 open 220|2 mismatch 554 no\r\n|3 open 220|4 mismatch 554 no\r\n' ]
}

@test "check count 1: --interval spaces the probes: 3 probes 600ms apart take at least 1.2 s" {
	open_port
	t0=$(date +%s%N)
	run --separate-stderr timeout 30 "$SOCKIT" connect -z --count 3 --interval 600ms 127.0.0.1 "$OPEN"
	t1=$(date +%s%N)
	assert_success
	(((t1 - t0) / 1000000 >= 1200)) || fail "took $(((t1 - t0) / 1000000)) ms"
}

@test "check count 1: --count 0 probes until interrupted, then the summary of the probes made, exit 0" {
	open_port
	timeout -s INT --preserve-status 2 "$SOCKIT" connect -z --count 0 --interval 200ms 127.0.0.1 "$OPEN" >"$T/out" 2>"$T/err" || fail "exit $?"
	n=$(grep -c "/tcp open " "$T/out")
	((n >= 2)) || fail "$n probes"
	tail -n 1 "$T/out" | grep -qx "127.0.0.1 $OPEN/tcp: $n probes, $n open, 0% failed, latency .* ms"
}

@test "check count 1: --count goes with -z; --count with --wait is a usage error" {
	run --separate-stderr "$SOCKIT" connect --count 3 127.0.0.1 9
	assert_failure 2
	[[ $stderr == *"go with -z"* ]]
	run --separate-stderr "$SOCKIT" connect -z --count 3 --wait 1s 127.0.0.1 9
	assert_failure 2
	[[ $stderr == "sockit: connect: --count and --wait"* ]]
	run --separate-stderr "$SOCKIT" connect -z --interval 1s 127.0.0.1 9
	assert_failure 2
	[[ $stderr == "sockit: connect: --interval goes with --count"* ]]
}
