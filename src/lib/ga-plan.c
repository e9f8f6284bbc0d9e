// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The guest NUMA planner.
 *
 * Layout of a planned guest:
 *   - one NUMA cell per host CPU node (Grace socket) that holds a chosen GPU,
 *     in host node order, ids 0..ncells-1; vCPUs and RAM split evenly over
 *     them (the first cells take the remainder, RAM in whole MiB);
 *   - then, GPU by GPU in address order, that GPU's generic-initiator (GI)
 *     nodes, memoryless, numbered right after the cells;
 *   - a distance for every pair of guest nodes.
 *
 * How many GI nodes a GPU gets. The firmware tells the host driver through the
 * ACPI _DSD property "nvidia,gpu-mem-pxm-count" of the GPU's ACPI companion.
 * Linux does not export _DSD device properties to sysfs: the ACPI core turns
 * them into fwnode properties for drivers (drivers/acpi/property.c) and only
 * shows the paths of data-only subnodes (drivers/acpi/device_sysfs.c), so
 * there is no file to read: ga-acpi decodes the AML of
 * /sys/firmware/acpi/tables/{DSDT,SSDT*} instead. The count is ga_gi_count's
 * (ga-gi.h): --gi-nodes N, else the _DSD's, else the catalogue's (8 for
 * GH200 and GB200).
 *
 * Which host nodes hold a GPU's memory. The host lists them as CPU-less NUMA
 * nodes in /sys/devices/system/node, one block of consecutive ids per coherent
 * GPU (the firmware's PXM start/count). We find them like this:
 *   1. the CPU-less nodes, in id order, must split evenly over the host's
 *      coherent Grace GPUs (assignable or not); the quotient is the block size;
 *   2. each block belongs to the CPU node nearest to its first node (host
 *      distances; lowest id on a tie);
 *   3. per CPU node, blocks in id order are matched to that node's coherent
 *      GPUs in address order (a GPU's node is its numa_node attribute); the
 *      counts must agree.
 * If any step fails (no distances, uneven split, mismatch) the GPU's host
 * memory nodes are unknown and the distances touching its GI nodes come from
 * the default model below. Guest GI node m of a GPU stands for host node m
 * of its block (when the block has one).
 *
 * Distances. Between two cells: the host distance of their CPU nodes. Between
 * a cell and a GI node: the host distance of the cell's CPU node and the GI
 * node's host memory node. Between two GI nodes: the host distance of their
 * memory nodes. Where the host does not give one, the default model (the
 * values measured on GH200 hosts): 10 to itself, 40 between CPU nodes, 80
 * from a CPU node to the GI nodes of a GPU on the same socket, 120 to those on
 * another socket, 255 between GI nodes.
 *
 * MMIO. On aarch64 'virt' every GPU's 64-bit BARs must fit in the 64-bit PCI
 * window, 512 GiB by default. Each BAR counts rounded up to a power of two (the
 * variant driver presents the coherent memory as such a BAR), plus 1 GiB kept
 * for the guest's other devices. When that exceeds 512 GiB the plan asks for
 * the next power of two (QEMU's highmem-mmio-size must be one).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ga-acpi-dev.h"
#include "ga-ctx.h"
#include "ga-gpu.h"
#include "ga-plan.h"
#include "ga-util.h"

GA_ENUM_STRINGS(ga_arch, enum ga_arch, GA_ARCH_LAST,
		[GA_ARCH_AUTO] = "auto", [GA_ARCH_AARCH64] = "aarch64", [GA_ARCH_X86_64] = "x86_64")

const char *ga_arch_machine(enum ga_arch arch)
{
	return arch == GA_ARCH_X86_64 ? "q35" : "virt";
}

GA_ENUM_STRINGS(ga_plan_tie, enum ga_plan_tie, GA_PLAN_TIE_LAST,
		[GA_PLAN_TIE_HOST_NODE] = "host-node", [GA_PLAN_TIE_NUMATUNE] = "numatune",
		[GA_PLAN_TIE_CHOSEN] = "chosen")

GA_ENUM_STRINGS(ga_dist_source, enum ga_dist_source, GA_DIST_SOURCE_LAST,
		[GA_DIST_SOURCE_HOST] = "host", [GA_DIST_SOURCE_MIXED] = "host+model",
		[GA_DIST_SOURCE_MODEL] = "model")

void ga_plan_free(struct ga_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->ncells; i++) {
		free(plan->cells[i].host_cpus);
		free(plan->cells[i].vcpu_list);
		free(plan->cells[i].vcpu_ids);
	}
	for (size_t i = 0; i < plan->ngpus; i++) {
		free(plan->gpus[i].host_mem_nodes);
		free(plan->gpus[i].peers);
	}
	free(plan->cells);
	free(plan->gpus);
	free(plan->distance);
	free(plan);
}

char *ga_idlist_format(const unsigned *ids, size_t n, char *buf, size_t size)
{
	size_t used = 0;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < n && used < size;) {
		size_t j = i;
		int w;

		while (j + 1 < n && ids[j + 1] == ids[j] + 1)
			j++;
		if (j == i)
			w = snprintf(buf + used, size - used, "%s%u", used ? "," : "", ids[i]);
		else
			w = snprintf(buf + used, size - used, "%s%u-%u", used ? "," : "", ids[i], ids[j]);
		if (w < 0)
			break;
		used += (size_t)w;
		i = j + 1;
	}
	return buf;
}

static bool is_coherent_gpu(const struct ga_pci_dev *dev)
{
	const struct ga_catalog_entry *m = ga_catalog_lookup(dev->vendor, dev->device);

	return m && m->coherent && m->gi_nodes && (dev->class >> 16) == GA_PCI_CLASS_DISPLAY;
}

static bool is_cpu_node(const struct ga_host *host, int id)
{
	const struct ga_numa_node *n = ga_host_find_node(host, id);

	return n && n->ncpus > 0;
}

/* The CPU node nearest to host node id, -1 if distances are missing. */
static int nearest_cpu_node(const struct ga_host *host, int id)
{
	int best = -1, best_d = 0;

	for (size_t i = 0; i < host->nnodes; i++) {
		int d;

		if (!host->nodes[i].ncpus)
			continue;
		d = ga_host_node_distance(host, host->nodes[i].id, id);
		if (d <= 0)
			return -1;
		if (best < 0 || d < best_d) {
			best = host->nodes[i].id;
			best_d = d;
		}
	}
	return best;
}

int ga_plan_gpu_mem_nodes(struct ga_ctx *ctx, const struct ga_host *host, const struct ga_pci_dev *dev,
			  int **out, unsigned *n)
{
	_cleanup_free_ int *memless = NULL;
	_cleanup_free_ int *block_home = NULL;
	size_t nmemless = 0, ngpus = 0, nblocks, bsize;
	int *nodes;

	*out = NULL;
	*n = 0;
	if (!is_coherent_gpu(dev))
		return -ENOENT;
	for (size_t i = 0; i < host->ndevs; i++)
		ngpus += is_coherent_gpu(&host->devs[i]);
	memless = calloc(host->nnodes ? host->nnodes : 1, sizeof(*memless));
	if (!memless)
		return ga_report(ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < host->nnodes; i++)
		if (!host->nodes[i].ncpus)
			memless[nmemless++] = host->nodes[i].id;
	if (!ngpus || !nmemless || nmemless % ngpus)
		return -ENOENT;
	nblocks = ngpus;
	bsize = nmemless / ngpus;
	block_home = calloc(nblocks, sizeof(*block_home));
	if (!block_home)
		return ga_report(ctx, -ENOMEM, "out of memory");
	for (size_t b = 0; b < nblocks; b++) {
		block_home[b] = nearest_cpu_node(host, memless[b * bsize]);
		if (block_home[b] < 0)
			return -ENOENT;
	}
	if (dev->numa_node < 0 || !is_cpu_node(host, dev->numa_node))
		return -ENOENT;

	/* The rank of dev among the coherent GPUs of its node, and their count. */
	size_t rank = 0, on_node = 0, blocks_on_node = 0;

	for (size_t i = 0; i < host->ndevs; i++) {
		const struct ga_pci_dev *d = &host->devs[i];

		if (!is_coherent_gpu(d) || d->numa_node != dev->numa_node)
			continue;
		if (ga_pci_addr_cmp(&d->addr, &dev->addr) < 0)
			rank++;
		on_node++;
	}
	for (size_t b = 0; b < nblocks; b++)
		blocks_on_node += block_home[b] == dev->numa_node;
	if (blocks_on_node != on_node)
		return -ENOENT;
	for (size_t b = 0; b < nblocks; b++) {
		if (block_home[b] != dev->numa_node)
			continue;
		if (rank--)
			continue;
		nodes = malloc(bsize * sizeof(*nodes));
		if (!nodes)
			return ga_report(ctx, -ENOMEM, "out of memory");
		memcpy(nodes, &memless[b * bsize], bsize * sizeof(*nodes));
		*out = nodes;
		*n = (unsigned)bsize;
		return 0;
	}
	return -ENOENT;
}

/* The GPUs to plan for, sorted, each checked to be an assignable Grace GPU. */
static int collect_gpus(struct ga_ctx *ctx, const struct ga_host *host, const struct ga_plan_request *req,
			struct ga_pci_addr **out, size_t *n)
{
	_cleanup_free_ struct ga_pci_addr *addrs = NULL;
	size_t count = 0;

	*out = NULL;
	*n = 0;
	if (req->all_gpus) {
		addrs = calloc(host->ndevs ? host->ndevs : 1, sizeof(*addrs));
		if (!addrs)
			return ga_report(ctx, -ENOMEM, "out of memory");
		for (size_t i = 0; i < host->ndevs; i++) {
			struct ga_gpu gpu;
			bool ok;
			int r;

			if (!is_coherent_gpu(&host->devs[i]))
				continue;
			r = ga_gpu_assess(ctx, host, &host->devs[i], &gpu);
			if (r < 0)
				return r;
			ok = ga_gpu_is_assignable(&gpu);
			ga_gpu_clear(&gpu);
			if (ok)
				addrs[count++] = host->devs[i].addr;
		}
		if (!count)
			return ga_report(ctx, -ENODEV,
					 "no assignable Grace GPU on this host for '--gpu all' (see 'gpu-assign list' for why)");
	} else {
		if (!req->ngpus)
			return ga_report(ctx, -EINVAL, "no GPU given (give --gpu ADDRESS, several times, or --gpu all)");
		addrs = calloc(req->ngpus, sizeof(*addrs));
		if (!addrs)
			return ga_report(ctx, -ENOMEM, "out of memory");
		memcpy(addrs, req->gpus, req->ngpus * sizeof(*addrs));
		count = req->ngpus;
		ga_pci_addr_sort(addrs, count);
		for (size_t i = 1; i < count; i++) {
			if (ga_pci_addr_equal(&addrs[i - 1], &addrs[i])) {
				char name[GA_PCI_ADDR_STRLEN];

				return ga_report(ctx, -EINVAL, "GPU '%s' is given twice (give each GPU once)",
						 ga_pci_addr_format(&addrs[i], name));
			}
		}
	}
	*out = steal_ptr(addrs);
	*n = count;
	return 0;
}

static uint64_t roundup_pow2(uint64_t v)
{
	uint64_t p = 1;

	while (p < v && p < (UINT64_C(1) << 63))
		p <<= 1;
	return p;
}

uint64_t ga_plan_bar_bytes(const struct ga_pci_bar bars[GA_PCI_NUM_BARS])
{
	uint64_t sum = 0;

	for (int i = 0; i < GA_PCI_NUM_BARS; i++) {
		const struct ga_pci_bar *bar = &bars[i];

		if (bar->size && !bar->is_io && bar->is_64bit)
			sum += roundup_pow2(bar->size);
	}
	return sum;
}

/*
 * The GPU's GI count (ga_gi_count) and what the host's firmware says of it
 * (its _DSD). When the tables cannot tell (not root, no static _DSD), the
 * catalogue's count stands; the first such GPU of a plan says why, once.
 */
static void gi_count(struct ga_ctx *ctx, struct ga_acpi_cache *cache, const struct ga_plan_request *req,
		     struct ga_plan_gpu *pg, bool *warned)
{
	const struct ga_gi_query q = {
		.pci_name = pg->name,
		.catalogue = pg->model->gi_nodes,
		.given = req->gi_nodes,
		.given_by = req->gi_from_config ? GA_GI_SOURCE_CONFIG : GA_GI_SOURCE_OPTION,
	};
	struct ga_gi_acpi a;
	const struct ga_acpi_gpu_mem *m = &a.mem;

	pg->gi_source = ga_gi_count(ctx, cache, &q, &pg->ngi, &a);
	if (a.r < 0) {
		if (!req->gi_nodes && !*warned)
			ga_warn(ctx, "GPU '%s': GI node count from the catalogue, not the host's ACPI _DSD: %s",
				pg->name, a.why);
		*warned = true;
		return;
	}
	pg->acpi_known = true;
	snprintf(pg->acpi_table, sizeof(pg->acpi_table), "%s", m->table);
	if (m->has_base && m->has_size && ga_acpi_int_seen(m, m->base_pa) && ga_acpi_int_seen(m, m->size)) {
		pg->mem_base = m->base_pa;
		pg->mem_size = m->size;
	}
	if (m->has_pxm_start && ga_acpi_int_seen(m, m->pxm_start) && m->pxm_start <= UINT32_MAX) {
		pg->has_pxm_start = true;
		pg->pxm_start = (unsigned)m->pxm_start;
	}
	pg->has_pxm = a.has_count;
	pg->pxm_count = a.count;
	if (!a.has_count && m->has_pxm_count && !req->gi_nodes)
		ga_warn(ctx, "GPU '%s': the host's _DSD in %s gives %" PRIu64 " GPU memory proximity domains, which cannot be GI nodes; using the catalogue's %u (override with --gi-nodes)",
			pg->name, m->table, m->pxm_count, pg->ngi);
}

static int fill_gpu(struct ga_ctx *ctx, const struct ga_host *host, const struct ga_plan_request *req,
		    const struct ga_pci_addr *addr, struct ga_acpi_cache *acpi, bool *acpi_warned,
		    struct ga_plan_gpu *pg)
{
	struct ga_gpu gpu;
	const struct ga_pci_dev *dev;
	int r;

	r = ga_gpu_require(ctx, host, addr, &gpu);
	if (r < 0)
		return r;
	dev = gpu.dev;
	pg->addr = *addr;
	pg->model = gpu.model;
	pg->iommu_group = dev->iommu_group;
	pg->npeers = (unsigned)gpu.npeers;
	pg->peers = steal_ptr(gpu.peers);
	snprintf(pg->driver, sizeof(pg->driver), "%s", gpu.driver);
	ga_gpu_clear(&gpu);
	ga_pci_addr_format(addr, pg->name);
	if (!pg->model->coherent || !pg->model->gi_nodes)
		return ga_report(ctx, -GA_E_NOT_GPU,
				 "GPU '%s' (%s) is not a Grace GPU: gpu-assign plans coherent GH200/GB200 GPUs only (assign a discrete GPU with a plain <hostdev>)",
				 pg->name, pg->model->name);
	snprintf(pg->alias, sizeof(pg->alias), GA_ALIAS_PREFIX "%04x-%02x-%02x-%x", addr->domain, addr->bus,
		 addr->slot, addr->func);
	gi_count(ctx, acpi, req, pg, acpi_warned);
	pg->bar_bytes = ga_plan_bar_bytes(dev->bars);

	r = ga_plan_gpu_mem_nodes(ctx, host, dev, &pg->host_mem_nodes, &pg->nhost_mem_nodes);
	if (r == -ENOMEM)
		return r;

	/* The GPU's socket: its numa_node, else the home of its memory block. */
	pg->host_node = -1;
	if (dev->numa_node >= 0 && is_cpu_node(host, dev->numa_node))
		pg->host_node = dev->numa_node;
	else if (pg->host_mem_nodes)
		pg->host_node = nearest_cpu_node(host, pg->host_mem_nodes[0]);
	if (pg->host_node < 0) {
		for (size_t i = 0; i < host->nnodes && pg->host_node < 0; i++)
			if (host->nodes[i].ncpus)
				pg->host_node = host->nodes[i].id;
		if (pg->host_node < 0)
			return ga_report(ctx, -ENODEV,
					 "the host shows no NUMA node with CPUs (is /sys/devices/system/node readable?)");
		ga_warn(ctx, "GPU '%s' reports no usable NUMA node (%d): placing it on host node %d", pg->name,
			dev->numa_node, pg->host_node);
	}
	return 0;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int make_cells(struct ga_ctx *ctx, const struct ga_host *host, const struct ga_plan_request *req,
		      struct ga_plan *plan)
{
	_cleanup_free_ int *nodes = calloc(plan->ngpus, sizeof(int));
	uint64_t total_mib, base_mib, extra_mib;
	size_t n = 0;

	if (!nodes)
		return ga_report(ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < plan->ngpus; i++)
		nodes[n++] = plan->gpus[i].host_node;
	qsort(nodes, n, sizeof(*nodes), cmp_int);
	plan->cells = calloc(n, sizeof(*plan->cells));
	if (!plan->cells)
		return ga_report(ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (i && nodes[i] == nodes[i - 1])
			continue;
		plan->cells[plan->ncells].id = (unsigned)plan->ncells;
		plan->cells[plan->ncells].host_node = nodes[i];
		plan->ncells++;
	}

	if (req->vcpus == 0)
		return ga_report(ctx, -EINVAL, "invalid vCPU count 0: give at least one vCPU per guest NUMA cell (%zu)",
				 plan->ncells);
	if (req->vcpus > host->ncpus)
		return ga_report(ctx, -EINVAL,
				 "cannot give the guest %u vCPUs: the host has %u CPUs (ask for at most %u)",
				 req->vcpus, host->ncpus, host->ncpus);
	if (req->vcpus < plan->ncells)
		return ga_report(ctx, -EINVAL,
				 "cannot spread %u vCPUs over %zu guest NUMA cells (one per Grace socket of the chosen GPUs): ask for at least %zu",
				 req->vcpus, plan->ncells, plan->ncells);
	/* whole MiB split evenly; what is left of a size libvirt gives in KiB goes to the first cell */
	total_mib = req->memory_kib / 1024;
	if (total_mib < plan->ncells)
		return ga_report(ctx, -EINVAL,
				 "cannot spread %" PRIu64 " MiB over %zu guest NUMA cells: give at least %zu MiB",
				 total_mib, plan->ncells, plan->ncells);
	base_mib = total_mib / plan->ncells;
	extra_mib = total_mib % plan->ncells;

	unsigned vcpu = 0;
	unsigned base_cpus = req->vcpus / (unsigned)plan->ncells;
	unsigned extra_cpus = req->vcpus % (unsigned)plan->ncells;

	for (size_t i = 0; i < plan->ncells; i++) {
		struct ga_plan_cell *cell = &plan->cells[i];
		const struct ga_numa_node *hn = ga_host_find_node(host, cell->host_node);

		cell->first_vcpu = vcpu;
		cell->nvcpus = base_cpus + (i < extra_cpus);
		vcpu += cell->nvcpus;
		cell->memory_kib = (base_mib + (i < extra_mib)) * 1024 + (i == 0 ? req->memory_kib % 1024 : 0);
		cell->host_cpus = strdup(hn ? hn->cpulist : "");
		if (!cell->host_cpus)
			return ga_report(ctx, -ENOMEM, "out of memory");
		if (!hn)
			continue;
		if (cell->memory_kib > hn->mem_total_kib)
			return ga_report(ctx, -EINVAL,
					 "cannot give guest NUMA cell %u %" PRIu64 " MiB: its host node %d has only %" PRIu64 " MiB (ask for at most %" PRIu64 " MiB in all)",
					 cell->id, cell->memory_kib / 1024, cell->host_node, hn->mem_total_kib / 1024,
					 (hn->mem_total_kib / 1024) * plan->ncells);
		if (req->pin && cell->nvcpus > hn->ncpus)
			return ga_report(ctx, -EINVAL,
					 "cannot pin %u vCPUs of guest NUMA cell %u to host node %d: it has %u CPUs",
					 cell->nvcpus, cell->id, cell->host_node, hn->ncpus);
	}
	for (size_t g = 0; g < plan->ngpus; g++)
		for (size_t c = 0; c < plan->ncells; c++)
			if (plan->cells[c].host_node == plan->gpus[g].host_node)
				plan->gpus[g].cell = (unsigned)c;
	return 0;
}

static bool has_node(const unsigned *nodes, size_t n, int node)
{
	for (size_t i = 0; i < n; i++)
		if (node >= 0 && nodes[i] == (unsigned)node)
			return true;
	return false;
}

/* cell's host node and the host's cpulist for it (empty when unknown) */
static int set_cell_host(struct ga_ctx *ctx, const struct ga_host *host, struct ga_plan_cell *cell, int node)
{
	const struct ga_numa_node *hn = node >= 0 ? ga_host_find_node(host, node) : NULL;

	cell->host_node = node;
	free(cell->host_cpus);
	cell->host_cpus = strdup(hn ? hn->cpulist : "");
	return cell->host_cpus ? 0 : ga_report(ctx, -ENOMEM, "out of memory");
}

/* Each GPU to a user's cell: by memnode, else the planner's choice (see make_user_cells). */
static void tie_gpus(struct ga_ctx *ctx, const struct ga_plan_request *req, struct ga_plan *plan,
		     const unsigned *free_cells, size_t nfree)
{
	int nodes[GA_PLAN_MAX_NODES];
	size_t nnodes = 0;

	/* by memnode */
	for (size_t g = 0; g < plan->ngpus; g++) {
		struct ga_plan_gpu *pg = &plan->gpus[g];

		pg->tie = GA_PLAN_TIE_CHOSEN;
		for (size_t c = 0; c < plan->ncells; c++) {
			const struct ga_plan_user_cell *u = &req->user_cells[c];

			if (u->nvcpus && has_node(u->host_nodes, u->nhost_nodes, pg->host_node)) {
				pg->cell = (unsigned)c;
				pg->tie = GA_PLAN_TIE_NUMATUNE;
				break;
			}
		}
		if (pg->tie == GA_PLAN_TIE_CHOSEN && nnodes < GA_PLAN_MAX_NODES)
			nodes[nnodes++] = pg->host_node;
	}
	/* the planner's choice for the rest: host nodes in id order, round robin over the free cells */
	qsort(nodes, nnodes, sizeof(*nodes), cmp_int);
	for (size_t g = 0; g < plan->ngpus; g++) {
		struct ga_plan_gpu *pg = &plan->gpus[g];
		size_t rank = 0;

		if (pg->tie != GA_PLAN_TIE_CHOSEN)
			continue;
		for (size_t k = 0; k < nnodes; k++) {
			if (nodes[k] == pg->host_node)
				break;
			if (!k || nodes[k] != nodes[k - 1])
				rank++;
		}
		pg->cell = free_cells[rank % nfree];
		ga_warn(ctx,
			"GPU '%s' (host node %d): no <numatune><memnode> of the domain names that node, so gpu-assign tied it to guest cell %u (add <memnode cellid='N' mode='strict' nodeset='%d'/> to choose the cell)",
			pg->name, pg->host_node, pg->cell, pg->host_node);
	}
}

/*
 * The domain's own cells, kept as they are. A GPU goes to the first cell
 * with vCPUs whose <numatune><memnode> holds the GPU's host node; where none
 * does, the planner chooses: the host nodes of such GPUs in id order take the
 * CPU cells without a memnode in id order (all CPU cells when every one has a
 * memnode), round robin, and a warning says so. A cell stands for the host
 * node of its memnode, else for that of the first GPU tied to it.
 */
static int make_user_cells(struct ga_ctx *ctx, const struct ga_host *host, const struct ga_plan_request *req,
			   struct ga_plan *plan)
{
	_cleanup_free_ unsigned *free_cells = NULL;
	size_t nfree = 0;
	uint64_t total = 0;
	int r;

	if (req->pin)
		return ga_report(ctx, -EINVAL,
				 "--pin cannot pin a domain that has guest NUMA cells of its own: pin them in its <cputune> and <numatune> (or drop --pin)");
	plan->cells = calloc(req->nuser_cells, sizeof(*plan->cells));
	free_cells = calloc(req->nuser_cells, sizeof(*free_cells));
	if (!plan->cells || !free_cells)
		return ga_report(ctx, -ENOMEM, "out of memory");
	plan->user_cells = true;
	plan->no_distances = !req->user_distances;
	for (size_t i = 0; i < req->nuser_cells; i++) {
		const struct ga_plan_user_cell *u = &req->user_cells[i];
		struct ga_plan_cell *cell = &plan->cells[plan->ncells];
		char buf[1024];

		/* sorted by id (ga_domxml_read_info): libvirt wants the ids 0 to N-1, each once */
		if (u->id < i)
			return ga_report(ctx, -EINVAL,
					 "two of the domain's guest NUMA cells have id %u, but libvirt needs the ids 0 to %zu, each once: renumber them",
					 u->id, req->nuser_cells - 1);
		if (u->id > i)
			return ga_report(ctx, -EINVAL,
					 "none of the domain's guest NUMA cells has id %zu, but libvirt needs the ids 0 to %zu, each once: renumber them",
					 i, req->nuser_cells - 1);
		plan->ncells++;
		cell->id = u->id;
		cell->first_vcpu = u->nvcpus ? u->vcpus[0] : 0;
		cell->nvcpus = (unsigned)u->nvcpus;
		cell->memory_kib = u->memory_kib;
		total += u->memory_kib;
		for (size_t v = 0; v < u->nvcpus; v++)
			if (u->vcpus[v] >= req->vcpus)
				return ga_report(ctx, -EINVAL,
						 "the domain's guest NUMA cell %u has vCPU %u, but the domain has %u vCPUs: fix its cpus or its <vcpu>",
						 u->id, u->vcpus[v], req->vcpus);
		cell->vcpu_list = strdup(ga_idlist_format(u->vcpus, u->nvcpus, buf, sizeof(buf)));
		cell->vcpu_ids = calloc(u->nvcpus ? u->nvcpus : 1, sizeof(*cell->vcpu_ids));
		if (cell->vcpu_ids && u->nvcpus)
			memcpy(cell->vcpu_ids, u->vcpus, u->nvcpus * sizeof(*cell->vcpu_ids));
		if (!cell->vcpu_list || !cell->vcpu_ids)
			return ga_report(ctx, -ENOMEM, "out of memory");
		r = set_cell_host(ctx, host, cell, u->nhost_nodes ? (int)u->host_nodes[0] : -1);
		if (r < 0)
			return r;
		if (u->nvcpus && !u->nhost_nodes)
			free_cells[nfree++] = (unsigned)i;
	}
	if (total)
		plan->memory_kib = total;
	if (!nfree) {
		for (size_t i = 0; i < plan->ncells; i++)
			if (plan->cells[i].nvcpus)
				free_cells[nfree++] = (unsigned)i;
	}
	if (!nfree)
		return ga_report(ctx, -EINVAL,
				 "none of the domain's guest NUMA cells has vCPUs, so no GPU can be tied to one: give a cell cpus");

	tie_gpus(ctx, req, plan, free_cells, nfree);
	/* a cell without memnode stands for its first GPU's host node */
	for (size_t g = 0; g < plan->ngpus; g++) {
		struct ga_plan_cell *cell = &plan->cells[plan->gpus[g].cell];

		if (cell->host_node < 0) {
			r = set_cell_host(ctx, host, cell, plan->gpus[g].host_node);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/* Host node standing for guest node id, or -1; *cell set when it is a CPU cell. */
static int guest_host_node(const struct ga_plan *plan, unsigned id, bool *cell, int *gpu_host_node)
{
	if (id < plan->ncells) {
		*cell = true;
		*gpu_host_node = plan->cells[id].host_node;
		return plan->cells[id].host_node;
	}
	*cell = false;
	for (size_t g = 0; g < plan->ngpus; g++) {
		const struct ga_plan_gpu *pg = &plan->gpus[g];

		if (id < pg->first_gi || id >= pg->first_gi + pg->ngi)
			continue;
		*gpu_host_node = pg->host_node;
		if (pg->host_mem_nodes && id - pg->first_gi < pg->nhost_mem_nodes)
			return pg->host_mem_nodes[id - pg->first_gi];
		return -1;
	}
	*gpu_host_node = -1;
	return -1;
}

static void make_distances(const struct ga_host *host, struct ga_plan *plan)
{
	unsigned from_host = 0, from_model = 0;

	for (unsigned i = 0; i < plan->nnodes; i++) {
		for (unsigned j = 0; j < plan->nnodes; j++) {
			bool ci, cj;
			int si, sj;
			int hi = guest_host_node(plan, i, &ci, &si);
			int hj = guest_host_node(plan, j, &cj, &sj);
			int d = -1;

			if (i == j) {
				plan->distance[i * plan->nnodes + j] = GA_DIST_SELF;
				continue;
			}
			if (hi >= 0 && hj >= 0 && hi != hj)
				d = ga_host_node_distance(host, hi, hj);
			if (d > GA_DIST_SELF && d <= 255) {
				from_host++;
			} else {
				if (ci && cj)
					d = GA_DIST_CPU_CPU;
				else if (!ci && !cj)
					d = GA_DIST_GI_GI;
				else
					d = si == sj ? GA_DIST_CPU_GI_LOCAL : GA_DIST_CPU_GI_REMOTE;
				from_model++;
			}
			plan->distance[i * plan->nnodes + j] = (uint8_t)d;
		}
	}
	if (!from_model)
		plan->dist_source = GA_DIST_SOURCE_HOST;
	else if (!from_host)
		plan->dist_source = GA_DIST_SOURCE_MODEL;
	else
		plan->dist_source = GA_DIST_SOURCE_MIXED;
}

int ga_plan_build(struct ga_ctx *ctx, const struct ga_host *host, const struct ga_plan_request *req,
		  struct ga_plan **out)
{
	_cleanup_free_ struct ga_pci_addr *addrs = NULL;
	_cleanup_plan_ struct ga_plan *plan = NULL;
	_cleanup_(ga_acpi_cache_clear) struct ga_acpi_cache acpi = { 0 };
	bool acpi_warned = false;
	uint64_t bars = 0;
	size_t n;
	unsigned next;
	int r;

	*out = NULL;
	if (req->gi_nodes > GA_PLAN_MAX_NODES - 1)
		return ga_report(ctx, -EINVAL, "invalid GI node count %u: at most %d per GPU", req->gi_nodes,
				 GA_PLAN_MAX_NODES - 1);
	if (req->memory_kib == 0)
		return ga_report(ctx, -EINVAL, "no guest memory size given (give e.g. --memory 64G)");
	r = collect_gpus(ctx, host, req, &addrs, &n);
	if (r < 0)
		return r;
	plan = calloc(1, sizeof(*plan));
	if (!plan)
		return ga_report(ctx, -ENOMEM, "out of memory");
	plan->gpus = calloc(n, sizeof(*plan->gpus));
	if (!plan->gpus)
		return ga_report(ctx, -ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		r = fill_gpu(ctx, host, req, &addrs[i], &acpi, &acpi_warned, &plan->gpus[i]);
		plan->ngpus = i + 1;
		if (r < 0)
			return r;
		if (plan->gpus[i].gi_source == GA_GI_SOURCE_CATALOG && plan->gpus[i].host_mem_nodes &&
		    plan->gpus[i].nhost_mem_nodes != plan->gpus[i].ngi)
			ga_warn(ctx,
				"GPU '%s': the host shows %u memory nodes for it but the catalogue says %u GI nodes; using %u (override with --gi-nodes)",
				plan->gpus[i].name, plan->gpus[i].nhost_mem_nodes, plan->gpus[i].ngi, plan->gpus[i].ngi);
	}
	plan->vcpus = req->vcpus;
	plan->memory_kib = req->memory_kib;
	plan->pin = req->pin;
	plan->arch = req->arch == GA_ARCH_AUTO ? GA_ARCH_AARCH64 : req->arch;

	if (req->nuser_cells)
		r = make_user_cells(ctx, host, req, plan);
	else
		r = make_cells(ctx, host, req, plan);
	if (r < 0)
		return r;

	next = (unsigned)plan->ncells;
	for (size_t i = 0; i < plan->ngpus; i++) {
		plan->gpus[i].first_gi = next;
		next += plan->gpus[i].ngi;
		if (next > GA_PLAN_MAX_NODES)
			return ga_report(ctx, -EINVAL,
					 "the plan needs more than %d guest NUMA nodes (%zu cells + %u GI nodes per GPU x %zu GPUs), QEMU's limit: assign fewer GPUs or lower --gi-nodes",
					 GA_PLAN_MAX_NODES, plan->ncells, plan->gpus[i].ngi, plan->ngpus);
		bars += plan->gpus[i].bar_bytes;
	}
	plan->nnodes = next;
	plan->distance = calloc((size_t)plan->nnodes * plan->nnodes, 1);
	if (!plan->distance)
		return ga_report(ctx, -ENOMEM, "out of memory");
	make_distances(host, plan);

	plan->mmio_needed = bars + GA_PLAN_MMIO_RESERVE;
	plan->mmio_window = 0;
	if (plan->mmio_needed > GA_PLAN_VIRT_DEFAULT_MMIO || plan->arch == GA_ARCH_X86_64)
		plan->mmio_window = roundup_pow2(plan->mmio_needed);
	*out = steal_ptr(plan);
	return 0;
}
