# NetFlow container image for operators (docker-compose.yml runs it beside PostgreSQL).
# .dockerignore keeps node_modules, dist, ./data (with the embedded database's password file),
# .bench and .git out of the build context.
FROM node:22-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app

# Dependencies first (a layer that only changes with package-lock.json). Their postinstall
# generates the Prisma client; the JavaScript build waits for the sources below.
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
COPY scripts ./scripts
RUN npm ci --omit=dev --no-audit --no-fund

COPY . .
# src/ → dist/ (esbuild): `netflow` then starts without compiling TypeScript; web/ → web/dist
# (Vite: the portal and dashboard pages NetFlow serves).
RUN npm run build \
 && mkdir -p /app/data && chown node:node /app/data

# Not root: the image's own "node" user (uid 1000). It can write only /app/data: the RadSec CA,
# the API key file, and the embedded PostgreSQL when DATABASE_URL is unset. Ports 1812/1813/2083
# are above 1024 inside the container, so no capability is needed.
USER node

EXPOSE 3000 1812/udp 1813/udp 2083/tcp
# /healthz answers 200 when the database answers, 503 otherwise.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "bin/netflow.js", "serve"]
