package io.callflow.sip;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import gov.nist.javax.sip.message.SIPRequest;
import io.callflow.call.RegistrationChanged;
import io.callflow.call.SubscriberDirectory;
import javax.sip.ServerTransaction;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
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
    private final DigestAuthenticator digest;
    private final RegistrationStore store;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final DigestGate gate;
    private final Map<String, Map<String, Binding>> bindings = new ConcurrentHashMap<>();
    // Striped per-user locks: a fixed set, so nothing grows with the number of users.
    private final Object[] userLocks = Stream.generate(Object::new).limit(64).toArray();

    Registrar(SipContext sip, SipProperties properties, SubscriberDirectory directory, DigestAuthenticator digest,
            RegistrationStore store, ApplicationEventPublisher events, AuthGuard authGuard, Clock clock) {
        List<String> algorithms = properties.digestAlgorithms();
        if (algorithms == null || algorithms.isEmpty() || !algorithms.stream().allMatch(DigestGate::knownAlgorithm)) {
            throw new IllegalArgumentException("callflow.sip.digest-algorithms must list MD5 and/or SHA-256, not "
                    + algorithms);
        }
        this.sip = sip;
        this.properties = properties;
        this.digest = digest;
        this.store = store;
        this.events = events;
        this.clock = clock;
        this.gate = new DigestGate(sip, properties, directory, digest, authGuard, log);
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
        if (gate.admit(request, transaction, user, false, this::boundFrom)) {
            register(user, request, transaction);
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
        return DigestGate.sourceAddress(request);
    }

}
