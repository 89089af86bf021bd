package io.callflow.acd;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonCreator;

/** The entries of the provisioning file, as Jackson reads them (unknown fields are errors, so typos surface). */
final class ProvisioningSpecs {

    private ProvisioningSpecs() {
    }

    record SkillSpec(String name, String description) {
    }

    record AgentSpec(String id, String name, String sipUser, String password, String ha1Md5, String ha1Sha256,
            Integer maxCalls, Boolean enabled, Map<String, Integer> skills) {
    }

    record QueueSpec(String name, String strategy, Integer ringTimeoutSeconds, Integer maxWaitSeconds,
            Integer wrapUpSeconds, Integer maxMissedOffers, Integer serviceLevelSeconds, Integer serviceLevelTarget,
            Integer announceSeconds, String musicClass, Boolean joinWhenEmpty, Boolean leaveWhenEmpty, String businessHours,
            List<String> holidays, List<MemberSpec> members, RecordingSpec recording, String calendar,
            CallbackSpec callback) {
    }

    /** A queue's recording policy: {@code always} (default), {@code never} or {@code on-demand}. */
    record RecordingSpec(String policy, Boolean consent, Integer retentionDays) {
    }

    /** A queue's callback offer ({@link CallbackSettings}); what is left out keeps its default. */
    record CallbackSpec(Boolean enabled, String key, String order, Integer retries, Integer retryDelaySeconds,
            Integer windowSeconds) {
    }

    /** A member is written as an agent id, or as {@code {agent: id, penalty: n}}. */
    record MemberSpec(String agent, Integer penalty) {

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static MemberSpec of(Object value) {
            if (value instanceof String id) {
                return new MemberSpec(id, 0);
            }
            if (value instanceof Map<?, ?> map) {
                Object penalty = map.get("penalty");
                if (map.keySet().stream().anyMatch(key -> !"agent".equals(key) && !"penalty".equals(key))) {
                    throw new IllegalArgumentException("a member has only 'agent' and 'penalty', not " + map.keySet());
                }
                return new MemberSpec(map.get("agent") == null ? null : map.get("agent").toString(),
                        penalty == null ? 0 : Integer.parseInt(penalty.toString()));
            }
            throw new IllegalArgumentException("a member is an agent id or {agent: id, penalty: n}");
        }
    }

    /** A number: the flow it starts and the languages it offers, in menu order (the first is the default). */
    record DidSpec(String did, String flow, String description, List<String> languages, String calendar) {
    }

    /** A business calendar: its time zone (default {@code callflow.acd.zone}), opening hours and holidays. */
    record CalendarSpec(String name, String description, String zone, String hours, List<HolidaySpec> holidays) {
    }

    /** A holiday is written as a date ({@code 2026-12-24}, or {@code 12-25} every year) or {date: ..., name: ...}. */
    record HolidaySpec(String date, String name) {

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        static HolidaySpec of(Object value) {
            if (value instanceof String date) {
                return new HolidaySpec(date, null);
            }
            if (value instanceof Map<?, ?> map) {
                if (map.keySet().stream().anyMatch(key -> !"date".equals(key) && !"name".equals(key))) {
                    throw new IllegalArgumentException("a holiday has only 'date' and 'name', not " + map.keySet());
                }
                return new HolidaySpec(map.get("date") == null ? null : map.get("date").toString(),
                        map.get("name") == null ? null : map.get("name").toString());
            }
            throw new IllegalArgumentException("a holiday is a date (2026-12-24, or 12-25 every year) or"
                    + " {date: ..., name: ...}");
        }
    }
}
