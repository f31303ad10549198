"""Drive a real JupyterHub (deploy/jupyterhub_config.py) with simulated students; used by bench_hub.py and tests.

A `Hub` starts `jupyterhub` with the course's configuration on free ports of 127.0.0.1, in a scratch folder,
and stops it again, killing whatever it started that is still alive (the proxy, the students' servers, their
kernels: each runs in its own session, so one signal to the hub's process group does not reach them).

A `Student` does what a browser does: logs in through the hub's login form, asks the hub for an API token
(the token page does the same), starts its server, fetches its copy of a chapter through the hub's proxy,
opens a notebook session (a kernel), runs every code cell over the kernel's websocket, creates a playground
and steps it, and asks the kernel for its own CPU time and peak memory. Errors raised by exercise stubs
(NotImplementedError("Exercise: ...")) are counted as expected; any other error is a failure.

Linux only (/proc). Uses requests and websocket-client, both already required by JupyterHub and Jupyter Server.
"""
import contextlib
import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

import requests
import websocket

ROOT = pathlib.Path(__file__).resolve().parent.parent
CONFIG = ROOT / "deploy" / "jupyterhub_config.py"
COURSE_FOLDER = "backprop-workbook"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PASSWORD = "class-password-" + uuid.uuid4().hex[:8]

#: what an exercise stub raises in a student copy (tools/make_student_copies.py)
EXPECTED_ERROR = ("NotImplementedError", "Exercise:")

PLAYGROUND_CODE = """\
import json as _json, time as _time, bplib
_pg = bplib.widgets.playground(dataset="spirals")
display(_pg)
_before = len(_pg.history["epoch"])
_t = _time.perf_counter()
for _ in range({steps}):
    _pg.step()
_loss = _pg.history.get("train_loss", _pg.history.get("loss"))     # "loss" before bplib v2
print(_json.dumps({{"epochs_before": _before, "epochs_after": len(_pg.history["epoch"]),
                   "loss": float(_loss[-1]), "seconds": _time.perf_counter() - _t}}))
"""

#: run last in each kernel: its own CPU time (children included) and peak resident memory, from getrusage
USAGE_CODE = """\
import json as _json, resource as _r
_s, _c = _r.getrusage(_r.RUSAGE_SELF), _r.getrusage(_r.RUSAGE_CHILDREN)
print(_json.dumps({"cpu_s": _s.ru_utime + _s.ru_stime + _c.ru_utime + _c.ru_stime,
                   "peak_rss_mb": max(_s.ru_maxrss, _c.ru_maxrss) / 1024}))
"""


# ------------------------------------------------------------------------------------------------ processes
def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_stat(pid):
    """(ppid, pgid, cpu seconds of the process and its reaped children, state letter) from /proc/PID/stat.

    None if the process is gone.
    """
    try:
        text = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    rest = text[text.rindex(")") + 2:].split()        # fields 3.. (the command name may contain spaces)
    ppid, pgid = int(rest[1]), int(rest[2])
    cpu = sum(int(x) for x in rest[11:15]) / CLK_TCK   # utime, stime, cutime, cstime
    return ppid, pgid, cpu, rest[0]


def proc_status_kb(pid, field):
    """A kB field of /proc/PID/status (VmRSS, VmHWM = peak RSS), or None."""
    try:
        for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return None


def cmdline(pid):
    """The process's command line as one string ("" if gone)."""
    try:
        return pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return ""


def descendants(root):
    """PIDs of every live process below `root` (not `root` itself), from the parent links in /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = proc_stat(int(entry))
            if stat:
                children.setdefault(stat[0], []).append(int(entry))
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kind(pid):
    """'server', 'kernel', 'proxy' or 'other', from the command line."""
    cmd = cmdline(pid)
    if "jupyterhub-singleuser" in cmd or "jupyterhub.singleuser" in cmd:
        return "server"
    if "ipykernel" in cmd:
        return "kernel"
    if "configurable-http-proxy" in cmd:
        return "proxy"
    return "other"


def alive(pid):
    """True if the process exists and is not a zombie (exited, waiting for its parent to collect it)."""
    stat = proc_stat(pid)
    return stat is not None and stat[3] != "Z"


# ------------------------------------------------------------------------------------------------ the hub
class Hub:
    """A JupyterHub started from deploy/jupyterhub_config.py on free 127.0.0.1 ports, in `workdir`.

    Use as a context manager: on exit (or `stop()`) the hub is asked to stop (it stops the students' servers),
    and every process it started that is still alive after `grace` seconds is killed with its process group.
    `extra_env` is added to the hub's environment (which its servers and kernels inherit per env_keep).
    """

    def __init__(self, workdir, student_dir=None, extra_env=None, grace=20):
        self.workdir = pathlib.Path(workdir)
        self.student_dir = student_dir
        self.extra_env = dict(extra_env or {})
        self.grace = grace
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.killed = []          # (pid, kind, command) of processes that had to be killed at stop()
        self.log_path = self.workdir / "jupyterhub.log"
        self._seen = {}           # pid -> pgid of every descendant ever seen (for cleanup)

    def start(self, timeout=90):
        self.workdir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ, BPHUB_DATA_DIR=str(self.workdir / "data"), BPHUB_PORT=str(self.port),
                   BPHUB_HUB_PORT=str(free_port()), BPHUB_PROXY_API_PORT=str(free_port()), BPHUB_PASSWORD=PASSWORD,
                   **self.extra_env)
        if self.student_dir:
            env["BPHUB_STUDENT_DIR"] = str(self.student_dir)
        exe = pathlib.Path(sys.executable).with_name("jupyterhub")
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([str(exe), "-f", str(CONFIG)], cwd=self.workdir, env=env, stdin=subprocess.DEVNULL,
                                     stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"jupyterhub exited with {self.proc.returncode}:\n{self.log_tail()}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.url + "/hub/api/", timeout=2).status_code == 200:
                    self.remember()
                    return self
            time.sleep(0.3)
        raise TimeoutError(f"jupyterhub did not answer on {self.url} within {timeout} s:\n{self.log_tail()}")

    def log_tail(self, lines=40):
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def remember(self):
        """Record the hub's current descendants (a process orphaned later no longer shows under the hub)."""
        if self.proc:
            for pid in descendants(self.proc.pid):
                stat = proc_stat(pid)
                if stat:
                    self._seen.setdefault(pid, stat[1])

    def processes(self):
        """{pid: kind} of the hub's live descendants."""
        self.remember()
        return {pid: kind(pid) for pid in descendants(self.proc.pid)}

    def total_cpu(self):
        """CPU seconds used so far by the hub and all its live descendants, including their reaped children."""
        pids = [self.proc.pid] + descendants(self.proc.pid)
        return sum(stat[2] for stat in map(proc_stat, pids) if stat)

    def stop(self):
        """Stop the hub (SIGTERM: it stops the servers), then kill every process it started that is left."""
        if self.proc is None:
            return
        self.remember()
        own = os.getpgrp()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(self.grace)
                deadline = time.monotonic() + 5   # the hub waited for its servers; their kernels may lag a little
                while any(alive(pid) for pid in self._seen) and time.monotonic() < deadline:
                    time.sleep(0.2)
            except subprocess.TimeoutExpired:
                pass
        # whatever is still alive now (everything, if the hub had died on its own) is killed
        for pid, pgid in [(self.proc.pid, self.proc.pid)] + list(self._seen.items()):
            if alive(pid):
                self.killed.append((pid, kind(pid), cmdline(pid)[:120]))
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    if pgid != own:
                        os.killpg(pgid, signal.SIGKILL)
                    os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)
        deadline = time.monotonic() + 5          # SIGKILL is delivered asynchronously
        while self.leftovers() and time.monotonic() < deadline:
            time.sleep(0.1)
        self._log.close()
        self.proc = None

    def leftovers(self):
        """PIDs of processes this hub started that are still alive (should be empty after stop())."""
        return [pid for pid in self._seen if alive(pid)]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# ------------------------------------------------------------------------------------------------ a student
class Student:
    """One simulated student of `hub`; `run(chapter)` returns a dict of timings, errors and usage.

    Times: "spawn_s" (server start requested -> ready), "kernel_s" (notebook session created -> kernel idle),
    "chapter_s" (first cell sent -> last cell done), "playground_s" (creating, showing and stepping it).
    """

    def __init__(self, hub, name, deadline):
        self.hub, self.name, self.deadline = hub, name, deadline
        self.http = requests.Session()
        self.result = {"name": name, "expected_errors": [], "failures": []}

    # -- hub -----------------------------------------------------------------------------------------------
    def login(self, password=PASSWORD):
        """Log in through the login form, as a browser does; True if the hub accepted the password."""
        self.http.get(self.hub.url + "/hub/login", timeout=30).raise_for_status()      # sets the _xsrf cookie
        form = {"username": self.name, "password": password, "_xsrf": self.http.cookies.get("_xsrf", "")}
        r = self.http.post(self.hub.url + "/hub/login", data=form, allow_redirects=False, timeout=60)
        return r.status_code == 302 and any(k.startswith("jupyterhub-session") or k == "jupyterhub-hub-login"
                                            for k in self.http.cookies.keys())

    def get_token(self):
        """Ask for an API token with the login cookie (what the hub's token page does)."""
        r = self.http.post(f"{self.hub.url}/hub/api/users/{self.name}/tokens", json={"note": "load test"},
                           headers={"X-XSRFToken": self.http.cookies.get("_xsrf", "")}, timeout=60)
        r.raise_for_status()
        self.http.headers["Authorization"] = "token " + r.json()["token"]
        self.http.cookies.clear()     # from here on, the token alone

    def spawn(self):
        """Start the server and wait until the hub says it is ready; returns the seconds it took."""
        t0 = time.monotonic()
        r = self.http.post(f"{self.hub.url}/hub/api/users/{self.name}/server", timeout=120)
        if r.status_code not in (201, 202):
            raise RuntimeError(f"spawn request: HTTP {r.status_code} {r.text[:200]}")
        while True:
            server = self.http.get(f"{self.hub.url}/hub/api/users/{self.name}", timeout=60).json()["servers"].get("")
            if server and server.get("ready"):
                return time.monotonic() - t0
            if server is None and time.monotonic() - t0 > 5:
                raise RuntimeError("the server stopped while starting (see the hub log)")
            self.check_deadline("spawning")
            time.sleep(0.25)

    def check_deadline(self, doing):
        if time.monotonic() > self.deadline:
            raise TimeoutError(f"{self.name}: out of time while {doing}")

    # -- server (through the proxy) ------------------------------------------------------------------------
    def api(self, method, path, **kwargs):
        r = self.http.request(method, f"{self.hub.url}/user/{self.name}/api/{path}", timeout=120, **kwargs)
        r.raise_for_status()
        return r.json() if r.content else None

    def execute(self, ws, session, code, cell=None):
        """Run `code`; returns (stdout text, list of (ename, evalue)). Waits for the reply and the idle status."""
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": session, "username": self.name,
                       "version": "5.3", "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": False}}))
        out, errors, replied, idle = [], [], False, False
        while not (replied and idle):
            self.check_deadline(f"running cell {cell}")
            ws.settimeout(max(1.0, min(30.0, self.deadline - time.monotonic())))
            try:
                raw = ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            if isinstance(raw, bytes):          # a message with binary buffers (widgets): not ours to read
                continue
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            mtype, content = msg["msg_type"], msg["content"]
            if mtype == "execute_reply":
                replied = True
            elif mtype == "status" and content.get("execution_state") == "idle":
                idle = True
            elif mtype == "stream" and content.get("name") == "stdout":
                out.append(content["text"])
            elif mtype == "error":
                errors.append((content["ename"], content["evalue"]))
        return "".join(out), errors

    def run(self, chapter, playground_steps=3):
        """The whole visit: login, spawn, open `chapter` (a file name in the course folder), run it, log out."""
        res = self.result
        try:
            if not self.login():
                raise RuntimeError("login refused")
            self.get_token()
            res["spawn_s"] = self.spawn()
            path = f"{COURSE_FOLDER}/{chapter}"
            nb = self.api("GET", f"contents/{path}", params={"content": 1})["content"]
            cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
            t0 = time.monotonic()
            sess = self.api("POST", "sessions", json={"path": path, "name": chapter, "type": "notebook",
                                                      "kernel": {"name": "python3"}})
            headers = ["Authorization: " + self.http.headers["Authorization"]]
            ws_url = (f"ws://127.0.0.1:{self.hub.port}/user/{self.name}/api/kernels/{sess['kernel']['id']}"
                      f"/channels?session_id={uuid.uuid4().hex}")
            ws = websocket.create_connection(ws_url, header=headers, timeout=60)
            try:
                session = uuid.uuid4().hex
                self.execute(ws, session, "pass", "(kernel start)")
                t1 = time.monotonic()
                res["kernel_s"] = t1 - t0
                for i, cell in enumerate(cells):
                    src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
                    _, errors = self.execute(ws, session, src, i)
                    for ename, evalue in errors:
                        expected = ename == EXPECTED_ERROR[0] and evalue.startswith(EXPECTED_ERROR[1])
                        (res["expected_errors"] if expected else res["failures"]).append(
                            f"code cell {i}: {ename}: {evalue[:200]}")
                t2 = time.monotonic()
                res["chapter_s"] = t2 - t1
                text, errors = self.execute(ws, session, PLAYGROUND_CODE.format(steps=playground_steps), "playground")
                res["playground_s"] = time.monotonic() - t2
                res["failures"] += [f"playground: {e}: {v[:200]}" for e, v in errors]
                if not errors:
                    pg = json.loads(text.strip().splitlines()[-1])
                    res["playground"] = pg
                    if pg["epochs_after"] <= pg["epochs_before"] or not pg["loss"] == pg["loss"]:
                        res["failures"].append(f"playground did not train: {pg}")
                text, errors = self.execute(ws, session, USAGE_CODE, "usage")
                res["failures"] += [f"usage cell: {e}: {v[:200]}" for e, v in errors]
                if not errors:
                    res["kernel"] = json.loads(text.strip().splitlines()[-1])
            finally:
                ws.close()
            self.api("DELETE", f"sessions/{sess['id']}")     # shuts the kernel down, as closing the tab would not
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none is fatal for the others
            res["failures"].append(f"{type(exc).__name__}: {exc}")
        return res


def run_class(hub, n, chapter, deadline_s, playground_steps=3, prefix="student"):
    """N students start at the same moment (a class told "open chapter X"); returns their result dicts.

    Each student runs in its own thread (they mostly wait on the network); all must finish within
    `deadline_s` seconds, after which a student's own checks raise TimeoutError and count as a failure.
    """
    deadline = time.monotonic() + deadline_s
    students = [Student(hub, f"{prefix}{i:02d}", deadline) for i in range(n)]
    barrier = threading.Barrier(n)
    results = [None] * n

    def go(i):
        barrier.wait()
        results[i] = students[i].run(chapter, playground_steps)

    threads = [threading.Thread(target=go, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(max(1.0, deadline - time.monotonic() + 60))
    return [r if r is not None else {"name": s.name, "failures": ["did not finish"], "expected_errors": []}
            for r, s in zip(results, students)]


def server_usage(hub):
    """{'server': [peak RSS MB of each live student server], 'proxy': [...], ...} from /proc VmHWM."""
    usage = {}
    for pid, k in hub.processes().items():
        hwm = proc_status_kb(pid, "VmHWM")
        if hwm is not None:
            usage.setdefault(k, []).append(hwm / 1024)
    return usage


def chapter_path(pattern):
    """The notebook in notebooks/ matching a glob such as '*mnist*' (chapters may be renumbered)."""
    found = sorted((ROOT / "notebooks").glob(pattern if pattern.endswith(".ipynb") else pattern + ".ipynb"))
    if len(found) != 1:
        raise SystemExit(f"expected one notebook matching {pattern!r} in notebooks/, found {[p.name for p in found]}")
    return found[0]


def make_student_copies(out_dir):
    """Student copies of every chapter into out_dir (tools/make_student_copies.py); returns out_dir."""
    subprocess.run([sys.executable, str(ROOT / "tools" / "make_student_copies.py"), "--out", str(out_dir)],
                   check=True, stdout=subprocess.DEVNULL)
    return pathlib.Path(out_dir)


def percentile(values, q):
    """The q-th percentile (0-100) by linear interpolation between order statistics."""
    v = sorted(values)
    if not v:
        return float("nan")
    k = (len(v) - 1) * q / 100
    lo = int(k)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


__all__ = ["Hub", "Student", "run_class", "server_usage", "chapter_path", "make_student_copies", "percentile",
           "free_port", "descendants", "proc_stat", "proc_status_kb", "EXPECTED_ERROR", "PASSWORD"]
