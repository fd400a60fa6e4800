#!/usr/bin/env bats
# connect -z --send DATA --expect REGEX (SPEC.md "The check engine"):
# states open and mismatch, the fields received and matched, and the
# phases in every JSON result (dns_ms, connect_ms, first_byte_ms), against
# real servers: socat serving a fixed reply or echoing (cat), and
# python3-aiosmtpd's SMTP banner.

load helpers

setup() {
	bg_pids=()
}

teardown() {
	kill_bg
}

# serve CMD: socat on 127.0.0.1 (a free port, in PORT) running the shell
# command CMD (a script, so that socat's address syntax leaves it alone)
# for every client; waits until it listens.
serve() {
	PORT=$(free_port)
	printf '%s\n' "$1" >"$BATS_TEST_TMPDIR/serve.$PORT.sh"
	timeout 60 socat "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork" \
	    "SYSTEM:sh $BATS_TEST_TMPDIR/serve.$PORT.sh" 2>/dev/null &
	bg_pids+=($!)
	wait_tcp "$PORT"
}

@test "expect 1: a banner that matches --expect is open, the match in JSON" {
	serve 'printf "220 mail.test ESMTP ready\r\n"; sleep 2'
	run -0 "$SOCKIT" connect -z -w 10 127.0.0.1 "$PORT" --expect '^220 .*ESMTP'
	assert_output --regexp "^127\.0\.0\.1 $PORT/tcp open [0-9.]+ms$"
	run -0 --separate-stderr "$SOCKIT" connect -z -j -w 10 127.0.0.1 \
	    "$PORT" --expect '^220 .*ESMTP'
	run -0 jq -r '[.state, .matched, (.first_byte_ms | type),
	    (.received // "none")] | join(" ")' <<<"$output"
	assert_output "open 220 mail.test ESMTP number none"
}

@test "expect 1: a reply that does not match is mismatch (exit 1), received in text and JSON" {
	serve 'printf "554 go away\r\n"; sleep 2'
	run -1 "$SOCKIT" connect -z -w 10 127.0.0.1 "$PORT" --expect '^220'
	assert_output --regexp "^127\.0\.0\.1 $PORT/tcp mismatch [0-9.]+ms \"554 go away\\\\r\\\\n\"$"
	run -1 --separate-stderr "$SOCKIT" connect -z -j -w 10 127.0.0.1 \
	    "$PORT" --expect '^220'
	run -0 jq -r '[.state, .received, (.matched // "none")] | join("|")' \
	    <<<"$output"
	assert_output 'mismatch|554 go away\r\n|none'
}

@test "expect 1: --send goes out once connected; its escapes are undone" {
	serve 'head -c 10 | tr a-z A-Z'
	run -0 --separate-stderr "$SOCKIT" connect -z -j -w 10 127.0.0.1 \
	    "$PORT" --send 'ping \x41\tb\r\n' --expect '^PING A	B'
	run -0 jq -r '.state + " " + .matched' <<<"$output"
	assert_output 'open PING A\tB'
}

@test "expect 1: --send alone is open once sent; the server got the bytes" {
	PORT=$(free_port)
	timeout 60 socat -u "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr" \
	    "OPEN:$BATS_TEST_TMPDIR/got,creat" &
	bg_pids+=($!)
	wait_tcp "$PORT"
	run -0 "$SOCKIT" connect -z -w 10 127.0.0.1 "$PORT" --send 'hello\n'
	assert_output --regexp "^127\.0\.0\.1 $PORT/tcp open "
	wait_gone "${bg_pids[0]}"
	[ "$(cat "$BATS_TEST_TMPDIR/got")" = hello ]
}

@test "expect 1: a silent server is mismatch after -w, received empty; one that closes at once too" {
	serve 'sleep 10'
	run -1 --separate-stderr "$SOCKIT" connect -z -j -w 1 127.0.0.1 \
	    "$PORT" --expect 'x'
	run -0 jq -r '[.state, .received, (.first_byte_ms | tostring)] | join(" ")' \
	    <<<"$output"
	assert_output 'mismatch  null'
	kill_bg
	serve 'true'
	run -1 "$SOCKIT" connect -z -w 10 127.0.0.1 "$PORT" --expect 'x'
	assert_output --regexp "^127\.0\.0\.1 $PORT/tcp mismatch [0-9.]+ms \"\"$"
}

@test "expect 1: a reset while waiting for the reply is error, with the reason" {
	tcp_peer "$BATS_TEST_TMPDIR/peer" accept send 'hel' sleep 0.5 reset
	run -1 --separate-stderr "$SOCKIT" connect -z -j -w 10 127.0.0.1 \
	    "$PORT" --expect 'hello'
	run -0 jq -r '.state + ": " + .error' <<<"$output"
	assert_output 'error: Connection reset by peer'
}

@test "expect 1: the banner of a real SMTP server (aiosmtpd)" {
	PORT=$(free_port)
	timeout 60 /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$PORT" &
	bg_pids+=($!)
	wait_tcp "$PORT"
	run -0 --separate-stderr "$SOCKIT" connect -z -j -w 10 127.0.0.1 \
	    "$PORT" --send 'QUIT\r\n' --expect '221 Bye'
	run -0 jq -r '.state + " " + .matched' <<<"$output"
	assert_output 'open 221 Bye'
	run -1 "$SOCKIT" connect -z -w 10 127.0.0.1 "$PORT" --send 'QUIT\r\n' \
	    --expect '^250 '
	assert_output --regexp "/tcp mismatch [0-9.]+ms \"220 [^ ]+ Python SMTP [0-9.]+\\\\r\\\\n221 Bye\\\\r\\\\n\"$"
}

@test "expect 1: a bad --expect or --send is exit 2 before any connection" {
	run -2 "$SOCKIT" connect -z 127.0.0.1 9 --expect '('
	assert_output --partial 'sockit: connect: bad --expect "(": '
	run -2 "$SOCKIT" connect -z 127.0.0.1 9 --send 'a\q'
	assert_output --partial 'sockit: connect: bad --send: expected the escapes'
	run -2 "$SOCKIT" connect 127.0.0.1 9 --expect 'x'
	assert_output --partial '--send, --expect and --starttls go with -z'
	run -2 "$SOCKIT" connect -z -u 127.0.0.1 9 --expect 'x'
	assert_output --partial 'bad --send, --expect or --starttls: not with -u or --proxy'
}

@test "phases 3: dns_ms and connect_ms in every JSON result, reason refused for closed" {
	serve 'printf "hi\n"'
	closed=$(free_port)
	run -1 --separate-stderr "$SOCKIT" connect -z -j -w 10 localhost \
	    "$PORT,$closed"
	run -0 jq -s -c 'sort_by(.state) | .[] | [.state, (.dns_ms | type),
	    (.connect_ms | type), (.connect_ms == .latency_ms), .reason,
	    has("tls_ms"), has("first_byte_ms")]' <<<"$output"
	assert_line --index 0 '["closed","number","number",true,"refused",false,false]'
	assert_line --index 1 '["open","number","number",true,null,false,false]'
}

@test "phases 3: with --tls, tls_ms, then --send and --expect over TLS (openssl s_server -www)" {
	cd "$BATS_TEST_TMPDIR"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout key.pem -out cert.pem -days 30 -subj /CN=localhost \
	    -addext subjectAltName=IP:127.0.0.1 2>/dev/null
	PORT=$(free_port)
	sleep 30 | timeout 60 openssl s_server -accept "127.0.0.1:$PORT" \
	    -cert cert.pem -key key.pem -www -naccept 1 >/dev/null 2>&1 &
	bg_pids+=($!)
	wait_tcp "$PORT"
	run -0 --separate-stderr "$SOCKIT" connect -z -j -w 10 --tls \
	    --ca cert.pem 127.0.0.1 "$PORT" \
	    --send 'GET / HTTP/1.0\r\n\r\n' --expect 'HTTP/1\.0 200 ok'
	run -0 jq -r '[.state, .matched, (.dns_ms | type), (.tls_ms | type),
	    (.first_byte_ms | type), .tls.verified] | join(" ")' <<<"$output"
	assert_output 'open HTTP/1.0 200 ok number number number true'
}
