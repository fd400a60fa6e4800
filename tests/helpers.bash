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
