#!/usr/bin/env bats
# connect -z --targets FILE: a check per line, HOST PORTS [option=value
# ...], each line's options read by the option table as the command
# line's are; all lines read before anything is checked, checked in
# parallel, the results in the order of the file.

load helpers

setup() {
	bg_pids=()
	T=$BATS_TEST_TMPDIR
}

teardown() {
	kill_bg
}

free_udp() {
	python3 "$PEERS/udp_peer.py" free-port
}

# tls_cert: a self-signed certificate for localhost in $T/cert.pem,
# its key in $T/key.pem.
tls_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=localhost \
	    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
	    -keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null
}

# serve SCRIPT: socat on a free port (PORT) running the shell script
# SCRIPT for every client (a file, so that socat's address syntax leaves
# it alone); waits until it listens.
serve() {
	PORT=$(free_port)
	printf '%s\n' "$1" >"$T/serve.$PORT.sh"
	timeout 120 socat "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork" \
	    "SYSTEM:sh $T/serve.$PORT.sh" 2>/dev/null 3>&- &
	bg_pids+=("$!")
	wait_tcp "$PORT"
}

# talkers: the servers of the file's --send/--expect and --starttls
# lines: a fixed banner (BANNER), an echo in capitals of the first 6
# bytes (UPPER), both socat; python3-aiosmtpd with STARTTLS and
# $T/cert.pem (SMTP), as tests/starttls.bats starts it.
talkers() {
	serve 'printf "220 banner.test ESMTP\\r\\n"; sleep 1' || return 1
	BANNER=$PORT
	serve 'head -c 6 | tr a-z A-Z' || return 1
	UPPER=$PORT
	SMTP=$(free_port)
	timeout 120 /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$SMTP" \
	    --tlscert "$T/cert.pem" --tlskey "$T/key.pem" \
	    2>"$T/smtp.log" 3>&- &
	bg_pids+=("$!")
	wait_tcp "$SMTP"
}

# peers: the servers of the 50-line file: TCP listeners that never accept
# (TCP_OPEN, 12 ports), closed TCP ports (TCP_CLOSED, 3), a UDP receiver
# that never answers (UDP_SILENT), a UDP port nobody has (UDP_CLOSED),
# openssl s_server (S_SERVER) and ncat --ssl (NCAT_SSL), both with
# $T/cert.pem, and the talkers.
peers() {
	tcp_peer "$T/tcp.log" --listeners 12 --backlog 128 --closed 3 sleep 120 || return 1
	TCP_OPEN=($PORTS)
	TCP_CLOSED=($CLOSED)
	udp_peer "$T/udp.log" hold 120 || return 1
	UDP_SILENT=$PORT
	UDP_CLOSED=$(free_udp)
	tls_cert || return 1
	S_SERVER=$(free_port)
	timeout 120 openssl s_server -accept "127.0.0.1:$S_SERVER" -www \
	    -cert "$T/cert.pem" -key "$T/key.pem" </dev/null >/dev/null \
	    2>"$T/s_server.err" 3>&- &
	bg_pids+=("$!")
	NCAT_SSL=$(free_port)
	timeout 120 ncat --ssl --ssl-cert "$T/cert.pem" --ssl-key "$T/key.pem" \
	    -lk 127.0.0.1 "$NCAT_SSL" </dev/null >/dev/null 2>"$T/ncat.err" 3>&- &
	bg_pids+=("$!")
	wait_tcp "$S_SERVER" && wait_tcp "$NCAT_SSL" && talkers
}

# fifty_lines FILE: 50 checks (and comments, blank lines), with the
# expected result of each in FILE.want: "HOST PORT/PROTO STATE", in file
# order, ports ascending within a line.
fifty_lines() {
	local f=$1 i p q
	: >"$f"
	: >"$f.want"
	printf '# the service map\n\n' >>"$f"
	for i in $(seq 0 11); do # 12 TCP lines, one open port each
		p=${TCP_OPEN[i]}
		printf '127.0.0.1 %s timeout=5s\n' "$p" >>"$f"
		printf '127.0.0.1 %s/tcp open\n' "$p" >>"$f.want"
	done
	for i in $(seq 0 5); do # 6 TCP lines, two ports, one closed
		p=${TCP_OPEN[i]} q=${TCP_CLOSED[i % 3]}
		printf '127.0.0.1 %s,%s\n' "$q" "$p" >>"$f"
		printf '127.0.0.1 %s/tcp %s\n' "$p" open "$q" closed |
		    sort -t' ' -k2,2n >>"$f.want"
	done
	for i in $(seq 1 8); do # 8 UDP lines: silent, and refused
		printf '127.0.0.1 %s udp\n' "$UDP_SILENT" >>"$f"
		printf '127.0.0.1 %s/udp open_filtered\n' "$UDP_SILENT" >>"$f.want"
	done
	for i in $(seq 1 3); do
		printf '127.0.0.1 %s udp # nobody\n' "$UDP_CLOSED" >>"$f"
		printf '127.0.0.1 %s/udp closed\n' "$UDP_CLOSED" >>"$f.want"
	done
	# 5 lines that talk: a banner that matches, one that does not
	# (mismatch), --send's reply, SMTP's STARTTLS, and --send/--expect
	# over TLS
	printf '127.0.0.1 %s expect=^220.*ESMTP\n' "$BANNER" >>"$f"
	printf '127.0.0.1 %s/tcp open\n' "$BANNER" >>"$f.want"
	printf '127.0.0.1 %s "expect=^554 " timeout=10s\n' "$BANNER" >>"$f"
	printf '127.0.0.1 %s/tcp mismatch\n' "$BANNER" >>"$f.want"
	printf '127.0.0.1 %s send=ping\\r\\n expect=^PING\n' "$UPPER" >>"$f"
	printf '127.0.0.1 %s/tcp open\n' "$UPPER" >>"$f.want"
	printf 'localhost %s tls starttls=smtp ca=%s timeout=10s\n' "$SMTP" "$T/cert.pem" >>"$f"
	printf 'localhost %s/tcp open\n' "$SMTP" >>"$f.want"
	printf 'localhost %s tls ca=%s "send=GET / HTTP/1.0\\r\\n\\r\\n" "expect=^HTTP/1\\.0 200 ok"\n' "$S_SERVER" "$T/cert.pem" >>"$f"
	printf 'localhost %s/tcp open\n' "$S_SERVER" >>"$f.want"
	for i in $(seq 1 8); do # 16 TLS lines, verified against the CA
		printf 'localhost %s tls ca=%s\n' "$S_SERVER" "$T/cert.pem" >>"$f"
		printf 'localhost %s/tcp open\n' "$S_SERVER" >>"$f.want"
		printf '127.0.0.1 %s tls "sni=localhost" min-days=7 ca=%s\n' "$NCAT_SSL" "$T/cert.pem" >>"$f"
		printf '127.0.0.1 %s/tcp open\n' "$NCAT_SSL" >>"$f.want"
	done
}

@test "check targets 3: a 50-line file of TCP, UDP, TLS, --send/--expect and STARTTLS checks against real servers: results in file order, each line's options its own" {
	peers
	fifty_lines "$T/map.txt"
	[ "$(grep -c '^[0-9a-z]' "$T/map.txt")" -eq 50 ]
	run --separate-stderr timeout 120 "$SOCKIT" connect -z --targets "$T/map.txt"
	assert_failure 1 # closed ports
	[ "$(printf '%s\n' "$output" | awk '{ print $1, $2, $3 }')" = "$(cat "$T/map.txt.want")" ] ||
	    fail "$(diff <(printf '%s\n' "$output" | awk '{ print $1, $2, $3 }') "$T/map.txt.want")"
	# the TLS lines (STARTTLS too): verified against the line's --ca,
	# with its --sni
	[ "$(grep -c "/tcp open .*verified" <<<"$output")" -eq 18 ]
	[ "$(grep -c "not verified" <<<"$output")" -eq 0 ]
	grep -Eqx "localhost $SMTP/tcp open [0-9.]+ms TLSv1\.[23] .*CN=localhost .*, verified" <<<"$output" ||
	    fail "$output"
	# the mismatch says what it received
	grep -Fqx "127.0.0.1 $BANNER/tcp mismatch X \"220 banner.test ESMTP\\r\\n\"" <<<"$(sed -E 's/ [0-9]+\.[0-9]{2}ms / X /' <<<"$output")" ||
	    fail "$output"
	[ -z "$stderr" ]
	# JSON: the same, an object per result
	run --separate-stderr timeout 120 "$SOCKIT" connect -z -j --targets "$T/map.txt"
	assert_failure 1
	[ "$(jq -r '"\(.host) \(.port)/\(.proto) \(.state)"' <<<"$output")" = "$(cat "$T/map.txt.want")" ]
	[ "$(jq -s '[.[] | select(.tls.verified == true)] | length' <<<"$output")" -eq 18 ]
	# what each talking line matched or received, in file order
	run -0 jq -r --argjson b "$BANNER" --argjson u "$UPPER" --argjson s "$S_SERVER" '
	    select(.port == $b or .port == $u or (.port == $s and .matched)) |
	    "\(.port) \(.state) \(.matched // .received)"' <<<"$output"
	assert_output "$BANNER open 220 banner.test ESMTP
$BANNER mismatch 220 banner.test ESMTP\\r\\n
$UPPER open PING
$S_SERVER open HTTP/1.0 200 ok"
	# Prometheus: a series per host, port and proto, once however many
	# lines check it, up when every check of it passed; the certificate
	# after STARTTLS too
	run --separate-stderr timeout 120 "$SOCKIT" connect -z --format prometheus --targets "$T/map.txt"
	assert_failure 1
	printf '%s\n' "$output" >"$T/map.prom"
	run /usr/bin/python3 - "$T/map.prom" "$T/map.txt.want" "$SMTP" <<'PY'
import collections, sys
from prometheus_client.parser import text_string_to_metric_families
want = {}
for line in open(sys.argv[2]):
    host, port_proto, state = line.split()
    port, proto = port_proto.split("/")
    up = state == "open" or (proto == "udp" and state == "open_filtered")
    key = (host, port, proto)
    want[key] = want.get(key, True) and up
seen = collections.Counter()
up, expiry = {}, set()
for family in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in family.samples:
        l = s.labels
        key = (l["host"], l["port"], l["proto"])
        seen[(s.name, key)] += 1
        if s.name == "sockit_check_up":
            up[key] = s.value == 1
        if s.name == "sockit_tls_cert_not_after_seconds":
            expiry.add(key)
assert max(seen.values()) == 1, [k for k, n in seen.items() if n > 1]
assert up == want, (up, want)
assert ("localhost", sys.argv[3], "tcp") in expiry, expiry
print(len(up), "series")
PY
	assert_success
	[[ $output == *" series" ]] || fail "$output"
	# JUnit: a testcase per result, the failures those of the file
	run --separate-stderr timeout 120 "$SOCKIT" connect -z --format junit --targets "$T/map.txt"
	assert_failure 1
	printf '%s\n' "$output" >"$T/map.xml"
	xmllint --noout "$T/map.xml"
	[ "$(xmllint --xpath 'string(/testsuite/@tests)' "$T/map.xml")" = "$(wc -l <"$T/map.txt.want")" ]
	[ "$(xmllint --xpath 'string(/testsuite/@failures)' "$T/map.xml")" = "$(grep -c -e '/tcp closed' -e '/udp closed' -e mismatch "$T/map.txt.want")" ]
	[ "$(xmllint --xpath 'string(//failure[@type="mismatch"]/@message)' "$T/map.xml")" = 'mismatch "220 banner.test ESMTP\r\n"' ]
}

@test "check targets 3: the command line's options apply to every line, a line's own override them; - is stdin" {
	peers
	{
		printf '127.0.0.1 %s\n' "$S_SERVER"
		printf '127.0.0.1 %s sni=localhost ca=%s\n' "$NCAT_SSL" "$T/cert.pem"
	} >"$T/two.txt"
	# --tls --insecure for both; the second line verifies with its own CA
	run --separate-stderr timeout 60 "$SOCKIT" connect -z --tls --insecure --targets - <"$T/two.txt"
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == "127.0.0.1 $S_SERVER/tcp open "*", not verified: self-signed certificate" ]] || fail "${lines[0]}"
	[[ ${lines[1]} == "127.0.0.1 $NCAT_SSL/tcp open "*", verified" ]] || fail "${lines[1]}"
}

@test "check targets 3: the lines run in parallel: 20 lines that each time out after 1 s take well under 20 s" {
	# a listener whose queue is full: SYNs to it are dropped, checks time out
	tcp_peer "$T/full.log" --backlog 0 --fill 8 sleep 60
	for i in $(seq 1 20); do
		printf '127.0.0.1 %s timeout=1s\n' "$PORT"
	done >"$T/slow.txt"
	start=$(date +%s%N)
	run --separate-stderr timeout 60 "$SOCKIT" connect -z --targets "$T/slow.txt"
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_failure 1
	[ "$(grep -c "/tcp timeout -" <<<"$output")" -eq 20 ]
	((ms < 10000)) || fail "took $ms ms"
}

@test "check targets 3: a bad line is exit 2 naming the file and its line number, before any connection is made" {
	p=$(free_port)
	timeout 60 socat TCP-LISTEN:"$p",bind=127.0.0.1,fork,reuseaddr \
	    SYSTEM:"echo connection >>$T/connections" 3>&- &
	bg_pids+=("$!")
	wait_tcp "$p"
	for i in $(seq 1 30); do
		case $i in
		17) printf '127.0.0.1 %s tls min-days=soon\n' "$p" ;;
		*) printf '127.0.0.1 %s\n' "$p" ;;
		esac
	done >"$T/bad.txt"
	run --separate-stderr timeout 60 "$SOCKIT" connect -z --targets "$T/bad.txt"
	assert_failure 2
	[ -z "$output" ]
	[ "${stderr%%$'\n'*}" = "sockit: connect: $T/bad.txt line 17: bad --min-days \"soon\": expected a number 0-100000" ]
	sleep 0.5
	[ ! -e "$T/connections" ] || fail "$(wc -l <"$T/connections") connections made"
	# other bad lines: an unknown option, no PORTS, a quote left open,
	# what a check refuses (--expect, --send, --starttls), a whole run's
	# option
	for bad in "127.0.0.1 $p bogus=1|unknown option: --bogus" \
	    "127.0.0.1|no PORT given after \"127.0.0.1\"" \
	    "127.0.0.1 $p \"sni=x|a quote is left open" \
	    "127.0.0.1 $p expect=(|bad --expect \"(\": Unmatched ( or \\(" \
	    "127.0.0.1 $p send=\\xZZ|bad --send: expected the escapes \\r \\n \\t \\\\ \\xHH" \
	    "127.0.0.1 $p starttls=smtp|bad --starttls: needs --tls" \
	    "127.0.0.1 $p count=3|--count, --interval, --wait, --format, --targets, -j, -v and --quiet are the whole run's, not a line's"; do
		printf '# first\n127.0.0.1 %s\n%s\n' "$p" "${bad%%|*}" >"$T/bad.txt"
		run --separate-stderr timeout 60 "$SOCKIT" connect -z --targets "$T/bad.txt"
		assert_failure 2
		[ -z "$output" ] || fail "checked before the bad line: $output"
		[ "${stderr%%$'\n'*}" = "sockit: connect: $T/bad.txt line 3: ${bad#*|}" ] || fail "$stderr"
	done
	[ ! -e "$T/connections" ]
	# and with -j, the error event names the line too
	run --separate-stderr timeout 60 "$SOCKIT" connect -z -j --targets "$T/bad.txt"
	assert_failure 2
	[ "$(jq -r .message <<<"$stderr")" = "$T/bad.txt line 3: --count, --interval, --wait, --format, --targets, -j, -v and --quiet are the whole run's, not a line's" ]
}

@test "together 1: a line whose TLS files cannot be used fails as on the command line (4: unreadable, 5: not a certificate), naming its line, before anything is checked" {
	p=$(free_port)
	timeout 60 socat TCP-LISTEN:"$p",bind=127.0.0.1,fork,reuseaddr \
	    SYSTEM:"echo connection >>$T/connections" 3>&- &
	bg_pids+=("$!")
	wait_tcp "$p"
	printf 'not a certificate\n' >"$T/junk.pem"
	for bad in "ca=$T/none.pem|4|CA file $T/none.pem: No such file or directory" \
	    "ca=$T/junk.pem|5|CA file $T/junk.pem: " \
	    "cert=$T/junk.pem key=$T/junk.pem|5|certificate $T/junk.pem: "; do
		printf '127.0.0.1 %s\n127.0.0.1 %s tls %s\n' "$p" "$p" "${bad%%|*}" >"$T/tls.txt"
		run --separate-stderr timeout 60 "$SOCKIT" connect -z --targets "$T/tls.txt"
		rest=${bad#*|}
		assert_failure "${rest%%|*}"
		[ -z "$output" ] || fail "checked before the bad line: $output"
		[[ $stderr == "sockit: connect: $T/tls.txt line 2: ${rest#*|}"* ]] || fail "$stderr"
	done
	sleep 0.5
	[ ! -e "$T/connections" ] || fail "$(wc -l <"$T/connections") connections made"
}

@test "check targets 3: --targets takes no HOST PORTS; a file that cannot be read is exit 4; a file with no check is exit 2" {
	run --separate-stderr "$SOCKIT" connect -z --targets /dev/null 127.0.0.1 80
	assert_failure 2
	[[ $stderr == "sockit: connect: --targets takes no HOST or PORT"* ]]
	run --separate-stderr "$SOCKIT" connect -z --targets "$T/none.txt"
	assert_failure 4
	[ "$stderr" = "sockit: connect: --targets $T/none.txt: No such file or directory" ]
	printf '# nothing\n\n' >"$T/empty.txt"
	run --separate-stderr "$SOCKIT" connect -z --targets "$T/empty.txt"
	assert_failure 2
}

@test "check source 5: -s/-p, resolved once by the mode, bind every check; a line's source=ADDR is its own" {
	p=$(free_port)
	timeout 60 socat TCP-LISTEN:"$p",fork,reuseaddr \
	    SYSTEM:'echo $SOCAT_PEERADDR $SOCAT_PEERPORT >>'"$T/peers" 3>&- &
	bg_pids+=("$!")
	wait_tcp "$p"
	sport=$(free_port)
	run --separate-stderr timeout 20 "$SOCKIT" connect -z -s 127.0.0.2 -p "$sport" 127.0.0.1 "$p"
	assert_success
	wait_grep "$T/peers" "^127.0.0.2 $sport$"
	# a name as the source, resolved by the mode as connect's own is
	run --separate-stderr timeout 20 "$SOCKIT" connect -z -s localhost -4 127.0.0.1 "$p"
	assert_success
	printf '127.0.0.1 %s\n127.0.0.1 %s source=127.0.0.3\n' "$p" "$p" >"$T/src.txt"
	run --separate-stderr timeout 20 "$SOCKIT" connect -z -s 127.0.0.2 --targets "$T/src.txt"
	assert_success
	wait_grep "$T/peers" "^127.0.0.3 " 1
	wait_grep "$T/peers" "^127.0.0.2 " 2
	# a source with no address of the target's family
	run --separate-stderr timeout 20 "$SOCKIT" connect -z -s 127.0.0.2 ::1 "$p"
	assert_failure 3
	[ "$stderr" = "sockit: connect: ::1: no address of the family of source 127.0.0.2" ]
}
