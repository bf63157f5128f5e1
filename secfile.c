// SPDX-License-Identifier: GPL-2.0
/*
 * Reading a root-owned configuration or key file whole, after checking
 * who may have written or read it (secfile.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "secfile.h"

#define SECFILE_KEY_MAX 1024	/* a key and blanks: 44 bytes and a newline */

static const struct {
	mode_t forbidden;	/* beyond group/other write, always refused */
	size_t max;
	const char *noun;
} kinds[] = {
	[SECFILE_CONFIG] = { 0, SECFILE_CONFIG_MAX, "a configuration file" },
	[SECFILE_SECRET] = { S_IROTH, SECFILE_CONFIG_MAX, "a configuration file" },
	[SECFILE_KEY] = { S_IRGRP | S_IROTH, SECFILE_KEY_MAX, "a key file" },
};

/* "PATH: No such file or directory": from errno, always negative. */
static int file_errno(const char *path, struct wgp_err *err)
{
	return wgp_fail(err, errno > 0 ? errno : EIO, NULL, "%s", path);
}

static int too_big(const char *path, enum secfile_kind kind, struct wgp_err *err)
{
	if (kinds[kind].max < 1024 * 1024)
		return wgp_refuse(err, EFBIG, path, "larger than %zu bytes; not %s",
				  kinds[kind].max, kinds[kind].noun);
	return wgp_refuse(err, EFBIG, path, "larger than %zu KiB; not %s",
			  kinds[kind].max / 1024, kinds[kind].noun);
}

/*
 * Open path and check the file behind it; the fd or -errno. O_NONBLOCK: a
 * FIFO in the file's place must not hang us before fstat() can refuse it;
 * reads of a regular file ignore it.
 */
static int secfile_open(const char *path, enum secfile_kind kind, struct stat *st,
			struct wgp_err *err)
{
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 && errno == ELOOP)
		return wgp_refuse(err, ELOOP, path, "is a symbolic link; name the file itself");
	if (fd < 0 || fstat(fd, st)) {
		ret = file_errno(path, err);
		goto fail;
	}
	if (!S_ISREG(st->st_mode)) {
		ret = wgp_refuse(err, S_ISDIR(st->st_mode) ? EISDIR : EINVAL, path,
				 "not a regular file");
		goto fail;
	}
	if (st->st_uid != 0) {
		ret = wgp_refuse(err, EPERM, path, "owned by uid %u, not root (chown root %s)",
				 (unsigned int)st->st_uid, path);
		goto fail;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		ret = wgp_refuse(err, EPERM, path, "writable by group or others (chmod go-w %s)",
				 path);
		goto fail;
	}
	if (st->st_mode & kinds[kind].forbidden) {
		ret = wgp_refuse(err, EPERM, path, "readable by %s; it holds a private key (chmod 600 %s)",
				 kind == SECFILE_KEY ? "group or others" : "others", path);
		goto fail;
	}
	if ((size_t)st->st_size > kinds[kind].max) {
		ret = too_big(path, kind, err);
		goto fail;
	}
	return fd;
fail:
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Read to the end: one byte more than the size, to see it; grow if it grew. */
static int read_all(int fd, const char *path, enum secfile_kind kind, size_t size,
		    char **out, size_t *out_len, size_t *out_cap, struct wgp_err *err)
{
	size_t len = 0, cap = size + 1;
	char *buf, *nbuf;
	ssize_t n;

	buf = malloc(cap);
	if (!buf)
		return wgp_refuse(err, ENOMEM, path, "out of memory");
	for (;;) {
		if (len == cap) {
			if (cap > kinds[kind].max) {
				secfile_release(buf, cap);
				return too_big(path, kind, err);
			}
			nbuf = malloc(cap * 2);
			if (!nbuf) {
				secfile_release(buf, cap);
				return wgp_refuse(err, ENOMEM, path, "out of memory");
			}
			memcpy(nbuf, buf, len);
			secfile_release(buf, cap);
			buf = nbuf;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			secfile_release(buf, cap);
			return file_errno(path, err);
		}
		if (!n)
			break;
		len += (size_t)n;
	}
	if (len > kinds[kind].max) {
		secfile_release(buf, cap);
		return too_big(path, kind, err);
	}
	buf[len] = '\0';	/* len < cap: the last read found room and no byte */
	*out = buf;
	*out_len = len;
	*out_cap = cap;
	return 0;
}

int secfile_read(const char *path, enum secfile_kind kind, char **out,
		 size_t *len, size_t *cap, struct wgp_err *err)
{
	struct stat st;
	int fd, ret;

	fd = secfile_open(path, kind, &st, err);
	if (fd < 0)
		return fd;
	ret = read_all(fd, path, kind, (size_t)st.st_size, out, len, cap, err);
	close(fd);
	return ret;
}

void secfile_release(char *buf, size_t cap)
{
	if (buf) {
		explicit_bzero(buf, cap);
		free(buf);
	}
}
