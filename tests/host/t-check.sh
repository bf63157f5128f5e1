#!/bin/bash
# wgphys check on the build machine, whose kernel has no WireGuard: the
# report must agree with what the kernel says (no WireGuard, namespaces and
# the fence's nftables rules work, the stand-in NIC is there), exit 1, say
# everything else all the same (also with a missing or broken wg-quick
# file), and change nothing. Although check changes nothing, it runs in a
# network and mount namespace this test makes (re-executing itself under
# unshare), with a veth standing in for a NIC.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
WGPHYS=${WGPHYS:-$repo/build/test/wgphys}

if [[ -z ${WGPHYS_TEST_INNER-} ]]; then
	[[ $(id -u) == 0 ]] || { echo "1..0 # SKIP needs root"; exit 0; }
	WGPHYS_TEST_INNER=1 exec unshare --net --mount --propagation private bash "$0" "$@"
fi

. "$repo/tests/lib.sh"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

tmp=$(mktemp -d)
sleeper=
cleanup() {
	[[ -n $sleeper ]] && kill "$sleeper" 2>/dev/null
	ip netns pids lan 2>/dev/null | xargs -r kill 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# A private /run: a journal of a real up elsewhere must not be seen here.
mount -t tmpfs tmpfs /run
ip link set lo up
ip netns add lan
ip link add nic0 type veth peer name lan0 netns lan
ip link set nic0 up
ip addr add 10.77.0.2/24 dev nic0

umask 077
cat >"$tmp/wg0.conf" <<EOF
[Interface]
PrivateKey = $(wg genkey)
Address = 10.100.0.2/32

[Peer]
PublicKey = $(wg genkey | wg pubkey)
Endpoint = 10.77.0.1:51820
AllowedIPs = 0.0.0.0/0
EOF
conf() { # FILE WG-QUICK-FILE
	cat >"$1" <<-EOF
		[Physical]
		Interfaces = nic0
		DHCP = none
		[Tunnel]
		Config = $2
	EOF
	chmod 644 "$1"
}
conf "$tmp/wgphys.conf" "$tmp/wg0.conf"
umask 022

# What the kernel says, to hold the report against.
if ip link add wgprobe type wireguard 2>/dev/null; then
	ip link del wgprobe
	kernel_wg=yes
else
	kernel_wg=no
fi
diag "the kernel here has WireGuard: $kernel_wg"
netns_ok=no
unshare --net true && netns_ok=yes
oifkind_ok=no
unshare --net nft -f - <<'EOF' && oifkind_ok=yes
table inet probe {
	chain out {
		type filter hook output priority 0; policy drop;
		meta oifkind "veth" accept
	}
}
EOF
diag "a namespace can be made: $netns_ok; nft takes meta oifkind: $oifkind_ok"

# Everything check could have changed.
snapshot() {
	ip -j link show | jq -S 'map({ifname, ifindex, address, flags})'
	ip -j addr show | jq -S 'map({ifname, addr_info: [.addr_info[] | {local, prefixlen}]})'
	ip -j route show table all
	nft -j list ruleset
	ip netns list
	ls -A /run /run/netns 2>&1
	cut -d' ' -f1 /proc/modules 2>/dev/null | sort
}
snapshot >"$tmp/before"

# The report, one "LEVEL TOPIC: text" line each, and its exit status.
run_check() { # out-file config-file [args...]
	local out=$1 cfg=$2
	shift 2
	rc=0
	"$WGPHYS" -c "$cfg" check "$@" >"$out" 2>&1 || rc=$?
}
level_of() { awk -v t="$2:" '$2 == t { print $1; exit }' "$1"; }
has_line() { grep -q -- "$2" "$1" || { cat "$1"; return 1; }; }

run_check "$tmp/good" "$tmp/wgphys.conf"
diag "$(cat "$tmp/good")"
if [[ $kernel_wg == no ]]; then
	check "no WireGuard here: check exits 1" test "$rc" == 1
	check "its kernel line fails, naming WireGuard" has_line "$tmp/good" '^FAIL  kernel: .*WireGuard'
	check "the verdict is not ready" has_line "$tmp/good" '^not ready'
else
	check "WireGuard here: check exits 0" test "$rc" == 0
	check "its kernel line is ok" test "$(level_of "$tmp/good" kernel)" == ok
fi
want() { [[ $1 == yes ]] && echo ok || echo FAIL; }
check "namespaces: the report agrees with unshare ($netns_ok)" \
	test "$(level_of "$tmp/good" netns)" == "$(want "$netns_ok")"
check "the fence: the report agrees with nft ($oifkind_ok)" \
	test "$(level_of "$tmp/good" fence)" == "$(want "$oifkind_ok")"
check "config and tunnel files: ok" test \
	"$(level_of "$tmp/good" config) $(level_of "$tmp/good" tunnel)" == "ok ok"
moves() { awk '$1 == "note" && $2 == "moves:" { print $3 }' "$1" | paste -sd ' '; }
check "it would move nic0, and only nic0 (ip: $(ip -br link show nic0 | awk '{ print $1 }'))" \
	test "$(moves "$tmp/good")" == nic0
check "DHCP = none: no dhcpcd needed" test "$(level_of "$tmp/good" dhcpcd)" == note
check "nothing changed" diff -u "$tmp/before" <(snapshot)

# --load: no module to load here; still nothing changed.
run_check "$tmp/load" "$tmp/wgphys.conf" --load
if [[ $kernel_wg == no ]]; then
	check "check --load: still no WireGuard, exit 1" bash -c \
		"[[ $rc == 1 && \$(awk '\$2 == \"kernel:\" { print \$1 }' '$tmp/load') == FAIL ]]"
fi
check "check --load changed nothing either (no module, no link)" diff -u "$tmp/before" <(snapshot)

# A missing wg-quick file: that fails, and the rest is still told.
conf "$tmp/missing.conf" "$tmp/nonexistent.conf"
run_check "$tmp/missing" "$tmp/missing.conf"
check "a missing wg-quick file: exit 1" test "$rc" == 1
check "its tunnel line fails, naming the file" has_line "$tmp/missing" "^FAIL  tunnel: $tmp/nonexistent.conf"
topics() { awk '{ print $2 }' "$1" | grep ':$' | sort -u | paste -sd ' '; }
check "and every other part is still reported" test "$(topics "$tmp/missing")" == "$(topics "$tmp/good")"

# A broken one: a key that is no key.
umask 077
sed 's/^PrivateKey = .*/PrivateKey = not-a-key/' "$tmp/wg0.conf" >"$tmp/broken-wg.conf"
umask 022
conf "$tmp/broken.conf" "$tmp/broken-wg.conf"
run_check "$tmp/broken" "$tmp/broken.conf"
check "a broken wg-quick file: exit 1, its line named" bash -c \
	"[[ $rc == 1 ]] && grep -q '^FAIL  tunnel: $tmp/broken-wg.conf:2' '$tmp/broken'" ||
	diag "$(cat "$tmp/broken")"
check "and the rest is still reported" test "$(topics "$tmp/broken")" == "$(topics "$tmp/good")"

# A configuration others may write: refused, the rest told with the defaults.
cp "$tmp/wgphys.conf" "$tmp/open.conf"
chmod 666 "$tmp/open.conf"
run_check "$tmp/open" "$tmp/open.conf"
check "a wgphys.conf others may write fails" bash -c \
	"[[ $rc == 1 && \$(awk '\$2 == \"config:\" { print \$1; exit }' '$tmp/open') == FAIL ]]" ||
	diag "$(cat "$tmp/open")"

# A DHCP client for the NIC that would move: named, with its pid. A
# stand-in: tail, under that name (its comm), following /dev/null, with
# "nic0" on its command line.
cp "$(command -v tail)" "$tmp/dhclient"
"$tmp/dhclient" -f /dev/null nic0 >/dev/null 2>&1 &
sleeper=$!
poll 5 "the stand-in dhclient runs" test "$(cat /proc/$sleeper/comm 2>/dev/null)" == dhclient
run_check "$tmp/rival" "$tmp/wgphys.conf"
check "a dhclient for nic0 (pid $sleeper) is warned about" \
	has_line "$tmp/rival" "^warn  dhclient: runs (pid $sleeper) for nic0"
kill "$sleeper"
wait "$sleeper" 2>/dev/null
sleeper=

check "unknown option: exit 2" bash -c "'$WGPHYS' -c '$tmp/wgphys.conf' check --bogus; [[ \$? == 2 ]]"
check "after all of it, nothing changed" diff -u "$tmp/before" <(snapshot)

done_testing
