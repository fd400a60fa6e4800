#!/usr/bin/env bats
# connect -z: port checks, one result per port, in port order.

load helpers

setup() {
	bg_pids=()
}

teardown() {
	kill_bg
}

# open_ports N [ADDR]: starts a python3 process holding N listening sockets
# on ADDR (127.0.0.1) and sets OPEN to their ports (sorted, space-separated).
# Scans of ranges use 127.0.0.2, where no other test's server listens, so
# that a scan never takes a one-shot server's only client away.
open_ports() {
	local out=$BATS_TEST_TMPDIR/open.$RANDOM
	python3 -c '
import socket, sys, time
ss = []
for _ in range(int(sys.argv[1])):
    s = socket.socket()
    s.bind((sys.argv[2], 0))
    s.listen(64)
    ss.append(s)
print(" ".join(str(p) for p in sorted(s.getsockname()[1] for s in ss)), flush=True)
time.sleep(60)
' "$1" "${2:-127.0.0.1}" >"$out" 3>&- &
	bg_pids+=($!)
	for ((i = 0; i < 50; i++)); do
		[[ -s $out ]] && break
		sleep 0.1
	done
	OPEN=$(cat "$out")
	[[ -n $OPEN ]]
}

# closed_port: a port nothing listens on (bound, then let go).
closed_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

@test "one open port: text result and exit 0" {
	open_ports 1
	run --separate-stderr "$SOCKIT" connect -z 127.0.0.1 "$OPEN"
	assert_success
	[[ $output =~ ^127\.0\.0\.1\ $OPEN/tcp\ open\ [0-9]+\.[0-9]{2}ms$ ]]
	[ -z "$stderr" ]
}

@test "a closed port is 'closed' and exit 1" {
	p=$(closed_port)
	run --separate-stderr "$SOCKIT" connect -z 127.0.0.1 "$p"
	assert_failure 1
	[[ $output =~ ^127\.0\.0\.1\ $p/tcp\ closed\ [0-9]+\.[0-9]{2}ms$ ]]
}

@test "mixed open and closed ports in one call, in ascending port order" {
	open_ports 2
	read -r a b <<<"$OPEN"
	c=$(closed_port)
	# listed out of order, with a duplicate
	run --separate-stderr "$SOCKIT" connect -z 127.0.0.1 "$b,$c,$a,$b"
	assert_failure 1
	[ "${#lines[@]}" -eq 3 ]
	[ "$(printf '%s\n' "${lines[@]}" | awk '{print $2}' | tr '\n' ' ')" = \
	    "$(printf '%s\n' "$a/tcp" "$b/tcp" "$c/tcp" | sort -t/ -k1,1n | tr '\n' ' ')" ]
	[[ $output == *"$a/tcp open"* ]]
	[[ $output == *"$b/tcp open"* ]]
	[[ $output == *"$c/tcp closed"* ]]
}

@test "exit 0 only when every port is open" {
	open_ports 3
	read -r a b c <<<"$OPEN"
	run --separate-stderr "$SOCKIT" connect -z 127.0.0.1 "$a,$b,$c"
	assert_success
	[ "${#lines[@]}" -eq 3 ]
}

@test "a range gives one result per port" {
	open_ports 1 127.0.0.2
	lo=$((OPEN - 2))
	run --separate-stderr "$SOCKIT" connect -z 127.0.0.2 "$lo-$((OPEN + 2))"
	[ "${#lines[@]}" -eq 5 ]
	[ "$(echo "$output" | awk '{print $2}' | cut -d/ -f1 | tr '\n' ' ')" = \
	    "$(seq "$lo" $((OPEN + 2)) | tr '\n' ' ')" ]
	[[ ${lines[2]} == "127.0.0.2 $OPEN/tcp open "* ]]
}

@test "JSON: one object per port with the SPEC fields" {
	open_ports 1
	c=$(closed_port)
	run --separate-stderr "$SOCKIT" connect -z --json 127.0.0.1 "$OPEN,$c"
	assert_failure 1
	echo "$output" | jq -c . >/dev/null
	echo "$output" | jq -se --argjson o "$OPEN" --argjson c "$c" '
	    (map(.port) == ([$o, $c] | sort)) and
	    (.[] | select(.port == $o) | .state == "open" and .host == "127.0.0.1"
	        and .address == "127.0.0.1" and .proto == "tcp"
	        and (.latency_ms | type == "number")) and
	    (.[] | select(.port == $c) | .state == "closed")'
}

@test "HOST:PORT form and a service name work" {
	open_ports 1
	run --separate-stderr "$SOCKIT" connect -z "127.0.0.1:$OPEN"
	assert_success
	run --separate-stderr "$SOCKIT" connect -z -w 300ms 127.0.0.1 ssh
	[[ $output == "127.0.0.1 22/tcp "* ]]
}

@test "bad port lists are exit 2 naming the bad item" {
	for bad in 0 65536 9-3 a-b "22,,80" "" "1-"; do
		run --separate-stderr "$SOCKIT" connect -z 127.0.0.1 "$bad"
		assert_failure 2
		[ -z "$output" ]
		[[ $stderr == *"sockit: connect: "* ]]
	done
	run --separate-stderr "$SOCKIT" connect -z 127.0.0.1 9-3
	[[ $stderr == *'"9-3"'* && $stderr == *"backwards"* ]]
	run --separate-stderr "$SOCKIT" connect -z 127.0.0.1 65536
	[[ $stderr == *'"65536"'* ]]
}

@test "a name that does not resolve is exit 3" {
	run --separate-stderr "$SOCKIT" connect -z x.invalid 80
	assert_failure 3
	[[ $stderr == *"x.invalid"* ]]
}

@test "a port that does not answer is 'timeout' with latency '-' after -w" {
	# a listener that never accepts, its queue filled: SYNs are dropped
	out=$BATS_TEST_TMPDIR/bl
	python3 -c '
import socket, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(0)
p = l.getsockname()[1]
fill = []
for _ in range(8):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(("127.0.0.1", p))
    except BlockingIOError: pass
    fill.append(c)
time.sleep(0.3)
print(p, flush=True)
time.sleep(60)
' >"$out" 3>&- &
	bg_pids+=($!)
	for ((i = 0; i < 50; i++)); do [[ -s $out ]] && break; sleep 0.1; done
	p=$(cat "$out")
	start=$(date +%s%N)
	run --separate-stderr timeout 10 "$SOCKIT" connect -z -w 400ms 127.0.0.1 "$p"
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_failure 1
	[ "$output" = "127.0.0.1 $p/tcp timeout -" ]
	[ "$ms" -ge 350 ] && [ "$ms" -lt 3000 ]
	run --separate-stderr timeout 10 "$SOCKIT" connect -z -j -w 300ms 127.0.0.1 "$p"
	echo "$output" | jq -e '.state == "timeout" and .latency_ms == null'
}

@test "--wait succeeds when the listener comes up a second later" {
	p=$(closed_port)
	(sleep 1; exec python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); time.sleep(30)' "$p") 3>&- &
	bg_pids+=($!)
	start=$(date +%s%N)
	run --separate-stderr timeout 20 "$SOCKIT" connect -z --wait 10s -v 127.0.0.1 "$p"
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_success
	[[ $output == "127.0.0.1 $p/tcp open "* ]]
	[ "${#lines[@]}" -eq 1 ]
	[ "$ms" -ge 900 ] && [ "$ms" -lt 5000 ]
	[[ $stderr == *"round"* ]]	# -v reports the retry rounds
}

@test "--wait fails after DUR when nothing comes up" {
	p=$(closed_port)
	start=$(date +%s%N)
	run --separate-stderr timeout 20 "$SOCKIT" connect -z --wait 1500ms 127.0.0.1 "$p"
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_failure 1
	[[ $output == "127.0.0.1 $p/tcp closed "* ]]
	[ "$ms" -ge 1000 ] && [ "$ms" -lt 4000 ]
}

@test "--parallel 1 checks one at a time, same results" {
	open_ports 2
	read -r a b <<<"$OPEN"
	run --separate-stderr "$SOCKIT" connect -z --parallel 1 127.0.0.1 "$a,$b,$((b + 1))"
	[ "${#lines[@]}" -eq 3 ]
	[[ ${lines[0]} == *"$a/tcp open"* ]]
}

@test "a full 1-65535 scan of a loopback address completes with every port once" {
	open_ports 2 127.0.0.2
	read -r a b <<<"$OPEN"
	run --separate-stderr timeout 60 "$SOCKIT" connect -z -n 127.0.0.2 1-65535
	assert_failure 1
	[ "${#lines[@]}" -eq 65535 ]
	[[ ${lines[0]} == "127.0.0.2 1/tcp "* ]]
	[[ ${lines[65534]} == "127.0.0.2 65535/tcp "* ]]
	[[ ${lines[$((a - 1))]} == "127.0.0.2 $a/tcp open "* ]]
	[[ ${lines[$((b - 1))]} == "127.0.0.2 $b/tcp open "* ]]
}

@test "ulimit -n 64: a 1000-port range still completes correctly" {
	open_ports 1 127.0.0.2
	lo=$((OPEN > 500 ? OPEN - 500 : 1))
	run --separate-stderr bash -c 'ulimit -n 64 && exec timeout 60 "$0" connect -z 127.0.0.2 "$1"' \
	    "$SOCKIT" "$lo-$((lo + 999))"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1000 ]
	[ "$(echo "$output" | grep -c ' open ')" -ge 1 ]
	[[ $output == *"$OPEN/tcp open"* ]]
	[ "$(echo "$output" | grep -c ' error ')" -eq 0 ]
}

@test "-z -u: a UDP listener is open_filtered, a closed UDP port is closed" {
	out=$BATS_TEST_TMPDIR/udp
	python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True); time.sleep(60)' >"$out" 3>&- &
	bg_pids+=($!)
	for ((i = 0; i < 50; i++)); do [[ -s $out ]] && break; sleep 0.1; done
	u=$(cat "$out")
	c=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	run --separate-stderr timeout 10 "$SOCKIT" connect -z -u -w 500ms 127.0.0.1 "$u,$c"
	assert_failure 1
	[[ $output == *"$u/udp open_filtered -"* ]]
	[[ $output == *"$c/udp closed "* ]]
	run --separate-stderr timeout 10 "$SOCKIT" connect -zu -w 300ms 127.0.0.1 "$u"
	assert_success
}

@test "-z -u: a UDP service that answers is open" {
	out=$BATS_TEST_TMPDIR/echo
	python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
while True:
    d, a = s.recvfrom(2048); s.sendto(b"x", a)' >"$out" 3>&- &
	bg_pids+=($!)
	for ((i = 0; i < 50; i++)); do [[ -s $out ]] && break; sleep 0.1; done
	run --separate-stderr timeout 10 "$SOCKIT" connect -zu -w 1s -j 127.0.0.1 "$(cat "$out")"
	assert_success
	echo "$output" | jq -e '.state == "open" and .proto == "udp"'
}

@test "IPv6: checks ::1" {
	out=$BATS_TEST_TMPDIR/v6
	python3 -c '
import socket, time
s = socket.socket(socket.AF_INET6); s.bind(("::1", 0)); s.listen(8)
print(s.getsockname()[1], flush=True); time.sleep(60)' >"$out" 3>&- &
	bg_pids+=($!)
	for ((i = 0; i < 50; i++)); do [[ -s $out ]] && break; sleep 0.1; done
	p=$(cat "$out")
	run --separate-stderr "$SOCKIT" connect -z -j ::1 "$p"
	assert_success
	echo "$output" | jq -e '.address == "::1" and .state == "open"'
	run --separate-stderr "$SOCKIT" connect -z "[::1]:$p"
	assert_success
}

@test "a check sends no data: the server reads EOF at once" {
	out=$BATS_TEST_TMPDIR/srv
	python3 -c '
import socket, time
l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(8)
print(l.getsockname()[1], flush=True)
c, _ = l.accept(); c.settimeout(5)
print("got", len(c.recv(100)), flush=True)' >"$out" 3>&- &
	bg_pids+=($!)
	for ((i = 0; i < 50; i++)); do [[ -s $out ]] && break; sleep 0.1; done
	run --separate-stderr "$SOCKIT" connect -z 127.0.0.1 "$(head -1 "$out")"
	assert_success
	for ((i = 0; i < 50; i++)); do grep -q got "$out" && break; sleep 0.1; done
	grep -qx 'got 0' "$out"
}

@test "-v names the address checked when HOST has several" {
	if ! unshare -m true 2>/dev/null; then
		skip "mount namespaces are not available here (needs root)"
	fi
	open_ports 1
	hosts=$BATS_TEST_TMPDIR/hosts
	printf '127.0.0.1 localhost\n127.0.0.1 multi.test\n127.0.0.2 multi.test\n' >"$hosts"
	run --separate-stderr unshare -m sh -c 'mount --bind "$1" /etc/hosts && exec "$2" connect -z -v -4 multi.test "$3"' \
	    sh "$hosts" "$SOCKIT" "$OPEN"
	assert_success
	[[ $stderr == *"multi.test has 2 addresses: checking 127.0.0.1"* ]]
}
