"""The register's database: engines and migrations, from ``Settings.register_url``.

SQLite (the default, a file under ``KB_DATA_DIR``) and PostgreSQL
(``postgresql+psycopg://…``) behave alike here:

- SQLite runs in WAL mode (readers never wait for the writer) with foreign
  keys on and a 30 s busy timeout. A transaction that will write starts with
  ``BEGIN IMMEDIATE``: two writers then queue for the lock instead of one
  failing with "database is locked" when it tries to upgrade a read lock.
  Reads start a plain deferred transaction. :func:`writer` gives the engine
  whose transactions write.
- PostgreSQL connections are checked before use (``pool_pre_ping``), so a
  restarted server costs one reconnect, not an error.

Migrations are Alembic revisions in ``disputes/migrations/versions``, applied
by :func:`upgrade` (``kb db upgrade`` and start-up) with the configuration
built in code. On PostgreSQL an advisory lock keeps two processes starting at
once from migrating together; on SQLite ``BEGIN IMMEDIATE`` does the same.

A database that cannot be reached raises
:class:`~kb_service.errors.StoreUnavailableError` (503, retry later).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool

from kb_service.errors import ConfigurationError, StoreUnavailableError
from kb_service.settings import Settings

MIGRATIONS = Path(__file__).parent / "migrations"
_WRITE_OPTION = "kb_register_write"
_MIGRATION_LOCK = 7_261_340_912  # any constant: the advisory lock id for migrations


def create_register_engine(url: str, *, foreign_keys: bool = True) -> Engine:
    """An engine for the register at ``url``; the SQLite file's folder is created."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with an English message
        raise ConfigurationError(
            f"配置项 KB_DATABASE_URL 无效：无法解析数据库地址（{exc}）"
        ) from exc
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed.database, url, foreign_keys=foreign_keys)
    if backend == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, pool_pre_ping=True, pool_size=5, max_overflow=10)
    raise ConfigurationError(
        f"配置项 KB_DATABASE_URL 无效：不支持的数据库“{backend}”，请使用 sqlite:/// 或 postgresql+psycopg://"
    )


def _sqlite_engine(database: str | None, url: str, *, foreign_keys: bool) -> Engine:
    in_memory = not database or database == ":memory:"
    if in_memory:
        # One shared connection, or every session would see its own empty database.
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite's own
        # implicit BEGIN is always deferred).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        immediate = connection.get_execution_options().get(_WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def writer(engine: Engine) -> Engine:
    """The same engine (same pool), for transactions that write."""
    return engine.execution_options(**{_WRITE_OPTION: True})


def describe(engine: Engine) -> str:
    """The URL without its password, for messages."""
    return engine.url.render_as_string(hide_password=True)


def unavailable(engine: Engine, exc: Exception) -> StoreUnavailableError:
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
    return StoreUnavailableError(
        f"纠纷登记数据库无法访问（{describe(engine)}：{reason}）：请检查 KB_DATABASE_URL 和数据库服务是否运行"
    )


def _alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))  # configparser interpolation
    return config


def _url_of(target: Settings | str) -> str:
    return target.register_url if isinstance(target, Settings) else target


def upgrade(target: Settings | str, revision: str = "head") -> str | None:
    """Apply migrations up to ``revision``; returns the revision the database is at."""
    url = _url_of(target)
    engine = create_register_engine(url, foreign_keys=False)
    try:
        with writer(engine).begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:id)"), {"id": _MIGRATION_LOCK}
                )
            config = _alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        return current_revision(engine)
    except OperationalError as exc:
        raise unavailable(engine, exc) from exc
    finally:
        engine.dispose()


def downgrade(target: Settings | str, revision: str) -> None:
    """Step the schema back (for operators undoing a release; data in dropped columns is moved back)."""
    url = _url_of(target)
    engine = create_register_engine(url, foreign_keys=False)
    try:
        with writer(engine).begin() as connection:
            config = _alembic_config(url)
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
    finally:
        engine.dispose()


def current_revision(engine: Engine) -> str | None:
    """The applied revision, or None for a database never migrated."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head
