# The stash-autobackup KRM function as a container image: the static binary, plus the passwd and
# group entries that kpt and kustomize need to start it as `--user nobody`. Nothing else: no
# shell, no libc, a non-root user.
#
#   docker build -t localhost/stash-autobackup:0.1.0 .       (or podman build; see README)
#
# kpt and kustomize run it as `docker run --rm -i --network none --user nobody
# --security-opt=no-new-privileges [-e NAME=value...] IMAGE`. tests/container.rs builds it with
# scripts/build-image and runs it that way through the real kpt and kubectl kustomize.
#
# Other architectures (scripts/build-image --arch arm64): the binary is cross-compiled on the
# build machine (scripts/build-static aarch64-unknown-linux-gnu) and handed in as the build
# context `prebuilt-binary` to the stage `prebuilt`, which only copies files, so nothing runs in
# an emulator:
#
#   podman build --platform linux/arm64 --target prebuilt \
#     --build-context prebuilt-binary=<directory holding stash-autobackup> -t ... .

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
 && mkdir -p /rootfs \
 && cp "$binary" /rootfs/stash-autobackup

# What every image holds besides the binary: the user entries kpt's and kustomize's `--user
# nobody` looks up, the non-root user, the function as entrypoint.
FROM scratch AS runtime
COPY image/etc/ /etc/
USER 65534:65534
ENTRYPOINT ["/stash-autobackup"]

# `--target prebuilt`: the image with a binary built outside (the build context
# `prebuilt-binary`, a directory holding `stash-autobackup`). Only files are copied (no RUN), so
# it builds for any --platform without an emulator, and the build stage is skipped.
FROM runtime AS prebuilt
COPY --from=prebuilt-binary stash-autobackup /stash-autobackup

# The default: the image with the binary compiled in the builder, for the builder's architecture.
FROM runtime
COPY --from=build /rootfs/stash-autobackup /stash-autobackup
