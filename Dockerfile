# The stash-autobackup KRM function as a container image: one static binary in an empty image.
#   docker build -t stash-autobackup:0.1.0 .
# kpt runs it as `docker run --rm -i --network none --user nobody --security-opt=no-new-privileges`;
# it needs nothing but itself (tests/container.rs runs the same binary that way, in an empty root).

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN CARGO_TARGET_DIR=/target scripts/build-static

FROM scratch
COPY --from=build /target/x86_64-unknown-linux-gnu/release/stash-autobackup /stash-autobackup
USER 65534:65534
ENTRYPOINT ["/stash-autobackup"]
