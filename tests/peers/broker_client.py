#!/usr/bin/env python3
"""A client of `sockit listen --broker` for what nc, ncat and socat do not
do.  Prints "port N" (its local port) on stderr once connected.

    broker_client.py PORT relay       stdin lines to the server, what it
                                      sends to stdout (a fourth kind of
                                      client beside nc, ncat and socat)
    broker_client.py PORT stall       never reads (a 4K receive buffer)
    broker_client.py PORT reset N     reads N bytes, then leaves at once
                                      with a reset (mid-message)
"""
import socket
import struct
import sys
import threading
import time


def connect(port, rcvbuf=None):
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", port))
    print("port %d" % s.getsockname()[1], file=sys.stderr, flush=True)
    return s


def relay(s):
    def up():
        for line in sys.stdin.buffer:
            s.sendall(line)
    threading.Thread(target=up, daemon=True).start()
    while True:
        d = s.recv(65536)
        if not d:
            break
        sys.stdout.buffer.write(d)
        sys.stdout.buffer.flush()


def stall(s):
    # never reads: the server's queue for it fills (killed by the test)
    while True:
        time.sleep(1)


def reset(s, n):
    got = 0
    while got < n:
        d = s.recv(min(65536, n - got))
        if not d:
            break
        got += len(d)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
    print("left after %d" % got, file=sys.stderr, flush=True)


def main():
    port, what = int(sys.argv[1]), sys.argv[2]
    if what == "relay":
        relay(connect(port))
    elif what == "stall":
        stall(connect(port, rcvbuf=4096))
    elif what == "reset":
        reset(connect(port), int(sys.argv[3]))


main()
