"""JupyterHub configuration for running backprop-workbook with a whole class on one server.

Start it from the repository root, in the Python environment where `pip install -r requirements.txt` ran
(that environment is also the students': their servers and kernels run with the same Python, so `bplib` and
every requirement are already installed for them):

    npm install -g configurable-http-proxy          # JupyterHub's proxy (Node.js)
    BPHUB_PASSWORD='a class password' jupyterhub -f deploy/jupyterhub_config.py

Students then open http://SERVER:8000/, log in with any user name and the class password, and find the course
in their home folder (`backprop-workbook/`, the student copies: solutions stubbed, outputs cleared), copied on
their first start. Read deploy/README.md for sizing and for bigger classes (Zero to JupyterHub on Kubernetes).

Everything that differs between a teacher's hub and a test hub comes from environment variables, so the tests
and benchmarks (benchmarks/hubload.py) use this very file:

    BPHUB_PASSWORD        the shared class password (8 characters or more; required)
    BPHUB_DATA_DIR        database, cookie secret, proxy pid file and the students' home folders
                          (default ~/backprop-hub)
    BPHUB_IP, BPHUB_PORT  where students connect (default 127.0.0.1:8000; set BPHUB_IP=0.0.0.0 to serve a
                          classroom network, and then put TLS in front or set c.JupyterHub.ssl_cert/ssl_key)
    BPHUB_HUB_PORT        the hub's internal API port on 127.0.0.1 (default 8081)
    BPHUB_PROXY_API_PORT  the proxy's REST API port on 127.0.0.1 (default 8001)
    BPHUB_STUDENT_DIR     the student copies handed to each student (default student/ of this repository,
                          made with tools/make_student_copies.py when it holds no notebook yet)
"""
import os
import pathlib
import shutil
import subprocess
import sys

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

REPO = pathlib.Path(__file__).resolve().parent.parent
DATA_DIR = pathlib.Path(os.environ.get("BPHUB_DATA_DIR", pathlib.Path.home() / "backprop-hub")).resolve()
STUDENT_DIR = pathlib.Path(os.environ.get("BPHUB_STUDENT_DIR", REPO / "student")).resolve()
COURSE_FOLDER = "backprop-workbook"          # the folder each student finds in their home
DATA_DIR.mkdir(parents=True, exist_ok=True)

# ---------------------------------------------------------------------------------------------- network
# The public side (the proxy) and the two internal APIs. Everything on 127.0.0.1 unless BPHUB_IP says otherwise.
c.JupyterHub.bind_url = f"http://{os.environ.get('BPHUB_IP', '127.0.0.1')}:{os.environ.get('BPHUB_PORT', '8000')}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{os.environ.get('BPHUB_HUB_PORT', '8081')}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{os.environ.get('BPHUB_PROXY_API_PORT', '8001')}"
c.ConfigurableHTTPProxy.pid_file = str(DATA_DIR / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{DATA_DIR / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(DATA_DIR / "jupyterhub_cookie_secret")
# When the hub stops, it stops every student's server (and so their kernels) too.
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# ---------------------------------------------------------------------------------------------- who logs in
# One class password, any user name: enough for a lab session on a closed network, nothing more. For a real
# course pick an authenticator that knows your students (each is a pip package; set authenticator_class to it):
#   - oauthenticator: GitHubOAuthenticator, GoogleOAuthenticator, or GenericOAuthenticator for the school's
#     OpenID Connect / Keycloak / Azure AD single sign-on;
#   - ltiauthenticator: log in from the learning platform (Moodle, Canvas) through LTI;
#   - jupyterhub-nativeauthenticator: students sign up, the teacher approves;
#   - "pam" (built in): the server's own unix accounts (then use LocalProcessSpawner or SystemdSpawner below).
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ.get("BPHUB_PASSWORD") or sys.exit(
    "set BPHUB_PASSWORD to the class password (8 characters or more)")
c.Authenticator.allow_all = True            # any user name that comes with the class password

# ---------------------------------------------------------------------------------------------- their servers
# SimpleLocalProcessSpawner runs each student's Jupyter server as a process of this machine, as the hub's own
# unix user, with its home in BPHUB_DATA_DIR/home/<name>: no unix accounts needed, and no isolation between
# students either (one can read another's files). For real isolation use LocalProcessSpawner with PAM accounts,
# jupyterhub-systemdspawner (per-user CPU and memory limits through systemd), dockerspawner, or KubeSpawner
# (Zero to JupyterHub, deploy/README.md), which also enforce the limits that LocalProcessSpawner ignores.
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(DATA_DIR / "home" / "{username}")
# The students' servers run this Python's jupyterhub-singleuser: the environment the course is installed in.
c.Spawner.cmd = [str(pathlib.Path(sys.executable).with_name("jupyterhub-singleuser"))]
c.Spawner.default_url = f"/lab/tree/{COURSE_FOLDER}/00_start_here.ipynb"
# 20 servers starting at once on 2 cores take longer than the default 60 s to come up.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120
# Environment variables passed from the hub to every student's server and kernels, besides JupyterHub's own
# list (PATH, PYTHONPATH, LANG, ...). BLAS threads: `import bplib` already limits BLAS to one thread per kernel,
# whatever OPENBLAS_NUM_THREADS says, so 30 kernels do not fight over the cores; BPLIB_NUM_THREADS set here
# would raise that for the whole class (a student can call bplib.set_num_threads(n), see deploy/README.md);
# the *_NUM_THREADS variables still matter for NumPy work done before bplib is imported. OPENBLAS_CORETYPE and
# OPENBLAS_L2_SIZE are OpenBLAS's CPU-type workaround, which some machines need for correct results.
c.Spawner.env_keep.extend(["BPLIB_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                           "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "PYTHONHASHSEED"])
# Kernel ports. Every student's server picks free TCP ports on 127.0.0.1 for its kernels; its port cache keeps
# its own kernels apart, but not those of 10 servers starting kernels at once, and then a kernel can find its
# port taken by another student's kernel ("Address already in use"). The restarter then retries with "new random
# ports", except that with the cache on it reuses the same ports, five times, and the student's kernel is dead
# (seen in benchmarks/bench_hub.py with 10 students; jupyter_client 8.x). Without the cache a restart really
# picks new ports, so a collision costs a few seconds instead of a kernel.
c.Spawner.args = ["--KernelManager.cache_ports=False"]
if os.geteuid() == 0:
    # A hub started as root runs the students' servers as root with this spawner: Jupyter refuses that unless
    # told. Fine for a throwaway test machine; on a real server start the hub as an ordinary user instead.
    c.Spawner.args.append("--ServerApp.allow_root=True")
# LocalProcessSpawner does not enforce these; KubeSpawner and SystemdSpawner do (sizes from deploy/README.md).
# c.Spawner.mem_limit = "1G"
# c.Spawner.cpu_limit = 1.0
# Stop servers left idle (a student who went home): pip install jupyterhub-idle-culler, then
# c.JupyterHub.services = [{"name": "idle-culler", "command": [sys.executable, "-m", "jupyterhub_idle_culler",
#                                                               "--timeout=3600"]}]
# together with the matching role (see jupyterhub-idle-culler's README).


# ---------------------------------------------------------------------------------------------- the notebooks
def _ensure_student_copies():
    """Make the student copies (tools/make_student_copies.py) if STUDENT_DIR holds no notebook yet."""
    if not any(STUDENT_DIR.glob("[0-9][0-9]_*.ipynb")):
        subprocess.run([sys.executable, str(REPO / "tools" / "make_student_copies.py"), "--out", str(STUDENT_DIR)],
                       check=True, stdout=subprocess.DEVNULL)


def copy_course_on_first_spawn(spawner):
    """Pre-spawn hook: give a student their own copy of the student notebooks, once.

    The copy lands in <home>/backprop-workbook/ the first time the student's server starts; later starts leave
    it alone, so a student's work is never overwritten. To hand out a newer version, hubs usually use an
    nbgitpuller link instead (it merges upstream changes without touching what the student edited; the link
    format is in deploy/README.md). A teacher can copy a single new chapter by hand into each home.
    """
    home = pathlib.Path(getattr(spawner, "home_dir", None) or os.path.expanduser(f"~{spawner.user.name}"))
    target = home / COURSE_FOLDER
    if target.exists():
        return
    home.mkdir(parents=True, exist_ok=True)
    tmp = home / f".{COURSE_FOLDER}.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(STUDENT_DIR, tmp)
    tmp.rename(target)            # atomic: a crash mid-copy never leaves a half-filled course folder
    spawner.log.info("copied the course (%s) into %s", STUDENT_DIR, target)


_ensure_student_copies()
c.Spawner.pre_spawn_hook = copy_course_on_first_spawn
