# Peers for the UDP tests (tests/udp_*.bats): python3 receivers, senders
# and echo servers on loopback.  Each binds port 0 itself and writes the
# port to a file, so no port is guessed.  Load after helpers.

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
	python3 -c 'import socket, sys
h = sys.argv[1]
s = socket.socket(socket.AF_INET6 if ":" in h else socket.AF_INET,
    socket.SOCK_DGRAM)
s.bind((h, 0)); print(s.getsockname()[1])' "${1:-127.0.0.1}"
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

# py_recv DIR [N] [HOST] [SECS]: a python3 receiver in the background,
# bound to HOST (127.0.0.1) port 0; writes DIR/port, then one line per
# datagram to DIR/dgrams: "HEX ADDRESS PORT TTL" (HEX "-" when empty).
# Ends after N datagrams (0: no limit) or SECS (3) seconds.  Sets PORT.
py_recv() {
	local dir=$1 n=${2:-0} host=${3:-127.0.0.1} secs=${4:-3}
	: >"$dir/dgrams"
	python3 - "$dir" "$n" "$host" "$secs" 3>&- <<-'PY' &
	import socket, sys, time
	d, n, host, secs = sys.argv[1], int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
	v6 = ":" in host
	s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
	s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
	if v6:
	    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
	else:
	    s.setsockopt(socket.IPPROTO_IP, 12, 1)  # IP_RECVTTL
	s.bind((host, 0))
	with open(d + "/port.tmp", "w") as f:
	    f.write("%d\n" % s.getsockname()[1])
	import os
	os.rename(d + "/port.tmp", d + "/port")
	end = time.time() + secs
	got = 0
	with open(d + "/dgrams", "w") as out:
	    while n == 0 or got < n:
	        left = end - time.time()
	        if left <= 0:
	            break
	        s.settimeout(left)
	        try:
	            data, anc, _, a = s.recvmsg(70000, 256)
	        except socket.timeout:
	            break
	        ttl = "-"
	        for lvl, typ, val in anc:
	            ttl = str(int.from_bytes(val[:4], sys.byteorder))
	        out.write("%s %s %d %s\n" % (data.hex() or "-", a[0], a[1], ttl))
	        out.flush()
	        got += 1
	PY
	bg_pids+=($!)
	PYPID=$!
	wait_file "$dir/port" || return 1
	PORT=$(<"$dir/port")
}

# py_echo DIR [HOST] [SECS]: a python3 echo server in the background,
# bound to HOST (127.0.0.1) port 0, answering each datagram with itself
# for SECS (5) seconds; writes DIR/port and sets PORT.
py_echo() {
	local dir=$1 host=${2:-127.0.0.1} secs=${3:-5}
	python3 - "$dir" "$host" "$secs" 3>&- <<-'PY' &
	import os, socket, sys, time
	d, host, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
	s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
	s.bind((host, 0))
	with open(d + "/port.tmp", "w") as f:
	    f.write("%d\n" % s.getsockname()[1])
	os.rename(d + "/port.tmp", d + "/port")
	end = time.time() + secs
	while time.time() < end:
	    s.settimeout(max(end - time.time(), 0.01))
	    try:
	        data, a = s.recvfrom(70000)
	    except socket.timeout:
	        break
	    s.sendto(data, a)
	PY
	bg_pids+=($!)
	wait_file "$dir/port" || return 1
	PORT=$(<"$dir/port")
}

# py_send HOST PORT HEX...: sends each HEX string as one datagram from one
# python3 socket; prints that socket's port.
py_send() {
	python3 - "$@" <<-'PY'
	import socket, sys
	host, port = sys.argv[1], int(sys.argv[2])
	s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_DGRAM)
	for h in sys.argv[3:]:
	    s.sendto(bytes.fromhex(h), (host, port))
	print(s.getsockname()[1])
	PY
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
