#!/usr/bin/env bats
# Where users get sockit (issue 23): the README's two commands, the one
# list of Debian packages (tools/packages) that they, CI and debian/
# share, and the package's sources.  Nothing here installs anything:
# building, installing and purging the package is tests/package.bats
# (make check-package).

load helpers

setup() {
	cd "$TOP_SRCDIR" || return 1
}

# Build-Depends of debian/control, one package a line, without versions.
build_depends() {
	sed -n '/^Build-Depends:/,/^[^ ]/p' debian/control |
	    sed -e 's/^Build-Depends://' -e '/^[A-Z]/d' | tr ',' '\n' |
	    sed -e 's/(.*)//' -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' |
	    sed '/^$/d' | sort
}

@test "switch 1: README's Quick start is two commands: build and run an example, then every test" {
	run --separate-stderr ./tools/readme-commands
	assert_success
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == "./tools/deps build && ./bootstrap && ./configure && make && ("*"./src/sockit "*")" ]]
	assert_line --index 1 './tools/deps test && ./configure && make check'
}

@test "switch 1: the README's example runs: an echo server checked open, then a line through it" {
	local port example i pid
	port=$(free_port)
	example=$(./tools/readme-commands | head -1)
	example=${example#*&& make && }
	example=${example//.\/src\/sockit/\"\$SOCKIT\"}
	example=${example//7777/$port}
	# into files, not a pipe: a server the trap failed to end would hold
	# a pipe open, and the test would wait for it
	timeout 20 bash -c "$example" >"$BATS_TEST_TMPDIR/out" \
	    2>"$BATS_TEST_TMPDIR/err" 3>&- && status=0 || status=$?
	mapfile -t lines <"$BATS_TEST_TMPDIR/out"
	[ "$status" -eq 0 ] || { cat "$BATS_TEST_TMPDIR/err"; false; }
	[[ ${lines[0]} =~ ^localhost\ $port/tcp\ open\ [0-9.]+ms$ ]]
	[ "${lines[1]}" = hello ]
	[ "${#lines[@]}" -eq 2 ]
	# the trap ended the server: nothing listens there any more
	for ((i = 0; i < 50; i++)); do
		[[ -z $(ss -Hltn "sport = :$port") ]] && break
		sleep 0.1
	done
	pid=$(ss -Hltnp "sport = :$port" | grep -o 'pid=[0-9]*' | cut -d= -f2)
	[ -z "$pid" ] || { kill "$pid"; echo "the server outlived the trap"; false; }
}

@test "switch 1: .ci/run installs through tools/deps alone and runs the README's commands" {
	run grep -n -E '^[^#]*(apt-get|dpkg-query)' .ci/run
	assert_output ""
	grep -q 'tools/readme-commands' .ci/run
}

@test "switch 1: tools/deps test lists the build packages too, and no package twice" {
	run ./tools/deps --list build
	assert_success
	assert_line libssl-dev
	build=$output
	run ./tools/deps --list test
	assert_success
	for p in $build ansible-core debhelper lintian haproxy dovecot-imapd \
	    dovecot-pop3d python3-aiosmtpd python3-pyftpdlib postgresql \
	    python3-prometheus-client libxml2-utils iperf3 nmap hyperfine; do
		assert_line "$p"
	done
	[ -z "$(printf '%s\n' "${lines[@]}" | sort | uniq -d)" ]
	run --separate-stderr ./tools/deps --list nothing
	assert_failure 2
	[[ $stderr == "usage: tools/deps"* ]]
}

# tools/deps against stand-ins for dpkg-query (two packages missing) and
# apt-get (which writes down how it was called): it installs only those,
# with -y, DEBIAN_FRONTEND=noninteractive and stdin not a terminal.
@test "switch 1: tools/deps installs only what is missing, non-interactively" {
	local bin=$BATS_TEST_TMPDIR/bin log=$BATS_TEST_TMPDIR/apt.log
	mkdir -p "$bin"
	cat >"$bin/dpkg-query" <<-'EOF'
	#!/bin/sh
	for last; do :; done
	case $last in jq|socat) exit 1 ;; esac
	printf 'install ok installed'
	EOF
	cat >"$bin/apt-get" <<-EOF
	#!/bin/sh
	stdin=tty; [ -t 0 ] || stdin=\$(wc -c | tr -d ' ')
	echo "\$DEBIAN_FRONTEND stdin=\$stdin \$*" >>'$log'
	EOF
	printf '#!/bin/sh\necho 0\n' >"$bin/id"
	chmod +x "$bin"/*
	run env PATH="$bin:$PATH" ./tools/deps test
	assert_success
	assert_output "tools/deps: installing jq socat"
	run cat "$log"
	assert_line --index 0 "noninteractive stdin=0 update -qq"
	assert_line --index 1 "noninteractive stdin=0 install -y -qq --no-install-recommends jq socat"
	[ "${#lines[@]}" -eq 2 ]
	# nothing missing from the build group: apt-get is not called
	rm "$log"
	run env PATH="$bin:$PATH" ./tools/deps build
	assert_success
	assert_output ""
	[ ! -e "$log" ]
}

@test "switch 2: debian/control's Build-Depends are the packages tools/packages marks so" {
	run build_depends
	assert_success
	assert_line "debhelper-compat"
	grep -q -x 'Build-Depends: debhelper-compat (= 13),.*' debian/control
	local marked
	marked=$(sed 's/#.*//' tools/packages |
	    awk '$3 == "Build-Depends" { print $2 }' | sort)
	[ -n "$marked" ]
	[ "$(build_depends | grep -v -x debhelper-compat)" = "$marked" ]
	# what the package build needs is the package group, in test too
	# (dpkg-buildpackage refuses to start without build-essential)
	for p in build-essential debhelper dpkg-dev lintian; do
		./tools/deps --list package | grep -q -x "$p"
		./tools/deps --list test | grep -q -x "$p"
	done
	! ./tools/deps --list build | grep -x debhelper
}

@test "switch 2: debian/changelog's version is configure.ac's" {
	local deb ac
	deb=$(sed -n '1s/^sockit (\([^)]*\)).*/\1/p' debian/changelog)
	ac=$(sed -n 's/^AC_INIT(\[sockit\], \[\([^]]*\)\].*/\1/p' configure.ac)
	[ -n "$ac" ]
	[ "$deb" = "$ac" ]
}
