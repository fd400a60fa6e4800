#!/usr/bin/env bats
# The man page's EXAMPLES (and those of CHECKS IN CI AND MONITORING), as
# a reader sees them: each command line is
# taken from the rendered page (mandoc -Tutf8, overstrike removed by
# col -b), its host, port or path replaced with a local one, and run by
# bash against real peers.  What a reader copies is what is tested.

load helpers
load udp_helpers

setup() {
	bg_pids=()
	T=$BATS_TEST_TMPDIR
	PATH="$(cd "$(dirname "$SOCKIT")" && pwd):$PATH"
	cd "$T"
}

teardown() {
	kill_bg
}

# Prints "DESCRIPTION<TAB>COMMAND" for each command line of the rendered
# EXAMPLES ("$ " left out); DESCRIPTION is the first line of the text
# before it.
rendered_examples() {
	mandoc -Tutf8 "$TOP_SRCDIR/man/sockit.1" | col -b | awk '
	    /^[A-Z]/ { on = ($0 == "EXAMPLES" ||
		$0 == "CHECKS IN CI AND MONITORING"); blank = 1; next }
	    !on { next }
	    /^[ \t]*$/ { blank = 1; next }
	    /^[ \t]+\$ / { sub(/^[ \t]+\$ /, ""); print desc "\t" $0; next }
	    blank { desc = $0; sub(/^ +/, "", desc) }
	    { blank = 0 }'
}

# example KEY: the command lines of the one entry whose description
# starts with KEY.  Fails when no entry, or more than one, does.
example() {
	local n
	n=$(rendered_examples | awk -F'\t' -v k="$1" 'index($1, k) == 1 {
	    print $1 }' | sort -u | wc -l)
	if [ "$n" -ne 1 ]; then
		echo "$n EXAMPLES entries start with \"$1\"" >&2
		return 1
	fi
	rendered_examples | awk -F'\t' -v k="$1" 'index($1, k) == 1 {
	    print $2 }'
}

# adapt TEXT FROM TO...: TEXT with every FROM replaced by its TO (a local
# host, port or path).  Fails when TEXT has no FROM: the example changed,
# and its test must follow.
adapt() {
	local text=$1
	shift
	while (($# >= 2)); do
		if [[ $text != *"$1"* ]]; then
			echo "the example \"$text\" has no \"$1\"" >&2
			return 1
		fi
		text=${text//"$1"/"$2"}
		shift 2
	done
	printf '%s\n' "$text"
}

# in_background LOG CMD: runs the command line CMD with bash in the
# background (stdin from /dev/null unless CMD redirects it, stderr to
# LOG); adds it to bg_pids and sets BG_PID.
in_background() {
	bash -c "exec $2" </dev/null 2>"$1" 3>&- &
	BG_PID=$!
	bg_pids+=("$BG_PID")
}

# http_server: python3's HTTP server on 127.0.0.1 serving $T/www (an
# index.html saying "hello from www"); sets HTTP_PORT.
http_server() {
	mkdir -p "$T/www"
	echo "hello from www" >"$T/www/index.html"
	HTTP_PORT=$(free_port)
	timeout 60 python3 -m http.server --bind 127.0.0.1 \
	    --directory "$T/www" "$HTTP_PORT" >/dev/null 2>&1 3>&- &
	bg_pids+=("$!")
	wait_tcp "$HTTP_PORT"
}

# ncat_server: ncat -lk on 127.0.0.1 (a free port), keeping every
# client's bytes to itself; sets NCAT_PORT.
ncat_server() {
	NCAT_PORT=$(free_port)
	timeout 60 ncat -lk --recv-only 127.0.0.1 "$NCAT_PORT" </dev/null \
	    >/dev/null 2>&1 3>&- &
	bg_pids+=("$!")
	wait_tcp "$NCAT_PORT"
}

@test "the man page has at least 20 examples" {
	[ "$(rendered_examples | wc -l)" -ge 20 ]
}

@test "first hour 6: every EXAMPLES entry is run by a test of this file" {
	local d k found missing=
	mapfile -t keys < <(grep -o 'example "[^"]*"' "$BATS_TEST_FILENAME" |
	    sed 's/^example "//; s/"$//' | grep -v '^\$')
	while IFS= read -r d; do
		found=
		for k in "${keys[@]}"; do
			[[ $d == "$k"* ]] && found=1
		done
		[[ -n $found ]] || missing+=" \"$d\""
	done < <(rendered_examples | cut -f1 | sort -u)
	[ -z "$missing" ] || fail "EXAMPLES entries no test runs:$missing"
}

@test "first hour 6: a rendered example line is the command as written, quotes and all" {
	run example "Check a range of ports"
	assert_success
	assert_output "sockit connect -z -j 127.0.0.1 8000-8100 | jq -r 'select(.state == \"open\") | .port'"
}

@test "every option an example gives to sockit is one its mode accepts" {
	"$SOCKIT" --list-options >"$T/opts"
	run python3 -c '
import shlex, sys
known = {}
for line in open(sys.argv[1]):
    mode, short, long_, arg = line.rstrip("\n").split("\t")
    known.setdefault(mode, {})
    for o in (short, long_):
        if o: known[mode][o] = bool(arg)
bad = []
for line in sys.stdin:
    words = shlex.split(line)
    while words and words[0] != "sockit":
        words.pop(0)
    if len(words) < 2:
        continue
    mode, words = words[1], words[2:]
    if mode not in known:
        bad.append("unknown mode " + mode); continue
    i = 0
    while i < len(words) and words[i] not in ("|", "||"):
        w = words[i]; i += 1
        if w == "-" or not w.startswith("-") or w == "--":
            continue
        if w.startswith("--"):
            name = w.split("=")[0]
            if name not in known[mode]: bad.append(mode + ":" + w)
            elif known[mode][name] and "=" not in w: i += 1
            continue
        for k, ch in enumerate(w[1:]):
            o = "-" + ch
            if o not in known[mode]: bad.append(mode + ":" + o); break
            if known[mode][o]:
                if k == len(w) - 2: i += 1
                break
print(" ".join(bad))' "$T/opts" < <(rendered_examples | cut -f2)
	assert_success
	[ -z "$output" ] || fail "options the code does not accept: $output"
}

@test "example: wait until a port accepts connections (connect -z --wait)" {
	local p cmd
	p=$(free_port)
	cmd=$(adapt "$(example "Wait in CI until a database")" \
	    "db.internal 5432" "127.0.0.1 $p")
	{ sleep 0.5; exec timeout 60 ncat -lk --recv-only 127.0.0.1 "$p"; } \
	    </dev/null >/dev/null 2>&1 3>&- &
	bg_pids+=($!)
	run --separate-stderr timeout 70 bash -c "$cmd"
	assert_success
	assert_output --regexp "^127\.0\.0\.1 $p/tcp open "
}

# tls_localhost: openssl s_server -www on a free port with a fresh
# certificate for localhost (30 days), trusted as the system store
# through SSL_CERT_FILE; sets TLS_PORT.
tls_localhost() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/tls.key" -out "$T/tls.pem" -days 30 -subj /CN=localhost \
	    -addext subjectAltName=DNS:localhost 2>/dev/null
	TLS_PORT=$(free_port)
	timeout 60 openssl s_server -accept "127.0.0.1:$TLS_PORT" -www \
	    -cert "$T/tls.pem" -key "$T/tls.key" </dev/null >/dev/null 2>&1 3>&- &
	bg_pids+=($!)
	export SSL_CERT_FILE=$T/tls.pem
	wait_tcp "$TLS_PORT"
}

@test "check examples 6: wait for the database, then run the migrations (-- CMD)" {
	local cmd
	ncat_server
	cmd=$(adapt "$(example "Wait until the database accepts")" \
	    "db.internal 5432" "127.0.0.1 $NCAT_PORT" "./migrate.sh" "echo migrated")
	run --separate-stderr timeout 70 bash -c "$cmd"
	assert_success
	assert_line --index 0 --regexp "^127\.0\.0\.1 $NCAT_PORT/tcp open "
	assert_line --index 1 migrated
}

@test "check examples 6: a port's latency over time, with its summary (--count)" {
	local cmd
	ncat_server
	cmd=$(adapt "$(example "Measure a port's latency")" \
	    "--interval 1s web.internal 443" "--interval 100ms 127.0.0.1 $NCAT_PORT" \
	    "--count 10" "--count 3")
	run --separate-stderr timeout 70 bash -c "$cmd"
	assert_success
	assert_line --index 3 --regexp "^127\.0\.0\.1 $NCAT_PORT/tcp: 3 probes, 3 open, 0% failed, latency min/avg/p50/p95/max [0-9./]+ ms$"
}

@test "check examples 6: a service map in a file, as text and as JUnit XML (--targets)" {
	local cmd
	ncat_server
	tls_localhost
	cmd=$(adapt "$(example "Check a whole service map")" \
	    "db.internal 5432" "127.0.0.1 $NCAT_PORT" \
	    "web.internal 443" "localhost $TLS_PORT")
	run --separate-stderr timeout 70 bash -c "$cmd"
	assert_success
	assert_line --index 0 --regexp "^127\.0\.0\.1 $NCAT_PORT/tcp open "
	assert_line --index 1 --regexp "^localhost $TLS_PORT/tcp open .*, verified$"
	cmd=$(example "Give a CI dashboard a JUnit report")
	run --separate-stderr timeout 70 bash -c "$cmd"
	assert_success
	xmllint --noout sockit.xml
	[ "$(xmllint --xpath 'string(/testsuite/@tests)' sockit.xml)" = 2 ]
	[ "$(xmllint --xpath 'string(/testsuite/@failures)' sockit.xml)" = 0 ]
}

@test "together 4: a mail server's greeting (expect=) and its certificate after STARTTLS (starttls=) as JUnit: passes, then fails with what the server sent" {
	local plain tls bad cmd
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout mail.key -out mail.pem -days 30 -subj /CN=localhost \
	    -addext subjectAltName=DNS:localhost 2>/dev/null
	plain=$(free_port) tls=$(free_port)
	timeout 60 /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$plain" \
	    >/dev/null 2>&1 3>&- &
	bg_pids+=($!)
	timeout 60 /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$tls" \
	    --tlscert mail.pem --tlskey mail.key >/dev/null 2>&1 3>&- &
	bg_pids+=($!)
	wait_tcp "$plain" && wait_tcp "$tls"
	cmd=$(adapt "$(example "A JUnit report of a mail server")" \
	    "mail.internal 25" "127.0.0.1 $plain" "mail.internal 587" "localhost $tls")
	# the system's trust store, as the example uses it: the certificate
	SSL_CERT_FILE=$T/mail.pem run -0 --separate-stderr timeout 60 bash -c "$cmd"
	xmllint --noout mail.xml
	[ "$(xmllint --xpath 'string(/testsuite/@tests)' mail.xml)" = 2 ]
	[ "$(xmllint --xpath 'string(/testsuite/@failures)' mail.xml)" = 0 ]
	[ "$(xmllint --xpath 'string(//testcase[2]/@name)' mail.xml)" = "localhost $tls/tcp" ]
	# a server that greets with 554 in the first one's place
	bad=$(free_port)
	printf 'printf "554 no mail\\r\\n"\n' >greet.sh
	timeout 60 socat "TCP-LISTEN:$bad,bind=127.0.0.1,reuseaddr,fork" \
	    "SYSTEM:sh $T/greet.sh" 2>/dev/null 3>&- &
	bg_pids+=($!)
	wait_tcp "$bad"
	cmd=$(adapt "$(example "A JUnit report of a mail server")" \
	    "mail.internal 25" "127.0.0.1 $bad" "mail.internal 587" "localhost $tls")
	SSL_CERT_FILE=$T/mail.pem run -1 --separate-stderr timeout 60 bash -c "$cmd"
	xmllint --noout mail.xml
	[ "$(xmllint --xpath 'string(/testsuite/@failures)' mail.xml)" = 1 ]
	[ "$(xmllint --xpath 'string(//testcase[1]/failure/@type)' mail.xml)" = mismatch ]
	[ "$(xmllint --xpath 'string(//testcase[1]/failure/@message)' mail.xml)" = 'mismatch "554 no mail\r\n"' ] ||
	    fail "$(cat mail.xml)"
}

@test "check examples 6: TAP for a harness (--format tap)" {
	local cmd
	ncat_server
	cmd=$(adapt "$(example "Feed TAP to a harness")" \
	    "db.internal 5432,6379" "127.0.0.1 $NCAT_PORT")
	run --separate-stderr timeout 70 bash -c "$cmd"
	assert_success
	assert_line --index 0 "TAP version 14"
	assert_line --index 1 "1..1"
	assert_line --index 2 --regexp "^ok 1 - 127\.0\.0\.1 $NCAT_PORT/tcp open "
}

@test "check examples 6: up, latency and certificate expiry for the textfile collector (--format prometheus)" {
	local cmd
	tls_localhost
	cmd=$(adapt "$(example "Export up, latency and certificate expiry")" \
	    "web.internal 443" "localhost $TLS_PORT")
	run --separate-stderr timeout 70 bash -c "$cmd"
	assert_success
	grep -q "^sockit_check_up{host=\"localhost\",address=\"127.0.0.1\",port=\"$TLS_PORT\",proto=\"tcp\"} 1$" sockit.prom
	grep -q "^sockit_tls_cert_not_after_seconds{host=\"localhost\",.*} [0-9]*$" sockit.prom
}

@test "first hour 6: example: list the open ports of a range from JSON with jq" {
	local cmd
	# 127.0.0.2: no other test's one-shot server is in the range scanned
	sockit_listen "$T/l" -k 127.0.0.2 0 </dev/null >/dev/null
	cmd=$(adapt "$(example "Check a range of ports")" \
	    "127.0.0.1 8000-8100" "127.0.0.2 $((PORT - 3))-$((PORT + 3))")
	run --separate-stderr timeout 20 bash -c "$cmd"
	assert_success
	assert_output "$PORT"
}

@test "example: a closed UDP port (connect -zu)" {
	local u cmd
	u=$(free_udp_port)
	cmd=$(adapt "$(example "Is a UDP port closed?")" "127.0.0.1 53" \
	    "127.0.0.1 $u")
	run --separate-stderr timeout 20 bash -c "$cmd"
	assert_failure 1
	assert_output --regexp "^127\.0\.0\.1 $u/udp closed "
}

@test "example: fetch a page by hand from python3's HTTP server" {
	local cmd
	http_server
	cmd=$(adapt "$(example "Fetch a page by hand")" "localhost 8080" \
	    "localhost $HTTP_PORT")
	run --separate-stderr timeout 20 bash -c "$cmd"
	assert_success
	assert_line --regexp '^HTTP/1\.[01] 200 OK'
	assert_line "hello from www"
}

@test "example: serve a file to the first client (nc receives it)" {
	local p cmd
	head -c 3M /dev/urandom >file.tar
	p=$(free_port)
	cmd=$(adapt "$(example "Serve a file to the first client")" \
	    "listen 9000" "listen 127.0.0.1 $p")
	in_background "$T/l" "$cmd"
	wait_tcp "$p"
	timeout 10 nc 127.0.0.1 "$p" </dev/null >got.tar
	cmp file.tar got.tar
	wait_gone "$BG_PID"
}

@test "example: receive a file (nc -N sends it)" {
	local p cmd
	head -c 3M /dev/urandom >sent.tar
	p=$(free_port)
	cmd=$(adapt "$(example "Receive a file")" "listen 9000" \
	    "listen 127.0.0.1 $p")
	in_background "$T/l" "$cmd"
	wait_tcp "$p"
	timeout 10 nc -N 127.0.0.1 "$p" <sent.tar
	wait_gone "$BG_PID"
	cmp sent.tar file.tar
}

@test "example: an echo server for many clients (listen -k -e cat), nc clients" {
	local p cmd n
	p=$(free_port)
	cmd=$(adapt "$(example "A quick echo server")" "127.0.0.1 7000" \
	    "127.0.0.1 $p")
	in_background "$T/l" "$cmd"
	wait_tcp "$p"
	for n in 1 2 3; do
		run timeout 5 nc -N 127.0.0.1 "$p" <<<"hello $n"
		assert_output "hello $n"
	done
}

@test "example: socket activation with systemd-socket-activate" {
	local p cmd
	p=$(free_port)
	cmd=$(adapt "$(example "Hand out a socket that systemd")" \
	    "127.0.0.1:7000" "127.0.0.1:$p")
	in_background "$T/l" "$cmd"
	wait_tcp "$p"
	run timeout 5 nc -N 127.0.0.1 "$p" <<<"activated"
	assert_output activated
}

@test "example: a daytime service through /bin/sh (listen -k -c 'date -u')" {
	local p cmd
	p=$(free_port)
	cmd=$(adapt "$(example "A daytime service")" "127.0.0.1 1313" \
	    "127.0.0.1 $p")
	in_background "$T/l" "$cmd"
	wait_tcp "$p"
	run timeout 5 nc 127.0.0.1 "$p" </dev/null
	assert_success
	[[ $output == *UTC* ]]
}

@test "example: HTTP over a Unix socket (socat serves it)" {
	local cmd
	cat >ping.sh <<-'EOF'
	#!/bin/sh
	# the request, up to its empty line; then the answer
	while IFS= read -r line && [ "$line" != "$(printf '\r')" ]; do :; done
	printf 'HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nOK\n'
	EOF
	chmod +x ping.sh
	timeout 30 socat UNIX-LISTEN:"$T/docker.sock",fork EXEC:"$T/ping.sh" \
	    </dev/null >/dev/null 2>&1 3>&- &
	bg_pids+=($!)
	for ((i = 0; i < 50; i++)); do
		[ -S "$T/docker.sock" ] && break
		sleep 0.1
	done
	cmd=$(adapt "$(example "Talk to a local daemon")" \
	    "/run/docker.sock" "$T/docker.sock")
	run --separate-stderr timeout 10 bash -c "$cmd"
	assert_success
	assert_line --regexp '^HTTP/1\.0 200 OK'
	assert_line OK
}

@test "example: through microsocks with credentials, the name resolved by the proxy" {
	local cmd
	http_server
	microsocks_start -u me -P pw
	cmd=$(adapt "$(example "Through a SOCKS5 proxy")" \
	    "127.0.0.1:1080" "127.0.0.1:$MS_PORT" \
	    "example.org 80" "localhost $HTTP_PORT")
	run --separate-stderr timeout 20 bash -c "$cmd"
	assert_success
	assert_line --regexp '^HTTP/1\.[01] 200 OK'
	assert_line "hello from www"
}

@test "example: which ports answer behind tinyproxy (connect -z --proxy http://)" {
	local tp closed cmd
	ncat_server
	closed=$(free_port)
	tp=$(free_port)
	printf 'Port %s\nListen 127.0.0.1\nAllow 127.0.0.1\nTimeout 10\n' \
	    "$tp" >tinyproxy.conf
	timeout 60 tinyproxy -d -c tinyproxy.conf >tinyproxy.log 2>&1 \
	    </dev/null 3>&- &
	bg_pids+=($!)
	wait_tcp "$tp"
	cmd=$(adapt "$(example "Which ports answer behind an HTTP proxy")" \
	    "proxy.internal:3128" "127.0.0.1:$tp" \
	    "10.0.0.5 22,80,443" "127.0.0.1 $NCAT_PORT,$closed")
	run --separate-stderr timeout 20 bash -c "$cmd"
	assert_failure 1
	assert_line --regexp "^127\.0\.0\.1 $NCAT_PORT/tcp open "
	assert_line --regexp "^127\.0\.0\.1 $closed/tcp closed "
}

@test "example: a certificate expiring within 30 days says renew (openssl s_server)" {
	local days p cmd
	ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
	openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 30 \
	    -subj "/CN=example CA" 2>/dev/null
	printf 'subjectAltName=DNS:localhost\n' >ext
	for days in 10 365; do
		openssl req "${ec[@]}" -keyout "$days.key" -out "$days.csr" \
		    -subj /CN=localhost 2>/dev/null
		openssl x509 -req -in "$days.csr" -CA ca.pem -CAkey ca.key \
		    -CAcreateserial -out "$days.pem" -days "$days" \
		    -extfile ext 2>/dev/null
		p=$(free_port)
		timeout 30 openssl s_server -accept "127.0.0.1:$p" -www \
		    -cert "$days.pem" -key "$days.key" </dev/null \
		    >/dev/null 2>&1 3>&- &
		bg_pids+=($!)
		wait_tcp "$p"
		cmd=$(adapt "$(example "Alert when a certificate expires")" \
		    "example.com 443" "localhost $p")
		# the system's trust store, as the example uses it: the CA
		SSL_CERT_FILE=$T/ca.pem run --separate-stderr timeout 20 \
		    bash -c "$cmd"
		assert_success
		if [ "$days" = 10 ]; then
			assert_line --index 0 --regexp "^localhost $p/tcp tls_error .*certificate expires in (9|10) days"
			assert_line --index 1 renew
		else
			assert_output --regexp "^localhost $p/tcp open .*verified"
		fi
	done
}

@test "example: a mail server that greets with 220 and answers QUIT (aiosmtpd)" {
	local p cmd
	p=$(free_port)
	timeout 60 /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$p" \
	    >/dev/null 2>&1 3>&- &
	bg_pids+=($!)
	wait_tcp "$p"
	cmd=$(adapt "$(example "Check that a mail server greets with 220")" \
	    "mail.example.com 25" "127.0.0.1 $p")
	run -0 timeout 20 bash -c "$cmd"
	assert_output --regexp "^127\.0\.0\.1 $p/tcp open [0-9.]+ms$"
}

@test "example: the certificate alert after STARTTLS (aiosmtpd --tlscert)" {
	local p cmd
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout mail.key -out mail.pem -days 365 -subj /CN=localhost \
	    -addext subjectAltName=DNS:localhost 2>/dev/null
	p=$(free_port)
	timeout 60 /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$p" \
	    --tlscert mail.pem --tlskey mail.key >/dev/null 2>&1 3>&- &
	bg_pids+=($!)
	wait_tcp "$p"
	cmd=$(adapt "$(example "The same certificate alert for a mail server")" \
	    "mail.example.com 25" "localhost $p")
	# the system's trust store, as the example uses it: the certificate
	SSL_CERT_FILE=$T/mail.pem run -0 --separate-stderr timeout 20 \
	    bash -c "$cmd"
	assert_output --regexp "^localhost $p/tcp open .*CN=localhost.*verified$"
}

@test "example: a TLS server with a throwaway certificate and a client" {
	local p
	p=$(free_port)
	mapfile -t cmds < <(example "A TLS server with a throwaway")
	[ "${#cmds[@]}" -eq 2 ]
	in_background "$T/l" "$(adapt "${cmds[0]}" "127.0.0.1 8443" \
	    "127.0.0.1 $p") >got"
	wait_tcp "$p"
	run --separate-stderr timeout 10 bash -c "$(adapt "${cmds[1]}" \
	    "127.0.0.1 8443" "127.0.0.1 $p") <<<'hello over TLS'"
	assert_success
	wait_gone "$BG_PID"
	[ "$(cat got)" = "hello over TLS" ]
}

@test "example: watch both directions in hex (connect -x -), socat echoing" {
	local p cmd
	p=$(free_port)
	timeout 30 socat TCP-LISTEN:"$p",bind=127.0.0.1,reuseaddr EXEC:cat \
	    </dev/null >/dev/null 2>&1 3>&- &
	bg_pids+=($!)
	wait_tcp "$p"
	cmd=$(adapt "$(example "Watch both directions")" "localhost 6379" \
	    "localhost $p")
	run --separate-stderr timeout 10 bash -c "$cmd <<<PING"
	assert_success
	assert_output PING
	[[ $stderr == *"> 00000000  50 49 4e 47 0a"* ]]
	[[ $stderr == *"< 00000000  50 49 4e 47 0a"* ]]
}

@test "example: send one datagram (nc -u -l receives it)" {
	local u cmd
	u=$(free_udp_port)
	timeout 10 nc -u -l 127.0.0.1 "$u" </dev/null >got 3>&- &
	bg_pids+=($!)
	wait_udp_bound "$u"
	cmd=$(adapt "$(example "Send one datagram")" "127.0.0.1 9000" \
	    "127.0.0.1 $u")
	run --separate-stderr timeout 10 bash -c "$cmd"
	assert_success
	wait_grep got "hello world"
	[ "$(cat got)" = "hello world" ]
}

@test "example: one datagram per line to a collector (socat receives)" {
	local u cmd
	u=$(free_udp_port)
	printf 'a:1|c\nb:2|c\nc:3|c\n' >metrics.txt
	timeout 10 socat -u UDP-RECV:"$u",bind=127.0.0.1 - </dev/null \
	    >got 3>&- &
	bg_pids+=($!)
	wait_udp_bound "$u"
	cmd=$(adapt "$(example "Send each line of a file")" \
	    "localhost 8125" "localhost $u")
	run --separate-stderr timeout 10 bash -c "$cmd"
	assert_success
	wait_grep got 'c:3'
	# three datagrams, the newlines not sent
	[ "$(cat got)" = "a:1|cb:2|cc:3|c" ]
}

@test "example: ask a UDP service and print its answer (socat echoes)" {
	local u cmd
	u=$(free_udp_port)
	timeout 10 socat UDP-LISTEN:"$u",bind=127.0.0.1 PIPE </dev/null \
	    >/dev/null 2>&1 3>&- &
	bg_pids+=($!)
	wait_udp_bound "$u"
	cmd=$(adapt "$(example "Ask a DNS or NTP server")" \
	    "127.0.0.1 7 " "127.0.0.1 $u ")
	run --separate-stderr timeout 10 bash -c "$cmd"
	assert_success
	assert_output ping
}

@test "example: receive three datagrams as JSON (socat sends)" {
	local cmd port i
	cmd=$(example "Receive three datagrams")
	bash -c "exec $cmd" </dev/null >got 2>err 3>&- &
	bg_pids+=($!)
	wait_file err
	port=$(head -1 err | jq -er 'select(.event == "listening") | .port')
	for i in 1 2 3; do
		printf 'datagram %s' "$i" |
		    socat -u - UDP-SENDTO:127.0.0.1:"$port"
	done
	wait_pid "${bg_pids[-1]}"
	run jq -r .data got
	assert_output $'datagram 1\ndatagram 2\ndatagram 3'
}

@test "example: a UDP echo server (socat asks)" {
	local u cmd
	u=$(free_udp_port)
	cmd=$(adapt "$(example "An echo server for UDP clients")" \
	    "--echo 9000" "--echo 127.0.0.1 $u")
	in_background "$T/l" "$cmd"
	wait_udp_bound "$u"
	run timeout 10 socat -t 2 - UDP:127.0.0.1:"$u" <<<"echo me"
	assert_success
	assert_output "echo me"
}

@test "example: listen to a multicast group (lo in its own network namespace)" {
	local cmd
	cmd=$(adapt "$(example "Listen to a multicast group")" \
	    "--interface eth0" "--interface lo")
	run timeout 30 unshare -n bash -c '
	    ip link set lo up && ip link set lo multicast on &&
	    ip route add 224.0.0.0/4 dev lo || exit 99
	    bash -c "exec $1" </dev/null >"$2/mc.out" 2>"$2/mc.err" &
	    pid=$!
	    for i in $(seq 50); do
	        ip maddr show dev lo | grep -q 239.1.2.3 && break; sleep 0.1
	    done
	    printf "hello group" | socat -u - UDP-DATAGRAM:239.1.2.3:5000
	    for i in $(seq 50); do
	        [ -s "$2/mc.out" ] && break; sleep 0.1
	    done
	    kill $pid' _ "$cmd" "$T"
	[ "$status" -ne 99 ] || fail "no multicast route on lo in a namespace"
	[ "$(cat mc.out)" = "hello group" ]
}

@test "example: resolve localhost, and its addresses from JSON with jq" {
	run --separate-stderr bash -c "$(example "Print the addresses of")"
	assert_success
	assert_line --regexp '^localhost (127\.0\.0\.1|::1)$'
	run --separate-stderr bash -c "$(example "The same, one address a line")"
	assert_success
	assert_line 127.0.0.1
}

@test "example: the host name of an address; the http service" {
	run --separate-stderr bash -c "$(example "The host name of an address")"
	assert_success
	assert_output "127.0.0.1 localhost"
	run --separate-stderr bash -c "$(example "Addresses, port and socket type")"
	assert_success
	assert_output --partial 80
}

@test "example: the options of a fresh TCP socket and a UDP one" {
	mapfile -t cmds < <(example "The socket options of a fresh TCP")
	[ "${#cmds[@]}" -eq 2 ]
	run --separate-stderr bash -c "${cmds[0]}"
	assert_success
	assert_line --regexp '^TCP_NODELAY +off$'
	run --separate-stderr bash -c "${cmds[1]}"
	assert_success
	assert_line --index 0 --regexp '^SO_RCVBUF +[0-9]+$'
	assert_line --index 1 --regexp '^SO_SNDBUF +[0-9]+$'
}

@test "example: set SO_RCVBUF and see what the kernel kept" {
	run --separate-stderr bash -c "$(example "What the kernel makes of")"
	assert_success
	[[ $output == "SO_RCVBUF"*"(requested 65536)" ]]
}

@test "example: the round-trip time of a live connection (to ncat)" {
	local cmd
	ncat_server
	cmd=$(adapt "$(example "The round-trip time of a live")" \
	    "localhost:22" "localhost:$NCAT_PORT")
	run --separate-stderr timeout 10 bash -c "$cmd"
	assert_success
	assert_output --regexp '^[0-9]+$'
}

@test "example: the socket a service was started with, as descriptor 3" {
	local p cmd
	p=$(free_port)
	cmd=$(example "The options of the socket a service")
	timeout 30 systemd-socket-activate -l "127.0.0.1:$p" \
	    bash -c "$cmd >$T/got" </dev/null 2>"$T/l" 3>&- &
	bg_pids+=($!)
	wait_tcp "$p"
	# the service starts at the first connection
	timeout 5 nc -z 127.0.0.1 "$p"
	wait_grep got SO_RCVBUF
	run cat got
	assert_line --regexp '^SO_TYPE +SOCK_STREAM$'
	assert_line --regexp '^SO_ACCEPTCONN +on$'
}
