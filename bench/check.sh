#!/usr/bin/env bash
# bench/check.sh: port checks on loopback (issue 8).
#
# 1. All 65535 TCP ports of 127.0.0.1, whole process, median of SCAN_RUNS:
#      sockit connect -z -n 127.0.0.1 1-65535 >/dev/null
#      the same on one CPU (taskset -c 0: one poll loop, no workers)
#      nc -z -n 127.0.0.1 1-65535
#      nmap -sT -p- -n -T5 127.0.0.1 >/dev/null
#      the floor scanner (bench/floor_scan.c: one thread per CPU, one
#      non-blocking socket and connect per port, nothing else)
#    Targets: sockit at most 1.3 x the floor scanner's time and 0.3 x
#    nmap -T5's, also of its fastest run.  (nmap's own time is bimodal here, ~0.7 s or ~1.8 s, as
#    it sees "packet drop" and retries or not: hence 5 runs.)
# 2. One -z check of an open port (a python3 accept-and-close server),
#    whole process, with hyperfine -N (no shell) and a warmup: sockit,
#    nc -z, ncat -z, socat -u /dev/null TCP:..., `true` (exec alone) and
#    the floor one-shot check (bench/floor_check.c: exec, one connect,
#    exit).
#    Median ms per check and ratios.
#
# Usage: bench/check.sh   Environment: SOCKIT, SCAN_RUNS (5), CHECKS (500).
# A peer tool that is not installed is skipped.  Loopback only; every
# command is bounded with timeout(1); never part of make check.
set -u
SOCKIT=${SOCKIT:-$(dirname "$0")/../src/sockit}
SCAN_RUNS=${SCAN_RUNS:-5}
CHECKS=${CHECKS:-500}
. "$(dirname "$0")/lib.bash"


# secs CMD...: "wall cpu" seconds of one run of CMD (stdout dropped),
# bounded; cpu is user + system time, from /usr/bin/time when installed.
secs() {
	local t0 t1 cpu=-
	t0=$(date +%s%N)
	if [ -x /usr/bin/time ]; then
		timeout 60 /usr/bin/time -o "$tmp/cpu" -f '%U %S' "$@" >/dev/null 2>&1
		cpu=$(tail -n 1 "$tmp/cpu" | awk '{ printf "%.2f", $1 + $2 }')
	else
		timeout 60 "$@" >/dev/null 2>&1
	fi
	t1=$(date +%s%N)
	awk -v ns=$((t1 - t0)) -v c="$cpu" 'BEGIN { printf "%.3f %s\n", ns / 1e9, c }'
}

# ---- 1. 65535 ports -------------------------------------------------------
# the tools take turns, so that a burst of load elsewhere hits them alike
declare -A scan=() runs=() cpus=() cpu=()
scanners=(sockit)
floor_scan=$(floor floor_scan)
[ -n "$floor_scan" ] && scanners+=(floor)
have taskset && [ "$(nproc)" -gt 1 ] && scanners+=(sockit1)
have nc && scanners+=(nc)
have nmap && scanners+=(nmap)
for ((i = 0; i < SCAN_RUNS; i++)); do
	for t in "${scanners[@]}"; do
		case $t in
		sockit) cmd=("$SOCKIT" connect -z -n 127.0.0.1 1-65535) ;;
		sockit1) cmd=(taskset -c 0 "$SOCKIT" connect -z -n 127.0.0.1 1-65535) ;;
		floor) cmd=("$floor_scan" 1 65535) ;;
		nc) cmd=(nc -z -n 127.0.0.1 1-65535) ;;
		nmap) cmd=(nmap -sT -p- -n -T5 127.0.0.1) ;;
		esac
		read -r w c < <(secs "${cmd[@]}")
		runs[$t]="${runs[$t]-} $w"
		cpus[$t]="${cpus[$t]-} $c"
	done
done
for t in "${scanners[@]}"; do
	runs[$t]=${runs[$t]# }
	scan[$t]=$(printf '%s\n' ${runs[$t]} | median)
	cpu[$t]=$(printf '%s\n' ${cpus[$t]} | median)
done
printf '%-34s %9s %9s %8s  %s\n' "65535-port check, 127.0.0.1 ($(nproc) CPUs)" "seconds" "sockit/x" "cpu s" "runs (s)"
for t in sockit sockit1 floor nc nmap; do
	[ -n "${scan[$t]-}" ] || continue
	case $t in
	sockit) label="sockit connect -z 1-65535" ;;
	sockit1) label="  the same on one CPU" ;;
	floor) label="floor scanner" ;;
	nc) label="nc -z 1-65535" ;;
	nmap) label="nmap -sT -p- -T5" ;;
	esac
	printf '%-34s %9s %9s %8s  %s\n' "$label" "${scan[$t]}" "$(ratio "${scan[sockit]}" "${scan[$t]}")" "${cpu[$t]}" "${runs[$t]}"
done
if [ -n "${scan[nmap]-}" ]; then
	verdict=$(awk -v a="${scan[sockit]}" -v b="${scan[nmap]}" 'BEGIN { print (a <= b * 0.3 ? "met" : "MISSED") }')
	printf 'target sockit <= 0.3 x nmap -T5: %s (%s)\n' "$verdict" \
		"$(awk -v a="${scan[sockit]}" -v b="${scan[nmap]}" 'BEGIN { printf "%.3f", a / b }')"
	# nmap's fastest run: the target holds whichever way nmap goes
	best=$(printf '%s\n' ${runs[nmap]} | sort -g | head -n 1)
	printf 'target sockit <= 0.3 x nmap -T5 fastest (%s s): %s (%s)\n' "$best" \
		"$(awk -v a="${scan[sockit]}" -v b="$best" 'BEGIN { print (a <= b * 0.3 ? "met" : "MISSED") }')" \
		"$(awk -v a="${scan[sockit]}" -v b="$best" 'BEGIN { printf "%.3f", a / b }')"
fi
row "65535-port check" s "${scan[sockit]}" "nmap -T5" "${scan[nmap]-}" \
	"${scan[floor]-}" "<= 1.3 x floor, <= 0.3 x nmap -T5"
row "65535-port check, CPU" "cpu s" "${cpu[sockit]}" "nmap -T5" "${cpu[nmap]-}" \
	"${cpu[floor]-}" ""

# ---- 2. one check, whole process ------------------------------------------
echo
if ! have hyperfine; then
	echo "one -z check: hyperfine not installed, skipped"
	exit 0
fi
port=$(free_port)
# accepts and closes every connection, for at most 300 s
timeout 300 python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(4096)
while True:
    c, _ = s.accept(); c.close()
' "$port" &
pids+=($!)
sleep 0.3

names=(true sockit)
cmds=("true" "$SOCKIT connect -z -n 127.0.0.1 $port")
floor_check=$(floor floor_check)
[ -n "$floor_check" ] && names+=(floor) && cmds+=("$floor_check $port")
have nc && names+=(nc) && cmds+=("nc -z -n 127.0.0.1 $port")
have ncat && names+=(ncat) && cmds+=("ncat -z 127.0.0.1 $port")
have socat && names+=(socat) && cmds+=("socat -u /dev/null TCP:127.0.0.1:$port")
# up to CHECKS runs each, fewer (at least 20) for a command slower than
# 3 s / CHECKS: ncat reads its CA bundle at every start (~150 ms)
timeout 120 hyperfine -N -i --style none --warmup 10 --min-runs 20 \
	--max-runs "$CHECKS" --export-json "$tmp/one.json" "${cmds[@]}" >/dev/null 2>&1
declare -A ms=() nruns=()
if [ -s "$tmp/one.json" ]; then
	i=0
	while read -r med; do
		ms[${names[$i]}]=${med% *}
		nruns[${names[$i]}]=${med#* }
		i=$((i + 1))
	done < <(python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("%.3f %d" % (r["median"] * 1000, len(r["times"])))' "$tmp/one.json")
fi
printf '%-34s %9s %9s %12s %6s\n' "one -z check (open port)" "ms/check" "sockit/x" "over true" "runs"
for t in "${names[@]}"; do
	[ -n "${ms[$t]-}" ] || continue
	case $t in
	true) label="true (exec alone)" ;;
	sockit) label="sockit connect -z" ;;
	floor) label="floor one-shot check" ;;
	nc) label="nc -z" ;;
	ncat) label="ncat -z" ;;
	socat) label="socat -u /dev/null TCP:" ;;
	esac
	printf '%-34s %9s %9s %12s %6s\n' "$label" "${ms[$t]}" "$(ratio "${ms[sockit]}" "${ms[$t]}")" \
		"$(awk -v a="${ms[$t]}" -v b="${ms[true]}" 'BEGIN { printf "%.3f", a - b }')" "${nruns[$t]}"
done
echo "medians by hyperfine -N --warmup 10; sockit/x < 1: sockit is faster"
row "one -z check, whole process" ms "${ms[sockit]-}" nc "${ms[nc]-}" \
	"${ms[floor]-}" "<= 1.15 x floor"
exit 0
