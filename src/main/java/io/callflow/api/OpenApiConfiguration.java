package io.callflow.api;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.access.prepost.PreAuthorize;

/**
 * The OpenAPI 3 document of {@code /api/v1} ({@code /api/v1/openapi.json}, Swagger UI at {@code /api/v1/docs}):
 * generated from the controllers, with HTTP Basic as the security scheme, each operation's roles (taken from its
 * {@code @PreAuthorize}, so the document cannot disagree with what is enforced) and the problem-detail errors.
 */
@Configuration(proxyBeanMethods = false)
class OpenApiConfiguration {

    static final String ROLES_EXTENSION = "x-roles";
    private static final String BASIC = "basicAuth";
    private static final String PROBLEM = "Problem";
    private static final Pattern ROLE = Pattern.compile("'(ADMIN|SUPERVISOR|AGENT)'");

    @Bean
    OpenAPI callflowOpenApi() {
        return new OpenAPI()
                .info(new Info().title("Callflow API").version("v1").description("""
                        Callflow's operations API: agents, queues, routing rules, call records and the audit log.
                        Every request authenticates with HTTP Basic as a Camunda user; what each role may do is in
                        each operation's `x-roles` and in docs/security.md. Errors are RFC 9457 problem details."""))
                .components(new Components()
                        .addSecuritySchemes(BASIC, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("basic"))
                        .addSchemas(PROBLEM, problemSchema()))
                .addSecurityItem(new SecurityRequirement().addList(BASIC));
    }

    @Bean
    OperationCustomizer rolesAndErrors() {
        return (operation, handler) -> {
            PreAuthorize rule = handler.getMethodAnnotation(PreAuthorize.class);
            if (rule != null) {
                Set<String> roles = rolesIn(rule.value());
                operation.addExtension(ROLES_EXTENSION, roles);
                String condition = rule.value().contains("authentication.name")
                        ? " (AGENT only for itself: its own agent id or calls)" : "";
                String text = "Roles: " + String.join(", ", roles) + condition + ".";
                operation.description(operation.getDescription() == null ? text
                        : operation.getDescription() + "\n\n" + text);
            }
            problem(operation.getResponses(), "400", "A parameter or body that cannot be understood");
            problem(operation.getResponses(), "401", "No or wrong credentials");
            problem(operation.getResponses(), "403", "The user's role does not allow this operation");
            problem(operation.getResponses(), "429", "Too many requests or failed logins; see Retry-After");
            return operation;
        };
    }

    static Set<String> rolesIn(String expression) {
        Set<String> roles = new LinkedHashSet<>();
        Matcher matcher = ROLE.matcher(expression);
        while (matcher.find()) {
            roles.add(matcher.group(1));
        }
        return roles;
    }

    private static void problem(ApiResponses responses, String status, String description) {
        if (!responses.containsKey(status)) {
            responses.addApiResponse(status, new ApiResponse().description(description).content(new Content()
                    .addMediaType("application/problem+json",
                            new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM)))));
        }
    }

    private static Schema<?> problemSchema() {
        return new ObjectSchema().description("RFC 9457 problem details")
                .addProperty("type", new StringSchema())
                .addProperty("title", new StringSchema())
                .addProperty("status", new IntegerSchema())
                .addProperty("detail", new StringSchema().description("What to fix"))
                .addProperty("instance", new StringSchema());
    }
}
