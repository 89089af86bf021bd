package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import io.callflow.sip.OutboundTrunkProperties.CallerIdIn;
import io.callflow.sip.OutboundTrunkProperties.Registration;
import io.callflow.sip.OutboundTrunkProperties.Trunk;
import org.junit.jupiter.api.Test;

/** The outbound trunks' settings: the old single trunk as the default one, the checks at start-up, caller IDs. */
class OutboundTrunksTest {

    static final Trunk CARRIER = new Trunk("carrier", "sip.carrier.test:5070", "udp", "carrier.test", "+4930123400",
            CallerIdIn.PAI, new Registration("callflow", "secret", null, 600, Duration.ofSeconds(2),
                    Duration.ofMinutes(5)));

    @Test
    void theSingleOutboundTrunkOfEarlierVersionsIsTheDefaultTrunk() {
        var trunks = new OutboundTrunks(new OutboundTrunkProperties(List.of(CARRIER), "10.0.0.9:5060", null));

        assertThat(trunks.find(null).orElseThrow().name()).isEqualTo("default");
        assertThat(trunks.defaultAddress()).isEqualTo(new OutboundTrunk("10.0.0.9", 5060));
        assertThat(trunks.find("carrier").orElseThrow().domain()).isEqualTo("carrier.test");
        assertThat(trunks.find("elsewhere")).isEmpty();
    }

    @Test
    void withoutTheOldSettingTheFirstTrunkOrTheNamedOneIsTheDefault() {
        var second = new Trunk("backup", "10.0.0.7", null, null, null, null, null);
        assertThat(new OutboundTrunks(new OutboundTrunkProperties(List.of(CARRIER, second), null, null)).find(null)
                .orElseThrow().name()).isEqualTo("carrier");
        var chosen = new OutboundTrunks(new OutboundTrunkProperties(List.of(CARRIER, second), "", "backup"));
        assertThat(chosen.find(null).orElseThrow().port()).isEqualTo(5060);
        assertThat(chosen.find(null).orElseThrow().domain()).isEqualTo("10.0.0.7");
        assertThat(new OutboundTrunks(new OutboundTrunkProperties(List.of(), null, null)).defaultAddress()).isNull();
    }

    @Test
    void aRouteCallerIdWinsOverTheTrunksAndTheRequestGoesToTheTrunksAddress() {
        var trunks = new OutboundTrunks(new OutboundTrunkProperties(List.of(CARRIER), null, null));

        assertThat(trunks.route("carrier", "+49309998888", "+4930555201").orElseThrow().callerId())
                .isEqualTo("+4930555201");
        OutboundTrunks.Route route = trunks.route(null, "+49309998888", null).orElseThrow();
        assertThat(route.callerId()).isEqualTo("+4930123400");
        assertThat(route.binding().contact()).isEqualTo("sip:+49309998888@sip.carrier.test:5070");
        assertThat(route.binding().sourceHost()).isEqualTo("sip.carrier.test");
    }

    @Test
    void wrongSettingsStopTheStartWithWhatIsWrong() {
        assertThatThrownBy(() -> new OutboundTrunks(new OutboundTrunkProperties(List.of(CARRIER, CARRIER), null,
                null))).hasMessageContaining("two trunks are named 'carrier'");
        assertThatThrownBy(() -> new OutboundTrunks(new OutboundTrunkProperties(List.of(new Trunk("default",
                "10.0.0.1", null, null, null, null, null)), "10.0.0.2", null))).hasMessageContaining("'default'");
        assertThatThrownBy(() -> new OutboundTrunks(new OutboundTrunkProperties(List.of(new Trunk("x", "a:b:c",
                null, null, null, null, null)), null, null))).hasMessageContaining("trunk 'x' address must be host:port");
        assertThatThrownBy(() -> new OutboundTrunks(new OutboundTrunkProperties(List.of(new Trunk("x", "h", "sctp",
                null, null, null, null)), null, null))).hasMessageContaining("udp or tcp");
        assertThatThrownBy(() -> new OutboundTrunks(new OutboundTrunkProperties(List.of(new Trunk("x", "h", null,
                null, null, null, new Registration("", "p", null, 600, Duration.ofSeconds(1), Duration.ofSeconds(2)))),
                null, null))).hasMessageContaining("registration needs username");
        assertThatThrownBy(() -> new OutboundTrunks(new OutboundTrunkProperties(List.of(CARRIER), null, "nope")))
                .hasMessageContaining("'nope' is not a configured outbound trunk");
    }
}
