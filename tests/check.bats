#!/usr/bin/env bats
# connect -z: port checks, one result per port, in port order.

load helpers

setup() {
	bg_pids=()
}

teardown() {
	kill_bg
}

# open_ports N [ADDR]: starts a process holding N listening sockets on
# ADDR (127.0.0.1) and sets OPEN to their ports (sorted, space-separated).
# Scans of ranges use 127.0.0.2, where no other test's server listens, so
# that a scan never takes a one-shot server's only client away.
open_ports() {
	tcp_peer "$BATS_TEST_TMPDIR/open.$RANDOM" --host "${2:-127.0.0.1}" \
	    --listeners "$1" --backlog 64 sleep 60 || return 1
	OPEN=${PORTS:-$PORT}
	[[ -n $OPEN ]]
}

# closed_port: a port nothing listens on (bound, then let go).
closed_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# in_hosts FILE CMD [ARG...]: runs CMD in a mount namespace of its own
# where FILE is /etc/hosts and names are looked up in files only (no DNS).
# FILE stays writable from outside: an append shows at the next lookup.
in_hosts() {
	local hosts=$1 nss=$BATS_TEST_TMPDIR/nsswitch.conf
	shift
	printf 'hosts: files\n' >"$nss"
	unshare -m sh -c 'mount --bind "$1" /etc/hosts &&
	    mount --bind "$2" /etc/nsswitch.conf && shift 2 && exec "$@"' \
	    sh "$hosts" "$nss" "$@"
}

# dual_hosts: writes $BATS_TEST_TMPDIR/hosts where dual.test is ::1 and
# 127.0.0.1, and sets HOSTS to it.
dual_hosts() {
	HOSTS=$BATS_TEST_TMPDIR/hosts
	printf '127.0.0.1 localhost\n::1 dual.test\n127.0.0.1 dual.test\n' >"$HOSTS"
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

@test "redesign check: an -O the socket refuses stops -z at once: one error, exit 2, no result" {
	run --separate-stderr timeout 10 "$SOCKIT" connect -z -O SO_BROADCAST=1 127.0.0.1 1-3
	assert_failure 2
	[ -z "$output" ]
	[ "$(grep -c 'SO_BROADCAST: not valid for an IPv4 TCP socket' <<<"$stderr")" -eq 1 ]
	run --separate-stderr timeout 10 "$SOCKIT" connect -z -j -O SO_BROADCAST=1 127.0.0.1 1-300
	assert_failure 2
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	echo "$stderr" | jq -ce '.event == "error" and .kind == "usage" and .exit == 2'
}

@test "a name that does not resolve is exit 3" {
	run --separate-stderr "$SOCKIT" connect -z x.invalid 80
	assert_failure 3
	[[ $output == "x.invalid 80/tcp unresolved - ("*")" ]]
}

@test "first hour 4: a name that does not resolve is, per port, 'unresolved' with the resolver's message, on stdout, exit 3" {
	hosts=$BATS_TEST_TMPDIR/hosts
	printf '127.0.0.1 localhost\n' >"$hosts"
	run --separate-stderr in_hosts "$hosts" "$SOCKIT" connect -z nosuch.test 81,80
	assert_failure 3
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "nosuch.test 80/tcp unresolved - (Name or service not known)" ]
	[ "${lines[1]}" = "nosuch.test 81/tcp unresolved - (Name or service not known)" ]
	[ -z "$stderr" ]
	run --separate-stderr in_hosts "$hosts" "$SOCKIT" connect -z -j nosuch.test 80,81
	assert_failure 3
	[ -z "$stderr" ]
	echo "$output" | jq -sce 'length == 2 and .[0].port == 80 and .[1].port == 81 and
	    all(.[]; .host == "nosuch.test" and .address == null and .proto == "tcp" and
	    .state == "unresolved" and .latency_ms == null and
	    .error == "Name or service not known" and .code == "EAI_NONAME")'
	run --separate-stderr in_hosts "$hosts" "$SOCKIT" connect -zu -j nosuch.test 53
	assert_failure 3
	echo "$output" | jq -ce '.proto == "udp" and .state == "unresolved"'
}

@test "a port that does not answer is 'timeout' with latency '-' after -w" {
	# a listener that never accepts, its queue filled: SYNs are dropped
	tcp_peer "$BATS_TEST_TMPDIR/bl" --backlog 0 --fill 8 sleep 60
	p=$PORT
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
	(sleep 1; exec python3 "$PEERS/tcp_peer.py" --port "$p" sleep 30) \
	    2>"$BATS_TEST_TMPDIR/later" 3>&- &
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

@test "first hour 3: --wait resolves the name again every round: a name added 1 s later is open, exit 0" {
	sockit_listen "$BATS_TEST_TMPDIR/srv.log" -k 127.0.0.1 0 </dev/null
	hosts=$BATS_TEST_TMPDIR/hosts
	printf '127.0.0.1 localhost\n' >"$hosts"
	# the file is the mount: an append shows inside the namespace
	(sleep 1; echo '127.0.0.1 late.test' >>"$hosts") 3>&- &
	bg_pids+=($!)
	start=$(date +%s%N)
	run --separate-stderr in_hosts "$hosts" timeout 20 "$SOCKIT" connect -z --wait 5s -v late.test "$PORT"
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_success
	[[ $output == "late.test[127.0.0.1] $PORT/tcp open "* ]]
	[ "${#lines[@]}" -eq 1 ]
	[ "$ms" -ge 900 ] && [ "$ms" -lt 5000 ]
	[[ $stderr == *"late.test does not resolve yet: Name or service not known"* ]]	# -v: why not ready
}

@test "first hour 3: --wait: a name that never resolves is exit 3 once DUR has passed, 'unresolved'" {
	hosts=$BATS_TEST_TMPDIR/hosts
	printf '127.0.0.1 localhost\n' >"$hosts"
	start=$(date +%s%N)
	run --separate-stderr in_hosts "$hosts" timeout 20 "$SOCKIT" connect -z --wait 1500ms never.test 80
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_failure 3
	[ "$output" = "never.test 80/tcp unresolved - (Name or service not known)" ]
	[ "$ms" -ge 1400 ] && [ "$ms" -lt 5000 ]
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
	udp_peer "$BATS_TEST_TMPDIR/udp" hold 60
	u=$PORT
	c=$(python3 "$PEERS/udp_peer.py" free-port)
	run --separate-stderr timeout 10 "$SOCKIT" connect -z -u -w 500ms 127.0.0.1 "$u,$c"
	assert_failure 1
	[[ $output == *"$u/udp open_filtered -"* ]]
	[[ $output == *"$c/udp closed "* ]]
	run --separate-stderr timeout 10 "$SOCKIT" connect -zu -w 300ms 127.0.0.1 "$u"
	assert_success
}

@test "redesign cli 1: -z -u -p takes a UDP service name (babel: 6696/udp only)" {
	grep -Eq '^babel[[:space:]]+6696/udp' /etc/services
	run grep -Eq '^babel[[:space:]]+[0-9]+/tcp' /etc/services
	assert_failure
	c=$(python3 "$PEERS/udp_peer.py" free-port)
	run --separate-stderr timeout 10 "$SOCKIT" connect -z -u -w 500ms -p babel 127.0.0.1 "$c"
	assert_failure 1
	[[ $output == *"$c/udp closed "* ]] || fail "$output $stderr"
}

@test "-z -u: a UDP service that answers is open" {
	# answers every datagram with "x"
	udp_peer "$BATS_TEST_TMPDIR/echo" echo 0 x
	run --separate-stderr timeout 10 "$SOCKIT" connect -zu -w 1s -j 127.0.0.1 "$PORT"
	assert_success
	echo "$output" | jq -e '.state == "open" and .proto == "udp"'
}

@test "IPv6: checks ::1" {
	tcp_peer "$BATS_TEST_TMPDIR/v6" --host ::1 sleep 60
	p=$PORT
	run --separate-stderr "$SOCKIT" connect -z -j ::1 "$p"
	assert_success
	echo "$output" | jq -e '.address == "::1" and .state == "open"'
	run --separate-stderr "$SOCKIT" connect -z "[::1]:$p"
	assert_success
}

@test "first hour 10: a link-local IPv6 address without a zone is exit 2 with a hint, in -z and in connect" {
	for args in "-z fe80::1 80" "-z [fe80::1]:80" "fe80::1 80" "-u -z fe80::1 53"; do
		run --separate-stderr "$SOCKIT" connect $args </dev/null
		assert_failure 2
		[[ ${stderr_lines[0]} == "sockit: connect: fe80::1: a link-local address needs a zone: fe80::1%IFACE" ]]
		[ -z "$output" ]
	done
	# with a zone: no hint; whatever lo answers, it is a check
	run --separate-stderr timeout 10 "$SOCKIT" connect -z -w 300ms fe80::1%lo 80
	[ "$status" -ne 2 ]
	[[ $output == "fe80::1%lo 80/tcp "* ]]
}

@test "a check sends no data: the server reads EOF at once" {
	out=$BATS_TEST_TMPDIR/srv
	tcp_peer "$out.log" accept recv 100 print-count >"$out"
	run --separate-stderr "$SOCKIT" connect -z 127.0.0.1 "$PORT"
	assert_success
	for ((i = 0; i < 50; i++)); do grep -q received "$out" && break; sleep 0.1; done
	grep -qx 'received 0 bytes' "$out"
}

@test "first hour 2: -z tries every address: a server on 127.0.0.1 only is open at dual.test (::1, 127.0.0.1)" {
	dual_hosts
	sockit_listen "$BATS_TEST_TMPDIR/srv.log" -k 127.0.0.1 0 </dev/null
	run --separate-stderr in_hosts "$HOSTS" "$SOCKIT" connect -z dual.test "$PORT"
	assert_success
	[[ $output =~ ^dual\.test\ $PORT/tcp\ open\ [0-9]+\.[0-9]{2}ms$ ]]
	run --separate-stderr in_hosts "$HOSTS" "$SOCKIT" connect -z -j dual.test "$PORT"
	assert_success
	echo "$output" | jq -ce '.host == "dual.test" and .address == "127.0.0.1" and .state == "open"'
	# -v adds the address that answered
	run --separate-stderr in_hosts "$HOSTS" "$SOCKIT" connect -z -v dual.test "$PORT"
	assert_success
	[[ $output =~ ^dual\.test\[127\.0\.0\.1\]\ $PORT/tcp\ open\ [0-9]+\.[0-9]{2}ms$ ]]
	# -6: ::1 alone, where nothing listens
	run --separate-stderr in_hosts "$HOSTS" "$SOCKIT" connect -z -6 -j dual.test "$PORT"
	assert_failure 1
	echo "$output" | jq -ce '.address == "::1" and .state == "closed"'
	# --wait is satisfied at once
	run --separate-stderr in_hosts "$HOSTS" timeout 20 "$SOCKIT" connect -z --wait 5s dual.test "$PORT"
	assert_success
}

@test "first hour 2: -z tries every address: a server on ::1 only is open at dual.test (127.0.0.1 listed first)" {
	HOSTS=$BATS_TEST_TMPDIR/hosts
	printf '127.0.0.1 dual.test\n::1 dual.test\n' >"$HOSTS"
	sockit_listen "$BATS_TEST_TMPDIR/srv.log" -k ::1 0 </dev/null
	run --separate-stderr in_hosts "$HOSTS" "$SOCKIT" connect -z -j dual.test "$PORT"
	assert_success
	echo "$output" | jq -ce '.address == "::1" and .state == "open"'
	run --separate-stderr in_hosts "$HOSTS" "$SOCKIT" connect -z -4 -j dual.test "$PORT"
	assert_failure 1
	echo "$output" | jq -ce '.address == "127.0.0.1" and .state == "closed"'
}

@test "first hour 2: an address that does not answer is joined by the next after 250 ms: open long before -w" {
	dual_hosts
	# ::1 PORT never answers (a full queue), 127.0.0.1 PORT accepts
	tcp_peer "$BATS_TEST_TMPDIR/stalled" --host ::1 --backlog 0 --fill 8 \
	    --also 127.0.0.1 sleep 60
	p=$PORT
	start=$(date +%s%N)
	run --separate-stderr in_hosts "$HOSTS" timeout 20 "$SOCKIT" connect -z -j -w 10s dual.test "$p"
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_success
	echo "$output" | jq -ce '.address == "127.0.0.1" and .state == "open"'
	echo "took $ms ms"
	[ "$ms" -ge 200 ] && [ "$ms" -lt 5000 ]
	run --separate-stderr in_hosts "$HOSTS" timeout 20 "$SOCKIT" connect -z --all-addresses -w 1s dual.test "$p"
	assert_failure 1
	[ "${lines[0]}" = "dual.test[::1] $p/tcp timeout -" ]
	[[ ${lines[1]} == "dual.test[127.0.0.1] $p/tcp open "* ]]
}

@test "first hour 2: a port closed at every address is closed, named by its first address; a server takes one connection per check" {
	dual_hosts
	c=$(closed_port)
	run --separate-stderr in_hosts "$HOSTS" "$SOCKIT" connect -z -j dual.test "$c"
	assert_failure 1
	echo "$output" | jq -ce '.address == "::1" and .state == "closed"'
	# a server on both addresses sees one check, not two
	sockit_listen "$BATS_TEST_TMPDIR/v4.log" -k -v 127.0.0.1 0 </dev/null
	sockit_listen "$BATS_TEST_TMPDIR/v6.log" -k -v ::1 "$PORT" </dev/null
	run --separate-stderr in_hosts "$HOSTS" "$SOCKIT" connect -z dual.test "$PORT"
	assert_success
	sleep 0.3
	n=$(cat "$BATS_TEST_TMPDIR/v4.log" "$BATS_TEST_TMPDIR/v6.log" | grep -c '^accepted ' || true)
	echo "accepted: $n"
	[ "$n" -eq 1 ]
}

@test "first hour 2: --all-addresses: one result per address, exit 0 only when every address of every port is open" {
	dual_hosts
	sockit_listen "$BATS_TEST_TMPDIR/v4.log" -k 127.0.0.1 0 </dev/null
	p=$PORT
	c=$(closed_port)
	run --separate-stderr in_hosts "$HOSTS" "$SOCKIT" connect -z --all-addresses dual.test "$p"
	assert_failure 1
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} =~ ^dual\.test\[::1\]\ $p/tcp\ closed\ [0-9]+\.[0-9]{2}ms$ ]]
	[[ ${lines[1]} =~ ^dual\.test\[127\.0\.0\.1\]\ $p/tcp\ open\ [0-9]+\.[0-9]{2}ms$ ]]
	sockit_listen "$BATS_TEST_TMPDIR/v6.log" -k -v ::1 "$p" </dev/null
	run --separate-stderr in_hosts "$HOSTS" "$SOCKIT" connect -z --all-addresses -j dual.test "$p"
	assert_success
	echo "$output" | jq -sce 'length == 2 and .[0].address == "::1" and .[1].address == "127.0.0.1" and
	    all(.[]; .host == "dual.test" and .port == '"$p"' and .state == "open")'
	# two ports, in port order, each at both addresses; one closed: exit 1
	run --separate-stderr in_hosts "$HOSTS" "$SOCKIT" connect -z --all-addresses dual.test "$p,$c"
	assert_failure 1
	[ "${#lines[@]}" -eq 4 ]
	lo=$((p < c ? p : c)) hi=$((p < c ? c : p))
	[[ ${lines[0]} == "dual.test[::1] $lo/tcp "* && ${lines[1]} == "dual.test[127.0.0.1] $lo/tcp "* ]]
	[[ ${lines[2]} == "dual.test[::1] $hi/tcp "* && ${lines[3]} == "dual.test[127.0.0.1] $hi/tcp "* ]]
	[ "$(grep -c "$c/tcp closed" <<<"$output")" -eq 2 ]
	[ "$(grep -c "$p/tcp open" <<<"$output")" -eq 2 ]
	# -4 restricts it to 127.0.0.1
	run --separate-stderr in_hosts "$HOSTS" "$SOCKIT" connect -z --all-addresses -4 dual.test "$p"
	assert_success
	[[ $output == "dual.test[127.0.0.1] $p/tcp open "* ]]
	[ "${#lines[@]}" -eq 1 ]
	# only with -z, never through a proxy
	run --separate-stderr "$SOCKIT" connect --all-addresses 127.0.0.1 "$p"
	assert_failure 2
	run --separate-stderr "$SOCKIT" connect -z --all-addresses --proxy socks5://127.0.0.1:1 127.0.0.1 "$p"
	assert_failure 2
}

@test "first hour 2: -z -u tries every address: a UDP listener on 127.0.0.1 only is open_filtered at dual.test, exit 0" {
	dual_hosts
	"$SOCKIT" udp-recv 127.0.0.1 0 >/dev/null 2>"$BATS_TEST_TMPDIR/udp.log" 3>&- &
	bg_pids+=($!)
	wait_for_listen "$BATS_TEST_TMPDIR/udp.log"
	run --separate-stderr in_hosts "$HOSTS" timeout 10 "$SOCKIT" connect -zu -w 500ms -j dual.test "$PORT"
	assert_success
	echo "$output" | jq -ce '.address == "127.0.0.1" and .state == "open_filtered"'
	run --separate-stderr in_hosts "$HOSTS" timeout 10 "$SOCKIT" connect -zu -w 500ms --all-addresses dual.test "$PORT"
	assert_failure 1
	[[ ${lines[0]} =~ ^dual\.test\[::1\]\ $PORT/udp\ closed\ [0-9]+\.[0-9]{2}ms$ ]]
	[ "${lines[1]}" = "dual.test[127.0.0.1] $PORT/udp open_filtered -" ]
}

# --- long lists: worker threads (one per CPU, from 256 ports on) ----------

# stalled_port ADDR: starts a listener on ADDR whose queue is full (it
# never accepts), so that a check of it waits for -w; sets STALLED.
stalled_port() {
	tcp_peer "$BATS_TEST_TMPDIR/stalled.$RANDOM" --host "$1" --backlog 0 \
	    --fill 8 sleep 60 || return 1
	STALLED=$PORT
	[[ -n $STALLED ]]
}

@test "threads: 1-65535 in a fresh network namespace is exactly the expected list, text and JSON, as with --parallel 1" {
	if ! unshare -n true 2>/dev/null || ! command -v ip >/dev/null; then
		skip "network namespaces (unshare -n, ip) are not available here"
	fi
	d=$BATS_TEST_TMPDIR
	# nothing else listens in the namespace: ports 1, 2, 80, 65535 and
	# one the kernel picks are open, every other port is closed
	run timeout 120 unshare -n bash -c '
		ip link set lo up || exit 9
		python3 "$3" --backlog 64 --port 1 --port 2 --port 80 \
		    --port 65535 --port 0 sleep 100 2>"$2/open.log" 3>&- &
		py=$!
		for ((i = 0; i < 50; i++)); do
			grep -qs "^listening" "$2/open.log" && break
			sleep 0.1
		done
		sed -n "s/^ports //p" "$2/open.log" >"$2/open"
		"$1" connect -z -n 127.0.0.1 1-65535 >"$2/threads"; echo $? >"$2/threads.rc"
		"$1" connect -z -n --parallel 1 127.0.0.1 1-65535 >"$2/one"; echo $? >"$2/one.rc"
		"$1" connect -z -n --parallel 3 127.0.0.1 1-3000 >"$2/three"; echo $? >"$2/three.rc"
		"$1" connect -z -n -j 127.0.0.1 1-65535 >"$2/json"; echo $? >"$2/json.rc"
		kill $py' bash "$SOCKIT" "$d" "$PEERS/tcp_peer.py"
	assert_success
	read -r -a open <"$d/open"
	[ "${#open[@]}" -eq 5 ]
	awk -v open="${open[*]}" 'BEGIN { n = split(open, o, " "); for (i = 1; i <= n; i++) up[o[i]] = 1
		for (p = 1; p <= 65535; p++) printf "127.0.0.1 %d/tcp %s\n", p, up[p] ? "open" : "closed" }' >"$d/want"
	for f in threads one json; do [ "$(cat "$d/$f.rc")" -eq 1 ]; done
	[ "$(cat "$d/three.rc")" -eq 1 ]
	diff "$d/want" <(cut -d' ' -f1-3 "$d/threads")
	diff "$d/want" <(cut -d' ' -f1-3 "$d/one")
	diff <(head -n 3000 "$d/want") <(cut -d' ' -f1-3 "$d/three")
	# every line whole: a latency on each
	[ "$(grep -cE '^127\.0\.0\.1 [0-9]+/tcp (open|closed) [0-9]+\.[0-9]{2}ms$' "$d/threads")" -eq 65535 ]
	diff "$d/want" <(jq -r '"\(.host) \(.port)/\(.proto) \(.state)"' "$d/json")
	jq -e 'select(.address != "127.0.0.1" or (.latency_ms | type) != "number")' "$d/json" && false
	true
}

# open_range N ADDR: starts a process listening on N consecutive ports of
# ADDR (below the ephemeral range, where nothing else binds them) and sets
# LO and HI to the first and the last.
open_range() {
	local ports
	tcp_peer "$BATS_TEST_TMPDIR/range.$RANDOM" --host "$2" \
	    --listeners "$1" --consecutive sleep 60 || return 1
	read -r -a ports <<<"$PORTS"
	LO=${ports[0]} HI=${ports[-1]}
	[[ -n $HI ]]
}

@test "threads: 300 open ports are exit 0, in order, text and JSON; one closed more is exit 1" {
	open_range 300 127.0.0.2
	run --separate-stderr timeout 30 "$SOCKIT" connect -z -n 127.0.0.2 "$LO-$HI"
	assert_success
	[ "${#lines[@]}" -eq 300 ]
	[ "$(cut -d' ' -f2 <<<"$output" | tr '\n' ' ')" = "$(seq -f '%g/tcp' "$LO" "$HI" | tr '\n' ' ')" ]
	[ "$(grep -c ' open ' <<<"$output")" -eq 300 ]
	[ -z "$stderr" ]
	run --separate-stderr timeout 30 "$SOCKIT" connect -z -n -j 127.0.0.2 "$LO-$HI"
	assert_success
	jq -se --argjson lo "$LO" --argjson hi "$HI" \
	    'map(.port) == [range($lo; $hi + 1)] and all(.state == "open")' <<<"$output"
	# a port below, closed, listed last: exit 1, and printed first
	c=$((LO - 1))
	run --separate-stderr timeout 30 "$SOCKIT" connect -z -n 127.0.0.2 "$LO-$HI,$c"
	assert_failure 1
	[ "${#lines[@]}" -eq 301 ]
	[[ ${lines[0]} == "127.0.0.2 $c/tcp closed "* ]]
	[[ ${lines[300]} == "127.0.0.2 $HI/tcp open "* ]]
}

@test "threads: --wait prints every port once, exit 0 at once when all are open, exit 1 after DUR when one is not" {
	open_range 300 127.0.0.2
	start=$(date +%s%N)
	run --separate-stderr timeout 30 "$SOCKIT" connect -z -n --wait 10s 127.0.0.2 "$LO-$HI"
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_success
	[ "${#lines[@]}" -eq 300 ]
	[ "$ms" -lt 5000 ]
	c=$((HI + 1))
	start=$(date +%s%N)
	run --separate-stderr timeout 30 "$SOCKIT" connect -z -n -j --wait 1s 127.0.0.2 "$LO-$c"
	ms=$((($(date +%s%N) - start) / 1000000))
	assert_failure 1
	[ "$ms" -ge 900 ] && [ "$ms" -lt 6000 ]
	jq -se --argjson lo "$LO" --argjson c "$c" 'map(.port) == [range($lo; $c + 1)]
	    and (map(select(.state != "open")) | length == 1 and .[0].port == $c
	        and .[0].state == "closed")' <<<"$output"
}

@test "threads: results stream in port order while a later port still waits for -w" {
	stalled_port 127.0.0.2
	p=$STALLED
	lo=$((p > 3000 ? p - 3000 : 1))
	out=$BATS_TEST_TMPDIR/stream
	start=$(date +%s%N)
	timeout 30 "$SOCKIT" connect -z -n -w 4s 127.0.0.2 "$lo-$((p + 100))" >"$out" 3>&- &
	pid=$!
	bg_pids+=($pid)
	# every port below the stalled one is out long before -w passes
	wait_grep "$out" "^127\.0\.0\.2 $((p - 1))/tcp "
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$ms" -lt 3000 ]
	kill -0 "$pid"	# still waiting for the stalled port
	! grep -q "^127\.0\.0\.2 $p/tcp" "$out"
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 1 ]
	[ "$(wc -l <"$out")" -eq $((p + 100 - lo + 1)) ]
	[ "$(cut -d' ' -f2 "$out" | cut -d/ -f1 | tr '\n' ' ')" = "$(seq "$lo" $((p + 100)) | tr '\n' ' ')" ]
	grep -qx "127.0.0.2 $p/tcp timeout -" "$out"
}

@test "threads: a reader that goes away stops every worker at once (exit 4), not after -w" {
	stalled_port 127.0.0.2
	p=$STALLED
	lo=$((p > 20000 ? p - 20000 : 1))
	start=$(date +%s%N)
	run bash -c 'set -o pipefail; timeout 60 "$1" connect -z -n -w 30s 127.0.0.2 "$2" | head -c 1 >/dev/null' \
	    bash "$SOCKIT" "$lo-$p"
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$status" -eq 4 ]
	[ "$ms" -lt 10000 ]
	[ -z "$output" ]
}

@test "threads: -u over 300 ports: the UDP listener is open_filtered, in order, the rest answered" {
	udp_peer "$BATS_TEST_TMPDIR/udp" --host 127.0.0.2 hold 60
	u=$PORT
	lo=$((u > 150 ? u - 150 : 1))
	run --separate-stderr timeout 30 "$SOCKIT" connect -z -u -n -w 500ms 127.0.0.2 "$lo-$((lo + 299))"
	assert_failure 1
	[ "${#lines[@]}" -eq 300 ]
	[ "$(cut -d' ' -f2 <<<"$output" | cut -d/ -f1 | tr '\n' ' ')" = "$(seq "$lo" $((lo + 299)) | tr '\n' ' ')" ]
	[[ $output == *"127.0.0.2 $u/udp open_filtered -"* ]]
	[ "$(grep -c ' closed ' <<<"$output")" -ge 290 ]
}
