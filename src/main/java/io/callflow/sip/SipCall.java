package io.callflow.sip;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;

import io.callflow.call.AgentLegOutcome;
import io.callflow.call.CallId;
import io.callflow.call.LegId;
import io.callflow.media.MediaLeg;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ServerTransaction;
import javax.sip.message.Request;

/** One call through the B2BUA: the caller's leg and the legs towards agents. Changed only on the call's lane. */
final class SipCall {

    final CallId callId;
    final LegId callerLeg;
    final String sipCallId;
    final ServerTransaction inviteTransaction;
    final Request invite;
    final String toTag;
    final String caller;
    /** When the INVITE arrived (System.nanoTime), for the setup-latency metric. */
    final long arrivedNanos = System.nanoTime();
    boolean setupMeasured;
    MediaLeg callerMedia;
    Dialog callerDialog;
    boolean answered;
    boolean ended;
    /** A REFER to the caller is out (the flow's transfer). */
    boolean transferring;
    /** The agent whose REFER started the transfer, told the outcome by NOTIFY. */
    AgentLeg transferor;
    final Map<LegId, AgentLeg> agents = new ConcurrentHashMap<>();

    SipCall(CallId callId, LegId callerLeg, String sipCallId, ServerTransaction inviteTransaction, Request invite,
            String toTag, String caller) {
        this.callId = callId;
        this.callerLeg = callerLeg;
        this.sipCallId = sipCallId;
        this.inviteTransaction = inviteTransaction;
        this.invite = invite;
        this.toTag = toTag;
        this.caller = caller;
    }

    /**
     * An outbound call (click-to-call): it has no caller's leg from a trunk, only legs we dialled (the agent's, then
     * the number's), and {@link #callerLeg} names no SIP leg.
     */
    boolean outbound;

    boolean finished() {
        return (ended || outbound) && agents.values().stream().allMatch(agent -> agent.ended);
    }

    /** A leg towards an agent, forked to each of the agent's registered contacts. */
    static final class AgentLeg {
        final LegId legId;
        final String user;
        MediaLeg media;
        final List<Fork> forks = new CopyOnWriteArrayList<>();
        Fork winner;
        Dialog dialog;
        boolean ringing;
        boolean answered;
        boolean ended;
        ScheduledFuture<?> ringTimer;
        AgentLegOutcome outcome;
        /** For a leg through an outbound trunk: how its INVITE presents the caller ID. */
        OutboundTrunks.Route trunkRoute;

        AgentLeg(LegId legId, String user) {
            this.legId = legId;
            this.user = user;
        }
    }

    /** Our REFER to the caller: its response tells the transferor how the transfer went. */
    record Refer(SipCall call) {
    }

    /** One INVITE of an agent leg to one contact. */
    record Fork(SipCall call, AgentLeg leg, ClientTransaction transaction, String sipCallId) {
    }
}
