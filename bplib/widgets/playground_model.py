"""The playground's model: data, network, optimiser and training in chunks, without any widget (article 3.2 end, 3.3).

`bplib.widgets.playground()` draws and controls one of these; tests and scripts can drive it directly:

    model = PlaygroundModel(dataset="spirals", depth=2, width=8, activation="tanh", lr=0.1)
    model.train_chunk()               # epochs_per_step epochs of mini-batch gradient descent (bplib.train.run_epoch)
    model.history["train_loss"]       # full-batch train loss J after every epoch (entry 0: the untrained net)

Everything is deterministic for a given seed: the data (seed), the initial weights (seed) and the per-epoch
shuffles (a generator seeded from seed) give bit-identical histories, however the epochs are split into chunks.

Divergence (decided by `bplib.train.Divergence`, with `DIVERGE_FACTOR`): a loss or weight that becomes NaN/inf,
or an epoch after which the full-batch train loss is more than DIVERGE_FACTOR times the reference loss: the
larger of the untrained network's loss and ln 2, the cross-entropy of guessing 50/50 on two balanced classes.
`bplib.train`'s default factor (ten) misses the classic case of a too-large learning rate, lr = 10 with sigmoid
units on spirals: there the loss jumps to about 3 times the untrained loss in the very first epoch and then
bounces around it for ever, never NaN and never ten times its starting value. A network that ends an epoch at more than twice
its untrained loss (and twice a coin flip's) has been made worse by its own steps: they overshoot. The model then restores the weights of
the last good epoch (so the plots show a real state, never NaNs) and refuses to train until it is rebuilt.
"""
import copy
import numbers

import numpy as np

from .. import _checks, activations, init as init_mod, losses, optim
from ..data.toy import TOY_SETS, limits, make_toy
from ..i18n import tr
from ..network import MLP
from ..train import Divergence, run_epoch

#: an epoch whose full-batch train loss exceeds this many times max(untrained loss, ln 2) counts as divergence
DIVERGE_FACTOR = 2.0

MAX_DEPTH = 8
MAX_WIDTH = 64
#: the learning rates the slider can show (log scale); a setting outside them would disagree with the slider
LR_RANGE = (1e-4, 10.0)
ACTIVATIONS = tuple(name for name in activations.ACTIVATIONS if name != "identity")

#: every setting and its default; "depth" counts hidden layers, each of "width" units
DEFAULTS = {
    "dataset": "spirals", "noise": 0.05, "n_train": 200, "n_test": 100,
    "depth": 2, "width": 8, "activation": "tanh", "init": "xavier",
    "optimizer": "sgd", "lr": 0.1, "batch_size": 10, "l2": 0.0,
    "epochs_per_step": 5, "seed": 0, "grid": 60,
}
#: settings that only change how the next steps are taken; all others rebuild data and network
LIVE_SETTINGS = ("lr", "batch_size", "l2", "epochs_per_step")


def _int_in(value, lo, hi, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or not lo <= value <= hi:
        raise ValueError(tr("{name} must be an integer from {lo} to {hi}, got {value!r}", name=name, lo=lo, hi=hi,
                            value=value))
    return int(value)


def validate(settings):
    """Check a (partial) settings dict; return a cleaned copy or raise TypeError/ValueError naming the setting."""
    unknown = sorted(set(settings) - set(DEFAULTS))
    if unknown:
        raise TypeError(tr("unknown playground setting(s) {unknown}; valid settings are {valid}", unknown=unknown,
                           valid=sorted(DEFAULTS)))
    out = {}
    for key, value in settings.items():
        if key in ("dataset", "activation", "init", "optimizer"):
            valid = {"dataset": TOY_SETS, "activation": ACTIVATIONS, "init": init_mod.INITS,
                     "optimizer": optim.OPTIMIZERS}[key]
            value = _checks.choice(value, valid, key)
        elif key == "noise":
            value = _checks.non_negative_number(value, "noise")
            if value > 1:
                raise ValueError(tr("noise must be from 0 to 1 (a standard deviation in data units), got {value!r}",
                                    value=value))
        elif key in ("n_train", "n_test"):
            value = _int_in(value, 2 if key == "n_train" else 1, 5000, key)
        elif key == "depth":
            value = _int_in(value, 0, MAX_DEPTH, "depth (the number of hidden layers)")
        elif key == "width":
            value = _int_in(value, 1, MAX_WIDTH, "width (units per hidden layer)")
        elif key == "lr":
            value = _checks.positive_number(value, "lr (the learning rate α)")
            if not LR_RANGE[0] <= value <= LR_RANGE[1]:
                raise ValueError(tr("lr (the learning rate α) must be from {lo:g} to {hi:g}, the slider's range, "
                                    "got {value!r}", lo=LR_RANGE[0], hi=LR_RANGE[1], value=value))
        elif key == "batch_size":
            value = _int_in(value, 1, 5000, "batch_size")
        elif key == "l2":
            value = _checks.non_negative_number(value, "l2")
        elif key == "epochs_per_step":
            value = _int_in(value, 1, 1000, "epochs_per_step")
        elif key == "seed":
            value = _int_in(value, 0, 2**32 - 1, "seed")
        elif key == "grid":
            value = _int_in(value, 2, 400, "grid (points per side of the probability image)")
        out[key] = value
    return out


class PlaygroundModel:
    """Data, network and training state of one playground (no drawing).

    Args: any of DEFAULTS as keywords (unknown names raise TypeError, bad values ValueError).
    Attributes:
        settings: the current settings dict.
        X_train (n_train, 2), y_train (n_train,), X_test (n_test, 2), y_test (n_test,): the data.
        net: the current bplib.MLP, sizes [2, width × depth, 2], softmax output (cross-entropy loss).
        history: per-epoch lists "epoch", "train_loss", "train_acc", "test_loss", "test_acc" (on the whole train
            or test set, after the epoch; index 0 is the untrained net) and "grad_norms" (mean ‖∂J/∂W(l)‖ of each
            layer over the epoch's mini-batches, an array of L numbers; index 0: full-batch gradient of the
            untrained net).
        diverged: None, or a dict with "epoch" and "message".
    """

    def __init__(self, **settings):
        self.settings = dict(DEFAULTS)
        self.settings.update(validate(settings))
        self.rebuild()

    # ------------------------------------------------------------------ building
    @property
    def sizes(self):
        """[n_0, n_1, ..., n_L] = [2, width (depth times), 2]."""
        return [2] + [self.settings["width"]] * self.settings["depth"] + [2]

    def rebuild(self):
        """Regenerate data, network, optimiser and history from the settings (same seed, same state)."""
        s = self.settings
        seed = s["seed"]
        n = s["n_train"] + s["n_test"]
        X, y = make_toy(s["dataset"], n=n, noise=s["noise"], seed=seed)
        order = np.random.default_rng([seed, 1]).permutation(n)       # a random train/test split, seeded
        train, test = order[:s["n_train"]], order[s["n_train"]:]
        self.X_train, self.y_train, self.X_test, self.y_test = X[train], y[train], X[test], y[test]
        self.net = MLP(self.sizes, activation=s["activation"], output="softmax", init=s["init"],
                       seed=np.random.default_rng([seed, 2]), l2=s["l2"])
        self._X, self._T = self.net.prepare(self.X_train, self.y_train)
        self._X_test, self._T_test = self.net.prepare(self.X_test, self.y_test)
        self._rng = np.random.default_rng([seed, 3])                   # the per-epoch shuffles
        self.optimizer = optim.make_optimizer(s["optimizer"])
        self.diverged = None
        xlim, ylim = limits(X, margin=0.075, square=True)
        self.extent = (*xlim, *ylim)
        g = s["grid"]
        xx, yy = np.meshgrid(np.linspace(*xlim, g), np.linspace(*ylim, g))
        self._grid_X = np.c_[xx.ravel(), yy.ravel()].astype(np.float32)
        # a float32 twin of the net draws the probability image about twice as fast (a picture needs no float64)
        self._viewer = MLP(self.sizes, activation=s["activation"], output="softmax", init="zeros", dtype=np.float32)
        self.history = {"epoch": [], "train_loss": [], "train_acc": [], "test_loss": [], "test_acc": [],
                        "grad_norms": []}
        loss, grads, _ = self.net.loss_grads_output(self._X, self._T)
        self.initial_loss = loss
        self.divergence = Divergence(DIVERGE_FACTOR, max(loss, float(np.log(2))),   # untrained, or 50/50 if larger
                                     tr("the untrained loss, or ln 2 if larger"))
        self._record(0, [np.sqrt(float(np.vdot(g, g))) for g in grads[:self.net.n_layers]])

    def update(self, **settings):
        """Change settings; returns True if that rebuilt everything (data/architecture/seed...), False if live.

        Live settings (LIVE_SETTINGS) apply from the next step on; after a divergence they rebuild too, since
        the diverged run cannot continue.
        """
        settings = validate(settings)
        changed = {k: v for k, v in settings.items() if self.settings[k] != v}
        if not changed:
            return False
        self.settings.update(changed)
        if self.diverged is not None or any(k not in LIVE_SETTINGS for k in changed):
            self.rebuild()
            return True
        if "l2" in changed:
            self.net.l2 = changed["l2"]
        return False

    # ------------------------------------------------------------------ training
    @property
    def epoch(self):
        """The number of epochs trained since the last rebuild."""
        return self.history["epoch"][-1]

    def _record(self, epoch, grad_norms):
        h = self.history
        loss, out = self.net.loss_output(self._X, self._T)
        test_loss, test_out = self.net.loss_output(self._X_test, self._T_test)
        h["epoch"].append(epoch)
        h["train_loss"].append(loss)
        h["test_loss"].append(test_loss)
        h["train_acc"].append(losses.accuracy(out, self._T, "softmax"))
        h["test_acc"].append(losses.accuracy(test_out, self._T_test, "softmax"))
        h["grad_norms"].append(np.asarray(grad_norms, dtype=float))

    def _diverge(self, epoch, reason, saved):
        for p, good in zip(self.net.params(), saved):
            p[...] = good                                   # back to the last good epoch, so plots stay finite
        self.optimizer = optim.make_optimizer(self.settings["optimizer"])
        message = Divergence.message(epoch, None, reason, self.settings["lr"])
        self.diverged = {"epoch": epoch, "message": (
            tr("{message} Move the slider down, or press reset. The plots show the last good epoch, {last}.",
               message=message, last=epoch - 1))}

    def train_chunk(self, epochs=None, stop=None):
        """Train `epochs` (default settings["epochs_per_step"]) epochs of mini-batch descent; return epochs done.

        Each epoch is `bplib.train.run_epoch` on the n_train examples, shuffled, in mini-batches of batch_size
        (the last may be smaller), then full-batch train/test loss and accuracy are recorded. Stops early on
        divergence, and as soon as `stop()` (if given) returns True, which is checked between mini-batches: a
        pause or a control change then waits for one mini-batch, never for a whole epoch (5,000 examples in
        batches of 1 through 8 layers of 64 units take over a second). An epoch stopped halfway is undone
        (weights, optimiser state and the shuffling generator go back to where the epoch started), so the
        history stays one of whole epochs and the same seed still gives the same history, however it is split.
        """
        if self.diverged is not None:
            return 0
        epochs = self.settings["epochs_per_step"] if epochs is None else _int_in(epochs, 1, 10**6, "epochs")
        lr, batch_size = self.settings["lr"], self.settings["batch_size"]
        net, X, T = self.net, self._X, self._T
        params = net.params()
        m = X.shape[0]
        done = 0
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for _ in range(epochs):
                if stop is not None and stop():
                    break
                epoch = self.epoch + 1
                saved = [p.copy() for p in params]
                saved_optimizer = copy.deepcopy(self.optimizer) if stop is not None else None
                saved_rng = self._rng.bit_generator.state
                result = run_epoch(net, X, T, self._rng.permutation(m), batch_size, self.optimizer, lr,
                                   track_grad_norms=True, stop=stop)
                if result["stopped"]:                       # undo the partial epoch: it is redone next time
                    for p, good in zip(params, saved):
                        p[...] = good
                    self.optimizer = saved_optimizer
                    self._rng.bit_generator.state = saved_rng
                    break
                reason = (result["diverged"] and result["diverged"][1]) or Divergence.check_params(params)
                if reason is None:
                    reason = self.divergence.check_loss(net.loss_output(X, T)[0])
                if reason is not None:
                    self._diverge(epoch, reason, saved)
                    return done
                self._record(epoch, result["grad_norms"])
                done += 1
        return done

    def probabilities(self):
        """P(class 1) of the network on the grid × grid image over `extent`, shape (grid, grid), row 0 at the bottom."""
        g = self.settings["grid"]
        for twin, p in zip(self._viewer.params(), self.net.params()):
            twin[...] = p
        with np.errstate(over="ignore", invalid="ignore"):
            return self._viewer.forward_pass(self._grid_X)[1][-1][:, 1].reshape(g, g)

    def summary(self):
        """One deterministic line: data, architecture, epoch and rounded losses."""
        s, h = self.settings, self.history
        text = tr("{dataset}, sizes {sizes}, {activation}, {optimizer} lr={lr:.4g}: epoch {epoch}, train loss "
                  "{train:.4f}, test loss {test:.4f}, test accuracy {acc:.1f}%", dataset=s["dataset"], sizes=self.sizes,
                  activation=s["activation"], optimizer=s["optimizer"], lr=s["lr"], epoch=self.epoch,
                  train=h["train_loss"][-1], test=h["test_loss"][-1], acc=100 * h["test_acc"][-1])
        return text + (tr(" (diverged)") if self.diverged else "")

