#!/usr/bin/env bats
# The man page's EXAMPLES: every option they use exists, and the ones that
# can run on loopback run as printed (with local ports).

load helpers

setup() {
	bg_pids=()
	T=$BATS_TEST_TMPDIR
}

teardown() {
	kill_bg
}

# The example command lines of the man page, with mdoc escapes undone.
examples() {
	sed -n '/^\.Sh EXAMPLES/,/^\.Sh /p' "$TOP_SRCDIR/man/sockit.1" |
	    sed -n 's/^\.Dl \$ //p' | sed 's/\\e/\\/g'
}

@test "the man page has at least 20 examples" {
	[ "$(examples | wc -l)" -ge 20 ]
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
    while i < len(words) and words[i] != "|":
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
print(" ".join(bad))' "$T/opts" < <(examples)
	assert_success
	[ -z "$output" ] || fail "options the code does not accept: $output"
}

@test "example: resolve localhost, and its addresses from JSON with jq" {
	run "$SOCKIT" resolve localhost
	assert_success
	run bash -c '"$0" resolve --json localhost | jq -r ".addresses[].address"' "$SOCKIT"
	assert_success
	assert_line 127.0.0.1
}

@test "example: serve a file to the first client, receive it on the other side" {
	head -c 3M /dev/urandom >"$T/file.tar"
	sockit_listen "$T/l" 127.0.0.1 0 <"$T/file.tar" >/dev/null
	timeout 10 "$SOCKIT" connect 127.0.0.1 "$PORT" </dev/null >"$T/got.tar"
	cmp "$T/file.tar" "$T/got.tar"
}

@test "example: an echo server for many clients (listen -k -e cat)" {
	sockit_listen "$T/l" -k -e cat 127.0.0.1 0
	for n in 1 2 3; do
		run timeout 5 "$SOCKIT" connect 127.0.0.1 "$PORT" <<<"hello $n"
		assert_output "hello $n"
	done
}

@test "example: a daytime service through /bin/sh (listen -k -c 'date -u')" {
	sockit_listen "$T/l" -k -c 'date -u' 127.0.0.1 0
	run timeout 5 "$SOCKIT" connect 127.0.0.1 "$PORT" </dev/null
	assert_success
	[[ $output == *UTC* ]]
}

@test "example: wait until a port accepts connections (connect -z --wait)" {
	p=$(free_port)
	{ sleep 0.5; exec "$SOCKIT" listen -k 127.0.0.1 "$p" <&- >/dev/null 2>&1; } 3>&- &
	bg_pids+=($!)
	run timeout 20 "$SOCKIT" connect -z --wait 10s 127.0.0.1 "$p"
	assert_success
}

@test "example: list the open ports of a range from JSON" {
	# 127.0.0.2: no other test's one-shot server is in the range scanned
	sockit_listen "$T/l" -k 127.0.0.2 0
	lo=$((PORT - 3))
	run bash -c '"$0" connect -z -j 127.0.0.2 "$1" | jq -r "select(.state == \"open\") | .port"' \
	    "$SOCKIT" "$lo-$((PORT + 3))"
	assert_output "$PORT"
}

@test "example: watch both directions in hex (connect -x -)" {
	sockit_listen "$T/l" -e cat 127.0.0.1 0
	run --separate-stderr timeout 5 "$SOCKIT" connect -x - 127.0.0.1 "$PORT" <<<"PING"
	assert_output PING
	[[ $stderr == *"> 00000000  50 49 4e 47 0a"* ]]
	[[ $stderr == *"< 00000000  50 49 4e 47 0a"* ]]
}

@test "example: one datagram per line to a collector (udp-send --lines)" {
	"$SOCKIT" udp-recv --count 3 127.0.0.1 0 >"$T/got" 2>"$T/l" 3>&- &
	bg_pids+=($!)
	wait_for_listen "$T/l"
	printf 'a:1|c\nb:2|c\nc:3|c\n' >"$T/metrics.txt"
	timeout 5 "$SOCKIT" udp-send --lines 127.0.0.1 "$PORT" <"$T/metrics.txt"
	wait_grep "$T/got" 'c:3' 1
	[ "$(cat "$T/got")" = "a:1|cb:2|cc:3|c" ]
}

@test "example: ask a UDP service and print its answer (udp-send --reply)" {
	"$SOCKIT" udp-recv --echo 127.0.0.1 0 >/dev/null 2>"$T/l" 3>&- &
	bg_pids+=($!)
	wait_for_listen "$T/l"
	run timeout 5 "$SOCKIT" udp-send --reply -w 1s 127.0.0.1 "$PORT" ping
	assert_success
	assert_output ping
}

@test "example: set SO_RCVBUF and see what the kernel kept" {
	run "$SOCKIT" sockopt SO_RCVBUF=64K
	assert_success
	[[ $output == "SO_RCVBUF"*"(requested 65536)" ]]
}

@test "example: socket activation with systemd-socket-activate" {
	command -v systemd-socket-activate >/dev/null ||
	    skip "systemd-socket-activate is not installed (package systemd)"
	p=$(free_port)
	{ systemd-socket-activate -l "127.0.0.1:$p" "$SOCKIT" listen -k -e cat </dev/null >/dev/null 2>&1 & } 3>&-
	bg_pids+=($!)
	wait_tcp "$p"
	run timeout 5 "$SOCKIT" connect 127.0.0.1 "$p" <<<"activated"
	assert_output activated
}
