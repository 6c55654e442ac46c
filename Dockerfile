# The Préau server image: `preau serve` (HTTP + WebSocket on one port) in production mode.
# compose.yaml runs two replicas of it behind nginx. media/ exists in the image, owned by
# preau, so that the volume compose mounts there starts with that owner.

FROM python:3.11-slim AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# Translations are compiled here so the final image needs no gettext.
RUN find backend realtime web -name '*.po' -exec sh -c 'msgfmt --check-format -o "${1%.po}.mo" "$1"' _ {} \; \
    && pip wheel --no-cache-dir --no-deps -w /wheels .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PREAU_ENV=production \
    PREAU_DATA_DIR=/var/lib/preau
# `--build-arg PREAU_EXTRAS=s3` adds django-storages and boto3 for attachments on S3.
ARG PREAU_EXTRAS=""
COPY --from=build /wheels /wheels
RUN wheel="$(ls /wheels/*.whl)" && pip install "${wheel}${PREAU_EXTRAS:+[$PREAU_EXTRAS]}" && rm -rf /wheels \
    && useradd --system --home-dir /var/lib/preau --create-home preau \
    && install -d -o preau -g preau /var/lib/preau/media
USER preau
WORKDIR /var/lib/preau
EXPOSE 8000
CMD ["preau", "serve", "--host", "0.0.0.0", "--port", "8000"]
