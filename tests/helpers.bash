# Shared by every tests/*.bats: `load helpers` at the top of the file.
#
# Environment: SOCKIT (the binary under test, required), TOP_SRCDIR (the
# source tree: man page, completions; default: the parent of this dir).

if [[ -z ${SOCKIT-} || ! -x $SOCKIT ]]; then
	printf 'helpers: SOCKIT must name the sockit binary (got "%s")\n' \
	    "${SOCKIT-}" >&2
	return 1
fi
export SOCKIT
: "${TOP_SRCDIR:=$(cd "$BATS_TEST_DIRNAME/.." && pwd)}"
export TOP_SRCDIR

bats_require_minimum_version 1.5.0	# run --separate-stderr
BATS_LIB_PATH=${BATS_LIB_PATH:-/usr/lib/bats}:/usr/lib/bats:/usr/local/lib/bats
bats_load_library bats-support
bats_load_library bats-assert

# PIDs of background commands; kill_bg (from teardown) ends them.
bg_pids=()

# Kills every PID in bg_pids and reaps it.  Always succeeds.
kill_bg() {
	local pid
	for pid in "${bg_pids[@]}"; do
		kill "$pid" 2>/dev/null || true
		# a process a test stopped (SIGSTOP) takes SIGTERM when it goes on
		kill -CONT "$pid" 2>/dev/null || true
	done
	for pid in "${bg_pids[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	bg_pids=()
}

# wait_for_listen FILE: waits (at most 5 s) until FILE holds a
# "listening on ADDR PORT" line; sets ADDR and PORT from it.  Fails with a
# message and FILE's contents when the line does not come.
wait_for_listen() {
	local file=$1 i line
	for ((i = 0; i < 50; i++)); do
		line=$(grep -m1 -E '^listening on [^ ]+ [0-9]+$' "$file" \
		    2>/dev/null) && break
		sleep 0.1
	done
	if [[ -z $line ]]; then
		printf 'no "listening on ADDR PORT" line in %s:\n' "$file" >&2
		cat "$file" >&2 2>/dev/null
		return 1
	fi
	read -r _ _ ADDR PORT <<<"$line"
	export ADDR PORT
}

# free_port: prints a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_grep FILE REGEX [COUNT]: waits (at most 5 s) until FILE holds COUNT
# (default 1) lines matching the extended REGEX.  Fails with a message and
# FILE's contents when they do not come.
wait_grep() {
	local file=$1 re=$2 count=${3:-1} i
	for ((i = 0; i < 50; i++)); do
		(($(grep -c -E -- "$re" "$file" 2>/dev/null) >= count)) &&
		    return 0
		sleep 0.1
	done
	printf 'no %s lines matching "%s" in %s:\n' "$count" "$re" "$file" >&2
	cat "$file" >&2 2>/dev/null
	return 1
}

# wait_tcp PORT: waits (at most 5 s) until something listens on TCP PORT
# (any local address); checked with ss, so no connection is used up.
wait_tcp() {
	local port=$1 i
	for ((i = 0; i < 50; i++)); do
		[[ -n $(ss -Hltn "sport = :$port" 2>/dev/null) ]] && return 0
		sleep 0.1
	done
	printf 'nothing listens on TCP port %s\n' "$port" >&2
	return 1
}

# sleeps_1s PID: PID (a process whose name has no space) uses less than
# 20 clock ticks (0.2 s at USER_HZ 100) of CPU over one second: it sleeps,
# not spins.  Prints the ticks.
sleeps_1s() {
	local a b ticks
	read -r -a a </proc/"$1"/stat || return 1
	sleep 1
	read -r -a b </proc/"$1"/stat || return 1
	# utime + stime, fields 14 and 15
	ticks=$(((b[13] + b[14]) - (a[13] + a[14])))
	echo "pid $1: $ticks ticks in 1 s"
	[ "$ticks" -lt 20 ]
}

# wait_gone PID: waits (at most 5 s) until PID has ended; succeeds when it
# has.
wait_gone() {
	local pid=$1 i
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	printf 'process %s still runs\n' "$pid" >&2
	return 1
}

# to_file FILE CMD [ARG...]: runs CMD with its stdout in FILE (for `run`
# when the output is too big for $output).
to_file() {
	local file=$1
	shift
	"$@" >"$file"
}

# sockit_listen LOG [ARG...]: starts `sockit listen ARG...` in the
# background (stdin and stdout as the caller redirects them, stderr to LOG),
# adds it to bg_pids, sets SERVER_PID, and waits for the "listening" event
# (text or JSON) to set ADDR and PORT.  Not for -U (no port).
sockit_listen() {
	local log=$1 i line
	shift
	# <&0: a background command's stdin is /dev/null unless redirected
	"$SOCKIT" listen "$@" <&0 2>"$log" 3>&- &
	SERVER_PID=$!
	bg_pids+=("$SERVER_PID")
	for ((i = 0; i < 50; i++)); do
		line=$(grep -m1 -E '^listening on [^ ]+ [0-9]+$' "$log" \
		    2>/dev/null) && break
		line=$(grep -m1 '"event":"listening"' "$log" 2>/dev/null |
		    jq -r '"listening on \(.address) \(.port)"')
		[[ -n $line ]] && break
		sleep 0.1
	done
	if [[ -z $line ]]; then
		printf 'sockit listen %s: no listening event in %s:\n' \
		    "$*" "$log" >&2
		cat "$log" >&2 2>/dev/null
		return 1
	fi
	read -r _ _ ADDR PORT <<<"$line"
	export ADDR PORT SERVER_PID
}

# The peers of tests/peers/: small python3 programs for the other end
# where no real program does the job.  Each says how it is used at its top.
PEERS=$TOP_SRCDIR/tests/peers

# tcp_peer LOG [OPTION...] [STEP...]: tests/peers/tcp_peer.py in the
# background (stdout as the caller redirects it, stderr to LOG); adds it
# to bg_pids and sets PEER_PID; waits for its "listening on ADDR PORT"
# line and sets ADDR and PORT, PORTS (the ports of several listeners) and
# CLOSED (the ports of --closed).
tcp_peer() {
	local log=$1
	shift
	python3 "$PEERS/tcp_peer.py" "$@" 2>"$log" 3>&- &
	PEER_PID=$!
	bg_pids+=("$PEER_PID")
	wait_for_listen "$log" || return 1
	PORTS=$(sed -n 's/^ports //p' "$log")
	CLOSED=$(sed -n 's/^closed //p' "$log")
}

# udp_peer LOG [--host ADDR] MODE [ARG...]: a server of
# tests/peers/udp_peer.py (recv, echo, hold) in the background, stderr to
# LOG; adds it to bg_pids, sets PEER_PID, waits for its "listening on"
# line and sets PORT (not ADDR: the UDP tests keep sockit's there).
udp_peer() {
	local log=$1
	shift
	python3 "$PEERS/udp_peer.py" "$@" 2>"$log" 3>&- &
	PEER_PID=$!
	bg_pids+=("$PEER_PID")
	wait_grep "$log" '^listening on ' >/dev/null || return 1
	PORT=$(awk '/^listening on /{print $4; exit}' "$log")
}

# fake_proxy LOG KIND [ANSWER...]: tests/peers/fake_proxy.py (a SOCKS5,
# SOCKS4 or HTTP proxy that answers as told) in the background, the
# requests it gets on stdout as the caller redirects it, stderr to LOG;
# adds it to bg_pids and sets PORT.
fake_proxy() {
	local log=$1
	shift
	python3 "$PEERS/fake_proxy.py" "$@" 2>"$log" 3>&- &
	bg_pids+=("$!")
	wait_for_listen "$log"
}

# microsocks_start [-u USER -P PASS]: a microsocks on 127.0.0.1 (60 s at
# most, killed by kill_bg); sets MS_PORT.
microsocks_start() {
	command -v microsocks >/dev/null || fail "microsocks is not installed"
	MS_PORT=$(free_port)
	timeout 60 microsocks -i 127.0.0.1 -p "$MS_PORT" "$@" \
	    >"$T/microsocks.log" 2>&1 </dev/null 3>&- &
	bg_pids+=("$!")
	wait_tcp "$MS_PORT"
}
