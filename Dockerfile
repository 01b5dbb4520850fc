# NightSafe: the bot, as `docker compose` runs it (docs/RUNNING.md).
# Pinned base image: a rebuild next year gets the same Python.
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first: this layer is rebuilt only when pyproject.toml or the code changes.
COPY pyproject.toml README.md ./
COPY venues ./venues
COPY bot ./bot
RUN pip install .

COPY bot.py alembic.ini ./
COPY alembic ./alembic
COPY data ./data

# Never root: a system user owning only /app/var (where a SQLite database would live).
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin nightsafe \
    && mkdir /app/var && chown nightsafe /app/var
USER nightsafe
ENV DATABASE_URL=sqlite+aiosqlite:////app/var/nightsafe.db

# 8080: the webhook (behind the TLS proxy); 8081: /healthz and /metrics.
EXPOSE 8080 8081
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8081/healthz', timeout=4)"]

# `python bot.py` runs the bot; `python bot.py migrate` (the compose `migrate` service)
# brings the database to this code's schema.
ENTRYPOINT ["python", "bot.py"]
CMD ["run"]
