// SPDX-License-Identifier: GPL-2.0
/*
 * The small pure helpers that up, down and the guard lean on: the
 * nsswitch.conf filter, the dry-run's description of a saved address or
 * route, a link's wpa_supplicant file, the namespace name rule, what counts
 * as a way out, and the one line an error becomes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if_arp.h>

#include "err.h"
#include "netns.h"
#include "plan.h"
#include "resolv.h"
#include "rtnl.h"
#include "services.h"
#include "tap.h"

static void test_nsswitch(void)
{
	char out[256];

	ok(resolv_nsswitch_filter("passwd: files\nhosts: files mdns4_minimal [NOTFOUND=return] dns\n",
				  out, sizeof(out)) &&
	   !strcmp(out, "passwd: files\nhosts: files dns\n"), "nsswitch: mdns goes");
	ok(resolv_nsswitch_filter("hosts: files resolve [!UNAVAIL=return] dns myhostname\n",
				  out, sizeof(out)) && !strcmp(out, "hosts: files dns\n"),
	   "nsswitch: resolve goes");
	ok(!resolv_nsswitch_filter("hosts: files dns\n", out, sizeof(out)) &&
	   !strcmp(out, "hosts: files dns\n"), "nsswitch: nothing to change says so");
	ok(!resolv_nsswitch_filter("passwd: files\nhosts: files mdns\n", out, 8),
	   "nsswitch: a result that does not fit is no result");
	ok(resolv_nsswitch_filter("hosts: resolve", out, sizeof(out)) &&
	   !strcmp(out, "hosts: files dns\n"), "nsswitch: a last line without newline");
}

static struct nlmsghdr *addr_msg(char *buf, int family, const char *a, uint8_t plen, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	unsigned char bin[16];

	nlh->nlmsg_type = RTM_NEWADDR;
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_index = (uint32_t)ifindex;
	inet_pton(family, a, bin);
	mnl_attr_put(nlh, IFA_LOCAL, family == AF_INET ? 4 : 16, bin);
	return nlh;
}

static struct nlmsghdr *route_msg(char *buf, int family, const char *dst, uint8_t plen,
				  const char *gw, int oif)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	unsigned char bin[16];
	size_t alen = family == AF_INET ? 4 : 16;

	nlh->nlmsg_type = RTM_NEWROUTE;
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = plen;
	if (dst) {
		inet_pton(family, dst, bin);
		mnl_attr_put(nlh, RTA_DST, alen, bin);
	}
	if (gw) {
		inet_pton(family, gw, bin);
		mnl_attr_put(nlh, RTA_GATEWAY, alen, bin);
	}
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	return nlh;
}

static void test_describe(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], out[256];
	struct nlmsghdr *nlh;

	nlh = addr_msg(buf, AF_INET, "10.77.0.2", 24, 5);
	ok(rtnl_describe(nlh, "nic0", out, sizeof(out)) == 0 &&
	   !strcmp(out, "addr add 10.77.0.2/24 dev nic0"), "describe: an address (%s)", out);
	ok(rtnl_msg_ifindex(nlh) == 5, "an address's ifindex");
	nlh = route_msg(buf, AF_INET, NULL, 0, "10.77.0.1", 7);
	ok(rtnl_describe(nlh, "nic0", out, sizeof(out)) == 0 &&
	   !strcmp(out, "route add default via 10.77.0.1 dev nic0"), "describe: a default route (%s)",
	   out);
	ok(rtnl_msg_ifindex(nlh) == 7, "a route's ifindex (RTA_OIF)");
	nlh = route_msg(buf, AF_INET6, "fd00:1::", 64, NULL, 7);
	ok(rtnl_describe(nlh, "nic0", out, sizeof(out)) == 0 &&
	   !strcmp(out, "-6 route add fd00:1::/64 dev nic0"), "describe: an IPv6 route (%s)", out);
	nlh->nlmsg_type = RTM_DELLINK;
	ok(rtnl_describe(nlh, "nic0", out, sizeof(out)) == -EINVAL && rtnl_msg_ifindex(nlh) == -1,
	   "describe: anything else is refused");
}

static void test_wpa_conf(void)
{
	struct wgphys_config cfg = { 0 };
	char dir[] = "/tmp/wgphys-test-XXXXXX", pattern[128], path[256], small[8];
	int fd;

	if (!mkdtemp(dir)) {
		ok(0, "a scratch directory");
		return;
	}
	snprintf(pattern, sizeof(pattern), "%s/wpa-%%i-100%%%%.conf", dir);
	cfg.wpa_pattern = pattern;
	snprintf(path, sizeof(path), "%s/wpa-wlan0-100%%.conf", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	ok(services_wpa_conf(&cfg, "wlan0", path, sizeof(path)) && strstr(path, "/wpa-wlan0-100%.conf"),
	   "wpa: %%i is the link, %%%% a percent sign, and the file exists (%s)", path);
	ok(!services_wpa_conf(&cfg, "wlan1", path, sizeof(path)), "wpa: no file, no wpa_supplicant");
	ok(!services_wpa_conf(&cfg, "wlan0", small, sizeof(small)), "wpa: a path that does not fit is none");
	cfg.wpa_pattern = NULL;
	ok(!services_wpa_conf(&cfg, "wlan0", path, sizeof(path)), "wpa: no pattern, none");
	snprintf(path, sizeof(path), "%s/wpa-wlan0-100%%.conf", dir);
	unlink(path);
	rmdir(dir);
}

static void test_names(void)
{
	char path[64];

	ok(netns_valid_name("physical") && netns_valid_name("a.b-c_1"), "netns: good names");
	ok(!netns_valid_name("") && !netns_valid_name(".") && !netns_valid_name("..") &&
	   !netns_valid_name("-x") && !netns_valid_name("a/b") && !netns_valid_name("a b") &&
	   !netns_valid_name(NULL), "netns: bad names");
	ok(netns_path("physical", path, sizeof(path)) == 0 && strstr(path, "/physical"),
	   "netns: the path (%s)", path);
	ok(netns_path("../etc", path, sizeof(path)) == -EINVAL, "netns: no path for a bad name");
}

static void test_way_out(void)
{
	struct link_info nic = { .type = ARPHRD_ETHER }, veth = { .type = ARPHRD_ETHER },
			 lo = { .type = ARPHRD_LOOPBACK }, usb = { .type = ARPHRD_ETHER, .hardware = true },
			 vlan = { .type = ARPHRD_ETHER };

	strcpy(veth.kind, "veth");
	strcpy(usb.kind, "");
	strcpy(vlan.kind, "vlan");
	ok(link_is_way_out(&nic) && link_is_way_out(&usb), "a driver's NIC is a way out");
	ok(!link_is_way_out(&veth) && !link_is_way_out(&lo), "a veth and lo are not");
	ok(link_is_stacked(&vlan) && !link_is_stacked(&veth), "a vlan is stacked, a veth is not");
}

/* A veth enslaved to a bridge: the kernel also sends the bridge's record
 * of the port (AF_BRIDGE), without IFLA_LINKINFO, to the same group. */
static void test_bridge_port(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	struct link_info li;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi->ifi_family = AF_BRIDGE;
	ifi->ifi_type = ARPHRD_ETHER;
	ifi->ifi_index = 9;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "u-bport");
	mnl_attr_put_u32(nlh, IFLA_MASTER, 8);
	ok(rtnl_link_parse(nlh, &li) == -EINVAL, "a bridge's record of a port is not a link");
	ifi->ifi_family = AF_UNSPEC;
	ok(rtnl_link_parse(nlh, &li) == 0 && li.ifindex == 9 && !strcmp(li.name, "u-bport"),
	   "the same as AF_UNSPEC is (%s)", li.name);
}

static void test_format(void)
{
	struct wgp_err e = { 0 };
	char line[512];

	wgp_fail(&e, ENODEV, "Cannot move", "%s to \"%s\"", "eth0", "physical");
	wgp_extack(&e, "no such device");
	wgp_format(&e, line, sizeof(line));
	ok(!strcmp(line, "Cannot move eth0 to \"physical\": No such device: kernel reports: no such device"),
	   "format: action, object, reason, the kernel's words (%s)", line);
	ok(wgp_fail(&e, EIO, "Another", NULL) == -EIO && e.code == ENODEV &&
	   !strcmp(e.what, "Cannot move"), "a later error returns its code, the first is kept");
	e = (struct wgp_err){ 0 };
	ok(wgp_refuse(&e, EINVAL, "/etc/wgphys.conf:3", "unknown key '%s'", "Foo") == -EINVAL,
	   "refuse returns -code");
	wgp_format(&e, line, sizeof(line));
	ok(!strcmp(line, "/etc/wgphys.conf:3: unknown key 'Foo'"), "format: object and why (%s)", line);
	e = (struct wgp_err){ 0 };
	ok(wgp_fail(&e, 0, "x", NULL) == -EIO, "a code of 0 still fails (EIO)");
}

int main(void)
{
	test_nsswitch();
	test_describe();
	test_wpa_conf();
	test_names();
	test_way_out();
	test_bridge_port();
	test_format();
	return done_testing();
}
