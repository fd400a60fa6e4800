#!/usr/bin/env bash
# A broker under 10 clients, one of them slow: `sockit listen --broker`
# against `ncat -l --broker`.  One client sends MB MiB, eight read them,
# and one never reads at all (a 4 KiB receive buffer).  The figure is what
# the eight readers get: MiB each over the time until the last of them has
# all of it (MB/s), or what they got within BOUND seconds when they do not
# finish (ncat's broker writes to every client in turn, so a client that
# does not read holds up the others).  RUNS rounds, sockit and ncat
# interleaved; medians; sockit/ncat.
#   SOCKIT=path bash bench/broker.sh [MB]    (default 128)
# Knobs: RUNS (3), BOUND (30 s).
set -u
here=$(dirname "$0")
SOCKIT=${SOCKIT:-$here/../src/sockit}
mb=${1:-128}
runs=${RUNS:-3}
bound=${BOUND:-30}
. "$here/lib.bash"

cat >"$tmp/clients.py" <<'PY'
import socket, sys, threading, time
port, mb, bound = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
total = mb << 20
addr = ("127.0.0.1", port)
slow = socket.socket()
slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
slow.connect(addr)
readers = [socket.create_connection(addr) for _ in range(8)]
got = [0] * 8
done = [None] * 8
def read(i):
    s = readers[i]
    s.settimeout(bound + 5)
    try:
        while got[i] < total:
            d = s.recv(1 << 20)
            if not d:
                break
            got[i] += len(d)
    except OSError:
        pass
    if got[i] >= total:
        done[i] = time.monotonic()
time.sleep(0.5)  # every client accepted
sender = socket.create_connection(addr)
t0 = time.monotonic()
ths = [threading.Thread(target=read, args=(i,), daemon=True) for i in range(8)]
for t in ths:
    t.start()
def send():
    buf = b"x" * (1 << 16)
    try:
        for _ in range(total >> 16):
            sender.sendall(buf)
    except OSError:
        pass
threading.Thread(target=send, daemon=True).start()
for t in ths:
    t.join(max(0.0, t0 + bound - time.monotonic()))
if all(done):
    elapsed = max(done) - t0
else:
    elapsed = bound
mbs = sum(got) / 8 / 1e6 / elapsed
print("%.1f %d %.2f" % (mbs, sum(1 for d in done if d), elapsed))
PY

# round NAME CMD: one broker (CMD, with PORT substituted) under the
# clients; prints "MB/s readers-done seconds".
round() {
	local port spid out
	port=$(free_port)
	rm -f "$tmp/in"
	mkfifo "$tmp/in"
	bash -c "exec ${2//PORT/$port}" <>"$tmp/in" >/dev/null 2>&1 &
	spid=$!
	pids+=("$spid")
	for _ in $(seq 50); do
		ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && break
		sleep 0.1
	done
	out=$(timeout $((bound + 30)) python3 "$tmp/clients.py" "$port" "$mb" "$bound")
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	echo "${out:-0 0 $bound}"
}

declare -A cmd=(
	[sockit]="$SOCKIT listen --broker 127.0.0.1 PORT"
	[ncat]="ncat -l --broker 127.0.0.1 PORT"
)
tools=(sockit)
have ncat && tools+=(ncat)
for ((r = 1; r <= runs; r++)); do
	for t in "${tools[@]}"; do
		round "$t" "${cmd[$t]}" >>"$tmp/$t.rounds"
	done
done

printf '%-44s %8s %8s %8s %8s\n' "broker, ${mb} MiB to 8 readers, 1 slow client" \
    "MB/s" "done" "s" "sockit/x"
for t in "${tools[@]}"; do
	m=$(awk '{print $1}' "$tmp/$t.rounds" | median)
	d=$(awk '{print $2}' "$tmp/$t.rounds" | median)
	s=$(awk '{print $3}' "$tmp/$t.rounds" | median)
	[ "$t" = sockit ] && ms=$m
	printf '%-44s %8s %8s %8s %8s\n' "$t" "$m" "$d/8" "$s" \
	    "$(ratio "$ms" "$m")"
done
summary "broker, 1 slow of 10 clients (MB/s)" "$ms" \
    "ncat: $(ratio "$ms" "$(awk '{print $1}' "$tmp/ncat.rounds" 2>/dev/null | median)")"
