#!/bin/bash
# wg-quick files in every style, each checked against the plan of
# `wgphys up --dry-run`, line by line. The files are in tests/wgquick/:
#
#   NAME.conf     the wg-quick file
#   NAME.plan     what up --dry-run prints on stdout, exactly (exit 0)
#   NAME.notice   what it prints on stderr, exactly (absent: nothing)
#   NAME.err      instead of .plan: the one line of a refusal (exit 2)
#   NAME.wgphys   lines added to [Tunnel] of wgphys.conf (absent: none)
#   NAME.key      a private key file, named by PrivateKeyFile in [Tunnel]
#   NAME.cred     a private key given as the systemd credential wgphys.key
#                 (in $CREDENTIALS_DIRECTORY)
#
# In stderr the test's directory is cut from paths: "NAME.conf:9: ...".
# The plan needs a link to plan moving: everything runs in a network and
# mount namespace this test makes (it re-executes itself under unshare),
# with a veth standing in for a NIC; --dry-run changes nothing.
#
#   [ test's "main" namespace ]          [ ns "lan" ]
#     nic0 10.77.0.2/24  ---- veth ----  10.77.0.1/24
#     default via 10.77.0.1
#
# bash tests/host/t-wgquick.sh --update rewrites the expected files from
# what wgphys prints now: read the diff before committing it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
WGPHYS=${WGPHYS:-$repo/build/test/wgphys}
cases=$repo/tests/wgquick

if [[ -z ${WGPHYS_TEST_INNER-} ]]; then
	[[ $(id -u) == 0 ]] || { echo "1..0 # SKIP needs root"; exit 0; }
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
update=0
[[ ${1-} == --update ]] && update=1

tmp=$(mktemp -d)
cleanup() {
	ip netns pids lan 2>/dev/null | xargs -r kill 2>/dev/null
	umount /etc/resolv.conf 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /etc/netns
printf 'nameserver 10.77.0.1\n' >"$tmp/resolv.conf"
mount --bind "$tmp/resolv.conf" /etc/resolv.conf
ip link set lo up
ip netns add lan
ip link add nic0 type veth peer name lan0 netns lan
ip -n lan link set lan0 up
ip -n lan addr add 10.77.0.1/24 dev lan0
ip link set nic0 up
ip addr add 10.77.0.2/24 dev nic0
ip route add default via 10.77.0.1 dev nic0 metric 50

# The same file names in stderr whatever the temporary directory.
strip() { sed "s|$tmp/||g"; }

# compare DESC EXPECTED-FILE ACTUAL-FILE (an absent EXPECTED-FILE: empty)
compare() {
	local desc=$1 want=$2 got=$3
	if ((update)); then
		if [[ -s $got ]]; then cp "$got" "$want"; else rm -f "$want"; fi
		ok "$desc (updated)"
		return
	fi
	[[ -e $want ]] || want=/dev/null
	if diff -u "$want" "$got" >"$tmp/diff"; then
		ok "$desc"
	else
		not_ok "$desc" "$(cat "$tmp/diff")"
	fi
}

n=0
for conf in "$cases"/*.conf; do
	name=$(basename "$conf" .conf)
	n=$((n + 1))
	umask 077
	cp "$conf" "$tmp/$name.conf"
	{
		printf '[Physical]\nNamespace = physical\nInterfaces = nic0\nDHCP = none\n'
		printf '[Tunnel]\nInterface = wg0\nConfig = %s\n' "$tmp/$name.conf"
		[[ -e $cases/$name.wgphys ]] && cat "$cases/$name.wgphys"
		if [[ -e $cases/$name.key ]]; then
			cp "$cases/$name.key" "$tmp/$name.key"
			printf 'PrivateKeyFile = %s\n' "$tmp/$name.key"
		fi
	} >"$tmp/wgphys.conf"
	rm -rf "$tmp/cred"
	if [[ -e $cases/$name.cred ]]; then
		mkdir "$tmp/cred"
		install -m 0400 "$cases/$name.cred" "$tmp/cred/wgphys.key"
	fi
	umask 022
	if [[ -e $tmp/cred ]]; then
		CREDENTIALS_DIRECTORY=$tmp/cred "$WGPHYS" -c "$tmp/wgphys.conf" up --dry-run \
			>"$tmp/out" 2>"$tmp/err.raw"
	else
		"$WGPHYS" -c "$tmp/wgphys.conf" up --dry-run >"$tmp/out" 2>"$tmp/err.raw"
	fi
	rc=$?
	strip <"$tmp/err.raw" >"$tmp/err"
	if [[ -e $cases/$name.err ]] || { ((update)) && ((rc == 2)); }; then
		check "$name: refused with exit 2 (got $rc)" test "$rc" -eq 2
		check "$name: nothing planned" test ! -s "$tmp/out"
		compare "$name: the refusal" "$cases/$name.err" "$tmp/err"
	else
		if ((rc == 0)); then
			ok "$name: up --dry-run exits 0"
		else
			not_ok "$name: up --dry-run exits 0 (got $rc)" "$(cat "$tmp/err")"
		fi
		compare "$name: the plan, line by line" "$cases/$name.plan" "$tmp/out"
		compare "$name: the notices" "$cases/$name.notice" "$tmp/err"
	fi
	# Whatever happened, no private key reached the output.
	for key in $(sed -n 's/^[[:space:]]*[Pp]rivate[Kk]ey[[:space:]]*=[[:space:]]*\([A-Za-z0-9+/=]*\).*/\1/p' "$conf") \
		$(cat "$cases/$name.key" "$cases/$name.cred" 2>/dev/null); do
		check "$name: no private key in the output" \
			bash -c "! grep -qF -- '$key' '$tmp/out' '$tmp/err'"
	done
done
((n > 0)) || not_ok "no cases found in $cases"

done_testing
