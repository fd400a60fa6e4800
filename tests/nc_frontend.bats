#!/usr/bin/env bats
# The nc front end (SPEC "nc front end"): sockit run as nc takes OpenBSD
# nc's options and behaves as nc does.  The corpus tests/nc/tcp.cases
# (one nc one-liner a line, with what the peer does) runs once with
# OpenBSD nc (nc.openbsd) and once with sockit as nc (a symlink named nc
# in the test's directory); stdout, what the peer received and the exit
# status must be the same; tests/nc/udp.cases (nc -u) too.

load helpers
load udp_helpers

CASES=${NC_CASES:-$BATS_TEST_DIRNAME/nc/tcp.cases}

setup_file() {
	{
		head -c 200000 /dev/urandom
		seq 1 20000
	} >"$BATS_FILE_TMPDIR/data"
}

setup() {
	bg_pids=()
	T=$BATS_TEST_TMPDIR
	DATA=$BATS_FILE_TMPDIR/data
	mkdir -p "$T/bin"
	ln -sf "$SOCKIT" "$T/bin/nc"
	ln -sf "$SOCKIT" "$T/bin/netcat"
}

teardown() {
	kill_bg
}

# wait_sock PATH: waits (at most 5 s) until PATH is a socket.
wait_sock() {
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -S $1 ]] && return 0
		sleep 0.1
	done
	printf 'no socket %s\n' "$1" >&2
	return 1
}

# server_at KIND ADDRESS: socat's listening address of KIND's peer.
server_at() {
	case $2 in
	unix) printf 'UNIX-LISTEN:%s' "$SOCK" ;;
	six) printf 'TCP6-LISTEN:%s,bind=[::1],reuseaddr' "$PORT" ;;
	*) printf 'TCP-LISTEN:%s,bind=127.0.0.1,reuseaddr' "$PORT" ;;
	esac
}

# start_server KIND: the server peer of KIND (unix-, socks-, http-
# prefixes: over $SOCK, or behind a proxy on $PROXY), in the background;
# what it receives goes to $D/peer.  Returns when it listens.
start_server() {
	local kind=$1 where=tcp at
	case $kind in
	unix-*) where=unix kind=${kind#unix-} ;;
	socks-*)
		kind=${kind#socks-}
		timeout 60 microsocks -i 127.0.0.1 -p "$PROXY" \
		    >"$D/proxy.log" 2>&1 </dev/null 3>&- &
		bg_pids+=($!)
		wait_tcp "$PROXY" || return 1
		;;
	http-*)
		kind=${kind#http-}
		printf 'Port %s\nListen 127.0.0.1\nAllow 127.0.0.1\nTimeout 10\n' \
		    "$PROXY" >"$D/tinyproxy.conf"
		timeout 60 tinyproxy -d -c "$D/tinyproxy.conf" \
		    >"$D/proxy.log" 2>&1 </dev/null 3>&- &
		bg_pids+=($!)
		wait_tcp "$PROXY" || return 1
		;;
	source6) where=six kind=source ;;
	udp-*) start_udp_server "${kind#udp-}"; return ;;
	none) return 0 ;;
	esac
	at=$(server_at "$kind" "$where")
	case $kind in
	sink | silent) set -- -u "$at" "CREATE:$D/peer" ;;
	source) set -- -u "OPEN:$DATA" "$at" ;;
	greet) set -- "$at" "SYSTEM:echo hello; cat >$D/peer" ;;
	echo) set -- "$at" EXEC:cat ;;
	srcport) set -- "$at" 'SYSTEM:echo $SOCAT_PEERPORT' ;;
	srcaddr) set -- "$at" 'SYSTEM:echo $SOCAT_PEERADDR' ;;
	ports) set -- "$at,fork" EXEC:true ;;
	*)
		echo "unknown peer $1" >&2
		return 1
		;;
	esac
	timeout 30 socat "$@" </dev/null >/dev/null 2>"$D/peer.log" 3>&- &
	PEER_PID=$!
	bg_pids+=($!)
	if [[ $where == unix ]]; then
		wait_sock "$SOCK"
	else
		wait_tcp "$PORT"
	fi
}

# start_udp_server KIND: the UDP peers of tests/nc/udp.cases on
# 127.0.0.1 $PORT: sink (keeps every datagram), echo (sends each back),
# greet (answers the first with "hello", keeps them all), ports (a bound
# socket: no port unreachable).
start_udp_server() {
	local at="UDP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr"
	case $1 in
	sink) set -- -u "UDP-RECV:$PORT,bind=127.0.0.1" "CREATE:$D/peer" ;;
	echo) set -- "$at" EXEC:cat ;;
	greet) set -- "$at" "SYSTEM:echo hello; cat >$D/peer" ;;
	ports) set -- -u "UDP-RECV:$PORT,bind=127.0.0.1" OPEN:/dev/null ;;
	esac
	timeout 30 socat "$@" </dev/null >/dev/null 2>"$D/peer.log" 3>&- &
	PEER_PID=$!
	bg_pids+=($!)
	wait_udp_bound "$PORT"
}

# run_client KIND: the client peer of KIND, once nc listens.
run_client() {
	local to="TCP:127.0.0.1:$PORT" kind=$1
	if [[ $kind == unix-* ]]; then
		wait_sock "$SOCK" || return 1
		to=UNIX-CONNECT:$SOCK kind=${kind#unix-}
	elif [[ $kind == udp-send ]]; then # one datagram, its first line
		wait_udp_bound "$PORT" || return 1
		head -n1 "$DATA" | timeout 10 socat -u STDIN \
		    "UDP-SENDTO:127.0.0.1:$PORT"
		return
	else
		wait_tcp "$PORT" || return 1
	fi
	case $kind in
	send) timeout 10 socat -u "OPEN:$DATA" "$to" ;;
	recv) timeout 10 socat -u "$to" "CREATE:$D/peer" ;;
	talk) timeout 10 socat "$to" "SYSTEM:echo ping; cat >$D/peer" ;;
	two)
		printf 'one\n' | timeout 10 socat -u STDIN "$to" &&
		    printf 'two\n' | timeout 10 socat -u STDIN "$to"
		;;
	esac
} 2>>"$D/peer.log"

# stdin_of KIND: what nc's stdin is.
stdin_of() {
	case $1 in
	null) : ;;
	data) cat "$DATA" ;;
	lines) printf 'a\nb\nc\n' ;;
	http) printf 'GET / HTTP/1.0\nHost: localhost\n\n' ;;
	esac
}

# wait_gone PID: waits (at most 5 s) for PID to end, then kills it.
wait_gone() {
	local i
	for ((i = 0; i < 50; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# digest FILE: the file, or its sha256 when it is long or binary.
digest() {
	if [[ ! -e $1 ]]; then
		echo '(none)'
	elif (($(wc -c <"$1") <= 200)) && ! grep -qaP '[^\t\n\x20-\x7e]' "$1"; then
		sed -e "s/\b${SPORT:-SPORT}\b/\$SPORT/g; s/\b$PORT\b/\$PORT/g" "$1"
	else
		printf 'sha256 %s, %s bytes\n' "$(sha256sum <"$1" | cut -c1-16)" \
		    "$(wc -c <"$1")"
	fi
}

# run_case NC PEER STDIN ARGS: one case with NC (a program named nc), in
# the directory $D: prints the exit status, stdout and what the peer
# received; nc's stderr stays in $D/err.
run_case() {
	local nc=$1 peer=$2 input=$3 args=$4 rc pid words
	mkdir -p "$D"
	PORT=$(free_port) SPORT= CLOSED= PROXY= SOCK=$D/sock
	[[ $peer != udp-* ]] || PORT=$(free_udp_port)
	[[ $peer != udp-* || $args != *'$CLOSED'* ]] || CLOSED=$(free_udp_port)
	LOW=$((PORT - 2)) HIGH=$((PORT + 2))
	[[ $args != *'$SPORT'* ]] || SPORT=$(free_port)
	[[ $args != *'$CLOSED'* ]] || CLOSED=$(free_port)
	[[ $peer != socks-* && $peer != http-* ]] || PROXY=$(free_port)
	# the arguments, with the values of $PORT, ... in place
	read -r -a words <<<"$(eval "printf '%s' \"$args\"")"
	case $peer in
	send | recv | talk | two | unix-send | unix-recv | udp-send)
		stdin_of "$input" >"$D/in"
		timeout 20 "$nc" "${words[@]}" <"$D/in" >"$D/out" \
		    2>"$D/err" &
		pid=$!
		bg_pids+=($pid)
		run_client "$peer"
		if [[ $peer == two ]]; then # nc -k listens on: stop it
			wait_grep "$D/out" '^two$' && sleep 0.3
			kill -TERM "$pid"
		fi
		wait "$pid"
		rc=$?
		;;
	*)
		start_server "$peer" || return 1
		stdin_of "$input" >"$D/in"
		timeout 20 "$nc" "${words[@]}" <"$D/in" >"$D/out" 2>"$D/err"
		rc=$?
		# a UDP peer sees no end: what came has come
		[[ $peer != udp-* ]] || kill "$PEER_PID" 2>/dev/null
		[[ -z ${PEER_PID-} ]] || wait_gone "$PEER_PID"
		;;
	esac
	kill_bg
	printf 'exit %s\nstdout: %s\npeer: %s\n' "$rc" "$(digest "$D/out")" \
	    "$(digest "$D/peer")"
}

# cases FILE: the lines of FILE that are cases.
cases() {
	grep -v -E '^[[:space:]]*(#|$)' "$1"
}

@test "nc front end 3: the corpus has at least 40 one-liners, each NAME | PEER | STDIN | ARGS" {
	run -0 cases "$CASES"
	((${#lines[@]} >= 40))
	run -0 awk -F ' [|] ' 'NF != 4 { print FILENAME ":" FNR ": " $0 }' \
	    <(cases "$CASES")
	assert_output ""
}

# compare_corpus FILE: runs every case of FILE with OpenBSD nc and with
# sockit as nc ($NC_OURS instead, to try a corpus on nc.openbsd twice);
# prints each that differs, and fails when any does.  A case with a
# fifth field, "sockit prints TEXT" (printf %b escapes), is a difference
# kept on purpose (the man page lists it): sockit's stdout must be TEXT,
# the exit status and the peer's bytes still nc.openbsd's.
compare_corpus() {
	local name peer input args kept theirs ours failed=0 n=0
	local nc_ours=${NC_OURS:-$T/bin/nc}
	while IFS='|' read -r -u 5 name peer input args kept; do
		name=$(echo $name) peer=$(echo $peer) input=$(echo $input)
		args=$(echo $args) kept=$(echo $kept)
		n=$((n + 1))
		PEER_PID= D=$T/openbsd.$n
		theirs=$(run_case nc.openbsd "$peer" "$input" "$args")
		if [[ $kept == 'sockit prints '* && -z ${NC_OURS-} ]]; then
			theirs="${theirs%%$'\n'*}"$'\n'"stdout: $(printf '%b' \
			    "${kept#sockit prints }")"$'\n'"peer: ${theirs#*$'\n'peer: }"
		fi
		PEER_PID= D=$T/sockit.$n
		ours=$(run_case "$nc_ours" "$peer" "$input" "$args")
		if [[ $theirs != "$ours" ]]; then
			failed=$((failed + 1))
			printf '%s: nc %s\n--- nc.openbsd\n%s\n--- sockit as nc\n%s\n' \
			    "$name" "$args" "$theirs" "$ours"
			cat "$D/err"
		fi
	done 5< <(cases "$1")
	echo "$n cases, $failed differ"
	((n > 0 && failed == 0))
}

@test "nc front end 3: every one-liner: OpenBSD nc and sockit as nc give the same stdout, peer bytes and exit status" {
	compare_corpus "$CASES"
}

# line_gaps FILE N: FILE (line_times.py's output) holds line1 .. lineN,
# each at least 0.8 s after the one before (-i 1), all within 30 s.
line_gaps() {
	cat "$1"
	[ "$(awk '{ printf "%s ", $2 }' "$1")" = "$(seq -f 'line%g' 1 "$2" | tr '\n' ' ')" ]
	awk 'NR > 1 && $1 - prev < 0.8 { print "gap before line " NR; bad = 1 }
	    { prev = $1 } END { exit bad || prev > 30 }' "$1"
}

@test "nc front end 3: -i 1 sends a line at a time, 1 s apart at the receiver, with nc.openbsd and with sockit as nc" {
	local nc
	for nc in nc.openbsd "$T/bin/nc"; do
		python3 "$PEERS/line_times.py" listen >"$T/times" \
		    2>"$T/srv.log" 3>&- &
		bg_pids+=($!)
		wait_for_listen "$T/srv.log"
		# three lines in one write: -i splits them
		printf 'line1\nline2\nline3\n' >"$T/in"
		run -0 timeout 30 "$nc" -N -i 1 127.0.0.1 "$PORT" <"$T/in"
		wait "${bg_pids[-1]}" || :
		echo "$nc:"
		line_gaps "$T/times" 3
	done
}

# telnet_peer: a python3 server on 127.0.0.1 that sends telnet
# negotiation (DO ECHO, WILL SGA, DONT 5, WONT 6, a subnegotiation, IAC
# IAC) in one write with text, then prints what the client sent (hex)
# until its EOF on stdout ($T/got); sets PORT.
telnet_peer() {
	timeout 20 python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
print("listening on 127.0.0.1 %d" % s.getsockname()[1], file=sys.stderr,
      flush=True)
c, _ = s.accept()
c.sendall(bytes([255, 253, 1, 255, 251, 3]) + b"hello" + bytes([255, 255]) +
          b" world\r\n" + bytes([255, 250, 24, 1, 255, 240, 255, 254, 5,
          255, 252, 6]) + b"end\n")
got = b""
while True:
    d = c.recv(4096)
    if not d:
        break
    got += d
print(got.hex(" "), flush=True)' >"$T/got" 2>"$T/srv.log" 3>&- &
	bg_pids+=($!)
	wait_for_listen "$T/srv.log"
}

@test "nc front end 3: -t answers telnet negotiation as nc.openbsd does; the negotiation stays off stdout (nc.openbsd prints it)" {
	local nc answers=()
	for nc in nc.openbsd "$T/bin/nc"; do
		telnet_peer
		{ sleep 1; echo bye; } |
		    timeout 20 "$nc" -N -t 127.0.0.1 "$PORT" >"$T/out.${nc##*/}"
		wait "${bg_pids[-1]}" || :
		answers+=("$(cat "$T/got")")
	done
	# WONT ECHO, DONT SGA, WONT 5, DONT 6, then the line sent: the same
	printf '%s\n' "${answers[@]}"
	[ "${answers[0]}" = "ff fc 01 ff fe 03 ff fc 05 ff fe 06 62 79 65 0a" ]
	[ "${answers[1]}" = "${answers[0]}" ]
	# sockit: the text alone (IAC IAC as one 0xff); nc.openbsd: every byte
	printf 'hello\377 world\r\nend\n' | cmp - "$T/out.nc"
	od -An -c "$T/out.nc.openbsd"
	grep -q $'\xff\xfd\x01' "$T/out.nc.openbsd"
}

@test "nc front end 3: sockit nc and sockit named netcat are the same front end" {
	run -0 "$SOCKIT" nc -h
	assert_output --partial 'usage: nc'
	run -0 "$T/bin/netcat" -h
	assert_output --partial 'usage: nc'
	run -1 "$SOCKIT" nc 127.0.0.1
	assert_output --partial 'missing port number'
}

@test "nc front end 3: -zv says nc's words on stderr: Connection to HOST PORT port [tcp/*] succeeded!" {
	local port closed
	port=$(free_port) closed=$(free_port)
	timeout 30 socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" \
	    EXEC:true </dev/null 3>&- &
	bg_pids+=($!)
	wait_tcp "$port"
	run -0 --separate-stderr "$T/bin/nc" -zv 127.0.0.1 "$closed" "$port"
	assert_output ""
	[[ $stderr == *"Connection to 127.0.0.1 $port port [tcp/"*"] succeeded!"* ]]
	[[ $stderr == *"connect to 127.0.0.1 port $closed (tcp) failed: Connection refused"* ]]
}

@test "nc front end 3: sockit -v nc: global options nc has too (-4 -6 -n -v -w) are nc's; -j and --quiet before nc are exit 2 naming them" {
	local port
	port=$(free_port)
	timeout 30 socat "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr,fork" \
	    EXEC:true </dev/null 3>&- &
	bg_pids+=($!)
	wait_tcp "$port"
	run -0 --separate-stderr "$SOCKIT" -v nc -z 127.0.0.1 "$port"
	assert_output ""
	[[ $stderr == *"Connection to 127.0.0.1 $port port [tcp/"*"] succeeded!"* ]]
	run -0 --separate-stderr "$SOCKIT" -4 --verbose -n -w 5 nc -z \
	    127.0.0.1 "$port"
	[[ $stderr == *"Connection to 127.0.0.1 $port port [tcp/"*"] succeeded!"* ]]
	run -2 "$SOCKIT" -j nc -z 127.0.0.1 "$port"
	assert_output --partial "sockit: nc: -j before the word nc:"
	run -2 "$SOCKIT" --quiet nc -z 127.0.0.1 "$port"
	assert_output --partial "sockit: nc: --quiet before the word nc:"
}

@test "nc front end 3: an nc option with no equivalent is exit 2 naming it; -e is not OpenBSD nc's" {
	local option
	for option in -F -S -Z "-m 5" "-P user" "-V 1" "-W 1"; do
		run -2 "$T/bin/nc" $option 127.0.0.1 9
		assert_output --partial "nc's ${option%% *} ("
		assert_output --partial "has no equivalent"
	done
	run -2 "$T/bin/nc" -e /bin/sh -l 9
	assert_output --partial "-e: not an option of OpenBSD nc"
	run -2 "$T/bin/nc" 127.0.0.1 9 10
	assert_output --partial "one port at a time without -z"
}

@test "nc front end 3: every nc -u one-liner: OpenBSD nc and sockit as nc give the same stdout, peer bytes and exit status" {
	compare_corpus "$BATS_TEST_DIRNAME/nc/udp.cases"
}

@test "nc front end 3: tests/nc/udp.cases holds nc -u one-liners in the corpus form" {
	run -0 cases "$BATS_TEST_DIRNAME/nc/udp.cases"
	((${#lines[@]} >= 5))
	run -0 awk -F ' [|] ' '(NF != 4 && (NF != 5 || $5 !~ /^sockit prints /)) ||
	    $4 !~ /-[a-zA-Z]*u/ { print }' \
	    <(cases "$BATS_TEST_DIRNAME/nc/udp.cases")
	assert_output ""
}
