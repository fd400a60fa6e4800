/* TCP_INFO decoded, and options of live sockets: the kind of a
   descriptor, what applies to it (src/sock/tcpinfo.c, src/sock/fdkind.c,
   src/sock/opt.c). */
#include "config.h"

#include "test_sock.h"

/* Fills a TCP_INFO value with glibc's struct tcp_info: the offsets of
   the decoder agree with the C library's for the fields it has. */
void
test_tcpinfo_layout(void)
{
#if defined(__linux__) && defined(TCP_INFO)
	struct sock_kv kv[SOCK_TCPINFO_MAX];
	struct tcp_info ti;
	struct sock_optval v;
	size_t n, i;
	bool good;

	memset(&ti, 0, sizeof(ti));
	memset(&v, 0, sizeof(v));
	ti.tcpi_state = 1;
	ti.tcpi_ca_state = 4;
	ti.tcpi_retransmits = 3;
	ti.tcpi_options = 1 | 2 | 4;
	ti.tcpi_snd_wscale = 7;
	ti.tcpi_rcv_wscale = 9;
	ti.tcpi_rto = 200000;
	ti.tcpi_snd_mss = 1448;
	ti.tcpi_rcv_mss = 536;
	ti.tcpi_unacked = 5;
	ti.tcpi_lost = 6;
	ti.tcpi_pmtu = 1500;
	ti.tcpi_rtt = 1234;
	ti.tcpi_rttvar = 567;
	ti.tcpi_snd_cwnd = 10;
	ti.tcpi_total_retrans = 42;
	v.type = SOT_TCPINFO;
	memcpy(v.raw, &ti, sizeof(ti));
	v.rawlen = sizeof(ti);
	n = sock_tcpinfo(&v, kv, SOCK_TCPINFO_MAX);
	ok(n > 30 && strcmp(kv[n - 1].key, "total_retrans") == 0,
	    "glibc's struct tcp_info (%zu bytes) decodes to %zu fields, the "
	    "last total_retrans",
	    sizeof(ti), n);
	good = true;
	for (i = 0; i < n; i++) {
		static const struct {
			const char *key, *str;
			uint64_t num;
		} want[] = {
			{ "state", "ESTABLISHED", 0 },
			{ "ca_state", "loss", 0 },
			{ "retransmits", NULL, 3 },
			{ "options", "ts,sack,wscale", 0 },
			{ "snd_wscale", NULL, 7 },
			{ "rcv_wscale", NULL, 9 },
			{ "rto_us", NULL, 200000 },
			{ "snd_mss", NULL, 1448 },
			{ "rcv_mss", NULL, 536 },
			{ "unacked", NULL, 5 },
			{ "lost", NULL, 6 },
			{ "pmtu", NULL, 1500 },
			{ "rtt_us", NULL, 1234 },
			{ "rttvar_us", NULL, 567 },
			{ "snd_cwnd", NULL, 10 },
			{ "total_retrans", NULL, 42 },
		};
		size_t k;

		for (k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
			if (strcmp(kv[i].key, want[k].key) != 0)
				continue;
			if (want[k].str != NULL ?
				!kv[i].is_str ||
				    strcmp(kv[i].str, want[k].str) != 0 :
				kv[i].is_str || kv[i].num != want[k].num) {
				good = false;
				printf("# %s: got %s/%llu\n", kv[i].key,
				    kv[i].str, (unsigned long long)kv[i].num);
			}
		}
	}
	ok(good, "every field set in glibc's struct reads back by name");
	v.rawlen = 8;
	ok(sock_tcpinfo(&v, kv, SOCK_TCPINFO_MAX) == 9,
	    "a short answer (8 bytes) gives only its 9 fields");
	v.type = SOT_INT;
	ok(sock_tcpinfo(&v, kv, SOCK_TCPINFO_MAX) == 0,
	    "a value that is not TCP_INFO gives no fields");
#else
	ok(1, "# SKIP TCP_INFO layout is Linux's");
#endif
}

/* TCP_INFO of a live loopback connection, the fd kinds and what options
   apply to them. */
void
test_opt_live(void)
{
	struct sock_kv kv[SOCK_TCPINFO_MAX];
	const struct sock_opt *o;
	struct sock_addr a;
	struct sock_optval v, w;
	struct sock_err e;
	char buf[64];
	int lfd, cfd, fd, family, type, nul;
	size_t i, n;
	uint16_t port;
	bool state = false, rtt = false;

	lfd = listen_lo(4, &port);
	a = addr("127.0.0.1", port);
	cfd = sock_connect(&a, NULL, WAIT_MS, &e);
	o = sock_opt_find("TCP_INFO");
	ok(cfd >= 0 && o != NULL && sock_opt_get(cfd, o, &v, &e) == 0 &&
		v.rawlen >= 104,
	    "TCP_INFO of a connected socket reads (%u bytes)",
	    (unsigned)v.rawlen);
	n = sock_tcpinfo(&v, kv, SOCK_TCPINFO_MAX);
	for (i = 0; i < n; i++) {
		if (strcmp(kv[i].key, "state") == 0)
			state = strcmp(kv[i].str, "ESTABLISHED") == 0;
		if (strcmp(kv[i].key, "rtt_us") == 0)
			rtt = !kv[i].is_str;
	}
	ok(state && rtt, "its state is ESTABLISHED and it has rtt_us");
	ok(sock_fd_kind(cfd, &family, &type, &e) == 0 && family == AF_INET &&
		type == SOCK_STREAM,
	    "sock_fd_kind of a TCP socket: AF_INET, "
	    "SOCK_STREAM");
	is_str(sock_kind_str(family, type, buf, sizeof(buf)), "IPv4 TCP socket",
	    "sock_kind_str names it \"IPv4 TCP socket\"");

	close(cfd);
	close(lfd);

	fd = sock_socket(AF_UNIX, SOCK_DGRAM, false, &e);
	ok(fd >= 0 && sock_fd_kind(fd, &family, &type, &e) == 0 &&
		family == AF_UNIX && type == SOCK_DGRAM,
	    "sock_fd_kind of a Unix datagram socket");
	memset(&e, 0, sizeof(e));
	ok(sock_opt_usable(fd, sock_opt_find("TCP_NODELAY"), &e) == -1 &&
		e.kind == SOCK_EUSAGE &&
		strcmp(e.msg, "not valid for a Unix datagram socket") == 0,
	    "sock_opt_usable: TCP_NODELAY is not for a Unix datagram socket");
	ok(sock_opt_usable(fd, sock_opt_find("SO_SNDBUF"), &e) == 0,
	    "sock_opt_usable: SO_SNDBUF is");
	if (fd >= 0)
		close(fd);
	nul = open("/dev/null", O_RDONLY | O_CLOEXEC);
	memset(&e, 0, sizeof(e));
	ok(sock_fd_kind(nul, &family, &type, &e) == -1 &&
		e.kind == SOCK_EUSAGE && strcmp(e.msg, "not a socket") == 0,
	    "sock_fd_kind of /dev/null: a usage error, \"not a socket\"");
	close(nul);
	memset(&e, 0, sizeof(e));
	ok(sock_fd_kind(nul, &family, &type, &e) == -1 &&
		e.kind == SOCK_EUSAGE && e.code == EBADF,
	    "sock_fd_kind of a closed fd: a usage error, EBADF");

	o = sock_opt_find("SO_RCVTIMEO");
	ok(sock_opt_parse(o, "1.5", &v, &e) == 0 &&
		strcmp(sock_opt_str(&v, buf, sizeof(buf)), "1.5") == 0,
	    "SO_RCVTIMEO 1.5 prints as \"1.5\"");
	ok(sock_opt_parse(o, "3000000s", &v, &e) == -1,
	    "SO_RCVTIMEO past INT32_MAX ms is refused");
	ok(sock_opt_parse(o, "1h", &v, &e) == 0 &&
		strcmp(sock_opt_str(&v, buf, sizeof(buf)), "3600") == 0,
	    "SO_RCVTIMEO 1h prints as \"3600\" (seconds, no exponent)");
	ok(sock_opt_parse(o, "2s", &w, &e) == 0 &&
		sock_opt_parse(o, "2000ms", &v, &e) == 0 &&
		sock_optval_equal(&v, &w) &&
		sock_opt_parse(o, "2.5", &v, &e) == 0 &&
		!sock_optval_equal(&v, &w),
	    "sock_optval_equal compares durations by value");
	o = sock_opt_find("TCP_USER_TIMEOUT");
	ok(o != NULL && sock_opt_parse(o, "30s", &v, &e) == 0 && v.i == 30000,
	    "TCP_USER_TIMEOUT=30s is 30000 ms for the kernel");
	o = sock_opt_find("TCP_KEEPIDLE");
	ok(o != NULL && sock_opt_parse(o, "2m", &v, &e) == 0 && v.i == 120,
	    "TCP_KEEPIDLE=2m is 120 s for the kernel");
	o = sock_opt_find("TCP_CONGESTION");
	fd = sock_socket(AF_INET, SOCK_STREAM, false, &e);
	memset(&e, 0, sizeof(e));
	ok(o != NULL && sock_opt_parse(o, "no-such-cc", &v, &e) == 0 &&
		sock_opt_set(fd, o, &v, &e) == -1 && e.kind == SOCK_EUSAGE &&
		e.code == ENOENT &&
		strcmp(e.what, "set TCP_CONGESTION=no-such-cc") == 0 &&
		strncmp(e.msg,
		    "not an available congestion control "
		    "(available: ",
		    48) == 0,
	    "first hour 10: TCP_CONGESTION="
	    "no-such-cc is a wrong value (EUSAGE: %s)",
	    e.msg);
	if (fd >= 0)
		close(fd);
}
