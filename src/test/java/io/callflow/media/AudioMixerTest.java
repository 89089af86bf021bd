package io.callflow.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.callflow.call.MixRole;
import org.junit.jupiter.api.Test;

class AudioMixerTest {

    @Test
    void everyMemberHearsEveryoneButItself() {
        short[][] in = {{100, -5}, {20, 7}, {3, 1000}};
        short[][] out = new short[3][2];
        AudioMixer.mix(in, new boolean[] {true, true, true}, out, 2);
        assertThat(out[0]).containsExactly(23, 1007);
        assertThat(out[1]).containsExactly(103, 995);
        assertThat(out[2]).containsExactly(120, 2);
    }

    @Test
    void aListenerHearsAllAndIsHeardByNobody() {
        short[][] in = {{100}, {20}, {5000}};
        short[][] out = new short[3][1];
        AudioMixer.mix(in, new boolean[] {true, true, false}, out, 1);
        assertThat(out[0]).containsExactly(20);
        assertThat(out[1]).containsExactly(100);
        assertThat(out[2]).containsExactly(120);
    }

    @Test
    void silentMembersAndLoudSumsClipInsteadOfWrapping() {
        short[][] in = {{30000, -30000}, {30000, -30000}, null};
        short[][] out = new short[3][2];
        AudioMixer.mix(in, new boolean[] {true, true, true}, out, 2);
        assertThat(out[2]).containsExactly(Short.MAX_VALUE, Short.MIN_VALUE);
        assertThat(out[0]).containsExactly(30000, -30000);
    }

    @Test
    void twoMembersIsAPlainCrossConnect() {
        short[][] in = {{1, 2, 3}, {4, 5, 6}};
        short[][] out = new short[2][3];
        AudioMixer.mix(in, new boolean[] {true, true}, out, 3);
        assertThat(out[0]).containsExactly(4, 5, 6);
        assertThat(out[1]).containsExactly(1, 2, 3);
    }

    /** Caller 0, agent 1, supervisor 2: what each hears per supervisor mode (the monitoring matrix). */
    @Test
    void supervisorModesMatrix() {
        short[][] in = {{100}, {20}, {3}};
        short[][] out = new short[3][1];
        // listen: the supervisor hears both, nobody hears the supervisor
        AudioMixer.mix(in, new int[] {AudioMixer.ALL, AudioMixer.ALL, AudioMixer.NOBODY}, out, 1);
        assertThat(new short[] {out[0][0], out[1][0], out[2][0]}).containsExactly(20, 100, 120);
        // whisper to the agent: only the agent hears the supervisor
        AudioMixer.mix(in, new int[] {AudioMixer.ALL, AudioMixer.ALL, 1}, out, 1);
        assertThat(new short[] {out[0][0], out[1][0], out[2][0]}).containsExactly(20, 103, 120);
        // barge: everyone hears everyone else
        AudioMixer.mix(in, new int[] {AudioMixer.ALL, AudioMixer.ALL, AudioMixer.ALL}, out, 1);
        assertThat(new short[] {out[0][0], out[1][0], out[2][0]}).containsExactly(23, 103, 120);
    }

    @Test
    void aWhispererDoesNotHearItselfAndSilentWhispersAddNothing() {
        short[][] in = {{100}, {20}, null, {7}};
        short[][] out = new short[4][1];
        AudioMixer.mix(in, new int[] {AudioMixer.ALL, AudioMixer.ALL, 1, 3}, out, 1);
        assertThat(out[0][0]).isEqualTo((short) 20);
        assertThat(out[1][0]).as("agent: caller, silent whisperer").isEqualTo((short) 100);
        assertThat(out[3][0]).as("whispering to itself is not hearing itself").isEqualTo((short) 120);
    }

    @Test
    void rolesMapToTheHearingMatrix() {
        RtpLeg caller = leg("caller");
        RtpLeg agent = leg("agent");
        RtpLeg supervisor = leg("supervisor");
        var members = java.util.List.of(new Mix.Member(caller, MixRole.PARTICIPANT, null),
                new Mix.Member(agent, MixRole.MUTED, null),
                new Mix.Member(supervisor, MixRole.WHISPERER, agent.legId));
        assertThat(Mixing.hearer(members.get(0), members)).isEqualTo(AudioMixer.ALL);
        assertThat(Mixing.hearer(members.get(1), members)).isEqualTo(AudioMixer.NOBODY);
        assertThat(Mixing.hearer(members.get(2), members)).isEqualTo(1);
        assertThat(Mixing.hearer(new Mix.Member(supervisor, MixRole.LISTENER, null), members))
                .isEqualTo(AudioMixer.NOBODY);
        assertThat(Mixing.hearer(new Mix.Member(supervisor, MixRole.WHISPERER, new io.callflow.call.LegId("gone")),
                members)).as("whispering to a member who left: nobody hears it").isEqualTo(AudioMixer.NOBODY);
    }

    private static RtpLeg leg(String id) {
        return new RtpLeg(new io.callflow.call.CallId("c1"), new io.callflow.call.LegId(id), 0, false);
    }
}
