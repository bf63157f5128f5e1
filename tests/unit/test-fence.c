// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of fence.c, as root in a network namespace of the test's own
 * (the machine's own rule set is never touched): the rule set read back
 * with `nft -j list ruleset` (tables, chains, hooks, policies, the set,
 * every rule); installing twice replaces rather than doubles; removing
 * twice succeeds; and traffic, over IPv4 and IPv6, to a peer namespace:
 *
 *   [ test's namespace ]                          [ peer namespace ]
 *   lo                                            (its own)
 *   fa (veth)  10.71.0.1  fd71::1  ---- veth ---- fb  10.71.0.2 fd71::2
 *     mv73 (macvlan on fa) 10.73.0.1 fd73::1          10.73.0.2 fd73::2
 *   br72 (bridge) 10.72.0.1 fd72::1
 *     port fc (veth)                 ---- veth ---- fd  10.72.0.2 fd72::2
 *   br74 (bridge) 10.74.0.1 fd74::1
 *     port mv74 (macvlan on fe)      fe - veth ---- ff  10.74.0.2 fd74::2
 *
 * veth, a bridge with a veth port and lo must pass; macvlan (a kind that
 * sends through its lower device below IP, as a NIC leaked into main could
 * be) must not, routed directly (inet table) or as a bridge port (bridge
 * table), nor answer ARP (arp table). The build machine has no NIC made by
 * a driver in a namespace of our own: tests/vm/t-fence.sh tries a real one.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <cap-ng.h>

#include "fence.h"
#include "tap.h"

#define PORT 7071
#define CONNECT_MS 1000

static const char *emsg(const struct wgp_err *e)
{
	static char line[1024];

	if (!e->code)
		return "";
	wgp_format(e, line, sizeof(line));
	return line;
}

/* ---- Running commands (observers and set-up; never the code under test) ---- */

/* CMD's standard output, trailing newlines cut; NULL if it could not run. */
static char *output(const char *cmd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	FILE *f = popen(cmd, "r");
	size_t n;

	if (!buf || !f) {
		free(buf);
		if (f)
			pclose(f);
		return NULL;
	}
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			char *nb = realloc(buf, cap *= 2);

			if (!nb)
				break;
			buf = nb;
		}
	}
	buf[len] = '\0';
	while (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (pclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

__attribute__((format(printf, 1, 2)))
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st != 0)
		diag("command failed (%d): %s", st, cmd);
	return st == 0 ? 0 : -1;
}

/* `nft -j list ruleset`, put through a jq program. */
static char *nft_jq(const char *prog)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "nft -j list ruleset | jq -r '%s'", prog);
	return output(cmd);
}

static bool same(const char *what, char *got, const char *want)
{
	bool eq = got && strcmp(got, want) == 0;

	if (!ok(eq, "%s", what))
		diag("got:\n%s\n# want:\n%s", got ? got : "(nft or jq failed)", want);
	free(got);
	return eq;
}

/* ---- What the kernel holds ---- */

#define JQ_OURS(kind) ".nftables[] | ." kind "? // empty | select(.table == \"wgphys\")"
#define JQ_TABLES "[.nftables[] | .table? // empty | select(.name == \"wgphys\") | " \
	".family] | join(\" \")"
#define JQ_CHAINS JQ_OURS("chain") " | \"\\(.family) \\(.name): \\(.type) \\(.hook) " \
	"\\(.prio) \\(.policy)\""
#define JQ_SETS JQ_OURS("set") " | \"\\(.family) \\(.name): \\(.type) " \
	"\\(.flags | join(\",\")) \\(.elem | sort | join(\",\"))\""
/* Each rule in a line: the chain, then each expression in short. */
#define JQ_RULES JQ_OURS("rule") " | [.family, .chain + \":\", (.expr[] | " \
	"if .match then \"\\(.match.left.meta.key)\\(.match.op)\\(.match.right)\" " \
	"elif .counter then \"counter\" elif has(\"accept\") then \"accept\" " \
	"elif has(\"drop\") then \"drop\" else tojson end)] | join(\" \")"

static const char want_chains[] =
	"inet output: filter output 0 drop\n"
	"inet forward: filter forward 0 drop\n"
	"inet postrouting: filter postrouting 0 drop\n"
	"bridge output: filter output -200 drop\n"
	"bridge forward: filter forward -200 drop\n"
	"arp output: filter output 0 drop";

#define KINDS "bareudp,bridge,dummy,erspan,geneve,gre,gretap,ip6erspan,ip6gre,ip6gretap," \
	"ip6tnl,ipip,netkit,sit,tun,veth,vrf,vti,vti6,vxlan,wireguard,xfrm"

static const char want_sets[] =
	"inet allowed: ifname constant " KINDS "\n"
	"bridge allowed: ifname constant " KINDS "\n"
	"arp allowed: ifname constant " KINDS;

static const char want_rules[] =
	"inet output: oif==lo accept\n"
	"inet output: oifkind==@allowed accept\n"
	"inet output: counter drop\n"
	"inet forward: iifkind==@allowed oifkind==@allowed accept\n"
	"inet forward: counter drop\n"
	"inet postrouting: oif==lo accept\n"
	"inet postrouting: oifkind==@allowed accept\n"
	"inet postrouting: counter drop\n"
	"bridge output: oifkind==@allowed accept\n"
	"bridge output: counter drop\n"
	"bridge forward: iifkind==@allowed oifkind==@allowed accept\n"
	"bridge forward: counter drop\n"
	"arp output: oifkind==@allowed accept\n"
	"arp output: counter drop";

static void check_ruleset(const char *when)
{
	char what[128];

	snprintf(what, sizeof(what), "%s: tables inet, bridge, arp wgphys", when);
	same(what, nft_jq(JQ_TABLES), "inet bridge arp");
	snprintf(what, sizeof(what), "%s: chains, hooks, priorities, policy drop", when);
	same(what, nft_jq(JQ_CHAINS), want_chains);
	snprintf(what, sizeof(what), "%s: the set of allowed kinds, in each table", when);
	same(what, nft_jq(JQ_SETS), want_sets);
	snprintf(what, sizeof(what), "%s: every rule, in order", when);
	same(what, nft_jq(JQ_RULES), want_rules);
}

/* Packets counted by the drop rule of one chain; -1 if not found. */
static long drops(const char *family, const char *chain)
{
	char prog[512], *s;
	long n = -1;

	snprintf(prog, sizeof(prog), JQ_OURS("rule") " | select(.family == \"%s\" and "
		 ".chain == \"%s\") | .expr[] | .counter? // empty | .packets", family, chain);
	s = nft_jq(prog);
	if (s && *s)
		n = strtol(s, NULL, 10);
	free(s);
	return n;
}

static bool is_present(void)
{
	struct wgp_err err = { 0 };
	bool present = true;

	if (fence_present(&present, &err) < 0)
		diag("fence_present: %s", emsg(&err));
	return present;
}

/* ---- Traffic ---- */

/* A TCP handshake with addr:PORT within CONNECT_MS: 0, or -errno. */
static int tcp_connect(const char *addr)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	struct pollfd p = { .events = POLLOUT };
	socklen_t len = sizeof(int);
	int fd, ret, soerr = 0;

	if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(PORT);
	} else if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(PORT);
	} else {
		return -EINVAL;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = connect(fd, (struct sockaddr *)&ss, ss.ss_family == AF_INET ?
		      sizeof(*in4) : sizeof(*in6));
	if (ret < 0 && errno != EINPROGRESS) {
		ret = -errno;
		goto out;
	}
	p.fd = fd;
	ret = poll(&p, 1, CONNECT_MS);
	if (ret == 0) {
		ret = -ETIMEDOUT;
		goto out;
	}
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
	ret = -soerr;
out:
	close(fd);
	return ret;
}

static bool reaches(const char *addr)
{
	int ret = tcp_connect(addr);

	if (ret < 0)
		diag("TCP to %s port %d: %s", addr, PORT, strerror(-ret));
	return ret == 0;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Where a pass is expected: a handshake within READY_MS, trying again
 * after each failure (a new link takes a moment to carry IPv6). */
#define READY_MS 10000

static bool reaches_soon(const char *addr)
{
	long end = now_ms() + READY_MS;
	int ret;

	while ((ret = tcp_connect(addr)) < 0 && now_ms() < end)
		usleep(100 * 1000);
	if (ret < 0)
		diag("TCP to %s port %d: %s, for %d ms", addr, PORT, strerror(-ret), READY_MS);
	return ret == 0;
}

/* Listening on [::]:PORT (IPv4 too) in the current namespace; fd or -1. */
static int listen_any(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(PORT) };
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0), zero = 0, one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 64) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The peer: a child in a namespace of its own, listening on PORT (the
 * kernel completes handshakes from the backlog; nothing needs accepting).
 * Returns its pid once it is ready, or -1.
 */
static pid_t start_peer(void)
{
	int p[2], fd;
	char c = 0;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		if (unshare(CLONE_NEWNET) < 0 || (fd = listen_any()) < 0)
			_exit(1);
		c = 1;
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (pid < 0 || read(p[0], &c, 1) != 1 || c != 1) {
		close(p[0]);
		return -1;
	}
	close(p[0]);
	return pid;
}

/* Build the picture at the top. */
static int build_world(pid_t peer)
{
	int ret = 0;

	ret |= sh("ip link set lo up");
	/* Only the interface holding an address answers ARP for it (else fa
	 * would answer for mv73's), and replies may leave by another. */
	ret |= sh("sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.rp_filter=0"
		  " net.ipv4.conf.default.rp_filter=0");
	ret |= sh("ip link add fa type veth peer name fb netns %d", peer);
	ret |= sh("ip link add fc type veth peer name fd netns %d", peer);
	ret |= sh("ip link add fe type veth peer name ff netns %d", peer);
	ret |= sh("ip link add link fa name mv73 type macvlan mode bridge");
	ret |= sh("ip link add link fe name mv74 type macvlan mode bridge");
	ret |= sh("ip link add br72 type bridge && ip link set fc master br72");
	ret |= sh("ip link add br74 type bridge && ip link set mv74 master br74");
	ret |= sh("for a in fa:71 mv73:73 br72:72 br74:74; do d=${a%%:*} n=${a#*:};"
		  " ip addr add 10.$n.0.1/24 dev $d && ip addr add fd$n::1/64 dev $d nodad"
		  " || exit 1; done");
	ret |= sh("for d in fa fc fe mv73 mv74 br72 br74; do ip link set $d up || exit 1; done");
	ret |= sh("nsenter -t %d -n sh -c 'ip link set lo up &&"
		  " for a in fb:71 fb:73 fd:72 ff:74; do d=${a%%%%:*} n=${a#*:};"
		  " ip addr add 10.$n.0.2/24 dev $d && ip addr add fd$n::2/64 dev $d nodad"
		  " && ip link set $d up || exit 1; done'", peer);
	return ret ? -1 : 0;
}

/* From the peer's namespace (a child that joins it): reaches() or, soon,
 * reaches_soon(). */
static bool peer_reaches(pid_t peer, const char *addr, bool soon)
{
	char path[64];
	int fd, st;
	pid_t pid;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", peer);
	pid = fork();
	if (pid == 0) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
			_exit(2);
		_exit((soon ? reaches_soon(addr) : reaches(addr)) ? 0 : 1);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		return false;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* ---- The tests ---- */

/* Before any fence, every path of the picture works (and is ready). */
static void test_baseline(void)
{
	static const char *const all[] = { "10.71.0.2", "fd71::2", "10.72.0.2", "fd72::2",
					   "10.73.0.2", "fd73::2", "10.74.0.2", "fd74::2" };
	bool good = true;
	size_t i;

	for (i = 0; i < 8; i++)
		good &= reaches_soon(all[i]);
	ok(good, "without the fence, every path reaches the peer (IPv4 and IPv6)");
}

static void test_install(void)
{
	struct wgp_err err = { 0 };
	int ret;

	ok(!is_present(), "no rule set at first: fence_present says so");
	ret = fence_install(&err);
	ok(ret == 0 && err.code == 0, "fence_install: %d %s", ret, emsg(&err));
	check_ruleset("installed");
	/* (nft 1.0.6 leaves table comments out of its JSON) */
	same("each table says whose it is and where to read about it",
	     output("nft list ruleset | grep -c 'comment \"wgphys: only lo, the tunnel and"
		    " virtual interfaces may send; see wgphys(8)\"'"), "3");
	ok(is_present(), "fence_present says present");
}

/* Installing again, over ours and over a stranger's table of that name. */
static void test_replace(void)
{
	const char *handles = ".nftables[] | .table? // empty | select(.name == \"wgphys\") | .handle";
	struct wgp_err err = { 0 };
	char *before, *after;
	int ret;

	before = nft_jq(handles);
	ret = fence_install(&err);
	ok(ret == 0, "installed a second time: %s", emsg(&err));
	after = nft_jq(handles);
	ok(before && after && strcmp(before, after) != 0,
	   "the tables are new ones (other handles): replaced, not updated in place");
	free(before);
	free(after);
	check_ruleset("installed twice");

	sh("nft add chain inet wgphys extra && nft add rule inet wgphys output accept &&"
	   " nft add table netdev wgphys");
	ret = fence_install(&err);
	ok(ret == 0, "installed over a changed table: %s", emsg(&err));
	same("a table of that name in another family is not ours to touch",
	     nft_jq(".nftables[] | .table? // empty | select(.family == \"netdev\") | .name"),
	     "wgphys");
	sh("nft delete table netdev wgphys");
	check_ruleset("over a changed table");
}

static void test_present_partial(void)
{
	struct wgp_err err = { 0 };

	sh("nft delete table bridge wgphys");
	ok(!is_present(), "without the bridge table, fence_present says absent");
	fence_install(&err);
	sh("nft delete chain inet wgphys forward");
	ok(!is_present(), "without the inet forward chain, fence_present says absent");
	fence_install(&err);
	sh("nft add chain inet wgphys postrouting"
	   " '{ type filter hook postrouting priority 0; policy accept; }'");
	ok(!is_present(), "with postrouting's policy accept, fence_present says absent");
	ok(fence_install(&err) == 0 && is_present(), "installed again: present");
}

static void test_traffic(pid_t peer)
{
	static const char *const pass[] = { "10.71.0.2", "fd71::2", "10.72.0.2", "fd72::2" };
	static const char *const stop[] = { "10.73.0.2", "fd73::2", "10.74.0.2", "fd74::2" };
	long out0 = drops("inet", "output"), br0 = drops("bridge", "output");
	long arp0 = drops("arp", "output");
	size_t i;

	ok(reaches("127.0.0.1") && reaches("::1"), "lo works over IPv4 and IPv6");
	for (i = 0; i < 4; i++)
		ok(reaches(pass[i]), "through %s to %s: passes",
		   i < 2 ? "a veth" : "a bridge with a veth port", pass[i]);
	for (i = 0; i < 4; i++)
		ok(!reaches(stop[i]), "through %s to %s: dropped",
		   i < 2 ? "a macvlan" : "a bridge with a macvlan port", stop[i]);
	/* The peer has to ask for the address again: the answer is ARP. */
	sh("nsenter -t %d -n ip neigh flush all", peer);
	ok(!peer_reaches(peer, "10.73.0.1", false), "the peer gets no answer from the macvlan's address");
	ok(drops("inet", "output") > out0, "the inet output drop counter grew (%ld -> %ld)",
	   out0, drops("inet", "output"));
	ok(drops("bridge", "output") > br0, "the bridge output drop counter grew (%ld -> %ld)",
	   br0, drops("bridge", "output"));
	ok(drops("arp", "output") > arp0, "the arp output drop counter grew (%ld -> %ld)",
	   arp0, drops("arp", "output"));

	/* Fail closed: a chain without its rules drops by policy. */
	sh("nft flush chain inet wgphys output");
	ok(!reaches("127.0.0.1"), "with the output chain's rules flushed, even lo is dropped");
	ok(fence_install(&(struct wgp_err){ 0 }) == 0 && reaches("127.0.0.1"),
	   "installed again: lo works");
}

static void test_remove(pid_t peer)
{
	struct wgp_err err = { 0 };
	int ret;

	ret = fence_remove(&err);
	ok(ret == 0, "fence_remove: %d %s", ret, emsg(&err));
	same("no table wgphys is left, in any family", nft_jq(JQ_TABLES), "");
	ok(!is_present(), "fence_present says absent");
	ret = fence_remove(&err);
	ok(ret == 0, "fence_remove when absent: %d %s", ret, emsg(&err));
	/* The positive control: what was dropped was dropped by the fence. */
	ok(reaches_soon("10.73.0.2") && reaches_soon("fd73::2"),
	   "without it, the macvlan reaches the peer");
	ok(reaches_soon("10.74.0.2") && reaches_soon("fd74::2"),
	   "and so does the bridge's macvlan port");
	ok(peer_reaches(peer, "10.73.0.1", true), "and the peer reaches the macvlan's address");
}

/* Without CAP_NET_ADMIN: refused, and the error says what was refused. */
static void test_no_privilege(void)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		struct wgp_err err = { 0 };
		int ret;

		capng_clear(CAPNG_SELECT_BOTH);
		if (capng_apply(CAPNG_SELECT_BOTH) < 0)
			_exit(2);
		ret = fence_install(&err);
		_exit(ret == -EPERM && err.code == EPERM &&
		      strcmp(err.what, "Cannot install") == 0 &&
		      strcmp(err.object, "the kill switch") == 0 ? 0 : 1);
	}
	ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	   "without CAP_NET_ADMIN: -EPERM, \"Cannot install the kill switch\"");
	same("and nothing was installed", nft_jq(JQ_TABLES), "");
}

int main(void)
{
	int listener;
	pid_t peer;
	char *v;

	if (geteuid() != 0) {
		printf("1..0 # SKIP needs root (a network namespace of its own)\n");
		return 0;
	}
	v = output("nft --version && jq --version");
	if (!v) {
		printf("1..0 # SKIP needs nft and jq (packages nftables, jq)\n");
		return 0;
	}
	free(v);
	if (unshare(CLONE_NEWNET) < 0) {
		printf("Bail out! unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return 1;
	}
	peer = start_peer();
	/* This namespace answers on PORT too (lo, and the peer's attempts). */
	listener = listen_any();
	if (peer < 0 || listener < 0 || build_world(peer) < 0) {
		printf("Bail out! cannot build the test's network\n");
		if (peer > 0)
			kill(peer, SIGKILL);
		return 1;
	}
	test_baseline();
	test_install();
	test_replace();
	test_present_partial();
	test_traffic(peer);
	test_remove(peer);
	test_no_privilege();
	kill(peer, SIGKILL);
	waitpid(peer, NULL, 0);
	close(listener);
	return done_testing();
}
