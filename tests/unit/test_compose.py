"""docker-compose.yml, the Dockerfile and .env.example agree with the code.

Docker cannot run here, so these read the files: every variable compose passes to the
bot is a setting the code knows, .env.example lists every setting, and the commands
the image runs are real `bot.py` commands."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from bot.settings import PROJECT_ROOT, Settings

COMPOSE = PROJECT_ROOT / "docker-compose.yml"
DOCKERFILE = PROJECT_ROOT / "Dockerfile"
ENV_EXAMPLE = PROJECT_ROOT / ".env.example"


def _settings() -> set[str]:
    return {str(field.alias) for field in Settings.model_fields.values()}


def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _bot_services() -> dict[str, dict[str, Any]]:
    """The services running the image built from this repository."""
    services = _compose()["services"]
    return {name: s for name, s in services.items() if "build" in s}


def _strings(value: object) -> list[str]:
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_strings(k), *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def _interpolated() -> set[str]:
    """Variables compose itself reads from .env (`${NAME}`, `${NAME:-x}`, `${NAME:?x}`)."""
    return {
        name for text in _strings(_compose()) for name in re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text)
    }


def _env_example() -> set[str]:
    """Names in .env.example, set (`NAME=`) or shown with their default (`# NAME=`)."""
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    return set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]*)=", text, flags=re.M))


def _dockerfile(instruction: str) -> list[str]:
    lines = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ").splitlines()
    return [line.split(None, 1)[1] for line in lines if line.startswith(f"{instruction} ")]


def _is_bot_py_command(arguments: list[str], capsys: pytest.CaptureFixture[str]) -> bool:
    with pytest.raises(SystemExit) as exited:
        main([*arguments, "--help"])
    capsys.readouterr()
    return exited.value.code == 0


def test_compose_passes_the_bot_only_settings_it_knows() -> None:
    known = _settings()
    services = _bot_services()
    assert set(services) == {"migrate", "bot"}
    for name, service in services.items():
        passed = set(service.get("environment", {}))
        assert passed <= known, f"{name} passes unknown settings: {sorted(passed - known)}"
        assert service["env_file"] == ".env"


def test_compose_commands_are_real_bot_py_commands(capsys: pytest.CaptureFixture[str]) -> None:
    services = _bot_services()
    assert services["bot"]["command"] == ["run"]
    assert services["migrate"]["command"] == ["migrate"]
    for service in services.values():
        assert _is_bot_py_command(service["command"], capsys)
    assert not _is_bot_py_command(["launch"], capsys)


def test_compose_runs_postgres_16_with_a_volume_a_healthcheck_and_migrations_first() -> None:
    compose = _compose()
    db = compose["services"]["db"]
    assert re.fullmatch(r"postgres:16\.\d+[\w.-]*", db["image"])
    volume, _, mount = db["volumes"][0].partition(":")
    assert (volume in compose["volumes"], mount) == (True, "/var/lib/postgresql/data")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    bot = compose["services"]["bot"]
    assert bot["restart"] == "unless-stopped"
    assert bot["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    assert compose["services"]["migrate"]["restart"] == "no"
    assert "/healthz" in " ".join(bot["healthcheck"]["test"])


def test_env_example_lists_every_setting_and_nothing_else() -> None:
    listed, settings = _env_example(), _settings()
    assert settings - listed == set(), "settings missing from .env.example"
    compose_only = _interpolated() - settings
    assert listed - settings == compose_only, "names in .env.example that nothing reads"


def test_dockerfile_runs_bot_py_as_a_non_root_user_on_a_pinned_image(
    capsys: pytest.CaptureFixture[str],
) -> None:
    (base,) = _dockerfile("FROM")
    assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", base)
    users = _dockerfile("USER")
    assert users, "the image must not run as root"
    assert users[-1] not in ("root", "0")
    (entrypoint,) = _dockerfile("ENTRYPOINT")
    (command,) = _dockerfile("CMD")
    assert yaml.safe_load(entrypoint) == ["python", "bot.py"]
    assert _is_bot_py_command(yaml.safe_load(command), capsys)
    for copied in _dockerfile("COPY"):
        *sources, _target = shlex.split(copied)
        for source in sources:
            assert (PROJECT_ROOT / source).exists(), f"COPY {source}: no such file"


def test_run_without_a_token_explains_botfather_and_the_demo(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    assert main([]) == 2
    message = capsys.readouterr().err
    assert "@BotFather" in message
    assert "/newbot" in message
    assert "python bot.py demo" in message
