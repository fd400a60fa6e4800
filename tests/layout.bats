#!/usr/bin/env bats
# The import rules of HACKING.md, read off the #include lines of src/:
# folders are the architecture only while these hold.

load helpers

setup() {
	cd "$TOP_SRCDIR" || return 1
}

# includes DIR: "FILE: HEADER" for every #include "..." under src/DIR.
includes() {
	grep -rn --include='*.[ch]' -E '^#include "' "src/$1" |
	    sed -E 's/^([^:]*):[0-9]+:#include "([^"]*)".*/\1: \2/'
}

@test "only main.c includes modes/" {
	run bash -c 'grep -rln --include="*.[ch]" "^#include \"modes/" src |
	    grep -v -E "^src/(main\.c|modes/)"'
	assert_output ""
}

@test "stream/, check/, proxy/, tls/ and sock/ never include out/ or modes/" {
	local d
	for d in stream check proxy tls sock util; do
		run bash -c "$(declare -f includes); includes $d | grep -E ': (out|modes)/'"
		assert_output ""
	done
}

@test "sock/ includes only libc, compat and itself" {
	run bash -c "$(declare -f includes); includes sock |
	    grep -v -E ': (sock/|config\.h$|compat\.h$)'"
	assert_output ""
}

@test "util/ includes only libc" {
	run bash -c "$(declare -f includes); includes util |
	    grep -v -E ': (util/|config\.h$)'"
	assert_output ""
}

@test "cli/ includes no mode, stream, check, proxy or tls internals" {
	run bash -c "$(declare -f includes); includes cli |
	    grep -E ': (modes|stream|check)/'"
	assert_output ""
}

@test "only out/ (and main.c) writes to stderr" {
	# stderr as an argument or a value, fd 2 written, STDERR_FILENO
	run bash -c 'grep -rn --include="*.[ch]" -E "([(,=] *stderr\b)|STDERR_FILENO|write\(2," src |
	    grep -v -E "^src/(out/|main\.c)" |
	    grep -v -E "^[^:]*:[0-9]+:\s*(/\*|\*|\")"'
	assert_output ""
}
