package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.List;

import io.callflow.media.SrtpPolicy;

import org.junit.jupiter.api.Test;

/** Which trunk a source address belongs to: the first configured one whose ranges contain it, or none (403). */
class TrunkTableTest {

    final TrunkTable trunks = new TrunkTable(List.of(
            new SipProperties.Trunk("carrier", List.of("203.0.113.0/24", "2001:db8::/32"), SrtpPolicy.OPTIONAL, TlsPolicy.OFF),
            new SipProperties.Trunk("pbx", List.of("203.0.113.9/32", "10.1.2.3/32"), SrtpPolicy.OPTIONAL,
                    TlsPolicy.OFF)));

    @Test
    void theFirstConfiguredTrunkWins() throws Exception {
        assertThat(trunks.trunkOf(InetAddress.getByName("203.0.113.9"))).contains("carrier");
        assertThat(trunks.trunkOf(InetAddress.getByName("10.1.2.3"))).contains("pbx");
        assertThat(trunks.trunkOf(InetAddress.getByName("2001:db8::5060"))).contains("carrier");
    }

    @Test
    void anAddressOutsideEveryRangeIsNoTrunk() throws Exception {
        assertThat(trunks.trunkOf(InetAddress.getByName("203.0.114.1"))).isEmpty();
        assertThat(trunks.trunkOf(InetAddress.getByName("10.1.2.4"))).isEmpty();
        assertThat(trunks.trunkOf(InetAddress.getByName("127.0.0.1"))).isEmpty();
    }
}
