/* Received datagrams on stdout, as text or JSON Lines. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "out/dgram.h"
#include "out/json.h"

const char *
iso_time(const struct timespec *ts, char *buf, size_t len)
{
	struct tm tm;
	time_t t = ts->tv_sec;
	char day[32];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		snprintf(buf, len, "%lld", (long long)t);
		return buf;
	}
	snprintf(buf, len, "%s.%06ldZ", day, ts->tv_nsec / 1000L);
	return buf;
}

int
dgram_print(const struct sock_dgram *d, bool json)
{
	struct sock_addr from = d->from;
	struct json j;
	char when[64];

	if (!json) {
		if (d->len > 0 && fwrite(d->buf, 1, d->len, stdout) != d->len)
			return -1;
		return 0;
	}
	sock_addr_unmap(&from);
	json_begin(&j, stdout);
	json_str(&j, "from", from.host);
	if (from.family == AF_UNIX) /* a Unix sender: a path, no port */
		json_null(&j, "port");
	else
		json_uint(&j, "port", from.port);
	json_uint(&j, "bytes", d->len);
	/* JSON could carry NUL as \u0000, but many readers stop there */
	if (utf8_valid(d->buf, d->len) && memchr(d->buf, '\0', d->len) == NULL)
		json_strn(&j, "data", d->buf, d->len);
	else
		json_base64(&j, "data_base64", d->buf, d->len);
	json_str(&j, "time", iso_time(&d->stamp, when, sizeof(when)));
	if (d->trunc)
		json_bool(&j, "truncated", true);
	return json_end(&j);
}
