package io.callflow.media;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.callflow.call.LegId;
import io.callflow.call.MixRole;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The N-party mixes of the media engine: joining and leaving (a leg leaves its bridge, prompts and music) and, every
 * 20 ms, one mixed frame per member by its role. Every method runs on the media ticker, which owns the mixes.
 */
final class Mixing {

    private static final Logger log = LoggerFactory.getLogger(Mixing.class);

    /** Sends one frame of samples on a leg (the engine's encoder and channel). */
    interface FrameSender {
        void send(RtpLeg leg, short[] samples, long now);
    }

    private final Map<String, Mix> mixes = new ConcurrentHashMap<>();
    private final FrameSender sender;

    Mixing(FrameSender sender) {
        this.sender = sender;
    }

    /** Puts the leg into the mix (created on first use) with its role, ending its bridge, prompts and music. */
    void join(RtpLeg leg, String mixId, MixRole role, LegId whisperTo) {
        Mix current = leg.mix;
        if (current != null && current.id.equals(mixId)) {
            // A new role in the same mix (e.g. listen -> whisper): swap the member in place, no gap in the audio.
            current.members.replaceAll(m -> m.leg() == leg ? new Mix.Member(leg, role, whisperTo) : m);
            log.info("Call {}: leg {} is now {} in mix {}", leg.callId, leg.legId, role, mixId);
            return;
        }
        leave(leg);
        RtpLeg peer = leg.peer;
        if (peer != null) {
            peer.peer = null;
            leg.peer = null;
        }
        leg.prompts.clear();
        leg.music = null;
        leg.mixInput.clear();
        leg.markTalkspurt();
        Mix mix = mixes.computeIfAbsent(mixId, Mix::new);
        mix.members.add(new Mix.Member(leg, role, whisperTo));
        leg.mix = mix;
        log.info("Call {}: leg {} joined mix {} as {} ({} members)", leg.callId, leg.legId, mixId, role,
                mix.members.size());
    }

    /** Takes the leg out of its mix, if any; a mix ends with its last member. */
    void leave(RtpLeg leg) {
        Mix mix = leg.mix;
        if (mix == null) {
            return;
        }
        leg.mix = null;
        leg.mixSent = null;
        leg.mixHeard = null;
        mix.members.removeIf(member -> member.leg() == leg);
        if (mix.members.isEmpty()) {
            mixes.remove(mix.id, mix);
        }
        leg.markTalkspurt();
    }

    /** Mixes and sends one frame of every mix. */
    void frame(long now) {
        for (Mix mix : mixes.values()) {
            frame(mix, now);
        }
    }

    private void frame(Mix mix, long now) {
        List<Mix.Member> members = List.copyOf(mix.members);
        int n = members.size();
        if (n == 0) {
            return;
        }
        short[][] inputs = new short[n][];
        int[] heardBy = new int[n];
        short[][] outputs = new short[n][NettyMediaEngine.FRAME];
        for (int i = 0; i < n; i++) {
            Mix.Member member = members.get(i);
            inputs[i] = member.leg().mixInput.read();
            heardBy[i] = hearer(member, members);
        }
        AudioMixer.mix(inputs, heardBy, outputs, NettyMediaEngine.FRAME);
        for (int i = 0; i < n; i++) {
            RtpLeg leg = members.get(i).leg();
            leg.mixSent = inputs[i];
            leg.mixHeard = outputs[i];
            sender.send(leg, outputs[i], now);
        }
    }

    /** The member's {@link AudioMixer} hearing entry: all, nobody, or the index of the one member it whispers to. */
    static int hearer(Mix.Member member, List<Mix.Member> members) {
        return switch (member.role()) {
            case PARTICIPANT -> AudioMixer.ALL;
            case MUTED, LISTENER -> AudioMixer.NOBODY;
            case WHISPERER -> {
                for (int j = 0; j < members.size(); j++) {
                    if (members.get(j).leg().legId.equals(member.whisperTo())) {
                        yield j;
                    }
                }
                yield AudioMixer.NOBODY;
            }
        };
    }
}
