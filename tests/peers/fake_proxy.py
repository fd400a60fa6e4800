#!/usr/bin/env python3
"""Fake proxies that write on stdout what the client asked for and answer
as told, for the tests of --proxy (real ones cannot be told to fail).

    fake_proxy.py KIND [ANSWER...]

It listens on 127.0.0.1 (a port the kernel picks) and writes "listening
on 127.0.0.1 PORT" on stderr.  Each ANSWER serves one connection, in
order; without ANSWERs every connection is granted, until killed.  A
connection that breaks off before its request is whole (something else
probing the port) is dropped without using up an answer.
  socks5 CODE...  no authentication; logs "cmd=C atyp=A host=H port=P",
                  answers the reply code CODE ("none": no answer at all,
                  30 s of silence), and after 0 sends "through socks5"
  socks4 CODE...  SOCKS4 and 4a; logs "vn=V cd=C port=P ip=IP user=U
                  name=N" (N "-" without a 4a name), answers CODE, and
                  after 90 sends "through socks4"
  http CHUNK...   one connection: logs the CONNECT request header, then
                  sends the CHUNKs (\\r, \\n, \\xNN escapes) 200 ms apart
                  and closes
"""
import codecs
import itertools
import socket
import struct
import sys
import time


def rd(c, n):
    """Exactly n bytes from c, or EOFError."""
    b = b""
    while len(b) < n:
        d = c.recv(n - len(b))
        if not d:
            raise EOFError
        b += d
    return b


def cstr(c):
    b = b""
    while True:
        x = rd(c, 1)
        if x == b"\0":
            return b.decode()
        b += x


def socks5(c, code):
    v, n = rd(c, 2)
    if v != 5:
        raise ValueError
    rd(c, n)
    c.sendall(b"\x05\x00")
    _, cmd, _, atyp = rd(c, 4)
    if atyp == 1:
        host = socket.inet_ntop(socket.AF_INET, rd(c, 4))
    elif atyp == 4:
        host = socket.inet_ntop(socket.AF_INET6, rd(c, 16))
    else:
        host = rd(c, rd(c, 1)[0]).decode()
    port = struct.unpack(">H", rd(c, 2))[0]
    print("cmd=%d atyp=%d host=%s port=%d" % (cmd, atyp, host, port),
          flush=True)
    if code is None:
        time.sleep(30)
    c.sendall(bytes([5, code, 0, 1, 0, 0, 0, 0, 0, 0]))
    if code == 0:
        c.sendall(b"through socks5\n")


def socks4(c, code):
    h = rd(c, 8)
    if h[0] != 4:
        raise ValueError
    ip = socket.inet_ntoa(h[4:8])
    user = cstr(c)
    name = cstr(c) if ip.startswith("0.0.0.") and ip != "0.0.0.0" else "-"
    print("vn=%d cd=%d port=%d ip=%s user=%s name=%s" % (h[0], h[1],
          struct.unpack(">H", h[2:4])[0], ip, user, name), flush=True)
    c.sendall(bytes([0, code, 0, 0, 0, 0, 0, 0]))
    if code == 90:
        c.sendall(b"through socks4\n")


def serve(srv, one, codes):
    """One connection per code, in order: a connection that breaks off
    does not use up its code."""
    for code in codes:
        while True:
            c, _ = srv.accept()
            try:
                one(c, code)
                break
            except (EOFError, OSError, ValueError, IndexError):
                pass
            finally:
                c.close()


def http(srv, chunks):
    while True:
        c, _ = srv.accept()
        req = b""
        while b"\r\n\r\n" not in req:
            d = c.recv(4096)
            if not d:
                break
            req += d
        if req.startswith(b"CONNECT "):
            break
        c.close()
    sys.stdout.write(req.decode())
    sys.stdout.flush()
    for i, chunk in enumerate(chunks):
        if i:
            time.sleep(0.2)
        c.sendall(chunk)
    c.close()


def main():
    kind, answers = sys.argv[1], sys.argv[2:]
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    sys.stderr.write("listening on 127.0.0.1 %d\n" % srv.getsockname()[1])
    sys.stderr.flush()
    if kind == "http":
        http(srv, [codecs.escape_decode(a.encode())[0] for a in answers])
        return
    one = {"socks5": socks5, "socks4": socks4}[kind]
    granted = {"socks5": 0, "socks4": 90}[kind]
    codes = [None if a == "none" else int(a) for a in answers]
    serve(srv, one, codes or itertools.repeat(granted))


if __name__ == "__main__":
    main()
