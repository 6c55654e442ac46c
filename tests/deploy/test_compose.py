"""compose.yaml, deploy/nginx.conf and the Dockerfile, read as files (no Docker engine here).

They check the wiring a `docker compose up` depends on: the services, their environment, the
load balancer's upstreams and WebSocket headers, the healthchecks, and that no secret is
written down.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
REPLICAS = ["preau-1", "preau-2"]
SECRET_NAME = re.compile(r"SECRET|PASSWORD|TOKEN|_KEY$")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["services"]


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error}, enough for these files."""

    def one(match: re.Match[str]) -> str:
        name, op, arg = match.group(1), match.group(2), match.group(3) or ""
        if env.get(name):
            return env[name]
        if op == ":?":
            raise KeyError(f"{name} is required: {arg}")
        return arg if op == ":-" else ""

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", one, value)


# --- a small reader for nginx's configuration language -------------------------------------


def parse_nginx(text: str) -> list[tuple[str, list[str], list]]:
    """Return [(directive, args, children)] with comments dropped and quotes removed."""
    tokens = re.findall(r'"[^"]*"|\'[^\']*\'|[{};]|[^\s{};#]+|#[^\n]*', text)
    tokens = [t for t in tokens if not t.startswith("#")]
    stack: list[list] = [[]]
    words: list[str] = []
    for token in tokens:
        if token == ";":
            stack[-1].append((words[0], words[1:], []))
            words = []
        elif token == "{":
            block: list = []
            stack[-1].append((words[0], words[1:], block))
            stack.append(block)
            words = []
        elif token == "}":
            assert not words, f"unterminated directive before '}}': {words}"
            stack.pop()
        else:
            words.append(token.strip("\"'"))
    assert len(stack) == 1 and not words, "unbalanced braces in nginx.conf"
    return stack[0]


def find(block: list, name: str, *args: str) -> list[tuple[str, list[str], list]]:
    return [d for d in block if d[0] == name and d[1][: len(args)] == list(args)]


def one(block: list, name: str, *args: str) -> tuple[str, list[str], list]:
    found = find(block, name, *args)
    assert len(found) == 1, f"expected one {name} {' '.join(args)}, found {len(found)}"
    return found[0]


def headers(location: list) -> dict[str, str]:
    return {d[1][0].lower(): " ".join(d[1][1:]) for d in find(location, "proxy_set_header")}


def seconds(value: str) -> int:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    number, unit = re.fullmatch(r"(\d+)([smhd]?)", value).groups()
    return int(number) * units.get(unit or "s")


@pytest.fixture(scope="module")
def nginx(services: dict[str, Any]) -> list:
    mounts = [v.split(":") for v in services["nginx"]["volumes"]]
    conf = [src for src, dst, *_ in mounts if dst == "/etc/nginx/nginx.conf"]
    assert conf == ["./deploy/nginx.conf"], "nginx must mount deploy/nginx.conf as its config"
    return parse_nginx((ROOT / "deploy" / "nginx.conf").read_text())


@pytest.fixture(scope="module")
def server(nginx: list) -> list:
    return one(one(nginx, "http")[2], "server")[2]


# --- compose.yaml ---------------------------------------------------------------------------


def test_compose_has_postgres_redis_two_replicas_and_a_load_balancer(services: dict) -> None:
    assert {"postgres", "redis", "nginx", *REPLICAS} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:16")
    assert services["redis"]["image"].startswith("redis:7")
    assert services["nginx"]["image"].startswith("nginx:")


def test_redis_persists_with_an_append_only_file_on_a_volume(services: dict) -> None:
    redis = services["redis"]
    command = " ".join(redis["command"])
    assert "--appendonly yes" in command
    assert any(v.endswith(":/data") for v in redis["volumes"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["postgres"]["volumes"])


@pytest.mark.parametrize("replica", REPLICAS)
def test_replica_serves_http_and_websocket_on_port_8000(services: dict, replica: str) -> None:
    service = services[replica]
    assert service["command"] == ["preau", "serve", "--host", "0.0.0.0", "--port", "8000"]
    assert service.get("build") == "." or service.get("image")


def test_replicas_share_one_volume_for_the_files_shared_in_rooms(services: dict) -> None:
    data_dir = services[REPLICAS[0]]["environment"]["PREAU_DATA_DIR"]
    mounts = [set(services[r].get("volumes", [])) for r in REPLICAS]
    shared = set.intersection(*mounts)
    assert any(v.split(":")[1] == f"{data_dir}/media" for v in shared), mounts
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"install -d -o preau -g preau {data_dir}/media" in dockerfile


@pytest.mark.parametrize("replica", REPLICAS)
def test_replica_environment_points_at_the_postgres_and_redis_services(
    services: dict, replica: str
) -> None:
    env = services[replica]["environment"]
    pg = services["postgres"]["environment"]
    assert env["PREAU_ENV"] == "production"
    for name in ("SECRET_KEY", "ALLOWED_HOSTS", "PREAU_ORIGINS", "DATABASE_URL", "REDIS_URL"):
        assert env.get(name), f"{replica} lacks {name}"

    database = urlsplit(interpolate(env["DATABASE_URL"], {"POSTGRES_PASSWORD": "pw"}))
    assert database.scheme in {"postgres", "postgresql"}
    assert (database.hostname, database.port or 5432) == ("postgres", 5432)
    assert database.username == pg["POSTGRES_USER"]
    assert database.path.lstrip("/") == pg["POSTGRES_DB"]
    assert database.password == "pw", "the database password must come from POSTGRES_PASSWORD"
    assert "${POSTGRES_PASSWORD" in pg["POSTGRES_PASSWORD"]

    cache = urlsplit(env["REDIS_URL"])
    assert (cache.scheme, cache.hostname, cache.port or 6379) == ("redis", "redis", 6379)


@pytest.mark.parametrize("replica", REPLICAS)
def test_replica_waits_for_healthy_services_and_applied_migrations(
    services: dict, replica: str
) -> None:
    depends = services[replica]["depends_on"]
    assert depends["postgres"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"
    # Two replicas migrating at once would race: a one-shot service migrates first.
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"][:2] == ["preau", "migrate"]


def test_every_long_running_service_has_a_healthcheck(services: dict) -> None:
    for name in ("postgres", "redis", *REPLICAS):
        check = services[name].get("healthcheck")
        assert check and check["test"], f"{name} has no healthcheck"
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "ping" in services["redis"]["healthcheck"]["test"]


def test_load_balancer_starts_after_healthy_replicas_and_is_published(services: dict) -> None:
    nginx = services["nginx"]
    for replica in REPLICAS:
        assert nginx["depends_on"][replica]["condition"] == "service_healthy"
    assert nginx["ports"], "the load balancer is the one published port"
    for replica in REPLICAS:
        assert not services[replica].get("ports"), "replicas are reached through nginx only"


def test_no_secret_is_written_in_compose(services: dict) -> None:
    """Secrets come from ${VARIABLES}; a default is allowed only when marked as an example."""
    for name, service in services.items():
        for key, value in (service.get("environment") or {}).items():
            if not SECRET_NAME.search(key):
                continue
            value = str(value or "")
            assert not re.sub(r"\$\{[^}]*\}", "", value), f"{name}.{key} is written down"
            for match in re.finditer(r"\$\{\w+(:-|:\?)?([^}]*)\}", value):
                default = match.group(2) if match.group(1) == ":-" else ""
                assert not default or "example" in default.lower(), f"{name}.{key} has a default"
    # The password inside DATABASE_URL is the POSTGRES_PASSWORD variable, not a literal.
    for replica in REPLICAS:
        url = services[replica]["environment"]["DATABASE_URL"]
        assert urlsplit(interpolate(url, {"POSTGRES_PASSWORD": "x"})).password == "x"


def test_example_environment_only_holds_marked_example_secrets() -> None:
    lines = (ROOT / "deploy" / "env.example").read_text().splitlines()
    pairs = dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))
    assert {"SECRET_KEY", "POSTGRES_PASSWORD"} <= set(pairs)
    for key, value in pairs.items():
        if SECRET_NAME.search(key) and value:
            assert value.startswith("EXAMPLE-"), f"{key} in env.example must be marked EXAMPLE"


def test_replica_environment_passes_the_production_checks(services: dict, tmp_path: Path) -> None:
    """With real secrets filled in, the replicas' settings pass `check --deploy` cleanly."""
    values = {"SECRET_KEY": secrets.token_urlsafe(45), "POSTGRES_PASSWORD": "pw"}
    env = {k: interpolate(str(v), values) for k, v in services["preau-1"]["environment"].items()}
    env["PREAU_DATA_DIR"] = str(tmp_path)
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "SYSTEMROOT", "VIRTUAL_ENV"}
    base = {k: v for k, v in os.environ.items() if k in keep}
    result = subprocess.run(
        # --no-connect: the compose network (postgres, redis) does not exist here.
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--no-connect",
            "--fail-level",
            "WARNING",
        ],
        cwd=ROOT,
        env={**base, **env, "DJANGO_SETTINGS_MODULE": "backend.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# --- deploy/nginx.conf ----------------------------------------------------------------------


def test_upstream_lists_both_replicas_on_their_serve_port(nginx: list, services: dict) -> None:
    upstream = one(one(nginx, "http")[2], "upstream")
    name = upstream[1][0]
    backends = [d[1][0] for d in find(upstream[2], "server")]
    port = services["preau-1"]["command"][-1]
    assert name
    assert sorted(backends) == sorted(f"{r}:{port}" for r in REPLICAS)


def test_every_location_proxies_to_the_upstream(nginx: list, server: list) -> None:
    name = one(one(nginx, "http")[2], "upstream")[1][0]
    locations = [loc for loc in find(server, "location") if loc[1] != ["=", "/metrics"]]
    assert {loc[1][-1] for loc in locations} >= {"/", "/ws/", "/readyz"}
    for location in locations:
        assert one(location[2], "proxy_pass")[1] == [f"http://{name}"]


def test_metrics_are_not_reachable_through_the_load_balancer(server: list) -> None:
    metrics = one(server, "location", "=", "/metrics")[2]
    assert ("deny", ["all"], []) in metrics
    assert not find(metrics, "proxy_pass")


@pytest.mark.parametrize("replica", REPLICAS)
def test_replica_healthcheck_asks_readyz(services: dict, replica: str) -> None:
    test = " ".join(services[replica]["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/readyz" in test


def test_websocket_location_forwards_the_upgrade(nginx: list, server: list) -> None:
    ws = one(server, "location", "/ws/")[2]
    assert one(ws, "proxy_http_version")[1] == ["1.1"]
    sent = headers(ws)
    assert sent["upgrade"] == "$http_upgrade"
    connection = sent["connection"]
    if connection.startswith("$"):
        mapping = one(one(nginx, "http")[2], "map", "$http_upgrade", connection)[2]
        assert ("default", ["upgrade"], []) in mapping
    else:
        assert connection.lower() == "upgrade"
    assert seconds(one(ws, "proxy_read_timeout")[1][0]) >= 600, "idle sockets must stay open"
    assert sent["host"] in {"$host", "$http_host"}
    assert sent["x-forwarded-proto"] == "$scheme"


def test_http_location_forwards_host_and_scheme(server: list) -> None:
    root = one(server, "location", "/")[2]
    sent = headers(root)
    assert sent["host"] in {"$host", "$http_host"}
    assert sent["x-forwarded-proto"] == "$scheme"
    assert "x-forwarded-for" in sent


def test_nginx_serves_tls_from_the_mounted_directory(server: list, services: dict) -> None:
    listen = one(server, "listen")[1]
    assert "ssl" in listen
    port = listen[0]
    assert any(p.endswith(f":{port}") for p in services["nginx"]["ports"])
    cert = one(server, "ssl_certificate")[1][0]
    mounts = {v.split(":")[1] for v in services["nginx"]["volumes"]}
    assert any(cert.startswith(m + "/") for m in mounts)


# --- Dockerfile -----------------------------------------------------------------------------


def test_dockerfile_builds_from_python_311_slim_and_runs_preau_serve() -> None:
    text = (ROOT / "Dockerfile").read_text()
    images = re.findall(r"^FROM\s+(\S+)", text, flags=re.MULTILINE)
    assert images and all(image == "python:3.11-slim" for image in images)
    assert re.search(r"pip (install|wheel)\b.*\s\.(\s|$)", text), "the image installs the project"
    assert 'CMD ["preau", "serve", "--host", "0.0.0.0", "--port", "8000"]' in text
    assert re.search(r"^USER\s+(?!root)\w+", text, flags=re.MULTILINE), "never run as root"
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", ".git", ".env"} <= set(ignored)
