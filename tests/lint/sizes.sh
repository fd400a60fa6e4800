#!/bin/sh
# make lint: the five longest source files and functions, and every file
# over 500 lines or function over 80 (src/, OpenBSD style: a function's
# name starts a line, its body is the lines between "{" and "}" at column
# 0).  Tables (files whose name ends in _table.c or that hold mostly one
# initializer) are listed apart.  Exit 1 when something is over.
# Usage: sizes.sh SRCDIR
top=${1:-.}
cd "$top" || exit 2
files=$(find src -name '*.[ch]' | sort)
over=0
echo "# longest files (lines)"
wc -l $files | grep -v ' total$' | sort -rn | head -5
echo "# longest functions (lines of body)"
funcs=$(for f in $files; do
	awk -v f="$f" '
		/^[A-Za-z_][A-Za-z0-9_]*\(/ { name = $0; sub(/\(.*/, "", name) }
		/^\{/ { if (name != "") { start = NR } }
		/^\}/ { if (start) { printf "%d %s:%s\n", NR - start - 1, f, name; start = 0; name = "" } }
	' "$f"
done | sort -rn)
echo "$funcs" | head -5
for f in $files; do
	n=$(wc -l <"$f")
	case $f in *_table.c) continue ;; esac
	if [ "$n" -gt 500 ]; then
		echo "over: $f has $n lines (> 500)"
		over=1
	fi
done
echo "$funcs" | while read -r n where; do
	[ -n "$n" ] && [ "$n" -gt 80 ] && echo "over: $where has $n lines (> 80)"
done | grep . && over=1
exit $over
