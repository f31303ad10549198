"""Data for the course: MNIST and Fashion-MNIST (article section 4) and the seeded 2-D toy sets.

    from bplib.data import load_mnist, one_hot, make_moons
    X_train, y_train, X_test, y_test = load_mnist()       # the committed 4,000 / 1,000 MNIST sample, offline
    X, y = make_moons(n=200, noise=0.1, seed=0)           # (200, 2) points, labels 0/1

Modules: `mnist` (the loader), `idx` (the strict IDX reader), `download` (verified, atomic downloads),
`toy` (moons, circles, spirals, xor).
"""
from .mnist import CLASS_NAMES, SAMPLE_PATH, default_data_dir, load_mnist, one_hot
from .toy import TOY_SETS, make_circles, make_moons, make_spirals, make_toy, make_xor

__all__ = ["load_mnist", "one_hot", "CLASS_NAMES", "SAMPLE_PATH", "default_data_dir",
           "make_moons", "make_circles", "make_spirals", "make_xor", "make_toy", "TOY_SETS"]
