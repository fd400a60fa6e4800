#!/usr/bin/env bats
# --proxy-protocol v1|v2 (issue 20): listen requires and decodes HAProxy's
# PROXY protocol header, connect sends one.  Peers: haproxy (send-proxy,
# send-proxy-v2 and accept-proxy, started in the foreground with a
# configuration written here), curl --haproxy-protocol, and nc sending
# malformed headers.

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
	bg_pids=()
}

teardown() {
	kill_bg
}

# haproxy_start FRONTEND_BIND_OPTS SERVER_ADDR SERVER_OPTS: haproxy in
# the foreground, one TCP frontend on 127.0.0.1:$HP_PORT (with the bind
# options) to one server; it logs each connection's client (%ci %cp, as
# haproxy decoded it) to $T/haproxy.log.  Sets HP_PORT.
haproxy_start() {
	HP_PORT=$(free_port)
	cat >"$T/haproxy.cfg" <<-EOF
		global
		    log stdout format raw local0
		defaults
		    mode tcp
		    log global
		    timeout connect 10s
		    timeout client 30s
		    timeout server 30s
		frontend fe
		    bind 127.0.0.1:$HP_PORT $1
		    log-format "client %ci %cp"
		    default_backend be
		backend be
		    server s1 $2 $3
	EOF
	timeout 60 haproxy -f "$T/haproxy.cfg" -db >"$T/haproxy.log" 2>&1 \
	    </dev/null 3>&- &
	bg_pids+=("$!")
	wait_tcp "$HP_PORT"
}

# listen_pp VERSION [ARG...]: sockit listen -j --proxy-protocol VERSION
# on a free port of 127.0.0.1, its stdin from $LP_IN (default /dev/null),
# stdout in $T/out, stderr in $T/err; sets LP_PORT and LP_PID.
listen_pp() {
	local version=$1
	shift
	LP_PORT=$(free_port)
	timeout 30 "$SOCKIT" listen -j --proxy-protocol "$version" "$@" \
	    127.0.0.1 "$LP_PORT" <"${LP_IN:-/dev/null}" >"$T/out" 2>"$T/err" 3>&- &
	LP_PID=$!
	bg_pids+=("$LP_PID")
	wait_tcp "$LP_PORT"
}

@test "proxy protocol 1: haproxy send-proxy (v1) into listen: client is the real source" {
	listen_pp v1
	haproxy_start "" "127.0.0.1:$LP_PORT" send-proxy
	cport=$(free_port)
	printf 'through haproxy\n' |
	    timeout 20 nc -N -s 127.0.0.2 -p "$cport" 127.0.0.1 "$HP_PORT"
	wait "$LP_PID"
	[ "$(cat "$T/out")" = "through haproxy" ]
	run jq -c 'select(.event == "accepted") | [.peer, .client, .client_port]' "$T/err"
	assert_output "[\"127.0.0.1\",\"127.0.0.2\",$cport]"
}

@test "proxy protocol 1: haproxy send-proxy-v2 into listen -k: each client named, bytes intact" {
	listen_pp v2 -k
	haproxy_start "" "127.0.0.1:$LP_PORT" send-proxy-v2
	p1=$(free_port)
	p2=$(free_port)
	printf 'one\n' | timeout 20 nc -N -s 127.0.0.2 -p "$p1" 127.0.0.1 "$HP_PORT"
	printf 'two\n' | timeout 20 nc -N -s 127.0.0.3 -p "$p2" 127.0.0.1 "$HP_PORT"
	wait_grep "$T/err" '"event":"closed"' 2
	run jq -c 'select(.event == "accepted") | [.client, .client_port]' "$T/err"
	assert_output "[\"127.0.0.2\",$p1]
[\"127.0.0.3\",$p2]"
	[ "$(cat "$T/out")" = "one
two" ]
}

@test "proxy protocol 1: listen -v says which client a proxy brought" {
	LP_PORT=$(free_port)
	timeout 30 "$SOCKIT" listen -v --proxy-protocol v1 127.0.0.1 "$LP_PORT" \
	    >"$T/out" 2>"$T/err" </dev/null 3>&- &
	bg_pids+=("$!")
	wait_tcp "$LP_PORT"
	haproxy_start "" "127.0.0.1:$LP_PORT" send-proxy
	cport=$(free_port)
	printf 'x' | timeout 20 nc -N -s 127.0.0.2 -p "$cport" 127.0.0.1 "$HP_PORT"
	wait_grep "$T/err" '^closed'
	run grep '^accepted' "$T/err"
	assert_output --regexp "^accepted 127\.0\.0\.1 [0-9]+ for 127\.0\.0\.2 $cport\$"
}

@test "proxy protocol 1: connect --proxy-protocol v1 into haproxy accept-proxy, on to send-proxy-v2" {
	# sockit -> haproxy (decodes our v1 header, logs it) -> sockit listen
	# (decodes haproxy's v2 header): both name sockit connect's source
	listen_pp v2
	haproxy_start accept-proxy "127.0.0.1:$LP_PORT" send-proxy-v2
	cport=$(free_port)
	printf 'hello\n' | timeout 20 "$SOCKIT" connect --proxy-protocol v1 \
	    -s 127.0.0.2 -p "$cport" 127.0.0.1 "$HP_PORT"
	wait "$LP_PID"
	[ "$(cat "$T/out")" = "hello" ]
	run jq -c 'select(.event == "accepted") | [.client, .client_port]' "$T/err"
	assert_output "[\"127.0.0.2\",$cport]"
	wait_grep "$T/haproxy.log" "^client 127\.0\.0\.2 $cport\$"
}

@test "proxy protocol 1: connect --proxy-protocol v2 into haproxy accept-proxy" {
	listen_pp v1
	haproxy_start accept-proxy "127.0.0.1:$LP_PORT" send-proxy
	cport=$(free_port)
	printf 'v2 in\n' | timeout 20 "$SOCKIT" connect --proxy-protocol v2 \
	    -s 127.0.0.3 -p "$cport" 127.0.0.1 "$HP_PORT"
	wait "$LP_PID"
	[ "$(cat "$T/out")" = "v2 in" ]
	run jq -c 'select(.event == "accepted") | [.client, .client_port]' "$T/err"
	assert_output "[\"127.0.0.3\",$cport]"
	wait_grep "$T/haproxy.log" "^client 127\.0\.0\.3 $cport\$"
}

@test "proxy protocol 1: connect --proxy-protocol over IPv6 (TCP6) into haproxy accept-proxy" {
	listen_pp v2
	HP_PORT=$(free_port)
	cat >"$T/haproxy.cfg" <<-EOF
		global
		    log stdout format raw local0
		defaults
		    mode tcp
		    log global
		    timeout connect 10s
		    timeout client 30s
		    timeout server 30s
		frontend fe
		    bind [::1]:$HP_PORT accept-proxy
		    log-format "client %ci %cp"
		    default_backend be
		backend be
		    server s1 127.0.0.1:$LP_PORT send-proxy-v2
	EOF
	timeout 60 haproxy -f "$T/haproxy.cfg" -db >"$T/haproxy.log" 2>&1 \
	    </dev/null 3>&- &
	bg_pids+=("$!")
	wait_tcp "$HP_PORT"
	cport=$(free_port)
	printf 'six\n' | timeout 20 "$SOCKIT" connect --proxy-protocol v1 \
	    -p "$cport" ::1 "$HP_PORT"
	wait "$LP_PID"
	[ "$(cat "$T/out")" = "six" ]
	run jq -c 'select(.event == "accepted") | [.client, .client_port]' "$T/err"
	assert_output "[\"::1\",$cport]"
	wait_grep "$T/haproxy.log" "^client ::1 $cport\$"
}

@test "proxy protocol 1: connect into haproxy accept-proxy without the header is dropped" {
	# the control: haproxy really requires the header sockit sends
	listen_pp v1
	haproxy_start accept-proxy "127.0.0.1:$LP_PORT" send-proxy
	run -1 timeout 20 "$SOCKIT" connect 127.0.0.1 "$HP_PORT" <<<"no header"
	assert_output --regexp "^sockit: connect: 127\.0\.0\.1 $HP_PORT: Connection reset by peer\$"
	wait_grep "$T/haproxy.log" "PROXY protocol header"
	run jq -c 'select(.event == "accepted")' "$T/err"
	assert_output ""
}

@test "proxy protocol 1: curl --haproxy-protocol into listen: the request without the header" {
	printf 'HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n' >"$T/reply"
	LP_IN=$T/reply listen_pp v1
	run -0 timeout 20 curl -sS --haproxy-protocol "http://127.0.0.1:$LP_PORT/pp"
	assert_output "ok"
	wait "$LP_PID" || true
	run head -c 12 "$T/out"
	assert_output "GET /pp HTTP"
	run jq -c 'select(.event == "accepted") | .client == .peer and .client_port == .peer_port' "$T/err"
	assert_output "true"
}

@test "proxy protocol 1: listen -k: stdin waits for a client whose header is under way" {
	# the client joins when its header is complete: stdin read before
	# then would go to nobody
	printf 'HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n' >"$T/reply"
	LP_IN=$T/reply listen_pp v1 -k
	run -0 timeout 20 curl -sS --haproxy-protocol "http://127.0.0.1:$LP_PORT/pp"
	assert_output "ok"
	wait_grep "$T/out" '^GET /pp HTTP'
}

@test "proxy protocol 1: listen --chat: a client joins once its header came; a refused one is never announced" {
	listen_pp v1 --chat
	{
		printf 'PROXY TCP4 192.0.2.1 192.0.2.2 1000 80\r\n'
		sleep 8
	} | timeout 20 nc 127.0.0.1 "$LP_PORT" >"$T/a" 3>&- &
	bg_pids+=("$!")
	wait_grep "$T/err" '"event":"accepted"'
	printf 'GET / HTTP/1.0\r\n\r\n' | timeout 20 nc -N 127.0.0.1 "$LP_PORT" || true
	wait_grep "$T/err" '"event":"refused"'
	printf 'PROXY TCP4 192.0.2.3 192.0.2.2 1001 80\r\nhi\n' |
	    timeout 20 nc -N 127.0.0.1 "$LP_PORT"
	wait_grep "$T/a" 'user3 left'
	run cat "$T/a"
	assert_line --index 0 --regexp '^\* user3 joined from 127\.0\.0\.1 [0-9]+$'
	assert_line --index 1 '<user3> hi'
	assert_line --index 2 '* user3 left'
	refute_output --partial user2
}

@test "proxy protocol 1: listen -k -e: the child gets the bytes after the header" {
	listen_pp v2 -k -e cat
	haproxy_start "" "127.0.0.1:$LP_PORT" send-proxy-v2
	cport=$(free_port)
	run -0 timeout 20 nc -N -s 127.0.0.2 -p "$cport" 127.0.0.1 "$HP_PORT" <<<"echoed"
	assert_output "echoed"
	run jq -c 'select(.event == "accepted") | [.client, .client_port]' "$T/err"
	assert_output "[\"127.0.0.2\",$cport]"
}

@test "proxy protocol 1: listen -k -e: a client that sends no header holds back no other" {
	listen_pp v2 -k -e cat
	haproxy_start "" "127.0.0.1:$LP_PORT" send-proxy-v2
	timeout 25 nc -d 127.0.0.1 "$LP_PORT" >/dev/null 3>&- &
	bg_pids+=("$!")
	for ((i = 0; i < 50; i++)); do
		[[ -n $(ss -Htn state established "dport = :$LP_PORT" 2>/dev/null) ]] && break
		sleep 0.1
	done
	start=$(date +%s%N)
	cport=$(free_port)
	run -0 timeout 20 nc -N -s 127.0.0.2 -p "$cport" 127.0.0.1 "$HP_PORT" <<<"echoed"
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "served after $ms ms"
	assert_output "echoed"
	[ "$ms" -lt 5000 ]
	run jq -c 'select(.event == "accepted" or .event == "refused") | [.event, .client, .client_port]' "$T/err"
	assert_output "[\"accepted\",\"127.0.0.2\",$cport]"
	for ((i = 0; i < 200; i++)); do
		grep -q '"event":"refused"' "$T/err" && break
		sleep 0.1
	done
	run jq -r 'select(.event == "error") | .message' "$T/err"
	assert_output --regexp '^127\.0\.0\.1 [0-9]+: PROXY protocol v2 header: Connection timed out$'
}

@test "proxy protocol 1: listen -k -e -o: a refused client is closed while another client's helper runs" {
	# the helper process (-o) of a client must not hold the socket of
	# another client whose header is under way: refused, it sees its close
	listen_pp v1 -k -o "$T/log" -e cat
	timeout 25 nc -d 127.0.0.1 "$LP_PORT" >/dev/null 3>&- &
	silent=$!
	bg_pids+=("$silent")
	for ((i = 0; i < 50; i++)); do
		[[ -n $(ss -Htn state established "dport = :$LP_PORT" 2>/dev/null) ]] && break
		sleep 0.1
	done
	{
		printf 'PROXY TCP4 192.0.2.7 192.0.2.8 4000 80\r\nheld\n'
		sleep 20
	} | timeout 25 nc 127.0.0.1 "$LP_PORT" >"$T/held" 3>&- &
	bg_pids+=("$!")
	wait_grep "$T/held" '^held$'
	for ((i = 0; i < 150; i++)); do
		kill -0 "$silent" 2>/dev/null || break
		sleep 0.1
	done
	run jq -r 'select(.event == "refused") | .reason' "$T/err"
	assert_output "proxy_protocol"
	# closed by the refusal (10 s), not when the held client's helper ends
	wait_gone "$silent"
	run jq -c 'select(.event == "closed")' "$T/err"
	assert_output ""
}

@test "proxy protocol 1: a client without a header is refused, exit 1" {
	listen_pp v1
	printf 'GET / HTTP/1.0\r\n\r\n' | timeout 20 nc -N 127.0.0.1 "$LP_PORT" || true
	rc=0
	wait "$LP_PID" || rc=$?
	[ "$rc" -eq 1 ]
	[ ! -s "$T/out" ]
	run jq -r 'select(.event == "refused") | .reason' "$T/err"
	assert_output "proxy_protocol"
	run jq -r 'select(.event == "error") | .message' "$T/err"
	assert_output --regexp '^127\.0\.0\.1 [0-9]+: PROXY protocol v1 header: no PROXY protocol header \(got "GET / HT\.\.\."\)$'
}

@test "proxy protocol 1: malformed headers refused in text, listen -k goes on" {
	port=$(free_port)
	timeout 30 "$SOCKIT" listen -k --proxy-protocol v1 127.0.0.1 "$port" \
	    >"$T/out" 2>"$T/err" </dev/null 3>&- &
	bg_pids+=("$!")
	wait_tcp "$port"
	printf 'PROXY TCP4 1.2.3 5.6.7.8 1 2\r\nleak\n' | timeout 20 nc -N 127.0.0.1 "$port" || true
	printf 'PROXY TCP4 1.2.3.4 5.6.7.8 99999 2\r\nleak\n' | timeout 20 nc -N 127.0.0.1 "$port" || true
	printf 'PROXY TCP9 x\r\nleak\n' | timeout 20 nc -N 127.0.0.1 "$port" || true
	printf '\r\n\r\n\0\r\nQUIT\n!\x11\0\x0c' | timeout 20 nc -N 127.0.0.1 "$port" || true
	printf 'PROXY TCP4 1.2.3.4 5.6.7.8 11 22' | timeout 20 nc -N 127.0.0.1 "$port" || true
	printf 'PROXY TCP4 192.0.2.7 192.0.2.8 4000 80\r\nfine\n' | timeout 20 nc -N 127.0.0.1 "$port"
	wait_grep "$T/out" '^fine$'
	run cat "$T/out"
	assert_output "fine"
	run grep '^sockit: listen' "$T/err"
	assert_line --index 0 --regexp ': PROXY protocol v1 header: v1: an address is not IPv4$'
	assert_line --index 1 --regexp ': PROXY protocol v1 header: v1: a port is not a number 0-65535$'
	assert_line --index 2 --regexp ': PROXY protocol v1 header: v1: protocol is not TCP4, TCP6 or UNKNOWN$'
	assert_line --index 3 --regexp ': PROXY protocol v1 header: a v2 header, v1 expected$'
	assert_line --index 4 --regexp ': PROXY protocol v1 header: the client closed in the middle of it$'
}

@test "proxy protocol 1: a v2 header cut short and one of an unknown command are refused" {
	port=$(free_port)
	timeout 30 "$SOCKIT" listen -k --proxy-protocol v2 127.0.0.1 "$port" \
	    >"$T/out" 2>"$T/err" </dev/null 3>&- &
	bg_pids+=("$!")
	wait_tcp "$port"
	sig='\r\n\r\n\0\r\nQUIT\n'
	printf "$sig"'\x21\x11\0\x0c\x7f\0\0\x01' | timeout 20 nc -N 127.0.0.1 "$port" || true
	printf "$sig"'\x25\x11\0\x0c\x7f\0\0\x01\x7f\0\0\x01\0\x01\0\x02' | timeout 20 nc -N 127.0.0.1 "$port" || true
	printf "$sig"'\x21\x11\0\x04\x7f\0\0\x01' | timeout 20 nc -N 127.0.0.1 "$port" || true
	wait_grep "$T/err" '^sockit: listen' 3
	run grep '^sockit: listen' "$T/err"
	assert_line --index 0 --regexp ': PROXY protocol v2 header: the client closed in the middle of it$'
	assert_line --index 1 --regexp ': PROXY protocol v2 header: v2: the command is neither LOCAL nor PROXY$'
	assert_line --index 2 --regexp ': PROXY protocol v2 header: v2: IPv4 addresses need 12 bytes$'
	[ ! -s "$T/out" ]
}

@test "proxy protocol 1: a client that sends no header in time is refused" {
	port=$(free_port)
	# -w bounds the header of connect; listen waits the handshake
	# deadline (10 s): a silent client is closed after it
	timeout 30 "$SOCKIT" listen -v --proxy-protocol v1 127.0.0.1 "$port" \
	    >"$T/out" 2>"$T/err" </dev/null 3>&- &
	pid=$!
	bg_pids+=("$pid")
	wait_tcp "$port"
	timeout 25 nc -d 127.0.0.1 "$port" >/dev/null 3>&- &
	bg_pids+=("$!")
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 1 ]
	run grep '^sockit: listen' "$T/err"
	assert_output --regexp ': PROXY protocol v1 header: Connection timed out$'
}

@test "proxy protocol 1: listen -k: a client that sends no header holds back no other" {
	# a silent client waits for its header in the relay's loop (as a TLS
	# handshake does): a client through haproxy, after it, is served at
	# once, and the silent one is refused when its 10 s are up
	listen_pp v1 -k
	haproxy_start "" "127.0.0.1:$LP_PORT" send-proxy
	timeout 25 nc -d 127.0.0.1 "$LP_PORT" >/dev/null 3>&- &
	bg_pids+=("$!")
	for ((i = 0; i < 50; i++)); do
		[[ -n $(ss -Htn state established "dport = :$LP_PORT" 2>/dev/null) ]] && break
		sleep 0.1
	done
	start=$(date +%s%N)
	cport=$(free_port)
	printf 'fast\n' | timeout 20 nc -N -s 127.0.0.2 -p "$cport" \
	    127.0.0.1 "$HP_PORT" >/dev/null 3>&- &
	bg_pids+=("$!")
	wait_grep "$T/out" '^fast$'
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "served after $ms ms"
	[ "$ms" -lt 5000 ]
	run jq -c 'select(.event == "accepted" or .event == "refused") | [.event, .client, .client_port]' "$T/err"
	assert_output "[\"accepted\",\"127.0.0.2\",$cport]"
	# the silent one: refused after the bound, and listen -k goes on
	for ((i = 0; i < 200; i++)); do
		grep -q '"event":"refused"' "$T/err" && break
		sleep 0.1
	done
	run jq -r 'select(.event == "refused") | .reason' "$T/err"
	assert_output "proxy_protocol"
	run jq -r 'select(.event == "error") | .message' "$T/err"
	assert_output --regexp '^127\.0\.0\.1 [0-9]+: PROXY protocol v1 header: Connection timed out$'
	kill -0 "$LP_PID"
}

@test "proxy protocol 1: --proxy-protocol takes v1 or v2" {
	run -2 "$SOCKIT" listen --proxy-protocol v3 127.0.0.1 0
	assert_output --partial 'bad --proxy-protocol "v3"'
	run -2 "$SOCKIT" connect -z --proxy-protocol v1 127.0.0.1 1
	assert_output --partial "--proxy-protocol goes with a session, not -z"
}
