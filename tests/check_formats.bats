#!/usr/bin/env bats
# connect -z --format tap|junit|prometheus: read back by the programs
# that consume them: prove (TAP 14), xmllint (JUnit XML), the Prometheus
# client library's own text parser.

load helpers

setup() {
	bg_pids=()
	T=$BATS_TEST_TMPDIR
}

teardown() {
	kill_bg
}

# open_ports N: listeners that never accept; sets OPEN (space-separated).
open_ports() {
	tcp_peer "$T/open.log" --listeners "$1" --backlog 64 sleep 60 || return 1
	OPEN=${PORTS:-$PORT}
}

# in_hosts FILE CMD [ARG...]: CMD in a mount namespace of its own where
# FILE is /etc/hosts and names are looked up in files only (no DNS).
in_hosts() {
	local hosts=$1 nss=$T/nsswitch.conf
	shift
	printf 'hosts: files\n' >"$nss"
	unshare -m sh -c 'mount --bind "$1" /etc/hosts &&
	    mount --bind "$2" /etc/nsswitch.conf && shift 2 && exec "$@"' \
	    sh "$hosts" "$nss" "$@"
}

closed_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# tls_server: openssl s_server -www on a free port with a fresh
# self-signed certificate valid 30 days; sets TLS_PORT and NOT_AFTER (its
# notAfter, seconds since the epoch).
tls_server() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost \
	    -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null || return 1
	NOT_AFTER=$(date -d "$(openssl x509 -noout -enddate -in "$T/cert.pem" |
	    cut -d= -f2)" +%s)
	TLS_PORT=$(free_port)
	timeout 60 openssl s_server -accept "127.0.0.1:$TLS_PORT" -www \
	    -cert "$T/cert.pem" -key "$T/key.pem" </dev/null \
	    >/dev/null 2>"$T/s_server.err" 3>&- &
	bg_pids+=("$!")
	wait_tcp "$TLS_PORT"
}

# serve SCRIPT: socat on a free port (PORT) running the shell script
# SCRIPT for every client (a file, so that socat's address syntax leaves
# it alone); waits until it listens.
serve() {
	PORT=$(free_port)
	printf '%s\n' "$1" >"$T/serve.$PORT.sh"
	timeout 60 socat "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork" \
	    "SYSTEM:sh $T/serve.$PORT.sh" 2>/dev/null 3>&- &
	bg_pids+=($!)
	wait_tcp "$PORT"
}

# tap_parser_knows_14: prove's TAP::Parser takes "TAP version 14"
# (Test::Harness 3.48 and later; Debian 12's perl has 3.44, which parses
# every test point but calls a version above 13 a parse error).
tap_parser_knows_14() {
	perl -MTAP::Parser -e 'exit($TAP::Parser::VERSION >= 3.48 ? 0 : 1)'
}

# prove_clean OUTPUT: prove found no parse error in the TAP, but the
# version line a TAP::Parser before 3.48 does not know.
prove_clean() {
	local errors
	errors=$(grep -A3 'Parse errors:' <<<"$1" | grep -v -e 'Parse errors: TAP specified version 14 but we don.t know about versions later than 13' -e '^Files=' -e '^Result:' -e '^--$' || true)
	if tap_parser_knows_14; then
		[[ $1 != *"Parse errors"* ]] || fail "$1"
	fi
	[ -z "$errors" ] || fail "parse errors: $errors"
}

@test "check formats 4: --format tap is TAP 14 that prove parses: a test point per port, failures not ok" {
	open_ports 2
	read -r a b <<<"$OPEN"
	c=$(closed_port)
	run --separate-stderr "$SOCKIT" connect -z --format tap 127.0.0.1 "$a,$b,$c"
	assert_failure 1
	[ "${lines[0]}" = "TAP version 14" ]
	[ "${lines[1]}" = "1..3" ]
	grep -Eqx "ok [123] - 127\.0\.0\.1 $a/tcp open [0-9.]+ms" <<<"$output"
	grep -Eqx "ok [123] - 127\.0\.0\.1 $b/tcp open [0-9.]+ms" <<<"$output"
	grep -Eqx "not ok [123] - 127\.0\.0\.1 $c/tcp closed [0-9.]+ms" <<<"$output"
	[ "$(grep -Eo '^(not )?ok [0-9]+' <<<"$output" | awk '{ print $NF }' | xargs)" = "1 2 3" ]
	printf '%s\n' "$output" >"$T/checks.tap"
	# prove reads the TAP (cat prints it); a failing point fails the run
	run prove -e cat "$T/checks.tap"
	assert_failure
	[[ $output == *"Failed 1/3 subtests"* ]] || fail "$output"
	[[ $output == *"(Wstat: 0 Tests: 3 Failed: 1)"* ]] || fail "$output"
	prove_clean "$output"
	run --separate-stderr "$SOCKIT" connect -z --format tap 127.0.0.1 "$a,$b"
	assert_success
	printf '%s\n' "$output" >"$T/open.tap"
	run prove -e cat "$T/open.tap"
	[[ $output == *"All 2 subtests passed"* ]] || fail "$output"
	prove_clean "$output"
	if tap_parser_knows_14; then
		assert_success
		[[ $output == *"Result: PASS"* ]]
	fi
}

@test "check formats 4: --format junit is well-formed XML, one testsuite, its counts and failures those of the results" {
	open_ports 2
	read -r a b <<<"$OPEN"
	c=$(closed_port)
	run --separate-stderr "$SOCKIT" connect -z --format junit 127.0.0.1 "$a,$b,$c"
	assert_failure 1
	printf '%s\n' "$output" >"$T/junit.xml"
	xmllint --noout "$T/junit.xml"
	[ "$(xmllint --xpath 'count(/testsuite)' "$T/junit.xml")" = 1 ]
	[ "$(xmllint --xpath 'string(/testsuite/@tests)' "$T/junit.xml")" = 3 ]
	[ "$(xmllint --xpath 'string(/testsuite/@failures)' "$T/junit.xml")" = 1 ]
	[ "$(xmllint --xpath 'count(//testcase)' "$T/junit.xml")" = 3 ]
	[ "$(xmllint --xpath 'count(//testcase/failure)' "$T/junit.xml")" = 1 ]
	[ "$(xmllint --xpath 'string(//testcase[failure]/@name)' "$T/junit.xml")" = "127.0.0.1 $c/tcp" ]
	[ "$(xmllint --xpath 'string(//failure/@type)' "$T/junit.xml")" = closed ]
}

@test "check formats 4: --format junit escapes what XML cannot hold as it is" {
	c=$(closed_port)
	printf '127.0.0.1 localhost\n' >"$T/hosts"
	# a name that does not resolve: its error text and name go in as text
	run --separate-stderr in_hosts "$T/hosts" timeout 20 "$SOCKIT" connect -z --format junit 'a<b>&"c' "$c"
	assert_failure 3
	printf '%s\n' "$output" >"$T/junit.xml"
	xmllint --noout "$T/junit.xml"
	[ "$(xmllint --xpath 'string(//testcase/@classname)' "$T/junit.xml")" = 'sockit.a<b>&"c' ]
	[ "$(xmllint --xpath 'string(//failure/@type)' "$T/junit.xml")" = unresolved ]
}

@test "check formats 4: --format prometheus parses with prometheus_client: up, latency and the certificate's expiry" {
	open_ports 1
	c=$(closed_port)
	tls_server
	"$SOCKIT" connect -z --format prometheus 127.0.0.1 "$OPEN,$c" >"$T/plain.prom" || true
	run --separate-stderr "$SOCKIT" connect -z --tls --insecure --format prometheus 127.0.0.1 "$TLS_PORT"
	assert_success
	printf '%s\n' "$output" >"$T/tls.prom"
	run /usr/bin/python3 - "$T/plain.prom" "$T/tls.prom" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
for path in sys.argv[1:]:
    for family in text_string_to_metric_families(open(path).read()):
        for s in family.samples:
            l = s.labels
            print(s.name, l["host"], l["address"], l["port"], l["proto"], s.value)
PY
	assert_success
	grep -qx "sockit_check_up 127.0.0.1 127.0.0.1 $OPEN tcp 1.0" <<<"$output"
	grep -qx "sockit_check_up 127.0.0.1 127.0.0.1 $c tcp 0.0" <<<"$output"
	grep -qx "sockit_check_up 127.0.0.1 127.0.0.1 $TLS_PORT tcp 1.0" <<<"$output"
	# the latency in seconds: well under the 2 s deadline, above 0
	for p in "$OPEN" "$c"; do
		awk -v p="$p" '$1 == "sockit_check_latency_seconds" && $4 == p {
		    found = 1; ok = $6 > 0 && $6 < 2 } END { exit !(found && ok) }' \
		    <<<"$output" || fail "latency of $p: $output"
	done
	grep -qx "sockit_tls_cert_not_after_seconds 127.0.0.1 127.0.0.1 $TLS_PORT tcp $NOT_AFTER.0" <<<"$output" ||
	    fail "no expiry $NOT_AFTER: $output"
	# HELP and TYPE once per metric: the textfile collector takes it
	[ "$(grep -c '^# TYPE sockit_check_up gauge$' "$T/tls.prom")" -eq 1 ]
}

@test "together 2: --expect's mismatch is a failure in TAP and JUnit with what was received (escaped), up 0 in Prometheus" {
	serve 'printf "220 ready\\r\\n"; sleep 2'
	OPEN=$PORT
	serve 'printf "554 <busy> & #1\\r\\n"; sleep 2'
	run --separate-stderr timeout 30 "$SOCKIT" connect -z -w 10 --expect '^220' --format tap 127.0.0.1 "$OPEN,$PORT"
	assert_failure 1
	printf '%s\n' "$output" >"$T/expect.tap"
	# the text line's received, with TAP's escapes: \\ for \, \# for #
	line=$(grep "/tcp mismatch" "$T/expect.tap" | sed -E 's/ [0-9]+\.[0-9]{2}ms / X /')
	[[ $line =~ ^not\ ok\ [12]\ -\ 127\.0\.0\.1\ $PORT/tcp\ mismatch\ X\ (.*)$ ]] || fail "$output"
	[ "${BASH_REMATCH[1]}" = '"554 <busy> & \#1\\r\\n"' ] || fail "$line"
	run prove -e cat "$T/expect.tap"
	assert_failure
	[[ $output == *"(Wstat: 0 Tests: 2 Failed: 1)"* ]] || fail "$output"
	prove_clean "$output"
	run --separate-stderr timeout 30 "$SOCKIT" connect -z -w 10 --expect '^220' --format junit 127.0.0.1 "$OPEN,$PORT"
	assert_failure 1
	printf '%s\n' "$output" >"$T/expect.xml"
	xmllint --noout "$T/expect.xml"
	[ "$(xmllint --xpath 'string(/testsuite/@failures)' "$T/expect.xml")" = 1 ]
	[ "$(xmllint --xpath 'string(//failure/@type)' "$T/expect.xml")" = mismatch ]
	[ "$(xmllint --xpath 'string(//testcase[failure]/@name)' "$T/expect.xml")" = "127.0.0.1 $PORT/tcp" ]
	[ "$(xmllint --xpath 'string(//failure/@message)' "$T/expect.xml")" = 'mismatch "554 <busy> & #1\r\n"' ] ||
	    fail "$(cat "$T/expect.xml")"
	[[ $(xmllint --xpath 'string(//failure)' "$T/expect.xml") == "127.0.0.1 $PORT/tcp mismatch "*'ms "554 <busy> & #1\r\n"' ]] ||
	    fail "$(cat "$T/expect.xml")"
	run --separate-stderr timeout 30 "$SOCKIT" connect -z -w 10 --expect '^220' --format prometheus 127.0.0.1 "$PORT"
	assert_failure 1
	printf '%s\n' "$output" >"$T/expect.prom"
	run /usr/bin/python3 - "$T/expect.prom" <<'PY'
import sys
from prometheus_client.parser import text_string_to_metric_families
for family in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in family.samples:
        print(s.name, s.labels["port"], s.value > 0)
PY
	assert_success
	# down, and the time to the answer: it answered, wrongly
	assert_output "sockit_check_up $PORT False
sockit_check_latency_seconds $PORT True"
}

@test "together 2: --format prometheus of a --targets file that checks a port on several lines: each series once, up only when every check of it passed" {
	serve 'printf "220 ready\\r\\n"; sleep 2'
	P=$PORT
	serve 'printf "220 other\\r\\n"; sleep 2'
	Q=$PORT
	printf '127.0.0.1 %s expect=^220\n127.0.0.1 %s expect=^554\n127.0.0.1 %s\n127.0.0.1 %s expect=other\n' \
	    "$P" "$P" "$Q" "$Q" >"$T/map.txt"
	run --separate-stderr timeout 30 "$SOCKIT" connect -z -w 10 --targets "$T/map.txt" --format prometheus
	assert_failure 1
	printf '%s\n' "$output" >"$T/map.prom"
	run /usr/bin/python3 - "$T/map.prom" <<'PY'
import collections, sys
from prometheus_client.parser import text_string_to_metric_families
seen = collections.Counter()
for family in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in family.samples:
        seen[(s.name, tuple(sorted(s.labels.items())))] += 1
        if s.name == "sockit_check_up":
            print(s.name, s.labels["port"], s.value)
for key, n in seen.items():
    if n > 1:
        print("twice:", key)
PY
	assert_success
	assert_output "sockit_check_up $P 0.0
sockit_check_up $Q 1.0"
	[ "$(grep -c '^sockit_check_latency_seconds{' "$T/map.prom")" -eq 2 ]
}

@test "check formats 4: -j is --format json; --format goes with -z; a bad FORMAT is exit 2" {
	open_ports 1
	run --separate-stderr "$SOCKIT" connect -z --format json 127.0.0.1 "$OPEN"
	assert_success
	[ "$(jq -r .state <<<"$output")" = open ]
	run --separate-stderr "$SOCKIT" connect --format tap 127.0.0.1 "$OPEN"
	assert_failure 2
	run --separate-stderr "$SOCKIT" connect -z --format xml 127.0.0.1 "$OPEN"
	assert_failure 2
	[[ $stderr == 'sockit: connect: bad --format "xml"'* ]]
}

@test "check formats 4: with --count, TAP has a point per probe and Prometheus one series per port (the last probe)" {
	open_ports 1
	run --separate-stderr timeout 30 "$SOCKIT" connect -z --count 3 --interval 50ms --format tap 127.0.0.1 "$OPEN"
	assert_success
	[ "${lines[1]}" = "1..3" ]
	[ "$(grep -c '^ok ' <<<"$output")" -eq 3 ]
	run --separate-stderr timeout 30 "$SOCKIT" connect -z --count 3 --interval 50ms --format prometheus 127.0.0.1 "$OPEN"
	assert_success
	[ "$(grep -c '^sockit_check_up{' <<<"$output")" -eq 1 ]
}
