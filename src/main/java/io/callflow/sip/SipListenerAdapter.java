package io.callflow.sip;

import java.util.Set;
import java.util.concurrent.ExecutorService;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.DialogTimeoutEvent;
import gov.nist.javax.sip.SipListenerExt;
import io.callflow.platform.DatabaseAvailability;
import javax.sip.DialogTerminatedEvent;
import javax.sip.IOExceptionEvent;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.TimeoutEvent;
import javax.sip.TransactionAlreadyExistsException;
import javax.sip.TransactionUnavailableException;
import javax.sip.TransactionTerminatedEvent;
import javax.sip.header.AllowHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SIP stack's listener: it only sorts what arrives and hands it over - REGISTERs to the registrar's threads,
 * call requests and responses to the call's lane - so no business logic runs on the stack's threads. A flooding
 * source is dropped first of all, and so are REGISTERs from a source blocked for password guessing. Methods Callflow does not take are answered 405 with Allow, unknown ones 501.
 */
final class SipListenerAdapter implements SipListenerExt {

    private static final Logger log = LoggerFactory.getLogger(SipListenerAdapter.class);
    private static final String ALLOWED = "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, REFER, REGISTER";
    private static final Set<String> KNOWN = Set.of("SUBSCRIBE", "NOTIFY", "MESSAGE", "PUBLISH", "PRACK", "UPDATE");

    private final SipContext sip;
    private final FloodGuard floodGuard;
    private final AuthGuard authGuard;
    private final Registrar registrar;
    private final B2bua b2bua;
    private final ExecutorService registrarExecutor;
    private final DatabaseAvailability database;
    private final TrunkRegistrations trunkRegistrations;
    private final PeerProblemLog problems = new PeerProblemLog(log);
    private final SipRequestChecks checks;
    /** Retry-After seconds once the node is stopping; negative while it takes calls. */
    private volatile int stoppingRetryAfter = -1;

    SipListenerAdapter(SipContext sip, FloodGuard floodGuard, AuthGuard authGuard, Registrar registrar, B2bua b2bua,
            ExecutorService registrarExecutor, DatabaseAvailability database, TrunkRegistrations trunkRegistrations) {
        this.sip = sip;
        this.trunkRegistrations = trunkRegistrations;
        this.database = database;
        this.floodGuard = floodGuard;
        this.authGuard = authGuard;
        this.registrar = registrar;
        this.b2bua = b2bua;
        this.registrarExecutor = registrarExecutor;
        this.checks = new SipRequestChecks(sip, new PeerProblemLog(LoggerFactory.getLogger(SipRequestChecks.class)));
    }

    @Override
    public void processRequest(RequestEvent event) {
        Request request = event.getRequest();
        // First, before a transaction or any other state exists: a flooding source costs us as little as possible.
        if (!floodGuard.admit(((SIPRequest) request).getRemoteAddress())) {
            return;
        }
        String method = request.getMethod();
        // A source blocked for password guessing: its REGISTERs are dropped before a transaction exists (one left
        // unanswered would never end: JAIN-SIP keeps non-INVITE server transactions without a lifetime limit).
        if (method.equals(Request.REGISTER) && !authGuard.admits(((SIPRequest) request).getRemoteAddress())) {
            return;
        }
        ServerTransaction transaction = event.getServerTransaction();
        try {
            // RFC 3261 section 8.2: a request that fails the UAS checks is answered before any state exists.
            if (transaction == null && checks.refused(request)) {
                return;
            }
            if (method.equals(Request.ACK)) {
                return;
            }
            if (transaction == null) {
                transaction = sip.provider().getNewServerTransaction(request);
            }
            ServerTransaction tx = transaction;
            boolean inDialog = ((ToHeader) request.getHeader(ToHeader.NAME)).getTag() != null;
            if ((method.equals(Request.REGISTER) || method.equals(Request.INVITE) && !inDialog)
                    && !database.available()) {
                refuseWhileDatabaseAway(request, tx);
                return;
            }
            if ((method.equals(Request.REGISTER) || method.equals(Request.INVITE) && !inDialog)
                    && stoppingRetryAfter >= 0) {
                refuseWhileStopping(request, tx);
                return;
            }
            switch (method) {
                case Request.REGISTER -> registrarExecutor.execute(() -> {
                    try {
                        registrar.handle(request, tx);
                    } catch (Exception e) {
                        if (database.reportIfOutage(e)) {
                            refuseQuietly(request, tx);
                        } else {
                            problems.warn("REGISTER failed: " + e.getClass().getSimpleName(), e.getMessage(), e);
                            serverError(request, tx);
                        }
                    }
                });
                case Request.OPTIONS -> {
                    Response ok = sip.messages().createResponse(Response.OK, request);
                    ok.addHeader(allow());
                    tx.sendResponse(ok);
                }
                case Request.INVITE -> {
                    if (inDialog) {
                        b2bua.inDialog(event, tx);
                    } else {
                        b2bua.newInvite(event, tx);
                    }
                }
                case Request.BYE, Request.CANCEL, Request.INFO, Request.REFER -> b2bua.inDialog(event, tx);
                // RFC 3515 section 2.4.4: the caller we referred reports progress in its dialog.
                case Request.NOTIFY -> {
                    if (inDialog) {
                        b2bua.inDialog(event, tx);
                    } else {
                        Response refused = sip.messages().createResponse(Response.METHOD_NOT_ALLOWED, request);
                        refused.addHeader(allow());
                        tx.sendResponse(refused);
                    }
                }
                default -> {
                    Response refused = sip.messages().createResponse(KNOWN.contains(method)
                            ? Response.METHOD_NOT_ALLOWED : Response.NOT_IMPLEMENTED, request);
                    refused.addHeader(allow());
                    tx.sendResponse(refused);
                }
            }
        } catch (TransactionAlreadyExistsException retransmission) {
            log.debug("{} retransmitted: {}", method, retransmission.toString());
        } catch (TransactionUnavailableException malformed) {
            // The stack refuses a transaction for a request lacking what RFC 3261 section 8.1.1 requires (e.g. a
            // dialog-creating request without Contact). Section 8.2 asks for a 400 naming what was wrong.
            badRequest(request, malformed.getMessage());
        } catch (Exception e) {
            problems.warn(method + " from a peer not handled: " + e.getClass().getSimpleName(), e.getMessage(), e);
            // Every request gets a final answer, so its transaction (and an INVITE's dialog) ends (RFC 3261 8.2.6).
            if (transaction != null && !method.equals(Request.ACK)) {
                serverError(request, transaction);
            }
        }
    }

    @Override
    public void processResponse(ResponseEvent event) {
        if (trunkRegistrations.owns(event.getClientTransaction())) {
            trunkRegistrations.response(event);
            return;
        }
        b2bua.response(event);
    }

    /** RFC 3261 sections 17.1.4 and 17.2.4: the stack reports a transport error of a transaction as its timeout. */
    @Override
    public void processTimeout(TimeoutEvent event) {
        if (event.isServerTransaction()) {
            b2bua.serverTimeout(event.getServerTransaction());
        } else if (trunkRegistrations.owns(event.getClientTransaction())) {
            trunkRegistrations.timeout(event.getClientTransaction());
        } else {
            b2bua.timeout(event.getClientTransaction());
        }
    }

    /** A message the stack could not send; its source is the dialog or transaction it belonged to. */
    @Override
    public void processIOException(IOExceptionEvent event) {
        b2bua.transportError(event.getSource(), event.getHost() + ":" + event.getPort() + " ("
                + event.getTransport() + ")");
    }

    @Override
    public void processTransactionTerminated(TransactionTerminatedEvent event) {
    }

    @Override
    public void processDialogTerminated(DialogTerminatedEvent event) {
    }

    /**
     * RFC 3261 section 13.3.1.4: a 2xx we sent that is never ACKed (64*T1) confirms the dialog, but the session
     * must be ended with a BYE, or the call would stay up with nobody on it.
     */
    @Override
    public void processDialogTimeout(DialogTimeoutEvent event) {
        if (event.getReason() == DialogTimeoutEvent.Reason.AckNotReceived) {
            b2bua.ackNotReceived(event.getDialog());
        }
    }

    private void badRequest(Request request, String reason) {
        try {
            sip.respond(null, request, Response.BAD_REQUEST, reason);
        } catch (Exception e) {
            log.debug("No 400 could be sent: {}", e.toString());
        }
    }

    /**
     * RFC 3261 section 21.5.4: 503 with Retry-After, at once, while the database is away, so a trunk fails over to
     * another node and a phone retries later, instead of each waiting out the connection pool and getting 500.
     */
    /**
     * From now on new calls and registrations are refused (the node is stopping); requests within dialogs still pass,
     * so live calls can end normally.
     */
    void refuseNewWork(int retryAfterSeconds) {
        stoppingRetryAfter = retryAfterSeconds;
    }

    // RFC 3261 section 21.5.4: 503 with Retry-After sends the trunk to another node and the phone to register again
    // later (with another node of the cluster behind the same address, or with this one after its restart).
    private void refuseWhileStopping(Request request, ServerTransaction transaction) throws Exception {
        Response unavailable = sip.messages().createResponse(Response.SERVICE_UNAVAILABLE, request);
        unavailable.setReasonPhrase("Shutting down");
        unavailable.addHeader(sip.headers().createRetryAfterHeader(stoppingRetryAfter));
        transaction.sendResponse(unavailable);
    }

    private void refuseWhileDatabaseAway(Request request, ServerTransaction transaction) throws Exception {
        Response unavailable = sip.messages().createResponse(Response.SERVICE_UNAVAILABLE, request);
        unavailable.setReasonPhrase("Database unavailable");
        unavailable.addHeader(sip.headers().createRetryAfterHeader((int) database.retryAfter().toSeconds()));
        transaction.sendResponse(unavailable);
    }

    private void refuseQuietly(Request request, ServerTransaction transaction) {
        try {
            refuseWhileDatabaseAway(request, transaction);
        } catch (Exception e) {
            log.debug("No 503 could be sent: {}", e.toString());
        }
    }

    /** A REGISTER that failed inside (database down, a bug) still gets an answer, so the phone retries later. */
    private void serverError(Request request, ServerTransaction transaction) {
        try {
            sip.respond(transaction, request, Response.SERVER_INTERNAL_ERROR, null);
        } catch (Exception e) {
            log.debug("No 500 could be sent: {}", e.toString());
        }
    }

    private AllowHeader allow() throws java.text.ParseException {
        return sip.headers().createAllowHeader(ALLOWED);
    }
}
