#!/usr/bin/env bats
# The Ansible example (examples/ansible/checks.yml) run by ansible-core
# against a fleet of three: localhost (ansible_connection=local) and two
# network namespaces this test makes, "web" and "db", joined by a veth
# pair (192.0.2.1 and 192.0.2.2, in those namespaces only), reached
# through the example's netns connection plugin.  Real listeners (sockit,
# socat, nc) serve the ports the checks look for.  Ansible's files, the
# copies of sockit and the namespaces' files stay under the test's
# temporary directory.

load helpers

EXAMPLE=$TOP_SRCDIR/examples/ansible

setup() {
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/ns" "$T/home" "$T/hosts/localhost" "$T/hosts/web" \
	    "$T/hosts/db"
	local ns
	for ns in web db; do
		: >"$T/ns/$ns"
		unshare --net="$T/ns/$ns" true
		in_ns "$ns" ip link set lo up
	done
	in_ns web ip link add fleet0 type veth peer name fleet1 netns "$T/ns/db"
	in_ns web ip addr add 192.0.2.1/24 dev fleet0
	in_ns web ip link set fleet0 up
	in_ns db ip addr add 192.0.2.2/24 dev fleet1
	in_ns db ip link set fleet1 up

	# db: a database port on its fleet address, a cache on loopback only.
	# nsenter itself, not in_ns (a function: its subshell would be the
	# PID killed, the listener left running): nsenter execs the listener
	nsenter --net="$T/ns/db" socat TCP-LISTEN:5432,bind=192.0.2.2,reuseaddr,fork /dev/null \
	    </dev/null 3>&- &
	bg_pids+=($!)
	nsenter --net="$T/ns/db" nc -lk 127.0.0.1 6379 </dev/null >/dev/null 3>&- &
	bg_pids+=($!)
	# web: its own port on loopback; localhost: a port the kernel picks
	nsenter --net="$T/ns/web" "$SOCKIT" listen -k 127.0.0.1 8080 </dev/null >/dev/null 3>&- &
	bg_pids+=($!)
	"$SOCKIT" listen -k 127.0.0.1 0 </dev/null >/dev/null 2>"$T/local.err" 3>&- &
	bg_pids+=($!)
	wait_for_listen "$T/local.err"
	ns_wait_tcp db 5432
	ns_wait_tcp db 6379
	ns_wait_tcp web 8080
}

teardown() {
	kill_bg
	umount "$T/ns/web" "$T/ns/db" 2>/dev/null || true
}

# in_ns NAME CMD...: runs CMD in the namespace NAME of this test.
in_ns() {
	local ns=$1
	shift
	nsenter --net="$T/ns/$ns" "$@"
}

# ns_wait_tcp NAME PORT: waits (at most 5 s) until something listens on
# TCP PORT in the namespace NAME.
ns_wait_tcp() {
	local i
	for ((i = 0; i < 50; i++)); do
		[[ -n $(in_ns "$1" ss -Hltn "sport = :$2") ]] && return 0
		sleep 0.1
	done
	echo "nothing listens on port $2 in namespace $1" >&2
	return 1
}

# inventory DB_CHECKS WEB_CHECKS [MORE]: writes the fleet's inventory
# (MORE: more hosts, as YAML); each host's copy of sockit goes to
# $T/hosts/HOST/sockit.
inventory() {
	cat >"$T/inventory.yml" <<-EOF
	all:
	  hosts:
	    localhost:
	      ansible_connection: local
	      sockit_binary: $SOCKIT
	      sockit_path: $T/hosts/localhost/sockit
	      sockit_checks:
	        - {host: 127.0.0.1, ports: "$PORT"}
	    web:
	      ansible_connection: netns
	      ansible_netns: $T/ns/web
	      sockit_binary: $SOCKIT
	      sockit_path: $T/hosts/web/sockit
	      sockit_checks: $2
	    db:
	      ansible_connection: netns
	      ansible_netns: $T/ns/db
	      sockit_binary: $SOCKIT
	      sockit_path: $T/hosts/db/sockit
	      sockit_checks: $1
	${3-}
	EOF
}

# Runs the example's playbook on $T/inventory.yml, with the example's
# ansible.cfg and every file Ansible writes under $T.
playbook() {
	run env HOME="$T/home" ANSIBLE_CONFIG="$EXAMPLE/ansible.cfg" \
	    ANSIBLE_LOCAL_TEMP="$T/ansible-local" \
	    ANSIBLE_REMOTE_TEMP="$T/ansible-remote" \
	    ANSIBLE_NOCOLOR=1 PYTHONDONTWRITEBYTECODE=1 \
	    timeout 300 ansible-playbook -i "$T/inventory.yml" \
	    "$EXAMPLE/checks.yml" </dev/null
}

@test "switch 4: the fleet check copies sockit to every host and passes when every port is open" {
	inventory '[{host: 127.0.0.1, ports: 6379}, {host: 192.0.2.2, ports: 5432}]' \
	    '[{host: 192.0.2.2, ports: 5432}, {host: 127.0.0.1, ports: 8080}]'
	playbook
	assert_success
	# every host got its copy, where its inventory said
	for host in localhost web db; do
		cmp "$SOCKIT" "$T/hosts/$host/sockit"
	done
	# one table of every result, each checked from its own host
	assert_line --regexp "^ *- FROM +HOST +PORT +STATE +LATENCY\$"
	assert_line --regexp "^ *- localhost +127\\.0\\.0\\.1 +$PORT/tcp +open +[0-9.]+ms\$"
	assert_line --regexp '^ *- web +192\.0\.2\.2 +5432/tcp +open +[0-9.]+ms$'
	assert_line --regexp '^ *- web +127\.0\.0\.1 +8080/tcp +open +[0-9.]+ms$'
	assert_line --regexp '^ *- db +127\.0\.0\.1 +6379/tcp +open +[0-9.]+ms$'
	assert_line --regexp '^ *- db +192\.0\.2\.2 +5432/tcp +open +[0-9.]+ms$'
	refute_output --partial 'FAILED!'
	assert_line --regexp '^db +: ok=[0-9]+ +changed=[0-9]+ +unreachable=0 +failed=0'
}

# web checks db's cache, which listens on db's loopback only (a common
# mistake), db a port nothing serves, and a third host cannot be entered
@test "switch 4: closed ports fail the play with a table of the failed checks, naming their hosts" {
	inventory '[{host: 127.0.0.1, ports: "6379,9"}]' \
	    '[{host: 192.0.2.2, ports: "5432,6379"}]' \
	    "    gone: {ansible_connection: netns, ansible_netns: $T/ns/gone, sockit_path: $T/hosts/gone/sockit, sockit_checks: [{host: 127.0.0.1, ports: 22}]}"
	playbook
	# ansible-playbook's status: 4 when a host was unreachable (else 2,
	# a task failed)
	assert_failure 4
	# the report names every result; the failure, only those not open
	assert_line --regexp '^ *- web +192\.0\.2\.2 +5432/tcp +open +[0-9.]+ms$'
	assert_line --regexp '^ *msg: \|-$'
	assert_line --regexp '^ +3 of 6 checks failed:$'
	local table
	table=$(sed -n '/checks failed:$/,/^$/p' <<<"$output" | sed '1d;/^$/d')
	run sed -E 's/^ +//; s/ +/ /g' <<<"$table"
	assert_line --index 0 'FROM HOST PORT STATE LATENCY'
	assert_line --index 1 --regexp '^web 192\.0\.2\.2 6379/tcp closed [0-9.]+ms$'
	assert_line --index 2 --regexp '^db 127\.0\.0\.1 9/tcp closed [0-9.]+ms$'
	assert_line --index 3 'gone - - no result -'
	[ "${#lines[@]}" -eq 4 ]
}
