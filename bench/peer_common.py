"""Helpers shared by the Python peer benchmarks (bench/peer_torch_linear.py, bench/peer_transformers_prefill.py,
bench/peer_peft_train.py): the CPU load of other processes, the CPU model name and this process's peak RSS.

Standard library only. The peers are run as `python bench/<script>.py`, so Python puts bench/ on sys.path and
they import this module as `peer_common`.
"""
import os
import platform
import resource
import time


class OtherLoad:
    """CPU time used by other processes while this one ran (from /proc/stat minus os.times()), in cores.

    Two threads on two cores are easily disturbed: one busy neighbour makes small GEMMs wait a scheduler slice
    (~4-8 ms) at each OpenMP barrier. A reading well above 0.1 core means the numbers are not clean.

    children=True also counts the CPU time of this process's reaped children as its own (a driver whose work is
    done by worker processes)."""

    def __init__(self, children=False):
        self.children = children
        self.start = self._sample()

    def _sample(self):
        try:
            with open("/proc/stat") as f:
                fields = [int(v) for v in f.readline().split()[1:]]
            busy = sum(fields) - fields[3] - (fields[4] if len(fields) > 4 else 0)  # minus idle, iowait
            busy /= os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError):
            busy = float("nan")
        t = os.times()
        own = t.user + t.system
        if self.children:
            own += t.children_user + t.children_system
        return time.perf_counter(), busy, own

    def cores(self):
        wall, busy, own = self._sample()
        w0, b0, o0 = self.start
        return max(0.0, ((busy - b0) - (own - o0)) / (wall - w0)) if wall > w0 else float("nan")


def cpu_name(platform_fallback=True):
    """The "model name" line of /proc/cpuinfo; if there is none, platform.processor() (when platform_fallback)
    or "unknown"."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return (platform.processor() if platform_fallback else "") or "unknown"


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def init_random_(model, torch):
    """normal(0, 0.02) everywhere, norms 1, and rotary buffers recomputed (to_empty left them uninitialized)."""
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name:
                p.fill_(1.0)
            else:
                p.normal_(0.0, 0.02, generator=g)
        for module in model.modules():
            if "inv_freq" in dict(module.named_buffers(recurse=False)):
                fresh = type(module)(module.config)
                for name, buf in fresh.named_buffers(recurse=False):
                    getattr(module, name).copy_(buf)
                module.attention_scaling = fresh.attention_scaling
