package io.callflow.media;

import static org.assertj.core.api.Assertions.assertThat;

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
}
