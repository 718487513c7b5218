"""What ships: the wheel carries the SQL, so an installed `ruby-wallet` works from any folder;
docker-compose.yml and the Dockerfile name things that exist."""

import subprocess
import sys
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_contains_every_sql_file(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(tmp_path.glob("ruby_wallet-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("migrations", "procedures", "sql"):
        for path in (ROOT / folder).rglob("*"):
            if path.is_file():
                assert f"ruby_wallet/_sql/{path.relative_to(ROOT)}" in names
    assert "ruby_wallet/queries.sql" in names


def test_compose_file_runs_postgres_and_the_api():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert set(compose["services"]) == {"db", "api"}
    assert compose["services"]["db"]["image"].startswith("postgres:15")
    api = compose["services"]["api"]
    assert api["build"] == "."
    assert api["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert api["depends_on"]["db"]["condition"] == "service_healthy"


def test_dockerfile_copies_what_the_package_needs():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for folder in ("api", "migrations", "procedures", "sql"):
        assert f"COPY {folder} ./{folder}" in dockerfile
        assert (ROOT / folder).is_dir()
