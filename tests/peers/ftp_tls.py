#!/usr/bin/python3
"""An FTP server with AUTH TLS (python3-pyftpdlib's TLS_FTPHandler), for
connect -z --starttls ftp: no FTP server in Debian is started in the
foreground on a free port as simply.

    ftp_tls.py CERT KEY PORT DIR

It serves DIR to anonymous on 127.0.0.1:PORT with the certificate CERT
and its key KEY until it is killed.
"""
import logging
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import TLS_FTPHandler
from pyftpdlib.servers import FTPServer

logging.basicConfig(level=logging.WARNING)
authorizer = DummyAuthorizer()
authorizer.add_anonymous(sys.argv[4])
TLS_FTPHandler.certfile = sys.argv[1]
TLS_FTPHandler.keyfile = sys.argv[2]
TLS_FTPHandler.authorizer = authorizer
FTPServer(("127.0.0.1", int(sys.argv[3])), TLS_FTPHandler).serve_forever()
