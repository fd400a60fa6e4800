#!/usr/bin/env bats
# --delay DUR (SPEC "More of what ncat and nc do"; nc -i, ncat -d): stdin
# goes out a line at a time, DUR apart; a python3 receiver notes when each
# line arrives.  Bounds hold on a loaded machine: each gap at least 0.8 x
# DUR, the whole well under what it would take at 10 x DUR.

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	kill_bg
}

# gaps_ok FILE N MS: FILE (line_times.py's output) has N lines, line1 ..
# lineN, each arriving at least 0.8 x MS after the one before, all within
# N x MS x 10.
gaps_ok() {
	local file=$1 n=$2 ms=$3
	cat "$file"
	[ "$(wc -l <"$file")" -eq "$n" ]
	[ "$(awk '{print $2}' "$file" | tr '\n' ' ')" = "$(seq -f 'line%g' 1 "$n" | tr '\n' ' ')" ]
	awk -v ms="$ms" -v n="$n" '
	NR > 1 && ($1 - prev) * 1000 < 0.8 * ms {
		print "gap before line " NR ": " ($1 - prev) * 1000 " ms"; bad = 1
	}
	{ prev = $1 }
	END { if (prev * 1000 > n * ms * 10) { print "total " prev; bad = 1 }
	      exit bad }' "$file"
}

@test "ncat 3: connect --delay 300ms: one line at a time, 300 ms apart at the receiver" {
	python3 "$PEERS/line_times.py" listen >"$T/times" 2>"$T/srv.log" 3>&- &
	bg_pids+=("$!")
	wait_for_listen "$T/srv.log"
	# all five lines in one write: the delay splits them
	printf 'line1\nline2\nline3\nline4\nline5\n' |
	    timeout 30 "$SOCKIT" connect --delay 300ms 127.0.0.1 "$PORT"
	wait_gone "${bg_pids[0]}"
	gaps_ok "$T/times" 5 300
}

@test "ncat 3: connect without --delay: the lines come at once" {
	python3 "$PEERS/line_times.py" listen >"$T/times" 2>"$T/srv.log" 3>&- &
	bg_pids+=("$!")
	wait_for_listen "$T/srv.log"
	printf 'line1\nline2\nline3\n' |
	    timeout 30 "$SOCKIT" connect 127.0.0.1 "$PORT"
	wait_gone "${bg_pids[0]}"
	cat "$T/times"
	[ "$(awk 'END {print $1}' "$T/times")" = 0.000 ]
}

@test "ncat 3: listen --delay 200ms: stdin to the client a line at a time, with -C" {
	printf 'line1\nline2\nline3\nline4\n' >"$T/in"
	sockit_listen "$T/log" --delay 200ms -C 127.0.0.1 0 <"$T/in" >/dev/null
	timeout 30 python3 "$PEERS/line_times.py" connect "$PORT" >"$T/times"
	# -C: each line ends CRLF
	[ "$(grep -c $'\r$' "$T/times")" -eq 4 ]
	sed -i 's/\r$//' "$T/times"
	gaps_ok "$T/times" 4 200
}

@test "ncat 3: connect -u --delay 300ms: a datagram a line, 300 ms apart at socat's receiver" {
	port=$(free_port)
	# socat prints each datagram as it comes; the loop notes the time
	# of each line from the first
	(timeout 30 socat -u UDP-RECV:"$port",bind=127.0.0.1 - |
	    while IFS= read -r line; do
		now=${EPOCHREALTIME/./}
		first=${first:-$now}
		printf '%d.%06d %s\n' $(((now - first) / 1000000)) \
		    $(((now - first) % 1000000)) "$line"
	    done >"$T/times") 3>&- &
	bg_pids+=("$!")
	sleep 0.5
	printf 'line1\nline2\nline3\nline4\n' |
	    timeout 30 "$SOCKIT" connect -u --delay 300ms -q 200ms 127.0.0.1 "$port"
	for _ in $(seq 50); do
		[ "$(wc -l <"$T/times")" -ge 4 ] && break
		sleep 0.1
	done
	gaps_ok "$T/times" 4 300
}
