#!/usr/bin/env python3
"""A TCP server for the bats tests: listens, says where on stderr, then
plays a script of steps with the clients it accepts.

    tcp_peer.py [OPTION...] [STEP...]

Options (the listeners):
  --host ADDR     listen on ADDR (127.0.0.1; an address with ":" is IPv6)
  --port PORT     listen on PORT (0: the kernel picks); repeat for several
  --listeners N   N listeners on ports the kernel picks
  --consecutive   --listeners N on N consecutive ports below the
                  ephemeral range (where nothing else binds them)
  --backlog N     listen(N) (8)
  --fill N        fill each listener's queue with N connections of its
                  own first: with --backlog 0, SYNs to it are dropped
  --also ADDR     one more listener on ADDR, on the first one's port
  --closed N      hold N more ports bound but not listening (they refuse)

Once listening it writes, on stderr, "ports P..." when there are several
listeners, "closed P..." with --closed, then "listening on ADDR PORT"
(the first port).  Then the steps, in order; each works on the client
accepted last (the first listener's):
  accept           take the next client of every listener
  send TEXT        send TEXT (\\n, \\r, \\xNN escapes)
  send-times N T   send T, N times over, in one go
  flood TEXT       send TEXT in 64 KiB blocks until the client goes away
  recv N           one recv() of at most N bytes, kept
  read             read to EOF, kept
  read-idle SECS   read to EOF or until SECS pass without a byte, kept
  copy             write what comes to stdout as it comes, until EOF
  drain            read and drop until EOF
  echo             send back what was kept
  print            write what was kept to stdout
  print-eof        print "eof" when the reads ended at EOF, else "no eof"
  print-count      print "received N bytes" (what was kept)
  print-peer       print the client's "ADDR PORT"
  say TEXT         print TEXT
  shutdown         shut down the sending side (the client reads EOF)
  reset            close with SO_LINGER 0: the client gets a reset
  close            close the connection
  sleep SECS       sleep
The process ends after the last step.
"""
import codecs
import random
import socket
import struct
import sys
import time


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def unescape(text):
    return codecs.escape_decode(text.encode())[0]


def listener(host, port, backlog, reuse=True):
    s = socket.socket(family(host))
    if reuse:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(backlog)
    return s


def consecutive(host, n, backlog):
    """n listeners on consecutive ports, or exits."""
    for _ in range(50):
        lo = random.randrange(10000, 30000 - n)
        held = []
        try:
            for port in range(lo, lo + n):
                s = socket.socket(family(host))
                held.append(s)
                s.bind((host, port))
                s.listen(backlog)
            return held
        except OSError:
            for s in held:
                s.close()
    sys.exit("tcp_peer: no %d consecutive free ports" % n)


def fill(listeners, n):
    """n connections of our own to each listener, left in its queue."""
    held = []
    for l in listeners:
        host, port = l.getsockname()[:2]
        for _ in range(n):
            c = socket.socket(l.family)
            c.setblocking(False)
            c.connect_ex((host, port))
            held.append(c)
    time.sleep(0.3)
    return held


class Peer:
    def __init__(self, listeners):
        self.listeners = listeners
        self.clients = []  # every accepted client, kept open
        self.conn = self.addr = None
        self.got = b""
        self.eof = False

    def out(self, data):
        sys.stdout.buffer.write(data)
        sys.stdout.flush()

    def accept(self):
        for i, l in enumerate(self.listeners):
            c, a = l.accept()
            self.clients.append(c)
            if i == 0:
                self.conn, self.addr = c, a

    def send(self, text):
        self.conn.sendall(unescape(text))

    def send_times(self, n, text):
        self.conn.sendall(unescape(text) * int(n))

    def flood(self, text):
        block = unescape(text) * 65536
        try:
            while True:
                self.conn.sendall(block)
        except OSError:
            pass

    def recv(self, n):
        self.got += self.conn.recv(int(n))

    def read(self):
        while True:
            d = self.conn.recv(65536)
            if not d:
                self.eof = True
                return
            self.got += d

    def read_idle(self, secs):
        self.conn.settimeout(float(secs))
        try:
            self.read()
        except socket.timeout:
            self.eof = False
        self.conn.settimeout(None)

    def copy(self):
        while True:
            d = self.conn.recv(65536)
            if not d:
                break
            sys.stdout.buffer.write(d)
        sys.stdout.flush()

    def drain(self):
        while self.conn.recv(65536):
            pass

    def echo(self):
        self.conn.sendall(self.got)

    def print(self):
        self.out(self.got)

    def print_eof(self):
        self.out(b"eof\n" if self.eof else b"no eof\n")

    def print_count(self):
        self.out(b"received %d bytes\n" % len(self.got))

    def print_peer(self):
        self.out(b"%s %d\n" % (self.addr[0].encode(), self.addr[1]))

    def say(self, text):
        self.out(unescape(text) + b"\n")

    def shutdown(self):
        self.conn.shutdown(socket.SHUT_WR)

    def reset(self):
        self.conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             struct.pack("ii", 1, 0))
        self.conn.close()

    def close(self):
        self.conn.close()

    def sleep(self, secs):
        time.sleep(float(secs))


# step name: (method, number of arguments)
STEPS = {
    "accept": ("accept", 0), "send": ("send", 1),
    "send-times": ("send_times", 2), "flood": ("flood", 1),
    "recv": ("recv", 1), "read": ("read", 0),
    "read-idle": ("read_idle", 1), "copy": ("copy", 0),
    "drain": ("drain", 0), "echo": ("echo", 0), "print": ("print", 0),
    "print-eof": ("print_eof", 0), "print-count": ("print_count", 0),
    "print-peer": ("print_peer", 0), "say": ("say", 1),
    "shutdown": ("shutdown", 0), "reset": ("reset", 0),
    "close": ("close", 0), "sleep": ("sleep", 1),
}


def parse(argv):
    opts = {"host": "127.0.0.1", "ports": [], "listeners": 1,
            "consecutive": False, "backlog": 8, "fill": 0, "also": None,
            "closed": 0}
    flags = {"--host": "host", "--port": "ports", "--listeners": "listeners",
             "--backlog": "backlog", "--fill": "fill", "--also": "also",
             "--closed": "closed"}
    i = 0
    while i < len(argv) and argv[i].startswith("--"):
        if argv[i] == "--consecutive":
            opts["consecutive"] = True
            i += 1
            continue
        key = flags.get(argv[i])
        if key is None or i + 1 >= len(argv):
            sys.exit("tcp_peer: bad option %s" % argv[i])
        value = argv[i + 1]
        if key == "ports":
            opts["ports"].append(int(value))
        elif key in ("host", "also"):
            opts[key] = value
        else:
            opts[key] = int(value)
        i += 2
    steps = []
    while i < len(argv):
        if argv[i] not in STEPS:
            sys.exit("tcp_peer: unknown step %s" % argv[i])
        method, nargs = STEPS[argv[i]]
        if i + nargs >= len(argv):
            sys.exit("tcp_peer: %s needs %d argument(s)" % (argv[i], nargs))
        steps.append((method, argv[i + 1:i + 1 + nargs]))
        i += 1 + nargs
    return opts, steps


def main():
    opts, steps = parse(sys.argv[1:])
    host, backlog = opts["host"], opts["backlog"]
    if opts["consecutive"]:
        listeners = consecutive(host, opts["listeners"], backlog)
    elif opts["ports"]:
        listeners = [listener(host, p, backlog) for p in opts["ports"]]
    else:
        listeners = [listener(host, 0, backlog)
                     for _ in range(opts["listeners"])]
    listeners.sort(key=lambda l: l.getsockname()[1])
    held = fill(listeners, opts["fill"]) if opts["fill"] else []
    port = listeners[0].getsockname()[1]
    if opts["also"] is not None:
        held.append(listener(opts["also"], port, 8, reuse=False))
    closed = []
    for _ in range(opts["closed"]):
        s = socket.socket()
        s.bind((host, 0))
        closed.append(s)
    ports = [l.getsockname()[1] for l in listeners]
    if len(ports) > 1:
        sys.stderr.write("ports %s\n" % " ".join(map(str, ports)))
    if closed:
        sys.stderr.write("closed %s\n" % " ".join(
            str(s.getsockname()[1]) for s in closed))
    sys.stderr.write("listening on %s %d\n" % (host, port))
    sys.stderr.flush()
    peer = Peer(listeners)
    for method, args in steps:
        getattr(peer, method)(*args)


if __name__ == "__main__":
    main()
