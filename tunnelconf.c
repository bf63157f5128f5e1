// SPDX-License-Identifier: GPL-2.0
/*
 * The tunnel's configuration as wgphys.conf asks for it (tunnelconf.h): a
 * private key kept out of the wg-quick file, then the file itself.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "encoding.h"
#include "secfile.h"
#include "tunnelconf.h"
#include "values.h"
#include "wgquick.h"

int key_file_parse(const char *text, size_t len, uint8_t key[WG_KEY_LEN])
{
	char b64[WG_KEY_LEN_BASE64];
	size_t i;
	int ret;

	explicit_bzero(key, WG_KEY_LEN);
	if (len < WG_KEY_LEN_BASE64 - 1)
		return -EINVAL;
	for (i = WG_KEY_LEN_BASE64 - 1; i < len; i++)
		if (!ch_space(text[i]) && text[i] != '\n')
			return -EINVAL;
	memcpy(b64, text, WG_KEY_LEN_BASE64 - 1);
	b64[WG_KEY_LEN_BASE64 - 1] = '\0';
	ret = key_from_base64(key, b64);
	explicit_bzero(b64, sizeof(b64));
	return ret;
}

/* The key in the file at path, checked like any secret of root's. */
static int key_file_read(const char *path, uint8_t key[WG_KEY_LEN], struct wgp_err *err)
{
	size_t len, cap;
	char *buf = NULL;
	int ret;

	ret = secfile_read(path, SECFILE_KEY, &buf, &len, &cap, err);
	if (ret)
		return ret;
	ret = key_file_parse(buf, len, key);
	secfile_release(buf, cap);
	if (ret)
		return wgp_refuse(err, EINVAL, path, "not a private key: expected 44 characters of base64 for 32 bytes, alone in the file");
	return 0;
}

/* The credential, if the unit passed one: 1, 0 (none) or -errno. */
static int credential_read(const char *cred_dir, char *path, size_t len,
			   uint8_t key[WG_KEY_LEN], struct wgp_err *err)
{
	struct wgp_err e = { 0 };
	int ret;

	if (!cred_dir || !cred_dir[0])
		return 0;
	if (!val_path(cred_dir))
		return wgp_refuse(err, EINVAL, "CREDENTIALS_DIRECTORY", "'%.64s' is not an absolute path",
				  cred_dir);
	if ((size_t)snprintf(path, len, "%s/%s", cred_dir, TUNNEL_CREDENTIAL) >= len)
		return wgp_refuse(err, ENAMETOOLONG, "CREDENTIALS_DIRECTORY", "too long");
	ret = key_file_read(path, key, &e);
	if (ret == -ENOENT)
		return 0;	/* the unit has credentials, not this one */
	if (ret < 0 && err && !err->code)
		*err = e;
	return ret < 0 ? ret : 1;
}

/*
 * The key from outside the wg-quick file: 1 with key and from (its place,
 * in words) filled in, 0 if there is none, or -errno.
 */
static int key_outside(const struct wgphys_config *cfg, const char *cred_dir,
		       uint8_t key[WG_KEY_LEN], char *from, size_t from_len,
		       struct wgp_err *err)
{
	char cred[4096];
	int ret;

	ret = credential_read(cred_dir, cred, sizeof(cred), key, err);
	if (ret < 0)
		return ret;
	if (ret && cfg->private_key_file) {
		explicit_bzero(key, WG_KEY_LEN);
		return wgp_refuse(err, EINVAL, cfg->private_key_file,
				  "PrivateKeyFile in wgphys.conf and the systemd credential %s both give a private key; keep only one",
				  cred);
	}
	if (ret) {
		snprintf(from, from_len, "the systemd credential %s", cred);
		return 1;
	}
	if (!cfg->private_key_file)
		return 0;
	ret = key_file_read(cfg->private_key_file, key, err);
	if (ret)
		return ret;
	snprintf(from, from_len, "PrivateKeyFile %s", cfg->private_key_file);
	return 1;
}

int tunnel_load(const struct wgphys_config *cfg, const char *cred_dir,
		struct wg_config **out, struct wgp_err *err)
{
	struct wgq_options opt = { .hooks_ignore = cfg->hooks_ignore };
	uint8_t key[WG_KEY_LEN];
	char from[4200];
	int ret;

	ret = key_outside(cfg, cred_dir, key, from, sizeof(from), err);
	if (ret > 0) {
		opt.private_key = key;
		opt.private_key_from = from;
	}
	if (ret >= 0)
		ret = wgq_load(cfg->tunnel_config, &opt, out, err);
	explicit_bzero(key, sizeof(key));
	return ret;
}
