#!/usr/bin/env bats
# The option table (`sockit --list-options`), `--help`, man/sockit.1 and
# the shell completions agree.  Everything is driven by --list-options: a
# new mode or option needs no edit here.

load helpers

setup() {
	PATH="$(cd "$(dirname "$SOCKIT")" && pwd):$PATH"
	MAN=$TOP_SRCDIR/man/sockit.1
	COMP=$TOP_SRCDIR/completions
}

# The modes, one per line, in table order.
list_modes() {
	"$SOCKIT" --list-options | cut -f1 | awk '!seen[$0]++'
}

# The options (-x and --long) of mode $1, one per line.
mode_opts() {
	"$SOCKIT" --list-options |
	    awk -F'\t' -v m="$1" '$1 == m { if ($2 != "") print $2;
		if ($3 != "") print $3 }'
}

# The options named by the option lines of the --help text on stdin.
help_opts() {
	sed -n 's/^ \{1,\}\(-.*\)$/\1/p' | sed 's/  .*//' | tr ', ' '\n\n' |
	    grep -- '^-' || true
}

# The lines of section $2 ("Options:", "Global options:") of `MODE --help`.
help_section() {
	"$SOCKIT" "$1" --help | awk -v h="$2" '$0 == h { on = 1; next }
	    /^$/ { on = 0 } on'
}

# The options of the .It lines of subsection $1 of the man page's
# DESCRIPTION: "Fl w , Fl \-timeout" gives -w and --timeout.
man_opts() {
	awk -v ss="$1" '
	    /^\.Sh / { sh = $2; cur = ""; next }
	    /^\.Ss / { cur = substr($0, 5); next }
	    sh == "DESCRIPTION" && cur == ss && /^\.It / {
		for (i = 2; i < NF; i++)
			if ($i == "Fl") {
				t = $(i + 1)
				gsub(/\\-/, "-", t)
				print "-" t
			}
	    }' "$MAN"
}

# Subsections of DESCRIPTION shared by several modes, declared by a
# comment line right after the .Ss: `.\" modes: listen connect`.  Prints
# "SECTION<TAB>MODE MODE ...".
man_shared() {
	awk '/^\.Sh / { sh = $2 } sh == "DESCRIPTION" && /^\.Ss / {
	    cur = substr($0, 5); next }
	    cur != "" && /^\.\\" modes: / { sub(/^\.\\" modes: /, "");
	    print cur "\t" $0 } { cur = "" }' "$MAN"
}

# The options the man page documents for mode $1: its own .Ss and the
# shared subsections that name it.
man_mode_opts() {
	local sec modes
	man_opts "$1"
	while IFS=$'\t' read -r sec modes; do
		[[ " $modes " == *" $1 "* ]] && man_opts "$sec"
	done < <(man_shared)
}

# The subsections of the man page's DESCRIPTION.
man_subsections() {
	awk '/^\.Sh / { sh = $2 } sh == "DESCRIPTION" && /^\.Ss / {
	    print substr($0, 5) }' "$MAN"
}

# Fails naming each line of list $2 missing from list $3; $1 says where.
assert_all_in() {
	local what=$1 want=$2 got=$3 x missing=
	while IFS= read -r x; do
		[[ -z $x ]] && continue
		grep -qxF -- "$x" <<<"$got" || missing+=" $x"
	done <<<"$want"
	[[ -z $missing ]] || fail "$what: missing$missing"
}

# Completions of the words given (the last one is being completed), one
# per line, from each shell.
bash_complete() {
	bash --norc --noprofile -c 'source "$1"; shift
	    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
	    COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
	    _sockit; printf "%s\n" "${COMPREPLY[@]}"' _ "$COMP/sockit.bash" "$@"
}

fish_complete() {
	fish --no-config -c 'source $argv[1]; complete -C $argv[2]' \
	    "$COMP/sockit.fish" "$*" | cut -f1
}

# zsh: _sockit runs with stubs of the compsys builtins it calls; compadd
# prints the words that match PREFIX, the others print their name.
ZSH_HARNESS='
fpath=("$1" $fpath); shift
compadd() {
	local w
	while (( $# )) && [[ $1 != -- ]]; do shift; done
	shift
	for w in "$@"; do [[ $w == ${PREFIX}* ]] && print -r -- "$w"; done
	return 0
}
compset() { [[ $1 == -P ]] && PREFIX=${PREFIX#*=}; }
_call_program() { shift; "$@"; }
_message() { print -r -- "(message)"; }
_hosts() { print -r -- "(hosts)"; }
_files() { print -r -- "(files)"; }
autoload -Uz _sockit
words=("$@"); CURRENT=$#; PREFIX=$words[-1]; SUFFIX=
_sockit
'
zsh_complete() {
	zsh -f -c "$ZSH_HARNESS" zsh "$COMP" "$@"
}

# A fake sockit on PATH whose table has a new mode "listen" with -k and
# -U PATH, for the completions to pick up.
fake_sockit() {
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	cat >"$BATS_TEST_TMPDIR/bin/sockit" <<-'EOF'
	#!/bin/sh
	case $1 in
	--list-options)
		printf 'listen\t-k\t--keep-open\t\n'
		printf 'listen\t-U\t\tPATH\n'
		printf 'listen\t-j\t--json\t\n'
		printf 'resolve\t\t--service\tSERVICE\n' ;;
	--help)
		printf 'Usage: sockit ...\n\n  -j, --json   JSON Lines\n' ;;
	esac
	EOF
	chmod +x "$BATS_TEST_TMPDIR/bin/sockit"
	PATH="$BATS_TEST_TMPDIR/bin:$PATH"
}

@test "--list-options names at least one mode, in rows of 4 fields" {
	run "$SOCKIT" --list-options
	assert_success
	[ -n "$output" ]
	run awk -F'\t' 'NF != 4 || $1 == "" || ($2 == "" && $3 == "")' \
	    <<<"$output"
	assert_output ""
}

@test "every option of every mode is in MODE --help" {
	local m
	for m in $(list_modes); do
		assert_all_in "sockit $m --help" "$(mode_opts "$m")" \
		    "$("$SOCKIT" "$m" --help | help_opts)"
	done
}

@test "MODE --help lists no option the mode does not accept" {
	local m
	for m in $(list_modes); do
		assert_all_in "--list-options for $m" \
		    "$("$SOCKIT" "$m" --help | help_opts)" "$(mode_opts "$m")"
	done
}

@test "every --help line fits in 80 columns" {
	local m
	for m in "" $(list_modes); do
		run awk 'length($0) > 80' <<<"$("$SOCKIT" $m --help)"
		[ -z "$output" ] || fail "sockit $m --help: $output"
	done
}

# Whether an Xr target is installed, and whether the system has a
# mandoc.db (Debian's man-db has none), is the machine's business, not
# the page's: those two messages are left out.
@test "man page passes mandoc -Tlint -Wstyle with no output" {
	run grep -Ev -e '^mandoc: outdated mandoc\.db lacks [^ ]+ entry' \
	    -e 'STYLE: referenced manual not found: Xr ' \
	    <<<"$(mandoc -Tlint -Wstyle "$MAN" 2>&1)"
	assert_output ""
}

@test "man page SYNOPSIS has a line for every mode" {
	local m syn
	syn=$(awk '/^\.Sh / { on = ($2 == "SYNOPSIS") } on' "$MAN")
	for m in $(list_modes); do
		grep -qx ".Cm $m" <<<"$syn" || fail "no .Cm $m in SYNOPSIS"
	done
}

@test "man page documents each mode's own options in its .Ss MODE" {
	local m
	for m in $(list_modes); do
		assert_all_in "man page .Ss $m" \
		    "$(help_section "$m" "Options:" | help_opts)" \
		    "$(man_mode_opts "$m")"
	done
}

@test "man page documents the global options in .Ss Global options" {
	local m
	for m in $(list_modes); do
		assert_all_in "man page .Ss Global options ($m)" \
		    "$(help_section "$m" "Global options:" | help_opts)" \
		    "$(man_opts "Global options")"
	done
	assert_all_in "man page .Ss Global options (sockit --help)" \
	    "$("$SOCKIT" --help | help_opts)" "$(man_opts "Global options")"
}

@test "man page .Ss MODE lists no option the mode does not accept" {
	local m
	for m in $(list_modes); do
		assert_all_in "--list-options for $m (from man .Ss $m)" \
		    "$(man_opts "$m")" "$(mode_opts "$m")"
	done
}

@test "man page .Ss Global options lists only options of sockit --help" {
	assert_all_in "sockit --help (from man .Ss Global options)" \
	    "$(man_opts "Global options")" "$("$SOCKIT" --help | help_opts)"
}

@test "a shared man page subsection lists only options of every mode it names" {
	local sec modes m
	while IFS=$'\t' read -r sec modes; do
		for m in $modes; do
			assert_all_in "--list-options for $m (from man .Ss $sec)" \
			    "$(man_opts "$sec")" "$(mode_opts "$m")"
		done
	done < <(man_shared)
}

@test "man page DESCRIPTION has subsections only for modes that exist" {
	local s shared
	shared=$(man_shared | cut -f1)
	while IFS= read -r s; do
		[[ $s == "Global options" ]] && continue
		grep -qxF -- "$s" <<<"$shared" && continue
		grep -qxF -- "$s" <<<"$(list_modes)" ||
		    fail "man page: .Ss $s is not a mode"
	done <<<"$(man_subsections)"
}

@test "bash: completion script has no syntax errors" {
	run bash -n "$COMP/sockit.bash"
	assert_success
}

@test "bash: every option of every mode is completed after the mode" {
	local m
	for m in $(list_modes); do
		assert_all_in "bash: sockit $m -" "$(mode_opts "$m")" \
		    "$(bash_complete sockit "$m" -)"
	done
}

@test "bash: 'sockit resolve --s' completes --service" {
	run bash_complete sockit resolve --s
	assert_success
	assert_line -- --service
}

@test "bash: 'sockit res' completes the mode resolve" {
	run bash_complete sockit res
	assert_success
	assert_output resolve
}

@test "bash and fish: files after -o, --output, -x and --hexdump" {
	cd "$BATS_TEST_TMPDIR"
	touch dump-here.txt
	for opt in -o --output -x --hexdump; do
		run bash_complete sockit connect "$opt" dump-
		assert_line dump-here.txt
		run fish_complete sockit listen "$opt" dump-
		assert_line dump-here.txt
	done
}

@test "bash: 'sockit resolve -t ' completes the socket types" {
	run bash_complete sockit resolve -t ""
	assert_success
	assert_line stream
	assert_line dgram
	assert_line any
}

@test "bash: before the mode word, the options of sockit --help" {
	run bash_complete sockit -
	assert_success
	assert_all_in "bash: sockit -" "$("$SOCKIT" --help | help_opts)" \
	    "$output"
	assert_all_in "sockit --help (from bash: sockit -)" "$output" \
	    "$("$SOCKIT" --help | help_opts)"
}

@test "bash: a global option's value is not taken for the mode" {
	run bash_complete sockit -w 2s res
	assert_success
	assert_output resolve
}

@test "bash: modes and options come from the sockit on PATH" {
	fake_sockit
	run bash_complete sockit ""
	assert_line listen
	assert_line resolve
	run bash_complete sockit listen -
	assert_line -- --keep-open
	assert_line -- -U
	refute_line -- --service
}

@test "zsh: completion script has no syntax errors" {
	run zsh -n "$COMP/_sockit"
	assert_success
}

@test "zsh: compinit binds _sockit to sockit" {
	run zsh -f -c 'fpath=("$1" $fpath); autoload -Uz compinit
	    compinit -u -D; print -r -- $_comps[sockit]' zsh "$COMP"
	assert_success
	assert_output _sockit
}

@test "zsh: every option of every mode is completed after the mode" {
	local m
	for m in $(list_modes); do
		assert_all_in "zsh: sockit $m -" "$(mode_opts "$m")" \
		    "$(zsh_complete sockit "$m" -)"
	done
}

@test "zsh: 'sockit resolve --s' completes --service" {
	run zsh_complete sockit resolve --s
	assert_success
	assert_output -- --service
}

@test "zsh: 'sockit res' completes the mode resolve" {
	run zsh_complete sockit res
	assert_success
	assert_output resolve
}

@test "zsh: 'sockit resolve -t ' completes the socket types" {
	run zsh_complete sockit resolve -t ""
	assert_success
	assert_line stream
	assert_line dgram
	assert_line any
}

@test "zsh: files after -o and -x" {
	for opt in -o --output -x --hexdump; do
		run zsh_complete sockit connect "$opt" ""
		assert_success
		assert_line "(files)"
	done
	run zsh_complete sockit resolve -t ""
	refute_line "(files)"
}

@test "zsh: before the mode word, the options of sockit --help" {
	run zsh_complete sockit -
	assert_success
	assert_all_in "zsh: sockit -" "$("$SOCKIT" --help | help_opts)" \
	    "$output"
	assert_all_in "sockit --help (from zsh: sockit -)" "$output" \
	    "$("$SOCKIT" --help | help_opts)"
}

@test "zsh: modes and options come from the sockit on PATH" {
	fake_sockit
	run zsh_complete sockit ""
	assert_line listen
	assert_line resolve
	run zsh_complete sockit listen -
	assert_line -- --keep-open
	assert_line -- -U
	refute_line -- --service
}

@test "fish: completion script has no syntax errors" {
	run fish --no-config -n "$COMP/sockit.fish"
	assert_success
}

@test "fish: every option of every mode is completed after the mode" {
	local m
	for m in $(list_modes); do
		assert_all_in "fish: sockit $m -" "$(mode_opts "$m")" \
		    "$(fish_complete sockit "$m" -)"
	done
}

@test "fish: 'sockit res' completes the mode resolve" {
	run fish_complete sockit res
	assert_success
	assert_output resolve
}

@test "fish: 'sockit resolve --ser' completes --service" {
	run fish_complete sockit resolve --ser
	assert_success
	assert_output -- --service
}

@test "fish: 'sockit resolve -t ' completes the socket types" {
	run fish_complete sockit resolve -t ""
	assert_success
	assert_line stream
	assert_line dgram
	assert_line any
}

@test "fish: before the mode word, the options of sockit --help" {
	run fish_complete sockit -
	assert_success
	assert_all_in "fish: sockit -" "$("$SOCKIT" --help | help_opts)" \
	    "$output"
	assert_all_in "sockit --help (from fish: sockit -)" "$output" \
	    "$("$SOCKIT" --help | help_opts)"
}

@test "fish: modes and options come from the sockit on PATH" {
	fake_sockit
	run fish_complete sockit ""
	assert_line listen
	assert_line resolve
	run fish_complete sockit listen -
	assert_line -- --keep-open
	assert_line -- -U
	refute_line -- --service
}
