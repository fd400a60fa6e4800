#!/usr/bin/env python3
"""A TLS server (python3's ssl module) for one client, where the tests
need a peer that says exactly when it sends close_notify.

    tls_peer.py CERT KEY MODE

It listens on 127.0.0.1 (a port the kernel picks), writes "listening on
127.0.0.1 PORT" on stderr and serves one client with the certificate
chain CERT and its key KEY.  Modes:
  echo  reads to the client's close_notify, answers "got N bytes" and
        closes cleanly (close_notify, then TCP)
  drop  sends "bye", waits for the client's close_notify and closes TCP
        without sending one of its own
"""
import socket
import ssl
import sys

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[1], sys.argv[2])
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
sys.stderr.write("listening on 127.0.0.1 %d\n" % srv.getsockname()[1])
sys.stderr.flush()
c = ctx.wrap_socket(srv.accept()[0], server_side=True)
if sys.argv[3] == "drop":
    # after the client's close_notify, TCP FIN without one of ours
    c.sendall(b"bye\n")
    c.recv(1)
    c.close()
    sys.exit(0)
got = 0
while True:
    d = c.recv(65536)
    if not d:
        break
    got += len(d)
c.sendall(b"got %d bytes\n" % got)
c.unwrap()
c.close()
