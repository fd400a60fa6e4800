#!/usr/bin/env bats
# sockopt: the option table, fresh sockets compared with what python3's
# getsockopt reads on its own, values that round-trip, live connections
# (TCP_INFO), inherited sockets (--fd) and the usage errors.

load helpers

teardown() {
	kill_bg
}

# The options SPEC.md names: each must be in the table.
SPEC_OPTS="SO_ACCEPTCONN SO_BROADCAST SO_DEBUG SO_ERROR SO_KEEPALIVE SO_LINGER
SO_OOBINLINE SO_RCVBUF SO_RCVTIMEO SO_REUSEADDR SO_REUSEPORT SO_SNDBUF
SO_SNDTIMEO SO_TYPE SO_PRIORITY TCP_NODELAY TCP_QUICKACK TCP_KEEPIDLE
TCP_KEEPINTVL TCP_KEEPCNT TCP_MAXSEG TCP_DEFER_ACCEPT TCP_FASTOPEN
TCP_USER_TIMEOUT TCP_CONGESTION TCP_INFO IP_TOS IP_TTL IP_MULTICAST_TTL
IP_MULTICAST_LOOP IPV6_V6ONLY IPV6_UNICAST_HOPS"

# py_get TYPE [SETUP]: python3 prints "SO_TYPE SO_RCVBUF SO_SNDBUF
# TCP_NODELAY" (TCP_NODELAY only for tcp) of its own fresh IPv4 socket of
# TYPE (tcp or udp), after running SETUP (python, socket in s).
py_get() {
	python3 - "$1" "${2:-}" <<-'EOF'
	import socket, sys
	t = socket.SOCK_STREAM if sys.argv[1] == "tcp" else socket.SOCK_DGRAM
	s = socket.socket(socket.AF_INET, t)
	exec(sys.argv[2])
	g = lambda lvl, opt: s.getsockopt(lvl, opt)
	out = [g(socket.SOL_SOCKET, socket.SO_TYPE),
	       g(socket.SOL_SOCKET, socket.SO_RCVBUF),
	       g(socket.SOL_SOCKET, socket.SO_SNDBUF)]
	if sys.argv[1] == "tcp":
	    out.append(g(socket.IPPROTO_TCP, socket.TCP_NODELAY))
	print(*out)
	EOF
}

# A TCP listener on 127.0.0.1: sets PORT.  Connections are completed by
# the kernel (the backlog); nobody accepts them.
py_listener() {
	tcp_peer "$BATS_TEST_TMPDIR/listener" sleep 60
}

# The value column of NAME in sockopt's text output on stdin.
value_of() {
	awk -v n="$1" '$1 == n { $1 = ""; sub(/^ +/, ""); print }'
}

@test "--list prints every option SPEC.md names, with level, type, description" {
	run --separate-stderr "$SOCKIT" sockopt --list
	assert_success
	[ -z "$stderr" ]
	local o line re
	re=' +(SOL_SOCKET|IPPROTO_TCP|IPPROTO_IP|IPPROTO_IPV6) +[a-z_]+ +(r|w|rw) +[a-z,/A-Z0-9]+ +[a-zA-Z(]'
	for o in $SPEC_OPTS; do
		line=$(awk -v n="$o" '$1 == n' <<<"$output")
		[ -n "$line" ] || fail "--list lacks $o"
		[[ $line =~ ^$o$re ]] || fail "bad --list line: $line"
	done
	local list=$output
	run awk '$1 == "SO_RCVBUF" { print $2, $3 }' <<<"$list"
	assert_output "SOL_SOCKET size"
	run awk '$1 == "TCP_INFO" { print $2, $3, $4 }' <<<"$list"
	assert_output "IPPROTO_TCP tcp_info r"
}

@test "--list --json: one object per option with name, level, type, description" {
	run --separate-stderr "$SOCKIT" sockopt --list --json
	assert_success
	run jq -e -s 'length > 30 and all(.[]; (.name | type) == "string" and
	    (.level | type) == "string" and (.type | type) == "string" and
	    (.description | type) == "string" and
	    (.readable | type) == "boolean" and (.writable | type) == "boolean")' \
	    <<<"$output"
	assert_success
}

@test "fresh TCP socket: SO_TYPE, SO_RCVBUF, SO_SNDBUF, TCP_NODELAY as python3 reads them" {
	local want type rcv snd nodelay
	want=$(py_get tcp)
	read -r type rcv snd nodelay <<<"$want"
	[ "$type" = 1 ]
	run --separate-stderr "$SOCKIT" sockopt SO_TYPE SO_RCVBUF SO_SNDBUF TCP_NODELAY
	assert_success
	[ -z "$stderr" ]
	[ "$(value_of SO_TYPE <<<"$output")" = SOCK_STREAM ]
	[ "$(value_of SO_RCVBUF <<<"$output")" = "$rcv" ]
	[ "$(value_of SO_SNDBUF <<<"$output")" = "$snd" ]
	[ "$(value_of TCP_NODELAY <<<"$output")" = "$([ "$nodelay" = 0 ] && echo off || echo on)" ]
	# --tcp is the default
	run "$SOCKIT" sockopt --tcp SO_RCVBUF
	assert_output --regexp "^SO_RCVBUF +$rcv\$"
}

@test "fresh UDP socket (--udp, -u): defaults as python3 reads them" {
	local type rcv snd
	read -r type rcv snd <<<"$(py_get udp)"
	run --separate-stderr "$SOCKIT" sockopt --udp SO_TYPE SO_RCVBUF SO_SNDBUF
	assert_success
	[ "$(value_of SO_TYPE <<<"$output")" = SOCK_DGRAM ]
	[ "$(value_of SO_RCVBUF <<<"$output")" = "$rcv" ]
	[ "$(value_of SO_SNDBUF <<<"$output")" = "$snd" ]
	run "$SOCKIT" sockopt -u SO_TYPE
	assert_output --regexp '^SO_TYPE +SOCK_DGRAM$'
}

@test "SO_RCVBUF=64K: the effective value python3 gets, and what was requested" {
	local type rcv
	read -r type rcv _ <<<"$(py_get tcp 's.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)')"
	run --separate-stderr "$SOCKIT" sockopt SO_RCVBUF=64K
	assert_success
	if [ "$rcv" = 65536 ]; then
		assert_output --regexp '^SO_RCVBUF +65536$'
	else
		assert_output --regexp "^SO_RCVBUF +$rcv \\(requested 65536\\)\$"
	fi
	run --separate-stderr "$SOCKIT" sockopt --json SO_RCVBUF=64K
	assert_success
	run jq -c . <<<"$output"
	assert_output "{\"name\":\"SO_RCVBUF\",\"level\":\"SOL_SOCKET\",\"value\":$rcv,\"requested\":65536}"
}

@test "NAME=VALUE is applied in order: the last one counts, each NAME printed once" {
	local rcv
	read -r _ rcv _ <<<"$(py_get tcp 's.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 131072)')"
	run --separate-stderr "$SOCKIT" sockopt SO_RCVBUF=64K TCP_NODELAY=on SO_RCVBUF=128K
	assert_success
	assert_line --index 0 --regexp "^SO_RCVBUF +$rcv( \\(requested 131072\\))?\$"
	assert_line --index 1 --regexp '^TCP_NODELAY +on$'
	[ "${#lines[@]}" -eq 2 ]
}

@test "booleans: on/off/true/false/yes/no/1/0 round-trip, on/off in text, true/false in JSON" {
	local v want
	for v in on true yes 1 ON Yes off false no 0 OFF; do
		case ${v,,} in on | true | yes | 1) want=on ;; *) want=off ;; esac
		run --separate-stderr "$SOCKIT" sockopt "TCP_NODELAY=$v"
		assert_success
		assert_output --regexp "^TCP_NODELAY +$want\$"
	done
	run "$SOCKIT" sockopt -j SO_KEEPALIVE=yes TCP_NODELAY=0
	assert_success
	run jq -sc 'map(.value)' <<<"$output"
	assert_output '[true,false]'
}

@test "durations: SO_RCVTIMEO, SO_SNDTIMEO, TCP_USER_TIMEOUT, TCP_KEEPIDLE round-trip in seconds" {
	run --separate-stderr "$SOCKIT" sockopt SO_RCVTIMEO=2s SO_SNDTIMEO=1.5 \
	    TCP_USER_TIMEOUT=30s TCP_KEEPIDLE=2m TCP_KEEPINTVL=10
	assert_success
	[ -z "$stderr" ]
	[ "$(value_of SO_RCVTIMEO <<<"$output")" = 2 ]
	[ "$(value_of SO_SNDTIMEO <<<"$output")" = 1.5 ]
	[ "$(value_of TCP_USER_TIMEOUT <<<"$output")" = 30 ]
	[ "$(value_of TCP_KEEPIDLE <<<"$output")" = 120 ]
	[ "$(value_of TCP_KEEPINTVL <<<"$output")" = 10 ]
	run "$SOCKIT" sockopt --json SO_RCVTIMEO=2s SO_SNDTIMEO=1500ms TCP_USER_TIMEOUT=500ms
	assert_success
	run jq -sc 'map([.name, .value, .requested])' <<<"$output"
	assert_output '[["SO_RCVTIMEO",2,2],["SO_SNDTIMEO",1.5,1.5],["TCP_USER_TIMEOUT",0.5,0.5]]'
}

@test "SO_LINGER: off or seconds; JSON false or a number" {
	run --separate-stderr "$SOCKIT" sockopt SO_LINGER=5s
	assert_success
	assert_output --regexp '^SO_LINGER +5$'
	run "$SOCKIT" sockopt SO_LINGER=off
	assert_output --regexp '^SO_LINGER +off$'
	run "$SOCKIT" sockopt -j SO_LINGER
	run jq -c .value <<<"$output"
	assert_output false
	run "$SOCKIT" sockopt -j SO_LINGER=3
	run jq -c .value <<<"$output"
	assert_output 3
}

@test "IP_TOS takes a number or a DSCP name (af41, ef, cs1)" {
	run --separate-stderr "$SOCKIT" sockopt IP_TOS=af41
	assert_success
	assert_output --regexp '^IP_TOS +136$'
	run "$SOCKIT" sockopt ip_tos=ef
	assert_output --regexp '^IP_TOS +184$'
	run "$SOCKIT" sockopt -u IP_TOS=cs1
	assert_output --regexp '^IP_TOS +32$'
	run "$SOCKIT" sockopt IP_TOS=16
	assert_output --regexp '^IP_TOS +16$'
}

@test "TCP_CONGESTION=cubic is set" {
	grep -qw cubic /proc/sys/net/ipv4/tcp_available_congestion_control ||
	    skip "no cubic in this kernel"
	run --separate-stderr "$SOCKIT" sockopt TCP_CONGESTION=cubic
	assert_success
	assert_output --regexp '^TCP_CONGESTION +cubic$'
}

@test "first hour 10: TCP_CONGESTION=no-such-cc is exit 2 listing the available controls, in sockopt and with -O" {
	avail=$(</proc/sys/net/ipv4/tcp_available_congestion_control)
	want="set TCP_CONGESTION=no-such-cc: not an available congestion control (available: $avail)"
	run --separate-stderr "$SOCKIT" sockopt TCP_CONGESTION=no-such-cc
	assert_failure 2
	[ -z "$output" ]
	assert_equal "$(head -n1 <<<"$stderr")" "sockit: sockopt: $want"
	run --separate-stderr timeout 5 "$SOCKIT" listen \
	    -O TCP_CONGESTION=no-such-cc 127.0.0.1 0 </dev/null
	assert_failure 2
	[ -z "$output" ]
	assert_equal "$(head -n1 <<<"$stderr")" "sockit: listen: $want"
}

@test "names are case-insensitive, and a unique short form works" {
	run --separate-stderr "$SOCKIT" sockopt so_rcvbuf Tcp_NoDelay=on rcvbuf nodelay
	assert_success
	assert_line --index 0 --regexp '^SO_RCVBUF +[0-9]+$'
	assert_line --index 1 --regexp '^TCP_NODELAY +on$'
	[ "${#lines[@]}" -eq 2 ]
}

@test "no NAME: every readable option of that socket type, aligned" {
	run --separate-stderr "$SOCKIT" sockopt
	assert_success
	assert_line --regexp '^TCP_NODELAY +off$'
	assert_line --regexp '^SO_TYPE +SOCK_STREAM$'
	assert_line --regexp '^TCP_INFO +state=CLOSE '
	refute_line --regexp '^SO_BROADCAST '
	refute_line --regexp '^IPV6_'
	# the values start in one column
	run awk '{ match($0, /^[A-Z0-9_]+ +/); print RLENGTH }' <<<"$output"
	[ "$(sort -u <<<"$output" | wc -l)" -eq 1 ]

	run "$SOCKIT" sockopt --udp
	assert_success
	assert_line --regexp '^SO_BROADCAST +off$'
	refute_line --regexp '^TCP_'

	run "$SOCKIT" sockopt --unix
	assert_success
	assert_line --regexp '^SO_TYPE +SOCK_STREAM$'
	refute_line --regexp '^(TCP|IP)_'
	run "$SOCKIT" sockopt --unix --udp SO_TYPE
	assert_output --regexp '^SO_TYPE +SOCK_DGRAM$'
}

@test "-6: an IPv6 socket has IPV6_V6ONLY and IPV6_UNICAST_HOPS" {
	python3 -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null ||
	    skip "no IPv6 on loopback"
	run --separate-stderr "$SOCKIT" -6 sockopt IPV6_V6ONLY=on IPV6_UNICAST_HOPS
	assert_success
	assert_line --index 0 --regexp '^IPV6_V6ONLY +on$'
	assert_line --index 1 --regexp '^IPV6_UNICAST_HOPS +[0-9]+$'
}

@test "every output parses as JSON Lines (tcp, udp, unix, -6)" {
	local args
	for args in "" "--udp" "--unix" "--unix --udp" "-6"; do
		run --separate-stderr "$SOCKIT" sockopt --json $args
		assert_success
		run jq -e -s 'length > 5 and all(.[]; (.name | type) == "string"
		    and (.level | type) == "string" and has("value"))' <<<"$output"
		assert_success
	done
	run "$SOCKIT" sockopt --json SO_TYPE TCP_INFO
	run jq -sc '[.[0].value, (.[1].value | type)]' <<<"$output"
	assert_output '["SOCK_STREAM","object"]'
}

@test "--connect HOST PORT: TCP_INFO is ESTABLISHED with rtt fields; TCP_MAXSEG is the real one" {
	py_listener
	run --separate-stderr "$SOCKIT" sockopt --connect 127.0.0.1 "$PORT" TCP_INFO TCP_MAXSEG
	assert_success
	[ -z "$stderr" ]
	assert_line --index 0 --regexp '^TCP_INFO +state=ESTABLISHED .*rtt_us=[0-9]+ rttvar_us=[0-9]+ '
	assert_line --index 0 --regexp ' snd_mss=[0-9]+ rcv_mss=[0-9]+ '
	assert_line --index 0 --regexp ' total_retrans=0 '
	local mss
	mss=$(value_of TCP_MAXSEG <<<"$output")
	[ "$mss" -gt 536 ]	# loopback: far above the unconnected default
}

@test "--connect HOST:PORT --json: TCP_INFO is an object of named fields" {
	py_listener
	run --separate-stderr "$SOCKIT" sockopt --json --connect "127.0.0.1:$PORT" TCP_INFO
	assert_success
	run jq -e -c '.name == "TCP_INFO" and .level == "IPPROTO_TCP" and
	    .value.state == "ESTABLISHED" and (.value.rtt_us | type) == "number"
	    and (.value.rttvar_us | type) == "number" and
	    (.value.snd_cwnd | type) == "number" and .value.retransmits == 0' \
	    <<<"$output"
	assert_success
}

@test "--connect to a closed port is exit 1; a missing PORT is exit 2" {
	local port
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	run --separate-stderr "$SOCKIT" sockopt --connect 127.0.0.1 "$port" SO_TYPE
	assert_failure 1
	[ -z "$output" ]
	[[ $stderr == *"127.0.0.1"*"$port"* ]]
	run --separate-stderr "$SOCKIT" sockopt --connect 127.0.0.1
	assert_failure 2
	[[ $stderr == *"no PORT given"* ]]
}

@test "--listen [ADDR:]PORT: a listening socket has SO_ACCEPTCONN on and TCP_INFO state LISTEN" {
	run --separate-stderr "$SOCKIT" sockopt --listen 127.0.0.1:0 SO_ACCEPTCONN SO_REUSEADDR TCP_INFO
	assert_success
	assert_line --index 0 --regexp '^SO_ACCEPTCONN +on$'
	assert_line --index 1 --regexp '^SO_REUSEADDR +on$'
	assert_line --index 2 --regexp '^TCP_INFO +state=LISTEN '
	run --separate-stderr "$SOCKIT" sockopt --udp --listen 0 SO_ACCEPTCONN SO_TYPE
	assert_success
	assert_line --index 0 --regexp '^SO_ACCEPTCONN +off$'
	assert_line --index 1 --regexp '^SO_TYPE +SOCK_DGRAM$'
}

@test "redesign cli 3: -n --listen NAME fails as -n NAME does in every mode: exit 3, the resolver's reason" {
	local m
	for m in "sockopt --listen localhost:0" "sockopt --connect localhost 9" \
	    "listen localhost 0" "udp-recv localhost 0" "udp-send localhost 9 x" \
	    "connect localhost 9"; do
		run --separate-stderr timeout 20 "$SOCKIT" -n $m </dev/null
		assert_failure 3
		[[ $stderr == "sockit: ${m%% *}: localhost: "* ]] || fail "$m: $stderr"
	done
}

@test "--fd 3: a socket inherited from a python3 parent" {
	run --separate-stderr python3 "$PEERS/pass_socket.py" fd3 "$SOCKIT" \
	    sockopt --fd 3 SO_TYPE SO_ACCEPTCONN SO_RCVBUF TCP_NODELAY=on 3>&-
	assert_success
	local rcv
	rcv=$(awk '$1 == "rcvbuf" { print $2 }' <<<"$output")
	assert_line --regexp '^SO_TYPE +SOCK_STREAM$'
	assert_line --regexp '^SO_ACCEPTCONN +on$'
	assert_line --regexp "^SO_RCVBUF +$rcv\$"
	assert_line --regexp '^TCP_NODELAY +on$'
	# the option was set on the parent's socket
	assert_line --regexp '^nodelay [1-9]'
}

@test "--fd N that is not a socket, or not open, is exit 2 saying so" {
	run --separate-stderr "$SOCKIT" sockopt --fd 0 SO_TYPE </dev/null
	assert_failure 2
	[ -z "$output" ]
	[[ $stderr == *"fd 0: not a socket"* ]]
	run --separate-stderr "$SOCKIT" sockopt --fd 97 SO_TYPE
	assert_failure 2
	[[ $stderr == *"fd 97: Bad file descriptor"* ]]
	run --separate-stderr "$SOCKIT" sockopt --fd x
	assert_failure 2
	[[ $stderr == *'bad --fd "x": expected a number 0-2147483647'* ]]
	run --separate-stderr "$SOCKIT" sockopt --fd 0 --udp
	assert_failure 2
}

@test "bad names and values are usage errors (exit 2) naming them, nothing on stdout" {
	run --separate-stderr "$SOCKIT" sockopt SO_BOGUS
	assert_failure 2
	[ -z "$output" ]
	[[ $stderr == *'"SO_BOGUS": unknown option'* ]]
	[[ $stderr == *"Try 'sockit sockopt --help'."* ]]

	run --separate-stderr "$SOCKIT" sockopt SO_RCVBUF=12Q
	assert_failure 2
	[ -z "$output" ]
	[[ $stderr == *'"12Q"'*SO_RCVBUF* ]]

	run --separate-stderr "$SOCKIT" sockopt TCP_NODELAY=maybe
	assert_failure 2
	[[ $stderr == *'"maybe"'*TCP_NODELAY* ]]

	run --separate-stderr "$SOCKIT" sockopt SO_RCVTIMEO=5x
	assert_failure 2
	[[ $stderr == *SO_RCVTIMEO* ]]

	run --separate-stderr "$SOCKIT" sockopt IP_TOS=af99
	assert_failure 2
	[[ $stderr == *IP_TOS* ]]

	run --separate-stderr "$SOCKIT" sockopt SO_TYPE=SOCK_DGRAM
	assert_failure 2
	[[ $stderr == *"SO_TYPE: read-only"* ]]

	run --separate-stderr "$SOCKIT" sockopt =1
	assert_failure 2
}

@test "an option not valid for the socket type is exit 2 naming both" {
	run --separate-stderr "$SOCKIT" sockopt --udp TCP_NODELAY=on
	assert_failure 2
	[ -z "$output" ]
	[[ $stderr == *"TCP_NODELAY: not valid for an IPv4 UDP socket"* ]]
	run --separate-stderr "$SOCKIT" sockopt SO_BROADCAST
	assert_failure 2
	[[ $stderr == *"SO_BROADCAST: not valid for an IPv4 TCP socket"* ]]
	run --separate-stderr "$SOCKIT" -4 sockopt IPV6_V6ONLY
	assert_failure 2
	run --separate-stderr "$SOCKIT" sockopt --unix IP_TTL
	assert_failure 2
	[[ $stderr == *"not valid for a Unix stream socket"* ]]
}

@test "conflicting sockets are usage errors" {
	run --separate-stderr "$SOCKIT" sockopt --tcp --udp
	assert_failure 2
	run --separate-stderr "$SOCKIT" sockopt --udp --connect 127.0.0.1:9
	assert_failure 2
	run --separate-stderr "$SOCKIT" sockopt --unix --listen 0
	assert_failure 2
}

@test "NAME=VALUE is one setsockopt call; NAME alone is only read (strace)" {
	command -v strace >/dev/null || skip "strace is not installed"
	strace -o /dev/null true 2>/dev/null || skip "ptrace is not permitted"
	# LeakSanitizer cannot run under ptrace: off for a sanitizer build
	ASAN_OPTIONS=detect_leaks=0 run --separate-stderr strace -f \
	    -e trace=setsockopt -o "$BATS_TEST_TMPDIR/trace" \
	    "$SOCKIT" sockopt TCP_NODELAY=on SO_RCVBUF
	assert_success
	run grep -c 'setsockopt(' "$BATS_TEST_TMPDIR/trace"
	assert_output 1
	run grep -E 'setsockopt\([0-9]+, SOL_TCP, TCP_NODELAY, \[1\], 4\) = 0' \
	    "$BATS_TEST_TMPDIR/trace"
	assert_success
}

@test "sockopt --help names every option and the value syntax" {
	run --separate-stderr "$SOCKIT" sockopt --help
	assert_success
	[[ $output == "Usage: sockit sockopt [OPTIONS] [NAME[=VALUE]...]"* ]]
	local o
	for o in --tcp --udp --unix --connect --listen --fd --list; do
		[[ $output == *"$o"* ]] || fail "sockopt --help lacks $o"
	done
}

# Completion of the words given (the last one is being completed), one per
# line, by each shell's completion file (as in docs.bats).
bash_complete() {
	bash --norc --noprofile -c 'source "$1"; shift
	    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
	    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
	    _sockit; printf "%s\n" "${COMPREPLY[@]}"' _ \
	    "$TOP_SRCDIR/completions/sockit.bash" "$@"
}

fish_complete() {
	fish --no-config -c 'source $argv[1]; complete -C $argv[2]' \
	    "$TOP_SRCDIR/completions/sockit.fish" "$*" | cut -f1
}

zsh_complete() {
	zsh -f -c '
fpath=("$1" $fpath); shift
compadd() {
	local w s=
	while (( $# )) && [[ $1 != -- ]]; do
		[[ $1 == -S ]] && { s=$2; shift; }
		shift
	done
	shift
	for w in "$@"; do [[ $w == ${PREFIX}* ]] && print -r -- "$w$s"; done
	return 0
}
_call_program() { shift; "$@"; }
_message() { print -r -- "(message)"; }
_hosts() { print -r -- "(hosts)"; }
_files() { print -r -- "(files)"; }
autoload -Uz _sockit
words=("$@"); CURRENT=$#; PREFIX=$words[-1]; SUFFIX=
_sockit' zsh "$TOP_SRCDIR/completions" "$@"
}

# Puts sockit on PATH; with_o adds a mode "connect" with -O/--sockopt to
# its --list-options (no mode of this branch takes -O yet).
completion_path() {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cat >"$BATS_TEST_TMPDIR/bin/sockit" <<-EOF2
	#!/bin/sh
	if [ "\$1" = --list-options ]; then
		"$SOCKIT" --list-options
		printf 'connect\t-O\t--sockopt\tNAME=VALUE\n'
		exit 0
	fi
	exec "$SOCKIT" "\$@"
	EOF2
	chmod +x "$BATS_TEST_TMPDIR/bin/sockit"
	PATH="$BATS_TEST_TMPDIR/bin:$PATH"
}

@test "completions: sockopt's NAME operands come from sockopt --list (bash, zsh, fish)" {
	completion_path
	local sh
	for sh in bash zsh fish; do
		command -v "$sh" >/dev/null || continue
		run "${sh}_complete" sockit sockopt SO_RCV
		assert_success
		assert_line SO_RCVBUF
		assert_line SO_RCVTIMEO
		refute_line SO_SNDBUF
		run "${sh}_complete" sockit sockopt --udp TCP_NOD
		assert_line TCP_NODELAY
	done
}

@test "completions: -O and --sockopt values are NAME= from sockopt --list (bash, zsh, fish)" {
	completion_path
	local sh
	for sh in bash zsh fish; do
		command -v "$sh" >/dev/null || continue
		run "${sh}_complete" sockit connect -O TCP_NOD
		assert_success
		assert_output TCP_NODELAY=
		run "${sh}_complete" sockit connect --sockopt SO_LING
		assert_output SO_LINGER=
	done
}
