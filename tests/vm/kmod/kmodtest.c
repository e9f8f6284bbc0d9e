/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmodtest: runs in the test guest, drives gpu_assign_nvgrace through the
 * VFIO ioctls and prints one "PASS: case" or "FAIL: case: why" per case.
 *
 *   kmodtest ready BDF               make BAR0's readiness registers read 0xff
 *   kmodtest matrix BDF GEN SIZE [BASE]  the device matrix (GEN hopper|
 *                                    blackwell, SIZE/BASE = the _DSD values)
 *   kmodtest flr BDF GEN SIZE        reset by FLR through config space
 *   kmodtest sibling BDF GEN SIZE SIB  hot reset from function SIB of our slot
 *   kmodtest bench BDF GEN SIZE      faults and time per GiB, huge vs 4 KiB
 *
 * The GPU is simulated (see tests/vm/kmod/README): the "GPU memory" is guest
 * RAM hidden with memmap=, the PCI function an emulated QEMU device.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#define GIB ((uint64_t)1 << 30)
#define MIB ((uint64_t)1 << 20)
#define PAGE ((uint64_t)4096)

extern char **environ;
static double now(void);
static int passed, failed;
static const char *bdf;
static int container = -1, group = -1, devfd = -1;

static void result(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		printf("PASS: %s\n", name);
		passed++;
	} else {
		printf("FAIL: %s: ", name);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
		failed++;
	}
	fflush(stdout);
}

static void die(const char *what)
{
	printf("FAIL: setup: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t pow2_up(uint64_t v)
{
	uint64_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

/* ---- geometry the driver must present ---------------------------------- */

struct bar {
	unsigned int index;	/* VFIO region index */
	uint64_t len;		/* real memory */
	uint64_t size;		/* BAR size */
	uint64_t off;		/* region offset in the device fd */
};

static struct bar use, res;	/* res.len == 0: Blackwell */
static uint64_t mem_base = 0x100000000ULL;	/* the _DSD base (argv[5]) */
static long map_dma_calls = 5000;		/* GA_KMOD_MAP_DMA_CALLS */

static void geometry(const char *gen, uint64_t size)
{
	memset(&use, 0, sizeof(use));
	memset(&res, 0, sizeof(res));
	use.index = VFIO_PCI_BAR4_REGION_INDEX;
	res.index = VFIO_PCI_BAR2_REGION_INDEX;
	if (!strcmp(gen, "hopper")) {
		use.len = (size - GIB) / (512 * MIB) * (512 * MIB);
		res.len = size - use.len;
		res.size = pow2_up(res.len);
	} else {
		use.len = size;
	}
	use.size = pow2_up(use.len);
}

/* ---- VFIO plumbing ------------------------------------------------------ */

static void open_device(void)
{
	char path[PATH_MAX], link[PATH_MAX];
	struct vfio_group_status st = { .argsz = sizeof(st) };
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		die("iommu_group link");
	link[n] = 0;
	snprintf(path, sizeof(path), "/dev/vfio/%s", basename(link));
	container = open("/dev/vfio/vfio", O_RDWR);
	if (container < 0)
		die("open /dev/vfio/vfio");
	group = open(path, O_RDWR);
	if (group < 0)
		die(path);
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &st) || !(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		die("group not viable");
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container))
		die("VFIO_GROUP_SET_CONTAINER");
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU))
		die("VFIO_SET_IOMMU");
	devfd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (devfd < 0)
		die("VFIO_GROUP_GET_DEVICE_FD");
}

static void close_device(void)
{
	close(devfd);
	close(group);
	close(container);
	devfd = group = container = -1;
}

static struct vfio_region_info *region_info(unsigned int index)
{
	struct vfio_region_info *ri = calloc(1, sizeof(*ri));
	uint32_t argsz;

	ri->argsz = sizeof(*ri);
	ri->index = index;
	if (ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, ri))
		die("VFIO_DEVICE_GET_REGION_INFO");
	argsz = ri->argsz;
	if (argsz > sizeof(*ri)) {
		ri = realloc(ri, argsz);
		memset(ri, 0, argsz);
		ri->argsz = argsz;
		ri->index = index;
		if (ioctl(devfd, VFIO_DEVICE_GET_REGION_INFO, ri))
			die("VFIO_DEVICE_GET_REGION_INFO (caps)");
	}
	return ri;
}

static uint64_t cfg_off, bar0_off;

static uint32_t cfg_read(unsigned int where, unsigned int width)
{
	uint32_t v = 0;

	if (pread(devfd, &v, width, cfg_off + where) != (ssize_t)width)
		die("config read");
	return v;
}

static void cfg_write(unsigned int where, uint32_t v, unsigned int width)
{
	if (pwrite(devfd, &v, width, cfg_off + where) != (ssize_t)width)
		die("config write");
}

static void mem_enable(bool on)
{
	uint16_t cmd = cfg_read(PCI_COMMAND, 2);

	cmd = on ? (cmd | PCI_COMMAND_MEMORY) : (cmd & ~PCI_COMMAND_MEMORY);
	cfg_write(PCI_COMMAND, cmd, 2);
}

static void setup_offsets(void)
{
	struct vfio_region_info *ri = region_info(VFIO_PCI_CONFIG_REGION_INDEX);

	cfg_off = ri->offset;
	free(ri);
	ri = region_info(VFIO_PCI_BAR0_REGION_INDEX);
	bar0_off = ri->offset;
	free(ri);
	ri = region_info(use.index);
	use.off = ri->offset;
	free(ri);
	ri = region_info(res.index);
	res.off = ri->offset;
	free(ri);
}

/* ---- SIGBUS-safe access to a mapping ------------------------------------ */

static sigjmp_buf jb;
static volatile sig_atomic_t in_probe;

static void on_sigbus(int sig)
{
	(void)sig;
	if (in_probe)
		siglongjmp(jb, 1);
	_exit(99);
}

/* Read a byte through the mapping; false if it raised SIGBUS. */
static bool touch_read(volatile uint8_t *p, uint8_t *out)
{
	in_probe = 1;
	if (sigsetjmp(jb, 1)) {
		in_probe = 0;
		return false;
	}
	*out = *p;
	in_probe = 0;
	return true;
}

static bool touch_write(volatile uint8_t *p, uint8_t v)
{
	in_probe = 1;
	if (sigsetjmp(jb, 1)) {
		in_probe = 0;
		return false;
	}
	*p = v;
	in_probe = 0;
	return true;
}

/*
 * Faults taken so far: minor and major, since a fault that slept and was
 * retried (VM_FAULT_RETRY) is counted as a major one.
 */
static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt + ru.ru_majflt;
}

/* mmap a region at an address aligned to `align` (for huge mappings). */
static uint8_t *map_region(const struct bar *b, uint64_t len, uint64_t align,
			   uint64_t skew)
{
	uint8_t *res_area, *at, *p;

	res_area = mmap(NULL, len + 2 * align, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res_area == MAP_FAILED)
		return MAP_FAILED;
	at = (uint8_t *)(((uintptr_t)res_area + align - 1) & ~(uintptr_t)(align - 1)) + skew;
	p = mmap(at, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED,
		 devfd, b->off);
	if (p == MAP_FAILED) {
		munmap(res_area, len + 2 * align);
		return MAP_FAILED;
	}
	/* Drop the unused parts of the reservation around the mapping. */
	if (at > res_area)
		munmap(res_area, at - res_area);
	if (res_area + len + 2 * align > at + len)
		munmap(at + len, res_area + len + 2 * align - (at + len));
	return p;
}

/* ---- cases -------------------------------------------------------------- */

static void pattern(uint8_t *buf, size_t n, unsigned int seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

static void case_region_info(const struct bar *b, const char *name)
{
	struct vfio_region_info *ri = region_info(b->index);
	struct vfio_info_cap_header *h;
	struct vfio_region_info_cap_sparse_mmap *sp = NULL;
	uint32_t want = VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE |
			VFIO_REGION_INFO_FLAG_MMAP | VFIO_REGION_INFO_FLAG_CAPS;
	char n[64];

	snprintf(n, sizeof(n), "%s region info", name);
	printf("# %s\n", n);
	if (ri->flags & VFIO_REGION_INFO_FLAG_CAPS) {
		for (uint32_t off = ri->cap_offset; off; off = h->next) {
			h = (void *)((char *)ri + off);
			if (h->id == VFIO_REGION_INFO_CAP_SPARSE_MMAP)
				sp = (void *)h;
		}
	}
	if (ri->size != b->size)
		result(false, n, "size 0x%llx, want 0x%" PRIx64, (unsigned long long)ri->size, b->size);
	else if ((ri->flags & want) != want)
		result(false, n, "flags 0x%x, want 0x%x", ri->flags, want);
	else if (!sp || sp->nr_areas != 1 || sp->areas[0].offset != 0 ||
		 sp->areas[0].size != b->len)
		result(false, n, "sparse mmap cap missing or not [0, 0x%" PRIx64 ")", b->len);
	else
		result(true, n, NULL);
	free(ri);
}

static void case_passthrough_bar2(void)
{
	struct vfio_region_info *ri = region_info(VFIO_PCI_BAR2_REGION_INDEX);
	char path[PATH_MAX];
	unsigned long long s, e, f;
	FILE *fp;
	int i;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", bdf);
	fp = fopen(path, "r");
	for (i = 0; fp && i <= 2; i++)
		if (fscanf(fp, "%llx %llx %llx", &s, &e, &f) != 3)
			break;
	if (fp)
		fclose(fp);
	if (i != 3)
		die("sysfs resource");
	result(ri->size == (e ? e - s + 1 : 0) && !(ri->flags & VFIO_REGION_INFO_FLAG_CAPS),
	       "blackwell BAR2 is the device's own BAR", "size 0x%llx, real 0x%llx",
	       (unsigned long long)ri->size, e ? e - s + 1 : 0);
	free(ri);
}

static void case_bar_sizing(const struct bar *b, const char *name)
{
	unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * b->index;
	uint64_t mask = ~(b->size - 1);
	uint32_t lo, hi;
	uint64_t addr = 0x8000000000ULL; /* aligned to any BAR size here */
	char n[64];

	snprintf(n, sizeof(n), "%s config-space sizing", name);
	printf("# %s\n", n);
	cfg_write(reg, 0xffffffff, 4);
	cfg_write(reg + 4, 0xffffffff, 4);
	lo = cfg_read(reg, 4);
	hi = cfg_read(reg + 4, 4);
	if (lo != (((uint32_t)mask & ~0xfU) | 0xc) || hi != (uint32_t)(mask >> 32)) {
		result(false, n, "after writing ~0 read 0x%08x%08x, want 0x%08x%08x",
		       hi, lo, (uint32_t)(mask >> 32), ((uint32_t)mask & ~0xfU) | 0xc);
		return;
	}
	cfg_write(reg, (uint32_t)addr, 4);
	cfg_write(reg + 4, (uint32_t)(addr >> 32), 4);
	lo = cfg_read(reg, 4);
	hi = cfg_read(reg + 4, 4);
	result(lo == ((uint32_t)addr | 0xc) && hi == (uint32_t)(addr >> 32), n,
	       "address read back as 0x%08x%08x", hi, lo);
}

static bool rw_at(const struct bar *b, uint64_t at, size_t n, unsigned int seed)
{
	uint8_t w[64], r[64];

	pattern(w, n, seed);
	if (pwrite(devfd, w, n, b->off + at) != (ssize_t)n)
		return false;
	memset(r, 0, sizeof(r));
	if (pread(devfd, r, n, b->off + at) != (ssize_t)n)
		return false;
	return !memcmp(w, r, n);
}

static void case_rw_bounds(const struct bar *b, const char *name)
{
	char n[96];
	uint8_t buf[16], ones[16];
	ssize_t got;

	memset(ones, 0xff, sizeof(ones));
	snprintf(n, sizeof(n), "%s read/write at start", name);
	printf("# %s\n", n);
	result(rw_at(b, 0, 16, 1), n, "data differs");
	snprintf(n, sizeof(n), "%s read/write in the middle", name);
	result(rw_at(b, b->len / 2 + 3, 16, 2), n, "data differs");
	snprintf(n, sizeof(n), "%s read/write of the last byte", name);
	result(rw_at(b, b->len - 1, 1, 3), n, "data differs");

	snprintf(n, sizeof(n), "%s access past the real memory reads ~0", name);
	if (b->len < b->size) {
		memset(buf, 0x5a, sizeof(buf));
		got = pwrite(devfd, buf, 8, b->off + b->len + 8);
		memset(buf, 0, sizeof(buf));
		got = got == 8 ? pread(devfd, buf, 8, b->off + b->len + 8) : -1;
		result(got == 8 && !memcmp(buf, ones, 8), n, "got %zd bytes %02x..", got, buf[0]);
		/* A read straddling the end of the real memory. */
		snprintf(n, sizeof(n), "%s read straddling the real end", name);
		pwrite(devfd, "\x11\x22", 2, b->off + b->len - 2);
		got = pread(devfd, buf, 4, b->off + b->len - 2);
		result(got == 4 && buf[0] == 0x11 && buf[1] == 0x22 && buf[2] == 0xff && buf[3] == 0xff,
		       n, "got %zd: %02x %02x %02x %02x", got, buf[0], buf[1], buf[2], buf[3]);
	} else {
		result(true, n, NULL); /* BAR exactly full: nothing past the memory */
	}

	snprintf(n, sizeof(n), "%s read at the BAR size fails", name);
	errno = 0;
	got = pread(devfd, buf, 4, b->off + b->size);
	result(got < 0 && errno == EINVAL, n, "got %zd errno %d", got, errno);
	snprintf(n, sizeof(n), "%s read across the BAR end is cut short", name);
	got = pread(devfd, buf, 8, b->off + b->size - 4);
	result(got == 4, n, "got %zd", got);
	snprintf(n, sizeof(n), "%s write at the BAR size fails", name);
	errno = 0;
	got = pwrite(devfd, buf, 4, b->off + b->size);
	result(got < 0 && errno == EINVAL, n, "got %zd errno %d", got, errno);
}

static void case_mmap(const struct bar *b, const char *name)
{
	char n[96];
	uint8_t w[256], r[256];
	uint8_t *p;
	uint64_t offs[3] = { 0, b->len / 2, b->len - sizeof(w) };
	bool ok = true;
	void *bad;

	snprintf(n, sizeof(n), "%s mmap equals read/write", name);
	printf("# %s\n", n);
	p = map_region(b, b->len, 2 * MIB, 0);
	if (p == MAP_FAILED) {
		result(false, n, "mmap: %s", strerror(errno));
		return;
	}
	for (int i = 0; i < 3 && ok; i++) {
		pattern(w, sizeof(w), 10 + i);
		ok = pwrite(devfd, w, sizeof(w), b->off + offs[i]) == sizeof(w) &&
		     !memcmp(p + offs[i], w, sizeof(w));
		pattern(w, sizeof(w), 20 + i);
		memcpy(p + offs[i], w, sizeof(w));
		ok = ok && pread(devfd, r, sizeof(r), b->off + offs[i]) == sizeof(r) &&
		     !memcmp(r, w, sizeof(w));
	}
	result(ok, n, "contents differ");
	munmap(p, b->len);

	snprintf(n, sizeof(n), "%s mmap past the real memory refused", name);
	bad = mmap(NULL, b->len + PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, devfd, b->off);
	result(bad == MAP_FAILED, n, "mmap of 0x%" PRIx64 " bytes succeeded", b->len + PAGE);
	if (bad != MAP_FAILED)
		munmap(bad, b->len + PAGE);
}

static void case_mem_enable(const struct bar *b, const char *name)
{
	char n[96];
	uint8_t w[16], r[16], ones[16], x = 0;
	uint64_t at = b->len / 4;
	uint8_t *p;
	bool ok;

	memset(ones, 0xff, sizeof(ones));
	printf("# %s memory enable\n", name);
	p = map_region(b, b->len, 2 * MIB, 0);
	if (p == MAP_FAILED)
		die("mmap");
	pattern(w, sizeof(w), 40);
	pwrite(devfd, w, sizeof(w), b->off + at);
	(void)p[at];	/* fault the page in */

	mem_enable(false);
	snprintf(n, sizeof(n), "%s memory off: read gives ~0", name);
	ok = pread(devfd, r, sizeof(r), b->off + at) == sizeof(r) && !memcmp(r, ones, sizeof(r));
	result(ok, n, "read %02x %02x..", r[0], r[1]);
	snprintf(n, sizeof(n), "%s memory off: write is dropped", name);
	memset(r, 0xa5, sizeof(r));
	ok = pwrite(devfd, r, sizeof(r), b->off + at) == sizeof(r);
	snprintf(n, sizeof(n), "%s memory off: mmap read raises SIGBUS", name);
	result(!touch_read(p + at, &x), n, "read 0x%02x through the mapping", x);
	snprintf(n, sizeof(n), "%s memory off: mmap write raises SIGBUS", name);
	result(!touch_write(p + at + 1, 0x77), n, "write through the mapping succeeded");

	mem_enable(true);
	snprintf(n, sizeof(n), "%s memory on again: data intact, dropped write not applied", name);
	memset(r, 0, sizeof(r));
	ok = ok && pread(devfd, r, sizeof(r), b->off + at) == sizeof(r) && !memcmp(r, w, sizeof(w));
	result(ok, n, "read %02x %02x.., want %02x %02x..", r[0], r[1], w[0], w[1]);
	snprintf(n, sizeof(n), "%s memory on again: mmap works, data intact", name);
	ok = touch_read(p + at, &x) && x == w[0] && touch_read(p + at + 1, &x) && x == w[1];
	result(ok, n, "mapping read 0x%02x", x);
	munmap(p, b->len);
}

static int low_power(bool enter)
{
	struct vfio_device_feature f = {
		.argsz = sizeof(f),
		.flags = VFIO_DEVICE_FEATURE_SET |
			 (enter ? VFIO_DEVICE_FEATURE_LOW_POWER_ENTRY :
				  VFIO_DEVICE_FEATURE_LOW_POWER_EXIT),
	};

	return ioctl(devfd, VFIO_DEVICE_FEATURE, &f);
}

/* Low power (D3 or runtime-suspended) closes the gate like memory-off. */
static void case_low_power(const struct bar *b, const char *name)
{
	char n[96];
	uint8_t w[16], r[16], ones[16], x = 0;
	uint64_t at = b->len / 5 & ~(PAGE - 1);
	uint8_t *p;
	int ret;

	memset(ones, 0xff, sizeof(ones));
	p = map_region(b, b->len, 2 * MIB, 0);
	if (p == MAP_FAILED)
		die("mmap");
	pattern(w, sizeof(w), 70);
	memcpy(p + at, w, sizeof(w));
	ret = low_power(true);
	snprintf(n, sizeof(n), "%s low-power entry succeeds", name);
	result(ret == 0, n, "%s", strerror(errno));
	if (!ret) {
		snprintf(n, sizeof(n), "%s low power: mmap read raises SIGBUS", name);
		result(!touch_read(p + at, &x), n, "read 0x%02x", x);
		/* read/write wake the device, as the core's own BAR reads do. */
		snprintf(n, sizeof(n), "%s low power: read wakes the device and gives the data", name);
		ret = pread(devfd, r, sizeof(r), b->off + at) == sizeof(r) &&
		      !memcmp(r, w, sizeof(r));
		result(ret, n, "read %02x, want %02x (%s)", r[0], w[0],
		       !memcmp(r, ones, sizeof(r)) ? "~0: not woken" : "other data");
		snprintf(n, sizeof(n), "%s low power: the mapping still raises SIGBUS after a read", name);
		result(!touch_read(p + at, &x), n, "read 0x%02x", x);
		low_power(false);
	}
	snprintf(n, sizeof(n), "%s after low-power exit: mmap works, data intact", name);
	result(touch_read(p + at, &x) && x == w[0], n, "read 0x%02x, want 0x%02x", x, w[0]);
	munmap(p, b->len);
}

/* A forked child's copy of a mapping must be zapped with the parent's. */
static void case_fork(const struct bar *b, const char *name)
{
	char n[96], c;
	int go[2], ready[2], st = 0;
	uint8_t *p, x;
	pid_t pid;

	p = map_region(b, b->len, 2 * MIB, 0);
	if (p == MAP_FAILED || pipe(go) || pipe(ready))
		die("mmap/pipe");
	p[0] = 0x3c;
	pid = fork();
	if (pid == 0) {
		/* The child's copy has PTEs too (copied, or faulted here). */
		if (!touch_read(p, &x) || write(ready[1], "r", 1) != 1 ||
		    read(go[0], &c, 1) != 1)
			_exit(3);
		/* Memory is now disabled: this must raise SIGBUS. */
		_exit(touch_read(p, &x) ? 1 : 0);
	}
	if (read(ready[0], &c, 1) != 1)
		die("child did not start");
	mem_enable(false);
	if (write(go[1], "x", 1) != 1)
		die("pipe write");
	waitpid(pid, &st, 0);
	mem_enable(true);
	snprintf(n, sizeof(n), "%s memory off: a forked child's mapping raises SIGBUS", name);
	result(WIFEXITED(st) && WEXITSTATUS(st) == 0, n,
	       "child status 0x%x (1: it could still read the memory)", st);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
	munmap(p, b->len);
}

/* Pattern, fault in, run `reset`, check zap + data + mapping again. */
static void reset_case(const struct bar *b, const char *name, const char *how,
		       int (*reset)(void))
{
	char n[128];
	uint8_t w[16], r[16], x = 0;
	uint64_t at = b->len / 3 & ~(PAGE - 1);
	uint8_t *p;
	long before;
	int ret;

	p = map_region(b, b->len, 2 * MIB, 0);
	if (p == MAP_FAILED)
		die("mmap");
	pattern(w, sizeof(w), 50);
	memcpy(p + at, w, sizeof(w));
	(void)p[at];

	printf("# %s %s\n", name, how);
	ret = reset();
	snprintf(n, sizeof(n), "%s %s succeeds", name, how);
	result(ret == 0, n, "returned %d (%s)", ret, strerror(errno));
	if (ret) {
		munmap(p, b->len);
		return;
	}
	snprintf(n, sizeof(n), "%s %s: data intact via read", name, how);
	result(pread(devfd, r, sizeof(r), b->off + at) == sizeof(r) && !memcmp(r, w, sizeof(w)),
	       n, "read %02x, want %02x", r[0], w[0]);
	snprintf(n, sizeof(n), "%s %s: mapping was zapped and faults back", name, how);
	before = minflt();
	ret = touch_read(p + at, &x);
	result(ret && x == w[0] && minflt() > before, n,
	       "access %s, value 0x%02x, minor faults %ld -> %ld",
	       ret ? "ok" : "SIGBUS", x, before, minflt());
	munmap(p, b->len);
}

static int do_device_reset(void)
{
	return ioctl(devfd, VFIO_DEVICE_RESET);
}

static int do_hot_reset(void)
{
	struct vfio_pci_hot_reset_info *info;
	struct vfio_pci_hot_reset *hr;
	size_t sz = sizeof(*info) + 8 * sizeof(struct vfio_pci_dependent_device);
	int ret;

	info = calloc(1, sz);
	info->argsz = sz;
	if (ioctl(devfd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, info))
		return -1;
	free(info);
	hr = calloc(1, sizeof(*hr) + sizeof(int));
	hr->argsz = sizeof(*hr) + sizeof(int);
	hr->count = 1;
	hr->group_fds[0] = group;
	ret = ioctl(devfd, VFIO_DEVICE_PCI_HOT_RESET, hr);
	free(hr);
	return ret;
}

static int do_sysfs_reset(void)
{
	char path[PATH_MAX];
	int fd, ret;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/reset", bdf);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ret = write(fd, "1", 1) == 1 ? 0 : -1;
	close(fd);
	return ret;
}

static int do_flr(void)
{
	unsigned int pos = cfg_read(PCI_CAPABILITY_LIST, 1);
	int guard = 48;

	while (pos && guard--) {
		if (cfg_read(pos, 1) == PCI_CAP_ID_EXP) {
			uint16_t ctl = cfg_read(pos + PCI_EXP_DEVCTL, 2);

			cfg_write(pos + PCI_EXP_DEVCTL, ctl | PCI_EXP_DEVCTL_BCR_FLR, 2);
			return 0;
		}
		pos = cfg_read(pos + 1, 1);
	}
	errno = ENODEV;
	return -1;
}

/* Offset of a capability in config space, 0 if absent. */
static unsigned int find_cap(unsigned int id)
{
	unsigned int pos = cfg_read(PCI_CAPABILITY_LIST, 1);
	int guard = 48;

	while (pos && guard--) {
		if (cfg_read(pos, 1) == id)
			return pos;
		pos = cfg_read(pos + 1, 1);
	}
	return 0;
}

/* Shared between a test's processes (MAP_SHARED anonymous page). */
struct shared {
	volatile int stop;
	volatile long faults, bus, bad, touches;
	volatile double max_wait;
};

static struct shared *shared_page(void)
{
	struct shared *sh = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
				 MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (sh == MAP_FAILED)
		die("mmap shared");
	memset((void *)sh, 0, sizeof(*sh));
	return sh;
}

/*
 * A process keeps touching the mapping while resets run. It must never get
 * SIGBUS or wrong data (its faults wait for each reset), nothing may
 * deadlock, and every reset must have zapped the mapping: the toucher
 * faults at least once per reset. A driver without a reset gate (mappings
 * left alone) fails the last check.
 */
static void case_touch_during_resets(const struct bar *b, const char *how,
				     int (*reset)(void))
{
	struct shared *sh = shared_page();
	char n[160];
	uint8_t *p, x;
	pid_t pid;
	int st = 0, fails = 0, resets = 5;

	p = map_region(b, b->len, 2 * MIB, 0);
	if (p == MAP_FAILED)
		die("mmap");
	p[PAGE] = 0x42;
	pid = fork();
	if (pid == 0) {
		/*
		 * Count only the touches that faulted, after a warm-up that
		 * takes the child's own copy-on-write faults (stack, globals).
		 */
		for (int i = 0; i < 100; i++)
			touch_read(p + PAGE, &x), (void)now(), (void)minflt();
		while (!sh->stop) {
			double t0 = now(), t;
			long f0 = minflt();

			if (!touch_read(p + PAGE, &x))
				sh->bus++;
			else if (x != 0x42)
				sh->bad++;
			if (minflt() > f0)
				sh->faults++;
			t = now() - t0;
			if (t > sh->max_wait)
				sh->max_wait = t;
			sh->touches++;
		}
		_exit(0);
	}
	usleep(200000);
	for (int i = 0; i < resets; i++) {
		if (reset())
			fails++;
		usleep(100000);
	}
	sh->stop = 1;
	waitpid(pid, &st, 0);
	snprintf(n, sizeof(n), "BAR4 a process touching the mapping during %s: no SIGBUS, data intact, re-faults after every reset", how);
	result(!fails && WIFEXITED(st) && WEXITSTATUS(st) == 0 && !sh->bus && !sh->bad &&
	       sh->faults >= resets, n,
	       "%d reset(s) failed, child status 0x%x, %ld SIGBUS, %ld wrong reads, %ld faulting touches for %d resets (fewer: a reset left the mapping in place)",
	       fails, st, sh->bus, sh->bad, sh->faults, resets);
	printf("# %s: %ld touches, %ld of them faulted, longest %.0f ms\n", how, sh->touches,
	       sh->faults, sh->max_wait * 1000);
	munmap(p, b->len);
	munmap((void *)sh, PAGE);
}

/* An address both registers of any emulated BAR keep (aligned to 2 GiB). */
#define TEST_BAR_ADDR 0x0000001280000000ULL

/*
 * The emulated BAR registers are set to an address, the device is reset
 * by `reset`, and both registers of each pair (BAR4/5, Hopper's BAR2/3)
 * must read back the bare type bits: read one by one and as one 8-byte
 * read spanning both registers.
 */
static void case_bar_regs_after_reset(const char *how, int (*reset)(void))
{
	const struct bar *bars[2] = { &use, &res };
	char n[160];

	for (int i = 0; i < 2; i++) {
		unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * bars[i]->index;

		if (!bars[i]->len)
			continue;
		cfg_write(reg, (uint32_t)TEST_BAR_ADDR, 4);
		cfg_write(reg + 4, (uint32_t)(TEST_BAR_ADDR >> 32), 4);
	}
	if (reset()) {
		snprintf(n, sizeof(n), "%s clears the emulated BAR registers", how);
		result(false, n, "reset failed: %s", strerror(errno));
		return;
	}
	for (int i = 0; i < 2; i++) {
		unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * bars[i]->index;
		uint32_t lo, hi;
		uint64_t both = 0;

		if (!bars[i]->len)
			continue;
		lo = cfg_read(reg, 4);
		hi = cfg_read(reg + 4, 4);
		if (pread(devfd, &both, 8, cfg_off + reg) != 8)
			die("config read of 8 bytes");
		snprintf(n, sizeof(n), "%s clears BAR%u and BAR%u (each, and one 8-byte read)",
			 how, bars[i]->index, bars[i]->index + 1);
		result(lo == 0xc && hi == 0 && both == 0xc, n,
		       "BAR%u 0x%08x BAR%u 0x%08x, 8-byte read 0x%016" PRIx64 " (want 0xc, 0, 0xc)",
		       bars[i]->index, lo, bars[i]->index + 1, hi, both);
	}
}

/* Partial writes into the register pair and an 8-byte read across it. */
static void case_bar_partial(const struct bar *b, const char *name)
{
	unsigned int reg = PCI_BASE_ADDRESS_0 + 4 * b->index;
	uint64_t both = 0, want;
	uint16_t half = 0x1234;
	char n[96];

	cfg_write(reg, 0, 4);
	cfg_write(reg + 4, 0, 4);
	if (pwrite(devfd, &half, 2, cfg_off + reg + 6) != 2)
		die("config write of 2 bytes");
	half = 0xffff;	/* low half of the low register: below the BAR size */
	if (pwrite(devfd, &half, 2, cfg_off + reg) != 2)
		die("config write of 2 bytes");
	if (pread(devfd, &both, 8, cfg_off + reg) != 8)
		die("config read of 8 bytes");
	want = 0x1234000000000000ULL | 0xc;
	snprintf(n, sizeof(n), "%s partial register writes, 8-byte read back", name);
	result(both == want, n, "read 0x%016" PRIx64 ", want 0x%016" PRIx64, both, want);
	cfg_write(reg, 0, 4);
	cfg_write(reg + 4, 0, 4);
}

/* VFIO_DEVICE_IOEVENTFD is refused (-ENOTTY) on this device. */
static void case_ioeventfd(void)
{
	int efd = eventfd(0, 0);
	struct vfio_device_ioeventfd ev = {
		.argsz = sizeof(ev), .flags = VFIO_DEVICE_IOEVENTFD_32,
		.offset = use.off, .data = 1, .fd = efd,
	};
	int ret;

	errno = 0;
	ret = ioctl(devfd, VFIO_DEVICE_IOEVENTFD, &ev);
	result(ret < 0 && errno == ENOTTY, "VFIO_DEVICE_IOEVENTFD on BAR4 refused with ENOTTY",
	       "returned %d errno %d", ret, errno);
	if (!ret) {
		ev.fd = -1;	/* unregister it again */
		ioctl(devfd, VFIO_DEVICE_IOEVENTFD, &ev);
	}
	close(efd);
}

/* BAR0 readiness registers of the stand-in (bochs VRAM), through VFIO. */
static void set_ready(bool ready)
{
	uint32_t v = ready ? 0xff : 0;

	if (pwrite(devfd, &v, 4, bar0_off + 0x1498) != 4 ||
	    pwrite(devfd, &v, 4, bar0_off + 0x200bc) != 4)
		die("BAR0 write");
}

/*
 * After a reset the first access waits until BAR0 says the memory is
 * ready: the stand-in reports "not ready" for hold_ms after the reset (a
 * child flips the registers), through the mapping and through read().
 */
static void case_ready_after_reset(const struct bar *b, const char *how,
				   int (*reset)(void), bool via_map)
{
	const int hold_ms = 800;
	uint64_t at = b->len / 7 & ~(PAGE - 1);
	uint8_t w[16], r[16], x = 0;
	char n[160];
	double t0, waited;
	bool ok;
	uint8_t *p;
	pid_t pid;
	int st;

	p = map_region(b, b->len, 2 * MIB, 0);
	if (p == MAP_FAILED)
		die("mmap");
	pattern(w, sizeof(w), 80);
	memcpy(p + at, w, sizeof(w));
	set_ready(false);
	if (reset()) {
		snprintf(n, sizeof(n), "%s: readiness awaited", how);
		result(false, n, "reset failed: %s", strerror(errno));
		set_ready(true);
		munmap(p, b->len);
		return;
	}
	pid = fork();
	if (pid == 0) {
		usleep(hold_ms * 1000);
		set_ready(true);
		_exit(0);
	}
	t0 = now();
	if (via_map)
		ok = touch_read(p + at, &x) && x == w[0];
	else
		ok = pread(devfd, r, sizeof(r), b->off + at) == sizeof(r) &&
		     !memcmp(r, w, sizeof(r));
	waited = now() - t0;
	waitpid(pid, &st, 0);
	snprintf(n, sizeof(n), "%s: the first %s waits until BAR0 says ready (not ready for %d ms)",
		 how, via_map ? "mapping access" : "read()", hold_ms);
	result(ok && waited * 1000 >= hold_ms / 2, n, "access %s after %.0f ms",
	       ok ? "ok" : "failed or wrong data", waited * 1000);
	munmap(p, b->len);
}

/* Not ready within ready_timeout_ms (1000 in the guest): errors until the next reset. */
static void case_ready_timeout(const struct bar *b)
{
	uint64_t at = b->len / 7 & ~(PAGE - 1);
	uint8_t r[16], x = 0;
	uint8_t *p;
	ssize_t got;
	bool bus;

	p = map_region(b, b->len, 2 * MIB, 0);
	if (p == MAP_FAILED)
		die("mmap");
	set_ready(false);
	if (do_device_reset())
		die("VFIO_DEVICE_RESET");
	bus = !touch_read(p + at, &x);
	errno = 0;
	got = pread(devfd, r, sizeof(r), b->off + at);
	result(bus && got < 0 && errno == EIO,
	       "memory never ready after a reset: mapping SIGBUS, read EIO",
	       "mapping %s, read returned %zd errno %d", bus ? "SIGBUS" : "worked", got, errno);
	set_ready(true);
	if (do_device_reset())
		die("VFIO_DEVICE_RESET");
	result(touch_read(p + at, &x), "ready again after the next reset", "mapping SIGBUS");
	munmap(p, b->len);
}

/*
 * VFIO_IOMMU_MAP_DMA of BAR pages while another process resets the device
 * through sysfs: the kernel faults the page in and then looks its PTE up,
 * so a fault that returned without a PTE fails the call, and fails again
 * when retried. A reset that zaps the PTE between the kernel's fault and its
 * lookup fails one call too (seen once in 5000 on Linux 7.2, under load);
 * that call goes through when retried at once. So: no call may fail twice,
 * and at most 1 in 100 once.
 */
static void case_map_dma_during_resets(const struct bar *b, long calls)
{
	struct shared *sh = shared_page();
	long fails = 0, once = 0, done = 0, resets;
	int first_err = 0, st;
	double t0 = now();
	uint8_t *p;
	pid_t pid;

	p = map_region(b, 16 * PAGE, PAGE, 0);
	if (p == MAP_FAILED)
		die("mmap");
	pid = fork();
	if (pid == 0) {
		while (!sh->stop) {
			if (do_sysfs_reset() == 0)
				sh->touches++;	/* resets done */
			usleep(5000);
		}
		_exit(0);
	}
	/* At least `calls` calls, and on until 20 resets ran meanwhile. */
	for (long i = 0; i < calls || (sh->touches < 20 && now() - t0 < 60); i++) {
		struct vfio_iommu_type1_dma_map m = {
			.argsz = sizeof(m),
			.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
			.vaddr = (uintptr_t)(p + (i % 16) * PAGE),
			.iova = 0x40000000, .size = PAGE,
		};
		struct vfio_iommu_type1_dma_unmap u = {
			.argsz = sizeof(u), .iova = 0x40000000, .size = PAGE,
		};

		done++;
		if (ioctl(container, VFIO_IOMMU_MAP_DMA, &m)) {
			if (!fails && !once)
				first_err = errno;
			if (ioctl(container, VFIO_IOMMU_MAP_DMA, &m)) {
				fails++;
				continue;
			}
			once++;
		}
		if (ioctl(container, VFIO_IOMMU_UNMAP_DMA, &u))
			die("VFIO_IOMMU_UNMAP_DMA");
	}
	sh->stop = 1;
	waitpid(pid, &st, 0);
	resets = sh->touches;
	result(!fails && once * 100 <= done && resets > 0,
	       "VFIO_IOMMU_MAP_DMA of BAR4 pages while sysfs resets run never fails twice",
	       "%ld of %ld calls failed twice, %ld once (first errno %d), %ld resets", fails, done, once, first_err,
	       resets);
	printf("# MAP_DMA: %ld calls, %ld failures, %ld failed once and went through when retried, %ld resets, %.1f s\n",
	       done, fails, once, resets, now() - t0);
	munmap(p, 16 * PAGE);
	munmap((void *)sh, PAGE);
}

/*
 * Run fn in a child; it must finish within 10 s. If it does not, it must
 * at least die of SIGKILL within 10 s more. Returns the exit status, or
 * -1 (hung, killed) / -2 (hung, not even killable).
 */
static int run_bounded(void (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		fn(arg);
		_exit(0);
	}
	for (int i = 0; i < 200; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		usleep(50000);
	}
	kill(pid, SIGKILL);
	for (int i = 0; i < 200; i++) {
		if (waitpid(pid, &st, WNOHANG) == pid)
			return -1;
		usleep(50000);
	}
	return -2;
}

static void hot_reset_from(void *arg)
{
	struct vfio_pci_hot_reset *hr = arg;

	_exit(ioctl(devfd, VFIO_DEVICE_PCI_HOT_RESET, hr) ? 1 : 0);
}

static const char *bounded_why(int rc)
{
	return rc == -1 ? "hung; SIGKILL ended it" :
	       rc == -2 ? "hung and SIGKILL did not end it (D state)" : "failed";
}

/*
 * The hot reset's argument lives in the BAR4 mapping, zapped by a reset
 * just before: the core's copy of it faults on our mapping while the same
 * task is about to reset the device. It must finish.
 */
static void case_hot_reset_arg_in_mapping(const struct bar *b)
{
	struct vfio_pci_hot_reset *hr;
	uint8_t *p;
	int rc;

	p = map_region(b, 2 * MIB, 2 * MIB, 0);
	if (p == MAP_FAILED)
		die("mmap");
	hr = (void *)(p + PAGE);
	hr->argsz = sizeof(*hr) + sizeof(int);
	hr->flags = 0;
	hr->count = 1;
	hr->group_fds[0] = group;
	if (do_device_reset())	/* zaps the page the argument is on */
		die("VFIO_DEVICE_RESET");
	rc = run_bounded(hot_reset_from, hr);
	result(rc == 0, "hot reset whose argument lives in the BAR4 mapping finishes within 10 s",
	       "%s (status %d)", bounded_why(rc), rc);
	munmap(p, 2 * MIB);
}

struct cfg_write_arg {
	const void *buf;
	unsigned int where, width;
};

static void cfg_write_from(void *arg)
{
	struct cfg_write_arg *a = arg;

	_exit(pwrite(devfd, a->buf, a->width, cfg_off + a->where) == (ssize_t)a->width ? 0 : 1);
}

/* The buffer of a config write that starts an FLR lives in the mapping. */
static void case_flr_arg_in_mapping(const struct bar *b)
{
	unsigned int exp = find_cap(PCI_CAP_ID_EXP);
	struct cfg_write_arg a;
	uint16_t *ctl;
	uint8_t *p;
	int rc;

	if (!exp) {
		result(false, "FLR write whose buffer lives in the BAR4 mapping finishes", "no PCIe capability");
		return;
	}
	p = map_region(b, 2 * MIB, 2 * MIB, 0);
	if (p == MAP_FAILED)
		die("mmap");
	ctl = (uint16_t *)(p + 2 * PAGE);
	*ctl = cfg_read(exp + PCI_EXP_DEVCTL, 2) | PCI_EXP_DEVCTL_BCR_FLR;
	if (do_flr())		/* zaps the page the buffer is on */
		die("FLR");
	a.buf = ctl;
	a.where = exp + PCI_EXP_DEVCTL;
	a.width = 2;
	rc = run_bounded(cfg_write_from, &a);
	result(rc == 0, "FLR config write whose buffer lives in the BAR4 mapping finishes within 10 s",
	       "%s (status %d)", bounded_why(rc), rc);
	munmap(p, 2 * MIB);
}

/*
 * Memory is turned off while another process keeps faulting the mapping in:
 * once the config write has returned, no access may get through (the zap
 * after the core's write must catch PTEs made just before it).
 */
static void case_mem_off_race(const struct bar *b, const char *name)
{
	struct shared *sh = shared_page();
	int rounds = 50, survived = 0, st;
	char n[128];
	uint8_t *p, x;
	pid_t pid;

	p = map_region(b, 4 * PAGE, PAGE, 0);
	if (p == MAP_FAILED)
		die("mmap");
	pid = fork();
	if (pid == 0) {
		for (long i = 0; !sh->stop; i++)
			touch_read(p + (i % 4) * PAGE, &x);
		_exit(0);
	}
	for (int i = 0; i < rounds; i++) {
		mem_enable(false);
		if (touch_read(p + (i % 4) * PAGE, &x))
			survived++;
		mem_enable(true);
	}
	sh->stop = 1;
	waitpid(pid, &st, 0);
	snprintf(n, sizeof(n), "%s memory off while another process faults the mapping: no access after the write", name);
	result(!survived, n, "%d of %d accesses after memory off got through", survived, rounds);
	munmap(p, 4 * PAGE);
	munmap((void *)sh, PAGE);
}

/* D3hot written into the PM capability: mappings zapped, SIGBUS, back in D0. */
static void case_d3_pm_cap(const struct bar *b)
{
	unsigned int pm = find_cap(PCI_CAP_ID_PM);
	uint64_t at = b->len / 6 & ~(PAGE - 1);
	uint8_t w[16], r[16], ones[16], x = 0;
	uint16_t ctl;
	uint8_t *p;
	bool ok;

	if (!pm) {
		result(false, "D3hot through the PM capability", "no PM capability");
		return;
	}
	memset(ones, 0xff, sizeof(ones));
	p = map_region(b, b->len, 2 * MIB, 0);
	if (p == MAP_FAILED)
		die("mmap");
	pattern(w, sizeof(w), 90);
	memcpy(p + at, w, sizeof(w));	/* faulted in: a PTE exists */
	ctl = cfg_read(pm + PCI_PM_CTRL, 2);
	cfg_write(pm + PCI_PM_CTRL, (ctl & ~PCI_PM_CTRL_STATE_MASK) | 3, 2);
	ok = (cfg_read(pm + PCI_PM_CTRL, 2) & PCI_PM_CTRL_STATE_MASK) == 3;
	result(ok, "PM capability: D3hot entered", "state reads %u",
	       cfg_read(pm + PCI_PM_CTRL, 2) & PCI_PM_CTRL_STATE_MASK);
	result(!touch_read(p + at, &x), "D3hot through the PM capability zaps: mapping raises SIGBUS",
	       "read 0x%02x through a mapping made before D3", x);
	ok = pread(devfd, r, sizeof(r), b->off + at) == sizeof(r) && !memcmp(r, ones, sizeof(r));
	result(ok, "D3hot through the PM capability: read gives ~0", "read %02x", r[0]);
	cfg_write(pm + PCI_PM_CTRL, ctl & ~PCI_PM_CTRL_STATE_MASK, 2);
	ok = touch_read(p + at, &x) && x == w[0];
	result(ok, "back in D0: mapping works, data intact", "read 0x%02x, want 0x%02x", x, w[0]);
	munmap(p, b->len);
}

static void write_sysfs(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		printf("note: write '%s' to %s: %s\n", val, path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* Unbind with a live mapping waits for it; rebind; data still there. */
static void case_unbind_rebind(const struct bar *b)
{
	char drv[256], path[PATH_MAX];
	uint8_t w[16], r[16], x = 0;
	uint8_t *p;
	pid_t pid;
	int st;
	bool waited, ok;

	snprintf(drv, sizeof(drv), "/sys/bus/pci/devices/%s/driver/unbind", bdf);
	p = map_region(b, b->len, 2 * MIB, 0);
	if (p == MAP_FAILED)
		die("mmap");
	pattern(w, sizeof(w), 60);
	memcpy(p + PAGE, w, sizeof(w));
	close(devfd);		/* only the mapping keeps the device open now */
	devfd = -1;

	/*
	 * A forked child would inherit the mapping (and so keep the device
	 * open itself): spawn a shell, whose exec drops it, to do the unbind.
	 */
	snprintf(path, sizeof(path), "echo %s > %s", bdf, drv);
	{
		char *args[] = { "/bin/sh", "-c", path, NULL };

		if (posix_spawn(&pid, "/bin/sh", NULL, NULL, args, environ))
			die("posix_spawn");
	}
	sleep(2);
	waited = waitpid(pid, &st, WNOHANG) == 0;
	result(waited, "unbind waits while a mapping is open", "unbind returned at once");
	ok = touch_read(p + PAGE, &x) && x == w[0];
	result(ok, "mapping still valid while unbind waits", "read 0x%02x", x);
	munmap(p, b->len);
	waitpid(pid, &st, 0);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	result(access(path, F_OK) != 0, "unbind completes once the mapping is gone",
	       "device still bound");

	write_sysfs("/sys/bus/pci/drivers_probe", bdf);
	ok = access(path, F_OK) == 0;
	result(ok, "rebind through driver_override", "device not bound again");
	if (!ok)
		return;
	close_device();
	open_device();
	setup_offsets();
	mem_enable(true);
	memset(r, 0, sizeof(r));
	ok = pread(devfd, r, sizeof(r), b->off + PAGE) == sizeof(r) && !memcmp(r, w, sizeof(w));
	result(ok, "data intact after unbind/rebind", "read %02x, want %02x", r[0], w[0]);
}

/* ---- commands ----------------------------------------------------------- */

static int cmd_ready(void)
{
	char path[PATH_MAX];
	volatile uint32_t *bar0;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/enable", bdf);
	write_sysfs(path, "1");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource0", bdf);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		die(path);
	bar0 = mmap(NULL, 0x21000, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (bar0 == MAP_FAILED)
		die("mmap resource0");
	bar0[0x1498 / 4] = 0xff;
	bar0[0x200bc / 4] = 0xff;
	munmap((void *)bar0, 0x21000);
	close(fd);
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/enable", bdf);
	write_sysfs(path, "0");
	return 0;
}

static void common_setup(const char *gen, const char *size)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigbus;
	sigaction(SIGBUS, &sa, NULL);
	geometry(gen, strtoull(size, NULL, 0));
	open_device();
	setup_offsets();
	mem_enable(true);
}

/*
 * The cache type the kernel registered for a region while the device is
 * open (x86 PAT memtype list in debugfs): user mappings made at fault time
 * get the same type. Checks that [phys, phys+len) is covered by entries of
 * type `want`.
 */
static void case_cache_type(uint64_t phys, uint64_t len, const char *want,
			    const char *name)
{
	FILE *fp = fopen("/sys/kernel/debug/x86/pat_memtype_list", "r");
	unsigned long long s, e;
	char line[256], type[64], n[96];
	uint64_t covered = 0;
	bool wrong = false;

	snprintf(n, sizeof(n), "%s memory is mapped %s", name, want);
	if (!fp) {
		result(false, n, "no pat_memtype_list (debugfs not mounted?)");
		return;
	}
	while (fgets(line, sizeof(line), fp)) {
		if (sscanf(line, "PAT: [mem 0x%llx-0x%llx] %63s", &s, &e, type) != 3)
			continue;
		if (e <= phys || s >= phys + len)
			continue;
		if (strcmp(type, want))
			wrong = true;
		covered += (e < phys + len ? e : phys + len) - (s > phys ? s : phys);
	}
	fclose(fp);
	result(!wrong && covered >= len, n, "%s, 0x%" PRIx64 " of 0x%" PRIx64 " bytes covered",
	       wrong ? "another type overlaps" : "type ok", covered, len);
}

/*
 * The protection each emulated BAR's VMA asks for: on x86 the PTE's cache
 * bits come from the PAT reservation (above) whatever the VMA asks, but on
 * arm64 the VMA's protection is what counts. A kprobe on
 * vmf_insert_pfn_prot() (4th argument, %cx) records it for a 4 KiB fault.
 * Write-combining is PWT alone among PWT|PCD|PAT (0x98) with Linux's PAT
 * layout; write-back has none of them.
 */
static void case_vma_prot(const struct bar *b, const char *name, bool wc)
{
	const char *tr = "/sys/kernel/tracing";
	char path[PATH_MAX], line[512], n[96];
	unsigned long long prot = ~0ULL;
	uint8_t *p, x;
	FILE *fp;

	snprintf(n, sizeof(n), "%s mapping asks for %s (VMA protection)", name,
		 wc ? "write-combining" : "write-back");
	snprintf(path, sizeof(path), "%s/kprobe_events", tr);
	write_sysfs(path, "p:ga_prot vmf_insert_pfn_prot prot=%cx:x64");
	snprintf(path, sizeof(path), "%s/events/kprobes/ga_prot/enable", tr);
	write_sysfs(path, "1");
	snprintf(path, sizeof(path), "%s/trace", tr);
	write_sysfs(path, "");
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, devfd, b->off);
	if (p == MAP_FAILED)
		die("mmap");
	x = *(volatile uint8_t *)p;	/* one 4 KiB fault */
	(void)x;
	munmap(p, PAGE);
	snprintf(path, sizeof(path), "%s/events/kprobes/ga_prot/enable", tr);
	write_sysfs(path, "0");
	snprintf(path, sizeof(path), "%s/trace", tr);
	fp = fopen(path, "r");
	while (fp && fgets(line, sizeof(line), fp)) {
		char *q = strstr(line, "prot=");

		if (q)
			prot = strtoull(q + 5, NULL, 0);
	}
	if (fp)
		fclose(fp);
	snprintf(path, sizeof(path), "%s/kprobe_events", tr);
	write_sysfs(path, "-:ga_prot");
	if (prot == ~0ULL) {
		result(false, n, "no vmf_insert_pfn_prot call traced (kprobe events?)");
		return;
	}
	result((prot & 0x98) == (wc ? 0x08 : 0), n, "pgprot 0x%llx, cache bits 0x%llx",
	       prot, prot & 0x98);
}

static int cmd_matrix(const char *gen, const char *size)
{
	const struct bar *bars[2] = { &use, &res };
	const char *names[2] = { "BAR4", "BAR2" };

	common_setup(gen, size);
	case_cache_type(mem_base, use.len, "write-back", "BAR4");
	case_vma_prot(&use, "BAR4", false);
	if (res.len) {
		case_cache_type(mem_base + use.len, res.len, "write-combining", "BAR2");
		case_vma_prot(&res, "BAR2", true);
	}
	case_ioeventfd();
	for (int i = 0; i < 2; i++) {
		if (!bars[i]->len) {
			case_passthrough_bar2();
			continue;
		}
		case_region_info(bars[i], names[i]);
		case_bar_sizing(bars[i], names[i]);
		case_bar_partial(bars[i], names[i]);
		case_rw_bounds(bars[i], names[i]);
		case_mmap(bars[i], names[i]);
		case_mem_enable(bars[i], names[i]);
	}
	case_fork(&use, "BAR4");
	case_mem_off_race(&use, "BAR4");
	case_low_power(&use, "BAR4");
	reset_case(&use, "BAR4", "VFIO_DEVICE_RESET", do_device_reset);
	reset_case(&use, "BAR4", "VFIO_DEVICE_PCI_HOT_RESET", do_hot_reset);
	reset_case(&use, "BAR4", "sysfs reset (outside the fd)", do_sysfs_reset);
	case_bar_regs_after_reset("VFIO_DEVICE_RESET", do_device_reset);
	case_bar_regs_after_reset("VFIO_DEVICE_PCI_HOT_RESET", do_hot_reset);
	case_bar_regs_after_reset("sysfs reset", do_sysfs_reset);
	case_touch_during_resets(&use, "VFIO_DEVICE_RESET", do_device_reset);
	case_touch_during_resets(&use, "sysfs resets", do_sysfs_reset);
	/*
	 * The mapping is faulted in before each reset: a PTE that survived
	 * the reset would let the access through at once.
	 */
	case_ready_after_reset(&use, "VFIO_DEVICE_RESET", do_device_reset, true);
	case_ready_after_reset(&use, "VFIO_DEVICE_PCI_HOT_RESET", do_hot_reset, true);
	case_ready_after_reset(&use, "sysfs reset", do_sysfs_reset, true);
	case_ready_after_reset(&use, "sysfs reset", do_sysfs_reset, false);
	case_ready_timeout(&use);
	case_hot_reset_arg_in_mapping(&use);
	case_map_dma_during_resets(&use, map_dma_calls);
	if (res.len)
		reset_case(&res, "BAR2", "VFIO_DEVICE_RESET", do_device_reset);
	case_unbind_rebind(&use);
	close_device();
	return 0;
}

static int cmd_flr(const char *gen, const char *size)
{
	common_setup(gen, size);
	reset_case(&use, "BAR4", "FLR through config space", do_flr);
	case_bar_regs_after_reset("FLR", do_flr);
	case_ready_after_reset(&use, "FLR", do_flr, true);
	case_flr_arg_in_mapping(&use);
	case_d3_pm_cap(&use);
	close_device();
	return 0;
}

/*
 * A hot reset started from the other function of a multifunction slot
 * (bound to vfio-pci, same IOMMU group) resets ours too: our mapping must
 * be zapped, the readiness wait must follow and the BAR registers reset.
 */
static int cmd_sibling(const char *gen, const char *size, const char *sib)
{
	struct vfio_pci_hot_reset *hr;
	uint64_t at = use.len / 9 & ~(PAGE - 1);
	uint8_t w[16], x = 0;
	unsigned int reg;
	double t0, waited;
	uint8_t *p;
	int sibfd, ret, st;
	pid_t pid;
	bool ok;

	common_setup(gen, size);
	sibfd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, sib);
	if (sibfd < 0)
		die("VFIO_GROUP_GET_DEVICE_FD (sibling)");
	p = map_region(&use, use.len, 2 * MIB, 0);
	if (p == MAP_FAILED)
		die("mmap");
	pattern(w, sizeof(w), 95);
	memcpy(p + at, w, sizeof(w));	/* faulted in before the reset */
	reg = PCI_BASE_ADDRESS_0 + 4 * use.index;
	cfg_write(reg, (uint32_t)TEST_BAR_ADDR, 4);
	cfg_write(reg + 4, (uint32_t)(TEST_BAR_ADDR >> 32), 4);
	set_ready(false);

	hr = calloc(1, sizeof(*hr) + sizeof(int));
	hr->argsz = sizeof(*hr) + sizeof(int);
	hr->count = 1;
	hr->group_fds[0] = group;
	ret = ioctl(sibfd, VFIO_DEVICE_PCI_HOT_RESET, hr);
	free(hr);
	result(ret == 0, "hot reset from the sibling function succeeds", "%s", strerror(errno));
	if (ret) {
		set_ready(true);
		return 0;
	}
	pid = fork();
	if (pid == 0) {
		usleep(800 * 1000);
		set_ready(true);
		_exit(0);
	}
	t0 = now();
	ok = touch_read(p + at, &x) && x == w[0];
	waited = now() - t0;
	waitpid(pid, &st, 0);
	result(ok && waited >= 0.4, "sibling hot reset: our mapping was zapped and the access waits until BAR0 says ready",
	       "access %s after %.0f ms (a surviving PTE answers at once)", ok ? "ok" : "failed", waited * 1000);
	result(cfg_read(reg, 4) == 0xc && cfg_read(reg + 4, 4) == 0,
	       "sibling hot reset clears BAR4 and BAR5", "BAR4 0x%08x BAR5 0x%08x",
	       cfg_read(reg, 4), cfg_read(reg + 4, 4));
	munmap(p, use.len);
	close(sibfd);
	close_device();
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Touch every page of a mapping; give faults and seconds per GiB. */
static void bench_one(const char *label, uint64_t align, uint64_t skew,
		      uint64_t len, long *faults, double *spg)
{
	volatile uint8_t *p = map_region(&use, len, align, skew);
	long f0;
	double t0, t;

	if (p == MAP_FAILED)
		die("mmap");
	f0 = minflt();
	t0 = now();
	for (uint64_t o = 0; o < len; o += PAGE)
		(void)p[o];
	t = now() - t0;
	*faults = minflt() - f0;
	*spg = t * GIB / len;
	printf("BENCH %s: %ld minor faults, %.3f s/GiB over %" PRIu64 " MiB\n",
	       label, *faults, *spg, len / MIB);
	munmap((void *)p, len);
}

/*
 * The same BAR mapped twice in one run: at an address aligned like the
 * memory (huge entries where the kernel has them) and skewed by 4 KiB (the
 * driver must fall back to 4 KiB pages). Only the ratios mean anything.
 */
static int cmd_bench(const char *gen, const char *size)
{
	uint64_t len;
	long fh, f4;
	double th, t4;

	common_setup(gen, size);
	len = (use.len - 2 * MIB) & ~(2 * MIB - 1);
	bench_one("aligned (huge where supported)", GIB, 0, len, &fh, &th);
	bench_one("skewed by 4 KiB (4 KiB pages)", GIB, PAGE, len, &f4, &t4);
	printf("BENCH ratio 4KiB/aligned: faults %.1fx, time per GiB %.1fx\n",
	       fh ? (double)f4 / fh : 0.0, th > 0 ? t4 / th : 0.0);
	result(fh > 0 && f4 > 0, "benchmark ran", "no faults counted");
	close_device();
	return 0;
}

int main(int argc, char **argv)
{
	int ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getenv("GA_KMOD_MAP_DMA_CALLS"))
		map_dma_calls = strtol(getenv("GA_KMOD_MAP_DMA_CALLS"), NULL, 0);
	if (argc < 3)
		goto usage;
	bdf = argv[2];
	if (!strcmp(argv[1], "ready"))
		return cmd_ready();
	if (argc < 5)
		goto usage;
	if (argc > 5 && strcmp(argv[1], "sibling"))
		mem_base = strtoull(argv[5], NULL, 0);
	if (!strcmp(argv[1], "matrix"))
		ret = cmd_matrix(argv[3], argv[4]);
	else if (!strcmp(argv[1], "flr"))
		ret = cmd_flr(argv[3], argv[4]);
	else if (!strcmp(argv[1], "sibling") && argc > 5)
		ret = cmd_sibling(argv[3], argv[4], argv[5]);
	else if (!strcmp(argv[1], "bench"))
		ret = cmd_bench(argv[3], argv[4]);
	else
		goto usage;
	printf("kmodtest %s: %d passed, %d failed\n", argv[1], passed, failed);
	return ret || failed ? 1 : 0;
usage:
	fprintf(stderr, "usage: kmodtest ready BDF | matrix|flr|bench BDF hopper|blackwell SIZE\n");
	return 2;
}
