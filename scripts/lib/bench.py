#!/usr/bin/env python3
"""Side-by-side benchmark of the Swift `bootstrap` and its Python + Powertools peer.

Run it through `scripts/bench` (which installs what is missing, builds, packages, prepares the
peer's virtual environment and its deployable, then calls this file). Everything runs in this one
process except the functions under test: the Runtime API emulator (runtime_emulator.py), moto
with SigV4 checking on (local_stack.py) and the counting proxy (fault_proxy.py) are hosted here,
in-process; each function is a child process that talks to them over loopback.

For each implementation, one after the other, in the same run and against the same local stack:

  harness floor  an "echo runtime" (a static C program, compiled here from bench_echo_runtime.c, that
                 answers every event with the event) gives what the harness itself costs: spawn
                 to first /next, and the emulator's invoke round trip. Subtract it, or not: it is
                 the same for both implementations.
  cold start     time.monotonic() right before Popen -> the emulator's first_next_monotonic
                 (its clock, taken when the first GET /next arrives); median over N spawns, the
                 emulator reset between them. Each spawn then gets one first-time order: the
                 "first invocation" latency.
  latency        one long-lived process: a few warm-up orders, then N unique first-time orders
                 invoked sequentially in-process through the emulator (wall time around
                 RuntimeEmulator.invoke), then the same N orders again (duplicates); p50/p99.
  CPU            utime+stime of the function process from /proc/<pid>/stat (clock ticks) before
                 and after each batch, divided by N; cross-checked with the sum of
                 /proc/<pid>/task/*/schedstat (nanoseconds, live threads only).
  peak RSS       VmHWM from /proc/<pid>/status after the batches.
  AWS requests   a separate process whose AWS_ENDPOINT_URL is the counting proxy (so the proxy
                 never sits in the timed path): requests per first-time order and per duplicate,
                 by operation, plus moto's time per operation as the proxy saw it.
  concurrency    ours only, Lambda Managed Instances: AWS_LAMBDA_MAX_CONCURRENCY = 1, 4 and 16 with
                 every AWS call delayed 20 ms at the proxy: throughput, p50/p99 and peak RSS per N
                 (bench_concurrency.py, which also runs alone).
  128 MB share   cold start, first invocation, latency and CPU again with only the function
                 process in a cgroup limited to 7.2 % of one core (v1 cpu.cfs_quota_us 7200 per
                 cpu.cfs_period_us 100000, or v2 cpu.max "7200 100000"); the process is spawned
                 through `sh -c 'echo $$ > cgroup.procs && read _ && exec "$@"'`, so it is inside
                 before it execs; the clock starts when the wrapper, already inside, is released
                 to exec (joining a cgroup costs 8-30 ms of RCU synchronisation here, which a Lambda
                 sandbox does not pay; it is reported apart). Two idle periods before each spawn
                 give it a full quota. Where the machine does not allow a cgroup, the report says so.
  deployable     our .build/lambda/bootstrap.zip; the peer's zip = app.py + the packages a Lambda
                 Python runtime lacks (aws-lambda-powertools, typing_extensions), built here.

Output: a table on stdout, BENCHMARKS.md (--out), and the raw numbers in WORK/results.json.
Exit status: 0 when the benchmark ran (targets met or not), 1 on an error, 2 on bad usage.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import time
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

from fault_proxy import FaultProxy  # noqa: E402
from tls_front import TLSFront  # noqa: E402
from local_stack import LocalStack  # noqa: E402
from runtime_emulator import RuntimeEmulator  # noqa: E402
from bench_measure import (BenchError, CpuShare, cpu_ns, cpu_ticks, kib, median,  # noqa: E402
                           pin_cpus, proc_status, say, summary)
from bench_report import write_markdown  # noqa: E402
import bench_concurrency  # noqa: E402
from bench_settings import CLK_TCK, FUNCTION_ARN, PERIOD_US, REGION, SETTINGS  # noqa: E402


# --- implementations and processes -----------------------------------------------------------
class Impl:
    def __init__(self, key, label, argv, cwd, extra_env, table=None, bucket=None):
        self.key, self.label, self.argv, self.cwd = key, label, argv, cwd
        self.extra_env, self.table, self.bucket = extra_env, table, bucket


class Bench:
    def __init__(self, args):
        self.args = args
        self.mode = "quick" if args.quick else "full"
        self.cfg = SETTINGS[self.mode]
        self.work = os.path.abspath(args.work)
        self.logs = os.path.join(self.work, "logs")
        self.pid_file = os.path.join(self.work, "pids")
        self.tag = datetime.datetime.now(datetime.timezone.utc).strftime("%H%M%S")
        self.children = {}
        self.stack = self.emu = self.proxy = self.share = self.tls = None
        self.results = {"mode": self.mode, "settings": self.cfg, "notes": []}
        # The harness (moto, the emulator: one GIL) on the other cores, the function on a core of its own,
        # as a Lambda function has its vCPU: without this the scheduler's placement changes from run to
        # run and the functions' CPU time with it. Threads inherit the mask of the thread that starts them.
        self.harness_cpus, self.function_cpus = pin_cpus()
        if self.harness_cpus:
            os.sched_setaffinity(0, self.harness_cpus)

    # --- life cycle ----------------------------------------------------------------------------
    def run(self):
        os.makedirs(self.logs, exist_ok=True)
        open(self.pid_file, "w").close()
        r = self.results
        r["started"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        r["loadavg_before"] = self._loadavg()
        snapshot = self._cpu_snapshot()
        say("machine and versions")
        r["machine"] = self.machine()
        r["pinning"] = ({"harness_cpus": sorted(self.harness_cpus), "function_cpus": sorted(self.function_cpus)}
                        if self.harness_cpus else None)
        say("starting the local stack (moto, SigV4 on), the Runtime API emulator and the counting proxy")
        self.stack = LocalStack(region=REGION).start()
        self.stack.create_resources(table="bench-ours", bucket="bench-ours", key="order_id")
        self.stack.create_resources(table="bench-peer", bucket="bench-peer", key="id")
        self.emu = RuntimeEmulator(timeout_ms=120000, function_arn=FUNCTION_ARN, queue_timeout_ms=180000).start()
        self.proxy = FaultProxy("127.0.0.1", self.stack.port).start()
        impls = self.implementations()
        r["sizes"] = self.sizes()

        floor = None if self.args.only_tls else self.echo_runtime()
        r["floor"] = {}
        if floor:
            say("harness floor: echo runtime")
            r["floor"]["cold"] = self.cold_starts(floor, self.cfg["cold"])
            r["floor"]["batch"] = self.echo_batch(floor)
        plain = [] if self.args.only_tls else impls
        for impl in plain:
            say("%s: cold start x%d" % (impl.label, self.cfg["cold"]))
            r.setdefault(impl.key, {})["cold"] = self.cold_starts(impl, self.cfg["cold"])
        rounds = {impl.key: [] for impl in impls}
        for round_no in range(1, (0 if self.args.only_tls else self.cfg["rounds"]) + 1):
            for impl in impls:        # alternating, so that drift on the machine hits both alike
                say("%s, round %d of %d: %d first-time orders, then the same %d again (duplicates)"
                    % (impl.label, round_no, self.cfg["rounds"], self.cfg["batch"], self.cfg["batch"]))
                rounds[impl.key].append(self.batches(impl, self.cfg["warmup"], self.cfg["batch"], round_no=round_no))
        for impl in plain:
            r[impl.key]["batch"] = self.merge_rounds(rounds[impl.key])
        for impl in plain:
            say("%s: counting AWS requests through the proxy, then CPU with kept-alive connections" % impl.label)
            r[impl.key]["requests"] = self.count_requests(impl)
        r["concurrency"] = self.concurrency(impls[0])

        for impl in plain:
            say("%s: 10-record SQS batches (partial batch responses), straight to moto, then with %d ms per AWS request"
                % (impl.label, self.cfg["sqs_slow_delay_ms"]))
            r[impl.key]["sqs"] = self.sqs_batches(impl)

        if not self.args.no_tls:
            self.tls_unthrottled(impls)

        self.share = CpuShare(self.args.cgroup_name, ["floor", "ours", "peer"])
        r["share"] = {"available": self.share.create()}
        if r["share"]["available"]:
            r["share"]["setting"] = self.share.setting()
            r["share"]["cgroup"] = self.share.parent
            for impl in ([floor] if floor else []) + plain:
                n = self.cfg["share_cold"][impl.key]
                say("%s at the 128 MB share: cold start x%d" % (impl.label, n))
                before = self.share.stat(impl.key)
                entry = r["share"].setdefault(impl.key, {})
                entry["cold"] = self.cold_starts(impl, n, member=impl.key)
                say("%s at the 128 MB share: %d first-time orders and %d duplicates"
                    % (impl.label, self.cfg["share_batch"], self.cfg["share_batch"]))
                if impl.key == "floor":
                    entry["batch"] = self.echo_batch(impl, member="floor", n=self.cfg["share_batch"])
                else:
                    entry["batch"] = self.merge_rounds([self.batches(impl, self.cfg["share_warmup"], self.cfg["share_batch"],
                                                                     member=impl.key)])
                after = self.share.stat(impl.key)
                entry["cpu_stat"] = {k: after.get(k, 0) - before.get(k, 0) for k in after}
            if self.tls:
                self.tls_share(impls)
        else:
            r["share"]["reason"] = self.share.reason
            say("the 128 MB CPU share is NOT measured: %s" % self.share.reason)
        r["finished"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        r["loadavg_after"] = self._loadavg()
        busy1, own1, t1 = self._cpu_snapshot()
        busy0, own0, t0 = snapshot
        r["other_load_cores"] = max(0.0, (busy1 - busy0) - (own1 - own0)) / max(1e-9, t1 - t0)
        r["own_load_cores"] = (own1 - own0) / max(1e-9, t1 - t0)
        return r

    def close(self):
        for pid, proc in list(self.children.items()):
            self._kill(proc)
        if self.share:
            self.share.remove()
        for tool in (self.tls, self.proxy, self.emu, self.stack):
            if tool:
                try:
                    tool.stop()
                except Exception as e:  # noqa: BLE001 - best effort while shutting down
                    say("stopping %s: %r" % (type(tool).__name__, e))

    # --- set-up -------------------------------------------------------------------------------
    def implementations(self):
        """Ours is the deployable: the zip unpacked and run the way Lambda runs it (its own loader and
        libraries); without a zip, the release binary on the host's libraries (and the report says so)."""
        a = self.args
        ours = None
        if a.zip and os.path.isfile(a.zip):
            unpacked = os.path.join(self.work, "ours-unpacked")
            shutil.rmtree(unpacked, ignore_errors=True)
            with zipfile.ZipFile(a.zip) as z:
                z.extractall(unpacked)
                for info in z.infolist():          # zipfile drops the modes: put them back
                    mode = (info.external_attr >> 16) & 0o777
                    if mode:
                        os.chmod(os.path.join(unpacked, info.filename), mode)
            lib = os.path.join(unpacked, "lib")
            loaders = sorted(n for n in os.listdir(lib) if n.startswith("ld-linux")) if os.path.isdir(lib) else []
            binary = os.path.join(unpacked, "bootstrap")
            self.results["ours_shared_libraries"] = len([n for n in os.listdir(lib) if ".so" in n and not n.startswith("ld-linux")]) \
                if os.path.isdir(lib) else 0
            argv = [os.path.join(lib, loaders[0]), binary] if loaders else [binary]
            ours = Impl("ours", "ours (Swift, the zip)", argv, unpacked, {"AWS_LAMBDA_FUNCTION_NAME": "order-pipeline"},
                        "bench-ours", "bench-ours")
            self.results["ours_run_as"] = ("the deployable `.build/lambda/bootstrap.zip` from `scripts/package`, unpacked "
                                           "and run as `lib/%s ./bootstrap` (its bundled loader and libraries; "
                                           "Lambda execs /var/task/bootstrap, whose ELF interpreter is that same loader)"
                                           % loaders[0]) if loaders else \
                "the deployable `.build/lambda/bootstrap.zip` from `scripts/package`, unpacked and run as `./bootstrap`"
            self.results["ours_binary_bytes"] = os.path.getsize(binary)
        else:
            if not a.bootstrap or not os.access(a.bootstrap, os.X_OK):
                raise BenchError("there is neither a zip at %s nor a binary at %s" % (a.zip, a.bootstrap))
            ours = Impl("ours", "ours (Swift, no zip: the release build)", [os.path.abspath(a.bootstrap)], ROOT,
                        {"AWS_LAMBDA_FUNCTION_NAME": "order-pipeline"}, "bench-ours", "bench-ours")
            self.results["ours_run_as"] = ("`%s` (release, static Swift stdlib) on the host's shared libraries: "
                                           "there was no zip (%s), so this is not the deployable"
                                           % (os.path.relpath(a.bootstrap, ROOT), a.zip_missing or a.zip))
            self.results["ours_binary_bytes"] = os.path.getsize(a.bootstrap)
        peer_dir = os.path.join(ROOT, "scripts", "peer")
        peer = Impl("peer", "peer (Python + Powertools)", [os.path.abspath(a.peer_python), "-m", "awslambdaric", "app.handler"],
                    peer_dir, {"AWS_LAMBDA_FUNCTION_NAME": "order-pipeline-peer", "LAMBDA_TASK_ROOT": peer_dir,
                               "_HANDLER": "app.handler", "PYTHONPATH": peer_dir,
                               "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
                               # /var/task is read-only in Lambda: app.py is compiled at each cold start there too.
                               "PYTHONDONTWRITEBYTECODE": "1"},
                    "bench-peer", "bench-peer")
        return [ours, peer]

    def base_env(self, impl, endpoint=None, tls=False):
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "TZ": "UTC",
            "AWS_LAMBDA_RUNTIME_API": self.emu.runtime_api,
            "AWS_REGION": REGION, "AWS_DEFAULT_REGION": REGION,
            "AWS_ACCESS_KEY_ID": self.stack.access_key_id, "AWS_SECRET_ACCESS_KEY": self.stack.secret_access_key,
            "AWS_ENDPOINT_URL": endpoint or self.stack.endpoint,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/bench", "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
            "AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "INFO",
            "RAW_PREFIX": "raw/events/", "IDEMPOTENCY_TTL_SECONDS": "172800",
            "ORDER_PIPELINE_BENCH": self.args.cgroup_name,     # scripts/bench's trap recognises children by it
        }
        if impl.table:
            env.update(TABLE=impl.table, BUCKET=impl.bucket)
        env.update(impl.extra_env)
        if tls:
            # The machine's whole CA bundle plus the test root, as a user would extend it; botocore
            # reads AWS_CA_BUNDLE, OpenSSL-based clients SSL_CERT_FILE.
            env.update(AWS_ENDPOINT_URL=endpoint or self.tls.endpoints()["good"],
                       SSL_CERT_FILE=self.tls.files["bundle"], AWS_CA_BUNDLE=self.tls.files["bundle"])
        return env

    def echo_runtime(self):
        cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
        if not cc:
            self.results["notes"].append("no C compiler: the harness floor (echo runtime) is not measured")
            return None
        source = os.path.join(HERE, "bench_echo_runtime.c")
        binary = os.path.join(self.work, "echo-runtime")
        for flags in (["-static"], []):
            done = subprocess.run([cc, "-O2", *flags, "-o", binary, source], capture_output=True, text=True)
            if done.returncode == 0:
                self.results["floor_binary"] = "C, %s" % ("static" if flags else "dynamic")
                return Impl("floor", "harness floor (echo runtime)", [binary], self.work, {})
        self.results["notes"].append("the echo runtime did not compile: %s" % done.stderr.strip()[:300])
        return None

    def concurrency(self, impl):
        """Ours with AWS_LAMBDA_MAX_CONCURRENCY = 1, 4, 16, AWS calls delayed at the proxy (bench_concurrency.py)."""
        def spawn(n, log_name):
            workers = Impl(impl.key, impl.label, impl.argv, impl.cwd, dict(impl.extra_env, AWS_LAMBDA_MAX_CONCURRENCY=str(n)),
                           impl.table, impl.bucket)
            return self.spawn(workers, log_name, endpoint="http://127.0.0.1:%d" % self.proxy.port)[0]
        return bench_concurrency.measure(self.emu, self.proxy, spawn, self.mode, self._kill)

    # --- processes ----------------------------------------------------------------------------
    def spawn(self, impl, log_name, member=None, endpoint=None, tls=False):
        """Starts a function process; returns (Popen, t0) where t0 is its start on time.monotonic().

        With a cgroup member: the process starts as `sh -c 'echo $$ > cgroup.procs && read _ && exec
        "$@"'`, so it is inside the cgroup before it execs. Moving a process into a cgroup costs
        8-30 ms of RCU synchronisation on this kind of kernel, which a Lambda sandbox does not pay
        at each cold start (its processes start inside their cgroup): so the wrapper waits on its
        stdin once it is inside, and t0 is the moment it is released to exec."""
        argv = list(impl.argv)
        if member:
            # Start with a full quota, as a new Lambda sandbox does: the previous process may have
            # used up part of the current period; two idle periods refill it.
            time.sleep(2.5 * PERIOD_US / 1e6)
            argv = ["/bin/sh", "-c", 'echo $$ > "$0" && read _ && exec "$@"', self.share.procs_file(member)] + argv
        log = open(os.path.join(self.logs, log_name), "ab")
        env = self.base_env(impl, endpoint, tls)
        try:
            if self.function_cpus:
                os.sched_setaffinity(0, self.function_cpus)     # inherited by the child at fork
            t0 = time.monotonic()
            proc = subprocess.Popen(argv, cwd=impl.cwd, env=env, stdout=log, stderr=log, start_new_session=True,
                                    stdin=subprocess.PIPE if member else subprocess.DEVNULL)
        finally:
            if self.function_cpus:
                os.sched_setaffinity(0, self.harness_cpus)
            log.close()
        self.children[proc.pid] = proc
        with open(self.pid_file, "a") as f:
            f.write("%d\n" % proc.pid)
        proc.bench_log = os.path.join(self.logs, log_name)
        proc.bench_migration_ms = None
        if member:
            while not self.share.contains(member, proc.pid):
                if proc.poll() is not None or time.monotonic() - t0 > 30:
                    raise BenchError("the cgroup wrapper (pid %d) did not get into %s; see %s"
                                     % (proc.pid, self.share.dirs[member], proc.bench_log))
                time.sleep(0.0005)
            proc.bench_migration_ms = (time.monotonic() - t0) * 1000.0
            time.sleep(0.002)                  # let sh reach its `read`
            t0 = time.monotonic()
            proc.stdin.write(b"go\n")
            proc.stdin.close()
        return proc, t0

    def _kill(self, proc):
        """Kills and reaps the process; returns the CPU it used in all (ms, from wait4's rusage), or None."""
        cpu_ms = None
        if proc.poll() is None:
            try:
                proc.kill()
                _, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = -signal.SIGKILL
                cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000.0
            except (OSError, ChildProcessError):
                pass
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            say("process %d did not exit after SIGKILL" % proc.pid)
        self.children.pop(proc.pid, None)
        return cpu_ms

    def wait_first_next(self, proc, t0, timeout_s=120.0):
        while True:
            first = self.emu.state()["first_next_monotonic"]
            if first is not None:
                return first
            if proc.poll() is not None:
                raise BenchError("process %d (%s) exited with %s before its first /next; its output is in %s"
                                 % (proc.pid, proc.args[-1], proc.returncode, proc.bench_log))
            if time.monotonic() - t0 > timeout_s:
                raise BenchError("no /next from process %d within %.0f s; see %s" % (proc.pid, timeout_s, proc.bench_log))
            time.sleep(0.002)

    # --- events ---------------------------------------------------------------------------------
    def order_id(self, impl, phase, i):
        return "%s-%s-%s-%05d" % (self.tag, impl.key, phase, i)

    @staticmethod
    def event(order_id, price=42):
        return json.dumps({
            "version": "0", "id": "bench-" + order_id, "detail-type": "order.created", "source": "demo.orders",
            "account": "123456789012", "time": "2026-11-25T18:43:48Z", "region": REGION, "resources": [],
            "detail": {"order_id": order_id, "price": price}}).encode()

    def invoke(self, impl, order_id, expect):
        start = time.perf_counter()
        headers, body = self.emu.invoke(self.event(order_id))
        ms = (time.perf_counter() - start) * 1000.0
        if headers.get("X-Amz-Function-Error"):
            raise BenchError("%s failed on order %s: %s %s" % (impl.label, order_id, headers.get("X-Emulator-Error-Type"),
                                                                 body[:500].decode("utf-8", "replace")))
        if impl.key == "floor":
            return ms
        try:
            answer = json.loads(body)
        except ValueError:
            raise BenchError("%s answered order %s with non-JSON: %r" % (impl.label, order_id, body[:300])) from None
        ok = answer.get("ok") is True and str(answer.get("order_id")) == order_id
        if expect == "first":
            ok = ok and answer.get("first_time") is True
        elif impl.key == "ours":
            ok = ok and answer.get("duplicate") is True
        if not ok:
            raise BenchError("%s answered the %s order %s with %s" % (impl.label, expect, order_id, answer))
        return ms

    # --- measurements -------------------------------------------------------------------------
    def cold_starts(self, impl, n, member=None, tls=False):
        colds, firsts, in_cgroup, migrations, cpus = [], [], [], [], []
        phase = ("cold-share" if member else "cold") + ("-tls" if tls else "")
        for i in range(n):
            self.emu.reset()
            proc, t0 = self.spawn(impl, "%s-%s.log" % (impl.key, phase), member=member, tls=tls)
            cpu = None
            try:
                first_next = self.wait_first_next(proc, t0)
                colds.append((first_next - t0) * 1000.0)
                if member:
                    in_cgroup.append(self.share.contains(member, proc.pid))
                    migrations.append(proc.bench_migration_ms)
                oid = self.order_id(impl, phase, i)
                firsts.append(self.invoke(impl, oid, "first"))
            finally:
                cpu = self._kill(proc)
            if cpu is not None:
                cpus.append(cpu)
        out = {"cold_ms": summary(colds), "first_invoke_ms": summary(firsts), "samples_ms": [round(c, 3) for c in colds],
               # exec to the first response (and the /next after it, where the process then waits), all threads
               "cpu_to_first_response_ms": summary(cpus)}
        if member:
            out["wrapper_migration_ms"] = summary(migrations)
            out["all_in_cgroup"] = all(in_cgroup)
            if not all(in_cgroup):
                raise BenchError("a %s process was not in its cgroup: the wrapper did not work" % impl.label)
        return out

    def echo_batch(self, impl, member=None, n=None):
        n = n or self.cfg["floor_invokes"]
        self.emu.reset()
        proc, t0 = self.spawn(impl, "floor-batch%s.log" % ("-share" if member else ""), member=member)
        try:
            self.wait_first_next(proc, t0)
            for i in range(10):
                self.invoke(impl, "warm-%d" % i, "first")
            lat = [self.invoke(impl, "echo-%d" % i, "first") for i in range(n)]
        finally:
            self._kill(proc)
        return {"invoke_ms": summary(lat)}

    def batches(self, impl, warmup, n, member=None, round_no=0, tls=False):
        phase = ("share" if member else "warm") + ("%d" % round_no if round_no else "") + ("-tls" if tls else "")
        self.emu.reset()
        proc, t0 = self.spawn(impl, "%s-batch-%s.log" % (impl.key, phase), member=member, tls=tls)
        try:
            self.wait_first_next(proc, t0)
            warm = [self.order_id(impl, phase + "w", i) for i in range(warmup)]
            for oid in warm:
                self.invoke(impl, oid, "first")
            for oid in warm:
                self.invoke(impl, oid, "duplicate")
            orders = [self.order_id(impl, phase, i) for i in range(n)]
            out = {}
            for kind in ("first", "duplicate"):
                ticks0, ns0 = cpu_ticks(proc.pid), cpu_ns(proc.pid)
                lat = [self.invoke(impl, oid, kind) for oid in orders]
                ticks1, ns1 = cpu_ticks(proc.pid), cpu_ns(proc.pid)
                out[kind] = {
                    "latency_ms": summary(lat), "_samples": lat,
                    "cpu_ms_per_invocation": (ticks1 - ticks0) * 1000.0 / CLK_TCK / n,
                    "cpu_ticks": ticks1 - ticks0,
                    "schedstat_cpu_ms_per_invocation": None if ns0 is None or ns1 is None else (ns1 - ns0) / 1e6 / n,
                }
            status = proc_status(proc.pid)
            out["vm_hwm_bytes"] = kib(status.get("VmHWM"))
            out["vm_rss_bytes"] = kib(status.get("VmRSS"))
            out["threads"] = int(status.get("Threads", "0"))
        finally:
            self._kill(proc)
        if impl.key == "ours":
            out["emf"] = self.emf_summary(os.path.join(self.logs, "%s-batch-%s.log" % (impl.key, phase)))
        return out

    @staticmethod
    def merge_rounds(rounds):
        """Latency percentiles over all rounds' samples; CPU as the median of the rounds' values."""
        out = {"rounds": len(rounds)}
        for kind in ("first", "duplicate"):
            samples = [x for r in rounds for x in r[kind].pop("_samples")]
            per_round = [r[kind] for r in rounds]
            out[kind] = {
                "latency_ms": summary(samples),
                "cpu_ms_per_invocation": median([r["cpu_ms_per_invocation"] for r in per_round]),
                "cpu_ms_per_invocation_rounds": [r["cpu_ms_per_invocation"] for r in per_round],
                "cpu_ticks": sum(r["cpu_ticks"] for r in per_round),
                "schedstat_cpu_ms_per_invocation": median([r["schedstat_cpu_ms_per_invocation"] for r in per_round
                                                           if r["schedstat_cpu_ms_per_invocation"] is not None]),
                "schedstat_cpu_ms_per_invocation_rounds": [r["schedstat_cpu_ms_per_invocation"] for r in per_round],
            }
        for key in ("vm_hwm_bytes", "vm_rss_bytes", "threads"):
            out[key] = max(r[key] for r in rounds if r.get(key) is not None)
        if rounds[0].get("emf"):
            out["emf"] = rounds[0]["emf"]
        return out

    @staticmethod
    def emf_summary(path):
        """Our function's own view: ClaimLatency / S3WriteLatency / AWSRequests from its EMF lines."""
        first = {"ClaimLatency": [], "S3WriteLatency": [], "AWSRequests": []}
        dup = {"ClaimLatency": [], "AWSRequests": []}
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    if '"_aws"' not in line:
                        continue
                    try:
                        doc = json.loads(line)
                    except ValueError:
                        continue
                    bucket = first if doc.get("OrdersProcessed") == 1 else dup if doc.get("DuplicatesSkipped") == 1 else None
                    if bucket is None:
                        continue
                    for key, values in bucket.items():
                        value = doc.get(key)
                        values.extend(value if isinstance(value, list) else [] if value is None else [value])
        except OSError:
            return None
        return {"first": {k: median(v) for k, v in first.items()}, "duplicate": {k: median(v) for k, v in dup.items()},
                "lines": len(first["AWSRequests"]) + len(dup["AWSRequests"])}

    def count_requests(self, impl, tls=False):
        """Through the proxy: AWS requests per invocation, then CPU with kept-alive connections.

        moto closes the connection after every answer, so on the direct path each AWS request costs
        a new TCP connection; the proxy keeps the function's connection alive (as AWS does) and opens
        the new upstream connections itself, outside the function process."""
        endpoint = self.tls.endpoints()["good"] if tls else "http://127.0.0.1:%d" % self.proxy.port
        self.emu.reset()
        proc, t0 = self.spawn(impl, "%s-count%s.log" % (impl.key, "-tls" if tls else ""), endpoint=endpoint, tls=tls)
        out = {"first": [], "duplicate": []}
        keepalive = {}
        try:
            self.wait_first_next(proc, t0)
            orders = [self.order_id(impl, "count-tls" if tls else "count", i) for i in range(self.cfg["count"])]
            for kind in ("first", "duplicate"):
                for oid in orders:
                    self.proxy.reset()
                    self.invoke(impl, oid, kind)
                    entries = self.proxy.log()
                    out[kind].append([{"operation": e["operation"], "status": e["status"],
                                       "ms": (e["finished_ms"] or e["started_ms"]) - e["started_ms"]} for e in entries])
            n = self.cfg["batch"]
            orders = [self.order_id(impl, "keepalive" + ("-tls" if tls else ""), i) for i in range(n)]
            self.proxy.reset()
            if tls:
                self.tls.reset()
            for kind in ("first", "duplicate"):
                ticks0, ns0 = cpu_ticks(proc.pid), cpu_ns(proc.pid)
                for oid in orders:
                    self.invoke(impl, oid, kind)
                ticks1, ns1 = cpu_ticks(proc.pid), cpu_ns(proc.pid)
                keepalive[kind] = {"n": n, "cpu_ms_per_invocation": (ticks1 - ticks0) * 1000.0 / CLK_TCK / n,
                                   "schedstat_cpu_ms_per_invocation": None if ns0 is None or ns1 is None else (ns1 - ns0) / 1e6 / n}
            keepalive["new_connections_during_batch"] = self.proxy.stats()["connections_accepted"]
            if tls:
                keepalive["tls_front_during_batch"] = self.tls.stats()["good"]
        finally:
            self._kill(proc)
        summary_out = {"keepalive_cpu": keepalive}
        for kind, invocations in out.items():
            counts = [len(ops) for ops in invocations]
            sequences = sorted({" + ".join(op["operation"] for op in ops) for ops in invocations})
            per_op = {}
            for ops in invocations:
                for op in ops:
                    per_op.setdefault(op["operation"], []).append(op["ms"])
            summary_out[kind] = {"counts": counts, "sequences": sequences,
                                 "moto_ms_median": {k: median(v) for k, v in per_op.items()}}
        return summary_out

    SQS_RECORDS = 10

    def sqs_event(self, order_ids, phase):
        """An SQS event as Lambda delivers it: one record per order, each body an EventBridge event."""
        return json.dumps({"Records": [{
            "messageId": "%s-%s-%d" % (self.tag, phase, i), "receiptHandle": "rh-%d" % i,
            "body": self.event(oid).decode(), "attributes": {"ApproximateReceiveCount": "1"}, "messageAttributes": {},
            "md5OfBody": "0", "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:%s:123456789012:orders" % REGION,
            "awsRegion": REGION} for i, oid in enumerate(order_ids)]}).encode()

    def invoke_sqs(self, impl, order_ids, phase):
        start = time.perf_counter()
        headers, body = self.emu.invoke(self.sqs_event(order_ids, phase))
        ms = (time.perf_counter() - start) * 1000.0
        try:
            answer = json.loads(body)
        except ValueError:
            answer = None
        if headers.get("X-Amz-Function-Error") or not isinstance(answer, dict) or answer.get("batchItemFailures") != []:
            raise BenchError("%s answered a %d-record SQS batch with %s" % (impl.label, len(order_ids), body[:500].decode("utf-8", "replace")))
        return ms

    def sqs_batches(self, impl):
        """10-record SQS batches: latency and CPU per batch straight to moto (first time, then redelivered as
        duplicates), then latency with every AWS request delayed at the proxy, where records in flight
        together (ours) or one after the other (the peer's BatchProcessor) decide the time."""
        n, slow_n, delay = self.cfg["sqs_batches"], self.cfg["sqs_slow_batches"], self.cfg["sqs_slow_delay_ms"]
        out = {"records": self.SQS_RECORDS, "delay_ms": delay}
        self.emu.reset()
        proc, t0 = self.spawn(impl, "%s-sqs.log" % impl.key)
        try:
            self.wait_first_next(proc, t0)
            self.invoke_sqs(impl, [self.order_id(impl, "sqsw", i) for i in range(self.SQS_RECORDS)], "sqsw")
            batches = [[self.order_id(impl, "sqs%d" % b, i) for i in range(self.SQS_RECORDS)] for b in range(n)]
            for kind in ("first", "duplicate"):
                ticks0, ns0 = cpu_ticks(proc.pid), cpu_ns(proc.pid)
                lat = [self.invoke_sqs(impl, batch, "sqs%d" % b) for b, batch in enumerate(batches)]
                ticks1, ns1 = cpu_ticks(proc.pid), cpu_ns(proc.pid)
                out[kind] = {"latency_ms": summary(lat), "cpu_ms_per_batch": (ticks1 - ticks0) * 1000.0 / CLK_TCK / n,
                             "schedstat_cpu_ms_per_batch": None if ns0 is None or ns1 is None else (ns1 - ns0) / 1e6 / n}
        finally:
            self._kill(proc)
        self.emu.reset()
        self.proxy.reset()
        proc, t0 = self.spawn(impl, "%s-sqs-slow.log" % impl.key, endpoint="http://127.0.0.1:%d" % self.proxy.port)
        try:
            self.wait_first_next(proc, t0)
            self.proxy.add_rule(match={}, action="delay", delay_ms=delay, times=-1)
            lat = [self.invoke_sqs(impl, [self.order_id(impl, "sqsslow%d" % b, i) for i in range(self.SQS_RECORDS)], "slow%d" % b)
                   for b in range(slow_n)]
            out["slow_first"] = {"latency_ms": summary(lat)}
        finally:
            self.proxy.reset()
            self._kill(proc)
        return out

    # --- TLS -------------------------------------------------------------------------------------
    def start_tls(self):
        """The HTTPS front (AWS-like RSA 2048 chain, generated now) before the counting proxy."""
        self.tls = TLSFront("127.0.0.1", self.proxy.port, os.path.join(self.work, "tls-pki"), variants=["good"]).start()
        files = self.tls.files
        self.results["tls"] = {"endpoint": self.tls.endpoints()["good"], "bundle": files["bundle"],
                               "system_bundle": files["system_bundle"],
                               "bundle_certificates": files["system_bundle_certificates"] + 1}

    def tls_unthrottled(self, impls):
        say("TLS: starting the HTTPS front (leaf + intermediate, RSA 2048) before the proxy")
        self.start_tls()
        t = self.results["tls"]
        for impl in impls:
            say("%s over TLS: cold start x%d (each with its first order)" % (impl.label, self.cfg["cold"]))
            entry = t.setdefault(impl.key, {})
            entry["cold"] = self.cold_starts(impl, self.cfg["cold"], tls=True)
        # Alternating rounds, as over plain HTTP: CPU per order is the median of the rounds, so one
        # round disturbed by the machine does not decide the ratio.
        rounds = {impl.key: [] for impl in impls}
        for round_no in range(1, self.cfg["rounds"] + 1):
            for impl in impls:
                say("%s over TLS, round %d of %d: %d first-time orders, then the same %d again"
                    % (impl.label, round_no, self.cfg["rounds"], self.cfg["batch"], self.cfg["batch"]))
                rounds[impl.key].append(self.batches(impl, self.cfg["warmup"], self.cfg["batch"], round_no=round_no, tls=True))
        for impl in impls:
            t[impl.key]["batch"] = self.merge_rounds(rounds[impl.key])
        for impl in impls:
            say("%s over TLS: counting AWS requests and connections" % impl.label)
            t[impl.key]["requests"] = self.count_requests(impl, tls=True)

    def tls_share(self, impls):
        t = self.results["share"].setdefault("tls", {})
        for impl in impls:
            n = self.cfg["share_cold"][impl.key]
            say("%s over TLS at the 128 MB share: cold start x%d, then %d first-time orders and duplicates"
                % (impl.label, n, self.cfg["share_batch"]))
            before = self.share.stat(impl.key)
            entry = t.setdefault(impl.key, {})
            entry["cold"] = self.cold_starts(impl, n, member=impl.key, tls=True)
            entry["batch"] = self.merge_rounds([self.batches(impl, self.cfg["share_warmup"], self.cfg["share_batch"],
                                                             member=impl.key, tls=True)])
            after = self.share.stat(impl.key)
            entry["cpu_stat"] = {k: after.get(k, 0) - before.get(k, 0) for k in after}

    # --- sizes and the machine ------------------------------------------------------------------
    def sizes(self):
        out = {}
        a = self.args
        if a.zip and os.path.isfile(a.zip):
            out["ours_zip_bytes"] = os.path.getsize(a.zip)
            with zipfile.ZipFile(a.zip) as z:
                out["ours_zip_files"] = len(z.infolist())
                out["ours_unzipped_bytes"] = sum(i.file_size for i in z.infolist())
        else:
            out["ours_zip_bytes"] = None
            out["ours_zip_missing"] = a.zip_missing or "no zip at %s" % a.zip
        if a.peer_stage and os.path.isdir(a.peer_stage):
            for name, skip_pyc in (("peer_zip_bytes", False), ("peer_zip_no_pyc_bytes", True)):
                target = os.path.join(self.work, "peer%s.zip" % ("-no-pyc" if skip_pyc else ""))
                files = self._zip_dir(a.peer_stage, target, skip_pyc)
                out[name] = os.path.getsize(target)
                if not skip_pyc:
                    out["peer_zip_path"] = target
                    out["peer_zip_files"] = files
                    out["peer_unzipped_bytes"] = sum(
                        os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(a.peer_stage) for f in fs)
        else:
            out["peer_zip_bytes"] = None
        return out

    @staticmethod
    def _zip_dir(source, target, skip_pyc):
        entries = []
        for d, dirs, files in os.walk(source):
            dirs[:] = sorted(x for x in dirs if not (skip_pyc and x == "__pycache__"))
            for f in sorted(files):
                if skip_pyc and f.endswith(".pyc"):
                    continue
                entries.append(os.path.join(d, f))
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
            for path in entries:
                z.write(path, os.path.relpath(path, source))
        return len(entries)

    @staticmethod
    def _cpu_snapshot():
        """(busy seconds of the whole machine, CPU seconds of this process and its reaped children, time)."""
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
        busy = sum(fields[:8]) - fields[3] - fields[4]           # all but idle and iowait
        t = os.times()
        return busy / CLK_TCK, t.user + t.system + t.children_user + t.children_system, time.monotonic()

    @staticmethod
    def _loadavg():
        try:
            with open("/proc/loadavg") as f:
                return " ".join(f.read().split()[:3])
        except OSError:
            return None

    def machine(self):
        def run(argv):
            try:
                done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
                return (done.stdout or done.stderr).strip()
            except (OSError, subprocess.TimeoutExpired):
                return None

        lscpu = run(["lscpu"]) or ""
        field = lambda name: next((l.split(":", 1)[1].strip() for l in lscpu.splitlines()  # noqa: E731
                                   if l.split(":", 1)[0].strip() == name), None)
        distro = None
        try:
            with open("/etc/os-release") as f:
                distro = dict(l.strip().split("=", 1) for l in f if "=" in l).get("PRETTY_NAME", "").strip('"')
        except OSError:
            pass
        import boto3
        import moto
        peer_versions = run([self.args.peer_python, "-c",
                             "import importlib.metadata as m, json, sys; print(json.dumps(dict("
                             "python=sys.version.split()[0], **{n: m.version(n) for n in ("
                             "'aws-lambda-powertools', 'awslambdaric', 'boto3', 'botocore')})))"])
        try:
            peer_versions = json.loads(peer_versions)
        except (TypeError, ValueError):
            peer_versions = {"error": peer_versions}
        swift = run(["swift", "--version"]) or ""
        commit = run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
        dirty = run(["git", "-C", ROOT, "status", "--porcelain", "--", "Sources", "Package.swift"])
        return {
            "cpu_model": field("Model name"), "cpus": os.cpu_count(), "hypervisor": field("Hypervisor vendor"),
            "kernel": platform.release(), "distro": distro,
            "swift": next((l for l in swift.splitlines() if "Swift version" in l), swift[:80]),
            "python": platform.python_version(), "moto": moto.__version__, "boto3_local_stack": boto3.__version__,
            "peer": peer_versions, "commit": commit, "sources_dirty": bool(dirty),
            "clk_tck": CLK_TCK,
        }


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--quick", action="store_true", help="fewer repetitions, to check that it runs")
    ap.add_argument("--bootstrap", default=os.path.join(ROOT, ".build", "release", "bootstrap"))
    ap.add_argument("--zip", default=os.path.join(ROOT, ".build", "lambda", "bootstrap.zip"))
    ap.add_argument("--zip-missing", default=None, help="why there is no zip (reported)")
    ap.add_argument("--peer-python", default=os.path.join(ROOT, ".venv-bench", "bin", "python"))
    ap.add_argument("--peer-stage", default=None, help="directory laid out like the peer's zip")
    ap.add_argument("--work", default=os.path.join(ROOT, ".build", "bench"))
    ap.add_argument("--out", default=os.path.join(ROOT, "BENCHMARKS.md"))
    ap.add_argument("--cgroup-name", default="order-pipeline-bench-%d" % os.getpid())
    ap.add_argument("--command", default="scripts/bench")
    ap.add_argument("--no-tls", action="store_true", help="skip the runs over TLS")
    ap.add_argument("--only-tls", action="store_true", help="only the TLS runs (and what they need): quicker, for iterating")
    ap.add_argument("--render", metavar="RESULTS_JSON", help="only write the report again from an earlier results.json")
    args = ap.parse_args(argv)
    if args.render:
        with open(args.render) as f:
            results = json.load(f)
        table, verdicts = write_markdown(results, args.out, args.command + (" --quick" if results.get("mode") == "quick" else ""))
        print(table + "\nTargets:\n" + verdicts)
        return 0
    if not os.access(args.peer_python, os.X_OK):
        print("error: the peer's Python is not at %s" % args.peer_python, file=sys.stderr)
        return 2

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench = Bench(args)
    code = 0
    try:
        results = bench.run()
        os.makedirs(bench.work, exist_ok=True)
        with open(os.path.join(bench.work, "results.json"), "w") as f:
            json.dump(results, f, indent=1, sort_keys=True)
        command = args.command + (" --quick" if args.quick else "")
        table, verdicts = write_markdown(results, args.out, command)
        print("\n" + table + "\nTargets:\n" + verdicts + "\n")
        print("Wrote %s and %s" % (os.path.relpath(args.out), os.path.relpath(os.path.join(bench.work, "results.json"))))
    except BenchError as e:
        print("error: %s" % e, file=sys.stderr)
        code = 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        code = 130
    finally:
        bench.close()
    return code


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)   # moto's and the servers' threads are stopped; do not wait on stragglers
