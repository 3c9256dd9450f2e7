# One image for every service; the command picks which one runs (crs service <name>).
# Base images are pinned so that a rebuild gets the same JDK, Maven and OS packages.

FROM maven:3.9.11-eclipse-temurin-17 AS build
WORKDIR /src
# Dependency layer: the poms alone, built once, pull every dependency and plugin the real build uses,
# so a change to the sources reuses this layer instead of downloading them again. (dependency:go-offline
# is no substitute: it cannot resolve the reactor's own SNAPSHOT modules and misses plugin dependencies.)
COPY pom.xml ./
COPY schemas/pom.xml schemas/
COPY platform/pom.xml platform/
COPY data/pom.xml data/
COPY testkit/pom.xml testkit/
COPY model/pom.xml model/
COPY retriever-service/pom.xml retriever-service/
COPY scorer-service/pom.xml scorer-service/
COPY trainer-service/pom.xml trainer-service/
COPY evaluator-service/pom.xml evaluator-service/
COPY serve/pom.xml serve/
COPY launcher/pom.xml launcher/
COPY bench/pom.xml bench/
RUN mvn -B -q -DskipTests package && find . -name target -type d -prune -exec rm -rf {} +
COPY . .
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17.0.16_8-jre
# A fixed uid, so that volumes and Kubernetes' runAsNonRoot see the same user on every build.
RUN groupadd --system --gid 10001 crs \
    && useradd --system --uid 10001 --gid crs --home-dir /var/lib/crs --shell /usr/sbin/nologin crs \
    && mkdir -p /var/lib/crs/artifacts \
    && chown -R crs:crs /var/lib/crs
WORKDIR /app
COPY --from=build /src/launcher/target/crs.jar /app/crs.jar
COPY --from=build /src/launcher/target/lib /app/lib
USER crs
# state.dir and metrics.port (see docs/configuration.md for how CRS_* names map to keys)
ENV CRS_STATE_DIR=/var/lib/crs \
    CRS_METRICS_PORT=9404
EXPOSE 9404
# curl ships with the Ubuntu-based temurin images; a service is healthy once it does useful work. The
# start period covers loading the encoder and, for a student scorer, waiting for its first model.
HEALTHCHECK --interval=15s --timeout=5s --start-period=300s --retries=3 \
    CMD curl -fsS "http://127.0.0.1:${CRS_METRICS_PORT}/health/ready" > /dev/null || exit 1
ENTRYPOINT ["java", "-Dai.djl.offline=true", "-jar", "/app/crs.jar"]
