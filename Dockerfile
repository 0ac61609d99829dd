# One image per service: `docker build --build-arg SERVICE=order-service .` (docker-compose.yml does
# this). It holds every workspace package's build output; SERVICE picks the default entry point, and
# the migration runner of the same app is `node apps/<service>/dist/src/migrate.js`.
ARG NODE_IMAGE=node:20.19-bookworm-slim

# Only the package manifests, collected with their paths, so `npm ci` below is re-run only when a
# manifest or the lock file changes, not on every source edit (and no workspace list to maintain here).
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /manifests \
 && cp package.json package-lock.json /manifests/ \
 && find apps libs infra -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /manifests/ \;

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV NX_DAEMON=false NX_NO_CLOUD=true
COPY --from=manifests /manifests/ ./
RUN npm ci --no-audit --no-fund
COPY . .
# the armed failpoints build stays out of the image: it can only load the inert one, whatever its flags
RUN npm run build \
 && mkdir /out \
 && find apps libs infra -mindepth 2 -maxdepth 2 -type d -name dist -not -path '*/node_modules/*' -exec cp -r --parents {} /out/ \; \
 && rm /out/libs/failpoints/dist/armed.*

# Production dependencies only (the workspace packages are symlinked into node_modules/@paystate).
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY --from=manifests /manifests/ ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production \
    SERVICE=${SERVICE}
WORKDIR /app
COPY --from=prod-deps /app/ ./
COPY --from=build /out/ ./
RUN test -n "$SERVICE" || { echo 'build with --build-arg SERVICE=<app name under apps/>' >&2; exit 1; } \
 && test -f "apps/$SERVICE/dist/src/main.js" || { echo "apps/$SERVICE/dist/src/main.js was not built" >&2; exit 1; }
USER node
# sh -c so that $SERVICE is expanded at run time; exec so node receives the stop signal.
CMD ["sh", "-c", "exec node apps/$SERVICE/dist/src/main.js"]
