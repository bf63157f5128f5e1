// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include "netns.h"
#include "paths.h"

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

/*
 * The run directory must be a shared mount point, so that a namespace bound
 * under it is seen by every mount namespace that was made from ours (the
 * daemons', `ip netns exec`'s). Same dance as ip-netns(8).
 */
static int prepare_run_dir(struct wgp_err *err)
{
	if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return wgp_errf(err, errno, "Cannot create %s: %m", NETNS_RUN_DIR);
	if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) == 0)
		return 0;
	if (errno != EINVAL)
		return wgp_errf(err, errno, "Cannot make %s a shared mount: %m", NETNS_RUN_DIR);
	if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL) < 0)
		return wgp_errf(err, errno, "Cannot bind %s: %m", NETNS_RUN_DIR);
	if (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL) < 0)
		return wgp_errf(err, errno, "Cannot make %s a shared mount: %m", NETNS_RUN_DIR);
	return 0;
}

int netns_create(const char *name, struct wgp_err *err)
{
	char path[PATH_MAX];
	int self = -1, fd, ret;

	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	ret = prepare_run_dir(err);
	if (ret < 0)
		return ret;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return wgp_errf(err, errno, errno == EEXIST ?
				"Namespace \"%s\" already exists (%s)" :
				"Cannot create namespace file for \"%s\" (%s): %m", name, path);
	close(fd);
	self = netns_current();
	if (self < 0) {
		ret = wgp_errf(err, -self, "Cannot open the current namespace: %s",
			       strerror(-self));
		goto err_unlink;
	}
	if (unshare(CLONE_NEWNET) < 0) {
		ret = wgp_errf(err, errno, "Cannot create a network namespace: %m");
		goto err_close;
	}
	if (mount("/proc/thread-self/ns/net", path, "none", MS_BIND, NULL) < 0)
		ret = wgp_errf(err, errno, "Cannot bind namespace \"%s\" to %s: %m", name, path);
	if (setns(self, CLONE_NEWNET) < 0)
		abort();	/* no way to carry on in the wrong namespace */
	if (ret < 0)
		goto err_close;
	close(self);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		ret = wgp_errf(err, errno, "Cannot open %s: %m", path);
		netns_delete(name, NULL);
		return ret;
	}
	return fd;
err_close:
	close(self);
err_unlink:
	unlink(path);
	return ret;
}

int netns_open(const char *name, struct wgp_err *err)
{
	char path[PATH_MAX];
	struct statfs sfs;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return wgp_errf(err, errno, "Cannot open network namespace \"%s\": %m", name);
	if (fstatfs(fd, &sfs) < 0 || sfs.f_type != NSFS_MAGIC) {
		close(fd);
		return wgp_errf(err, EINVAL, "%s is not a network namespace", path);
	}
	return fd;
}

int netns_delete(const char *name, struct wgp_err *err)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
		return wgp_errf(err, errno, "Cannot unmount %s: %m", path);
	if (unlink(path) < 0 && errno != ENOENT)
		return wgp_errf(err, errno, "Cannot remove %s: %m", path);
	return 0;
}
