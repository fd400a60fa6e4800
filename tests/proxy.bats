#!/usr/bin/env bats
# connect --proxy and connect -z --proxy: against real proxies (microsocks
# for SOCKS5 with and without authentication, tinyproxy and ncat for HTTP
# CONNECT) and fake proxies (tests/peers/fake_proxy.py) that capture what
# sockit sends (socks5h names, SOCKS4/4a requests, HTTP headers) and
# answer as told (reply codes, a header split across reads, 403, silence).

load helpers

setup_file() {
	head -c 10M /dev/urandom >"$BATS_FILE_TMPDIR/big"
	sha256sum <"$BATS_FILE_TMPDIR/big" >"$BATS_FILE_TMPDIR/big.sum"
}

setup() {
	BIG=$BATS_FILE_TMPDIR/big
	BIG_SUM=$(<"$BATS_FILE_TMPDIR/big.sum")
	T=$BATS_TEST_TMPDIR
	bg_pids=()
}

teardown() {
	kill_bg
}

same_as_big() {
	[ "$(sha256sum <"$1")" = "$BIG_SUM" ]
}

# tinyproxy_start [CONFIG LINE...]: a tinyproxy in the foreground on
# 127.0.0.1 with a minimal configuration (and the lines given); sets
# TP_PORT.
tinyproxy_start() {
	local line
	TP_PORT=$(free_port)
	{
		printf 'Port %s\nListen 127.0.0.1\nAllow 127.0.0.1\n' "$TP_PORT"
		printf 'Timeout 10\nMaxClients 100\n'
		for line in "$@"; do
			printf '%s\n' "$line"
		done
	} >"$T/tinyproxy.conf"
	timeout 60 tinyproxy -d -c "$T/tinyproxy.conf" \
	    >"$T/tinyproxy.log" 2>&1 </dev/null 3>&- &
	bg_pids+=("$!")
	wait_tcp "$TP_PORT"
}

# ncat_proxy_start [ARG...]: ncat as an HTTP CONNECT proxy; sets NP_PORT.
ncat_proxy_start() {
	NP_PORT=$(free_port)
	timeout 60 ncat -l --proxy-type http "$@" 127.0.0.1 "$NP_PORT" \
	    >"$T/ncat-proxy.log" 2>&1 </dev/null 3>&- &
	bg_pids+=("$!")
	wait_tcp "$NP_PORT"
}

# sink_start: a server writing what one client sends to $T/got until EOF
# (it never half-closes first: tinyproxy and microsocks end the whole
# tunnel at the first EOF from either side; the client gives --shutdown
# for it to see EOF); sets SINK_PORT and SINK_PID.
sink_start() {
	tcp_peer "$T/sink.log" accept copy >"$T/got"
	SINK_PORT=$PORT
	SINK_PID=$PEER_PID
}

# source_start: ncat -l sending $BIG to one client; sets SRC_PORT.  (The
# client gives --no-shutdown: the proxies end the tunnel at its EOF.)
source_start() {
	SRC_PORT=$(free_port)
	timeout 30 ncat -l --send-only 127.0.0.1 "$SRC_PORT" <"$BIG" 3>&- &
	bg_pids+=("$!")
	wait_tcp "$SRC_PORT"
}

# hold_ports [NCLOSED]: a process holding a listening socket (backlog 64)
# and NCLOSED (default 1) sockets bound but not listening on 127.0.0.1,
# so that the closed ports refuse and belong to no other test; sets OPEN
# and CLOSED (the closed ports, space-separated).
hold_ports() {
	tcp_peer "$T/ports.$RANDOM" --backlog 64 --closed "${1:-1}" sleep 60 &&
	    OPEN=$PORT &&
	    [[ -n $OPEN && -n $CLOSED ]]
}

# ---- data through real proxies ----------------------------------------------

@test "socks5 (microsocks): 10 MB sent through the proxy reach ncat -l intact" {
	microsocks_start
	sink_start
	# --shutdown: the sink ends at EOF
	run --separate-stderr timeout 20 "$SOCKIT" connect --shutdown \
	    --proxy "socks5://127.0.0.1:$MS_PORT" 127.0.0.1 "$SINK_PORT" <"$BIG"
	assert_success
	[ -z "$output" ]
	[ -z "$stderr" ]
	wait "$SINK_PID"
	same_as_big "$T/got"
}

@test "socks5 (microsocks): 10 MB from ncat -l arrive through the proxy intact" {
	microsocks_start
	source_start
	run --separate-stderr to_file "$T/got" timeout 20 "$SOCKIT" connect \
	    --no-shutdown --proxy "socks5://127.0.0.1:$MS_PORT" \
	    127.0.0.1 "$SRC_PORT" </dev/null
	assert_success
	[ -z "$stderr" ]
	same_as_big "$T/got"
}

@test "socks5 with USER:PASS@ (microsocks -u -P, RFC 1929): data intact" {
	microsocks_start -u alice -P 's3cr:t'
	sink_start
	run --separate-stderr timeout 20 "$SOCKIT" connect --shutdown \
	    --proxy "socks5://alice:s3cr%3At@127.0.0.1:$MS_PORT" \
	    127.0.0.1 "$SINK_PORT" <"$BIG"
	assert_success
	[ -z "$stderr" ]
	wait "$SINK_PID"
	same_as_big "$T/got"
}

@test "socks5h (microsocks): the proxy resolves localhost; data intact" {
	microsocks_start
	source_start
	run --separate-stderr to_file "$T/got" timeout 20 "$SOCKIT" connect \
	    --no-shutdown --proxy "socks5h://127.0.0.1:$MS_PORT" \
	    localhost "$SRC_PORT" </dev/null
	assert_success
	same_as_big "$T/got"
}

@test "http (tinyproxy): 10 MB sent through CONNECT reach ncat -l intact" {
	tinyproxy_start
	sink_start
	run --separate-stderr timeout 20 "$SOCKIT" connect --shutdown \
	    --proxy "http://127.0.0.1:$TP_PORT" 127.0.0.1 "$SINK_PORT" <"$BIG"
	assert_success
	[ -z "$stderr" ]
	wait "$SINK_PID"
	same_as_big "$T/got"
}

@test "http (tinyproxy): 10 MB from ncat -l arrive through CONNECT intact" {
	tinyproxy_start
	source_start
	run --separate-stderr to_file "$T/got" timeout 20 "$SOCKIT" connect \
	    --no-shutdown --proxy "http://127.0.0.1:$TP_PORT" \
	    127.0.0.1 "$SRC_PORT" </dev/null
	assert_success
	same_as_big "$T/got"
}

@test "http (ncat --proxy-type http): 10 MB each way intact" {
	ncat_proxy_start
	sink_start
	run --separate-stderr timeout 20 "$SOCKIT" connect --shutdown \
	    --proxy "http://127.0.0.1:$NP_PORT" 127.0.0.1 "$SINK_PORT" <"$BIG"
	assert_success
	wait "$SINK_PID"
	same_as_big "$T/got"
	source_start
	run --separate-stderr to_file "$T/got2" timeout 20 "$SOCKIT" connect \
	    --no-shutdown --proxy "http://127.0.0.1:$NP_PORT" \
	    127.0.0.1 "$SRC_PORT" </dev/null
	assert_success
	same_as_big "$T/got2"
}

# ---- the session through a proxy: no half-close by default -----------------

# web_start: python3 -m http.server on 127.0.0.1 serving $T/www, whose
# index.html is one known line; sets WEB_PORT.
web_start() {
	mkdir -p "$T/www"
	echo "the page through the proxy" >"$T/www/index.html"
	WEB_PORT=$(free_port)
	timeout 60 python3 -m http.server --bind 127.0.0.1 \
	    --directory "$T/www" "$WEB_PORT" >"$T/web.log" 2>&1 </dev/null 3>&- &
	bg_pids+=("$!")
	wait_tcp "$WEB_PORT"
}

@test "first hour 1: the README's HTTP request through socks5 (microsocks) gets the whole reply, exit 0" {
	microsocks_start
	web_start
	run --separate-stderr timeout 20 sh -c 'printf "GET / HTTP/1.0\r\n\r\n" |
	    "$0" connect -v --proxy "socks5://127.0.0.1:$1" 127.0.0.1 "$2"' \
	    "$SOCKIT" "$MS_PORT" "$WEB_PORT"
	assert_success
	[[ ${lines[0]} == "HTTP/1.0 200 OK"* ]]
	assert_line "the page through the proxy"
	[[ $stderr == *"through a proxy, stdin EOF does not half-close"* ]]
}

@test "first hour 1: the README's HTTP request through http CONNECT (tinyproxy) gets the whole reply, exit 0" {
	tinyproxy_start
	web_start
	run --separate-stderr timeout 20 sh -c 'printf "GET / HTTP/1.0\r\n\r\n" |
	    "$0" connect --proxy "http://127.0.0.1:$1" 127.0.0.1 "$2"' \
	    "$SOCKIT" "$TP_PORT" "$WEB_PORT"
	assert_success
	[[ ${lines[0]} == "HTTP/1.0 200 OK"* ]]
	assert_line "the page through the proxy"
	[ -z "$stderr" ]
}

@test "first hour 1: through a proxy, -q ends the session after stdin EOF; --shutdown half-closes" {
	microsocks_start
	sink_start
	# no half-close: the target never sees EOF; -q ends it, exit 0
	run --separate-stderr timeout 20 sh -c 'echo one |
	    "$0" connect -q 0.5 --proxy "socks5://127.0.0.1:$1" 127.0.0.1 "$2"' \
	    "$SOCKIT" "$MS_PORT" "$SINK_PORT"
	assert_success
	wait "$SINK_PID"
	[ "$(cat "$T/got")" = one ]
	# --shutdown: the target sees EOF and the session ends with it
	sink_start
	run --separate-stderr timeout 20 sh -c 'echo two |
	    "$0" connect -v --shutdown --proxy "socks5://127.0.0.1:$1" \
	    127.0.0.1 "$2"' "$SOCKIT" "$MS_PORT" "$SINK_PORT"
	assert_success
	[[ $stderr == *"--shutdown: stdin EOF half-closes the tunnel"* ]]
	wait "$SINK_PID"
	[ "$(cat "$T/got")" = two ]
	run --separate-stderr "$SOCKIT" connect --shutdown --no-shutdown \
	    127.0.0.1 9 </dev/null
	assert_failure 2
}

@test "http basic auth (ncat --proxy-auth): right credentials pass, wrong ones are 407, exit 1" {
	ncat_proxy_start --proxy-auth 'alice:pa@ss'
	source_start
	run --separate-stderr to_file "$T/got" timeout 20 "$SOCKIT" connect \
	    --no-shutdown --proxy "http://alice:pa%40ss@127.0.0.1:$NP_PORT" \
	    127.0.0.1 "$SRC_PORT" </dev/null
	assert_success
	same_as_big "$T/got"
	run --separate-stderr timeout 10 "$SOCKIT" connect \
	    --proxy "http://alice:nope@127.0.0.1:$NP_PORT" 127.0.0.1 1 \
	    </dev/null
	assert_failure 1
	[[ $stderr == "sockit: connect: proxy 127.0.0.1:$NP_PORT refused 127.0.0.1:1: HTTP/1.0 407 Proxy Authentication Required" ]]
	[[ $stderr != *nope* && $stderr != *alice* ]]
}

# ---- what is sent -----------------------------------------------------------

@test "socks5h sends the name: one only the proxy knows, never resolved here" {
	fake_proxy "$T/fake.log" socks5 0 >"$T/req"
	run --separate-stderr timeout 10 "$SOCKIT" connect \
	    --proxy "socks5h://127.0.0.1:$PORT" only-the-proxy.invalid 4242 \
	    </dev/null
	assert_success
	assert_output "through socks5"
	run cat "$T/req"
	assert_output "cmd=1 atyp=3 host=only-the-proxy.invalid port=4242"
}

@test "socks5 resolves here: localhost goes out as 127.0.0.1, a name only the proxy knows fails (exit 3)" {
	fake_proxy "$T/fake.log" socks5 0 >"$T/req"
	run --separate-stderr timeout 10 "$SOCKIT" connect \
	    --proxy "socks5://127.0.0.1:$PORT" localhost 4242 </dev/null
	assert_success
	assert_output "through socks5"
	run cat "$T/req"
	assert_output "cmd=1 atyp=1 host=127.0.0.1 port=4242"
	run --separate-stderr timeout 10 "$SOCKIT" connect \
	    --proxy "socks5://127.0.0.1:$PORT" only-the-proxy.invalid 4242 \
	    </dev/null
	assert_failure 3
	[[ $stderr == "sockit: connect: "*only-the-proxy.invalid* ]]
}

@test "socks5h sends an IPv6 literal as an address (ATYP 4)" {
	fake_proxy "$T/fake.log" socks5 0 >"$T/req"
	run --separate-stderr timeout 10 "$SOCKIT" connect \
	    --proxy "socks5h://127.0.0.1:$PORT" '[2001:db8::7]:443' </dev/null
	assert_success
	run cat "$T/req"
	assert_output "cmd=1 atyp=4 host=2001:db8::7 port=443"
}

@test "every SOCKS5 reply code becomes a reason: exit 1, the proxy and target named" {
	local codes=(1 2 3 4 5 6 7 8 42) k
	local reasons=("general SOCKS server failure"
	    "connection not allowed by ruleset" "network unreachable"
	    "host unreachable" "connection refused" "TTL expired"
	    "command not supported" "address type not supported"
	    "unknown SOCKS5 reply code 42")
	fake_proxy "$T/fake.log" socks5 1 2 3 4 5 6 7 8 42 >"$T/req"
	for k in "${!codes[@]}"; do
		run --separate-stderr timeout 10 "$SOCKIT" connect \
		    --proxy "socks5h://127.0.0.1:$PORT" example.test 80 \
		    </dev/null
		assert_failure 1
		[ -z "$output" ]
		[[ $stderr == "sockit: connect: proxy 127.0.0.1:$PORT refused example.test:80: ${reasons[k]}" ]] ||
		    fail "code ${codes[k]}: $stderr"
	done
}

@test "socks4 sends the IPv4 address and the user id; data flows" {
	fake_proxy "$T/fake.log" socks4 90 >"$T/req"
	run --separate-stderr timeout 10 "$SOCKIT" connect \
	    --proxy "socks4://me@127.0.0.1:$PORT" localhost 4242 </dev/null
	assert_success
	assert_output "through socks4"
	run cat "$T/req"
	assert_output "vn=4 cd=1 port=4242 ip=127.0.0.1 user=me name=-"
}

@test "socks4a sends the name for the proxy to resolve" {
	fake_proxy "$T/fake.log" socks4 90 >"$T/req"
	run --separate-stderr timeout 10 "$SOCKIT" connect \
	    --proxy "socks4a://127.0.0.1:$PORT" only-the-proxy.invalid 4242 \
	    </dev/null
	assert_success
	assert_output "through socks4"
	run cat "$T/req"
	assert_output "vn=4 cd=1 port=4242 ip=0.0.0.1 user= name=only-the-proxy.invalid"
}

@test "socks4 rejection (91) is exit 1 with the reason" {
	fake_proxy "$T/fake.log" socks4 91 >"$T/req"
	run --separate-stderr timeout 10 "$SOCKIT" connect \
	    --proxy "socks4://127.0.0.1:$PORT" 127.0.0.1 9 </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockit: connect: proxy 127.0.0.1:$PORT refused 127.0.0.1:9: request rejected or failed"
}

@test "http: CONNECT with Host and percent-decoded basic auth" {
	fake_proxy "$T/fake.log" http \
	    'HTTP/1.1 200 Connection established\r\n\r\nhi\n' >"$T/req"
	run --separate-stderr timeout 10 "$SOCKIT" connect \
	    --proxy "http://al%40ice:p%3Aw%25d@127.0.0.1:$PORT" \
	    example.test 443 </dev/null
	assert_success
	assert_output "hi"
	run tr -d '\r' <"$T/req"
	assert_line --index 0 "CONNECT example.test:443 HTTP/1.1"
	assert_line "Host: example.test:443"
	assert_line "Proxy-Authorization: Basic $(printf '%s' 'al@ice:p:w%d' | base64)"
}

@test "http: a response header split across reads; the bytes after it are the target's" {
	fake_proxy "$T/fake.log" http 'HTTP/1.1 200 Connection established\r\n' \
	    'Proxy-Agent: fake\r\nX-A: 1\r\n\r' '\nbanner after the header\n' \
	    >"$T/req"
	run --separate-stderr timeout 10 "$SOCKIT" connect \
	    --proxy "http://127.0.0.1:$PORT" '[::1]:22' </dev/null
	assert_success
	assert_output "banner after the header"
	[ -z "$stderr" ]
	run tr -d '\r' <"$T/req"
	assert_line --index 0 "CONNECT [::1]:22 HTTP/1.1"
	assert_line "Host: [::1]:22"
	refute_line --partial "Proxy-Authorization"
}

@test "http: a body-less 200 and the target's first bytes in one segment" {
	fake_proxy "$T/fake.log" http 'HTTP/1.0 200 OK\r\n\r\nSSH-2.0-fake\r\n' \
	    >"$T/req"
	run --separate-stderr timeout 10 "$SOCKIT" connect \
	    --proxy "http://127.0.0.1:$PORT" example.test 22 </dev/null
	assert_success
	assert_output $'SSH-2.0-fake\r'
}

@test "http 403 (fake proxy) is exit 1 with the status line" {
	fake_proxy "$T/fake.log" http \
	    'HTTP/1.1 403 Forbidden\r\nContent-Length: 9\r\n\r\nforbidden' >"$T/req"
	run --separate-stderr timeout 10 "$SOCKIT" connect \
	    --proxy "http://127.0.0.1:$PORT" example.test 25 </dev/null
	assert_failure 1
	[ -z "$output" ]
	assert_equal "$stderr" "sockit: connect: proxy 127.0.0.1:$PORT refused example.test:25: HTTP/1.1 403 Forbidden"
}

@test "audit 11: control characters in a proxy's status line are escaped in the error and in -z text" {
	fake_proxy "$T/fake.log" http 'HTTP/1.1 403 \x1b[31mNo\x07\r\n\r\n' >"$T/req"
	run --separate-stderr timeout 10 "$SOCKIT" connect \
	    --proxy "http://127.0.0.1:$PORT" example.test 25 </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockit: connect: proxy 127.0.0.1:$PORT refused example.test:25: HTTP/1.1 403 \\x1b[31mNo\\x07"
	kill_bg
	fake_proxy "$T/fake2.log" http 'HTTP/1.1 403 \x1b[31mNo\x07\r\n\r\n' >"$T/req2"
	run --separate-stderr timeout 10 "$SOCKIT" connect -z \
	    --proxy "http://127.0.0.1:$PORT" example.test 25
	assert_failure 1
	[[ $output == 'example.test 25/tcp error '*'ms (HTTP/1.1 403 \x1b[31mNo\x07)' ]]
	[[ $output != *$'\e'* ]]
}

@test "http 403 from tinyproxy (ConnectPort) is exit 1 with the status line" {
	tinyproxy_start "ConnectPort 443"
	sink_start
	run --separate-stderr timeout 10 "$SOCKIT" connect \
	    --proxy "http://127.0.0.1:$TP_PORT" 127.0.0.1 "$SINK_PORT" </dev/null
	assert_failure 1
	[[ $stderr == "sockit: connect: proxy 127.0.0.1:$TP_PORT refused 127.0.0.1:$SINK_PORT: HTTP/1."?" 403 "* ]]
}

@test "a reply that is not HTTP is exit 1 saying so" {
	fake_proxy "$T/fake.log" http 'SSH-2.0-OpenSSH\r\n\r\n' >"$T/req"
	run --separate-stderr timeout 10 "$SOCKIT" connect \
	    --proxy "http://127.0.0.1:$PORT" example.test 25 </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockit: connect: proxy 127.0.0.1:$PORT: not an HTTP proxy (reply \"SSH-2.0-OpenSSH\")"
}

# ---- failures ---------------------------------------------------------------

@test "wrong SOCKS5 password (microsocks): exit 1 with the reason, no credentials shown" {
	microsocks_start -u alice -P s3cret
	run --separate-stderr timeout 10 "$SOCKIT" connect -v \
	    --proxy "socks5://alice:wr0ng@127.0.0.1:$MS_PORT" 127.0.0.1 9 \
	    </dev/null
	assert_failure 1
	[[ $stderr == *"sockit: connect: proxy 127.0.0.1:$MS_PORT refused 127.0.0.1:9: username/password authentication failed"* ]]
	[[ $stderr != *wr0ng* && $stderr != *alice* ]]
}

@test "no credentials for a SOCKS5 proxy that wants them: exit 1 saying so" {
	microsocks_start -u alice -P s3cret
	run --separate-stderr timeout 10 "$SOCKIT" connect \
	    --proxy "socks5://127.0.0.1:$MS_PORT" 127.0.0.1 9 </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockit: connect: proxy 127.0.0.1:$MS_PORT refused 127.0.0.1:9: authentication required (give USER:PASS@ in the URL, or SOCKIT_PROXY_USER and SOCKIT_PROXY_PASSWORD)"
}

@test "a port refused behind the proxy is exit 1 with the proxy's reason" {
	microsocks_start
	hold_ports
	p=$CLOSED
	run --separate-stderr timeout 10 "$SOCKIT" connect \
	    --proxy "socks5://127.0.0.1:$MS_PORT" 127.0.0.1 "$p" </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockit: connect: proxy 127.0.0.1:$MS_PORT refused 127.0.0.1:$p: connection refused"
}

@test "an unreachable proxy is exit 1 naming the proxy" {
	hold_ports
	p=$CLOSED
	run --separate-stderr timeout 10 "$SOCKIT" connect \
	    --proxy "socks5://u:secret@127.0.0.1:$p" 127.0.0.1 80 </dev/null
	assert_failure 1
	assert_equal "$stderr" "sockit: connect: proxy 127.0.0.1:$p: Connection refused"
	run --separate-stderr timeout 10 "$SOCKIT" connect -z \
	    --proxy "http://127.0.0.1:$p" 127.0.0.1 80,81
	assert_failure 1
	[ -z "$output" ]
	assert_equal "$stderr" "sockit: connect: proxy 127.0.0.1:$p: Connection refused"
}

@test "a proxy name that does not resolve is exit 3 naming it" {
	run --separate-stderr timeout 10 "$SOCKIT" connect \
	    --proxy "socks5://nosuch.invalid" 127.0.0.1 80 </dev/null
	assert_failure 3
	[[ $stderr == "sockit: connect: proxy nosuch.invalid: "* ]]
}

@test "malformed proxy URLs are exit 2 naming the part, credentials hidden" {
	local url want
	while IFS='|' read -r url want; do
		run --separate-stderr "$SOCKIT" connect --proxy "$url" \
		    127.0.0.1 80
		assert_failure 2
		[[ $stderr == *"$want"* ]] || fail "$url: $stderr"
		[[ $stderr == *"Try 'sockit connect --help'."* ]]
		[[ $stderr != *S3CRET* ]] || fail "$url: $stderr"
	done <<-'EOF'
	socks5://u:S3CRET@127.0.0.1:99999|bad proxy URL "socks5://***@127.0.0.1:99999": bad port: expected a number 1-65535
	gopher://127.0.0.1|unknown scheme
	127.0.0.1:1080|no scheme
	socks5://u:S3CRET@|no host
	socks5://u:S3CRET@h/x|a path, query or fragment is not allowed
	http://::1:8080|an IPv6 address goes in brackets
	socks5://u@127.0.0.1|SOCKS5 authentication needs USER:PASS@
	socks4://u:S3CRET@127.0.0.1|SOCKS4 takes a user id
	http://u:S3%zzCRET@127.0.0.1|bad password: a %-escape is not two hex digits
	EOF
}

@test "audit 4: a target host with CR/LF, blanks or past 253 bytes is exit 2 naming it; nothing reaches the proxy" {
	# socat captures every byte any connection brings
	P=$(free_port)
	timeout 60 socat -u "TCP-LISTEN:$P,bind=127.0.0.1,reuseaddr,fork" \
	    "OPEN:$T/got,creat,append" </dev/null 3>&- &
	bg_pids+=("$!")
	wait_tcp "$P"
	long=$(printf 'a%.0s' {1..254})
	for scheme in http socks5h socks4a socks5 socks4; do
		for z in "" -z; do
			run --separate-stderr timeout 10 "$SOCKIT" connect $z \
			    -w 2s --proxy "$scheme://127.0.0.1:$P" \
			    $'a\r\n\r\nGET /evil HTTP/1.1\r\nX' 80 </dev/null
			assert_failure 2
			[ -z "$output" ]
			[[ ${stderr%%$'\n'*} == 'sockit: connect: bad host "a\r\n\r\nGET /evil HTTP/1.1\r\nX": '* ]] ||
			    fail "$scheme $z: $stderr"
		done
		for host in 'exa mple.test' $'tab\there' $'del\x7f' "$long" \
		    'a..b' '-a.test'; do
			run --separate-stderr timeout 10 "$SOCKIT" connect \
			    -w 2s --proxy "$scheme://127.0.0.1:$P" -- "$host" \
			    80 </dev/null
			assert_failure 2
			[[ $stderr == 'sockit: connect: bad host "'* ]] ||
			    fail "$scheme $host: $stderr"
		done
	done
	[ ! -s "$T/got" ] || fail "the proxy got: $(od -c "$T/got" | head)"
	# names, IPv4 and IPv6 literals still pass (the capture works too)
	for host in localhost under_score.test. 127.0.0.1 ::1; do
		run --separate-stderr timeout 10 "$SOCKIT" connect -w 1s \
		    --proxy "http://127.0.0.1:$P" "$host" 80 </dev/null
		assert_failure 1
	done
	grep -q '^CONNECT localhost:80 HTTP/1.1' "$T/got"
	grep -q '^CONNECT \[::1\]:80 HTTP/1.1' "$T/got"
}

@test "-w bounds the handshake: a silent proxy is exit 1 in time" {
	# a proxy that accepts and never answers
	tcp_peer "$T/fake.log" accept sleep 30
	SECONDS=0
	run --separate-stderr timeout 10 "$SOCKIT" connect -w 500ms \
	    --proxy "socks5://127.0.0.1:$PORT" 127.0.0.1 80 </dev/null
	assert_failure 1
	((SECONDS < 4))
	assert_equal "$stderr" "sockit: connect: proxy 127.0.0.1:$PORT: no answer in time (SOCKS5 handshake)"
}

@test "-4/-6 choose how the proxy is reached (microsocks on ::1, IPv4 target)" {
	source_start
	MS_PORT=$(free_port)
	timeout 60 microsocks -i ::1 -p "$MS_PORT" >"$T/ms.log" 2>&1 \
	    </dev/null 3>&- &
	bg_pids+=("$!")
	wait_tcp "$MS_PORT"
	run --separate-stderr timeout 10 "$SOCKIT" connect -4 \
	    --proxy "socks5://[::1]:$MS_PORT" 127.0.0.1 "$SRC_PORT" </dev/null
	assert_failure 3
	[[ $stderr == "sockit: connect: proxy ::1: "* ]]
	run --separate-stderr to_file "$T/got" timeout 20 "$SOCKIT" connect \
	    -6 --no-shutdown --proxy "socks5://[::1]:$MS_PORT" \
	    127.0.0.1 "$SRC_PORT" </dev/null
	assert_success
	same_as_big "$T/got"
}

@test "--proxy does not go with -U, nor -z with -u or -O" {
	run --separate-stderr "$SOCKIT" connect --proxy socks5://127.0.0.1 \
	    -U /tmp/x.sock
	assert_failure 2
	[[ $stderr == *"-U and --proxy do not go together"* ]]
	run --separate-stderr "$SOCKIT" connect -z -u \
	    --proxy socks5://127.0.0.1 127.0.0.1 53
	assert_failure 2
	[[ $stderr == *"UDP does not go through --proxy"* ]]
	run --separate-stderr "$SOCKIT" connect -z -O nodelay=on \
	    --proxy socks5://127.0.0.1 127.0.0.1 53
	assert_failure 2
}

@test "environment proxy variables are ignored: only --proxy is used" {
	sink_start
	run --separate-stderr env ALL_PROXY=socks5://127.0.0.1:1 \
	    all_proxy=socks5://127.0.0.1:1 http_proxy=http://127.0.0.1:1 \
	    HTTPS_PROXY=http://127.0.0.1:1 timeout 10 "$SOCKIT" connect \
	    127.0.0.1 "$SINK_PORT" <<<"direct"
	assert_success
	wait "$SINK_PID"
	assert_equal "$(cat "$T/got")" "direct"
}

# ---- events and secrets -----------------------------------------------------

@test "-v, -vv and --json never show the credentials; the connected event names the proxy" {
	microsocks_start -u alice -P s3cretpw
	source_start
	run --separate-stderr to_file "$T/got" timeout 20 "$SOCKIT" connect \
	    -vv --no-shutdown \
	    --proxy "socks5://alice:s3cretpw@127.0.0.1:$MS_PORT" \
	    127.0.0.1 "$SRC_PORT" </dev/null
	assert_success
	[[ $stderr == *"connected through proxy socks5://***@127.0.0.1:$MS_PORT (127.0.0.1 $MS_PORT)"* ]]
	[[ $stderr != *s3cretpw* && $stderr != *alice* ]]
	source_start
	run --separate-stderr to_file "$T/got" timeout 20 "$SOCKIT" connect \
	    --json --no-shutdown \
	    --proxy "socks5://alice:s3cretpw@127.0.0.1:$MS_PORT" \
	    127.0.0.1 "$SRC_PORT" </dev/null
	assert_success
	run jq -r 'select(.event == "connected") | "\(.proxy) \(.port)"' \
	    <<<"$stderr"
	assert_output "socks5://***@127.0.0.1:$MS_PORT $MS_PORT"
	[[ $stderr != *s3cretpw* && $stderr != *alice* ]]
}

# cmdline_while_stalled ARG...: runs `sockit connect -w 20s ARG...
# example.test 80` against a proxy that accepts and never answers (PROXY
# in ARG stands for its 127.0.0.1:PORT) and, once the proxy has the
# connection (the URL is parsed by then), sets ARGS to the strings of
# sockit's /proc/PID/cmdline, CMDLINE to all of it (NULs as spaces) and
# PS to what ps shows.
cmdline_while_stalled() {
	local pid
	tcp_peer "$T/stall.log" accept say accepted sleep 30 >"$T/accepted"
	"$SOCKIT" connect -w 20s "${@//PROXY/127.0.0.1:$PORT}" example.test 80 \
	    </dev/null >/dev/null 2>"$T/err" 3>&- &
	pid=$!
	bg_pids+=("$pid")
	wait_grep "$T/accepted" '^accepted$'
	mapfile -d '' ARGS <"/proc/$pid/cmdline"
	CMDLINE=$(tr '\0' ' ' <"/proc/$pid/cmdline")
	PS=$(ps -o args= -p "$pid")
	kill "$pid"
}

@test "audit 6: the password in argv is overwritten once parsed: ps shows ***" {
	cmdline_while_stalled --proxy socks5h://alice:s3cretpw@PROXY
	[[ " ${ARGS[*]} " == *" socks5h://alice:***@127.0.0.1:$PORT "* ]] ||
	    fail "cmdline: $CMDLINE"
	[[ $PS == *" --proxy socks5h://alice:***@127.0.0.1:$PORT "* ]] ||
	    fail "ps: $PS"
	[[ $CMDLINE != *s3cretpw* && $PS != *s3cretpw* ]]
	[[ $CMDLINE == *" example.test 80 " ]]
	cmdline_while_stalled -z --proxy=http://bob:p%40ss%3Aword@PROXY
	[[ " ${ARGS[*]} " == *" --proxy=http://bob:***@127.0.0.1:$PORT "* ]] ||
	    fail "cmdline: $CMDLINE"
	[[ $CMDLINE != *p%40ss* && $CMDLINE != *word* ]]
	# a password shorter than *** becomes as many *
	cmdline_while_stalled --proxy http://bob:xy@PROXY
	[[ " ${ARGS[*]} " == *" http://bob:**@127.0.0.1:$PORT "* ]] ||
	    fail "cmdline: $CMDLINE"
}

@test "audit 6: SOCKIT_PROXY_USER and SOCKIT_PROXY_PASSWORD give the credentials (microsocks -u -P)" {
	microsocks_start -u alice -P s3cretpw
	source_start
	run --separate-stderr to_file "$T/got" env SOCKIT_PROXY_USER=alice \
	    SOCKIT_PROXY_PASSWORD=s3cretpw timeout 20 "$SOCKIT" connect -v \
	    --no-shutdown --proxy "socks5://127.0.0.1:$MS_PORT" \
	    127.0.0.1 "$SRC_PORT" </dev/null
	assert_success
	same_as_big "$T/got"
	[[ $stderr == *"through proxy socks5://***@127.0.0.1:$MS_PORT"* ]]
	[[ $stderr != *s3cretpw* && $stderr != *alice* ]]
	# the URL's credentials win over the environment's
	run --separate-stderr env SOCKIT_PROXY_USER=alice \
	    SOCKIT_PROXY_PASSWORD=s3cretpw timeout 10 "$SOCKIT" connect \
	    --proxy "socks5://alice:wr0ng@127.0.0.1:$MS_PORT" 127.0.0.1 9 \
	    </dev/null
	assert_failure 1
	[[ $stderr == *"username/password authentication failed"* ]]
	# the password alone: the user comes from the URL
	hold_ports
	run --separate-stderr env SOCKIT_PROXY_PASSWORD=s3cretpw \
	    timeout 10 "$SOCKIT" connect -z \
	    --proxy "socks5://alice@127.0.0.1:$MS_PORT" 127.0.0.1 "$OPEN"
	assert_success
	# a password without any user is exit 2 saying so
	run --separate-stderr env -u SOCKIT_PROXY_USER \
	    SOCKIT_PROXY_PASSWORD=s3cretpw "$SOCKIT" connect \
	    --proxy "socks5://127.0.0.1:$MS_PORT" 127.0.0.1 9 </dev/null
	assert_failure 2
	[[ $stderr == *"SOCKIT_PROXY_PASSWORD"*"no user"* ]] || fail "$stderr"
	[[ $stderr != *s3cretpw* ]]
}

@test "audit 6: a URL without :// and one with a path after an '@' are exit 2, credentials hidden" {
	run --separate-stderr "$SOCKIT" connect \
	    --proxy "socks5:/alice:S3CRET@127.0.0.1:1080" 127.0.0.1 80
	assert_failure 2
	[[ $stderr == 'sockit: connect: bad proxy URL "socks5:***@127.0.0.1:1080": no scheme'* ]] ||
	    fail "$stderr"
	[[ $stderr != *S3CRET* && $stderr != *alice* ]]
	# the authority ends at the first '/': x@y is a path, not the host
	run --separate-stderr "$SOCKIT" connect \
	    --proxy "socks5://alice:S3CRET@127.0.0.1:1080/x@y" 127.0.0.1 80
	assert_failure 2
	[[ $stderr == *"a path, query or fragment is not allowed after HOST:PORT"* ]] ||
	    fail "$stderr"
	[[ $stderr != *S3CRET* && $stderr != *alice* ]]
}

# ---- connect -z through the proxy -------------------------------------------

@test "-z through socks5 (microsocks): open and closed ports, in port order, exit 1" {
	microsocks_start
	hold_ports
	c=$CLOSED
	run --separate-stderr timeout 10 "$SOCKIT" connect -z \
	    --proxy "socks5://127.0.0.1:$MS_PORT" 127.0.0.1 "$OPEN,$c"
	assert_failure 1
	[ -z "$stderr" ]
	local want=("$OPEN open" "$c closed")
	((OPEN > c)) && want=("$c closed" "$OPEN open")
	[[ ${lines[0]} =~ ^127\.0\.0\.1\ ${want[0]%% *}/tcp\ ${want[0]#* }\ [0-9]+\.[0-9]{2}ms$ ]]
	[[ ${lines[1]} =~ ^127\.0\.0\.1\ ${want[1]%% *}/tcp\ ${want[1]#* }\ [0-9]+\.[0-9]{2}ms$ ]]
	[ "${#lines[@]}" -eq 2 ]
}

@test "-z through socks5h with credentials: JSON, address null, exit 0 when all open" {
	microsocks_start -u alice -P s3cretpw
	hold_ports
	run --separate-stderr timeout 10 "$SOCKIT" connect -z --json \
	    --proxy "socks5h://alice:s3cretpw@127.0.0.1:$MS_PORT" localhost "$OPEN"
	assert_success
	run jq -c '{host, address, port, state}' <<<"$output"
	assert_output "{\"host\":\"localhost\",\"address\":null,\"port\":$OPEN,\"state\":\"open\"}"
}

@test "-z through socks5: 10 ports, one open, checked 4 at a time and printed in order" {
	microsocks_start
	hold_ports 9
	run --separate-stderr timeout 20 "$SOCKIT" connect -z --parallel 4 \
	    --proxy "socks5://127.0.0.1:$MS_PORT" 127.0.0.1 \
	    "$OPEN,${CLOSED// /,}"
	assert_failure 1
	[ "${#lines[@]}" -eq 10 ]
	got=$output
	run awk '{ split($2, a, "/"); print a[1], $3 }' <<<"$got"
	assert_line "$OPEN open"
	[ "$(grep -c '/tcp open ' <<<"$got")" -eq 1 ]
	[ "$(grep -c '/tcp closed ' <<<"$got")" -eq 9 ]
	run sort -n -c <<<"$(awk '{ split($2, a, "/"); print a[1] }' <<<"$got")"
	assert_success
}

@test "-z through http (tinyproxy and ncat): open, and closed for a refused port" {
	tinyproxy_start
	ncat_proxy_start
	hold_ports
	c=$CLOSED
	for px in "$TP_PORT" "$NP_PORT"; do
		run --separate-stderr timeout 10 "$SOCKIT" connect -z --json \
		    --proxy "http://127.0.0.1:$px" 127.0.0.1 "$OPEN,$c"
		assert_failure 1
		run jq -r '"\(.port) \(.state)"' <<<"$output"
		assert_line "$OPEN open"
		assert_line "$c closed"
	done
}

@test "-z through a proxy: a rule's refusal is 'error' with the reason; no answer is 'timeout'" {
	fake_proxy "$T/fake.log" socks5 2 none >"$T/req"
	run --separate-stderr timeout 10 "$SOCKIT" connect -z --parallel 1 \
	    -w 500ms --json --proxy "socks5h://127.0.0.1:$PORT" example.test 80,81
	assert_failure 1
	run jq -c '{port, state, error}' <<<"$output"
	assert_line --index 0 '{"port":80,"state":"error","error":"connection not allowed by ruleset"}'
	assert_line --index 1 '{"port":81,"state":"timeout","error":null}'
}

@test "-z through a proxy with wrong credentials stops at once: exit 1 with the reason" {
	microsocks_start -u alice -P s3cretpw
	run --separate-stderr timeout 10 "$SOCKIT" connect -z \
	    --proxy "socks5://alice:nope@127.0.0.1:$MS_PORT" 127.0.0.1 1-50
	assert_failure 1
	[ -z "$output" ]
	[[ $stderr == "sockit: connect: proxy 127.0.0.1:$MS_PORT refused 127.0.0.1:"*": username/password authentication failed" ]]
	[[ $stderr != *nope* && $stderr != *alice* ]]
}
