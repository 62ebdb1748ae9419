"""What the benchmark scripts share: running `jiesu serve` and `jiesu keys create`, percentiles.

Imported by bench/intake_bench.py and bench/scale_bench.py (run as `python3 bench/X.py`, so this
directory is on the module path). Python 3 standard library only.
"""
import http.client
import os
import re
import signal
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SERVE_LINE = re.compile(rb"serving on http://127\.0\.0\.1:(\d+)/")


class BenchError(Exception):
    pass


def now():
    return time.perf_counter()


def percentile(values, q):
    """Nearest-rank percentile (q in 0..100); NaN of nothing."""
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q / 100.0 * len(s) + 0.5)) - 1))]


def create_key(jiesu, db_url, cwd, env, role, name, timeout=120):
    """A new API key of `role` (`jiesu keys create`; it also migrates the schema)."""
    p = subprocess.run([jiesu, "keys", "create", "--db", db_url, "--role", role, "--name", name],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=cwd,
                       env=env, timeout=timeout)
    lines = p.stdout.strip().splitlines()
    if p.returncode != 0 or not lines or not lines[-1].strip().startswith("jz_"):
        raise BenchError(f"jiesu keys create: exit {p.returncode}: {p.stderr.strip()[-800:]}")
    return lines[-1].strip()


class Server:
    """`jiesu serve` on 127.0.0.1:0 (the kernel picks a free port; the log line names it), run in
    `cwd` with `config` as its TOML file, up once /healthz answers 200. Its config, stdout and
    stderr go to `log_dir`/`name`.toml, .out and .err."""

    def __init__(self, jiesu, db_url, cwd, env, name, config, log_dir=None, extra_args=(),
                 timeout=120):
        log_dir = log_dir or cwd
        config_path = os.path.join(log_dir, f"{name}.toml")
        with open(config_path, "w") as f:
            f.write(config)
        cmd = [jiesu, "serve", "--db", db_url, "--listen", "127.0.0.1:0", "--config",
               config_path, *extra_args]
        self.out_path = os.path.join(log_dir, f"{name}.out")
        self.err_path = os.path.join(log_dir, f"{name}.err")
        with open(self.out_path, "wb") as o, open(self.err_path, "wb") as e:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=o, stderr=e,
                                         cwd=cwd, env=env)
        self.port = None
        self.started_in = None
        t0 = now()
        while True:
            if self.proc.poll() is not None:
                raise BenchError(f"jiesu serve exited with {self.proc.returncode}: "
                                 + self.log_text()[-1500:])
            if now() - t0 > timeout:
                self.stop()
                raise BenchError(f"jiesu serve not healthy after {timeout} s")
            if self.port is None:
                for path in (self.out_path, self.err_path):
                    with open(path, "rb") as f:
                        m = SERVE_LINE.search(f.read())
                    if m:
                        self.port = int(m.group(1))
                        break
            if self.port is not None and self.healthy():
                self.started_in = now() - t0
                return
            time.sleep(0.05)

    def healthy(self):
        try:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                c.request("GET", "/healthz")
                r = c.getresponse()
                r.read()
                return r.status == 200
            finally:
                c.close()
        except (OSError, http.client.HTTPException):
            return False

    @property
    def pid(self):
        return self.proc.pid

    def log_text(self):
        text = ""
        for p in (self.out_path, self.err_path):
            with open(p, errors="replace") as f:
                text += f.read()
        return text

    def stop(self):
        """SIGTERM (SIGKILL after 60 s); the exit status."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode
