# The Shelf application image, used by both the api and worker services in
# docker-compose.yml. The runtime images jobs run in are separate: see runtimes/.
# NODE_IMAGE lets an offline machine substitute a locally built Node 20 image.
ARG NODE_IMAGE=node:20-bookworm-slim
FROM ${NODE_IMAGE}

# git: Git imports and webhooks clone catalog repositories.
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends git ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Manifests first, so a source change does not repeat npm ci.
COPY package.json package-lock.json ./
COPY contract/package.json contract/
COPY records/package.json records/
COPY api/package.json api/
COPY worker/package.json worker/
COPY web/package.json web/
RUN npm ci --no-audit --no-fund

COPY . .
RUN npm run build -w web \
 && mkdir -p /data/bundles /data/shelf \
 && chown node:node /data/bundles /data/shelf

# The api runs unprivileged; the worker service overrides this to reach the Docker socket.
USER node
ENV SHELF_BUNDLES_DIR=/data/bundles
EXPOSE 8080
CMD ["node", "--import", "tsx", "api/src/main.ts"]
