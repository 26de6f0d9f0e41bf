# The portal binary in a small Debian image. Build: docker build -t customer-portal .
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p portal-server --bin portal

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/portal --create-home portal
COPY --from=build /src/target/release/portal /usr/local/bin/portal
USER portal
WORKDIR /var/lib/portal
ENV PORTAL__SERVER__BIND=0.0.0.0:8080 \
    PORTAL__DATA_DIR=/var/lib/portal/data
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/health/ready || exit 1
ENTRYPOINT ["portal"]
CMD ["serve"]
