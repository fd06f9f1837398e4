# Onslaught node image: `docker build -t onslaught .`
#
# Two stages: a full Rust toolchain builds the release binary, and a slim
# Debian runtime carries only that binary and CA certificates.

FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p onslaught \
 && cp target/release/onslaught /usr/local/bin/onslaught

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home onslaught
COPY --from=build /usr/local/bin/onslaught /usr/local/bin/onslaught

# In a container the node must listen on every interface; with no
# AUTH_PASSWORD set it then generates one and logs it once at start.
ENV BIND=0.0.0.0 \
    PORT=4000 \
    CLUSTER_PORT=7946
EXPOSE 4000/tcp 7946/udp
USER onslaught
ENTRYPOINT ["onslaught"]
CMD ["serve"]
