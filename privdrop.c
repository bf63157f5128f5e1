// SPDX-License-Identifier: GPL-2.0
/*
 * The privilege drop before `wgphys exec` runs its command. The order is
 * the one bubblewrap settled on: what needs CAP_SETPCAP (bounding set,
 * securebits) while we still hold it, then gid, groups, uid, then the
 * capability sets, then no_new_privs, and finally a check, from what the
 * kernel reports, that none of it can be undone.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <cap-ng.h>

#include "privdrop.h"

/* Higher than any capability number the kernel will define for a while;
 * the bounding set loop stops at the first one the kernel does not know. */
#define CAP_PROBE_MAX 64

/* The effective, permitted and inheritable sets, straight from the kernel. */
static int read_caps(struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3])
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};

	memset(data, 0, sizeof(*data) * _LINUX_CAPABILITY_U32S_3);
	return syscall(SYS_capget, &hdr, data) < 0 ? -errno : 0;
}

/*
 * Give libcap-ng the whole state, built from one capget, and apply it:
 * the permitted set as it is, effective either as it is or (raise) the
 * whole permitted set, inheritable as it is or (!inherit) empty. Loading
 * libcap-ng's state itself would parse /proc/self/status.
 */
static int set_caps(const struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3],
		    bool raise, bool inherit)
{
	unsigned int cap;

	capng_clear(CAPNG_SELECT_CAPS);
	for (cap = 0; cap < 32 * _LINUX_CAPABILITY_U32S_3 && cap <= CAP_LAST_CAP; cap++) {
		const struct __user_cap_data_struct *d = &data[cap / 32];
		unsigned int bit = 1U << (cap % 32);
		int sets = 0;

		if (d->permitted & bit)
			sets |= CAPNG_PERMITTED | (raise ? CAPNG_EFFECTIVE : 0);
		if (d->effective & bit)
			sets |= CAPNG_EFFECTIVE;
		if (inherit && (d->inheritable & bit))
			sets |= CAPNG_INHERITABLE;
		if (sets && capng_update(CAPNG_ADD, sets, cap) < 0)
			return -EINVAL;
	}
	return capng_apply(CAPNG_SELECT_CAPS) < 0 ? -(errno ? errno : EPERM) : 0;
}

int privdrop_raise(struct wgp_err *err)
{
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	bool change = false;
	int i, r;

	/* Root (sudo, pkexec) has every permitted capability effective
	 * already and changes nothing. */
	r = read_caps(data);
	if (r < 0)
		return wgp_fail(err, -r, "Cannot read", "our own capabilities (capget)");
	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		change |= (data[i].permitted & ~data[i].effective) != 0;
	r = change ? set_caps(data, true, true) : 0;
	if (r < 0)
		return wgp_fail(err, -r, "Cannot make", "the permitted capabilities effective");
	return 0;
}

int privdrop_have(unsigned int cap)
{
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (cap >= 32 * _LINUX_CAPABILITY_U32S_3 || read_caps(data) < 0)
		return 0;
	return !!(data[cap / 32].effective & (1U << (cap % 32)));
}

int privdrop_no_inherit(struct wgp_err *err)
{
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	bool inh = false;
	int i, r;

	/* EINVAL: a kernel from before ambient capabilities (4.3), which
	 * has none. Once cleared, no capability can enter the set without
	 * being in both the permitted and the inheritable one. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return wgp_fail(err, errno, "Cannot clear", "the ambient capabilities");
	r = read_caps(data);
	if (r < 0)
		return wgp_fail(err, -r, "Cannot read", "our own capabilities (capget)");
	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		inh |= data[i].inheritable != 0;
	/* Lowering the inheritable set is always allowed. */
	r = inh ? set_caps(data, false, false) : 0;
	if (r < 0)
		return wgp_fail(err, -r, "Cannot clear", "the inheritable capabilities");
	r = read_caps(data);
	if (r < 0)
		return wgp_fail(err, -r, "Cannot read", "our own capabilities (capget)");
	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		if (data[i].inheritable)
			return wgp_refuse(err, EPERM, NULL,
					  "inheritable capabilities survived clearing (%08x)",
					  data[i].inheritable);
	return 0;
}

static int cmp_gid(const void *a, const void *b)
{
	gid_t x = *(const gid_t *)a, y = *(const gid_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort and deduplicate in place; returns the new length. The kernel keeps
 * groups sorted but not unique, and getgrouplist() may repeat the primary. */
static int gid_set(gid_t *g, int n)
{
	int i, j;

	if (n <= 1)
		return n;
	qsort(g, n, sizeof(*g), cmp_gid);
	for (i = 1, j = 1; i < n; i++)
		if (g[i] != g[j - 1])
			g[j++] = g[i];
	return j;
}

/*
 * 1 if the supplementary groups are exactly the set want[0..n), 0 if not,
 * -errno if they cannot be read.
 */
static int groups_are(const gid_t *want, int n)
{
	gid_t *cur = NULL, *tgt = NULL;
	int ncur, ntgt, ret;

	ncur = getgroups(0, NULL);
	if (ncur < 0)
		return -errno;
	cur = calloc(ncur + 1, sizeof(*cur));
	tgt = calloc(n + 1, sizeof(*tgt));
	if (!cur || !tgt) {
		ret = -ENOMEM;
		goto cleanup;
	}
	ncur = getgroups(ncur, cur);
	if (ncur < 0) {
		ret = -errno;
		goto cleanup;
	}
	if (n)
		memcpy(tgt, want, n * sizeof(*tgt));
	ncur = gid_set(cur, ncur);
	ntgt = gid_set(tgt, n);
	ret = ncur == ntgt && !memcmp(cur, tgt, ncur * sizeof(*cur));
cleanup:
	free(cur);
	free(tgt);
	return ret;
}

/*
 * All of /proc/self/status, however long: its Groups line alone passes
 * 4 KiB for a user in a few hundred groups, and the lines wanted come
 * after it. NUL-terminated; the caller frees it.
 */
static int read_status_text(char **out)
{
	size_t cap = 4096, n = 0;
	char *buf = NULL, *p;
	ssize_t r;
	int fd, ret = 0;

	fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		if (!buf || n + 1 >= cap) {
			if (buf)
				cap *= 2;
			p = cap > (1 << 24) ? NULL : realloc(buf, cap);
			if (!p) {
				ret = -ENOMEM;
				break;
			}
			buf = p;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			ret = r < 0 ? -errno : 0;
			break;
		}
		n += (size_t)r;
	}
	close(fd);
	if (ret < 0) {
		free(buf);
		return ret;
	}
	buf[n] = '\0';
	*out = buf;
	return 0;
}

/* CapBnd, CapAmb and NoNewPrivs from /proc/self/status. 0 or -errno. */
static int read_status(unsigned long long *bnd, unsigned long long *amb, int *nnp)
{
	char *text = NULL, *line, *next, *end = NULL;
	int found = 0, ret;

	ret = read_status_text(&text);
	if (ret < 0)
		return ret;
	for (line = text; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (!strncmp(line, "CapBnd:", 7)) {
			*bnd = strtoull(line + 7, &end, 16);
			found |= 1;
		} else if (!strncmp(line, "CapAmb:", 7)) {
			*amb = strtoull(line + 7, &end, 16);
			found |= 2;
		} else if (!strncmp(line, "NoNewPrivs:", 11)) {
			*nnp = (int)strtol(line + 11, &end, 10);
			found |= 4;
		} else {
			continue;
		}
		if (*end) {
			ret = -EINVAL;
			break;
		}
	}
	free(text);
	if (ret < 0)
		return ret;
	return found == 7 ? 0 : -ENODATA;
}

/*
 * Ambient capabilities are handed to every later exec by a non-root uid:
 * they go first. The bounding set can only shrink while CAP_SETPCAP is
 * effective, which it stops being once the uid changes: empty it now.
 */
static int drop_inherited_sets(struct wgp_err *err)
{
	int cap;

	/* Clearing needs no privilege; EINVAL means a kernel from before
	 * ambient capabilities (4.3), which has none. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return wgp_fail(err, errno, "Cannot clear", "the ambient capabilities");
	/*
	 * By hand, one prctl per capability (dropping one already gone
	 * succeeds) up to the first the kernel does not know (EINVAL). Not
	 * capng_apply(CAPNG_SELECT_BOUNDS): it re-reads /proc/self/status
	 * twice, and libcap-ng 0.8.3 returns 0 without CAP_SETPCAP, having
	 * dropped nothing.
	 */
	for (cap = 0; cap < CAP_PROBE_MAX; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		int e = errno;

		if (e == EINVAL && cap > 0)
			break;
		wgp_fail(err, e, "Cannot empty", "the capability bounding set");
		if (e == EPERM)
			wgp_because(err, "not permitted without CAP_SETPCAP");
		return -e;
	}
	return 0;
}

/* Group before user: once the uid has changed, CAP_SETGID is gone. Ids
 * already right are left alone (a capability binary has no CAP_SETUID). */
static int change_ids(uid_t uid, gid_t gid, const gid_t *groups, int n_groups,
		      struct wgp_err *err)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	int ret;

	if (getresgid(&rgid, &egid, &sgid) < 0)
		return wgp_fail(err, errno, "Cannot read", "our own group ids");
	if ((rgid != gid || egid != gid || sgid != gid) && setresgid(gid, gid, gid) < 0)
		return wgp_fail(err, errno, "Cannot change", "group to %u", (unsigned int)gid);
	ret = groups_are(groups, n_groups);
	if (ret < 0)
		return wgp_fail(err, -ret, "Cannot read", "the supplementary groups");
	if (!ret && setgroups(n_groups, groups) < 0)
		return wgp_fail(err, errno, "Cannot set", "the supplementary groups");
	/*
	 * With KEEPCAPS off, leaving uid 0 for another uid makes the kernel
	 * clear the permitted and effective sets as part of setresuid()
	 * itself: no moment exists where the new uid holds them.
	 */
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return wgp_fail(err, errno, "Cannot clear", "keepcaps");
	if (getresuid(&ruid, &euid, &suid) < 0)
		return wgp_fail(err, errno, "Cannot read", "our own user ids");
	if ((ruid != uid || euid != uid || suid != uid) && setresuid(uid, uid, uid) < 0)
		return wgp_fail(err, errno, "Cannot change", "user to %u", (unsigned int)uid);
	return 0;
}

int privdrop_drop(uid_t uid, gid_t gid, const gid_t *groups, int n_groups,
		  struct wgp_err *err)
{
	int ret;

	/* uid 0 owns /etc with or without capabilities: never a target. */
	if (uid == 0)
		return wgp_refuse(err, EINVAL, NULL, "refusing to drop to uid 0");
	ret = drop_inherited_sets(err);
	if (!ret)
		ret = change_ids(uid, gid, groups, n_groups, err);
	if (ret < 0)
		return ret;
	/*
	 * A file-capability binary kept its uid, so the kernel cleared
	 * nothing; root as the target kept everything. Empty all three sets
	 * ourselves (this never needs a privilege).
	 */
	capng_clear(CAPNG_SELECT_CAPS);
	if (capng_apply(CAPNG_SELECT_CAPS) < 0)
		return wgp_fail(err, errno ? errno : EPERM, "Cannot clear", "the capabilities");
	/* No setuid bit, file capability or LSM transition on any later exec
	 * may hand back what was just given up. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return wgp_fail(err, errno, "Cannot set", "no_new_privs");
	return privdrop_verify(uid, gid, groups, n_groups, err);
}

int privdrop_verify(uid_t uid, gid_t gid, const gid_t *groups, int n_groups,
		    struct wgp_err *err)
{
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	unsigned long long bnd, amb;
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	int i, r, nnp;

	if (getresuid(&ruid, &euid, &suid) < 0 ||
	    getresgid(&rgid, &egid, &sgid) < 0)
		return wgp_fail(err, errno, "Cannot read", "our own ids after the drop");
	if (ruid != uid || euid != uid || suid != uid ||
	    rgid != gid || egid != gid || sgid != gid)
		return wgp_refuse(err, EPERM, NULL,
				"ids after the drop are uid %u/%u/%u gid %u/%u/%u, not %u/%u",
				(unsigned int)ruid, (unsigned int)euid,
				(unsigned int)suid, (unsigned int)rgid,
				(unsigned int)egid, (unsigned int)sgid,
				(unsigned int)uid, (unsigned int)gid);
	if (groups_are(groups, n_groups) != 1)
		return wgp_refuse(err, EPERM, NULL,
				"supplementary groups after the drop are not the target's");

	/* Ask the kernel directly rather than libcap-ng, which did the work:
	 * a check that shares the code it checks proves little. */
	r = read_caps(data);
	if (r < 0)
		return wgp_fail(err, -r, "Cannot read", "our capabilities after the drop (capget)");
	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		if (data[i].effective || data[i].permitted || data[i].inheritable)
			return wgp_refuse(err, EPERM, NULL,
					"capabilities survived the drop (capget: eff %08x prm %08x inh %08x)",
					data[i].effective, data[i].permitted,
					data[i].inheritable);
	/*
	 * The bounding and ambient sets as the kernel shows them: one read of
	 * /proc/self/status rather than two prctl() per capability.
	 */
	r = read_status(&bnd, &amb, &nnp);
	if (r < 0)
		return wgp_fail(err, -r, "Cannot read", "/proc/self/status");
	if (bnd)
		return wgp_refuse(err, EPERM, NULL,
				"the bounding set is not empty after the drop (%016llx)",
				bnd);
	if (amb)
		return wgp_refuse(err, EPERM, NULL,
				"ambient capabilities survived the drop (%016llx)", amb);
	if (nnp != 1 || prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1)
		return wgp_refuse(err, EPERM, NULL, "no_new_privs is not set after the drop");

	/*
	 * The proof that counts: try to get root back. Should this succeed
	 * the process is root again, which is fine only because the caller
	 * refuses to go on and exits.
	 */
	if (setuid(0) == 0 || setresuid(0, 0, 0) == 0)
		return wgp_refuse(err, EPERM, NULL,
				"regained uid 0 after dropping privileges; refusing to run");
	if (gid != 0 && (setgid(0) == 0 || setresgid(0, 0, 0) == 0))
		return wgp_refuse(err, EPERM, NULL,
				"regained gid 0 after dropping privileges; refusing to run");
	return 0;
}
