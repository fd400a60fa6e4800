#!/usr/bin/env bats
# listen: the stream session with real clients (nc, socat, curl, sockit
# connect), -k, -e/-c, access control, Unix sockets, inherited sockets,
# errors and events.

load helpers

setup_file() {
	head -c 100M /dev/urandom >"$BATS_FILE_TMPDIR/big"
	sha256sum <"$BATS_FILE_TMPDIR/big" >"$BATS_FILE_TMPDIR/big.sum"
	head -c 100M /dev/urandom >"$BATS_FILE_TMPDIR/big2"
	sha256sum <"$BATS_FILE_TMPDIR/big2" >"$BATS_FILE_TMPDIR/big2.sum"
}

setup() {
	BIG=$BATS_FILE_TMPDIR/big
	BIG_SUM=$(<"$BATS_FILE_TMPDIR/big.sum")
	BIG2=$BATS_FILE_TMPDIR/big2
	BIG2_SUM=$(<"$BATS_FILE_TMPDIR/big2.sum")
	T=$BATS_TEST_TMPDIR
}

teardown() {
	kill_bg
}

# server_done: waits (at most 5 s) for the listener started last to end;
# sets server_rc to its exit status.
server_done() {
	wait_gone "$SERVER_PID" || return 1
	server_rc=0
	wait "$SERVER_PID" || server_rc=$?
}

# unix_listen LOG [ARG...]: as sockit_listen, for -U (no port): waits for
# the "listening on PATH" event of `sockit listen -v ARG...`.
unix_listen() {
	local log=$1
	shift
	"$SOCKIT" listen -v "$@" <&0 2>"$log" 3>&- &
	SERVER_PID=$!
	bg_pids+=("$SERVER_PID")
	wait_grep "$log" '^listening on '
}

# event NAME: the first JSON event NAME in $T/log.
event() {
	jq -c --arg e "$1" 'select(.event == $e)' "$T/log" | head -n1
}

# ---- integrity: 100 MB each way -------------------------------------------

@test "100 MB sent by listen reach an nc client intact" {
	sockit_listen "$T/log" 127.0.0.1 0 <"$BIG" >"$T/out"
	run --separate-stderr to_file "$T/got" timeout 20 nc -d 127.0.0.1 \
	    "$PORT"
	assert_success
	[ "$(sha256sum <"$T/got")" = "$BIG_SUM" ]
	server_done
	[ "$server_rc" -eq 0 ]
	[ ! -s "$T/out" ]
}

@test "100 MB sent by an nc client arrive through listen intact" {
	# --recv-only: OpenBSD nc stops sending at the network's EOF
	sockit_listen "$T/log" --recv-only 127.0.0.1 0 </dev/null >"$T/got"
	run --separate-stderr timeout 20 nc -N 127.0.0.1 "$PORT" <"$BIG"
	assert_success
	server_done
	[ "$server_rc" -eq 0 ]
	[ "$(sha256sum <"$T/got")" = "$BIG_SUM" ]
}

@test "100 MB sent by listen reach a socat client intact" {
	sockit_listen "$T/log" 127.0.0.1 0 <"$BIG" >"$T/out"
	run --separate-stderr timeout 20 socat -u TCP:127.0.0.1:"$PORT" \
	    CREATE:"$T/got"
	# socat's reason, and the server's log, when it fails (seen once
	# under load: exit 1 with nothing on stdout)
	[ "$status" -eq 0 ] || {
		echo "socat exit $status: $stderr"
		cat "$T/log"
		false
	}
	[ "$(sha256sum <"$T/got")" = "$BIG_SUM" ]
	server_done
	[ "$server_rc" -eq 0 ]
}

@test "100 MB sent by a socat client arrive through listen intact" {
	sockit_listen "$T/log" 127.0.0.1 0 </dev/null >"$T/got"
	run --separate-stderr timeout 20 socat -u OPEN:"$BIG" \
	    TCP:127.0.0.1:"$PORT"
	assert_success
	server_done
	[ "$server_rc" -eq 0 ]
	[ "$(sha256sum <"$T/got")" = "$BIG_SUM" ]
}

@test "listen and connect carry 100 MB both ways at once intact" {
	sockit_listen "$T/log" 127.0.0.1 0 <"$BIG" >"$T/got2"
	run --separate-stderr to_file "$T/got1" timeout 20 "$SOCKIT" connect \
	    127.0.0.1 "$PORT" <"$BIG2"
	assert_success
	[ -z "$stderr" ]
	server_done
	[ "$server_rc" -eq 0 ]
	[ "$(sha256sum <"$T/got1")" = "$BIG_SUM" ]
	[ "$(sha256sum <"$T/got2")" = "$BIG2_SUM" ]
}

# ---- a single client -------------------------------------------------------

@test "curl gets a canned HTTP response from listen's stdin; stdout holds its request" {
	printf 'HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nhello' >"$T/resp"
	sockit_listen "$T/log" 127.0.0.1 0 <"$T/resp" >"$T/req"
	run --separate-stderr timeout 5 curl -sS "http://127.0.0.1:$PORT/"
	assert_success
	assert_output "hello"
	[ -z "$stderr" ]
	server_done
	[ "$server_rc" -eq 0 ]
	[ "$(head -n1 "$T/req")" = $'GET / HTTP/1.1\r' ]
}

@test "-O SO_RCVBUF=256K is accepted by listen" {
	sockit_listen "$T/log" -O SO_RCVBUF=256K 127.0.0.1 0 <<<"hi" \
	    >"$T/out"
	run --separate-stderr timeout 5 nc -N 127.0.0.1 "$PORT" <<<"ping"
	assert_success
	assert_output "hi"
	server_done
	[ "$server_rc" -eq 0 ]
	[ "$(cat "$T/out")" = "ping" ]
}

@test "-O bogus=1 is a usage error (exit 2) naming the option" {
	run --separate-stderr timeout 5 "$SOCKIT" listen -O bogus=1 \
	    127.0.0.1 0 </dev/null
	assert_failure 2
	[ -z "$output" ]
	[[ $stderr == *"bogus"* ]]
}

# ---- -k: many clients ------------------------------------------------------

@test "-k: stdin goes to every connected client and every client's data to stdout" {
	mkfifo "$T/in"
	# read-write: the fifo never reaches EOF while the server runs
	sockit_listen "$T/log" -k -v 127.0.0.1 0 <>"$T/in" >"$T/out"
	# nc keeps the connection open after its stdin's EOF
	timeout 10 nc 127.0.0.1 "$PORT" <<<"from one" >"$T/c1" 3>&- &
	bg_pids+=("$!")
	timeout 10 nc 127.0.0.1 "$PORT" <<<"from two" >"$T/c2" 3>&- &
	bg_pids+=("$!")
	wait_grep "$T/log" '^accepted 127\.0\.0\.1 [0-9]+$' 2
	echo "to all" >"$T/in"
	wait_grep "$T/c1" '^to all$'
	wait_grep "$T/c2" '^to all$'
	wait_grep "$T/out" '^from one$'
	wait_grep "$T/out" '^from two$'
	[ "$(wc -l <"$T/out")" -eq 2 ]
}

@test "-k: a client that sent and half-closed before it was accepted is served unwatched (strace: no epoll_ctl for it)" {
	mkfifo "$T/in"
	strace -f -qq -e trace=accept4,epoll_ctl -o "$T/trace" \
	    "$SOCKIT" listen -k -v 127.0.0.1 0 <>"$T/in" >"$T/out" \
	    2>"$T/log" 3>&- &
	bg_pids+=("$!")
	wait_for_listen "$T/log"
	pid=$(pgrep -P "$!")
	bg_pids+=("$pid")
	# one client at a time (a burst of them is drained, not read at once)
	for n in 1 2 3; do
		kill -STOP "$pid"
		timeout 10 nc -N 127.0.0.1 "$PORT" <<<"from $n" 3>&- &
		bg_pids+=("$!")
		# its bytes and FIN wait in the accept queue (CLOSE-WAIT)
		for ((i = 0; i < 50; i++)); do
			(($(ss -Htn state close-wait "sport = :$PORT" |
			    wc -l) == 1)) && break
			sleep 0.1
		done
		kill -CONT "$pid"
		wait_grep "$T/log" '^closed 127\.0\.0\.1 ' "$n"
	done
	[ "$(sort "$T/out")" = "$(printf 'from 1\nfrom 2\nfrom 3')" ]
	# the descriptors accept4 returned are never in an epoll_ctl
	fds=$(sed -nE 's/.*accept4\(.*\) = ([0-9]+)$/\1/p' "$T/trace" |
	    sort -u)
	[ -n "$fds" ]
	for fd in $fds; do
		if grep -E "epoll_ctl\([0-9]+, EPOLL_CTL_[A-Z]+, $fd," \
		    "$T/trace"; then
			false
		fi
	done
}

@test "-k --send-only: stdin goes to the clients, what they send is ignored" {
	mkfifo "$T/in"
	sockit_listen "$T/log" -k -v --send-only 127.0.0.1 0 <>"$T/in" \
	    >"$T/out"
	timeout 10 nc 127.0.0.1 "$PORT" <<<"ignored" >"$T/c1" 3>&- &
	bg_pids+=("$!")
	wait_grep "$T/log" '^accepted '
	echo "to all" >"$T/in"
	wait_grep "$T/c1" '^to all$'
	[ ! -s "$T/out" ]
	! grep -q '^closed ' "$T/log"
}

@test "-k -e cat: three concurrent clients each get back exactly their own data" {
	sockit_listen "$T/log" -k -e cat 127.0.0.1 0 </dev/null >/dev/null
	pids=()
	for i in 1 2 3; do
		head -c 300K /dev/urandom >"$T/d$i"
		# the pause makes the three sessions overlap
		timeout 10 sh -c '{ head -c 100K "$1"; sleep 0.3;
		    tail -c +102401 "$1"; } | "$0" connect 127.0.0.1 "$2"' \
		    "$SOCKIT" "$T/d$i" "$PORT" >"$T/r$i" 2>"$T/e$i" 3>&- &
		pids+=("$!")
		bg_pids+=("$!")
	done
	for i in 1 2 3; do
		wait "${pids[i - 1]}"
		cmp "$T/d$i" "$T/r$i"
		[ ! -s "$T/e$i" ]
	done
}

@test "-c runs CMD through /bin/sh" {
	sockit_listen "$T/log" -c 'echo $((6*7))' 127.0.0.1 0 </dev/null \
	    >"$T/out"
	run --separate-stderr timeout 5 socat -t 5 - TCP:127.0.0.1:"$PORT" \
	    </dev/null
	assert_success
	assert_output "42"
	server_done
	[ "$server_rc" -eq 0 ]
	[ ! -s "$T/out" ]
}

@test "-e runs CMD without a shell: quotes group, nothing else is expanded" {
	sockit_listen "$T/log" -e "echo 'a;b' '\$(x)'" 127.0.0.1 0 \
	    </dev/null >"$T/out"
	run --separate-stderr timeout 5 nc -d 127.0.0.1 "$PORT"
	assert_success
	assert_output 'a;b $(x)'
	server_done
	[ "$server_rc" -eq 0 ]
}

@test "-e: a client that half-closes still gets the child's whole reply" {
	sockit_listen "$T/log" -e sort 127.0.0.1 0 </dev/null >"$T/out"
	run --separate-stderr timeout 5 sh -c \
	    'printf "c\na\nb\n" | "$0" connect 127.0.0.1 "$1"' "$SOCKIT" "$PORT"
	assert_success
	assert_output $'a\nb\nc'
	[ -z "$stderr" ]
	server_done
	[ "$server_rc" -eq 0 ]
}

@test "-k -e: children are reaped when their clients end (no zombies)" {
	sockit_listen "$T/log" -k -e cat 127.0.0.1 0 </dev/null >/dev/null
	# not $i: bats 1.8's run sets it
	for n in 1 2 3; do
		run --separate-stderr timeout 5 "$SOCKIT" connect 127.0.0.1 \
		    "$PORT" <<<"x$n"
		assert_success
		assert_output "x$n"
	done
	for ((i = 0; i < 50; i++)); do
		stats=$(ps --ppid "$SERVER_PID" -o stat= || true)
		[[ -z $stats ]] && break
		sleep 0.1
	done
	[[ -z $stats ]]
	kill -0 "$SERVER_PID"
}

@test "-e: the closed event has bytes_in and bytes_out null" {
	sockit_listen "$T/log" -j -e cat 127.0.0.1 0 </dev/null >/dev/null
	run --separate-stderr timeout 5 "$SOCKIT" connect 127.0.0.1 "$PORT" \
	    <<<"hi"
	assert_success
	assert_output "hi"
	server_done
	[ "$server_rc" -eq 0 ]
	event closed | jq -e '.peer == "127.0.0.1" and .bytes_in == null and
	    .bytes_out == null and (.duration_ms | type) == "number"'
}

# hex_streams FILE: the -x dump in FILE as one line per client and
# direction, "HOST PORT DIR HEX" (the bytes, in hex, in order); fails when
# a record has no "# HOST PORT" line before it or when an offset does not
# follow on from that client's previous one in that direction.
hex_streams() {
	awk '
	function hex(s, i, v) {
		for (i = 1; i <= length(s); i++)
			v = v * 16 + index("0123456789abcdef", substr(s, i, 1)) - 1
		return v
	}
	/^# / { who = substr($0, 3); next }
	/^[<>] / {
		if (who == "") { print "no header before: " $0; bad = 1 }
		k = who " " $1
		if (hex($2) != at[k] + 0) {
			print "offset " $2 " of " k ", expected " at[k] + 0
			bad = 1
		}
		for (i = 3; i <= NF && substr($i, 1, 1) != "|"; i++) {
			data[k] = data[k] $i
			at[k]++
		}
	}
	END { for (k in data) print k, data[k]; exit bad }' "$1" | sort
}

# hex_of TEXT: TEXT (printf escapes) in hex, as hex_streams writes it.
hex_of() {
	printf "$1" | od -An -tx1 | tr -d ' \n'
}

@test "first hour 7: -e with -o and -x: the child's session is in the files" {
	sockit_listen "$T/log" -e cat -o "$T/copy" -x "$T/dump" 127.0.0.1 0 \
	    </dev/null >"$T/out"
	run --separate-stderr timeout 5 "$SOCKIT" connect 127.0.0.1 "$PORT" \
	    <<<"ping"
	assert_success
	assert_output "ping"
	server_done
	[ "$server_rc" -eq 0 ]
	# what the client sent, what the child sent back
	[ "$(cat "$T/copy")" = $'ping\nping' ]
	grep -qE '^< 00000000  70 69 6e 67 0a ' "$T/dump"
	grep -qE '^> 00000000  70 69 6e 67 0a ' "$T/dump"
	[ "$(wc -l <"$T/dump")" -eq 2 ]
}

@test "first hour 7: -k: each client's records in -o and -x follow a '# HOST PORT' line, offsets per client" {
	mkfifo "$T/in" "$T/f1" "$T/f2"
	sockit_listen "$T/log" -k -v -o "$T/copy" -x "$T/dump" 127.0.0.1 0 \
	    <>"$T/in" >"$T/out"
	# read-write fifos: the clients' stdin never ends
	timeout 20 nc 127.0.0.1 "$PORT" <>"$T/f1" >/dev/null 3>&- &
	bg_pids+=("$!")
	wait_grep "$T/log" '^accepted ' 1
	timeout 20 nc 127.0.0.1 "$PORT" <>"$T/f2" >/dev/null 3>&- &
	bg_pids+=("$!")
	wait_grep "$T/log" '^accepted ' 2
	one=$(sed -n 's/^accepted //p' "$T/log" | sed -n 1p)
	two=$(sed -n 's/^accepted //p' "$T/log" | sed -n 2p)
	echo aaaa >"$T/f1"
	wait_grep "$T/out" '^aaaa$'
	echo bbbb >"$T/f2"
	wait_grep "$T/out" '^bbbb$'
	echo cccc >"$T/f1"
	wait_grep "$T/out" '^cccc$'
	echo "to all" >"$T/in"
	wait_grep "$T/dump" '^>' 2
	# stdin goes to the clients in either order
	head -n 6 "$T/copy" >"$T/copy6"
	diff "$T/copy6" - <<-END
	# $one
	aaaa
	# $two
	bbbb
	# $one
	cccc
	END
	rest=$(tail -n +7 "$T/copy")
	[ "$rest" = "to all"$'\n'"# $two"$'\n'"to all" ] ||
	    [ "$rest" = "# $two"$'\n'"to all"$'\n'"# $one"$'\n'"to all" ]
	run hex_streams "$T/dump"
	assert_success
	assert_output "$(printf '%s\n' "$one < $(hex_of 'aaaa\ncccc\n')" \
	    "$one > $(hex_of 'to all\n')" "$two < $(hex_of 'bbbb\n')" \
	    "$two > $(hex_of 'to all\n')" | sort)"
}

@test "first hour 7: -k -e: each client's records follow a '# HOST PORT' line, offsets per client" {
	mkfifo "$T/f1" "$T/f2"
	sockit_listen "$T/log" -k -v -e cat -x "$T/dump" 127.0.0.1 0 \
	    </dev/null >/dev/null
	timeout 20 nc 127.0.0.1 "$PORT" <>"$T/f1" >"$T/r1" 3>&- &
	bg_pids+=("$!")
	wait_grep "$T/log" '^accepted ' 1
	timeout 20 nc 127.0.0.1 "$PORT" <>"$T/f2" >"$T/r2" 3>&- &
	bg_pids+=("$!")
	wait_grep "$T/log" '^accepted ' 2
	one=$(sed -n 's/^accepted //p' "$T/log" | sed -n 1p)
	two=$(sed -n 's/^accepted //p' "$T/log" | sed -n 2p)
	echo aaaa >"$T/f1"
	wait_grep "$T/r1" '^aaaa$'
	echo bbbb >"$T/f2"
	wait_grep "$T/r2" '^bbbb$'
	echo cccc >"$T/f1"
	wait_grep "$T/r1" '^cccc$'
	wait_grep "$T/dump" '^>' 3
	run hex_streams "$T/dump"
	assert_success
	assert_output "$(printf '%s\n' "$one < $(hex_of 'aaaa\ncccc\n')" \
	    "$one > $(hex_of 'aaaa\ncccc\n')" "$two < $(hex_of 'bbbb\n')" \
	    "$two > $(hex_of 'bbbb\n')" | sort)"
	# a header only where another client's record came in between
	[ "$(grep -c '^# ' "$T/dump")" -eq 3 ]
}

@test "first hour 7: -o and -x naming one file is a usage error (exit 2)" {
	for x in "$T/f" "$T/./f"; do
		run --separate-stderr timeout 5 "$SOCKIT" listen -o "$T/f" \
		    -x "$x" 127.0.0.1 0 </dev/null
		assert_failure 2
		[[ $stderr == *"-o $T/f and -x $x are the same file"* ]]
	done
	run --separate-stderr timeout 5 "$SOCKIT" connect -o "$T/f" -x "$T/f" \
	    127.0.0.1 9 </dev/null
	assert_failure 2
}

@test "--max-conns 1: a second concurrent client is refused, a later one accepted" {
	# stdin open (a fifo read-write): clients are not half-closed
	mkfifo "$T/in"
	sockit_listen "$T/log" -k -j --max-conns 1 127.0.0.1 0 <>"$T/in" \
	    >"$T/out"
	timeout 10 nc 127.0.0.1 "$PORT" <<<"one" >/dev/null 3>&- &
	first=$!
	bg_pids+=("$first")
	wait_grep "$T/log" '"event":"accepted"'
	run --separate-stderr timeout 5 nc -N 127.0.0.1 "$PORT" <<<"two"
	[ "$status" -ne 124 ]		# closed at once
	wait_grep "$T/log" '"event":"refused"'
	event refused | jq -e '.peer == "127.0.0.1" and .reason == "max-conns"'
	kill "$first"
	wait_grep "$T/log" '"event":"closed"'
	run --separate-stderr timeout 5 nc -N 127.0.0.1 "$PORT" <<<"three"
	assert_success
	wait_grep "$T/out" '^three$'
	wait_grep "$T/log" '"event":"accepted"' 2
	[ "$(grep -c . "$T/out")" -eq 2 ]
	! grep -q two "$T/out"
}

@test "-k --idle-timeout closes an idle client while an active one keeps working" {
	# stdin open (a fifo read-write): clients are not half-closed
	mkfifo "$T/in"
	sockit_listen "$T/log" -k -v --idle-timeout 300ms 127.0.0.1 0 \
	    <>"$T/in" >"$T/out"
	# --recv-only: never sends, never half-closes
	timeout 10 "$SOCKIT" connect --recv-only 127.0.0.1 "$PORT" \
	    >/dev/null 2>&1 3>&- &
	idle=$!
	bg_pids+=("$idle")
	run --separate-stderr timeout 5 sh -c 'for i in 1 2 3 4 5 6 7 8; do
	    echo "$i"; sleep 0.1; done | "$0" connect 127.0.0.1 "$1"' \
	    "$SOCKIT" "$PORT"
	assert_success
	[ -z "$stderr" ]
	# the idle one was closed by the server while the other went on
	! kill -0 "$idle" 2>/dev/null
	wait_grep "$T/log" ': idle timeout$'
	wait_grep "$T/log" '^closed ' 2
	[ "$(cat "$T/out")" = "$(seq 8)" ]
	kill -0 "$SERVER_PID"
}

# tail_of_big FILE A_OUT: FILE (what a later client got) is the tail of
# $BIG: all of it but the A_OUT bytes an earlier client took and what was
# left of the one chunk (at most 128K) it still owed when it went.
tail_of_big() {
	local got size
	got=$(stat -c %s "$1")
	size=$(stat -c %s "$BIG")
	echo "later client: $got bytes; earlier one: $2; stdin: $size"
	((got + $2 <= size && got + $2 >= size - 131072))
	cmp "$1" <(tail -c "$got" "$BIG")
}

@test "audit 1: -k: a client that half-closes owing part of a stdin chunk releases it; a later client gets the rest" {
	sockit_listen "$T/log" -k -j 127.0.0.1 0 <"$BIG" >/dev/null
	# A never reads the socket (socat -u) and half-closes after 1 s
	sleep 1 | timeout 20 socat -u -t 5 - TCP:127.0.0.1:"$PORT" 3>&- &
	bg_pids+=("$!")
	wait_grep "$T/log" '"event":"closed"'
	run --separate-stderr to_file "$T/got" timeout 20 nc -d 127.0.0.1 \
	    "$PORT"
	assert_success
	tail_of_big "$T/got" "$(event closed | jq .bytes_out)"
}

@test "audit 1: -k --idle-timeout 1s drops a client that takes nothing (reason idle) though it talks; a later client gets the rest" {
	sockit_listen "$T/log" -k -j --idle-timeout 1s 127.0.0.1 0 <"$BIG" \
	    >/dev/null
	# A sends a line every 0.2 s (traffic) but never reads (socat -u)
	timeout 20 sh -c 'while :; do echo x; sleep 0.2; done' |
	    timeout 20 socat -u - TCP:127.0.0.1:"$PORT" 3>&- &
	bg_pids+=("$!")
	wait_grep "$T/log" '"event":"closed"'
	event closed | jq -e '.reason == "idle" and .bytes_in > 0'
	run --separate-stderr to_file "$T/got" timeout 20 nc -d 127.0.0.1 \
	    "$PORT"
	assert_success
	tail_of_big "$T/got" "$(event closed | jq .bytes_out)"
}

@test "audit 1: -k: a reader waits for one that stopped reading (lossless), for --idle-timeout at most" {
	mkfifo "$T/in"
	sockit_listen "$T/log" -k -v --idle-timeout 1s 127.0.0.1 0 <>"$T/in" \
	    >/dev/null
	timeout 20 nc -d 127.0.0.1 "$PORT" >"$T/reader" 3>&- &
	bg_pids+=("$!")
	wait_grep "$T/log" '^accepted ' 1
	# stops reading once its pipe to a command that never reads is full
	timeout 20 socat -u TCP:127.0.0.1:"$PORT" SYSTEM:'sleep 30' 3>&- &
	bg_pids+=("$!")
	wait_grep "$T/log" '^accepted ' 2
	head -c 20M "$BIG" >"$T/in" &
	bg_pids+=("$!")
	wait_grep "$T/log" '^closed .*\(idle\)$'
	grep -q ': idle timeout$' "$T/log"
	for ((i = 0; i < 100; i++)); do
		[ "$(stat -c %s "$T/reader")" -ge $((20 * 1048576)) ] && break
		sleep 0.1
	done
	cmp "$T/reader" <(head -c 20M "$BIG")
	# the reader is still connected
	[ "$(grep -c '^closed ' "$T/log")" -eq 1 ]
}

# ---- --allow, --deny -------------------------------------------------------

@test "--allow 127.0.0.1/32 lets a loopback client in" {
	sockit_listen "$T/log" -j --allow 127.0.0.1/32 127.0.0.1 0 \
	    </dev/null >"$T/out"
	run --separate-stderr timeout 5 nc -N 127.0.0.1 "$PORT" <<<"in"
	assert_success
	server_done
	[ "$server_rc" -eq 0 ]
	[ "$(cat "$T/out")" = "in" ]
	[ -n "$(event accepted)" ]
}

@test "--deny 127.0.0.0/8 refuses a loopback client (reason denied)" {
	sockit_listen "$T/log" -j --deny 127.0.0.0/8 127.0.0.1 0 </dev/null \
	    >"$T/out"
	run --separate-stderr timeout 5 nc -N 127.0.0.1 "$PORT" <<<"in"
	[ "$status" -ne 124 ]
	wait_grep "$T/log" '"event":"refused"'
	event refused | jq -e '.peer == "127.0.0.1" and .reason == "denied"'
	[ ! -s "$T/out" ]
	[ -z "$(event accepted)" ]
}

@test "audit 5: --deny ::ffff:127.0.0.1 refuses a client from 127.0.0.1 (reason denied)" {
	# dual-stack: the client comes in as ::ffff:127.0.0.1
	sockit_listen "$T/log" -j --deny ::ffff:127.0.0.1 0 </dev/null \
	    >"$T/out"
	run --separate-stderr timeout 5 nc -N 127.0.0.1 "$PORT" <<<"in"
	[ "$status" -ne 124 ]
	wait_grep "$T/log" '"event":"refused"'
	event refused | jq -e '.peer == "127.0.0.1" and .reason == "denied"'
	[ ! -s "$T/out" ]
	[ -z "$(event accepted)" ]
}

@test "--deny wins over --allow" {
	sockit_listen "$T/log" -j --allow 127.0.0.1/32 --deny 127.0.0.0/8 \
	    127.0.0.1 0 </dev/null >"$T/out"
	run --separate-stderr timeout 5 nc -N 127.0.0.1 "$PORT" <<<"in"
	[ "$status" -ne 124 ]
	wait_grep "$T/log" '"event":"refused"'
	event refused | jq -e '.reason == "denied"'
	[ ! -s "$T/out" ]
}

@test "--allow 10.0.0.0/8 alone refuses 127.0.0.1 (reason not allowed)" {
	sockit_listen "$T/log" -j --allow 10.0.0.0/8 127.0.0.1 0 </dev/null \
	    >"$T/out"
	run --separate-stderr timeout 5 nc -N 127.0.0.1 "$PORT" <<<"in"
	[ "$status" -ne 124 ]
	wait_grep "$T/log" '"event":"refused"'
	event refused | jq -e '.reason == "not allowed"'
	[ ! -s "$T/out" ]
}

@test "-6 --allow ::1/128 lets an IPv6 loopback client in" {
	sockit_listen "$T/log" -6 -j --allow ::1/128 ::1 0 </dev/null \
	    >"$T/out"
	run --separate-stderr timeout 5 nc -6 -N ::1 "$PORT" <<<"in6"
	assert_success
	server_done
	[ "$server_rc" -eq 0 ]
	[ "$(cat "$T/out")" = "in6" ]
	event accepted | jq -e '.peer == "::1"'
}

@test "a bad CIDR is a usage error (exit 2) naming it" {
	run --separate-stderr timeout 5 "$SOCKIT" listen --allow 10.0.0.0/33 \
	    127.0.0.1 0 </dev/null
	assert_failure 2
	[ -z "$output" ]
	[[ $stderr == *"10.0.0.0/33"* ]]
}

# ---- Unix sockets ----------------------------------------------------------

@test "-U PATH exchanges data both ways with socat UNIX-CONNECT" {
	unix_listen "$T/log" -U "$T/sock" <<<"from sockit" >"$T/out"
	run --separate-stderr timeout 5 socat -t 5 - UNIX-CONNECT:"$T/sock" \
	    <<<"from socat"
	assert_success
	assert_output "from sockit"
	server_done
	[ "$server_rc" -eq 0 ]
	[ "$(cat "$T/out")" = "from socat" ]
}

@test "-U @NAME exchanges data both ways with socat ABSTRACT-CONNECT" {
	name=sockit-test-$$-$BATS_TEST_NUMBER
	unix_listen "$T/log" -U "@$name" <<<"from sockit" >"$T/out"
	run --separate-stderr timeout 5 socat -t 5 - ABSTRACT-CONNECT:"$name" \
	    <<<"from socat"
	assert_success
	assert_output "from sockit"
	server_done
	[ "$server_rc" -eq 0 ]
	[ "$(cat "$T/out")" = "from socat" ]
}

@test "-U replaces a stale socket file" {
	python3 "$PEERS/unix_peer.py" stale "$T/sock"
	[ -S "$T/sock" ]
	unix_listen "$T/log" -U "$T/sock" <<<"fresh" >"$T/out"
	run --separate-stderr timeout 5 socat -t 5 - UNIX-CONNECT:"$T/sock" \
	    </dev/null
	assert_success
	assert_output "fresh"
	server_done
	[ "$server_rc" -eq 0 ]
}

@test "-U does not take over the socket of a live server (exit 4)" {
	unix_listen "$T/log" -k -U "$T/sock" </dev/null >/dev/null
	run --separate-stderr timeout 5 "$SOCKIT" listen -U "$T/sock" \
	    </dev/null
	assert_failure 4
	[ -z "$output" ]
	[[ $stderr == "sockit: listen: "*"$T/sock"*"Address already in use" ]]
	kill -0 "$SERVER_PID"
	[ -S "$T/sock" ]
}

@test "-U refuses a regular file at PATH (exit 4) and leaves it intact" {
	echo "precious" >"$T/file"
	run --separate-stderr timeout 5 "$SOCKIT" listen -U "$T/file" \
	    </dev/null
	assert_failure 4
	[ -z "$output" ]
	[[ $stderr == "sockit: listen: "*"$T/file"* ]]
	[ -f "$T/file" ]
	[ "$(cat "$T/file")" = "precious" ]
}

@test "audit 2: -k -U on a path with a space, twice: the second exits 4, the first still serves" {
	p="$T/a b.sock"
	unix_listen "$T/log" -k -U "$p" </dev/null >"$T/out"
	run --separate-stderr timeout 5 "$SOCKIT" listen -k -U "$p" </dev/null
	assert_failure 4
	[ -z "$output" ]
	[[ $stderr == "sockit: listen: bind to $p: Address already in use" ]]
	kill -0 "$SERVER_PID"
	[ -S "$p" ]
	# the first server still owns the path: a client reaches it
	run timeout 5 nc -N -U "$p" <<<"still first"
	assert_success
	wait_grep "$T/out" '^still first$'
}

@test "audit 2: -U ./a.sock while a server has a.sock: exit 4, the first still serves" {
	cd "$T"
	unix_listen "$T/log" -k -U a.sock </dev/null >"$T/out"
	run --separate-stderr timeout 5 "$SOCKIT" listen -k -U ./a.sock \
	    </dev/null
	assert_failure 4
	[ -z "$output" ]
	[[ $stderr == "sockit: listen: bind to ./a.sock: Address already in use" ]]
	kill -0 "$SERVER_PID"
	run timeout 5 nc -N -U "$T/a.sock" <<<"still first"
	assert_success
	wait_grep "$T/out" '^still first$'
}

@test "audit 2: a second listen -U takes no client from a live one waiting for its first" {
	unix_listen "$T/log" -U "$T/sock" <<<"to the client" >"$T/out"
	run --separate-stderr timeout 5 "$SOCKIT" listen -U "$T/sock" \
	    </dev/null
	assert_failure 4
	[[ $stderr == *"Address already in use" ]]
	# the first still waits for its client, and serves it
	kill -0 "$SERVER_PID"
	[[ $(cat "$T/log") != *accepted* ]]
	run timeout 5 nc -N -U "$T/sock" <<<"the client"
	assert_success
	assert_output "to the client"
	server_done
	[ "$server_rc" -eq 0 ]
	[ "$(cat "$T/out")" = "the client" ]
}

@test "audit 2: at exit, listen -U removes its path only while it is still its own socket" {
	# A's socket file is replaced by B's: A's exit leaves B's in place
	unix_listen "$T/log" -k -U "$T/sock" </dev/null >/dev/null
	a=$SERVER_PID
	rm "$T/sock"
	unix_listen "$T/log2" -k -U "$T/sock" </dev/null >"$T/out2"
	b=$SERVER_PID
	kill "$a"
	wait_gone "$a"
	[ -S "$T/sock" ]
	run timeout 5 nc -N -U "$T/sock" <<<"to b"
	assert_success
	wait_grep "$T/out2" '^to b$'
	# B's own file goes with B
	kill "$b"
	wait_gone "$b"
	[ ! -e "$T/sock" ]
	# a regular file put in the place of C's socket stays
	unix_listen "$T/log3" -k -U "$T/sock" </dev/null >/dev/null
	rm "$T/sock"
	echo "precious" >"$T/sock"
	kill "$SERVER_PID"
	wait_gone "$SERVER_PID"
	[ "$(cat "$T/sock")" = "precious" ]
}

@test "-U -j: the listening event has the path, port null and proto unix" {
	run --separate-stderr timeout 5 "$SOCKIT" listen -j -w 300ms \
	    -U "$T/sock" </dev/null
	assert_failure 1
	[ -z "$output" ]
	head -n1 <<<"$stderr" | jq -e --arg p "$T/sock" '.event == "listening"
	    and .address == $p and .port == null and .proto == "unix"'
}

@test "first hour 4: an unnamed Unix client is peer null in accepted and closed; text says (unnamed)" {
	"$SOCKIT" listen -j -U "$T/sock" </dev/null >/dev/null 2>"$T/log" 3>&- &
	SERVER_PID=$!
	bg_pids+=("$SERVER_PID")
	wait_grep "$T/log" '"event":"listening"'
	run --separate-stderr timeout 5 socat -t 5 - UNIX-CONNECT:"$T/sock" \
	    </dev/null
	assert_success
	server_done
	[ "$server_rc" -eq 0 ]
	event accepted | jq -e '.peer == null and .peer_port == null'
	event closed | jq -e '.peer == null and .peer_port == null'
	unix_listen "$T/text" -U "$T/sock2" </dev/null >/dev/null
	run --separate-stderr timeout 5 socat -t 5 - UNIX-CONNECT:"$T/sock2" \
	    </dev/null
	server_done
	grep -qx 'accepted (unnamed)' "$T/text"
	grep -q '^closed (unnamed): ' "$T/text"
}

@test "audit 11: a Unix client's abstract name with ESC and BEL is escaped in text; JSON carries it" {
	# the client's abstract name
	name='\0x\x1b[31mred\x07'
	unix_listen "$T/log" -U "$T/sock" </dev/null >/dev/null
	run --separate-stderr timeout 5 python3 "$PEERS/unix_peer.py" \
	    connect "$T/sock" "$name"
	assert_success
	server_done
	cat "$T/log"
	[[ $(<"$T/log") != *$'\e'* && $(<"$T/log") != *$'\a'* ]]
	grep -qxF 'accepted @x\x1b[31mred\x07' "$T/log"
	grep -qF 'closed @x\x1b[31mred\x07: ' "$T/log"
	"$SOCKIT" listen -j -U "$T/sock2" </dev/null >/dev/null 2>"$T/log" \
	    3>&- &
	SERVER_PID=$!
	bg_pids+=("$SERVER_PID")
	wait_grep "$T/log" '"event":"listening"'
	run --separate-stderr timeout 5 python3 "$PEERS/unix_peer.py" \
	    connect "$T/sock2" "$name"
	assert_success
	server_done
	grep -qF '"peer":"@x\u001b[31mred\u0007"' "$T/log"
	event accepted | jq -e '.peer == "@x\u001b[31mred\u0007"'
	event closed | jq -e '.peer == "@x\u001b[31mred\u0007"'
}

# ---- inherited sockets -----------------------------------------------------

@test "LISTEN_FDS/LISTEN_PID: listen serves the inherited socket" {
	python3 "$PEERS/pass_socket.py" listen-fds "$SOCKIT" listen \
	    <<<"from sockit" >"$T/out" 2>"$T/log" 3>&- &
	SERVER_PID=$!
	bg_pids+=("$SERVER_PID")
	wait_for_listen "$T/log"
	run --separate-stderr timeout 5 nc -N 127.0.0.1 "$PORT" \
	    <<<"from nc"
	assert_success
	assert_output "from sockit"
	server_done
	[ "$server_rc" -eq 0 ]
	[ "$(cat "$T/out")" = "from nc" ]
}

@test "LISTEN_FDS naming a descriptor that is not open is exit 4" {
	run --separate-stderr timeout 5 sh -c \
	    'LISTEN_FDS=1 LISTEN_PID=$$ exec "$0" listen' "$SOCKIT" \
	    </dev/null 3>&-
	assert_failure 4
	[ -z "$output" ]
	[[ $stderr == "sockit: listen: inherited socket 3"* ]]
}

# ---- errors ----------------------------------------------------------------

@test "an address in use is exit 4 naming the port" {
	sockit_listen "$T/log" -k 127.0.0.1 0 </dev/null >/dev/null
	run --separate-stderr timeout 5 "$SOCKIT" listen 127.0.0.1 "$PORT" \
	    </dev/null
	assert_failure 4
	[ -z "$output" ]
	[[ $stderr == "sockit: listen: "*"$PORT"*"Address already in use" ]]
}

@test "listen -w 300ms with no client is exit 1 within 3 s" {
	run --separate-stderr timeout 3 "$SOCKIT" listen -w 300ms \
	    127.0.0.1 0 </dev/null
	assert_failure 1
	[ -z "$output" ]
	[[ $stderr == *"sockit: listen: no client within 300 ms"* ]]
}

@test "audit 9: listen -w 700h waits for a client (past INT_MAX ms); -w 10000000h is exit 2" {
	"$SOCKIT" listen -w 700h 127.0.0.1 0 </dev/null >/dev/null \
	    2>"$T/log" 3>&- &
	pid=$!
	bg_pids+=("$pid")
	wait_grep "$T/log" '^listening on '
	sleep 1
	kill -0 "$pid"
	[ "$(wc -l <"$T/log")" -eq 1 ]
	run --separate-stderr timeout 5 "$SOCKIT" listen -w 10000000h \
	    127.0.0.1 0 </dev/null
	assert_failure 2
	[ -z "$output" ]
	[[ $stderr == "sockit: listen: bad --timeout \"10000000h\": too large (at most 8760h)"* ]]
}

@test "port 70000 is a usage error (exit 2)" {
	run --separate-stderr timeout 5 "$SOCKIT" listen 127.0.0.1 70000 \
	    </dev/null
	assert_failure 2
	[ -z "$output" ]
	[[ $stderr == *"70000"* ]]
}

@test "no PORT is a usage error (exit 2)" {
	run --separate-stderr timeout 5 "$SOCKIT" listen </dev/null
	assert_failure 2
	[ -z "$output" ]
	[[ $stderr == "sockit: listen: "* ]]
}

@test "first hour 4: -j: listen's failures are error events: address in use (local, 4), no client (network, 1)" {
	sockit_listen "$T/first" 127.0.0.1 0 </dev/null >/dev/null
	run --separate-stderr timeout 5 "$SOCKIT" listen -j 127.0.0.1 "$PORT" \
	    </dev/null
	assert_failure 4
	[ -z "$output" ]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	jq -e '.event == "error" and .mode == "listen" and .kind == "local"
	    and .exit == 4 and (.message | endswith("Address already in use"))' \
	    <<<"$stderr"
	run --separate-stderr timeout 5 "$SOCKIT" listen -j -w 300ms \
	    127.0.0.1 0 </dev/null
	assert_failure 1
	[ "$(wc -l <<<"$stderr")" -eq 2 ]
	jq -c . <<<"$stderr"
	tail -n1 <<<"$stderr" | jq -e '. == {"event":"error","mode":"listen",
	    "kind":"network","message":"no client within 300 ms","exit":1}'
}

# ---- the listening event ---------------------------------------------------

@test "PORT 0 prints 'listening on ADDR PORT' even without -v" {
	run --separate-stderr timeout 5 "$SOCKIT" listen -w 300ms \
	    127.0.0.1 0 </dev/null
	assert_failure 1
	[ -z "$output" ]
	[[ $(head -n1 <<<"$stderr") =~ ^listening\ on\ 127\.0\.0\.1\ [1-9][0-9]*$ ]]
}

@test "--quiet suppresses the listening line of PORT 0" {
	run --separate-stderr timeout 5 "$SOCKIT" listen --quiet -w 300ms \
	    127.0.0.1 0 </dev/null
	assert_failure 1
	[ -z "$output" ]
	[[ $stderr != *"listening"* ]]
}

@test "-j: the listening event of a TCP port has address, port and proto tcp" {
	run --separate-stderr timeout 5 "$SOCKIT" listen -j -w 300ms \
	    127.0.0.1 0 </dev/null
	assert_failure 1
	[ -z "$output" ]
	head -n1 <<<"$stderr" | jq -e '.event == "listening" and
	    .address == "127.0.0.1" and .port > 0 and .proto == "tcp"'
}

# ---- IPv6 and events -------------------------------------------------------

@test "listen on ::1 0 exchanges data with connect [::1]:PORT" {
	sockit_listen "$T/log" ::1 0 <<<"v6 server" >"$T/out"
	[ "$ADDR" = "::1" ]
	run --separate-stderr timeout 5 "$SOCKIT" connect "[::1]:$PORT" \
	    <<<"v6 client"
	assert_success
	assert_output "v6 server"
	[ -z "$stderr" ]
	server_done
	[ "$server_rc" -eq 0 ]
	[ "$(cat "$T/out")" = "v6 client" ]
}

@test "first hour 10: listen -6 is IPv6 only: an IPv4 client is refused, an IPv6 one comes in" {
	sockit_listen "$T/log" -6 -k 0 </dev/null >"$T/out"
	[ "$ADDR" = "::" ]
	run timeout 5 nc -4 -z 127.0.0.1 "$PORT"
	assert_failure
	run timeout 5 nc -6 -N ::1 "$PORT" <<<"over v6"
	assert_success
	wait_grep "$T/out" '^over v6$'
	[ "$(wc -l <"$T/out")" -eq 1 ]
}

@test "-j: accepted and closed events are JSON on stderr, stdout is the client's bytes" {
	sockit_listen "$T/log" -j 127.0.0.1 0 <<<"hi" >"$T/out"
	run --separate-stderr timeout 5 nc -N 127.0.0.1 "$PORT" <<<"ping"
	assert_success
	assert_output "hi"
	server_done
	[ "$server_rc" -eq 0 ]
	[ "$(cat "$T/out")" = "ping" ]
	while IFS= read -r line; do
		jq -e . <<<"$line" >/dev/null
	done <"$T/log"
	[ "$(wc -l <"$T/log")" -eq 3 ]
	event listening | jq -e --argjson p "$PORT" '.address == "127.0.0.1"
	    and .port == $p and .proto == "tcp"'
	event accepted | jq -e '.peer == "127.0.0.1" and .peer_port > 0'
	event closed | jq -e '.peer == "127.0.0.1" and .bytes_in == 5 and
	    .bytes_out == 3 and (.duration_ms | type) == "number"'
}

@test "default ADDRESS is every interface, dual-stack: IPv4 and IPv6 clients both come in" {
	mkfifo "$T/in"
	# -k: a port scan running beside this test cannot take its only client
	sockit_listen "$T/dual" -k -v 0 <>"$T/in" >"$T/out"
	[ "$ADDR" = "::" ]
	echo v4 | timeout 5 "$SOCKIT" connect -q 0.2 127.0.0.1 "$PORT" >/dev/null
	echo v6 | timeout 5 "$SOCKIT" connect -q 0.2 ::1 "$PORT" >/dev/null
	wait_grep "$T/out" 'v6'
	[ "$(sort "$T/out" | tr '\n' ' ')" = "v4 v6 " ]
	# IPv4 clients are shown as IPv4, not v4-mapped
	grep -q '^accepted 127.0.0.1 ' "$T/dual"
}

@test "a closed stdin (<&-) is read as /dev/null: listen -k serves, the client sees EOF" {
	"$SOCKIT" -v listen -k 127.0.0.1 0 <&- >"$T/out" 2>"$T/l" 3>&- &
	bg_pids+=($!)
	wait_for_listen "$T/l"
	run timeout 5 "$SOCKIT" connect 127.0.0.1 "$PORT" <<<"hello"
	assert_success
	assert_output ""
	wait_grep "$T/l" '^closed'
	[ "$(cat "$T/out")" = hello ]
	# and stdout closed too: the client's bytes go nowhere, no error
	"$SOCKIT" listen 127.0.0.1 0 <&- >&- 2>"$T/l2" 3>&- &
	bg_pids+=($!)
	wait_for_listen "$T/l2"
	run timeout 5 "$SOCKIT" connect 127.0.0.1 "$PORT" <<<"hello"
	assert_success
}

@test "-k: stdin that comes while no client is connected waits, without a busy loop, for the next client" {
	mkfifo "$T/in"
	sockit_listen "$T/log" -k -v 127.0.0.1 0 <>"$T/in" >"$T/out"
	run timeout 5 "$SOCKIT" connect 127.0.0.1 "$PORT" </dev/null
	wait_grep "$T/log" '^closed'
	# nobody connected: the line stays in the fifo ...
	echo "held" >"$T/in"
	# ... and the server sleeps meanwhile
	sleeps_1s "$SERVER_PID"
	run timeout 5 "$SOCKIT" connect 127.0.0.1 "$PORT" </dev/null
	assert_success
	assert_output "held"
}

@test "-k: 500 clients queued at once (--backlog 512) are all served, each once" {
	mkfifo "$T/in"
	# a backlog that holds them all: past it, the kernel answers with SYN
	# cookies, and under load some fail and are reset (SyncookiesFailed)
	sockit_listen "$T/log" -k --backlog 512 127.0.0.1 0 <>"$T/in" >"$T/out"
	# each sends its number, half-closes and waits for the server's EOF
	run timeout 60 python3 "$PEERS/tcp_clients.py" burst "$PORT" 500
	assert_success
	assert_output 500
	wait_grep "$T/out" '.' 500
	diff <(seq 0 499) <(sort -n "$T/out")
}
