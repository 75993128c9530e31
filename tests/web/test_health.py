"""GET /healthz: what a load balancer or monitoring asks before sending KidsVoice traffic."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from kidsvoice import create_app
from kidsvoice.config import Config
from kidsvoice.migrate import head_revision


def test_ok_when_the_database_answers_at_the_newest_migration(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"
    assert response.mimetype == "text/plain"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers  # a probe every few seconds makes no sessions


def test_anyone_may_ask_without_logging_in(app) -> None:
    response = app.test_client().get("/healthz", headers={"Accept-Language": "da"})
    assert response.status_code == 200


def test_503_when_the_schema_is_behind(app, session) -> None:
    session.execute(text("UPDATE alembic_version SET version_num = '0005'"))
    session.commit()
    try:
        response = app.test_client().get("/healthz")
    finally:  # PostgreSQL's tests share the schema: the version is not reset between them
        session.execute(text("UPDATE alembic_version SET version_num = :v"),
                        {"v": head_revision()})
        session.commit()
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    assert body == (f"database schema at 0005, this version needs {head_revision()}: "
                    "run kidsvoice db upgrade\n")


def test_503_when_the_database_cannot_be_opened(tmp_path: Path) -> None:
    # a directory where the database file should be: SQLite cannot open it
    app = create_app(Config(env="testing", testing=True, secret_keys=("x" * 40,),
                            database_url=f"sqlite:///{tmp_path}", base_url="http://localhost"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_data(as_text=True) == "database unavailable: OperationalError\n"


def test_only_get(client) -> None:
    assert client.post("/healthz").status_code == 405
