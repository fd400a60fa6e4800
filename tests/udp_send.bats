#!/usr/bin/env bats
# udp-send against real receivers: socat, nc (OpenBSD), and
# tests/peers/udp_peer.py.

load helpers
load udp_helpers

setup() {
	D=$BATS_TEST_TMPDIR
}

teardown() {
	kill_bg
}

@test "MESSAGE words are joined by single spaces into one datagram" {
	py_recv "$D" 1
	run --separate-stderr "$SOCKIT" udp-send 127.0.0.1 "$PORT" hello  big "world"
	assert_success
	[ -z "$output" ]
	[ -z "$stderr" ]
	wait_pid "$PYPID"
	[ "$(wc -l <"$D/dgrams")" -eq 1 ]
	[ "$(cut -d' ' -f1 "$D/dgrams")" = "$(printf 'hello big world' | hex_of)" ]
}

@test "without MESSAGE, all of stdin is one datagram, newlines included" {
	py_recv "$D" 1
	printf 'line one\nline two\n\nthree' >"$D/in"
	run --separate-stderr "$SOCKIT" udp-send 127.0.0.1 "$PORT" <"$D/in"
	assert_success
	wait_pid "$PYPID"
	[ "$(wc -l <"$D/dgrams")" -eq 1 ]
	[ "$(cut -d' ' -f1 "$D/dgrams")" = "$(hex_of <"$D/in")" ]
}

@test "--lines: one datagram per line, newline not sent, empty lines skipped" {
	py_recv "$D" 0 127.0.0.1 1.5
	printf 'one\n\ntwo\n\n\nlast without newline' |
	    "$SOCKIT" udp-send --lines 127.0.0.1 "$PORT"
	wait_pid "$PYPID"
	run cut -d' ' -f1 "$D/dgrams"
	assert_output "$(printf 'one' | hex_of)
$(printf 'two' | hex_of)
$(printf 'last without newline' | hex_of)"
}

@test "--lines --empty: empty lines are sent as empty datagrams" {
	py_recv "$D" 4
	printf 'a\n\n\nb\n' | "$SOCKIT" udp-send -l --empty 127.0.0.1 "$PORT"
	wait_pid "$PYPID"
	run cut -d' ' -f1 "$D/dgrams"
	assert_output "61
-
-
62"
}

@test "--lines: the line count received equals the line count sent" {
	py_recv "$D" 500
	seq 1 500 | "$SOCKIT" udp-send --lines 127.0.0.1 "$PORT"
	wait_pid "$PYPID"
	[ "$(wc -l <"$D/dgrams")" -eq 500 ]
	[ "$(tail -1 "$D/dgrams" | cut -d' ' -f1)" = "$(printf 500 | hex_of)" ]
}

@test "to socat -u UDP-RECV: the payload arrives unchanged" {
	local port
	port=$(free_udp_port)
	socat -u UDP-RECV:"$port",bind=127.0.0.1 OPEN:"$D/socat.out",creat \
	    3>&- &
	bg_pids+=($!)
	wait_udp_bound "$port"
	head -c 3000 /dev/urandom >"$D/in"
	run "$SOCKIT" udp-send 127.0.0.1 "$port" <"$D/in"
	assert_success
	for ((i = 0; i < 50; i++)); do
		[ "$(stat -c %s "$D/socat.out")" -ge 3000 ] && break
		sleep 0.1
	done
	cmp "$D/in" "$D/socat.out"
}

@test "to nc -u -l: the payload arrives unchanged, HOST:PORT form" {
	local port
	port=$(free_udp_port)
	timeout 10 nc -u -l 127.0.0.1 "$port" >"$D/nc.out" </dev/null 3>&- &
	bg_pids+=($!)
	wait_udp_bound "$port"
	run "$SOCKIT" udp-send 127.0.0.1:"$port" hello nc
	assert_success
	for ((i = 0; i < 50; i++)); do
		[ -s "$D/nc.out" ] && break
		sleep 0.1
	done
	[ "$(cat "$D/nc.out")" = "hello nc" ]
}

@test "IPv6: [::1]:PORT, and a 65527-byte payload is the largest sent" {
	py_recv "$D" 1 ::1
	head -c 65527 /dev/zero | tr '\0' x >"$D/in"
	run --separate-stderr "$SOCKIT" udp-send "[::1]:$PORT" <"$D/in"
	assert_success
	wait_pid "$PYPID"
	[ "$(cut -d' ' -f2 "$D/dgrams")" = "::1" ]
	[ "$(cut -d' ' -f1 "$D/dgrams" | tr -d '\n' | wc -c)" -eq $((65527 * 2)) ]
	head -c 65528 /dev/zero >"$D/big"
	run --separate-stderr "$SOCKIT" udp-send ::1 "$PORT" <"$D/big"
	assert_failure 2
	[[ $stderr == *"65528 bytes"*"65527 bytes"*IPv6* ]]
}

@test "a payload over 65507 bytes (IPv4) is exit 2 naming size and limit; nothing sent" {
	py_recv "$D" 0 127.0.0.1 1
	head -c 70000 /dev/zero >"$D/big"
	run --separate-stderr "$SOCKIT" udp-send --count 3 127.0.0.1 "$PORT" <"$D/big"
	assert_failure 2
	[[ $stderr == "sockit: udp-send: payload of 70000 bytes is over the limit of 65507 bytes"* ]]
	[ -z "$output" ]
	head -c 65508 /dev/zero >"$D/big"
	run --separate-stderr "$SOCKIT" udp-send 127.0.0.1 "$PORT" <"$D/big"
	assert_failure 2
	run --separate-stderr "$SOCKIT" udp-send 127.0.0.1 "$PORT" "$(head -c 65508 /dev/zero | tr '\0' m)"
	assert_failure 2
	wait_pid "$PYPID"
	[ ! -s "$D/dgrams" ]
}

@test "udp session 3: --lines: the first line over the limit is named; the lines before it went, none after" {
	py_recv "$D" 0 127.0.0.1 1
	{ echo first; head -c 65508 /dev/zero | tr '\0' y; echo; echo third; } >"$D/in"
	run --separate-stderr "$SOCKIT" udp-send --lines 127.0.0.1 "$PORT" <"$D/in"
	assert_failure 2
	[[ $stderr == *"line 2 is 65508 bytes"*"65507"* ]]
	wait_pid "$PYPID"
	run cut -d' ' -f1 "$D/dgrams"
	assert_output "$(printf first | hex_of)"
}

@test "--count N sends N datagrams, each reported with -v" {
	py_recv "$D" 5
	run --separate-stderr "$SOCKIT" udp-send -v --count 5 127.0.0.1 "$PORT" ping
	assert_success
	[ "$(grep -c "^sent 4 bytes to 127.0.0.1 $PORT\$" <<<"$stderr")" -eq 5 ]
	wait_pid "$PYPID"
	[ "$(wc -l <"$D/dgrams")" -eq 5 ]
}

@test "--count: a large count is sent in sendmmsg batches" {
	command -v strace >/dev/null || skip "strace is not installed"
	py_recv "$D" 0 127.0.0.1 1
	# LeakSanitizer cannot run under ptrace: off, in a sanitizer build
	ASAN_OPTIONS=detect_leaks=0 run strace -f -c \
	    -e trace=sendmmsg,sendto,sendmsg -o "$D/strace" \
	    "$SOCKIT" udp-send --count 5000 127.0.0.1 "$PORT" x
	assert_success
	run awk '$NF == "sendmmsg" { print $4 }' "$D/strace"
	# 5000 datagrams in 1024-datagram batches: about 5 calls, not 5000
	[ -n "$output" ] && [ "$output" -le 10 ]
	run grep -E ' (sendto|sendmsg)$' "$D/strace"
	assert_failure
}

@test "--json: one sent event per datagram with the SPEC fields" {
	py_recv "$D" 2
	run --separate-stderr "$SOCKIT" udp-send --json --count 2 127.0.0.1 "$PORT" hello
	assert_success
	[ -z "$output" ]
	[ "$(jq -c . <<<"$stderr" | wc -l)" -eq 2 ]
	run jq -c . <<<"$(head -1 <<<"$stderr")"
	assert_output "{\"event\":\"sent\",\"address\":\"127.0.0.1\",\"port\":$PORT,\"bytes\":5}"
}

@test "--interval paces the datagrams" {
	py_recv "$D" 3
	local t0 t1
	t0=$(date +%s%N)
	run "$SOCKIT" udp-send --count 3 --interval 200ms 127.0.0.1 "$PORT" x
	t1=$(date +%s%N)
	assert_success
	# two pauses between three datagrams
	[ $(((t1 - t0) / 1000000)) -ge 390 ]
	wait_pid "$PYPID"
	[ "$(wc -l <"$D/dgrams")" -eq 3 ]
}

@test "-s and -p choose the source address and port" {
	local sport
	py_recv "$D" 1
	sport=$(free_udp_port)
	run --separate-stderr "$SOCKIT" udp-send -s 127.0.0.1 -p "$sport" 127.0.0.1 "$PORT" src
	assert_success
	wait_pid "$PYPID"
	[ "$(cut -d' ' -f2,3 "$D/dgrams")" = "127.0.0.1 $sport" ]
}

@test "redesign cli 3: -s takes a name, as in connect and connect -z" {
	local sport
	py_recv "$D" 1
	sport=$(free_udp_port)
	run --separate-stderr "$SOCKIT" udp-send -s localhost -p "$sport" 127.0.0.1 "$PORT" src
	assert_success
	[ -z "$stderr" ]
	wait_pid "$PYPID"
	[ "$(cut -d' ' -f2,3 "$D/dgrams")" = "127.0.0.1 $sport" ]
}

@test "redesign cli 3: -s NAME that does not resolve is exit 3 in connect, connect -z and udp-send alike" {
	local mode
	for mode in "connect" "connect -z" "udp-send"; do
		run --separate-stderr timeout 20 "$SOCKIT" $mode -s x.invalid 127.0.0.1 9 </dev/null
		assert_failure 3
		[[ $stderr == "sockit: ${mode% *}: source x.invalid: "* ]] ||
		    fail "$mode: $stderr"
	done
}

@test "--ttl sets the TTL of the datagrams" {
	py_recv "$D" 1
	run "$SOCKIT" udp-send --ttl 7 127.0.0.1 "$PORT" ttl
	assert_success
	wait_pid "$PYPID"
	[ "$(cut -d' ' -f4 "$D/dgrams")" = 7 ]
}

@test "-O sets a socket option; a bad one is exit 2" {
	py_recv "$D" 1
	run --separate-stderr "$SOCKIT" udp-send -O SO_SNDBUF=64K 127.0.0.1 "$PORT" x
	assert_success
	run --separate-stderr "$SOCKIT" udp-send -O SO_BOGUS=1 127.0.0.1 "$PORT" x
	assert_failure 2
	[[ $stderr == *SO_BOGUS* ]]
}

@test "--reply prints the datagram a python3 echo server sends back" {
	py_echo "$D"
	run --separate-stderr "$SOCKIT" udp-send --reply 127.0.0.1 "$PORT" "what time is it"
	assert_success
	assert_output "what time is it"
	run --separate-stderr "$SOCKIT" udp-send --reply --json 127.0.0.1 "$PORT" hi
	assert_success
	jq -e --argjson p "$PORT" '.from == "127.0.0.1" and .port == $p and .data == "hi" and .bytes == 2' <<<"$output"
}

@test "--reply with nothing back within -w is exit 1" {
	py_recv "$D" 1
	SECONDS=0
	run --separate-stderr timeout 10 "$SOCKIT" udp-send --reply -w 300ms 127.0.0.1 "$PORT" x
	assert_failure 1
	[[ $stderr == "sockit: udp-send: 127.0.0.1 $PORT: no reply within 300 ms" ]]
	[ -z "$output" ]
	[ "$SECONDS" -lt 3 ]
}

@test "ICMP port unreachable: exit 1, 'HOST PORT: Connection refused'" {
	local port
	port=$(free_udp_port)
	run --separate-stderr "$SOCKIT" udp-send --count 3 --interval 50ms 127.0.0.1 "$port" x
	assert_failure 1
	[ "$stderr" = "sockit: udp-send: 127.0.0.1 $port: Connection refused" ]
	run --separate-stderr "$SOCKIT" udp-send --reply 127.0.0.1 "$port" x
	assert_failure 1
	[ "$stderr" = "sockit: udp-send: 127.0.0.1 $port: Connection refused" ]
}

@test "-b allows a broadcast address; without it, exit 4 (own netns)" {
	unshare -n true 2>/dev/null || skip "network namespaces are not available"
	run timeout 10 unshare -n bash -c '
	    ip link set lo up
	    "$1" udp-recv -4 --count 1 -w 3s 5002 >"$2/bc.out" 2>/dev/null &
	    sleep 0.3
	    "$1" udp-send 127.255.255.255 5002 bc 2>"$2/nob.err"; echo "nob=$?"
	    "$1" udp-send -b 127.255.255.255 5002 bc; echo "b=$?"
	    wait $!; echo "recv=$?"' _ "$SOCKIT" "$D"
	assert_success
	assert_line nob=4
	assert_line b=0
	assert_line recv=0
	[ "$(cat "$D/bc.out")" = bc ]
	grep -q "Permission denied" "$D/nob.err"
}

@test "names: an unknown host is exit 3, an unknown service or -n name 2" {
	run --separate-stderr "$SOCKIT" udp-send no-such-host.invalid 9 x
	assert_failure 3
	[[ $stderr == "sockit: udp-send: "*"no-such-host.invalid"* ]]
	run --separate-stderr "$SOCKIT" udp-send 127.0.0.1 no-such-service x
	assert_failure 2
	run --separate-stderr "$SOCKIT" udp-send -n 127.0.0.1 domain x
	assert_failure 2
}

@test "usage errors: --empty without --lines, --count 0, --ttl 256, no PORT" {
	run --separate-stderr "$SOCKIT" udp-send --empty 127.0.0.1 9 x
	assert_failure 2
	[[ $stderr == *"--empty needs --lines"* ]]
	run --separate-stderr "$SOCKIT" udp-send --count 0 127.0.0.1 9 x
	assert_failure 2
	run --separate-stderr "$SOCKIT" udp-send --ttl 256 127.0.0.1 9 x
	assert_failure 2
	run --separate-stderr "$SOCKIT" udp-send 127.0.0.1
	assert_failure 2
	run --separate-stderr "$SOCKIT" udp-send --lines 127.0.0.1 9 extra
	assert_failure 2
}
