# syntax=docker/dockerfile:1
#
# Bunting's image: the shaded jar built with Maven on a JDK 17 image, run by a jlink'd Java runtime (only the modules
# Bunting uses, scripts/jlink-runtime) on debian:bookworm-slim, as the unprivileged user 10001. Works with a read-only
# root filesystem: the only writable paths are /tmp and the GitSync cache (/var/cache/bunting), which the Helm chart
# mounts as emptyDirs. The shell tools are Debian's base set (sh, bash, coreutils, grep, sed) for the load tester's
# cmd and bash tasks; no kubectl, helm or curl.
#
#   docker buildx build --platform linux/amd64,linux/arm64 -t ghcr.io/bunting-dev/bunting:0.1.0 --push .
#
# See docs/install.md "Building the image"; scripts/jlink-check checks the runtime without a container engine.

ARG BUILD_IMAGE=maven:3.9-eclipse-temurin-17
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${BUILD_IMAGE} AS build
WORKDIR /src
# Dependencies first, in their own layer (and a BuildKit cache), so source-only changes rebuild fast.
COPY pom.xml ./
COPY src/api/pom.xml ./src/api/
COPY src/gotemplate/pom.xml ./src/gotemplate/
COPY src/controller/pom.xml ./src/controller/
# Only the modules of the production jar: no playground, no test kit.
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -e -pl src/controller -am dependency:go-offline
COPY src/api/src/main ./src/api/src/main
COPY src/gotemplate/src/main ./src/gotemplate/src/main
COPY src/controller/src/main ./src/controller/src/main
# Tests run in CI against a real API server (scripts/test), not in the image build.
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -e -Dmaven.test.skip=true -pl src/controller -am package \
 && cp target/bunting.jar /bunting.jar
# The runtime: the build image is a full Temurin JDK 17 with its jmods.
COPY scripts/jlink-runtime /usr/local/bin/jlink-runtime
RUN jlink-runtime /bunting.jar /opt/java

FROM ${RUNTIME_IMAGE}
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="bunting" \
      org.opencontainers.image.description="Flagger-compatible canaries and Git-to-cluster sync for Kubernetes" \
      org.opencontainers.image.source="https://github.com/bunting-dev/bunting" \
      org.opencontainers.image.version="${VERSION}"

# A fixed, numeric, unprivileged user (runAsNonRoot can verify it) whose home exists but is not written to.
RUN groupadd --system --gid 10001 bunting \
 && useradd --system --uid 10001 --gid 10001 --home-dir /home/bunting --create-home --shell /usr/sbin/nologin bunting \
 && install -d -o 10001 -g 10001 -m 0750 /var/cache/bunting /var/cache/bunting/git /app

COPY --from=build --chown=0:0 /opt/java /opt/java
COPY --from=build --chown=0:0 /bunting.jar /app/bunting.jar
# The JVM's tunable defaults, for a controller in a container: the heap sized from the memory limit (at most 75%, 10%
# to start with, so that a start does not spend its time growing a tiny heap collection by collection; the serial
# collector never shrinks it below that), the serial
# collector (a heap of a few hundred MiB: short pauses, and none of G1's ~40 MiB of bookkeeping) with a young
# generation of at most 16 MiB (what the controller allocates dies within a reconcile; a young generation that grows
# with the heap, a third of it, only holds that garbage longer), a heap that
# stays close to what is live (expands while less than 15% is free after a full collection, shrinks above 30%, at
# once rather than over several collections: an idle controller collects once, see --idle-gc-after),
# malloc memory handed back to the system every 10 s (trimmed native heap, at most two malloc arenas), and only the
# C1 JIT compiler (-XX:TieredStopAtLevel=1): no C2 compilations taking a core from the API server for seconds after a
# start, none holding 30+ MiB at once; ready in 1.5-1.9 s, not 2-2.5, a first sync of 1,000 manifests in 3.5 s instead
# of 5.4, 45-57 MiB less memory; C2's faster code pays back only when a thousand canaries release together
# (docs/performance.md). -XX:TieredStopAtLevel=4 in jvmOptions turns C2 back on, and then it inlines less than by
# default (callees of at most 200 bytecodes when hot, 1,500 bytes when already compiled, instead of 325 and 2,500),
# which kept its compilation of the reconcile path from being the controller's memory peak. They are all in
# JAVA_TOOL_OPTIONS so that the chart's jvmOptions (JDK_JAVA_OPTIONS, read after it) override any of them; the JVM
# notes them on stderr at start ("Picked up JAVA_TOOL_OPTIONS"). To run G1 instead: -XX:-UseSerialGC -XX:+UseG1GC.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75.0 -XX:InitialRAMPercentage=10.0 -XX:+UseSerialGC -XX:MaxNewSize=16m -XX:MinHeapFreeRatio=15 -XX:MaxHeapFreeRatio=30 -XX:-ShrinkHeapInSteps -XX:TrimNativeHeapInterval=10000 -XX:TieredStopAtLevel=1 -XX:InlineSmallCode=1500 -XX:FreqInlineSize=200" \
    MALLOC_ARENA_MAX=2

# An application class-data-sharing archive of the classes a controller start loads (scripts/cds-archive: a training
# start with the entrypoint's flags, all the way to ready against an empty stand-in API, `bunting cds-training-api`,
# since there is no cluster here).
# Made where it runs: it is only valid for this java, this jar at this path and compatible flags. bench/startup/run
# measures the gain; a JVM that finds the archive unusable starts without it.
COPY scripts/cds-archive /usr/local/bin/cds-archive
RUN JAVA_HOME=/opt/java HOME=/nonexistent BUNTING_CACHE=/tmp/bunting-training \
    cds-archive /app/bunting.jar /app/bunting.jsa -- -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp \
      -Dfile.encoding=UTF-8 \
 && rm -rf /usr/local/bin/cds-archive /tmp/bunting-training /tmp/.config

# JGit keeps its own config under XDG_CONFIG_HOME: point it at /tmp, writable under a read-only root filesystem.
ENV JAVA_HOME=/opt/java \
    PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    GIT_CACHE_DIR=/var/cache/bunting/git \
    XDG_CONFIG_HOME=/tmp/.config \
    LOG_FORMAT=json \
    PORT=8080

USER 10001:10001
WORKDIR /app
EXPOSE 8080

# The fixed JVM flags (the tunable ones are JAVA_TOOL_OPTIONS, above): exit (and let Kubernetes restart the pod) on
# OutOfMemoryError instead of limping on, temporary files in /tmp, UTF-8 regardless of locale, and the classes of the
# application archive above (on top of the runtime's own archive, made by jlink; both read-only). Add or override
# flags with JDK_JAVA_OPTIONS (the Helm chart's jvmOptions value).
ENTRYPOINT ["/opt/java/bin/java", \
  "-XX:+ExitOnOutOfMemoryError", \
  "-Djava.io.tmpdir=/tmp", \
  "-Dfile.encoding=UTF-8", \
  "-XX:SharedArchiveFile=/app/bunting.jsa", \
  "-jar", "/app/bunting.jar"]
CMD ["controller"]
