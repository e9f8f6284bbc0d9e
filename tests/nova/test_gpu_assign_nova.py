# SPDX-License-Identifier: LGPL-2.1-or-later
"""Grace GPUs through Nova's own functional harness (tests/nova/run).

Nova's real API, scheduler, conductor, compute manager and libvirt driver
run in one process against Nova's fake libvirt (nova.tests.functional.
libvirt.base). The compute host is built from a sample host's generated
sysfs tree (tests/hosts/, quad-gh200): its PCI functions (address, vendor,
product, NUMA node, IOMMU group, driver) and its CPU NUMA nodes (CPUs and
memory). Nova is configured only from what `gpu-assign nova-config` printed
for that host; the flavors are the ones it printed.

The domain XML each server gets is taken from the fake connection's
defineXML, as Nova wrote it, into $GA_NOVA_OUT; tests/nova/run checks it
with the hook. Run once with Nova as Debian ships it and once with
contrib/nova/ applied ($GA_NOVA_EXTENSION=1).

Environment (set by tests/nova/run):
  GA_NOVA_CONFIG     the text `gpu-assign nova-config` printed
  GA_NOVA_SYSFS      the sample host's sys directory
  GA_NOVA_OUT        where the captured XML goes
  GA_NOVA_EXTENSION  1 when contrib/nova/ is applied
  GA_NOVA_COMMAND    the gpu-assign command nova-compute runs (a wrapper
                     that runs the build on the sample host)
  GA_NOVA_LIBVIRT / GA_NOVA_QEMU  versions the fake libvirt reports
"""

import os
import re
import shlex

import fixtures

from nova import context as nova_context
from nova import objects

from nova.tests.fixtures import libvirt as fakelibvirt
from nova.tests.functional.libvirt import base
from nova.virt.libvirt import config as vconfig
from nova.virt.libvirt import host as libvirt_host


def parse_nova_config(text):
    """The nova.conf options, scheduler filters and flavors nova-config printed.

    Returns (options, filters, flavors): options maps (group, key) to a list
    of values (repeated keys such as [pci] device_spec keep every value),
    filters lists the filter names the operator is told to enable, flavors
    lists the extra-spec dictionaries of the printed flavor commands.
    """
    options, filters, flavors = {}, [], []
    group = None
    for line in text.splitlines():
        m = re.match(r'^\[(\w+)\]$', line)
        if m:
            group = m.group(1)
            continue
        m = re.match(r'^#.*\benabled_filters\b(.*)$', line)
        if m:
            filters += re.findall(r'\b(\w+Filter)\b', m.group(1))
            continue
        if line.startswith('openstack flavor set '):
            words = shlex.split(line)
            specs = {}
            for i, w in enumerate(words):
                if w == '--property':
                    k, v = words[i + 1].split('=', 1)
                    specs[k] = v
            flavors.append(specs)
            continue
        if not line.strip():
            group = group if group else None
            continue
        if line.startswith('#'):
            continue
        m = re.match(r'^(\w+) = (.*)$', line)
        if m and group:
            options.setdefault((group, m.group(1)), []).append(m.group(2))
    return options, filters, flavors


def read(path):
    with open(path) as f:
        return f.read().strip()


def parse_cpulist(text):
    cpus = []
    for part in text.split(','):
        if not part:
            continue
        lo, _, hi = part.partition('-')
        cpus += range(int(lo), int(hi or lo) + 1)
    return cpus


class SampleHostPCIDevice(fakelibvirt.FakePCIDevice):
    """A fake libvirt node device with a PCI domain (Nova's fake has only 0000)."""

    def __init__(self, pci_domain, *args, **kwargs):
        self.pci_domain = pci_domain
        super().__init__(*args, **kwargs)

    def generate_xml(self, skip_capability=False):
        super().generate_xml(skip_capability)
        d = self.pci_domain
        x = self.pci_device
        x = x.replace('<name>pci_0000_', '<name>pci_%04x_' % d)
        x = x.replace('<domain>0</domain>', '<domain>%d</domain>' % d)
        x = x.replace("domain='0x0000'", "domain='0x%04x'" % d)
        x = x.replace('/0000:%02x:' % self.bus, '/%04x:%02x:' % (d, self.bus))
        self.pci_device = x

    @property
    def address(self):
        return '%04x:%02x:%02x.%1x' % (self.pci_domain, self.bus, self.slot, self.function)


def sample_host_pci(sysfs):
    """The sample host's PCI functions (bridges left out) as fake node devices."""
    info = fakelibvirt.HostPCIDevicesInfo(num_pci=0, num_pfs=0, num_vfs=0)
    root = os.path.join(sysfs, 'bus/pci/devices')
    for name in sorted(os.listdir(root)):
        dev = os.path.join(root, name)
        if int(read(os.path.join(dev, 'class')), 16) >> 8 == 0x0604:
            continue
        dom, bus, slotfn = name.split(':')
        slot, fn = slotfn.split('.')
        driver = os.path.basename(os.readlink(os.path.join(dev, 'driver')))
        group = int(os.path.basename(os.readlink(os.path.join(dev, 'iommu_group'))))
        d = SampleHostPCIDevice(
            int(dom, 16), dev_type='PCI', bus=int(bus, 16), slot=int(slot, 16), function=int(fn),
            iommu_group=group, numa_node=int(read(os.path.join(dev, 'numa_node'))),
            vend_id=read(os.path.join(dev, 'vendor'))[2:], prod_id=read(os.path.join(dev, 'device'))[2:],
            vend_name='sample host', prod_name='sample host function', driver_name=driver)
        info.devices['pci_%s_%s_%s_%s' % (dom, bus, slot, fn)] = d
    return info


def sample_host_info(sysfs):
    """A HostInfo whose NUMA cells are the sample host's CPU nodes (CPUs, memory)."""
    nodes = os.path.join(sysfs, 'devices/system/node')
    cells = []
    for name in sorted(os.listdir(nodes), key=lambda n: int(n[4:]) if n[4:].isdigit() else -1):
        if not re.match(r'^node\d+$', name):
            continue
        cpus = parse_cpulist(read(os.path.join(nodes, name, 'cpulist')))
        if not cpus:
            continue  # the GPU memory nodes: Nova's fake has no CPU-less cells
        mem = int(re.search(r'MemTotal:\s+(\d+) kB', read(os.path.join(nodes, name, 'meminfo'))).group(1))
        cells.append((int(name[4:]), cpus, mem))
    ncpus = sum(len(c[1]) for c in cells)
    info = fakelibvirt.HostInfo(cpu_nodes=len(cells), cpu_sockets=1, cpu_cores=ncpus // len(cells),
                                cpu_threads=1, kB_mem=sum(c[2] for c in cells))
    topo = vconfig.LibvirtConfigCapsNUMATopology()
    for socket, (cid, cpus, mem) in enumerate(cells):
        cell = vconfig.LibvirtConfigCapsNUMACell()
        cell.id = cid
        cell.memory = mem
        for core, c in enumerate(cpus):
            cpu = vconfig.LibvirtConfigCapsNUMACPU()
            cpu.id = c
            cpu.socket_id = socket
            cpu.core_id = core
            cpu.siblings = {c}
            cell.cpus.append(cpu)
        cell.mempages = fakelibvirt.create_mempages([(4, mem // 4)])
        topo.cells.append(cell)
    info.numa_topology = topo
    return info, ncpus


def version_int(text):
    major, minor, micro = (text.split('.') + ['0', '0'])[:3]
    return int(major) * 1000000 + int(minor) * 1000 + int(micro)


class GraceGPUServersTest(base.ServersTestBase):
    """Servers with 0, 1 and all Grace GPUs of the sample host."""

    ADMIN_API = True
    microversion = 'latest'

    def setUp(self):
        self.env = os.environ
        with open(self.env['GA_NOVA_CONFIG']) as f:
            self.options, filters, self.gpu_flavors = parse_nova_config(f.read())
        # the filters the operator is told to add, on top of Nova's defaults
        self.ADDITIONAL_FILTERS = filters
        for (group, key), values in self.options.items():
            if group == 'pci' and key in ('device_spec', 'alias'):
                self.flags(**{key: values, 'group': group})
            elif group == 'gpu_assign':
                continue  # registered by the extension; set below
            else:
                self.flags(**{key: values[-1], 'group': group})
        self.assertTrue(self.options.get(('pci', 'device_spec')), 'nova-config printed no device_spec')
        # Debian keeps api-paste.ini in /etc/nova (nova-common), not beside the sources
        self.flags(api_paste_config='/etc/nova/api-paste.ini', group='wsgi')
        # The fake host is x86_64 (a Grace host is aarch64, where Nova's machine
        # is 'virt'): q35, the machine the stack tests mirror aarch64 to, not
        # Nova's x86 default 'pc', which has no PCIe for the GPUs.
        self.flags(hw_machine_type=['x86_64=q35'], group='libvirt')
        # A by-address device_spec makes Nova ask sysfs whether the function
        # is an SR-IOV PF; the harness forbids /sys: none of these is.
        self.useFixture(fixtures.MockPatch('nova.pci.utils.is_physical_function', return_value=False))
        super().setUp()
        if self.env.get('GA_NOVA_EXTENSION') == '1':
            import nova_gpu_assign
            for (group, key), values in self.options.items():
                if group == 'gpu_assign':
                    self.flags(**{key: values[-1], 'group': group})
            # the test's wrapper runs the build on the sample host
            self.flags(command=self.env['GA_NOVA_COMMAND'], group='gpu_assign')
            # every call: (Nova's XML, what the extension returned)
            self.merges = []
            merge = nova_gpu_assign.merge

            def record_merge(host, instance, guest, xml):
                out = merge(host, instance, guest, xml)
                self.merges.append((xml, out))
                return out
            self.useFixture(fixtures.MonkeyPatch('nova_gpu_assign.merge', record_merge))
        sysfs = self.env['GA_NOVA_SYSFS']
        self.host_info, ncpus = sample_host_info(sysfs)
        # the base class's mock of the host's online CPUs covers 16
        libvirt_host.Host.get_online_cpus.return_value = set(range(ncpus))
        conn = fakelibvirt.Connection(
            'qemu:///system', version=version_int(self.env.get('GA_NOVA_LIBVIRT', '12.8.0')),
            hv_version=version_int(self.env.get('GA_NOVA_QEMU', '11.1.0')), host_info=self.host_info,
            pci_info=sample_host_pci(sysfs), hostname='gh200-node')
        self.defined = []
        define = conn.defineXML

        def record(xml):
            self.defined.append(xml)
            return define(xml)
        conn.defineXML = record
        self.start_compute(hostname='gh200-node', connection=conn)
        self.out = self.env['GA_NOVA_OUT']

    def _boot(self, name, extra_specs, vcpus, ram_mb):
        flavor = self._create_flavor(name=name, vcpu=vcpus, memory_mb=ram_mb, extra_spec=extra_specs)
        self.defined.clear()
        return self._create_server(name=name, flavor_id=flavor, networks='none',
                                   expected_state='ACTIVE' if self._expect_active() else 'ERROR')

    def _expect_active(self):
        return self.env.get('GA_NOVA_EXPECT', 'ACTIVE') == 'ACTIVE'

    def _save(self, name):
        self.assertTrue(self.defined, 'Nova defined no domain for %s' % name)
        with open(os.path.join(self.out, name + '.xml'), 'w') as f:
            f.write(self.defined[-1])

    def test_gpu_flavors(self):
        """Every flavor nova-config printed boots (its XML saved as gpu-N.xml)."""
        self.assertTrue(self.gpu_flavors, 'nova-config printed no flavor')
        for specs in self.gpu_flavors:
            ngpus = int(specs['pci_passthrough:alias'].rsplit(':', 1)[1])
            nodes = int(specs.get('hw:numa_nodes', '1'))
            name = 'gpu-%d' % ngpus
            # 256 MiB and one vCPU a cell: the nested stack starts the
            # 4-GPU domain as Nova wrote it, VFIO pins all of its memory in
            # a 3 GiB level 1, and all its vCPUs share level 1's one CPU
            server = self._boot(name, specs, vcpus=nodes, ram_mb=256 * nodes)
            if not self._expect_active():
                with open(os.path.join(self.out, name + '.fault'), 'w') as f:
                    f.write(server['fault']['message'] + '\n')
                self._delete_server(server)
                continue
            self._save(name)
            self._delete_server(server)

    def test_plain(self):
        """A server without a GPU (its XML saved as plain.xml)."""
        self._boot('plain', {'hw:numa_nodes': '1'}, vcpus=4, ram_mb=4096)
        self._save('plain')
        if self.env.get('GA_NOVA_EXTENSION') == '1':
            # the extension saw it and gave back Nova's own string
            self.assertEqual(1, len(self.merges))
            self.assertIs(self.merges[0][0], self.merges[0][1])
            self.assertEqual(self.merges[0][0], self.defined[-1])

    def _one_gpu_flavor(self):
        return [s for s in self.gpu_flavors if s['pci_passthrough:alias'].endswith(':1')][0]

    def test_refused(self):
        """gpu-assign refusing (no shared GI count) ends as an instance fault."""
        if self.env.get('GA_NOVA_EXTENSION') != '1':
            self.skipTest('the extension is not applied')
        self.useFixture(fixtures.EnvironmentVariable('GA_NOVA_OVERRIDES', self.env['GA_NOVA_OVERRIDES_NOGI']))
        flavor = self._create_flavor(name='refused', vcpu=4, memory_mb=4096, extra_spec=self._one_gpu_flavor())
        server = self._create_server(name='refused', flavor_id=flavor, networks='none', expected_state='ERROR')
        faults = [f.message for f in objects.InstanceFaultList.get_by_instance_uuids(
            nova_context.get_admin_context(), [server['id']])]
        refusal = [m for m in faults if 'gpu-assign refused the domain' in m]
        self.assertTrue(refusal, 'no gpu-assign fault among %s' % faults)
        self.assertNotIn('Traceback', refusal[0])
        with open(os.path.join(self.out, 'refused.fault'), 'w') as f:
            f.write(refusal[0] + '\n')
        self.assertFalse(self.defined, 'a refused domain was defined')

    def test_hard_reboot(self):
        """A hard reboot rebuilds the XML, through the extension."""
        if self.env.get('GA_NOVA_EXTENSION') != '1':
            self.skipTest('the extension is not applied')
        server = self._boot('reboot', self._one_gpu_flavor(), vcpus=4, ram_mb=4096)
        self.defined.clear()
        self._reboot_server(server, hard=True)
        self._save('gpu-1-reboot')
