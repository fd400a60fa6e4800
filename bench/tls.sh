#!/usr/bin/env bash
# TLS bulk throughput: SIZE bytes from a client's stdin through a TLS
# connection on loopback to a server's stdout, sockit to sockit and
# ncat --ssl to ncat --ssl (when installed), and the floor (bench/
# floor_tls.c: OpenSSL's defaults, blocking calls, 1 MiB reads, nothing
# else), with the same certificate (a throwaway EC P-256 one): RUNS (3)
# rounds of each in turn, medians.
# Prints MB/s and sockit's ratio.  Run by hand or by `make bench` (in a
# network namespace, once under reno and once under bbr).
#   bench/tls.sh [SIZE_MB]    (default 1024)   Environment: SOCKIT, RUNS
set -u
SOCKIT=${SOCKIT:-$(dirname "$0")/../src/sockit}
size_mb=${1:-1024}
RUNS=${RUNS:-3}
. "$(dirname "$0")/lib.bash"

if ! "$SOCKIT" connect --tls --help >/dev/null 2>&1; then
	echo "tls: sockit was built without TLS; skipped"
	exit 0
fi
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null || exit 1

# run SERVER_CMD CLIENT_CMD (PORT is substituted); prints MB/s.  As in
# relay.sh, the server takes one client, so it gets a fixed head start.
run() {
	local server=$1 client=$2 port t0 t1 spid
	port=$(free_port)
	bash -c "${server//PORT/$port}" >/dev/null 2>&1 </dev/null &
	spid=$!
	sleep 0.3
	t0=$(date +%s.%N)
	head -c "${size_mb}M" /dev/zero |
		timeout 120 bash -c "${client//PORT/$port}" >/dev/null 2>&1
	wait "$spid" 2>/dev/null
	t1=$(date +%s.%N)
	kill "$spid" 2>/dev/null
	awk -v s="$size_mb" -v a="$t0" -v b="$t1" \
		'BEGIN { printf "%.0f\n", s * 1048576 / 1e6 / (b - a) }'
}

c=$tmp/cert.pem k=$tmp/key.pem
declare -A mbs=() all=()
tools=(sockit)
command -v ncat >/dev/null && tools+=(ncat)
# the floor: bench/floor_tls.c, blocking OpenSSL calls and nothing else
floor_tls=$(floor floor_tls)
[ -n "$floor_tls" ] && tools+=(floor)
for ((i = 0; i < RUNS; i++)); do
	for t in "${tools[@]}"; do
		case $t in
		sockit) fig=$(run "$SOCKIT listen --tls --cert $c --key $k 127.0.0.1 PORT" \
			"$SOCKIT connect --tls --ca $c localhost PORT") ;;
		ncat) fig=$(run "ncat -l --ssl --ssl-cert $c --ssl-key $k --recv-only 127.0.0.1 PORT" \
			"ncat --ssl --ssl-verify --ssl-trustfile $c --send-only localhost PORT") ;;
		floor) fig=$(run "$floor_tls listen PORT $c $k" \
			"$floor_tls connect PORT") ;;
		esac
		all[$t]="${all[$t]-} $fig"
	done
done
printf '%-28s %10s %8s  %s\n' "TLS ${size_mb} MiB, pipe, $(bench_cc)" "MB/s" "sockit/x" "runs"
for t in "${tools[@]}"; do
	# shellcheck disable=SC2086 # the list splits on purpose
	mbs[$t]=$(printf '%s\n' ${all[$t]} | median)
	printf '%-28s %10s %8s %s\n' "$t" "${mbs[$t]}" \
		"$(ratio "${mbs[sockit]}" "${mbs[$t]}")" "${all[$t]}"
done
row "TLS relay, stdin a pipe" MB/s "${mbs[sockit]}" "ncat --ssl" "${mbs[ncat]-}" "${mbs[floor]-}" \
	">= 2.5 x ncat --ssl"
