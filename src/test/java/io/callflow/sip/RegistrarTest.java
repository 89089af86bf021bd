package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.callflow.call.RegistrationChanged;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import javax.sip.ServerTransaction;
import javax.sip.SipFactory;
import javax.sip.header.ContactHeader;
import javax.sip.header.MinExpiresHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.transaction.support.TransactionTemplate;
import io.callflow.support.MutableClock;

/**
 * The registrar without a network: raw REGISTERs from {@code src/test/resources/sip/} parsed by JAIN-SIP, the
 * responses captured from the server transaction, bindings in an in-memory H2 with Callflow's own migration.
 */
class RegistrarTest {

    static final String PHONE = "<sip:1001@192.0.2.10:5060>";

    final MutableClock clock = new MutableClock();
    final List<RegistrationChanged> events = new CopyOnWriteArrayList<>();
    // For the overlap test: the next announcement waits (at most 1 s) until another REGISTER has been handled.
    final CountDownLatch announcing = new CountDownLatch(1);
    final CountDownLatch otherHandled = new CountDownLatch(1);
    volatile boolean holdNextAnnouncement;
    final List<Response> responses = new ArrayList<>();
    final DigestAuthenticator digest = new DigestAuthenticator(clock, Duration.ofSeconds(300));
    JdbcTemplate jdbc;
    RegistrationStore store;
    Registrar registrar;
    int cseq;

    @BeforeEach
    void registrar() throws Exception {
        var database = new SimpleDriverDataSource(new org.h2.Driver(),
                "jdbc:h2:mem:registrar-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        jdbc = new JdbcTemplate(database);
        jdbc.execute(Files.readString(Path.of("src/main/resources/db/migration/V20__sip_registrations.sql")));
        // Written only when the test flushes, so what is in the database is what the test asked for.
        store = new RegistrationStore(jdbc, new TransactionTemplate(new DataSourceTransactionManager(database)),
                Duration.ofDays(1));
        registrar = newRegistrar();
    }

    private Registrar newRegistrar() throws Exception {
        return newRegistrar(List.of("MD5", "SHA-256"));
    }

    private Registrar newRegistrar(List<String> algorithms) throws Exception {
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        var sip = new SipContext(null, factory.createAddressFactory(), factory.createHeaderFactory(),
                factory.createMessageFactory(), null, "127.0.0.1", "callflow.local");
        var properties = new SipProperties("127.0.0.1", "127.0.0.1", 5060, "callflow.local", 60, 3600,
                Duration.ofSeconds(300), algorithms, List.of(), Duration.ofSeconds(10),
                Duration.ofMillis(200), Duration.ofSeconds(10),
                new SipProperties.Flood(true, 200, Duration.ofSeconds(2), Duration.ofSeconds(60), true),
                new SipProperties.Overload(Duration.ofSeconds(2), 10),
                new SipProperties.Tcp(10000, 200, Duration.ofSeconds(20), Duration.ofSeconds(20), Duration.ofMinutes(65)),
                AuthGuardTest.DEFAULTS);
        return new Registrar(sip, properties,
                user -> user.equals("1001") ? Optional.of(DigestAuthenticatorTest.ALICE) : Optional.empty(), digest,
                store, event -> {
                    if (holdNextAnnouncement) {
                        holdNextAnnouncement = false;
                        announcing.countDown();
                        awaitQuietly(otherHandled);
                    }
                    events.add((RegistrationChanged) event);
                }, new AuthGuard(properties.authGuard(), List.of(), clock, new SimpleMeterRegistry()), clock);
    }

    @Test
    void challengesWithOneDigestPerAlgorithmMd5First() throws Exception {
        Response challenge = send("register.txt", Map.of("expires", "300"));
        assertThat(challenge.getStatusCode()).isEqualTo(401);
        List<WWWAuthenticateHeader> headers = new ArrayList<>();
        challenge.getHeaders(WWWAuthenticateHeader.NAME).forEachRemaining(h -> headers.add((WWWAuthenticateHeader) h));
        assertThat(headers).extracting(WWWAuthenticateHeader::getAlgorithm).containsExactly("MD5", "SHA-256");
        assertThat(headers).allSatisfy(h -> {
            assertThat(h.getRealm()).isEqualTo("callflow.local");
            assertThat(h.getQop()).isEqualTo("auth");
            assertThat(h.getParameter("stale")).isNull();
        });
    }

    @Test
    void byDefaultOnlyMd5IsOfferedAsAsteriskAndKamailioDo() {
        SipProperties defaults = new org.springframework.boot.context.properties.bind.Binder(
                new org.springframework.boot.context.properties.source.MapConfigurationPropertySource(Map.of()))
                .bindOrCreate("callflow.sip", SipProperties.class);
        assertThat(defaults.digestAlgorithms()).containsExactly("MD5");
    }

    @Test
    void aResponseWithAnAlgorithmThatWasNotOfferedIsRefused() throws Exception {
        registrar = newRegistrar(List.of("MD5"));
        Response challenge = send("register.txt", Map.of("expires", "300"));
        assertThat(challenge.getHeaders(WWWAuthenticateHeader.NAME)).toIterable().hasSize(1);

        Response refused = send("register-authorized.txt",
                authorized(nonce(challenge), 1, "SHA-256", "alice-1001", PHONE, "300"));
        assertThat(refused.getStatusCode()).isEqualTo(400);
        assertThat(refused.getReasonPhrase()).isEqualTo("Digest algorithm not offered");
        assertThat(registrar.contacts("1001")).isEmpty();
        assertThat(register("MD5", "alice-1001", PHONE, "300").getStatusCode()).isEqualTo(200);
    }

    @Test
    void anAlgorithmCallflowCannotCheckIsRefusedAtStartup() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> newRegistrar(List.of("MD5", "SHA-512-256")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SHA-512-256");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> newRegistrar(List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theRightPasswordRegistersThePhoneStoresItAndAnnouncesIt() throws Exception {
        Response ok = register("MD5", "alice-1001", PHONE, "300");
        assertThat(ok.getStatusCode()).isEqualTo(200);
        assertThat(contactExpires(ok)).containsExactly(Map.entry("sip:1001@192.0.2.10:5060", 300));
        assertThat(events).extracting(RegistrationChanged::user, RegistrationChanged::contacts)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("1001", 1));
        store.flush();
        assertThat(jdbc.queryForObject("select count(*) from sip_registration where sip_user = '1001'", Integer.class))
                .isOne();
    }

    @Test
    void sha256RegistersToo() throws Exception {
        assertThat(register("SHA-256", "alice-1001", PHONE, "300").getStatusCode()).isEqualTo(200);
        assertThat(registrar.contacts("1001")).hasSize(1);
    }

    @Test
    void aWrongPasswordIsForbiddenAndRegistersNothing() throws Exception {
        Response refused = register("MD5", "alice-1002", PHONE, "300");
        assertThat(refused.getStatusCode()).isEqualTo(403);
        assertThat(registrar.contacts("1001")).isEmpty();
        assertThat(events).isEmpty();
    }

    @Test
    void aReplayedResponseIsForbidden() throws Exception {
        String nonce = nonce(send("register.txt", Map.of("expires", "300")));
        Map<String, String> values = authorized(nonce, 1, "MD5", "alice-1001", PHONE, "300");
        assertThat(send("register-authorized.txt", values).getStatusCode()).isEqualTo(200);
        assertThat(send("register-authorized.txt", values).getStatusCode()).isEqualTo(403);
        assertThat(send("register-authorized.txt", authorized(nonce, 2, "MD5", "alice-1001", PHONE, "300"))
                .getStatusCode()).as("the next nonce count").isEqualTo(200);
    }

    @Test
    void anExpiredNonceIsChallengedAgainWithStale() throws Exception {
        String nonce = nonce(send("register.txt", Map.of("expires", "300")));
        clock.advance(Duration.ofSeconds(301));
        Response stale = send("register-authorized.txt", authorized(nonce, 1, "MD5", "alice-1001", PHONE, "300"));
        assertThat(stale.getStatusCode()).isEqualTo(401);
        assertThat(((WWWAuthenticateHeader) stale.getHeader(WWWAuthenticateHeader.NAME)).getParameter("stale"))
                .isEqualTo("true");
        assertThat(send("register-authorized.txt", authorized(nonce(stale), 1, "MD5", "alice-1001", PHONE, "300"))
                .getStatusCode()).isEqualTo(200);
    }

    @Test
    void severalContactsAreKeptRefreshedAndRemovedOneByOne() throws Exception {
        register("MD5", "alice-1001", PHONE, "300");
        Response both = register("MD5", "alice-1001", "<sip:1001@192.0.2.11:5062>", "600");
        assertThat(contactExpires(both)).containsOnly(Map.entry("sip:1001@192.0.2.10:5060", 300),
                Map.entry("sip:1001@192.0.2.11:5062", 600));
        clock.advance(Duration.ofSeconds(100));
        Response refreshed = register("MD5", "alice-1001", PHONE, "900");
        assertThat(contactExpires(refreshed)).containsOnly(Map.entry("sip:1001@192.0.2.10:5060", 900),
                Map.entry("sip:1001@192.0.2.11:5062", 500));
        Response one = register("MD5", "alice-1001", "<sip:1001@192.0.2.11:5062>", "0");
        assertThat(contactExpires(one)).containsOnly(Map.entry("sip:1001@192.0.2.10:5060", 900));
        assertThat(events).extracting(RegistrationChanged::contacts).containsExactly(1, 2, 1);
        store.flush();
        assertThat(jdbc.queryForList("select contact from sip_registration", String.class))
                .containsExactly("sip:1001@192.0.2.10:5060");
    }

    @Test
    void aStarWithExpiresZeroRemovesEveryContact() throws Exception {
        register("MD5", "alice-1001", PHONE, "300");
        register("MD5", "alice-1001", "<sip:1001@192.0.2.11:5062>", "300");
        Response cleared = register("MD5", "alice-1001", "*", "0");
        assertThat(cleared.getStatusCode()).isEqualTo(200);
        assertThat(cleared.getHeader(ContactHeader.NAME)).isNull();
        assertThat(registrar.contacts("1001")).isEmpty();
        assertThat(events).extracting(RegistrationChanged::contacts).endsWith(0);
        store.flush();
        assertThat(jdbc.queryForObject("select count(*) from sip_registration", Integer.class)).isZero();
    }

    @Test
    void aStarWithAnExpiryIsABadRequest() throws Exception {
        Response bad = register("MD5", "alice-1001", "*", "300");
        assertThat(bad.getStatusCode()).isEqualTo(400);
        assertThat(bad.getReasonPhrase()).contains("Expires: 0");
    }

    @Test
    void tooBriefAnIntervalIsRefusedWithMinExpires() throws Exception {
        Response brief = register("MD5", "alice-1001", PHONE, "30");
        assertThat(brief.getStatusCode()).isEqualTo(423);
        assertThat(((MinExpiresHeader) brief.getHeader(MinExpiresHeader.NAME)).getExpires()).isEqualTo(60);
        assertThat(registrar.contacts("1001")).isEmpty();
    }

    @Test
    void tooLongAnIntervalIsShortenedToTheMaximum() throws Exception {
        assertThat(contactExpires(register("MD5", "alice-1001", PHONE, "86400")))
                .containsExactly(Map.entry("sip:1001@192.0.2.10:5060", 3600));
    }

    @Test
    void aPhoneBehindNatIsReachedAtTheSourceOfItsRegister() throws Exception {
        // The Via says 192.0.2.10:5060 but the packet came from the NAT's public side (RFC 3581 section 4).
        register("MD5", "alice-1001", PHONE, "300", "203.0.113.7", 40123);
        assertThat(registrar.contacts("1001")).singleElement().satisfies(binding -> {
            assertThat(binding.sourceHost()).isEqualTo("203.0.113.7");
            assertThat(binding.sourcePort()).isEqualTo(40123);
        });
    }

    @Test
    void aNatThatKeepsTheAddressButChangesThePortIsRememberedAtTheSourcePort() throws Exception {
        // Regression: the source port was read from JAIN-SIP's "remote port", which is the Via's sent-by port, so
        // a phone whose NAT changed only the port was called at its private port.
        register("MD5", "alice-1001", PHONE, "300", "192.0.2.10", 40123);
        assertThat(registrar.contacts("1001")).singleElement().satisfies(binding -> {
            assertThat(binding.sourceHost()).isEqualTo("192.0.2.10");
            assertThat(binding.sourcePort()).isEqualTo(40123);
            assertThat(binding.contact()).isEqualTo("sip:1001@192.0.2.10:5060");
        });
    }

    @Test
    void aPhoneNotBehindNatIsReachedAtItsContact() throws Exception {
        register("MD5", "alice-1001", "<sip:1001@192.0.2.10:5070>", "300", "192.0.2.10", 5060);
        assertThat(registrar.contacts("1001")).singleElement().satisfies(binding -> {
            assertThat(binding.sourceHost()).isEqualTo("192.0.2.10");
            assertThat(binding.sourcePort()).isEqualTo(5070);
        });
    }

    @Test
    void expiredContactsAreSweptAndTheUserAnnouncedUnreachable() throws Exception {
        register("MD5", "alice-1001", PHONE, "60");
        clock.advance(Duration.ofSeconds(61));
        assertThat(registrar.contacts("1001")).as("expired before the sweep already").isEmpty();
        store.flush();
        registrar.sweep();
        assertThat(events).extracting(RegistrationChanged::contacts).containsExactly(1, 0);
        store.flush();
        assertThat(jdbc.queryForObject("select count(*) from sip_registration", Integer.class)).isZero();
    }

    @Test
    void registrationsSurviveARestart() throws Exception {
        register("MD5", "alice-1001", PHONE, "300", "203.0.113.7", 40123);
        store.close();
        Registrar restarted = newRegistrar();
        assertThat(restarted.contacts("1001")).singleElement().satisfies(binding -> {
            assertThat(binding.sourceHost()).isEqualTo("203.0.113.7");
            assertThat(binding.sourcePort()).isEqualTo(40123);
            assertThat(binding.transport()).isEqualTo("udp");
        });
    }

    @Test
    void anUnknownUserGetsTheSameForbiddenAsAWrongPassword() throws Exception {
        // Without credentials an unknown user is challenged like a known one, so the registrar does not reveal
        // which users exist; with credentials it is forbidden like a wrong password.
        Response challenge = send("register.txt", Map.of("expires", "300"));
        Map<String, String> values = new HashMap<>(authorized(nonce(challenge), 1, "MD5", "x", PHONE, "300"));
        String text = RawSip.text("register-authorized.txt", values).replace("1001", "1999");
        Request request = javax.sip.SipFactory.getInstance().createMessageFactory().createRequest(text);
        ((gov.nist.javax.sip.message.SIPRequest) request).setRemoteAddress(java.net.InetAddress.getLoopbackAddress());
        assertThat(handle(request).getStatusCode()).isEqualTo(403);
    }

    @Test
    void aDigestComputedForAnotherUriIsABadRequest() throws Exception {
        // RFC 3261 section 22.4: the response is valid for the uri it names; that uri must be this Request-URI.
        String nonce = nonce(send("register.txt", Map.of("expires", "300")));
        String ha1 = DigestAuthenticatorTest.h("MD5", "1001:callflow.local:alice-1001");
        Map<String, String> values = new HashMap<>(authorized(nonce, 1, "MD5", "alice-1001", PHONE, "300"));
        values.put("response", DigestAuthenticator.response("MD5", ha1, nonce, 1, "0a4f113b", "auth", "REGISTER",
                "sip:other.example"));
        values.put("cseq", "7");
        String text = RawSip.text("register-authorized.txt", values)
                .replace("uri=\"sip:callflow.local\"", "uri=\"sip:other.example\"");
        Request request = javax.sip.SipFactory.getInstance().createMessageFactory().createRequest(text);
        ((gov.nist.javax.sip.message.SIPRequest) request).setRemoteAddress(java.net.InetAddress.getLoopbackAddress());

        Response bad = handle(request);

        assertThat(bad.getStatusCode()).isEqualTo(400);
        assertThat(bad.getReasonPhrase()).isEqualTo("Authorization uri does not match the Request-URI");
        assertThat(registrar.contacts("1001")).isEmpty();
    }

    @Test
    void aRegisterOvertakenByALaterOneOfTheSameCallIdCannotUndoIt() throws Exception {
        // RFC 3261 section 10.3 step 7: a phone refreshed (CSeq 20), then its older unregister (CSeq 19) arrives.
        String nonce = nonce(send("register.txt", Map.of("expires", "300")));
        Map<String, String> refresh = new HashMap<>(authorized(nonce, 1, "MD5", "alice-1001", PHONE, "300"));
        refresh.put("cseq", "20");
        assertThat(send("register-authorized.txt", refresh).getStatusCode()).isEqualTo(200);
        Map<String, String> stale = new HashMap<>(authorized(nonce, 2, "MD5", "alice-1001", PHONE, "0"));
        stale.put("cseq", "19");

        Response refused = send("register-authorized.txt", stale);

        assertThat(refused.getStatusCode()).isEqualTo(400);
        assertThat(refused.getReasonPhrase()).startsWith("REGISTER out of order");
        assertThat(registrar.contacts("1001")).hasSize(1);
        Map<String, String> next = new HashMap<>(authorized(nonce, 3, "MD5", "alice-1001", PHONE, "0"));
        next.put("cseq", "21");
        assertThat(send("register-authorized.txt", next).getStatusCode()).as("a later CSeq still unregisters")
                .isEqualTo(200);
        assertThat(registrar.contacts("1001")).isEmpty();
    }

    @Test
    void aUserUnderPasswordGuessingIsRefusedEvenTheRightPasswordExceptWhereItRegisteredFrom() throws Exception {
        assertThat(register("MD5", "alice-1001", PHONE, "300").getStatusCode()).isEqualTo(200);
        String staleNonce = nonce(send("register.txt", Map.of("expires", "300"), "198.51.100.99", 5060));
        clock.advance(Duration.ofSeconds(301));
        // 20 wrong passwords (the default per-user limit), one from each of 20 addresses (none reaches its own 10).
        for (int i = 1; i <= 20; i++) {
            assertThat(register("MD5", "guess-" + i, PHONE, "300", "198.51.100." + i, 5060).getStatusCode())
                    .isEqualTo(403);
        }
        assertThat(register("MD5", "alice-1001", PHONE, "300", "198.51.100.99", 5060).getStatusCode())
                .as("the right password from a new address").isEqualTo(403);
        assertThat(send("register-authorized.txt", authorized(staleNonce, 1, "MD5", "alice-1001", PHONE, "300"),
                "198.51.100.99", 5060).getStatusCode()).as("a stale nonce, which would show the password right")
                .isEqualTo(403);
        assertThat(register("MD5", "alice-1001", PHONE, "300").getStatusCode()).as("from the phone's own address")
                .isEqualTo(200);
    }

    @Test
    void aTelToIsABadRequestNotASilentFailure() throws Exception {
        Response bad = send("register-tel-to.txt", Map.of());
        assertThat(bad.getStatusCode()).isEqualTo(400);
        assertThat(bad.getReasonPhrase()).isEqualTo("To has no SIP user");
    }

    @Test
    void anAuthorizationWithoutResponseIsABadRequestNotASilentFailure() throws Exception {
        Response bad = send("register-authorization-without-response.txt", Map.of());
        assertThat(bad.getStatusCode()).isEqualTo(400);
        assertThat(bad.getReasonPhrase()).contains("response");
    }

    @Test
    void whenTwoRegistersOfOneUserOverlapTheLastAnnouncementIsTheCurrentState() throws Exception {
        assertThat(register("MD5", "alice-1001", PHONE, "300").getStatusCode()).isEqualTo(200);
        Request addDesk = authorizedRequest("<sip:1001@192.0.2.11:5060>", "300");
        Request removeAll = authorizedRequest("*", "0");
        holdNextAnnouncement = true;
        // The registrar has two threads: the first REGISTER is held inside its announcement ("2 contacts") while
        // the second removes everything; the second must not overtake it and leave "2" as the last word.
        Thread first = new Thread(() -> handleQuietly(addDesk));
        first.start();
        assertThat(announcing.await(5, TimeUnit.SECONDS)).isTrue();
        Thread second = new Thread(() -> {
            handleQuietly(removeAll);
            otherHandled.countDown();
        });
        second.start();
        first.join(5000);
        second.join(5000);

        assertThat(registrar.contacts("1001")).isEmpty();
        assertThat(events).extracting(RegistrationChanged::contacts).containsExactly(1, 2, 0);
    }

    private Request authorizedRequest(String contact, String expires) throws Exception {
        String nonce = nonce(send("register.txt", Map.of("expires", expires)));
        return request("register-authorized.txt", authorized(nonce, 1, "MD5", "alice-1001", contact, expires),
                "192.0.2.10", 5060);
    }

    private void handleQuietly(Request request) {
        try {
            registrar.handle(request, mock(ServerTransaction.class));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Response register(String algorithm, String password, String contact, String expires) throws Exception {
        return register(algorithm, password, contact, expires, "192.0.2.10", 5060);
    }

    private Response register(String algorithm, String password, String contact, String expires, String sourceHost,
            int sourcePort) throws Exception {
        Response challenge = send("register.txt", Map.of("expires", expires), sourceHost, sourcePort);
        assertThat(challenge.getStatusCode()).isEqualTo(401);
        return send("register-authorized.txt", authorized(nonce(challenge), 1, algorithm, password, contact, expires),
                sourceHost, sourcePort);
    }

    private Map<String, String> authorized(String nonce, int nc, String algorithm, String password, String contact,
            String expires) {
        String ha1 = DigestAuthenticatorTest.h(algorithm, "1001:callflow.local:" + password);
        return Map.of("nonce", nonce, "nc", String.format("%08x", nc), "algorithm", algorithm, "contact", contact,
                "expires", expires, "response", DigestAuthenticator.response(algorithm, ha1, nonce, nc, "0a4f113b",
                        "auth", "REGISTER", "sip:callflow.local"));
    }

    private Response send(String file, Map<String, String> values) throws Exception {
        return send(file, values, "192.0.2.10", 5060);
    }

    private Response send(String file, Map<String, String> values, String sourceHost, int sourcePort)
            throws Exception {
        return handle(request(file, values, sourceHost, sourcePort));
    }

    private Request request(String file, Map<String, String> values, String sourceHost, int sourcePort)
            throws Exception {
        Map<String, String> all = new HashMap<>(values);
        cseq++;
        all.putIfAbsent("cseq", Integer.toString(cseq));
        all.putIfAbsent("branch", "b" + cseq);
        return RawSip.request(file, all, sourceHost, sourcePort);
    }

    private Response handle(Request request) throws Exception {
        ServerTransaction transaction = mock(ServerTransaction.class);
        doAnswer(call -> responses.add(call.getArgument(0))).when(transaction).sendResponse(any());
        int before = responses.size();
        registrar.handle(request, transaction);
        assertThat(responses).as("exactly one response").hasSize(before + 1);
        return responses.get(responses.size() - 1);
    }

    private static String nonce(Response challenge) {
        return ((WWWAuthenticateHeader) challenge.getHeader(WWWAuthenticateHeader.NAME)).getNonce();
    }

    private static Map<String, Integer> contactExpires(Response ok) {
        Map<String, Integer> contacts = new HashMap<>();
        ok.getHeaders(ContactHeader.NAME).forEachRemaining(h -> contacts.put(
                ((ContactHeader) h).getAddress().getURI().toString(), ((ContactHeader) h).getExpires()));
        return contacts;
    }
}
