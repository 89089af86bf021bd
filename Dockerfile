# Builds Callflow from source and runs it on a JRE; used by docker-compose.yml.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY .mvn .mvn
COPY mvnw pom.xml ./
RUN ./mvnw -B -q dependency:go-offline
COPY src/main src/main
COPY processes processes
COPY rules rules
COPY prompts prompts
COPY ui ui
COPY provisioning provisioning
RUN ./mvnw -B -q -DskipTests package

FROM eclipse-temurin:17-jre
RUN useradd --system --home /opt/callflow callflow
WORKDIR /opt/callflow
COPY --from=build /src/target/callflow-*.jar callflow.jar
# The editable folders are mounted over these (see docker-compose.yml); the jar carries the defaults.
RUN mkdir -p processes rules prompts ui data && chown -R callflow /opt/callflow
USER callflow
EXPOSE 8080 5060/udp 5060/tcp 10000-10999/udp
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "callflow.jar"]
