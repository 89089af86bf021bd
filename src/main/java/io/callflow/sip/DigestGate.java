package io.callflow.sip;

import java.net.InetAddress;
import java.text.ParseException;
import java.util.Optional;
import java.util.function.BiPredicate;

import gov.nist.javax.sip.message.SIPRequest;
import io.callflow.call.DigestCredential;
import io.callflow.call.SubscriberDirectory;
import javax.sip.ServerTransaction;
import javax.sip.address.URI;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.ProxyAuthenticateHeader;
import javax.sip.header.ProxyAuthorizationHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;

/**
 * Digest authentication of a request from a phone (RFC 3261 section 22): the challenge (401 for REGISTER, 407 for
 * an INVITE, section 22.3), the checks of the answer, and the password-guessing guard, the same for both. A request
 * that does not pass is answered here; wrong credentials end with 403, never a hint which part was wrong.
 */
final class DigestGate {

    private final SipContext sip;
    private final SipProperties properties;
    private final SubscriberDirectory directory;
    private final DigestAuthenticator digest;
    private final AuthGuard authGuard;
    private final PeerProblemLog problems;

    DigestGate(SipContext sip, SipProperties properties, SubscriberDirectory directory, DigestAuthenticator digest,
            AuthGuard authGuard, Logger log) {
        this.sip = sip;
        this.properties = properties;
        this.directory = directory;
        this.digest = digest;
        this.authGuard = authGuard;
        this.problems = new PeerProblemLog(log);
    }

    /**
     * Whether {@code request} carries a valid digest answer for {@code user}; when not, it has been answered
     * (challenge, 400 or 403). {@code proxy}: challenge with 407 and read Proxy-Authorization (an INVITE);
     * {@code usualSource}: whether the user last authenticated from that address (exempt from a user's lock).
     */
    boolean admit(Request request, ServerTransaction transaction, String user, boolean proxy,
            BiPredicate<String, InetAddress> usualSource) throws Exception {
        AuthorizationHeader auth = (AuthorizationHeader) request.getHeader(proxy ? ProxyAuthorizationHeader.NAME
                : AuthorizationHeader.NAME);
        if (auth == null) {
            challenge(request, transaction, false, proxy);
            return false;
        }
        if (auth.getNonce() == null || auth.getResponse() == null || auth.getURI() == null) {
            sip.respond(transaction, request, Response.BAD_REQUEST, "Authorization lacks nonce, uri or response");
            return false;
        }
        if (!offered(auth.getAlgorithm())) {
            // What is offered is what is accepted: an operator who drops MD5 from the challenges must not have it
            // answered anyway. RFC 7616 section 3.3: no algorithm parameter means MD5.
            sip.respond(transaction, request, Response.BAD_REQUEST, "Digest algorithm not offered");
            return false;
        }
        if (!sameUri(auth.getURI().toString(), request.getRequestURI())) {
            // RFC 3261 section 22.4 / RFC 2617 section 3.2.2.5: the digest covers this URI; a response computed for
            // another request must not authenticate this one.
            sip.respond(transaction, request, Response.BAD_REQUEST, "Authorization uri does not match the Request-URI");
            return false;
        }
        InetAddress source = sourceAddress((SIPRequest) request);
        String method = request.getMethod();
        Optional<DigestCredential> credential = directory.credential(user);
        if (credential.isEmpty() || !user.equals(auth.getUsername())) {
            authGuard.failed(user, source, credential.isPresent());
            problems.warn(method + " refused: unknown or mismatched user", "user " + user + " from "
                    + source(request), null);
            refuse(request, transaction);
            return false;
        }
        var verdict = digest.check(method, auth.getURI().toString(), auth.getNonce(), auth.getCNonce(),
                auth.getNonceCount(), auth.getQop(), auth.getAlgorithm(), auth.getResponse(), credential.get());
        if (verdict == DigestAuthenticator.Verdict.WRONG) {
            authGuard.failed(user, source, true);
        }
        if (authGuard.refuses(user, source, usualSource.test(user, source))) {
            // A user under password guessing: the same 403 as a wrong password whatever the verdict, so a right guess
            // (or a stale nonce, which is only reported for right credentials) cannot be told from a wrong one.
            refuse(request, transaction);
            return false;
        }
        switch (verdict) {
            case STALE -> {
                challenge(request, transaction, true, proxy);
                return false;
            }
            case WRONG, REPLAY -> {
                problems.warn(method + " refused: " + (verdict == DigestAuthenticator.Verdict.WRONG ? "wrong"
                        : "replayed") + " digest response", "user " + user + " from " + source(request), null);
                refuse(request, transaction);
                return false;
            }
            case OK -> {
                authGuard.succeeded(user, source);
                return true;
            }
            default -> throw new IllegalStateException();
        }
    }

    static boolean knownAlgorithm(String algorithm) {
        return "MD5".equalsIgnoreCase(algorithm) || "SHA-256".equalsIgnoreCase(algorithm);
    }

    private boolean offered(String algorithm) {
        String chosen = algorithm == null ? "MD5" : algorithm;
        return properties.digestAlgorithms().stream().anyMatch(chosen::equalsIgnoreCase);
    }

    /** RFC 3261 section 19.1.4 comparison (the URI types' equals); a digest uri that does not parse never matches. */
    private boolean sameUri(String digestUri, URI requestUri) {
        try {
            return sip.addresses().createURI(digestUri).equals(requestUri);
        } catch (ParseException e) {
            return false;
        }
    }

    private void challenge(Request request, ServerTransaction transaction, boolean stale, boolean proxy)
            throws Exception {
        Response unauthorized = sip.messages().createResponse(proxy ? Response.PROXY_AUTHENTICATION_REQUIRED
                : Response.UNAUTHORIZED, request);
        String nonce = digest.newNonce();
        // RFC 8760 section 2.4: one challenge per algorithm, in order of preference. The default is MD5 alone, as
        // Asterisk and Kamailio send: some phones (Debian 12's baresip 1.0) fail the REGISTER when any challenge has
        // an algorithm they cannot answer, even after an MD5 one, and many (and SIPp) read only the first header.
        for (String algorithm : properties.digestAlgorithms()) {
            WWWAuthenticateHeader header = proxy ? sip.headers().createProxyAuthenticateHeader("Digest")
                    : sip.headers().createWWWAuthenticateHeader("Digest");
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
    private void refuse(Request request, ServerTransaction transaction) throws Exception {
        sip.respond(transaction, request, Response.FORBIDDEN, "Wrong credentials");
    }

    static InetAddress sourceAddress(SIPRequest request) {
        return request.getPeerPacketSourceAddress() != null ? request.getPeerPacketSourceAddress()
                : request.getRemoteAddress();
    }

    static String source(Request request) {
        SIPRequest raw = (SIPRequest) request;
        return sourceAddress(raw) == null ? "?" : sourceAddress(raw).getHostAddress() + ":"
                + raw.getPeerPacketSourcePort();
    }
}
