#!/usr/bin/env bash
# bench/resolve.sh: one name resolution, whole process (issue 8).
#
#   sockit resolve localhost  vs  getent ahosts localhost, getent hosts localhost
# and `true` as the floor (what starting any process costs), with
# hyperfine -N (no shell) and a warmup; up to RUNS (500) runs each.
# Prints median ms, sockit's ratio and the time over the floor.
#
# Usage: bench/resolve.sh [NAME]   (default localhost)   Environment:
# SOCKIT, RUNS.  Bounded with timeout(1); no network beyond what NAME's
# resolution needs (localhost: /etc/hosts); never part of make check.
set -u
SOCKIT=${SOCKIT:-$(dirname "$0")/../src/sockit}
name=${1:-localhost}
RUNS=${RUNS:-500}
. "$(dirname "$0")/lib.bash"

if ! have hyperfine; then
	echo "bench/resolve.sh: hyperfine not installed, skipped"
	exit 0
fi
# getent hosts NAME calls gethostbyname2(AF_INET6) first: with no ::1 line
# in /etc/hosts that is a DNS query (AAAA) to the configured nameserver,
# retried after 5 s when a reply is lost.  It gets at most GETENT_RUNS
# (100) runs; getent ahosts NAME makes sockit's own call, getaddrinfo with
# AF_UNSPEC, which /etc/hosts answers for localhost.
labels=("true (floor)" "sockit resolve $name")
cmds=("true" "$SOCKIT resolve $name")
have getent && labels+=("getent ahosts $name") && cmds+=("getent ahosts $name")
timeout 100 hyperfine -N -i --style none --warmup 20 --min-runs 20 --max-runs "$RUNS" \
	--export-json "$tmp/r.json" "${cmds[@]}" >/dev/null 2>&1
if have getent; then
	labels+=("getent hosts $name")
	timeout 100 hyperfine -N -i --style none --warmup 5 --min-runs 20 --max-runs "${GETENT_RUNS:-100}" \
		--export-json "$tmp/g.json" "getent hosts $name" >/dev/null 2>&1
fi
ms=() n=()
for j in "$tmp/r.json" "$tmp/g.json"; do
	[ -s "$j" ] || continue
	while read -r m c; do
		ms+=("$m") n+=("$c")
	done < <(python3 -c '
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print("%.3f %d" % (r["median"] * 1000, len(r["times"])))' "$j")
done
if [ "${#ms[@]}" -lt 2 ]; then
	echo "bench/resolve.sh: hyperfine failed"
	exit 0
fi
printf '%-30s %9s %9s %11s %6s\n' "resolve, whole process" "ms" "sockit/x" "over floor" "runs"
for i in "${!ms[@]}"; do
	printf '%-30s %9s %9s %11s %6s\n' "${labels[$i]}" "${ms[$i]}" "$(ratio "${ms[1]}" "${ms[$i]}")" \
		"$(awk -v a="${ms[$i]}" -v b="${ms[0]}" 'BEGIN { printf "%.3f", a - b }')" "${n[$i]}"
done
echo "medians by hyperfine -N --warmup 20; sockit/x < 1: sockit is faster"
summary "resolve $name (ms)" "${ms[1]}" "x getent ahosts $(ratio "${ms[1]}" "${ms[2]-}"), x getent hosts $(ratio "${ms[1]}" "${ms[3]-}"), floor ${ms[0]}"
exit 0
