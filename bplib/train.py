"""The training loop: epochs, per-epoch shuffling, mini-batches (article 2.2, 3.2 end, 3.3.4).

    for epoch in range(epochs):
        shuffle the m examples (seeded)
        for each mini-batch of batch_size examples (the last one may be smaller; it is used, not dropped):
            loss, grads = forward + backward pass on the batch
            params := optimiser update with learning rate lr (the article's α)

Batch gradient descent is batch_size=m, stochastic gradient descent is batch_size=1.

`run_epoch` is that inner loop, shared by `train` and the playground; `Divergence` is the one place that decides
when training has blown up and words the message.
"""
import contextlib
import numbers
import time

import numpy as np

from . import _blas, _checks, losses, optim
from .i18n import tr


class Divergence:
    """When training has diverged: a non-finite loss or weight, or a loss above `factor` × a reference loss.

    Args:
        factor: how many times the reference loss counts as divergence (None: only NaN/inf count).
        reference: the loss to compare with (None: set later with `set_reference`).
        reference_text: what the reference is, for the message (e.g. "the loss before the first step").
    A loss that grows to several times where training started is not coming back: the steps overshoot.
    """

    def __init__(self, factor, reference=None, reference_text=None):
        self.factor = factor
        self.reference = reference
        self.reference_text = tr("the reference loss") if reference_text is None else reference_text

    def set_reference(self, loss, text):
        """Compare later losses with `loss` (described as `text`)."""
        self.reference, self.reference_text = float(loss), text

    def check_loss(self, loss, factor_rule=True):
        """None if `loss` is fine, else the reason it counts as divergence (a clause for `message`)."""
        if not np.isfinite(loss):
            return tr("the loss became {loss}", loss=loss)
        if factor_rule and self.factor is not None and self.reference is not None \
                and loss > self.factor * self.reference:
            return tr("the loss grew to {loss:.3g}, more than {factor:g} × {reference:.3g} ({reference_text})",
                      loss=loss, factor=self.factor, reference=self.reference, reference_text=self.reference_text)
        return None

    @staticmethod
    def check_params(params):
        """None if every parameter is finite, else the reason."""
        if all(_checks.all_finite(p) for p in params):
            return None
        return tr("the weights became NaN or infinite")

    @staticmethod
    def message(epoch, batch, reason, lr):
        """The one wording of a divergence report: where, why, and what to change."""
        if batch is None:
            return tr("Training diverged in epoch {epoch}: {reason}. Try a smaller learning rate (lr = {lr:g} now).",
                      epoch=epoch, reason=reason, lr=lr)
        return tr("Training diverged in epoch {epoch}, batch {batch}: {reason}. Try a smaller learning rate "
                  "(lr = {lr:g} now).", epoch=epoch, batch=batch, reason=reason, lr=lr)


def run_epoch(net, X, T, order, batch_size, optimizer, lr, track_grad_norms=False, check_first=False, stop=None):
    """One epoch of mini-batch gradient descent on validated X (m, n_0) and targets T (m, n_L).

    Args:
        net: a bplib network (the protocol: params, loss_grads_output, grad_layer_names, output).
        order: the example indices in the order to visit them (a permutation of 0..m-1, or arange(m)).
        batch_size: examples per update (the last batch may be smaller). optimizer: an object with step().
        lr: the learning rate for this epoch. track_grad_norms: also average ‖∂J/∂W(l)‖ over the batches.
        check_first: check the first batch's gradients against the parameters (shape and dtype).
        stop: None, or a function checked before every mini-batch after the first; when it returns True the
            epoch ends there, unfinished ("stopped" is True). An epoch of batch size 1 on thousands of examples
            takes seconds: the playground's pause must not wait for it.
    Returns:
        dict with "loss" (mean over the examples of each batch's loss, measured before that batch's step),
        "correct" (examples classified correctly, counted the same way), "grad_norms" (array of one mean norm per
        layer, or None), "batches" (updates made) and "diverged" (None, or (batch number, reason) if a batch's
        loss was NaN/inf: the epoch stops there, before that batch's update) and "stopped" (True if `stop` ended
        the epoch early: the parameters and the optimiser then hold a partial epoch's updates).
    """
    m = len(order)
    params = net.params()
    n_layers = len(net.grad_layer_names())
    norm_sum = np.zeros(n_layers) if track_grad_norms else None
    loss_sum, correct, batches = 0.0, 0, 0
    for start in range(0, m, batch_size):
        if stop is not None and batches > 0 and stop():
            return {"loss": np.nan, "correct": correct, "grad_norms": None, "batches": batches, "diverged": None,
                    "stopped": True}
        idx = order[start:start + batch_size]
        Xb, Tb = X.take(idx, axis=0), T.take(idx, axis=0)    # (take: faster than X[idx] for row gathers)
        loss, grads, out = net.loss_grads_output(Xb, Tb)
        if check_first and batches == 0:
            _check_grads(params, grads)
        if not np.isfinite(loss):
            return {"loss": np.nan, "correct": correct, "grad_norms": None, "batches": batches,
                    "diverged": (batches + 1, Divergence(None).check_loss(loss)), "stopped": False}
        loss_sum += loss * len(idx)
        correct += losses.n_correct(out, Tb, net.output)
        if track_grad_norms:
            norm_sum += [np.sqrt(float(np.vdot(g, g))) for g in grads[:n_layers]]
        batches += 1
        optimizer.step(params, grads, lr)
    return {"loss": loss_sum / m, "correct": correct, "batches": batches, "diverged": None, "stopped": False,
            "grad_norms": norm_sum / batches if track_grad_norms else None}


def _progress_bar(enabled, epochs):
    if enabled is False:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional
        return None
    # "auto": appear only if the run lasts more than 3 s, so short runs print nothing
    return tqdm(total=epochs, unit="epoch", delay=0 if enabled is True else 3, leave=False)


def _check_grads(params, grads):
    """Fail loudly if a network's gradients do not match its parameters in number, shape or dtype.

    Checked on the first batch only (it costs nothing): a float64 gradient for a float32 weight would mean a
    silent upcast somewhere in the backward pass, and doubled memory traffic in every update after it.
    """
    if len(grads) != len(params):
        raise ValueError(tr("the network returned {n_grads} gradients for {n_params} parameters",
                            n_grads=len(grads), n_params=len(params)))
    for i, (p, g) in enumerate(zip(params, grads)):
        if g.shape != p.shape or g.dtype != p.dtype:
            raise TypeError(tr("gradient {i} is {g_dtype} {g_shape}, but its parameter is {p_dtype} {p_shape}: a "
                               "gradient must match its parameter's shape and dtype (no silent upcast)",
                               i=i, g_dtype=g.dtype, g_shape=g.shape, p_dtype=p.dtype, p_shape=p.shape))


def _schedule_lr(lr_schedule, epoch, lr):
    if lr_schedule is None:
        return lr
    epoch_lr = lr_schedule(epoch, lr)
    if isinstance(epoch_lr, bool) or not isinstance(epoch_lr, numbers.Real) or not np.isfinite(epoch_lr) \
            or epoch_lr < 0:
        # 0 is allowed: a schedule may decay to zero in its last epoch (cosine_decay does)
        raise ValueError(tr("lr_schedule returned {lr!r} for epoch {epoch}; it must return a non-negative learning "
                            "rate", lr=epoch_lr, epoch=epoch))
    return float(epoch_lr)


def train(net, X, Y, epochs=10, lr=0.1, batch_size=64, optimizer="sgd", seed=0, X_val=None, Y_val=None,
          lr_schedule=None, track_grad_norms=False, progress="auto", verbose=True, callback=None,
          shuffle=True, diverge_factor=10.0, small_blas="auto", **optimizer_args):
    """Train `net` in place with mini-batch gradient descent and return its history.

    Args:
        net: a bplib network (e.g. bplib.MLP).
        X: inputs (m, n_0). Y: labels (m,) or targets (m, n_L).
        epochs: passes over the data. lr: learning rate α (> 0). batch_size: examples per update (>= 1).
        optimizer: "sgd", "momentum" or "adam" (or an optimiser object); optimizer_args go to its constructor.
        seed: seed for the per-epoch shuffles (an int >= 0 or a np.random.Generator; same seed, same history).
        X_val, Y_val: optional validation set, evaluated after every epoch.
        lr_schedule: None or a function (epoch, lr) -> learning rate for that epoch (see bplib.optim).
        track_grad_norms: record the mean ‖∂J/∂W(l)‖ of every layer over each epoch (True or False).
        progress: "auto" (a progress bar for runs longer than 3 s), True or False. Pass False in notebooks whose
            outputs are compared by nbval: a bar's text holds timings, which differ from run to run.
        verbose: print the divergence message when training diverges (True or False).
        callback: optional function(epoch, history) called after each epoch; returning False stops training.
        shuffle: reshuffle every epoch (True) or keep the given order (False).
        small_blas: "auto" runs the products on one BLAS thread when every layer's is small (see bplib._blas;
            matters only after bplib.set_num_threads(n > 1)), True always, False never.
        diverge_factor: also call it divergence when an epoch's mean loss exceeds this many times the smaller of
            the loss before the first step and the first epoch's loss (None: only NaN/inf counts).
    Returns:
        history: dict with per-epoch lists "epoch", "loss", "acc" (means over the epoch's mini-batches, measured
        while training), "val_loss", "val_acc" (after the epoch; empty without a validation set), "lr",
        "grad_norms" (list of arrays, one norm per layer, if tracked), "time" (seconds per epoch), and
        "diverged": None, or a dict with "epoch", "batch", "loss" and "message" if training diverged.
        No NaN or inf loss is ever appended, so the curves are always safe to plot ("acc" and "val_acc" are
        NaN for an identity (regression) output, which has no accuracy).
    """
    epochs = _checks.positive_int(epochs, "epochs")
    lr = _checks.positive_number(lr, "lr")
    batch_size = _checks.positive_int(batch_size, "batch_size")
    if lr_schedule is not None and not callable(lr_schedule):
        raise TypeError(tr("lr_schedule must be None or a function (epoch, lr) -> lr"))
    if callback is not None and not callable(callback):
        raise TypeError(tr("callback must be None or a function (epoch, history) -> None or False"))
    if diverge_factor is not None:
        diverge_factor = _checks.positive_number(diverge_factor, "diverge_factor")
        if diverge_factor <= 1:
            raise ValueError(tr("diverge_factor must be > 1 (or None to check only for NaN/inf), got {value!r}",
                                value=diverge_factor))
    rng = _checks.rng(seed, allow_none=True)
    track_grad_norms = _checks.boolean(track_grad_norms, "track_grad_norms")
    verbose = _checks.boolean(verbose, "verbose")
    shuffle = _checks.boolean(shuffle, "shuffle")
    for name, value in (("progress", progress), ("small_blas", small_blas)):
        if not (isinstance(value, (bool, np.bool_)) or (isinstance(value, str) and value == "auto")):
            raise ValueError(tr("{name} must be True, False or 'auto', got {value!r}", name=name, value=value))
    X, T = net.prepare(X, Y)
    has_val = X_val is not None
    if has_val != (Y_val is not None):
        raise ValueError(tr("give both X_val and Y_val, or neither"))
    if has_val:
        X_val, T_val = net.prepare(X_val, Y_val)
    if hasattr(optimizer, "step"):
        if optimizer_args:
            raise TypeError(tr("optimizer arguments {names} only apply when optimizer is a name",
                               names=sorted(optimizer_args)))
        opt = optimizer
    else:
        opt = optim.make_optimizer(optimizer, **optimizer_args)
    m = X.shape[0]
    history = {"epoch": [], "loss": [], "acc": [], "val_loss": [], "val_acc": [], "lr": [], "grad_norms": [],
               "time": [], "diverged": None}
    divergence = Divergence(diverge_factor)
    bar = _progress_bar(progress, epochs)
    params = net.params()

    def stop(epoch, batch, loss, reason, epoch_lr):
        msg = Divergence.message(epoch, batch, reason, epoch_lr)
        history["diverged"] = {"epoch": epoch, "batch": batch, "loss": float(loss), "message": msg}
        if verbose:
            print(msg)
        return history

    try:
        one_thread = small_blas is True or (small_blas == "auto" and _blas.is_small(batch_size, params))
        with (_blas.single_threaded() if one_thread else contextlib.nullcontext()), \
                np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # divergence is detected below
            for epoch in range(epochs):
                start = time.perf_counter()
                epoch_lr = _schedule_lr(lr_schedule, epoch, lr)
                order = rng.permutation(m) if shuffle else np.arange(m)
                if epoch == 0:       # the loss before the first step (one forward pass on the first batch)
                    first = order[:batch_size]
                    before = net.loss_output(X[first], T[first])[0]
                    if np.isfinite(before):
                        divergence.set_reference(before, tr("the loss before the first step"))
                result = run_epoch(net, X, T, order, batch_size, opt, epoch_lr, track_grad_norms,
                                   check_first=epoch == 0)
                if result["diverged"] is not None:
                    batch, reason = result["diverged"]
                    return stop(epoch + 1, batch, np.nan, reason, epoch_lr)
                reason = Divergence.check_params(params) or divergence.check_loss(result["loss"])
                if reason is not None:
                    return stop(epoch + 1, result["batches"], result["loss"], reason, epoch_lr)
                if epoch == 0 and (divergence.reference is None or result["loss"] < divergence.reference):
                    divergence.set_reference(result["loss"], tr("the first epoch's loss"))
                history["epoch"].append(epoch + 1)
                history["loss"].append(result["loss"])
                history["acc"].append(result["correct"] / m if net.output != "identity" else float("nan"))
                history["lr"].append(epoch_lr)
                if track_grad_norms:
                    history["grad_norms"].append(result["grad_norms"])
                if has_val:
                    val_loss, val_out = net.loss_output(X_val, T_val)
                    history["val_loss"].append(val_loss)
                    history["val_acc"].append(losses.accuracy(val_out, T_val, net.output))
                history["time"].append(time.perf_counter() - start)
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(loss=f"{history['loss'][-1]:.4f}", refresh=False)
                if callback is not None and callback(epoch + 1, history) is False:
                    break
    finally:
        if bar is not None:
            bar.close()
    return history
