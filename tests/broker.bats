#!/usr/bin/env bats
# listen --broker and --chat (SPEC "More of what ncat and nc do"): every
# client's bytes to every other client and to stdout, each client's queue
# bounded by --max-queue (a client that falls behind is dropped, reason
# "slow", and nobody waits for it), chat names, announcements and
# transcripts; clients are nc, ncat, socat and a python3 peer.

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
	BIG=$T/big
}

teardown() {
	kill_bg
}

# client NAME CMD...: runs client CMD in the background with stdin the
# fifo $T/NAME.in (held open: the client never sees EOF) and stdout
# $T/NAME.out, for 60 s at most (without the test's fd 7); sets
# CLIENT_PID.
client() {
	local name=$1
	shift
	mkfifo "$T/$name.in"
	timeout 60 "$@" <>"$T/$name.in" >"$T/$name.out" 2>"$T/$name.err" 3>&- 7>&- &
	CLIENT_PID=$!
	bg_pids+=("$!")
}

# size_is FILE BYTES: waits (at most 60 s) until FILE holds BYTES bytes.
size_is() {
	local i
	for ((i = 0; i < 600; i++)); do
		[[ $(stat -c %s "$1" 2>/dev/null) == "$2" ]] && return 0
		sleep 0.1
	done
	echo "$1: $(stat -c %s "$1") bytes, not $2" >&2
	return 1
}

# ---- broker: every client to every other ----------------------------------

@test "ncat 1: --broker: nc, ncat, socat and python3 clients each get the others' lines, stdout all" {
	mkfifo "$T/in"
	sockit_listen "$T/log" --broker -v 127.0.0.1 0 <>"$T/in" >"$T/out"
	client nc nc 127.0.0.1 "$PORT"
	client ncat ncat 127.0.0.1 "$PORT"
	client socat socat - "TCP:127.0.0.1:$PORT"
	client py python3 "$PEERS/broker_client.py" "$PORT" relay
	wait_grep "$T/log" '^accepted 127\.0\.0\.1 [0-9]+$' 4
	for name in nc ncat socat py; do
		echo "from $name" >"$T/$name.in"
		wait_grep "$T/out" "^from $name\$"
	done
	echo "from stdin" >"$T/in"
	for name in nc ncat socat py; do
		wait_grep "$T/$name.out" '^from stdin$'
		for other in nc ncat socat py; do
			[[ $other == "$name" ]] && continue
			wait_grep "$T/$name.out" "^from $other\$"
		done
		# never its own line back
		run ! grep -q "^from $name\$" "$T/$name.out"
		[ "$(wc -l <"$T/$name.out")" -eq 4 ]
	done
	[ "$(wc -l <"$T/out")" -eq 4 ]
}

@test "ncat 1: --broker with stdin at its end (/dev/null): the clients still hear each other" {
	sockit_listen "$T/log" --broker -v 127.0.0.1 0 </dev/null >"$T/out"
	client a nc 127.0.0.1 "$PORT"
	client b socat - "TCP:127.0.0.1:$PORT"
	wait_grep "$T/log" '^accepted ' 2
	echo "a to b" >"$T/a.in"
	wait_grep "$T/b.out" '^a to b$'
	echo "b to a" >"$T/b.in"
	wait_grep "$T/a.out" '^b to a$'
	wait_grep "$T/out" '^b to a$'
}

@test "ncat 1: --broker: a client that never reads is dropped (slow); the others get every byte" {
	head -c 32M /dev/urandom >"$BIG"
	mkfifo "$T/in"
	sockit_listen "$T/log" --broker -j --max-queue 256K 127.0.0.1 0 \
	    <>"$T/in" >/dev/null
	python3 "$PEERS/broker_client.py" "$PORT" stall 2>"$T/stall.err" &
	bg_pids+=("$!")
	wait_grep "$T/stall.err" '^port '
	stall_port=$(awk '{print $2}' "$T/stall.err")
	timeout 60 nc -d 127.0.0.1 "$PORT" >"$T/r1" &
	bg_pids+=("$!")
	timeout 60 socat -u "TCP:127.0.0.1:$PORT" - >"$T/r2" &
	bg_pids+=("$!")
	wait_grep "$T/log" '"event":"accepted"' 3
	start=$(date +%s)
	timeout 60 ncat --send-only 127.0.0.1 "$PORT" <"$BIG"
	size_is "$T/r1" $((32 << 20))
	size_is "$T/r2" $((32 << 20))
	elapsed=$(($(date +%s) - start))
	cmp "$BIG" "$T/r1"
	cmp "$BIG" "$T/r2"
	echo "32 MiB to two readers in ${elapsed}s"
	[ "$elapsed" -lt 60 ]
	# the one that never read: dropped, reason slow
	wait_grep "$T/log" '"reason":"slow"'
	run jq -c --argjson p "$stall_port" \
	    'select(.event == "closed" and .peer_port == $p) | .reason' \
	    "$T/log"
	[ "$output" = '"slow"' ]
	# nobody else was
	[ "$(grep -c '"reason":"slow"' "$T/log")" -eq 1 ]
}

@test "ncat 1: --broker: a client leaving mid-message (a reset) stops nobody" {
	head -c 16M /dev/urandom >"$BIG"
	mkfifo "$T/in"
	sockit_listen "$T/log" --broker -v 127.0.0.1 0 <>"$T/in" >"$T/out"
	python3 "$PEERS/broker_client.py" "$PORT" reset 100000 \
	    2>"$T/reset.err" &
	bg_pids+=("$!")
	client reader nc 127.0.0.1 "$PORT"
	wait_grep "$T/log" '^accepted ' 2
	timeout 60 ncat --send-only 127.0.0.1 "$PORT" <"$BIG"
	size_is "$T/reader.out" $((16 << 20))
	cmp "$BIG" "$T/reader.out"
	wait_grep "$T/reset.err" '^left after 100000$'
	# the broker goes on: a new client hears the reader
	client late socat - "TCP:127.0.0.1:$PORT"
	wait_grep "$T/log" '^accepted ' 4
	echo "still here" >"$T/reader.in"
	wait_grep "$T/late.out" '^still here$'
	kill -0 "$SERVER_PID"
}

@test "ncat 1: --broker with -m and --allow/--deny: refused clients never join" {
	mkfifo "$T/in"
	sockit_listen "$T/log" --broker -v -m 2 --allow 127.0.0.0/8 \
	    --deny 127.0.0.2 127.0.0.1 0 <>"$T/in" >"$T/out"
	client a nc 127.0.0.1 "$PORT"
	a_pid=$CLIENT_PID
	client b ncat 127.0.0.1 "$PORT"
	wait_grep "$T/log" '^accepted ' 2
	# a third: over -m
	timeout 10 nc 127.0.0.1 "$PORT" </dev/null >"$T/third" || true
	wait_grep "$T/log" '^refused 127\.0\.0\.1 [0-9]+: max-conns$'
	# denied, by address
	timeout 10 nc -s 127.0.0.2 127.0.0.1 "$PORT" </dev/null >"$T/denied" ||
	    true
	wait_grep "$T/log" '^refused 127\.0\.0\.2 [0-9]+: denied$'
	echo "a to b" >"$T/a.in"
	wait_grep "$T/b.out" '^a to b$'
	echo "b to a" >"$T/b.in"
	wait_grep "$T/a.out" '^b to a$'
	[ ! -s "$T/third" ]
	[ ! -s "$T/denied" ]
	# a place is free again once a client leaves
	kill "$a_pid"
	wait_grep "$T/log" '^closed ' 1
	client c socat - "TCP:127.0.0.1:$PORT"
	wait_grep "$T/log" '^accepted ' 3
	echo "b to c" >"$T/b.in"
	wait_grep "$T/c.out" '^b to c$'
}

@test "ncat 1: --broker: exit 2 for -e, and for --max-queue without a broker" {
	run --separate-stderr "$SOCKIT" listen --broker -e cat 127.0.0.1 0
	[ "$status" -eq 2 ]
	[[ ${stderr%%$'\n'*} == "sockit: listen: --broker and --chat relay the clients to each other: no -e/-c" ]]
	run --separate-stderr "$SOCKIT" listen --max-queue 1M 127.0.0.1 0
	[ "$status" -eq 2 ]
	[[ $stderr == *"--max-queue goes with --broker or --chat"* ]]
	run --separate-stderr "$SOCKIT" listen --broker --max-queue 0 \
	    127.0.0.1 0
	[ "$status" -eq 2 ]
	[[ $stderr == *'bad --max-queue "0": expected a size'* ]]
}

# ---- chat ------------------------------------------------------------------

# port_of N: the port of the Nth accepted client in $T/log.
port_of() {
	awk -v n="$1" '/^accepted / && ++k == n {print $3}' "$T/log"
}

@test "ncat 1: --chat: the transcript, line by line: names, joins, leaves, control characters, long lines" {
	mkfifo "$T/in"
	sockit_listen "$T/log" --chat -v 127.0.0.1 0 <>"$T/in" >"$T/out"
	client u1 nc 127.0.0.1 "$PORT"
	wait_grep "$T/log" '^accepted ' 1
	# user2's stdin: a fifo this test holds open on fd 7, closed to leave
	mkfifo "$T/u2.in"
	timeout 60 socat - "TCP:127.0.0.1:$PORT" <"$T/u2.in" >"$T/u2.out" \
	    3>&- &
	bg_pids+=("$!")
	exec 7>"$T/u2.in"
	wait_grep "$T/u1.out" '^\* user2 joined'
	client u3 python3 "$PEERS/broker_client.py" "$PORT" relay
	wait_grep "$T/u1.out" '^\* user3 joined'
	p1=$(port_of 1) p2=$(port_of 2) p3=$(port_of 3)
	echo "hello all" >"$T/u1.in"
	wait_grep "$T/u3.out" '^<user1> hello all$'
	printf 'bell\a and esc\033[31m, crlf\r\n' >&7
	wait_grep "$T/u3.out" '^<user2> bell'
	# a line over 4K: cut at 4096 bytes, ends with a newline
	{ head -c 5000 /dev/zero | tr '\0' x; echo; } >"$T/u3.in"
	wait_grep "$T/u1.out" '^<user3> x'
	# user2 leaves mid-line: its end of file follows the bytes
	printf 'half a li' >&7
	exec 7>&-
	wait_grep "$T/u1.out" '^\* user2 left$'
	wait_grep "$T/u3.out" '^\* user2 left$'
	wait_grep "$T/out" '^\* user2 left$'
	long=$(head -c 4096 /dev/zero | tr '\0' x)
	cat >"$T/want.u1" <<-EOF
	* user2 joined from 127.0.0.1 $p2
	* user3 joined from 127.0.0.1 $p3
	<user2> bell? and esc?[31m, crlf
	<user3> $long
	<user2> half a li
	* user2 left
	EOF
	diff "$T/want.u1" "$T/u1.out"
	cat >"$T/want.u3" <<-EOF
	<user1> hello all
	<user2> bell? and esc?[31m, crlf
	<user2> half a li
	* user2 left
	EOF
	diff "$T/want.u3" "$T/u3.out"
	cat >"$T/want.out" <<-EOF
	* user1 joined from 127.0.0.1 $p1
	* user2 joined from 127.0.0.1 $p2
	* user3 joined from 127.0.0.1 $p3
	<user1> hello all
	<user2> bell? and esc?[31m, crlf
	<user3> $long
	<user2> half a li
	* user2 left
	EOF
	diff "$T/want.out" "$T/out"
}
