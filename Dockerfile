# One image for every service: `docker build -t paystate/app:local .` (docker-compose.yml builds it
# once, in its app-image service). It holds every workspace package's build output; a container runs
# `node apps/<service>/dist/src/main.js` (compose names it in `command:`), or by default the app that
# SERVICE_NAME names, and the migration runner of an app is `node apps/<service>/dist/src/migrate.js`.
# The Node release is the one CI runs (.nvmrc); infra/compose/compose.spec.ts keeps the two in step.
ARG NODE_IMAGE=node:24.22.3-bookworm-slim

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
ENV NODE_ENV=production
WORKDIR /app
COPY --from=prod-deps /app/ ./
COPY --from=build /out/ ./
RUN for app in apps/*/; do test -f "${app}dist/src/main.js" || { echo "${app}dist/src/main.js was not built" >&2; exit 1; }; done
USER node
# sh -c so that $SERVICE_NAME is expanded at run time; exec so node receives the stop signal.
CMD ["sh", "-c", "test -f \"apps/$SERVICE_NAME/dist/src/main.js\" || { echo \"set SERVICE_NAME to an app under apps/ (or run node apps/<app>/dist/src/main.js)\" >&2; exit 2; }; exec node \"apps/$SERVICE_NAME/dist/src/main.js\""]
