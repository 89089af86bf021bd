package io.callflow.sip;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.callflow.sip.OutboundTrunks.Configured;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import javax.sip.ClientTransaction;
import javax.sip.ResponseEvent;
import javax.sip.address.SipURI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.ViaHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps Callflow registered with the providers of the outbound trunks that ask for it (RFC 3261 section 10.2):
 * REGISTER, the 401/407 digest challenge answered (RFC 7616, MD5 or SHA-256), the binding refreshed at three quarters
 * of the expiry the provider granted, and a provider that is down or refuses retried with exponential backoff
 * (Resilience4j). Responses are handled on the SIP timer thread, never the stack's. Each trunk's state is readable
 * ({@link #statuses()}) for the health endpoint, the metrics and the API.
 */
public final class TrunkRegistrations implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TrunkRegistrations.class);

    /** A trunk's registration state: where it is, since when, until when, and how it went so far. */
    public record TrunkStatus(String trunk, String address, boolean registers, String state, Instant registeredAt,
            Instant expiresAt, String lastError, long registrations, long failures) {
    }

    /** Where a registration is. */
    enum State { NOT_REGISTERING, REGISTERING, REGISTERED, FAILED }

    private final SipContext sip;
    private final ScheduledExecutorService timers;
    private final Clock clock;
    private final Map<String, Registration> registrations = new ConcurrentHashMap<>();
    private final List<Configured> trunks;
    private volatile boolean closed;

    TrunkRegistrations(SipContext sip, OutboundTrunks trunks, ScheduledExecutorService timers, Clock clock,
            MeterRegistry meters) {
        this.sip = sip;
        this.timers = timers;
        this.clock = clock;
        this.trunks = trunks.all();
        for (Configured trunk : this.trunks) {
            if (trunk.settings().registration() != null) {
                Registration registration = new Registration(trunk, meters);
                registrations.put(trunk.name(), registration);
                Gauge.builder("callflow.sip.trunk.registered", registration,
                        r -> r.state == State.REGISTERED ? 1 : 0).tag("trunk", trunk.name())
                        .description("1 while the outbound trunk is registered with its provider").register(meters);
            }
        }
    }

    /** Starts registering every trunk that registers (once the SIP listener is in place). */
    void start() {
        registrations.values().forEach(registration -> timers.execute(() -> keepRegistered(registration)));
    }

    /** Every outbound trunk with its registration state (address-based trunks are NOT_REGISTERING). */
    public List<TrunkStatus> statuses() {
        return trunks.stream().map(trunk -> {
            Registration r = registrations.get(trunk.name());
            String address = trunk.host() + ":" + trunk.port();
            return r == null ? new TrunkStatus(trunk.name(), address, false, State.NOT_REGISTERING.name(), null, null,
                    null, 0, 0) : new TrunkStatus(trunk.name(), address, true, r.state.name(), r.registeredAt,
                    r.expiresAt, r.lastError, r.successes.count() > 0 ? (long) r.successes.count() : 0,
                    (long) r.failures.count());
        }).toList();
    }

    /** Whether a client transaction is one of our REGISTERs. */
    boolean owns(ClientTransaction transaction) {
        return transaction != null && transaction.getApplicationData() instanceof Attempt;
    }

    /** A response to one of our REGISTERs (SIP thread): handled on the timer thread. */
    void response(ResponseEvent event) {
        Attempt attempt = (Attempt) event.getClientTransaction().getApplicationData();
        Response response = event.getResponse();
        timers.execute(() -> attempt.registration().answered(attempt, response));
    }

    /** No response to one of our REGISTERs (Timer F, or a transport error reported as a timeout). */
    void timeout(ClientTransaction transaction) {
        Attempt attempt = (Attempt) transaction.getApplicationData();
        timers.execute(() -> attempt.registration().fail(attempt, "no response from " + attempt.registration().address()));
    }

    @Override
    public void close() {
        closed = true;
        registrations.values().forEach(r -> {
            if (r.refresh != null) {
                r.refresh.cancel(false);
            }
        });
    }

    private void keepRegistered(Registration registration) {
        if (closed) {
            return;
        }
        var settings = registration.trunk.settings().registration();
        Retry retry = Retry.of("trunk-" + registration.trunk.name(), RetryConfig.<Duration>custom()
                .maxAttempts(Integer.MAX_VALUE)
                .intervalFunction(IntervalFunction.ofExponentialBackoff(settings.retryInitial(), 2.0,
                        settings.retryMax()))
                .build());
        retry.executeCompletionStage(timers, registration::attempt).whenComplete((granted, error) -> {
            if (error != null || closed) {
                return;
            }
            // Three quarters of what the provider granted: time for a retry or two before the binding lapses.
            long refreshMillis = Math.max(1000, granted.toMillis() * 3 / 4);
            registration.refresh = timers.schedule(() -> keepRegistered(registration), refreshMillis,
                    TimeUnit.MILLISECONDS);
        });
    }

    /** One REGISTER (and its answer to a challenge) of one attempt. */
    private record Attempt(Registration registration, CompletableFuture<Duration> result, boolean authorized) {
    }

    /** One trunk's registration: its dialog identifiers (one Call-ID, growing CSeq) and state. */
    private final class Registration {
        final Configured trunk;
        final String callId = UUID.randomUUID() + "@callflow";
        final String fromTag = UUID.randomUUID().toString().substring(0, 8);
        final Counter successes;
        final Counter failures;
        final AtomicLong cseq = new AtomicLong();
        volatile State state = State.REGISTERING;
        volatile Instant registeredAt;
        volatile Instant expiresAt;
        volatile String lastError;
        volatile ScheduledFuture<?> refresh;

        Registration(Configured trunk, MeterRegistry meters) {
            this.trunk = trunk;
            this.successes = Counter.builder("callflow.sip.trunk.registrations").tag("trunk", trunk.name())
                    .tag("outcome", "registered").description("REGISTERs to outbound trunks' providers")
                    .register(meters);
            this.failures = Counter.builder("callflow.sip.trunk.registrations").tag("trunk", trunk.name())
                    .tag("outcome", "failed").description("REGISTERs to outbound trunks' providers")
                    .register(meters);
        }

        String address() {
            return trunk.host() + ":" + trunk.port();
        }

        CompletionStage<Duration> attempt() {
            CompletableFuture<Duration> result = new CompletableFuture<>();
            try {
                send(new Attempt(this, result, false), null);
            } catch (Exception e) {
                fail(new Attempt(this, result, false), "REGISTER not sent: " + e.getMessage());
            }
            return result;
        }

        private void send(Attempt attempt, AuthorizationHeader authorization) throws Exception {
            var settings = trunk.settings().registration();
            var addresses = sip.addresses();
            var headers = sip.headers();
            SipURI requestUri = addresses.createSipURI(null, trunk.domain());
            if (trunk.domain().equals(trunk.host())) {
                requestUri.setPort(trunk.port());
            }
            var aor = addresses.createAddress("sip:" + settings.username() + "@" + trunk.domain());
            String transport = trunk.transport();
            Request register = sip.messages().createRequest(requestUri, Request.REGISTER,
                    headers.createCallIdHeader(callId), headers.createCSeqHeader(cseq.incrementAndGet(),
                            Request.REGISTER), headers.createFromHeader(aor, fromTag), headers.createToHeader(aor, null),
                    List.<ViaHeader>of(headers.createViaHeader(sip.advertisedAddress(), sip.port(transport), transport,
                            null)), headers.createMaxForwardsHeader(70));
            SipURI contact = addresses.createSipURI(settings.username(), sip.advertisedAddress());
            contact.setPort(sip.port(transport));
            if (!"udp".equals(transport)) {
                contact.setTransportParam(transport);
            }
            register.addHeader(headers.createContactHeader(addresses.createAddress(contact)));
            register.addHeader(headers.createExpiresHeader(settings.expires()));
            if (!trunk.domain().equals(trunk.host())) {
                // The registrar's domain is not where it is reached: route the request to the trunk's address.
                SipURI route = addresses.createSipURI(null, trunk.host());
                route.setPort(trunk.port());
                route.setLrParam();
                route.setTransportParam(transport);
                register.addHeader(headers.createRouteHeader(addresses.createAddress(route)));
            }
            if (authorization != null) {
                register.addHeader(authorization);
            }
            ClientTransaction transaction = sip.provider().getNewClientTransaction(register);
            transaction.setApplicationData(attempt);
            transaction.sendRequest();
        }

        void answered(Attempt attempt, Response response) {
            int status = response.getStatusCode();
            if (status < 200 || attempt.result().isDone()) {
                return;
            }
            try {
                if (status == Response.OK) {
                    Duration granted = granted(response);
                    Instant now = clock.instant();
                    registeredAt = now;
                    expiresAt = now.plus(granted);
                    lastError = null;
                    if (state != State.REGISTERED) {
                        log.info("Outbound trunk {} registered with {} for {} s", trunk.name(), address(),
                                granted.toSeconds());
                    }
                    state = State.REGISTERED;
                    successes.increment();
                    attempt.result().complete(granted);
                } else if ((status == Response.UNAUTHORIZED || status == Response.PROXY_AUTHENTICATION_REQUIRED)
                        && !attempt.authorized()) {
                    send(new Attempt(this, attempt.result(), true), authorization(response, status));
                } else {
                    fail(attempt, status + " " + response.getReasonPhrase()
                            + (attempt.authorized() && status < 500 ? " (credentials refused?)" : ""));
                }
            } catch (Exception e) {
                fail(attempt, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }

        void fail(Attempt attempt, String why) {
            if (attempt.result().isDone()) {
                return;
            }
            if (state != State.FAILED || !why.equals(lastError)) {
                log.warn("Outbound trunk {}: registration with {} failed: {}; retrying with backoff", trunk.name(),
                        address(), why);
            }
            // A binding still valid at the provider keeps working until it expires: only then is the trunk down.
            state = expiresAt != null && expiresAt.isAfter(clock.instant()) ? State.REGISTERED : State.FAILED;
            lastError = why;
            failures.increment();
            attempt.result().completeExceptionally(new IllegalStateException(why));
        }

        /** The expiry granted for our contact: its expires parameter, else the Expires header, else what we asked. */
        private Duration granted(Response response) {
            int asked = trunk.settings().registration().expires();
            ListIterator<?> contacts = response.getHeaders(ContactHeader.NAME);
            while (contacts != null && contacts.hasNext()) {
                ContactHeader contact = (ContactHeader) contacts.next();
                if (contact.getAddress().getURI() instanceof SipURI uri
                        && sip.advertisedAddress().equals(uri.getHost()) && contact.getExpires() > 0) {
                    return Duration.ofSeconds(contact.getExpires());
                }
            }
            ExpiresHeader expires = response.getExpires();
            return Duration.ofSeconds(expires != null && expires.getExpires() > 0 ? expires.getExpires() : asked);
        }

        /** The answer to the provider's challenge (RFC 7616 section 3.4), for the first challenge we can answer. */
        private AuthorizationHeader authorization(Response challenge, int status) throws Exception {
            var settings = trunk.settings().registration();
            boolean proxy = status == Response.PROXY_AUTHENTICATION_REQUIRED;
            ListIterator<?> challenges = challenge.getHeaders(proxy ? "Proxy-Authenticate" : WWWAuthenticateHeader.NAME);
            while (challenges != null && challenges.hasNext()) {
                WWWAuthenticateHeader header = (WWWAuthenticateHeader) challenges.next();
                String algorithm = header.getAlgorithm() == null ? "MD5" : header.getAlgorithm().toUpperCase();
                if (!DigestGate.knownAlgorithm(algorithm)) {
                    continue;
                }
                String user = settings.authUsername() == null ? settings.username() : settings.authUsername();
                String realm = header.getRealm();
                String qop = header.getQop() != null && List.of(header.getQop().split("\\s*,\\s*")).contains("auth")
                        ? "auth" : null;
                String cnonce = Long.toHexString(ThreadLocalRandom.current().nextLong());
                SipURI uri = sip.addresses().createSipURI(null, trunk.domain());
                if (trunk.domain().equals(trunk.host())) {
                    uri.setPort(trunk.port());
                }
                String ha1 = DigestAuthenticator.hex(algorithm, user + ":" + realm + ":" + settings.password());
                String response = DigestAuthenticator.response(algorithm, ha1, header.getNonce(), 1, cnonce, qop,
                        Request.REGISTER, uri.toString());
                AuthorizationHeader answer = proxy ? sip.headers().createProxyAuthorizationHeader("Digest")
                        : sip.headers().createAuthorizationHeader("Digest");
                answer.setUsername(user);
                answer.setRealm(realm);
                answer.setNonce(header.getNonce());
                answer.setURI(uri);
                answer.setResponse(response);
                if (header.getAlgorithm() != null) {
                    answer.setAlgorithm(header.getAlgorithm());
                }
                if (header.getOpaque() != null) {
                    answer.setOpaque(header.getOpaque());
                }
                if (qop != null) {
                    answer.setQop(qop);
                    answer.setCNonce(cnonce);
                    answer.setNonceCount(1);
                }
                return answer;
            }
            throw new IllegalStateException("the provider's challenge offers no algorithm Callflow knows (MD5,"
                    + " SHA-256)");
        }
    }
}
