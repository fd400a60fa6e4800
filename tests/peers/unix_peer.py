#!/usr/bin/env python3
"""Unix socket peers for the tests of listen -U.

    unix_peer.py stale PATH
        binds PATH and exits: a socket file nobody listens on
    unix_peer.py connect PATH NAME
        connects to PATH from a socket bound to the abstract NAME (\\0,
        \\xNN escapes), half-closes and reads until the server closes
"""
import codecs
import socket
import sys


def main():
    mode, path = sys.argv[1], sys.argv[2]
    s = socket.socket(socket.AF_UNIX)
    if mode == "stale":
        s.bind(path)
    elif mode == "connect":
        s.bind(codecs.escape_decode(sys.argv[3].encode())[0])
        s.connect(path)
        s.shutdown(socket.SHUT_WR)
        s.recv(100)
    else:
        sys.exit("unix_peer: unknown mode %s" % mode)


if __name__ == "__main__":
    main()
