# One image for every service; the command picks which one runs (crs service <name>).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
WORKDIR /app
COPY --from=build /src/launcher/target/crs.jar /app/crs.jar
COPY --from=build /src/launcher/target/lib /app/lib
ENV CRS_STATE__DIR=/var/lib/crs
ENTRYPOINT ["java", "-Dai.djl.offline=true", "-jar", "/app/crs.jar"]
