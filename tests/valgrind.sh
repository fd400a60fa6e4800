#!/usr/bin/env bash
# Runs a representative set of sockit commands under valgrind (memcheck)
# and prints one TAP line per case: "ok N - ..." when the command ended as
# expected with no memory error and no definite leak, else "not ok N - ..."
# with valgrind's report.  Exits 1 when a case failed.  `make
# check-valgrind` runs it against the build; CI too.
#
# Environment: SOCKIT (the binary; an ASan build cannot run under
# valgrind), VALGRIND (valgrind).  Loopback only; every wait is bounded.
set -u
: "${SOCKIT:?SOCKIT must name the sockit binary}"
VALGRIND=${VALGRIND:-valgrind}
if ! command -v "$VALGRIND" >/dev/null 2>&1; then
	echo "1..0 # SKIP valgrind is not installed"
	exit 0
fi
D=$(mktemp -d "${TMPDIR:-/tmp}/sockit-valgrind.XXXXXX") || exit 1
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	rm -rf "$D"
}
trap cleanup EXIT

n=0 failed=0
vgopts=(--leak-check=full --errors-for-leak-kinds=definite
    --show-leak-kinds=definite --error-exitcode=99)
# vg NAME ARG...: sockit ARG... under valgrind, its report in $D/NAME.vg.
vg() {
	local name=$1
	shift
	"$VALGRIND" "${vgopts[@]}" --log-file="$D/$name.vg" "$SOCKIT" "$@"
}
# vg_bg NAME ARG...: as vg, in the background; BGPID is valgrind's PID.
vg_bg() {
	local name=$1
	shift
	"$VALGRIND" "${vgopts[@]}" --log-file="$D/$name.vg" "$SOCKIT" "$@" &
	BGPID=$!
	pids+=("$BGPID")
}

# result NAME STATUS WANT [WHY]: one TAP line for case NAME, which ended
# with STATUS and should have ended with WANT ("signal": killed by us);
# WHY, when not empty, is a failed check of the output.
result() {
	local name=$1 status=$2 want=$3 why=${4-} bad=
	n=$((n + 1))
	if [[ $want == signal ]]; then
		((status > 128)) || bad="exit $status, not killed"
	elif [[ $status != "$want" ]]; then
		bad="exit $status, want $want"
	fi
	grep -q 'ERROR SUMMARY: 0 errors' "$D/$name.vg" 2>/dev/null ||
	    bad="${bad:+$bad; }valgrind found errors"
	[[ -n $why ]] && bad="${bad:+$bad; }$why"
	if [[ -z $bad ]]; then
		echo "ok $n - $name"
	else
		echo "not ok $n - $name: $bad"
		sed 's/^/# /' "$D/$name.vg" 2>/dev/null | head -60
		failed=$((failed + 1))
	fi
}

# listening FILE: waits (at most 20 s: valgrind starts slowly) for the
# "listening on ADDR PORT" line in FILE; sets PORT.
listening() {
	local i line
	for ((i = 0; i < 200; i++)); do
		line=$(grep -m1 -E '^listening on [^ ]+ [0-9]+$' "$1" \
		    2>/dev/null) && break
		sleep 0.1
	done
	[[ -n $line ]] || { echo "# no listening line in $1"; return 1; }
	read -r _ _ _ PORT <<<"$line"
}

# wait_end PID: waits (at most 30 s) for PID; its status is STATUS.
wait_end() {
	local i
	for ((i = 0; i < 300; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill "$1" 2>/dev/null
	wait "$1"
	STATUS=$?
}

# resolve
vg resolve-localhost resolve localhost >"$D/out" 2>&1
result resolve-localhost $? 0 "$(grep -q 127.0.0.1 "$D/out" || echo "no 127.0.0.1")"
vg resolve-invalid resolve x.invalid >"$D/out" 2>&1
result resolve-invalid $? 3
vg resolve-json resolve -j localhost >"$D/out" 2>&1
result resolve-json $? 0 "$(grep -q '"address":"127.0.0.1"' "$D/out" || echo "no JSON address")"

# listen and connect relay a file, both under valgrind
head -c 100000 /dev/urandom >"$D/file"
vg_bg relay-listen listen 127.0.0.1 0 </dev/null >"$D/got" 2>"$D/lerr"
lpid=$BGPID
if listening "$D/lerr"; then
	vg relay-connect connect 127.0.0.1 "$PORT" <"$D/file" >/dev/null 2>"$D/cerr"
	cstatus=$?
	wait_end "$lpid"
	result relay-connect "$cstatus" 0
	result relay-listen "$STATUS" 0 "$(cmp -s "$D/file" "$D/got" || echo "the file arrived changed")"
else
	result relay-connect 1 0 "no listener"
	result relay-listen 1 0 "no listening line"
fi

# listen -k with two clients at once, ended by SIGTERM (sockit has no
# handler: valgrind still checks, and what the server holds then is
# reachable, not lost)
vg_bg listen-k listen -k 127.0.0.1 0 </dev/null >"$D/got" 2>"$D/lerr"
lpid=$BGPID
if listening "$D/lerr"; then
	{ echo one; sleep 1; } | "$SOCKIT" connect 127.0.0.1 "$PORT" >/dev/null 2>&1 &
	c1=$!
	{ echo two; sleep 1; } | "$SOCKIT" connect 127.0.0.1 "$PORT" >/dev/null 2>&1 &
	c2=$!
	wait "$c1" "$c2"
	for ((i = 0; i < 100; i++)); do
		[[ $(grep -c -E '^(one|two)$' "$D/got") -ge 2 ]] && break
		sleep 0.1
	done
	kill "$lpid"	# valgrind passes SIGTERM on, then reports
	wait_end "$lpid"
	result listen-k "$STATUS" signal "$( [[ $(sort "$D/got" | tr '\n' ' ') == "one two " ]] || echo "got: $(tr '\n' ' ' <"$D/got")")"
else
	result listen-k 1 signal "no listening line"
fi

# udp-send to udp-recv --count, both under valgrind
vg_bg udp-recv udp-recv --count 3 127.0.0.1 0 >"$D/got" 2>"$D/rerr"
rpid=$BGPID
if listening "$D/rerr"; then
	vg udp-send udp-send --count 3 127.0.0.1 "$PORT" hello >/dev/null 2>&1
	result udp-send $? 0
	wait_end "$rpid"
	result udp-recv "$STATUS" 0 "$( [[ $(<"$D/got") == hellohellohello ]] || echo "got: $(<"$D/got")")"
else
	result udp-send 1 0 "no receiver"
	result udp-recv 1 0 "no listening line"
fi

# sockopt on a fresh socket, and on one connected to a listener
vg sockopt sockopt SO_RCVBUF=64K TCP_NODELAY=on SO_RCVTIMEO=1.5 IP_TOS=af41 \
    SO_LINGER=off TCP_CONGESTION >"$D/out" 2>&1
result sockopt $? 0 "$(grep -q '^TCP_NODELAY *on' "$D/out" || echo "no TCP_NODELAY on")"
"$SOCKIT" listen 127.0.0.1 0 </dev/null >/dev/null 2>"$D/lerr" &
lpid=$!
pids+=("$lpid")
if listening "$D/lerr"; then
	vg sockopt-connect sockopt -j --connect "127.0.0.1:$PORT" TCP_INFO \
	    SO_RCVBUF TCP_NODELAY=on >"$D/out" 2>&1
	result sockopt-connect $? 0 "$(grep -q '"name":"TCP_INFO".*"state":' "$D/out" || echo "no TCP_INFO state: $(grep -v '^==' "$D/out" | head -c 300)")"
	wait_end "$lpid"
else
	result sockopt-connect 1 0 "no listener"
fi

# connect -z: an open port and a closed one (exit 1: not all open)
"$SOCKIT" listen 127.0.0.1 0 </dev/null >/dev/null 2>"$D/lerr" &
lpid=$!
pids+=("$lpid")
if listening "$D/lerr"; then
	closed=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	vg connect-z connect -z 127.0.0.1 "$PORT,$closed" >"$D/out" 2>&1
	result connect-z $? 1 "$( [[ $(grep -c -E ' (open|closed) ' "$D/out") -eq 2 ]] || echo "got: $(tr '\n' ' ' <"$D/out")")"
	kill "$lpid" 2>/dev/null
else
	result connect-z 1 1 "no listener"
fi

echo "1..$n"
[[ $failed -eq 0 ]]
