package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.callflow.acd.AgentState;
import io.callflow.acd.Agents;
import io.callflow.call.RegistrationChanged;
import io.callflow.support.Sipp;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * SIPp phones against the running registrar (scenarios in {@code src/test/sipp/register-*.xml}); each test uses its
 * own agent, so they do not disturb each other. Right and wrong passwords are covered by EndToEndCallTest.
 */
class RegistrarSippTest extends RunningCallflow {

    @Autowired JdbcTemplate jdbc;
    @Autowired Agents agents;
    @Autowired Recorder recorder;

    @BeforeAll
    static void sipp() {
        Sipp.requireSipp();
    }

    @Test
    void severalContactsAreListedRefreshedAndRemovedAndTheAgentFollows() throws Exception {
        // Contact A, B beside it, 423 below Min-Expires, A refreshed, B removed by Expires: 0, all removed by "*".
        Sipp.start("register-contacts.xml", Sipp.freePort(), SIP_PORT, "-s", "1002", "-au", "1002", "-ap",
                "bob-1002").awaitSuccess(Duration.ofSeconds(30));
        // The last announcement may follow the last response by a moment.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(contactCounts("1002")).containsExactly(1, 2, 1, 0));
        await().atMost(Duration.ofSeconds(5)).until(() -> state("bob") == AgentState.OFFLINE);
        await().atMost(Duration.ofSeconds(5)).until(() -> jdbc.queryForObject(
                "select count(*) from sip_registration where sip_user = '1002'", Integer.class) == 0);
    }

    @Test
    void aStaleNonceIsChallengedAgainAndThePhoneThenRegisters() throws Exception {
        Sipp.start("register-stale-nonce.xml", Sipp.freePort(), SIP_PORT, "-s", "1001", "-au", "1001", "-ap",
                "alice-1001").awaitSuccess(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(5)).until(() -> state("alice") == AgentState.AVAILABLE);
        assertThat(contactCounts("1001")).as("the stale answer registered nothing").containsExactly(1);
    }

    @Test
    void aPhoneBehindNatIsRememberedAtTheAddressItsRegisterCameFrom() throws Exception {
        int port = Sipp.freePort();
        Sipp.start("register-behind-nat.xml", port, SIP_PORT, "-s", "1003", "-au", "1003", "-ap", "carol-1003")
                .awaitSuccess(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(5)).until(() -> state("carol") == AgentState.AVAILABLE);
        Map<String, Object> row = await().atMost(Duration.ofSeconds(5)).until(() -> jdbc.queryForList(
                "select * from sip_registration where sip_user = '1003'"), rows -> rows.size() == 1).get(0);
        assertThat(row).containsEntry("contact", "sip:1003@192.0.2.44:5070").containsEntry("source_host", "127.0.0.1")
                .containsEntry("source_port", port).containsEntry("transport", "udp");
    }

    @Test
    void anExpiredRegistrationIsSweptAndTheAgentLoggedOut() throws Exception {
        Sipp.start("register-expires.xml", Sipp.freePort(), SIP_PORT, "-s", "1004", "-au", "1004", "-ap",
                "dave-1004", "-set", "expires", "2").awaitSuccess(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(5)).until(() -> contactCounts("1004").contains(1));
        await().atMost(Duration.ofSeconds(8)).until(() -> state("dave") == AgentState.OFFLINE);
        assertThat(contactCounts("1004")).containsExactly(1, 0);
        await().atMost(Duration.ofSeconds(5)).until(() -> jdbc.queryForObject(
                "select count(*) from sip_registration where sip_user = '1004'", Integer.class) == 0);
    }

    private List<Integer> contactCounts(String user) {
        return recorder.registrations.stream().filter(r -> r.user().equals(user)).map(RegistrationChanged::contacts)
                .toList();
    }

    private AgentState state(String agent) {
        return agents.find(agent).orElseThrow().state();
    }
}
