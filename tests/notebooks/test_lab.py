"""`make lab`: JupyterLab on the notebooks and the labs with the project's kernel, reached through Jupyter's REST API."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.conftest import REPO


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_lab_starts_jupyterlab_on_the_notebooks_with_the_named_kernel(tmp_path):
    port, token = free_port(), "workshop-test"
    options = (f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0 "
               f"--IdentityProvider.token={token}")
    environment = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "config"),
                       JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "lab"),
                       JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "workspaces"))
    log = open(tmp_path / "lab.log", "w+")
    server = subprocess.Popen(["make", "--no-print-directory", "-o", ".venv/.installed", "lab", f"PY={sys.executable}",
                               f"LAB_OPTIONS={options}"], cwd=REPO, env=environment, stdout=log,
                              stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                listing = get(f"{base}/contents/notebooks?token={token}")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"JupyterLab did not answer on port {port}:\n{log.read()[-3000:]}")
                time.sleep(1)
        names = sorted(entry["name"] for entry in listing["content"])
        assert names == sorted(name for name in os.listdir(os.path.join(REPO, "notebooks")) if name.endswith(".ipynb"))
        labs = sorted(entry["name"] for entry in get(f"{base}/contents/labs?token={token}")["content"])
        assert [name for name in labs if name.endswith(".ipynb")] == sorted(
            name for name in os.listdir(os.path.join(REPO, "labs")) if name.endswith(".ipynb"))
        assert "keras-workshop" in get(f"{base}/kernelspecs?token={token}")["kernelspecs"]
        log.seek(0)
        assert f"http://127.0.0.1:{port}/lab" in log.read()  # the URL to open is printed
    finally:
        for stop in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(server.pid, stop)
                server.wait(timeout=30)
                break
            except ProcessLookupError:  # already ended
                break
            except subprocess.TimeoutExpired:
                continue
        log.close()
