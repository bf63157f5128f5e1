// SPDX-License-Identifier: GPL-2.0
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "paths.h"
#include "resolv.h"

#define SAVED_RESOLV WGPHYS_RUN_DIR "/resolv.conf"
#define TUNNEL_RESOLV WGPHYS_RUN_DIR "/resolv.conf.tunnel"
#define RESOLVED_UPLINK "/run/systemd/resolve/resolv.conf"
#define MAX_FILE (1 << 20)

static int read_file(const char *path, char **out, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -wgp_errno(errno);
	buf = malloc(MAX_FILE + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (n < MAX_FILE && (r = read(fd, buf + n, MAX_FILE - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			r = -wgp_errno(errno);
			free(buf);
			close(fd);
			return (int)r;
		}
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static bool is_regular(const char *path)
{
	struct stat sb;

	return lstat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int write_all(int fd, const char *data, size_t len)
{
	size_t off = 0;
	ssize_t w;

	while (off < len) {
		w = write(fd, data + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		off += (size_t)w;
	}
	return 0;
}

/* Write a whole file next to path, then rename it over path. */
static int replace_file(const char *path, const char *data, size_t len, mode_t mode)
{
	char tmp[PATH_MAX];
	int fd, ret;

	snprintf(tmp, sizeof(tmp), "%s.wgphys-new", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0)
		return -errno;
	ret = write_all(fd, data, len);
	if (!ret && fchmod(fd, mode) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path) < 0)
		ret = -errno;
	unlink(tmp);
	return ret;
}

/*
 * Rewrite resolv.conf keeping its inode. Replacing it (rename) would detach
 * every bind mount made on it in other mount namespaces (the kernel drops
 * mounts on a file that is unlinked or renamed over, since 3.18), and a
 * daemon of ours that had /etc/netns/NAME/resolv.conf bound there would
 * then write the main one. dhcpcd writes in place for the same reason.
 * Only a regular file is rewritten so; anything else (a symlink to
 * systemd-resolved's stub, nothing at all) is replaced.
 */
static int rewrite_file(const char *path, const char *data, size_t len, mode_t mode)
{
	struct stat sb;
	int fd, ret;

	if (lstat(path, &sb) < 0 || !S_ISREG(sb.st_mode))
		return replace_file(path, data, len, mode);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	ret = write_all(fd, data, len);
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}

int resolv_save(enum resolv_mode *mode, struct wgp_err *err)
{
	enum resolv_mode m;
	char target[PATH_MAX];
	struct stat sb;
	char *data = NULL;
	size_t len;
	ssize_t n;
	int ret;

	if (lstat(RESOLV_CONF, &sb) < 0) {
		if (errno != ENOENT)
			return wgp_fail(err, errno, "Cannot stat", "%s", RESOLV_CONF);
		*mode = RESOLV_ABSENT;
		return 0;
	}
	if (S_ISLNK(sb.st_mode)) {
		n = readlink(RESOLV_CONF, target, sizeof(target) - 1);
		if (n < 0)
			return wgp_fail(err, errno, "Cannot read", "%s", RESOLV_CONF);
		ret = replace_file(SAVED_RESOLV, target, (size_t)n, 0600);
		m = RESOLV_SYMLINK;
	} else {
		ret = read_file(RESOLV_CONF, &data, &len);
		if (ret < 0)
			return wgp_fail(err, -ret, "Cannot read", "%s", RESOLV_CONF);
		ret = replace_file(SAVED_RESOLV, data, len, 0600);
		free(data);
		m = RESOLV_FILE;
	}
	if (ret < 0)
		return wgp_fail(err, ret, "Cannot save", "%s in %s", RESOLV_CONF, SAVED_RESOLV);
	*mode = m;
	return 0;
}

int resolv_text(const struct wg_config *wg, char *buf, size_t len)
{
	char addr[INET6_ADDRSTRLEN];
	size_t off = 0, i;

	off += (size_t)snprintf(buf, len, "# Written by wgphys up: DNS through the tunnel.\n");
	for (i = 0; i < wg->n_dns && off < len; i++) {
		inet_ntop(wg->dns[i].family, &wg->dns[i].addr, addr, sizeof(addr));
		off += (size_t)snprintf(buf + off, len - off, "nameserver %s\n", addr);
	}
	if (wg->n_dns_search && off < len) {
		off += (size_t)snprintf(buf + off, len - off, "search");
		for (i = 0; i < wg->n_dns_search && off < len; i++)
			off += (size_t)snprintf(buf + off, len - off, " %s", wg->dns_search[i]);
		if (off < len)
			off += (size_t)snprintf(buf + off, len - off, "\n");
	}
	return off < len ? (int)off : -E2BIG;
}

int resolv_write(const struct wg_config *wg, struct wgp_err *err)
{
	char buf[8192];
	size_t off;
	int ret;

	ret = resolv_text(wg, buf, sizeof(buf));
	if (ret < 0)
		return wgp_refuse(err, E2BIG, NULL, "too many DNS entries");
	off = (size_t)ret;
	/* A symlink (systemd-resolved's stub) is replaced, not written
	 * through; a regular file keeps its inode and its content, shadowed. */
	ret = replace_file(TUNNEL_RESOLV, buf, off, 0644);
	if (!ret && !is_regular(RESOLV_CONF))
		ret = replace_file(RESOLV_CONF, buf, off, 0644);
	if (ret < 0)
		return wgp_fail(err, -ret, "Cannot write", "%s", RESOLV_CONF);
	/*
	 * Read-only while up: a DHCP client of the main namespace that sees
	 * its link leave rewrites resolv.conf in place (EROFS now) or renames
	 * over it (EBUSY: it is a mount point). Where mounting is not allowed
	 * (some containers), the file is rewritten instead.
	 */
	if (mount(TUNNEL_RESOLV, RESOLV_CONF, NULL, MS_BIND, NULL) == 0) {
		if (mount(NULL, RESOLV_CONF, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) == 0)
			return 0;
		ret = -errno;
		umount2(RESOLV_CONF, MNT_DETACH);
		return wgp_fail(err, ret, "Cannot make read-only", "%s", RESOLV_CONF);
	}
	ret = rewrite_file(RESOLV_CONF, buf, off, 0644);
	if (ret < 0)
		return wgp_fail(err, -ret, "Cannot write", "%s", RESOLV_CONF);
	return 0;
}

/* Take off the read-only copy resolv_write bound, if it is there. */
static void unbind_tunnel_resolv(void)
{
	struct stat a, b;
	int n;

	if (stat(TUNNEL_RESOLV, &b) < 0)
		return;
	for (n = 0; n < 8 && stat(RESOLV_CONF, &a) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino; n++)
		if (umount2(RESOLV_CONF, MNT_DETACH) < 0)
			break;
	unlink(TUNNEL_RESOLV);
}

int resolv_restore(enum resolv_mode mode, struct wgp_err *err)
{
	char tmp[PATH_MAX];
	char *data = NULL;
	size_t len;
	int ret = 0;

	if (mode == RESOLV_KEPT)
		return 0;
	unbind_tunnel_resolv();
	switch (mode) {
	case RESOLV_KEPT:
		return 0;
	case RESOLV_ABSENT:
		if (unlink(RESOLV_CONF) < 0 && errno != ENOENT)
			ret = -errno;
		break;
	case RESOLV_FILE:
	case RESOLV_SYMLINK:
		ret = read_file(SAVED_RESOLV, &data, &len);
		if (ret == -ENOENT)
			return 0;	/* restored already, by an earlier down */
		if (ret < 0)
			break;
		if (mode == RESOLV_FILE) {
			ret = rewrite_file(RESOLV_CONF, data, len, 0644);
		} else {
			snprintf(tmp, sizeof(tmp), "%s.wgphys-new", RESOLV_CONF);
			unlink(tmp);
			if (symlink(data, tmp) < 0 || rename(tmp, RESOLV_CONF) < 0)
				ret = -errno;
			unlink(tmp);
		}
		free(data);
		break;
	}
	if (ret < 0)
		return wgp_fail(err, -ret, "Cannot restore", "%s", RESOLV_CONF);
	unlink(SAVED_RESOLV);
	return 0;
}

static void etc_path(char *buf, size_t len, const char *name, const char *file)
{
	snprintf(buf, len, "%s/%s%s%s", NETNS_ETC_DIR, name, file ? "/" : "", file ? file : "");
}

bool resolv_nsswitch_filter(const char *in, char *out, size_t len)
{
	const char *line = in, *nl;
	bool changed = false;
	size_t off = 0;

	out[0] = '\0';
	for (; *line; line = nl) {
		nl = strchr(line, '\n');
		nl = nl ? nl + 1 : line + strlen(line);
		if (strncmp(line, "hosts:", 6) ||
		    (!strstr(line, "resolve") && !strstr(line, "mdns"))) {
			off += (size_t)snprintf(out + off, len > off ? len - off : 0, "%.*s",
						(int)(nl - line), line);
			continue;
		}
		changed = true;
		off += (size_t)snprintf(out + off, len > off ? len - off : 0, "hosts: files dns\n");
	}
	return changed && off < len;
}

unsigned int etc_plan(const char *name)
{
	char path[PATH_MAX], filtered[16384];
	unsigned int flags = 0;
	char *data = NULL;
	size_t len;

	if (access(NETNS_ETC_DIR, F_OK) < 0)
		flags |= ETC_CREATED_PARENT;
	etc_path(path, sizeof(path), name, NULL);
	if (access(path, F_OK) < 0)
		flags |= ETC_CREATED_DIR;
	etc_path(path, sizeof(path), name, "resolv.conf");
	if (access(path, F_OK) < 0)
		flags |= ETC_CREATED_RESOLV;
	etc_path(path, sizeof(path), name, "nsswitch.conf");
	if (access(path, F_OK) < 0 && read_file(NSSWITCH_CONF, &data, &len) == 0) {
		if (resolv_nsswitch_filter(data, filtered, sizeof(filtered)))
			flags |= ETC_CREATED_NSSWITCH;
		free(data);
	}
	return flags;
}

int etc_setup(const char *name, unsigned int flags, struct wgp_err *err)
{
	char path[PATH_MAX], filtered[16384];
	char *data = NULL;
	size_t len;
	int ret;

	if (flags & (ETC_CREATED_DIR | ETC_CREATED_PARENT)) {
		if (mkdir(NETNS_ETC_DIR, 0755) < 0 && errno != EEXIST)
			return wgp_fail(err, errno, "Cannot create", "%s", NETNS_ETC_DIR);
		etc_path(path, sizeof(path), name, NULL);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return wgp_fail(err, errno, "Cannot create", "%s", path);
	}
	if (flags & ETC_CREATED_RESOLV) {
		/* Behind systemd-resolved's stub the real servers are listed
		 * elsewhere; 127.0.0.53 means nothing in another namespace. */
		ret = read_file(RESOLVED_UPLINK, &data, &len);
		if (ret < 0)
			ret = read_file(RESOLV_CONF, &data, &len);
		if (ret < 0) {
			data = strdup("");
			len = 0;
		}
		etc_path(path, sizeof(path), name, "resolv.conf");
		ret = data ? replace_file(path, data, len, 0644) : -ENOMEM;
		free(data);
		if (ret < 0)
			return wgp_fail(err, -ret, "Cannot write", "%s", path);
	}
	if (flags & ETC_CREATED_NSSWITCH) {
		ret = read_file(NSSWITCH_CONF, &data, &len);
		if (ret < 0)
			return wgp_fail(err, -ret, "Cannot read", "%s", NSSWITCH_CONF);
		resolv_nsswitch_filter(data, filtered, sizeof(filtered));
		free(data);
		etc_path(path, sizeof(path), name, "nsswitch.conf");
		ret = replace_file(path, filtered, strlen(filtered), 0644);
		if (ret < 0)
			return wgp_fail(err, -ret, "Cannot write", "%s", path);
	}
	return 0;
}

int etc_cleanup(const char *name, unsigned int flags, struct wgp_err *err)
{
	char path[PATH_MAX];

	if (flags & ETC_CREATED_NSSWITCH) {
		etc_path(path, sizeof(path), name, "nsswitch.conf");
		unlink(path);
	}
	if (flags & ETC_CREATED_RESOLV) {
		etc_path(path, sizeof(path), name, "resolv.conf");
		unlink(path);
	}
	if (flags & ETC_CREATED_DIR) {
		etc_path(path, sizeof(path), name, NULL);
		/* Files someone else put there stay, and so does the directory. */
		if (rmdir(path) < 0 && errno != ENOENT && errno != ENOTEMPTY)
			return wgp_fail(err, errno, "Cannot remove", "%s", path);
	}
	/* /etc/netns too, if up made it and nobody put anything there. */
	if ((flags & ETC_CREATED_PARENT) && rmdir(NETNS_ETC_DIR) < 0 && errno != ENOENT &&
	    errno != ENOTEMPTY)
		return wgp_fail(err, errno, "Cannot remove", "%s", NETNS_ETC_DIR);
	return 0;
}
