#!/usr/bin/env bats
# --tls in connect, listen and connect -z, against real peers: openssl
# s_server and s_client, curl, python3's ssl module (tests/peers/tls_peer.py),
# and sockit itself.
# A throwaway CA and its certificates are made in setup_file.  Built
# without TLS (./configure --without-tls), only the exit-2 test runs.

load helpers

setup_file() {
	local d=$BATS_FILE_TMPDIR
	if "$SOCKIT" connect --tls --help >/dev/null 2>&1; then
		export HAVE_TLS=1
	else
		export HAVE_TLS=0
		return 0
	fi
	head -c 20M /dev/urandom >"$d/big"
	head -c 20M /dev/urandom >"$d/big2"
	cd "$d" || return 1
	ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
	openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 30 \
	    -subj "/CN=sockit test CA" 2>/dev/null || return 1
	# cert NAME DAYS SAN: a certificate signed by the CA
	cert() {
		openssl req "${ec[@]}" -keyout "$1.key" -out "$1.csr" \
		    -subj "/CN=$1" 2>/dev/null &&
		    printf 'subjectAltName=%s\n' "$3" >"$1.ext" &&
		    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key \
		    -CAcreateserial -out "$1.pem" -days "$2" \
		    -extfile "$1.ext" 2>/dev/null
	}
	cert server 365 'DNS:localhost,IP:127.0.0.1' || return 1
	cert soon 10 'DNS:localhost,IP:127.0.0.1' || return 1
	cert expired -1 'DNS:localhost,IP:127.0.0.1' || return 1
	cert wrong 365 'DNS:wrong.example' || return 1
	cert client 365 'DNS:client.example' || return 1
}

setup() {
	[[ $HAVE_TLS == 1 ]] ||
	    [[ $BATS_TEST_DESCRIPTION == *"without TLS"* ]] ||
	    skip "built without TLS"
	D=$BATS_FILE_TMPDIR
	T=$BATS_TEST_TMPDIR
}

teardown() {
	kill_bg
}

# s_server ARGS...: openssl s_server on 127.0.0.1 (a free port, one
# client, -quiet) with ARGS; sets PORT and SERVER_PID.  It sends the file
# $SRV_IN (default: nothing) and writes what it receives to $SRV_OUT
# (default /dev/null).  Its stdin stays open 5 s more: s_server ends the
# connection at its stdin's EOF.
s_server() {
	PORT=$(free_port)
	mkfifo "$T/s_in.$PORT"
	{ cat "${SRV_IN:-/dev/null}"; sleep 5; } >"$T/s_in.$PORT" 3>&- &
	bg_pids+=("$!")
	timeout 30 openssl s_server -accept "127.0.0.1:$PORT" -naccept 1 \
	    -quiet "$@" <"$T/s_in.$PORT" >"${SRV_OUT:-/dev/null}" \
	    2>"$T/s_server.err" 3>&- &
	SERVER_PID=$!
	bg_pids+=("$!")
	wait_tcp "$PORT"
}

# py_tls MODE: a python3 TLS server (tests/peers/tls_peer.py) for one
# client; "echo" reads to the client's close_notify, then answers "got N
# bytes" and closes cleanly; "drop" sends "bye" and closes TCP without
# close_notify.  Sets PORT.
py_tls() {
	timeout 20 python3 "$PEERS/tls_peer.py" "$D/server.pem" "$D/server.key" \
	    "$1" 2>"$T/py.err" 3>&- &
	bg_pids+=("$!")
	wait_for_listen "$T/py.err"
}

@test "without TLS built in, --tls is exit 2 saying so; with it, --tls reaches the handshake" {
	if [[ $HAVE_TLS == 0 ]]; then
		run --separate-stderr "$SOCKIT" connect --tls 127.0.0.1 1
		assert_failure 2
		[[ $stderr == *"built without TLS"* ]]
		run --separate-stderr "$SOCKIT" listen --tls 127.0.0.1 0
		assert_failure 2
		[[ $stderr == *"built without TLS"* ]]
		return
	fi
	# a plain TCP server answering in clear text: the handshake fails
	sockit_listen "$T/plain" -k -c 'echo "HTTP/1.0 400 Bad Request"; sleep 1' 127.0.0.1 0
	run --separate-stderr timeout 10 "$SOCKIT" connect --tls --insecure 127.0.0.1 "$PORT" </dev/null
	assert_failure 5
	[[ $stderr == *"TLS"* ]]
	[[ $stderr != *"built without TLS"* ]]
}

@test "TLS options without --tls are a usage error" {
	run --separate-stderr "$SOCKIT" connect --ca "$D/ca.pem" 127.0.0.1 1
	assert_failure 2
	[[ $stderr == *"go with --tls"* ]]
}

@test "connect --tls --ca to s_server: 20 MB each way intact, verified" {
	# the client's stdin stays open until the server's 20 MB are in
	# (s_server ends the connection at close_notify)
	SRV_IN=$D/big2 SRV_OUT=$T/srv.out s_server -cert "$D/server.pem" \
	    -key "$D/server.key"
	{
		cat "$D/big"
		for ((i = 0; i < 100; i++)); do
			[[ $(stat -c %s "$T/got" 2>/dev/null) == 20971520 ]] &&
			    break
			sleep 0.1
		done
	} | timeout 30 "$SOCKIT" connect -j --tls --ca "$D/ca.pem" \
	    localhost "$PORT" >"$T/got" 2>"$T/err"
	wait "$SERVER_PID" || true
	cmp "$T/got" "$D/big2"
	cmp "$T/srv.out" "$D/big"
	run jq -c 'select(.event == "tls") | [.verified, .subject]' "$T/err"
	assert_output '[true,"CN=server"]'
}

@test "connect --tls half-closes with close_notify; the reply still comes" {
	py_tls echo
	run --separate-stderr timeout 10 "$SOCKIT" connect --tls \
	    --ca "$D/ca.pem" localhost "$PORT" < <(head -c 100000 "$D/big")
	assert_success
	assert_output "got 100000 bytes"
}

@test "a peer dropping TCP without close_notify is EOF, told with -v" {
	py_tls drop
	run --separate-stderr timeout 10 "$SOCKIT" connect -v --tls \
	    --ca "$D/ca.pem" localhost "$PORT" </dev/null
	assert_success
	assert_output "bye"
	[[ $stderr == *"without TLS close_notify"* ]]
}

@test "connect --tls without --ca: exit 5, the verification error" {
	s_server -cert "$D/server.pem" -key "$D/server.key"
	run --separate-stderr timeout 10 "$SOCKIT" connect --tls localhost \
	    "$PORT" </dev/null
	assert_failure 5
	[ -z "$output" ]
	[[ $stderr == "sockit: connect: TLS handshake with localhost $PORT: unable to get local issuer certificate" ]]
}

@test "first hour 4: -j: a self-signed certificate is one JSON error event, kind tls, exit 5" {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/self.key" -out "$T/self.pem" -days 2 \
	    -subj "/CN=localhost" 2>/dev/null
	s_server -cert "$T/self.pem" -key "$T/self.key"
	run --separate-stderr timeout 10 "$SOCKIT" connect -j --tls localhost \
	    "$PORT" </dev/null
	assert_failure 5
	[ -z "$output" ]
	# connected (TCP) and closed come first; the error event is the last
	[ "$(jq -c . <<<"$stderr" | wc -l)" -eq "$(wc -l <<<"$stderr")" ]
	[ "$(grep -c '"event":"error"' <<<"$stderr")" -eq 1 ]
	tail -n1 <<<"$stderr" |
	    jq -e --arg m "TLS handshake with localhost $PORT: " '.event == "error"
	    and .mode == "connect" and .kind == "tls" and .exit == 5 and
	    (.message | startswith($m)) and (.message | test("self.signed"))'
}

@test "connect --tls to a certificate for another name: exit 5" {
	s_server -cert "$D/wrong.pem" -key "$D/wrong.key"
	run --separate-stderr timeout 10 "$SOCKIT" connect --tls \
	    --ca "$D/ca.pem" localhost "$PORT" </dev/null
	assert_failure 5
	[[ $stderr == *": hostname mismatch" ]]
}

@test "an IP address target is checked against the IP SANs" {
	s_server -cert "$D/wrong.pem" -key "$D/wrong.key"
	run --separate-stderr timeout 10 "$SOCKIT" connect --tls \
	    --ca "$D/ca.pem" 127.0.0.1 "$PORT" </dev/null
	assert_failure 5
	[[ $stderr == *": IP address mismatch" ]]
	s_server -cert "$D/server.pem" -key "$D/server.key"
	run --separate-stderr timeout 10 "$SOCKIT" connect --tls \
	    --ca "$D/ca.pem" 127.0.0.1 "$PORT" </dev/null
	assert_success
}

@test "--sni NAME is verified instead of HOST" {
	s_server -cert "$D/wrong.pem" -key "$D/wrong.key"
	run --separate-stderr timeout 10 "$SOCKIT" connect --tls \
	    --ca "$D/ca.pem" --sni wrong.example 127.0.0.1 "$PORT" </dev/null
	assert_success
}

@test "audit 3: an empty --sni is exit 2 naming it, never a check switched off" {
	# an unset variable in --sni "$X" must not turn the name check off
	s_server -cert "$D/wrong.pem" -key "$D/wrong.key"
	run --separate-stderr timeout 10 "$SOCKIT" connect -j --tls \
	    --ca "$D/ca.pem" --sni '' 127.0.0.1 "$PORT" </dev/null
	assert_failure 2
	[ -z "$output" ]
	# -j: the usage error is the error event, and nothing was verified
	run jq -r 'select(.event == "error") | "\(.kind) \(.exit) \(.message)"' <<<"$stderr"
	[[ $output == 'usage 2 bad --sni "": '* ]] || fail "$stderr"
	[[ $stderr != *'"verified":true'* ]]
	run --separate-stderr timeout 10 "$SOCKIT" connect -z --tls \
	    --ca "$D/ca.pem" --sni= 127.0.0.1 "$PORT"
	assert_failure 2
	[ -z "$output" ]
	[[ $stderr == "sockit: connect: bad --sni \"\": "*"Try 'sockit connect --help'." ]]
}

# tls_unix_server CERT: sockit listen -k --tls on the Unix socket
# $T/tls.sock with CERT (.pem and .key in $D), each client sent "hello".
tls_unix_server() {
	timeout 30 "$SOCKIT" listen -k --tls --cert "$D/$1.pem" \
	    --key "$D/$1.key" -c 'echo hello' -U "$T/tls.sock" </dev/null \
	    >/dev/null 2>"$T/unix.log" 3>&- &
	bg_pids+=("$!")
	for ((i = 0; i < 50; i++)); do
		[[ -S $T/tls.sock ]] && return 0
		sleep 0.1
	done
	fail "no socket $T/tls.sock: $(cat "$T/unix.log")"
}

@test "audit 3: connect --tls -U verifies --sni; without --sni it needs --insecure (exit 2)" {
	tls_unix_server wrong
	# no name to check the certificate against: refused before connecting
	run --separate-stderr timeout 10 "$SOCKIT" connect -j --tls \
	    --ca "$D/ca.pem" -U "$T/tls.sock" </dev/null
	assert_failure 2
	[ -z "$output" ]
	[[ $stderr == *'--tls with -U needs --sni NAME'*'or --insecure'* ]] ||
	    fail "$stderr"
	[[ $stderr != *'"event":"connected"'* ]]
	# --sni: the name checked, both ways
	run --separate-stderr timeout 10 "$SOCKIT" connect -j --tls \
	    --ca "$D/ca.pem" --sni wrong.example -U "$T/tls.sock" </dev/null
	assert_success
	assert_output hello
	run jq -c 'select(.event == "tls") | .verified' <<<"$stderr"
	assert_output true
	run --separate-stderr timeout 10 "$SOCKIT" connect --tls \
	    --ca "$D/ca.pem" --sni localhost -U "$T/tls.sock" </dev/null
	assert_failure 5
	[[ $stderr == *": hostname mismatch" ]]
	# --insecure: connects, says so, and claims no verification
	run --separate-stderr timeout 10 "$SOCKIT" connect -j --tls \
	    --insecure -U "$T/tls.sock" </dev/null
	assert_success
	assert_output hello
	run jq -c 'select(.event == "tls") | .verified' <<<"$stderr"
	assert_output false
	run --separate-stderr timeout 10 "$SOCKIT" connect -v --tls \
	    --insecure -U "$T/tls.sock" </dev/null
	assert_success
	[[ $stderr == *"--insecure: the certificate of $T/tls.sock is not verified"* ]]
}

@test "connect --tls to an expired certificate: exit 5" {
	s_server -cert "$D/expired.pem" -key "$D/expired.key"
	run --separate-stderr timeout 10 "$SOCKIT" connect --tls \
	    --ca "$D/ca.pem" localhost "$PORT" </dev/null
	assert_failure 5
	[[ $stderr == *": certificate has expired" ]]
}

@test "--insecure connects to an expired certificate, and -v says so" {
	s_server -cert "$D/expired.pem" -key "$D/expired.key"
	run --separate-stderr timeout 10 "$SOCKIT" connect -v --tls --insecure \
	    --ca "$D/ca.pem" localhost "$PORT" </dev/null
	assert_success
	[[ $stderr == *"--insecure: the certificate of localhost is not verified"* ]]
	[[ $stderr == *"not verified: certificate has expired"* ]]
}

@test "audit 11: C1 controls in a certificate subject are escaped in text; JSON carries them escaped" {
	# U+0085 (NEL) and U+009B (CSI) as UTF-8
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/c1.key" -out "$T/c1.pem" -days 2 -utf8 \
	    -subj $'/CN=a\xc2\x85b\xc2\x9b31mc' 2>/dev/null
	s_server -cert "$T/c1.pem" -key "$T/c1.key"
	run --separate-stderr timeout 10 "$SOCKIT" connect -v --tls --insecure \
	    127.0.0.1 "$PORT" </dev/null
	assert_success
	[[ $stderr == *'CN=a\xc2\x85b\xc2\x9b31mc (issuer CN=a\xc2\x85b\xc2\x9b31mc)'* ]]
	[[ $stderr != *$'\xc2\x85'* && $stderr != *$'\xc2\x9b'* ]]
	s_server -cert "$T/c1.pem" -key "$T/c1.key"
	run --separate-stderr timeout 10 "$SOCKIT" connect -j --tls --insecure \
	    127.0.0.1 "$PORT" </dev/null
	assert_success
	[[ $stderr == *'"subject":"CN=a\u0085b\u009b31mc"'* ]]
	jq -c 'select(.event == "tls")' <<<"$stderr" |
	    jq -e '.subject == "CN=a\u0085b\u009b31mc"'
	s_server -cert "$T/c1.pem" -key "$T/c1.key"
	run --separate-stderr timeout 10 "$SOCKIT" connect -z --tls --insecure \
	    127.0.0.1 "$PORT"
	assert_success
	[[ $output == *'CN=a\xc2\x85b\xc2\x9b31mc'* ]]
	[[ $output != *$'\xc2\x85'* ]]
}

@test "--alpn: the protocol agreed is in the tls event" {
	s_server -cert "$D/server.pem" -key "$D/server.key" -alpn h2
	run --separate-stderr timeout 10 "$SOCKIT" connect --json --tls \
	    --ca "$D/ca.pem" --alpn h2,http/1.1 localhost "$PORT" </dev/null
	assert_success
	run jq -r 'select(.event == "tls") | .alpn' <<<"$stderr"
	assert_output h2
}

@test "--cert/--key: a client certificate s_server asks for" {
	SRV_OUT=$T/srv.out s_server -cert "$D/server.pem" \
	    -key "$D/server.key" -Verify 1 -CAfile "$D/ca.pem" \
	    -verify_return_error
	run --separate-stderr timeout 10 "$SOCKIT" connect --tls \
	    --ca "$D/ca.pem" --cert "$D/client.pem" --key "$D/client.key" \
	    localhost "$PORT" <<<"with a certificate"
	assert_success
	wait "$SERVER_PID" || true
	grep -q "with a certificate" "$T/srv.out"
}

@test "listen --tls --cert --key: s_client exchanges data both ways" {
	sockit_listen "$T/log" --tls --cert "$D/server.pem" \
	    --key "$D/server.key" 127.0.0.1 0 >"$T/out" \
	    < <(sleep 1; echo "from the server")	# s_client's data first
	run --separate-stderr timeout 10 openssl s_client -quiet \
	    -verify_return_error -CAfile "$D/ca.pem" \
	    -connect "127.0.0.1:$PORT" -servername localhost \
	    <<<"from the client"
	assert_success
	assert_output "from the server"
	wait_gone "$SERVER_PID"
	[ "$(cat "$T/out")" = "from the client" ]
}

@test "listen --tls: curl --cacert gets the reply" {
	printf 'HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nok\n' >"$T/reply"
	sockit_listen "$T/log" --tls --cert "$D/server.pem" \
	    --key "$D/server.key" 127.0.0.1 0 <"$T/reply" >"$T/req"
	run timeout 10 curl -sS --cacert "$D/ca.pem" "https://localhost:$PORT/"
	assert_success
	assert_output ok
	grep -q '^GET / HTTP/1.1' "$T/req"
}

@test "listen --tls without --cert: the fingerprint told is the one s_client sees" {
	sockit_listen "$T/log" --tls 127.0.0.1 0 </dev/null >/dev/null
	wait_grep "$T/log" '^certificate sha256 '
	fp=$(sed -n 's/^certificate sha256 //p' "$T/log")
	[ -n "$fp" ]
	seen=$(timeout 10 openssl s_client -connect "127.0.0.1:$PORT" \
	    </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256)
	[ "${seen#*=}" = "$fp" ]
}

@test "listen --tls --json: the certificate event, then tls with the peer" {
	sockit_listen "$T/log" --json --tls localhost 0 </dev/null >/dev/null
	run timeout 10 "$SOCKIT" connect --tls --insecure localhost "$PORT" \
	    </dev/null
	assert_success
	wait_grep "$T/log" '"event":"closed"'
	run jq -c 'select(.event == "certificate") |
	    (.fingerprint_sha256 | test("^([0-9A-F]{2}:){31}[0-9A-F]{2}$"))' \
	    "$T/log"
	assert_output true
	run jq -c 'select(.event == "tls") | [.peer, .version, .verified]' \
	    "$T/log"
	assert_output --regexp '^\["127.0.0.1","TLSv1\.[23]",false\]$'
}

@test "self-signed listen: valid for the listen address and localhost" {
	sockit_listen "$T/log" -k --tls 127.0.0.1 0 </dev/null >/dev/null
	timeout 10 openssl s_client -connect "127.0.0.1:$PORT" </dev/null \
	    2>/dev/null | openssl x509 >"$T/self.pem"
	for host in 127.0.0.1 localhost; do
		run --separate-stderr timeout 10 "$SOCKIT" connect --tls \
		    --ca "$T/self.pem" "$host" "$PORT" </dev/null
		assert_success
	done
	run openssl x509 -in "$T/self.pem" -noout -text
	assert_line --partial "ASN1 OID: prime256v1"
}

@test "listen -k --tls: concurrent clients, each verified" {
	sockit_listen "$T/log" -k --tls --cert "$D/server.pem" \
	    --key "$D/server.key" 127.0.0.1 0 </dev/null >"$T/out"
	# a client that only connects and waits must not stall the others
	timeout 10 bash -c "exec 5<>/dev/tcp/127.0.0.1/$PORT; sleep 5" 3>&- &
	bg_pids+=("$!")
	pids=()
	for i in 1 2 3; do
		(sleep 0.3; echo "client $i") | timeout 10 "$SOCKIT" connect \
		    --tls --ca "$D/ca.pem" localhost "$PORT" 3>&- &
		pids+=("$!")
	done
	wait_grep "$T/out" '^client [123]$' 3
	for p in "${pids[@]}"; do
		wait "$p"
	done
}

@test "listen -e --tls: the child sees plaintext" {
	sockit_listen "$T/log" -k --tls --cert "$D/server.pem" \
	    --key "$D/server.key" -e "tr a-z A-Z" 127.0.0.1 0 </dev/null
	run --separate-stderr timeout 10 "$SOCKIT" connect --tls \
	    --ca "$D/ca.pem" localhost "$PORT" <<<"shout this"
	assert_success
	assert_output "SHOUT THIS"
	run --separate-stderr timeout 10 "$SOCKIT" connect --tls \
	    --ca "$D/ca.pem" localhost "$PORT" < <(head -c 5M "$D/big")
	assert_success
}

@test "connect -z --tls --json: the tls object's fields" {
	s_server -cert "$D/soon.pem" -key "$D/soon.key"
	run --separate-stderr timeout 10 "$SOCKIT" connect -z --json --tls \
	    --ca "$D/ca.pem" localhost "$PORT"
	assert_success
	run jq -c '[.state, (.tls | keys_unsorted)]' <<<"$output"
	assert_output '["open",["version","cipher","alpn","subject","issuer","not_before","not_after","days_left","verified","fingerprint_sha256"]]'
}

@test "connect -z --tls: days_left of a certificate expiring in 10 days" {
	s_server -cert "$D/soon.pem" -key "$D/soon.key"
	end=$(date -d "$(openssl x509 -in "$D/soon.pem" -noout -enddate |
	    cut -d= -f2)" +%s)
	want=$(((end - $(date +%s)) / 86400))
	run --separate-stderr timeout 10 "$SOCKIT" connect -z --json --tls \
	    --ca "$D/ca.pem" localhost "$PORT"
	assert_success
	run jq -c '[.tls.days_left, .tls.verified, .tls.not_after]' \
	    <<<"$output"
	assert_output "[$want,true,\"$(date -u -d "@$end" +%FT%TZ)\"]"
	[[ $want == 9 || $want == 10 ]]
}

@test "connect -z --tls --min-days 30: a certificate expiring sooner is exit 5" {
	s_server -cert "$D/soon.pem" -key "$D/soon.key"
	run --separate-stderr timeout 10 "$SOCKIT" connect -z --tls \
	    --ca "$D/ca.pem" --min-days 30 localhost "$PORT"
	assert_failure 5
	assert_output --regexp "^localhost $PORT/tcp tls_error [0-9.]+ms \(certificate expires in (9|10) days \(--min-days 30\)\) "
}

@test "connect -z --tls: an unverified certificate is tls_error, a closed port closed" {
	s_server -cert "$D/server.pem" -key "$D/server.key"
	closed=$(free_port)
	run --separate-stderr timeout 10 "$SOCKIT" connect -z --json --tls \
	    127.0.0.1 "$PORT,$closed"
	assert_failure 5
	run jq -c '[.state, .error, .tls.verified]' <<<"$output"
	assert_line --index 0 --regexp '^\["(tls_error|closed)",'
	[[ $output == *'["tls_error","unable to get local issuer certificate",false]'* ]]
	[[ $output == *'["closed",null,null]'* ]]
}

@test "connect -z --tls: ports are checked concurrently" {
	# three servers that accept but never answer the handshake: each
	# check times out after -w 1s, all three within about 1 s
	tcp_peer "$T/tarpit" --listeners 3 accept sleep 10
	ports=$(tr ' ' , <<<"$PORTS")
	start=$(date +%s%N)
	run --separate-stderr timeout 10 "$SOCKIT" connect -z -w 1s --tls \
	    --insecure 127.0.0.1 "$ports"
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_failure 5
	[ "${#lines[@]}" -eq 3 ]
	for l in "${lines[@]}"; do
		[[ $l =~ tls_error\ [0-9.]+ms\ \(handshake\ timed\ out\)$ ]]
	done
	((ms < 2500))
}

@test "--tls runs end to end through a SOCKS5 proxy (microsocks)" {
	microsocks_start
	mp=$MS_PORT
	sockit_listen "$T/l" --tls -k -e cat 127.0.0.1 0
	# microsocks ends the tunnel at the first EOF: keep ours open a moment
	run --separate-stderr timeout 10 "$SOCKIT" connect -v --tls --insecure \
	    --no-shutdown -q 1 --proxy "socks5h://127.0.0.1:$mp" localhost "$PORT" <<<"ping"
	assert_success
	assert_output ping
	[[ $stderr == *"connected through proxy socks5h://127.0.0.1:$mp"* ]]
	[[ $stderr == *"tls TLSv1."* ]]
}

@test "connect -z --tls through a proxy: the handshake runs over the tunnel, verified" {
	microsocks_start
	mp=$MS_PORT
	sockit_listen "$T/good" --tls --cert "$D/server.pem" --key "$D/server.key" -k 127.0.0.1 0
	good=$PORT
	sockit_listen "$T/wrong" --tls --cert "$D/wrong.pem" --key "$D/wrong.key" -k 127.0.0.1 0
	wrong=$PORT
	closed=$(free_port)
	run --separate-stderr timeout 10 "$SOCKIT" connect -z -j --tls --ca "$D/ca.pem" \
	    --proxy "socks5h://127.0.0.1:$mp" localhost "$good"
	assert_success
	[ "$(jq -r '.state' <<<"$output")" = open ]
	[ "$(jq -r '.tls.verified' <<<"$output")" = true ]
	[ "$(jq -r '.tls.subject' <<<"$output")" = CN=server ]
	# phases 3: the handshake's time through the tunnel too
	[ "$(jq -r '.tls_ms | type' <<<"$output")" = number ]
	# another name's certificate: tls_error, exit 5; a closed port: closed
	run --separate-stderr timeout 10 "$SOCKIT" connect -z --tls --ca "$D/ca.pem" \
	    --proxy "socks5h://127.0.0.1:$mp" localhost "$wrong"
	assert_failure 5
	[[ $output == "localhost $wrong/tcp tls_error "*"(hostname mismatch)"* ]]
	run --separate-stderr timeout 10 "$SOCKIT" connect -z --tls --ca "$D/ca.pem" \
	    --proxy "socks5h://127.0.0.1:$mp" localhost "$closed"
	assert_failure 1
	[[ $output == "localhost $closed/tcp closed "* ]]
	# --min-days through the proxy too
	run --separate-stderr timeout 10 "$SOCKIT" connect -z --tls --ca "$D/ca.pem" \
	    --min-days 400 --proxy "socks5h://127.0.0.1:$mp" localhost "$good"
	assert_failure 5
	[[ $output == *"(certificate expires in 36"*" days (--min-days 400))"* ]]
}

@test "connect -z --tls through a proxy: a silent server is a handshake timeout within -w" {
	microsocks_start
	mp=$MS_PORT
	# accepts and never says a word
	tcp_peer "$T/tarpit" accept accept sleep 15
	start=$(date +%s%N)
	run --separate-stderr timeout 10 "$SOCKIT" connect -z -w 1s --tls --insecure \
	    --proxy "socks5://127.0.0.1:$mp" 127.0.0.1 "$PORT"
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_failure 5
	[[ $output =~ tls_error\ [0-9.]+ms\ \(handshake\ timed\ out\)$ ]]
	((ms < 2500))
}

@test "connect -z --tls --wait through a proxy: a later closed result carries no earlier certificate" {
	microsocks_start
	mp=$MS_PORT
	# a self-signed server (tls_error without --insecure) that goes away
	sockit_listen "$T/l" --tls -k 127.0.0.1 0
	{ sleep 1; kill "$SERVER_PID"; } 3>&- &
	bg_pids+=($!)
	run --separate-stderr timeout 10 "$SOCKIT" connect -z -j --tls --wait 3s \
	    --proxy "socks5://127.0.0.1:$mp" 127.0.0.1 "$PORT"
	assert_failure 1
	[ "$(jq -r .state <<<"$output")" = closed ]
	[ "$(jq -r 'has("tls")' <<<"$output")" = false ]
}

@test "OpenSSL is loaded only for --tls: a plain listener maps no libssl, a --tls one maps the module" {
	sockit_listen "$T/plain" -v 127.0.0.1 0
	! grep -E 'libssl|libcrypto|sockit-tls' "/proc/$SERVER_PID/maps"
	grep -q 'libc' "/proc/$SERVER_PID/maps"
	sockit_listen "$T/tls" -v --tls 127.0.0.1 0
	grep -q 'sockit-tls\.so' "/proc/$SERVER_PID/maps"
	grep -q 'libssl' "/proc/$SERVER_PID/maps"
	# and the module serves: a verified-off client gets through
	run timeout 10 "$SOCKIT" connect --tls --insecure -z 127.0.0.1 "$PORT"
	assert_success
}

@test "a TLS module that cannot be loaded, or of another build, is exit 4 naming it" {
	mkdir "$T/bin"
	cp "$SOCKIT" "$T/bin/sockit"
	echo 'not a shared object' >"$T/bin/sockit-tls.so"
	run --separate-stderr timeout 10 "$T/bin/sockit" connect --tls 127.0.0.1 1
	assert_failure 4
	[[ $stderr == "sockit: connect: TLS module: $T/bin/sockit-tls.so: "* ]]
	[[ $stderr != *$'\n'* ]]
	# a shared object with the symbol but another build's table
	printf '%s\n' 'struct m { const char *abi; };' \
	    'const struct m sockit_tls_module = { "sockit-tls 0.0 abi 0" };' \
	    >"$T/fake.c"
	${CC:-cc} -shared -fPIC -o "$T/bin/sockit-tls.so" "$T/fake.c"
	run --separate-stderr timeout 10 "$T/bin/sockit" listen --tls 127.0.0.1 0
	assert_failure 4
	[[ $stderr == "sockit: listen: TLS module $T/bin/sockit-tls.so: not the module of this sockit (sockit-tls "*" abi 1)" ]]
	# plain runs do not need the module at all
	run timeout 10 "$T/bin/sockit" resolve -n 127.0.0.1
	assert_success
	assert_output "127.0.0.1 127.0.0.1"
}
