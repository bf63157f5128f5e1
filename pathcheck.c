// SPDX-License-Identifier: GPL-2.0
/*
 * Walking a path from / to its end, as the kernel would, and refusing it
 * where someone other than root could swap a directory or an entry on the
 * way: a root-owned 0600 file in a directory its user may write is theirs.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "pathcheck.h"

#define LINKS_MAX 40	/* the kernel's own limit (MAXSYMLINKS) */

struct walk {
	char dir[PATH_MAX];	/* resolved so far: a directory, no symlinks */
	char rest[PATH_MAX];	/* still to walk, relative to dir */
	bool sticky;		/* dir is writable by others, but sticky */
	int links;
	const char *path;	/* as given, for messages */
};

/* dir as the last checked one may be: root's, written only by root. */
static int check_dir(struct walk *w, struct wgp_err *err)
{
	struct stat sb;
	bool writable;

	if (lstat(w->dir, &sb) < 0)
		return wgp_fail(err, errno, "Cannot check", "%s (in %s)", w->dir, w->path);
	if (!S_ISDIR(sb.st_mode))
		return wgp_refuse(err, ENOTDIR, w->dir, "is not a directory (in %s)", w->path);
	if (sb.st_uid != 0)
		return wgp_refuse(err, EPERM, w->dir,
				  "is owned by uid %u, who could replace %s: it must be root's",
				  (unsigned int)sb.st_uid, w->path);
	writable = (sb.st_mode & S_IWOTH) || ((sb.st_mode & S_IWGRP) && sb.st_gid != 0);
	if (writable && !(sb.st_mode & S_ISVTX))
		return wgp_refuse(err, EPERM, w->dir,
				  "is writable by %s, who could replace %s",
				  sb.st_mode & S_IWOTH ? "others" : "its group", w->path);
	w->sticky = writable;
	return 0;
}

/* Take the next component off rest into name; false when none is left. */
static bool next_component(struct walk *w, char name[NAME_MAX + 1], bool *last)
{
	char *p = w->rest, *slash;
	size_t len;

	while (*p == '/')
		p++;
	if (!*p)
		return false;
	slash = strchr(p, '/');
	len = slash ? (size_t)(slash - p) : strlen(p);
	if (len > NAME_MAX)
		len = NAME_MAX;	/* lstat will say ENAMETOOLONG on the full name */
	memcpy(name, p, len);
	name[len] = '\0';
	p += slash ? (size_t)(slash - p) : strlen(p);
	while (*p == '/')
		p++;
	memmove(w->rest, p, strlen(p) + 1);
	*last = !w->rest[0];
	return true;
}

static int join(char *buf, size_t size, const char *dir, const char *name)
{
	size_t n = (size_t)snprintf(buf, size, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", name);

	return n >= size ? -ENAMETOOLONG : 0;
}

/* A symbolic link at entry: what it points to is walked next. */
static int follow(struct walk *w, const char *entry, struct wgp_err *err)
{
	char target[PATH_MAX], rest[PATH_MAX];
	ssize_t n;

	if (++w->links > LINKS_MAX)
		return wgp_refuse(err, ELOOP, w->path, "has too many symbolic links");
	n = readlink(entry, target, sizeof(target) - 1);
	if (n < 0)
		return wgp_fail(err, errno, "Cannot read", "%s (in %s)", entry, w->path);
	target[n] = '\0';
	if ((size_t)snprintf(rest, sizeof(rest), "%s/%s", target, w->rest) >= sizeof(rest))
		return wgp_refuse(err, ENAMETOOLONG, w->path, "is too long");
	memcpy(w->rest, rest, sizeof(rest));
	if (target[0] == '/')
		strcpy(w->dir, "/");
	return 0;
}

/* One step down: name below dir. 1 when the walk is over. */
static int step(struct walk *w, const char *name, bool last, struct wgp_err *err)
{
	char entry[PATH_MAX];
	struct stat sb;

	if (!strcmp(name, "."))
		return 0;
	if (!strcmp(name, "..")) {
		char *slash = strrchr(w->dir, '/');

		if (slash)
			slash[slash == w->dir] = '\0';	/* "/a/b" -> "/a", "/a" -> "/" */
		return 0;
	}
	if (join(entry, sizeof(entry), w->dir, name) < 0)
		return wgp_refuse(err, ENAMETOOLONG, w->path, "is too long");
	if (lstat(entry, &sb) < 0) {
		if (errno == ENOENT && last)
			return 1;	/* the open that follows decides */
		return wgp_fail(err, errno, "Cannot check", "%s (in %s)", entry, w->path);
	}
	if (w->sticky && sb.st_uid != 0)
		return wgp_refuse(err, EPERM, entry,
				  "is owned by uid %u in a directory others may write: it must be root's",
				  (unsigned int)sb.st_uid);
	if (S_ISLNK(sb.st_mode))
		return follow(w, entry, err);
	if (last)
		return 1;
	memcpy(w->dir, entry, sizeof(entry));
	return 0;
}

int path_check_parents(const char *path, struct wgp_err *err)
{
	struct walk w = { .dir = "/", .path = path };
	char name[NAME_MAX + 1];
	bool last = false;
	int ret;

	if (!path || !path[0])
		return wgp_refuse(err, EINVAL, NULL, "an empty path");
	if (path[0] != '/' && !getcwd(w.dir, sizeof(w.dir)))
		return wgp_fail(err, errno, "Cannot check", "%s", path);
	if ((size_t)snprintf(w.rest, sizeof(w.rest), "%s", path) >= sizeof(w.rest))
		return wgp_refuse(err, ENAMETOOLONG, path, "is too long");
	if (path[0] != '/') {
		/* The current directory's own ancestors are part of the path. */
		if (join(w.rest, sizeof(w.rest), w.dir, path) < 0)
			return wgp_refuse(err, ENAMETOOLONG, path, "is too long");
		strcpy(w.dir, "/");
	}
	for (;;) {
		ret = check_dir(&w, err);
		if (ret < 0)
			return ret;
		if (!next_component(&w, name, &last))
			return 0;	/* the path named a directory */
		ret = step(&w, name, last, err);
		if (ret < 0)
			return ret;
		if (ret == 1)
			return 0;
	}
}
