"""Peak memory of one benchmark case, inside one process.

On a GPU: torch's allocator statistics. On the CPU: the process's peak resident set size,
reset before each case through /proc/self/clear_refs (Linux), minus the resident size at the
start of the case, i.e. what the case added (activations, gradients, optimizer state).
"""
import ctypes
import gc

import torch


def _status_kib(field: str) -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


class PeakMemory:
    def __init__(self, device: torch.device):
        self.device = device

    def __enter__(self):
        gc.collect()
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats(self.device)
            self.start = torch.cuda.memory_allocated(self.device)
        else:
            try:
                ctypes.CDLL("libc.so.6").malloc_trim(0)
            except OSError:
                pass
            with open("/proc/self/clear_refs", "w") as handle:
                handle.write("5")  # resets VmHWM, the peak resident set size
            self.start = _status_kib("VmRSS") * 1024
        return self

    def __exit__(self, *exc):
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            self.peak = torch.cuda.max_memory_allocated(self.device)
        else:
            self.peak = _status_kib("VmHWM") * 1024
        self.added_mib = (self.peak - self.start) / 2**20
        self.peak_mib = self.peak / 2**20
