#!/bin/sh
# Builds the libFuzzer targets of fuzz/ with clang and runs each for a
# while; called by `make fuzz` (FUZZ_SECONDS, FUZZ_CC).  Prints one line
# per target, "ok N fuzz_NAME: ..." or "not ok N fuzz_NAME: ...", and
# exits 1 when a target could not be built or crashed.
#
# Usage: run.sh TARGET... -- SOURCE...
#   TARGETs are the NAMEs of fuzz/fuzz_NAME.c; SOURCEs are the library's
#   sources relative to srcdir (headers are skipped, compat/X.o is
#   compat/X.c).  Environment: srcdir, builddir (absolute), SECONDS_EACH,
#   CC (clang), CPPFLAGS and LIBS as configure found them; FUZZ_BUILDDIR
#   (builddir/fuzz-build) holds the objects, the targets, their logs and
#   any crash-* input.  The seed corpus fuzz/corpus/NAME is copied to a
#   temporary directory first, so the corpus in the source tree never
#   grows.
set -u
: "${srcdir:?}" "${builddir:?}" "${SECONDS_EACH:=60}" "${CC:=clang}"
: "${CPPFLAGS:=}" "${LIBS:=}"
out=${FUZZ_BUILDDIR:-$builddir/fuzz-build}

targets=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	targets="$targets $1"
	shift
done
[ $# -gt 0 ] && shift

san='-fsanitize=address,undefined -fno-sanitize-recover=undefined'
cflags="-g -O1 -fno-omit-frame-pointer $san"
cppflags="-DHAVE_CONFIG_H -I$builddir -I$srcdir/src -I$srcdir/compat $CPPFLAGS"

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "fuzz: $CC not found (libFuzzer needs clang)"
	echo "not ok 1 fuzz: no compiler"
	exit 1
fi

# The two libraries, every object built with -fsanitize=fuzzer-no-link
# (coverage for libFuzzer) and the sanitizers.
rm -rf "$out/src"
mkdir -p "$out/src/sock" "$out/compat" || exit 1
sock_objs='' sockit_objs='' jobs=''
for src in "$@"; do
	case $src in
	*.o) src=${src%.o}.c ;;
	*.c) ;;
	*) continue ;;
	esac
	obj=$out/${src%.c}.o
	case $src in
	src/sock/* | compat/*) sock_objs="$sock_objs $obj" ;;
	*) sockit_objs="$sockit_objs $obj" ;;
	esac
	jobs="$jobs $src"
done
echo "fuzz: building the libraries with $CC in $out"
# shellcheck disable=SC2086
printf '%s\n' $jobs | xargs -P "$(nproc 2>/dev/null || echo 2)" -I{} sh -c \
    'f={}; exec "$0" $1 $2 -fsanitize=fuzzer-no-link -c "$3/$f" -o "$4/${f%.c}.o"' \
    "$CC" "$cppflags" "$cflags" "$srcdir" "$out" || {
	echo "not ok 1 fuzz: the libraries do not build"
	exit 1
}
# shellcheck disable=SC2086
ar rcs "$out/src/sock/libsock.a" $sock_objs &&
    ar rcs "$out/src/libsockit.a" $sockit_objs || exit 1

n=0 failed=0
for t in $targets; do
	n=$((n + 1))
	bin=$out/fuzz_$t
	log=$out/fuzz_$t.log
	# shellcheck disable=SC2086
	if ! "$CC" $cppflags -I"$srcdir/fuzz" $cflags -fsanitize=fuzzer \
	    "$srcdir/fuzz/fuzz_$t.c" "$out/src/libsockit.a" \
	    "$out/src/sock/libsock.a" $LIBS -o "$bin" >"$log" 2>&1; then
		echo "not ok $n fuzz_$t: does not build"
		sed 's/^/# /' "$log" | head -20
		failed=$((failed + 1))
		continue
	fi
	corpus=$(mktemp -d "${TMPDIR:-/tmp}/sockit-fuzz-$t.XXXXXX") || exit 1
	seeds=0
	if [ -d "$srcdir/fuzz/corpus/$t" ]; then
		cp "$srcdir/fuzz/corpus/$t"/* "$corpus"/ 2>/dev/null
		seeds=$(ls "$srcdir/fuzz/corpus/$t" | wc -l)
	fi
	rm -f "$out/crash-$t-"*
	"$bin" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$out/crash-$t-" \
	    "$corpus" >>"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	files=$(ls "$corpus" | wc -l)
	rm -rf "$corpus"
	summary="${execs:-?} runs in ${SECONDS_EACH} s (${rate:-?}/s), corpus $seeds -> $files files"
	if [ "$rc" -eq 0 ]; then
		echo "ok $n fuzz_$t: $summary"
	else
		echo "not ok $n fuzz_$t: exit $rc; $summary"
		grep -E 'ERROR|SUMMARY|fuzz check failed|runtime error|#[0-9]+ 0x' \
		    "$log" | head -25 | sed 's/^/# /'
		ls "$out/crash-$t-"* 2>/dev/null | sed 's/^/# input: /'
		failed=$((failed + 1))
	fi
done
echo "1..$n"
[ "$failed" -eq 0 ]
