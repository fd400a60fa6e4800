#!/usr/bin/env bats
# udp-recv against real senders: socat, sockit udp-send, and
# tests/peers/udp_peer.py.

load helpers
load udp_helpers

setup() {
	D=$BATS_TEST_TMPDIR
}

teardown() {
	kill_bg
}

@test "port 0: 'listening on ADDR PORT' on stderr, even without -v" {
	start_recv "$D/out" "$D/err" -w 200ms 127.0.0.1 0
	[ "$ADDR" = 127.0.0.1 ]
	[ "$PORT" -gt 0 ]
	run --separate-stderr "$SOCKIT" udp-recv --quiet -w 100ms 127.0.0.1 0
	assert_failure 1
	[[ $stderr != *listening* ]]
}

@test "--json: the listening event has proto udp; with a fixed port only with -v" {
	local port
	port=$(free_udp_port)
	run --separate-stderr "$SOCKIT" udp-recv -w 100ms 127.0.0.1 "$port"
	assert_failure 1
	[[ $stderr != *listening* ]]
	run --separate-stderr "$SOCKIT" udp-recv --json -w 100ms 127.0.0.1 "$port"
	assert_failure 1
	run jq -c . <<<"$(head -1 <<<"$stderr")"
	assert_output "{\"event\":\"listening\",\"address\":\"127.0.0.1\",\"port\":$port,\"proto\":\"udp\"}"
}

@test "the default address is dual-stack ::, and IPv4 senders show as IPv4" {
	start_recv "$D/out" "$D/err" --json --count 1 -w 5s 0
	[ "$ADDR" = "::" ]
	run py_send 127.0.0.1 "$PORT" 7634
	wait_pid "$RPID"
	jq -e '.from == "127.0.0.1" and .data == "v4"' "$D/out"
}

@test "from socat: each payload on stdout as it arrives" {
	start_recv "$D/out" "$D/err" --count 2 -w 5s 127.0.0.1 0
	printf 'first\n' | socat -u - UDP-SENDTO:127.0.0.1:"$PORT"
	for ((i = 0; i < 50; i++)); do
		[ -s "$D/out" ] && break
		sleep 0.1
	done
	# written before the second datagram came
	[ "$(cat "$D/out")" = first ]
	printf 'second' | socat -u - UDP-SENDTO:127.0.0.1:"$PORT"
	wait_pid "$RPID"
	[ "$(cat "$D/out")" = "first
second" ]
}

# Sends "one" (socat), "two\n" (nc -u), "three\n\n" (socat) and "four"
# (nc -u) to 127.0.0.1 $PORT, one after the other.
send_four() {
	printf 'one' | socat -u - UDP-SENDTO:127.0.0.1:"$PORT"
	printf 'two\n' | timeout 5 nc -u -q0 127.0.0.1 "$PORT"
	printf 'three\n\n' | socat -u - UDP-SENDTO:127.0.0.1:"$PORT"
	printf 'four' | timeout 5 nc -u -q0 127.0.0.1 "$PORT"
}

@test "first hour 10: --lines ends each datagram from socat and nc -u with a newline" {
	start_recv "$D/out" "$D/err" --lines --count 4 -w 5s 127.0.0.1 0
	send_four
	wait_pid "$RPID"
	printf 'one\ntwo\nthree\n\nfour\n' >"$D/want"
	cmp "$D/want" "$D/out"
}

@test "first hour 10: without --lines the payloads are raw; with --json --lines changes nothing" {
	start_recv "$D/out" "$D/err" --count 4 -w 5s 127.0.0.1 0
	send_four
	wait_pid "$RPID"
	printf 'onetwo\nthree\n\nfour' >"$D/want"
	cmp "$D/want" "$D/out"
	start_recv "$D/out" "$D/err" --json --lines --count 4 -w 5s 127.0.0.1 0
	send_four
	wait_pid "$RPID"
	run jq -c .data "$D/out"
	assert_output $'"one"\n"two\\n"\n"three\\n\\n"\n"four"'
}

@test "--count 3 stops after three datagrams from python3, exit 0" {
	start_recv "$D/out" "$D/err" --count 3 -w 5s 127.0.0.1 0
	py_send 127.0.0.1 "$PORT" 61 62 63 64 >/dev/null
	wait_pid "$RPID"
	[ "$(cat "$D/out")" = abc ]
}

@test "-w with nothing arriving is exit 1; after a datagram, exit 0" {
	SECONDS=0
	run --separate-stderr "$SOCKIT" udp-recv -w 300ms 127.0.0.1 0
	assert_failure 1
	[[ $stderr == *"sockit: udp-recv: no datagram within 300 ms"* ]]
	[ -z "$output" ]
	[ "$SECONDS" -lt 3 ]
	# -w is an idle deadline: long enough for python3 to start, loaded
	start_recv "$D/out" "$D/err" -w 3s 127.0.0.1 0
	py_send 127.0.0.1 "$PORT" 6869 >/dev/null
	wait_pid "$RPID"
	[ "$(cat "$D/out")" = hi ]
}

@test "--json: from, port, bytes, data and a kernel time stamp" {
	local sport
	start_recv "$D/out" "$D/err" --json --count 1 -w 5s 127.0.0.1 0
	sport=$(py_send 127.0.0.1 "$PORT" "$(printf 'héllo' | od -An -v -tx1 | tr -d ' \n')")
	wait_pid "$RPID"
	[ "$(wc -l <"$D/out")" -eq 1 ]
	jq -e --argjson p "$sport" '.from == "127.0.0.1" and .port == $p and
	    .bytes == 6 and .data == "héllo" and (has("data_base64") | not)' "$D/out"
	# ISO 8601 UTC with microseconds, within a minute of now
	jq -er .time "$D/out" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$'
	local t now
	t=$(date -u -d "$(jq -r .time "$D/out")" +%s)
	now=$(date -u +%s)
	[ $((now - t)) -ge 0 ] && [ $((now - t)) -lt 60 ]
}

@test "--json: a binary payload (NUL, 0xff) is data_base64 and decodes to it" {
	start_recv "$D/out" "$D/err" --json --count 2 -w 5s 127.0.0.1 0
	head -c 1000 /dev/urandom >"$D/bin"
	printf 'a\0b' >"$D/nul"
	"$SOCKIT" udp-send 127.0.0.1 "$PORT" <"$D/bin"
	"$SOCKIT" udp-send 127.0.0.1 "$PORT" <"$D/nul"
	wait_pid "$RPID"
	jq -c . "$D/out" >/dev/null
	sed -n 1p "$D/out" | jq -e '(has("data") | not) and .bytes == 1000'
	sed -n 1p "$D/out" | jq -r .data_base64 | base64 -d >"$D/bin.got"
	cmp "$D/bin" "$D/bin.got"
	sed -n 2p "$D/out" | jq -r .data_base64 | base64 -d >"$D/nul.got"
	cmp "$D/nul" "$D/nul.got"
}

@test "--echo answers a python3 client with its own datagram" {
	start_recv "$D/out" "$D/err" --echo --count 1 -w 5s 127.0.0.1 0
	run python3 "$PEERS/udp_peer.py" ask 127.0.0.1 "$PORT" "ping 123"
	assert_success
	assert_output "ping 123"
	wait_pid "$RPID"
	[ "$(cat "$D/out")" = "ping 123" ]
}

@test "IPv6 ::1: bound, and the sender is ::1" {
	start_recv "$D/out" "$D/err" --json --count 1 -w 5s ::1 0
	[ "$ADDR" = ::1 ]
	py_send ::1 "$PORT" 7636 >/dev/null
	wait_pid "$RPID"
	jq -e '.from == "::1" and .data == "v6"' "$D/out"
}

@test "sockit udp-send --count to udp-recv --count: all arrive" {
	start_recv "$D/out" "$D/err" --count 200 -w 5s -O SO_RCVBUF=1M 127.0.0.1 0
	run "$SOCKIT" udp-send --count 200 127.0.0.1 "$PORT" x
	assert_success
	wait_pid "$RPID"
	[ "$(wc -c <"$D/out")" -eq 200 ]
}

@test "a burst held in the socket buffer is received in full" {
	start_recv "$D/out" "$D/err" --count 300 -w 5s -O SO_RCVBUF=2M 127.0.0.1 0
	kill -STOP "$RPID"
	"$SOCKIT" udp-send --count 300 127.0.0.1 "$PORT" "$(printf '%0100d' 0)"
	kill -CONT "$RPID"
	wait_pid "$RPID"
	[ "$(wc -c <"$D/out")" -eq 30000 ]
}

@test "perf 4: datagrams the kernel joins (a UDP_SEGMENT sender, udp-recv UDP_GRO) come out one by one, in order" {
	start_recv "$D/out" "$D/err" --count 1000 -w 5s --json 127.0.0.1 0
	# held while they come: one length in a row travels joined.  The
	# sender is python3 with UDP_SEGMENT (as QUIC servers send); no
	# packaged peer sends that way, and udp-send sends one by one
	kill -STOP "$RPID"
	{ seq -f '%04g' 1 998; echo 12345; echo 6; } >"$D/lines"
	run python3 -c '
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect(("127.0.0.1", int(sys.argv[1])))
lines = [l.rstrip(b"\n") for l in open(sys.argv[2], "rb")]
i = 0
while i < len(lines):
    n = len(lines[i]); j = i
    while j < len(lines) and j - i < 64 and len(lines[j]) == n:
        j += 1
    seg = [(17, 103, struct.pack("H", n))] if j - i > 1 else []
    s.sendmsg([b"".join(lines[i:j])], seg)
    i = j
' "$PORT" "$D/lines"
	assert_success
	kill -CONT "$RPID"
	wait_pid "$RPID"
	run jq -r .data "$D/out"
	assert_output "$(cat "$D/lines")"
	run jq -r .bytes "$D/out"
	assert_output "$({ yes 4 | head -n 998; echo 5; echo 1; })"
}

@test "perf 4: datagrams over the MTU the kernel will not segment go one by one (lo at 1500, own network namespace)" {
	head -c 2000 /dev/zero | tr '\0' a >"$D/line"
	{ cat "$D/line"; echo; cat "$D/line"; echo; cat "$D/line"; echo; } >"$D/lines"
	run timeout 20 unshare -n bash -c '
	    ip link set lo up && ip link set lo mtu 1500 || exit 99
	    "$1" -v udp-recv --json --count 3 -w 5s 127.0.0.1 5001 \
	        >"$2/big.out" 2>"$2/big.err" &
	    pid=$!
	    for i in $(seq 50); do
	        grep -q "listening" "$2/big.err" && break; sleep 0.1
	    done
	    "$1" udp-send --lines 127.0.0.1 5001 <"$2/lines" || exit 98
	    wait $pid' _ "$SOCKIT" "$D"
	assert_success
	run jq -r .bytes "$D/big.out"
	assert_output "$(printf '2000\n2000\n2000')"
}

@test "multicast: --join a group on lo (own network namespace)" {
	unshare -n true 2>/dev/null ||
	    skip "network namespaces are not available (unshare -n failed)"
	run timeout 20 unshare -n bash -c '
	    ip link set lo up && ip link set lo multicast on &&
	    ip route add 224.0.0.0/4 dev lo || exit 99
	    "$1" udp-recv --json --join 239.1.2.3 --interface lo --count 1 \
	        -w 5s 5000 >"$2/mc.out" 2>"$2/mc.err" &
	    pid=$!
	    for i in $(seq 50); do
	        ip maddr show dev lo | grep -q 239.1.2.3 && break; sleep 0.1
	    done
	    "$1" udp-send --ttl 1 239.1.2.3 5000 hello group
	    wait $pid' _ "$SOCKIT" "$D"
	[ "$status" -ne 99 ] || skip "no multicast route on lo in a namespace"
	assert_success
	jq -e '.data == "hello group"' "$D/mc.out"
}

@test "IPv6 multicast: --join ff15::1234 is accepted (own network namespace)" {
	unshare -n true 2>/dev/null ||
	    skip "network namespaces are not available (unshare -n failed)"
	run timeout 20 unshare -n bash -c '
	    ip link set lo up && ip link set lo multicast on || exit 99
	    "$1" udp-recv -v --join ff15::1234 --interface lo -w 1s 0 2>&1 &
	    sleep 0.5
	    ip maddr show dev lo
	    wait' _ "$SOCKIT"
	[ "$status" -ne 99 ] || skip "cannot set up lo in a namespace"
	assert_line --partial "listening on :: "
	assert_line --partial "ff15::1234"
}

@test "--join needs a multicast group; --interface needs --join" {
	run --separate-stderr "$SOCKIT" udp-recv --join 127.0.0.1 0
	assert_failure 2
	[[ $stderr == *'bad group "127.0.0.1": not a multicast address'* ]]
	run --separate-stderr "$SOCKIT" udp-recv --interface lo 0
	assert_failure 2
	run --separate-stderr "$SOCKIT" udp-recv --join 239.1.2.3 --interface nosuchif0 -w 100ms 0
	assert_failure 2
	[[ $stderr == *nosuchif0* ]]
}

@test "a port in use is exit 4 naming the address" {
	start_recv "$D/out" "$D/err" -w 5s 127.0.0.1 0
	run --separate-stderr "$SOCKIT" udp-recv -w 100ms 127.0.0.1 "$PORT"
	assert_failure 4
	[ "$stderr" = "sockit: udp-recv: bind to 127.0.0.1 port $PORT: Address already in use" ]
}

@test "bad ports are exit 2; an unknown ADDRESS name is exit 3" {
	run --separate-stderr "$SOCKIT" udp-recv 70000
	assert_failure 2
	run --separate-stderr "$SOCKIT" udp-recv no-such-service
	assert_failure 2
	run --separate-stderr "$SOCKIT" udp-recv -n domain
	assert_failure 2
	run --separate-stderr "$SOCKIT" udp-recv no-such-host.invalid 0
	assert_failure 3
	run --separate-stderr "$SOCKIT" udp-recv
	assert_failure 2
}

@test "a reader that closes stdout early: exit 4, quietly" {
	local port
	port=$(free_udp_port)
	(
		rc=0
		"$SOCKIT" udp-recv -w 5s 127.0.0.1 "$port" 2>"$D/err" 3>&- ||
		    rc=$?
		echo "$rc" >"$D/rc"
	) | head -c1 >"$D/head" &
	bg_pids+=($!)
	wait_udp_bound "$port"
	for ((i = 0; i < 20; i++)); do
		[[ -s $D/rc ]] && break
		"$SOCKIT" udp-send 127.0.0.1 "$port" "$(printf '%08192d' 0)" 2>/dev/null || true
		sleep 0.1
	done
	wait_file "$D/rc"
	[ "$(cat "$D/rc")" -eq 4 ]
	[ ! -s "$D/err" ]
}
