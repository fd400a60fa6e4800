/* Certificates in the TLS module: a fresh self-signed one for a server
   (tls_ctx_selfsigned) and the facts of the peer's (tls_info). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls/openssl.h"

/* The SAN entry of name: an IP address or a DNS name. */
static GENERAL_NAME *
san_entry(const char *name)
{
	GENERAL_NAME *g = GENERAL_NAME_new();
	ASN1_OCTET_STRING *ip;
	ASN1_IA5STRING *dns;

	if (g == NULL)
		return NULL;
	ip = a2i_IPADDRESS(name);
	if (ip != NULL) {
		GENERAL_NAME_set0_value(g, GEN_IPADD, ip);
		return g;
	}
	ERR_clear_error();
	dns = ASN1_IA5STRING_new();
	if (dns == NULL || ASN1_STRING_set(dns, name, -1) != 1) {
		ASN1_IA5STRING_free(dns);
		GENERAL_NAME_free(g);
		return NULL;
	}
	GENERAL_NAME_set0_value(g, GEN_DNS, dns);
	return g;
}

/* The SHA-256 of x as "AB:CD:...". */
static void
fingerprint(X509 *x, char *buf, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;
	size_t at = 0;

	buf[0] = '\0';
	if (X509_digest(x, EVP_sha256(), md, &n) != 1)
		return;
	for (i = 0; i < n && at + 3 < len; i++)
		at += (size_t)snprintf(buf + at, len - at, i ? ":%02X" : "%02X",
		    md[i]);
}

int
tls_ctx_selfsigned(struct tls_ctx *c, const char *const *names, size_t n,
    char *fp, size_t fplen, struct sock_err *e)
{
	EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_id(EVP_PKEY_EC, NULL);
	GENERAL_NAMES *san = sk_GENERAL_NAME_new_null();
	EVP_PKEY *pk = NULL;
	X509 *x = X509_new();
	X509_NAME *subj;
	BIGNUM *bn = BN_new();
	GENERAL_NAME *g;
	size_t i;
	int rc = -1;

	if (pc == NULL || san == NULL || x == NULL || bn == NULL ||
	    EVP_PKEY_keygen_init(pc) != 1 ||
	    EVP_PKEY_CTX_set_ec_paramgen_curve_nid(pc, NID_X9_62_prime256v1) !=
		1 ||
	    EVP_PKEY_keygen(pc, &pk) != 1)
		goto out;
	if (X509_set_version(x, 2) != 1 || BN_rand(bn, 63, 0, 0) != 1 ||
	    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) == NULL ||
	    X509_gmtime_adj(X509_getm_notBefore(x), -3600) == NULL ||
	    X509_gmtime_adj(X509_getm_notAfter(x), 365L * 86400) == NULL ||
	    X509_set_pubkey(x, pk) != 1)
		goto out;
	subj = X509_get_subject_name(x);
	if (X509_NAME_add_entry_by_txt(subj, "CN", MBSTRING_UTF8,
		(const unsigned char *)names[0], -1, -1, 0) != 1 ||
	    X509_set_issuer_name(x, subj) != 1)
		goto out;
	for (i = 0; i < n; i++) {
		if ((g = san_entry(names[i])) == NULL)
			goto out;
		if (sk_GENERAL_NAME_push(san, g) == 0) {
			GENERAL_NAME_free(g);
			goto out;
		}
	}
	if (X509_add1_ext_i2d(x, NID_subject_alt_name, san, 0, 0) != 1 ||
	    X509_sign(x, pk, EVP_sha256()) == 0 ||
	    SSL_CTX_use_certificate(c->ctx, x) != 1 ||
	    SSL_CTX_use_PrivateKey(c->ctx, pk) != 1)
		goto out;
	fingerprint(x, fp, fplen);
	rc = 0;
out:
	if (rc == -1)
		sock_failmsg(e, SOCK_ETLS, tls_reason("failed"),
		    "self-signed certificate");
	GENERAL_NAMES_free(san);
	BN_free(bn);
	X509_free(x);
	EVP_PKEY_free(pk);
	EVP_PKEY_CTX_free(pc);
	return rc;
}

/* An X509_NAME as RFC 2253 text (UTF-8 kept). */
static void
name_text(const X509_NAME *n, char *buf, size_t len)
{
	BIO *b = BIO_new(BIO_s_mem());
	int got = 0;

	buf[0] = '\0';
	if (b == NULL)
		return;
	if (X509_NAME_print_ex(b, n, 0,
		XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0)
		got = BIO_read(b, buf, (int)len - 1);
	buf[got > 0 ? got : 0] = '\0';
	BIO_free(b);
}

/* An ASN1_TIME as "2026-11-22T07:08:04Z" and seconds since the epoch.
   Returns 0 or -1. */
static int
time_text(const ASN1_TIME *a, char *buf, size_t len, time_t *when)
{
	struct tm tm;

	buf[0] = '\0';
	if (ASN1_TIME_to_tm(a, &tm) != 1)
		return -1;
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	*when = timegm(&tm);
	return 0;
}

void
tls_info(const struct tls *t, struct tls_info *in)
{
	const unsigned char *alpn = NULL;
	unsigned int alen = 0;
	X509 *x;
	time_t nb, na;
	long long secs;
	long vr;

	memset(in, 0, sizeof(*in));
	snprintf(in->version, sizeof(in->version), "%s",
	    SSL_get_version(t->ssl));
	snprintf(in->cipher, sizeof(in->cipher), "%s",
	    SSL_get_cipher_name(t->ssl));
	SSL_get0_alpn_selected(t->ssl, &alpn, &alen);
	if (alpn != NULL && alen < sizeof(in->alpn)) {
		memcpy(in->alpn, alpn, alen);
		in->alpn[alen] = '\0';
	}
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
	x = SSL_get1_peer_certificate(t->ssl);
#else
	x = SSL_get_peer_certificate(t->ssl);
#endif
	if (x == NULL)
		return;
	in->have_cert = true;
	name_text(X509_get_subject_name(x), in->subject, sizeof(in->subject));
	name_text(X509_get_issuer_name(x), in->issuer, sizeof(in->issuer));
	time_text(X509_get0_notBefore(x), in->not_before,
	    sizeof(in->not_before), &nb);
	if (time_text(X509_get0_notAfter(x), in->not_after,
		sizeof(in->not_after), &na) == 0) {
		secs = (long long)na - (long long)time(NULL);
		in->days_left =
		    secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	}
	vr = SSL_get_verify_result(t->ssl);
	/* a client's "verified" means the chain and the name */
	in->verified = vr == X509_V_OK && (t->c->o.server || t->name_checked);
	if (vr != X509_V_OK)
		snprintf(in->verify_error, sizeof(in->verify_error), "%s",
		    X509_verify_cert_error_string(vr));
	else if (!in->verified)
		snprintf(in->verify_error, sizeof(in->verify_error),
		    "no name to check it against");
	fingerprint(x, in->fingerprint, sizeof(in->fingerprint));
	X509_free(x);
}
