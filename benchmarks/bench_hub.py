"""Load test of a real JupyterHub: N students log in at the same moment, start servers and run a chapter.

    python benchmarks/bench_hub.py                          # N = 5, 10, 20 on the MNIST chapter
    python benchmarks/bench_hub.py --students 3 --chapter '*forward*'
    python benchmarks/bench_hub.py --blas-threads 1         # OPENBLAS/OMP/MKL_NUM_THREADS=1 for every kernel

For each N a fresh hub is started from deploy/jupyterhub_config.py (127.0.0.1, free ports, a scratch folder),
N simulated students (benchmarks/hubload.py) log in through the login form, get a token, start their servers,
open their own student copy of the chapter through the hub's proxy, run every code cell over the kernel's
websocket, create a playground and step it, and shut their kernel down; then the hub is stopped and every
process it started is killed if still alive. Each N has a deadline (--seconds-per-student × N, at least 120 s);
a student still running then counts as a failure. Nothing but 127.0.0.1 is contacted.

Printed per N: spawn time (request -> server ready) and chapter time (first cell -> last cell; kernel start and
playground apart), median and p95; failures (errors other than the exercise stubs' NotImplementedError, time
outs, HTTP errors); peak RSS of each student's server (/proc VmHWM) and kernel (getrusage in the kernel);
kernel CPU-s per chapter (getrusage, start-up included); and all CPU-s used by the hub, proxy, servers and
kernels from hub start to the end of the class, divided by N (a student's whole cost).
"""
import argparse
import json
import os
import pathlib
import platform
import signal
import statistics
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import hubload  # noqa: E402


def one_class(n, chapter, student_dir, extra_env, seconds_per_student, playground_steps, keep_log):
    """Run one class of `n` students on a fresh hub; returns a summary dict (and the raw results)."""
    with tempfile.TemporaryDirectory() as tmp:
        hub = hubload.Hub(pathlib.Path(tmp) / "hub", student_dir=student_dir, extra_env=extra_env)
        try:
            hub.start()
            cpu0 = hub.total_cpu()
            t0 = time.monotonic()
            results = hubload.run_class(hub, n, chapter, max(120, seconds_per_student * n), playground_steps)
            class_s = time.monotonic() - t0
            time.sleep(1.0)                            # let the servers collect their shut-down kernels
            cpu = hub.total_cpu() - cpu0
            usage = hubload.server_usage(hub)
        finally:
            hub.stop()
            if keep_log:
                (keep_log / f"jupyterhub-{n}.log").write_text(hub.log_path.read_text(errors="replace"))
        leftovers = hub.leftovers()

    def col(key, sub=None):
        return [r[key][sub] if sub else r[key] for r in results if key in r and (sub is None or sub in r[key])]

    failures = [f"{r['name']}: {f}" for r in results for f in r["failures"]]
    if leftovers:
        failures.append(f"processes left running after stop: {leftovers}")
    return {
        "n": n, "class_s": class_s, "failures": failures, "killed_at_stop": hub.killed,
        "expected_errors": sum(len(r["expected_errors"]) for r in results),
        "spawn_s": col("spawn_s"), "kernel_s": col("kernel_s"), "chapter_s": col("chapter_s"),
        "playground_s": col("playground_s"), "kernel_cpu_s": col("kernel", "cpu_s"),
        "kernel_rss_mb": col("kernel", "peak_rss_mb"), "server_rss_mb": usage.get("server", []),
        "proxy_rss_mb": usage.get("proxy", []), "cpu_s_per_student": cpu / n, "results": results,
    }


def fmt(values, digits=1):
    """'median / p95' of a list, or '-'."""
    if not values:
        return "-"
    return f"{statistics.median(values):.{digits}f} / {hubload.percentile(values, 95):.{digits}f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[5, 10, 20], help="class sizes (default 5 10 20)")
    parser.add_argument("--chapter", default="*mnist*", help="glob in notebooks/ (default *mnist*)")
    parser.add_argument("--blas-threads", type=int, help="set OPENBLAS/OMP/MKL_NUM_THREADS for every kernel "
                                                         "(default: the environment as it is)")
    parser.add_argument("--seconds-per-student", type=float, default=20, help="deadline per N (default 20 s × N)")
    parser.add_argument("--playground-steps", type=int, default=3)
    parser.add_argument("--json", type=pathlib.Path, help="also write every result here")
    parser.add_argument("--logs", type=pathlib.Path, help="keep each hub's log in this folder")
    args = parser.parse_args(argv)
    # SIGTERM (e.g. from `timeout`) unwinds like Ctrl-C, so each hub's `finally` still stops what it started
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if max(args.students) > 40:
        parser.error("at most 40 students: this is a 2-core test machine")

    chapter = hubload.chapter_path(args.chapter).name
    extra_env = {}
    if args.blas_threads:
        extra_env = {k: str(args.blas_threads) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
    env_shown = {k: v for k, v in {**os.environ, **extra_env}.items() if "THREADS" in k or k.startswith("OPENBLAS")}
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, {os.cpu_count()} CPUs; chapter {chapter}; "
          f"playground steps {args.playground_steps}; BLAS environment {env_shown or 'none'}")
    summaries = []
    with tempfile.TemporaryDirectory() as tmp:
        student_dir = hubload.make_student_copies(pathlib.Path(tmp) / "student")
        for n in args.students:
            s = one_class(n, chapter, student_dir, extra_env, args.seconds_per_student, args.playground_steps,
                          args.logs)
            summaries.append(s)
            print(f"N={n}: class done in {s['class_s']:.0f} s, {len(s['failures'])} failure(s), "
                  f"{s['expected_errors']} expected stub error(s)", flush=True)
            for f in s["failures"][:10]:
                print("   ", f)

    print("\nmedian / p95 over the students; memory is peak RSS; CPU-s per student counts hub, proxy, servers, kernels")
    print("| N | spawn s | kernel start s | chapter s | playground s | failures | server MB | kernel MB "
          "| kernel CPU-s | CPU-s per student | class done s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for s in summaries:
        print(f"| {s['n']} | {fmt(s['spawn_s'])} | {fmt(s['kernel_s'])} | {fmt(s['chapter_s'])} | "
              f"{fmt(s['playground_s'])} | {len(s['failures'])} | {fmt(s['server_rss_mb'], 0)} | "
              f"{fmt(s['kernel_rss_mb'], 0)} | {fmt(s['kernel_cpu_s'])} | {s['cpu_s_per_student']:.1f} | "
              f"{s['class_s']:.0f} |")
    proxy = [mb for s in summaries for mb in s["proxy_rss_mb"]]
    if proxy:
        print(f"proxy (configurable-http-proxy) peak RSS: {max(proxy):.0f} MB")
    if args.json:
        args.json.write_text(json.dumps(summaries, indent=1, default=str))
    return 1 if any(s["failures"] for s in summaries) else 0


if __name__ == "__main__":
    sys.exit(main())
