#!/usr/bin/env bash
# bench/idle.sh: many idle clients held by one `sockit listen -k` (issue 8).
#
# One sockit -v listen -k server on 127.0.0.1 (stdin a fifo opened
# read-write, so nothing is ever sent); one python3 process opens N
# (10000) TCP connections to it, one after the other, and holds them idle.
# Reports how many the server accepted (its `accepted` events) and holds
# (sockets in /proc/PID/fd), its RSS before the clients and with all of
# them held -> bytes of RSS per client, and its RSS after they closed.
# Then what the held clients cost a busy one: one more client uploads MB
# (500) MiB, alone before the idle ones come and again while all are held
# (MB/s, client to server's stdout, /dev/null).
# Median of RUNS (3).  The server runs with --backlog BACKLOG (4096): with
# the default of 128 the client, which connects faster than the server
# accepts, overflows the listen queue, and every dropped SYN costs 1 s
# (about 75 s to open 10000 on a loaded 2-core machine).  `ulimit -n` is
# raised to 30000 or 1.1 x N (past the hard limit with CAP_SYS_RESOURCE)
# for the server and the client; the clients come from 127.0.1.1, 127.0.1.2, ...
# (a new one every 30000), and in bench/run's namespace every port from
# 1024 up is theirs: N=100000 holds a hundred thousand.
#
# Usage: bench/idle.sh   Environment: SOCKIT, N, RUNS.  Every process is
# bounded with timeout(1) and killed by PID; loopback only; never part of
# make check.
set -u
SOCKIT=${SOCKIT:-$(dirname "$0")/../src/sockit}
N=${N:-10000}
RUNS=${RUNS:-3}
MB=${MB:-500}
BACKLOG=${BACKLOG:-4096}
. "$(dirname "$0")/lib.bash"

want=$((N * 11 / 10 + 1000))
[ "$want" -lt 30000 ] && want=30000
# with CAP_SYS_RESOURCE, the hard limit rises too (up to fs.nr_open)
ulimit -n "$want" 2>/dev/null || {
	hard=$(ulimit -Hn)
	[ "$hard" != unlimited ] && [ "$hard" -lt "$want" ] && want=$hard
	ulimit -n "$want" 2>/dev/null
}
# in a network namespace of bench/run's: every local port for the clients
[ -n "${BENCH_NETNS-}" ] &&
	sysctl -qw net.ipv4.ip_local_port_range="1024 65535" 2>/dev/null
nofile=$(ulimit -n)
if [ "$nofile" != unlimited ] && [ "$nofile" -lt $((N + 100)) ]; then
	echo "bench/idle.sh: ulimit -n is $nofile, under N=$N + 100; skipped"
	exit 0
fi

# with two CPUs or more, the server on the first and the busy client on
# the second, alone and among the held ones alike: where the scheduler
# puts them moved a run's MB/s by 2 x (4.5 or 8.5 GB/s here, either way)
on_server= on_client=
if command -v taskset >/dev/null && [ "$(nproc)" -ge 2 ]; then
	on_server="taskset -c 0" on_client="taskset -c 1"
fi

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
sockets() { find "/proc/$1/fd" -lname 'socket:*' 2>/dev/null | wc -l; }
# until: wait up to SECS (0.1 s steps) for CMD to succeed
until_ok() {
	local secs=$1 i
	shift
	for ((i = 0; i < secs * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# events_at_least WORD COUNT: the server reported WORD COUNT times or more
events_at_least() { [ "$(grep -c "^$1 " "$tmp/err")" -ge "$2" ]; }

cat >"$tmp/hold.py" <<'EOF'
# PORT N READY: open N connections, write "opened failed seconds" to READY,
# then hold them until killed (or 120 s).
import socket, sys, time
port, n, ready = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
held, failed = [], 0
t0 = time.monotonic()
for i in range(n):
    try:
        # a new source address every 30000 clients: past the ephemeral
        # ports of one (127.0.0.0/8 is all loopback)
        held.append(socket.create_connection(("127.0.0.1", port), 10,
                    ("127.0.1.%d" % (1 + i // 30000), 0)))
    except OSError:
        failed += 1
with open(ready + ".tmp", "w") as f:
    f.write("%d %d %.2f\n" % (len(held), failed, time.monotonic() - t0))
import os
os.rename(ready + ".tmp", ready)
time.sleep(120)
EOF

cat >"$tmp/busy.py" <<'EOF'
# PORT MB: sends MB MiB, half-closes, waits for the server's close -> MB/s
import socket, sys, time
port, mb = int(sys.argv[1]), int(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port), 10)
buf = b"x" * (1 << 20)
t0 = time.monotonic()
for i in range(mb):
    s.sendall(buf)
s.shutdown(socket.SHUT_WR)
s.settimeout(30)
s.recv(1)
print("%.0f" % (mb * 1048576 / 1e6 / (time.monotonic() - t0)))
EOF

# one_run: prints "accepted sockets before_kib held_kib after_kib busy_alone
# busy_held opened failed secs"
one_run() {
	local port tpid spid cpid before held after acc socks r alone busy
	port=$(free_port)
	rm -f "$tmp/fifo" "$tmp/ready" "$tmp/err"
	mkfifo "$tmp/fifo"
	exec 7<>"$tmp/fifo"
	timeout 120 $on_server "$SOCKIT" -v listen -k --backlog "$BACKLOG" 127.0.0.1 "$port" <&7 >/dev/null 2>"$tmp/err" &
	tpid=$!
	pids+=("$tpid")
	exec 7>&-
	until_ok 5 grep -q '^listening on' "$tmp/err" || { echo "0 0 0 0 0 0 0 0 $N 0"; return; }
	spid=$(pgrep -P "$tpid" | head -n 1)
	sleep 0.2
	before=$(rss_kib "$spid")
	# a first client warms the server up (its first one ran 5.5-5.9 GB/s
	# where the next ran 8.5-9: the allocator's first chunks, the fresh
	# namespace's first connection), so that alone and held compare alike
	timeout 120 $on_client python3 "$tmp/busy.py" "$port" $((MB / 5 + 1)) >/dev/null
	alone=$(timeout 120 $on_client python3 "$tmp/busy.py" "$port" "$MB")
	timeout 120 python3 "$tmp/hold.py" "$port" "$N" "$tmp/ready" </dev/null &
	cpid=$!
	pids+=("$cpid")
	until_ok 100 test -s "$tmp/ready"
	until_ok 20 events_at_least accepted $((N + 1))
	sleep 0.5
	acc=$(($(grep -c "^accepted" "$tmp/err") - 2))	# not the busy one, nor the warm-up
	socks=$(sockets "$spid")
	held=$(rss_kib "$spid")
	busy=$(timeout 120 $on_client python3 "$tmp/busy.py" "$port" "$MB")
	kill "$cpid" 2>/dev/null	# the client ends: its connections close
	wait "$cpid" 2>/dev/null
	until_ok 20 events_at_least closed $((acc + 2))
	after=$(rss_kib "$spid")
	read -r r <"$tmp/ready" 2>/dev/null
	kill "$tpid" 2>/dev/null
	wait "$tpid" 2>/dev/null
	echo "$acc $socks ${before:-0} ${held:-0} ${after:-0} ${alone:-0} ${busy:-0} ${r:-0 $N 0}"
}

rows=()
for ((k = 0; k < RUNS; k++)); do
	rows+=("$(one_run)")
done
col() { printf '%s\n' "${rows[@]}" | awk -v c="$1" '{ print $c }' | median; }
acc=$(col 1) socks=$(col 2) before=$(col 3) held=$(col 4) after=$(col 5)
alone=$(col 6) busy=$(col 7) opened=$(col 8) failed=$(col 9) secs=$(col 10)
per=$(printf '%s\n' "${rows[@]}" | awk '{ print ($1 > 0 ? ($4 - $3) * 1024 / $1 : 0) }' | median)
printf '%-36s %s\n' "idle clients, one sockit listen -k" "(--backlog $BACKLOG, ulimit -n $nofile, median of $RUNS)"
printf '%-36s %s\n' "clients opened (failed)" "$opened ($failed) in ${secs}s"
printf '%-36s %s\n' "accepted events (-v)" "$acc"
printf '%-36s %s\n' "sockets held (/proc/PID/fd)" "$socks  (the listener is one)"
printf '%-36s %s\n' "server RSS before, KiB" "$before"
printf '%-36s %s\n' "server RSS, all held, KiB" "$held"
printf '%-36s %s\n' "server RSS after they closed, KiB" "$after"
printf '%-36s %.0f\n' "RSS per idle client, bytes" "$per"
printf '%-36s %s\n' "one busy client, alone, MB/s" "$alone"
printf '%-36s %s  (x alone %s)\n' "one busy client, $N held, MB/s" "$busy" "$(ratio "$busy" "$alone")"
echo "runs (accepted sockets before held after alone busy opened failed secs):"
printf '  %s\n' "${rows[@]}"
verdict=$(awk -v a="$acc" -v n="$N" 'BEGIN { print (a >= n ? "all accepted" : "NOT all accepted") }')
echo "$N clients: $verdict"
row "idle memory, $acc/$N held" B/client "$(printf '%.0f' "$per")" "" "" "" \
	"<= 1024 B ($verdict)"
row "busy client among $N idle" MB/s "$busy" alone "$alone" "" ">= 0.9 x alone"
exit 0
