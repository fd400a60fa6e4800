#!/usr/bin/env bats
# Every copy path of the relay moves the same bytes: stdin a pipe or a
# file, stdout a pipe or a file, with zero copy (splice, sendfile) and
# with the copying path (SOCKIT_COPY=1), checked with sha256.

load helpers

setup_file() {
	head -c 30M /dev/urandom >"$BATS_FILE_TMPDIR/up"
	head -c 30M /dev/urandom >"$BATS_FILE_TMPDIR/down"
}

setup() {
	bg_pids=()
	T=$BATS_TEST_TMPDIR
	F=$BATS_FILE_TMPDIR
}

teardown() {
	kill_bg
}

# relay IN OUT COPY: the server sends "down" and receives "up" (to a file or
# through a pipe), the client the other way round; both sides compared.
relay() {
	local in=$1 out=$2 copy=$3
	if [[ $out == pipe ]]; then
		{ SOCKIT_COPY=$copy "$SOCKIT" listen 127.0.0.1 0 <"$F/down" 2>"$T/l" | cat >"$T/up.got" & } 3>&-
	else
		{ SOCKIT_COPY=$copy "$SOCKIT" listen 127.0.0.1 0 <"$F/down" 2>"$T/l" >"$T/up.got" & } 3>&-
	fi
	bg_pids+=($!)
	wait_for_listen "$T/l"
	if [[ $in == pipe ]]; then
		cat "$F/up" | SOCKIT_COPY=$copy timeout 60 "$SOCKIT" connect 127.0.0.1 "$PORT" |
		    cat >"$T/down.got"
	else
		SOCKIT_COPY=$copy timeout 60 "$SOCKIT" connect 127.0.0.1 "$PORT" <"$F/up" >"$T/down.got"
	fi
	for ((n = 0; n < 100; n++)); do
		[ "$(stat -c %s "$T/up.got")" -eq "$(stat -c %s "$F/up")" ] && break
		sleep 0.1
	done
	cmp "$F/up" "$T/up.got"
	cmp "$F/down" "$T/down.got"
}

@test "stdin a pipe, stdout a pipe, zero copy (splice both ways)" {
	relay pipe pipe 0
}

@test "stdin a pipe, stdout a pipe, copying" {
	relay pipe pipe 1
}

@test "stdin a file, stdout a file, zero copy (sendfile; splice via a pipe)" {
	relay file file 0
}

@test "stdin a file, stdout a file, copying" {
	relay file file 1
}

@test "stdin a file, stdout a pipe, zero copy" {
	relay file pipe 0
}

@test "stdin a pipe, stdout a file, zero copy" {
	relay pipe file 0
}

@test "zero copy is really used for a pipe and a file (strace sees splice/sendfile)" {
	command -v strace >/dev/null || skip "strace is not installed"
	strace -f -o "$T/st" -e trace=splice,sendfile true 2>/dev/null ||
	    skip "ptrace is not allowed here"
	sockit_listen "$T/l" 127.0.0.1 0 </dev/null >/dev/null
	# LeakSanitizer cannot run under ptrace (a sanitizer build)
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	cat "$F/up" | timeout 30 strace -o "$T/st" -e trace=splice,sendfile \
	    "$SOCKIT" connect 127.0.0.1 "$PORT" >/dev/null
	grep -q '^splice(0, ' "$T/st"
	sockit_listen "$T/l2" 127.0.0.1 0 </dev/null >/dev/null
	timeout 30 strace -o "$T/st2" -e trace=splice,sendfile \
	    "$SOCKIT" connect 127.0.0.1 "$PORT" <"$F/up" >/dev/null
	grep -q '^sendfile(' "$T/st2"
}

@test "SOCKIT_COPY=1 turns zero copy off" {
	command -v strace >/dev/null || skip "strace is not installed"
	strace -f -o "$T/st" -e trace=splice,sendfile true 2>/dev/null ||
	    skip "ptrace is not allowed here"
	sockit_listen "$T/l" 127.0.0.1 0 </dev/null >/dev/null
	# LeakSanitizer cannot run under ptrace (a sanitizer build)
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	SOCKIT_COPY=1 timeout 30 strace -o "$T/st" -e trace=splice,sendfile \
	    "$SOCKIT" connect 127.0.0.1 "$PORT" <"$F/up" >/dev/null
	! grep -q '^\(splice\|sendfile\)(' "$T/st"
}

@test "-C (which must see the bytes) still converts with a file stdin" {
	printf 'a\nb\r\nc\n' >"$T/in"
	sockit_listen "$T/l" 127.0.0.1 0 </dev/null >"$T/got"
	timeout 10 "$SOCKIT" connect -C 127.0.0.1 "$PORT" <"$T/in" >/dev/null
	wait "$SERVER_PID"
	[ "$(od -An -c "$T/got" | tr -s ' ')" = " a \r \n b \r \n c \r \n" ]
}

@test "-o (which must see the bytes) records both directions with file stdio" {
	printf 'hello' >"$T/in"
	{ printf 'world' | "$SOCKIT" listen 127.0.0.1 0 2>"$T/l" >"$T/srv" & } 3>&-
	bg_pids+=($!)
	wait_for_listen "$T/l"
	timeout 10 "$SOCKIT" connect -o "$T/copy" 127.0.0.1 "$PORT" <"$T/in" >"$T/cli"
	[ "$(cat "$T/cli")" = world ]
	[ "$(wc -c <"$T/copy")" -eq 10 ]
	grep -q hello "$T/copy"
	grep -q world "$T/copy"
}

@test "a Unix socket with a pipe and a file, zero copy" {
	{ "$SOCKIT" listen -U "$T/s" <"$F/down" >"$T/up.got" 2>/dev/null & } 3>&-
	bg_pids+=($!)
	for ((n = 0; n < 50; n++)); do [ -S "$T/s" ] && break; sleep 0.1; done
	cat "$F/up" | timeout 30 "$SOCKIT" connect -U "$T/s" >"$T/down.got"
	for ((n = 0; n < 100; n++)); do
		[ "$(stat -c %s "$T/up.got")" -eq "$(stat -c %s "$F/up")" ] && break
		sleep 0.1
	done
	cmp "$F/up" "$T/up.got"
	cmp "$F/down" "$T/down.got"
}
