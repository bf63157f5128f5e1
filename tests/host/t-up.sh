#!/bin/bash
# wgphys up/down on the build machine, where the kernel has no WireGuard:
# everything runs in a network and mount namespace this test makes, with
# veth devices standing in for NICs. The machine's own network is never
# touched (the test re-executes itself under unshare first).
#
#   [ test's "main" namespace ]          [ ns "lan" ]
#     nic0 10.77.0.2/24  ---- veth ----  10.77.0.1/24
#     nic1 (down)        ---- veth ----  (peer)
#     default via 10.77.0.1
#
# What is asserted comes from the kernel (ip -j) and the file system,
# never from wgphys's own words.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
WGPHYS=${WGPHYS:-$repo/build/test/wgphys}

if [[ -z ${WGPHYS_TEST_INNER-} ]]; then
	[[ $(id -u) == 0 ]] || { echo "1..0 # SKIP needs root"; exit 0; }
	# /etc/netns must exist to be mounted over; made here only if absent,
	# removed again after.
	made_etc_netns=0
	[[ -d /etc/netns ]] || { mkdir /etc/netns && made_etc_netns=1; }
	WGPHYS_TEST_INNER=1 unshare --net --mount --propagation private \
		bash "$0" "$@"
	rc=$?
	((made_etc_netns)) && rmdir /etc/netns
	exit $rc
fi

. "$repo/tests/lib.sh"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

tmp=$(mktemp -d)
cleanup() {
	ip netns pids lan 2>/dev/null | xargs -r kill 2>/dev/null
	# Everything else lives in this mount/net namespace and dies with it.
	umount /etc/resolv.conf 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# Private /run, /etc/netns and resolv.conf: what wgphys writes stays here.
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /etc/netns
printf 'nameserver 10.77.0.1\n' >"$tmp/resolv.conf"
mount --bind "$tmp/resolv.conf" /etc/resolv.conf
ip link set lo up

ip netns add lan
ip link add nic0 type veth peer name lan0 netns lan
ip link add nic1 type veth peer name lan1 netns lan
ip -n lan link set lan0 up
ip -n lan addr add 10.77.0.1/24 dev lan0
ip link set nic0 up
ip addr add 10.77.0.2/24 dev nic0
ip route add default via 10.77.0.1 dev nic0 metric 50
ip route add 10.88.0.0/16 via 10.77.0.1 dev nic0 proto static

priv=$(wg genkey)
pub=$(wg genkey | wg pubkey)
umask 077
cat >"$tmp/wg0.conf" <<EOF
[Interface]
PrivateKey = $priv
Address = 10.100.0.2/32, fd00:100::2/128
DNS = 10.100.0.53

[Peer]
PublicKey = $pub
Endpoint = 10.77.0.1:51820
AllowedIPs = 0.0.0.0/0, ::/0
PersistentKeepalive = 25
EOF
cat >"$tmp/wgphys.conf" <<EOF
[Physical]
Namespace = physical
Interfaces = nic0, nic1
DHCP = none
[Tunnel]
Interface = wg0
Config = $tmp/wg0.conf
EOF
umask 022

# Everything about the network a rollback must leave exactly as it was.
snapshot() {
	{
		ip -j link show | jq -S 'map({ifname, ifindex, address, flags, mtu, operstate})'
		ip -j addr show | jq -S 'map({ifname, addr_info: [.addr_info[] | {local, prefixlen}]})'
		ip -j -4 route show table all
		ip -j -6 route show table all
		ip netns list
		ls -A /run/netns 2>/dev/null
		cat /etc/resolv.conf
		ls /etc/netns
		ls -A /run/wgphys 2>/dev/null | grep -v -e '^lock$' -e '\.log$'
	} 2>&1
}
# The snapshot must not race the kernel finishing duplicate address detection.
settled() { [[ -z $(ip -6 addr show tentative) ]] && ip -6 route show table local | grep -q fe80; }
poll 10 "the test network has settled" settled
snapshot >"$tmp/before"
same_as_before() {
	snapshot >"$tmp/after"
	diff -u "$tmp/before" "$tmp/after"
}

# --dry-run: the plan, nothing changed.
"$WGPHYS" -c "$tmp/wgphys.conf" up --dry-run >"$tmp/plan" 2>&1
check "up --dry-run exits 0" test $? -eq 0
diag "$(cat "$tmp/plan")"
for line in "ip netns add physical" \
	"ip -n physical link add wg0 mtu 1420 type wireguard" \
	"ip link set nic0 netns physical" \
	"ip link set nic1 netns physical" \
	"ip -n physical addr add 10.77.0.2/24 dev nic0" \
	"ip -n physical route add default via 10.77.0.1 dev nic0" \
	"ip -n physical route add 10.88.0.0/16 via 10.77.0.1 dev nic0" \
	"ip addr add 10.100.0.2/32 dev wg0" \
	"ip route add default dev wg0" \
	"ip -6 route add default dev wg0"; do
	check "plan has: $line" grep -qxF -- "$line" "$tmp/plan"
done
check "the plan names no private key" bash -c "! grep -qF -- '$priv' '$tmp/plan'"
check "up --dry-run changed nothing" same_as_before

# The tunnel's MTU follows the uplink, as wg-quick derives it: the MTU of
# the device the endpoint is routed through, minus 80 (a PPPoE uplink).
mtu0=$(ip -j link show nic0 | jq '.[0].mtu')
ip link set nic0 mtu 1492
"$WGPHYS" -c "$tmp/wgphys.conf" up --dry-run >"$tmp/plan" 2>&1
check "uplink MTU 1492: the plan sets the tunnel's to 1412" \
	grep -qxF -- "ip link set wg0 mtu 1412" "$tmp/plan"
ip link set nic0 mtu "$mtu0"

# Bad input: exit 2, one line, nothing changed.
bad() {
	local desc=$1 want=$2 rc
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if ((rc == 2)) && (($(wc -l <"$tmp/err") == 1)) && grep -qF -- "$want" "$tmp/err" &&
		same_as_before >/dev/null; then
		ok "$desc"
	else
		not_ok "$desc" "exit $rc; stderr: $(cat "$tmp/err"); wanted: $want
$(same_as_before)"
	fi
}
conf() { # conf NAME <<< body: a root-owned 0600 config file
	umask 077
	cat >"$tmp/$1"
	umask 022
	printf '%s' "$tmp/$1"
}
sed "s|^Interfaces = .*|Interfaces = nic0, nosuch0|" "$tmp/wgphys.conf" | conf c-nodev >/dev/null
bad "an interface that does not exist" "nosuch0" "$WGPHYS" -c "$tmp/c-nodev" up
sed "s|^Interfaces = .*|Interfaces = lo|" "$tmp/wgphys.conf" | conf c-lo >/dev/null
bad "the loopback device" "loopback" "$WGPHYS" -c "$tmp/c-lo" up
sed "s|^Interface = wg0|Interface = nic0|" "$tmp/wgphys.conf" | conf c-tunname >/dev/null
bad "a tunnel name that is taken" "nic0 already exists" "$WGPHYS" -c "$tmp/c-tunname" up
sed "s|PostUp|x|; /^DNS/a PostUp = iptables -F" "$tmp/wg0.conf" | conf wg-postup.conf >/dev/null
sed "s|^Config = .*|Config = $tmp/wg-postup.conf|" "$tmp/wgphys.conf" | conf c-postup >/dev/null
bad "a PostUp line" "PostUp" "$WGPHYS" -c "$tmp/c-postup" up
sed "s|^PrivateKey = .*|PrivateKey = AAAA|" "$tmp/wg0.conf" | conf wg-badkey.conf >/dev/null
sed "s|^Config = .*|Config = $tmp/wg-badkey.conf|" "$tmp/wgphys.conf" | conf c-badkey >/dev/null
bad "a private key that is not 32 bytes" "PrivateKey" "$WGPHYS" -c "$tmp/c-badkey" up
cp "$tmp/wg0.conf" "$tmp/wg-world.conf"
chmod 644 "$tmp/wg-world.conf"
sed "s|^Config = .*|Config = $tmp/wg-world.conf|" "$tmp/wgphys.conf" | conf c-world >/dev/null
bad "a key file readable by others" "readable by others" "$WGPHYS" -c "$tmp/c-world" up
cp "$tmp/wgphys.conf" "$tmp/c-gw"
chmod 666 "$tmp/c-gw"
bad "a config writable by others" "writable" "$WGPHYS" -c "$tmp/c-gw" up
bad "a missing config" "No such file" "$WGPHYS" -c "$tmp/nonexistent" up
bad "an unknown option" "--frob" "$WGPHYS" -c "$tmp/wgphys.conf" up --frob
bad "an unknown command" "frob" "$WGPHYS" frob
mkdir -p /run/netns && touch /run/netns/physical
snapshot >"$tmp/before"
bad "a namespace of that name exists already" "already exists" "$WGPHYS" -c "$tmp/wgphys.conf" up
rm /run/netns/physical
snapshot >"$tmp/before"	# /run/netns now exists, empty: that is the state to keep

# A real up: this kernel has no WireGuard, so it fails at the tunnel,
# after the namespace and /etc/netns were made. All of it must go.
"$WGPHYS" -c "$tmp/wgphys.conf" up >"$tmp/out" 2>"$tmp/err"
rc=$?
check "up without WireGuard fails with 1 (a failure, not bad input)" test $rc -eq 1
check "the message names the tunnel" grep -q "wg0" "$tmp/err"
diag "$(cat "$tmp/err")"
check "the failed up left the namespace exactly as before" same_as_before
check "no state is left" test ! -e /run/wgphys/state
check "down after that has nothing to do and exits 0" "$WGPHYS" -c "$tmp/wgphys.conf" down

# A crash leaves a state file; down cleans up from it and the kernel.
cat >"$tmp/crash.sh" <<EOF
ip netns add physical
ip -n physical link set lo up
ip link set nic0 netns physical
EOF
bash "$tmp/crash.sh"
dev=$(stat -L -c %d /run/netns/physical)
ino=$(stat -L -c %i /run/netns/physical)
mdev=$(stat -L -c %d /proc/self/ns/net)
mino=$(stat -L -c %i /proc/self/ns/net)
mkdir -p -m 0700 /run/wgphys
cat >/run/wgphys/state <<EOF
wgphys-state 1
netns physical $dev $ino
main $mdev $mino
created-netns
etc 0
tunnel wg0
link 2 nic0 $(jq -r '.[0].address' <<<"$(ip -n physical -j link show nic0)") -1 1
resolv kept
stage 0
EOF
"$WGPHYS" -c "$tmp/wgphys.conf" down >"$tmp/out" 2>&1
check "down after a crash midway exits 0" test $? -eq 0
diag "$(cat "$tmp/out")"
check "nic0 is back in the main namespace, under its name" ip link show nic0
check "the namespace file is gone" test ! -e /run/netns/physical
check "the state is gone" test ! -e /run/wgphys/state

done_testing
