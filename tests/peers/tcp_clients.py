#!/usr/bin/env python3
"""Many TCP clients at once, for the load tests of listen -k.

    tcp_clients.py MODE PORT [N] [EXPECT]

Every client connects to 127.0.0.1 PORT.  Modes:
  echo N          N clients at once: each sends "hello I\\n", half-closes
                  and reads to EOF; prints how many got their line back
  lines N         N clients at once: each sends "line III\\n", stays 0.2 s
                  and closes
  sequential N [EXPECT]
                  N clients one after the other: each sends "x",
                  half-closes and reads one byte (or, given EXPECT, up to
                  10 bytes that must be EXPECT) before it closes
  slowloris       5 clients send a byte and go silent while a sixth sends
                  a line every 0.1 s for 2 s; prints how many of the
                  silent ones were cut and whether the busy one still is
                  connected ("5 True")
  max-conns N     N clients at once, each reading until the server ends
                  it; prints how many stayed longer than 0.5 s (served)
  burst N         N clients connect at once (non-blocking): each sends its
                  number, half-closes and waits for EOF; prints how many
                  saw EOF within 30 s
"""
import select
import socket
import sys
import threading
import time


def connect(port, timeout=None):
    return socket.create_connection(("127.0.0.1", port), timeout=timeout)


def together(n, client):
    threads = [threading.Thread(target=client, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def echo(port, n):
    ok = []

    def client(i):
        s = connect(port, 30)
        s.sendall(b"hello %d\n" % i)
        s.shutdown(socket.SHUT_WR)
        data = b""
        while True:
            d = s.recv(100)
            if not d:
                break
            data += d
        if data == b"hello %d\n" % i:
            ok.append(i)

    together(n, client)
    print(len(ok))


def lines(port, n):
    def client(i):
        s = connect(port, 30)
        s.sendall(b"line %03d\n" % i)
        time.sleep(0.2)
        s.close()

    together(n, client)


def sequential(port, n, expect=None):
    for _ in range(n):
        s = connect(port)
        s.sendall(b"x")
        s.shutdown(socket.SHUT_WR)
        if expect is None:
            s.recv(1)
        else:
            d = s.recv(10)
            assert d == expect.encode(), d
        s.close()


def slowloris(port):
    idle = [connect(port) for _ in range(5)]
    for s in idle:
        s.sendall(b"G")  # a byte, then nothing
    active = connect(port)
    for i in range(20):  # 2 s of steady traffic
        active.sendall(b"tick %02d\n" % i)
        time.sleep(0.1)
    active.setblocking(False)  # not closed by the server?
    try:
        alive = active.recv(1) != b""
    except BlockingIOError:
        alive = True
    cut = 0
    for s in idle:
        s.settimeout(2)
        try:
            if s.recv(1) == b"":
                cut += 1
        except ConnectionResetError:
            cut += 1
    print(cut, alive)


def max_conns(port, n):
    served = []

    def client(i):
        # served clients stay ~1 s (the child sleeps); refused ones end
        # at once
        t0 = time.time()
        try:
            s = connect(port, 10)
            s.recv(1)
        except OSError:
            pass
        served.append(time.time() - t0 > 0.5)

    together(n, client)
    print(sum(served))


def burst(port, n):
    ep = select.epoll()
    socks, state = {}, {}
    for i in range(n):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", port))
        socks[s.fileno()], state[s.fileno()] = (s, i), 0
        ep.register(s.fileno(), select.EPOLLOUT)
    served, t0 = 0, time.monotonic()
    while socks and time.monotonic() - t0 < 30:
        for fd, ev in ep.poll(0.1):
            s, i = socks[fd]
            if state[fd] == 0:
                s.send(b"%d\n" % i)
                s.shutdown(socket.SHUT_WR)
                state[fd] = 1
                ep.modify(fd, select.EPOLLIN)
            elif s.recv(64) == b"":
                served += 1
                ep.unregister(fd)
                socks.pop(fd)
                s.close()
    print(served)


def main():
    mode, port, rest = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    if mode == "echo":
        echo(port, int(rest[0]))
    elif mode == "lines":
        lines(port, int(rest[0]))
    elif mode == "sequential":
        sequential(port, int(rest[0]), *rest[1:2])
    elif mode == "slowloris":
        slowloris(port)
    elif mode == "max-conns":
        max_conns(port, int(rest[0]))
    elif mode == "burst":
        burst(port, int(rest[0]))
    else:
        sys.exit("tcp_clients: unknown mode %s" % mode)


if __name__ == "__main__":
    main()
