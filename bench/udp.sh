#!/usr/bin/env bash
# bench/udp.sh: UDP datagrams per second on loopback, one run.
#
# N (200000) datagrams of SIZE (64) bytes from each sender to each
# receiver: sockit udp-send --count -> sockit udp-recv --count, against
# socat (-b SIZE from a file: one datagram per read; its receiver with
# the 4 MiB receive buffer udp-recv takes by default) and nc -u, and the
# floor sender (bench/floor_udp.c: sendmmsg, nothing else) into sockit's
# receiver.  Prints a table: sent/s of the sender, datagrams received,
# and ratios.
#
# OpenBSD nc sends one datagram per read(2) of stdin (16 KiB from a file),
# so it cannot send N small datagrams: it is measured as a receiver only.
#
# Usage: bench/udp.sh [SOCKIT]   (default: $SOCKIT, else ./src/sockit)
# Environment: N, SIZE, WAIT (receiver idle seconds, 1).  Run by hand;
# never part of make check.  Every step is bounded with timeout(1).
set -u

SOCKIT=${1:-${SOCKIT:-./src/sockit}}
N=${N:-200000}
SIZE=${SIZE:-64}
WAIT=${WAIT:-1}
LIMIT=60	# seconds any one command may take

for tool in "$SOCKIT" socat nc timeout; do
	command -v "$tool" >/dev/null 2>&1 ||
	    { echo "bench/udp.sh: $tool not found" >&2; exit 2; }
done
. "$(dirname "$0")/lib.bash"	# tmp, pids, row
TMP=$tmp

MSG=$(head -c "$SIZE" /dev/zero | tr '\0' x)
head -c $((N * SIZE)) /dev/zero | tr '\0' x >"$TMP/payload"

now_ns() { date +%s%N; }

# free_port: a UDP port of 127.0.0.1 nobody is bound to (sockit binds
# port 0, reports it and gives up at once).
free_port() {
	"$SOCKIT" udp-recv -w 1ms 127.0.0.1 0 2>&1 >/dev/null |
	    awk '/^listening on/ { print $4; exit }'
}

# wait_quiet FILE PID: waits until FILE stops growing for WAIT seconds
# (or PID ends), then ends PID.
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

# start_receiver KIND PORT OUT: a receiver in the background; sets RPID.
start_receiver() {
	local kind=$1 port=$2 out=$3
	case $kind in
	sockit)
		timeout "$LIMIT" "$SOCKIT" udp-recv --count "$N" -w "$WAIT" \
		    127.0.0.1 "$port" >"$out" 2>/dev/null & ;;
	sockit-4M)
		timeout "$LIMIT" "$SOCKIT" udp-recv --count "$N" -w "$WAIT" \
		    -O SO_RCVBUF=4M 127.0.0.1 "$port" >"$out" 2>/dev/null & ;;
	socat)
		# the receive buffer udp-recv takes by default (4 MiB), so
		# that neither drops for a smaller one
		timeout "$LIMIT" socat -u -b 65536 \
		    UDP-RECV:"$port",bind=127.0.0.1,rcvbuf=4194304 STDOUT \
		    >"$out" 2>/dev/null & ;;
	nc)
		timeout "$LIMIT" nc -u -l 127.0.0.1 "$port" \
		    </dev/null >"$out" 2>/dev/null & ;;
	esac
	RPID=$!
	pids+=("$RPID")
	sleep 0.3	# bound before the first datagram
}

# send KIND PORT: sends N datagrams; prints the seconds it took.
send() {
	local kind=$1 port=$2 t0 t1
	t0=$(now_ns)
	case $kind in
	sockit)
		timeout "$LIMIT" "$SOCKIT" udp-send --count "$N" 127.0.0.1 \
		    "$port" "$MSG" 2>/dev/null ;;
	socat)
		timeout "$LIMIT" socat -u -b "$SIZE" OPEN:"$TMP/payload" \
		    UDP-SENDTO:127.0.0.1:"$port" 2>/dev/null ;;
	floor)
		timeout "$LIMIT" "$floor_udp" "$port" "$N" "$SIZE" ;;
	esac
	t1=$(now_ns)
	awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.3f\n", ns / 1e9 }'
}

printf 'UDP on loopback: %d datagrams of %d bytes, one run\n\n' "$N" "$SIZE"
printf '%-8s %-10s %9s %11s %10s %7s %9s\n' sender receiver seconds sent/s \
    received recv% "vs socat"
socat_rate=
# the floor sender (bench/floor_udp.c) into the same receiver as sockit's
floor_udp=$(floor floor_udp)
pairs=(socat:socat sockit:sockit sockit:sockit-4M socat:sockit sockit:socat
	sockit:nc)
[ -n "$floor_udp" ] && pairs+=(floor:sockit)
floor_rate=
for pair in "${pairs[@]}"; do
	s=${pair%%:*} r=${pair#*:}
	port=$(free_port)
	out=$TMP/$s-$r.out
	start_receiver "$r" "$port" "$out"
	secs=$(send "$s" "$port")
	wait_quiet "$out" "$RPID"
	got=$(($(stat -c %s "$out") / SIZE))
	rate=$(awk -v n="$N" -v s="$secs" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
	[[ $pair == socat:socat ]] && socat_rate=$rate socat_got=$got
	[[ $pair == sockit:sockit ]] && sockit_rate=$rate sockit_got=$got
	[[ $pair == floor:sockit ]] && floor_rate=$rate
	printf '%-8s %-10s %9s %11s %10s %6.1f%% %8.2fx\n' "$s" "$r" "$secs" \
	    "$rate" "$got" "$(awk -v g="$got" -v n="$N" 'BEGIN { print 100 * g / n }')" \
	    "$(awk -v a="$rate" -v b="$socat_rate" 'BEGIN { print (b > 0 ? a / b : 0) }')"
done
printf '\nsent/s: the sender'"'"'s datagrams over its run time; received: what\n'
printf 'the receiver wrote out (the kernel drops what does not fit in the\n'
printf 'receive buffer: sockit-4M is udp-recv -O SO_RCVBUF=4M).  floor: bench/\n'
printf 'floor_udp.c, sendmmsg of 64 datagrams at a time and nothing else.\n'
row "UDP ${SIZE} B datagrams" dgrams/s "$sockit_rate" socat "$socat_rate" "$floor_rate" \
	">= 1e6/s, loss <= 1 %, >= 4 x socat; received $(awk -v g="$sockit_got" -v n="$N" 'BEGIN { printf "%.1f", 100 * g / n }') % (socat $(awk -v g="$socat_got" -v n="$N" 'BEGIN { printf "%.1f", 100 * g / n }') %)"
