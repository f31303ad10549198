"""How long one playground update takes: a training chunk plus the redraw (target: median <= 100 ms).

    python benchmarks/bench_playground.py            # prints median and p90 of Playground.step() per setting

Each setting builds a playground, takes 3 warm-up steps (the first draws the axes' cached background), then
times `steps` calls of step(), which is exactly what one tick of a running playground does (train
epochs_per_step epochs, update every view: boundary, curves, gradient norms and the network diagram, encode the
PNG, set the widgets). "+ backward view" settings also have an example selected, so every update recomputes and
draws its backward pass. Wall time and this process's CPU time are both printed: on a busy machine the CPU time
is the steadier of the two. Deterministic settings; the timings themselves vary with the machine's load.
"""
import argparse
import time

import numpy as np

import bplib

SETTINGS = {
    "spirals 2x8 tanh sgd (default)": dict(dataset="spirals", depth=2, width=8, activation="tanh"),
    "moons 3x16 relu adam": dict(dataset="moons", depth=3, width=16, activation="relu", init="he",
                                 optimizer="adam", lr=0.01),
    "xor 1x4 sigmoid momentum, batch 1": dict(dataset="xor", depth=1, width=4, activation="sigmoid",
                                              optimizer="momentum", lr=0.03, batch_size=1),
    "circles 8x64 tanh (deepest, widest)": dict(dataset="circles", depth=8, width=64, activation="tanh",
                                                lr=0.01, epochs_per_step=2),
    "default + backward view": dict(dataset="spirals", depth=2, width=8, activation="tanh", select=0),
    "8x64 + backward view, step-through": dict(dataset="circles", depth=8, width=64, activation="tanh",
                                               lr=0.01, epochs_per_step=2, select=0, stage=5),
}


def time_steps(settings, steps):
    """Wall and CPU seconds of each of `steps` calls of step() (after 3 warm-up steps) -> two arrays (steps,)."""
    settings = dict(settings)
    select, stage = settings.pop("select", None), settings.pop("stage", 0)
    pg = bplib.widgets.playground(**settings)
    if select is not None:
        pg.select(select)
        for _ in range(stage):
            pg.trace_next()
    for _ in range(3):
        pg.step()
    wall, cpu = [], []
    for _ in range(steps):
        start, start_cpu = time.perf_counter(), time.process_time()
        pg.step()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    pg.close()
    return np.array(wall), np.array(cpu)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30, help="timed step() calls per setting")
    args = parser.parse_args(argv)
    all_times = []
    print(f"{'setting':40s} {'median':>9s} {'p90':>9s}   {'CPU median':>10s} {'CPU p90':>9s}")
    for name, settings in SETTINGS.items():
        wall, cpu = time_steps(settings, args.steps)
        wall, cpu = wall * 1000, cpu * 1000
        all_times.append(wall)
        print(f"{name:40s} {np.median(wall):6.1f} ms {np.percentile(wall, 90):6.1f} ms   "
              f"{np.median(cpu):7.1f} ms {np.percentile(cpu, 90):6.1f} ms", flush=True)
    t = np.concatenate(all_times)
    print(f"{'all settings':40s} {np.median(t):6.1f} ms {np.percentile(t, 90):6.1f} ms")
    return 0 if np.median(t) <= 100 else 1


if __name__ == "__main__":
    raise SystemExit(main())
