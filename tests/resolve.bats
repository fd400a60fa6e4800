#!/usr/bin/env bats
# resolve: getaddrinfo/getnameinfo for each NAME, text and JSON.

load helpers

# The distinct addresses getent finds for a name, sorted.
getent_set() {
	getent "${2:-ahosts}" "$1" | awk '{print $1}' | sort -u
}

@test "localhost resolves to the same set of addresses as getent ahosts" {
	run --separate-stderr "$SOCKIT" resolve localhost
	assert_success
	[ "$(echo "$output" | awk '{print $2}' | sort -u)" = "$(getent_set localhost)" ]
	# text form: NAME ADDRESS, each address once
	[ "$(echo "$output" | awk '{print $1}' | sort -u)" = localhost ]
	[ "$(echo "$output" | sort | uniq -d)" = "" ]
}

@test "-4 and -6 limit the family like getent ahostsv4/ahostsv6" {
	run --separate-stderr "$SOCKIT" resolve -4 localhost
	assert_success
	[ "$(echo "$output" | awk '{print $2}' | sort -u)" = "$(getent_set localhost ahostsv4)" ]
	run --separate-stderr "$SOCKIT" resolve -6 ::1
	assert_success
	[ "$output" = "::1 ::1" ]
}

@test "redesign cli 4: -4 and -6 count wherever they stand: -4 ::1 and -6 127.0.0.1 resolve to nothing" {
	local args
	for args in "resolve -4 ::1" "-4 resolve ::1" "resolve ::1 -4" \
	    "resolve -6 127.0.0.1" "-6 resolve 127.0.0.1"; do
		run --separate-stderr "$SOCKIT" $args
		assert_failure 3
		[ -z "$output" ] || fail "$args: $output"
		[[ $stderr == *"(EAI_ADDRFAMILY)"* || $stderr == *"(EAI_NONAME)"* ]] ||
		    fail "$args: $stderr"
	done
}

@test "several names: each printed, in the order given" {
	run --separate-stderr "$SOCKIT" resolve 127.0.0.2 localhost 127.0.0.1
	assert_success
	[ "$(echo "$output" | awk '{print $1}' | uniq | tr '\n' ' ')" = "127.0.0.2 localhost 127.0.0.1 " ]
}

@test "many names are resolved concurrently, all printed" {
	names=()
	for i in $(seq 1 200); do names+=("127.0.$((i / 250)).$((i % 250 + 1))"); done
	run --separate-stderr "$SOCKIT" resolve "${names[@]}"
	assert_success
	[ "$(echo "$output" | wc -l)" -eq 200 ]
}

@test "x.invalid fails with EAI_NONAME and exit 3; the others still print" {
	run --separate-stderr "$SOCKIT" resolve localhost x.invalid 127.0.0.1
	assert_failure 3
	[[ $stderr == *"sockit: resolve: x.invalid: "*"(EAI_NONAME)"* ]]
	[[ $output == *"localhost 127.0.0.1"* ]]
	[[ $output == *"127.0.0.1 127.0.0.1"* ]]
}

@test "JSON: one object per NAME with the SPEC fields" {
	run --separate-stderr "$SOCKIT" resolve --json localhost 127.0.0.1
	assert_success
	[ "$(echo "$output" | wc -l)" -eq 2 ]
	echo "$output" | jq -c . >/dev/null
	echo "$output" | head -1 | jq -e '.name == "localhost" and (.addresses | length > 0) and (.elapsed_ms | type == "number") and (has("canonical") | not)'
	echo "$output" | tail -1 | jq -e '.addresses == [{"address":"127.0.0.1","family":"inet"}]'
}

@test "JSON: a failed NAME is an object with error and code" {
	run --separate-stderr "$SOCKIT" resolve -j x.invalid
	assert_failure 3
	echo "$output" | jq -e '.name == "x.invalid" and .code == "EAI_NONAME" and (.error | length > 0)'
}

@test "first hour 4: -j: a failed NAME is also an error event on stderr, kind resolve, exit 3" {
	run --separate-stderr "$SOCKIT" resolve -j localhost x.invalid
	assert_failure 3
	[ "$(wc -l <<<"$output")" -eq 2 ]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	jq -e '.event == "error" and .mode == "resolve" and .kind == "resolve"
	    and .exit == 3 and (.message | startswith("x.invalid: ")) and
	    (.message | endswith("(EAI_NONAME)"))' <<<"$stderr"
}

@test "JSON addresses agree with getent" {
	run --separate-stderr "$SOCKIT" resolve -j localhost
	assert_success
	[ "$(echo "$output" | jq -r '.addresses[].address' | sort)" = "$(getent_set localhost)" ]
}

@test "--service adds the port: NAME ADDRESS PORT" {
	run --separate-stderr "$SOCKIT" resolve --service http 127.0.0.1
	assert_success
	[ "$output" = "127.0.0.1 127.0.0.1 80" ]
	run --separate-stderr "$SOCKIT" resolve -j --service 8080 127.0.0.1
	echo "$output" | jq -e '.addresses[0].port == 8080 and (.addresses[0] | has("socktype") | not)'
}

@test "-t any with --service gives each socket type; JSON has socktype" {
	run --separate-stderr "$SOCKIT" resolve -t any --service 53 127.0.0.1
	assert_success
	[[ $output == *"127.0.0.1 127.0.0.1 53 stream"* ]]
	[[ $output == *"127.0.0.1 127.0.0.1 53 dgram"* ]]
	run --separate-stderr "$SOCKIT" resolve -j -t any --service 53 127.0.0.1
	echo "$output" | jq -e '[.addresses[].socktype] | index("dgram") != null'
}

@test "-t dgram with a UDP-only service resolves it" {
	run --separate-stderr "$SOCKIT" resolve -t dgram --service syslog 127.0.0.1
	assert_success
	[ "$output" = "127.0.0.1 127.0.0.1 514" ]
}

@test "an unknown service fails resolution (exit 3)" {
	run --separate-stderr "$SOCKIT" resolve --service no-such-service 127.0.0.1
	assert_failure 3
	[[ $stderr == *"EAI_SERVICE"* ]]
}

@test "-t with a bad type is exit 2" {
	run --separate-stderr "$SOCKIT" resolve -t seqpacket localhost
	assert_failure 2
	[[ $stderr == *'bad --type "seqpacket": expected stream, dgram or any'* ]]
	[ -z "$output" ]
}

@test "--passive with no NAME is a usage error; --passive resolves the wildcard form" {
	run --separate-stderr "$SOCKIT" resolve --passive
	assert_failure 2
	run --separate-stderr "$SOCKIT" resolve --passive -4 0.0.0.0
	assert_success
	[ "$output" = "0.0.0.0 0.0.0.0" ]
}

@test "--canonical reports the canonical name" {
	run --separate-stderr "$SOCKIT" resolve -j --canonical localhost
	assert_success
	echo "$output" | jq -e '.canonical == "localhost"'
	run --separate-stderr "$SOCKIT" resolve -4 --canonical localhost
	[ "$output" = "localhost 127.0.0.1 localhost" ]
}

@test "-r: reverse of 127.0.0.1 is the name getent hosts gives" {
	run --separate-stderr "$SOCKIT" resolve -r 127.0.0.1
	assert_success
	[ "$output" = "127.0.0.1 $(getent hosts 127.0.0.1 | awk '{print $2}')" ]
	run --separate-stderr "$SOCKIT" resolve -r -j 127.0.0.1
	echo "$output" | jq -e '.name == "127.0.0.1" and (.hostname | length > 0) and (.elapsed_ms | type == "number")'
}

@test "audit 11: -r and --canonical: control characters in names are escaped in text; JSON carries them" {
	hosts="$BATS_TEST_TMPDIR/hosts"
	printf '127.0.0.1 localhost\n127.0.0.9 ev\033[31mil\a.test alias.test\n' \
	    >"$hosts"
	in_ns() {
		unshare -m sh -c 'mount --bind "$1" /etc/hosts && shift &&
		    exec "$@"' sh "$hosts" "$SOCKIT" "$@"
	}
	run --separate-stderr in_ns resolve -r 127.0.0.9
	assert_success
	assert_output '127.0.0.9 ev\x1b[31mil\x07.test'
	run --separate-stderr in_ns resolve -4 --canonical alias.test
	assert_success
	assert_output 'alias.test 127.0.0.9 ev\x1b[31mil\x07.test'
	run --separate-stderr in_ns resolve -j -r 127.0.0.9
	assert_success
	[[ $output == *'"hostname":"ev\u001b[31mil\u0007.test"'* ]]
	jq -e '.hostname == "ev\u001b[31mil\u0007.test"' <<<"$output"
}

@test "-r of an address with no name fails with exit 3" {
	run --separate-stderr "$SOCKIT" resolve -r 192.0.2.77
	assert_failure 3
	[[ $stderr == *"192.0.2.77"* ]]
}

@test "-r with a name instead of an address is a usage error" {
	run --separate-stderr "$SOCKIT" resolve -r localhost
	assert_failure 2
	[[ $stderr == *'"localhost" is not a numeric address'* ]]
	[ -z "$output" ]
}

@test "-n: numeric hosts only; a name fails, a service name is exit 2" {
	run --separate-stderr "$SOCKIT" resolve -n 127.0.0.1
	assert_success
	run --separate-stderr "$SOCKIT" resolve -n localhost
	assert_failure 3
	run --separate-stderr "$SOCKIT" resolve -n --service http 127.0.0.1
	assert_failure 2
	[[ $stderr == *'bad port "http"'* ]]
}

@test "-w bounds the whole resolution" {
	run --separate-stderr "$SOCKIT" resolve -w 2s localhost
	assert_success
}

@test "no NAME is a usage error" {
	run --separate-stderr "$SOCKIT" resolve
	assert_failure 2
	[[ $stderr == *"no NAME given"* ]]
}

@test "a NAME with several addresses from a private hosts file: all, in order" {
	if ! unshare -m true 2>/dev/null; then
		skip "mount namespaces are not available here (needs root)"
	fi
	hosts="$BATS_TEST_TMPDIR/hosts"
	printf '127.0.0.1 localhost\n127.0.0.11 multi.test\n127.0.0.12 multi.test\n::1 multi.test\n' >"$hosts"
	run --separate-stderr unshare -m sh -c 'mount --bind "$1" /etc/hosts && "$2" resolve -j multi.test' sh "$hosts" "$SOCKIT"
	assert_success
	echo "$output" | jq -e '[.addresses[].address] | sort == ["127.0.0.11","127.0.0.12","::1"]'
}
