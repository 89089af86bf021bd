package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.callflow.media.MediaProperties;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ClassPathResource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * The shipped docker-compose.yml (and docker-compose.host.yml over it) as Docker Compose interpolates it, its
 * container environment bound by Spring exactly as in the container (environment variables over application.yml):
 * a call arriving through the Compose network's gateway (a phone or PBX on the Docker host) is a trunk call, a
 * stranger on the LAN is not until the documented variable names it, and the published ports are the bound ones.
 * No Docker daemon or CLI is needed (Debian has no package with the Compose v2 plugin), so this runs everywhere.
 */
class ComposeConfigurationTest {

    static final Path COMPOSE = Path.of("docker-compose.yml");
    static final Path HOST_OVERRIDE = Path.of("docker-compose.host.yml");
    static final Object RESET = new Object();

    @Test
    void byDefaultCallsFromTheDockerHostAreTrunkCallsAndStrangersOnTheLanAreNot() throws Exception {
        Map<String, Object> compose = load(COMPOSE, Map.of("CALLFLOW_ADMIN_PASSWORD", "s3cret-enough"));
        Map<String, String> env = environment(compose);
        SipProperties sip = bind(env, "callflow.sip", SipProperties.class);
        MediaProperties media = bind(env, "callflow.media", MediaProperties.class);

        @SuppressWarnings("unchecked")
        Map<String, Object> network = (Map<String, Object>) ((List<Object>) at(compose, "networks", "default", "ipam",
                "config")).get(0);
        String gateway = (String) network.get("gateway");
        assertThat(Cidr.parse((String) network.get("subnet")).contains(InetAddress.getByName(gateway))).isTrue();
        TrunkTable trunks = new TrunkTable(sip.effectiveTrunks());
        assertThat(trunks.trunkOf(InetAddress.getByName(gateway))).contains("compose");
        assertThat(trunks.trunkOf(InetAddress.getByName("127.0.0.1"))).contains("compose");
        assertThat(trunks.trunkOf(InetAddress.getByName("172.31.250.7"))).as("the database's container").isEmpty();
        assertThat(trunks.trunkOf(InetAddress.getByName("192.168.1.20"))).isEmpty();

        assertThat(sip.advertisedAddress()).isEqualTo("127.0.0.1");
        assertThat(media.advertisedAddress()).isEqualTo("127.0.0.1");
        assertThat(ports(compose)).contains(sip.port() + ":" + sip.port() + "/udp", sip.port() + ":" + sip.port()
                + "/tcp", range(media) + ":" + range(media) + "/udp");
        assertThat(env).containsEntry("CALLFLOW_HTTP_ADDRESS", "0.0.0.0");
    }

    @Test
    void theDocumentedVariablesSetTrunksAdvertisedAddressesAndTheRtpRange() throws Exception {
        Map<String, Object> compose = load(COMPOSE, Map.of("CALLFLOW_ADMIN_PASSWORD", "s3cret-enough",
                "CALLFLOW_HOST_ADDRESS", "192.0.2.10", "CALLFLOW_TRUNK_NAME", "carrier",
                "CALLFLOW_TRUNK_CIDRS", "203.0.113.0/24,172.31.250.1/32",
                "CALLFLOW_RTP_PORT_MIN", "20000", "CALLFLOW_RTP_PORT_MAX", "20199"));
        Map<String, String> env = environment(compose);
        SipProperties sip = bind(env, "callflow.sip", SipProperties.class);
        MediaProperties media = bind(env, "callflow.media", MediaProperties.class);

        TrunkTable trunks = new TrunkTable(sip.effectiveTrunks());
        assertThat(trunks.trunkOf(InetAddress.getByName("203.0.113.77"))).contains("carrier");
        assertThat(trunks.trunkOf(InetAddress.getByName("127.0.0.1"))).isEmpty();
        assertThat(sip.advertisedAddress()).isEqualTo("192.0.2.10");
        assertThat(media.advertisedAddress()).isEqualTo("192.0.2.10");
        assertThat(media.rtpPortMin()).isEqualTo(20000);
        assertThat(media.rtpPortMax()).isEqualTo(20199);
        assertThat(ports(compose)).contains("20000-20199:20000-20199/udp");
    }

    @Test
    @SuppressWarnings("unchecked")
    void hostNetworkingPublishesNothingAndTrustsThisHostOnly() throws Exception {
        Map<String, String> variables = Map.of("CALLFLOW_ADMIN_PASSWORD", "s3cret-enough",
                "CALLFLOW_HOST_ADDRESS", "192.0.2.10");
        Map<String, Object> compose = merge(load(COMPOSE, variables), load(HOST_OVERRIDE, variables));
        Map<String, String> env = environment(compose);
        SipProperties sip = bind(env, "callflow.sip", SipProperties.class);

        assertThat(at(compose, "services", "callflow", "network_mode")).isEqualTo("host");
        assertThat(ports(compose)).isEmpty();
        assertThat((List<Object>) at(compose, "services", "postgres", "ports")).containsExactly("127.0.0.1:5432:5432");
        assertThat(env).containsEntry("CALLFLOW_DB_URL", "jdbc:postgresql://127.0.0.1:5432/callflow");
        TrunkTable trunks = new TrunkTable(sip.effectiveTrunks());
        assertThat(trunks.trunkOf(InetAddress.getByName("127.0.0.1"))).isPresent();
        assertThat(trunks.trunkOf(InetAddress.getByName("172.31.250.1"))).isEmpty();
        assertThat(sip.advertisedAddress()).isEqualTo("192.0.2.10");
    }

    @Test
    void composeRefusesToStartWithoutAnAdministratorPassword() {
        assertThatThrownBy(() -> load(COMPOSE, Map.of())).hasMessageContaining("Set CALLFLOW_ADMIN_PASSWORD");
    }

    @Test
    void theBuildContextHoldsTheSourcesOnly() throws IOException {
        List<String> rules = Files.readAllLines(Path.of(".dockerignore")).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
        assertThat(rules.get(0)).isEqualTo("*");
        assertThat(rules).contains("!src/main/", "!pom.xml", "!processes/").doesNotContain("!target/", "!data/");
        // Every folder the Dockerfile copies must be let in, or the build fails on a fresh clone.
        Files.readAllLines(Path.of("Dockerfile")).stream().filter(line -> line.startsWith("COPY ")
                && !line.contains("--from")).flatMap(line -> List.of(line.substring(5).split(" ")).stream()
                .limit(line.substring(5).split(" ").length - 1)).forEach(source -> assertThat(rules)
                .as("Dockerfile copies " + source).anyMatch(rule -> rule.equals("!" + source)
                        || rule.equals("!" + source + "/")));
    }

    private static String range(MediaProperties media) {
        return media.rtpPortMin() + "-" + media.rtpPortMax();
    }

    @SuppressWarnings("unchecked")
    private static List<String> ports(Map<String, Object> compose) {
        Object ports = at(compose, "services", "callflow", "ports");
        return ports == null ? List.of() : (List<String>) ports;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> environment(Map<String, Object> compose) {
        Map<String, String> env = new HashMap<>();
        ((Map<String, Object>) at(compose, "services", "callflow", "environment"))
                .forEach((name, value) -> env.put(name, String.valueOf(value)));
        return env;
    }

    /**
     * Binds a settings record as Spring Boot does in the container: the process environment first (under its usual
     * name, which switches on the relaxed mapping of CALLFLOW_SIP_TRUNKS_0_CIDRS to callflow.sip.trunks[0].cidrs),
     * then application.yml.
     */
    private static <T> T bind(Map<String, String> env, String prefix, Class<T> type) throws IOException {
        StandardEnvironment environment = new StandardEnvironment();
        MutablePropertySources sources = environment.getPropertySources();
        sources.forEach(source -> sources.remove(source.getName()));
        sources.addFirst(new SystemEnvironmentPropertySource(
                StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, new HashMap<>(env)));
        new YamlPropertySourceLoader().load("application.yml", new ClassPathResource("application.yml"))
                .forEach(sources::addLast);
        return Binder.get(environment).bindOrCreate(prefix, type);
    }

    /** Reads a Compose file and interpolates it as Compose does: ${NAME}, ${NAME:-default}, ${NAME:?error}. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> load(Path file, Map<String, String> variables) throws IOException {
        String text = interpolate(Files.readString(file), variables);
        SafeConstructor constructor = new SafeConstructor(new LoaderOptions()) {
            {
                // Compose's own tag: an override file's "!reset" removes what the base file set.
                yamlConstructors.put(new Tag("!reset"), new AbstractConstruct() {
                    @Override
                    public Object construct(Node node) {
                        return RESET;
                    }
                });
            }
        };
        return new Yaml(constructor).load(text);
    }

    private static String interpolate(String text, Map<String, String> variables) {
        Matcher matcher = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::([-?])([^}]*))?}").matcher(text);
        StringBuilder out = new StringBuilder();
        while (matcher.find()) {
            String value = variables.get(matcher.group(1));
            if (value == null || value.isEmpty()) {
                if ("?".equals(matcher.group(2))) {
                    throw new IllegalStateException(matcher.group(1) + ": " + matcher.group(3));
                }
                value = "-".equals(matcher.group(2)) ? matcher.group(3) : "";
            }
            matcher.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        return matcher.appendTail(out).toString();
    }

    /** Compose's merge of an override file: maps merge key by key, lists append, and !reset clears. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> override) {
        Map<String, Object> merged = new LinkedHashMap<>(base);
        override.forEach((key, value) -> {
            Object old = merged.get(key);
            if (value == RESET) {
                merged.remove(key);
            } else if (old instanceof Map && value instanceof Map) {
                merged.put(key, merge((Map<String, Object>) old, (Map<String, Object>) value));
            } else if (old instanceof List && value instanceof List) {
                List<Object> both = new ArrayList<>((List<Object>) old);
                both.addAll((List<Object>) value);
                merged.put(key, both);
            } else {
                merged.put(key, value);
            }
        });
        return merged;
    }

    private static Object at(Map<String, Object> map, String... keys) {
        Object node = map;
        for (String key : keys) {
            node = node instanceof Map<?, ?> m ? m.get(key) : null;
        }
        return node;
    }
}
