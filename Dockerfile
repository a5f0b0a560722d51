# newsbot: the Discord bot (`newsbot run`) in a small image.
#   docker build -t newsbot .
#   docker run --rm -e DISCORD_TOKEN=… -v newsbot-data:/data -v "$PWD/articles:/articles:ro" newsbot
# compose.yaml does the same with named settings.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app
# Dependencies first (pinned like every install), so code changes rebuild only the last layer.
COPY pyproject.toml constraints.txt README.md LICENSE ./
COPY bot ./bot
RUN pip install -c constraints.txt . \
    && useradd --system --uid 10001 --home-dir /data newsbot \
    && mkdir -p /data /articles \
    && cp -r bot/playground/seed/. /articles/ \
    && chown newsbot /data /articles /articles/*

# The database lives on the /data volume; the articles folder is mounted at /articles
# (the image's own copy of the seed article is used when nothing is mounted there).
ENV ARTICLES_DIR=/articles \
    DATABASE_PATH=/data/newsbot.db
VOLUME ["/data"]
USER newsbot
WORKDIR /data
# SIGTERM (docker stop) shuts the bot down cleanly.
CMD ["newsbot", "run"]
