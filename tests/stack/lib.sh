# SPDX-License-Identifier: LGPL-2.1-or-later
# lib.sh - shared helpers for the real-stack tests (sourced, not run).
#
# GA_STACK_CACHE   where the sid chroot, guest kernels and initramfs live
#                  (default /var/cache/gpu-assign-test; outside the checkout,
#                  never committed)
# GA_TOP           the project checkout (default: two levels above this file)

GA_STACK_DIR=${GA_STACK_DIR:-$(cd "$(dirname "$0")" && pwd)}
GA_TOP=${GA_TOP:-$(cd "$GA_STACK_DIR/../.." && pwd)}
GA_STACK_CACHE=${GA_STACK_CACHE:-/var/cache/gpu-assign-test}

slog() { echo "[stack] $*" >&2; }
sdie() { echo "[stack] error: $*" >&2; exit 1; }

# Seconds since the epoch, for the timings we print.
now() { date +%s; }

# The URI of the Debian mirror this machine's apt already uses for bookworm
# (deb822 or one-line sources). No host name is written into the project.
ga_debian_mirror() {
	{
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			awk '/^URIs:/ { uri = $2 }
			     /^Suites:/ && / bookworm( |$)/ { print uri; exit }
			     /^$/ { uri = "" }' "$f"
		done
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] || continue
			awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' "$f"
		done
	} | head -n 1
}

# ---------------------------------------------------------------------------
# A private libvirtd, started and stopped by the tests.
#
# ga_daemon_start STATE ROOT [fakevfio|-] [SHARE]
#   STATE  an empty directory of ours (absolute path) for everything the
#          daemon writes: config, sockets, domain state, logs
#   ROOT   / for the machine's own libvirt (bookworm-backports), the path
#          of the sid chroot, or a directory of unpacked packages marked
#          with a .ga-usr-overlay file (setup-bookworm-libvirt): its usr/ is
#          laid over the machine's /usr in the daemon's namespace only, so
#          the daemon is that libvirt on this machine's other libraries
#   fakevfio  also make the daemon believe the host has VFIO (see below)
#   SHARE  a directory (default STATE) that a chroot daemon sees at the same
#          path, for files named in domain XML (consoles, kernels)
# The daemon runs in its own mount namespace, where STATE's directories are
# bind-mounted over /etc/libvirt, /var/lib/libvirt, /var/cache/libvirt,
# /var/log/libvirt and a tmpfs over /run: the machine's own libvirt
# configuration, hooks, networks and domains are neither read nor changed.
# For a chroot, /dev, /proc, /sys are mounted inside it, and STATE, SHARE
# and $GA_STACK_CACHE appear at the same paths as outside, so domain XML that
# names files there works on both stacks. qemu.conf: QEMU runs as root,
# without namespaces, security driver or cgroups (this machine is itself a
# VM with no systemd), and writes its log to a file (no virtlogd).
#
# With fakevfio, a tmpfs over /sys/kernel/iommu_groups holds one empty group
# and /dev/vfio/vfio exists (an overlay on /dev): the two things libvirt
# checks before it accepts a VFIO hostdev. Nothing opens them: this is only
# for `virsh define` and `domxml-to-native`, never for starting a domain.
#
# GA_DAEMON_BINDS (optional): lines "SRC DST", each bind-mounted in the
# namespace after libvirt's directories (tests/hook/run: the files `make
# install DESTDIR=` produced). Every DST must be under /etc, over which the
# namespace then has an overlay (upper layer in STATE/etcup), so that a
# missing mount point is created there and never in the host's /etc.
#
# Prints nothing; the URI to use is ga_daemon_uri STATE.
ga_daemon_uri() { echo "qemu:///system?socket=$1/sock/libvirt-sock"; }

ga_daemon_start() {
	local st=$1 root=$2 fake=${3:-} share=${4:-$1} i=0
	mkdir -p "$st/etc/qemu" "$st/lib" "$st/cache" "$st/log" "$st/sock" "$st/devup"
	cat >"$st/etc/qemu.conf" <<-CONF
	user = "root"
	group = "root"
	dynamic_ownership = 0
	namespaces = [ ]
	security_driver = "none"
	cgroup_controllers = [ ]
	stdio_handler = "file"
	CONF
	cat >"$st/etc/libvirtd.conf" <<-CONF
	unix_sock_dir = "$st/sock"
	unix_sock_group = "root"
	unix_sock_rw_perms = "0700"
	auth_unix_ro = "none"
	auth_unix_rw = "none"
	log_outputs = "3:stderr"
	CONF
	: >"$st/etc/libvirt.conf"
	echo "$root" >"$st/root"
	unshare -m --propagation private sh -eu -c '
		st=$1 r=$2 fake=$3 cache=$4 share=$5 binds=$6
		R=${r%/}
		if [ -n "$R" ] && [ -f "$R/.ga-usr-overlay" ]; then
			mount -t overlay overlay -o "lowerdir=$R/usr:/usr" /usr
			R=
		fi
		if [ -n "$binds" ]; then
			mkdir -p "$st/etcup/up" "$st/etcup/work"
			mount -t overlay overlay -o "lowerdir=$R/etc,upperdir=$st/etcup/up,workdir=$st/etcup/work" "$R/etc"
		fi
		if [ -n "$R" ]; then
			mount --rbind /dev "$R/dev"
			mount -t proc proc "$R/proc"
			mount --rbind /sys "$R/sys"
			for d in "$cache" "$share" "$st"; do
				mkdir -p "$R$d"
				mount --bind "$d" "$R$d"
			done
		fi
		mount -t tmpfs tmpfs "$R/run"
		mkdir -p "$R/etc/libvirt" "$R/var/lib/libvirt" "$R/var/cache/libvirt" "$R/var/log/libvirt"
		mount --bind "$st/etc" "$R/etc/libvirt"
		mount --bind "$st/lib" "$R/var/lib/libvirt"
		mount --bind "$st/cache" "$R/var/cache/libvirt"
		mount --bind "$st/log" "$R/var/log/libvirt"
		printf "%s\n" "$binds" | while read -r src dst; do
			[ -n "$src" ] || continue
			case $dst in /etc/*) ;; *) echo "GA_DAEMON_BINDS: $dst is not under /etc" >&2; exit 1 ;; esac
			if [ -d "$src" ]; then mkdir -p "$R$dst"; else mkdir -p "$(dirname "$R$dst")"; [ -e "$R$dst" ] || : >"$R$dst"; fi
			mount --bind "$src" "$R$dst"
		done
		if [ "$fake" = fakevfio ]; then
			mount -t tmpfs tmpfs "$R/sys/kernel/iommu_groups"
			mkdir -p "$R/sys/kernel/iommu_groups/0/devices"
			mkdir -p "$st/devup/up" "$st/devup/work"
			mount -t overlay overlay -o "lowerdir=/dev,upperdir=$st/devup/up,workdir=$st/devup/work" "$R/dev"
			mount --bind /dev/pts "$R/dev/pts"
			mount --bind /dev/shm "$R/dev/shm"
			mkdir -p "$R/dev/vfio"
			[ -e "$R/dev/vfio/vfio" ] || mknod "$R/dev/vfio/vfio" c 10 196
		fi
		cd /
		if [ -n "$R" ]; then
			exec chroot "$R" /usr/sbin/libvirtd -f /etc/libvirt/libvirtd.conf -p /run/libvirtd.pid
		fi
		exec /usr/sbin/libvirtd -f /etc/libvirt/libvirtd.conf -p /run/libvirtd.pid
	' sh "$st" "$root" "$fake" "$GA_STACK_CACHE" "$share" "${GA_DAEMON_BINDS:-}" >"$st/libvirtd.log" 2>&1 &
	echo $! >"$st/pid"
	while ! virsh -q -c "$(ga_daemon_uri "$st")" version >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 150 ] || ! kill -0 "$(cat "$st/pid")" 2>/dev/null; then
			echo "[stack] libvirtd did not come up; its log:" >&2
			tail -n 20 "$st/libvirtd.log" >&2
			return 1
		fi
		sleep 0.2
	done
}

# ga_daemon_stop STATE: destroy what is still running and stop the daemon.
ga_daemon_stop() {
	local st=$1 pid uri d i=0
	[ -f "$st/pid" ] || return 0
	pid=$(cat "$st/pid")
	uri=$(ga_daemon_uri "$st")
	for d in $(virsh -q -c "$uri" list --name 2>/dev/null); do
		virsh -q -c "$uri" destroy "$d" >/dev/null 2>&1 || true
	done
	kill -TERM "$pid" 2>/dev/null || true
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.2
		i=$((i + 1))
	done
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$st/pid"
}

# ga_sid_base: build (once) the Debian sid base every sid chroot of the tests
# starts from: debootstrap --variant=minbase from the mirror this machine's
# apt uses, under $GA_STACK_CACHE/sid-base, and print its path. The three
# chroots (setup-sid's libvirt/QEMU, tests/vm/lib/sid-kbuild's kernel
# headers, tests/nova/setup's Nova) are copies of it with their own
# packages, so a machine pays for one debootstrap, not three.
# Log: $GA_STACK_CACHE/sid-base-debootstrap.log.
ga_sid_base() {
	local base=$GA_STACK_CACHE/sid-base mirror t0
	if [ "${ga_sid_refresh:-0}" != 1 ] && [ -f "$base/.ga-done" ]; then
		echo "$base"
		return 0
	fi
	mirror=$(ga_debian_mirror)
	[ -n "$mirror" ] || { slog "error: no bookworm mirror found in /etc/apt/sources.list* (needed to debootstrap sid)"; return 1; }
	t0=$(now)
	mkdir -p "$GA_STACK_CACHE"
	rm -rf "$base.new"
	slog "debootstrap sid from the local apt mirror into $base.new"
	debootstrap --variant=minbase sid "$base.new" "$mirror" >"$base-debootstrap.log" 2>&1 ||
		{ slog "error: debootstrap failed (see $base-debootstrap.log)"; return 1; }
	# The mirror may be a dated snapshot whose Release file has expired.
	echo 'Acquire::Check-Valid-Until "false";' >"$base.new/etc/apt/apt.conf.d/99ga-snapshot"
	# No daemon is started by a package's maintainer scripts.
	printf '#!/bin/sh\nexit 101\n' >"$base.new/usr/sbin/policy-rc.d"
	chmod 755 "$base.new/usr/sbin/policy-rc.d"
	touch "$base.new/.ga-done"
	rm -rf "$base"
	mv "$base.new" "$base"
	slog "sid base $base ready in $(($(now) - t0)) s"
	echo "$base"
}

# ga_sid_chroot NAME PACKAGE...: build (once) a Debian sid chroot under
# $GA_STACK_CACHE/NAME as a copy of ga_sid_base with PACKAGE... installed
# (no recommends) and print its path. Rebuilt only when the package list
# changes (.ga-recipe) or the caller sets ga_sid_refresh=1 (which also makes
# a new base, to pick up newer sid packages).
# Log: $GA_STACK_CACHE/NAME-apt.log. Used by tests/stack/setup-sid,
# tests/vm/lib/sid-kbuild and tests/nova/setup.
ga_sid_chroot() {
	local name=$1 root recipe base t0 t1 t2
	shift
	root=$GA_STACK_CACHE/$name
	recipe="sid minbase; $*"
	if [ "${ga_sid_refresh:-0}" != 1 ] && [ -f "$root/.ga-done" ] &&
	   [ "$(cat "$root/.ga-recipe" 2>/dev/null)" = "$recipe" ]; then
		echo "$root"
		return 0
	fi
	[ "$(id -u)" = 0 ] || { slog "error: building the sid chroot $root needs root (debootstrap, chroot)"; return 1; }
	command -v debootstrap >/dev/null || { slog "error: debootstrap not found (run '.ci/deps --all')"; return 1; }
	t0=$(now)
	base=$(ga_sid_base) || return 1
	t1=$(now)
	rm -rf "$root.new"
	cp -a "$base" "$root.new" || { rm -rf "$root.new"; slog "error: cannot copy $base to $root.new"; return 1; }
	rm -f "$root.new/.ga-done"
	# /proc, /dev and /sys for the maintainer scripts, in a private mount
	# namespace so that nothing stays mounted afterwards.
	unshare -m --propagation private sh -eu -c '
		r=$1; shift
		mount -t proc proc "$r/proc"
		mount --rbind /dev "$r/dev"
		mount -t sysfs sysfs "$r/sys"
		export DEBIAN_FRONTEND=noninteractive
		chroot "$r" apt-get -q -y update
		chroot "$r" apt-get -q -y install --no-install-recommends "$@"
		chroot "$r" apt-get clean
	' sh "$root.new" "$@" >"$root-apt.log" 2>&1 ||
		{ slog "error: installing packages into the sid chroot failed (see $root-apt.log)"; return 1; }
	t2=$(now)
	echo "$recipe" >"$root.new/.ga-recipe"
	touch "$root.new/.ga-done"
	rm -rf "$root"
	mv "$root.new" "$root"
	slog "sid chroot $root ready in $((t2 - t0)) s (base $((t1 - t0)) s, packages $((t2 - t1)) s)"
	echo "$root"
}
