# The stash-autobackup KRM function as a container image: the static binary, plus the passwd and
# group entries that kpt and kustomize need to start it as `--user nobody`. Nothing else: no
# shell, no libc, a non-root user.
#
#   docker build -t localhost/stash-autobackup:0.1.0 .       (or podman build; see README)
#
# kpt and kustomize run it as `docker run --rm -i --network none --user nobody
# --security-opt=no-new-privileges [-e NAME=value...] IMAGE`. tests/container.rs builds it with
# scripts/build-image and runs it that way through the real kpt and kubectl kustomize.

# The builder: any image with Rust (Cargo.toml's rust-version or newer), a C linker and glibc's
# static libraries. scripts/build-image passes one made from the host's toolchain instead, for
# machines that cannot reach a registry.
ARG BUILDER=docker.io/library/rust:1.95-bookworm

FROM ${BUILDER} AS build
WORKDIR /src
# The whole checkout (less .dockerignore): Cargo.toml may name test, bench or example targets
# whose files cargo needs to read the manifest at all.
COPY . .
# build-static builds for the builder's own target (x86_64, aarch64, ...) and prints the path.
RUN binary="$(CARGO_TARGET_DIR=/target scripts/build-static)" \
 && mkdir -p /rootfs/etc \
 && cp "$binary" /rootfs/stash-autobackup \
 && echo 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' > /rootfs/etc/passwd \
 && echo 'nobody:x:65534:' > /rootfs/etc/group

FROM scratch
COPY --from=build /rootfs/ /
USER 65534:65534
ENTRYPOINT ["/stash-autobackup"]
