"""Load benchmark of the extraction service on loopback against `roadmap batch` on the same files.

    python bench/bench_service.py [--files 200] [--clients 10] [--workers 2]

200 files (the five sample plans in turn, each under a name of its own) are submitted by 10
concurrent clients to `roadmap serve` (local executor) on 127.0.0.1, one POST /jobs per file;
each client then polls GET /jobs/{id} every 0.2 s until its job ends and takes the next file.
Reported: jobs per minute (first request to last job done) against `roadmap batch -j WORKERS`
on the same files in the same run (goal: at least 0.9x), the p50/p95 latency of GET /jobs/{id}
under that load (goal: p95 under 50 ms), and the peak resident memory (VmHWM) of each worker
process of the server, and the CPU seconds of the API process, of the workers and of the
clients during the run. The batch runs at the service workers' priority (`worker_nice`), so that
load from other processes on the machine weighs the same on both runs. Bounded: at most --limit
seconds for the service run, then it stops.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
ROADMAP = Path(sys.executable).with_name("roadmap")
sys.path.insert(0, str(ROOT / "bench"))
from bench_batch import SAMPLES, make_inputs  # noqa: E402 (the same inputs as the batch benchmark)

sys.path.insert(0, str(ROOT))
from service.config import Settings  # noqa: E402

WORKER_NICE: int = Settings.model_fields["worker_nice"].default


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def descendants(pid: int) -> set[int]:
    found: set[int] = set()
    todo = [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*"):
            try:
                kids = map(int, (task / "children").read_text().split())
            except OSError:
                continue
            for kid in kids:
                if kid not in found:
                    found.add(kid)
                    todo.append(kid)
    return found


def status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _stat(pid: int) -> list[str]:
    """The fields of /proc/PID/stat after the command name ([] when the process is gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (all its threads) so far."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK") if fields else 0.0


def is_worker(pid: int) -> bool:
    """A pool worker: forked from the forkserver (same command line), not the forkserver itself."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
        parent = int(_stat(pid)[1])
        parent_command = Path(f"/proc/{parent}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return False
    return b"forkserver" in command and command == parent_command


def run_batch(inputs: Path, out: Path, workers: int) -> float:
    started = time.perf_counter()
    # at the service's worker priority, so that load from outside weighs the same on both runs
    subprocess.run(["nice", "-n", str(WORKER_NICE), str(ROADMAP), "batch", str(inputs), "-o", str(out),
                    "-j", str(workers), "--force"],
                   check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - started


def run_service(paths: list[Path], data: Path, workers: int, clients: int, limit: float) -> dict[str, object]:
    port = free_port()
    env = {**os.environ, "ROADMAP_DATA_DIR": str(data), "ROADMAP_WORKERS": str(workers),
           "ROADMAP_RATE_LIMIT": "1000000/minute", "ROADMAP_MAX_TASKS_PER_CHILD": "1000"}
    log = (data.parent / "serve.log").open("wb")
    server = subprocess.Popen([str(ROADMAP), "serve", "--port", str(port)], env=env, stdout=log,
                              stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    peaks: dict[int, int] = {}
    worker_cpu: dict[int, float] = {}
    stop = threading.Event()

    def sample_memory() -> None:
        while not stop.wait(0.5):
            for pid in descendants(server.pid):
                if is_worker(pid):
                    peaks[pid] = max(peaks.get(pid, 0), status_kb(pid, "VmHWM"))
                    worker_cpu[pid] = cpu_seconds(pid)

    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("roadmap serve did not start; see serve.log")
            time.sleep(0.2)
        # warm-up: one job per worker, so that neither run pays the workers' first-file cost in the figures
        with httpx.Client(base_url=base, timeout=60) as client:
            for path in SAMPLES[:workers]:
                job = client.post("/api/v1/jobs", files=[("files", (path.name, path.read_bytes()))]).json()["jobs"][0]
                while client.get(f"/api/v1/jobs/{job['id']}").json()["status"] not in ("done", "failed"):
                    time.sleep(0.1)
        threading.Thread(target=sample_memory, daemon=True).start()
        time.sleep(0.6)  # the workers' CPU so far is sampled before the run
        worker_cpu_before = dict(worker_cpu)
        api_cpu_before = cpu_seconds(server.pid)
        own_cpu_before = time.process_time()
        todo: queue.Queue[Path] = queue.Queue()
        for path in paths:
            todo.put(path)
        latencies: list[float] = []
        statuses: list[str] = []
        lock = threading.Lock()
        end_by = time.monotonic() + limit

        def client_loop() -> None:
            with httpx.Client(base_url=base, timeout=60) as client:
                while time.monotonic() < end_by:
                    try:
                        path = todo.get_nowait()
                    except queue.Empty:
                        return
                    response = client.post("/api/v1/jobs", files=[("files", (path.name, path.read_bytes()))])
                    job_id = response.json()["jobs"][0]["id"]
                    while time.monotonic() < end_by:
                        began = time.perf_counter()
                        job = client.get(f"/api/v1/jobs/{job_id}").json()
                        with lock:
                            latencies.append(time.perf_counter() - began)
                        if job["status"] in ("done", "failed"):
                            with lock:
                                statuses.append(job["status"])
                            break
                        time.sleep(0.2)

        started = time.perf_counter()
        threads = [threading.Thread(target=client_loop) for _ in range(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        time.sleep(0.6)
        stop.set()
        api_cpu = cpu_seconds(server.pid) - api_cpu_before
        own_cpu = time.process_time() - own_cpu_before
        workers_cpu = sum(worker_cpu.values()) - sum(worker_cpu_before.values())
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
    latencies.sort()
    return {
        "elapsed": elapsed,
        "jobs": len(statuses),
        "done": statuses.count("done"),
        "gets": len(latencies),
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "worker_peak_mb": sorted(round(kb / 1024) for kb in peaks.values()),
        "cpu": {"api_process": round(api_cpu, 1), "workers": round(workers_cpu, 1), "clients": round(own_cpu, 1)},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--limit", type=float, default=600.0, help="seconds the service run may take at most")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="roadmap-bench-service-") as tmp:
        folder = Path(tmp)
        paths = make_inputs(folder / "inputs", args.files)
        run_batch(folder / "inputs", folder / "warm", args.workers)  # imports and disk caches warm for both
        batch = run_batch(folder / "inputs", folder / "out", args.workers)
        service = run_service(paths, folder / "data", args.workers, args.clients, args.limit)
    batch_rate = 60 * args.files / batch
    service_rate = 60 * float(service["jobs"]) / float(service["elapsed"])  # type: ignore[arg-type]
    report = {
        "files": args.files, "clients": args.clients, "workers": args.workers,
        "load_before": round(load_before, 2),
        "batch_seconds": round(batch, 2), "batch_jobs_per_minute": round(batch_rate),
        "service_seconds": round(float(service["elapsed"]), 2),  # type: ignore[arg-type]
        "service_jobs_per_minute": round(service_rate), "ratio": round(service_rate / batch_rate, 2),
        "service_done": service["done"], "get_requests": service["gets"],
        "get_p50_ms": round(float(service["p50_ms"]), 1), "get_p95_ms": round(float(service["p95_ms"]), 1),  # type: ignore[arg-type]
        "worker_peak_rss_mb": service["worker_peak_mb"],
        "service_cpu_seconds": service["cpu"],
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
