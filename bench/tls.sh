#!/usr/bin/env bash
# TLS bulk throughput: SIZE bytes from a client's stdin through a TLS
# connection on loopback to a server's stdout, sockit to sockit and
# ncat --ssl to ncat --ssl (when installed), with the same certificate (a
# throwaway EC P-256 one), in one run.  Prints MB/s and sockit's ratio.
# Run by hand or by `make bench`.
#   bench/tls.sh [SIZE_MB]    (default 1024)
set -u
SOCKIT=${SOCKIT:-$(dirname "$0")/../src/sockit}
size_mb=${1:-1024}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if ! "$SOCKIT" connect --tls --help >/dev/null 2>&1; then
	echo "tls: sockit was built without TLS; skipped"
	exit 0
fi
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 -subj /CN=localhost \
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null || exit 1

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

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
declare -A mbs
mbs[sockit]=$(run "$SOCKIT listen --tls --cert $c --key $k 127.0.0.1 PORT" \
    "$SOCKIT connect --tls --ca $c localhost PORT")
command -v ncat >/dev/null &&
	mbs[ncat]=$(run "ncat -l --ssl --ssl-cert $c --ssl-key $k --recv-only 127.0.0.1 PORT" \
	    "ncat --ssl --ssl-verify --ssl-trustfile $c --send-only localhost PORT")

printf '%-28s %10s %8s\n' "TLS ${size_mb} MiB, pipe stdin" "MB/s" "sockit/x"
for t in sockit ncat; do
	[ -n "${mbs[$t]-}" ] || continue
	printf '%-28s %10s %8s\n' "$t" "${mbs[$t]}" \
		"$(awk -v a="${mbs[sockit]}" -v b="${mbs[$t]}" 'BEGIN { printf "%.2f", a / b }')"
done
