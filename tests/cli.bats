#!/usr/bin/env bats
# The command line: help, version, mode dispatch, usage errors.

load helpers

teardown() {
	kill_bg
}

@test "--version prints 'sockit VERSION' on stdout and exits 0" {
	run --separate-stderr "$SOCKIT" --version
	assert_success
	[[ ${lines[0]} =~ ^sockit\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	[ -z "$stderr" ]
}

# What a bug report needs: the TLS library sockit was built with (as
# config.h says), where its module is looked for, and the features.
@test "switch 5: --version names the TLS library, its module and the features, one per line" {
	run --separate-stderr "$SOCKIT" --version
	assert_success
	[ -z "$stderr" ]
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[0]} =~ ^sockit\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	if grep -q '^#define HAVE_TLS 1' "${TOP_BUILDDIR:-$TOP_SRCDIR}/config.h"; then
		# the build tree's module, beside src/sockit
		module=$(cd "$(dirname "$SOCKIT")" && pwd)/sockit-tls.so
		[ -f "$module" ]
		assert_line --index 1 --regexp "^tls: OpenSSL [0-9]+\.[0-9]+\.[0-9]+[a-z]*, module $module\$"
	else
		assert_line --index 1 'tls: none (built without TLS)'
	fi
	assert_line --index 2 --regexp '^features: epoll splice sendfile sendmmsg recvmmsg( [a-z-]+)*$'
	# what Linux always has here
	[[ ${lines[2]} == *" tcp-info "* && ${lines[2]} == *" rx-timestamps"* ]]
}

@test "switch 5: --version does not load OpenSSL" {
	LD_DEBUG=files "$SOCKIT" --version >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/ld"
	grep -q 'calling init: .*libc\.so' "$BATS_TEST_TMPDIR/ld"
	! grep -E 'libssl|libcrypto|sockit-tls' "$BATS_TEST_TMPDIR/ld"
}

@test "first hour 8: -V prints the version, as --version does" {
	run --separate-stderr "$SOCKIT" -V
	assert_success
	[ "$output" = "$("$SOCKIT" --version)" ]
	[ -z "$stderr" ]
	run "$SOCKIT" --help
	assert_line --partial -- "-V, --version"
}

@test "--help lists the modes on stdout and exits 0" {
	run --separate-stderr "$SOCKIT" --help
	assert_success
	[[ $output == *"Usage: sockit"* ]]
	[[ $output == *"resolve"* ]]
	[ -z "$stderr" ]
}

@test "MODE --help prints the mode's usage on stdout and exits 0" {
	run --separate-stderr "$SOCKIT" resolve --help
	assert_success
	[[ $output == "Usage: sockit resolve"* ]]
	[[ $output == *"--service"* ]]
	[ -z "$stderr" ]
}

@test "-h works after the mode word too" {
	run --separate-stderr "$SOCKIT" resolve -h
	assert_success
	[[ $output == "Usage: sockit resolve"* ]]
}

@test "no mode is a usage error (exit 2), nothing on stdout" {
	run --separate-stderr "$SOCKIT"
	assert_failure 2
	[[ $stderr == *"sockit: no mode given"* ]]
	[ -z "$output" ]
}

@test "unknown mode is a usage error naming it" {
	run --separate-stderr "$SOCKIT" frobnicate x
	assert_failure 2
	[[ $stderr == *'unknown mode "frobnicate"'* ]]
	[ -z "$output" ]
}

@test "a mode that is not built yet is not accepted" {
	# listen and friends come with their own issues: no stubs meanwhile
	for m in $("$SOCKIT" --list-options | cut -f1 | sort -u); do
		run "$SOCKIT" "$m" --help
		assert_success
	done
	run --separate-stderr "$SOCKIT" teleport localhost
	assert_failure 2
}

@test "unknown option is a usage error (exit 2) naming the option" {
	run --separate-stderr "$SOCKIT" resolve --bogus localhost
	assert_failure 2
	[[ $stderr == *"sockit: resolve: unknown option: --bogus"* ]]
	[[ $stderr == *"Try 'sockit resolve --help'."* ]]
	[ -z "$output" ]
}

@test "unknown short option is named" {
	run --separate-stderr "$SOCKIT" resolve -Z localhost
	assert_failure 2
	[[ $stderr == *"unknown option: -Z"* ]]
}

@test "first hour 8: nc's options in sockit's modes: exit 2 with sockit's spelling" {
	local -a cases=(
	    "connect|-l|nc's -l is 'sockit listen'"
	    "listen|-l|nc's -l is 'sockit listen', which needs no -l"
	    "udp-recv|-l|nc's -l -u is 'sockit udp-recv', which needs no -l"
	    "listen|-p|nc's -p is the PORT operand: 'sockit listen [ADDRESS] PORT'"
	    "udp-recv|-p|nc's -p is the PORT operand: 'sockit udp-recv [ADDRESS] PORT'"
	    "connect|-N|nc's -N is the default: sockit half-closes at stdin EOF"
	    "listen|-N|nc's -N is the default: sockit half-closes at stdin EOF"
	    "connect|-d|nc's -d is --recv-only"
	    "connect|-i|nc's -i is --delay DUR"
	    "listen|-i|nc's -i is --delay DUR"
	    "udp-send|-i|nc's -i is --interval DUR"
	    "connect|-X|nc's -X and -x are --proxy URL: socks5://, socks4://, http://"
	    "connect|--ssl|ncat's --ssl is --tls"
	    "listen|--ssl|ncat's --ssl is --tls"
	)
	local c mode opt hint
	for c in "${cases[@]}"; do
		IFS='|' read -r mode opt hint <<<"$c"
		run --separate-stderr "$SOCKIT" "$mode" "$opt" 127.0.0.1 9
		[ "$status" -eq 2 ] || fail "$mode $opt: exit $status"
		[ -z "$output" ]
		[ "${stderr%%$'\n'*}" = "sockit: $mode: unknown option: $opt ($hint)" ] ||
		    fail "$mode $opt: $stderr"
	done
	# an option sockit has is no nc habit: -p in connect is the source port
	run --separate-stderr "$SOCKIT" connect -p 0 -z 127.0.0.1 9
	[[ $stderr != *"nc's"* ]]
	run --separate-stderr "$SOCKIT" resolve -Z localhost
	[[ $stderr != *"("* ]]
}

@test "first hour 8: an ambiguous long-option prefix is named ambiguous, with the candidates" {
	run --separate-stderr "$SOCKIT" connect --so 127.0.0.1 9
	assert_failure 2
	[ -z "$output" ]
	[ "${stderr%%$'\n'*}" = "sockit: connect: ambiguous option: --so (--source, --source-port, --sockopt)" ]
	# a prefix of one option is that option
	run --separate-stderr "$SOCKIT" resolve --serv http localhost
	assert_success
	# a prefix of none is unknown
	run --separate-stderr "$SOCKIT" resolve --zz localhost
	assert_failure 2
	[[ $stderr == *"unknown option: --zz"* ]]
}

@test "a missing option value is told apart from an unknown option" {
	run --separate-stderr "$SOCKIT" resolve localhost --service
	assert_failure 2
	[[ $stderr == *"option --service needs a value"* ]]
	run --separate-stderr "$SOCKIT" resolve localhost -w
	assert_failure 2
	[[ $stderr == *"option -w needs a value"* ]]
}

@test "a flag given a value is a usage error" {
	run --separate-stderr "$SOCKIT" resolve --json=yes localhost
	assert_failure 2
	[[ $stderr == *"option --json takes no value"* ]]
}

@test "bad duration is exit 2 naming the value and the problem" {
	run --separate-stderr "$SOCKIT" resolve -w 5x localhost
	assert_failure 2
	[[ $stderr == *'bad --timeout "5x": unknown unit'* ]]
	[ -z "$output" ]
}

@test "redesign cli 1: a bad option value is one message, bad --NAME \"VALUE\": why, in every mode" {
	local line args want
	while IFS='|' read -r args want; do
		run --separate-stderr timeout 20 "$SOCKIT" $args </dev/null
		assert_failure 2
		[ -z "$output" ]
		[[ ${stderr%%$'\n'*} == "sockit: ${args%% *}: $want" ]] ||
		    fail "$args: $stderr"
	done <<-'EOF'
	listen --backlog x 0|bad --backlog "x": expected a number 1-65535
	listen -m 0 0|bad --max-conns "0": expected a number 1-1000000
	listen --allow 10.0.0.0/33 0|bad --allow "10.0.0.0/33": prefix length is not 0-32
	listen -q 5x 0|bad --quit-after "5x": unknown unit (ms, s, m, h)
	connect --parallel 70000 -z 127.0.0.1 1|bad --parallel "70000": expected a number 1-65535
	connect --wait 1y -z 127.0.0.1 1|bad --wait "1y": unknown unit (ms, s, m, h)
	connect -p 70000 127.0.0.1 1|bad --source-port "70000": out of range 0-65535
	udp-send --ttl 256 127.0.0.1 9 x|bad --ttl "256": expected a number 0-255
	udp-send --count 0 127.0.0.1 9 x|bad --count "0": expected a number 1-281474976710656
	udp-recv --count x 0|bad --count "x": expected a number 1-18446744073709551615
	sockopt --fd -1|bad --fd "-1": expected a number 0-2147483647
	sockopt --connect [::1 9|bad --connect "[::1": missing ']'
	resolve -t raw localhost|bad --type "raw": expected stream, dgram or any
	resolve -w 2x localhost|bad --timeout "2x": unknown unit (ms, s, m, h)
	EOF
}

@test "redesign cli 1: -n counts wherever it stands: a service name before it is refused" {
	run --separate-stderr "$SOCKIT" connect -p http -n 127.0.0.1 1
	assert_failure 2
	[[ $stderr == *'bad --source-port "http": service names are not looked up with -n'* ]]
}

@test "first hour 4: with -j a usage error is one JSON error event, wherever -j stands" {
	for args in "connect -j --bogus" "connect --bogus -j 127.0.0.1 1" \
	    "-j connect --bogus" "connect -vj --bogus" "connect --bogus --js"; do
		run --separate-stderr "$SOCKIT" $args
		assert_failure 2
		[ -z "$output" ]
		[ "$(wc -l <<<"$stderr")" -eq 1 ]
		jq -c . <<<"$stderr"
		jq -e '. == {"event":"error","mode":"connect","kind":"usage",
		    "message":"unknown option: --bogus","exit":2}' <<<"$stderr"
	done
	run --separate-stderr "$SOCKIT" resolve -j -w 5x localhost
	assert_failure 2
	jq -e '.kind == "usage" and .exit == 2 and
	    (.message | startswith("bad --timeout \"5x\": unknown unit"))' \
	    <<<"$stderr"
	# before a mode is known, mode is null
	run --separate-stderr "$SOCKIT" -j frobnicate
	assert_failure 2
	jq -e '.mode == null and .kind == "usage" and
	    .message == "unknown mode \"frobnicate\""' <<<"$stderr"
}

@test "first hour 4: a -j that is an option's value is not --json: the error stays text" {
	run --separate-stderr "$SOCKIT" resolve --service -j --bogus localhost
	assert_failure 2
	[[ $stderr == "sockit: resolve: unknown option: --bogus"* ]]
	run --separate-stderr "$SOCKIT" resolve -tj --bogus localhost
	assert_failure 2
	[[ $stderr == "sockit: resolve: "* ]]
}

@test "global options work before the mode word" {
	run --separate-stderr "$SOCKIT" -j -4 resolve localhost
	assert_success
	echo "$output" | jq -e '.name == "localhost"'
}

@test "global options work after positional arguments (permutation)" {
	run --separate-stderr "$SOCKIT" resolve localhost -j
	assert_success
	echo "$output" | jq -e '.addresses | length > 0'
}

@test "-w with its value before the mode word is not taken for the mode" {
	run --separate-stderr "$SOCKIT" -w 2s resolve localhost
	assert_success
	[[ $output == "localhost "* ]]
}

@test "first hour 8: connect -z HOST 1 2 3 takes ports as separate arguments" {
	local p q r
	sockit_listen "$BATS_TEST_TMPDIR/l" -k 127.0.0.1 0 </dev/null >/dev/null
	p=$PORT q=$(free_port) r=$(free_port)
	run --separate-stderr "$SOCKIT" connect -z 127.0.0.1 "$q" "$p" "$r"
	assert_failure 1
	assert_line --regexp "^127\.0\.0\.1 $p/tcp open "
	assert_line --regexp "^127\.0\.0\.1 $q/tcp closed "
	assert_line --regexp "^127\.0\.0\.1 $r/tcp closed "
	run --separate-stderr "$SOCKIT" connect -z 127.0.0.1 "$p" "$p"
	assert_success
	# HOST:PORT, then more ports
	run --separate-stderr "$SOCKIT" connect -z "127.0.0.1:$p" "$q"
	assert_failure 1
	assert_line --regexp "^127\.0\.0\.1 $p/tcp open "
	assert_line --regexp "^127\.0\.0\.1 $q/tcp closed "
	# without -z, a third argument is still an error
	run --separate-stderr "$SOCKIT" connect 127.0.0.1 "$p" "$q"
	assert_failure 2
	[[ $stderr == *"unexpected argument \"$q\""* ]]
}

@test "-- ends options: a NAME starting with a dash is a NAME" {
	run --separate-stderr "$SOCKIT" resolve -- -bogus.invalid
	assert_failure 3
	[[ $stderr == *"-bogus.invalid"* ]]
}

@test "stdout closed early ends sockit quietly with exit 4" {
	# many names, so the output is far larger than the pipe's buffer
	mapfile -t names < <(yes 127.0.0.1 | head -n 20000)
	run bash -c '"$0" resolve "$@" | head -c1 >/dev/null; exit "${PIPESTATUS[0]}"' \
		"$SOCKIT" "${names[@]}"
	[ "$status" -eq 4 ]
	[[ $output != *"sockit:"* ]]
}

@test "a full stdout is exit 4 with the reason" {
	run --separate-stderr bash -c '"$0" resolve localhost >/dev/full' "$SOCKIT"
	assert_failure 4
	[[ $stderr == *"write to stdout: No space left on device"* ]]
}

@test "first hour 4: with -j a full stdout is an error event of kind local, exit 4" {
	run --separate-stderr bash -c '"$0" resolve -j localhost >/dev/full' "$SOCKIT"
	assert_failure 4
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	jq -e '.event == "error" and .mode == "resolve" and .kind == "local"
	    and .exit == 4 and
	    .message == "write to stdout: No space left on device"' <<<"$stderr"
}

@test "--list-options prints the option table as TSV" {
	run "$SOCKIT" --list-options
	assert_success
	echo "$output" | grep -qP '^resolve\t\t--service\tSERVICE$'
	echo "$output" | grep -qP '^resolve\t-j\t--json\t$'
}
