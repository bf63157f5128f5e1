// SPDX-License-Identifier: GPL-2.0
/*
 * Named network namespaces as ip-netns(8) lays them out, so that `ip netns`,
 * `ip -n` and systemd's NetworkNamespacePath= see what wgphys made: the path,
 * the name rule, a checked open, the identity of "the namespace up made",
 * and putting a name back when someone took it away.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "netns.h"
#include "paths.h"

bool netns_valid_name(const char *name)
{
	size_t i;

	if (!name || !name[0] || name[0] == '.' || name[0] == '-')
		return false;	/* also rules out "." and ".." */
	for (i = 0; name[i]; i++) {
		char c = name[i];

		if (i >= NETNS_NAME_MAX)
			return false;
		if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') &&
		    !(c >= '0' && c <= '9') && c != '_' && c != '.' && c != '-')
			return false;
	}
	return true;
}

int netns_path(const char *name, char *buf, size_t len)
{
	if (!netns_valid_name(name))
		return -EINVAL;
	if ((size_t)snprintf(buf, len, "%s/%s", NETNS_RUN_DIR, name) >= len)
		return -ENAMETOOLONG;
	return 0;
}

/* The path, or the error saying why there is none. */
static int path_of(const char *name, char *buf, size_t len, struct wgp_err *err)
{
	int ret = netns_path(name, buf, len);

	if (ret < 0)
		return wgp_refuse(err, -ret, NULL, "invalid namespace name \"%.*s\"",
				  NETNS_NAME_MAX, name ? name : "");
	return 0;
}

int netns_current(void)
{
	int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int netns_id(int fd, dev_t *dev, ino_t *ino)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

bool netns_is(int fd, dev_t dev, ino_t ino)
{
	dev_t d = 0;
	ino_t i = 0;

	return fd >= 0 && ino && netns_id(fd, &d, &i) == 0 && d == dev && i == ino;
}

/*
 * The run directory must be a shared mount point, so that a namespace bound
 * under it is seen by every mount namespace made from ours (the daemons',
 * `ip netns exec`'s). Done under a lock on the directory, as ip-netns does:
 * two of these racing at boot would stack the bind mounts on each other.
 */
static int prepare_run_dir(struct wgp_err *err)
{
	int lock, ret = 0;

	if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return wgp_fail(err, errno, "Cannot create", "%s", NETNS_RUN_DIR);
	lock = open(NETNS_RUN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock < 0)
		return wgp_fail(err, errno, "Cannot open", "%s", NETNS_RUN_DIR);
	if (flock(lock, LOCK_EX) < 0) {
		ret = wgp_fail(err, errno, "Cannot lock", "%s", NETNS_RUN_DIR);
		goto out;
	}
	if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		goto out;
	if (errno != EINVAL) {
		ret = wgp_fail(err, errno, "Cannot make a shared mount of", "%s", NETNS_RUN_DIR);
		goto out;
	}
	/* Not a mount point yet: make it one, then shared. */
	if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0 ||
	    mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0)
		ret = wgp_fail(err, errno, "Cannot make a shared mount of", "%s", NETNS_RUN_DIR);
out:
	close(lock);	/* releases the lock */
	return ret;
}

/* Bind what fd_path names (a namespace) on an empty file at path. */
static int bind_at(const char *fd_path, const char *path, const char *name,
		   struct wgp_err *err)
{
	int fd;

	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return errno == EEXIST ?
		       wgp_refuse(err, EEXIST, NULL, "namespace \"%s\" already exists (%s)",
				  name, path) :
		       wgp_fail(err, errno, "Cannot create the namespace file", "%s", path);
	close(fd);
	if (mount(fd_path, path, "none", MS_BIND, NULL) < 0) {
		int ret = wgp_fail(err, errno, "Cannot bind namespace", "\"%s\" to %s", name, path);

		unlink(path);
		return ret;
	}
	return 0;
}

int netns_create(const char *name, struct wgp_err *err)
{
	char path[PATH_MAX];
	int self, fd, ret;

	ret = path_of(name, path, sizeof(path), err);
	if (!ret)
		ret = prepare_run_dir(err);
	if (ret < 0)
		return ret;
	self = netns_current();
	if (self < 0)
		return wgp_fail(err, self, "Cannot open", "the current network namespace");
	if (unshare(CLONE_NEWNET) < 0) {
		ret = wgp_fail(err, errno, "Cannot create", "a network namespace");
		close(self);
		return ret;
	}
	ret = bind_at("/proc/thread-self/ns/net", path, name, err);
	if (setns(self, CLONE_NEWNET) < 0)
		abort();	/* no way to carry on in the wrong namespace */
	close(self);
	if (ret < 0)
		return ret;
	fd = netns_open(name, err);
	if (fd < 0)
		netns_delete(name, NULL);
	return fd;
}

int netns_open(const char *name, struct wgp_err *err)
{
	char path[PATH_MAX];
	struct statfs sfs;
	int fd, ret;

	ret = path_of(name, path, sizeof(path), err);
	if (ret < 0)
		return ret;
	/* O_NONBLOCK: a FIFO planted at the name must not hang us. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		if (errno == ELOOP)
			return wgp_refuse(err, ESTALE, path,
					  "a symbolic link, not a namespace wgphys made; refusing");
		return wgp_fail(err, errno, "Cannot open network namespace", "\"%s\"", name);
	}
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != NSFS_MAGIC) {
		close(fd);
		return wgp_refuse(err, ESTALE, path,
				  "not the namespace wgphys up made (not a network namespace); refusing");
	}
	return fd;
}

int netns_open_as(const char *name, dev_t dev, ino_t ino, struct wgp_err *err)
{
	char path[PATH_MAX];
	int fd;

	fd = netns_open(name, err);
	if (fd < 0 || netns_is(fd, dev, ino))
		return fd;
	close(fd);
	netns_path(name, path, sizeof(path));
	return wgp_refuse(err, ESTALE, path, "not the namespace wgphys up made; refusing");
}

int netns_rebind(int fd, const char *name, struct wgp_err *err)
{
	char path[PATH_MAX], src[64];
	dev_t dev = 0;
	ino_t ino = 0;
	int cur, ret;

	ret = path_of(name, path, sizeof(path), err);
	if (ret < 0)
		return ret;
	if (netns_id(fd, &dev, &ino) < 0)
		return wgp_fail(err, errno, "Cannot identify", "namespace \"%s\"", name);
	cur = netns_open(name, NULL);
	if (cur >= 0) {
		bool same = netns_is(cur, dev, ino);

		close(cur);
		return same ? 0 : wgp_refuse(err, EEXIST, path, "taken by another namespace");
	}
	/* Whatever is left there (an empty file after a lazy unmount) goes. */
	unlink(path);
	ret = prepare_run_dir(err);
	if (ret < 0)
		return ret;
	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	return bind_at(src, path, name, err);
}

int netns_delete(const char *name, struct wgp_err *err)
{
	char path[PATH_MAX];
	int ret;

	ret = path_of(name, path, sizeof(path), err);
	if (ret < 0)
		return ret;
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return wgp_fail(err, errno, "Cannot unmount", "%s", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return wgp_fail(err, errno, "Cannot remove", "%s", path);
	return 0;
}
