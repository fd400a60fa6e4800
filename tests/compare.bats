#!/usr/bin/env bats
# The README's table "What sockit adds to nc, ncat and socat", row by
# row: each test runs the installed nc (OpenBSD), ncat and socat and
# sockit through the same situation and checks what the row says of each.
# A row the tests do not show is not in the README.

load helpers
load udp_helpers

setup() {
	bg_pids=()
	T=$BATS_TEST_TMPDIR
	cd "$T"
}

teardown() {
	kill_bg
}

# ncat_listen ARGS...: ncat -l ARGS on 127.0.0.1 (a free port, 30 s at
# most, stdin /dev/null); sets NPORT.
ncat_listen() {
	NPORT=$(free_port)
	timeout 30 ncat -l "$@" 127.0.0.1 "$NPORT" </dev/null >/dev/null \
	    2>&1 3>&- &
	bg_pids+=($!)
	wait_tcp "$NPORT"
}

# ms_since NS: the milliseconds since NS (date +%s%N).
ms_since() {
	echo $((($(date +%s%N) - $1) / 1000000))
}

@test "first hour 10: README output: nc, ncat and socat report in text; sockit -j in JSON Lines" {
	ncat_listen -k
	run -0 nc -v -w 2 127.0.0.1 "$NPORT" </dev/null
	assert_output --partial "Connection to 127.0.0.1 $NPORT port"
	run ! jq -e . <<<"$output"
	run -0 ncat -v 127.0.0.1 "$NPORT" </dev/null
	assert_line --partial "Ncat: Connected to 127.0.0.1:$NPORT."
	run ! jq -e . <<<"$output"
	run -0 socat -d -d /dev/null TCP:127.0.0.1:"$NPORT"
	assert_line --partial "successfully connected"
	run ! jq -e . <<<"$output"
	run -0 "$SOCKIT" connect -j 127.0.0.1 "$NPORT" </dev/null
	run jq -r .event <<<"$output"
	assert_output $'connected\nclosed'
}

@test "first hour 10: README exit status: nc and socat 1 for every failure, ncat 1 or 2, sockit one per kind" {
	local closed tool
	ncat_listen -k
	closed=$(free_port)
	# refused, a name that does not resolve, a bad option, a port in use
	statuses() {
		local a b c d
		case $1 in
		nc)
			nc 127.0.0.1 "$closed"; a=$?
			nc nosuch.invalid 80; b=$?
			nc --bogus; c=$?
			nc -l 127.0.0.1 "$NPORT"; d=$? ;;
		ncat)
			ncat 127.0.0.1 "$closed"; a=$?
			ncat nosuch.invalid 80; b=$?
			ncat --bogus; c=$?
			ncat -l 127.0.0.1 "$NPORT"; d=$? ;;
		socat)
			socat - TCP:127.0.0.1:"$closed"; a=$?
			socat - TCP:nosuch.invalid:80; b=$?
			socat --bogus; c=$?
			socat - TCP-LISTEN:"$NPORT",bind=127.0.0.1; d=$? ;;
		sockit)
			"$SOCKIT" connect 127.0.0.1 "$closed"; a=$?
			"$SOCKIT" connect nosuch.invalid 80; b=$?
			"$SOCKIT" connect --bogus; c=$?
			"$SOCKIT" listen 127.0.0.1 "$NPORT"; d=$? ;;
		esac </dev/null >/dev/null 2>&1
		echo "$a $b $c $d"
	}
	[ "$(statuses nc)" = "1 1 1 1" ]
	[ "$(statuses ncat)" = "1 2 2 2" ]
	[ "$(statuses socat)" = "1 1 1 1" ]
	[ "$(statuses sockit)" = "1 3 2 4" ]
}

@test "first hour 10: README port checks: nc -z exit 0 if any is open, ncat and socat one port, sockit -z all" {
	local closed
	ncat_listen -k
	closed=$(free_port)
	run nc -z 127.0.0.1 "$NPORT" "$closed"
	assert_success
	# ncat -z takes one port: a list or two ports are refused
	run ncat -z 127.0.0.1 "$NPORT,$closed"
	assert_failure 2
	run ncat -z 127.0.0.1 "$NPORT" "$closed"
	assert_failure 2
	run ncat -z 127.0.0.1 "$closed"
	assert_failure 1
	run socat /dev/null TCP:127.0.0.1:"$NPORT"
	assert_success
	run socat /dev/null TCP:127.0.0.1:"$closed"
	assert_failure 1
	run --separate-stderr "$SOCKIT" connect -z 127.0.0.1 "$NPORT,$closed"
	assert_failure 1
	assert_line --regexp "^127\.0\.0\.1 $NPORT/tcp open "
	assert_line --regexp "^127\.0\.0\.1 $closed/tcp closed "
}

@test "first hour 10: README half-close: after the peer's FIN, nc, ncat and sockit still send; socat stops" {
	local tool p
	for tool in nc ncat socat sockit; do
		p=$(free_port)
		# the peer: nc -N half-closes at once (its stdin is empty) and
		# reads until the client's EOF
		timeout 20 nc -l -N 127.0.0.1 "$p" </dev/null >"got.$tool" 3>&- &
		bg_pids+=($!)
		wait_tcp "$p"
		case $tool in
		nc) set -- nc 127.0.0.1 "$p" ;;
		ncat) set -- ncat 127.0.0.1 "$p" ;;
		socat) set -- socat - TCP:127.0.0.1:"$p" ;;
		sockit) set -- "$SOCKIT" connect 127.0.0.1 "$p" ;;
		esac
		# "second" comes 2 s after the peer's FIN (socat's -t is 0.5 s)
		{ echo first; sleep 2; echo second; } |
		    timeout 10 "$@" >/dev/null 2>&1 || true
		wait_gone "${bg_pids[-1]}"
	done
	[ "$(cat got.nc)" = $'first\nsecond' ]
	[ "$(cat got.ncat)" = $'first\nsecond' ]
	[ "$(cat got.socat)" = first ]
	[ "$(cat got.sockit)" = $'first\nsecond' ]
}

@test "first hour 10: README -e: a child's reply to a client that half-closed: ncat and socat lose it, sockit delivers it" {
	local child='cat >/dev/null; sleep 2; echo reply' tool p
	# OpenBSD nc has no -e
	run nc -l -e cat 127.0.0.1 0
	assert_failure 1
	assert_output --partial "invalid option -- 'e'"
	for tool in ncat socat sockit; do
		p=$(free_port)
		case $tool in
		ncat) set -- ncat -l --sh-exec "$child" 127.0.0.1 "$p" ;;
		socat) set -- socat TCP-LISTEN:"$p",bind=127.0.0.1 \
		    SYSTEM:"$child" ;;
		sockit) set -- "$SOCKIT" listen -c "$child" 127.0.0.1 "$p" ;;
		esac
		timeout 20 "$@" </dev/null >/dev/null 2>&1 3>&- &
		bg_pids+=($!)
		wait_tcp "$p"
		# the client sends its request and half-closes (nc -N)
		printf 'request' | timeout 10 nc -N 127.0.0.1 "$p" \
		    >"got.$tool" || true
	done
	[ ! -s got.ncat ]
	[ ! -s got.socat ]
	[ "$(cat got.sockit)" = reply ]
}

@test "first hour 10: README zero copy: nc, ncat and socat copy every byte; sockit splices" {
	local tool
	strace -f -o /dev/null true || fail "strace cannot trace here"
	# LeakSanitizer cannot run under ptrace (a sanitizer build)
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
	head -c 4M /dev/urandom >file
	for tool in nc ncat socat sockit; do
		ncat_listen --recv-only
		case $tool in
		nc) set -- nc -N 127.0.0.1 "$NPORT" ;;
		ncat) set -- ncat 127.0.0.1 "$NPORT" ;;
		socat) set -- socat -u - TCP:127.0.0.1:"$NPORT" ;;
		sockit) set -- "$SOCKIT" connect 127.0.0.1 "$NPORT" ;;
		esac
		timeout 30 strace -f -qq -o "st.$tool" \
		    -e trace=splice,sendfile,read,write "$@" <file >/dev/null
	done
	for tool in nc ncat socat; do
		run ! grep -qE '^[0-9]+ +(splice|sendfile)\(' "st.$tool"
		grep -qE '^[0-9]+ +read\(0, ' "st.$tool"
	done
	grep -qE '^[0-9]+ +(splice\(0, |sendfile\([0-9]+, 0, )' st.sockit
	run ! grep -qE '^[0-9]+ +read\(0, ' st.sockit
}

@test "first hour 10: README a silent address: nc and ncat wait out -w, socat tries one; sockit races past it" {
	local p start
	unshare -m true || fail "unshare -m (a mount namespace) is not allowed"
	printf '::1 dual.test\n127.0.0.1 dual.test\n' >hosts
	# hold ADDR PORT: a listener whose accept queue is full (SYNs to it
	# are dropped: connect hangs), until killed
	hold() {
		tcp_peer "$T/hold.$2" --host "$1" --port "$2" --backlog 0 \
		    --fill 3 sleep 60
	}
	# elapsed CMD...: runs CMD with dual.test in /etc/hosts; prints its
	# exit status and how many ms it took
	elapsed() {
		unshare -m sh -c 'mount --bind "$1" /etc/hosts && shift &&
		    start=$(date +%s%N) && "$@" </dev/null >/dev/null 2>&1
		    rc=$?; echo "$rc $((($(date +%s%N) - start) / 1000000))"' \
		    _ "$T/hosts" timeout 20 "$@"
	}
	# both listening on port $1
	wait_two() {
		for ((i = 0; i < 50; i++)); do
			(($(ss -Hltn "sport = :$1" | wc -l) >= 2)) && return 0
			sleep 0.1
		done
		return 1
	}
	# ::1 is silent, 127.0.0.1 answers
	p=$(free_port)
	hold ::1 "$p"
	timeout 30 ncat -lk 127.0.0.1 "$p" </dev/null >/dev/null 2>&1 3>&- &
	bg_pids+=($!)
	wait_two "$p"
	read -r rc ms < <(elapsed nc -w 3 dual.test "$p")
	echo "nc: exit $rc after $ms ms"
	[ "$rc" -eq 0 ]
	[ "$ms" -ge 3000 ]
	read -r rc ms < <(elapsed ncat -w 3 dual.test "$p")
	echo "ncat: exit $rc after $ms ms"
	[ "$rc" -eq 0 ]
	[ "$ms" -ge 3000 ]
	read -r rc ms < <(elapsed "$SOCKIT" connect -w 3 dual.test "$p")
	echo "sockit: exit $rc after $ms ms"
	[ "$rc" -eq 0 ]
	[ "$ms" -lt 3000 ]
	# 127.0.0.1 is silent, ::1 answers: socat tries IPv4 alone
	p=$(free_port)
	hold 127.0.0.1 "$p"
	timeout 30 ncat -lk ::1 "$p" </dev/null >/dev/null 2>&1 3>&- &
	bg_pids+=($!)
	wait_two "$p"
	read -r rc ms < <(elapsed socat /dev/null \
	    TCP:dual.test:"$p",connect-timeout=3)
	echo "socat: exit $rc after $ms ms"
	[ "$rc" -eq 1 ]
	[ "$ms" -ge 3000 ]
	read -r rc ms < <(elapsed "$SOCKIT" connect -w 3 dual.test "$p")
	echo "sockit: exit $rc after $ms ms"
	[ "$rc" -eq 0 ]
	[ "$ms" -lt 3000 ]
}

@test "first hour 10: README UDP: nc -u, ncat -u and socat send a datagram per read; sockit all of stdin, or one per line" {
	local tool u
	for tool in nc ncat socat sockit sockit-lines; do
		u=$(free_udp_port)
		timeout 10 "$SOCKIT" udp-recv --json -w 2s 127.0.0.1 "$u" \
		    >"got.$tool" 2>/dev/null 3>&- &
		bg_pids+=($!)
		wait_udp_bound "$u"
		case $tool in
		nc) set -- nc -u -q0 127.0.0.1 "$u" ;;
		ncat) set -- ncat -u 127.0.0.1 "$u" ;;
		socat) set -- socat -u - UDP-SENDTO:127.0.0.1:"$u" ;;
		sockit) set -- "$SOCKIT" udp-send 127.0.0.1 "$u" ;;
		sockit-lines) set -- "$SOCKIT" udp-send --lines 127.0.0.1 "$u" ;;
		esac
		# two writes: two lines at once, then a third line
		{ printf 'a\nb\n'; sleep 0.5; printf 'c\n'; sleep 0.5; } |
		    timeout 10 "$@"
		wait_gone "${bg_pids[-1]}"
	done
	for tool in nc ncat socat; do
		[ "$(jq -c .data "got.$tool" | paste -sd' ')" = '"a\nb\n" "c\n"' ]
	done
	[ "$(jq -c .data got.sockit | paste -sd' ')" = '"a\nb\nc\n"' ]
	[ "$(jq -c .data got.sockit-lines | paste -sd' ')" = '"a" "b" "c"' ]
}

@test "first hour 10: README proxies: SOCKS4 and HTTP for all; SOCKS5 for nc, ncat and sockit, not socat" {
	local tp got
	# the target greets every client
	ncat_listen -k --sh-exec 'echo hello from target'
	microsocks_start
	tp=$(free_port)
	printf 'Port %s\nListen 127.0.0.1\nAllow 127.0.0.1\nTimeout 10\n' \
	    "$tp" >tinyproxy.conf
	timeout 60 tinyproxy -d -c tinyproxy.conf >tinyproxy.log 2>&1 \
	    </dev/null 3>&- &
	bg_pids+=($!)
	wait_tcp "$tp"
	# a SOCKS4 server (none is packaged): grants every CONNECT, logs the
	# request on stdout, and sends "through socks4" itself
	fake_proxy "$T/s4.log" socks4 >"$T/s4.out"
	s4=$PORT
	# through PROXY: each client keeps stdin open 1 s (no half-close)
	through() {
		sleep 1 | timeout 10 "$@" 2>/dev/null
	}
	[ "$(through nc -X 5 -x 127.0.0.1:"$MS_PORT" 127.0.0.1 "$NPORT")" = "hello from target" ]
	[ "$(through nc -X connect -x 127.0.0.1:"$tp" 127.0.0.1 "$NPORT")" = "hello from target" ]
	[ "$(through nc -X 4 -x 127.0.0.1:"$s4" 127.0.0.1 "$NPORT")" = "through socks4" ]
	[ "$(through ncat --proxy 127.0.0.1:"$MS_PORT" --proxy-type socks5 127.0.0.1 "$NPORT")" = "hello from target" ]
	[ "$(through ncat --proxy 127.0.0.1:"$tp" --proxy-type http 127.0.0.1 "$NPORT")" = "hello from target" ]
	[ "$(through ncat --proxy 127.0.0.1:"$s4" --proxy-type socks4 127.0.0.1 "$NPORT")" = "through socks4" ]
	[ "$(through socat - PROXY:127.0.0.1:127.0.0.1:"$NPORT",proxyport="$tp")" = "hello from target" ]
	[ "$(through socat - SOCKS4:127.0.0.1:127.0.0.1:"$NPORT",socksport="$s4")" = "through socks4" ]
	run socat - SOCKS5:127.0.0.1:127.0.0.1:"$NPORT" </dev/null
	assert_failure 1
	assert_output --partial 'unknown device/address "SOCKS5"'
	[ "$(through "$SOCKIT" connect --proxy socks5://127.0.0.1:"$MS_PORT" 127.0.0.1 "$NPORT")" = "hello from target" ]
	[ "$(through "$SOCKIT" connect --proxy http://127.0.0.1:"$tp" 127.0.0.1 "$NPORT")" = "hello from target" ]
	[ "$(through "$SOCKIT" connect --proxy socks4://127.0.0.1:"$s4" 127.0.0.1 "$NPORT")" = "through socks4" ]
	[ "$(grep -c "^vn=4 cd=1 port=$NPORT " "$T/s4.out")" -eq 4 ]
}
