#!/usr/bin/env bats
# connect: the stream session against real peers (ncat, socat, OpenBSD nc,
# python3 -m http.server, tests/peers/tcp_peer.py), its options and events.

load helpers

setup_file() {
	head -c 100M /dev/urandom >"$BATS_FILE_TMPDIR/big"
	sha256sum <"$BATS_FILE_TMPDIR/big" >"$BATS_FILE_TMPDIR/big.sum"
}

setup() {
	BIG=$BATS_FILE_TMPDIR/big
	BIG_SUM=$(<"$BATS_FILE_TMPDIR/big.sum")
	T=$BATS_TEST_TMPDIR
}

teardown() {
	kill_bg
}

# same_as_big FILE: FILE holds exactly the 100 MB of $BIG.
same_as_big() {
	[ "$(sha256sum <"$1")" = "$BIG_SUM" ]
}

# wait_bg: waits for the last background command (bounded by its own
# `timeout`) and succeeds when it exited 0.
wait_bg() {
	wait "${bg_pids[-1]}"
}

# hello_server: a server that accepts one client, sends "hello\n", then
# prints what the client sends until EOF (for -s/-p, -o, -x ...).
hello_server() {
	tcp_peer "$T/srv" accept send 'hello\n' copy
}

# ---- integrity: 100 MB each way -------------------------------------------

@test "100 MB sent through connect reach an ncat -l listener intact" {
	port=$(free_port)
	timeout 20 ncat -l --recv-only 127.0.0.1 "$port" </dev/null \
	    >"$T/got" 3>&- &
	bg_pids+=("$!")
	wait_tcp "$port"
	run --separate-stderr timeout 20 "$SOCKIT" connect 127.0.0.1 "$port" \
	    <"$BIG"
	assert_success
	[ -z "$output" ]
	[ -z "$stderr" ]
	wait_bg
	same_as_big "$T/got"
}

@test "100 MB sent by an ncat -l listener arrive through connect intact" {
	port=$(free_port)
	timeout 20 ncat -l --send-only 127.0.0.1 "$port" <"$BIG" 3>&- &
	bg_pids+=("$!")
	wait_tcp "$port"
	run --separate-stderr to_file "$T/got" timeout 20 "$SOCKIT" connect \
	    127.0.0.1 "$port" </dev/null
	assert_success
	[ -z "$stderr" ]
	same_as_big "$T/got"
}

@test "100 MB sent through connect reach a socat listener intact" {
	port=$(free_port)
	timeout 20 socat -u TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr \
	    CREATE:"$T/got" 3>&- &
	bg_pids+=("$!")
	wait_tcp "$port"
	run --separate-stderr timeout 20 "$SOCKIT" connect 127.0.0.1 "$port" \
	    <"$BIG"
	assert_success
	[ -z "$output" ]
	[ -z "$stderr" ]
	wait_bg
	same_as_big "$T/got"
}

@test "100 MB sent by a socat listener arrive through connect intact" {
	port=$(free_port)
	timeout 20 socat -u OPEN:"$BIG" \
	    TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr 3>&- &
	bg_pids+=("$!")
	wait_tcp "$port"
	run --separate-stderr to_file "$T/got" timeout 20 "$SOCKIT" connect \
	    127.0.0.1 "$port" </dev/null
	assert_success
	[ -z "$stderr" ]
	same_as_big "$T/got"
}

@test "100 MB sent through connect reach an nc -l listener intact" {
	port=$(free_port)
	timeout 20 nc -d -l 127.0.0.1 "$port" >"$T/got" 3>&- &
	bg_pids+=("$!")
	wait_tcp "$port"
	run --separate-stderr timeout 20 "$SOCKIT" connect 127.0.0.1 "$port" \
	    <"$BIG"
	assert_success
	[ -z "$output" ]
	[ -z "$stderr" ]
	wait_bg
	same_as_big "$T/got"
}

@test "100 MB sent by an nc -l listener arrive through connect intact" {
	# OpenBSD nc stops at the network's EOF, whatever it still has to
	# send: --recv-only leaves the connection open its way
	port=$(free_port)
	timeout 20 nc -N -l 127.0.0.1 "$port" <"$BIG" 3>&- &
	bg_pids+=("$!")
	wait_tcp "$port"
	run --separate-stderr to_file "$T/got" timeout 20 "$SOCKIT" connect \
	    --recv-only 127.0.0.1 "$port" </dev/null
	assert_success
	[ -z "$stderr" ]
	same_as_big "$T/got"
}

# ---- half-close and the end of the session --------------------------------

@test "an HTTP/1.0 request piped in gets the whole reply from http.server" {
	mkdir "$T/www"
	printf 'hello from http.server\n' >"$T/www/index.html"
	port=$(free_port)
	timeout 20 python3 -m http.server --bind 127.0.0.1 \
	    --directory "$T/www" "$port" >/dev/null 2>&1 3>&- &
	bg_pids+=("$!")
	wait_tcp "$port"
	run --separate-stderr timeout 5 sh -c \
	    'printf "GET / HTTP/1.0\r\n\r\n" | "$0" connect 127.0.0.1 "$1"' \
	    "$SOCKIT" "$port"
	assert_success
	[[ $output == "HTTP/1.0 200 OK"* ]]
	[[ $output == *"Content-Length: 23"* ]]
	[[ $output == *$'\r\n\r\nhello from http.server' ]]
	[ -z "$stderr" ]
}

@test "stdin EOF half-closes: the peer sees EOF and its reply still comes" {
	tcp_peer "$T/srv" accept read send 'got ' echo
	run --separate-stderr timeout 5 "$SOCKIT" connect 127.0.0.1 "$PORT" \
	    <<<"ping"
	assert_success
	assert_output "got ping"
	[ -z "$stderr" ]
}

@test "--no-shutdown keeps the sending side open after stdin EOF" {
	tcp_peer "$T/srv" accept read-idle 0.7 print-eof print >"$T/seen"
	run --separate-stderr timeout 5 "$SOCKIT" connect --no-shutdown \
	    -q 1.5s 127.0.0.1 "$PORT" <<<"ping"
	assert_success
	[ -z "$output" ]
	[ -z "$stderr" ]
	wait_bg
	[ "$(cat "$T/seen")" = $'no eof\nping' ]
}

@test "-q ends the session after stdin EOF with exit 0 while the peer stays open" {
	tcp_peer "$T/srv" accept send 'hi\n' sleep 20
	start=$SECONDS
	run --separate-stderr timeout 5 "$SOCKIT" connect -q 300ms \
	    127.0.0.1 "$PORT" </dev/null
	assert_success
	assert_output "hi"
	[ -z "$stderr" ]
	((SECONDS - start < 3))
}

@test "-q: the session -q ends is told by a closed event with its byte counts (-j)" {
	tcp_peer "$T/srv" accept send 'hi\n' sleep 20
	run --separate-stderr timeout 5 "$SOCKIT" -j connect -q 300ms \
	    127.0.0.1 "$PORT" <<<"ping"
	assert_success
	assert_output "hi"
	run jq -c 'select(.event == "closed") | [.bytes_in, .bytes_out]' <<<"$stderr"
	assert_output "[3,5]"
}

@test "after the peer's EOF, what stdin still brings is sent" {
	tcp_peer "$T/srv" accept shutdown copy >"$T/seen"
	run --separate-stderr timeout 5 sh -c \
	    '{ echo a; sleep 0.5; echo b; } | "$0" connect 127.0.0.1 "$1"' \
	    "$SOCKIT" "$PORT"
	assert_success
	[ -z "$output" ]
	[ -z "$stderr" ]
	wait_bg
	[ "$(cat "$T/seen")" = $'a\nb' ]
}

@test "a peer reset is exit 1 naming HOST PORT and the reset" {
	tcp_peer "$T/srv" accept reset sleep 20
	run --separate-stderr timeout 5 "$SOCKIT" connect 127.0.0.1 "$PORT" \
	    </dev/null
	assert_failure 1
	[ -z "$output" ]
	[[ $stderr == "sockit: connect: 127.0.0.1 $PORT: Connection reset by peer" ||
	    $stderr == "sockit: connect: 127.0.0.1 $PORT: Broken pipe" ]]
}

# ---- connection errors -----------------------------------------------------

@test "a refused connection is exit 1 with 'connect: 127.0.0.1 PORT: Connection refused'" {
	port=$(free_port)
	run --separate-stderr timeout 5 "$SOCKIT" connect 127.0.0.1 "$port" \
	    </dev/null
	assert_failure 1
	[ -z "$output" ]
	assert_equal "$stderr" \
	    "sockit: connect: 127.0.0.1 $port: Connection refused"
}

@test "a name that does not resolve is exit 3 naming it" {
	run --separate-stderr timeout 10 "$SOCKIT" connect x.invalid 80 \
	    </dev/null
	assert_failure 3
	[ -z "$output" ]
	[[ $stderr == "sockit: connect: x.invalid"* ]]
}

@test "first hour 4: -j: a refused connection is one JSON error event, kind network, exit 1" {
	port=$(free_port)
	run --separate-stderr timeout 5 "$SOCKIT" connect -j 127.0.0.1 "$port" \
	    </dev/null
	assert_failure 1
	[ -z "$output" ]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	jq -c . <<<"$stderr"
	jq -e --arg m "127.0.0.1 $port: Connection refused" '. == {"event":
	    "error","mode":"connect","kind":"network","message":$m,"exit":1}' \
	    <<<"$stderr"
}

@test "first hour 4: -j: a name that does not resolve is an error event, kind resolve, exit 3" {
	run --separate-stderr timeout 10 "$SOCKIT" connect -j x.invalid 80 \
	    </dev/null
	assert_failure 3
	[ -z "$output" ]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	jq -e '.event == "error" and .mode == "connect" and .kind == "resolve"
	    and .exit == 3 and (.message | startswith("x.invalid: "))' \
	    <<<"$stderr"
}

@test "first hour 4: -j: an -o file that cannot be opened is an error event, kind local, exit 4" {
	port=$(free_port)
	run --separate-stderr timeout 5 "$SOCKIT" connect -j \
	    -o "$T/no/such/dir" 127.0.0.1 "$port" </dev/null
	assert_failure 4
	[ -z "$output" ]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	jq -e --arg m "open $T/no/such/dir: No such file or directory" \
	    '.event == "error" and .kind == "local" and .exit == 4 and
	    .message == $m' <<<"$stderr"
}

@test "first hour 4: -j: a peer reset ends with an error event, kind network, exit 1, after the events" {
	tcp_peer "$T/srv" --backlog 1 accept recv 1 reset
	port=$PORT
	run --separate-stderr timeout 5 "$SOCKIT" connect -j 127.0.0.1 \
	    "$port" < <(echo x; sleep 3)
	assert_failure 1
	jq -c . <<<"$stderr"
	[ "$(jq -c . <<<"$stderr" | wc -l)" -eq "$(wc -l <<<"$stderr")" ]
	tail -n1 <<<"$stderr" | jq -e '.event == "error" and
	    .kind == "network" and .exit == 1 and
	    (.message | startswith("127.0.0.1 '"$port"': "))'
}

@test "port 70000 is a usage error (exit 2) naming it" {
	run --separate-stderr timeout 5 "$SOCKIT" connect 127.0.0.1 70000 \
	    </dev/null
	assert_failure 2
	[ -z "$output" ]
	[[ $stderr == *"70000"* ]]
}

@test "an unknown service name as PORT is a usage error (exit 2)" {
	run --separate-stderr timeout 5 "$SOCKIT" connect 127.0.0.1 abc \
	    </dev/null
	assert_failure 2
	[ -z "$output" ]
	[[ $stderr == *'"abc"'* || $stderr == *" abc"* ]]
}

@test "-n with a service name as PORT is a usage error (exit 2)" {
	run --separate-stderr timeout 5 "$SOCKIT" connect -n 127.0.0.1 http \
	    </dev/null
	assert_failure 2
	[ -z "$output" ]
	[[ $stderr == *"http"* ]]
}

@test "no PORT is a usage error (exit 2)" {
	run --separate-stderr timeout 5 "$SOCKIT" connect 127.0.0.1 </dev/null
	assert_failure 2
	[ -z "$output" ]
	[[ $stderr == "sockit: connect: "* ]]
}

@test "-w 300ms to a peer that never answers the SYN is exit 1 within 2 s" {
	# backlog 0 and a queued filler: the kernel drops further SYNs
	tcp_peer "$T/srv" --backlog 0 --fill 3 sleep 20
	start=$(date +%s%N)
	run --separate-stderr timeout 5 "$SOCKIT" connect -w 300ms \
	    127.0.0.1 "$PORT" </dev/null
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_failure 1
	[ -z "$output" ]
	[[ $stderr == "sockit: connect: 127.0.0.1 $PORT: "*"timed out"* ]]
	((ms >= 250 && ms < 2000))
}

@test "--idle-timeout 300ms against a silent peer is exit 1 within 3 s" {
	tcp_peer "$T/srv" accept sleep 20
	run --separate-stderr timeout 3 "$SOCKIT" connect --idle-timeout 300ms \
	    127.0.0.1 "$PORT" </dev/null
	assert_failure 1
	[ -z "$output" ]
	assert_equal "$stderr" "sockit: connect: 127.0.0.1 $PORT: idle timeout"
}

# ---- session options -------------------------------------------------------

@test "-C sends each LF as CRLF" {
	port=$(free_port)
	timeout 10 nc -d -l 127.0.0.1 "$port" >"$T/got" 3>&- &
	bg_pids+=("$!")
	wait_tcp "$port"
	run --separate-stderr timeout 5 sh -c \
	    'printf "a\nb\n" | "$0" connect -C 127.0.0.1 "$1"' "$SOCKIT" "$port"
	assert_success
	[ -z "$output" ]
	[ -z "$stderr" ]
	wait_bg
	[ "$(od -An -c "$T/got" | tr -s ' ')" = ' a \r \n b \r \n' ]
}

@test "-o FILE holds both directions" {
	hello_server >/dev/null
	run --separate-stderr timeout 5 "$SOCKIT" connect -o "$T/copy" \
	    127.0.0.1 "$PORT" <<<"ping"
	assert_success
	assert_output "hello"
	[ -z "$stderr" ]
	grep -qx hello "$T/copy"
	grep -qx ping "$T/copy"
}

@test "-x FILE dumps sent data on '>' lines and received data on '<' lines" {
	hello_server >/dev/null
	run --separate-stderr timeout 5 "$SOCKIT" connect -x "$T/dump" \
	    127.0.0.1 "$PORT" <<<"ping"
	assert_success
	assert_output "hello"
	[ -z "$stderr" ]
	# "ping\n" out, "hello\n" in
	grep -E '^> .* 70 69 6e 67 0a' "$T/dump"
	grep -E '^< .* 68 65 6c 6c 6f 0a' "$T/dump"
}

@test "audit 7: stdout and stderr one pipe (2>&1) behind a slow reader: every line of -x - and -v arrives" {
	port=$(free_port)
	head -c 1M /dev/zero >"$T/zero"
	timeout 20 ncat -l --send-only 127.0.0.1 "$port" <"$T/zero" 3>&- &
	bg_pids+=("$!")
	wait_tcp "$port"
	# the reader starts 2 s late: the pipe is full long before
	run bash -c '"$0" connect -v -x - 127.0.0.1 "$1" </dev/null 2>&1 |
	    (sleep 2; cat) >"$2"; exit "${PIPESTATUS[0]}"' \
	    "$SOCKIT" "$port" "$T/all"
	assert_success
	# 1 MiB received: 65536 lines of 16 bytes, the last at 0xffff0
	[ "$(grep -aoE '< [0-9a-f]{8} ' "$T/all" | wc -l)" -eq 65536 ]
	grep -aqE '< 000ffff0 ' "$T/all"
	grep -aqE 'closed: 1048576 bytes in, 0 out' "$T/all"
	# and stdout's own bytes, every one
	[ "$(tr -cd '\0' <"$T/all" | wc -c)" -eq 1048576 ]
}

@test "audit 7: stdout and stderr one socket (2>&1) behind a slow reader: every line of -x - arrives" {
	port=$(free_port)
	head -c 1M /dev/zero >"$T/zero"
	timeout 20 ncat -l --send-only 127.0.0.1 "$port" <"$T/zero" 3>&- &
	bg_pids+=("$!")
	wait_tcp "$port"
	# socat gives the command a socketpair as stdout (stderr joins it)
	# and passes it on to a reader that starts 2 s late
	run timeout 30 socat -u SYSTEM:"exec '$SOCKIT' connect -x - 127.0.0.1 \
	    $port </dev/null 2>&1" SYSTEM:"sleep 2; cat >'$T/all'"
	assert_success
	[ "$(grep -aoE '< [0-9a-f]{8} ' "$T/all" | wc -l)" -eq 65536 ]
	[ "$(tr -cd '\0' <"$T/all" | wc -c)" -eq 1048576 ]
}

@test "audit 8: a write error on -o or -x FILE is exit 4 naming FILE; stdout keeps what came" {
	for opt in -o -x; do
		hello_server >/dev/null
		run --separate-stderr timeout 5 "$SOCKIT" connect "$opt" \
		    /dev/full 127.0.0.1 "$PORT" </dev/null
		assert_failure 4
		assert_output "hello"
		[ "$stderr" = "sockit: connect: /dev/full: No space left on device" ]
		kill_bg
	done
}

@test "audit 8: -x - to a stderr whose reader left is exit 4; stdout intact up to the failure" {
	port=$(free_port)
	head -c 10M "$BIG" >"$T/ten"
	timeout 20 ncat -l --send-only 127.0.0.1 "$port" <"$T/ten" 3>&- &
	bg_pids+=("$!")
	wait_tcp "$port"
	run timeout 20 bash -c '"$0" connect -x - 127.0.0.1 "$1" </dev/null \
	    >"$2" 2> >(head -c 1000 >/dev/null)' "$SOCKIT" "$port" "$T/got"
	assert_failure 4
	got=$(stat -c %s "$T/got")
	[ "$got" -gt 0 ]
	cmp "$T/got" <(head -c "$got" "$T/ten")
}

@test "--send-only ignores the peer's data and ends at stdin EOF" {
	tcp_peer "$T/srv" accept send-times 1000 'junk\n' copy sleep 20 \
	    >"$T/seen"
	run --separate-stderr timeout 3 "$SOCKIT" connect --send-only \
	    127.0.0.1 "$PORT" <<<"data"
	assert_success
	[ -z "$output" ]
	[ -z "$stderr" ]
	wait_grep "$T/seen" '^data$'
}

@test "--recv-only never sends stdin and prints what the peer sends" {
	tcp_peer "$T/srv" accept send 'from server\n' read-idle 0.5 print-count \
	    >"$T/seen"
	run --separate-stderr timeout 5 "$SOCKIT" connect --recv-only \
	    127.0.0.1 "$PORT" <<<"secret"
	assert_success
	assert_output "from server"
	[ -z "$stderr" ]
	wait_bg
	[ "$(cat "$T/seen")" = "received 0 bytes" ]
}

@test "-s and -p set the source address and port the peer sees" {
	tcp_peer "$T/srv" accept print-peer >"$T/seen"
	sport=$(free_port)
	run --separate-stderr timeout 5 "$SOCKIT" connect -s 127.0.0.1 \
	    -p "$sport" 127.0.0.1 "$PORT" </dev/null
	assert_success
	[ -z "$output" ]
	[ -z "$stderr" ]
	wait_bg
	[ "$(cat "$T/seen")" = "127.0.0.1 $sport" ]
}

@test "-O SO_RCVBUF=256K is accepted" {
	hello_server >/dev/null
	run --separate-stderr timeout 5 "$SOCKIT" connect -O SO_RCVBUF=256K \
	    127.0.0.1 "$PORT" </dev/null
	assert_success
	assert_output "hello"
	[ -z "$stderr" ]
}

@test "-O bogus=1 is a usage error (exit 2) naming the option" {
	run --separate-stderr timeout 5 "$SOCKIT" connect -O bogus=1 \
	    127.0.0.1 9 </dev/null
	assert_failure 2
	[ -z "$output" ]
	[[ $stderr == *"bogus"* ]]
}

@test "a reader that closes stdout early ends connect with exit 4 and no message" {
	tcp_peer "$T/srv" accept flood x
	run --separate-stderr timeout 5 bash -c \
	    '"$0" connect 127.0.0.1 "$1" </dev/null | head -c1 >/dev/null
	    exit "${PIPESTATUS[0]}"' "$SOCKIT" "$PORT"
	assert_failure 4
	[ -z "$output" ]
	[ -z "$stderr" ]
}

# ---- address forms ---------------------------------------------------------

@test "HOST:PORT as one argument connects" {
	hello_server >/dev/null
	run --separate-stderr timeout 5 "$SOCKIT" connect "127.0.0.1:$PORT" \
	    </dev/null
	assert_success
	assert_output "hello"
	[ -z "$stderr" ]
}

@test "::1 PORT connects over IPv6" {
	port=$(free_port)
	timeout 10 ncat -6 -l --send-only ::1 "$port" <<<"v6" 3>&- &
	bg_pids+=("$!")
	wait_tcp "$port"
	run --separate-stderr timeout 5 "$SOCKIT" connect ::1 "$port" \
	    </dev/null
	assert_success
	assert_output "v6"
	[ -z "$stderr" ]
}

@test "[::1]:PORT as one argument connects over IPv6" {
	port=$(free_port)
	timeout 10 ncat -6 -l --send-only ::1 "$port" <<<"v6" 3>&- &
	bg_pids+=("$!")
	wait_tcp "$port"
	run --separate-stderr timeout 5 "$SOCKIT" connect "[::1]:$port" \
	    </dev/null
	assert_success
	assert_output "v6"
	[ -z "$stderr" ]
}

# ---- Unix sockets ----------------------------------------------------------

@test "-U PATH exchanges data both ways with socat UNIX-LISTEN" {
	timeout 10 socat UNIX-LISTEN:"$T/sock" - <<<"from socat" \
	    >"$T/got" 3>&- &
	bg_pids+=("$!")
	for ((i = 0; i < 50; i++)); do
		[[ -S $T/sock ]] && break
		sleep 0.1
	done
	run --separate-stderr timeout 5 "$SOCKIT" connect -U "$T/sock" \
	    <<<"from sockit"
	assert_success
	assert_output "from socat"
	[ -z "$stderr" ]
	wait_bg
	[ "$(cat "$T/got")" = "from sockit" ]
}

@test "-U @NAME exchanges data both ways with socat ABSTRACT-LISTEN" {
	name=sockit-test-$$-$BATS_TEST_NUMBER
	timeout 10 socat ABSTRACT-LISTEN:"$name" - <<<"from socat" \
	    >"$T/got" 3>&- &
	bg_pids+=("$!")
	for ((i = 0; i < 50; i++)); do
		ss -Hlx | grep -q "@$name " && break
		sleep 0.1
	done
	run --separate-stderr timeout 5 "$SOCKIT" connect -U "@$name" \
	    <<<"from sockit"
	assert_success
	assert_output "from socat"
	[ -z "$stderr" ]
	wait_bg
	[ "$(cat "$T/got")" = "from sockit" ]
}

@test "audit 10: -U to a listener whose queue is full waits for room until -w, then exit 1 naming the timeout" {
	# the listener under timeout(1), which sends SIGCONT after the
	# SIGTERM of teardown; it is stopped, so nobody accepts
	timeout 60 "$SOCKIT" listen -k -v --backlog 1 -U "$T/sock" \
	    </dev/null >/dev/null 2>"$T/log" 3>&- &
	bg_pids+=("$!")
	wait_grep "$T/log" '^listening on '
	srv=$(pgrep -P "$!")
	kill -STOP "$srv"
	# the kernel queues backlog + 1 clients: two nc fill the queue
	# (their stdin a fifo opened read-write: no EOF)
	mkfifo "$T/hold"
	for i in 1 2; do
		timeout 60 nc -U "$T/sock" <>"$T/hold" >/dev/null 3>&- &
		bg_pids+=("$!")
	done
	for ((i = 0; i < 50; i++)); do
		[ "$(ss -xlH | awk -v p="$T/sock" '$5 == p { print $3 }')" = 2 ] &&
		    break
		sleep 0.1
	done
	start=$(date +%s%N)
	run --separate-stderr timeout 20 "$SOCKIT" connect -v -w 2s \
	    -U "$T/sock" </dev/null
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_failure 1
	[ -z "$output" ]
	assert_equal "$stderr" "sockit: connect: $T/sock: Connection timed out after 2000 ms (the listener's queue is full)"
	((ms >= 1900 && ms < 15000))
	# a client that waits gets in when room comes
	timeout 30 "$SOCKIT" connect -v -w 20s -U "$T/sock" <>"$T/hold" \
	    >/dev/null 2>"$T/c" 3>&- &
	bg_pids+=("$!")
	sleep 0.5
	[ ! -s "$T/c" ]
	kill -CONT "$srv"
	wait_grep "$T/c" '^connected to '
}

# ---- events ----------------------------------------------------------------

@test "-j: connected and closed events are JSON on stderr, stdout is the peer's bytes" {
	hello_server >/dev/null
	run --separate-stderr timeout 5 "$SOCKIT" connect -j 127.0.0.1 \
	    "$PORT" <<<"ping"
	assert_success
	assert_output "hello"
	while IFS= read -r line; do
		jq -e . <<<"$line" >/dev/null
	done <<<"$stderr"
	[ "$(wc -l <<<"$stderr")" -eq 2 ]
	ev=$(jq -c 'select(.event == "connected")' <<<"$stderr")
	jq -e --argjson p "$PORT" '.address == "127.0.0.1" and .port == $p and
	    .local_address == "127.0.0.1" and (.local_port | type) == "number"
	    and .local_port > 0 and (.connect_ms | type) == "number"' <<<"$ev"
	ev=$(jq -c 'select(.event == "closed")' <<<"$stderr")
	jq -e '.bytes_in == 6 and .bytes_out == 5 and
	    (.duration_ms | type) == "number"' <<<"$ev"
}

@test "first hour 10: every text line on stderr (events, diagnostics, errors) is one write()" {
	hello_server >/dev/null
	# LeakSanitizer cannot run under ptrace (a sanitizer build)
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	run --separate-stderr timeout 10 strace -f -s 4096 -e trace=write \
	    -o "$T/trace" "$SOCKIT" connect -vv 127.0.0.1 "$PORT" <<<"ping"
	assert_success
	port=$(free_port)
	run --separate-stderr timeout 10 strace -f -s 4096 -e trace=write \
	    -o "$T/trace2" "$SOCKIT" connect 127.0.0.1 "$port" </dev/null
	assert_failure 1
	cat "$T/trace" "$T/trace2" >"$T/all"
	# connected, closed, the error: each a whole line in one call
	[ "$(grep -c 'write(2, ' "$T/all")" -ge 3 ]
	[ -z "$(grep 'write(2, ' "$T/all" |
	    grep -v 'write(2, "[^"]*\\n", [0-9]*) = ')" ]
	grep -q 'write(2, "connected to 127.0.0.1 '"$PORT"' .*\\n"' "$T/all"
	grep -q 'write(2, "sockit: connect: 127.0.0.1 '"$port"': Connection refused\\n"' "$T/all"
}

@test "first hour 9: loopback connections keep the system's congestion control (ss, sockopt --connect and the relay agree); -O TCP_CONGESTION=reno sets it" {
	if ! unshare -n true 2>/dev/null || ! command -v ip >/dev/null || ! command -v ss >/dev/null; then
		skip "network namespaces (unshare -n, ip, ss) are not available here"
	fi
	grep -qw bbr /proc/sys/net/ipv4/tcp_available_congestion_control ||
		modprobe tcp_bbr 2>/dev/null ||
		skip "this kernel has no bbr"
	# in a namespace of its own whose default is bbr: one listen -k and
	# two clients held open (one with -O TCP_CONGESTION=reno); ss tells
	# each socket's control, sockopt --connect what a new one gets
	run timeout 60 unshare -n bash -c '
		S=$1 d=$2
		ip link set lo up || exit 9
		sysctl -qw net.ipv4.tcp_congestion_control=bbr || exit 8
		# every stdin: a fifo held open here, so no end and no bytes
		mkfifo "$d/hold" && exec 4<>"$d/hold"
		"$S" listen -k -vv 127.0.0.1 0 <&4 >/dev/null 2>"$d/srv" &
		spid=$!
		for ((i = 0; i < 50; i++)); do grep -q "^listening" "$d/srv" && break; sleep 0.1; done
		read -r _ _ _ port < <(grep "^listening" "$d/srv")
		pids=()
		"$S" connect -vv 127.0.0.1 "$port" <&4 >/dev/null 2>"$d/c1" & pids+=($!)
		"$S" connect -vv -O TCP_CONGESTION=reno 127.0.0.1 "$port" <&4 >/dev/null 2>"$d/c2" & pids+=($!)
		for ((i = 0; i < 50; i++)); do
			[ "$(grep -c "^accepted" "$d/srv")" -eq 2 ] && break
			sleep 0.1
		done
		sleep 0.2
		ss -tniH state established >"$d/ss"
		"$S" sockopt --connect 127.0.0.1 "$port" TCP_CONGESTION >"$d/sockopt"
		kill "${pids[@]}" "$spid"
		wait "${pids[@]}" "$spid"
		exit 0' bash "$SOCKIT" "$T"
	assert_success
	port=$(awk '/^listening/ { print $4 }' "$T/srv")
	# ss: one line per socket, then its info line; "LOCAL PEER CONTROL"
	awk 'NR % 2 == 1 { l = $3; p = $4; next }
		{ for (i = 1; i <= NF; i++) if ($i ~ /^(bbr|reno|cubic)$/) print l, p, $i }' "$T/ss" | sort >"$T/cc"
	cat "$T/cc"
	[ "$(wc -l <"$T/cc")" -eq 4 ]
	# the clients (peer port = the listener's): one bbr, one reno (-O)
	[ "$(grep -c " 127\.0\.0\.1:$port bbr$" "$T/cc")" -eq 1 ]
	[ "$(grep -c " 127\.0\.0\.1:$port reno$" "$T/cc")" -eq 1 ]
	# the server's sockets keep the system's bbr
	[ "$(grep -c "^127\.0\.0\.1:$port 127\.0\.0\.1:[0-9]* bbr$" "$T/cc")" -eq 2 ]
	grep -Eq '^TCP_CONGESTION +bbr$' "$T/sockopt"
	# nothing is said about congestion control: nothing was changed
	run grep -i "congestion" "$T/srv" "$T/c1" "$T/c2"
	assert_failure 1
}
