# Peers for the UDP tests (tests/udp_*.bats): receivers, senders and echo
# servers on loopback (tests/peers/udp_peer.py).  Each binds port 0 itself
# and says which, so no port is guessed.  Load after helpers.

# wait_file FILE: waits (at most 5 s) until FILE exists and is not empty.
wait_file() {
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -s $1 ]] && return 0
		sleep 0.1
	done
	printf 'wait_file: %s did not appear\n' "$1" >&2
	return 1
}

# wait_pid PID: waits (at most 10 s) for a background PID to end; its
# exit status is the status of this function.
wait_pid() {
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	wait "$1"
}

# free_udp_port [HOST]: prints a UDP port of HOST (127.0.0.1) nobody is
# bound to now (bound to port 0, then closed), for peers that need a port
# number up front (socat, nc) and for a closed port.
free_udp_port() {
	python3 "$PEERS/udp_peer.py" --host "${1:-127.0.0.1}" free-port
}

# wait_udp_bound PORT: waits (at most 5 s) until something is bound to
# UDP PORT.
wait_udp_bound() {
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -n $(ss -Hluan "sport = :$1" 2>/dev/null) ]] && return 0
		sleep 0.1
	done
	printf 'wait_udp_bound: nothing bound to UDP port %s\n' "$1" >&2
	return 1
}

# py_recv DIR [N] [HOST] [SECS]: a receiver (tests/peers/udp_peer.py recv)
# in the background, bound to HOST (127.0.0.1) port 0; writes one line per
# datagram to DIR/dgrams: "HEX ADDRESS PORT TTL" (HEX "-" when empty).
# Ends after N datagrams (0: no limit) or SECS (3) seconds.  Sets PORT
# and PYPID.
py_recv() {
	local dir=$1 n=${2:-0} host=${3:-127.0.0.1} secs=${4:-3}
	: >"$dir/dgrams"
	udp_peer "$dir/recv.log" --host "$host" recv "$dir" "$n" "$secs" &&
	    PYPID=$PEER_PID
}

# py_echo DIR [HOST] [SECS]: an echo server (tests/peers/udp_peer.py echo)
# in the background, bound to HOST (127.0.0.1) port 0, answering each
# datagram with itself for SECS (5) seconds; its stderr in DIR/echo.log.
# Sets PORT.
py_echo() {
	local dir=$1 host=${2:-127.0.0.1} secs=${3:-5}
	udp_peer "$dir/echo.log" --host "$host" echo "$secs"
}

# py_send HOST PORT HEX...: sends each HEX string as one datagram from one
# socket (tests/peers/udp_peer.py send); prints that socket's port.
py_send() {
	python3 "$PEERS/udp_peer.py" send "$@"
}

# hex_of: the bytes of stdin in hex ("-" when empty), as py_recv writes.
hex_of() {
	local h
	h=$(od -An -v -tx1 | tr -d ' \n')
	printf '%s\n' "${h:--}"
}

# start_recv OUT ERR ARGS...: sockit udp-recv ARGS in the background,
# stdout to OUT, stderr to ERR; waits for "listening on ADDR PORT" (ARGS
# should bind port 0; with --json, the JSON event) and sets ADDR, PORT
# and RPID.
start_recv() {
	local out=$1 err=$2
	shift 2
	"$SOCKIT" udp-recv "$@" >"$out" 2>"$err" 3>&- &
	RPID=$!
	bg_pids+=($RPID)
	case " $* " in
	*" --json "* | *" -j "*)	# the event is a JSON object
		wait_file "$err" || return 1
		ADDR=$(head -1 "$err" | jq -er 'select(.event == "listening") | .address') &&
		    PORT=$(head -1 "$err" | jq -er .port) || {
			printf 'no listening event in %s:\n' "$err" >&2
			cat "$err" >&2
			return 1
		}
		export ADDR PORT ;;
	*)
		wait_for_listen "$err" ;;
	esac
}
