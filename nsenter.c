// SPDX-License-Identifier: GPL-2.0
/*
 * Entering a named network namespace the way `ip netns exec` does, so that a
 * program run there finds what users of ip-netns(8) expect: that
 * namespace's devices under /sys and the files of /etc/netns/NAME/ in /etc.
 * Everything here happens in a mount namespace of our own, which dies with
 * the command: nothing is left to undo.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "netns.h"
#include "nsenter.h"
#include "paths.h"

/*
 * The old /sys describes the namespace we came from: its net/ class lists
 * the main namespace's devices. Replace it with a sysfs mounted from inside
 * the new network namespace, which is what sysfs shows then.
 */
static int remount_sys(struct wgp_err *err)
{
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	struct statvfs sv;

	/*
	 * A read-only /sys (a container, a hardened system) was made so on
	 * purpose: keep it read-only. ip-netns only looks when it could not
	 * unmount; we look first, so the answer does not depend on whether
	 * the unmount worked.
	 */
	if (statvfs("/sys", &sv) == 0 && (sv.f_flag & ST_RDONLY))
		flags |= MS_RDONLY;

	/*
	 * Failure is no reason to stop: EINVAL means nothing was mounted
	 * there, EPERM a mount locked by a user namespace. Either way the
	 * sysfs mounted next hides what is below it.
	 */
	umount2("/sys", MNT_DETACH);

	if (mount("sysfs", "/sys", "sysfs", flags, NULL) == 0)
		return 0;
	/* Where only a read-only sysfs may be had, have that. */
	if (!(flags & MS_RDONLY) && (errno == EPERM || errno == EACCES) &&
	    mount("sysfs", "/sys", "sysfs", flags | MS_RDONLY, NULL) == 0)
		return 0;
	return wgp_fail(err, errno, "Cannot mount", "sysfs on /sys");
}

/*
 * Bind one file of the namespace's etc directory over /etc/<name>. The
 * source is opened O_PATH|O_NOFOLLOW and bound through /proc/self/fd, so
 * that what is checked to be a regular file is what gets mounted: a symlink
 * planted in the directory is skipped, never followed. The target follows
 * symlinks, as ip-netns does, so that a /etc/resolv.conf pointing into /run
 * is covered where it really lives (in this mount namespace only).
 */
static int bind_one(int dfd, const char *dir, const char *name,
		    struct wgp_err *err)
{
	char src[64], dst[PATH_MAX];
	struct stat sb;
	int fd = -1, ret = 0;

	fd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ret = wgp_fail(err, errno, "Cannot open", "%s/%s", dir, name);
		goto cleanup;
	}
	if (fstat(fd, &sb) < 0) {
		ret = wgp_fail(err, errno, "Cannot stat", "%s/%s", dir, name);
		goto cleanup;
	}
	if (!S_ISREG(sb.st_mode))
		goto cleanup;

	if ((size_t)snprintf(dst, sizeof(dst), "/etc/%s", name) >= sizeof(dst)) {
		ret = wgp_fail(err, ENAMETOOLONG, NULL, "%s/%s", dir, name);
		goto cleanup;
	}
	/* Like ip-netns: only shadow what exists; /etc is not ours to add to. */
	if (stat(dst, &sb) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			ret = wgp_fail(err, errno, "Cannot stat", "%s", dst);
		goto cleanup;
	}
	snprintf(src, sizeof(src), "/proc/self/fd/%d", fd);
	if (mount(src, dst, NULL, MS_BIND, NULL) < 0)
		ret = wgp_fail(err, errno, "Cannot bind", "%s/%s over %s", dir, name, dst);
cleanup:
	if (fd >= 0)
		close(fd);
	return ret;
}

static int bind_etc(const char *name, struct wgp_err *err)
{
	char dir[PATH_MAX];
	struct dirent *de;
	DIR *d = NULL;
	int dfd, ret = 0;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", NETNS_ETC_DIR, name) >=
	    sizeof(dir))
		return wgp_fail(err, ENAMETOOLONG, NULL, "%s/%s", NETNS_ETC_DIR, name);
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		/* No per-namespace /etc: nothing to do, as with ip-netns. */
		if (errno == ENOENT)
			return 0;
		return wgp_fail(err, errno, "Cannot open", "%s", dir);
	}
	d = fdopendir(dfd);
	if (!d) {
		ret = wgp_fail(err, errno, "Cannot read", "%s", dir);
		close(dfd);
		goto cleanup;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				ret = wgp_fail(err, errno, "Cannot read", "%s", dir);
			break;
		}
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		ret = bind_one(dirfd(d), dir, de->d_name, err);
		if (ret < 0)
			break;
	}
cleanup:
	if (d)
		closedir(d);
	return ret;
}

int nsenter_netns(int netns_fd, const char *name, struct wgp_err *err)
{
	int ret;

	/* The name becomes a path component below. */
	if (!netns_valid_name(name))
		return wgp_refuse(err, EINVAL, NULL, "invalid namespace name \"%.*s\"",
				  NETNS_NAME_MAX, name ? name : "");

	if (setns(netns_fd, CLONE_NEWNET) < 0)
		return wgp_fail(err, errno, "Cannot enter", "network namespace \"%s\"", name);

	/* A mount namespace of our own for the /sys and /etc mounts below. */
	if (unshare(CLONE_NEWNS) < 0)
		return wgp_fail(err, errno, "Cannot create", "a mount namespace");

	/*
	 * Slave rather than private: mounts made later in the main namespace
	 * (a USB stick for the browser's downloads) still appear here, but
	 * nothing mounted here propagates back into the shared tree.
	 */
	if (mount("", "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return wgp_fail(err, errno, "Cannot make", "/ a slave mount");

	ret = remount_sys(err);
	if (ret < 0)
		return ret;
	return bind_etc(name, err);
}
