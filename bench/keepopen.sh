#!/usr/bin/env bash
# bench/keepopen.sh: a keep-open server under many short clients (issue 8).
#
# Servers on 127.0.0.1, each with stdin a fifo opened read-write (so stdin
# never ends and nothing is ever sent to a client):
#   sockit listen -k      nc -lk      ncat -lk
#   socat -t 0 TCP-LISTEN:P,fork,reuseaddr -
# (socat's default -t 0.5 holds every client 0.5 s after its end of file.)
# An extra row, sockit listen -k --backlog 4096, shows what the listen
# queue's length does to the open loop; another, the floor, is the least a
# server of these clients can do (bench/floor_server.c, built by make bench),
# and one more the least an event loop does (floor_server PORT epoll, in
# both loops).
#
# Every client connects, sends one byte, half-closes and reads until the
# server closes (EOF).  Two loads, from one python3 process each:
#  closed loop: N (2000) clients one after the other -> connections/s;
#  open loop:   N connects fired at once (non-blocking, epoll), each then
#               sends, half-closes and waits for EOF, for at most BOUND
#               (5) seconds -> clients served (EOF or reset) in the bound,
#               served/s, stalls (clients that took over 0.9 s: a SYN or
#               SYN-ACK was dropped and retransmitted after the 1 s RTO),
#               clients still waiting at the bound, and the delta of the
#               kernel's ListenOverflows counter (namespace-wide, so other
#               loopback traffic can add to it).
# Every server runs from the start, each on its port; the closed loops go
# round by round, every server once a round (a slow moment of the machine
# falls on all), the open loops one server at a time.
# Medians of RUNS (3).  Usage: bench/keepopen.sh   Environment: SOCKIT,
# N, BOUND, RUNS.  A missing peer tool is skipped; every process is bounded
# with timeout(1) and killed by PID; loopback only; never in make check.
set -u
SOCKIT=${SOCKIT:-$(dirname "$0")/../src/sockit}
N=${N:-2000}
BOUND=${BOUND:-5}
RUNS=${RUNS:-3}
. "$(dirname "$0")/lib.bash"
ulimit -n "$(ulimit -Hn)" 2>/dev/null

wait_port() {
	local i
	for ((i = 0; i < 100; i++)); do
		python3 -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.2).close()' "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

cat >"$tmp/closed.py" <<'EOF'
# closed loop: PORT N -> "conn/s failures"
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
fail = 0
t0 = time.monotonic()
for i in range(n):
    try:
        s = socket.create_connection(("127.0.0.1", port), 5)
        s.settimeout(5)
        s.sendall(b"x")
        s.shutdown(socket.SHUT_WR)
        while s.recv(4096):
            pass
        s.close()
    except OSError:
        fail += 1
print("%.0f %d" % (n / (time.monotonic() - t0), fail))
EOF

cat >"$tmp/open.py" <<'EOF'
# open loop: PORT N BOUND -> "served served/s stalls unfinished resets overflows"
import errno, select, socket, sys, time
port, n, bound = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])

def overflows():
    lines = open("/proc/net/netstat").read().splitlines()
    for k, v in zip(lines[0::2], lines[1::2]):
        k, v = k.split(), v.split()
        if k[0] == "TcpExt:":
            return int(v[k.index("ListenOverflows")])
    return 0

ov0 = overflows()
ep = select.epoll()
socks, start, state = {}, {}, {}
served = stalls = resets = 0
last = t0 = time.monotonic()

def finish(fd, reset):
    global served, stalls, resets, last
    now = time.monotonic()
    served += 1
    resets += reset
    stalls += (now - start[fd]) > 0.9
    last = now
    ep.unregister(fd)
    socks.pop(fd).close()

for i in range(n):
    s = socket.socket()
    s.setblocking(False)
    e = s.connect_ex(("127.0.0.1", port))
    fd = s.fileno()
    socks[fd], start[fd], state[fd] = s, time.monotonic(), 0
    ep.register(fd, select.EPOLLOUT)
while socks and time.monotonic() - t0 < bound:
    for fd, ev in ep.poll(0.1):
        s = socks[fd]
        if state[fd] == 0:
            if s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                finish(fd, 1)
                continue
            try:
                s.send(b"x")
                s.shutdown(socket.SHUT_WR)
            except OSError:
                finish(fd, 1)
                continue
            state[fd] = 1
            ep.modify(fd, select.EPOLLIN)
        else:
            try:
                if s.recv(4096) == b"":
                    finish(fd, 0)
            except OSError:
                finish(fd, 1)
print("%d %.0f %d %d %d %d" % (served, served / max(last - t0, 1e-6), stalls,
                               len(socks), resets, overflows() - ov0))
EOF

# start_server NAME PORT: in the background, stdin a read-write fifo; sets SPID
start_server() {
	local name=$1 port=$2
	rm -f "$tmp/fifo.$name"
	mkfifo "$tmp/fifo.$name"
	exec 7<>"$tmp/fifo.$name"
	local cmd
	# shellcheck disable=SC2054 # the commas belong to socat's address
	case $name in
	sockit) cmd=("$SOCKIT" listen -k 127.0.0.1 "$port") ;;
	sockit-b4096) cmd=("$SOCKIT" listen -k --backlog 4096 127.0.0.1 "$port") ;;
	nc) cmd=(nc -lk 127.0.0.1 "$port") ;;
	ncat) cmd=(ncat -lk 127.0.0.1 "$port") ;;
	socat) cmd=(socat -t 0 TCP-LISTEN:"$port",bind=127.0.0.1,fork,reuseaddr -) ;;
	floor) cmd=("$floor_server" "$port") ;;
	floor-epoll) cmd=("$floor_server" "$port" epoll) ;;
	esac
	timeout 900 "${cmd[@]}" <&7 >/dev/null 2>&1 &
	SPID=$!
	pids+=("$SPID")
	exec 7>&-
	wait_port "$port"
}

declare -A closed=() cfail=() cpu=() served=() rate=() stalls=() unfin=() resets=() ovf=()
declare -A port=() spid=() srv=() call=() usall=()
tools=()
# the floor: bench/floor_server.c, built here when a C compiler is
have_floor=false
floor_server=$(floor floor_server)
[ -n "$floor_server" ] && have_floor=true
# every server at once, each on its port (idle ones cost nothing)
for t in sockit sockit-b4096 nc ncat socat floor floor-epoll; do
	case $t in
	sockit*) ;;
	floor*) $have_floor || continue ;;
	*) have "$t" || continue ;;
	esac
	port[$t]=$(free_port)
	start_server "$t" "${port[$t]}" || { echo "$t: server did not start" >&2; continue; }
	tools+=("$t")
	spid[$t]=$SPID
	# the server itself (timeout's child): its CPU time, in ns, from
	# schedstat (socat's per-client children are not in it)
	srv[$t]=$(cat "/proc/$SPID/task/$SPID/children" 2>/dev/null)
	srv[$t]=${srv[$t]%% *}
	cfail[$t]=0
done
# closed loop: RUNS rounds, every server once a round, so that a slow
# moment of the machine falls on all of them; medians
for ((i = 0; i < RUNS; i++)); do
	for t in "${tools[@]}"; do
		ns0=$(cut -d' ' -f1 "/proc/${srv[$t]}/schedstat" 2>/dev/null)
		read -r r fl < <(timeout 60 python3 "$tmp/closed.py" "${port[$t]}" "$N")
		ns1=$(cut -d' ' -f1 "/proc/${srv[$t]}/schedstat" 2>/dev/null)
		call[$t]="${call[$t]-} ${r:-0}"
		cfail[$t]=$((cfail[$t] + ${fl:-0}))
		[ -n "$ns0" ] && [ -n "$ns1" ] &&
			usall[$t]="${usall[$t]-} $(awk -v a="$ns0" -v b="$ns1" -v n="$N" 'BEGIN { printf "%.1f", (b - a) / n / 1000 }')"
	done
done
for t in "${tools[@]}"; do
	# shellcheck disable=SC2086 # the lists split on purpose
	closed[$t]=$(printf '%s\n' ${call[$t]} | median)
	if [ "$t" != socat ] && [ -n "${usall[$t]-}" ]; then
		# shellcheck disable=SC2086
		cpu[$t]=$(printf '%s\n' ${usall[$t]} | median)
	fi
done
# open loop: one server at a time under the whole burst
for t in "${tools[@]}"; do
	# the floor serves one client at a time: no open-loop figure
	[ "$t" = floor ] && continue
	a=() b=() s=() u=() z=() o=()
	for ((i = 0; i < RUNS; i++)); do
		sleep 0.5
		read -r v1 v2 v3 v4 v5 v6 < <(timeout $((BOUND + 30)) python3 "$tmp/open.py" "${port[$t]}" "$N" "$BOUND")
		a+=("${v1:-0}") b+=("${v2:-0}") s+=("${v3:-0}") u+=("${v4:-0}") z+=("${v5:-0}") o+=("${v6:-0}")
	done
	served[$t]=$(printf '%s\n' "${a[@]}" | median)
	rate[$t]=$(printf '%s\n' "${b[@]}" | median)
	stalls[$t]=$(printf '%s\n' "${s[@]}" | median)
	unfin[$t]=$(printf '%s\n' "${u[@]}" | median)
	resets[$t]=$(printf '%s\n' "${z[@]}" | median)
	ovf[$t]=$(printf '%s\n' "${o[@]}" | median)
done
for t in "${tools[@]}"; do
	kill "${spid[$t]}" 2>/dev/null
	wait "${spid[$t]}" 2>/dev/null
done

label() {
	case $1 in
	sockit) echo "sockit listen -k" ;;
	sockit-b4096) echo "sockit -k --backlog 4096" ;;
	nc) echo "nc -lk" ;;
	ncat) echo "ncat -lk" ;;
	socat) echo "socat -t 0 fork" ;;
	floor) echo "floor: accept, read, close" ;;
	floor-epoll) echo "floor: the same, epoll" ;;
	esac
}
printf '%-26s %9s %9s %9s %12s %9s\n' "closed loop, $N clients, $(bench_cc)" "conn/s" "sockit/x" "failed" \
	"server us/c" "sockit/x"
for t in "${tools[@]}"; do
	[ -n "${closed[$t]-}" ] || continue
	printf '%-26s %9s %9s %9s %12s %9s\n' "$(label "$t")" "${closed[$t]}" "$(ratio "${closed[sockit]}" "${closed[$t]}")" "${cfail[$t]}" \
		"${cpu[$t]:--}" "$([ -n "${cpu[$t]-}" ] && ratio "${cpu[sockit]-}" "${cpu[$t]}")"
done
echo "server us/c: the server's CPU time per client (schedstat), a figure the"
echo "wake-up latency of the machine does not move; its sockit/x < 1: sockit"
echo "spends less.  socat forks a process per client, not counted: -."
echo "floor: bench/floor_server.c, a blocking accept, reads to EOF and close:"
echo "what any server of these clients pays (sockit/x ~1: nothing left to cut);"
echo "epoll: the least an event loop pays (one accept a wakeup, the client read"
echo "at once, watched only when it has not sent all yet)."
echo
printf '%-26s %7s %8s %9s %7s %7s %7s %9s\n' "open loop, $N at once" "served" "served/s" "sockit/x" \
	"stalls" "waiting" "resets" "overflows"
for t in "${tools[@]}"; do
	[ -n "${served[$t]-}" ] || continue
	printf '%-26s %7s %8s %9s %7s %7s %7s %9s\n' "$(label "$t")" "${served[$t]}" "${rate[$t]}" \
		"$(ratio "${rate[sockit]}" "${rate[$t]}")" "${stalls[$t]}" "${unfin[$t]}" "${resets[$t]}" "${ovf[$t]}"
done
echo "medians of $RUNS runs; served: EOF (or reset) within ${BOUND}s; stalls: clients over 0.9 s"
echo "(a dropped SYN/ACK, retried after 1 s); waiting: no EOF at ${BOUND}s; overflows: kernel"
echo "ListenOverflows delta. Listen backlogs: sockit 128, nc 1, ncat 10, socat 5."
row "keep-open closed loop" conn/s "${closed[sockit]-}" nc "${closed[nc]-}" \
	"${closed[floor]-}" ">= 0.97 x floor"
row "keep-open CPU per client" "us/client" "${cpu[sockit]-}" nc "${cpu[nc]-}" \
	"${cpu[floor]-}" "<= 1.05 x floor"
row "keep-open CPU, epoll floor" "us/client" "${cpu[sockit]-}" nc "${cpu[nc]-}" \
	"${cpu[floor-epoll]-}" "(the event loop's floor)"
row "keep-open open loop" served/s "${rate[sockit]-}" ncat "${rate[ncat]-}" "${rate[floor-epoll]-}" \
	">= 1 x ncat, stalls ${stalls[sockit]-} (target 0)"
exit 0
