// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of tunnelconf.c: a private key kept out of the wg-quick file,
 * in [Tunnel] PrivateKeyFile or in the systemd credential wgphys.key, with
 * the file checks (owner, mode, link) and the refusal of two sources; and
 * the key file's own syntax.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "encoding.h"
#include "tap.h"
#include "tunnelconf.h"
#include "wgphysconf.h"

/* Random keys made for these tests; none is used anywhere. */
#define PRIV "fbRgVAnqxOzKTJSY173dqIGX+diOevngUFxjgmaiCC4="
#define PRIV2 "WBkZ1Pp8+9o0nUBYAXIeKqrAXrh+0yPtODkUBPrWpkc="
#define PUB1 "fPDcIdwIiQVDg1/H4IWWspPpQ9sjOeJGh4qKFeKeyoE="

static char tmpdir[] = "/tmp/test-tunnelconf.XXXXXX";
static struct wgp_err err;

static const char *emsg(void)
{
	static char line[1024];

	if (!err.code)
		return "";
	wgp_format(&err, line, sizeof(line));
	return line;
}

static bool key_is(const uint8_t key[WG_KEY_LEN], const char *b64)
{
	char out[WG_KEY_LEN_BASE64];

	key_to_base64(out, key);
	return !strcmp(out, b64);
}

static void test_key_text(void)
{
	static const struct {
		const char *text;
		bool good;
	} cases[] = {
		{ PRIV, true },
		{ PRIV "\n", true },
		{ PRIV "\r\n", true },
		{ PRIV " \t\n\n", true },
		{ "", false },
		{ "\n", false },
		{ " " PRIV "\n", false },
		{ PRIV "x\n", false },
		{ PRIV "\n" PRIV2 "\n", false },
		{ "fbRgVAnqxOzKTJSY173dqIGX+diOevngUFxjgmaiCC4\n", false },
		{ "fbRgVAnqxOzKTJSY173dqIGX+diOevngUFxjgmaiCC5=\n", false },
	};
	uint8_t key[WG_KEY_LEN];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = key_file_parse(cases[i].text, strlen(cases[i].text), key);

		ok(cases[i].good ? ret == 0 && key_is(key, PRIV) : ret == -EINVAL,
		   "key file text %zu %s", i, cases[i].good ? "accepted" : "refused");
	}
}

static void put(const char *name, const char *text, mode_t mode, char *path, size_t size)
{
	int fd;

	snprintf(path, size, "%s/%s", tmpdir, name);
	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text) || fchmod(fd, mode))
		diag("cannot write %s", path);
	if (fd >= 0)
		close(fd);
}

/* tunnel_load with cfg naming wg and key (NULL: no PrivateKeyFile). */
static int load(const char *wg_path, const char *key_path, bool hooks_ignore,
		const char *cred_dir, struct wg_config **out)
{
	struct wgphys_config *cfg = NULL;
	int ret;

	memset(&err, 0, sizeof(err));
	*out = NULL;
	if (config_default(&cfg))
		return -ENOMEM;
	free(cfg->tunnel_config);
	cfg->tunnel_config = strdup(wg_path);
	cfg->private_key_file = key_path ? strdup(key_path) : NULL;
	cfg->hooks_ignore = hooks_ignore;
	ret = tunnel_load(cfg, cred_dir, out, &err);
	config_free(cfg);
	return ret;
}

static void test_sources(void)
{
	char wg_nokey[256], wg_key[256], wg_hook[256], key[256], cred[256], credkey[256];
	char link[256], want[1024];
	struct wg_config *wg;
	int ret;

	put("nokey.conf", "[Interface]\nDNS = 10.0.0.53\n[Peer]\nPublicKey = " PUB1 "\n", 0600,
	    wg_nokey, sizeof(wg_nokey));
	put("key.conf", "[Interface]\nPrivateKey = " PRIV "\nDNS = 10.0.0.53\n", 0600,
	    wg_key, sizeof(wg_key));
	put("hook.conf", "[Interface]\nDNS = 10.0.0.53\nPostUp = echo hi\n", 0600,
	    wg_hook, sizeof(wg_hook));
	put("wg0.key", PRIV2 "\n", 0600, key, sizeof(key));
	snprintf(cred, sizeof(cred), "%s/cred", tmpdir);
	mkdir(cred, 0500);
	chmod(cred, 0700);
	snprintf(credkey, sizeof(credkey), "%s/cred/wgphys.key", tmpdir);
	put("cred/wgphys.key", PRIV "\n", 0400, credkey, sizeof(credkey));

	ret = load(wg_nokey, key, false, NULL, &wg);
	ok(ret == 0 && key_is(wg->private_key, PRIV2), "PrivateKeyFile: the key (%s)", emsg());
	wgconf_free(wg);

	ret = load(wg_key, key, false, NULL, &wg);
	snprintf(want, sizeof(want), "%s:2: PrivateKey is given here and by PrivateKeyFile %s; keep only one",
		 wg_key, key);
	ok(ret == -EINVAL && !wg && !strcmp(emsg(), want), "PrivateKeyFile and PrivateKey: refused (%s)",
	   emsg());

	ret = load(wg_nokey, NULL, false, cred, &wg);
	ok(ret == 0 && key_is(wg->private_key, PRIV), "credential: the key (%s)", emsg());
	wgconf_free(wg);

	ret = load(wg_key, NULL, false, cred, &wg);
	snprintf(want, sizeof(want), "%s:2: PrivateKey is given here and by the systemd credential %s; keep only one",
		 wg_key, credkey);
	ok(ret == -EINVAL && !strcmp(emsg(), want), "credential and PrivateKey: refused (%s)", emsg());

	ret = load(wg_nokey, key, false, cred, &wg);
	snprintf(want, sizeof(want), "%s: PrivateKeyFile in wgphys.conf and the systemd credential %s both give a private key; keep only one",
		 key, credkey);
	ok(ret == -EINVAL && !strcmp(emsg(), want), "credential and PrivateKeyFile: refused (%s)", emsg());

	ret = load(wg_key, NULL, false, tmpdir, &wg);
	ok(ret == 0 && key_is(wg->private_key, PRIV),
	   "a credentials directory without wgphys.key: the file's key (%s)", emsg());
	wgconf_free(wg);

	ret = load(wg_key, NULL, false, "relative/dir", &wg);
	ok(ret == -EINVAL && !strcmp(emsg(), "CREDENTIALS_DIRECTORY: 'relative/dir' is not an absolute path"),
	   "a relative credentials directory refused (%s)", emsg());

	ret = load(wg_nokey, NULL, false, NULL, &wg);
	ok(ret == -EINVAL && strstr(emsg(), ":1: [Interface] has no PrivateKey (nor does wgphys.conf"),
	   "no key anywhere (%s)", emsg());

	ret = load(wg_hook, key, true, NULL, &wg);
	ok(ret == 0 && wg->n_notes == 1 && strstr(wg->notes[0], ":3: PostUp skipped (Hooks = ignore)"),
	   "Hooks = ignore reaches the wg-quick reader (%s)", ret ? emsg() : wg->notes[0]);
	wgconf_free(wg);
	ret = load(wg_hook, key, false, NULL, &wg);
	ok(ret == -EINVAL && strstr(emsg(), ":3: PostUp is not supported"), "...and its default (%s)",
	   emsg());

	/* The key file's checks: not readable by group or others, root's, itself. */
	chmod(key, 0640);
	ret = load(wg_nokey, key, false, NULL, &wg);
	snprintf(want, sizeof(want), "%s: readable by group or others; it holds a private key (chmod 600 %s)",
		 key, key);
	ok(ret == -EPERM && !strcmp(emsg(), want), "PrivateKeyFile 0640 refused (%s)", emsg());
	chmod(key, 0604);
	ret = load(wg_nokey, key, false, NULL, &wg);
	ok(ret == -EPERM && !strcmp(emsg(), want), "PrivateKeyFile 0604 refused");
	chmod(key, 0620);
	ret = load(wg_nokey, key, false, NULL, &wg);
	ok(ret == -EPERM && strstr(emsg(), "writable by group or others"), "PrivateKeyFile 0620 refused");
	chmod(key, 0400);
	ret = load(wg_nokey, key, false, NULL, &wg);
	ok(ret == 0, "PrivateKeyFile 0400 accepted (%s)", emsg());
	wgconf_free(wg);
	if (chown(key, 65534, 0) == 0) {
		ret = load(wg_nokey, key, false, NULL, &wg);
		ok(ret == -EPERM && strstr(emsg(), "owned by uid 65534, not root"),
		   "PrivateKeyFile owned by uid 65534 refused (%s)", emsg());
		chown(key, 0, 0);
	} else {
		ok(0, "chown: %s", strerror(errno));
	}
	snprintf(link, sizeof(link), "%s/link.key", tmpdir);
	unlink(link);
	ret = symlink(key, link) ? -errno : load(wg_nokey, link, false, NULL, &wg);
	ok(ret == -ELOOP && strstr(emsg(), "is a symbolic link"), "PrivateKeyFile through a link refused (%s)",
	   emsg());
	snprintf(link, sizeof(link), "%s/missing.key", tmpdir);
	ret = load(wg_nokey, link, false, NULL, &wg);
	snprintf(want, sizeof(want), "%s: No such file or directory", link);
	ok(ret == -ENOENT && !strcmp(emsg(), want), "a missing PrivateKeyFile (%s)", emsg());
	put("bad.key", PRIV "\n" PRIV2 "\n", 0600, link, sizeof(link));
	ret = load(wg_nokey, link, false, NULL, &wg);
	snprintf(want, sizeof(want), "%s: not a private key: expected 44 characters of base64 for 32 bytes, alone in the file",
		 link);
	ok(ret == -EINVAL && !strcmp(emsg(), want) && !strstr(emsg(), "fbRgVAnq"),
	   "a key file with two keys refused, quoting neither (%s)", emsg());
	chmod(credkey, 0440);
	ret = load(wg_nokey, NULL, false, cred, &wg);
	ok(ret == -EPERM && strstr(emsg(), "readable by group or others"),
	   "a credential readable by group refused (%s)", emsg());
}

int main(void)
{
	static const char *const names[] = {
		"nokey.conf", "key.conf", "hook.conf", "wg0.key", "link.key", "bad.key",
		"cred/wgphys.key",
	};
	char path[256];
	size_t i;

	test_key_text();
	if (geteuid() != 0) {
		ok(1, "file checks # SKIP needs root (the files must be root's)");
		return done_testing();
	}
	if (!mkdtemp(tmpdir)) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return done_testing();
	}
	test_sources();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, names[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/cred", tmpdir);
	rmdir(path);
	rmdir(tmpdir);
	return done_testing();
}
