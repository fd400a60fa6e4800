#!/usr/bin/env bats
# -t/--telnet (SPEC "More of what ncat and nc do"): telnet negotiation
# answered as nc and ncat do (every option refused), IAC sequences kept off
# stdout; a python3 server sends real negotiation.

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
}

teardown() {
	kill_bg
}

# telnet_server: tests/peers/telnet_server.py in the background, what the
# client sent (hex) to $T/got; sets PORT.
telnet_server() {
	python3 "$PEERS/telnet_server.py" >"$T/got" 2>"$T/srv.log" 3>&- &
	bg_pids+=("$!")
	wait_for_listen "$T/srv.log"
}

@test "ncat 2: connect -t: DO/DONT answered WONT, WILL/WONT answered DONT; no IAC on stdout" {
	telnet_server
	{ sleep 2; echo bye; } |
	    timeout 20 "$SOCKIT" connect -t 127.0.0.1 "$PORT" >"$T/out"
	# text, IAC IAC as one 0xff; negotiation, subnegotiation, NOP gone
	printf 'hello\377 world\r\nend\n' >"$T/want"
	cmp "$T/want" "$T/out"
	wait_grep "$T/got" .
	# the answers in order (WONT ECHO, DONT SGA, WONT 5, DONT 6, WONT
	# NAWS: the split one), then the line sent
	[ "$(cat "$T/got")" = "ff fc 01 ff fe 03 ff fc 05 ff fe 06 ff fc 1f 62 79 65 0a" ]
}

@test "ncat 2: connect without -t: the bytes arrive as they are" {
	telnet_server
	{ sleep 1; echo bye; } |
	    timeout 20 "$SOCKIT" connect 127.0.0.1 "$PORT" >"$T/out"
	grep -q $'\xff\xfd\x01' "$T/out"
	wait_grep "$T/got" .
	[ "$(cat "$T/got")" = "62 79 65 0a" ]
}

@test "ncat 2: listen -t: a client's negotiation is answered too" {
	mkfifo "$T/in"
	sockit_listen "$T/log" -t 127.0.0.1 0 <>"$T/in" >"$T/out"
	timeout 20 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(bytes([255, 251, 24]) + b"abc" + bytes([255, 255]) + b"\n")
got = b""
while len(got) < 3:
    got += s.recv(16)
print(got.hex(" "))' "$PORT" >"$T/got"
	[ "$(cat "$T/got")" = "ff fe 18" ]
	wait_grep "$T/out" abc
	printf 'abc\377\n' | cmp - "$T/out"
}

@test "ncat 2: listen -t -e cat: the child never sees the negotiation" {
	sockit_listen "$T/log" -t -e cat 127.0.0.1 0 </dev/null >/dev/null
	timeout 20 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(bytes([255, 253, 1]) + b"abc\n")
got = b""
while not got.endswith(b"abc\n"):
    d = s.recv(16)
    if not d:
        break
    got += d
print(got.hex(" "))' "$PORT" >"$T/got"
	# the answer (WONT ECHO), then cat's echo of the data alone
	[ "$(cat "$T/got")" = "ff fc 01 61 62 63 0a" ]
}
