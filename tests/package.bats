#!/usr/bin/env bats
# The Debian package as a user gets it: built by tools/build-deb
# (dpkg-buildpackage in a copy of the tree), checked by lintian,
# installed with `apt-get install ./sockit_*.deb`, used from where it
# installed (the binary, the TLS module, the man page, the completions
# of bash, zsh and fish), then purged.  It installs a package on this
# machine, as root: `make check-package` runs it (CI does), make check
# never does.  The tests run in order and share the one build.

load helpers

setup_file() {
	if dpkg-query -W -f='${Status}' sockit 2>/dev/null | grep -q 'ok installed'; then
		echo "a sockit package is installed already: apt-get purge sockit first" >&2
		return 1
	fi
	export DEBS=$BATS_FILE_TMPDIR/debs
	"$TOP_SRCDIR/tools/build-deb" "$DEBS"
	MULTIARCH=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
	export MODULE=/usr/lib/$MULTIARCH/sockit/sockit-tls.so
}

teardown_file() {
	# a test that failed between install and purge leaves nothing behind
	if dpkg-query -W -f='${Status}' sockit 2>/dev/null | grep -q 'ok installed'; then
		apt-get purge -y -qq sockit </dev/null >/dev/null 2>&1
	fi
	return 0
}

teardown() {
	kill_bg
}

@test "switch 2: dpkg-buildpackage builds sockit_*.deb with the binary, the TLS module, the man page and the three completions" {
	local deb
	deb=$(echo "$DEBS"/sockit_*.deb)
	[ -f "$deb" ]
	run dpkg-deb -c "$deb"
	assert_success
	for f in /usr/bin/sockit "$MODULE" /usr/share/man/man1/sockit.1.gz \
	    /usr/share/bash-completion/completions/sockit \
	    /usr/share/zsh/vendor-completions/_sockit \
	    /usr/share/fish/vendor_completions.d/sockit.fish \
	    /usr/share/doc/sockit/copyright; do
		assert_line --regexp " \\.$f\$"
	done
	# the C unit tests ran in the build (dh_auto_test)
	grep -q '^PASS: tests/unit/test_sock' "$DEBS/build.log"
	! grep -E '^(FAIL|ERROR):' "$DEBS/build.log"
}

@test "switch 2: lintian reports no error and no warning" {
	run lintian "$DEBS"/sockit_*.changes
	assert_success
	! grep -E '^[EW]: ' <<<"$output"
}

@test "switch 2: apt-get install ./sockit_*.deb installs it, and dpkg -L lists its files" {
	cd "$DEBS"
	run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ./sockit_*_*.deb </dev/null
	assert_success
	run dpkg -L sockit
	assert_success
	assert_line /usr/bin/sockit
	assert_line "$MODULE"
	assert_line /usr/share/man/man1/sockit.1.gz
}

@test "switch 2: the installed sockit --version names the installed TLS module" {
	run --separate-stderr /usr/bin/sockit --version
	assert_success
	assert_line --index 0 --regexp '^sockit [0-9]+\.[0-9]+\.[0-9]+$'
	assert_line --index 1 --regexp "^tls: OpenSSL [0-9.]+[a-z]*, module $MODULE\$"
	[ -f "$MODULE" ]
}

@test "switch 2: the installed sockit loads its TLS module for --tls" {
	local log=$BATS_TEST_TMPDIR/listen.err
	/usr/bin/sockit listen --tls 127.0.0.1 0 <<<"from the server" \
	    >"$BATS_TEST_TMPDIR/listen.out" 2>"$log" 3>&- &
	bg_pids+=($!)
	wait_for_listen "$log"
	run --separate-stderr timeout 20 /usr/bin/sockit connect --tls --insecure \
	    127.0.0.1 "$PORT" <<<"from the client"
	assert_success
	assert_output "from the server"
	wait_grep "$BATS_TEST_TMPDIR/listen.out" '^from the client$'
}

@test "switch 2: man -w sockit finds the installed page" {
	run man -w sockit
	assert_success
	assert_output /usr/share/man/man1/sockit.1.gz
}

@test "switch 2: bash-completion loads the installed completion and completes modes and options" {
	export HOME=$BATS_TEST_TMPDIR
	run bash -c '
		source /usr/share/bash-completion/bash_completion
		_completion_loader sockit
		complete -p sockit
		COMP_WORDS=(sockit con) COMP_CWORD=1
		_sockit sockit con sockit
		printf "mode: %s\n" "${COMPREPLY[@]}"
		COMP_WORDS=(sockit connect --chec) COMP_CWORD=2
		_sockit sockit --chec connect
		printf "option: %s\n" "${COMPREPLY[@]}"'
	assert_success
	assert_line "complete -F _sockit sockit"
	assert_line "mode: connect"
	assert_line --regexp '^option: --check ?$'
}

@test "switch 2: zsh and fish find the installed completions" {
	export HOME=$BATS_TEST_TMPDIR
	run zsh -c 'autoload -Uz compinit && compinit -u -D && print -r -- ${_comps[sockit]}'
	assert_success
	assert_output _sockit
	run fish -c 'complete -C "sockit con"'
	assert_success
	assert_line --regexp '^connect'
}

@test "switch 2: apt-get purge removes every file of the package" {
	local files
	files=$(dpkg -L sockit | while read -r f; do [ -f "$f" ] && echo "$f"; done)
	[ -n "$files" ]
	run env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq sockit </dev/null
	assert_success
	run dpkg-query -W -f='${Status}' sockit
	refute_output --partial 'ok installed'
	for f in $files; do
		[ ! -e "$f" ]
	done
}
