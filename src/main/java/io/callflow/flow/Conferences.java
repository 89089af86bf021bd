package io.callflow.flow;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import io.callflow.acd.AgentView;
import io.callflow.acd.Agents;
import io.callflow.acd.CallDistributor;
import io.callflow.acd.TransferLog;
import io.callflow.call.AgentLegFailed;
import io.callflow.call.CallControl;
import io.callflow.call.CallId;
import io.callflow.call.LegAnswered;
import io.callflow.call.LegHungUp;
import io.callflow.call.LegId;
import io.callflow.call.MixRole;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Conference rooms on the media mixer: a named room holds any number of participants, each a leg in the room's mix.
 * A connected call is moved into a room (its caller and its agent, the moderator), a flow puts its caller into a
 * named room ({@link JoinConferenceDelegate}), and participants are added by ringing an agent (reserved as for a
 * consultation, so nobody is double-booked), the first free agent of a queue, or a number through an outbound trunk.
 * Dialled participants are new legs of the room's host call (the call that created the room), so they end with it.
 * Participants are muted (heard by nobody) and unmuted, removed (their leg hung up), and leave by hanging up; the
 * moderator leaving ends the room. The room ends with its last participant. Every step is on the timeline of the call
 * concerned ({@code call_action}) and announced ({@link ConferenceChanged}); a call moved into a room gets a
 * {@code CONFERENCE} row in the queue log. The host call's recording, if any, records the whole mix.
 */
@Service
public class Conferences {

    /** Room names: letters, digits, '.', '_' and '-', at most 64 (they show in URLs and mix ids). */
    public static final Pattern ROOM_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Logger log = LoggerFactory.getLogger(Conferences.class);

    private final CallControl callControl;
    private final Agents agents;
    private final CallDistributor distributor;
    private final TransferLog transferLog;
    private final CallCommands commands;
    private final RuntimeService runtime;
    private final TransactionTemplate transactions;
    private final ApplicationEventPublisher events;
    private final Clock clock;
    private final Duration ringTimeout;
    private final Map<String, Room> rooms = new ConcurrentHashMap<>();

    Conferences(CallControl callControl, Agents agents, CallDistributor distributor, TransferLog transferLog,
            CallCommands commands, RuntimeService runtime, TransactionTemplate transactions,
            ApplicationEventPublisher events, Clock clock,
            @Value("${callflow.conference.ring-timeout:PT30S}") Duration ringTimeout) {
        this.callControl = callControl;
        this.agents = agents;
        this.distributor = distributor;
        this.transferLog = transferLog;
        this.commands = commands;
        this.runtime = runtime;
        // Own transactions: the flow's join runs after its commit, where joining the finished one would lose writes.
        this.transactions = new TransactionTemplate(transactions.getTransactionManager());
        this.transactions.setPropagationBehavior(TransactionTemplate.PROPAGATION_REQUIRES_NEW);
        this.events = events;
        this.clock = clock;
        this.ringTimeout = ringTimeout;
    }

    /**
     * Moves a call connected to an agent into a new room ({@code name} null: {@code call-<callId>}): the caller and
     * the agent, who becomes the moderator, hear each other through the room's mix. Refused when the call is not
     * talking to an agent, is in a room already, or the name is taken.
     */
    public Map<String, Object> createFromCall(String callId, String name, String actor) {
        String roomName = name == null ? "call-" + callId : name;
        Map<String, Object> variables = variables(callId);
        String agentLeg = text(variables.get(CallEventCorrelator.AGENT_LEG));
        String callerLeg = text(variables.get(CallEventCorrelator.CALLER_LEG));
        if (agentLeg == null || callerLeg == null
                || !FlowMessages.ANSWERED.equals(variables.get(FlowMessages.AGENT_OUTCOME))) {
            throw new CallCommandRefused("Call '" + callId + "' is not connected to an agent");
        }
        if (roomOf(callId).isPresent()) {
            throw new CallCommandRefused("Call '" + callId + "' is in a conference already");
        }
        String agentId = text(variables.get("connectedAgent"));
        Room room = new Room(roomName, new CallId(callId), actor);
        if (rooms.putIfAbsent(roomName, room) != null) {
            throw new CallCommandRefused("There is a conference '" + roomName + "' already");
        }
        synchronized (room) {
            Participant caller = room.add(Kind.CALLER, callId, null, new CallId(callId), new LegId(callerLeg), true);
            Participant agent = room.add(Kind.AGENT_OF_CALL, agentId == null ? "agent" : agentId, agentId, new CallId(callId),
                    new LegId(agentLeg), false);
            room.moderator = agent.id;
            transactions.executeWithoutResult(status -> {
                transferLog.conferenced(callId, text(variables.get("queue")), agentId, roomName);
                commands.recordAction(callId, actor, "CONFERENCE_START", "room " + roomName);
            });
            connect(room, caller, actor);
            connect(room, agent, actor);
        }
        log.info("Call {}: moved into conference {} by {}", callId, roomName, actor);
        return view(room);
    }

    /**
     * Puts a flow's caller (already answered) into the named room, created on first use with this call as its host.
     * The room has no moderator; it ends with its last participant.
     */
    public Map<String, Object> joinCaller(CallId callId, String callerLeg, String roomName, boolean muted,
            String actor) {
        if (!ROOM_NAME.matcher(roomName).matches()) {
            throw new IllegalArgumentException("Bad conference room name '" + roomName + "'");
        }
        while (true) {
            Room room = rooms.computeIfAbsent(roomName, n -> new Room(n, callId, actor));
            synchronized (room) {
                if (room.ended) {
                    continue;
                }
                Participant caller = room.add(Kind.CALLER, callId.value(), null, callId, new LegId(callerLeg),
                        true);
                caller.muted = muted;
                connect(room, caller, actor);
                return view(room);
            }
        }
    }

    /**
     * Adds a participant of {@code kind} agent, queue or number: the target is reserved (agents) and rung on a new
     * leg of the room's host call; it joins the mix when it answers. Refused when the room is unknown or the target
     * cannot be reached now.
     */
    public Map<String, Object> add(String roomName, String kind, String target, boolean muted, String actor) {
        Room room = require(roomName);
        Kind what = Kind.valueOf(kind.toUpperCase(java.util.Locale.ROOT));
        if (what == Kind.NUMBER && !callControl.canDialOut()) {
            throw new CallCommandRefused("No outbound trunk is configured (callflow.sip.outbound-trunks)");
        }
        Participant participant;
        String address;
        synchronized (room) {
            if (room.ended) {
                throw new CallCommandRefused("Conference '" + roomName + "' has ended");
            }
            if (what == Kind.AGENT && room.participants.values().stream().anyMatch(p -> target.equals(p.agent))) {
                throw new CallCommandRefused("Agent '" + target + "' is in conference '" + roomName + "' already");
            }
            participant = room.add(what, target, null, room.host, new LegId("conf-" + LegId.random().value()),
                    false);
            participant.muted = muted;
            try {
                address = transactions.execute(status -> {
                    String dialled = what == Kind.NUMBER ? target : reserve(room, participant);
                    commands.recordAction(room.host.value(), actor, "CONFERENCE_ADD", what.name().toLowerCase(
                            java.util.Locale.ROOT) + ":" + target + " to room " + roomName
                            + (participant.agent == null ? "" : " (agent " + participant.agent + ")"));
                    return dialled;
                });
            } catch (RuntimeException e) {
                room.participants.remove(participant.id);
                throw e;
            }
        }
        log.info("Conference {}: {} adds {} {}", roomName, actor, what, target);
        if (what == Kind.NUMBER) {
            callControl.dialTrunk(room.host, participant.leg, null, address, null, ringTimeout);
        } else {
            callControl.dialAgent(room.host, participant.leg, address, ringTimeout);
        }
        return participant.view(room);
    }

    /** Removes a participant: its leg is hung up (a caller's whole call ends); the moderator's removal ends the room. */
    public void remove(String roomName, String participantId, String actor) {
        Room room = require(roomName);
        Participant participant = requireParticipant(room, participantId);
        commands.recordAction(participant.callId.value(), actor, "CONFERENCE_REMOVE", participant.describe()
                + " from room " + roomName);
        drop(participant, "REMOVED");
    }

    /** Mutes (heard by nobody, still hears all) or unmutes a participant; a ringing one joins as set. */
    public Map<String, Object> mute(String roomName, String participantId, boolean muted, String actor) {
        Room room = require(roomName);
        Participant participant = requireParticipant(room, participantId);
        synchronized (room) {
            if (participant.muted == muted) {
                return participant.view(room);
            }
            participant.muted = muted;
            if (participant.answered) {
                callControl.joinMix(participant.callId, participant.mixLeg(), room.mixId(), role(participant), null);
            }
            transactions.executeWithoutResult(status -> {
                commands.recordAction(participant.callId.value(), actor, muted ? "CONFERENCE_MUTE"
                        : "CONFERENCE_UNMUTE", participant.describe() + " in room " + roomName);
                announce(room, participant, ConferenceChanged.MUTED, null);
            });
        }
        return participant.view(room);
    }

    /** Every room, by name. */
    public List<Map<String, Object>> list() {
        return rooms.values().stream().sorted(Comparator.comparing(r -> r.name)).map(this::view).toList();
    }

    /** The room with its participants, if it exists. */
    public Optional<Map<String, Object>> find(String roomName) {
        return Optional.ofNullable(rooms.get(roomName)).map(this::view);
    }

    /** The call that hosts the room (dialled participants are its legs; access to the room follows it). */
    public Optional<String> hostCall(String roomName) {
        return Optional.ofNullable(rooms.get(roomName)).map(room -> room.host.value());
    }

    /** The calls with a leg in the room. */
    public List<String> calls(String roomName) {
        Room room = rooms.get(roomName);
        return room == null ? List.of() : room.participants.values().stream().map(p -> p.callId.value())
                .distinct().toList();
    }

    @EventListener
    void on(LegAnswered event) {
        Participant participant = find(event.callId(), event.legId());
        if (participant == null || participant.answered) {
            return;
        }
        Room room = participant.room;
        synchronized (room) {
            participant.answered = true;
            if (participant.agent != null) {
                transactions.executeWithoutResult(status -> agents.consultationAnswered(participant.agent,
                        participant.key()));
            }
            connect(room, participant, "system");
        }
    }

    @EventListener
    void on(AgentLegFailed event) {
        Participant participant = find(event.callId(), event.legId());
        if (participant != null) {
            left(participant, event.outcome().name());
        }
    }

    @EventListener
    void on(LegHungUp event) {
        Participant participant = find(event.callId(), event.legId());
        if (participant != null) {
            left(participant, event.cause().name());
        }
    }

    /** Joins the participant's leg to the mix, once it is answered, and announces it. */
    private void connect(Room room, Participant participant, String actor) {
        participant.answered = true;
        callControl.joinMix(participant.callId, participant.mixLeg(), room.mixId(), role(participant), null);
        transactions.executeWithoutResult(status -> {
            commands.recordAction(participant.callId.value(), actor, "CONFERENCE_JOINED", participant.describe()
                    + " in room " + room.name);
            announce(room, participant, ConferenceChanged.JOINED, null);
        });
    }

    /** A participant's leg ended: its agent released, the room told; the moderator's going ends the room. */
    private void left(Participant participant, String reason) {
        Room room = participant.room;
        boolean endRoom;
        List<Participant> sameCall = List.of();
        synchronized (room) {
            if (room.participants.remove(participant.id) == null) {
                return;
            }
            transactions.executeWithoutResult(status -> {
                if (participant.agent != null && participant.kind != Kind.AGENT_OF_CALL) {
                    if (participant.answered) {
                        distributor.completed(new CallId(participant.key()), participant.agent);
                    } else {
                        agents.releaseFromOutboundCall(participant.agent, participant.key());
                    }
                }
                commands.recordAction(participant.callId.value(), "system", "CONFERENCE_LEFT",
                        participant.describe() + " left room " + room.name + " (" + reason + ")");
                announce(room, participant, ConferenceChanged.LEFT, reason);
            });
            if (participant.endsItsCall()) {
                // The call ends with its caller or its agent: the flow hangs up its other legs, which report nothing.
                sameCall = room.participants.values().stream().filter(p -> p.callId.equals(participant.callId))
                        .toList();
                room.participants.values().stream().map(p -> p.callId).filter(c -> !c.equals(participant.callId))
                        .findFirst().ifPresent(next -> room.host = next);
            }
            endRoom = participant.id.equals(room.moderator) || room.participants.isEmpty();
            if (endRoom) {
                room.ended = true;
                rooms.remove(room.name, room);
            }
        }
        log.info("Conference {}: {} left ({})", room.name, participant.describe(), reason);
        for (Participant other : sameCall) {
            if (!other.endsItsCall()) {
                callControl.cancelAgentLeg(other.callId, other.leg);
            }
            left(other, "CALL_ENDED");
        }
        if (endRoom) {
            // The moderator went (or nobody is left): everyone still in the room is hung up.
            List.copyOf(room.participants.values()).forEach(p -> drop(p, "ROOM_ENDED"));
            log.info("Conference {} ended", room.name);
        }
    }

    /**
     * Ends a participant's leg and lets it leave (a leg Callflow ends itself reports no hang-up). A call's caller or
     * agent ends the whole call through its flow's caller-hang-up path, so the flow does not wait on.
     */
    private void drop(Participant participant, String reason) {
        if (participant.endsItsCall()) {
            commands.hangUp(participant.callId.value(), "conference");
        } else {
            callControl.cancelAgentLeg(participant.callId, participant.leg);
        }
        left(participant, reason);
    }

    /** Reserves the participant's agent (named, or the first free one of a queue); returns the address to ring. */
    private String reserve(Room room, Participant participant) {
        String key = participant.key();
        String agentId = participant.kind == Kind.AGENT
                ? (agents.takeForConsultation(participant.target, key) ? participant.target : null)
                : agents.takeFromQueueForConsultation(participant.target, key).orElse(null);
        if (agentId == null) {
            throw new CallCommandRefused(participant.kind == Kind.AGENT ? "Agent '" + participant.target
                    + "' is not available" : "No agent of queue '" + participant.target + "' is available");
        }
        participant.agent = agentId;
        return agents.find(agentId).map(AgentView::sipUser).orElseThrow();
    }

    private void announce(Room room, Participant participant, String action, String reason) {
        events.publishEvent(new ConferenceChanged(room.name, action, participant.id,
                participant.kind.external(), participant.target, participant.agent, participant.callId,
                participant.muted, reason, clock.instant()));
    }

    private static MixRole role(Participant participant) {
        return participant.muted ? MixRole.MUTED : MixRole.PARTICIPANT;
    }

    private Participant find(CallId callId, LegId legId) {
        for (Room room : rooms.values()) {
            for (Participant participant : room.participants.values()) {
                if (participant.callId.equals(callId) && legId.equals(participant.leg)) {
                    return participant;
                }
            }
        }
        return null;
    }

    private Optional<Room> roomOf(String callId) {
        CallId id = new CallId(callId);
        return rooms.values().stream().filter(room -> room.participants.values().stream()
                .anyMatch(p -> p.callId.equals(id))).findFirst();
    }

    private Room require(String roomName) {
        Room room = rooms.get(roomName);
        if (room == null) {
            throw new CallCommandRefused("There is no conference '" + roomName + "'");
        }
        return room;
    }

    private static Participant requireParticipant(Room room, String participantId) {
        Participant participant = room.participants.get(participantId);
        if (participant == null) {
            throw new CallCommandRefused("Conference '" + room.name + "' has no participant '" + participantId
                    + "'");
        }
        return participant;
    }

    private Map<String, Object> variables(String callId) {
        ProcessInstance instance = runtime.createProcessInstanceQuery().processInstanceBusinessKey(callId).active()
                .listPage(0, 1).stream().findFirst().orElseThrow(() -> new CallCommandRefused("Call '" + callId
                        + "' has no running flow"));
        return runtime.getVariables(instance.getId());
    }

    private static String text(Object value) {
        return value == null || value.toString().isBlank() ? null : value.toString();
    }

    private Map<String, Object> view(Room room) {
        synchronized (room) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("name", room.name);
            view.put("hostCall", room.host.value());
            view.put("createdBy", room.creator);
            view.put("moderator", room.moderator);
            List<Map<String, Object>> participants = new ArrayList<>();
            room.participants.values().forEach(p -> participants.add(p.view(room)));
            view.put("participants", participants);
            return view;
        }
    }

    /** What a participant is: the caller of a call, the agent a call had, or dialled as an agent, queue or number. */
    private enum Kind {
        CALLER, AGENT_OF_CALL, AGENT, QUEUE, NUMBER;

        String external() {
            return this == AGENT_OF_CALL ? "agent" : name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One room: its host call, participants by id (in joining order) and moderator. Guarded by itself. */
    private static final class Room {
        final String name;
        volatile CallId host;
        final String creator;
        final Map<String, Participant> participants = new java.util.concurrent.ConcurrentSkipListMap<>(
                Comparator.comparingInt((String id) -> Integer.parseInt(id.substring(1))));
        final AtomicInteger next = new AtomicInteger();
        String moderator;
        boolean ended;

        Room(String name, CallId host, String creator) {
            this.name = name;
            this.host = host;
            this.creator = creator;
        }

        String mixId() {
            return "conference-" + name;
        }

        Participant add(Kind kind, String target, String agent, CallId callId, LegId leg, boolean callerLeg) {
            Participant participant = new Participant(this, "p" + next.incrementAndGet(), kind, target, callId,
                    leg, callerLeg);
            participant.agent = agent;
            participants.put(participant.id, participant);
            return participant;
        }
    }

    /** One participant: its leg (of which call), what it was dialled as, its agent, and whether muted/answered. */
    private static final class Participant {
        final Room room;
        final String id;
        final Kind kind;
        final String target;
        final CallId callId;
        final LegId leg;
        final boolean callerLeg;
        volatile String agent;
        volatile boolean muted;
        volatile boolean answered;

        Participant(Room room, String id, Kind kind, String target, CallId callId, LegId leg, boolean callerLeg) {
            this.room = room;
            this.id = id;
            this.kind = kind;
            this.target = target;
            this.callId = callId;
            this.leg = leg;
            this.callerLeg = callerLeg;
        }

        /** Whether the participant's leaving ends its call (its flow's caller or agent, not a dialled leg). */
        boolean endsItsCall() {
            return kind == Kind.CALLER || kind == Kind.AGENT_OF_CALL;
        }

        /** The leg to name to the mixer: null is a call's caller leg. */
        LegId mixLeg() {
            return callerLeg ? null : leg;
        }

        /**
         * What the participant's agent row holds while in the room: the host call's side key (a row holds one call at
         * a time), so reconciliation releases the agent with that call.
         */
        String key() {
            return Agents.sideKey(callId.value(), "conf-" + id);
        }

        String describe() {
            return kind.external() + " " + target;
        }

        Map<String, Object> view(Room room) {
            Map<String, Object> view = new LinkedHashMap<>();
            view.put("id", id);
            view.put("kind", kind.external());
            view.put("target", target);
            view.put("agent", agent);
            view.put("callId", callId.value());
            view.put("muted", muted);
            view.put("moderator", id.equals(room.moderator));
            view.put("status", answered ? "JOINED" : "RINGING");
            return view;
        }
    }
}
