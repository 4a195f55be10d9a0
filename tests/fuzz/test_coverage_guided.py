"""Runs the atheris harnesses (tests/fuzz/harnesses) side by side for a fixed time each; any crash fails the test."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.config import REPO_ROOT

pytest.importorskip("atheris", reason="atheris is in the test extra; install it with `pip install -e .[test]`")

SECONDS = int(os.environ.get("FUZZ_SECONDS", "30"))
SEED_SAMPLES = ("orders-create.json", "orders-edited.json", "refunds-create.json", "inventory_levels-update.json",
                "variants-out_of_stock.json", "products-update.json")  # in the order of the harness's PARSERS


@pytest.mark.fuzz
def test_the_webhook_verifier_envelope_and_payload_parsers_survive_coverage_guided_fuzzing(tmp_path, shared_dir):
    corpus = tmp_path / "payloads"
    corpus.mkdir()
    for index, name in enumerate(SEED_SAMPLES):
        (corpus / f"sample-{index}").write_bytes(bytes([index]) + (shared_dir / "shopify" / "webhook-samples" / name)
                                                 .read_bytes())
    harnesses = {"webhook_intake": [], "payloads": [str(corpus)]}
    environment = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    running = {
        name: subprocess.Popen(
            [sys.executable, "-m", f"tests.fuzz.harnesses.{name}", *corpus_dirs, f"-max_total_time={SECONDS}",
             "-timeout=10", "-rss_limit_mb=1024", f"-artifact_prefix={tmp_path}/{name}-"],
            cwd=REPO_ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for name, corpus_dirs in harnesses.items()
    }
    for name, process in running.items():
        output, _ = process.communicate(timeout=SECONDS * 4 + 120)
        report = "\n".join(line for line in output.splitlines() if not line.startswith("INFO: Instrumenting"))
        assert process.returncode == 0, f"{name} found a crash:\n{report[-4000:]}"
        assert "Done " in report, f"{name} did not run:\n{report[-2000:]}"
