#!/usr/bin/env bats
# connect -z: why a check failed (SPEC.md "The check engine"): the ICMP
# error behind unreachable and error, read from the socket's error queue,
# with its type, code and the router that sent it; a silent drop stays
# timeout; a host that is up with nothing listening is closed, reason
# refused.  In network namespaces this test makes (names unique to the
# run and the test, removed in teardown):
#   client (c0 10.1.0.2, fd01::2) -- (r0 10.1.0.1, fd01::1) router
#   router (r1 10.2.0.1, fd02::1) -- (t0 10.2.0.2, fd02::2) target
# The router's route to the target is made unreachable or prohibit.

load helpers

setup() {
	bg_pids=()
	NS=sockit-x$$-$BATS_TEST_NUMBER
	C=$NS-c R=$NS-r T=$NS-t
	ip netns add "$C" && ip netns add "$R" && ip netns add "$T" || return 1
	ip link add c0 netns "$C" type veth peer name r0 netns "$R" &&
	    ip link add r1 netns "$R" type veth peer name t0 netns "$T" ||
	    return 1
	local ns
	for ns in "$C" "$R" "$T"; do
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
		    net.ipv6.conf.default.accept_dad=0
	done
	ip -n "$C" addr add 10.1.0.2/24 dev c0
	ip -n "$C" addr add fd01::2/64 dev c0 nodad
	ip -n "$R" addr add 10.1.0.1/24 dev r0
	ip -n "$R" addr add fd01::1/64 dev r0 nodad
	ip -n "$R" addr add 10.2.0.1/24 dev r1
	ip -n "$R" addr add fd02::1/64 dev r1 nodad
	ip -n "$T" addr add 10.2.0.2/24 dev t0
	ip -n "$T" addr add fd02::2/64 dev t0 nodad
	ip -n "$C" link set c0 up
	ip -n "$R" link set r0 up
	ip -n "$R" link set r1 up
	ip -n "$T" link set t0 up
	ip -n "$C" route add default via 10.1.0.1
	ip -n "$C" -6 route add default via fd01::1
	ip -n "$T" route add default via 10.2.0.1
	ip -n "$T" -6 route add default via fd02::1
	ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 \
	    net.ipv6.conf.all.forwarding=1
}

teardown() {
	kill_bg
	ip netns del "$C" 2>/dev/null || true
	ip netns del "$R" 2>/dev/null || true
	ip netns del "$T" 2>/dev/null || true
}

# check ARG...: sockit connect -z -n -j in the client's namespace.
check() {
	ip netns exec "$C" timeout 30 "$SOCKIT" connect -z -n -j -w 5 "$@"
}

@test "explain 4: the target is up, nothing listens: closed, reason refused, no icmp" {
	run -1 --separate-stderr check 10.2.0.2 80
	run -0 jq -c '[.state, .reason, .icmp]' <<<"$output"
	assert_output '["closed","refused",null]'
}

@test "explain 4: the router's route is unreachable: ICMP type 3 code 1 from the router" {
	ip -n "$R" route add unreachable 10.2.0.2/32
	run -1 --separate-stderr check 10.2.0.2 80
	run -0 jq -c '[.state, .icmp]' <<<"$output"
	assert_output '["unreachable",{"type":3,"code":1,"from":"10.1.0.1"}]'
}

# (one probe per test: the router sends ICMP errors at a limited rate)
@test "explain 4: the ICMP error in text: after the latency" {
	ip -n "$R" route add unreachable 10.2.0.2/32
	run -1 ip netns exec "$C" timeout 30 "$SOCKIT" connect -z -n -w 5 \
	    10.2.0.2 81
	assert_output --regexp '^10\.2\.0\.2 81/tcp unreachable [0-9.]+ms \(ICMP type 3 code 1 from 10\.1\.0\.1\)$'
}

@test "together 2: the ICMP error behind unreachable in TAP and JUnit, as text has it" {
	ip -n "$R" route add unreachable 10.2.0.2/32
	run -1 --separate-stderr ip netns exec "$C" timeout 30 "$SOCKIT" \
	    connect -z -n -w 5 --format tap 10.2.0.2 82
	assert_line --index 2 --regexp '^not ok 1 - 10\.2\.0\.2 82/tcp unreachable [0-9.]+ms \(ICMP type 3 code 1 from 10\.1\.0\.1\)$'
	sleep 1 # the router's rate limit of ICMP errors
	run -1 --separate-stderr ip netns exec "$C" timeout 30 "$SOCKIT" \
	    connect -z -n -w 5 --format junit 10.2.0.2 83
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/junit.xml"
	run -0 xmllint --xpath 'string(//failure/@message)' "$BATS_TEST_TMPDIR/junit.xml"
	assert_output 'unreachable (ICMP type 3 code 1 from 10.1.0.1)'
}

@test "explain 4: the router's route is prohibit: ICMP type 3 code 13 from the router" {
	ip -n "$R" route add prohibit 10.2.0.2/32
	run -1 --separate-stderr check 10.2.0.2 80
	run -0 jq -c '[.state, .icmp]' <<<"$output"
	assert_output '["unreachable",{"type":3,"code":13,"from":"10.1.0.1"}]'
}

@test "explain 4: IPv6: unreachable is ICMPv6 type 1 code 0 from the router" {
	ip -n "$R" -6 route add unreachable fd02::2/128
	run -1 --separate-stderr check fd02::2 80
	run -0 jq -c '[.state, .icmp]' <<<"$output"
	assert_output '["unreachable",{"type":1,"code":0,"from":"fd01::1"}]'
}

@test "explain 4: IPv6: prohibit is ICMPv6 type 1 code 1: state error, with the ICMP error" {
	ip -n "$R" -6 route add prohibit fd02::2/128
	run -1 --separate-stderr check fd02::2 80
	run -0 jq -c '[.state, .icmp, (.error | type)]' <<<"$output"
	assert_output '["error",{"type":1,"code":1,"from":"fd01::1"},"string"]'
}

@test "explain 4: a silent drop (nft drop on the router) stays timeout, no icmp" {
	ip netns exec "$R" nft -f - <<-'EOF'
	table inet sockit_test {
		chain forward {
			type filter hook forward priority 0;
			ip daddr 10.2.0.2 tcp dport 80 drop
		}
	}
	EOF
	run -1 --separate-stderr ip netns exec "$C" timeout 30 "$SOCKIT" \
	    connect -z -n -j -w 1 10.2.0.2 80
	run -0 jq -c '[.state, .icmp, .latency_ms]' <<<"$output"
	assert_output '["timeout",null,null]'
}

@test "explain 4: no route in the client itself: unreachable, no icmp" {
	ip -n "$C" route add unreachable 10.3.0.0/24
	run -1 --separate-stderr check 10.3.0.2 80
	run -0 jq -c '[.state, .icmp]' <<<"$output"
	assert_output '["unreachable",null]'
}
