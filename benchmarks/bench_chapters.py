"""The cost of one student: each chapter's student copy run top to bottom in a fresh kernel, one at a time.

    python benchmarks/bench_chapters.py                    # every chapter, the environment as it is
    python benchmarks/bench_chapters.py --rounds 3         # median of 3 fresh kernels per chapter
    python benchmarks/bench_chapters.py '*mnist*'          # chapters matching a glob
    python benchmarks/bench_chapters.py --solutions        # the notebooks in notebooks/ instead

For each chapter it prints the wall time, the kernel's CPU seconds and its peak resident memory (RSS), both
from getrusage inside the kernel at the end (its own and its reaped children's; the kernel's start-up, i.e.
Python, NumPy, matplotlib and bplib imports, is included, since every student pays it). Student copies are the
notebooks with solutions stubbed (tools/make_student_copies.py): what a class runs. Errors raised by stubs are
counted as expected, anything else stops the script.

The BLAS thread settings in force are printed: kernels inherit this process's environment, so run it the way
the students' kernels will be run (deploy/README.md turns the table into sizing guidance).
"""
import argparse
import json
import os
import pathlib
import platform
import statistics
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import hubload  # noqa: E402

BLAS_INFO_CODE = """\
import json as _json
try:
    from threadpoolctl import threadpool_info as _tpi
    print(_json.dumps([{k: d.get(k) for k in ("internal_api", "num_threads", "version")} for d in _tpi()]))
except ImportError:
    print("[]")
"""


def run_chapter(path, workdir):
    """Execute `path` in a fresh kernel; returns {"wall_s", "cpu_s", "peak_rss_mb", "expected_errors", "blas"}."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(workdir)}})
    expected = 0
    t0 = time.perf_counter()
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            client.execute_cell(cell, i)
            for out in cell.outputs:
                if out.output_type == "error":
                    if out.ename == hubload.EXPECTED_ERROR[0] and out.evalue.startswith(hubload.EXPECTED_ERROR[1]):
                        expected += 1
                    else:
                        raise SystemExit(f"{path.name}, cell {i}: {out.ename}: {out.evalue}")
        wall = time.perf_counter() - t0
        usage, blas = nbformat.v4.new_code_cell(hubload.USAGE_CODE), nbformat.v4.new_code_cell(BLAS_INFO_CODE)
        nb.cells += [usage, blas]           # (nbclient stores each executed cell back into nb.cells)
        client.execute_cell(usage, len(nb.cells) - 2)
        client.execute_cell(blas, len(nb.cells) - 1)
    result = _stdout_json(usage)
    result.update(wall_s=wall, expected_errors=expected, blas=_stdout_json(blas))
    return result


def _stdout_json(cell):
    """The JSON printed as the last line of a cell's standard output (other outputs, e.g. warnings, skipped)."""
    text = "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")
    return json.loads(text.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", default=["[0-9][0-9]_*"], help="globs in notebooks/ (default: all)")
    parser.add_argument("--rounds", type=int, default=1, help="fresh kernels per chapter (medians are printed)")
    parser.add_argument("--solutions", action="store_true", help="run notebooks/ instead of the student copies")
    parser.add_argument("--json", type=pathlib.Path, help="also write the results here")
    args = parser.parse_args(argv)

    paths = []
    for pattern in args.chapters:
        paths += sorted((hubload.ROOT / "notebooks").glob(pattern if pattern.endswith(".ipynb") else pattern + ".ipynb"))
    if not paths:
        parser.error("no notebook matches")
    blas_env = {k: v for k, v in os.environ.items() if "THREADS" in k or k.startswith("OPENBLAS")}
    print(f"{time.strftime('%Y-%m-%d %H:%M')}, {platform.node()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"BLAS-related environment: {blas_env or 'none'}")
    print(f"{'student copies' if not args.solutions else 'solutions'}, {args.rounds} fresh kernel(s) per chapter, "
          "one at a time\n")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = pathlib.Path(tmp)
        if not args.solutions:
            hubload.make_student_copies(workdir)
            paths = [workdir / p.name for p in paths]
        rows, blas_seen = [], None
        print(f"| chapter | wall s | kernel CPU-s | peak RSS MB | stub errors |")
        print(f"|---|---|---|---|---|")
        for path in paths:
            runs = [run_chapter(path, workdir) for _ in range(args.rounds)]
            blas_seen = runs[-1]["blas"]
            row = {"chapter": path.stem, **{k: statistics.median(r[k] for r in runs)
                                            for k in ("wall_s", "cpu_s", "peak_rss_mb")},
                   "expected_errors": runs[-1]["expected_errors"], "runs": runs}
            rows.append(row)
            print(f"| {row['chapter']} | {row['wall_s']:.1f} | {row['cpu_s']:.1f} | {row['peak_rss_mb']:.0f} | "
                  f"{row['expected_errors']} |", flush=True)
    print(f"\nBLAS in the kernels (threadpoolctl): {blas_seen}")
    if args.json:
        args.json.write_text(json.dumps({"env": blas_env, "blas": blas_seen, "rows": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
