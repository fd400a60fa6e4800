/* bench/floor_tls.c: the least a TLS relay can do, the floor of
   bench/tls.sh: OpenSSL's defaults (the protocol and cipher sockit and
   ncat get), blocking sockets, no poll, no options, 1 MiB reads.
     floor_tls listen PORT CERT KEY: one accept on 127.0.0.1:PORT, the
       handshake, then SSL_read until the peer's close_notify or EOF,
       the bytes dropped (as the other servers write to /dev/null).
     floor_tls connect PORT: one connect, the handshake (no check of the
       certificate: nothing to read against), stdin read 1 MiB at a time
       and SSL_write each, then close_notify.
   Exit 0, or 1 when something failed.  Built by `make bench` with
   OpenSSL. */
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ssl.h>

#define BUF (1 << 20)

static int
serve(int port, const char *cert, const char *key, char *buf)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
	SSL *ssl;
	int l, c, on = 1;

	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (ctx == NULL || SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1)
		return 1;
	l = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (l == -1 || bind(l, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    listen(l, 1) == -1 || (c = accept(l, NULL, NULL)) == -1)
		return 1;
	ssl = SSL_new(ctx);
	if (ssl == NULL || SSL_set_fd(ssl, c) != 1 || SSL_accept(ssl) != 1)
		return 1;
	while (SSL_read(ssl, buf, BUF) > 0)
		;
	return 0;
}

static int
send_stdin(int port, char *buf)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
	SSL *ssl;
	ssize_t n;
	int s;

	a.sin_port = htons((unsigned short)port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (ctx == NULL || s == -1 ||
	    connect(s, (struct sockaddr *)&a, sizeof(a)) == -1)
		return 1;
	ssl = SSL_new(ctx);
	if (ssl == NULL || SSL_set_fd(ssl, s) != 1 || SSL_connect(ssl) != 1)
		return 1;
	while ((n = read(0, buf, BUF)) > 0)
		if (SSL_write(ssl, buf, (int)n) != (int)n)
			return 1;
	SSL_shutdown(ssl);
	return n == 0 ? 0 : 1;
}

int
main(int argc, char **argv)
{
	char *buf = malloc(BUF);

	if (buf != NULL && argc == 5 && strcmp(argv[1], "listen") == 0)
		return serve(atoi(argv[2]), argv[3], argv[4], buf);
	if (buf != NULL && argc == 3 && strcmp(argv[1], "connect") == 0)
		return send_stdin(atoi(argv[2]), buf);
	return 2;
}
