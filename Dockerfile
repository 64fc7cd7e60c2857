# syntax=docker/dockerfile:1
# Jiuzhu API image: `docker build -t jiuzhu .` then run with JIUZHU_DATABASE_URL,
# JIUZHU_SECRET_KEY, JIUZHU_DATA_KEY, JIUZHU_WECHAT_APPID and JIUZHU_WECHAT_SECRET set.
# Migrations: `docker run --rm --env-file ... jiuzhu python -m app migrate`.

# --- builder: a virtual environment with the dependencies declared in pyproject.toml ---
FROM python:3.11.13-slim-bookworm AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /build
RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"

COPY pyproject.toml ./
COPY app ./app
# Install the project to resolve its dependencies, then drop the installed copy of the
# package itself: the code runs from /srv/jiuzhu/app, next to alembic.ini and migrations/,
# which app/db/migrate.py finds relative to the package.
RUN pip install --no-cache-dir . \
    && pip uninstall --yes jiuzhu

# --- runtime ---
FROM python:3.11.13-slim-bookworm AS runtime

LABEL org.opencontainers.image.title="jiuzhu" \
      org.opencontainers.image.description="Jiuzhu 救助: low-income population monitoring and one-click help API"

ENV PATH="/opt/venv/bin:$PATH" \
    PYTHONPATH=/srv/jiuzhu \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    JIUZHU_ENV=production \
    JIUZHU_VAR_DIR=/srv/jiuzhu/var

# The CJK font the statutory procedures' PDFs are set in (JIUZHU_CJK_FONT's default path).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei=0.2.0-beta-3.1 \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 jiuzhu \
    && useradd --system --no-log-init --uid 10001 --gid jiuzhu \
       --home-dir /srv/jiuzhu --shell /usr/sbin/nologin jiuzhu

WORKDIR /srv/jiuzhu
COPY --from=builder /opt/venv /opt/venv
COPY alembic.ini ./
COPY migrations ./migrations
COPY app ./app
# Only var/ (uploads, and the SQLite file if no database URL is given) is writable.
RUN mkdir -p /srv/jiuzhu/var/uploads && chown -R jiuzhu:jiuzhu /srv/jiuzhu/var

USER 10001:10001
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"]

CMD ["python", "-m", "app", "serve", "--host", "0.0.0.0", "--port", "8000"]
