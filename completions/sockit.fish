# fish completion for sockit(1).
#
# Option names come from the program at completion time: the options of
# each mode (and the mode names) from `sockit --list-options` (TSV: MODE,
# -x, --long, ARG), the ones valid before the mode word from `sockit --help`.
# "sockit" is the command being completed ((commandline -opc)[1]), so a
# build tree's ./src/sockit completes from itself.  Only argument values
# are written here: see __sockit_values and __sockit_operands.

# Runs the sockit being completed with the arguments given.
function __sockit_run
    set -l cmd (commandline -opc)[1]
    set cmd (string replace -r '^~/' "$HOME/" -- $cmd)
    command $cmd $argv
end

# Prints the values of option $argv[2] (-x or --long) of mode $argv[1] (""
# before the mode word), one per line.  New option values: add a case.
function __sockit_values
    switch "$argv[1] $argv[2]"
        case '* -t' '* --type'
            printf '%s\n' stream dgram any
        case '* --proxy-protocol'
            printf '%s\n' v1 v2
        case '* --starttls'
            printf '%s\n' smtp imap pop3 ftp postgres
        case '* -U' '* --unix' '* --ca' '* --cert' '* --key' '* -o' '* --output' '* -x' '* --hexdump'
            __fish_complete_path (commandline -ct | string replace -r '^--[^=]*=' '')
        case '* --targets'
            __fish_complete_path (commandline -ct | string replace -r '^--[^=]*=' '')
        case '* --format'
            printf '%s\n' text json tap junit prometheus
        case '* -e' '* --exec' '* -c' '* --sh-exec'
            __fish_complete_command
        case '* -O' '* --sockopt'
            # NAME=, from `sockit sockopt --list`
            for n in (__sockit_sockopts)
                printf '%s=\n' $n
            end
        case '* --interface'
            __fish_print_interfaces
        case '* --proxy'
            printf '%s\n' socks5:// socks5h:// socks4:// socks4a:// http://
        case '* --sni' 'sockopt --connect'
            __fish_print_hostnames
    end
    # others (-w DUR, --service SERVICE, ...): nothing to offer
end

# Prints the operands of mode $argv[1].
function __sockit_operands
    switch "$argv[1]"
        case resolve connect udp-send
            __fish_print_hostnames
        case sockopt
            __sockit_sockopts
    end
end

# Prints the socket option names of `sockit sockopt --list` (fish
# matches them in any case, as sockit takes them).
function __sockit_sockopts
    __sockit_run sockopt --list 2>/dev/null | string replace -r ' .*' ''
end

# Prints the option table as lines "MODE<tab>-x<tab>--long<tab>ARG"; the
# options valid before the mode word have MODE "".
function __sockit_table
    __sockit_run --list-options 2>/dev/null
    for line in (__sockit_run --help 2>/dev/null | string match -r '^ +-.*')
        # options end at two blanks: "-w, --timeout DUR  help"
        set -l left (string trim -- $line | string replace -r '  .*' '' | string replace -a ',' '')
        set -l short ''
        set -l long ''
        set -l arg ''
        for tok in (string split ' ' -- $left)
            switch $tok
                case '--*'
                    set long $tok
                case '-?'
                    set short $tok
                case '*'
                    set arg $tok
            end
        end
        printf '\t%s\t%s\t%s\n' $short $long $arg
    end
end

# Prints the completions of the command line being edited.
function __sockit_complete
    set -l table (__sockit_table)
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l mode ''
    set -l n (count $words)

    # the mode word: the first word that is neither an option nor its value
    set -l i 2
    while test $i -le $n
        set -l w $words[$i]
        if test "$w" = --
            if test $i -lt $n
                set mode $words[(math $i + 1)]
            end
            break
        end
        if not string match -qr -- '^-.' $w
            set mode $w
            break
        end
        # -w 2s, --timeout 2s, -jw 2s: skip the value
        set -l o $w
        if string match -qr -- '^-[^-]' $w
            set o -(string sub -s -1 -- $w)
        end
        if not string match -q -- '--*=*' $w
            and __sockit_arg "" $o $table >/dev/null
            set i (math $i + 1)
        end
        set i (math $i + 1)
    end

    # an option's value: --long=VALUE, or the word after -x / --long
    set -l opt ''
    set -l prev $words[-1]
    if string match -q -- '--*=*' $cur
        set opt (string replace -r '=.*' '' -- $cur)
        for v in (__sockit_values "$mode" $opt)
            printf '%s=%s\n' $opt $v
        end
        return
    else if test $n -gt 1; and string match -qr -- '^--[^=]+$' $prev
        set opt $prev
    else if test $n -gt 1; and string match -qr -- '^-[^-]' $prev
        set opt -(string sub -s -1 -- $prev)
    end
    if test -n "$opt"; and __sockit_arg "$mode" $opt $table >/dev/null
        __sockit_values "$mode" $opt
        return
    end

    if string match -q -- '-*' $cur
        for row in $table
            set -l f (string split \t -- $row)
            test "$f[1]" = "$mode"; or continue
            test -n "$f[2]"; and printf "%s\n" $f[2]
            test -n "$f[3]"; and printf "%s\n" $f[3]
        end
    else if test -z "$mode"
        for row in $table
            string split -f1 \t -- $row
        end | string match -rv '^$' | sort -u
    else
        __sockit_operands $mode
    end
end

# Prints the ARG of option $argv[2] in mode $argv[1] (the table follows);
# fails when the option takes none.
function __sockit_arg
    for row in $argv[3..-1]
        set -l f (string split \t -- $row)
        if test "$f[1]" = "$argv[1]"
            and contains -- $argv[2] $f[2] $f[3]
            and test -n "$f[4]"
            printf "%s\n" $f[4]
            return 0
        end
    end
    return 1
end

complete -c sockit -e
complete -c sockit -f -a '(__sockit_complete)'
