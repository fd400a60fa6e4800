#!/usr/bin/env bats
# UDP and Unix datagram sessions (SPEC "UDP sessions"): connect -u,
# listen -u [-k], udp-send --lines as lines come; against socat, OpenBSD
# nc and ncat, python3 (tests/peers/udp_peer.py) only to see datagram
# boundaries.

load helpers
load udp_helpers

setup() {
	D=$BATS_TEST_TMPDIR
}

teardown() {
	exec 7>&- 8>&- 9>&- 2>/dev/null || true
	kill_bg
}

# until FILE REGEX [COUNT]: as wait_grep, for a loaded machine (20 s).
until_grep() {
	local file=$1 re=$2 count=${3:-1} i
	for ((i = 0; i < 200; i++)); do
		(($(grep -c -E -- "$re" "$file" 2>/dev/null) >= count)) &&
		    return 0
		sleep 0.1
	done
	printf 'no %s lines matching "%s" in %s:\n' "$count" "$re" "$file" >&2
	cat "$file" >&2 2>/dev/null
	return 1
}

# socat_echo PORT: socat answering each datagram to 127.0.0.1 PORT with
# itself (a child per datagram), in the background.
socat_echo() {
	timeout 60 socat -b 70000 UDP-RECVFROM:"$1",bind=127.0.0.1,fork \
	    EXEC:cat 2>"$D/socat.log" 3>&- &
	bg_pids+=($!)
	wait_udp_bound "$1"
}

# listen_u OUT ERR ARGS...: sockit listen -u ARGS in the background,
# stdin from the fifo $D/in held open on fd 7, stdout OUT, stderr ERR;
# waits for "listening on" and sets PORT and LPID.
listen_u() {
	local out=$1 err=$2
	shift 2
	mkfifo "$D/in"
	"$SOCKIT" listen -u "$@" <"$D/in" >"$out" 2>"$err" 3>&- &
	LPID=$!
	bg_pids+=($LPID)
	exec 7>"$D/in"
	wait_for_listen "$err"
}

@test "udp session 1: connect -u to socat's echo: each line back as it comes, exit 0 after -q of quiet" {
	local port
	port=$(free_udp_port)
	socat_echo "$port"
	run --separate-stderr timeout 20 "$SOCKIT" connect -v -u 127.0.0.1 "$port" \
	    < <(printf 'one\ntwo\nthree\n')
	assert_success
	# socat answers each datagram from a child of its own (fork): under
	# load the answers may come in another order
	[ "$(sort <<<"$output")" = "$(printf 'one\nthree\ntwo')" ]
	[[ $stderr == *"connected to 127.0.0.1 $port from 127.0.0.1 "* ]]
	[[ $stderr == *"closed: 3 datagrams in, 3 out, 14 bytes in, 14 out,"* ]]
}

@test "udp session 1: a line is one datagram, newline included; --raw: a read is one" {
	py_recv "$D" 4
	printf 'a\nbb\n\nlast' | timeout 20 "$SOCKIT" connect -u -q 200ms 127.0.0.1 "$PORT"
	wait_pid "$PYPID"
	run cut -d' ' -f1 "$D/dgrams"
	assert_output "$(printf 'a\n' | hex_of)
$(printf 'bb\n' | hex_of)
$(printf '\n' | hex_of)
$(printf 'last' | hex_of)"
	py_recv "$D" 1
	printf 'a\nbb\n\nlast' >"$D/raw"
	timeout 20 "$SOCKIT" connect -u --raw -q 200ms 127.0.0.1 "$PORT" <"$D/raw"
	wait_pid "$PYPID"
	run cut -d' ' -f1 "$D/dgrams"
	assert_output "$(hex_of <"$D/raw")"
}

@test "udp session 1: OpenBSD nc -u -l as the peer: lines both ways" {
	local port
	port=$(free_udp_port)
	{ sleep 3; echo from-nc; sleep 20; } 3>&- |
	    timeout 30 nc -u -l 127.0.0.1 "$port" >"$D/nc.out" 2>&1 3>&- &
	bg_pids+=($!)
	wait_udp_bound "$port"
	{ echo from-sockit; sleep 6; } |
	    timeout 30 "$SOCKIT" connect -u 127.0.0.1 "$port" >"$D/out"
	grep -qx from-nc "$D/out"
	grep -qx from-sockit "$D/nc.out"
}

@test "udp session 1: ncat -u -l as the peer: sockit's line arrives, ncat's comes back" {
	local port
	port=$(free_udp_port)
	{ sleep 3; echo from-ncat; sleep 20; } 3>&- |
	    timeout 30 ncat -u -l 127.0.0.1 "$port" >"$D/ncat.out" 2>&1 3>&- &
	bg_pids+=($!)
	wait_udp_bound "$port"
	{ echo from-sockit; sleep 6; } |
	    timeout 30 "$SOCKIT" connect -u 127.0.0.1 "$port" >"$D/out"
	grep -qx from-ncat "$D/out"
	grep -qx from-sockit "$D/ncat.out"
}

@test "udp session 1: ICMP port unreachable is exit 1 naming it" {
	local port
	port=$(free_udp_port)
	run --separate-stderr timeout 20 "$SOCKIT" connect -u 127.0.0.1 "$port" \
	    < <(echo x; sleep 1; echo y)
	assert_failure 1
	[ -z "$output" ]
	[[ $stderr == "sockit: connect: 127.0.0.1 $port: Connection refused (ICMP port unreachable)" ]]
}

@test "udp session 1: -j: connected (proto udp) and closed with datagram and byte counts" {
	local port
	port=$(free_udp_port)
	socat_echo "$port"
	run --separate-stderr timeout 20 "$SOCKIT" -j connect -u -q 500ms \
	    127.0.0.1 "$port" < <(printf 'ab\ncd\n')
	assert_success
	jq -se 'map(select(.event == "connected" and .proto == "udp" and
	    .address == "127.0.0.1" and .local_address == "127.0.0.1")) |
	    length == 1' <<<"$stderr"
	jq -se 'map(select(.event == "closed" and .datagrams_in == 2 and
	    .datagrams_out == 2 and .bytes_in == 6 and .bytes_out == 6)) |
	    length == 1' <<<"$stderr"
}

@test "udp session 1: -6, -p and -O as in the TCP session: socat's IPv6 echo sees the source port; -O is set on the UDP socket" {
	local port sport
	port=$(free_udp_port ::1)
	sport=$(free_udp_port ::1)
	timeout 60 socat UDP6-RECVFROM:"$port",bind=[::1],fork \
	    SYSTEM:'echo "$SOCAT_PEERPORT"' 2>"$D/socat.log" 3>&- &
	bg_pids+=($!)
	wait_udp_bound "$port"
	run --separate-stderr timeout 20 "$SOCKIT" -j -6 connect -u -q 500ms \
	    -p "$sport" -O SO_RCVBUF=65536 ::1 "$port" < <(echo x)
	assert_success
	assert_output "$sport"
	jq -se --argjson p "$sport" 'map(select(.event == "connected" and
	    .address == "::1" and .local_port == $p)) | length == 1' <<<"$stderr"
	# -O reaches the UDP socket: a TCP option is refused for it
	run --separate-stderr "$SOCKIT" connect -u -O TCP_NODELAY=on 127.0.0.1 9 </dev/null
	assert_failure 2
	[[ $stderr == *"TCP_NODELAY: not valid for an IPv4 UDP socket"* ]]
}

@test "udp session 2: listen -u -w: no datagram in time is exit 1" {
	run --separate-stderr timeout 20 "$SOCKIT" listen -u -w 300ms 127.0.0.1 0 </dev/null
	assert_failure 1
	[[ $stderr == *"sockit: listen: no datagram within 300 ms"* ]]
}

@test "udp session 1: a 65507-byte line goes as one datagram and comes back whole" {
	local port
	port=$(free_udp_port)
	socat_echo "$port"
	{ head -c 65506 /dev/zero | tr '\0' y; echo; } >"$D/big"
	timeout 20 "$SOCKIT" connect -u 127.0.0.1 "$port" <"$D/big" >"$D/back"
	cmp "$D/big" "$D/back"
}

@test "udp session 1: --raw binary payloads (every byte value) go and come back unchanged" {
	local port
	port=$(free_udp_port)
	socat_echo "$port"
	python3 -c 'import sys; sys.stdout.buffer.write(bytes(range(256)) * 8)' >"$D/bin"
	timeout 20 "$SOCKIT" connect -u --raw 127.0.0.1 "$port" <"$D/bin" >"$D/back"
	cmp "$D/bin" "$D/back"
}

@test "udp session 2: listen -u: socat's datagrams to stdout, stdin lines back to it; another sender is not the peer" {
	listen_u "$D/out" "$D/err" -v 127.0.0.1 0
	mkfifo "$D/sin"
	timeout 30 socat - UDP:127.0.0.1:"$PORT" <"$D/sin" >"$D/socat.out" 3>&- &
	bg_pids+=($!)
	exec 8>"$D/sin"
	echo hello-from-socat >&8
	until_grep "$D/out" '^hello-from-socat$'
	until_grep "$D/err" "^peer 127\.0\.0\.1 [0-9]+$"
	echo back-to-socat >&7
	until_grep "$D/socat.out" '^back-to-socat$'
	echo stranger | timeout 5 nc -u -w1 127.0.0.1 "$PORT" || true
	echo second-from-socat >&8
	until_grep "$D/out" '^second-from-socat$'
	run grep -c stranger "$D/out"
	assert_output 0
}

@test "udp session 2: listen -u -k: three nc senders each get stdin; the silent one expires" {
	local i
	listen_u "$D/out" "$D/err" -v -k --idle-timeout 4s 127.0.0.1 0
	for i in 1 2; do
		{ echo "s$i"; while sleep 0.3; do echo "ka$i"; done; } 3>&- |
		    timeout 60 nc -u 127.0.0.1 "$PORT" >"$D/nc$i.out" 3>&- &
		bg_pids+=($!)
	done
	{ echo s3; sleep 60; } 3>&- | timeout 60 nc -u 127.0.0.1 "$PORT" >"$D/nc3.out" 3>&- &
	bg_pids+=($!)
	until_grep "$D/err" '^peer 127\.0\.0\.1 ' 3
	until_grep "$D/out" '^s3$'
	echo to-all >&7
	for i in 1 2 3; do until_grep "$D/nc$i.out" '^to-all$'; done
	until_grep "$D/err" '^expired 127\.0\.0\.1 '
	run grep -c '^expired' "$D/err"
	assert_output 1
	echo after >&7
	until_grep "$D/nc1.out" '^after$'
	until_grep "$D/nc2.out" '^after$'
	sleep 0.5
	run grep -c after "$D/nc3.out"
	assert_output 0
}

@test "udp session 2: listen -u and connect -u, both sockit: a session both ways, closed counts on each side" {
	listen_u "$D/out" "$D/err" -v 127.0.0.1 0
	{ echo ping; sleep 3; } 3>&- |
	    timeout 20 "$SOCKIT" connect -v -u 127.0.0.1 "$PORT" >"$D/cout" 2>"$D/cerr" 3>&- &
	bg_pids+=($!)
	until_grep "$D/out" '^ping$'
	echo pong >&7
	until_grep "$D/cout" '^pong$'
	until_grep "$D/cerr" '^closed: 1 datagrams in, 1 out, 5 bytes in, 5 out,'
}

@test "udp session 3: tail -f into udp-send --lines delivers each line while the writer runs" {
	local port
	port=$(free_udp_port)
	timeout 60 socat -u UDP-RECV:"$port",bind=127.0.0.1 OPEN:"$D/got",creat,append 3>&- &
	bg_pids+=($!)
	wait_udp_bound "$port"
	echo first >"$D/log"
	tail -f "$D/log" 3>&- | timeout 60 "$SOCKIT" udp-send --lines 127.0.0.1 "$port" 3>&- &
	bg_pids+=($!)
	until_grep "$D/got" '^first$'
	echo second >>"$D/log"
	until_grep "$D/got" '^firstsecond$'
}

@test "udp session 5: a terminal: a typed line leaves at once, before Ctrl-D" {
	local port
	port=$(free_udp_port)
	timeout 60 socat -u UDP-RECV:"$port",bind=127.0.0.1 OPEN:"$D/got",creat,append 3>&- &
	bg_pids+=($!)
	wait_udp_bound "$port"
	mkfifo "$D/keys"
	timeout 60 script -qfc "'$SOCKIT' connect -u 127.0.0.1 $port" /dev/null \
	    <"$D/keys" >"$D/term" 3>&- &
	local spid=$!
	bg_pids+=($spid)
	exec 9>"$D/keys"
	sleep 1
	printf 'typed line\r' >&9
	until_grep "$D/got" '^typed line$'
	kill -0 "$spid"
	printf '\004' >&9
	exec 9>&-
	wait_pid "$spid"
}

@test "udp session 4: Unix datagram, abstract names: connect -U @NAME -u to socat's echo, listen -U @NAME -u with connect" {
	local name="sockit-udp-$$-$RANDOM"
	timeout 60 socat ABSTRACT-RECVFROM:"$name-echo",fork EXEC:cat 2>"$D/socat.log" 3>&- &
	bg_pids+=($!)
	sleep 0.5
	run --separate-stderr timeout 20 "$SOCKIT" connect -v -U "@$name-echo" -u \
	    < <(printf 'over unix\n')
	assert_success
	assert_output "over unix"
	[[ $stderr == *"closed: 1 datagrams in, 1 out,"* ]]
	mkfifo "$D/in"
	"$SOCKIT" listen -v -u -U "@$name" <"$D/in" >"$D/out" 2>"$D/err" 3>&- &
	bg_pids+=($!)
	exec 7>"$D/in"
	until_grep "$D/err" "^listening on @$name"
	{ echo hi-unix; sleep 3; } 3>&- |
	    timeout 20 "$SOCKIT" connect -u -U "@$name" >"$D/cout" 3>&- &
	bg_pids+=($!)
	until_grep "$D/out" '^hi-unix$'
	echo back-unix >&7
	until_grep "$D/cout" '^back-unix$'
}

@test "udp session 4: udp-send -U and udp-recv -U: a path and an abstract name, with socat on the other end" {
	local name="sockit-udp-$$-$RANDOM"
	"$SOCKIT" udp-recv --json --count 2 -w 10s -U "@$name" >"$D/out" 2>"$D/err" 3>&- &
	local rpid=$!
	bg_pids+=($rpid)
	until_grep "$D/err" "\"address\":\"@$name\""
	"$SOCKIT" udp-send -U "@$name" hello unix
	printf 'from socat' | timeout 10 socat - ABSTRACT-SENDTO:"$name"
	wait_pid "$rpid"
	jq -se 'length == 2 and .[0].data == "hello unix" and .[0].port == null and
	    (.[0].from | startswith("@")) and .[1].data == "from socat"' "$D/out"
	timeout 20 socat -u UNIX-RECV:"$D/sock" OPEN:"$D/got",creat 3>&- &
	bg_pids+=($!)
	for ((i = 0; i < 100; i++)); do [[ -S $D/sock ]] && break; sleep 0.1; done
	printf 'one\ntwo\n' | "$SOCKIT" udp-send --lines -U "$D/sock"
	until_grep "$D/got" '^onetwo$'
}

@test "udp session 1: usage: --raw without -u, --tls and --proxy with -u are exit 2" {
	run --separate-stderr "$SOCKIT" connect --raw 127.0.0.1 9
	assert_failure 2
	run --separate-stderr "$SOCKIT" connect -u --tls 127.0.0.1 9
	assert_failure 2
	run --separate-stderr "$SOCKIT" connect -u --proxy socks5://127.0.0.1:1 127.0.0.1 9
	assert_failure 2
	run --separate-stderr "$SOCKIT" listen -u -e cat 0
	assert_failure 2
}

@test "udp session 1: usage: a stream's options with -u are exit 2 naming them, before any socket" {
	run --separate-stderr "$SOCKIT" connect -u -e cat 127.0.0.1 9
	assert_failure 2
	[ "${stderr_lines[0]}" = "sockit: connect: -e/-c run a command on a TCP or Unix stream connection: not with -u" ]
	for o in "--proxy-protocol v1" -t; do
		run --separate-stderr "$SOCKIT" connect -u $o 127.0.0.1 9
		assert_failure 2
		[ "${stderr_lines[0]}" = "sockit: connect: --proxy-protocol and -t are TCP's: not with -u" ]
	done
	for o in --broker --chat "--proxy-protocol v2" --mptcp -t; do
		run --separate-stderr "$SOCKIT" listen -u $o 127.0.0.1 0
		assert_failure 2
		[[ ${stderr_lines[0]} == "sockit: listen: -e, -c, --tls, -m, --allow, --deny, --no-shutdown, --broker, --chat, --proxy-protocol, --mptcp and -t do not go with -u" ]]
	done
}
