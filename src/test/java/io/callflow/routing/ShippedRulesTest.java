package io.callflow.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.callflow.platform.ContentFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every shipped rule in {@code rules/}, against the real rule base compiled once for the class. */
class ShippedRulesTest {

    static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    /** A Tuesday morning, inside opening hours. */
    static final ZonedDateTime OPEN = ZonedDateTime.of(2026, 11, 24, 10, 0, 0, 0, ZONE);

    static RuleBase ruleBase;
    static DroolsCallRouter router;
    static DroolsAgentRanker ranker;

    @BeforeAll
    static void compileShippedRules() throws IOException {
        List<ContentFile> files;
        try (Stream<Path> drl = Files.list(Path.of("rules"))) {
            files = drl.filter(path -> path.toString().endsWith(".drl")).sorted().map(ShippedRulesTest::read).toList();
        }
        ruleBase = new RuleBase(new RuleCompiler().compile(files), List.of("rules"));
        router = new DroolsCallRouter(ruleBase, new RoutingProperties("support", ZONE));
        ranker = new DroolsAgentRanker(ruleBase);
    }

    @Test
    void menuChoicePicksTheQueue() {
        assertThat(route(call("1")).queue()).isEqualTo("sales");
        assertThat(route(call("2")).queue()).isEqualTo("support");
        assertThat(route(call("3")).queue()).isEqualTo("billing");
        assertThat(route(call("1")).firedRules()).contains("Menu 1 goes to sales");
    }

    @Test
    void noChoiceGoesToTheDefaultQueue() {
        RoutingDecision decision = route(call(null));
        assertThat(decision.queue()).isEqualTo("support");
        assertThat(decision.priority()).isZero();
        assertThat(decision.closed()).isFalse();
    }

    @Test
    void languageBecomesARequiredSkill() {
        var german = new CallFacts("c1", "+4930123", "100", List.of("2"), "de", "standard", OPEN);
        assertThat(route(german).requiredSkills()).containsEntry("german", 5);
        var french = new CallFacts("c1", "+4930123", "100", List.of("2"), "fr", "standard", OPEN);
        assertThat(route(french).requiredSkills()).containsEntry("french", 5);
        assertThat(route(call("2")).requiredSkills()).isEmpty();
    }

    @Test
    void vipCallersJumpAhead() {
        var knownNumber = new CallFacts("c1", "+4930555001", "100", List.of("1"), "en", "standard", OPEN);
        assertThat(route(knownNumber).priority()).isEqualTo(50);
        assertThat(route(knownNumber).firedRules()).contains("Known VIP numbers", "VIP callers jump ahead");
        var markedVip = new CallFacts("c1", "+4930999", "100", List.of("1"), "en", "VIP", OPEN);
        assertThat(route(markedVip).priority()).isEqualTo(50);
        assertThat(route(call("1")).priority()).isZero();
    }

    @Test
    void aClosedCalendarClosesTheCentreWithItsReason() {
        var closed = new CalendarStatus("main", false, "holiday: Christmas Day", OPEN.withMonth(12).withDayOfMonth(25));
        RoutingDecision decision = router.route(call("1"), List.of(closed));
        assertThat(decision.closed()).isTrue();
        assertThat(decision.firedRules()).contains("Closed by the number's business calendar");
        assertThat(router.route(call("1"), List.of(new CalendarStatus("main", true, null, OPEN))).closed()).isFalse();
        assertThat(route(call("1")).closed()).as("a number without a calendar").isFalse();
        assertThat(route(at(OPEN.withHour(3))).closed()).as("hours are the calendar's, not the rules'").isFalse();
    }

    @Test
    void overflowChainFollowsTheChosenQueue() {
        assertThat(route(call("1")).overflowChain()).containsExactly("support");
        assertThat(route(call("2")).overflowChain()).containsExactly("callback");
    }

    @Test
    void longestIdleOffersTheAgentIdleLongestFirst() {
        assertThat(rank("longest-idle", null).agentIds()).containsExactly("b", "c", "a");
    }

    @Test
    void roundRobinFollowsTheTurnOrder() {
        assertThat(rank("round-robin", null).agentIds()).containsExactly("c", "a", "b");
    }

    @Test
    void fewestCallsAndLeastTalkTime() {
        assertThat(rank("fewest-calls", null).agentIds()).containsExactly("a", "c", "b");
        assertThat(rank("least-talk-time", null).agentIds()).containsExactly("c", "a", "b");
    }

    @Test
    void skillsWeightedPrefersTheMostProficient() {
        AgentRanking ranking = rank("skills-weighted", null);
        assertThat(ranking.agentIds()).containsExactly("a", "c", "b");
        assertThat(ranking.firedRules()).containsExactly("Skills weighted");
    }

    @Test
    void stickyPrefersTheCallersLastAgentElseLongestIdle() {
        assertThat(rank("sticky", "a").agentIds()).containsExactly("a", "b", "c");
        assertThat(rank("sticky", "gone").agentIds()).containsExactly("b", "c", "a");
    }

    @Test
    void randomIsReproduciblePerCall() {
        List<String> first = rank("random", null).agentIds();
        assertThat(rank("random", null).agentIds()).isEqualTo(first).containsExactlyInAnyOrder("a", "b", "c");
    }

    @Test
    void aPenalisedMemberComesLast() {
        var request = new RankingRequest(call("2"), "support", "longest-idle", Map.of(), null, List.of(
                agent("a", 10, 600, 0, 0, 0, 1), agent("b", 5, 10, 0, 0, 0, 0)));
        assertThat(ranker.rank(request).agentIds()).containsExactly("b", "a");
    }

    @Test
    void anUnknownStrategyKeepsTheGivenOrder() {
        assertThat(rank("no-such-strategy", null).agentIds()).containsExactly("a", "b", "c");
    }

    private static RoutingDecision route(CallFacts call) {
        return router.route(call);
    }

    private static CallFacts call(String choice) {
        return new CallFacts("call-1", "+4930123456", "100", choice == null ? List.of() : List.of(choice), "en",
                "standard", OPEN);
    }

    private static CallFacts at(ZonedDateTime at) {
        return new CallFacts("call-1", "+4930123456", "100", List.of("2"), "en", "standard", at);
    }

    /** a: expert, idle 60 s, 3 calls, 900 s talk; b: novice, idle 600 s, 9 calls; c: idle 120 s, next in turn. */
    private static AgentRanking rank(String strategy, String lastAgent) {
        var request = new RankingRequest(call("2"), "support", strategy, Map.of("english", 3), lastAgent, List.of(
                agent("a", 9, 60, 3, 900, 1, 0),
                agent("b", 2, 600, 9, 2000, 2, 0),
                agent("c", 6, 120, 5, 300, 0, 0)));
        return ranker.rank(request);
    }

    private static AgentFacts agent(String id, int english, long idleSeconds, int calls, long talkSeconds,
            int turn, int penalty) {
        return new AgentFacts(id, "sip-" + id, Map.of("english", english), penalty, Duration.ofSeconds(idleSeconds),
                calls, Duration.ofSeconds(talkSeconds), turn);
    }

    private static ContentFile read(Path path) {
        try {
            return new ContentFile(path.getFileName().toString(), path.toString(), Files.readAllBytes(path));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
