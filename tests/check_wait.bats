#!/usr/bin/env bats
# connect -z --wait DUR -- CMD [ARG...]: CMD runs in sockit's place once
# every check passed, and never when DUR passes first.

load helpers

setup() {
	bg_pids=()
	T=$BATS_TEST_TMPDIR
}

teardown() {
	kill_bg
}

closed_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# in_hosts FILE CMD [ARG...]: CMD in a mount namespace of its own where
# FILE is /etc/hosts and names are looked up in files only (no DNS).
# FILE stays writable from outside: a write shows at the next lookup.
in_hosts() {
	local hosts=$1 nss=$T/nsswitch.conf
	shift
	printf 'hosts: files\n' >"$nss"
	unshare -m sh -c 'mount --bind "$1" /etc/hosts &&
	    mount --bind "$2" /etc/nsswitch.conf && shift 2 && exec "$@"' \
	    sh "$hosts" "$nss" "$@"
}

# The command run once the target is up: it says whether the port is
# listening as it runs (ss, no connection used up), and exits 7.
up_cmd() {
	printf 'ss -Hltn "sport = :%s" | grep -q . && echo "CMD: up"; echo "CMD: $*"; exit 7' "$1"
}

@test "check wait 2: a server that comes up 1.5 s late: CMD runs once it listens, its exit status is sockit's" {
	p=$(closed_port)
	(sleep 1.5; exec timeout 30 ncat -lk 127.0.0.1 "$p" </dev/null >/dev/null) 3>&- &
	bg_pids+=($!)
	start=$(date +%s%N)
	run --separate-stderr timeout 30 "$SOCKIT" connect -z --wait 15s 127.0.0.1 "$p" -- sh -c "$(up_cmd "$p")" sh a1 "b 2"
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_failure 7
	[[ ${lines[0]} == "127.0.0.1 $p/tcp open "* ]]
	[ "${lines[1]}" = "CMD: up" ]
	[ "${lines[2]}" = "CMD: a1 b 2" ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$ms" -ge 1400 ] || fail "CMD ran after $ms ms"
}

@test "check wait 2: CMD never runs when DUR passes first: the exit status of --wait (1 not open, 3 not resolved)" {
	p=$(closed_port)
	run --separate-stderr timeout 30 "$SOCKIT" connect -z --wait 1s 127.0.0.1 "$p" -- touch "$T/ran"
	assert_failure 1
	[[ $output == "127.0.0.1 $p/tcp closed "* ]]
	[ ! -e "$T/ran" ]
	printf '127.0.0.1 localhost\n' >"$T/hosts"
	run --separate-stderr in_hosts "$T/hosts" timeout 30 "$SOCKIT" connect -z --wait 1s never.test 80 -- touch "$T/ran"
	assert_failure 3
	[ ! -e "$T/ran" ]
}

@test "check wait 2: a name that resolves only 1.5 s later (a private /etc/hosts written then): CMD runs after it" {
	sockit_listen "$T/srv.log" -k 127.0.0.1 0 </dev/null
	printf '127.0.0.1 localhost\n' >"$T/hosts"
	# the file is the mount: a write shows inside the namespace
	(sleep 1.5; printf '127.0.0.1 localhost\n127.0.0.1 late.test\n' >"$T/hosts") 3>&- &
	bg_pids+=($!)
	start=$(date +%s%N)
	run --separate-stderr in_hosts "$T/hosts" timeout 30 "$SOCKIT" connect -z --wait 15s late.test "$PORT" -- sh -c 'grep -q late.test /etc/hosts && echo "CMD: resolves"'
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_success
	[[ ${lines[0]} == "late.test $PORT/tcp open "* ]]
	[ "${lines[1]}" = "CMD: resolves" ]
	[ "$ms" -ge 1400 ] || fail "CMD ran after $ms ms"
}

# answering: socat on a free port (PORT) that answers "554 busy" until
# the file $T/ready exists, then "220 ready".
answering() {
	PORT=$(free_port)
	printf 'if [ -e "%s/ready" ]; then printf "220 ready\\r\\n"; else printf "554 busy\\r\\n"; fi\n' "$T" >"$T/answer.sh"
	timeout 60 socat "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork" \
	    "SYSTEM:sh $T/answer.sh" 2>/dev/null 3>&- &
	bg_pids+=($!)
	wait_tcp "$PORT"
}

@test "together 3: with --expect, a server that is up but answers wrong is not ready: --wait waits until it answers right, then CMD" {
	answering
	(sleep 1.5; touch "$T/ready") 3>&- &
	bg_pids+=($!)
	start=$(date +%s%N)
	run --separate-stderr timeout 30 "$SOCKIT" connect -z -v -w 10 --wait 20s --expect '^220' 127.0.0.1 "$PORT" -- sh -c 'echo "CMD: ran"'
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_success
	[[ ${lines[0]} =~ ^127\.0\.0\.1\ $PORT/tcp\ open\ [0-9.]+ms$ ]] || fail "$output"
	[ "${lines[1]}" = "CMD: ran" ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$ms" -ge 1400 ] || fail "CMD ran after $ms ms"
	[[ $stderr == *"round 1: 1 of 1 ports not open yet"* ]] || fail "$stderr"
	# the same for a line of --targets with its own expect=
	rm "$T/ready"
	(sleep 1.5; touch "$T/ready") 3>&- &
	bg_pids+=($!)
	start=$(date +%s%N)
	run --separate-stderr timeout 30 "$SOCKIT" connect -z -w 10 --wait 20s --targets - -- sh -c 'echo "CMD: ran"' <<<"127.0.0.1 $PORT expect=^220"
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_success
	[ "${lines[1]}" = "CMD: ran" ]
	[ "$ms" -ge 1400 ] || fail "CMD ran after $ms ms"
}

@test "together 3: with --expect, a server that never answers right: mismatch when DUR passes, with what it received, exit 1, CMD never runs" {
	answering
	start=$(date +%s%N)
	run --separate-stderr timeout 30 "$SOCKIT" connect -z -w 10 --wait 2s --expect '^220' 127.0.0.1 "$PORT" -- touch "$T/ran"
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_failure 1
	assert_output --regexp "^127\.0\.0\.1 $PORT/tcp mismatch [0-9.]+ms \"554 busy\\\\r\\\\n\"$"
	[ ! -e "$T/ran" ]
	# it kept asking until DUR passed, not only once
	[ "$ms" -ge 1900 ] || fail "gave up after $ms ms"
}

@test "check wait 2: -- CMD that cannot run is exit 4 naming it; -- with no CMD is exit 2" {
	sockit_listen "$T/srv.log" -k 127.0.0.1 0 </dev/null
	run --separate-stderr timeout 30 "$SOCKIT" connect -z --wait 5s 127.0.0.1 "$PORT" -- "$T/no-such-cmd"
	assert_failure 4
	[ "$stderr" = "sockit: connect: run $T/no-such-cmd: No such file or directory" ]
	run --separate-stderr timeout 30 "$SOCKIT" connect -z --wait 5s 127.0.0.1 "$PORT" --
	assert_failure 2
	# without -z, -- ends the options as ever
	run --separate-stderr timeout 10 "$SOCKIT" connect -- 127.0.0.1 "$PORT" </dev/null
	assert_success
}

@test "check wait 2: --wait backs off to 2 s between rounds (not 1 s): at most 7 rounds in 5 s, -v says each" {
	p=$(closed_port)
	run --separate-stderr timeout 30 "$SOCKIT" connect -z -v --wait 5s 127.0.0.1 "$p"
	assert_failure 1
	n=$(grep -c "round [0-9]*: 1 of 1 ports not open yet" <<<"$stderr")
	# 100, 200, 400, 800, 1600 ms, then the rest (+-10%): 6 rounds left
	# not open; 8 with the 1 s cap of before; many more when the last
	# pause, under a millisecond, was no pause at all
	((n >= 3 && n <= 7)) || fail "$n rounds: $stderr"
}
