# tsnats, used like the official nats image:
#   docker build -t tsnats .
#   docker run -p 4222:4222 -p 8222:8222 tsnats -js -m 8222
#   docker run -p 4222:4222 -v nats-data:/data tsnats -js -sd /data
# With no arguments it runs with /etc/nats/nats-server.conf (4222 clients, 8222 monitoring, 6222 routes).
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY bin ./bin
COPY scripts/bundle.mjs ./scripts/bundle.mjs
COPY src ./src
COPY docs/grafana ./docs/grafana
COPY contrib ./contrib
RUN npm run build && npm pack --silent && mv tsnats-*.tgz /tmp/tsnats.tgz

FROM node:22-bookworm-slim
COPY --from=build /tmp/tsnats.tgz /tmp/tsnats.tgz
RUN npm install -g --omit=dev --no-audit --no-fund /tmp/tsnats.tgz && rm /tmp/tsnats.tgz && mkdir -p /data /etc/nats
COPY contrib/docker/nats-server.conf /etc/nats/nats-server.conf
EXPOSE 4222 6222 8222
ENTRYPOINT ["tsnats-server"]
CMD ["--config", "/etc/nats/nats-server.conf"]
