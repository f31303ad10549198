"""Benchmark: one training epoch of the article's 784-100-10 network (ReLU, softmax, batch 128, float32, SGD).

    python benchmarks/bench_train.py                 # bplib, the matmul peak, and PyTorch if it is installed
    python benchmarks/bench_train.py --rounds 5 --no-torch
    python benchmarks/bench_train.py --threads 1     # one core each: far less sensitive to other processes
    python benchmarks/bench_train.py --threads 1 --clock cpu    # CPU time: robust on a busy machine

Prints, all measured in this one run:
  - bplib's epoch time on 60,000 x 784 float32 inputs (Fashion-MNIST from /usr/share/datasets/fashion-mnist when
    that system copy exists, otherwise seeded random inputs and labels: the time does not depend on the values),
  - the machine's float32 matmul speed (GFLOP/s, best of several large square products) and the fraction of it
    that bplib's epoch reaches (the epoch's matmul FLOPs divided by its time),
  - PyTorch's epoch time for the same model and recipe on CPU, interleaved round by round with bplib so that
    both see the same machine load, and the ratio bplib / PyTorch,
  - the peak resident memory (RSS) while bplib trains (read before PyTorch is imported) and at the end.
Epoch times are medians over the rounds (the minimum is printed too); other processes on the machine add noise,
and multi-threaded BLAS/OpenMP code slows down badly when other processes compete for the cores, so compare the
two libraries through the interleaved rounds, not across runs.
"""
import argparse
import os
import platform
import resource
import statistics
import time


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="measured epochs per library (default 5)")
    parser.add_argument("--data", choices=["auto", "fashion", "random"], default="auto")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch even if it is installed")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads for BLAS and PyTorch (default: the libraries' own choice, all cores)")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="wall: elapsed time (default); cpu: this process's CPU time, which other processes "
                             "on a busy machine do not inflate (only meaningful with --threads 1)")
    args = parser.parse_args(argv)
    if args.clock == "cpu" and args.threads != 1:
        parser.error("--clock cpu needs --threads 1 (with more threads CPU time adds up the threads' times)")
    if args.rounds < 1:
        parser.error("--rounds must be >= 1")
    if args.threads is not None and args.threads < 1:
        parser.error("--threads must be >= 1")
    return args


ARGS = parse_args() if __name__ == "__main__" else None
if ARGS is not None and ARGS.threads is not None:
    # thread pools read these when the libraries load, so set them before importing NumPy (and PyTorch)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402  (after the thread settings above)

import bplib  # noqa: E402

if ARGS is not None:
    # bplib limits BLAS to one thread on import; the benchmark sets the count it was asked for (default: all cores)
    bplib.set_num_threads(ARGS.threads if ARGS.threads is not None else os.cpu_count())

CLOCK = time.process_time if ARGS is not None and ARGS.clock == "cpu" else time.perf_counter
SIZES = [784, 100, 10]
M, BATCH, LR = 60_000, 128, 0.1
FASHION_DIR = "/usr/share/datasets/fashion-mnist"


def load_data(kind, seed=0):
    """(X float32 (60000, 784) in [0, 1], y int64 (60000,), description)."""
    if kind in ("auto", "fashion") and os.path.isdir(FASHION_DIR):
        from bplib.data import idx

        images = idx.read_idx(os.path.join(FASHION_DIR, "train-images-idx3-ubyte.gz"))
        labels = idx.read_idx(os.path.join(FASHION_DIR, "train-labels-idx1-ubyte.gz"))
        X = images.reshape(len(images), -1).astype(np.float32)
        X /= 255
        return X, labels.astype(np.int64), "Fashion-MNIST training set (system copy)"
    if kind == "fashion":
        raise SystemExit(f"--data fashion: no system copy in {FASHION_DIR}")
    rng = np.random.default_rng(seed)
    return (rng.random((M, SIZES[0]), dtype=np.float32), rng.integers(0, SIZES[-1], M),
            f"random inputs in [0, 1) and labels, seed {seed}")


def epoch_flops(m=M, sizes=SIZES):
    """Matmul FLOPs of one epoch: forward Z = A W^T, dW = δ^T A, and δ(l-1) = δ(l) W for l >= 2 (2 per MAC)."""
    macs = 0
    for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        macs += m * n_in * n_out * (3 if l >= 2 else 2)           # the input layer gets no δ
    return 2 * macs


def matmul_peak(n=2048, repeats=5):
    """The best float32 GFLOP/s of an n x n product over `repeats` tries (after one warm-up)."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    out = np.empty((n, n), dtype=np.float32)
    np.matmul(a, b, out=out)
    best = float("inf")
    for _ in range(repeats):
        start = CLOCK()
        np.matmul(a, b, out=out)
        best = min(best, CLOCK() - start)
    return 2 * n ** 3 / best / 1e9


def peak_rss_mb():
    """Peak resident set size of this process so far, in MB (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class BplibRunner:
    def __init__(self, X, y):
        self.X, self.y = X, y
        self.net = bplib.MLP(SIZES, activation="relu", output="softmax", init="he", seed=0, dtype=np.float32)
        self.epoch = 0

    def run_epoch(self):
        """One epoch through bplib.train; returns (epoch seconds, seconds of the whole call, loss).

        The epoch time is train's own per-epoch clock (shuffle, batches, updates: what PyTorch's loop below
        does); the whole call adds the one-off checks of X and y (shape, dtype, NaN/inf), done once per call.
        """
        start = CLOCK()
        history = bplib.train(self.net, self.X, self.y, epochs=1, lr=LR, batch_size=BATCH, optimizer="sgd",
                              seed=self.epoch, progress=False)
        call = CLOCK() - start
        self.epoch += 1
        assert all(p.dtype == np.float32 for p in self.net.params())   # float32 end to end
        epoch = history["time"][-1] if CLOCK is time.perf_counter else call   # train's clock is wall time
        return epoch, call, history["loss"][-1]


class TorchRunner:
    """The same model and recipe in PyTorch: Linear-ReLU-Linear, cross-entropy, SGD, batch 128, shuffled."""

    def __init__(self, torch, X, y):
        self.torch = torch
        torch.manual_seed(0)
        self.X = torch.from_numpy(X)                               # shares memory with the NumPy array
        self.y = torch.from_numpy(y)
        self.model = torch.nn.Sequential(torch.nn.Linear(SIZES[0], SIZES[1]), torch.nn.ReLU(),
                                         torch.nn.Linear(SIZES[1], SIZES[2]))
        for layer in (self.model[0], self.model[2]):               # He init and zero biases, like bplib
            torch.nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
            torch.nn.init.zeros_(layer.bias)
        self.loss_fn = torch.nn.CrossEntropyLoss()
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LR)
        self.generator = torch.Generator().manual_seed(0)

    def run_epoch(self):
        torch, model, opt = self.torch, self.model, self.opt
        start = CLOCK()
        order = torch.randperm(len(self.X), generator=self.generator)
        total = 0.0
        for i in range(0, len(self.X), BATCH):
            idx = order[i:i + BATCH]
            xb, yb = self.X[idx], self.y[idx]
            opt.zero_grad(set_to_none=True)
            loss = self.loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        return CLOCK() - start, total / len(self.X)


def blas_description():
    config = np.show_config(mode="dicts")
    blas = config.get("Build Dependencies", {}).get("blas", {})
    text = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    try:
        from threadpoolctl import threadpool_info
        infos = [i for i in threadpool_info() if i.get("internal_api") == "openblas"]
        if infos:
            text += f", kernel {infos[0].get('architecture')}, {infos[0].get('num_threads')} threads"
    except ImportError:
        pass
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if var in os.environ:
            text += f", {var}={os.environ[var]}"
    return text


def main(args):

    print(f"machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
          f"Python {platform.python_version()}, NumPy {np.__version__}, BLAS {blas_description()}")
    print(f"threads: {args.threads if args.threads is not None else 'library defaults'}; clock: {args.clock}; "
          f"load average before the run: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    X, y, description = load_data(args.data)
    print(f"data: {X.shape[0]:,} x {X.shape[1]} float32 ({X.nbytes / 1e6:.0f} MB), {description}")
    flops = epoch_flops()
    print(f"model: {'-'.join(map(str, SIZES))} ReLU/softmax, batch {BATCH}, SGD lr {LR}, "
          f"{flops / 1e9:.2f} GFLOP of matmuls per epoch")

    peaks = [matmul_peak()]
    ours = BplibRunner(X, y)
    warm_time, _, _ = ours.run_epoch()                              # warm-up epoch (not counted)
    rss_bplib = peak_rss_mb()
    print(f"bplib warm-up epoch: {warm_time:.3f} s; peak RSS while bplib trains: {rss_bplib:.0f} MB")

    theirs = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            print("PyTorch is not installed: no comparison (pip install torch==2.13.0 to add it)")
        else:
            if args.threads is not None:
                torch.set_num_threads(args.threads)
            print(f"PyTorch {torch.__version__}, {torch.get_num_threads()} threads")
            theirs = TorchRunner(torch, X, y)
            theirs.run_epoch()                                      # warm-up epoch (not counted)

    times = {"bplib": [], "torch": []}
    losses = {"bplib": [], "torch": []}
    calls = []
    for r in range(args.rounds):                                    # interleaved: both see the same load
        t, call, loss = ours.run_epoch()
        times["bplib"].append(t)
        calls.append(call)
        losses["bplib"].append(loss)
        if theirs is not None:
            t, loss = theirs.run_epoch()
            times["torch"].append(t)
            losses["torch"].append(loss)
        line = f"round {r + 1}: bplib {times['bplib'][-1]:.3f} s (whole train call {call:.3f} s)"
        if theirs is not None:
            line += f", PyTorch {times['torch'][-1]:.3f} s"
        print(line)
    peaks.append(matmul_peak())

    peak = max(peaks)
    ours_median, ours_min = statistics.median(times["bplib"]), min(times["bplib"])
    print()
    print(f"float32 matmul peak (2048 x 2048, best of the run): {peak:.1f} GFLOP/s")
    print(f"bplib epoch: median {ours_median:.3f} s, min {ours_min:.3f} s "
          f"(train loss after the last epoch {losses['bplib'][-1]:.4f}); whole train(epochs=1) call: "
          f"median {statistics.median(calls):.3f} s")
    print(f"bplib speed: {flops / ours_median / 1e9:.1f} GFLOP/s = {flops / ours_median / 1e9 / peak:.0%} of the "
          f"matmul peak (target >= 40%); best epoch {flops / ours_min / 1e9 / peak:.0%}")
    if theirs is not None:
        torch_median, torch_min = statistics.median(times["torch"]), min(times["torch"])
        print(f"PyTorch epoch: median {torch_median:.3f} s, min {torch_min:.3f} s "
              f"(train loss after the last epoch {losses['torch'][-1]:.4f})")
        print(f"ratio bplib / PyTorch: {ours_median / torch_median:.2f} of the medians, "
              f"{ours_min / torch_min:.2f} of the minima (target <= 0.6)")
    print(f"peak RSS: {rss_bplib:.0f} MB while bplib trains (target < 600 MB), "
          f"{peak_rss_mb():.0f} MB for the whole run")


if __name__ == "__main__":
    main(ARGS)
