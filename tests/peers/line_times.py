#!/usr/bin/env python3
"""Receives lines and says when each arrived: for --delay.  Reads until
the end of file, then prints each line with the time it arrived (seconds
since the first one, monotonic clock) on stdout: "0.301 LINE".

    line_times.py listen          accept one client on 127.0.0.1 (port
                                  0; "listening on 127.0.0.1 PORT" on
                                  stderr)
    line_times.py connect PORT    connect to 127.0.0.1 PORT
"""
import signal
import socket
import sys
import time

signal.alarm(30)
if sys.argv[1] == "listen":
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    print("listening on 127.0.0.1 %d" % srv.getsockname()[1],
          file=sys.stderr, flush=True)
    s, _ = srv.accept()
else:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
buf, lines = b"", []
while True:
    d = s.recv(65536)
    if not d:
        break
    now = time.monotonic()
    buf += d
    while b"\n" in buf:
        line, buf = buf.split(b"\n", 1)
        lines.append((now, line))
for t, line in lines:
    print("%.3f %s" % (t - lines[0][0], line.decode()))
