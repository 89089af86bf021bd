package io.callflow.events;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;

/** The documented JSON Schemas of the events (docs/events/TYPE.vVERSION.json), for checking what Callflow emits. */
public final class EventSchemas {

    static final Path FOLDER = Path.of("docs/events");
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    private static final Map<String, Schema> SCHEMAS = new ConcurrentHashMap<>();

    private EventSchemas() {
    }

    /** The violations of the event's documented schema (empty when it conforms); fails when there is no schema. */
    public static List<String> violations(JsonNode event) {
        String name = event.path("type").asText() + ".v" + event.path("version").asInt() + ".json";
        Schema schema = SCHEMAS.computeIfAbsent(name, file -> {
            try {
                return REGISTRY.getSchema(Files.readString(FOLDER.resolve(file)));
            } catch (IOException e) {
                throw new UncheckedIOException("no documented schema " + FOLDER.resolve(file), e);
            }
        });
        return schema.validate(event).stream().map(Error::toString).toList();
    }
}
