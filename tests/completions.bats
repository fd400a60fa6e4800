#!/usr/bin/env bats
# The shell completions, run in the real shells: an interactive bash and
# an interactive zsh (compinit) on a pseudo-terminal driven through zsh's
# zsh/zpty module, each line typed and followed by a TAB; fish through
# `complete -C`.  For every option of `sockit --list-options` that takes
# a value, the values offered are those of what the value is: files,
# hosts, commands, interfaces, fixed words, or nothing.

load helpers

setup() {
	T=$BATS_TEST_TMPDIR
	COMP=$TOP_SRCDIR/completions
	SOCKIT_DIR=$(cd "$(dirname "$SOCKIT")" && pwd)
	# a file, a host and a command that share the prefix "probe", so one
	# prefix tells apart what a completion offers
	mkdir -p "$T/work" "$T/bin" "$T/home/.ssh"
	: >"$T/work/probe-file.txt"
	printf '#!/bin/sh\n' >"$T/bin/probe-cmd"
	chmod +x "$T/bin/probe-cmd"
	# bash reads host names from HOSTFILE, zsh and fish from known_hosts
	printf '192.0.2.7 probe-host.test\n' >"$T/hosts"
	printf 'probe-host.test ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE5vdEFSZWFsS2V5\n' \
	    >"$T/home/.ssh/known_hosts"
	export HOME=$T/home HOSTFILE=$T/hosts TERM=dumb
	export PATH="$T/bin:$SOCKIT_DIR:$PATH"
	cd "$T/work"
	write_drivers
}

# The pty driver (run by zsh): `zsh pty.zsh INIT SHELL...` starts SHELL
# interactive on a pseudo-terminal, has it source INIT, then for each
# line of stdin types the line and a TAB, and prints "LINE<TAB>MATCH" for
# each value INIT's hook printed between two "<<M>>" marks.  Ctrl-U
# clears the line for the next one.
write_drivers() {
	cat >"$T/pty.zsh" <<-'EOF'
	zmodload zsh/zpty || exit 99
	init=$1
	shift
	zpty sh "${(q)@}"
	zpty -w sh "stty -echo; source ${(q)init}"
	while IFS= read -r line; do
		zpty -wn sh "$line"$'\t'
		out=
		while zpty -r sh chunk; do
			out+=$chunk
			[[ $out == *'<<M>>'*'<<M>>'* ]] && break
		done
		zpty -wn sh $'\x15'
		out=${out#*'<<M>>'}
		out=${out%%'<<M>>'*}
		for m in ${(f)${out//$'\r'/}}; do
			print -r -- "$line"$'\t'"$m"
		done
	done
	zpty -d sh
	EOF
	# bash: sockit's completion function, as bash calls it for a TAB;
	# what it leaves in COMPREPLY is what bash offers
	cat >"$T/init.bash" <<-EOF
	PS1= PS2=
	bind 'set bell-style none'
	source '$COMP/sockit.bash'
	_probe() {
		_sockit "\$@"
		printf '\n<<%s>>\n' M
		printf '%s\n' "\${COMPREPLY[@]}"
		printf '<<%s>>\n' M
	}
	complete -F _probe sockit
	EOF
	# zsh: compinit with the completion dir first in fpath; every match
	# compadd adds is printed (with its -S suffix)
	cat >"$T/init.zsh" <<-EOF
	PS1= PROMPT_EOL_MARK=
	fpath=('$COMP' \$fpath)
	unsetopt zle_bracketed_paste auto_list auto_menu beep
	bindkey -e
	autoload -Uz compinit && compinit -u -D
	zstyle ':completion:*' insert-tab false
	probe_mark() { print -rn -- \$'\n<<'M\$'>>\n'; }
	probe_complete() { probe_mark; zle complete-word; probe_mark; }
	zle -N probe_complete
	bindkey '^I' probe_complete
	EOF
	cat >>"$T/init.zsh" <<-'EOF'
	compadd() {
		local -a got
		local i sfx=
		if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
			builtin compadd "$@"
			return
		fi
		for ((i = 1; i <= $#; i++)); do
			[[ ${@[i]} == -(|-) ]] && break
			[[ ${@[i]} == -S ]] && sfx=${@[i+1]}
		done
		builtin compadd -A got "$@"
		(( $#got )) && print -rl -- ${^got}$sfx
		builtin compadd "$@"
	}
	EOF
}

# offers SHELL: reads command lines on stdin (the last word, possibly
# empty, is the one completed) and prints "LINE<TAB>VALUE" for each value
# SHELL (bash, zsh or fish) offers.  fish's "--opt=" before a value and
# its descriptions are left out.
offers() {
	case $1 in
	bash)
		timeout 60 zsh -f "$T/pty.zsh" "$T/init.bash" \
		    bash --norc --noprofile -i ;;
	zsh)
		timeout 60 zsh -f "$T/pty.zsh" "$T/init.zsh" zsh -f -i ;;
	fish)
		timeout 60 fish --no-config -c 'source $argv[1]
		    while read -l line
			for m in (complete -C "$line")
				printf "%s\t%s\n" "$line" $m
			end
		    end' "$COMP/sockit.fish" |
		    cut -f1,2 | sed 's/\t--[a-z-]*=/\t/' ;;
	esac
}

# The values offered for LINE in the output of offers, one per line.
values_of() {
	awk -F'\t' -v l="$1" '$1 == l { print $2 }' "$2"
}

# What the value of option $2 of mode $1, named $3 in the table, is.
kind_of() {
	case "$1 $2 $3" in
	*" PATH" | *" FILE") echo file ;;
	*" CMD") echo command ;;
	*" NAME=VALUE") echo sockopt ;;
	*" IF") echo interface ;;
	*" TYPE") echo type ;;
	*" VERSION") echo version ;;
	*" FORMAT") echo format ;;
	*" PROTO") echo starttls ;;
	*" URL") echo proxy ;;
	*" --sni NAME" | "sockopt --connect HOST") echo host ;;
	*" DUR" | *" N" | *" SIZE" | *" CIDR" | *" PORT" | *" ADDR" | *" LIST" | \
	    *" GROUP" | *" SERVICE" | *" [ADDR:]PORT") echo none ;;
	*" DATA" | *" REGEX") echo none ;;
	*) echo unknown ;;
	esac
}

# The word typed before the TAB for a value of kind $1.
prefix_of() {
	case $1 in
	interface) echo l ;;
	type | proxy | version | format | starttls) echo "" ;;
	sockopt) echo so_rcvb ;;
	*) echo probe ;;
	esac
}

# Prints a line saying what is wrong unless the values $3 offered for
# line $1 are what a value of kind $2 offers.
check_kind() {
	local line=$1 kind=$2 got=$3 want=
	case $kind in
	file) want=probe-file.txt ;;
	host) want=probe-host.test ;;
	command)
		grep -qx probe-cmd <<<"$got" && ! grep -q 'probe-[fh]' <<<"$got" ||
		    echo "'$line': commands expected, got: ${got//$'\n'/ }"
		return ;;
	interface)
		grep -qx lo <<<"$got" && ! grep -q probe <<<"$got" ||
		    echo "'$line': interfaces expected, got: ${got//$'\n'/ }"
		return ;;
	type) want=$'any\ndgram\nstream' ;;
	version) want=$'v1\nv2' ;;
	format) want=$'json\njunit\nprometheus\ntap\ntext' ;;
	starttls) want=$'ftp\nimap\npop3\npostgres\nsmtp' ;;
	proxy) want=$'http://\nsocks4://\nsocks4a://\nsocks5://\nsocks5h://' ;;
	sockopt) want=SO_RCVBUF= ;;
	none) want= ;;
	esac
	got=$(sort <<<"$got" | sed '/^$/d')
	[ "$got" = "$want" ] ||
	    echo "'$line': $kind expected (${want//$'\n'/ }), got: ${got//$'\n'/ }"
}

# Every option of every mode that takes a value, completed in shell $1:
# each offers what its value is.
check_every_option() {
	local mode short long arg opt kind i msg wrong=
	local -a lines=() kinds=()
	while IFS=$'\037' read -r mode short long arg; do
		[[ -n $arg ]] || continue
		for opt in $short $long; do
			kind=$(kind_of "$mode" "$opt" "$arg")
			[[ $kind != unknown ]] ||
			    fail "$mode $opt $arg: say in kind_of what its value is"
			lines+=("sockit $mode $opt $(prefix_of "$kind")")
			kinds+=("$kind")
		done
	done < <("$SOCKIT" --list-options | tr '\t' '\037')
	# before the mode word: -w DUR
	lines+=("sockit -w probe") kinds+=(none)
	[ "${#lines[@]}" -gt 40 ]
	printf '%s\n' "${lines[@]}" | offers "$1" >"$T/out"
	for i in "${!lines[@]}"; do
		msg=$(check_kind "${lines[i]}" "${kinds[i]}" \
		    "$(values_of "${lines[i]}" "$T/out")")
		[[ -z $msg ]] || wrong+=$'\n'$msg
	done
	[ -z "$wrong" ] || fail "$1: $wrong"
}

@test "first hour 5: bash: every option that takes a value offers what the value is" {
	check_every_option bash
}

@test "first hour 5: zsh: every option that takes a value offers what the value is" {
	check_every_option zsh
}

@test "first hour 5: fish: every option that takes a value offers what the value is" {
	check_every_option fish
}

# The lines of the tests below, and what each must offer (sorted, ";"
# between values).
LINES=(
	"sockit sockopt so_rc|SO_RCVBUF;SO_RCVLOWAT;SO_RCVTIMEO"
	"sockit sockopt SO_RC|SO_RCVBUF;SO_RCVLOWAT;SO_RCVTIMEO"
	"sockit sockopt tcp_nod|TCP_NODELAY"
	"sockit connect -O tcp_nod|TCP_NODELAY="
	"sockit connect --proxy=socks5|socks5://;socks5h://"
	"sockit connect --ca=probe|probe-file.txt"
	"sockit connect probe|probe-host.test"
	"sockit res|resolve"
)

# Checks the LINES in shell $1, with sockit written as $2; adds what is
# wrong to $wrong.
check_lines() {
	local entry line want got
	for entry in "${LINES[@]}"; do
		line=${entry%%|*}
		printf '%s\n' "${line/#sockit/$2}"
	done | offers "$1" >"$T/out"
	for entry in "${LINES[@]}"; do
		line=${entry%%|*} want=${entry#*|}
		got=$(values_of "${line/#sockit/$2}" "$T/out" | sort | paste -sd';')
		[ "$got" = "$want" ] ||
		    wrong+=$'\n'"'${line/#sockit/$2}': want $want, got $got"
	done
}

@test "first hour 5: socket option names complete in any case; --opt=VALUE; hosts; modes" {
	local sh wrong=
	for sh in bash zsh fish; do
		wrong+=$'\n'"$sh:"
		check_lines "$sh" sockit
	done
	[[ $wrong != *"': want"* ]] || fail "$wrong"
}

@test "first hour 5: a sockit that is not on PATH (a build tree's) completes from itself" {
	PATH=$T/bin:/usr/bin:/bin
	! command -v sockit
	local sh wrong=
	for sh in bash zsh fish; do
		wrong+=$'\n'"$sh:"
		check_lines "$sh" "$SOCKIT"
	done
	[[ $wrong != *"': want"* ]] || fail "$wrong"
}
