# docpipe api, worker and bootstrap images (docs/edge.md). Multi-stage: TypeScript is compiled with
# the dev dependencies, and the runtime gets the compiled dist/ plus production dependencies only,
# running as the image's unprivileged `node` user.
#
#   docker build --target api -t docpipe-api .
#   docker build --target worker -t docpipe-worker .     (also runs dist/aws/bootstrap-main.js)
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# `npm ci`: exactly the committed lockfile. --ignore-scripts: the `node` devDependency would
# otherwise fetch a second Node 24 the image already has; nothing the compiler needs runs an
# install script.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY types ./types
COPY domain ./domain
COPY auth ./auth
COPY telemetry ./telemetry
COPY aws ./aws
COPY server ./server
COPY worker ./worker
COPY dev ./dev
COPY ops ./ops
# The trusted documents (the SDK's operations, from codegen) the api may be limited to.
COPY client/generated/persisted-documents.json ./client/generated/
RUN npm run build

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
# Native addons ship N-API prebuilds, so skipping install scripts loses nothing at run time.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root and read-only to the app user: a compromised process cannot rewrite its own code.
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node

# Workers have no HTTP port; their liveness is the process itself (compose restarts it). Native
# tesseract (Debian's, with English and orientation data) makes OCR faster than the tesseract.js
# fallback (OCR_ENGINE=auto picks it; docs/performance.md); DejaVu draws DOCX page previews.
FROM runtime AS worker
USER root
RUN apt-get update && apt-get install -y --no-install-recommends tesseract-ocr fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*
USER node
HEALTHCHECK NONE
CMD ["node", "dist/worker/main.js"]

FROM runtime AS api
ENV HOST=0.0.0.0 PORT=4000
EXPOSE 4000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# --max-semi-space-size: as dev/processes.ts SERVICE_NODE_FLAGS (memory per idle subscriber).
CMD ["node", "--disable-warning=ExperimentalWarning", "--max-semi-space-size=16", "dist/server/main.js"]
