# SPDX-License-Identifier: LGPL-2.1-or-later
"""gpu-assign's Nova extension: Grace GPU memory as guest NUMA nodes.

Nova's libvirt driver hands the domain XML it built to merge() just before
it defines the domain (one call in _get_guest_xml, see nova-34.0.0.patch).
For an instance with a Grace GPU, merge() pipes that XML through
`gpu-assign xml --domain -`, which adds the GPU-memory (generic-initiator)
NUMA cells, ties them to the GPU's <hostdev> and sizes the 64-bit MMIO
window, and returns the merged domain. Every layout decision is gpu-assign's
(its C library); this module only decides whether to call it and turns a
refusal into an instance fault. Instances without a Grace GPU are returned
unchanged, byte for byte, without running anything.

Nova's own objects (the instance's NUMA topology, its PCI claims, placement)
are not touched: the extra cells have no CPUs and no memory of the guest's
RAM, so the topology Nova claimed is still the one the guest gets.

Options, in nova.conf ([gpu_assign]; `gpu-assign nova-config` prints them):
  command      the gpu-assign program
  product_ids  the PCI product ids (hex, vendor 10de) of the Grace GPUs
  policy       enforce (a refusal fails the operation with an instance
               fault) or warn (log it, define Nova's XML unchanged; the
               libvirt hook then decides at start)
  timeout      seconds gpu-assign may take

nova-compute runs unprivileged and cannot read the host's firmware tables,
which give each GPU's GI node count to the (root) libvirt hook. So the count
comes from gpu-assign's configuration file, which the hook reads too
(`--gi-nodes config`): both count the same, and gpu-assign refuses the merge
when the file has no count.
"""

from oslo_concurrency import processutils
from oslo_config import cfg
from oslo_log import log as logging

from nova import exception
from nova.i18n import _
from nova.virt.libvirt import config as vconfig

LOG = logging.getLogger(__name__)
CONF = cfg.CONF

NVIDIA_VENDOR_ID = '10de'

gpu_assign_opts = [
    cfg.StrOpt('command', default='/usr/local/bin/gpu-assign',
               help='The gpu-assign program that merges the GPU-memory NUMA '
                    'nodes into the domain of an instance with a Grace GPU.'),
    cfg.ListOpt('product_ids', default=[],
                help='PCI product ids (hex, NVIDIA vendor 10de) of the Grace '
                     'GPUs, as `gpu-assign nova-config` prints them. An '
                     'instance with none of them is left alone.'),
    cfg.StrOpt('policy', default='enforce', choices=('enforce', 'warn'),
               help='enforce: when gpu-assign refuses, the operation fails '
                    'with an instance fault. warn: log it and define the '
                    'domain as Nova wrote it.'),
    cfg.IntOpt('timeout', default=60, min=1,
               help='Seconds gpu-assign may take.'),
]
CONF.register_opts(gpu_assign_opts, group='gpu_assign')


def list_opts():
    return {'gpu_assign': gpu_assign_opts}


class GpuAssignRefused(exception.InvalidInput):
    """gpu-assign refused the domain: an instance fault, not a reschedule.

    An InvalidInput: the compute manager ends a build with it (the instance
    goes to ERROR with this message as its fault) instead of rescheduling
    to a host that would refuse it the same way; other operations (hard
    reboot, resize) record it as their fault.
    """
    msg_fmt = _("gpu-assign refused the domain: %(reason)s")


def _version(number):
    """libvirt's version integer (major * 1000000 + minor * 1000 + micro) as X.Y.Z."""
    return '%d.%d.%d' % (number // 1000000, number // 1000 % 1000, number % 1000)


def grace_gpus(instance, guest):
    """The PCI addresses of the guest's <hostdev>s that are Grace GPUs."""
    products = {p.strip().lower() for p in CONF.gpu_assign.product_ids}
    if not products:
        return []
    grace = {d.address for d in instance.get_pci_devices()
             if d.vendor_id.lower() == NVIDIA_VENDOR_ID and
             d.product_id.lower() in products}
    found = []
    for dev in guest.devices:
        if not isinstance(dev, vconfig.LibvirtConfigGuestHostdevPCI):
            continue
        addr = '%04x:%02x:%02x.%x' % (int(dev.domain, 16), int(dev.bus, 16),
                                      int(dev.slot, 16), int(dev.function, 16))
        if addr in grace:
            found.append(addr)
    return found


def merge(host, instance, guest, xml):
    """Nova's domain XML with the Grace GPUs' NUMA nodes added by gpu-assign.

    host is the driver's nova.virt.libvirt.host.Host, guest the
    LibvirtConfigGuest that xml was made from. Returns xml itself when the
    instance has no Grace GPU.
    """
    gpus = grace_gpus(instance, guest)
    if not gpus:
        return xml
    conn = host.get_connection()
    cmd = [CONF.gpu_assign.command, 'xml', '--domain', '-', '--gi-nodes', 'config',
           '--libvirt-version', _version(conn.getLibVersion()),
           '--qemu-version', _version(conn.getVersion())]
    for addr in gpus:
        cmd += ['--gpu', addr]
    try:
        merged, err = processutils.execute(*cmd, process_input=xml,
                                           timeout=CONF.gpu_assign.timeout)
    except processutils.ProcessExecutionError as e:
        reason = (e.stderr or e.description or str(e)).strip()
        # its one-line message, without the program name (a fault keeps 255 characters)
        reason = reason.splitlines()[-1] if reason else 'exit status %s' % e.exit_code
        if reason.startswith('gpu-assign: '):
            reason = reason[len('gpu-assign: '):]
    except OSError as e:
        reason = '%s: %s' % (CONF.gpu_assign.command, e.strerror)
    else:
        for line in err.splitlines():
            LOG.info('gpu-assign: %s', line, instance=instance)
        LOG.info('gpu-assign added the NUMA nodes of GPU(s) %s', ', '.join(gpus), instance=instance)
        return merged
    if CONF.gpu_assign.policy == 'warn':
        LOG.warning('gpu-assign refused, defining the domain without the GPU '
                    'memory NUMA nodes (policy warn): %s', reason, instance=instance)
        return xml
    raise GpuAssignRefused(reason=reason)
