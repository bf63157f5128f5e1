#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The Debian package, make install and uninstall, and what they install:
# the package builds from a copy of the tree and leaves nothing there that
# git does not ignore or `debian/rules clean` does not remove; lintian finds
# no error; the .deb holds the same files as `make install`; the man pages
# render without a groff warning; systemd-analyze verify has nothing to say
# about the unit; bash completion completes `wgphys st`; make uninstall
# removes all it installed; install-caps refuses without setcap, and is
# idempotent with it; nm-unmanaged keeps NetworkManager's drop-in in force
# exactly while up. Changes nothing on the machine: all of it happens in a
# scratch directory, install-caps and nm-unmanaged in private mount
# namespaces (an overlay on /etc, a tmpfs on /run).
#
# 12 s on an idle two-core machine, 40 s on a busy one; most of it the
# package build and lintian.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
. "$repo/tests/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
started=$SECONDS

missing() { # prints the first of the tools given that is not installed
	local t
	for t; do
		command -v "${t%%:*}" >/dev/null 2>&1 || { echo "${t#*:}"; return; }
	done
}

# The files under a root, one "MODE PATH" per line, sorted; PATH relative.
listing() {
	(cd "$1" && find . -type f -printf '%m %P\n' | sort -k2)
}

# --- A copy of the tree, as git would check it out, committed in a scratch
# repository so that git can tell what a build leaves behind.
src=$tmp/src
mkdir -p "$src"
have_git=0
if command -v git >/dev/null && git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
	(cd "$repo" && git ls-files -z -co --exclude-standard) |
		(cd "$repo" && tar --null -cf - -T -) | tar -xf - -C "$src"
	git -C "$src" init -q && git -C "$src" add -A &&
		git -C "$src" -c user.name=t -c user.email=t@t.invalid commit -qm tree &&
		have_git=1
else
	# No git: the tree as it is, less what a build makes.
	tar -C "$repo" --exclude=./build --exclude=./wgphys --exclude=./.git -cf - . | tar -xf - -C "$src"
fi

# --- The package.
deb=
why=$(missing dpkg-buildpackage:dpkg-buildpackage "dh:dh (debhelper)")
if [[ -n $why ]]; then
	skip "dpkg-buildpackage -us -uc -b builds the package" "$why not installed"
else
	t0=$SECONDS
	if (cd "$src" && TMPDIR=$tmp dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
		debs=("$tmp"/wgphys_*_*.deb)
		[[ -f ${debs[0]} ]] && deb=${debs[0]}
		if [[ -n $deb ]]; then
			ok "dpkg-buildpackage -us -uc -b builds the package ($((SECONDS - t0)) s)"
		else
			not_ok "dpkg-buildpackage -us -uc -b builds the package" "no wgphys_*.deb in $tmp: $(ls "$tmp")"
		fi
	else
		not_ok "dpkg-buildpackage -us -uc -b builds the package" "$(tail -n 30 "$tmp/build.log")"
	fi
	if ((have_git)); then
		check "every build product in the tree is ignored by git" \
			test -z "$(git -C "$src" status --porcelain)"
	else
		skip "every build product in the tree is ignored by git" "not a git checkout"
	fi
fi

why=$(missing lintian:lintian)
if [[ -n $why ]]; then
	skip "lintian reports no error" "$why not installed"
elif [[ -z $deb ]]; then
	skip "lintian reports no error" "no package was built"
else
	# lintian leaves files in $TMPDIR: let them go with the rest.
	TMPDIR=$tmp lintian --pedantic -I "$tmp"/wgphys_*.changes >"$tmp/lintian.log" 2>&1
	errors=$(grep -E '^E: ' "$tmp/lintian.log")
	if [[ -z $errors ]]; then
		ok "lintian reports no error"
	else
		not_ok "lintian reports no error" "$errors"
	fi
	notes=$(grep -E '^[WIPX]: ' "$tmp/lintian.log")
	[[ -z $notes ]] || diag "lintian, not errors:"$'\n'"$notes"
fi

# --- make install into a scratch root, as the package does (PREFIX=/usr).
inst=$tmp/inst
if make -C "$src" -s install DESTDIR="$inst" PREFIX=/usr >"$tmp/install.log" 2>&1; then
	ok "make install DESTDIR=... PREFIX=/usr"
else
	not_ok "make install DESTDIR=... PREFIX=/usr" "$(tail -n 20 "$tmp/install.log")"
fi

# The front has the core's path built in, and links libc and libcap-ng
# alone (no netlink, nftables or nl80211 library); the core
# is where it looks.
front_ok() {	# root
	local f=$1/usr/sbin/wgphys core=$1/usr/libexec/wgphys/wgphys-core libs
	[[ -x $f && -x $core ]] || { echo "missing: $(ls -l "$f" "$core" 2>&1)"; return 1; }
	grep -qF /usr/libexec/wgphys/wgphys-core "$f" ||
		{ echo "$f does not name /usr/libexec/wgphys/wgphys-core"; return 1; }
	libs=$(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
	[[ $libs == "libcap-ng.so.0 libc.so.6 " ]] || { echo "the front needs: $libs"; return 1; }
}
check "make install: wgphys (front, libc and libcap-ng alone, naming the core) and libexec/wgphys/wgphys-core" \
	front_ok "$inst"

if [[ -n $deb ]]; then
	dpkg -x "$deb" "$tmp/deb"
	check "the .deb: wgphys (front, libc and libcap-ng alone, naming the core) and libexec/wgphys/wgphys-core" \
		front_ok "$tmp/deb"
	# dh_installdocs adds the Debian files and dh_installman compresses the
	# man pages; otherwise the same files with the same modes.
	listing "$tmp/deb" |
		grep -vE ' usr/share/doc/wgphys/(README\.Debian|changelog\.gz|copyright)$' |
		sed -E 's|^([0-7]+ usr/share/man/.*)\.gz$|\1|' >"$tmp/deb.list"
	listing "$inst" >"$tmp/inst.list"
	if diff -u "$tmp/inst.list" "$tmp/deb.list" >"$tmp/list.diff"; then
		ok "the .deb holds the files make install installs ($(wc -l <"$tmp/inst.list") files, same modes)"
	else
		not_ok "the .deb holds the files make install installs" "$(cat "$tmp/list.diff")"
	fi
else
	skip "the .deb holds the files make install installs" "no package was built"
fi

# --- The man pages.
for page in wgphys.8 wgphys.conf.5; do
	if out=$(groff -ww -man -Tutf8 "$repo/$page" 2>&1 >/dev/null) && [[ -z $out ]]; then
		ok "groff -ww -man -Tutf8 $page: silent"
	else
		not_ok "groff -ww -man -Tutf8 $page: silent" "$out"
	fi
done

# --- The unit: installed with every path inside the scratch root, so that
# systemd-analyze finds its commands and man pages, and checks it against
# this machine's own units (network-pre.target and so on).
why=$(missing systemd-analyze:systemd-analyze man:man)
if [[ -n $why ]]; then
	skip "systemd-analyze verify wgphys.service: silent" "$why not installed"
else
	sa=$tmp/sa
	make -C "$src" -s install PREFIX="$sa/usr" UNITDIR="$sa/units" \
		COMPLETIONDIR="$sa/completion" >/dev/null 2>&1
	out=$(MANPATH=$sa/usr/share/man systemd-analyze verify "$sa/units/wgphys.service" 2>&1)
	if [[ -f $sa/units/wgphys.service && -z $out ]]; then
		ok "systemd-analyze verify wgphys.service: silent"
	else
		not_ok "systemd-analyze verify wgphys.service: silent" "${out:-not installed}"
	fi
	if [[ -n $deb ]]; then
		out=$(MANPATH=$tmp/deb/usr/share/man systemd-analyze verify --root="$tmp/deb" wgphys.service 2>&1)
		if [[ -z $out ]]; then
			ok "systemd-analyze verify of the packaged unit: silent"
		else
			not_ok "systemd-analyze verify of the packaged unit: silent" "$out"
		fi
	fi
	check "the unit has no KillMode=none and no Conflicts=shutdown.target" \
		eval "! grep -Eq '^(KillMode=none|Conflicts=.*shutdown\.target)' '$sa/units/wgphys.service'"
fi

# --- Completion, as bash calls it: COMP_WORDS and COMP_CWORD set, then the
# function named by `complete -p wgphys`.
complete_line() { # WITH_BASH_COMPLETION WORD...
	local with=$1
	shift
	# shellcheck disable=SC2016 # expanded by the inner bash
	bash --norc --noprofile -c '
		if [[ $1 == 1 ]]; then . /usr/share/bash-completion/bash_completion; fi
		. "$2"
		shift 2
		fn=$(complete -p wgphys | sed -E "s/.*-F ([^ ]+).*/\1/")
		COMP_WORDS=("$@") COMP_CWORD=$(($# - 1))
		COMP_LINE="$*" COMP_POINT=${#COMP_LINE}
		"$fn" wgphys "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' - "$with" "$inst/usr/share/bash-completion/completions/wgphys" "$@"
}
check "completion: wgphys st<TAB> gives status" test "$(complete_line 0 wgphys st)" = status
if [[ -r /usr/share/bash-completion/bash_completion ]]; then
	check "completion with bash-completion loaded: wgphys st<TAB> gives status" \
		test "$(complete_line 1 wgphys st)" = status
	check "completion: wgphys status --j<TAB> gives --json" \
		test "$(complete_line 1 wgphys status --j)" = --json
else
	skip "completion with bash-completion loaded" "bash-completion not installed"
fi

# --- make uninstall removes all of it.
make -C "$src" -s uninstall DESTDIR="$inst" PREFIX=/usr >"$tmp/uninstall.log" 2>&1
left=$(cd "$inst" && find . -type f -o -type l)
leftdirs=$(cd "$inst" && find . -type d \( -name wgphys -o -name NetworkManager \))
if [[ -z $left && -z $leftdirs ]]; then
	ok "make uninstall removes every file install put there, and wgphys's directories"
else
	not_ok "make uninstall removes every file install put there, and wgphys's directories" \
		"$left $leftdirs $(cat "$tmp/uninstall.log")"
fi

# --- Nothing of the build is left in the tree after debian/rules clean.
if [[ -n $deb ]] && ((have_git)); then
	(cd "$src" && debian/rules clean) >"$tmp/clean.log" 2>&1
	check "debian/rules clean leaves the tree as checked out" \
		test -z "$(git -C "$src" status --porcelain --ignored)"
fi

# --- install-caps, as root, in a private mount namespace whose /etc is an
# overlay (the group it creates stays there), on a stand-in file.
# shellcheck disable=SC2317 # run by the inner bash (export -f)
caps_test() {
	local bin=$1
	mount -t tmpfs -o mode=0755 t-pkg /run || return 1
	mkdir -p /run/up /run/work && mount -t overlay t-pkg-etc \
		-o lowerdir=/etc,upperdir=/run/up,workdir=/run/work /etc || return 1
	local ic=$src/scripts/install-caps before after
	# Without setcap: refuses, and changes nothing.
	mkdir -p /run/nobin && ln -s "$(command -v id)" /run/nobin/id
	before=$(stat -c '%U:%G %a' "$bin")
	if PATH=/run/nobin "$ic" "$bin" 2>/dev/null; then
		echo "install-caps succeeded without setcap"
		return 1
	fi
	after=$(stat -c '%U:%G %a' "$bin")
	[[ $before == "$after" && -z $(getcap "$bin") ]] ||
		{ echo "without setcap: $before -> $after, caps '$(getcap "$bin")'"; return 1; }
	echo "refused without setcap; nothing changed"
	# With it: the group, the mode, the capabilities, permitted only.
	"$ic" "$bin" >/dev/null || return 1
	getent group wgphys >/dev/null || { echo "no group wgphys"; return 1; }
	after=$(stat -c '%U:%G %a' "$bin")
	[[ $after == "root:wgphys 750" ]] || { echo "mode: $after"; return 1; }
	[[ $(getcap "$bin") == *" cap_dac_read_search,cap_setpcap,cap_sys_admin=p" ]] ||
		{ echo "getcap: $(getcap "$bin")"; return 1; }
	echo "capabilities set: $(getcap "$bin")"
	# Again: changes nothing (a chmod, chown or setcap would move the ctime).
	before=$(stat -c %Z.%z "$bin")
	sleep 0.01
	"$ic" "$bin" >/dev/null || return 1
	[[ $(stat -c %Z.%z "$bin") == "$before" ]] || { echo "second run changed the file"; return 1; }
	echo "second run changed nothing"
	"$ic" --remove "$bin" >/dev/null || return 1
	[[ $(stat -c '%U:%G %a' "$bin") == "root:root 755" && -z $(getcap "$bin") ]] ||
		{ echo "--remove left $(stat -c '%U:%G %a' "$bin") $(getcap "$bin")"; return 1; }
	echo "--remove undid it"
}
why=$(missing setcap:"setcap (libcap2-bin)" getcap:"getcap (libcap2-bin)" unshare:unshare)
if ((EUID != 0)); then
	skip "install-caps: refuses without setcap, sets the capabilities, idempotent, --remove" "needs root"
elif [[ -n $why ]]; then
	skip "install-caps: refuses without setcap, sets the capabilities, idempotent, --remove" "$why not installed"
else
	cp "$repo/wgphys.8" "$tmp/fake-wgphys" && chmod 0755 "$tmp/fake-wgphys"
	export -f caps_test
	# shellcheck disable=SC2016 # $1 is the inner bash's
	if out=$(src=$src unshare --mount --propagation private bash -c 'caps_test "$1"' - "$tmp/fake-wgphys" 2>&1); then
		ok "install-caps: refuses without setcap, sets the capabilities, idempotent, --remove"
		diag "$out"
	else
		not_ok "install-caps: refuses without setcap, sets the capabilities, idempotent, --remove" "$out"
	fi
fi

# --- nm-unmanaged, as the unit runs it, in a private /run, with stand-ins
# for NetworkManager and nmcli (which logs what it is asked).
# shellcheck disable=SC2317 # run by the inner bash (export -f)
nm_test() {
	local bin=$1 nm=$2 dropin=/run/NetworkManager/conf.d/90-wgphys.conf
	mount -t tmpfs -o mode=0755 t-pkg /run || return 1
	export PATH=$bin:$PATH
	"$nm" on || return 1
	cmp -s "$dropin" "$src/scripts/NetworkManager/90-wgphys.conf" || { echo "on: no drop-in"; return 1; }
	grep -qx 'general reload conf' /run/nmcli.log || { echo "on: no reload"; return 1; }
	echo "on: drop-in in place, NetworkManager reloaded"
	mkdir -p /run/wgphys && : >/run/wgphys/state
	SERVICE_RESULT=signal "$nm" off || return 1
	[[ -e $dropin ]] || { echo "off after a crash removed the drop-in"; return 1; }
	SERVICE_RESULT=success "$nm" off || return 1
	[[ -e $dropin ]] || { echo "off after the guard ended, still up, removed it"; return 1; }
	echo "off after a crash or an unasked end of the guard: kept"
	: >/run/nmcli.log
	SERVICE_RESULT=success MAINPID=4242 "$nm" off || return 1
	[[ ! -e $dropin ]] || { echo "off on a requested stop kept the drop-in"; return 1; }
	grep -qx 'general reload conf' /run/nmcli.log || { echo "off: no reload"; return 1; }
	echo "off on a requested stop: removed, NetworkManager reloaded"
}
if ((EUID != 0)); then
	skip "nm-unmanaged: the drop-in is in force exactly while up" "needs root"
else
	mkdir -p "$tmp/nmbin"
	printf '#!/bin/sh\nexit 0\n' >"$tmp/nmbin/NetworkManager"
	# shellcheck disable=SC2016 # for the stand-in
	printf '#!/bin/sh\nif [ "$*" = "-t -f RUNNING general" ]; then echo running; else echo "$*" >>/run/nmcli.log; fi\n' \
		>"$tmp/nmbin/nmcli"
	chmod 0755 "$tmp/nmbin/NetworkManager" "$tmp/nmbin/nmcli"
	sed "s|^SRC=.*|SRC=$src/scripts/NetworkManager/90-wgphys.conf|" \
		"$src/scripts/NetworkManager/nm-unmanaged" >"$tmp/nm-unmanaged"
	chmod 0755 "$tmp/nm-unmanaged"
	export -f nm_test
	# shellcheck disable=SC2016 # $1, $2 are the inner bash's
	if out=$(src=$src unshare --mount --propagation private bash -c 'nm_test "$1" "$2"' - \
		"$tmp/nmbin" "$tmp/nm-unmanaged" 2>&1); then
		ok "nm-unmanaged: the drop-in is in force exactly while up"
		diag "$out"
	else
		not_ok "nm-unmanaged: the drop-in is in force exactly while up" "$out"
	fi
fi

diag "t-package.sh took $((SECONDS - started)) s"
done_testing
