#!/usr/bin/env python3
"""Hands a socket to a command as its descriptor 3, as a service manager
or a parent process would.

    pass_socket.py listen-fds CMD [ARG...]
        a TCP listener on 127.0.0.1 (a port the kernel picks; "listening
        on 127.0.0.1 PORT" on stderr) passed the systemd way: CMD runs
        with it as descriptor 3 and LISTEN_FDS=1, LISTEN_PID its own pid;
        exits with CMD's status
    pass_socket.py fd3 CMD [ARG...]
        a TCP listener with SO_RCVBUF 32768 as descriptor 3 of CMD;
        prints "rcvbuf N" (as the kernel keeps it) before CMD runs and
        "nodelay N" (TCP_NODELAY of the socket) after; exits with CMD's
        status
"""
import os
import socket
import subprocess
import sys


def listen_fds(cmd):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    sys.stderr.write("listening on 127.0.0.1 %d\n" % s.getsockname()[1])
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.dup2(s.fileno(), 3)
        os.set_inheritable(3, True)  # dup2(3, 3) keeps FD_CLOEXEC
        env = dict(os.environ, LISTEN_FDS="1", LISTEN_PID=str(os.getpid()))
        os.execve(cmd[0], cmd, env)
    _, st = os.waitpid(pid, 0)
    sys.exit(os.waitstatus_to_exitcode(st))


def fd3(cmd):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32768)
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    os.dup2(s.fileno(), 3)
    print("rcvbuf", s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF))
    sys.stdout.flush()
    r = subprocess.run(cmd, pass_fds=(3,))
    print("nodelay", s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
    sys.exit(r.returncode)


def main():
    mode, cmd = sys.argv[1], sys.argv[2:]
    if mode == "listen-fds":
        listen_fds(cmd)
    elif mode == "fd3":
        fd3(cmd)
    else:
        sys.exit("pass_socket: unknown mode %s" % mode)


if __name__ == "__main__":
    main()
