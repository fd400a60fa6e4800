#!/usr/bin/env bats
# connect -z --tls --starttls smtp|imap|pop3|ftp|postgres (SPEC.md "The
# check engine"): the plaintext upgrade, then the handshake and the
# certificate's facts as plain --tls gives them, against real servers
# started here in the foreground on free ports with a configuration
# written under the test's temp dir: python3-aiosmtpd (smtp), dovecot
# (imap, pop3), python3-pyftpdlib (ftp, tests/peers/ftp_tls.py),
# PostgreSQL (initdb + postgres as the user postgres, ssl=on).  Each is
# cross-checked with openssl s_client -starttls: the same certificate.

load helpers

setup_file() {
	cd "$BATS_FILE_TMPDIR" || return 1
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout key.pem -out cert.pem -days 30 -subj /CN=localhost \
	    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null ||
	    return 1
	chmod 644 key.pem cert.pem
}

setup() {
	bg_pids=()
	CERT=$BATS_FILE_TMPDIR/cert.pem KEY=$BATS_FILE_TMPDIR/key.pem
}

teardown() {
	kill_bg
}

# starttls PROTO PORT [ARG...]: sockit's check, JSON, verified against
# the test's certificate.
starttls() {
	local proto=$1 port=$2
	shift 2
	timeout 30 "$SOCKIT" connect -z -j -w 10 --tls --ca "$CERT" \
	    --starttls "$proto" "$@" localhost "$port"
}

# same_cert PROTO PORT: sockit's result (in $output) is open, verified,
# with the certificate openssl s_client -starttls PROTO gets.
same_cert() {
	local want got result=$output
	got=$(jq -r .tls.fingerprint_sha256 <<<"$result")
	run -0 jq -r '[.state, .tls.verified, .tls.subject, (.tls_ms | type),
	    (.latency_ms == .connect_ms)] | join(" ")' <<<"$output"
	assert_output 'open true CN=localhost number true'
	want=$(timeout 20 openssl s_client -starttls "$1" \
	    -connect "127.0.0.1:$2" -servername localhost </dev/null \
	    2>/dev/null | openssl x509 -noout -fingerprint -sha256)
	[ "${want#*=}" = "$(openssl x509 -in "$CERT" -noout -fingerprint \
	    -sha256 | cut -d= -f2)" ]
	[ "$got" = "${want#*=}" ]
}

# smtp_start [ARG...]: aiosmtpd on a free port (PORT).
smtp_start() {
	PORT=$(free_port)
	timeout 60 /usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$PORT" "$@" \
	    2>"$BATS_TEST_TMPDIR/smtp.log" &
	bg_pids+=($!)
	wait_tcp "$PORT"
}

# dovecot_start: dovecot for imap (IMAP_PORT) and pop3 (POP3_PORT).
dovecot_start() {
	local d=$BATS_TEST_TMPDIR/dovecot
	IMAP_PORT=$(free_port) POP3_PORT=$(free_port)
	mkdir -p "$d"
	cat >"$d/dovecot.conf" <<-EOF
	base_dir = $d/run
	state_dir = $d/state
	log_path = $d/log
	protocols = imap pop3
	listen = 127.0.0.1
	ssl = yes
	ssl_cert = <$CERT
	ssl_key = <$KEY
	mail_location = mbox:$d/mail
	passdb {
	  driver = static
	  args = password=unused
	}
	userdb {
	  driver = static
	  args = uid=nobody gid=nogroup home=$d/home
	}
	service imap-login {
	  inet_listener imap {
	    port = $IMAP_PORT
	  }
	  inet_listener imaps {
	    port = 0
	  }
	}
	service pop3-login {
	  inet_listener pop3 {
	    port = $POP3_PORT
	  }
	  inet_listener pop3s {
	    port = 0
	  }
	}
	EOF
	timeout 60 dovecot -F -c "$d/dovecot.conf" &
	bg_pids+=($!)
	wait_tcp "$IMAP_PORT" && wait_tcp "$POP3_PORT"
}

@test "starttls 2: smtp (aiosmtpd): the upgrade, then the certificate as openssl s_client -starttls smtp sees it" {
	smtp_start --tlscert "$CERT" --tlskey "$KEY"
	run -0 --separate-stderr starttls smtp "$PORT"
	same_cert smtp "$PORT"
}

@test "starttls 2: imap and pop3 (dovecot)" {
	dovecot_start
	run -0 --separate-stderr starttls imap "$IMAP_PORT"
	same_cert imap "$IMAP_PORT"
	run -0 --separate-stderr starttls pop3 "$POP3_PORT"
	same_cert pop3 "$POP3_PORT"
}

@test "starttls 2: ftp (pyftpdlib, AUTH TLS)" {
	PORT=$(free_port)
	mkdir "$BATS_TEST_TMPDIR/ftp"
	timeout 60 /usr/bin/python3 "$PEERS/ftp_tls.py" "$CERT" "$KEY" \
	    "$PORT" "$BATS_TEST_TMPDIR/ftp" 2>"$BATS_TEST_TMPDIR/ftp.log" &
	bg_pids+=($!)
	wait_tcp "$PORT"
	run -0 --separate-stderr starttls ftp "$PORT"
	same_cert ftp "$PORT"
}

@test "starttls 2: postgres (PostgreSQL, ssl=on, run as the user postgres)" {
	local d=$BATS_TEST_TMPDIR/pg bin dir
	bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
	# the user postgres reaches its data directory under the test's
	dir=$d
	while [[ $dir != / && $dir != /tmp ]]; do
		chmod o+x "$dir" 2>/dev/null || true
		dir=$(dirname "$dir")
	done
	mkdir -p "$d" && chmod o+x "$d" && chown postgres "$d"
	timeout 120 setpriv --reuid=postgres --regid=postgres --init-groups \
	    "$bin/initdb" -D "$d/data" -A trust -U postgres >/dev/null
	install -o postgres -m 600 "$CERT" "$d/data/server.crt"
	install -o postgres -m 600 "$KEY" "$d/data/server.key"
	PORT=$(free_port)
	timeout 60 setpriv --reuid=postgres --regid=postgres --init-groups \
	    "$bin/postgres" -D "$d/data" -p "$PORT" -c ssl=on \
	    -c listen_addresses=127.0.0.1 -c "unix_socket_directories=$d" \
	    2>"$d/log" &
	bg_pids+=($!)
	wait_tcp "$PORT"
	run -0 --separate-stderr starttls postgres "$PORT"
	same_cert postgres "$PORT"
}

@test "starttls 2: a server that does not upgrade is tls_error naming the step (exit 5)" {
	smtp_start # no certificate: STARTTLS is refused
	run -5 timeout 30 "$SOCKIT" connect -z -w 10 --tls --ca "$CERT" \
	    --starttls smtp 127.0.0.1 "$PORT"
	assert_output --regexp "^127\.0\.0\.1 $PORT/tcp tls_error [0-9.]+ms \(starttls smtp: STARTTLS: the server said \"454 TLS not available\"\)$"
	run -5 --separate-stderr starttls imap "$PORT"
	run -0 jq -r '.state + " " + .error' <<<"$output"
	assert_output --regexp '^tls_error starttls imap: greeting: the server said "220 .*SMTP'
}

@test "starttls 2: --send and --expect go over TLS after the upgrade (imap CAPABILITY)" {
	dovecot_start
	run -0 --separate-stderr starttls imap "$IMAP_PORT" \
	    --send 'a2 CAPABILITY\r\n' --expect 'a2 OK[^\n]*'
	run -0 jq -r '[.state, .tls.verified, .matched, (.first_byte_ms | type)]
	    | join(" ")' <<<"$output"
	assert_output --regexp '^open true a2 OK .* number$'
}

@test "starttls 2: --starttls needs --tls (exit 2)" {
	run -2 "$SOCKIT" connect -z --starttls smtp 127.0.0.1 9
	assert_output --partial 'sockit: connect: bad --starttls: needs --tls'
	run -2 "$SOCKIT" connect -z --tls --starttls gopher 127.0.0.1 9
	assert_output --partial 'bad --starttls "gopher"'
}
