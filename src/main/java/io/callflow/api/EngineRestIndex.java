package io.callflow.api;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.UriInfo;

/**
 * {@code GET /engine-rest/}: what Camunda's REST API offers, as HAL links (Camunda itself has no resource at its
 * root and answered 404). Registered into Camunda's Jersey application, so the same authentication and roles apply
 * as to every other {@code /engine-rest} path.
 */
@Path("/")
public class EngineRestIndex {

    static final String HAL_JSON = "application/hal+json";

    /** Where to go next; paths relative to the server, so they are right behind any context path or proxy prefix. */
    private static final Map<String, String> RESOURCES = Map.ofEntries(
            Map.entry("engine", "engine"),
            Map.entry("process-definition", "process-definition"),
            Map.entry("process-instance", "process-instance"),
            Map.entry("task", "task"),
            Map.entry("incident", "incident"),
            Map.entry("job", "job"),
            Map.entry("deployment", "deployment"),
            Map.entry("history", "history/process-instance"),
            Map.entry("version", "version"));

    @GET
    @Produces({HAL_JSON, MediaType.APPLICATION_JSON})
    public Map<String, Object> index(@Context UriInfo uri) {
        String base = uri.getBaseUri().getRawPath();
        String root = base.endsWith("/") ? base : base + "/";
        Map<String, Object> links = new LinkedHashMap<>();
        links.put("self", Map.of("href", root));
        RESOURCES.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(resource -> links.put(resource.getKey(), Map.of("href", root + resource.getValue())));
        links.put("docs", Map.of("href", "https://docs.camunda.org/rest/camunda-bpm-platform/7.24/",
                "type", "text/html"));
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("name", "Camunda 7 REST API (Callflow)");
        index.put("_links", links);
        return index;
    }
}
