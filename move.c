// SPDX-License-Identifier: GPL-2.0
/*
 * A NIC crossing between the main and the physical namespace loses its
 * addresses and routes; the journal saved them as rtnetlink messages, and
 * here they are put back on the far side (and on the way home). The NIC is
 * recognised by its burnt-in address and kind, whatever its name became.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "move.h"

uint32_t move_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint32_t)ts.tv_sec;
}

/*
 * Re-add the saved addresses and routes of the link that had old_ifindex,
 * now new_ifindex. A route may need another first (dhcpcd's default route
 * goes through its own subnet route, which the dump lists after it), so
 * what fails is tried again while a pass makes progress.
 */
static int replay_saved(struct nlk *nl, const struct state *st, int old_ifindex,
			int new_ifindex)
{
	bool *done = calloc(st->n_saved + 1, sizeof(*done));
	uint32_t elapsed = st->saved_at ? move_clock() - st->saved_at : 0;
	bool progress = true;
	int ret = 0;

	if (!done)
		return -ENOMEM;
	while (progress) {
		progress = false;
		ret = 0;
		for (size_t i = 0; i < st->n_saved; i++) {
			const struct nlmsghdr *nlh = (const struct nlmsghdr *)st->saved[i].data;
			int r;

			if (done[i] || rtnl_msg_ifindex(nlh) != old_ifindex)
				continue;
			r = rtnl_replay(nl, nlh, new_ifindex, elapsed);
			if (r == 0)
				done[i] = progress = true;
			else if (!ret)
				ret = r;
		}
	}
	free(done);
	return ret;
}

int move_restore_config(struct nlk *nl, const struct state *st, const struct state_link *l,
			const struct link_info *now, struct wgp_err *err)
{
	int ret;

	if (l->up) {
		ret = rtnl_link_set_up(nl, now->ifindex, true);
		if (ret < 0) {
			wgp_fail(err, ret, "Cannot set up", "%s", l->name);
			wgp_extack(err, nl->extack);
			return ret;
		}
	}
	/* Best effort: an address whose network is gone may not come back
	 * (and a wireless link must associate first); DHCP sets it anew. */
	replay_saved(nl, st, l->ifindex, now->ifindex);
	return 0;
}

int move_nic_back(struct nlk *nl_from, const struct state_link *l, int to_fd,
		  struct wgp_err *err)
{
	struct link_info li;
	int ret;

	ret = rtnl_link_find(nl_from, l->mac, l->kind, l->name, &li);
	if (ret < 0)
		return ret;
	ret = rtnl_link_move(nl_from, li.ifindex, to_fd, l->name);
	if (ret == -EEXIST)	/* the name is taken: bring it back as is */
		ret = rtnl_link_move(nl_from, li.ifindex, to_fd, NULL);
	if (ret < 0) {
		wgp_fail(err, ret, "Cannot move back", "%s", l->name);
		wgp_extack(err, nl_from->extack);
	}
	return ret;
}
