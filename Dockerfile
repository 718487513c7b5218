# The wallet API image: the installed package carries its SQL (migrations/, procedures/, sql/).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY api ./api
COPY migrations ./migrations
COPY procedures ./procedures
COPY sql ./sql
RUN pip install --no-cache-dir . && useradd --system --home /nonexistent wallet
USER wallet
EXPOSE 8000
# Migrate (idempotent), then serve.  DATABASE_URL comes from the environment.
CMD ["sh", "-c", "ruby-wallet migrate && exec ruby-wallet serve --host 0.0.0.0 --port 8000"]
