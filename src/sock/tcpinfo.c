/* TCP_INFO decoded into named fields.  The layout is Linux's struct
   tcp_info (include/uapi/linux/tcp.h), which only ever grows at its end:
   a field is decoded when the kernel's answer was long enough to hold it,
   so an older kernel gives fewer fields and a newer one its known prefix.
   (glibc's <netinet/tcp.h> copy of the struct lags the kernel's, and
   <linux/tcp.h> clashes with it, hence the offsets here; the unit tests
   check them against glibc's struct.) */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "sock/sock.h"

#if defined(__linux__)
enum kind {
	K_NUM,	    /* an unsigned integer of size bytes */
	K_STATE,    /* tcpi_state: "ESTABLISHED" */
	K_CA_STATE, /* tcpi_ca_state: "open" */
	K_OPTIONS,  /* tcpi_options: "ts,sack,wscale" */
	K_LOW4,	    /* the first 4-bit field of a byte */
	K_HIGH4,    /* the second */
	K_BIT0	    /* the first 1-bit field of a byte */
};

static const struct field {
	const char *key;
	unsigned short off;
	unsigned char size;
	unsigned char kind;
} fields[] = {
	{ "state", 0, 1, K_STATE },
	{ "ca_state", 1, 1, K_CA_STATE },
	{ "retransmits", 2, 1, K_NUM },
	{ "probes", 3, 1, K_NUM },
	{ "backoff", 4, 1, K_NUM },
	{ "options", 5, 1, K_OPTIONS },
	{ "snd_wscale", 6, 1, K_LOW4 },
	{ "rcv_wscale", 6, 1, K_HIGH4 },
	{ "delivery_rate_app_limited", 7, 1, K_BIT0 },
	{ "rto_us", 8, 4, K_NUM },
	{ "ato_us", 12, 4, K_NUM },
	{ "snd_mss", 16, 4, K_NUM },
	{ "rcv_mss", 20, 4, K_NUM },
	{ "unacked", 24, 4, K_NUM },
	{ "sacked", 28, 4, K_NUM },
	{ "lost", 32, 4, K_NUM },
	{ "retrans", 36, 4, K_NUM },
	{ "fackets", 40, 4, K_NUM },
	{ "last_data_sent_ms", 44, 4, K_NUM },
	/* 48: last_ack_sent, "not remembered" by the kernel */
	{ "last_data_recv_ms", 52, 4, K_NUM },
	{ "last_ack_recv_ms", 56, 4, K_NUM },
	{ "pmtu", 60, 4, K_NUM },
	{ "rcv_ssthresh", 64, 4, K_NUM },
	{ "rtt_us", 68, 4, K_NUM },
	{ "rttvar_us", 72, 4, K_NUM },
	{ "snd_ssthresh", 76, 4, K_NUM },
	{ "snd_cwnd", 80, 4, K_NUM },
	{ "advmss", 84, 4, K_NUM },
	{ "reordering", 88, 4, K_NUM },
	{ "rcv_rtt_us", 92, 4, K_NUM },
	{ "rcv_space", 96, 4, K_NUM },
	{ "total_retrans", 100, 4, K_NUM },
	{ "pacing_rate", 104, 8, K_NUM },
	{ "max_pacing_rate", 112, 8, K_NUM },
	{ "bytes_acked", 120, 8, K_NUM },
	{ "bytes_received", 128, 8, K_NUM },
	{ "segs_out", 136, 4, K_NUM },
	{ "segs_in", 140, 4, K_NUM },
	{ "notsent_bytes", 144, 4, K_NUM },
	{ "min_rtt_us", 148, 4, K_NUM },
	{ "data_segs_in", 152, 4, K_NUM },
	{ "data_segs_out", 156, 4, K_NUM },
	{ "delivery_rate", 160, 8, K_NUM },
	{ "busy_time_us", 168, 8, K_NUM },
	{ "rwnd_limited_us", 176, 8, K_NUM },
	{ "sndbuf_limited_us", 184, 8, K_NUM },
	{ "delivered", 192, 4, K_NUM },
	{ "delivered_ce", 196, 4, K_NUM },
	{ "bytes_sent", 200, 8, K_NUM },
	{ "bytes_retrans", 208, 8, K_NUM },
	{ "dsack_dups", 216, 4, K_NUM },
	{ "reord_seen", 220, 4, K_NUM },
	{ "rcv_ooopack", 224, 4, K_NUM },
	{ "snd_wnd", 228, 4, K_NUM },
	{ "rcv_wnd", 232, 4, K_NUM },
	{ "rehash", 236, 4, K_NUM },
	{ "total_rto", 240, 2, K_NUM },
	{ "total_rto_recoveries", 242, 2, K_NUM },
	{ "total_rto_time_ms", 244, 4, K_NUM },
};

static uint64_t
get_num(const unsigned char *p, size_t size)
{
	uint64_t v64;
	uint32_t v32;
	uint16_t v16;

	switch (size) {
	case 8:
		memcpy(&v64, p, 8);
		return v64;
	case 4:
		memcpy(&v32, p, 4);
		return v32;
	case 2:
		memcpy(&v16, p, 2);
		return v16;
	default:
		return *p;
	}
}

static const char *
state_name(unsigned s)
{
	static const char *names[] = {
		"0",
		"ESTABLISHED",
		"SYN_SENT",
		"SYN_RECV",
		"FIN_WAIT1",
		"FIN_WAIT2",
		"TIME_WAIT",
		"CLOSE",
		"CLOSE_WAIT",
		"LAST_ACK",
		"LISTEN",
		"CLOSING",
		"NEW_SYN_RECV",
		"BOUND_INACTIVE",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : NULL;
}

static const char *
ca_state_name(unsigned s)
{
	static const char *names[] = {
		"open",
		"disorder",
		"cwr",
		"recovery",
		"loss",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : NULL;
}

static void
options_str(unsigned o, char *buf, size_t len)
{
	static const char *names[] = {
		"ts",
		"sack",
		"wscale",
		"ecn",
		"ecn_seen",
		"syn_data",
		"usec_ts",
	};
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(o & (1u << i)))
			continue;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s",
		    n ? "," : "", names[i]);
	}
}

/* The value of bit field number `index` (0: first declared) of width
   bits in byte b, as the C compiler lays bit fields out. */
static unsigned
bits(unsigned char b, unsigned index, unsigned width)
{
	unsigned mask = (1u << width) - 1;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return (b >> (8 - width * (index + 1))) & mask;
#else
	return (b >> (width * index)) & mask;
#endif
}

size_t
sock_tcpinfo(const struct sock_optval *v, struct sock_kv *kv, size_t max)
{
	const struct field *f;
	const char *name;
	size_t i, n = 0;
	uint64_t num;

	if (v->type != SOT_TCPINFO)
		return 0;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]) && n < max; i++) {
		f = &fields[i];
		if ((size_t)f->off + f->size > v->rawlen)
			break;
		num = get_num(v->raw + f->off, f->size);
		memset(&kv[n], 0, sizeof(kv[n]));
		kv[n].key = f->key;
		switch (f->kind) {
		case K_STATE:
		case K_CA_STATE:
			name = f->kind == K_STATE ?
			    state_name((unsigned)num) :
			    ca_state_name((unsigned)num);
			kv[n].is_str = true;
			if (name != NULL)
				snprintf(kv[n].str, sizeof(kv[n].str), "%s",
				    name);
			else
				snprintf(kv[n].str, sizeof(kv[n].str), "%u",
				    (unsigned)num);
			break;
		case K_OPTIONS:
			kv[n].is_str = true;
			options_str((unsigned)num, kv[n].str,
			    sizeof(kv[n].str));
			break;
		case K_LOW4:
		case K_HIGH4:
			kv[n].num =
			    bits((unsigned char)num, f->kind == K_HIGH4, 4);
			break;
		case K_BIT0:
			kv[n].num = bits((unsigned char)num, 0, 1);
			break;
		default:
			kv[n].num = num;
			break;
		}
		n++;
	}
	return n;
}
#else
size_t
sock_tcpinfo(const struct sock_optval *v, struct sock_kv *kv, size_t max)
{
	(void)v;
	(void)kv;
	(void)max;
	return 0; /* another system's struct tcp_info: not decoded */
}
#endif
