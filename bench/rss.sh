#!/usr/bin/env bash
# bench/rss.sh: the client's peak RSS during a bulk transfer (issue 8).
#
# SIZE_MB (1024) MiB from the client's stdin over TCP on loopback to a
# server of the same tool writing to /dev/null, the client run under
# /usr/bin/time -f %M (peak resident set, KiB).  stdin is a file, then a
# pipe fed by dd.  sockit, nc (OpenBSD), ncat and socat (each skipped if
# not installed) and the floor relay (bench/floor_relay.c: no buffer of
# its own); median of RUNS (3).  Target: sockit <= nc.
#
# Usage: bench/rss.sh [SIZE_MB]   Environment: SOCKIT, RUNS.  Every
# process is bounded with timeout(1) and killed by PID; loopback only;
# never part of make check.
set -u
SOCKIT=${SOCKIT:-$(dirname "$0")/../src/sockit}
size_mb=${1:-1024}
RUNS=${RUNS:-3}
. "$(dirname "$0")/lib.bash"


if [ ! -x /usr/bin/time ]; then
	echo "bench/rss.sh: /usr/bin/time not found, skipped"
	exit 0
fi

# run TOOL SRC: prints "KiB seconds" of the client of one transfer
run() {
	local tool=$1 src=$2 port spid server client
	port=$(free_port)
	case $tool in
	sockit)
		server=("$SOCKIT" listen 127.0.0.1 "$port")
		client=("$SOCKIT" connect 127.0.0.1 "$port") ;;
	nc)
		server=(nc -l 127.0.0.1 "$port")
		client=(nc -N 127.0.0.1 "$port") ;;
	ncat)
		server=(ncat -l 127.0.0.1 "$port")
		client=(ncat --send-only 127.0.0.1 "$port") ;;
	floor)
		server=("$floor_relay" listen "$port")
		client=("$floor_relay" connect "$port") ;;
	socat)
		# shellcheck disable=SC2054 # commas belong to the socat address
		server=(socat -u TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr STDOUT)
		client=(socat -u STDIN TCP:127.0.0.1:"$port") ;;
	esac
	timeout 120 "${server[@]}" </dev/null >/dev/null 2>&1 &
	spid=$!
	pids+=("$spid")
	sleep 0.3
	rm -f "$tmp/time"
	if [ "$src" = pipe ]; then
		dd if=/dev/zero bs=1M count="$size_mb" status=none |
			timeout 120 /usr/bin/time -o "$tmp/time" -f '%M %e' "${client[@]}" >/dev/null 2>&1
	else
		timeout 120 /usr/bin/time -o "$tmp/time" -f '%M %e' "${client[@]}" <"$tmp/src" >/dev/null 2>&1
	fi
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	tail -n 1 "$tmp/time" 2>/dev/null
}

head -c "${size_mb}M" /dev/zero >"$tmp/src"
floor_relay=$(floor floor_relay)
for src in file pipe; do
	declare -A kib=() sec=() all=()
	tools=()
	for t in sockit nc ncat socat floor; do
		case $t in
		sockit) ;;
		floor) [ -n "$floor_relay" ] || continue ;;
		*) have "$t" || continue ;;
		esac
		tools+=("$t")
		k=() s=()
		for ((i = 0; i < RUNS; i++)); do
			read -r a b < <(run "$t" "$src")
			k+=("${a:-}") s+=("${b:-}")
		done
		all[$t]=${k[*]}
		kib[$t]=$(printf '%s\n' "${k[@]}" | median)
		sec[$t]=$(printf '%s\n' "${s[@]}" | median)
	done
	printf '%-30s %9s %9s %8s  %s\n' "client peak RSS, ${size_mb} MiB, $src stdin" "KiB" "sockit/x" "seconds" "runs (KiB)"
	for t in "${tools[@]}"; do
		printf '%-30s %9s %9s %8s  %s\n' "$t" "${kib[$t]}" "$(ratio "${kib[sockit]}" "${kib[$t]}")" "${sec[$t]}" "${all[$t]}"
	done
	if [ -n "${kib[nc]-}" ]; then
		verdict=$(awk -v a="${kib[sockit]}" -v b="${kib[nc]}" 'BEGIN { print (a <= b ? "met" : "MISSED") }')
		printf 'target sockit <= nc: %s\n\n' "$verdict"
	else
		echo
	fi
	row "peak RSS, ${size_mb} MiB, $src" KiB "${kib[sockit]}" nc "${kib[nc]-}" \
		"${kib[floor]-}" "<= 1 x nc"
	unset kib sec all
done
echo "/usr/bin/time -f %M of the client; sockit/x < 1: sockit uses less memory"
