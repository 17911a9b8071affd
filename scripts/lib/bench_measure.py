"""Measurement helpers for bench.py: statistics, /proc readings, CPU placement and the cgroup CPU share."""

import os
import signal
import statistics
import sys
import time

from bench_settings import PERIOD_US, QUOTA_US


def pin_cpus():
    """(harness CPUs, function CPUs): the function gets a core of its own where there are two or more."""
    cpus = sorted(os.sched_getaffinity(0))
    if len(cpus) < 2:
        return None, None
    return set(cpus[:-1]), {cpus[-1]}


class BenchError(Exception):
    """Something went wrong that makes the numbers meaningless (not a missed target)."""


def say(message):
    print("==> " + message, file=sys.stderr, flush=True)


# --- statistics ------------------------------------------------------------------------------
def median(values):
    return statistics.median(values) if values else None


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))       # ceil(n * p / 100)
    return ordered[int(rank) - 1]


def summary(values):
    return {"n": len(values), "p50": percentile(values, 50), "p99": percentile(values, 99),
            "min": min(values) if values else None, "max": max(values) if values else None,
            "median": median(values)}


# --- /proc -------------------------------------------------------------------------------------
def cpu_ticks(pid):
    """utime + stime of a process, in clock ticks (all its threads, dead ones included)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def cpu_ns(pid):
    """Sum of sum_exec_runtime over the live threads, in ns (None where schedstat is missing)."""
    total = 0
    try:
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return total


def proc_status(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            key, _, value = line.partition(":")
            out[key] = value.strip()
    return out


def kib(value):
    return int(value.split()[0]) * 1024 if value else None


# --- the CPU share -------------------------------------------------------------------------------
class CpuShare:
    """A cgroup per implementation, each limited to QUOTA_US per PERIOD_US."""

    V1_ROOT = "/sys/fs/cgroup/cpu"
    V2_ROOT = "/sys/fs/cgroup"

    def __init__(self, name, members):
        self.name, self.members = name, members
        self.version = None
        self.parent = None
        self.dirs = {}
        self.reason = None

    @staticmethod
    def _write(path, value):
        with open(path, "w") as f:
            f.write(value)

    @staticmethod
    def _read(path):
        with open(path) as f:
            return f.read().strip()

    def create(self):
        try:
            if os.path.exists(os.path.join(self.V1_ROOT, "cpu.cfs_quota_us")):
                self._create_v1()
            elif "cpu" in self._read(os.path.join(self.V2_ROOT, "cgroup.controllers")).split():
                self._create_v2()
            else:
                raise OSError("neither a cgroup v1 cpu controller at %s nor a cgroup v2 cpu controller at %s"
                              % (self.V1_ROOT, self.V2_ROOT))
        except OSError as e:
            self.reason = "%s: %s" % (type(e).__name__, e)
            self.remove()
            self.dirs = {}
            return False
        return True

    def _create_v1(self):
        self.version = "v1"
        self.parent = os.path.join(self.V1_ROOT, self.name)
        os.mkdir(self.parent)
        for member in self.members:
            d = os.path.join(self.parent, member)
            os.mkdir(d)
            self._write(os.path.join(d, "cpu.cfs_period_us"), str(PERIOD_US))
            self._write(os.path.join(d, "cpu.cfs_quota_us"), str(QUOTA_US))
            got = (self._read(os.path.join(d, "cpu.cfs_quota_us")), self._read(os.path.join(d, "cpu.cfs_period_us")))
            if got != (str(QUOTA_US), str(PERIOD_US)):
                raise OSError("%s reads back quota/period %s" % (d, got))
            self.dirs[member] = d

    def _create_v2(self):
        self.version = "v2"
        subtree = os.path.join(self.V2_ROOT, "cgroup.subtree_control")
        if "cpu" not in self._read(subtree).split():
            self._write(subtree, "+cpu")
        self.parent = os.path.join(self.V2_ROOT, self.name)
        os.mkdir(self.parent)
        self._write(os.path.join(self.parent, "cgroup.subtree_control"), "+cpu")
        for member in self.members:
            d = os.path.join(self.parent, member)
            os.mkdir(d)
            self._write(os.path.join(d, "cpu.max"), "%d %d" % (QUOTA_US, PERIOD_US))
            if self._read(os.path.join(d, "cpu.max")) != "%d %d" % (QUOTA_US, PERIOD_US):
                raise OSError("%s/cpu.max reads back %r" % (d, self._read(os.path.join(d, "cpu.max"))))
            self.dirs[member] = d

    def procs_file(self, member):
        return os.path.join(self.dirs[member], "cgroup.procs")

    def setting(self):
        if self.version == "v1":
            return "cgroup v1: cpu.cfs_quota_us %d, cpu.cfs_period_us %d" % (QUOTA_US, PERIOD_US)
        return 'cgroup v2: cpu.max "%d %d"' % (QUOTA_US, PERIOD_US)

    def stat(self, member):
        out = {}
        try:
            for line in self._read(os.path.join(self.dirs[member], "cpu.stat")).splitlines():
                key, value = line.split()
                out[key] = int(value)
        except (OSError, ValueError, KeyError):
            pass
        return out

    def contains(self, member, pid):
        try:
            return str(pid) in self._read(self.procs_file(member)).split()
        except OSError:
            return False

    def remove(self):
        """Kill what is still inside (only processes this run put there), then remove the groups."""
        if not self.parent or not os.path.isdir(self.parent):
            return
        for member in self.members:
            d = os.path.join(self.parent, member)
            if not os.path.isdir(d):
                continue
            for _ in range(50):
                try:
                    pids = [int(p) for p in self._read(os.path.join(d, "cgroup.procs")).split()]
                except OSError:
                    pids = []
                if not pids:
                    break
                for pid in pids:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except OSError:
                        pass
                time.sleep(0.02)
            try:
                os.rmdir(d)
            except OSError as e:
                say("could not remove cgroup %s: %s" % (d, e))
        try:
            os.rmdir(self.parent)
        except OSError as e:
            say("could not remove cgroup %s: %s" % (self.parent, e))
