#!/usr/bin/env bats
# --mptcp (issue 20): Multipath TCP sockets in connect, listen and
# connect -z; the events and results say whether the connection really
# runs MPTCP (ss -M lists it) or fell back to TCP against a plain peer
# (nc); a kernel with MPTCP off (a network namespace made here, with
# net.mptcp.enabled=0) is exit 4 saying so.

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
	bg_pids=()
}

teardown() {
	kill_bg
}

@test "mptcp 2: sockit connect --mptcp to sockit listen --mptcp runs MPTCP (events and ss -M)" {
	port=$(free_port)
	timeout 30 "$SOCKIT" listen -j --mptcp 127.0.0.1 "$port" \
	    >"$T/out" 2>"$T/lerr" </dev/null 3>&- &
	bg_pids+=("$!")
	wait_tcp "$port"
	# the client holds the connection open until the test has looked
	{ printf 'over mptcp\n'; sleep 20; } |
	    timeout 30 "$SOCKIT" connect -j --mptcp 127.0.0.1 "$port" \
		>/dev/null 2>"$T/cerr" 3>&- &
	bg_pids+=("$!")
	wait_grep "$T/out" '^over mptcp$'
	run ss -HMn
	assert_output --regexp "127\.0\.0\.1:$port "
	run jq -c 'select(.event == "accepted") | .mptcp' "$T/lerr"
	assert_output "true"
	run jq -c 'select(.event == "connected") | .mptcp' "$T/cerr"
	assert_output "true"
}

@test "mptcp 2: connect --mptcp to nc falls back to TCP, and says so" {
	port=$(free_port)
	timeout 30 nc -l 127.0.0.1 "$port" >"$T/got" </dev/null 3>&- &
	pid=$!
	bg_pids+=("$pid")
	wait_tcp "$port"
	run -0 timeout 20 "$SOCKIT" connect -v --mptcp 127.0.0.1 "$port" <<<"plain"
	assert_line --regexp "^connected to 127\.0\.0\.1 $port from 127\.0\.0\.1 [0-9]+ in [0-9.]+ ms \(tcp: no MPTCP\)\$"
	wait "$pid"
	[ "$(cat "$T/got")" = "plain" ]
}

@test "mptcp 2: nc into listen --mptcp falls back to TCP" {
	port=$(free_port)
	timeout 30 "$SOCKIT" listen -j --mptcp 127.0.0.1 "$port" \
	    >"$T/out" 2>"$T/err" </dev/null 3>&- &
	pid=$!
	bg_pids+=("$pid")
	wait_tcp "$port"
	printf 'from nc\n' | timeout 20 nc -N 127.0.0.1 "$port"
	wait "$pid"
	[ "$(cat "$T/out")" = "from nc" ]
	run jq -c 'select(.event == "accepted") | .mptcp' "$T/err"
	assert_output "false"
}

@test "mptcp 2: connect -z --mptcp: mptcp true against sockit, false against nc" {
	mp=$(free_port)
	plain=$(free_port)
	timeout 30 "$SOCKIT" listen -k --mptcp 127.0.0.1 "$mp" \
	    >/dev/null 2>&1 </dev/null 3>&- &
	bg_pids+=("$!")
	timeout 30 nc -lk 127.0.0.1 "$plain" >/dev/null </dev/null 3>&- &
	bg_pids+=("$!")
	wait_tcp "$mp"
	wait_tcp "$plain"
	run -0 timeout 20 "$SOCKIT" connect -z -j --mptcp 127.0.0.1 "$mp,$plain"
	json=$output
	run jq -c --argjson p "$mp" 'select(.port == $p) | [.state, .mptcp]' <<<"$json"
	assert_output '["open",true]'
	run jq -c --argjson p "$plain" 'select(.port == $p) | [.state, .mptcp]' <<<"$json"
	assert_output '["open",false]'
	run -0 timeout 20 "$SOCKIT" connect -z --mptcp 127.0.0.1 "$mp"
	assert_output --regexp "^127\.0\.0\.1 $mp/tcp open [0-9.]+ms \(mptcp\)\$"
}

@test "mptcp 2: net.mptcp.enabled=0 is exit 4 saying so, in connect, -z and listen" {
	run -0 unshare -n sh -c '
	    ip link set lo up && sysctl -q -w net.mptcp.enabled=0 || exit 99
	    "$0" connect --mptcp 127.0.0.1 9; echo "exit $?"
	    "$0" connect -z --mptcp 127.0.0.1 9; echo "exit $?"
	    "$0" listen --mptcp 127.0.0.1 0; echo "exit $?"
	    "$0" connect 127.0.0.1 9; echo "exit $?"' "$SOCKIT"
	assert_line --index 0 "sockit: connect: 127.0.0.1 9: this kernel has MPTCP off or lacks it (sysctl net.mptcp.enabled)"
	assert_line --index 1 "exit 4"
	assert_line --index 2 "sockit: connect: MPTCP socket: this kernel has MPTCP off or lacks it (sysctl net.mptcp.enabled)"
	assert_line --index 3 "exit 4"
	assert_line --index 4 "sockit: listen: MPTCP socket: this kernel has MPTCP off or lacks it (sysctl net.mptcp.enabled)"
	assert_line --index 5 "exit 4"
	# the control: plain TCP in the same namespace is refused, exit 1
	assert_line --index 6 --partial "Connection refused"
	assert_line --index 7 "exit 1"
}

@test "mptcp 2: --mptcp is TCP: not with -U, -u or --proxy" {
	run -2 "$SOCKIT" connect --mptcp -U "$T/sock"
	assert_line --index 0 "sockit: connect: --mptcp is TCP: not with -U, -u or --proxy"
	run -2 "$SOCKIT" connect -z -u --mptcp 127.0.0.1 9
	assert_line --index 0 "sockit: connect: --mptcp is TCP: not with -U, -u or --proxy"
	run -2 "$SOCKIT" listen --mptcp -U "$T/sock"
	assert_line --index 0 "sockit: listen: --mptcp is TCP: not with -U"
}
