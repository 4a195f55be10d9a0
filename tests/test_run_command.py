"""The README's run command brings up the emulator, web and worker, installs the demo store, answers /healthz."""

import socket
import subprocess
import sys

import pytest

from tests.support.env import environment_for


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.slow
def test_the_run_command_starts_everything_and_installs_the_demo_store(app, settings, shared_dir):
    port, emulator_port = _free_port(), _free_port()
    env = environment_for(settings, APP_URL=f"http://127.0.0.1:{port}", SHOPIFY_API_BASE_URL="",
                          APP_ENV="development")
    del env["SHOPIFY_API_BASE_URL"]
    result = subprocess.run(
        [sys.executable, "-m", "app.launcher", "--check", "--port", str(port), "--emulator-port", str(emulator_port)],
        env=env, capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "healthz: {'checks': {'database': 'ok', 'redis': 'ok'}, 'status': 'ok'}" in result.stdout
    assert "demo shop: demo-apparel.myshopify.com installed" in result.stdout
    assert f"admin:     http://127.0.0.1:{port}/app?shop=demo-apparel.myshopify.com" in result.stdout
