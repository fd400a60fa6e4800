#!/usr/bin/env bats
# connect -e CMD / -c CMD (issue 20, ncat --exec/--sh-exec): the
# connected socket is CMD's stdin and stdout, sockit exits with CMD's
# status.  Servers: ncat and socat, started here; each test checks what
# the server received from CMD and what CMD received from the server.

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
	bg_pids=()
}

teardown() {
	kill_bg
}

# ncat_server: ncat -l on a free port sending $T/greeting and writing
# what it receives to $T/got; sets SRV_PORT and SRV_PID.
ncat_server() {
	SRV_PORT=$(free_port)
	timeout 30 ncat -l 127.0.0.1 "$SRV_PORT" <"$T/greeting" >"$T/got" \
	    2>"$T/ncat.log" 3>&- &
	SRV_PID=$!
	bg_pids+=("$SRV_PID")
	wait_tcp "$SRV_PORT"
}

@test "connect exec 3: -e runs CMD on the socket, no shell, and exits with its status" {
	printf 'hello from ncat\n' >"$T/greeting"
	ncat_server
	run timeout 20 "$SOCKIT" connect -e \
	    "sh -c 'read line; echo \"cmd got: \$line\"; exit 7'" \
	    127.0.0.1 "$SRV_PORT" </dev/null
	[ "$status" -eq 7 ]
	assert_output ""
	wait "$SRV_PID"
	[ "$(cat "$T/got")" = "cmd got: hello from ncat" ]
}

@test "connect exec 3: -c: what the server sent reaches CMD, what CMD wrote reaches the server" {
	port=$(free_port)
	# socat runs a server program that answers each line upper-cased
	printf '#!/bin/sh\nwhile read -r l; do echo "$l" | tr a-z A-Z; done\n' \
	    >"$T/upper"
	chmod +x "$T/upper"
	timeout 30 socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" \
	    "EXEC:$T/upper" 3>&- &
	bg_pids+=("$!")
	wait_tcp "$port"
	export OUT=$T/back
	run -0 timeout 20 "$SOCKIT" connect -c \
	    'echo "shout this"; read -r back; echo "$back" >"$OUT"' \
	    127.0.0.1 "$port" </dev/null
	[ "$(cat "$T/back")" = "SHOUT THIS" ]
}

@test "connect exec 3: CMD killed by a signal: exit 128 + the signal" {
	printf 'x\n' >"$T/greeting"
	ncat_server
	run timeout 20 "$SOCKIT" connect -c 'kill -TERM $$' 127.0.0.1 "$SRV_PORT"
	[ "$status" -eq 143 ]
}

@test "connect exec 3: sockit's own stdin and stdout are not the session's" {
	printf 'to cmd\n' >"$T/greeting"
	ncat_server
	run -0 timeout 20 "$SOCKIT" connect -c 'read -r l; echo "echo: $l"' \
	    127.0.0.1 "$SRV_PORT" <<<"from sockit's stdin"
	assert_output ""
	wait "$SRV_PID"
	[ "$(cat "$T/got")" = "echo: to cmd" ]
}

@test "connect exec 3: -v tells connected and closed (no byte counts: CMD had the socket)" {
	printf 'x\n' >"$T/greeting"
	ncat_server
	run -0 timeout 20 "$SOCKIT" connect -j -e true 127.0.0.1 "$SRV_PORT"
	run jq -c '[.event, .bytes_in, .bytes_out]' <<<"$output"
	assert_output '["connected",null,null]
["closed",null,null]'
}

@test "connect exec 3: -e with --proxy-protocol: the header first, then CMD's bytes" {
	port=$(free_port)
	timeout 30 "$SOCKIT" listen -j --proxy-protocol v1 127.0.0.1 "$port" \
	    >"$T/got" 2>"$T/err" </dev/null 3>&- &
	pid=$!
	bg_pids+=("$pid")
	wait_tcp "$port"
	run -0 timeout 20 "$SOCKIT" connect --proxy-protocol v1 -c 'echo from cmd' \
	    127.0.0.1 "$port"
	wait "$pid"
	[ "$(cat "$T/got")" = "from cmd" ]
	run jq -r 'select(.event == "accepted") | .client' "$T/err"
	assert_output "127.0.0.1"
}

@test "connect exec 3: usage errors: a command not found, -z, --tls, -t, --delay, two commands" {
	run -2 "$SOCKIT" connect -e no-such-command-here 127.0.0.1 9
	assert_line --index 0 'sockit: connect: cannot run "no-such-command-here": No such file or directory'
	run -2 "$SOCKIT" connect -z -e true 127.0.0.1 9
	assert_line --index 0 "sockit: connect: -e/-c run a command on a connection: not with -z"
	run -2 "$SOCKIT" connect --tls -e true 127.0.0.1 9
	assert_line --index 0 --partial "sockit: connect: -e/-c give the socket to the command: --tls,"
	run -2 "$SOCKIT" connect -t -e true 127.0.0.1 9
	assert_line --index 0 --partial ", -t and --delay do not apply"
	run -2 "$SOCKIT" connect --delay 1s -e true 127.0.0.1 9
	assert_line --index 0 --partial ", -t and --delay do not apply"
	run -2 "$SOCKIT" connect -e true -c true 127.0.0.1 9
	assert_line --index 0 "sockit: connect: -e and -c: give one command"
}
