# NetFlow container image for operators (docker-compose.yml runs it beside PostgreSQL).
FROM node:22-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
COPY scripts ./scripts
RUN npm ci --no-audit --no-fund
COPY . .
EXPOSE 3000 1812/udp 1813/udp
CMD ["node", "bin/netflow.js", "serve"]
