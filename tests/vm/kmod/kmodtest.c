/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kmodtest: runs in the test guest, drives gpu_assign_nvgrace through the
 * VFIO ioctls and prints one "PASS: case" or "FAIL: case: why" per case.
 *
 *   kmodtest ready BDF               make BAR0's readiness registers read 0xff
 *   kmodtest matrix BDF GEN SIZE [BASE]  the device matrix (GEN hopper|
 *                                    blackwell, SIZE/BASE = the _DSD values)
 *   kmodtest flr BDF GEN SIZE        reset by FLR through config space
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

static uint64_t cfg_off;

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

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
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

/*
 * A process that keeps touching the mapping while resets run must never get
 * SIGBUS (its faults wait for the reset) and nothing may deadlock.
 */
static void case_touch_during_resets(const struct bar *b, const char *how,
				     int (*reset)(void))
{
	char n[128];
	uint8_t *p, x;
	pid_t pid;
	int st = 0, fails = 0;

	p = map_region(b, b->len, 2 * MIB, 0);
	if (p == MAP_FAILED)
		die("mmap");
	p[PAGE] = 0x42;
	pid = fork();
	if (pid == 0) {
		double end = now() + 3.0;
		long bus = 0, bad = 0;

		while (now() < end) {
			if (!touch_read(p + PAGE, &x))
				bus++;
			else if (x != 0x42)
				bad++;
		}
		_exit(bus ? 1 : bad ? 2 : 0);
	}
	for (int i = 0; i < 5; i++) {
		usleep(200000);
		if (reset())
			fails++;
	}
	waitpid(pid, &st, 0);
	snprintf(n, sizeof(n), "BAR4 a process touching the mapping during %s never gets SIGBUS", how);
	result(!fails && WIFEXITED(st) && WEXITSTATUS(st) == 0, n,
	       "%d reset(s) failed, child status 0x%x (1: SIGBUS, 2: wrong data)", fails, st);
	munmap(p, b->len);
}

static void case_bar_regs_after_reset(void)
{
	uint32_t lo = cfg_read(PCI_BASE_ADDRESS_4, 4);

	result((lo & ~0xfU) == 0 || lo == 0,
	       "VFIO_DEVICE_RESET clears the emulated BAR address", "BAR4 reads 0x%08x", lo);
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

static int cmd_matrix(const char *gen, const char *size)
{
	const struct bar *bars[2] = { &use, &res };
	const char *names[2] = { "BAR4", "BAR2" };

	common_setup(gen, size);
	case_cache_type(mem_base, use.len, "write-back", "BAR4");
	if (res.len)
		case_cache_type(mem_base + use.len, res.len, "write-combining", "BAR2");
	for (int i = 0; i < 2; i++) {
		if (!bars[i]->len) {
			case_passthrough_bar2();
			continue;
		}
		case_region_info(bars[i], names[i]);
		case_bar_sizing(bars[i], names[i]);
		case_rw_bounds(bars[i], names[i]);
		case_mmap(bars[i], names[i]);
		case_mem_enable(bars[i], names[i]);
	}
	case_fork(&use, "BAR4");
	case_low_power(&use, "BAR4");
	reset_case(&use, "BAR4", "VFIO_DEVICE_RESET", do_device_reset);
	case_bar_regs_after_reset();
	reset_case(&use, "BAR4", "VFIO_DEVICE_PCI_HOT_RESET", do_hot_reset);
	reset_case(&use, "BAR4", "sysfs reset (outside the fd)", do_sysfs_reset);
	case_touch_during_resets(&use, "VFIO_DEVICE_RESET", do_device_reset);
	case_touch_during_resets(&use, "sysfs resets", do_sysfs_reset);
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
	if (argc < 3)
		goto usage;
	bdf = argv[2];
	if (!strcmp(argv[1], "ready"))
		return cmd_ready();
	if (argc < 5)
		goto usage;
	if (argc > 5)
		mem_base = strtoull(argv[5], NULL, 0);
	if (!strcmp(argv[1], "matrix"))
		ret = cmd_matrix(argv[3], argv[4]);
	else if (!strcmp(argv[1], "flr"))
		ret = cmd_flr(argv[3], argv[4]);
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
