package io.callflow.acd;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.callflow.acd.AgentDialPlanDocument.Extension;
import io.callflow.acd.AgentDialPlanDocument.FeatureCode;
import io.callflow.acd.AgentDialPlanDocument.Outside;
import io.callflow.acd.AgentDialPlanDocument.QueueNumber;
import io.callflow.call.AgentDialPlan;
import io.callflow.call.AgentRoute;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * The agents' dial plan: kept as one validated document (from the provisioning file or the API), and asked by the SIP
 * layer where a number an agent dialled goes. Feature codes come first (they start with * or #), then extensions
 * (listed ones, then every agent's sipUser), queue numbers and outside-number patterns in their order.
 */
@Service
public class AgentDialPlans implements AgentDialPlan {

    static final String DEFAULT_QUEUE_FLOW = "inbound-call";
    private static final int ID = 1;

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final Map<String, AgentFeature> features;
    private final ObjectMapper json = JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    AgentDialPlans(JdbcTemplate jdbc, Clock clock, List<AgentFeature> features) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.features = features.stream().collect(Collectors.toMap(AgentFeature::name, Function.identity()));
    }

    /** The dial plan in force (empty when none was ever set). */
    public AgentDialPlanDocument current() {
        return stored().map(this::parse).orElseGet(() -> new AgentDialPlanDocument(null, null, null, null));
    }

    /** Who manages the dial plan: {@link Administration#FILE}, {@link Administration#API}, or empty when unset. */
    public Optional<String> managedBy() {
        return jdbc.queryForList("select managed_by from agent_dial_plan where id = ?", String.class, ID).stream()
                .findFirst();
    }

    /** The feature names the dial plan may use. */
    public Set<String> featureNames() {
        return Set.copyOf(features.keySet());
    }

    /**
     * Replaces the dial plan from the API (JSON); refused (IllegalStateException) while the provisioning file declares
     * it, and IllegalArgumentException with what is wrong for an invalid one.
     */
    public AgentDialPlanDocument replace(JsonNode body) {
        if (managedBy().filter(Administration.FILE::equals).isPresent()) {
            throw new AdministrationRefused(AdministrationRefused.Reason.OWNED_BY_FILE, "The dial plan is declared"
                    + " in the provisioning file (dialPlan:); change it there");
        }
        return apply(body, Administration.API);
    }

    /** Validates and stores a dial plan, owned by {@code owner}; runs in the caller's transaction if any. */
    AgentDialPlanDocument apply(JsonNode body, String owner) {
        if (body == null || !body.isObject()) {
            throw new IllegalArgumentException("the dial plan must be an object with extensions, queues, outside,"
                    + " features");
        }
        AgentDialPlanDocument plan;
        try {
            plan = json.treeToValue(body, AgentDialPlanDocument.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        }
        validate(plan);
        String document;
        try {
            document = json.writeValueAsString(plan);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        Timestamp now = Timestamp.from(clock.instant());
        if (jdbc.update("update agent_dial_plan set document = ?, managed_by = ?, updated_at = ? where id = ?",
                document, owner, now, ID) == 0) {
            jdbc.update("insert into agent_dial_plan (document, managed_by, updated_at, id) values (?,?,?,?)",
                    document, owner, now, ID);
        }
        return plan;
    }

    /** The file no longer declares a dial plan: the API may change it from now on. */
    void handOverToApi() {
        jdbc.update("update agent_dial_plan set managed_by = ? where managed_by = ?", Administration.API,
                Administration.FILE);
    }

    private void validate(AgentDialPlanDocument plan) {
        Set<String> numbers = new HashSet<>();
        for (Extension extension : plan.extensions()) {
            number(extension.number(), "extension", numbers);
            requireText(extension.agent(), "extension " + extension.number() + ": 'agent'");
            if (jdbc.queryForObject("select count(*) from agent where id = ?", Integer.class, extension.agent()) == 0) {
                throw new IllegalArgumentException("extension " + extension.number() + ": agent '" + extension.agent()
                        + "' is not a provisioned agent");
            }
        }
        for (QueueNumber queue : plan.queues()) {
            number(queue.number(), "queue number", numbers);
            requireText(queue.queue(), "queue number " + queue.number() + ": 'queue'");
            if (jdbc.queryForObject("select count(*) from call_queue where name = ?", Integer.class,
                    queue.queue()) == 0) {
                throw new IllegalArgumentException("queue number " + queue.number() + ": queue '" + queue.queue()
                        + "' does not exist");
            }
        }
        for (Outside outside : plan.outside()) {
            requireText(outside.pattern(), "outside route: 'pattern'");
            try {
                Pattern.compile(outside.pattern());
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("outside route '" + outside.pattern()
                        + "': not a regular expression (" + e.getDescription() + ")");
            }
            if (outside.strip() != null && outside.strip() < 0) {
                throw new IllegalArgumentException("outside route '" + outside.pattern() + "': strip must be 0 or more");
            }
            if (outside.prepend() != null && !outside.prepend().matches("\\+?[0-9]*")) {
                throw new IllegalArgumentException("outside route '" + outside.pattern() + "': prepend must be digits"
                        + " (with an optional leading +)");
            }
        }
        for (FeatureCode code : plan.features()) {
            requireText(code.code(), "feature code: 'code'");
            if (!code.code().matches("[*#][0-9*#]*")) {
                throw new IllegalArgumentException("feature code '" + code.code() + "' must start with * or #");
            }
            if (!features.containsKey(code.feature())) {
                throw new IllegalArgumentException("feature code " + code.code() + ": feature '" + code.feature()
                        + "' is not one of " + features.keySet().stream().sorted().toList());
            }
            if (!numbers.add(code.code())) {
                throw new IllegalArgumentException("feature code " + code.code() + " is listed twice");
            }
        }
    }

    private static void number(String number, String what, Set<String> numbers) {
        if (number == null || !number.matches("[0-9]{1,32}")) {
            throw new IllegalArgumentException(what + " '" + number + "' must be 1 to 32 digits");
        }
        if (!numbers.add(number)) {
            throw new IllegalArgumentException(what + " " + number + " is listed twice");
        }
    }

    private static void requireText(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + " is missing");
        }
    }

    @Override
    public AgentRoute route(String sipUser, String dialled) {
        Optional<String> caller = agentOf(sipUser);
        if (caller.isEmpty()) {
            return new AgentRoute.Refused(403, "Not an agent");
        }
        if (dialled == null || dialled.isEmpty()) {
            return new AgentRoute.Refused(404, "Unknown number");
        }
        AgentDialPlanDocument plan = current();
        Optional<AgentRoute> feature = plan.features().stream()
                .sorted(Comparator.comparingInt((FeatureCode code) -> code.code().length()).reversed())
                .filter(code -> dialled.equals(code.code()) || dialled.startsWith(code.code())
                        && features.get(code.feature()) != null && features.get(code.feature()).takesArgument())
                .findFirst().map(code -> new AgentRoute.Feature(code.code(), code.feature(),
                        dialled.substring(code.code().length()), code.reason()));
        if (feature.isPresent()) {
            return feature.get();
        }
        Optional<String> target = agentAt(plan, dialled);
        if (target.isPresent()) {
            return toAgent(caller.get(), target.get());
        }
        Optional<QueueNumber> queue = plan.queues().stream().filter(q -> q.number().equals(dialled)).findFirst();
        if (queue.isPresent()) {
            return new AgentRoute.ToQueue(dialled, queue.get().queue(), queue.get().flow() == null
                    ? DEFAULT_QUEUE_FLOW : queue.get().flow());
        }
        for (Outside outside : plan.outside()) {
            if (!Pattern.compile(outside.pattern()).matcher(dialled).matches()) {
                continue;
            }
            if (outside.agents() != null && !outside.agents().isEmpty() && !outside.agents().contains(caller.get())) {
                return new AgentRoute.Refused(403, "Not permitted: outside calls");
            }
            int strip = outside.strip() == null ? 0 : Math.min(outside.strip(), dialled.length());
            String number = (outside.prepend() == null ? "" : outside.prepend()) + dialled.substring(strip);
            return new AgentRoute.ToTrunk(outside.trunk(), number, callerId(outside.callerId(), caller.get(), plan));
        }
        return new AgentRoute.Refused(404, "Unknown number");
    }

    /** The agent an extension reaches (a listed number, or an agent's {@code sipUser}), whatever its state. */
    public Optional<String> agentAt(String extension) {
        return agentAt(current(), extension);
    }

    private Optional<String> agentAt(AgentDialPlanDocument plan, String dialled) {
        return plan.extensions().stream().filter(e -> e.number().equals(dialled)).map(Extension::agent).findFirst()
                .or(() -> jdbc.queryForList("select id from agent where sip_user = ?", String.class, dialled).stream()
                        .findFirst());
    }

    private AgentRoute toAgent(String caller, String target) {
        List<Map<String, Object>> rows = jdbc.queryForList("select sip_user, state, registered, enabled from agent"
                + " where id = ?", target);
        if (rows.isEmpty() || !Boolean.TRUE.equals(rows.get(0).get("enabled"))) {
            return new AgentRoute.Refused(404, "Unknown number");
        }
        if (target.equals(caller)) {
            return new AgentRoute.Refused(403, "Not permitted: own extension");
        }
        if (!Boolean.TRUE.equals(rows.get(0).get("registered"))) {
            return new AgentRoute.Refused(480, "Agent not reachable");
        }
        if (!AgentState.AVAILABLE.name().equals(rows.get(0).get("state"))) {
            return new AgentRoute.Refused(486, "Agent busy");
        }
        return new AgentRoute.ToAgent(target, (String) rows.get(0).get("sip_user"));
    }

    private static String callerId(String rule, String agentId, AgentDialPlanDocument plan) {
        if (!"agent-did".equals(rule)) {
            return rule;
        }
        return plan.extensions().stream().filter(e -> e.agent().equals(agentId) && e.did() != null)
                .map(Extension::did).findFirst().orElse(null);
    }

    /** The agent whose phone authenticates as {@code sipUser}. */
    public Optional<String> agentOf(String sipUser) {
        return jdbc.queryForList("select id from agent where sip_user = ? and enabled", String.class, sipUser).stream()
                .findFirst();
    }

    /** Runs a feature code's feature for the agent; throws {@link AgentFeature.Refused} when it cannot run. */
    public String runFeature(String agentId, AgentRoute.Feature feature) {
        AgentFeature handler = features.get(feature.feature());
        if (handler == null) {
            throw new AgentFeature.Refused("Feature " + feature.feature() + " not available");
        }
        return handler.run(agentId, feature.argument(), feature.reason());
    }

    private Optional<String> stored() {
        return jdbc.queryForList("select document from agent_dial_plan where id = ?", String.class, ID).stream()
                .findFirst();
    }

    private AgentDialPlanDocument parse(String document) {
        try {
            return json.readValue(document, AgentDialPlanDocument.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored dial plan unreadable", e);
        }
    }
}
