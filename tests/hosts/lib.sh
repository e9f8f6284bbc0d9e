# SPDX-License-Identifier: LGPL-2.1-or-later
# lib.sh - the vocabulary of a sample host description (host.sh).
#
# Sourced by tests/hosts/mkhost (bash). A host.sh calls only the functions
# documented below; every call writes its part of the fake sysfs tree under
# $GA_OUT/sys and appends matching records to $GA_OUT/host.umockdev, so the
# two views of the host cannot drift apart. Everything here is deterministic:
# the output depends only on the calls made, in the order they are made.
#
#   host_cpus LIST                     cpu possible/present/online (e.g. 0-287)
#   cpu_node N SOCKET CPULIST TOTAL_KB FREE_KB
#                                      a NUMA node with CPUs and DRAM
#   mem_node N SOCKET TOTAL_KB FREE_KB a CPU-less node (a Grace GPU's memory
#                                      node, listed as a generic initiator)
#   gpu_mem_nodes FIRST COUNT SOCKET TOTAL_KB FREE_KB
#                                      COUNT CPU-less nodes from FIRST; only the
#                                      first one holds memory (TOTAL/FREE)
#   distances self=N cpu_cpu=N cpu_mem_local=N cpu_mem_remote=N mem_mem=N
#                                      rule for the node distance table
#   pci_host_bridge DDDD:BB [acpi='\_SB_.PCI0']
#   pci_func DDDD:BB:SS.F parent=P vendor=0xVVVV device=0xDDDD
#            subsys=0xVVVV:0xDDDD class=0xCCCCCC [rev=0xRR] [numa=N]
#            [group=N] [driver=NAME] [bars='I:START:SIZE:KIND ...']
#            [acpi='\_SB_.PCI9.GPU0']
#       parent is a host bridge (DDDD:BB) or an already declared bridge
#       function; KIND is mem32, mem64, pref32, pref64 or io; SIZE takes
#       K/M/G/T suffixes; acpi gives the function an ACPI companion.
#   acpi_table NAME FILE               an ACPI table (AML) as root reads it in
#                                      /sys/firmware/acpi/tables/NAME; FILE is
#                                      in tests/hosts/acpi/ (see regenerate)
#
# mkhost calls ga_finish after host.sh to write what depends on everything
# (NUMA files and lists, driver directories, IOMMU group type files).

set -u

GA_SYS="$GA_OUT/sys"
GA_UMOCK="$GA_OUT/host.umockdev"

declare -A GA_PCI_PATH=()      # address -> device dir (relative to sys/)
declare -A GA_PCI_CLASS=()     # address -> class value
declare -A GA_HB_PATH=()       # DDDD:BB -> host bridge dir
declare -A GA_HB_ACPI=()       # DDDD:BB -> ACPI companion dir of the bridge
declare -A GA_DRIVERS=()       # driver name -> 1
declare -A GA_GROUPS=()        # group number -> 1
declare -A GA_NODE_KIND=()     # node -> cpu | mem
declare -A GA_NODE_SOCKET=()
declare -A GA_NODE_CPUS=()
declare -A GA_NODE_TOTAL=()
declare -A GA_NODE_FREE=()
GA_NODES=()                    # declaration order
GA_PCI_ORDER=()
GA_CPUS=""
GA_HB_COUNT=0
GA_ACPI_DEV_COUNT=0
GA_DIST_SELF=10 GA_DIST_CPU_CPU="" GA_DIST_CPU_MEM_LOCAL="" GA_DIST_CPU_MEM_REMOTE="" GA_DIST_MEM_MEM=""

ga_die() {
	printf 'mkhost: %s\n' "$*" >&2
	exit 1
}

# ga_write FILE CONTENT: write CONTENT (newline included by caller) to sys/FILE.
ga_write() {
	local d=${1%/*}
	[[ -d $GA_SYS/$d ]] || mkdir -p "$GA_SYS/$d"
	printf '%s' "$2" >"$GA_SYS/$1"
}

acpi_table() {
	local src=$GA_HOSTS_DIR/acpi/$2
	[[ -f $src ]] || ga_die "acpi_table: no file '$src' (run tests/hosts/acpi/regenerate)"
	mkdir -p "$GA_SYS/firmware/acpi/tables"
	# The kernel makes the tables readable by root only.
	install -m 0400 "$src" "$GA_SYS/firmware/acpi/tables/$1"
}

# ga_relpath FROMDIR TO: set REPLY to the relative path from directory
# FROMDIR to TO, both relative to sys/, the way sysfs writes its links (up to
# the common prefix, then down).
ga_relpath() {
	local -a from to
	local i=0 out=""
	IFS=/ read -r -a from <<<"$1"
	IFS=/ read -r -a to <<<"$2"
	while ((i < ${#from[@]} && i < ${#to[@]})) && [[ ${from[i]} == "${to[i]}" ]]; do
		((i++)) || true
	done
	local j
	for ((j = i; j < ${#from[@]}; j++)); do out+="../"; done
	for ((j = i; j < ${#to[@]}; j++)); do
		out+="${to[j]}"
		((j + 1 < ${#to[@]})) && out+="/"
	done
	REPLY=$out
}

# ga_link DIR NAME TARGET: symlink sys/DIR/NAME -> relative path to sys/TARGET.
ga_link() {
	[[ -d $GA_SYS/$1 ]] || mkdir -p "$GA_SYS/$1"
	ga_relpath "$1" "$2"
	ln -s "$REPLY" "$GA_SYS/$1/$3" 2>/dev/null ||
		ga_die "cannot create link $1/$3 (declared twice?)"
}

# Range lists as the kernel prints them: "0-3,12".
ga_ranges() {
	local out="" start="" prev="" n
	for n in "$@"; do
		if [[ -z $start ]]; then
			start=$n prev=$n
		elif ((n == prev + 1)); then
			prev=$n
		else
			out+="${out:+,}$start"
			((prev != start)) && out+="-$prev"
			start=$n prev=$n
		fi
	done
	if [[ -n $start ]]; then
		out+="${out:+,}$start"
		((prev != start)) && out+="-$prev"
	fi
	printf '%s' "$out"
}

# Expand "0-3,8" into "0 1 2 3 8".
ga_expand() {
	local part a b out=""
	local -a parts
	IFS=, read -r -a parts <<<"$1"
	for part in "${parts[@]}"; do
		[[ $part =~ ^([0-9]+)(-([0-9]+))?$ ]] || ga_die "bad range list '$1'"
		a=${BASH_REMATCH[1]} b=${BASH_REMATCH[3]:-${BASH_REMATCH[1]}}
		((a <= b)) || ga_die "bad range list '$1'"
		while ((a <= b)); do out+="$a "; ((a++)); done
	done
	printf '%s' "${out% }"
}

# umockdev attribute escaping: backslash and newline.
ga_umock_escape() {
	local v=${1//\\/\\\\}
	printf '%s' "${v//$'\n'/\\n}"
}

ga_size() {
	local s=$1 mul=1
	case $s in
	*K) mul=$((1 << 10)) s=${s%K} ;;
	*M) mul=$((1 << 20)) s=${s%M} ;;
	*G) mul=$((1 << 30)) s=${s%G} ;;
	*T) mul=$((1 << 40)) s=${s%T} ;;
	esac
	[[ $s =~ ^[0-9]+$ ]] || ga_die "bad size '$1'"
	printf '%d' $((s * mul))
}

host_cpus() {
	[[ -z $GA_CPUS ]] || ga_die "host_cpus given twice"
	# shellcheck disable=SC2046 # the list is meant to split into words
	GA_CPUS=$(ga_ranges $(ga_expand "$1"))
}

ga_add_node() {
	local n=$1
	[[ $n =~ ^[0-9]+$ ]] || ga_die "bad node number '$n'"
	[[ -z ${GA_NODE_KIND[$n]:-} ]] || ga_die "node $n declared twice"
	[[ $4 =~ ^[0-9]+$ && $5 =~ ^[0-9]+$ ]] || ga_die "node $n: bad memory size"
	(($5 <= $4)) || ga_die "node $n: free memory larger than total"
	GA_NODE_KIND[$n]=$2 GA_NODE_SOCKET[$n]=$3 GA_NODE_TOTAL[$n]=$4 GA_NODE_FREE[$n]=$5
	GA_NODES+=("$n")
}

cpu_node() {
	(($# == 5)) || ga_die "usage: cpu_node N SOCKET CPULIST TOTAL_KB FREE_KB"
	ga_add_node "$1" cpu "$2" "$4" "$5"
	GA_NODE_CPUS[$1]=$(ga_expand "$3")
}

mem_node() {
	(($# == 4)) || ga_die "usage: mem_node N SOCKET TOTAL_KB FREE_KB"
	ga_add_node "$1" mem "$2" "$3" "$4"
	GA_NODE_CPUS[$1]=""
}

gpu_mem_nodes() {
	(($# == 5)) || ga_die "usage: gpu_mem_nodes FIRST COUNT SOCKET TOTAL_KB FREE_KB"
	local i
	mem_node "$1" "$3" "$4" "$5"
	for ((i = 1; i < $2; i++)); do mem_node $(($1 + i)) "$3" 0 0; done
}

distances() {
	local kv
	for kv in "$@"; do
		case $kv in
		self=*) GA_DIST_SELF=${kv#*=} ;;
		cpu_cpu=*) GA_DIST_CPU_CPU=${kv#*=} ;;
		cpu_mem_local=*) GA_DIST_CPU_MEM_LOCAL=${kv#*=} ;;
		cpu_mem_remote=*) GA_DIST_CPU_MEM_REMOTE=${kv#*=} ;;
		mem_mem=*) GA_DIST_MEM_MEM=${kv#*=} ;;
		*) ga_die "distances: unknown rule '$kv'" ;;
		esac
	done
}

pci_host_bridge() {
	local bb=$1 acpi="" kv
	[[ $bb =~ ^[0-9a-f]{4}:[0-9a-f]{2}$ ]] || ga_die "bad host bridge '$bb' (want dddd:bb, lower case)"
	[[ -z ${GA_HB_PATH[$bb]:-} ]] || ga_die "host bridge $bb declared twice"
	shift
	for kv in "$@"; do
		case $kv in
		acpi=*) acpi=${kv#*=} ;;
		*) ga_die "pci_host_bridge $bb: unknown option '$kv'" ;;
		esac
	done
	local dir="devices/pci$bb"
	GA_HB_PATH[$bb]=$dir
	ga_write "$dir/uevent" ""
	if [[ -n $acpi ]]; then
		local adir
		adir=$(printf 'devices/LNXSYSTM:00/LNXSYBUS:00/PNP0A08:%02x' "$GA_HB_COUNT")
		ga_acpi_dir "$adir" "$acpi" PNP0A08 "$((GA_HB_COUNT))"
		ga_link "$dir" "$adir" firmware_node
		ga_link "$adir" "$dir" physical_node
		GA_HB_ACPI[$bb]=$adir
	fi
	((GA_HB_COUNT++)) || true
}

# ga_acpi_dir DIR PATH [HID UID]: an ACPI device directory. Devices found
# through _ADR (PCI functions) have no hid file, as in the kernel.
ga_acpi_dir() {
	local dir=$1
	if [[ ! -e $GA_SYS/devices/LNXSYSTM:00/uevent ]]; then
		ga_write "devices/LNXSYSTM:00/uevent" ""
		ga_write "devices/LNXSYSTM:00/hid" $'LNXSYSTM\n'
		ga_write "devices/LNXSYSTM:00/path" $'\\\n'
		ga_link "devices/LNXSYSTM:00" "bus/acpi" subsystem
		ga_link "bus/acpi/devices" "devices/LNXSYSTM:00" "LNXSYSTM:00"
		ga_write "devices/LNXSYSTM:00/LNXSYBUS:00/uevent" ""
		ga_write "devices/LNXSYSTM:00/LNXSYBUS:00/hid" $'LNXSYBUS\n'
		ga_write "devices/LNXSYSTM:00/LNXSYBUS:00/path" $'\\_SB_\n'
		ga_link "devices/LNXSYSTM:00/LNXSYBUS:00" "bus/acpi" subsystem
		ga_link "bus/acpi/devices" "devices/LNXSYSTM:00/LNXSYBUS:00" "LNXSYBUS:00"
	fi
	ga_write "$dir/uevent" ""
	ga_write "$dir/path" "$2"$'\n'
	ga_write "$dir/status" $'15\n'
	if (($# >= 4)); then
		ga_write "$dir/hid" "$3"$'\n'
		ga_write "$dir/uid" "$4"$'\n'
		ga_write "$dir/modalias" "acpi:$3:"$'\n'
	else
		ga_write "$dir/adr" $'0x00000000\n'
	fi
	ga_link "$dir" "bus/acpi" subsystem
	ga_link "bus/acpi/devices" "$dir" "$(basename "$dir")"
}

# Resource flags, as the kernel reports them for each BAR kind.
ga_bar_flags() {
	case $1 in
	mem32) printf '0x%016x' $((0x40200)) ;;
	pref32) printf '0x%016x' $((0x42208)) ;;
	mem64) printf '0x%016x' $((0x140204)) ;;
	pref64) printf '0x%016x' $((0x14220c)) ;;
	io) printf '0x%016x' $((0x40101)) ;;
	*) ga_die "bad BAR kind '$1'" ;;
	esac
}

pci_func() {
	local addr=$1
	[[ $addr =~ ^([0-9a-f]{4}):([0-9a-f]{2}):([01][0-9a-f])\.([0-7])$ ]] ||
		ga_die "bad PCI address '$addr' (want dddd:bb:ss.f, lower case)"
	[[ -z ${GA_PCI_PATH[$addr]:-} ]] || ga_die "function $addr declared twice"
	shift
	local parent="" vendor="" device="" subsys="" class="" rev=0x00 numa=-1 group="" driver="" bars="" acpi="" kv
	for kv in "$@"; do
		case $kv in
		parent=*) parent=${kv#*=} ;;
		vendor=*) vendor=${kv#*=} ;;
		device=*) device=${kv#*=} ;;
		subsys=*) subsys=${kv#*=} ;;
		class=*) class=${kv#*=} ;;
		rev=*) rev=${kv#*=} ;;
		numa=*) numa=${kv#*=} ;;
		group=*) group=${kv#*=} ;;
		driver=*) driver=${kv#*=} ;;
		bars=*) bars=${kv#*=} ;;
		acpi=*) acpi=${kv#*=} ;;
		*) ga_die "pci_func $addr: unknown option '$kv'" ;;
		esac
	done
	local what
	for what in parent vendor device subsys class; do
		[[ -n ${!what} ]] || ga_die "pci_func $addr: $what= is required"
	done
	[[ $vendor =~ ^0x[0-9a-f]{4}$ && $device =~ ^0x[0-9a-f]{4}$ ]] || ga_die "pci_func $addr: bad vendor/device"
	[[ $subsys =~ ^(0x[0-9a-f]{4}):(0x[0-9a-f]{4})$ ]] || ga_die "pci_func $addr: bad subsys '$subsys'"
	local svendor=${BASH_REMATCH[1]} sdevice=${BASH_REMATCH[2]}
	[[ $class =~ ^0x[0-9a-f]{6}$ ]] || ga_die "pci_func $addr: bad class '$class'"
	[[ $rev =~ ^0x[0-9a-f]{2}$ ]] || ga_die "pci_func $addr: bad rev '$rev'"
	[[ $numa =~ ^-?[0-9]+$ ]] || ga_die "pci_func $addr: bad numa '$numa'"
	[[ -z $group || $group =~ ^[0-9]+$ ]] || ga_die "pci_func $addr: bad group '$group'"

	local pdir
	if [[ -n ${GA_HB_PATH[$parent]:-} ]]; then
		pdir=${GA_HB_PATH[$parent]}
		[[ ${addr%:*} == "$parent" ]] || ga_die "pci_func $addr: not on bus $parent"
	elif [[ -n ${GA_PCI_PATH[$parent]:-} ]]; then
		(((GA_PCI_CLASS[$parent] >> 8) == 0x0604)) || ga_die "pci_func $addr: parent $parent is not a PCI bridge"
		pdir=${GA_PCI_PATH[$parent]}
		[[ ${addr:0:4} == "${parent:0:4}" ]] || ga_die "pci_func $addr: domain differs from parent $parent"
	else
		ga_die "pci_func $addr: unknown parent '$parent' (declare it first)"
	fi
	local dir="$pdir/$addr"
	GA_PCI_PATH[$addr]=$dir
	GA_PCI_CLASS[$addr]=$((class))
	GA_PCI_ORDER+=("$addr")

	# attributes, in the kernel's formats
	local -a names=() values=()
	local c=$((class)) v=$((vendor)) d=$((device)) sv=$((svendor)) sd=$((sdevice))
	local modalias
	modalias=$(printf 'pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X' $v $d $sv $sd $((c >> 16)) $(((c >> 8) & 0xff)) $((c & 0xff)))
	names+=(vendor device subsystem_vendor subsystem_device class revision numa_node driver_override)
	values+=("$(printf '0x%04x' $v)" "$(printf '0x%04x' $d)" "$(printf '0x%04x' $sv)" "$(printf '0x%04x' $sd)"
		"$(printf '0x%06x' $c)" "$rev" "$numa" "(null)")

	# resource: 13 lines for an endpoint, 17 (with the windows) for a bridge
	local nres=13 i spec idx start size kind
	(((c >> 8) == 0x0604)) && nres=17
	local -a res=()
	for ((i = 0; i < nres; i++)); do res[i]="0x0000000000000000 0x0000000000000000 0x0000000000000000"; done
	for spec in $bars; do
		IFS=: read -r idx start size kind <<<"$spec"
		[[ $idx =~ ^[0-5]$ && $start =~ ^0x[0-9a-f]+$ ]] || ga_die "pci_func $addr: bad BAR '$spec'"
		size=$(ga_size "$size")
		res[idx]="$(printf '0x%016x 0x%016x' $((start)) $((start + size - 1))) $(ga_bar_flags "$kind")"
	done
	local resource=""
	for ((i = 0; i < nres; i++)); do resource+="${res[i]}"$'\n'; done
	names+=(resource modalias)
	values+=("${resource%$'\n'}" "$modalias")

	for ((i = 0; i < ${#names[@]}; i++)); do
		ga_write "$dir/${names[i]}" "${values[i]}"$'\n'
	done

	local uevent=""
	[[ -n $driver ]] && uevent+="DRIVER=$driver"$'\n'
	uevent+="PCI_CLASS=$(printf '%X' $c)"$'\n'
	uevent+="PCI_ID=$(printf '%04X:%04X' $v $d)"$'\n'
	uevent+="PCI_SUBSYS_ID=$(printf '%04X:%04X' $sv $sd)"$'\n'
	uevent+="PCI_SLOT_NAME=$addr"$'\n'
	uevent+="MODALIAS=$modalias"$'\n'
	ga_write "$dir/uevent" "$uevent"

	# links, each also recorded for umockdev (which makes "subsystem" itself)
	local -a lnames=() ltargets=()
	ga_link "$dir" "bus/pci" subsystem
	ga_link "bus/pci/devices" "$dir" "$addr"
	if [[ -n $driver ]]; then
		[[ $driver =~ ^[A-Za-z0-9_.-]+$ ]] || ga_die "pci_func $addr: bad driver '$driver'"
		GA_DRIVERS[$driver]=1
		ga_link "$dir" "bus/pci/drivers/$driver" driver
		ga_link "bus/pci/drivers/$driver" "$dir" "$addr"
		lnames+=(driver) ltargets+=("bus/pci/drivers/$driver")
	fi
	if [[ -n $group ]]; then
		GA_GROUPS[$group]=1
		ga_link "$dir" "kernel/iommu_groups/$group" iommu_group
		ga_link "kernel/iommu_groups/$group/devices" "$dir" "$addr"
		lnames+=(iommu_group) ltargets+=("kernel/iommu_groups/$group")
	fi
	if [[ -n $acpi ]]; then
		local hb=${addr:0:4}:00 adir
		[[ -n ${GA_HB_ACPI[$hb]:-} ]] || ga_die "pci_func $addr: acpi= needs host bridge $hb declared with acpi="
		adir=$(printf '%s/device:%02x' "${GA_HB_ACPI[$hb]}" "$GA_ACPI_DEV_COUNT")
		((GA_ACPI_DEV_COUNT++)) || true
		ga_acpi_dir "$adir" "$acpi"
		ga_link "$adir" "$dir" physical_node
		ga_link "$dir" "$adir" firmware_node
		lnames+=(firmware_node) ltargets+=("$adir")
	fi

	{
		printf 'P: /%s\n' "$dir"
		printf 'E: SUBSYSTEM=pci\n'
		local line
		while IFS= read -r line; do printf 'E: %s\n' "$line"; done <<<"${uevent%$'\n'}"
		for ((i = 0; i < ${#names[@]}; i++)); do
			printf 'A: %s=%s\\n\n' "${names[i]}" "$(ga_umock_escape "${values[i]}")"
		done
		for ((i = 0; i < ${#lnames[@]}; i++)); do
			ga_relpath "$dir" "${ltargets[i]}"
			printf 'L: %s=%s\n' "${lnames[i]}" "$REPLY"
		done
		printf '\n'
	} >>"$GA_UMOCK"
}

ga_distance() {
	local a=$1 b=$2 r
	if [[ $a == "$b" ]]; then
		r=$GA_DIST_SELF
	elif [[ ${GA_NODE_KIND[$a]} == cpu && ${GA_NODE_KIND[$b]} == cpu ]]; then
		r=$GA_DIST_CPU_CPU
	elif [[ ${GA_NODE_KIND[$a]} == mem && ${GA_NODE_KIND[$b]} == mem ]]; then
		r=$GA_DIST_MEM_MEM
	elif [[ ${GA_NODE_SOCKET[$a]} == "${GA_NODE_SOCKET[$b]}" ]]; then
		r=$GA_DIST_CPU_MEM_LOCAL
	else
		r=$GA_DIST_CPU_MEM_REMOTE
	fi
	[[ $r =~ ^[0-9]+$ ]] || ga_die "distances: no rule for nodes $a and $b"
	REPLY=$r
}

ga_finish() {
	[[ -n $GA_CPUS ]] || ga_die "host.sh did not call host_cpus"
	((${#GA_NODES[@]} > 0)) || ga_die "host.sh declared no NUMA node"
	local n m
	local -a sorted
	mapfile -t sorted < <(printf '%s\n' "${GA_NODES[@]}" | sort -n)

	# CPUs
	local f
	for f in possible present online; do ga_write "devices/system/cpu/$f" "$GA_CPUS"$'\n'; done

	# nodes
	local -a has_cpu=() has_mem=() has_normal=() gi=()
	local seen_cpus=""
	for n in "${sorted[@]}"; do
		local dir="devices/system/node/node$n" row="" cpus
		cpus=$(ga_ranges ${GA_NODE_CPUS[$n]})
		for m in "${sorted[@]}"; do
			ga_distance "$n" "$m"
			row+="${row:+ }$REPLY"
		done
		local total=${GA_NODE_TOTAL[$n]} free=${GA_NODE_FREE[$n]} meminfo
		meminfo=$(printf 'Node %d MemTotal:       %8d kB\nNode %d MemFree:        %8d kB\nNode %d MemUsed:        %8d kB' \
			"$n" "$total" "$n" "$free" "$n" $((total - free)))
		ga_write "$dir/cpulist" "$cpus"$'\n'
		ga_write "$dir/distance" "$row"$'\n'
		ga_write "$dir/meminfo" "$meminfo"$'\n'
		ga_write "$dir/uevent" ""
		ga_link "$dir" "bus/node" subsystem
		ga_link "bus/node/devices" "$dir" "node$n"
		[[ -n $cpus ]] && has_cpu+=("$n") && seen_cpus+=" ${GA_NODE_CPUS[$n]}"
		((total > 0)) && has_mem+=("$n")
		[[ ${GA_NODE_KIND[$n]} == cpu ]] && ((total > 0)) && has_normal+=("$n")
		[[ ${GA_NODE_KIND[$n]} == mem ]] && gi+=("$n")
		{
			printf 'P: /%s\n' "$dir"
			printf 'E: SUBSYSTEM=node\n'
			printf 'A: cpulist=%s\\n\n' "$cpus"
			printf 'A: distance=%s\\n\n' "$row"
			printf 'A: meminfo=%s\\n\n' "$(ga_umock_escape "$meminfo")"
			printf '\n'
		} >>"$GA_UMOCK"
	done
	local have
	# shellcheck disable=SC2046,SC2086 # CPU numbers are meant to split into words
	have=$(ga_ranges $(printf '%s\n' $seen_cpus | sort -n))
	[[ $have == "$GA_CPUS" ]] || ga_die "the nodes' CPUs ($have) differ from host_cpus ($GA_CPUS)"
	local all
	all=$(ga_ranges "${sorted[@]}")
	ga_write "devices/system/node/possible" "$all"$'\n'
	ga_write "devices/system/node/online" "$all"$'\n'
	ga_write "devices/system/node/has_cpu" "$(ga_ranges "${has_cpu[@]}")"$'\n'
	ga_write "devices/system/node/has_memory" "$(ga_ranges "${has_mem[@]}")"$'\n'
	ga_write "devices/system/node/has_normal_memory" "$(ga_ranges "${has_normal[@]}")"$'\n'
	ga_write "devices/system/node/has_generic_initiator" "$(ga_ranges "${gi[@]}")"$'\n'

	# PCI numa_node values must name a declared node
	local addr
	for addr in "${GA_PCI_ORDER[@]}"; do
		n=$(<"$GA_SYS/${GA_PCI_PATH[$addr]}/numa_node")
		[[ $n == -1 || -n ${GA_NODE_KIND[$n]:-} ]] || ga_die "pci_func $addr: numa=$n is not a declared node"
	done

	# drivers: the bound ones plus the two VFIO drivers, always present
	GA_DRIVERS[vfio-pci]=1
	GA_DRIVERS[nvgrace_gpu_vfio_pci]=1
	local drv
	while IFS= read -r drv; do
		for f in bind unbind new_id remove_id; do ga_write "bus/pci/drivers/$drv/$f" ""; done
	done < <(printf '%s\n' "${!GA_DRIVERS[@]}" | LC_ALL=C sort)
	ga_write "bus/pci/drivers_probe" ""
	mkdir -p "$GA_SYS/bus/pci/devices"

	local g
	while IFS= read -r g; do
		ga_write "kernel/iommu_groups/$g/type" $'DMA-FQ\n'
	done < <(printf '%s\n' "${!GA_GROUPS[@]}" | sort -n)

	# the list of declared functions, for check-hosts
	printf '%s\n' "${GA_PCI_ORDER[@]}" | LC_ALL=C sort >"$GA_OUT/pci-functions"
}
