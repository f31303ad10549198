"""The playground driven from pytest: set a control's .value, call step(), check model, history and display."""
import base64
import threading
import time

import ipywidgets
import numpy as np
import pytest

import bplib
from bplib.widgets.playground_model import DIVERGE_FACTOR, PlaygroundModel


def make(**settings):
    settings.setdefault("epochs_per_step", 2)
    return bplib.widgets.playground(**settings)


@pytest.fixture
def pg():
    p = make(dataset="spirals", depth=2, width=8, activation="tanh")
    yield p
    p.close()


def run_threads():
    return [t for t in threading.enumerate() if t.name == "bplib-playground" and t.is_alive()]


def wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


# ---------------------------------------------------------------------- controls and public API
def test_controls_cover_the_issue_with_the_right_ranges(pg):
    expected = {"lr", "depth", "width", "activation", "init", "optimizer", "batch_size", "l2", "dataset",
                "noise", "seed", "run", "step", "reset"}
    assert expected <= set(pg.controls)
    lr = pg.controls["lr"]
    assert isinstance(lr, ipywidgets.FloatLogSlider)
    assert (lr.base ** lr.min, lr.base ** lr.max) == pytest.approx((1e-4, 10))
    assert (pg.controls["depth"].min, pg.controls["depth"].max) == (0, 8)
    assert (pg.controls["width"].min, pg.controls["width"].max) == (1, 64)
    assert set(pg.controls["dataset"].options) == {"moons", "circles", "spirals", "xor"}
    assert set(pg.controls["optimizer"].options) == {"sgd", "momentum", "adam"}
    assert {"sigmoid", "tanh", "relu"} <= set(pg.controls["activation"].options)
    assert {"he", "xavier"} <= set(pg.controls["init"].options)


@pytest.mark.parametrize("depth", [0, 1, 3, 8])
def test_changing_depth_rebuilds_the_network_with_that_many_hidden_layers(pg, depth):
    pg.step()
    pg.controls["width"].value = 5
    pg.controls["depth"].value = depth
    assert pg.net.sizes == [2] + [5] * depth + [2]
    assert pg.net.n_layers == depth + 1
    assert pg.history["epoch"] == [0]                       # a rebuild starts over
    pg.step()
    assert pg.history["epoch"] == [0, 1, 2]
    assert all(norms.shape == (depth + 1,) for norms in pg.history["grad_norms"])
    assert len(pg._bars) == depth + 1                         # one gradient-norm bar per weight matrix


def test_live_settings_apply_without_restarting(pg):
    pg.step()
    net = pg.net
    pg.controls["lr"].value = 0.01
    pg.controls["batch_size"].value = 50
    pg.controls["l2"].value = 0.001
    assert pg.net is net and pg.model.epoch == 2
    assert pg.net.l2 == 0.001
    pg.step()
    assert pg.history["epoch"] == [0, 1, 2, 3, 4]
    pg.controls["dataset"].value = "moons"                    # data changes: start over
    assert pg.history["epoch"] == [0] and pg.net is not net


def test_lr_10_with_sigmoid_on_spirals_shows_the_divergence_message(pg):
    pg.controls["activation"].value = "sigmoid"
    pg.controls["lr"].value = 10
    assert pg.settings["dataset"] == "spirals"
    pg.step()
    assert pg.diverged is not None
    assert "diverged" in pg.message and "learning rate" in pg.message
    assert "diverged" in pg._alert.value                       # the message is shown in the widget
    assert pg._alert_text.get_visible()                       # and on the picture
    # never an empty plot: every recorded number and the drawn probability image are finite
    assert all(np.isfinite(v) for v in pg.history["train_loss"] + pg.history["test_loss"])
    assert np.all(np.isfinite(pg.model.probabilities()))
    assert all(np.all(np.isfinite(p)) for p in pg.net.params())
    assert pg.step() == 0                                     # a diverged run does not continue
    pg.controls["lr"].value = 0.1                  # a new learning rate starts over, message gone
    assert pg.diverged is None and pg._alert.value == "" and not pg._alert_text.get_visible()
    pg.step()
    assert pg.diverged is None and pg.model.epoch == 2


def test_the_divergence_criterion_is_needed_and_sound():
    # bplib.train's default criterion (10 × the first epoch's loss) does not fire here: the loss bounces at ~3×
    X, y = bplib.data.make_toy("spirals", 300, None, 0)
    net = bplib.MLP([2, 8, 8, 2], activation="sigmoid", init="xavier", seed=0)
    history = bplib.train(net, X, y, epochs=20, lr=10, batch_size=10, verbose=False, progress=False)
    assert history["diverged"] is None
    assert min(history["loss"]) > 2 * np.log(2)               # ... yet it never gets anywhere near chance level
    # the playground's criterion: more than DIVERGE_FACTOR × max(untrained loss, ln 2) after an epoch
    model = PlaygroundModel(dataset="spirals", activation="sigmoid", lr=10)
    model.train_chunk(5)
    assert model.diverged is not None and model.diverged["epoch"] == 1
    # and it does not fire for sane learning rates on any data set
    for dataset in ("moons", "circles", "spirals", "xor"):
        for activation, lr in (("sigmoid", 1.0), ("tanh", 0.1), ("relu", 0.1)):
            model = PlaygroundModel(dataset=dataset, activation=activation, lr=lr)
            model.train_chunk(30)
            assert model.diverged is None, (dataset, activation, lr, model.diverged)
            assert max(model.history["train_loss"]) <= DIVERGE_FACTOR * model.divergence.reference


def test_divergence_on_nan_restores_the_last_good_weights():
    model = PlaygroundModel(dataset="moons", activation="relu", init="he", depth=4, width=32, lr=10,
                            optimizer="momentum")
    model.train_chunk(5)
    assert model.diverged is not None
    assert all(np.all(np.isfinite(p)) for p in model.net.params())
    assert np.isfinite(model.net.loss(model.X_train, model.y_train))


def test_reset_restores_the_initial_loss_exactly(pg):
    loss0, weights0 = pg.history["train_loss"][0], [W.copy() for W in pg.net.weights]
    png0 = pg.png()
    for _ in range(3):
        pg.step()
    assert pg.history["train_loss"][-1] != loss0
    pg.reset()
    assert pg.history["train_loss"] == [loss0]
    assert pg.history["epoch"] == [0]
    assert all(np.array_equal(a, b) for a, b in zip(weights0, pg.net.weights))
    assert pg.png() == png0                                    # the same picture, too
    pg.step()
    pg.controls["lr"].value = 0.5                   # reset keeps the current settings
    pg.reset()
    assert pg.settings["lr"] == 0.5 and pg.history["train_loss"] == [loss0]


def test_same_seed_gives_the_same_history_and_another_seed_another():
    def history(seed, chunks, epochs_per_step):
        p = make(dataset="moons", depth=3, width=6, optimizer="adam", lr=0.01, seed=seed,
                 epochs_per_step=epochs_per_step)
        for _ in range(chunks):
            p.step()
        p.close()
        return p.history

    a, b = history(7, 3, 2), history(7, 3, 2)
    assert a["epoch"] == [0, 1, 2, 3, 4, 5, 6]
    for key in ("train_loss", "test_loss", "train_acc", "test_acc"):
        assert a[key] == b[key]
    assert all(np.array_equal(x, y) for x, y in zip(a["grad_norms"], b["grad_norms"]))
    assert history(7, 1, 6)["train_loss"] == a["train_loss"]             # chunking does not change the run
    assert history(8, 3, 2)["train_loss"] != a["train_loss"]


def test_the_playground_learns(pg):
    pg.controls["dataset"].value = "moons"
    pg.controls["epochs_per_step"].value = 50
    for _ in range(4):
        pg.step()
    assert pg.history["test_acc"][-1] > 0.95
    assert pg.history["train_loss"][-1] < 0.5 * pg.history["train_loss"][0]


def test_gradient_bars_show_vanishing_gradients_in_a_deep_sigmoid_net():
    p = make(dataset="circles", depth=8, width=16, activation="sigmoid", init="xavier")
    norms = p.history["grad_norms"][-1]
    p.close()
    assert norms[0] < norms[-1] / 100                          # W(1)'s gradient is far smaller than W(9)'s


def test_bad_settings_raise_clear_errors(pg):
    with pytest.raises(TypeError, match="unknown playground setting.*lerning_rate"):
        bplib.widgets.playground(lerning_rate=0.1)
    with pytest.raises(ValueError, match="depth .*0 to 8"):
        bplib.widgets.playground(depth=9)
    with pytest.raises(ValueError, match=r"lr \(the learning rate α\) must be a positive"):
        bplib.widgets.playground(lr=0)
    with pytest.raises(ValueError, match="unknown dataset 'rings'"):
        bplib.widgets.playground(dataset="rings")
    with pytest.raises(ValueError, match="width .*1 to 64"):
        bplib.widgets.playground(width=65)
    pg.controls["seed"].value = 2**32 - 1                     # a valid extreme
    assert pg.settings["seed"] == 2**32 - 1


# ---------------------------------------------------------------------- display
def test_display_has_the_widget_a_png_and_a_deterministic_text(pg):
    bundle = pg._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == pg.widget.model_id
    png = base64.b64decode(bundle["image/png"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png == pg.png() == pg._image.value
    text = bundle["text/plain"]
    assert text == ("Playground(spirals, sizes [2, 8, 8, 2], tanh, sgd lr=0.1: epoch 0, train loss "
                    f"{pg.history['train_loss'][0]:.4f}, test loss {pg.history['test_loss'][0]:.4f}, "
                    f"test accuracy {100 * pg.history['test_acc'][0]:.1f}%)")
    twin = make(dataset="spirals", depth=2, width=8, activation="tanh")
    assert twin._repr_mimebundle_()["text/plain"] == text     # no ids, no addresses, no timings
    twin.close()
    pg.step()
    assert pg._repr_mimebundle_()["text/plain"] != text
    assert pg.png() != png                                     # the picture follows the state
    assert "epoch 2" in pg._status.value
    pg.close()                                                 # a closed playground still shows its picture
    assert set(pg._repr_mimebundle_()) == {"text/plain", "image/png"}


# ---------------------------------------------------------------------- running in the background
def test_run_trains_in_the_background_and_pause_stops_it(pg):
    pg.run()
    assert wait_for(lambda: pg.model.epoch >= 6)
    assert pg.running and pg.controls["run"].description == "pause"
    pg.pause()
    assert not pg.running and not run_threads()
    epoch = pg.model.epoch
    time.sleep(0.3)
    assert pg.model.epoch == epoch
    assert pg.history["epoch"] == list(range(epoch + 1))      # consecutive epochs: nothing interleaved


def test_rapid_control_changes_while_running_never_interleave(pg):
    for i in range(10):
        pg.controls["run"].value = True
        pg.controls["run"].value = i % 2 == 0
        assert len(run_threads()) <= 1
    pg.run()
    for depth in (1, 4, 0, 3, 2, 5):
        pg.controls["depth"].value = depth
        pg.controls["lr"].value = 0.05 if depth % 2 else 0.1
        assert len(run_threads()) == 1
        time.sleep(0.03)
    assert wait_for(lambda: pg.model.epoch >= 4)
    pg.pause()
    assert not run_threads()
    assert pg.net.sizes == [2, 8, 8, 8, 8, 8, 2]
    assert pg.history["epoch"] == list(range(pg.model.epoch + 1))
    assert all(len(n) == 6 for n in pg.history["grad_norms"])


def test_divergence_while_running_stops_the_run(pg):
    pg.controls["activation"].value = "sigmoid"
    pg.controls["lr"].value = 10
    pg.run()
    assert wait_for(lambda: not pg.controls["run"].value)
    assert wait_for(lambda: not run_threads())
    assert "diverged" in pg._alert.value
    pg.run()                                                   # pressing run again after divergence does nothing
    assert not pg.controls["run"].value and not run_threads()


def test_only_one_playground_runs_at_a_time(pg):
    other = make(dataset="xor")
    pg.run()
    assert wait_for(lambda: pg.model.epoch > 0)
    other.run()
    assert wait_for(lambda: not pg.controls["run"].value)
    assert other.running and len(run_threads()) == 1
    other.close()
    assert not run_threads()
    pg.run()
    assert wait_for(lambda: pg.running)
    third = make(dataset="moons")                               # creating a playground pauses running ones
    assert not pg.running and not run_threads()
    third.close()


def test_kernel_interrupt_and_rerunning_the_cell_stop_the_run(tmp_path):
    """In a real kernel: the interrupt button pauses a running playground; re-running its cell closes it."""
    jupyter_client = pytest.importorskip("jupyter_client")
    km, kc = jupyter_client.manager.start_new_kernel(kernel_name="python3", cwd=str(tmp_path))
    try:
        def execute(code, cell_id="cell-1"):
            msg = kc.session.msg("execute_request", {"code": code, "silent": False, "store_history": True,
                                                     "user_expressions": {}, "allow_stdin": False,
                                                     "stop_on_error": True}, metadata={"cellId": cell_id})
            kc.shell_channel.send(msg)
            reply = kc.get_shell_msg(timeout=60)
            assert reply["content"]["status"] == "ok", reply["content"]
            out = []
            while True:
                m = kc.get_iopub_msg(timeout=10)
                if m["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
                    continue
                if m["msg_type"] == "stream":
                    out.append(m["content"]["text"])
                if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                    return "".join(out)

        execute("import time, bplib\npg = bplib.widgets.playground(epochs_per_step=1)\npg.run()\nfirst = pg")
        assert execute("time.sleep(0.5); print(pg.running, pg.model.epoch > 0)", "cell-2").strip() == "True True"
        time.sleep(0.3)                                        # the kernel is idle, the playground trains
        km.interrupt_kernel()
        time.sleep(0.5)
        state = execute("e = pg.model.epoch; time.sleep(0.4)\n"
                        "print(pg.running, pg.controls['run'].value, pg.model.epoch == e)", "cell-2")
        assert state.strip() == "False False True"
        # the kernel still works after the interrupt, and re-running cell-1 closes the old playground
        execute("pg.run()", "cell-3")
        execute("pg = bplib.widgets.playground(epochs_per_step=1)\nprint(first is pg)", "cell-1")
        state = execute("print(first.running, first._closed, first.controls['run'].value, pg.running)", "cell-2")
        assert state.strip() == "False True False False"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
