#!/usr/bin/env python3
"""A UDP peer for the bats tests.

    udp_peer.py [--host ADDR] MODE [ARG...]

Servers bind ADDR (127.0.0.1; an address with ":" is IPv6) port 0 and
write "listening on ADDR PORT" on stderr:
  recv DIR N SECS    writes one line per datagram to DIR/dgrams: "HEX
                     ADDRESS PORT TTL" (HEX "-" when empty, TTL or hop
                     limit as received); ends after N datagrams (0: no
                     limit) or SECS seconds
  echo SECS [REPLY]  answers each datagram with itself (or with REPLY)
                     for SECS seconds (0: until killed)
  hold SECS          bound for SECS seconds, never reading
Clients send to HOST PORT:
  send HOST PORT HEX...  each HEX string as one datagram, from one
                     socket; prints that socket's port
  ask HOST PORT TEXT     sends TEXT and prints the answer (5 s at most)
  sizes HOST PORT        sends datagrams of 0, 1, 100, 1400 and 65507
                     bytes and reads each answer; prints "ok" when none
                     is larger than what was sent
Others:
  free-port          prints a UDP port of ADDR nobody is bound to now
"""
import socket
import sys
import time


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def bound(host):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.bind((host, 0))
    return s


def announce(host, s):
    sys.stderr.write("listening on %s %d\n" % (host, s.getsockname()[1]))
    sys.stderr.flush()


def recv(host, d, n, secs):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    if family(host) == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
    else:
        s.setsockopt(socket.IPPROTO_IP, 12, 1)  # IP_RECVTTL
    s.bind((host, 0))
    out = open(d + "/dgrams", "w")
    announce(host, s)
    end = time.time() + secs
    got = 0
    while n == 0 or got < n:
        left = end - time.time()
        if left <= 0:
            break
        s.settimeout(left)
        try:
            data, anc, _, a = s.recvmsg(70000, 256)
        except socket.timeout:
            break
        ttl = "-"
        for _, _, val in anc:
            ttl = str(int.from_bytes(val[:4], sys.byteorder))
        out.write("%s %s %d %s\n" % (data.hex() or "-", a[0], a[1], ttl))
        out.flush()
        got += 1


def echo(host, secs, reply=None):
    s = bound(host)
    announce(host, s)
    end = time.time() + secs if secs > 0 else None
    while end is None or time.time() < end:
        if end is not None:
            s.settimeout(max(end - time.time(), 0.01))
        try:
            data, a = s.recvfrom(70000)
        except socket.timeout:
            break
        s.sendto(data if reply is None else reply.encode(), a)


def hold(host, secs):
    s = bound(host)
    announce(host, s)
    time.sleep(secs)


def send(host, port, hexes):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    for h in hexes:
        s.sendto(bytes.fromhex(h), (host, port))
    print(s.getsockname()[1])


def ask(host, port, text):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.settimeout(5)
    s.sendto(text.encode(), (host, port))
    print(s.recvfrom(100)[0].decode())


def sizes(host, port):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.settimeout(2)
    for n in (0, 1, 100, 1400, 65507):
        s.sendto(b"q" * n, (host, port))
        d = s.recv(70000)
        assert len(d) <= n, (n, len(d))
    print("ok")


def main():
    args = sys.argv[1:]
    host = "127.0.0.1"
    if args[:1] == ["--host"]:
        host, args = args[1], args[2:]
    mode, rest = args[0], args[1:]
    if mode == "recv":
        recv(host, rest[0], int(rest[1]), float(rest[2]))
    elif mode == "echo":
        echo(host, float(rest[0]), *rest[1:2])
    elif mode == "hold":
        hold(host, float(rest[0]))
    elif mode == "send":
        send(rest[0], int(rest[1]), rest[2:])
    elif mode == "ask":
        ask(rest[0], int(rest[1]), rest[2])
    elif mode == "sizes":
        sizes(rest[0], int(rest[1]))
    elif mode == "free-port":
        print(bound(host).getsockname()[1])
    else:
        sys.exit("udp_peer: unknown mode %s" % mode)


if __name__ == "__main__":
    main()
