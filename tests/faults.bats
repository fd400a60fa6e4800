#!/usr/bin/env bats
# Faults: broken peers, broken stdio, signals, descriptor exhaustion, load.
# sockit must keep working and lose nothing.

load helpers

setup() {
	bg_pids=()
	T=$BATS_TEST_TMPDIR
}

teardown() {
	kill_bg
}

@test "peer reset in the middle of a transfer: exit 1, no hang" {
	# reads a little, then closes with SO_LINGER 0 (a reset)
	tcp_peer "$T/srv" accept recv 65536 reset sleep 5
	run --separate-stderr timeout 10 "$SOCKIT" connect 127.0.0.1 "$PORT" < <(head -c 50M /dev/zero)
	assert_failure 1
	[[ $stderr == *"127.0.0.1 $PORT: "*"reset by peer"* || $stderr == *"Broken pipe"* ]]
}

@test "stdout to /dev/full: exit 4 naming the reason" {
	tcp_peer "$T/srv" accept send-times 100000 x close
	run --separate-stderr bash -c 'timeout 10 "$0" connect 127.0.0.1 "$1" </dev/null >/dev/full' \
	    "$SOCKIT" "$PORT"
	assert_failure 4
	[[ $stderr == *"write to stdout: No space left on device"* ]]
}

@test "listen: stdout to /dev/full is exit 4 too" {
	sockit_listen "$T/l" 127.0.0.1 0 </dev/null >/dev/full
	head -c 100000 /dev/zero | timeout 10 "$SOCKIT" connect 127.0.0.1 "$PORT" >/dev/null 2>&1 || true
	wait "$SERVER_PID" && st=0 || st=$?
	[ "$st" -eq 4 ]
	grep -q "No space left on device" "$T/l"
}

@test "stdout closed early (| head -c1): prompt exit 4, no message" {
	tcp_peer "$T/srv" accept flood y
	start=$(date +%s%N)
	run bash -c 'timeout 10 "$0" connect 127.0.0.1 "$1" </dev/null 2>"$2" | head -c1 >/dev/null; exit "${PIPESTATUS[0]}"' \
	    "$SOCKIT" "$PORT" "$T/err"
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$status" -eq 4 ]
	[ ! -s "$T/err" ]
	[ "$ms" -lt 3000 ]
}

@test "stdout closed early with a silent peer: still ends (exit 4)" {
	tcp_peer "$T/srv" accept sleep 30
	# the reader goes away without sockit writing anything
	run bash -c '{ sleep 30 | timeout 10 "$0" connect 127.0.0.1 "$1" 2>"$2"; echo "st=$?" >"$3"; } | true' \
	    "$SOCKIT" "$PORT" "$T/err" "$T/st"
	for ((n = 0; n < 50; n++)); do [[ -s $T/st ]] && break; sleep 0.1; done
	[ "$(cat "$T/st")" = "st=4" ]
}

@test "stdin that errors (a directory): exit 4 with the reason" {
	tcp_peer "$T/srv" accept sleep 5
	run --separate-stderr timeout 10 "$SOCKIT" connect 127.0.0.1 "$PORT" </
	assert_failure 4
	[[ $stderr == *"read from stdin: Is a directory"* ]]
}

@test "SIGTERM during a transfer: prompt exit, closed event still emitted" {
	tcp_peer "$T/srv" accept drain sleep 5
	{ timeout 20 "$SOCKIT" connect -j 127.0.0.1 "$PORT" < <(cat /dev/zero) 2>"$T/ev" & } 3>&-
	pid=$!
	bg_pids+=($pid)
	wait_grep "$T/ev" '"event":"connected"'
	sleep 0.3
	kill -TERM "$pid"
	wait_gone "$pid"
	wait "$pid" && st=0 || st=$?
	[ "$st" -eq 143 ] || [ "$st" -eq 124 ] && false || true
	[ "$st" -eq 143 ]
	grep '"event":"closed"' "$T/ev" | jq -e '.bytes_out > 0'
}

@test "SIGINT stops listen -k: every client's closed event is emitted" {
	mkfifo "$T/in"
	sockit_listen "$T/l" -k -j 127.0.0.1 0 <>"$T/in"
	for n in 1 2; do
		{ sleep 20 | timeout 20 "$SOCKIT" connect 127.0.0.1 "$PORT" >/dev/null 2>&1 & } 3>&-
		bg_pids+=($!)
	done
	wait_grep "$T/l" '"event":"accepted"' 2
	kill -INT "$SERVER_PID"
	wait_gone "$SERVER_PID"
	[ "$(grep -c '"event":"closed"' "$T/l")" -eq 2 ]
}

@test "a SIGTERM that comes between two waits is not lost: listen -k -e ends, 100 runs of README's example" {
	# A flag looked at only after a wait missed a signal that came while
	# a round worked: the server waited for ever.  The README's example
	# (an echo server killed by its trap) left it behind about once in
	# 40-100 runs; a race, so many runs, each server found by its port
	# and killed by PID if it is still there
	local i port pid left=0
	for ((i = 0; i < 100; i++)); do
		port=$(free_port)
		timeout 20 bash -c '("$0" listen -k -e cat 127.0.0.1 "$1" </dev/null &
		    trap "kill \$!" EXIT
		    "$0" connect -z --wait 5s 127.0.0.1 "$1" >/dev/null &&
		    echo hello | "$0" connect 127.0.0.1 "$1" >/dev/null)' \
		    "$SOCKIT" "$port" 3>&- || true
		pid=
		for _ in $(seq 10); do
			pid=$(ss -Hltnp "sport = :$port" | grep -o 'pid=[0-9]*' | cut -d= -f2)
			[ -z "$pid" ] && break
			sleep 0.1
		done
		if [ -n "$pid" ]; then
			left=$((left + 1))
			kill -9 "$pid"
		fi
	done
	[ "$left" -eq 0 ] || { echo "$left of 100 servers outlived their SIGTERM"; false; }
}

@test "listen -k under ulimit -n 64 survives 200 clients; all are served" {
	mkfifo "$T/in"
	# the server runs with 64 descriptors; each client holds one for ~0.2 s
	( ulimit -n 64; exec "$SOCKIT" listen -k -v -e 'sh -c "cat; sleep 0.2"' 127.0.0.1 0 ) \
	    <>"$T/in" 2>"$T/l" 3>&- &
	SERVER_PID=$!
	bg_pids+=($SERVER_PID)
	wait_for_listen "$T/l"
	run timeout 60 python3 "$PEERS/tcp_clients.py" echo "$PORT" 200
	assert_success
	[ "$output" = 200 ]
	kill -0 "$SERVER_PID"	# still serving
}

@test "listen -k (relay) under ulimit -n 64 with 200 clients keeps serving" {
	mkfifo "$T/in"
	( ulimit -n 64; exec "$SOCKIT" listen -k 127.0.0.1 0 ) <>"$T/in" >"$T/out" 2>"$T/l" 3>&- &
	SERVER_PID=$!
	bg_pids+=($SERVER_PID)
	wait_for_listen "$T/l"
	run timeout 60 python3 "$PEERS/tcp_clients.py" lines "$PORT" 200
	assert_success
	for ((n = 0; n < 50; n++)); do
		[ "$(wc -l <"$T/out")" -ge 200 ] && break
		sleep 0.1
	done
	[ "$(sort -u "$T/out" | wc -l)" -eq 200 ]
	kill -0 "$SERVER_PID"
}

@test "10000 sequential connections to listen -k: no growth of fds or memory" {
	mkfifo "$T/in"
	# under AddressSanitizer, freed memory waits in a quarantine: no
	# quarantine here, so that the figure is the program's own
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0 \
	    sockit_listen "$T/l" -k 127.0.0.1 0 <>"$T/in" >/dev/null
	conns() {
		python3 "$PEERS/tcp_clients.py" sequential "$PORT" "$1"
	}
	# warm up: the allocator's own caches grow over the first thousands
	# of clients (under AddressSanitizer by ~800 KiB, then not at all:
	# 10964 kB after 10500 clients, 20500 and 30500 alike)
	timeout 120 bash -c "$(declare -f conns); PEERS=$PEERS PORT=$PORT; conns 10000"
	sleep 0.2
	fds0=$(ls /proc/"$SERVER_PID"/fd | wc -l)
	rss0=$(awk '/VmRSS/ {print $2}' /proc/"$SERVER_PID"/status)
	timeout 120 bash -c "$(declare -f conns); PEERS=$PEERS PORT=$PORT; conns 10000"
	sleep 0.2
	fds1=$(ls /proc/"$SERVER_PID"/fd | wc -l)
	rss1=$(awk '/VmRSS/ {print $2}' /proc/"$SERVER_PID"/status)
	echo "fds $fds0 -> $fds1, rss $rss0 -> $rss1 kB" >&3
	[ "$fds1" -eq "$fds0" ]
	[ "$rss1" -le $((rss0 + 512)) ]
}

@test "-e children are all reaped (no zombies) after 50 clients" {
	sockit_listen "$T/l" -k -e cat 127.0.0.1 0
	timeout 60 python3 "$PEERS/tcp_clients.py" sequential "$PORT" 50 x
	for ((n = 0; n < 50; n++)); do
		[ -z "$(ps --ppid "$SERVER_PID" -o stat= | grep Z)" ] &&
		    [ -z "$(ps --ppid "$SERVER_PID" -o pid=)" ] && break
		sleep 0.1
	done
	[ -z "$(ps --ppid "$SERVER_PID" -o pid=)" ]
}

@test "slowloris: idle clients are cut by --idle-timeout while an active one flows" {
	mkfifo "$T/in"
	sockit_listen "$T/l" -k -v --idle-timeout 500ms 127.0.0.1 0 <>"$T/in" >"$T/out"
	run timeout 30 python3 "$PEERS/tcp_clients.py" slowloris "$PORT"
	assert_success
	[ "$output" = "5 True" ]
	[ "$(grep -o 'tick [0-9][0-9]' "$T/out" | wc -l)" -eq 20 ]
}

@test "-m is enforced under 100 concurrent connection attempts" {
	sockit_listen "$T/l" -k -m 10 -e 'sleep 1' -v 127.0.0.1 0
	run timeout 30 python3 "$PEERS/tcp_clients.py" max-conns "$PORT" 100
	assert_success
	[ "$output" -le 10 ]
	[ "$output" -ge 1 ]
	grep -q 'refused .*: max-conns' "$T/l"
}

@test "1 GiB each way through listen/connect with a slow reader: checksums equal" {
	head -c 1G /dev/urandom >"$T/a" 2>/dev/null || skip "no room for 1 GiB"
	head -c 1G /dev/urandom >"$T/b"
	sockit_listen "$T/l" 127.0.0.1 0 <"$T/a" >"$T/b.got"
	# the client's reader sleeps now and then: backpressure all the way
	timeout 120 "$SOCKIT" connect 127.0.0.1 "$PORT" <"$T/b" |
	    python3 "$PEERS/slow_reader.py" "$T/a.got"
	wait "$SERVER_PID"
	[ "$(sha256sum <"$T/a")" = "$(sha256sum <"$T/a.got")" ]
	[ "$(sha256sum <"$T/b")" = "$(sha256sum <"$T/b.got")" ]
	rm -f "$T"/a* "$T"/b*
}

@test "listen -k with 4 clients each sending 256 MiB: every byte arrives" {
	mkfifo "$T/in"
	sockit_listen "$T/l" -k -v 127.0.0.1 0 <>"$T/in" >"$T/out"
	local clients=()
	for n in 1 2 3 4; do
		# each client sends its own byte value, so the streams can be told apart
		{ head -c 256M /dev/zero | tr '\0' "\\$(printf '%03o' $((64 + n)))" |
		    timeout 120 "$SOCKIT" connect 127.0.0.1 "$PORT" >/dev/null 2>&1 & } 3>&-
		bg_pids+=($!)
		clients+=($!)
	done
	# each client is bounded by its timeout; a loaded machine may need
	# most of it (tr alone moves a few hundred MB/s)
	for pid in "${clients[@]}"; do
		wait "$pid" || true
	done
	wait_grep "$T/l" '^closed' 4
	[ "$(stat -c %s "$T/out")" -eq $((4 * 256 * 1024 * 1024)) ]
	for n in 1 2 3 4; do
		c=$(printf "\\$(printf '%03o' $((64 + n)))")
		[ "$(tr -cd "$c" <"$T/out" | wc -c)" -eq $((256 * 1024 * 1024)) ]
	done
	rm -f "$T/out"
}

@test "-e never goes through a shell: ; and \$(...) reach the program literally" {
	sockit_listen "$T/l" -e "printf '%s|%s' 'a;b' '\$(id)'" 127.0.0.1 0
	run timeout 5 "$SOCKIT" connect 127.0.0.1 "$PORT" </dev/null
	assert_success
	[ "$output" = 'a;b|$(id)' ]
}

@test "-e children inherit no descriptor beyond 0, 1 and 2" {
	sockit_listen "$T/l" -o "$T/copy" -e 'ls /proc/self/fd' 127.0.0.1 0
	run timeout 5 "$SOCKIT" connect 127.0.0.1 "$PORT" </dev/null
	assert_success
	# ls itself holds one more (its directory handle)
	[ "$(echo "$output" | sort -n | tr '\n' ' ')" = "0 1 2 3 " ]
}

@test "-U never removes a path that is not a socket" {
	echo precious >"$T/file"
	run --separate-stderr timeout 5 "$SOCKIT" listen -U "$T/file"
	assert_failure 4
	[ "$(cat "$T/file")" = precious ]
	mkdir "$T/dir"
	run --separate-stderr timeout 5 "$SOCKIT" listen -U "$T/dir"
	assert_failure 4
	[ -d "$T/dir" ]
}

@test "udp-recv --echo is no amplifier: a reply is never larger than the request" {
	"$SOCKIT" udp-recv --echo 127.0.0.1 0 >/dev/null 2>"$T/l" 3>&- &
	bg_pids+=($!)
	wait_for_listen "$T/l"
	run timeout 10 python3 "$PEERS/udp_peer.py" sizes 127.0.0.1 "$PORT"
	assert_success
	[ "$output" = ok ]
}

@test "a client done while stdout is behind: the server sleeps (no busy loop), every byte arrives" {
	head -c 100K /dev/urandom >"$T/data"
	want=$(sha256sum <"$T/data")
	# the copying path, once serving one client and once with -k; stdout a
	# fifo whose reader starts 3 s late, so the client's bytes and its FIN
	# wait in the socket while stdout is full
	for k in "" -k; do
		rm -f "$T/o" "$T/got" "$T/l"
		mkfifo "$T/o"
		# a log of its own each time: the last one's port is not this one's
		SOCKIT_COPY=1 "$SOCKIT" listen -v $k 127.0.0.1 0 </dev/null 1<>"$T/o" 2>"$T/l$k" 3>&- &
		spid=$!
		bg_pids+=("$spid")
		(sleep 3; head -c 102400 | sha256sum >"$T/got") <"$T/o" 3>&- &
		bg_pids+=($!)
		wait_for_listen "$T/l$k"
		timeout 10 "$SOCKIT" connect 127.0.0.1 "$PORT" <"$T/data" >/dev/null
		sleep 0.5
		sleeps_1s "$spid"
		wait_grep "$T/got" '.'
		[ "$(cat "$T/got")" = "$want" ]
		kill "$spid" 2>/dev/null || true
	done
}
