#!/usr/bin/env python3
"""A telnet server's option negotiation, for connect -t: accepts one
client on 127.0.0.1 (port 0), prints "listening on 127.0.0.1 PORT" on
stderr, sends text mixed with negotiation (DO, WILL, DONT, WONT, a
subnegotiation, IAC IAC, a command split across two writes), then reads
what the client sends until its end of file and prints it, hex, on
stdout.  Exits after 20 s at most.

    telnet_server.py
"""
import signal
import socket
import sys
import time

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240

signal.alarm(20)
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
print("listening on 127.0.0.1 %d" % srv.getsockname()[1], file=sys.stderr,
      flush=True)
c, _ = srv.accept()
c.sendall(bytes([IAC, DO, 1, IAC, WILL, 3]) + b"hello" + bytes([IAC, IAC]) +
          b" world\r\n" + bytes([IAC, SB, 24, 1, IAC, SE]) +
          bytes([IAC, DONT, 5, IAC, WONT, 6, IAC, 241]) + b"end")
time.sleep(0.3)
c.sendall(bytes([IAC]))   # a command split across two writes
time.sleep(0.3)
c.sendall(bytes([DO, 31]) + b"\n")
got = b""
while True:
    d = c.recv(4096)
    if not d:
        break
    got += d
print(got.hex(" "), flush=True)
c.close()
