# bash completion for sockit(1).
#
# Option names come from the program at completion time: the options of
# each mode (and the mode names) from `sockit --list-options` (TSV: MODE,
# -x, --long, ARG), the ones valid before the mode word from `sockit --help`.
# "sockit" is the command being completed (${COMP_WORDS[0]}), so a build
# tree's ./src/sockit completes from itself.  Only argument values are
# written here: see _sockit_values and _sockit_operands.

# The proxy URL schemes of --proxy.
_sockit_schemes='socks5:// socks5h:// socks4:// socks4a:// http://'

# Prints the values to offer for option $2 (-x or --long) of mode $1 ("" before
# the mode word), one per line, matching prefix $3.  New option values: add a
# case.
_sockit_values() {
	case "$1 $2" in
	*" -t" | *" --type")
		compgen -W 'stream dgram any' -- "$3" ;;
	*" --proxy-protocol")
		compgen -W 'v1 v2' -- "$3" ;;
	*" --starttls")
		compgen -W 'smtp imap pop3 ftp postgres' -- "$3" ;;
	*" -U" | *" --unix")
		compgen -f -- "$3" ;;
	*" --ca" | *" --cert" | *" --key" | *" -o" | *" --output" | *" -x" | *" --hexdump")
		compgen -f -- "$3" ;;
	*" --targets")
		compgen -f -- "$3" ;;
	*" --format")
		compgen -W 'text json tap junit prometheus' -- "$3" ;;
	*" -e" | *" --exec" | *" -c" | *" --sh-exec")
		compgen -c -- "$3" ;;
	*" -O" | *" --sockopt")
		_sockit_sockopt_names "$3" = ;;
	*" --interface")
		compgen -W "$(command ls /sys/class/net 2>/dev/null)" -- "$3" ;;
	*" --proxy")
		compgen -W "$_sockit_schemes" -- "$3" ;;
	*" --sni" | "sockopt --connect")
		compgen -A hostname -- "$3" ;;
	esac
	# others (-w DUR, --service, ...): nothing to offer
}

# Prints the operands to offer in mode $1 matching prefix $2.
_sockit_operands() {
	case $1 in
	resolve | connect | udp-send)
		compgen -A hostname -- "$2" ;;
	sockopt)
		_sockit_sockopt_names "$2" ;;
	esac
}

# Prints the socket option names of `sockit sockopt --list` that start
# with $1 in any case (sockit takes so_rcvbuf for SO_RCVBUF), each
# followed by $2, one per line.
_sockit_sockopt_names() {
	local name
	while read -r name _; do
		[[ ${name,,} == "${1,,}"* ]] && printf '%s%s\n' "$name" "$2"
	done < <(command "$_sockit_cmd" sockopt --list 2>/dev/null)
}

# Reads the option table into _sockit_rows ("MODE -x --long ARG", with "-"
# for an empty field) and the options valid before the mode word (from
# `sockit --help`) into rows of mode "" (written " -x --long ARG").
_sockit_table() {
	local line left tok mode short long arg
	local -a toks
	_sockit_rows=()
	while IFS= read -r line; do
		# a tab is white space to read: empty fields would merge
		IFS=$'\037' read -r mode short long arg <<<"${line//$'\t'/$'\037'}"
		[[ -n $mode ]] || continue
		_sockit_rows+=("$mode ${short:--} ${long:--} ${arg:--}")
	done < <(command "$_sockit_cmd" --list-options 2>/dev/null)
	while IFS= read -r line; do
		[[ $line =~ ^\ +- ]] || continue
		left=${line#"${line%%[! ]*}"}
		left=${left%%"  "*}	# options end at two blanks
		short=- long=- arg=-
		read -ra toks <<<"${left//,/ }"
		for tok in "${toks[@]}"; do
			case $tok in
			--*) long=$tok ;;
			-?) short=$tok ;;
			*) arg=$tok ;;
			esac
		done
		_sockit_rows+=(" $short $long $arg")
	done < <(command "$_sockit_cmd" --help 2>/dev/null)
}

# Prints the ARG of option $2 (-x or --long) in mode $1, or nothing when
# it takes none.
_sockit_arg() {
	local row m s l a
	for row in "${_sockit_rows[@]}"; do
		read -r m s l a <<<"$row"
		[[ ${row:0:1} == " " ]] && { a=$l l=$s s=$m m=; }
		[[ $m == "$1" && ($s == "$2" || $l == "$2") && $a != - ]] &&
		    { printf '%s\n' "$a"; return; }
	done
}

_sockit() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev= opt= eq= mode= w i row m s l a
	local -a _sockit_rows words=("${COMP_WORDS[@]:0:COMP_CWORD}")
	local _sockit_cmd=${COMP_WORDS[0]}
	[[ $_sockit_cmd == "~/"* ]] && _sockit_cmd=$HOME/${_sockit_cmd#"~/"}
	COMPREPLY=()
	_sockit_table

	# --opt=value: bash splits it at "=" (COMP_WORDBREAKS) or not
	if [[ $cur == "=" ]]; then
		opt=${words[-1]} cur=
	elif [[ ${words[-1]-} == "=" && ${#words[@]} -ge 2 ]]; then
		opt=${words[-2]}
	elif [[ $cur == --*=* ]]; then
		opt=${cur%%=*} cur=${cur#*=} eq=$opt=
	fi

	# the mode word: the first word that is neither an option nor an
	# option's value
	for ((i = 1; i < ${#words[@]}; i++)); do
		w=${words[i]}
		if [[ $w == -- ]]; then
			((i + 1 < ${#words[@]})) && mode=${words[i + 1]}
			break
		fi
		if [[ $w != -?* ]]; then
			[[ $w == "=" ]] && continue
			mode=$w
			break
		fi
		# -w 2s, --timeout 2s, --timeout = 2s, -jw 2s: skip the value
		if [[ $w == --* && $w != *=* ]]; then
			[[ -n $(_sockit_arg "" "$w") ]] || continue
		elif [[ $w == -[!-]* ]]; then
			[[ -n $(_sockit_arg "" "-${w: -1}") ]] || continue
		else
			continue
		fi
		[[ ${words[i + 1]-} == "=" ]] && ((i++))
		((i++))
	done

	prev=${words[-1]-}
	if [[ -z $opt && $prev == -?* && $prev != *=* ]]; then
		if [[ $prev == --* ]]; then
			[[ -n $(_sockit_arg "$mode" "$prev") ]] && opt=$prev
		elif [[ -n $(_sockit_arg "$mode" "-${prev: -1}") ]]; then
			opt=-${prev: -1}
		fi
	fi
	if [[ -n $opt ]]; then
		mapfile -t COMPREPLY < <(_sockit_values "$mode" "$opt" "$cur")
		# NAME= of -O, a --proxy scheme: the rest follows without a blank
		[[ $opt == -O || $opt == --sockopt || $opt == --proxy ]] &&
		    compopt -o nospace 2>/dev/null
		[[ -n $eq ]] && COMPREPLY=("${COMPREPLY[@]/#/$eq}")
		return 0
	fi

	if [[ $cur == -* ]]; then
		local -a names=()
		for row in "${_sockit_rows[@]}"; do
			read -r m s l a <<<"$row"
			[[ ${row:0:1} == " " ]] && { a=$l l=$s s=$m m=; }
			[[ $m == "$mode" ]] || continue
			[[ $s != - ]] && names+=("$s")
			[[ $l != - ]] && names+=("$l")
		done
		mapfile -t COMPREPLY < <(compgen -W "${names[*]}" -- "$cur")
		return 0
	fi
	if [[ -z $mode ]]; then
		local -a modes=()
		for row in "${_sockit_rows[@]}"; do
			[[ ${row:0:1} == " " ]] && continue
			m=${row%% *}
			[[ " ${modes[*]} " == *" $m "* ]] || modes+=("$m")
		done
		mapfile -t COMPREPLY < <(compgen -W "${modes[*]}" -- "$cur")
		return 0
	fi
	mapfile -t COMPREPLY < <(_sockit_operands "$mode" "$cur")
	return 0
}
complete -F _sockit sockit
