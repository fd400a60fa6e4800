#!/usr/bin/env bats
# The command line: help, version, mode dispatch, usage errors.

load helpers

@test "--version prints 'sockit VERSION' on stdout and exits 0" {
	run --separate-stderr "$SOCKIT" --version
	assert_success
	[[ $output =~ ^sockit\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	[ -z "$stderr" ]
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
	[[ $stderr == *'bad duration "5x": unknown unit'* ]]
	[ -z "$output" ]
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
	    (.message | startswith("bad duration \"5x\": unknown unit"))' \
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
