# Maskinport gateway image. Build: docker build -t maskinport .
# Run:   docker run -v $PWD/config:/app/config -v maskinport-data:/app/data \
#          -p 8080:8080 -p 1883:1883 maskinport run --config config/site.yaml
# No build step: Node 24 runs the TypeScript sources directly (type stripping).

FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# Production dependencies only; the `node` devDependency is not needed because
# the base image already is Node 24. Native addons (serialport) ship prebuilds.
RUN npm ci --omit=dev --ignore-scripts --no-fund --no-audit \
 && npm rebuild --no-fund --no-audit @serialport/bindings-cpp 2>/dev/null || true

FROM node:24-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
RUN groupadd --system maskinport && useradd --system --gid maskinport --home /app maskinport \
 && mkdir -p /app/data && chown maskinport:maskinport /app/data
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY simulators ./simulators
COPY config ./config
# The demo config replays a real Okuma log from fixtures/ (Apache-2.0, see fixtures/README.md).
COPY fixtures ./fixtures
USER maskinport
VOLUME ["/app/data"]
EXPOSE 8080 1883
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.MASKINPORT_WEB_PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/maskinport.mjs"]
CMD ["run", "--config", "config/demo.yaml"]
