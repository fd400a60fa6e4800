#!/usr/bin/env python3
"""A slow reader at the end of a pipe: copies stdin to FILE a MiB at a
time, resting 0.1 s after every 128 MiB, so the writer meets
backpressure.

    slow_reader.py FILE
"""
import sys
import time

n = 0
out = open(sys.argv[1], "wb")
while True:
    d = sys.stdin.buffer.read(1 << 20)
    if not d:
        break
    out.write(d)
    n += 1
    if n % 128 == 0:
        time.sleep(0.1)
