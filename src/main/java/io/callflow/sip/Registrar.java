package io.callflow.sip;

import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import gov.nist.javax.sip.message.SIPRequest;
import io.callflow.call.DigestCredential;
import io.callflow.call.RegistrationChanged;
import io.callflow.call.SubscriberDirectory;
import javax.sip.ServerTransaction;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;

/**
 * The registrar (RFC 3261 section 10): digest-authenticated REGISTERs add, refresh and remove contacts of a user
 * (several phones per user, removal by {@code Expires: 0} or {@code *}, 423 below the minimum, the maximum enforced,
 * expired contacts swept). Bindings are kept in memory for call routing and in the database, so a restart keeps them;
 * every change is published as {@link RegistrationChanged}.
 */
final class Registrar {

    private static final Logger log = LoggerFactory.getLogger(Registrar.class);

    private final SipContext sip;
    private final SipProperties properties;
    private final SubscriberDirectory directory;
    private final DigestAuthenticator digest;
    private final RegistrationStore store;
    private final ApplicationEventPublisher events;
    private final AuthGuard authGuard;
    private final Clock clock;
    private final PeerProblemLog problems = new PeerProblemLog(log);
    private final Map<String, Map<String, Binding>> bindings = new ConcurrentHashMap<>();
    // Striped per-user locks: a fixed set, so nothing grows with the number of users.
    private final Object[] userLocks = Stream.generate(Object::new).limit(64).toArray();

    Registrar(SipContext sip, SipProperties properties, SubscriberDirectory directory, DigestAuthenticator digest,
            RegistrationStore store, ApplicationEventPublisher events, AuthGuard authGuard, Clock clock) {
        List<String> algorithms = properties.digestAlgorithms();
        if (algorithms == null || algorithms.isEmpty() || !algorithms.stream().allMatch(Registrar::knownAlgorithm)) {
            throw new IllegalArgumentException("callflow.sip.digest-algorithms must list MD5 and/or SHA-256, not "
                    + algorithms);
        }
        this.sip = sip;
        this.properties = properties;
        this.directory = directory;
        this.digest = digest;
        this.store = store;
        this.events = events;
        this.authGuard = authGuard;
        this.clock = clock;
        store.loadAll().forEach(binding -> bindings.computeIfAbsent(binding.user(), u -> new ConcurrentHashMap<>())
                .put(binding.contact(), binding));
    }

    /** Live contacts of a user, newest registration first. */
    List<Binding> contacts(String user) {
        Instant now = clock.instant();
        return bindings.getOrDefault(user, Map.of()).values().stream().filter(b -> b.expiresAt().isAfter(now))
                .sorted((a, b) -> b.expiresAt().compareTo(a.expiresAt())).toList();
    }

    int registeredUsers() {
        return (int) bindings.values().stream().filter(m -> !m.isEmpty()).count();
    }

    void handle(Request request, ServerTransaction transaction) throws Exception {
        // RFC 3261 section 10.3 step 3: the To header names the address-of-record being registered.
        if (!(((ToHeader) request.getHeader(ToHeader.NAME)).getAddress().getURI() instanceof SipURI to)
                || to.getUser() == null) {
            sip.respond(transaction, request, Response.BAD_REQUEST, "To has no SIP user");
            return;
        }
        String user = to.getUser();
        AuthorizationHeader auth = (AuthorizationHeader) request.getHeader(AuthorizationHeader.NAME);
        if (auth == null) {
            challenge(request, transaction, false);
            return;
        }
        if (auth.getNonce() == null || auth.getResponse() == null || auth.getURI() == null) {
            sip.respond(transaction, request, Response.BAD_REQUEST, "Authorization lacks nonce, uri or response");
            return;
        }
        if (!offered(auth.getAlgorithm())) {
            // What is offered is what is accepted: an operator who drops MD5 from the challenges must not have it
            // answered anyway. RFC 7616 section 3.4: no algorithm parameter means MD5.
            sip.respond(transaction, request, Response.BAD_REQUEST, "Digest algorithm not offered");
            return;
        }
        if (!sameUri(auth.getURI().toString(), request.getRequestURI())) {
            // RFC 3261 section 22.4 / RFC 2617 section 3.2.2.5: the digest covers this URI; a response computed for
            // another request must not authenticate this one.
            sip.respond(transaction, request, Response.BAD_REQUEST, "Authorization uri does not match the Request-URI");
            return;
        }
        java.net.InetAddress source = sourceAddress((SIPRequest) request);
        Optional<DigestCredential> credential = directory.credential(user);
        if (credential.isEmpty() || !user.equals(auth.getUsername())) {
            authGuard.failed(user, source, credential.isPresent());
            problems.warn("REGISTER refused: unknown or mismatched user", "user " + user + " from "
                    + source(request), null);
            challengeAgain(request, transaction);
            return;
        }
        var verdict = digest.check(Request.REGISTER, auth.getURI().toString(), auth.getNonce(), auth.getCNonce(),
                auth.getNonceCount(), auth.getQop(), auth.getAlgorithm(), auth.getResponse(), credential.get());
        if (verdict == DigestAuthenticator.Verdict.WRONG) {
            authGuard.failed(user, source, true);
        }
        if (authGuard.refuses(user, source, boundFrom(user, source))) {
            // A user under password guessing: the same 403 as a wrong password whatever the verdict, so a right guess
            // (or a stale nonce, which is only reported for right credentials) cannot be told from a wrong one.
            challengeAgain(request, transaction);
            return;
        }
        switch (verdict) {
            case STALE -> challenge(request, transaction, true);
            case WRONG, REPLAY -> {
                problems.warn("REGISTER refused: " + (verdict == DigestAuthenticator.Verdict.WRONG ? "wrong"
                        : "replayed") + " digest response", "user " + user + " from " + source(request), null);
                challengeAgain(request, transaction);
            }
            case OK -> {
                authGuard.succeeded(user, source);
                register(user, request, transaction);
            }
            default -> throw new IllegalStateException();
        }
    }

    /** Whether one of the user's live bindings came from this address (known after a restart too). */
    private boolean boundFrom(String user, java.net.InetAddress source) {
        String host = source == null ? null : source.getHostAddress();
        return host != null && contacts(user).stream().anyMatch(binding -> binding.sourceHost().equals(host));
    }

    private void register(String user, Request request, ServerTransaction transaction) throws Exception {
        // Two REGISTERs of one user (a phone refreshing, then unregistering at once) may reach the registrar's two
        // threads together: changing the bindings and announcing the result happen under the user's lock, so the
        // last announcement is always the current state (without it, "0 contacts" could be followed by a stale "1"
        // and the agent stay reachable with no phone).
        synchronized (lockFor(user)) {
            registerLocked(user, request, transaction);
        }
    }

    /** RFC 3261 section 19.1.4 comparison (the URI types' equals); a digest uri that does not parse never matches. */
    private boolean sameUri(String digestUri, URI requestUri) {
        try {
            return sip.addresses().createURI(digestUri).equals(requestUri);
        } catch (ParseException e) {
            return false;
        }
    }

    private Object lockFor(String user) {
        return userLocks[Math.floorMod(user.hashCode(), userLocks.length)];
    }

    private void registerLocked(String user, Request request, ServerTransaction transaction) throws Exception {
        ExpiresHeader expiresHeader = request.getExpires();
        int defaultExpires = expiresHeader == null ? 3600 : expiresHeader.getExpires();
        List<ContactHeader> contacts = new ArrayList<>();
        ListIterator<?> headers = request.getHeaders(ContactHeader.NAME);
        while (headers.hasNext()) {
            contacts.add((ContactHeader) headers.next());
        }
        boolean changed = false;
        Instant now = clock.instant();
        String callId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
        long cseq = ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
        Map<String, Binding> existing = bindings.getOrDefault(user, Map.of());
        boolean outOfOrder = contacts.stream().filter(c -> !c.isWildCard())
                .map(c -> existing.get(c.getAddress().getURI().toString()))
                .anyMatch(b -> b != null && !b.mayBeUpdatedBy(callId, cseq));
        if (outOfOrder) {
            // RFC 3261 section 10.3 step 7: a REGISTER overtaken by a later one of the same Call-ID must not undo it.
            sip.respond(transaction, request, Response.BAD_REQUEST, "REGISTER out of order (CSeq " + cseq
                    + " not above the binding's)");
            return;
        }
        if (contacts.size() > 1 && contacts.stream().anyMatch(ContactHeader::isWildCard)) {
            // RFC 3261 section 10.3 step 6: "*" must be the only Contact.
            sip.respond(transaction, request, Response.BAD_REQUEST, "Contact * must be the only Contact");
            return;
        }
        if (contacts.size() == 1 && contacts.get(0).isWildCard()) {
            // RFC 3261 section 10.3 step 6: "*" with Expires: 0 removes every binding of the user.
            if (defaultExpires != 0) {
                sip.respond(transaction, request, Response.BAD_REQUEST, "Contact * needs Expires: 0");
                return;
            }
            Map<String, Binding> removed = bindings.remove(user);
            changed = removed != null && !removed.isEmpty();
            if (removed != null) {
                removed.keySet().forEach(contact -> store.delete(user, contact));
            }
        } else {
            for (ContactHeader contact : contacts) {
                int expires = contact.getExpires() >= 0 ? contact.getExpires() : defaultExpires;
                if (expires > 0 && expires < properties.minExpires()) {
                    Response tooBrief = sip.messages().createResponse(Response.INTERVAL_TOO_BRIEF, request);
                    tooBrief.addHeader(sip.headers().createMinExpiresHeader(properties.minExpires()));
                    transaction.sendResponse(tooBrief);
                    return;
                }
            }
            SIPRequest raw = (SIPRequest) request;
            String transport = ((ViaHeader) request.getHeader(ViaHeader.NAME)).getTransport().toLowerCase();
            for (ContactHeader contact : contacts) {
                int expires = Math.min(properties.maxExpires(),
                        contact.getExpires() >= 0 ? contact.getExpires() : defaultExpires);
                String uri = contact.getAddress().getURI().toString();
                Map<String, Binding> mine = bindings.computeIfAbsent(user, u -> new ConcurrentHashMap<>());
                if (expires == 0) {
                    changed |= mine.remove(uri) != null;
                    store.delete(user, uri);
                } else {
                    var reach = reachAddress(raw, contact, transport);
                    var binding = new Binding(user, uri, now.plusSeconds(expires), reach.getKey(), reach.getValue(),
                            transport, callId, cseq);
                    changed |= mine.put(uri, binding) == null;
                    store.save(binding);
                }
            }
        }
        Response ok = sip.messages().createResponse(Response.OK, request);
        for (Binding binding : contacts(user)) {
            ContactHeader header = sip.headers().createContactHeader(
                    sip.addresses().createAddress(binding.contact()));
            header.setExpires((int) Math.max(1, binding.expiresAt().getEpochSecond() - now.getEpochSecond()));
            ok.addHeader(header);
        }
        transaction.sendResponse(ok);
        if (changed) {
            announce(user);
        }
    }

    /** Removes expired bindings and announces users whose reachability changed. */
    void sweep() {
        Instant now = clock.instant();
        bindings.forEach((user, mine) -> {
            synchronized (lockFor(user)) {
                List<Binding> expired = mine.values().stream().filter(b -> !b.expiresAt().isAfter(now)).toList();
                expired.forEach(b -> {
                    mine.remove(b.contact(), b);
                    store.delete(user, b.contact());
                });
                if (!expired.isEmpty()) {
                    announce(user);
                }
            }
        });
        digest.sweep();
    }

    private void announce(String user) {
        int live = contacts(user).size();
        log.info("SIP user {} now has {} contact(s)", user, live);
        events.publishEvent(new RegistrationChanged(user, live, clock.instant()));
    }

    private static boolean knownAlgorithm(String algorithm) {
        return "MD5".equalsIgnoreCase(algorithm) || "SHA-256".equalsIgnoreCase(algorithm);
    }

    private boolean offered(String algorithm) {
        String chosen = algorithm == null ? "MD5" : algorithm;
        return properties.digestAlgorithms().stream().anyMatch(chosen::equalsIgnoreCase);
    }

    private void challenge(Request request, ServerTransaction transaction, boolean stale) throws Exception {
        Response unauthorized = sip.messages().createResponse(Response.UNAUTHORIZED, request);
        String nonce = digest.newNonce();
        // RFC 8760 section 2.4: one challenge per algorithm, in order of preference. The default is MD5 alone, as
        // Asterisk and Kamailio send: some phones (Debian 12's baresip 1.0) give up on the first challenge they
        // cannot answer instead of picking another, and many (and SIPp) read only the first header.
        for (String algorithm : properties.digestAlgorithms()) {
            WWWAuthenticateHeader header = sip.headers().createWWWAuthenticateHeader("Digest");
            header.setRealm(properties.domain());
            header.setNonce(nonce);
            header.setAlgorithm(algorithm);
            header.setQop("auth");
            if (stale) {
                header.setParameter("stale", "true");
            }
            unauthorized.addHeader(header);
        }
        transaction.sendResponse(unauthorized);
    }

    /** Wrong credentials end with 403 (RFC 3261 section 22.4 allows it), never a hint which part was wrong. */
    private void challengeAgain(Request request, ServerTransaction transaction) throws Exception {
        sip.respond(transaction, request, Response.FORBIDDEN, "Wrong credentials");
    }

    /**
     * Where calls to this contact must go. RFC 3581 section 4: a REGISTER whose source differs from its Via sent-by
     * came through a NAT, so the phone is reached at that source, not at its Contact. Over TCP the phone is reached
     * on the connection it opened. Otherwise the Contact is used as is, which also lets one device register a
     * contact on another port or host (third-party registration).
     */
    private static Map.Entry<String, Integer> reachAddress(SIPRequest request, ContactHeader contact,
            String transport) {
        // The packet's own source: JAIN-SIP's "remote port" is the Via's sent-by port, not where the packet came from.
        String sourceHost = sourceAddress(request).getHostAddress();
        int sourcePort = request.getPeerPacketSourceAddress() != null ? request.getPeerPacketSourcePort()
                : request.getRemotePort();
        ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
        int sentByPort = via.getPort() < 0 ? 5060 : via.getPort();
        boolean natted = !"udp".equals(transport) || !sourceHost.equals(via.getHost()) || sourcePort != sentByPort;
        if (natted || !(contact.getAddress().getURI() instanceof SipURI uri)) {
            return Map.entry(sourceHost, sourcePort);
        }
        return Map.entry(uri.getHost(), uri.getPort() < 0 ? 5060 : uri.getPort());
    }

    private static java.net.InetAddress sourceAddress(SIPRequest request) {
        return request.getPeerPacketSourceAddress() != null ? request.getPeerPacketSourceAddress()
                : request.getRemoteAddress();
    }

    private static String source(Request request) {
        SIPRequest raw = (SIPRequest) request;
        return sourceAddress(raw) == null ? "?" : sourceAddress(raw).getHostAddress() + ":"
                + raw.getPeerPacketSourcePort();
    }

}
