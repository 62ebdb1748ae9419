"""The jiesu binary as the Python tests use it: CLI calls and one `jiesu serve` on a loopback
port of a temporary database. Python 3 standard library only."""
import os
import queue
import re
import subprocess
import threading
import time


class ServerError(Exception):
    """The binary could not be run or the server did not start."""


class JiesuServer:
    def __init__(self, jiesu, tmp):
        self.jiesu, self.tmp = jiesu, tmp
        self.db = f"sqlite:{tmp}/t.db"
        self.proc, self.log = None, None

    def run(self, *args, timeout=120):
        """Runs `jiesu ARGS` in the temp dir; the CompletedProcess."""
        try:
            return subprocess.run([self.jiesu, *args], capture_output=True, text=True,
                                  timeout=timeout, cwd=self.tmp)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise ServerError(f"cannot run {self.jiesu} {' '.join(args)}: {e}")

    def create_key(self, role, unit=None, name=None):
        """A new key of `role` (of `unit` for a handler); the first call creates the database."""
        args = ["keys", "create", "--db", self.db, "--role", role, "--name", name or role]
        if unit:
            args += ["--unit", unit]
        made = self.run(*args)
        lines = made.stdout.strip().splitlines()
        if made.returncode != 0 or not lines:
            raise ServerError(f"jiesu {' '.join(args)} exited with {made.returncode}: "
                              f"{(made.stderr or made.stdout).strip()[-800:]}")
        return lines[-1].strip()

    def start(self):
        """Starts `jiesu serve` (its stderr in TMP/serve.log); the base URL it serves on."""
        env = {k: v for k, v in os.environ.items() if k != "JIESU_SECRET_KEY"}
        self.log = open(os.path.join(self.tmp, "serve.log"), "w")
        cmd = [self.jiesu, "serve", "--db", self.db, "--listen", "127.0.0.1:0"]
        self.proc = subprocess.Popen(cmd, cwd=self.tmp, env=env, stdout=subprocess.PIPE,
                                     stderr=self.log, text=True, encoding="utf-8",
                                     errors="replace")
        lines = queue.Queue()

        def pump():  # keeps draining stdout so the server never blocks on it
            for line in self.proc.stdout:
                lines.put(line)
            lines.put(None)
        threading.Thread(target=pump, daemon=True).start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                self.log.flush()
                with open(self.log.name, encoding="utf-8", errors="replace") as f:
                    tail = f.read()[-1500:]
                raise ServerError(f"jiesu serve exited with {self.proc.wait()} before serving:\n{tail}")
            m = re.search(r"serving on (http://\S+)", line)
            if m:
                return m.group(1)
        raise ServerError("jiesu serve did not print 'serving on http://...' within 60 s")

    def stop(self):
        """SIGTERM, then SIGKILL after 10 s."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.log:
            self.log.close()
            self.log = None
