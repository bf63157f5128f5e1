// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the captive-portal probe's parsers (portal.c): the probe
 * URL (names, literals, ports, what is refused), and the HTTP response head
 * a café sends back (status codes, Location, malformed and truncated
 * heads, a byte stream of every length). The probe itself, against a real
 * portal, is tests/vm/t-cafe.sh.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "portal.h"
#include "tap.h"

static void test_url(void)
{
	struct portal_url u;
	char long_host[300];

	ok(portal_parse_url("http://connectivitycheck.gstatic.com/generate_204", &u) == 0 &&
	   !strcmp(u.host, "connectivitycheck.gstatic.com") && !strcmp(u.port, "80") &&
	   !strcmp(u.path, "/generate_204"), "url: a name, the default port, a path");
	ok(portal_parse_url("http://192.0.2.1:8080/x?y=1", &u) == 0 && !strcmp(u.host, "192.0.2.1") &&
	   !strcmp(u.port, "8080") && !strcmp(u.path, "/x?y=1"), "url: IPv4, a port, a query");
	ok(portal_parse_url("http://[2001:db8::1]:81/", &u) == 0 && !strcmp(u.host, "2001:db8::1") &&
	   !strcmp(u.port, "81"), "url: an IPv6 literal with a port");
	ok(portal_parse_url("http://[2001:db8::1]/p", &u) == 0 && !strcmp(u.port, "80") &&
	   !strcmp(u.path, "/p"), "url: an IPv6 literal without a port");
	ok(portal_parse_url("http://example.org", &u) == 0 && !strcmp(u.path, "/"),
	   "url: no path is /");
	ok(portal_parse_url("https://example.org/", &u) == -EINVAL, "url: https is refused");
	ok(portal_parse_url("example.org/", &u) == -EINVAL, "url: no scheme is refused");
	ok(portal_parse_url("http:///x", &u) == -EINVAL, "url: an empty host is refused");
	ok(portal_parse_url("http://h:/x", &u) == -EINVAL, "url: an empty port is refused");
	ok(portal_parse_url("http://h:8a/x", &u) == -EINVAL, "url: a port with a letter is refused");
	ok(portal_parse_url("http://h:1234567/x", &u) == -EINVAL, "url: a port too long is refused");
	ok(portal_parse_url("http://h:65536/x", &u) == -EINVAL, "url: port 65536 is refused");
	ok(portal_parse_url("http://h:0/x", &u) == -EINVAL, "url: port 0 is refused");
	ok(portal_parse_url("http://[::1/x", &u) == -EINVAL, "url: an unclosed [ is refused");
	ok(portal_parse_url("http://[::1]x/", &u) == -EINVAL, "url: junk after ] is refused");
	memset(long_host, 'a', sizeof(long_host) - 1);
	long_host[sizeof(long_host) - 1] = '\0';
	{
		char url[400];

		snprintf(url, sizeof(url), "http://%s/", long_host);
		ok(portal_parse_url(url, &u) == -EINVAL, "url: a host too long is refused");
	}
}

static void test_head(void)
{
	char loc[256];

	ok(portal_parse_head("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n", loc,
			     sizeof(loc)) == 204 && !loc[0], "head: 204, no Location");
	ok(portal_parse_head("HTTP/1.0 200 OK\r\nServer: x\r\n\r\n<html>", loc, sizeof(loc)) == 200,
	   "head: a 200 page");
	ok(portal_parse_head("HTTP/1.1 302 Found\r\nlocation:  http://portal.example/login?a=b\r\n\r\n",
			     loc, sizeof(loc)) == 302 &&
	   !strcmp(loc, "http://portal.example/login?a=b"),
	   "head: a redirect; Location in any case, blanks skipped");
	ok(portal_parse_head("HTTP/1.1 302 Found\r\n\r\nLocation: http://body/\r\n", loc,
			     sizeof(loc)) == 302 && !loc[0], "head: a Location in the body is not read");
	ok(portal_parse_head("HTTP/1.1 302 Found\r\nLocation: http://cut", loc, sizeof(loc)) == 302 &&
	   !strcmp(loc, "http://cut"), "head: a truncated head gives what it has");
	ok(portal_parse_head("SSH-2.0-OpenSSH\r\n", loc, sizeof(loc)) == 0, "head: not HTTP: 0");
	ok(portal_parse_head("HTTP/1.1 999 Odd\r\n\r\n", loc, sizeof(loc)) == 0,
	   "head: a code out of range: 0");
	ok(portal_parse_head("HTTP/1.1 20", loc, sizeof(loc)) == 0, "head: a cut status line: 0");
	ok(portal_parse_head("", loc, sizeof(loc)) == 0, "head: nothing: 0");
	{
		char big[2000];

		snprintf(big, sizeof(big), "HTTP/1.1 301 Moved\r\nLocation: http://");
		memset(big + strlen(big), 'x', sizeof(big) - strlen(big) - 1);
		big[sizeof(big) - 1] = '\0';
		ok(portal_parse_head(big, loc, sizeof(loc)) == 301 && strlen(loc) == sizeof(loc) - 1,
		   "head: a Location longer than the buffer is cut, NUL-terminated");
	}
	{
		/* Every prefix of a real answer: no read past the end (ASan). */
		static const char full[] = "HTTP/1.1 302 Found\r\nLocation: http://p/\r\nX: y\r\n\r\n";
		int bad = 0;

		for (size_t n = 0; n <= sizeof(full) - 1; n++) {
			char *cut = strndup(full, n);
			int code = portal_parse_head(cut, loc, sizeof(loc));

			bad += code != 0 && code != 302;
			free(cut);
		}
		ok(!bad, "head: every prefix of an answer parses to 0 or its code");
	}
}

int main(void)
{
	test_url();
	test_head();
	return done_testing();
}
